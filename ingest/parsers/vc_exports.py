"""Vendor Central "Retail Analytics" web exports (CSV and XLSX): sales, inventory, traffic, net PPM.

Amazon publishes no spec for these files; the layout comes from the reconstructed catalog and the
en_IN sample in ../shared/formats (NOTES.md section 4):

- Row 1 is a banner, one `Key=[Value]` per cell: `Program=[Retail]` (`Programme=` in en_IN/en_GB),
  `Distributor View=[Manufacturing]`, `View By=[ASIN]`, `Countries=[IN]`, `Locale=[en_IN]`,
  `Currency=[INR]`, `Reporting Range=[Month]`, `Viewing Range=[01/07/26 - 31/07/26]`,
  `Report Updated=[04/09/26]`. The legacy UI (before 2023) wrote `Viewing=[...]` and no locale.
- The header is the first row whose first cell is `ASIN`; each row after it is one ASIN, summed
  over the Viewing Range (there are no dates per row), so the period comes from the banner.
- Cells follow the banner's locale: `₹3,05,148.87`, `-₹379.04`, `1.234,56 €`, `12.5%`, dates
  day-first outside the US; blank, `—`, `-` and `N/A` mean "not reported".

Which report a file is (sales, inventory, traffic, net PPM) is decided from its header set. Columns
comparing with other periods (`- Prior Period`, `- Same Period Last Year`, `- Last Year`,
`- % of Total`) and display columns (title, brand, ...) are ignored and listed in
options["ignored_columns"]. Traffic and net PPM facts are keyed without distributor view and
program, like the SP-API documents, so both sources land on the same facts.

Errors name the file, the real 1-based spreadsheet row, the column header, the value and what was
expected. An XLSX cell holding a formula is refused: the file was edited, and the value Excel last
computed is not what Amazon exported.
"""

from __future__ import annotations

import codecs
import csv
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import BinaryIO

import pandas as pd
from openpyxl import load_workbook

from ingest.parsers.base import CHUNK_ROWS
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.facts import FACT_KEYS
from ingest.parsers.registry import register_format
from ingest.parsers.values import GRAINS
from ingest.parsers.values import BadValue
from ingest.parsers.values import NumberFormat
from ingest.parsers.values import date_order_for
from ingest.parsers.values import fact_frame
from ingest.parsers.values import is_missing
from ingest.parsers.values import normalise_header
from ingest.parsers.values import number_format_for
from ingest.parsers.values import parse_date
from ingest.parsers.values import parse_decimal
from ingest.parsers.values import parse_int
from ingest.parsers.values import parse_money
from ingest.parsers.values import parse_percent
from ingest.parsers.values import period_problem
from planning.marketplaces import MARKETPLACES

SOURCE = "VC_CSV_UPLOAD"
CSV_FORMAT = "VC_RETAIL_ANALYTICS_CSV"
XLSX_FORMAT = "VC_RETAIL_ANALYTICS_XLSX"
REPORT_TYPES = {
    "retail_sales": "VC_RETAIL_ANALYTICS_SALES",
    "retail_inventory": "VC_RETAIL_ANALYTICS_INVENTORY",
    "retail_traffic": "VC_RETAIL_ANALYTICS_TRAFFIC",
    "retail_net_ppm": "VC_RETAIL_ANALYTICS_NET_PPM",
}
MAX_ERRORS = 1000

# ---------------------------------------------------------------------------------------------
# Column catalogue: normalised header -> (fact table, fact column, kind). Current and legacy
# spellings both appear; normalise_header already folds case, dashes, 'On-Hand' and '(%)'.

_MONEY, _INT, _PERCENT, _NUMBER = "money", "int", "percent", "number"
_SALES = "retail_sales"
_INVENTORY = "retail_inventory"
_TRAFFIC = "retail_traffic"
_NET_PPM = "retail_net_ppm"

