"""The promotions side of ingest's facts-changed announcements (registered as "coop.promotions").

Cheap and debounced, as ingest.listeners asks: one cache marker per (vendor code, fact table, period); only
vendor codes not already waiting enqueue a refresh, delayed so a burst of imports ends in one run.
"""

from __future__ import annotations

from django.core.cache import cache

from coop import promotion_tasks
from ingest.listeners import FactsChanged

FACT_TABLES = frozenset({"promotion_result", "coupon_result", "retail_sales"})
DEBOUNCE_SECONDS = 60


def on_facts_changed(event: FactsChanged) -> None:
    if event.fact_table not in FACT_TABLES or not event.vendor_code_ids:
        return
    first = event.period_start.isoformat() if event.period_start else None
    last = event.period_end.isoformat() if event.period_end else None
    # add() is atomic and only succeeds when no run is pending for this vendor code, table and period.
    waiting = [
        vc
        for vc in event.vendor_code_ids
        if cache.add(
            promotion_tasks.dirty_key(vc, event.fact_table, first, last), 1, timeout=DEBOUNCE_SECONDS * 10 + 60
        )
    ]
    if not waiting:
        return
    promotion_tasks.promotions_refresh_task.apply_async(
        args=(sorted(waiting), event.fact_table, first, last, event.import_id), countdown=DEBOUNCE_SECONDS
    )
