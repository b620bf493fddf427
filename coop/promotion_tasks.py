"""Celery tasks of promotions: thin wrappers around coop/promotion_sync.py, ids in, idempotent.

Imported by coop/promotion_listeners.py at module level, so a worker that runs CoopConfig.ready()
knows these tasks even though Celery's autodiscovery only looks at coop/tasks.py.
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.cache import cache

logger = logging.getLogger(__name__)

PROMOTION_TABLES = frozenset({"promotion_result", "coupon_result"})


def dirty_key(vendor_code_id: int, fact_table: str, first: str | None, last: str | None) -> str:
    return f"coop:promotions-dirty:{vendor_code_id}:{fact_table}:{first}:{last}"


@shared_task(name="coop.promotions_refresh", acks_late=True)
def promotions_refresh_task(
    vendor_code_ids: list[int],
    fact_table: str,
    first: str | None = None,
    last: str | None = None,
    import_id: int | None = None,
) -> int:
    """After an import: Amazon-side statuses from promotion/coupon reports, prices from daily sales,
    then the stored results of every promotion those facts touch. Safe to run twice."""
    from coop.promotion_models import Promotion
    from coop.promotion_sync import price_observations_refresh
    from coop.promotion_sync import promotion_performance_refresh
    from coop.promotion_sync import promotion_sync_from_reports
    from coop.promotion_sync import promotions_needing_results

    # Clear the markers first: facts changing while this runs schedule a fresh run instead of being lost.
    cache.delete_many([dirty_key(vc, fact_table, first, last) for vc in vendor_code_ids])
    first_day = date.fromisoformat(first) if first else None
    last_day = date.fromisoformat(last) if last else None
    touched: set[int] = set()
    if fact_table in PROMOTION_TABLES:
        outcome = promotion_sync_from_reports(vendor_code_ids=vendor_code_ids, import_id=import_id)
        touched |= outcome.touched or set()
        logger.info("promotions from reports: %s created, %s updated", outcome.created, outcome.updated)
    elif fact_table == "retail_sales":
        if first_day and last_day:
            price_observations_refresh(vendor_code_ids=vendor_code_ids, first=first_day, last=last_day)
        touched |= set(promotions_needing_results(vendor_code_ids=vendor_code_ids, first=first_day, last=last_day))
    for promotion in Promotion.objects.filter(pk__in=touched):
        promotion_performance_refresh(promotion=promotion)
    return len(touched)


@shared_task(name="coop.promotions_advance_by_clock")
def promotions_advance_by_clock_task() -> int:
    """Hourly: approved promotions whose start has passed become RUNNING, running ones past their end ENDED."""
    from coop.promotion_sync import promotions_advance_by_clock

    return promotions_advance_by_clock()
