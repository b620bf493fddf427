"""Imports nobody would finish otherwise are queued again by the beat sweeper: a pending import whose
task was lost (the broker was down when the file was uploaded) and a running one whose worker died.
Tasks run eagerly in tests, so "queued again" means "run to the end" here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from ingest.services import PENDING_REQUEUE_AFTER
from ingest.services import report_import_create
from ingest.services import report_imports_requeue_stuck
from ingest.tasks import report_import_run_task
from ingest.tasks import report_imports_requeue_stuck_task
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import sales_report

pytestmark = pytest.mark.django_db
Status = ReportImport.Status
WEEK, WEEK_END = date(2024, 3, 3), date(2024, 3, 9)


def _document() -> bytes:
    rows = [SalesRow(WEEK, WEEK_END, "B0AAAAAAA1", Decimal("100.00"), 10, Decimal("60.00"), Decimal("90.00"), 9, 1)]
    return encode(sales_report(rows, start=WEEK, end=WEEK_END))


def _pending(brand_a: Any, upload: Callable[[str, bytes], SimpleUploadedFile], age: timedelta) -> ReportImport:
    created = report_import_create(
        brand=brand_a.brand,
        uploaded_file=upload("sales.json", _document()),
        vendor_code=brand_a.vendor_code,
        enqueue=False,
    )
    ReportImport.objects.filter(pk=created.pk).update(created_at=timezone.now() - age)
    return created


def test_a_pending_import_older_than_the_grace_period_is_queued_again_and_finishes(
    brand_a: Any, upload: Callable[[str, bytes], SimpleUploadedFile]
) -> None:
    old = _pending(brand_a, upload, PENDING_REQUEUE_AFTER + timedelta(minutes=1))
    assert report_imports_requeue_stuck_task.apply().get() == 1
    old.refresh_from_db()
    assert old.status == Status.SUCCEEDED
    assert RetailSalesFact.objects.filter(last_import_id=old.pk).count() == 1
    assert report_imports_requeue_stuck() == []  # finished imports are left alone


def test_a_recent_pending_import_is_left_to_its_own_task(
    brand_a: Any, upload: Callable[[str, bytes], SimpleUploadedFile]
) -> None:
    recent = _pending(brand_a, upload, timedelta(minutes=2))
    assert report_imports_requeue_stuck() == []
    recent.refresh_from_db()
    assert recent.status == Status.PENDING


def test_a_running_import_past_the_hard_time_limit_is_taken_over(
    brand_a: Any, upload: Callable[[str, bytes], SimpleUploadedFile], settings: Any
) -> None:
    stuck = _pending(brand_a, upload, timedelta(hours=2))
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    ReportImport.objects.filter(pk=stuck.pk).update(status=Status.RUNNING, started_at=started)
    assert report_imports_requeue_stuck() == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == Status.SUCCEEDED
    assert stuck.rows_total == 1


def test_a_running_import_within_its_time_limit_is_not_touched(
    brand_a: Any, upload: Callable[[str, bytes], SimpleUploadedFile]
) -> None:
    busy = _pending(brand_a, upload, timedelta(hours=1))
    ReportImport.objects.filter(pk=busy.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert report_imports_requeue_stuck() == []
    busy.refresh_from_db()
    assert busy.status == Status.RUNNING


def test_an_unreachable_broker_keeps_the_upload_and_leaves_the_import_pending(
    brand_a: Any,
    upload: Callable[[str, bytes], SimpleUploadedFile],
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The broker is the one thing here we cannot make fail for real in a test: its client raises.
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("[Errno 111] Connection refused")

    monkeypatch.setattr(report_import_run_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        created = report_import_create(
            brand=brand_a.brand, uploaded_file=upload("sales.json", _document()), vendor_code=brand_a.vendor_code
        )
    created.refresh_from_db()
    assert (created.status, created.celery_task_id) == (Status.PENDING, "")
    assert created.file_sha256 and created.size > 0
    assert RetailSalesFact.objects.count() == 0
