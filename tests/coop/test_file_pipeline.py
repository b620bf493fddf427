"""Co-op files through ingest's pipeline: upload -> ReportImport with a co-op source -> Celery task
(eager here; tests/integration runs a real worker) -> the importer coop registers -> CoopFileUpload.

The January worked example of DOMAIN.md §3.2 runs through these files: 8 % MDF on 240,000.00 net
receipts = 19,200.00 expected, so an invoice of 19,200.00 reconciles OK.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from coop import importers
from coop.models import AuditRecord
from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Remittance
from coop.services.imports import column_mapping_save
from coop.services.imports import coop_upload_create
from core.exceptions import PermissionRefused
from ingest import selectors as ingest_selectors
from ingest.models import ReportImport
from ingest.services import report_import_rerun
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db
D = Decimal
S = CoopFileUpload.Status
JAN = date(2026, 1, 1)

GERMAN = "Nr;Vertrag;Datum;Betrag;Von;Bis\nINV-1;MDF-2026;10.02.2026;19.200,00;01.01.2026;31.01.2026\n"
GERMAN_COLUMNS = {
    "amazon_invoice_id": "Nr",
    "amazon_agreement_id": "Vertrag",
    "invoice_date": "Datum",
    "amount": "Betrag",
    "service_period_start": "Von",
    "service_period_end": "Bis",
}
INVOICES = "Invoice ID,Agreement ID,Invoice Date,Amount,Period Start,Period End\n"
INVOICE_COLUMNS = {
    "amazon_invoice_id": "Invoice ID",
    "amazon_agreement_id": "Agreement ID",
    "invoice_date": "Invoice Date",
    "amount": "Amount",
    "service_period_start": "Period Start",
    "service_period_end": "Period End",
}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mdf(brand_a):
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    recompute(agreement, JAN)
    return agreement


@pytest.fixture
def send(brand_a, django_capture_on_commit_callbacks):
    """Upload a co-op file as a person and let the enqueued Celery task run on commit (eager)."""

    def upload(user, kind: str, name: str, text: str, vendor_code=None) -> CoopFileUpload:
        with django_capture_on_commit_callbacks(execute=True):
            created = coop_upload_create(
                vendor_code=vendor_code or brand_a.vendor_code,
                user=user,
                kind=kind,
                file=SimpleUploadedFile(name, text.encode()),
            )
        created.refresh_from_db()
        return created

    return upload


@pytest.fixture
def map_columns(django_capture_on_commit_callbacks):
    def save(upload: CoopFileUpload, user, columns: dict[str, str], date_format: str = "ISO") -> CoopFileUpload:
        with django_capture_on_commit_callbacks(execute=True):
            column_mapping_save(upload=upload, user=user, columns=columns, date_format=date_format)
        upload.refresh_from_db()
        return upload

    return save


def _mapping(vendor_code, kind: str, columns: dict[str, str], date_format: str = "ISO") -> ColumnMapping:
    return ColumnMapping.objects.create(vendor_code=vendor_code, kind=kind, columns=columns, date_format=date_format)


def test_an_unmapped_file_needs_a_mapping_then_saving_it_reruns_the_kept_file(
    brand_a, mdf, vendor_ops, send, map_columns
) -> None:
    upload = send(vendor_ops, "INVOICES", "rechnungen.csv", GERMAN)

    first = upload.report_import
    assert upload.status == S.NEEDS_MAPPING
    assert upload.headers == ["Nr", "Vertrag", "Datum", "Betrag", "Von", "Bis"]
    assert (first.status, first.source, first.vendor_code_id) == (
        ReportImport.Status.FAILED,
        ReportImport.Source.COOP_INVOICE_FILE,
        brand_a.vendor_code.pk,
    )
    assert first.celery_task_id  # queued on commit and run by report_import_run_task
    assert first.created_by == vendor_ops
    link = f"/coop/imports/report/{first.pk}/"
    assert first.options["needs_input"] is True and first.options["action_url"] == link
    assert first.message == (
        f"The columns of ACMEU's co-op invoice lists are not mapped yet: map them once at {link}; "
        "files with the same columns then import directly. Nothing was loaded."
    )
    assert not CoopInvoice.objects.exists()

    done = map_columns(upload, vendor_ops, GERMAN_COLUMNS, "DMY")

    rerun = done.report_import
    assert done.status == S.SUCCEEDED, (done.message, done.errors)
    assert (rerun.rerun_of_id, rerun.status, rerun.created_by) == (first.pk, ReportImport.Status.SUCCEEDED, vendor_ops)
    assert (rerun.rows_total, rerun.rows_inserted, rerun.rows_updated) == (1, 1, 0)
    assert done.message == "1 invoice: 1 new, 0 refreshed, 0 unchanged."
    invoice = CoopInvoice.objects.get()
    assert (invoice.amount, invoice.expected_amount, invoice.currency, invoice.status) == (
        D("19200.00"),
        D("19200.00"),
        "USD",
        CoopInvoice.Status.OK,
    )
    assert invoice.source_import_id == rerun.pk
    assert ColumnMapping.objects.get().columns == GERMAN_COLUMNS
    # The audit trail names the person, not "system".
    assert AuditRecord.objects.filter(action="invoice.import").get().actor == vendor_ops


def test_the_same_file_twice_changes_nothing(brand_a, mdf, vendor_ops, send) -> None:
    _mapping(brand_a.vendor_code, "INVOICES", GERMAN_COLUMNS, "DMY")
    first = send(vendor_ops, "INVOICES", "rechnungen.csv", GERMAN)
    invoice = CoopInvoice.objects.get()
    audit_rows = AuditRecord.objects.count()

    again = send(vendor_ops, "INVOICES", "rechnungen-kopie.csv", GERMAN)

    assert first.status == again.status == S.SUCCEEDED
    assert again.report_import.identical_to_id == first.report_import_id
    assert again.message == f"Identical to import #{first.report_import_id}: nothing changed."
    assert (again.created_count, again.updated_count) == (0, 0)
    assert CoopInvoice.objects.count() == 1
    assert CoopInvoice.objects.get().updated_at == invoice.updated_at
    assert AuditRecord.objects.count() == audit_rows


def test_another_file_with_the_same_invoice_counts_it_unchanged(brand_a, mdf, vendor_ops, send) -> None:
    _mapping(brand_a.vendor_code, "INVOICES", INVOICE_COLUMNS)
    send(vendor_ops, "INVOICES", "a.csv", INVOICES + "INV-1,MDF-2026,2026-02-10,19200.00,2026-01-01,2026-01-31\n")

    later = send(
        vendor_ops,
        "INVOICES",
        "b.csv",
        INVOICES
        + "INV-1,MDF-2026,2026-02-10,19200.00,2026-01-01,2026-01-31\n"
        + "INV-2,MDF-2026,2026-03-10,150.00,2026-02-01,2026-02-28\n",
    )

    imp = later.report_import
    assert (imp.rows_total, imp.rows_inserted, imp.rows_updated, imp.rows_unchanged) == (2, 1, 0, 1)
    assert imp.identical_to_id is None
    assert CoopInvoice.objects.count() == 2


def test_a_bad_cell_imports_nothing_and_names_file_row_column_value_expected(
    brand_a, mdf, vendor_ops, send, client_for
) -> None:
    _mapping(brand_a.vendor_code, "INVOICES", INVOICE_COLUMNS)
    text = (
        INVOICES
        + "INV-1,MDF-2026,2026-02-10,19200.00,2026-01-01,2026-01-31\n"
        + "INV-2,MDF-2026,tomorrow,12.3.4,2026-02-01,2026-02-28\n"
    )
    failed = send(vendor_ops, "INVOICES", "a.csv", text)

    assert failed.status == S.FAILED
    expected = [
        {"file": "a.csv", "row": 3, "column": "Invoice Date", "value": "tomorrow", "expected": "a date as YYYY-MM-DD"},
        {
            "file": "a.csv",
            "row": 3,
            "column": "Amount",
            "value": "12.3.4",
            "expected": "an amount such as 1234.56, 1,234.56 or (1,234.56)",
        },
    ]
    assert failed.errors == expected
    assert failed.report_import.errors == expected
    assert failed.message.startswith("2 problems in the file; nothing was imported. a.csv, row 3")
    assert not CoopInvoice.objects.exists()  # INV-1 was fine, but nothing of a file with errors is kept
    csv_text = ingest_selectors.report_import_errors_csv(failed.report_import)
    assert "a.csv,3,Invoice Date,tomorrow,a date as YYYY-MM-DD" in csv_text
    page = client_for(vendor_ops).get(reverse("coop-import-detail", args=[failed.pk])).content.decode()
    assert 'id="upload-errors"' in page and "<code>tomorrow</code>" in page


def test_remittance_rows_of_one_payment_that_disagree_keep_nothing(brand_a, vendor_ops, send) -> None:
    columns = {
        "remittance_id": "Payment",
        "payment_date": "Date",
        "reference_id": "Ref",
        "amount": "Amount",
    }
    _mapping(brand_a.vendor_code, "REMITTANCES", columns)
    text = (
        "Payment,Date,Ref,Amount\n"
        "PAY-1,2026-03-15,INV-1,-100.00\n"
        "PAY-2,2026-03-16,INV-2,-200.00\n"
        "PAY-2,2026-03-17,INV-3,-300.00\n"
    )
    failed = send(vendor_ops, "REMITTANCES", "r.csv", text)

    assert failed.status == S.FAILED
    assert failed.message == (
        "Nothing was loaded: r.csv: payment PAY-2 has rows with different dates or currencies (rows 3, 4); "
        "expected one date and currency per payment"
    )
    assert not Remittance.objects.exists()  # PAY-1 was recorded first, and rolled back with the rest


def test_remittance_file_records_deductions_and_skips_payments(brand_a, vendor_ops, send, map_columns) -> None:
    text = (
        "Payment Number,Payment Date,Invoice Number,Invoice Date,Transaction Description,Amount Paid,Currency\n"
        "PAY-1,2026-03-15,PO-INV-77,2026-02-01,Invoice payment,50000.00,USD\n"
        "PAY-1,2026-03-15,INV-1,2026-02-10,Co-op deduction,-19200.00,USD\n"
        "PAY-1,2026-03-15,SC-5,2026-02-01,Shortage claim,-312.40,USD\n"
    )
    upload = send(vendor_ops, "REMITTANCES", "r.csv", text)
    columns = importers.guess_mapping("REMITTANCES", upload.headers)
    assert columns["reference_type"] == "Transaction Description"

    done = map_columns(upload, vendor_ops, columns)

    assert done.status == S.SUCCEEDED, done.errors
    assert done.skipped_count == 1
    assert done.message == "1 payment: 1 new, 0 refreshed, 1 payment row skipped."
    remittance = Remittance.objects.get()
    assert remittance.paid_amount == D("30487.60")
    assert remittance.source_import_id == done.report_import_id
    assert sorted(Deduction.objects.values_list("reference_type", "reference_id", "amount")) == [
        ("COOP", "INV-1", D("19200.00")),
        ("SHORTAGE", "SC-5", D("312.40")),
    ]


def test_roles_co_op_roles_not_import_roles(brand_a, mdf, finance_approver, viewer, send) -> None:
    _mapping(brand_a.vendor_code, "INVOICES", GERMAN_COLUMNS, "DMY")
    # A finance approver records co-op invoices (though not Amazon reports): the upload goes through.
    done = send(finance_approver, "INVOICES", "r.csv", GERMAN)
    assert done.status == S.SUCCEEDED
    assert done.report_import.created_by == finance_approver
    with pytest.raises(PermissionRefused):
        coop_upload_create(
            vendor_code=brand_a.vendor_code,
            user=viewer,
            kind="INVOICES",
            file=SimpleUploadedFile("a.csv", b"a,b\n1,2\n"),
        )
    assert ReportImport.objects.count() == 1


def _cli(*args: str) -> tuple[int, list[dict]]:
    out = StringIO()
    code = 0
    try:
        call_command("import_report", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_cli_imports_co_op_files_with_the_saved_mapping(brand_a, mdf, vendor_ops, tmp_path, map_columns) -> None:
    path = tmp_path / "rechnungen.csv"
    path.write_text(GERMAN)
    args = (str(path), "--vendor-code", "ACMEU", "--coop-kind", "INVOICES", "--sync", "--json")

    code, [outcome] = _cli(*args)

    assert code == 1
    assert outcome["status"] == "FAILED" and outcome["needs_input"] is True
    assert outcome["action_url"] == f"/coop/imports/report/{outcome['import_id']}/"
    upload = CoopFileUpload.objects.get()  # made for the mapping screen when the import finished
    assert (upload.status, upload.report_import_id, upload.created_by) == (S.NEEDS_MAPPING, outcome["import_id"], None)

    map_columns(upload, vendor_ops, GERMAN_COLUMNS, "DMY")
    assert CoopInvoice.objects.get().amount == D("19200.00")

    code, [again] = _cli(*args)
    assert code == 0
    assert again["status"] == "SUCCEEDED" and again["identical_to"] == upload.report_import_id
    assert CoopInvoice.objects.count() == 1


def test_cli_co_op_kind_needs_a_vendor_code(brand_a, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(GERMAN)
    with pytest.raises(CommandError, match="--coop-kind needs --vendor-code"):
        call_command("import_report", str(path), "--brand", brand_a.brand.name, "--coop-kind", "BACKUP", "--sync")


def test_upload_page_polls_until_the_import_finished(brand_a, vendor_ops, client_for) -> None:
    client = client_for(vendor_ops)
    # Without running the on-commit callbacks the task is never enqueued: the file stays queued.
    response = client.post(
        reverse("coop-import-list"),
        {"vendor_code": brand_a.vendor_code.pk, "kind": "BACKUP", "file": SimpleUploadedFile("b.csv", b"a,b\n1,2\n")},
    )
    upload = CoopFileUpload.objects.get()
    assert response["Location"] == reverse("coop-import-detail", args=[upload.pk])
    assert upload.status == S.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/coop/imports/{upload.pk}/status/?detail=1"' in page and "Queued" in page
    status = client.get(reverse("coop-import-status", args=[upload.pk]), {"detail": "1"})
    assert "HX-Refresh" not in status and 'hx-trigger="every 1s"' in status.content.decode()

    from ingest.services import report_import_run

    report_import_run(upload.report_import_id)  # what the worker does

    status = client.get(reverse("coop-import-status", args=[upload.pk]), {"detail": "1"})
    assert status["HX-Refresh"] == "true"
    assert CoopFileUpload.objects.get().status == S.NEEDS_MAPPING
    page = client.get(reverse("coop-import-detail", args=[upload.pk])).content.decode()
    assert 'id="mapping-form"' in page and "(unit cost or basis amount)" in page


def test_mapping_screen_refuses_an_incomplete_mapping(brand_a, vendor_ops, client_for, send) -> None:
    upload = send(vendor_ops, "INVOICES", "x.csv", INVOICES + "INV-1,MDF-2026,2026-02-10,1.00,,\n")
    client = client_for(vendor_ops)
    saved = client.post(
        reverse("coop-import-mapping", args=[upload.pk]),
        {
            "col_amazon_invoice_id": "Invoice ID",
            "col_invoice_date": "Invoice Date",
            "col_amount": "",
            "date_format": "ISO",
        },
        follow=True,
    )
    assert "Choose a column for: Amount." in saved.content.decode()
    assert CoopFileUpload.objects.get().status == S.NEEDS_MAPPING
    assert ReportImport.objects.count() == 1  # nothing re-run


def test_a_rerun_from_the_imports_page_updates_the_co_op_upload(
    brand_a, mdf, vendor_ops, brand_manager, finance, send, client_for, api_for, django_capture_on_commit_callbacks
) -> None:
    upload = send(vendor_ops, "INVOICES", "rechnungen.csv", GERMAN)
    assert upload.status == S.NEEDS_MAPPING
    _mapping(brand_a.vendor_code, "INVOICES", GERMAN_COLUMNS, "DMY")  # e.g. saved for another file meanwhile
    first = upload.report_import
    detail = reverse("import-detail", args=[first.pk])

    # A brand manager re-runs Amazon reports, but co-op files are recorded by co-op's roles (coop registers
    # them with ingest): no Re-run button, and the service refuses before anything is queued.
    assert 'id="rerun-button"' not in client_for(brand_manager).get(detail).content.decode()
    with pytest.raises(PermissionRefused, match="to re-run co-op invoice file imports: finance, finance_approver"):
        report_import_rerun(report_import=first, user=brand_manager)
    page = client_for(brand_manager).post(reverse("import-rerun", args=[first.pk]), follow=True).content.decode()
    assert "You need one of these roles to re-run co-op invoice file imports" in page
    assert api_for(brand_manager).post(reverse("api-import-rerun", args=[first.pk])).status_code == 403
    assert ReportImport.objects.count() == 1
    assert CoopFileUpload.objects.get().status == S.NEEDS_MAPPING

    assert 'id="rerun-button"' in client_for(finance).get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post(reverse("import-rerun", args=[first.pk]))

    upload.refresh_from_db()
    assert upload.status == S.SUCCEEDED
    assert (upload.report_import.rerun_of_id, upload.report_import.created_by) == (first.pk, finance)
    assert CoopInvoice.objects.get().created_by == finance


def test_another_brands_upload_and_import_are_404(brand_a, brand_b, vendor_ops, outsider, send, client_for) -> None:
    upload = send(vendor_ops, "INVOICES", "x.csv", GERMAN)
    client = client_for(outsider)
    assert client.get(reverse("coop-import-detail", args=[upload.pk])).status_code == 404
    assert client.get(reverse("coop-import-status", args=[upload.pk])).status_code == 404
    assert client.get(reverse("coop-import-for-report", args=[upload.report_import_id])).status_code == 404
    assert client.get(reverse("import-detail", args=[upload.report_import_id])).status_code == 404
    response = client.post(reverse("coop-import-mapping", args=[upload.pk]), {"col_amount": "Betrag"})
    assert response.status_code == 404
    assert "x.csv" not in client.get(reverse("coop-import-list")).content.decode()
    # The owner's link from the import's message leads to the mapping screen.
    own = client_for(vendor_ops).get(reverse("coop-import-for-report", args=[upload.report_import_id]))
    assert own["Location"] == reverse("coop-import-detail", args=[upload.pk])
