"""Co-op invoice list and remittance files: reading, column mapping per vendor code, row errors,
and loading through the invoice services (no public sample exists: these files are written here)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from coop import importers
from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Remittance
from coop.services.imports import column_mapping_save
from coop.services.imports import coop_upload_create
from core.exceptions import PermissionRefused
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

D = Decimal

INVOICE_CSV = (
    "Co-op invoices report,,,,,\n"  # a banner line above the header, as Vendor Central exports have
    "Invoice Number,Agreement ID,Agreement Title,Invoice Date,Original Balance,Currency\n"
    'INV-1,MDF-2026,Base accrual,02/10/2026,"19,200.00",USD\n'
    'INV-2,MDF-2026,Base accrual,03/10/2026,"(150.00)",USD\n'
)


def _table(text: str) -> importers.Table:
    return importers.read_table(text.encode(), "invoices.csv")


def test_read_table_skips_banners_and_guesses_columns() -> None:
    table = _table(INVOICE_CSV)
    assert table.headers[:3] == ["Invoice Number", "Agreement ID", "Agreement Title"]
    assert table.first_row_number == 3
    guess = importers.guess_mapping(importers.INVOICES, table.headers)
    assert guess == {
        "amazon_invoice_id": "Invoice Number",
        "invoice_date": "Invoice Date",
        "amount": "Original Balance",
        "currency": "Currency",
        "amazon_agreement_id": "Agreement ID",
        "agreement_title": "Agreement Title",
    }


def test_parse_rows_types_and_row_errors() -> None:
    table = _table(INVOICE_CSV + "INV-3,MDF-2026,x,31/02/2026,12.3.4,US\n")
    mapping = importers.guess_mapping(importers.INVOICES, table.headers)
    parsed = importers.parse_rows(
        kind=importers.INVOICES, table=table, mapping=mapping, file_name="invoices.csv", date_format="MDY"
    )
    assert [(r["amazon_invoice_id"], r["invoice_date"], r["amount"]) for r in parsed.records] == [
        ("INV-1", date(2026, 2, 10), D("19200.00")),
        ("INV-2", date(2026, 3, 10), D("-150.00")),
    ]
    assert [str(e) for e in parsed.errors] == [
        "invoices.csv, row 5, column 'Invoice Date': got '31/02/2026'; expected a date as MM/DD/YYYY (or YYYY-MM-DD)",
        "invoices.csv, row 5, column 'Original Balance': got '12.3.4'; expected an amount such as 1234.56, "
        "1,234.56 or (1,234.56)",
        "invoices.csv, row 5, column 'Currency': got 'US'; expected a three-letter currency code such as USD",
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("$1,234", "1234"), ("12,5", "12.5"), ("-7", "-7")],
)
def test_amount_formats(text: str, amount: str) -> None:
    assert importers._money(text) == D(amount)


def test_xlsx_is_read_like_csv() -> None:
    workbook = Workbook()
    sheet = workbook.create_sheet("Invoices", 0)
    sheet.append(["Invoice ID", "Invoice Date", "Amount"])
    sheet.append(["INV-9", date(2026, 1, 31), 125.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = importers.read_table(buffer.getvalue(), "list.xlsx")
    parsed = importers.parse_rows(
        kind=importers.INVOICES,
        table=table,
        mapping=importers.guess_mapping(importers.INVOICES, table.headers),
        file_name="list.xlsx",
        default_currency="USD",
    )
    assert parsed.errors == []
    assert parsed.records[0] | {"row": 0} == {
        "amazon_invoice_id": "INV-9",
        "invoice_date": date(2026, 1, 31),
        "amount": D("125.5"),
        "currency": "USD",
        "row": 0,
    }


@pytest.mark.django_db
def test_unmapped_file_asks_for_a_mapping_then_imports(brand_a, vendor_ops) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    text = "Nr;Vertrag;Datum;Betrag;Von;Bis\nINV-1;MDF-2026;10.02.2026;19.200,00;01.01.2026;31.01.2026\n"
    upload = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="INVOICES",
        file=SimpleUploadedFile("rechnungen.csv", text.encode()),
    )
    assert upload.status == CoopFileUpload.Status.NEEDS_MAPPING
    assert upload.headers == ["Nr", "Vertrag", "Datum", "Betrag", "Von", "Bis"]
    assert not CoopInvoice.objects.exists()

    columns = {
        "amazon_invoice_id": "Nr",
        "amazon_agreement_id": "Vertrag",
        "invoice_date": "Datum",
        "amount": "Betrag",
        "service_period_start": "Von",
        "service_period_end": "Bis",
    }
    done = column_mapping_save(upload=upload, user=vendor_ops, columns=columns, date_format="DMY")
    assert done.status == CoopFileUpload.Status.SUCCEEDED, done.errors
    assert (done.created_count, done.updated_count) == (1, 0)
    invoice = CoopInvoice.objects.get()
    assert (invoice.amount, invoice.currency, invoice.status) == (D("19200.00"), "USD", CoopInvoice.Status.OK)
    assert ColumnMapping.objects.get().columns == columns

    # The next file with the same columns imports straight away, and refreshes rather than duplicates.
    again = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="INVOICES",
        file=SimpleUploadedFile("rechnungen-2.csv", text.encode()),
    )
    assert again.status == CoopFileUpload.Status.SUCCEEDED
    assert (again.created_count, again.updated_count) == (0, 1)
    assert CoopInvoice.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_cell_imports_nothing(brand_a, vendor_ops) -> None:
    text = "Invoice ID,Invoice Date,Amount\nINV-1,2026-02-10,100.00\nINV-2,tomorrow,5\n"
    upload = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="INVOICES",
        file=SimpleUploadedFile("a.csv", text.encode()),
    )
    assert upload.status == CoopFileUpload.Status.NEEDS_MAPPING  # no saved mapping yet, even if guessable
    columns = importers.guess_mapping("INVOICES", upload.headers)
    failed = column_mapping_save(upload=upload, user=vendor_ops, columns=columns, date_format="ISO")
    assert failed.status == CoopFileUpload.Status.FAILED
    assert failed.errors == [
        {"file": "a.csv", "row": 3, "column": "Invoice Date", "value": "tomorrow", "expected": "a date as YYYY-MM-DD"}
    ]
    assert not CoopInvoice.objects.exists()


@pytest.mark.django_db
def test_remittance_file_records_deductions_and_skips_payments(brand_a, vendor_ops) -> None:
    text = (
        "Payment Number,Payment Date,Invoice Number,Invoice Date,Transaction Description,Amount Paid,Currency\n"
        "PAY-1,2026-03-15,PO-INV-77,2026-02-01,Invoice payment,50000.00,USD\n"
        "PAY-1,2026-03-15,INV-1,2026-02-10,Co-op deduction,-19200.00,USD\n"
        "PAY-1,2026-03-15,SC-5,2026-02-01,Shortage claim,-312.40,USD\n"
    )
    upload = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="REMITTANCES",
        file=SimpleUploadedFile("r.csv", text.encode()),
    )
    columns = importers.guess_mapping("REMITTANCES", upload.headers)
    assert columns["reference_type"] == "Transaction Description"
    done = column_mapping_save(upload=upload, user=vendor_ops, columns=columns, date_format="ISO")
    assert done.status == CoopFileUpload.Status.SUCCEEDED, done.errors
    assert done.skipped_count == 1
    remittance = Remittance.objects.get()
    assert remittance.paid_amount == D("30487.60")
    assert sorted(Deduction.objects.values_list("reference_type", "reference_id", "amount")) == [
        ("COOP", "INV-1", D("19200.00")),
        ("SHORTAGE", "SC-5", D("312.40")),
    ]
    assert Deduction.objects.get(reference_type="SHORTAGE").invoice_date == date(2026, 2, 1)


@pytest.mark.django_db
def test_mapping_screen_and_roles(client_for, brand_a, vendor_ops, viewer) -> None:
    with pytest.raises(PermissionRefused):
        coop_upload_create(
            vendor_code=brand_a.vendor_code,
            user=viewer,
            kind="INVOICES",
            file=SimpleUploadedFile("a.csv", b"a,b\n1,2\n"),
        )
    client = client_for(vendor_ops)
    response = client.post(
        reverse("coop-import-list"),
        {
            "vendor_code": brand_a.vendor_code.pk,
            "kind": "INVOICES",
            "file": SimpleUploadedFile("x.csv", INVOICE_CSV.encode()),
        },
    )
    upload = CoopFileUpload.objects.get()
    assert response["Location"] == reverse("coop-import-detail", args=[upload.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="mapping-form"' in page and '<option value="Invoice Number" selected>' in page
    saved = client.post(
        reverse("coop-import-mapping", args=[upload.pk]),
        {
            "col_amazon_invoice_id": "Invoice Number",
            "col_invoice_date": "Invoice Date",
            "col_amount": "",
            "date_format": "MDY",
        },
        follow=True,
    )
    assert "Choose a column for: Amount." in saved.content.decode()
    assert CoopFileUpload.objects.get().status == CoopFileUpload.Status.NEEDS_MAPPING
