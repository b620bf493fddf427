"""SP-API vendor report documents (Reports API 2021-06-30): retail analytics, real-time, forecast,
promotion and coupon performance.

A document is detected from its content only: `reportSpecification.reportType` in the first bytes,
or, when the type is missing or null (Amazon's own real-time examples carry `"reportType": null`),
the array keys only that report has (`salesByAsin`, `inventoryAggregate`, `reportData` with
`highlyAvailableInventory`, ...). Gzip is the pipeline's business (magic bytes, never the flag);
`open_maybe_gzip` is applied again here so a parser handed the raw bytes still works.

Documents can hold a million rows, so nothing is `json.load`ed: ijson streams the arrays (its C
backend, in small batches turned into columns by list comprehensions, which is what keeps a
1M-row daily sales document at a few seconds) and chunks of CHUNK_ROWS rows are yielded as
DataFrames with the columns of ingest.parsers.facts. ijson reads non-integers as Decimal, so money
stays exact. Rows that cannot be read become RowErrors (row = the element's index in its array,
column = `<array>.<field>`) and are left out; a document that cannot be read at all (invalid or
truncated JSON or gzip, Amazon's FATAL `{"errorDetails": ...}`) raises ParseError, either from the
parser call or while the chunks are consumed.

Amazon's conventions kept here (NOTES.md section 1): every metric is nullable and null stays None
("not reported"), never 0; the aggregate rows get asin ''; distributor view and selling program
are key columns, never summed; a WEEK runs Sunday to Saturday; rates are fractions already.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any
from typing import BinaryIO

import ijson
import pandas as pd

from ingest.parsers.base import CHUNK_ROWS
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.base import sniff
from ingest.parsers.registry import register_format
from ingest.parsers.values import GRAINS
from ingest.parsers.values import fact_frame
from ingest.parsers.values import period_problem
from planning.marketplaces import MARKETPLACES

SOURCE = "SP_API_REPORT"

SALES = "GET_VENDOR_SALES_REPORT"
INVENTORY = "GET_VENDOR_INVENTORY_REPORT"
TRAFFIC = "GET_VENDOR_TRAFFIC_REPORT"
NET_PPM = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"
FORECAST = "GET_VENDOR_FORECASTING_REPORT"
REALTIME_SALES = "GET_VENDOR_REAL_TIME_SALES_REPORT"
REALTIME_INVENTORY = "GET_VENDOR_REAL_TIME_INVENTORY_REPORT"
REALTIME_TRAFFIC = "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT"
PROMOTION = "GET_PROMOTION_PERFORMANCE_REPORT"
COUPON = "GET_COUPON_PERFORMANCE_REPORT"
REPORT_TYPES = (
    SALES,
    INVENTORY,
    TRAFFIC,
    NET_PPM,
    FORECAST,
    REALTIME_SALES,
    REALTIME_INVENTORY,
    REALTIME_TRAFFIC,
    PROMOTION,
    COUPON,
)
FATAL_FORMAT = "SP_API_REPORT_FATAL"

DISTRIBUTOR_VIEWS = ("MANUFACTURING", "SOURCING")
MAX_ERRORS = 1000
_BATCH = 256  # elements turned into columns at a time: small batches keep the working set in cache

_MARKETPLACE_CURRENCY = {row[0]: row[5] for row in MARKETPLACES}


class _Missing:
    """A required key that is absent (as opposed to present with null)."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
_NONE_TYPE = type(None)


class _StopParsing(Exception):
    """Too many errors: the import will fail anyway, so stop reading."""


# ---------------------------------------------------------------------------------------------
# Detection

_REPORT_TYPE_RE = re.compile(rb'"reportType"\s*:\s*"([A-Za-z0-9_]+)"')
_KEY_HINTS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    (SALES, (b'"salesAggregate"', b'"salesByAsin"')),
    (INVENTORY, (b'"inventoryAggregate"', b'"inventoryByAsin"')),
    (TRAFFIC, (b'"trafficAggregate"', b'"trafficByAsin"')),
    (NET_PPM, (b'"netPureProductMarginAggregate"', b'"netPureProductMarginByAsin"')),
    (FORECAST, (b'"forecastByAsin"',)),
)


def _json_object_head(head: bytes) -> bytes | None:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped if stripped.startswith(b"{") else None


def identify_report_type(head: bytes) -> str | None:
    """Which of our SP-API report types the (gunzipped) first bytes belong to, or None."""
    text = _json_object_head(head)
    if text is None:
        return None
    match = _REPORT_TYPE_RE.search(text)
    if match:
        named = match.group(1).decode()
        return named if named in REPORT_TYPES else None
    for report_type, keys in _KEY_HINTS:
        if any(key in text for key in keys):
            return report_type
    if b'"reportData"' in text:
        if b'"highlyAvailableInventory"' in text:
            return REALTIME_INVENTORY
        if b'"orderedRevenue"' in text or b'"currencyCode"' in text:
            return REALTIME_SALES
        if b'"glanceViews"' in text:
            return REALTIME_TRAFFIC
        return None
    if b'"promotions"' in text and b'"promotionId"' in text:
        return PROMOTION
    if b'"campaigns"' in text and b'"coupons"' in text:
        return COUPON
    return None


_FATAL_RE = re.compile(rb'^\s*\{\s*"errorDetails"\s*:')


def is_fatal_document(head: bytes) -> bool:
    """Amazon's FATAL report document: `{"errorDetails": "..."}` instead of data."""
    text = _json_object_head(head)
    return text is not None and (bool(_FATAL_RE.match(text)) or (b'"errorDetails"' in text and len(text) < 4096))


