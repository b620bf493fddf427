"""A real Celery worker on Redis runs a co-op invoice list through ingest's pipeline: the upload is
queued on commit, the worker runs the importer coop registered, and the co-op upload follows the import.
Runs only when REDIS_URL is set and the database is PostgreSQL (see test_celery_import.py)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models import CoopInvoice
from coop.services.imports import coop_upload_create
from ingest.models import ReportImport
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute
from tests.integration.test_celery_import import _wait_finished
from tests.integration.test_celery_import import media_root  # noqa: F401 - fixture used by worker
from tests.integration.test_celery_import import worker  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)"),
]


def test_a_co_op_invoice_list_is_imported_by_a_real_worker(worker, brand_a, vendor_ops, tmp_path) -> None:  # noqa: F811
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    # DOMAIN.md's January example: 8 % of 240,000.00 net receipts = 19,200.00 expected.
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    ColumnMapping.objects.create(
        vendor_code=brand_a.vendor_code,
        kind="INVOICES",
        columns={
            "amazon_invoice_id": "Invoice",
            "amazon_agreement_id": "Agreement",
            "invoice_date": "Date",
            "amount": "Amount",
            "service_period_start": "From",
            "service_period_end": "To",
        },
    )
    text = "Invoice,Agreement,Date,Amount,From,To\nINV-1,MDF-2026,2026-02-10,19200.00,2026-01-01,2026-01-31\n"

    upload = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="INVOICES",
        file=SimpleUploadedFile("coop-invoices.csv", text.encode()),
    )

    report_import = _wait_finished(upload.report_import_id)
    assert report_import.status == ReportImport.Status.SUCCEEDED, (
        report_import.message,
        (tmp_path / "worker.log").read_text(),
    )
    assert report_import.celery_task_id
    assert report_import.source == ReportImport.Source.COOP_INVOICE_FILE
    upload = CoopFileUpload.objects.get(pk=upload.pk)
    assert (upload.status, upload.created_count) == (CoopFileUpload.Status.SUCCEEDED, 1)
    invoice = CoopInvoice.objects.get()
    assert (invoice.amount, invoice.expected_amount, invoice.status) == (
        Decimal("19200.00"),
        Decimal("19200.00"),
        CoopInvoice.Status.OK,
    )
