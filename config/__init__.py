"""Coopdesk project package: settings, URLs, the Celery app. No models, no business logic."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