COLUMNS: dict[str, tuple[str, str, str]] = {
    "ordered revenue": (_SALES, "ordered_revenue", _MONEY),
    "ordered units": (_SALES, "ordered_units", _INT),
    "shipped revenue": (_SALES, "shipped_revenue", _MONEY),
    "shipped cogs": (_SALES, "shipped_cogs", _MONEY),
    "shipped units": (_SALES, "shipped_units", _INT),
    "customer returns": (_SALES, "customer_returns", _INT),
    "sourceable product oos %": (_INVENTORY, "sourceable_product_out_of_stock_rate", _PERCENT),
    "procurable product oos %": (_INVENTORY, "procurable_product_out_of_stock_rate", _PERCENT),
    "vendor confirmation %": (_INVENTORY, "vendor_confirmation_rate", _PERCENT),
    "vendor confirmation rate": (_INVENTORY, "vendor_confirmation_rate", _PERCENT),
    "vendor confirmation rate %": (_INVENTORY, "vendor_confirmation_rate", _PERCENT),
    "net received": (_INVENTORY, "net_received_inventory_cost", _MONEY),
    "net received inventory": (_INVENTORY, "net_received_inventory_cost", _MONEY),
    "net received units": (_INVENTORY, "net_received_inventory_units", _INT),
    "open purchase order quantity": (_INVENTORY, "open_purchase_order_units", _INT),
    "open purchase order units": (_INVENTORY, "open_purchase_order_units", _INT),
    "receive fill %": (_INVENTORY, "receive_fill_rate", _PERCENT),
    "receive fill rate %": (_INVENTORY, "receive_fill_rate", _PERCENT),
    "receive fill rate": (_INVENTORY, "receive_fill_rate", _PERCENT),
    "overall vendor lead time (days)": (_INVENTORY, "average_vendor_lead_time_days", _NUMBER),
    "unfilled customer ordered units": (_INVENTORY, "unfilled_customer_ordered_units", _INT),
    "aged 90+ days sellable inventory": (_INVENTORY, "aged_90_plus_days_sellable_inventory_cost", _MONEY),
    "aged 90+ days sellable units": (_INVENTORY, "aged_90_plus_days_sellable_inventory_units", _INT),
    "sellable on hand inventory": (_INVENTORY, "sellable_on_hand_inventory_cost", _MONEY),
    "sellable on hand units": (_INVENTORY, "sellable_on_hand_inventory_units", _INT),
    "unsellable on hand inventory": (_INVENTORY, "unsellable_on_hand_inventory_cost", _MONEY),
    "unsellable on hand units": (_INVENTORY, "unsellable_on_hand_inventory_units", _INT),
    "sell through rate": (_INVENTORY, "sell_through_rate", _PERCENT),
    "sell through rate %": (_INVENTORY, "sell_through_rate", _PERCENT),
    "sell through %": (_INVENTORY, "sell_through_rate", _PERCENT),
    "unhealthy inventory": (_INVENTORY, "unhealthy_inventory_cost", _MONEY),
    "unhealthy units": (_INVENTORY, "unhealthy_inventory_units", _INT),
    "glance views": (_TRAFFIC, "glance_views", _INT),
    "net ppm": (_NET_PPM, "net_pure_product_margin", _PERCENT),
    "net ppm %": (_NET_PPM, "net_pure_product_margin", _PERCENT),
}
# The column a file of that report cannot do without (what makes the report worth importing).
REQUIRED = {
    _SALES: ("shipped_units", "Shipped Units"),
    _INVENTORY: ("sellable_on_hand_inventory_units", "Sellable On Hand Units"),
    _TRAFFIC: ("glance_views", "Glance Views"),
    _NET_PPM: ("net_pure_product_margin", "Net PPM %"),
}
_COMPARISON = re.compile(r"(prior period|same period last year|last year|% of total)$")
_ASIN = re.compile(r"^[A-Z0-9]{10}$")

_EXPECTED = {
    _MONEY: "a money amount like {money}",
    _INT: "a whole number like {int}",
    _PERCENT: "a percentage like {percent}",
    _NUMBER: "a number like {money}",
}

# ---------------------------------------------------------------------------------------------
# Banner

