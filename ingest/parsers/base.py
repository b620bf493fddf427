"""The contract between format parsers and the import pipeline.

A parser turns the bytes of one file into a `ParsedReport`: the metadata that names the report
(type, marketplace, vendor code, period, options) and an iterator of pandas DataFrame chunks whose
columns are exactly those of the target fact table in `ingest.parsers.facts.FACT_COLUMNS`.
Rows that cannot be read are reported as `RowError`s (file, row, column, value, expected) and are
left out of the chunks; the pipeline loads nothing when any error was reported.

Parsers never touch the database and never read the whole file into Python objects when it can be
large: JSON documents are streamed with ijson, CSV with pandas' chunked reader.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import BinaryIO

import pandas as pd

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    """One problem in the input, precise enough for a user to fix the file."""

    file: str
    row: int | None  # 1-based line/row number in the file, or the element index for JSON arrays
    column: str | None
    value: str | None
    expected: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
        }

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = f": got {self.value!r}" if self.value is not None else ""
        return f"{where}{value}; expected {self.expected}"


class ParseError(Exception):
    """The file as a whole cannot be read (unknown format, truncated gzip, invalid JSON, FATAL report)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class ParsedReport:
    """What a parser found in one file.

    `fact_table` names a key of FACT_COLUMNS. `replace_scope` lists the columns that define the
    window this file restates (for example marketplace, vendor code, grain, view, program and the
    period dates): the pipeline replaces existing facts in that window, so a restated report
    replaces what it restates and never double-counts.
    """

    report_type: str
    source: str  # ReportImport.Source value: SP_API_REPORT, VC_CSV_UPLOAD, ADS_API_REPORT, AMS, ...
    fact_table: str
    chunks: Iterator[pd.DataFrame]
    errors: list[RowError] = field(default_factory=list)
    marketplace_id: str | None = None
    vendor_code: str | None = None
    data_start: date | None = None
    data_end: date | None = None
    options: dict[str, Any] = field(default_factory=dict)
    amazon_last_updated: date | None = None
    # Columns this file actually provides (None = all of FACT_COLUMNS[fact_table]). The loader updates
    # only these on existing rows, so a PO-status file does not wipe the ordered quantities that the
    # PO file loaded earlier.
    provided_columns: list[str] | None = None
    # True when the file is the complete picture of its window (a retail report for one period):
    # facts in the window that the file no longer contains are removed, so restatements replace.
    replaces_window: bool = False


# A detector looks at the first bytes (already gunzipped) and says whether its parser takes the file.
Detector = Callable[[bytes], bool]
# A parser gets a fresh binary stream of the (gunzipped) content and the original file name.
Parser = Callable[[BinaryIO, str], ParsedReport]


def open_maybe_gzip(stream: BinaryIO) -> BinaryIO:
    """Decide gzip by the magic bytes, never by a flag or a file name (Amazon's flag is sometimes wrong)."""
    head = stream.read(2)
    stream.seek(0)
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


ZIP_MAGIC = b"PK\x03\x04"
# Excel writes a workbook's text (xl/sharedStrings.xml) after the sheet, so an XLSX detector needs
# much more than the first 64 KB to see the header row of a big export.
ZIP_SNIFF_BYTES = 32 * 1024 * 1024


def sniff(stream: BinaryIO, size: int = 64 * 1024) -> bytes:
    """The first `size` bytes of the (gunzipped) content for detection; up to 32 MB of a zip (XLSX)."""
    head = stream.read(size)
    if head.startswith(ZIP_MAGIC) and len(head) == size:
        head += stream.read(ZIP_SNIFF_BYTES - size)
    if isinstance(stream, io.BufferedIOBase | io.RawIOBase) or hasattr(stream, "seek"):
        stream.seek(0)
    return head
