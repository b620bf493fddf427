"""Reading co-op invoice lists, backup reports and remittance files (CSV or XLSX) with a column mapping
per vendor code.

No public sample of these Vendor Central exports exists, so nothing is hard-coded: each vendor code
saves which column holds which field (ColumnMapping); common header names are only *guessed* to
pre-fill the mapping screen. This module is pure: bytes and a mapping in, records and row errors out
(ingest.parsers.base.RowError: file, row, column, value, expected). No database access.

Expected columns (the mapping screen lists the same):
- invoice list: invoice id*, invoice date*, amount*, currency, agreement id, agreement title,
  service period start, service period end, original balance;
- backup report (the lines behind each invoice): invoice id*, ASIN*, quantity*, unit cost or basis
  amount* (one of the two; the other is derived: basis = quantity x unit cost), charge amount*,
  PO number, rate (0.08, 8 % or 8: a number above 1 is a percentage), currency, period start, period end;
- remittance: payment (remittance) id*, payment date*, reference id* (invoice / chargeback number),
  amount*, type (co-op, shortage, price claim, price protection, chargeback), currency, invoice date.
  Rows whose type says it is a plain payment of a PO invoice are not deductions: they come back with
  reference_type '' and only count towards the payment's net amount.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from ingest.parsers.base import RowError
from ingest.parsers.base import open_maybe_gzip

INVOICES = "INVOICES"
BACKUP = "BACKUP"
REMITTANCES = "REMITTANCES"
DATE_FORMATS = {
    "ISO": ("%Y-%m-%d", "%Y/%m/%d"),
    "MDY": ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"),
    "DMY": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y"),
}
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    required: bool
    kind: str  # text | date | money | currency | reference_type | integer | rate | asin
    aliases: tuple[str, ...] = ()
    # Fields of the same group are alternatives: one of them must be mapped and filled in each row.
    one_of: str = ""

    @property
    def needed(self) -> bool:
        """Required on its own or as one of a group (the mapping screen marks both)."""
        return self.required or bool(self.one_of)


FIELDS: dict[str, list[FieldSpec]] = {
    INVOICES: [
        FieldSpec(
            "amazon_invoice_id", "Invoice id", True, "text", ("invoice id", "invoice number", "invoice #", "invoice")
        ),
        FieldSpec("invoice_date", "Invoice date", True, "date", ("invoice date", "date")),
        FieldSpec(
            "amount",
            "Amount",
            True,
            "money",
            ("amount", "invoice amount", "amount due", "balance", "total", "original balance"),
        ),
        FieldSpec("currency", "Currency", False, "currency", ("currency", "currency code")),
        FieldSpec(
            "amazon_agreement_id", "Agreement id", False, "text", ("agreement id", "agreement number", "agreement")
        ),
        FieldSpec("agreement_title", "Agreement title", False, "text", ("agreement title", "agreement name", "title")),
        FieldSpec(
            "service_period_start",
            "Service period start",
            False,
            "date",
            ("service period start", "period start", "start date", "from"),
        ),
        FieldSpec(
            "service_period_end",
            "Service period end",
            False,
            "date",
            ("service period end", "period end", "end date", "to"),
        ),
        FieldSpec("original_balance", "Original balance", False, "money", ("original balance", "original amount")),
    ],
    BACKUP: [
        FieldSpec(
            "amazon_invoice_id", "Invoice id", True, "text", ("invoice id", "invoice number", "invoice #", "invoice")
        ),
        FieldSpec("asin", "ASIN", True, "asin", ("asin",)),
        FieldSpec(
            "quantity", "Quantity", True, "integer", ("quantity", "units", "qty", "received units", "unit count")
        ),
        FieldSpec(
            "unit_cost",
            "Unit cost",
            False,
            "money",
            ("unit cost", "cost", "cost price", "net cost", "item cost"),
            one_of="cost",
        ),
        FieldSpec(
            "basis_amount",
            "Basis amount",
            False,
            "money",
            ("basis amount", "basis", "extended cost", "total cost", "receipt amount", "net receipts"),
            one_of="cost",
        ),
        FieldSpec(
            "charge_amount",
            "Charge amount",
            True,
            "money",
            ("charge amount", "co-op amount", "coop amount", "accrual amount", "charge", "amount"),
        ),
        FieldSpec("po_number", "PO number", False, "text", ("po number", "po", "purchase order", "po #")),
        FieldSpec("rate_pct", "Rate", False, "rate", ("rate", "accrual rate", "co-op rate", "percentage")),
        FieldSpec("currency", "Currency", False, "currency", ("currency", "currency code")),
        FieldSpec(
            "period_start", "Period start", False, "date", ("period start", "start date", "from", "receive date")
        ),
        FieldSpec("period_end", "Period end", False, "date", ("period end", "end date", "to")),
    ],
    REMITTANCES: [
        FieldSpec(
            "remittance_id",
            "Payment id",
            True,
            "text",
            ("payment number", "payment id", "remittance id", "remittance number"),
        ),
        FieldSpec("payment_date", "Payment date", True, "date", ("payment date", "remittance date", "paid date")),
        FieldSpec(
            "reference_id", "Reference id", True, "text", ("invoice number", "invoice id", "reference", "reference id")
        ),
        FieldSpec("amount", "Amount", True, "money", ("amount paid", "amount", "deduction amount")),
        FieldSpec(
            "reference_type",
            "Type",
            False,
            "reference_type",
            ("transaction description", "description", "type", "deduction type"),
        ),
        FieldSpec("currency", "Currency", False, "currency", ("currency", "currency code")),
        FieldSpec("invoice_date", "Invoice date", False, "date", ("invoice date",)),
    ],
}

# Remittance descriptions -> deduction reference types. Order matters: "price protection" before "price".
_TYPE_WORDS = [
    ("protection", "PRICE_PROTECTION"),
    ("shortage", "SHORTAGE"),
    ("chargeback", "CHARGEBACK"),
    ("charge back", "CHARGEBACK"),
    ("price", "PRICE_CLAIM"),
    ("co-op", "COOP"),
    ("coop", "COOP"),
    ("co op", "COOP"),
    ("mdf", "COOP"),
    ("allowance", "COOP"),
]
_PAYMENT_WORDS = ("payment", "purchase order", "po invoice", "invoice payment")


def field_specs(kind: str) -> list[FieldSpec]:
    return FIELDS[kind]


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9#]+", " ", header.lower()).strip()


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # cell values, one list per data row
    first_row_number: int  # 1-based line/row number of rows[0] in the file


def read_table(raw: bytes, file_name: str) -> Table:
    """The header row and data rows of a CSV (any common delimiter, UTF-8 or Latin-1) or the first sheet
    of an XLSX. Banner lines above the header are skipped: the header is the first row with at least two
    filled cells. Raises ValueError with a message naming the file when it cannot be read."""
    stream = open_maybe_gzip(io.BytesIO(raw))
    content = stream.read()
    grid = _xlsx_rows(content, file_name) if content.startswith(XLSX_MAGIC) else _csv_rows(content, file_name)
    for index, row in enumerate(grid):
        if sum(1 for cell in row if str(cell or "").strip()) >= 2:
            headers = [str(cell or "").strip() for cell in row]
            data = list(grid[index + 1 :])
            return Table(headers=headers, rows=data, first_row_number=index + 2)
    raise ValueError(f"{file_name}: no header row found (expected a row of column names, then one row per line)")


def _csv_rows(content: bytes, file_name: str) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(content: bytes, file_name: str) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged archive
        raise ValueError(f"{file_name}: not a readable XLSX workbook ({exc})") from exc
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def guess_mapping(kind: str, headers: Iterable[str]) -> dict[str, str]:
    """Pre-fill the mapping from common header names (exact match after normalising, aliases in order)."""
    by_norm = {_norm(h): h for h in headers if h}
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS[kind]:
        for alias in (spec.name.replace("_", " "), *spec.aliases):
            header = by_norm.get(_norm(alias))
            if header and header not in used:
                guessed[spec.name] = header
                used.add(header)
                break
    return guessed


def missing_columns(kind: str, mapping: dict[str, str], headers: Iterable[str]) -> list[FieldSpec]:
    """Required fields the mapping does not place on a column of this file; for a group of alternatives
    with none placed, its first field stands for the group."""
    present = set(headers)
    missing = [spec for spec in FIELDS[kind] if spec.required and mapping.get(spec.name) not in present]
    groups: dict[str, list[FieldSpec]] = {}
    for spec in FIELDS[kind]:
        if spec.one_of:
            groups.setdefault(spec.one_of, []).append(spec)
    for members in groups.values():
        if not any(mapping.get(spec.name) in present for spec in members):
            missing.append(members[0])
    return missing


def group_label(kind: str, spec: FieldSpec) -> str:
    """'Unit cost or Basis amount' for a field of a group, its own label otherwise."""
    if not spec.one_of:
        return spec.label
    return " or ".join(s.label for s in FIELDS[kind] if s.one_of == spec.one_of)


@dataclass
class ParsedFile:
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0  # remittance rows that are payments (reference_type ''), not deductions


def _money(value: Any) -> Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    text = re.sub(r"[()$€£¥]|[A-Z]{3}", "", text)
    if "," in text and "." in text:
        # 1,234.56 (US) or 1.234,56 (EU): the last separator is the decimal one.
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) in (1, 2) else text.replace(",", "")
    amount = Decimal(text)
    return -amount if negative else amount


def _date(value: Any, date_format: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS["ISO"] + DATE_FORMATS.get(date_format, ()):
        try:
            return datetime.strptime(text[:10] if pattern.startswith("%Y") else text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(text)


def _integer(value: Any) -> int:
    number = _money(value)
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _rate(value: Any) -> Decimal:
    """A rate as a fraction: '8%', '8 %' and 8 (above 1) are percentages, 0.08 is already a fraction."""
    text = str(value).strip()
    percent = text.endswith("%")
    number = _money(text.rstrip("%").strip())
    if percent or number > 1:
        number = number / 100
    if number < 0 or number > 1:
        raise ValueError(value)
    return number


def _asin(value: Any) -> str:
    text = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{10}", text):
        raise ValueError(value)
    return text


def _reference_type(value: Any) -> str | None:
    """The deduction type a description names, '' for a plain payment row, None when unknown."""
    text = str(value or "").strip().lower()
    for word, reference_type in _TYPE_WORDS:
        if word in text:
            return reference_type
    if any(word in text for word in _PAYMENT_WORDS):
        return ""
    return None


_EXPECTED = {
    "text": "a value",
    "money": "an amount such as 1234.56, 1,234.56 or (1,234.56)",
    "currency": "a three-letter currency code such as USD",
    "reference_type": "co-op, shortage, price claim, price protection, chargeback, or a payment",
    "integer": "a whole number of units such as 120 or -3",
    "rate": "a rate such as 0.08, 8% or 8 (a number above 1 is a percentage)",
    "asin": "a 10-character ASIN such as B00EXAMPLE",
}


def parse_rows(
    *,
    kind: str,
    table: Table,
    mapping: dict[str, str],
    file_name: str,
    date_format: str = "ISO",
    default_currency: str = "",
) -> ParsedFile:
    """Turn the mapped columns into typed records; every bad cell is a RowError and its row is left out."""
    result = ParsedFile()
    index = {header: position for position, header in enumerate(table.headers)}
    date_expected = {
        "ISO": "a date as YYYY-MM-DD",
        "MDY": "a date as MM/DD/YYYY (or YYYY-MM-DD)",
        "DMY": "a date as DD/MM/YYYY or DD.MM.YYYY (or YYYY-MM-DD)",
    }[date_format]
    for offset, row in enumerate(table.rows):
        if not any(str(cell or "").strip() for cell in row):
            continue
        row_number = table.first_row_number + offset
        record: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for spec in FIELDS[kind]:
            header = mapping.get(spec.name)
            raw = row[index[header]] if header in index and index[header] < len(row) else None
            empty = raw is None or str(raw).strip() == ""
            if empty:
                if spec.required:
                    expected = date_expected if spec.kind == "date" else _EXPECTED[spec.kind]
                    row_errors.append(RowError(file_name, row_number, header, "", f"{expected} (required)"))
                continue
            try:
                if spec.kind == "date":
                    record[spec.name] = _date(raw, date_format)
                elif spec.kind == "money":
                    record[spec.name] = _money(raw)
                elif spec.kind == "currency":
                    code = str(raw).strip().upper()
                    if not re.fullmatch(r"[A-Z]{3}", code):
                        raise ValueError(code)
                    record[spec.name] = code
                elif spec.kind == "integer":
                    record[spec.name] = _integer(raw)
                elif spec.kind == "rate":
                    record[spec.name] = _rate(raw)
                elif spec.kind == "asin":
                    record[spec.name] = _asin(raw)
                elif spec.kind == "reference_type":
                    reference_type = _reference_type(raw)
                    if reference_type is None:
                        raise ValueError(raw)
                    record[spec.name] = reference_type
                else:
                    record[spec.name] = str(raw).strip()
            except (ValueError, InvalidOperation):
                expected = date_expected if spec.kind == "date" else _EXPECTED[spec.kind]
                row_errors.append(RowError(file_name, row_number, header, str(raw), expected))
        if row_errors:
            result.errors.extend(row_errors)
            continue
        record.setdefault("currency", default_currency)
        if kind == REMITTANCES:
            record.setdefault("reference_type", "COOP")
            if record["reference_type"] == "":
                # A payment row: not a deduction, but part of the payment's net amount.
                result.skipped += 1
        if kind == BACKUP:
            error = _complete_backup_record(record, mapping, file_name, row_number)
            if error is not None:
                result.errors.append(error)
                continue
        if kind == INVOICES and ("service_period_start" in record) != ("service_period_end" in record):
            missing = "service_period_end" if "service_period_start" in record else "service_period_start"
            result.errors.append(
                RowError(file_name, row_number, mapping.get(missing), "", "both service period dates, or neither")
            )
            continue
        record["row"] = row_number
        result.records.append(record)
    return result


def _complete_backup_record(
    record: dict[str, Any], mapping: dict[str, str], file_name: str, row_number: int
) -> RowError | None:
    """A backup line needs its cost: the unit cost or the basis amount; the missing one is derived."""
    unit_cost = record.get("unit_cost")
    basis = record.get("basis_amount")
    if unit_cost is None and basis is None:
        column = mapping.get("unit_cost") or mapping.get("basis_amount")
        return RowError(file_name, row_number, column, "", "a unit cost or a basis amount (required)")
    quantity = record["quantity"]
    if basis is None and unit_cost is not None:
        record["basis_amount"] = (Decimal(quantity) * unit_cost).quantize(Decimal("0.01"))
    elif unit_cost is None and basis is not None and quantity:
        record["unit_cost"] = (basis / Decimal(quantity)).quantize(Decimal("0.0001"))
    if ("period_start" in record) != ("period_end" in record):
        missing = "period_end" if "period_start" in record else "period_start"
        return RowError(file_name, row_number, mapping.get(missing), "", "both period dates, or neither")
    return None
