"""XLSX export of an MBR: one sheet per agenda section, numbers stored as numbers with number formats.

Text cells never start a formula: anything beginning with = + - @ (or a tab / carriage return, which
some spreadsheet programs strip) gets a leading apostrophe, so a product title or a category typed as
"=HYPERLINK(...)" stays text (OWASP "CSV injection", which applies to XLSX cells as well).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reviews.selectors.mbr import MbrData

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "money": "#,##0.00",
    "count": "#,##0",
    "ratio": "0.0%",
    "pp": '+0.0" pp";-0.0" pp";0.0" pp"',
    "pct": "+0.0%;-0.0%;0.0%",
    "number": "#,##0.00",
    "date": "yyyy-mm-dd",
}
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
BOLD = Font(bold=True)


def safe_text(value: str) -> str:
    """The text as a cell value that no spreadsheet will evaluate."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _put(ws: Worksheet, row: int, column: int, value: Any, kind: str | None = None) -> None:
    """Write one cell: numbers (decimal strings) as numbers with a format, text neutralised, None empty."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return
    if kind in FORMATS and kind != "date":
        number = _number(value)
        cell.value = None if number is None else number
        cell.number_format = FORMATS[kind]
        cell.alignment = Alignment(horizontal="right")
        return
    cell.value = safe_text(str(value)) if isinstance(value, str) else value


def _header(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=column, value=safe_text(title))
        cell.font = BOLD
        cell.fill = HEADER_FILL


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _table(
    ws: Worksheet, row: int, title: str, columns: Sequence[tuple[str, str, str | None]], rows: Iterable[dict[str, Any]]
) -> int:
    """A titled table; columns are (key, header, kind). Returns the next free row."""
    ws.cell(row=row, column=1, value=safe_text(title)).font = Font(bold=True, size=12)
    row += 1
    _header(ws, row, [header for _, header, _ in columns])
    row += 1
    wrote = False
    for record in rows:
        for column, (key, _, kind) in enumerate(columns, start=1):
            _put(ws, row, column, record.get(key), kind)
        row += 1
        wrote = True
    if not wrote:
        ws.cell(row=row, column=1, value="No rows.").font = Font(italic=True, color="6C757D")
        row += 1
    return row + 1


KPI_COLUMNS = ("Metric", "Value", "Currency", "Prior month", "MoM", "Last year", "YoY", "Target", "Attainment", "Pace")
TABLE_COLUMNS: dict[str, list[tuple[str, str, str | None]]] = {
    "categories": [
        ("category", "Category", None),
        ("shipped_cogs", "Shipped COGS", "money"),
        ("shipped_cogs_yoy", "YoY", "pct"),
        ("shipped_cogs_target", "Plan", "money"),
        ("shipped_cogs_pace", "Pace", "ratio"),
        ("ordered_revenue", "Ordered revenue", "money"),
        ("ordered_revenue_yoy", "YoY", "pct"),
        ("ordered_revenue_target", "Plan", "money"),
        ("ordered_revenue_pace", "Pace", "ratio"),
        ("shipped_units", "Shipped units", "count"),
        ("ppoos_rate", "PPOOS", "ratio"),
    ],
    "coop": [
        ("currency", "Currency", None),
        ("accrued", "Co-op accrued (expected)", "money"),
        ("invoiced", "Co-op invoiced", "money"),
        ("invoiced_vs_accrued", "Invoiced minus accrued", "money"),
        ("chargebacks", "Chargebacks", "money"),
        ("chargeback_count", "Chargeback count", "count"),
        ("shortages", "Shortage deductions", "money"),
        ("shortage_count", "Shortage count", "count"),
    ],
    "stock_outs": [
        ("asin", "ASIN", None),
        ("title", "Title", None),
        ("oos_glance_views", "OOS glance views", "count"),
        ("ppoos_rate", "PPOOS", "ratio"),
        ("sellable_on_hand_units", "Sellable on hand", "count"),
        ("unfilled_units", "Unfilled customer units", "count"),
    ],
    "ad_products": [
        ("ad_product", "Ad product", None),
        ("window", "Attribution window", None),
        ("source", "Spend from", None),
        ("ad_spend", "Spend", "money"),
        ("ad_sales", "Sales", "money"),
        ("acos", "ACoS", "ratio"),
        ("roas", "ROAS", "number"),
        ("cpc", "CPC", "money"),
        ("ctr", "CTR", "ratio"),
        ("clicks", "Clicks", "count"),
    ],
    "promotions": [
        ("name", "Promotion", None),
        ("type", "Type", None),
        ("start", "Start", None),
        ("end", "End", None),
        ("currency", "Currency", None),
        ("units_sold", "Units sold", "count"),
        ("revenue", "Revenue", "money"),
        ("vendor_cost", "Vendor funding", "money"),
        ("incremental_revenue", "Incremental revenue", "money"),
        ("roi", "ROI", "number"),
    ],
    "promotion_totals": [
        ("currency", "Currency", None),
        ("promotions", "Promotions", "count"),
        ("units_sold", "Units sold", "count"),
        ("revenue", "Revenue", "money"),
        ("vendor_cost", "Vendor funding", "money"),
        ("incremental_revenue", "Incremental revenue", "money"),
        ("roi", "ROI", "number"),
    ],
}
MOVER_COLUMNS: list[tuple[str, str, str | None]] = [
    ("asin", "ASIN", None),
    ("vendor_code", "Vendor code", None),
    ("title", "Title", None),
    ("category", "Category", None),
    ("before", "Prior month", "money"),
    ("current", "This month", "money"),
    ("delta", "Change", "money"),
    ("change", "Change %", "pct"),
]


def _kpi_rows(ws: Worksheet, row: int, kpis: Sequence[dict[str, Any]]) -> int:
    _header(ws, row, KPI_COLUMNS)
    row += 1
    for kpi in kpis:
        kind = kpi.get("kind")
        change_kind = "pp" if kpi.get("change_kind") == "pp" else "pct"
        _put(ws, row, 1, kpi["label"])
        _put(ws, row, 2, kpi.get("value"), kind)
        _put(ws, row, 3, kpi.get("currency"))
        _put(ws, row, 4, kpi.get("mom_prior"), kind)
        if kpi.get("mom") is not None and change_kind == "pp":
            _put(ws, row, 5, str(Decimal(kpi["mom"]) * 100), "pp")
        else:
            _put(ws, row, 5, kpi.get("mom"), "pct")
        _put(ws, row, 6, kpi.get("yoy_prior"), kind)
        if kpi.get("yoy") is not None and change_kind == "pp":
            _put(ws, row, 7, str(Decimal(kpi["yoy"]) * 100), "pp")
        else:
            _put(ws, row, 7, kpi.get("yoy"), "pct")
        _put(ws, row, 8, kpi.get("target"), kind)
        _put(ws, row, 9, kpi.get("attainment"), "ratio")
        _put(ws, row, 10, kpi.get("pace"), "ratio")
        row += 1
    return row + 1


def mbr_workbook(data: MbrData, action_items: Sequence[dict[str, Any]] = ()) -> bytes:
    """The MBR as an .xlsx file (bytes)."""
    wb = Workbook()
    summary = wb.create_sheet("Summary")
    wb.remove(wb.worksheets[0])
    meta = data.meta
    lines = [
        ("Brand", meta["brand"]),
        ("Month", meta["month"][:7]),
        ("Marketplace", meta["marketplace"]),
        ("Vendor codes", ", ".join(meta.get("vendor_codes", []))),
        ("Category", meta.get("category") or "All categories"),
        ("Currency", meta["currency"]),
        ("Distributor view / program", meta.get("view_label", "")),
        ("Ad attribution window", meta.get("attribution_window") or "—"),
        ("Data through", meta.get("data_through") or "—"),
        ("Numbers as of", meta.get("generated_at", "")[:19].replace("T", " ")),
    ]
    summary.cell(row=1, column=1, value="Monthly business review").font = Font(bold=True, size=14)
    row = 3
    for label, value in lines:
        summary.cell(row=row, column=1, value=label).font = BOLD
        _put(summary, row, 2, value)
        row += 1
    row += 1
    for warning in data.warnings:
        _put(summary, row, 1, "Warning")
        _put(summary, row, 2, warning)
        row += 1
    if meta.get("fx_rates"):
        row = _table(
            summary,
            row + 1,
            "FX rates used",
            [("month", "Month", None), ("from", "From", None), ("to", "To", None), ("rate", "Rate", "number")],
            meta["fx_rates"],
        )
    _widths(summary, [28, 60])

    for section in data.sections:
        ws = wb.create_sheet(section["title"][:31])
        ws.cell(row=1, column=1, value=safe_text(section["title"])).font = Font(bold=True, size=14)
        row = 3
        if section.get("kpis"):
            row = _kpi_rows(ws, row, section["kpis"])
        for table in section.get("tables", []):
            columns = TABLE_COLUMNS.get(table["key"])
            if columns is None:
                continue
            row = _table(ws, row, table["title"], columns, table["rows"])
        for text_line in (*section.get("missing", []), *section.get("notes", [])):
            _put(ws, row, 1, text_line)
            ws.cell(row=row, column=1).font = Font(italic=True, color="6C757D")
            row += 1
        _widths(ws, [34, 16, 10, 16, 12, 16, 12, 16, 12, 12, 14])

    movers = wb.create_sheet("Top movers")
    movers.cell(
        row=1, column=1, value=f"Top ASINs by {data.movers.get('label', '')} ({data.movers.get('currency', '')})"
    ).font = Font(bold=True, size=14)
    row = _table(movers, 3, "Moving up", MOVER_COLUMNS, data.movers.get("up", []))
    _table(movers, row, "Moving down", MOVER_COLUMNS, data.movers.get("down", []))
    _widths(movers, [14, 12, 48, 20, 16, 16, 16, 12])

    if action_items:
        actions = wb.create_sheet("Action items")
        _table(
            actions,
            1,
            "Action items",
            [
                ("title", "Action", None),
                ("owner", "Owner", None),
                ("due_date", "Due", None),
                ("status", "Status", None),
            ],
            action_items,
        )
        _widths(actions, [60, 20, 12, 14])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
