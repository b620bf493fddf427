"""Celery tasks of the reviews app: thin wrappers around services, ids in, idempotent."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="reviews.rollups_drain", acks_late=True)
def rollups_drain_task() -> int:
    """Recompute every rollup bucket queued by imports since the last run (debounced by the listener).

    Idempotent: a recompute rewrites its buckets from the facts, so a duplicate run writes the same rows.
    """
    from reviews.services.rollups import rollups_drain

    return rollups_drain()


@shared_task(name="reviews.rollups_recompute", acks_late=True)
def rollups_recompute_task(vendor_code_ids: list[int], period_start: str, period_end: str) -> int:
    """Recompute the rollups of some vendor codes and days on demand (admin, API, CLI)."""
    from reviews.services.rollups import rollups_recompute

    result = rollups_recompute(
        vendor_code_ids=vendor_code_ids,
        period_start=date.fromisoformat(period_start),
        period_end=date.fromisoformat(period_end),
    )
    return result.rollup_rows