_BANNER_CELL = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?)\s*=\s*\[(.*)\]\s*$", re.DOTALL)
_BANNER_KEYS = re.compile(r"(Programme|Program|Distributor View|Reporting Range|Viewing Range|Viewing)=\[")
_PROGRAMS = {
    "retail": "RETAIL",
    "amazon retail": "RETAIL",
    "business": "BUSINESS",
    "amazon business": "BUSINESS",
    "fresh": "FRESH",
    "amazon fresh": "FRESH",
}
_VIEWS = {"manufacturing": "MANUFACTURING", "sourcing": "SOURCING"}
_RANGES = {
    "day": "DAY",
    "daily": "DAY",
    "week": "WEEK",
    "weekly": "WEEK",
    "month": "MONTH",
    "monthly": "MONTH",
    "quarter": "QUARTER",
    "quarterly": "QUARTER",
    "year": "YEAR",
    "yearly": "YEAR",
    "annual": "YEAR",
    "annually": "YEAR",
}
_MARKETPLACE_BY_COUNTRY = {row[1]: row[0] for row in MARKETPLACES}
_CURRENCY_BY_COUNTRY = {row[1]: row[5] for row in MARKETPLACES}
# The locale a country's exports use when the banner does not say (legacy exports never did).
_LOCALE_BY_COUNTRY = {
    "US": "en_US",
    "CA": "en_CA",
    "MX": "es_MX",
    "BR": "pt_BR",
    "GB": "en_GB",
    "IE": "en_IE",
    "DE": "de_DE",
    "FR": "fr_FR",
    "IT": "it_IT",
    "ES": "es_ES",
    "NL": "nl_NL",
    "SE": "sv_SE",
    "PL": "pl_PL",
    "BE": "fr_BE",
    "TR": "tr_TR",
    "AE": "en_AE",
    "SA": "en_AE",
    "EG": "en_AE",
    "IN": "en_IN",
    "SG": "en_SG",
    "AU": "en_AU",
    "JP": "ja_JP",
    "ZA": "en_ZA",
}
_LEGACY_FILE_COUNTRY = re.compile(r"_([A-Z]{2})(?:\.[A-Za-z]+)*$")


@dataclass
class _Banner:
    cells: dict[str, str]  # normalised key -> value
    keys: dict[str, str]  # normalised key -> the key as written (for error messages)
    layout: str = "current"  # current | legacy


@dataclass
class _Meta:
    fact_table: str
    locale: str
    number_format: NumberFormat
    marketplace_id: str
    currency: str | None
    view: str
    program: str
    grain: str
    start: date
    end: date
    updated: date | None
    options: dict[str, Any] = field(default_factory=dict)


def _banner_from(cells: list[Any]) -> _Banner | None:
    found: dict[str, str] = {}
    keys: dict[str, str] = {}
    for cell in cells:
        if not isinstance(cell, str):
            continue
        match = _BANNER_CELL.match(cell.replace("\ufeff", ""))
        if match:
            key = " ".join(match.group(1).lower().split())
            found[key] = match.group(2).strip()
            keys[key] = match.group(1).strip()
    if not found:
        return None
    legacy = "viewing" in found and "viewing range" not in found
    return _Banner(found, keys, "legacy" if legacy else "current")


def _banner_error(name: str, key: str, value: Any, expected: str) -> ParseError:
    return ParseError(RowError(name, 1, key, None if value is None else str(value), expected))


