"""Celery tasks of the co-op app: thin wrappers around services, ids in, idempotent."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.cache import cache

logger = logging.getLogger(__name__)


def dirty_key(vendor_code_id: int, month: date) -> str:
    return f"coop:accrual-dirty:{vendor_code_id}:{month.isoformat()}"


@shared_task(name="coop.accruals_recompute", acks_late=True)
def accruals_recompute_task(vendor_code_ids: list[int], months: list[str]) -> int:
    """Recompute accruals after an import changed facts of these vendor codes and months.

    Enqueued (debounced) by the facts-changed listener. Idempotent: accruals are upserted, so a
    duplicate or late run only rewrites the same numbers.
    """
    from coop.services.accruals import accruals_recompute_for_facts

    month_dates = [date.fromisoformat(m) for m in months]
    # Clear the markers first: facts changing while this runs schedule a fresh run instead of being lost.
    cache.delete_many([dirty_key(vc, m) for vc in vendor_code_ids for m in month_dates])
    written = accruals_recompute_for_facts(vendor_code_ids=vendor_code_ids, months=month_dates)
    logger.info("recomputed %s accruals for vendor codes %s, months %s", written, vendor_code_ids, months)
    return written


@shared_task(name="coop.allocations_close_ended")
def allocations_close_ended_task() -> int:
    """Daily: fund allocations whose period has ended move from APPROVED to CLOSED (§5.2)."""
    from coop.services.allocations import allocations_close_ended

    return allocations_close_ended()


@shared_task(name="coop.agreements_expire")
def agreements_expire_task() -> int:
    """Daily: accepted agreements past their end date become EXPIRED."""
    from coop.services.agreements import agreements_expire

    return agreements_expire()
