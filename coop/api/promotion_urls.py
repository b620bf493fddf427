"""Promotion API routes; coop/api/urls.py includes them (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from rest_framework.routers import SimpleRouter

from coop.api import promotion_views as views

router = SimpleRouter()
router.register("promotions", views.PromotionViewSet, basename="api-promotion")
router.register("promotion-events", views.EventViewSet, basename="api-promotion-event")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