def _read_meta(banner: _Banner, fact_table: str, name: str) -> _Meta:
    cells = banner.cells
    options: dict[str, Any] = {"layout": banner.layout}

    # Marketplace: Countries=[IN]; legacy files name the country only in the file name.
    country_text = cells.get("countries", "").strip().upper()
    if not country_text and banner.layout == "legacy":
        match = _LEGACY_FILE_COUNTRY.search(name.rsplit("/", 1)[-1])
        country_text = match.group(1) if match else ""
        if country_text:
            options["country_from"] = "file name"
    country_text = "GB" if country_text == "UK" else country_text
    marketplace_id = ""
    if country_text:
        if country_text not in _MARKETPLACE_BY_COUNTRY:
            expected = "one Amazon country code like US, GB, DE or IN (export one country per file)"
            raise _banner_error(name, banner.keys.get("countries", "Countries"), country_text, expected)
        marketplace_id = _MARKETPLACE_BY_COUNTRY[country_text]
        options["country"] = country_text

    # Legacy banners had no Locale and wrote the Viewing dates m/d/yy (the reconstructed catalog).
    default_locale = "en_US" if banner.layout == "legacy" else _LOCALE_BY_COUNTRY.get(country_text, "en_US")
    locale = cells.get("locale") or default_locale
    if not re.fullmatch(r"[a-z]{2}([_-][A-Za-z]{2})?", locale):
        raise _banner_error(name, banner.keys.get("locale", "Locale"), locale, "a locale like en_US or en_IN")
    options["locale"] = locale

    currency = cells.get("currency") or _CURRENCY_BY_COUNTRY.get(country_text)
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise _banner_error(name, banner.keys.get("currency", "Currency"), currency, "a currency code like USD")
    if currency:
        options["currencyCode"] = currency

    view = program = ""
    if fact_table in (_SALES, _INVENTORY):
        program_key = "programme" if "programme" in cells else "program"
        program_text = cells.get(program_key)
        program = _PROGRAMS.get((program_text or "").lower(), "")
        if not program or (fact_table == _INVENTORY and program == "BUSINESS"):
            allowed = "Retail or Fresh" if fact_table == _INVENTORY else "Retail, Business or Fresh"
            raise _banner_error(name, banner.keys.get(program_key, "Program"), program_text, f"a Program of {allowed}")
        view_text = cells.get("distributor view")
        view = _VIEWS.get((view_text or "").lower(), "")
        if not view:
            key = banner.keys.get("distributor view", "Distributor View")
            raise _banner_error(name, key, view_text, "a Distributor View of Manufacturing or Sourcing")
        options.update(distributorView=view, sellingProgram=program)
    else:
        # Traffic and net PPM do not depend on view or program (the SP-API reports take neither):
        # keep what the banner said for the record only.
        for key, option in (("distributor view", "bannerDistributorView"), ("program", "bannerProgram")):
            if key in cells:
                options[option] = cells[key]
    view_by = cells.get("view by")
    if view_by is not None and view_by.strip().lower() != "asin":
        expected = "an export with View By=[ASIN] (one row per ASIN)"
        raise _banner_error(name, banner.keys.get("view by", "View By"), view_by, expected)

    range_key = "viewing range" if "viewing range" in cells else "viewing"
    range_text = cells.get(range_key)
    shown_key = banner.keys.get(range_key, "Viewing Range")
    start, end = _viewing_range(range_text, locale, name, shown_key)
    options["viewingRange"] = range_text
    grain_text = cells.get("reporting range", "")
    grain = _RANGES.get(grain_text.strip().lower())
    if grain is None:
        # Custom (or missing): the range itself says which period it is, if it is exactly one.
        grain = next((g for g in GRAINS if period_problem(g, start, end) is None), None)
        if grain is None:
            expected = (
                "a Viewing Range covering exactly one day, week (Sunday to Saturday), month, quarter or year: "
                "facts are stored per period, so download one period per file"
            )
            raise _banner_error(name, shown_key, range_text, expected)
    else:
        problem = period_problem(grain, start, end)
        if problem:
            expected = f"{problem}, as Reporting Range=[{grain_text}] says (download one period per file)"
            raise _banner_error(name, shown_key, range_text, expected)
    options["reportPeriod"] = grain

    updated: date | None = None
    if cells.get("report updated"):
        try:
            updated = parse_date(cells["report updated"], locale)
        except BadValue as exc:
            key = banner.keys.get("report updated", "Report Updated")
            raise _banner_error(name, key, cells["report updated"], exc.expected) from None
    if cells.get("businesses"):
        options["business"] = cells["businesses"]
    return _Meta(
        fact_table=fact_table,
        locale=locale,
        number_format=number_format_for(locale),
        marketplace_id=marketplace_id,
        currency=currency,
        view=view,
        program=program,
        grain=grain,
        start=start,
        end=end,
        updated=updated,
        options=options,
    )


def _viewing_range(text: str | None, locale: str, name: str, key: str) -> tuple[date, date]:
    order = date_order_for(locale)
    example = {"MDY": "7/1/26 - 7/31/26", "DMY": "01/07/26 - 31/07/26", "YMD": "2026/07/01 - 2026/07/31"}[order]
    expected = f"a date range like {example} (dates as locale {locale} writes them)"
    if not text:
        raise _banner_error(name, key, text, expected)
    parts = re.split(r"\s+(?:-|\u2013|\u2014|to)\s+", text.strip())
    if len(parts) != 2:
        raise _banner_error(name, key, text, expected)
    try:
        start, end = parse_date(parts[0], locale), parse_date(parts[1], locale)
    except BadValue:
        raise _banner_error(name, key, text, expected) from None
    if start is None or end is None or end < start:
        raise _banner_error(name, key, text, expected + ", the first date not after the second")
    return start, end


