"""A real Celery worker on Redis processes an upload to SUCCEEDED (ARCHITECTURE.md "Runtime": CI runs
PostgreSQL and Redis). Runs only when REDIS_URL is set and the database is PostgreSQL, since the worker
is another process and must see the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config.celery import app as celery_app
from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import sales_report

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    # The worker is another process: rows must really be committed. serialized_rollback restores the
    # marketplaces the migrations loaded, which the flush after a transactional test would remove.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)"),
]


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(media_root: Path, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery -A config worker --pool=solo -Q celery` against this test run's database and media root."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share (PostgreSQL)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "COOPDESK_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "COOPDESK_TEST_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(BASE_DIR),
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", "celery", "-l", "info"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process only enqueues; the worker runs the task
    try:
        _wait_until_ready(tmp_path / "worker.log", process)
        yield process
    finally:
        celery_app.conf.task_always_eager = was_eager
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_ready(log_path: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{log_path.read_text(errors='replace')}")
        if b"ready." in log_path.read_bytes():
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker did not start:\n{log_path.read_text(errors='replace')}")


def _wait_finished(import_id: int, timeout: float = 60) -> ReportImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report_import = ReportImport.objects.get(pk=import_id)
        if report_import.is_finished:
            return report_import
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} still {ReportImport.objects.get(pk=import_id).status}")


def test_upload_is_processed_by_a_real_worker(worker, brand_a, brand_manager, api_for, tmp_path) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    start, end = date(2024, 3, 3), date(2024, 3, 9)
    rows = [SalesRow(start, end, ""), *(SalesRow(start, end, f"B0CCCCC{i:03d}") for i in range(50))]
    content = encode(sales_report(rows, start=start, end=end))

    response = api_for(brand_manager).post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("sales.json", content), "vendor_code": "ACMEU"},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "PENDING"  # queued on commit, not run in this process
    report_import = _wait_finished(response.json()["id"])
    assert report_import.status == ReportImport.Status.SUCCEEDED, (
        report_import.message,
        (tmp_path / "worker.log").read_text(),
    )
    assert report_import.celery_task_id
    assert (report_import.rows_total, report_import.rows_inserted) == (51, 51)
    assert RetailSalesFact.objects.filter(brand=brand_a.brand).count() == 51
    assert RetailSalesFact.objects.get(asin="B0CCCCC007").shipped_cogs == Decimal("60.0000")
