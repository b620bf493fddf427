"""The co-op side of ingest's facts-changed announcements: schedule an accrual recompute.

Cheap and debounced, as ingest.listeners asks: each (vendor code, month) gets a cache marker; only
pairs not already waiting enqueue a task, delayed by COOPDESK_ACCRUAL_DEBOUNCE_SECONDS so that a
burst of imports (weekly files for a whole quarter) ends in one recompute.
"""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.utils import timezone

from coop import conf
from core.periods import add_months
from core.periods import month_start
from core.periods import months_between
from ingest.listeners import FactsChanged

# Fact tables co-op amounts are computed from (coop.selectors.facts).
ACCRUAL_FACT_TABLES = frozenset({"retail_inventory", "retail_sales", "purchase_order_line"})
# When an import cannot say which period it touched, recompute this many recent months.
FALLBACK_MONTHS = 12


def _months(event: FactsChanged) -> list[date]:
    if event.period_start and event.period_end:
        return months_between(event.period_start, event.period_end)
    this_month = month_start(timezone.localdate())
    return [add_months(this_month, -offset) for offset in range(FALLBACK_MONTHS - 1, -1, -1)]


def on_facts_changed(event: FactsChanged) -> None:
    if event.fact_table not in ACCRUAL_FACT_TABLES or not event.vendor_code_ids:
        return
    from coop.tasks import accruals_recompute_task
    from coop.tasks import dirty_key

    delay = conf.accrual_debounce_seconds()
    vendor_codes: set[int] = set()
    months: set[date] = set()
    for vendor_code_id in event.vendor_code_ids:
        for month in _months(event):
            # add() is atomic and only succeeds when no run is pending for this pair.
            if cache.add(dirty_key(vendor_code_id, month), 1, timeout=delay * 10 + 60):
                vendor_codes.add(vendor_code_id)
                months.add(month)
    if vendor_codes:
        accruals_recompute_task.apply_async(
            args=(sorted(vendor_codes), [m.isoformat() for m in sorted(months)]), countdown=delay
        )