# ---------------------------------------------------------------------------------------------
# Header


@dataclass(frozen=True)
class _Column:
    index: int
    header: str  # as written in the file
    column: str  # fact column
    kind: str


def _choose_table(headers: list[str], name: str, row: int) -> tuple[str, list[_Column], list[str]]:
    """The fact table the header set belongs to, its columns, and the headers that are ignored."""
    by_table: dict[str, list[_Column]] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        if index == 0 or not key or _COMPARISON.search(key):
            continue
        if key.startswith("net ppm") and "(week" in key:
            expected = "one Net PPM column (this export is a weekly pivot: download one period per file)"
            raise ParseError(RowError(name, row, header, None, expected))
        mapped = COLUMNS.get(key)
        if mapped:
            table, fact_column, kind = mapped
            by_table.setdefault(table, []).append(_Column(index, header, fact_column, kind))
    tables = set(by_table)
    # The legacy Sales Diagnostic also carries Glance Views: a sales file with a traffic column is sales.
    if len(tables) > 1:
        tables.discard(_TRAFFIC)
    if not tables:
        expected = "the columns of a Retail Analytics sales, inventory, traffic or net PPM export"
        raise ParseError(RowError(name, row, None, ", ".join(h for h in headers if h)[:200], expected))
    if len(tables) > 1:
        kinds = " and ".join(sorted(REPORT_TYPES[t] for t in tables))
        expected = "the columns of one report per file"
        raise ParseError(RowError(name, row, None, f"columns of {kinds}", expected))
    table = tables.pop()
    columns = by_table[table]
    seen: dict[str, _Column] = {}
    for entry in columns:
        if entry.column in seen:
            expected = f"one column for {entry.column} (also in column {seen[entry.column].header!r})"
            raise ParseError(RowError(name, row, entry.header, None, expected))
        seen[entry.column] = entry
    required, label = REQUIRED[table]
    if required not in seen:
        raise ParseError(RowError(name, row, label, None, f"a {label!r} column in a {REPORT_TYPES[table]} export"))
    used = {c.index for c in columns}
    ignored = [h for i, h in enumerate(headers) if i and i not in used and str(h or "").strip()]
    return table, columns, ignored


# ---------------------------------------------------------------------------------------------
# Rows: both file types produce (row number, cells, cell kinds) where a kind is None, "formula"
# or "percent" (an XLSX number formatted as a percentage, which stores the fraction).

_Row = tuple[int, list[Any], list[str | None] | None]


def _csv_rows(stream: BinaryIO) -> Iterator[_Row]:
    head = stream.read(64 * 1024)
    stream.seek(0)
    encoding = _encoding(head)
    first_line = head.split(b"\n", 1)[0].decode(encoding, "replace")
    delimiter = max((",", ";", "\t"), key=lambda d: first_line.count("]" + d))

    def lines() -> Iterator[str]:
        for number, raw in enumerate(stream):
            text = raw.decode(encoding)
            yield text.lstrip("\ufeff") if number == 0 else text

    for number, cells in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
        yield number, cells, None


