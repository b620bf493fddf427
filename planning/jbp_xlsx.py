"""The JBP target grid as an Excel template, and reading it back.

Brand managers keep working in Excel, so one metric's grid leaves the app as a workbook laid out like
the page (rows = categories or ASINs, columns = months, with SUM totals), and comes back as an upload.
Column A (hidden, locked) holds each row's key and row 2 (hidden) each column's month, so rows can be
re-sorted in Excel and still land on the right target; the sheet is protected except for the value
cells, and a second sheet explains the rules. Reading never writes: it returns the cells and the
errors (sheet, cell, value, what was expected); the caller diffs them against the plan and shows a
preview before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from io import BytesIO
from typing import IO
from typing import Any

from openpyxl import Workbook
from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter

from planning.exports import neutralise_text
from planning.jbp_grid import TargetGrid
from planning.jbp_models import COUNT
from planning.jbp_models import MONEY
from planning.jbp_models import Metric
from planning.jbp_paste import detect_decimal_separator
from planning.jbp_paste import parse_number

SHEET = "Targets"
MARKER = "coopdesk-jbp-targets"
TOTAL_KEY = "__total__"
FIRST_COLUMN = 3  # A: hidden key, B: label, C...: months
FIRST_ROW = 3  # 1: headers, 2: hidden month keys, 3...: rows
_EDIT_FILL = PatternFill("solid", fgColor="FFF8E1")
_HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")


def _number_format(kind: str) -> str:
    return {MONEY: "#,##0.00", COUNT: "#,##0"}.get(kind, "0.00%")


def write_targets_workbook(grid: TargetGrid) -> bytes:
    """The grid as an .xlsx template (values in stored units: ratios as fractions shown with %)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has one sheet
    ws.title = SHEET
    plan = grid.plan
    fmt = _number_format(grid.kind)
    ws.cell(row=1, column=1, value=f"{MARKER}:{plan.pk}:{grid.metric}:{grid.dimension_type}")
    ws.cell(row=1, column=2, value=grid.dimension_type.replace("_", " ").title())
    for offset, column in enumerate(grid.columns):
        header = ws.cell(row=1, column=FIRST_COLUMN + offset, value=column.label)
        ws.cell(row=2, column=FIRST_COLUMN + offset, value=column.key)
        header.alignment = Alignment(horizontal="right")
    total_col = FIRST_COLUMN + len(grid.columns)
    ws.cell(row=1, column=total_col, value="Total" if grid.additive else "")
    ws.cell(row=2, column=total_col, value="total")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL

    for index, row in enumerate(grid.rows):
        r = FIRST_ROW + index
        ws.cell(row=r, column=1, value=neutralise_text(row.key) if row.key else "")
        ws.cell(row=r, column=2, value=neutralise_text(row.label))
        for offset, value in enumerate(row.cells):
            cell = ws.cell(row=r, column=FIRST_COLUMN + offset)
            if value is not None:
                cell.value = value / grid.scale if grid.scale != 1 else value
            cell.number_format = fmt
            cell.protection = Protection(locked=False)
            cell.fill = _EDIT_FILL
        if grid.additive and grid.columns:
            first = get_column_letter(FIRST_COLUMN)
            last = get_column_letter(total_col - 1)
            total = ws.cell(row=r, column=total_col, value=f"=SUM({first}{r}:{last}{r})")
            total.number_format = fmt
            total.font = Font(bold=True)
    last_row = FIRST_ROW + len(grid.rows)
    if grid.additive and grid.rows:
        ws.cell(row=last_row, column=1, value=TOTAL_KEY)
        ws.cell(row=last_row, column=2, value="Total").font = Font(bold=True)
        for col in range(FIRST_COLUMN, total_col + 1):
            letter = get_column_letter(col)
            cell = ws.cell(row=last_row, column=col, value=f"=SUM({letter}{FIRST_ROW}:{letter}{last_row - 1})")
            cell.number_format = fmt
            cell.font = Font(bold=True)

    ws.column_dimensions["A"].hidden = True
    ws.row_dimensions[2].hidden = True
    ws.column_dimensions["B"].width = 34
    for col in range(FIRST_COLUMN, total_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 15
    ws.freeze_panes = f"{get_column_letter(FIRST_COLUMN)}{FIRST_ROW}"
    # Protection keeps keys, headers and formulas intact; there is no password because it guards
    # against slips, not people. Users may still resize, format and insert rows.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False
    ws.protection.insertRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False

    _instructions(wb.create_sheet("Instructions"), grid)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _instructions(ws: Any, grid: TargetGrid) -> None:
    plan = grid.plan
    unit = {MONEY: f"amounts in {plan.currency}, up to 2 decimals", COUNT: "whole units"}.get(
        grid.kind, "percentages (type 25% or 0.25)"
    )
    lines = [
        (f"{plan.brand.name}: {plan.display_title} v{plan.version}", True),
        (f"Metric: {Metric(grid.metric).label} ({unit})", False),
        (f"Rows: {grid.dimension_type.replace('_', ' ').lower()}; columns: the months of the plan period.", False),
        ("", False),
        ("How to use this template", True),
        ("1. Fill or change the yellow cells on the Targets sheet. Leave a cell empty for no target.", False),
        ("2. Totals are formulas; they are ignored on upload (Coopdesk computes its own).", False),
        ("3. To add a row, insert it above the Total row and type the category or ASIN in column B.", False),
        ("4. Do not change the headers; hidden column A and row 2 tell Coopdesk where each cell belongs.", False),
        (
            "5. Upload the file on the plan's target grid: you will see every difference before anything is saved.",
            False,
        ),
        ("", False),
        ("The sheet is protected without a password only to prevent slips.", False),
        (f"Generated {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} from plan #{plan.pk}.", False),
    ]
    for index, (text, bold) in enumerate(lines, start=1):
        ws.cell(row=index, column=1, value=text).font = Font(bold=bold, size=13 if index == 1 else 11)
    ws.column_dimensions["A"].width = 110


@dataclass(frozen=True)
class XlsxError:
    cell: str  # e.g. "Targets!D7"
    value: str
    message: str


@dataclass
class XlsxRead:
    plan_id: int | None
    metric: str
    dimension_type: str
    # (row key, column key) -> value in grid display units (percent for ratios), None = blank.
    cells: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    errors: list[XlsxError] = field(default_factory=list)


def _unneutralise(text: str) -> str:
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def read_targets_workbook(handle: IO[bytes], *, filename: str = "upload.xlsx") -> XlsxRead:
    """The cells of an uploaded template; errors name the file's sheet and cell, the value and the rule."""
    content = handle.read()
    try:
        # Values as Excel last computed them (a cell typed as =120000*1.08 arrives as 129600), and the
        # formulas themselves, to tell "empty" from "a formula nobody computed" (a file written by a script).
        values_wb = load_workbook(BytesIO(content), data_only=True, read_only=True)
        formulas_wb = load_workbook(BytesIO(content), data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises a zoo on non-xlsx input (BadZipFile, KeyError, ...)
        read = XlsxRead(plan_id=None, metric="", dimension_type="")
        read.errors.append(XlsxError(filename, "", f"not an Excel .xlsx workbook ({exc.__class__.__name__})"))
        return read
    if SHEET not in values_wb.sheetnames:
        read = XlsxRead(plan_id=None, metric="", dimension_type="")
        read.errors.append(XlsxError(filename, "", f"expected a sheet named {SHEET!r}, found {values_wb.sheetnames}"))
        return read
    rows = list(values_wb[SHEET].iter_rows(values_only=True))
    formulas = list(formulas_wb[SHEET].iter_rows(values_only=True))
    values_wb.close()
    formulas_wb.close()
    marker = str(rows[0][0]) if rows and rows[0] and rows[0][0] else ""
    parts = marker.split(":")
    if len(parts) != 4 or parts[0] != MARKER or not parts[1].isdigit():
        read = XlsxRead(plan_id=None, metric="", dimension_type="")
        read.errors.append(
            XlsxError(f"{SHEET}!A1", marker, "expected a Coopdesk JBP target template: download it from the grid")
        )
        return read
    read = XlsxRead(plan_id=int(parts[1]), metric=parts[2], dimension_type=parts[3])
    if len(rows) < 2:
        return read
    key_row = rows[1]
    columns: dict[int, str] = {}
    for index, value in enumerate(key_row):
        if index + 1 < FIRST_COLUMN or value in (None, "", "total"):
            continue
        key = value.date().isoformat() if isinstance(value, datetime) else str(value)
        columns[index] = key
    text_values = [
        str(v) for row in rows[FIRST_ROW - 1 :] for i, v in enumerate(row) if i in columns and isinstance(v, str)
    ]
    separator = detect_decimal_separator(text_values)
    ratio = read.metric in Metric.values and _is_ratio(read.metric)
    for row_number, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        key = _unneutralise(str(row[0])) if row and row[0] not in (None, "") else ""
        label = _unneutralise(str(row[1]).strip()) if len(row) > 1 and row[1] not in (None, "") else ""
        if key == TOTAL_KEY or (not key and label.lower() == "total"):
            continue
        if not key:
            key = label  # a row the user inserted: the label is the category or ASIN
        values = [row[i] if i < len(row) else None for i in columns]
        if not key:
            if any(v not in (None, "") for v in values):
                read.errors.append(
                    XlsxError(f"{SHEET}!B{row_number}", "", "a row with numbers needs a category or ASIN in column B")
                )
            continue
        if key in read.labels:
            read.errors.append(XlsxError(f"{SHEET}!B{row_number}", key, f"{key} appears twice; keep one row"))
            continue
        read.labels[key] = label or key
        for index, column_key in columns.items():
            raw = row[index] if index < len(row) else None
            ref = f"{SHEET}!{get_column_letter(index + 1)}{row_number}"
            formula_row = formulas[row_number - 1] if row_number - 1 < len(formulas) else ()
            formula = formula_row[index] if index < len(formula_row) else None
            if raw is None and isinstance(formula, str) and formula.startswith("="):
                read.errors.append(
                    XlsxError(ref, formula, "a formula without a computed value: open and save the file in Excel")
                )
                continue
            try:
                read.cells[(key, column_key)] = _cell_value(raw, ratio, separator)
            except ValueError as exc:
                read.errors.append(XlsxError(ref, "" if raw is None else str(raw), str(exc)))
    return read


def _is_ratio(metric: str) -> bool:
    from planning.jbp_models import RATIO
    from planning.jbp_models import metric_kind

    return metric_kind(metric) == RATIO


def _cell_value(raw: Any, ratio: bool, separator: str) -> Decimal | None:
    """A cell in grid display units. Numbers come as int/float (Excel stores doubles); text is parsed
    like a paste. Ratios are stored as fractions in the sheet and shown in percent on the grid."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool | date | datetime):
        raise ValueError("expected a number")
    if isinstance(raw, int | float):
        # repr of an IEEE double is the shortest string that reads back to it: 1234.56 stays 1234.56.
        return _scaled(Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), ratio)
    if isinstance(raw, str) and raw.startswith("="):
        raise ValueError("expected a number, not a formula")
    try:
        parsed, percent = parse_number(str(raw), separator)
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(str(exc)) from exc
    if parsed is None:
        return None
    value: Decimal = parsed
    if ratio:
        # Text "25%" means 25 %; a bare "0.25" is a fraction, like the numeric cells.
        return value if percent else _scaled(value, ratio)
    if percent:
        raise ValueError("expected an amount, not a percentage")
    return value


def _scaled(value: Decimal, ratio: bool) -> Decimal:
    if ratio:
        # Fractions in the sheet (0.25 shown as 25%) are percent on the grid; round away float noise.
        return (value * 100).quantize(Decimal("0.0001")).normalize()
    return value
