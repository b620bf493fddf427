"""Co-op invoice lists, backup reports and remittance files: reading, column mapping per vendor code,
row errors, and loading through ingest's pipeline and the invoice services (no public sample exists:
these files are written here). The pipeline flow itself is in test_file_pipeline.py."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from coop import importers

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


def test_backup_columns_cost_from_either_unit_cost_or_basis() -> None:
    text = (
        "Invoice Number,PO,ASIN,Units,Unit Cost,Extended Cost,Rate,Co-op Amount\n"
        "INV-1,4Q7TZ2XK,B0AAAAAAA1,120,12.50,,8%,120.00\n"
        "INV-1,,b0aaaaaaa2,-3,,(45.00),0.08,(3.60)\n"
        "INV-1,,B0AAAAAAA3,10,,,8,8.00\n"
    )
    table = importers.read_table(text.encode(), "backup.csv")
    mapping = importers.guess_mapping(importers.BACKUP, table.headers)
    assert mapping == {
        "amazon_invoice_id": "Invoice Number",
        "asin": "ASIN",
        "quantity": "Units",
        "unit_cost": "Unit Cost",
        "basis_amount": "Extended Cost",
        "charge_amount": "Co-op Amount",
        "po_number": "PO",
        "rate_pct": "Rate",
    }
    parsed = importers.parse_rows(
        kind=importers.BACKUP, table=table, mapping=mapping, file_name="backup.csv", default_currency="USD"
    )
    assert [
        (r["asin"], r["quantity"], r["unit_cost"], r["basis_amount"], r["rate_pct"], r["charge_amount"])
        for r in parsed.records
    ] == [
        ("B0AAAAAAA1", 120, D("12.50"), D("1500.00"), D("0.08"), D("120.00")),
        ("B0AAAAAAA2", -3, D("15.0000"), D("-45.00"), D("0.08"), D("-3.60")),
    ]
    assert [str(e) for e in parsed.errors] == [
        "backup.csv, row 4, column 'Unit Cost': got ''; expected a unit cost or a basis amount (required)"
    ]


def test_backup_needs_a_column_for_unit_cost_or_basis() -> None:
    headers = ["Invoice", "ASIN", "Qty", "Charge"]
    mapping = {"amazon_invoice_id": "Invoice", "asin": "ASIN", "quantity": "Qty", "charge_amount": "Charge"}
    missing = importers.missing_columns(importers.BACKUP, mapping, headers)
    assert [importers.group_label(importers.BACKUP, spec) for spec in missing] == ["Unit cost or Basis amount"]
    assert importers.missing_columns(importers.BACKUP, {**mapping, "basis_amount": "Charge"}, headers) == []


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.5", "a whole number of units such as 120 or -3"),
        ("B0SHORT", "a 10-character ASIN such as B00EXAMPLE"),
        ("150%", "a rate such as 0.08, 8% or 8 (a number above 1 is a percentage)"),
    ],
)
def test_backup_cell_errors_say_what_was_expected(cell: str, expected: str) -> None:
    columns = {"quantity": "1", "asin": "B0AAAAAAA1", "rate_pct": "0.08"}
    field = {"1.5": "quantity", "B0SHORT": "asin", "150%": "rate_pct"}[cell]
    columns[field] = cell
    row = f"INV-1,{columns['asin']},{columns['quantity']},10.00,0.80,{columns['rate_pct']}"
    text = f"Invoice,ASIN,Qty,Basis,Charge,Rate\n{row}\n"
    table = importers.read_table(text.encode(), "b.csv")
    mapping = {
        "amazon_invoice_id": "Invoice",
        "asin": "ASIN",
        "quantity": "Qty",
        "basis_amount": "Basis",
        "charge_amount": "Charge",
        "rate_pct": "Rate",
    }
    parsed = importers.parse_rows(kind=importers.BACKUP, table=table, mapping=mapping, file_name="b.csv")
    header = {"quantity": "Qty", "asin": "ASIN", "rate_pct": "Rate"}[field]
    assert [e.as_dict() for e in parsed.errors] == [
        {"file": "b.csv", "row": 2, "column": header, "value": cell, "expected": expected}
    ]
    assert parsed.records == []