def _encoding(head: bytes) -> str:
    """UTF-8 (Amazon's exports, BOM or not); Windows-1252 for a file re-saved by Excel."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _xlsx_rows(stream: BinaryIO, name: str) -> Iterator[_Row]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(RowError(name, None, None, str(exc) or None, "a readable XLSX workbook")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
            values: list[Any] = []
            kinds: list[str | None] = []
            for cell in cells:
                value = getattr(cell, "value", None)
                data_type = getattr(cell, "data_type", None)
                values.append(value)
                if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                    kinds.append("formula")
                elif data_type == "n" and "%" in str(getattr(cell, "number_format", "") or ""):
                    kinds.append("percent")
                else:
                    kinds.append(None)
            yield number, values, kinds
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Parsing


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _parse(rows: Iterator[_Row], name: str) -> ParsedReport:
    banner: _Banner | None = None
    header_row: _Row | None = None
    for number, cells, _kinds in rows:
        if number == 1:
            banner = _banner_from(cells)
            if banner is None:
                expected = (
                    "a Retail Analytics export whose first row is the Key=[Value] banner (Program, Viewing Range)"
                )
                raise ParseError(RowError(name, 1, None, ", ".join(map(_cell_text, cells))[:200], expected))
            continue
        if cells and normalise_header(_cell_text(cells[0])) == "asin":
            header_row = (number, [_cell_text(c) for c in cells], _kinds)
            break
        if number > 20:
            break
    if banner is None or header_row is None:
        expected = "a header row starting with ASIN below the banner"
        raise ParseError(RowError(name, None, "ASIN", None, expected))
    header_number, headers, _ = header_row
    fact_table, columns, ignored = _choose_table(headers, name, header_number)
    meta = _read_meta(banner, fact_table, name)
    meta.options["ignored_columns"] = ignored
    errors: list[RowError] = []
    provided = [*FACT_KEYS[fact_table], *(c.column for c in columns)]
    if fact_table in (_SALES, _INVENTORY):
        provided.insert(len(FACT_KEYS[fact_table]), "currency")
    report = ParsedReport(
        report_type=REPORT_TYPES[fact_table],
        source=SOURCE,
        fact_table=fact_table,
        chunks=iter(()),
        errors=errors,
        marketplace_id=meta.marketplace_id or None,
        vendor_code=None,  # the export names a legal entity (Businesses=[...]), not a vendor code
        data_start=meta.start,
        data_end=meta.end,
        options=meta.options,
        amazon_last_updated=meta.updated,
        provided_columns=provided,
        # The file is the whole picture of its period: re-uploading the same Viewing Range replaces it.
        replaces_window=True,
    )
    report.chunks = _chunks(rows, name, meta, columns, headers, errors)
    return report


class _TooManyErrors(Exception):
    pass


def _chunks(
    rows: Iterator[_Row],
    name: str,
    meta: _Meta,
    columns: list[_Column],
    headers: list[str],
    errors: list[RowError],
) -> Iterator[pd.DataFrame]:
    fmt = meta.number_format
    expected = {kind: text.format(**_examples(fmt)) for kind, text in _EXPECTED.items()}
    data: dict[str, list[Any]] = {"asin": [], **{c.column: [] for c in columns}}
    seen: dict[str, int] = {}

    def error(row: int, column: str | None, value: Any, what: str) -> None:
        if len(errors) >= MAX_ERRORS:
            errors.append(RowError(name, None, None, None, f"at most {MAX_ERRORS} errors: reading stopped here"))
            raise _TooManyErrors
        errors.append(RowError(name, row, column, None if value is None else str(value), what))

    def frame() -> pd.DataFrame:
        constants: dict[str, Any] = {
            "marketplace_id": meta.marketplace_id,
            "vendor_code": "",
            "distributor_view": meta.view,
            "selling_program": meta.program,
            "period_grain": meta.grain,
            "period_start": meta.start,
            "period_end": meta.end,
            "currency": meta.currency,
        }
        return fact_frame(meta.fact_table, {**constants, **data}, len(data["asin"]))

    try:
        for number, cells, kinds in rows:
            if not any(_cell_text(c) for c in cells):
                continue  # blank line (often the last one)
            ok = True
            if kinds:
                for index, kind in enumerate(kinds):
                    if kind == "formula":
                        header = headers[index] if index < len(headers) else None
                        what = "a value, not a formula (paste the values only, or download the export again)"
                        error(number, header, cells[index], what)
                        ok = False
            asin = _cell_text(cells[0]).upper()
            if not _ASIN.match(asin):
                error(number, headers[0], cells[0], "an ASIN like B0B8ZZ22JQ (10 letters and digits)")
                ok = False
            elif asin in seen:
                error(number, headers[0], cells[0], f"each ASIN once (also on row {seen[asin]})")
                ok = False
            values: dict[str, Any] = {}
            for column in columns:
                raw = cells[column.index] if column.index < len(cells) else None
                if kinds and column.index < len(kinds) and kinds[column.index] == "formula":
                    continue
                try:
                    values[column.column] = _convert(column.kind, raw, fmt, kinds, column.index)
                except BadValue:
                    error(number, column.header, raw, expected[column.kind])
                    ok = False
            if not ok:
                continue
            seen[asin] = number
            data["asin"].append(asin)
            for column in columns:
                data[column.column].append(values[column.column])
            if len(data["asin"]) >= CHUNK_ROWS:
                yield frame()
                data = {key: [] for key in data}
    except _TooManyErrors:
        return
    if data["asin"]:
        yield frame()


def _examples(fmt: NumberFormat) -> dict[str, str]:
    return {"money": fmt.example_money, "int": fmt.example_int, "percent": fmt.example_percent}


def _convert(kind: str, raw: Any, fmt: NumberFormat, kinds: list[str | None] | None, index: int) -> Any:
    if is_missing(raw):
        return None
    if kind == _MONEY:
        return parse_money(raw, fmt)
    if kind == _INT:
        return parse_int(raw, fmt)
    if kind == _NUMBER:
        return parse_decimal(raw, fmt)
    is_fraction = bool(kinds and index < len(kinds) and kinds[index] == "percent")
    return parse_percent(raw, fmt, cell_is_fraction=is_fraction)


def parse_csv(stream: BinaryIO, name: str) -> ParsedReport:
    """A Retail Analytics CSV export (UTF-8 with or without BOM)."""
    stream = open_maybe_gzip(stream)
    try:
        return _parse(_csv_rows(stream), name)
    except UnicodeDecodeError as exc:
        raise ParseError(RowError(name, None, None, str(exc), "a UTF-8 text file")) from exc


def parse_xlsx(stream: BinaryIO, name: str) -> ParsedReport:
    """A Retail Analytics XLSX export (first sheet, banner in row 1)."""
    return _parse(_xlsx_rows(open_maybe_gzip(stream), name), name)


# ---------------------------------------------------------------------------------------------
# Detection (from the first bytes only)


def detect_csv(head: bytes) -> bool:
    """A text file whose first line is a Key=[Value] banner and a later line starts with ASIN."""
    if head.startswith(b"PK\x03\x04") or not head.strip():
        return False
    text = head.decode(_encoding(head), "replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not _BANNER_KEYS.search(lines[0]):
        return False
    return any(re.match(r'^\s*"?\ufeff?ASIN"?\s*[,;\t]', line, re.IGNORECASE) for line in lines[1:21])


def detect_xlsx(head: bytes) -> bool:
    """An XLSX whose shared strings (or inline strings of the first sheet) hold the banner and ASIN.

    A detector sees only the file's first bytes, so the zip entries that start inside them are
    inflated as far as they go; a workbook whose strings lie beyond the head is not recognised.
    """
    if not head.startswith(b"PK\x03\x04"):
        return False
    text = " ".join(zip_head_texts(head, ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml")))
    return bool(_BANNER_KEYS.search(text)) and re.search(r">\s*ASIN\s*<", text) is not None


def zip_head_texts(head: bytes, names: tuple[str, ...]) -> list[str]:
    """The (partly) inflated text of the zip entries named `names` that start inside `head`.

    Follows entries written with a data descriptor (sizes after the data) by inflating to the end
    of the deflate stream, so streaming zip writers are handled too.
    """
    texts: list[str] = []
    position = 0
    while position + 30 <= len(head) and head[position : position + 4] == b"PK\x03\x04":
        flags, method = struct.unpack("<HH", head[position + 6 : position + 10])
        (compressed_size,) = struct.unpack("<I", head[position + 18 : position + 22])
        name_length, extra_length = struct.unpack("<HH", head[position + 26 : position + 30])
        entry_name = head[position + 30 : position + 30 + name_length].decode("utf-8", "replace")
        start = position + 30 + name_length + extra_length
        has_descriptor = bool(flags & 0x08)
        if method == 8:
            inflater = zlib.decompressobj(-15)
            data = head[start:] if has_descriptor or not compressed_size else head[start : start + compressed_size]
            try:
                raw = inflater.decompress(data)
            except zlib.error:
                break
            end = len(head) - len(inflater.unused_data) if inflater.eof else None
        else:
            raw = head[start : start + compressed_size]
            end = start + compressed_size if compressed_size else None
        if entry_name in names:
            texts.append(raw.decode("utf-8", "replace"))
        if end is None:
            break
        if has_descriptor:
            end += 16 if head[end : end + 4] == b"PK\x07\x08" else 12
        elif method == 8:
            end = start + compressed_size
        position = end
    return texts


register_format(CSV_FORMAT, detector=detect_csv, parser=parse_csv, priority=60)
register_format(XLSX_FORMAT, detector=detect_xlsx, parser=parse_xlsx, priority=60)
