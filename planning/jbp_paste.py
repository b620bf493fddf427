"""Parse a block of cells copied from Excel (or Google Sheets, or LibreOffice) into numbers.

Pure functions, no ORM. The JBP target grid posts the clipboard text here; this module is the
authority on what the numbers are. Spreadsheets put tabs between cells and newlines between rows.
What people actually paste:
- numbers formatted for their locale: 1,234.56 (US/UK) or 1.234,56 (DE/FR/IT) or 1 234,56 (FR,
  with a normal or non-breaking space), with currency symbols or codes ($1,234 / 1.234 € / USD 500),
  negative numbers as -5 or (5), percentages as 12.5 %;
- blank cells (kept as "no value");
- a header row of month names and a label column of category names, when they select too much;
- a trailing "Total" row or column that the spreadsheet computed.
A single ambiguous value like 1,234 is read with the convention the rest of the block shows, and
with `default_decimal` when the block shows none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation

TOTAL_LABELS = frozenset(
    {"total", "totals", "grand total", "sum", "summe", "gesamt", "gesamtsumme", "totaal", "totale", "suma"}
)
_CURRENCY_SYMBOLS = "$€£¥₹₩"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # spaces, NBSP, narrow NBSP, thin space, Swiss '
_NUMBER_SHAPE = re.compile(r"^[0-9.,]+$")
_CODE_PREFIX = re.compile(r"^[A-Z]{3}(?=[\d.,(+\-])")
_CODE_SUFFIX = re.compile(r"(?<=[\d.,)])[A-Z]{3}$")


@dataclass(frozen=True)
class CellError:
    row: int  # 1-based row in the pasted block as the user copied it
    column: int  # 1-based column in the pasted block
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class PasteResult:
    """The numeric block (rows x columns, None = blank) and what was stripped or refused."""

    values: list[list[Decimal | None]]
    errors: list[CellError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_labels: list[str] = field(default_factory=list)
    column_labels: list[str] = field(default_factory=list)
    # Where values[0][0] sits in the pasted block (1-based), so errors and labels map back.
    first_row: int = 1
    first_column: int = 1
    decimal_separator: str = "."
    percent_cells: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), max((len(row) for row in self.values), default=0)


def split_clipboard(text: str) -> list[list[str]]:
    """Rows of cells from spreadsheet clipboard text (TSV; quoted cells may hold tabs or newlines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    in_quotes = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_quotes:
            if char == '"' and index + 1 < len(text) and text[index + 1] == '"':
                cell.append('"')
                index += 1
            elif char == '"':
                in_quotes = False
            else:
                cell.append(char)
        elif char == '"' and not cell:
            in_quotes = True
        elif char == "\t":
            row.append("".join(cell))
            cell = []
        elif char == "\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(char)
        index += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    # Excel ends the copied block with a newline; drop wholly empty trailing rows it leaves.
    while rows and all(not value.strip() for value in rows[-1]):
        rows.pop()
    return rows


def _strip_decorations(raw: str) -> tuple[str, bool, bool]:
    """The bare numeric text, whether it was negative in parentheses or with a sign, and a percent."""
    text = _SPACES.sub("", raw.strip())
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    text = text.strip(_CURRENCY_SYMBOLS)
    text = _CODE_PREFIX.sub("", text)
    text = _CODE_SUFFIX.sub("", text)
    text = text.strip(_CURRENCY_SYMBOLS)
    if text.startswith("-") or text.startswith("\u2212"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):  # SAP-style trailing minus: 1.234,56-
        negative, text = not negative, text[:-1]
    elif text.startswith("+"):
        text = text[1:]
    text = text.strip(_CURRENCY_SYMBOLS)
    return text, negative, percent


def _vote(text: str) -> str | None:
    """Which decimal separator this one value proves, if any ('.', ',' or None when ambiguous)."""
    if "." in text and "," in text:
        return "." if text.rfind(".") > text.rfind(",") else ","
    for sep in ".,":
        if sep in text:
            head, _, tail = text.rpartition(sep)
            if text.count(sep) > 1:
                # 1.234.567 or 1,234,567: repeated, so it is the thousands separator.
                return "," if sep == "." else "."
            if len(tail) != 3 or not head or head == "0":
                # 12,5 / 0.125 / ,5: cannot be a thousands separator.
                return sep
    return None


def detect_decimal_separator(cells: list[str], default_decimal: str = ".") -> str:
    votes = {".": 0, ",": 0}
    for raw in cells:
        text, _, _ = _strip_decorations(raw)
        if _NUMBER_SHAPE.fullmatch(text):
            vote = _vote(text)
            if vote:
                votes[vote] += 1
    if votes["."] == votes[","]:
        return default_decimal
    return "." if votes["."] > votes[","] else ","


def parse_number(raw: str, decimal_separator: str = ".") -> tuple[Decimal | None, bool]:
    """One cell's value (None when blank) and whether it carried a percent sign.

    Raises ValueError with a message saying what was expected.
    """
    if not raw.strip():
        return None, False
    if _SPACES.sub("", raw).strip(_CURRENCY_SYMBOLS) in {"-", "\u2013"}:
        return Decimal(0), False  # Excel's accounting format shows zero as a dash
    text, negative, percent = _strip_decorations(raw)
    if not text or not _NUMBER_SHAPE.fullmatch(text):
        raise ValueError("expected a number such as 1,234.56 or 1.234,56")
    thousands = "," if decimal_separator == "." else "."
    if text.count(decimal_separator) > 1:
        raise ValueError(f"expected at most one decimal separator '{decimal_separator}'")
    integer_part = text.split(decimal_separator)[0]
    if thousands in integer_part:
        groups = integer_part.split(thousands)
        if not groups[0] or any(len(group) != 3 for group in groups[1:]):
            raise ValueError(f"misplaced thousands separator '{thousands}'; expected groups of three digits")
    if thousands in text.partition(decimal_separator)[2]:
        raise ValueError(f"'{thousands}' after the decimal separator '{decimal_separator}'")
    normalised = text.replace(thousands, "").replace(decimal_separator, ".")
    try:
        value = Decimal(normalised)
    except InvalidOperation as exc:  # pragma: no cover - the shape check above already refuses these
        raise ValueError("expected a number") from exc
    return (-value if negative else value), percent


def _is_label(raw: str) -> bool:
    text = raw.strip()
    if not text:
        return False
    stripped, _, _ = _strip_decorations(text)
    return not _NUMBER_SHAPE.fullmatch(stripped)


def _is_total_label(raw: str) -> bool:
    return raw.strip().strip(":").lower() in TOTAL_LABELS


def parse_block(text: str, *, default_decimal: str = ".") -> PasteResult:
    """Parse pasted spreadsheet text into a numeric block; see the module docstring for the rules."""
    grid = split_clipboard(text)
    if not grid:
        return PasteResult(values=[])
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    notes: list[str] = []
    first_row = first_column = 1

    # A label column: the first column holds text (not numbers) on every non-blank row.
    row_labels: list[str] = []
    first_col_values = [row[0] for row in grid if row[0].strip()]
    if width > 1 and first_col_values and all(_is_label(value) for value in first_col_values):
        row_labels = [row[0].strip() for row in grid]
        grid = [row[1:] for row in grid]
        width -= 1
        first_column = 2
        notes.append("Ignored the first column: it holds labels, not numbers.")

    # A header row: every non-blank cell of the first row is text.
    column_labels: list[str] = []
    header_cells = [value for value in grid[0] if value.strip()]
    if len(grid) > 1 and header_cells and all(_is_label(value) for value in header_cells):
        column_labels = [value.strip() for value in grid[0]]
        grid = grid[1:]
        if row_labels:
            row_labels = row_labels[1:]
        first_row = 2
        notes.append("Ignored the first row: it holds headers, not numbers.")

    decimal_separator = detect_decimal_separator([cell for row in grid for cell in row], default_decimal)

    # A trailing total row or column named "Total" is the spreadsheet's own sum; the grid computes its own.
    if len(grid) > 1 and row_labels and _is_total_label(row_labels[-1]):
        grid, row_labels = grid[:-1], row_labels[:-1]
        notes.append("Ignored the trailing total row.")
    elif len(grid) > 1 and grid[-1] and _is_total_label(grid[-1][0]):
        grid = grid[:-1]
        notes.append("Ignored the trailing total row.")
    if width > 1 and column_labels and _is_total_label(column_labels[-1]):
        grid = [row[:-1] for row in grid]
        column_labels = column_labels[:-1]
        width -= 1
        notes.append("Ignored the trailing total column.")

    values: list[list[Decimal | None]] = []
    errors: list[CellError] = []
    percent_cells = 0
    for row_index, row in enumerate(grid):
        parsed_row: list[Decimal | None] = []
        for column_index, raw in enumerate(row):
            try:
                value, percent = parse_number(raw, decimal_separator)
            except ValueError as exc:
                errors.append(
                    CellError(
                        row=first_row + row_index, column=first_column + column_index, value=raw, message=str(exc)
                    )
                )
                value, percent = None, False
            percent_cells += int(percent)
            parsed_row.append(value)
        values.append(parsed_row)

    # Unlabelled total row/column: dropped only when it equals the sum of the others exactly and the
    # block is big enough that this is not a coincidence of two rows.
    if not errors and len(values) >= 3 and _is_sum_of_rest([_column(values, c) for c in range(width)]):
        values = values[:-1]
        if row_labels:
            row_labels = row_labels[:-1]
        notes.append("Ignored the last row: it is the sum of the rows above (a total row).")
    if not errors and width >= 3 and _is_sum_of_rest(values):
        values = [row[:-1] for row in values]
        notes.append("Ignored the last column: it is the sum of the columns before it (a total column).")

    return PasteResult(
        values=values,
        errors=errors,
        notes=notes,
        row_labels=row_labels,
        column_labels=column_labels,
        first_row=first_row,
        first_column=first_column,
        decimal_separator=decimal_separator,
        percent_cells=percent_cells,
    )


def _column(values: list[list[Decimal | None]], index: int) -> list[Decimal | None]:
    return [row[index] if index < len(row) else None for row in values]


def _is_sum_of_rest(lines: list[list[Decimal | None]]) -> bool:
    """True when, in every line, the last value equals the sum of the others (and some are non-zero)."""
    if not lines:
        return False
    any_nonzero = False
    for line in lines:
        if len(line) < 3 or line[-1] is None:
            return False
        parts = [value for value in line[:-1] if value is not None]
        if len(parts) < 2 or sum(parts, Decimal(0)) != line[-1]:
            return False
        any_nonzero = any_nonzero or line[-1] != 0
    return any_nonzero
