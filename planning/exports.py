"""XLSX exports: users live in Excel, so lists leave the app as real workbooks, safely.

Two rules for every cell: numbers stay numbers (Decimal and int are written as numeric cells with a
number format, so SUM works), and text that Excel would read as a formula (starting with = + - @, or a
tab/carriage return that some spreadsheet apps strip first) gets a leading single quote. Titles and
categories come from Amazon reports and users, so they are untrusted input (OWASP "CSV injection").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from planning.models import Product

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: str) -> str:
    """Prefix text that a spreadsheet would evaluate as a formula with a single quote."""
    if value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    number_format: str | None = None


def _cell(ws: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Cell:
    if isinstance(value, str):
        value = neutralise_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if number_format and isinstance(value, Decimal | int | float | dt.date):
        cell.number_format = number_format
    return cell


def build_workbook(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold, frozen header row and the given rows; returns the .xlsx bytes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])  # Excel refuses sheet names longer than 31 characters
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_cell(ws, value, column.number_format) for value, column in zip(row, columns, strict=True)])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("ASIN", 13),
    Column("Title", 60),
    Column("Brand", 20),
    Column("Vendor code", 12),
    Column("Marketplace", 16),
    Column("Category", 22),
    Column("Subcategory", 22),
    Column("UPC/EAN", 16),  # text on purpose: identifiers keep their leading zeros
    Column("Cost price", 12, "#,##0.00"),
    Column("Currency", 9),
    Column("Lifecycle", 10),
    Column("A+ content", 10),
    Column("Video", 8),
    Column("Content score", 13, "0"),
    Column("Content updated", 15, "yyyy-mm-dd"),
)


def product_rows(products: Iterable[Product]) -> Iterable[list[Any]]:
    """One export row per product, in PRODUCT_COLUMNS order; needs brand, vendor code and marketplace joined."""
    for p in products:
        yield [
            p.asin,
            p.title,
            p.brand.name,
            p.vendor_code.code,
            p.marketplace.domain,
            p.category,
            p.subcategory,
            p.gtin,
            p.cost_price,
            p.currency,
            p.get_lifecycle_display(),
            "Yes" if p.aplus_content else "No",
            "Yes" if p.video_on_detail_page else "No",
            p.content_score,
            p.content_updated_at,
        ]
