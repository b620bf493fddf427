"""The facts-changed listener, its debounce and the drain task: ten imports of one week, one recompute."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ingest.listeners import FactsChanged
from ingest.listeners import registered_listeners
from reviews import hooks
from reviews import tasks
from reviews.listeners import buckets
from reviews.listeners import on_facts_changed
from reviews.models import Rollup
from reviews.models import RollupPending
from reviews.models import RollupSchedule
from reviews.services import rollups as rollup_service
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 8)  # Sunday


def _event(
    vc_id: int, start: date = WEEK, end: date = WEEK + timedelta(days=6), table: str = "retail_sales"
) -> FactsChanged:
    return FactsChanged(
        import_id=None,
        fact_table=table,
        vendor_code_ids=(vc_id,),
        marketplace_ids=("ATVPDKIKX0DER",),
        period_start=start,
        period_end=end,
    )


def test_reviews_registers_its_listener() -> None:
    assert registered_listeners()["reviews.rollups"] is on_facts_changed


def test_buckets_of_a_week_straddling_two_months() -> None:
    assert buckets(date(2026, 3, 29), date(2026, 4, 4)) == [
        ("WEEK", date(2026, 3, 29)),
        ("MONTH", date(2026, 3, 1)),
        ("MONTH", date(2026, 4, 1)),
    ]


def test_ten_imports_of_one_week_cause_one_recompute(brand_a: Any, django_capture_on_commit_callbacks: Any) -> None:
    vc = brand_a.vendor_code
    f.sales(vc, "B000000001", WEEK, shipped_units=4)
    runs: list[tuple[list[int], date, date]] = []
    # Every recompute calls the after-rollup hooks once: a hook counts the recomputes.
    hooks.register_after_rollup("tests.count", lambda ids, start, end: runs.append((list(ids), start, end)))
    try:
        with django_capture_on_commit_callbacks(execute=False) as scheduled:
            for _ in range(10):
                on_facts_changed(_event(vc.pk))

        assert len(scheduled) == 1  # the first announcement scheduled the task; nine found it scheduled
        assert RollupSchedule.objects.get(pk=1).scheduled is True
        assert set(RollupPending.objects.values_list("grain", "period_start")) == {
            ("WEEK", WEEK),
            ("MONTH", date(2026, 3, 1)),
        }

        with django_capture_on_commit_callbacks(execute=True):
            scheduled[0]()  # the countdown elapsed: Celery runs the drain task (eager in tests)
    finally:
        hooks._hooks.pop("tests.count", None)

    # One recompute of the week and its month; hooks get the fact days it read (March's last week ends 4 April).
    assert runs == [([vc.pk], date(2026, 3, 1), date(2026, 4, 4))]
    assert not RollupPending.objects.exists()
    assert RollupSchedule.objects.get(pk=1).scheduled is False
    assert Rollup.objects.get(grain="WEEK", dimension="TOTAL", distributor_view="MANUFACTURING").shipped_units == 4


def test_facts_changing_during_a_run_schedule_a_new_one(brand_a: Any, django_capture_on_commit_callbacks: Any) -> None:
    vc = brand_a.vendor_code
    with django_capture_on_commit_callbacks(execute=False) as first:
        on_facts_changed(_event(vc.pk))
    assert len(first) == 1
    tasks.rollups_drain_task()  # the drain releases the schedule before it reads the queue
    with django_capture_on_commit_callbacks(execute=False) as second:
        on_facts_changed(_event(vc.pk))
    assert len(second) == 1


def test_a_lost_schedule_is_claimed_again_after_it_went_stale(
    brand_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vc = brand_a.vendor_code
    RollupSchedule.objects.create(pk=1, scheduled=True, scheduled_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as scheduled:
        on_facts_changed(_event(vc.pk))
    assert len(scheduled) == 1


def test_drain_is_idempotent(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    f.sales(vc, "B000000001", WEEK, shipped_units=4)
    RollupPending.objects.create(vendor_code=vc, grain="WEEK", period_start=WEEK)
    assert tasks.rollups_drain_task() == 1
    rows = sorted(Rollup.objects.values_list("grain", "period_start", "dimension", "dimension_value", "shipped_units"))
    assert tasks.rollups_drain_task() == 0  # nothing queued: nothing to do
    RollupPending.objects.create(vendor_code=vc, grain="WEEK", period_start=WEEK)
    assert tasks.rollups_drain_task() == 1  # the same bucket again: the same rows
    assert (
        sorted(Rollup.objects.values_list("grain", "period_start", "dimension", "dimension_value", "shipped_units"))
        == rows
    )


def test_distant_periods_are_recomputed_in_separate_windows(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    RollupPending.objects.create(vendor_code=vc, grain="MONTH", period_start=date(2025, 1, 1))
    RollupPending.objects.create(vendor_code=vc, grain="MONTH", period_start=date(2026, 3, 1))
    assert tasks.rollups_drain_task() == 2


def test_ads_imports_find_the_brands_vendor_codes_and_amS_is_ignored(
    brand_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from ingest.models import ReportImport

    vc = brand_a.vendor_code
    report = ReportImport.objects.create(brand=brand_a.brand, original_name="sp.json", size=1, file_sha256="x")
    with django_capture_on_commit_callbacks(execute=False):
        on_facts_changed(
            FactsChanged(
                import_id=report.pk,
                fact_table="ads_daily",
                vendor_code_ids=(),
                marketplace_ids=("ATVPDKIKX0DER",),
                period_start=WEEK,
                period_end=WEEK,
            )
        )
        on_facts_changed(_event(vc.pk, table="ams_hourly"))
    assert set(RollupPending.objects.values_list("vendor_code_id", flat=True)) == {vc.pk}
    assert RollupPending.objects.count() == 2  # the ads week and month only; AMS deltas are not rolled up


def test_the_after_rollup_hook_runs_once_the_rows_are_written(
    brand_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vc = brand_a.vendor_code
    f.sales(vc, "B000000001", WEEK, shipped_units=4)
    seen: list[tuple[list[int], date, date, int]] = []

    def hook(ids: Any, start: date, end: date) -> None:
        seen.append((list(ids), start, end, Rollup.objects.count()))

    hooks.register_after_rollup("tests.reviews", hook)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rollup_service.rollups_recompute(vendor_code_ids=[vc.pk], period_start=WEEK, period_end=WEEK)
    finally:
        hooks._hooks.pop("tests.reviews", None)
    assert len(seen) == 1
    ids, start, end, rows = seen[0]
    assert (ids, start, end) == ([vc.pk], date(2026, 3, 1), date(2026, 3, 31))
    assert rows > 0
