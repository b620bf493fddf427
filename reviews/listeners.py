"""The reviews side of ingest's facts-changed announcements: queue the touched rollup buckets.

Cheap and debounced, as ingest.listeners asks. Each announcement upserts (vendor code, grain, period)
rows into RollupPending and schedules the drain task only when none is scheduled yet, claimed with a
conditional UPDATE on the single RollupSchedule row. The task runs after a delay
(REVIEWS_ROLLUP_DEBOUNCE_SECONDS, default 30 s), so ten imports of one week end in one recompute.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.periods import add_months
from core.periods import month_start
from core.periods import week_start
from ingest.listeners import FactsChanged
from ingest.models import ReportImport
from planning.models import VendorCode
from reviews.models import Grain
from reviews.models import RollupPending
from reviews.models import RollupSchedule

logger = logging.getLogger(__name__)

# Fact tables the rollups read (AMS hourly deltas and promotion results are not rolled up).
ROLLUP_FACT_TABLES = frozenset(
    {
        "retail_sales",
        "retail_inventory",
        "retail_traffic",
        "retail_net_ppm",
        "ads_daily",
        "purchase_order_line",
        "shipment_line",
    }
)
# When an import cannot say which days it touched, recompute this many recent months.
FALLBACK_MONTHS = 13
# A shipment changes the on-time verdict of its PO (bucketed by PO date, earlier) and a receipt the
# accuracy of its ASNs (bucketed by ship date, later): widen supply windows by this much each way.
SUPPLY_REACH = timedelta(days=90)
# A schedule claimed longer ago than this is presumed lost (worker died) and may be claimed again.
STALE_CLAIM = timedelta(minutes=15)


def debounce_seconds() -> int:
    return int(getattr(settings, "REVIEWS_ROLLUP_DEBOUNCE_SECONDS", 30))


def _vendor_codes(event: FactsChanged) -> list[int]:
    if event.vendor_code_ids:
        return list(event.vendor_code_ids)
    # Ads files name a profile and marketplace, not a vendor code: take the importing brand's vendor
    # codes in those marketplaces (the recompute maps each profile to one of them).
    if event.import_id is None:
        return []
    brand_id = ReportImport.objects.filter(pk=event.import_id).values_list("brand_id", flat=True).first()
    if brand_id is None:
        return []
    codes = VendorCode.objects.filter(brand_id=brand_id)
    if event.marketplace_ids:
        codes = codes.filter(marketplace__amazon_marketplace_id__in=event.marketplace_ids)
    return list(codes.values_list("pk", flat=True))


def _days(event: FactsChanged) -> tuple[date, date]:
    today = timezone.localdate()
    if event.period_start and event.period_end:
        first, last = event.period_start, event.period_end
    else:
        first, last = add_months(month_start(today), -(FALLBACK_MONTHS - 1)), today
    if event.fact_table == "shipment_line":
        first -= SUPPLY_REACH
    if event.fact_table == "purchase_order_line":
        last = max(last, min(last + SUPPLY_REACH, today))
    return first, last


def buckets(first: date, last: date) -> list[tuple[str, date]]:
    """Every (grain, period start) of the weeks and months touching [first, last]."""
    out: list[tuple[str, date]] = []
    week = week_start(first)
    while week <= last:
        out.append((Grain.WEEK, week))
        week += timedelta(days=7)
    month = month_start(first)
    while month <= last:
        out.append((Grain.MONTH, month))
        month = add_months(month, 1)
    return out


def queue_rollups(vendor_code_ids: Sequence[int], first: date, last: date) -> bool:
    """Queue the buckets of [first, last] for these vendor codes; schedule the drain task unless one is
    scheduled already. Returns True when this call scheduled it."""
    now = timezone.now()
    RollupPending.objects.bulk_create(
        [
            RollupPending(vendor_code_id=vc, grain=grain, period_start=start, queued_at=now)
            for vc in vendor_code_ids
            for grain, start in buckets(first, last)
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    RollupSchedule.objects.get_or_create(pk=1)
    claimed = (
        RollupSchedule.objects.filter(pk=1)
        .filter(Q(scheduled=False) | Q(scheduled_at__lt=now - STALE_CLAIM))
        .update(scheduled=True, scheduled_at=now)
    )
    if not claimed:
        return False  # a drain task is already on its way and will take these rows too
    from reviews.tasks import rollups_drain_task

    transaction.on_commit(lambda: rollups_drain_task.apply_async(countdown=debounce_seconds()))
    return True


def on_facts_changed(event: FactsChanged) -> None:
    if event.fact_table not in ROLLUP_FACT_TABLES:
        return
    vendor_code_ids = _vendor_codes(event)
    if not vendor_code_ids:
        logger.info("facts changed without a vendor code to roll up: %s", event)
        return
    first, last = _days(event)
    queue_rollups(vendor_code_ids, first, last)