# ---------------------------------------------------------------------------------------------
# Errors


def _show(value: Any) -> str | None:
    if value is _MISSING:
        return None
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _whole_file_error(name: str, exc: BaseException) -> ParseError:
    message = str(exc).strip() or None
    if isinstance(exc, EOFError):
        expected = "a complete gzip file: it ends early (was the download cut off?)"
    elif isinstance(exc, UnicodeDecodeError):
        expected = "a UTF-8 encoded JSON document"
    elif isinstance(exc, OSError | zlib.error):
        expected = "a readable gzip file (the compressed data is damaged)"
    elif isinstance(exc, ijson.IncompleteJSONError) and "premature EOF" in str(exc):
        expected = "a complete JSON document: it ends early (was the download cut off?)"
    else:
        expected = "a valid JSON document"
    return ParseError(RowError(name, None, None, message, expected))


_READ_ERRORS = (ijson.JSONError, EOFError, OSError, zlib.error, UnicodeDecodeError)


class _Errors:
    """Collects RowErrors into the report's list, and stops the parse after MAX_ERRORS."""

    def __init__(self, name: str, errors: list[RowError]) -> None:
        self.name = name
        self.errors = errors

    def add(self, row: int | None, column: str | None, value: Any, expected: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(
                RowError(self.name, None, None, None, f"at most {MAX_ERRORS} errors: reading stopped here")
            )
            raise _StopParsing
        self.errors.append(RowError(self.name, row, column, _show(value), expected))


# ---------------------------------------------------------------------------------------------
# Value conversion: a fast path over a whole batch, and a slow path per element that says why


class _Bad(Exception):
    def __init__(self, expected: str, column_suffix: str = "", value: Any = _MISSING) -> None:
        super().__init__(expected)
        self.expected = expected
        self.column_suffix = column_suffix
        self.value = value


@dataclass(frozen=True)
class _Field:
    key: str  # the JSON field
    column: str  # the fact column
    kind: str  # amount | int | number | date | datetime | text
    required: bool = False  # the schema requires the key (a null is still allowed for metrics)
    nullable: bool = True  # False for identity fields (asin, dates): a null is an error


class _Converter:
    """Turns JSON values into fact values, with the document-wide state (currency, date cache)."""

    def __init__(self, currency: str | None) -> None:
        self.currency = currency
        self._dates: dict[str, date] = {}
        self._datetimes: dict[str, datetime] = {}

    # -- one value, with the reason when it cannot be read
    def one(self, field: _Field, value: Any) -> Any:
        if value is _MISSING:
            raise _Bad(f"the required field {field.key}")
        if value is None:
            if field.nullable:
                return None
            raise _Bad(f"a value for {field.key} (null is not allowed)", value=None)
        kind = field.kind
        if kind == "int":
            if type(value) is not int:
                raise _Bad("a whole number", value=value)
            return value
        if kind == "number":
            if type(value) is int:
                return Decimal(value)
            if type(value) is not Decimal:
                raise _Bad("a number", value=value)
            return value
        if kind == "amount":
            return self.amount(value)
        if kind == "date":
            return self.date(value)
        if kind == "datetime":
            return self.datetime(value)
        if type(value) is not str or not value.strip():
            raise _Bad("a non-empty text value", value=value)
        return value

    def amount(self, value: Any) -> Decimal | None:
        if type(value) is not dict:
            raise _Bad('an amount object like {"amount": 12.34, "currencyCode": "USD"}', value=value)
        amount = value.get("amount", _MISSING)
        currency = value.get("currencyCode", _MISSING)
        if amount is _MISSING:
            raise _Bad("the required field amount", ".amount")
        if type(currency) is not str:
            raise _Bad("a currency code like USD", ".currencyCode", currency)
        if amount is not None and type(amount) is not Decimal:
            if type(amount) is not int:
                raise _Bad("a number", ".amount", amount)
            amount = Decimal(amount)
        if self.currency is None:
            self.currency = currency
        elif currency != self.currency:
            raise _Bad(f"{self.currency}, the currency of the rest of the document", ".currencyCode", currency)
        return amount

    def date(self, value: Any) -> date:
        cached = self._dates.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        if type(value) is not str:
            raise _Bad("a date like 2024-06-30", value=value)
        try:
            parsed = date.fromisoformat(value[:10]) if len(value) == 10 or value[10:11] == "T" else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise _Bad("a date like 2024-06-30", value=value)
        self._dates[value] = parsed
        return parsed

    def datetime(self, value: Any) -> datetime:
        cached = self._datetimes.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        expected = "a UTC date-time like 2024-06-30T20:00:00Z"
        if type(value) is not str:
            raise _Bad(expected, value=value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(expected, value=value) from None
        if parsed.tzinfo is None:
            raise _Bad(expected + " (with its time zone)", value=value)
        parsed = parsed.astimezone(UTC)
        self._datetimes[value] = parsed
        return parsed

    # -- a whole batch at C speed; None means "some value is off: take the slow path"
    def batch(self, field: _Field, values: list[Any]) -> list[Any] | None:
        kind = field.kind
        types = set(map(type, values))
        has_none = _NONE_TYPE in types
        if has_none and not field.nullable:
            return None
        types.discard(_NONE_TYPE)
        if kind == "int":
            return values if types <= {int} else None
        if kind == "number":
            if not types <= {int, Decimal}:
                return None
            return [Decimal(v) if type(v) is int else v for v in values] if int in types else values
        if kind == "amount":
            if not types <= {dict}:
                return None
            try:
                amounts = [None if o is None else o["amount"] for o in values]
                currencies = {o["currencyCode"] for o in values if o is not None}
            except KeyError:
                return None
            if currencies:
                if self.currency is None and len(currencies) == 1:
                    self.currency = next(iter(currencies))
                if currencies != {self.currency}:
                    return None
            amount_types = set(map(type, amounts))
            amount_types.discard(_NONE_TYPE)
            if not amount_types <= {int, Decimal}:
                return None
            return [Decimal(v) if type(v) is int else v for v in amounts] if int in amount_types else amounts
        if kind in ("date", "datetime"):
            if not types <= {str}:
                return None
            convert = self.date if kind == "date" else self.datetime
            cache: dict[str, Any] = self._dates if kind == "date" else self._datetimes
            if len(cache) > 100_000:  # bounded memory whatever the document holds
                cache.clear()
            try:
                for text in set(values).difference(cache):
                    if text is not None:
                        convert(text)  # fills the cache
            except _Bad:
                return None
            if has_none:
                return [None if v is None else cache[v] for v in values]
            return list(map(cache.__getitem__, values))
        if not types <= {str} or "" in values:
            return None
        return values


@dataclass(frozen=True)
class _Array:
    name: str  # the JSON key of the array
    fields: tuple[_Field, ...]
    small: bool  # read whole (aggregate arrays: one element per period), so the pass can stop early
    constants: tuple[tuple[str, Any], ...] = ()  # columns that are the same on every row (asin '')


class _ArrayReader:
    """Reads one array of flat elements into fact columns, batch by batch."""

    def __init__(
        self,
        array: _Array,
        converter: _Converter,
        errors: _Errors,
        grain: str | None,
    ) -> None:
        self.array = array
        self.converter = converter
        self.errors = errors
        self.grain = grain
        self._periods: dict[tuple[date, date], str | None] = {}
        self._getters: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = {}

    def read(self, rows: list[Any], offset: int) -> dict[str, list[Any]]:
        array = self.array
        bad: set[int] = set()
        if set(map(type, rows)) != {dict}:
            for i, row in enumerate(rows):
                if type(row) is not dict:
                    self.errors.add(offset + i, array.name, row, "an object with the report's fields")
                    bad.add(i)
            rows = [row if type(row) is dict else {} for row in rows]
        out: dict[str, list[Any]] = {}
        gathered = self._gather(rows)
        for field in array.fields:
            values = gathered.get(field.key)
            if values is None:
                default = _MISSING if field.required else None
                values = [row.get(field.key, default) for row in rows]
            converted = self.converter.batch(field, values)
            if converted is None:
                converted = self._slow(field, values, offset, bad)
            out[field.column] = converted
        if self.grain is not None and "period_start" in out:
            self._check_periods(out, offset, bad)
        if bad:
            keep = [i for i in range(len(rows)) if i not in bad]
            out = {column: [values[i] for i in keep] for column, values in out.items()}
        return out

    def _gather(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Every field present in the first row, read from all rows in one pass (C speed).

        A row that lacks one of them raises KeyError: the fields are then read one by one.
        """
        keys = tuple(field.key for field in self.array.fields if field.key in rows[0]) if rows else ()
        if len(keys) < 2:
            return {}
        getter = self._getters.get(keys)
        if getter is None:
            getter = self._getters[keys] = itemgetter(*keys)
        try:
            return dict(zip(keys, zip(*map(getter, rows), strict=True), strict=True))
        except KeyError:
            return {}

    def _slow(self, field: _Field, values: list[Any], offset: int, bad: set[int]) -> list[Any]:
        converted: list[Any] = []
        for i, value in enumerate(values):
            try:
                converted.append(self.converter.one(field, value))
            except _Bad as exc:
                column = f"{self.array.name}.{field.key}{exc.column_suffix}"
                self.errors.add(offset + i, column, exc.value if exc.value is not _MISSING else value, exc.expected)
                bad.add(i)
                converted.append(None)
        return converted

    def _check_periods(self, out: dict[str, list[Any]], offset: int, bad: set[int]) -> None:
        assert self.grain is not None
        starts, ends = out["period_start"], out["period_end"]
        problems = self._periods
        pairs = set(zip(starts, ends, strict=True))
        for pair in pairs.difference(problems):
            if None not in pair:
                problems[pair] = period_problem(self.grain, *pair)
        if not any(problems.get(pair) for pair in pairs):
            return
        for i, pair in enumerate(zip(starts, ends, strict=True)):
            problem = problems.get(pair)
            if problem and i not in bad:
                value = f"{pair[0].isoformat()} to {pair[1].isoformat()}"
                self.errors.add(offset + i, f"{self.array.name}.startDate", value, problem)
                bad.add(i)


# ---------------------------------------------------------------------------------------------
# Report descriptions

_DATES = (
    _Field("startDate", "period_start", "date", required=True, nullable=False),
    _Field("endDate", "period_end", "date", required=True, nullable=False),
)
_ASIN = _Field("asin", "asin", "text", required=True, nullable=False)


def _retail_arrays(prefix: str, aggregate: tuple[_Field, ...], by_asin: tuple[_Field, ...]) -> tuple[_Array, ...]:
    return (
        _Array(f"{prefix}Aggregate", (*_DATES, *aggregate), small=True, constants=(("asin", ""),)),
        _Array(f"{prefix}ByAsin", (*_DATES, _ASIN, *by_asin), small=False),
    )


_SALES_FIELDS = (
    _Field("orderedRevenue", "ordered_revenue", "amount"),
    _Field("orderedUnits", "ordered_units", "int"),
    _Field("shippedCogs", "shipped_cogs", "amount", required=True),
    _Field("shippedRevenue", "shipped_revenue", "amount", required=True),
    _Field("shippedUnits", "shipped_units", "int", required=True),
    _Field("customerReturns", "customer_returns", "int"),
)

_INVENTORY_BOTH = (
    _Field("netReceivedInventoryCost", "net_received_inventory_cost", "amount", required=True),
    _Field("netReceivedInventoryUnits", "net_received_inventory_units", "int", required=True),
    _Field("openPurchaseOrderUnits", "open_purchase_order_units", "int", required=True),
    _Field("averageVendorLeadTimeDays", "average_vendor_lead_time_days", "number"),
    _Field("sellThroughRate", "sell_through_rate", "number"),
    _Field("unfilledCustomerOrderedUnits", "unfilled_customer_ordered_units", "int"),
    _Field("sellableOnHandInventoryCost", "sellable_on_hand_inventory_cost", "amount", required=True),
    _Field("sellableOnHandInventoryUnits", "sellable_on_hand_inventory_units", "int", required=True),
    _Field("unsellableOnHandInventoryCost", "unsellable_on_hand_inventory_cost", "amount"),
    _Field("unsellableOnHandInventoryUnits", "unsellable_on_hand_inventory_units", "int"),
    _Field("aged90PlusDaysSellableInventoryCost", "aged_90_plus_days_sellable_inventory_cost", "amount"),
    _Field("aged90PlusDaysSellableInventoryUnits", "aged_90_plus_days_sellable_inventory_units", "int"),
    _Field("unhealthyInventoryCost", "unhealthy_inventory_cost", "amount"),
    _Field("unhealthyInventoryUnits", "unhealthy_inventory_units", "int"),
    _Field("vendorConfirmationRate", "vendor_confirmation_rate", "number"),
    # Aggregate-only per the schema, but real ASIN-level output carries them too, as null (#647).
    _Field("procurableProductOutOfStockRate", "procurable_product_out_of_stock_rate", "number"),
    _Field("sourceableProductOutOfStockRate", "sourceable_product_out_of_stock_rate", "number"),
    _Field("uft", "uft", "number"),
    _Field("receiveFillRate", "receive_fill_rate", "number"),
)


@dataclass(frozen=True)
class _FlatReport:
    report_type: str
    fact_table: str
    arrays: tuple[_Array, ...]
    options: tuple[str, ...]  # reportOptions the document must carry
    programs: tuple[str, ...] = ()  # allowed sellingProgram values
    family: str = "retail"  # retail | forecast | realtime


_FLAT_REPORTS: dict[str, _FlatReport] = {
    SALES: _FlatReport(
        SALES,
        "retail_sales",
        _retail_arrays("sales", _SALES_FIELDS, _SALES_FIELDS),
        ("distributorView", "reportPeriod", "sellingProgram"),
        ("RETAIL", "BUSINESS", "FRESH"),
    ),
    INVENTORY: _FlatReport(
        INVENTORY,
        "retail_inventory",
        _retail_arrays("inventory", _INVENTORY_BOTH, _INVENTORY_BOTH),
        ("distributorView", "reportPeriod", "sellingProgram"),
        ("RETAIL", "FRESH"),
    ),
    TRAFFIC: _FlatReport(
        TRAFFIC,
        "retail_traffic",
        _retail_arrays(
            "traffic",
            (_Field("glanceViews", "glance_views", "int", required=True),),
            (_Field("glanceViews", "glance_views", "int", required=True),),
        ),
        ("reportPeriod",),
    ),
    NET_PPM: _FlatReport(
        NET_PPM,
        "retail_net_ppm",
        _retail_arrays(
            "netPureProductMargin",
            (_Field("netPureProductMargin", "net_pure_product_margin", "number", required=True),),
            (_Field("netPureProductMargin", "net_pure_product_margin", "number", required=True),),
        ),
        ("reportPeriod",),
    ),
    FORECAST: _FlatReport(
        FORECAST,
        "retail_forecast",
        (
            _Array(
                "forecastByAsin",
                (
                    _Field("forecastGenerationDate", "forecast_generation_date", "date", True, False),
                    _ASIN,
                    *_DATES,
                    _Field("meanForecastUnits", "mean_forecast_units", "number", required=True),
                    _Field("p70ForecastUnits", "p70_forecast_units", "number", required=True),
                    _Field("p80ForecastUnits", "p80_forecast_units", "number", required=True),
                    _Field("p90ForecastUnits", "p90_forecast_units", "number", required=True),
                ),
                small=False,
            ),
        ),
        ("sellingProgram",),
        ("RETAIL", "FRESH"),
        family="forecast",
    ),
}

_HOUR = (
    _Field("startTime", "start_time", "datetime", required=True, nullable=False),
    _Field("endTime", "end_time", "datetime", required=True, nullable=False),
    _ASIN,
)
for _type, _table, _metrics, _options in (
    (
        REALTIME_SALES,
        "realtime_sales",
        (
            _Field("orderedUnits", "ordered_units", "int", required=True),
            # A plain number, not an Amount: the currency is reportOptions.currencyCode.
            _Field("orderedRevenue", "ordered_revenue", "number", required=True),
        ),
        ("currencyCode",),
    ),
    (
        REALTIME_INVENTORY,
        "realtime_inventory",
        (_Field("highlyAvailableInventory", "highly_available_inventory", "int", required=True),),
        (),
    ),
    (REALTIME_TRAFFIC, "realtime_traffic", (_Field("glanceViews", "glance_views", "int", required=True),), ()),
):
    _FLAT_REPORTS[_type] = _FlatReport(
        _type, _table, (_Array("reportData", (*_HOUR, *_metrics), small=False),), _options, family="realtime"
    )


# ---------------------------------------------------------------------------------------------
# Reading the document


def _first_item(stream: BinaryIO, prefix: str, name: str) -> Any:
    """The first value at `prefix` (stops reading as soon as it is complete), or _MISSING."""
    stream.seek(0)
    try:
        for item in ijson.items(stream, prefix):
            return item
    except _READ_ERRORS as exc:
        raise _whole_file_error(name, exc) from exc
    return _MISSING


def _spec_error(name: str, column: str, value: Any, expected: str) -> ParseError:
    return ParseError(RowError(name, None, column, _show(value), expected))


def _read_specification(stream: BinaryIO, name: str, report_type: str) -> dict[str, Any]:
    spec = _first_item(stream, "reportSpecification", name)
    if spec is _MISSING:
        details = _first_item(stream, "errorDetails", name)
        if details is not _MISSING:
            raise _fatal_error(name, details)
        raise _spec_error(name, "reportSpecification", None, "an SP-API report document with a reportSpecification")
    if type(spec) is not dict:
        raise _spec_error(name, "reportSpecification", spec, "an object")
    named = spec.get("reportType")
    if named is not None and named != report_type:
        raise _spec_error(name, "reportSpecification.reportType", named, report_type)
    options = spec.get("reportOptions", {})
    if type(options) is not dict:
        # Passing reportOptions as a list is a known cause of FATAL reports (python-amazon-sp-api#624).
        raise _spec_error(name, "reportSpecification.reportOptions", options, "an object of report options")
    return spec


def _fatal_error(name: str, details: Any) -> ParseError:
    message = details if isinstance(details, str) else _show(details)
    return ParseError(
        RowError(
            name,
            None,
            "errorDetails",
            message,
            "a report document with data: Amazon marked this report FATAL "
            "(common causes: period dates not on period boundaries, a DAY range over 15 days, "
            "no access to the Sourcing view or the Business program)",
        )
    )


def _marketplace(spec: dict[str, Any], name: str) -> str:
    ids = spec.get("marketplaceIds")
    if type(ids) is not list or len(ids) != 1 or type(ids[0]) is not str or not ids[0]:
        raise _spec_error(name, "reportSpecification.marketplaceIds", ids, "a list with exactly one marketplace id")
    return str(ids[0])


def _spec_date(spec: dict[str, Any], key: str, name: str, required: bool) -> date | None:
    value = spec.get(key)
    if value is None:
        if required:
            raise _spec_error(name, f"reportSpecification.{key}", None, "a date like 2024-06-30")
        return None
    if type(value) is not str:
        raise _spec_error(name, f"reportSpecification.{key}", value, "a date like 2024-06-30")
    try:
        # Dates or date-times: the time part is ignored (NOTES.md section 1).
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _spec_error(name, f"reportSpecification.{key}", value, "a date like 2024-06-30") from None


def _option(options: dict[str, Any], key: str, allowed: tuple[str, ...], name: str) -> str:
    value = options.get(key)
    if value not in allowed:
        raise _spec_error(name, f"reportSpecification.reportOptions.{key}", value, "one of " + ", ".join(allowed))
    return str(value)


_CURRENCY_RE = re.compile(rb'"currencyCode"\s*:\s*"([A-Z]{3})"')


def _parse_flat(report: _FlatReport, raw: BinaryIO, name: str) -> ParsedReport:
    stream = open_maybe_gzip(raw)
    try:
        head = sniff(stream)
    except _READ_ERRORS as exc:
        raise _whole_file_error(name, exc) from exc
    spec = _read_specification(stream, name, report.report_type)
    options = spec.get("reportOptions") or {}
    marketplace_id = _marketplace(spec, name)
    parsed_options: dict[str, Any] = {}
    constants: dict[str, Any] = {"marketplace_id": marketplace_id, "vendor_code": ""}
    grain: str | None = None
    if report.family == "retail":
        grain = _option(options, "reportPeriod", GRAINS, name)
        parsed_options["reportPeriod"] = grain
        view = program = ""
        if "distributorView" in report.options:
            view = _option(options, "distributorView", DISTRIBUTOR_VIEWS, name)
            parsed_options["distributorView"] = view
        if "sellingProgram" in report.options:
            program = _option(options, "sellingProgram", report.programs, name)
            parsed_options["sellingProgram"] = program
        constants.update(distributor_view=view, selling_program=program, period_grain=grain)
    elif report.family == "forecast":
        program = _option(options, "sellingProgram", report.programs, name)
        parsed_options["sellingProgram"] = program
        constants["selling_program"] = program

    currency: str | None = None
    if report.family == "realtime":
        if "currencyCode" in report.options:
            currency = options.get("currencyCode")
            if type(currency) is not str or not re.fullmatch(r"[A-Z]{3}", currency):
                raise _spec_error(
                    name, "reportSpecification.reportOptions.currencyCode", currency, "a currency code like USD"
                )
            parsed_options["currencyCode"] = currency
            constants["currency"] = currency
    elif report.fact_table in ("retail_sales", "retail_inventory"):
        # The document's currency: the first Amount's, else the marketplace's. Every Amount must match.
        match = _CURRENCY_RE.search(head)
        currency = match.group(1).decode() if match else _MARKETPLACE_CURRENCY.get(marketplace_id)
        if currency:
            parsed_options["currencyCode"] = currency

    if report.family in ("realtime", "retail"):
        data_start = _spec_date(spec, "dataStartTime", name, required=True)
        data_end = _spec_date(spec, "dataEndTime", name, required=True)
    else:
        data_start, data_end = _forecast_window(stream, name)
    errors: list[RowError] = []
    parsed = ParsedReport(
        report_type=report.report_type,
        source=SOURCE,
        fact_table=report.fact_table,
        chunks=iter(()),
        errors=errors,
        marketplace_id=marketplace_id,
        vendor_code=None,  # the retail documents do not name the vendor code (NOTES.md section 1)
        data_start=data_start,
        data_end=data_end,
        options=parsed_options,
        amazon_last_updated=_spec_date(spec, "lastUpdatedDate", name, required=False),
        # A retail period report is the complete picture of its window: restatements replace.
        replaces_window=report.family == "retail",
    )
    converter = _Converter(currency)
    parsed.chunks = _flat_chunks(report, stream, name, converter, _Errors(name, errors), constants, grain, parsed)
    return parsed


def _forecast_window(stream: BinaryIO, name: str) -> tuple[date | None, date | None]:
    """The forecast's first and last week: the document has no dataStartTime/dataEndTime."""
    bounds: list[date | None] = []
    for key, pick in (("startDate", min), ("endDate", max)):
        stream.seek(0)
        try:
            texts = {v for v in ijson.items(stream, f"forecastByAsin.item.{key}") if type(v) is str}
        except _READ_ERRORS as exc:
            raise _whole_file_error(name, exc) from exc
        days = []
        for text in texts:
            try:
                days.append(date.fromisoformat(text[:10]))
            except ValueError:
                continue  # that row is reported while the chunks are read
        bounds.append(pick(days) if days else None)
    return bounds[0], bounds[1]


def _batched(items: Iterator[Any]) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, _BATCH)):
        yield batch


def _flat_chunks(
    report: _FlatReport,
    stream: BinaryIO,
    name: str,
    converter: _Converter,
    errors: _Errors,
    constants: dict[str, Any],
    grain: str | None,
    parsed: ParsedReport,
) -> Iterator[pd.DataFrame]:
    columns: dict[str, list[Any]] = {}
    length = 0

    def frame() -> pd.DataFrame:
        values: dict[str, Any] = dict(constants)
        values.update(columns)
        if "currency" not in values and converter.currency:
            values["currency"] = converter.currency
            parsed.options.setdefault("currencyCode", converter.currency)
        return fact_frame(report.fact_table, values, length)

    def add(batch: dict[str, list[Any]], batch_constants: tuple[tuple[str, Any], ...]) -> None:
        nonlocal length
        n = len(next(iter(batch.values()))) if batch else 0
        for column, value in batch_constants:
            batch[column] = [value] * n
        for column, values in batch.items():
            columns.setdefault(column, []).extend(values)
        length += n

    try:
        for array in report.arrays:
            reader = _ArrayReader(array, converter, errors, grain)
            stream.seek(0)
            if array.small:
                whole = next(iter(ijson.items(stream, array.name)), _MISSING)
                if whole is _MISSING:
                    errors.add(None, array.name, None, f"the required array {array.name}")
                    continue
                if type(whole) is not list:
                    errors.add(None, array.name, whole, "an array")
                    continue
                batches: Iterator[list[Any]] = (whole[i : i + _BATCH] for i in range(0, len(whole), _BATCH))
            else:
                batches = _batched(ijson.items(stream, array.name + ".item"))
            offset = 0
            for rows in batches:
                add(reader.read(rows, offset), array.constants)
                offset += len(rows)
                if length >= CHUNK_ROWS:
                    yield frame()
                    columns, length = {}, 0
    except _StopParsing:
        return
    except _READ_ERRORS as exc:
        raise _whole_file_error(name, exc) from exc
    if length:
        yield frame()


# ---------------------------------------------------------------------------------------------
# Promotion and coupon performance: nested, small documents, read object by object


class _ObjectReader:
    """Reads fields of one nested object, recording a RowError for each field that is off."""

    def __init__(self, converter: _Converter, errors: _Errors, row: int, path: str) -> None:
        self.converter = converter
        self.errors = errors
        self.row = row
        self.path = path
        self.ok = True

    def get(self, obj: dict[str, Any], key: str, kind: str, required: bool = False, nullable: bool = True) -> Any:
        value = obj.get(key, _MISSING) if required else obj.get(key)
        try:
            return self.converter.one(_Field(key, key, kind, required, nullable), value)
        except _Bad as exc:
            shown = exc.value if exc.value is not _MISSING else value
            self.errors.add(self.row, f"{self.path}.{key}", shown, exc.expected)
            self.ok = False
            return None

    def require(self, obj: dict[str, Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in obj:
                self.errors.add(self.row, f"{self.path}.{key}", _MISSING, f"the required field {key}")
                self.ok = False

    def currency(self, obj: dict[str, Any], key: str, required: bool) -> None:
        """A separate currency field (promotions write money as a number plus a currency code)."""
        value = obj.get(key)
        if value is None:
            if required:
                self.errors.add(self.row, f"{self.path}.{key}", _MISSING, f"the required field {key}")
                self.ok = False
            return
        if self.converter.currency is None:
            self.converter.currency = value
        if value != self.converter.currency:
            expected = f"{self.converter.currency}, the currency of the rest of the document"
            self.errors.add(self.row, f"{self.path}.{key}", value, expected)
            self.ok = False


@dataclass(frozen=True)
class _NestedReport:
    report_type: str
    fact_table: str
    array: str
    window: tuple[str, str]  # reportOptions giving the window of start dates the report covers
    rows: Callable[[Any, _ObjectReader, int], list[dict[str, Any]]]


_PROMOTION_REQUIRED = (
    "promotionId",
    "promotionName",
    "unitsSold",
    "revenue",
    "revenueCurrencyCode",
    "startDateTime",
    "endDateTime",
    "type",
    "status",
    "creationChannel",
    "marketplaceId",
    "createdDateTime",
    "lastUpdatedDateTime",
    "includedProducts",
)
_PRODUCT_REQUIRED = ("asin", "productName", "productUnitsSold", "productRevenue", "productRevenueCurrencyCode")


def _promotion_rows(promotion: Any, reader: _ObjectReader, index: int) -> list[dict[str, Any]]:
    if type(promotion) is not dict:
        reader.errors.add(index, "promotions", promotion, "a promotion object")
        return []
    reader.require(promotion, _PROMOTION_REQUIRED)
    g = reader.get
    shared = {
        "marketplace_id": g(promotion, "marketplaceId", "text", True, False),
        "vendor_code": promotion.get("vendorCode") if type(promotion.get("vendorCode")) is str else "",
        "promotion_id": g(promotion, "promotionId", "text", True, False),
        "promotion_name": g(promotion, "promotionName", "text", True),
        "funding_agreement_id": g(promotion, "fundingAgreementId", "text"),
        "promotion_type": g(promotion, "type", "text", True),
        "status": g(promotion, "status", "text", True),
        "creation_channel": g(promotion, "creationChannel", "text", True),
        "start_at": g(promotion, "startDateTime", "datetime", True),
        "end_at": g(promotion, "endDateTime", "datetime", True),
        "created_at_amazon": g(promotion, "createdDateTime", "datetime", True),
        "last_updated_at": g(promotion, "lastUpdatedDateTime", "datetime", True),
    }
    reader.currency(promotion, "revenueCurrencyCode", required=True)
    reader.currency(promotion, "amountSpentCurrencyCode", required=False)
    rows = [
        {
            **shared,
            "asin": "",
            "product_name": None,
            "units_sold": g(promotion, "unitsSold", "int", True),
            "revenue": g(promotion, "revenue", "number", True),
            "amount_spent": g(promotion, "amountSpent", "number"),
            "glance_views": g(promotion, "glanceViews", "int"),
        }
    ]
    products = promotion.get("includedProducts")
    if products is not None and type(products) is not list:
        reader.errors.add(index, "promotions.includedProducts", products, "an array of products")
        reader.ok = False
        products = []
    seen: set[str] = set()
    for j, product in enumerate(products or []):
        path = reader.path
        reader.path = f"promotions.includedProducts[{j}]"
        try:
            if type(product) is not dict:
                reader.errors.add(index, reader.path, product, "a product object")
                reader.ok = False
                continue
            reader.require(product, _PRODUCT_REQUIRED)
            asin = g(product, "asin", "text", True, False)
            if asin in seen:
                reader.errors.add(index, f"{reader.path}.asin", asin, "each ASIN once per promotion")
                reader.ok = False
            seen.add(asin)
            reader.currency(product, "productRevenueCurrencyCode", required=True)
            reader.currency(product, "productAmountSpentCurrencyCode", required=False)
            rows.append(
                {
                    **shared,
                    "asin": asin,
                    "product_name": g(product, "productName", "text", True),
                    "units_sold": g(product, "productUnitsSold", "int", True),
                    "revenue": g(product, "productRevenue", "number", True),
                    "amount_spent": g(product, "productAmountSpent", "number"),
                    "glance_views": g(product, "productGlanceViews", "int"),
                }
            )
        finally:
            reader.path = path
    currency = reader.converter.currency
    for row in rows:
        row["currency"] = currency
    return rows


_CAMPAIGN_REQUIRED = (
    "campaignId",
    "campaignName",
    "vendorCode",
    "marketplaceId",
    "creationDateTime",
    "lastUpdatedDateTime",
    "isSubscribeAndSave",
    "budgetType",
    "totalClips",
    "totalRedemptions",
    "coupons",
)
_COUPON_REQUIRED = (
    "couponId",
    "startDateTime",
    "endDateTime",
    "isOncePerCustomer",
    "customerSegment",
    "clips",
    "redemptions",
    "totalDiscount",
    "budgetSpent",
    "budgetPercentageUsed",
    "asins",
)


def _coupon_rows(campaign: Any, reader: _ObjectReader, index: int) -> list[dict[str, Any]]:
    if type(campaign) is not dict:
        reader.errors.add(index, "campaigns", campaign, "a campaign object")
        return []
    reader.require(campaign, _CAMPAIGN_REQUIRED)
    g = reader.get
    marketplace_id = g(campaign, "marketplaceId", "text", True, False)
    currency = campaign.get("currencyCode")
    if currency is None:
        # currencyCode is optional in the schema; money is in the marketplace's currency.
        currency = _MARKETPLACE_CURRENCY.get(marketplace_id or "")
        if currency is None:
            reader.errors.add(index, "campaigns.currencyCode", None, "a currency code (the marketplace is unknown)")
            reader.ok = False
    else:
        reader.currency(campaign, "currencyCode", required=True)
    shared = {
        "marketplace_id": marketplace_id,
        "vendor_code": g(campaign, "vendorCode", "text", True),
        "campaign_id": g(campaign, "campaignId", "text", True, False),
        "campaign_name": g(campaign, "campaignName", "text", True),
        "budget_type": g(campaign, "budgetType", "text", True),
        "currency": currency,
        "campaign_total_budget": g(campaign, "totalBudget", "number"),
    }
    g(campaign, "totalClips", "int", True)
    g(campaign, "totalRedemptions", "int", True)
    coupons = campaign.get("coupons")
    if coupons is not None and type(coupons) is not list:
        reader.errors.add(index, "campaigns.coupons", coupons, "an array of coupons")
        reader.ok = False
        coupons = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for j, coupon in enumerate(coupons or []):
        path = reader.path
        reader.path = f"campaigns.coupons[{j}]"
        try:
            if type(coupon) is not dict:
                reader.errors.add(index, reader.path, coupon, "a coupon object")
                reader.ok = False
                continue
            reader.require(coupon, _COUPON_REQUIRED)
            coupon_id = g(coupon, "couponId", "text", True, False)
            if coupon_id in seen:
                reader.errors.add(index, f"{reader.path}.couponId", coupon_id, "each coupon once per campaign")
                reader.ok = False
            seen.add(coupon_id)
            used = g(coupon, "budgetPercentageUsed", "number", True)
            rows.append(
                {
                    **shared,
                    "coupon_id": coupon_id,
                    "start_at": g(coupon, "startDateTime", "datetime", True),
                    "end_at": g(coupon, "endDateTime", "datetime", True),
                    "clips": g(coupon, "clips", "int", True),
                    "redemptions": g(coupon, "redemptions", "int", True),
                    "budget": g(coupon, "budget", "number"),
                    "budget_spent": g(coupon, "budgetSpent", "number", True),
                    "total_discount": g(coupon, "totalDiscount", "number", True),
                    # Percentage points (0-100), whatever NOTES.md says: in Amazon's own examples
                    # 42.29 spent of 10,000 is 0.4, and 87.15 of a 5,000 shared budget is 1.7.
                    "budget_percentage_used": None if used is None else used / 100,
                }
            )
        finally:
            reader.path = path
    return rows


_NESTED_REPORTS = {
    PROMOTION: _NestedReport(
        PROMOTION, "promotion_result", "promotions", ("promotionStartDateFrom", "promotionStartDateTo"), _promotion_rows
    ),
    COUPON: _NestedReport(
        COUPON, "coupon_result", "campaigns", ("campaignStartDateFrom", "campaignStartDateTo"), _coupon_rows
    ),
}


def _parse_nested(report: _NestedReport, raw: BinaryIO, name: str) -> ParsedReport:
    stream = open_maybe_gzip(raw)
    spec = _read_specification(stream, name, report.report_type)
    options = spec.get("reportOptions") or {}
    marketplace_id = _marketplace(spec, name)
    # The document names the vendor code on each promotion or campaign: one code for the whole file
    # is the file's vendor code; several (or none) leave it to each row.
    codes: set[str] = set()
    stream.seek(0)
    try:
        for code in ijson.items(stream, f"{report.array}.item.vendorCode"):
            if type(code) is str and code:
                codes.add(code)
    except _READ_ERRORS as exc:
        raise _whole_file_error(name, exc) from exc
    errors: list[RowError] = []
    parsed = ParsedReport(
        report_type=report.report_type,
        source=SOURCE,
        fact_table=report.fact_table,
        chunks=iter(()),
        errors=errors,
        marketplace_id=marketplace_id,
        vendor_code=next(iter(codes)) if len(codes) == 1 else None,
        data_start=_spec_date(options, report.window[0], name, required=False),
        data_end=_spec_date(options, report.window[1], name, required=False),
        options={key: options[key] for key in report.window if key in options},
        amazon_last_updated=_spec_date(spec, "lastUpdatedDate", name, required=False),
        replaces_window=False,
    )
    parsed.chunks = _nested_chunks(report, stream, name, _Errors(name, errors), parsed)
    return parsed


def _nested_chunks(
    report: _NestedReport, stream: BinaryIO, name: str, errors: _Errors, parsed: ParsedReport
) -> Iterator[pd.DataFrame]:
    converter = _Converter(None)
    rows: list[dict[str, Any]] = []
    stream.seek(0)
    try:
        for index, item in enumerate(ijson.items(stream, f"{report.array}.item")):
            reader = _ObjectReader(converter, errors, index, report.array)
            item_rows = report.rows(item, reader, index)
            if reader.ok:
                rows.extend(item_rows)
            if len(rows) >= CHUNK_ROWS:
                yield _rows_frame(report.fact_table, rows)
                rows = []
    except _StopParsing:
        return
    except _READ_ERRORS as exc:
        raise _whole_file_error(name, exc) from exc
    if converter.currency:
        parsed.options.setdefault("currencyCode", converter.currency)
    if rows:
        yield _rows_frame(report.fact_table, rows)


def _rows_frame(fact_table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = {column: [row.get(column) for row in rows] for column in rows[0]}
    return fact_frame(fact_table, columns, len(rows))


# ---------------------------------------------------------------------------------------------
# FATAL documents and registration


def _parse_fatal(raw: BinaryIO, name: str) -> ParsedReport:
    stream = open_maybe_gzip(raw)
    details = _first_item(stream, "errorDetails", name)
    raise _fatal_error(name, details if details is not _MISSING else None)


def parse(report_type: str, stream: BinaryIO, name: str) -> ParsedReport:
    """Parse an SP-API report document of `report_type` (one of REPORT_TYPES)."""
    if report_type in _NESTED_REPORTS:
        return _parse_nested(_NESTED_REPORTS[report_type], stream, name)
    return _parse_flat(_FLAT_REPORTS[report_type], stream, name)


def _detector(report_type: str) -> Callable[[bytes], bool]:
    def detect(head: bytes) -> bool:
        return identify_report_type(head) == report_type

    return detect


def _parser(report_type: str) -> Callable[[BinaryIO, str], ParsedReport]:
    def parse_report(stream: BinaryIO, name: str) -> ParsedReport:
        return parse(report_type, stream, name)

    return parse_report


for _report_type in REPORT_TYPES:
    register_format(_report_type, detector=_detector(_report_type), parser=_parser(_report_type), priority=50)
register_format(FATAL_FORMAT, detector=is_fatal_document, parser=_parse_fatal, priority=40)
