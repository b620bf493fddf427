"""Celery tasks of the alerts, and the two triggers that enqueue them after data changed.

Tasks are thin and idempotent: they call reviews.alert_services, whose evaluation changes nothing when
run twice on the same data, whose escalation claims each alert with a conditional update, and whose
digest claims each user's preference row the same way.

Triggers (wired from ReviewsConfig.ready() through `connect_alerts`):
- ingest's facts-changed listener "reviews.alerts": rules that read facts or imports (ASN lines, report
  freshness) for the importing brand;
- the after-rollup hook "reviews.alerts": rules that read rollups (cover, sell-through, PO on-time,
  ACoS, JBP attainment) once the rollups of the touched weeks were recomputed.
Both are debounced per brand and trigger: a burst of imports ends in one evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from ingest.listeners import FactsChanged

logger = logging.getLogger(__name__)


def debounce_seconds() -> int:
    return int(getattr(settings, "REVIEWS_ALERT_DEBOUNCE_SECONDS", 60))


def pending_key(brand_id: int, trigger: str) -> str:
    return f"reviews:alerts-pending:{brand_id}:{trigger}"


def _summary(result: Any) -> dict[str, Any]:
    total = result.total
    return {
        "opened": total.opened,
        "refreshed": total.refreshed,
        "cleared": total.cleared,
        "resolved": total.resolved,
        "skipped": result.skipped,
        "failed": result.failed,
    }


@shared_task(name="reviews.alerts_evaluate", acks_late=True)
def alerts_evaluate_task(brand_id: int, codes: list[str] | None = None, trigger: str = "") -> dict[str, Any]:
    """Evaluate some rules for one brand after its data changed (enqueued, debounced, by the triggers)."""
    from planning.models import Brand
    from reviews.alert_services import alerts_evaluate

    if trigger:
        # Clear the marker first: data changing while this runs schedules a fresh run instead of being lost.
        cache.delete(pending_key(brand_id, trigger))
    if not Brand.objects.filter(pk=brand_id).exists():
        logger.info("alerts: brand %s is gone, nothing to evaluate", brand_id)
        return {}
    return _summary(alerts_evaluate(brand_id=brand_id, codes=codes))


@shared_task(name="reviews.alerts_evaluate_scheduled")
def alerts_evaluate_scheduled_task() -> dict[str, Any]:
    """Hourly: the time-based rules (stream gaps, stale reports, dispute deadlines, promotion lead times,
    co-op variances) for every brand."""
    from reviews.alert_rules import codes_triggered_by
    from reviews.alert_services import alerts_evaluate_all

    return _summary(alerts_evaluate_all(codes=codes_triggered_by("schedule")))


@shared_task(name="reviews.alerts_evaluate_all")
def alerts_evaluate_all_task() -> dict[str, Any]:
    """Daily sweep: every rule for every brand, so nothing depends on a trigger having fired."""
    from reviews.alert_services import alerts_evaluate_all

    return _summary(alerts_evaluate_all())


@shared_task(name="reviews.alerts_escalate")
def alerts_escalate_task() -> int:
    """Every 15 minutes: critical alerts nobody acknowledged by their deadline escalate to the brand managers."""
    from reviews.alert_services import alerts_escalate_due

    return alerts_escalate_due()


@shared_task(name="reviews.alerts_send_digests")
def alerts_send_digests_task() -> int:
    """Every morning: the alert digests due (daily ones every day, weekly ones on Mondays)."""
    from reviews.alert_services import digests_send_due

    return digests_send_due()


# ------------------------------------------------------------------------------------------- triggers


def _enqueue(brand_ids: Sequence[int], trigger: str) -> list[int]:
    """One debounced evaluation per brand and trigger; returns the brands that got a new task."""
    from reviews.alert_rules import codes_triggered_by

    codes = codes_triggered_by(trigger)
    delay = debounce_seconds()
    enqueued = []
    for brand_id in sorted(set(brand_ids)):
        # add() is atomic and only succeeds when no run is pending for this brand and trigger.
        if cache.add(pending_key(brand_id, trigger), 1, timeout=delay * 10 + 60):
            alerts_evaluate_task.apply_async(args=(brand_id, codes, trigger), countdown=delay)
            enqueued.append(brand_id)
    return enqueued


def _brands_of(vendor_code_ids: Sequence[int]) -> list[int]:
    from planning.models import VendorCode

    return list(VendorCode.objects.filter(pk__in=vendor_code_ids).values_list("brand_id", flat=True).distinct())


def on_facts_changed(event: FactsChanged) -> None:
    """Ingest listener "reviews.alerts": after an import, the rules that read facts and imports directly."""
    from ingest.models import ReportImport

    brand_ids = _brands_of(event.vendor_code_ids) if event.vendor_code_ids else []
    if event.import_id is not None:
        brand_ids += list(ReportImport.objects.filter(pk=event.import_id).values_list("brand_id", flat=True))
    if brand_ids:
        _enqueue(brand_ids, "import")


def on_rollups_recomputed(vendor_code_ids: Sequence[int], period_start: date, period_end: date) -> None:
    """After-rollup hook "reviews.alerts": the rules that read rollups, for the brands of the vendor codes."""
    brand_ids = _brands_of(vendor_code_ids)
    if brand_ids:
        _enqueue(brand_ids, "rollup")


def connect_alerts() -> None:
    """Register both triggers; called from ReviewsConfig.ready() (safe to call twice)."""
    from ingest.listeners import register_listener
    from reviews.hooks import register_after_rollup

    register_listener("reviews.alerts", on_facts_changed)
    register_after_rollup("reviews.alerts", on_rollups_recomputed)
