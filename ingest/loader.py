# ruff: noqa: S608  (SQL is built from model metadata identifiers only; values always go as parameters)
"""Loading parsed fact chunks into a fact table: validate, stage, then one set-based upsert.

Two phases, so that the Imports page can show honest progress and a file with errors changes nothing:

1. `stage()` runs in autocommit mode. Each chunk from the parser is checked (foreign keys, lengths,
   numeric ranges, missing keys), converted to the table's column types with pyarrow and written to a
   TEMP staging table: PostgreSQL gets a COPY fed by pyarrow's CSV writer (PERF.md: never
   DataFrame.to_csv, never the ORM row by row); SQLite gets executemany. Temp tables belong to the
   connection, so they survive between chunks without holding a transaction open.
2. `apply()` runs inside the caller's transaction: one `INSERT ... SELECT FROM staging ON CONFLICT
   DO UPDATE ... WHERE (cols) IS DISTINCT FROM (excluded cols)` on the natural key (unchanged rows are
   skipped, so re-importing a file costs almost nothing), then the rows of the restated window that the
   file no longer contains are deleted.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable
from collections.abc import Generator
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection
from django.db import models
from django.db import transaction
from django.db.utils import DatabaseError
from django.db.utils import IntegrityError
from django.db.utils import ProgrammingError

from ingest.models import FactModel
from ingest.models.imports import MAX_KEPT_ERRORS
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode

logger = logging.getLogger(__name__)

# FACT_COLUMNS names that become foreign keys on models that have the matching ForeignKey.
_FK_COLUMNS = {"marketplace_id": "marketplace", "vendor_code": "vendor_code"}
_WIDE_DECIMAL = pa.decimal128(38, 18)
_SQL_BATCH = 500
CARDINALITY_VIOLATION = "21000"  # SQLSTATE of an upsert that would change one row twice
_READ_AHEAD_CHUNKS = 2
_COPY_BLOCK = 1024 * 1024  # bytes per read when feeding COPY (psycopg2's default is 8 KB)


@dataclass(frozen=True)
class WindowSpec:
    """What one file restates when ParsedReport.replaces_window is set.

    The window is every combination of `dims` values the file contains, over the date range of
    `date_field` that the file covers (its rows' min..max, widened to the report's data_start..data_end).
    `required` dims must be non-empty for a delete to happen: an Ads console file without a profile id
    must not wipe other accounts' rows.
    """

    dims: tuple[str, ...]
    date_field: str | None = None
    required: tuple[str, ...] = ()


_RETAIL_WINDOW = WindowSpec(
    dims=("marketplace", "vendor_code", "distributor_view", "selling_program", "period_grain"),
    date_field="period_start",
)
WINDOWS: dict[str, WindowSpec] = {
    "retail_sales": _RETAIL_WINDOW,
    "retail_inventory": _RETAIL_WINDOW,
    "retail_traffic": _RETAIL_WINDOW,
    "retail_net_ppm": _RETAIL_WINDOW,
    "retail_forecast": WindowSpec(
        dims=("marketplace", "vendor_code", "selling_program", "forecast_generation_date"), date_field=None
    ),
    "realtime_sales": WindowSpec(dims=("marketplace", "vendor_code"), date_field="start_time"),
    "realtime_inventory": WindowSpec(dims=("marketplace", "vendor_code"), date_field="start_time"),
    "realtime_traffic": WindowSpec(dims=("marketplace", "vendor_code"), date_field="start_time"),
    "promotion_result": WindowSpec(dims=("marketplace", "promotion_id")),
    "coupon_result": WindowSpec(dims=("marketplace", "campaign_id")),
    "ads_daily": WindowSpec(
        dims=("profile_id", "marketplace_id", "report_type"), date_field="date", required=("profile_id",)
    ),
    "purchase_order_line": WindowSpec(dims=("vendor_code", "po_number")),
    "shipment_line": WindowSpec(dims=("vendor_code", "shipment_id")),
    # ams_hourly has no window: stream rows are deltas, never restated as a whole.
}


@dataclass(frozen=True)
class _Column:
    """One staged column: the FACT_COLUMNS name it comes from and the model field it goes to."""

    fact_name: str
    kind: str  # a FACT_COLUMNS kind, or "fk"
    field: models.Field[Any, Any]

    @property
    def db(self) -> str:
        return str(self.field.column)


@dataclass
class LoadCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class StageSummary:
    """What staging learnt about the file, for the import record and the FactsChanged announcement."""

    rows: int = 0
    vendor_code_ids: set[int] = field(default_factory=set)
    marketplace_ids: set[str] = field(default_factory=set)  # Amazon's marketplace ids
    profile_ids: set[str] = field(default_factory=set)
    date_min: date | datetime | None = None
    date_max: date | datetime | None = None


class LoadError(Exception):
    """A whole-file problem found while loading (for example duplicate natural keys)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:3]))
        self.errors = errors


class ErrorCollector:
    """Keeps the first MAX_KEPT_ERRORS errors and counts all of them."""

    def __init__(self, limit: int = MAX_KEPT_ERRORS) -> None:
        self.kept: list[RowError] = []
        self.count = 0
        self._limit = limit

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < self._limit:
            self.kept.append(error)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def __bool__(self) -> bool:
        return self.count > 0


class FactLoader:
    """Stages and upserts the chunks of one ParsedReport into one fact model for one brand."""

    def __init__(
        self,
        *,
        model: type[FactModel],
        brand: Brand,
        import_id: int | None,
        file_name: str,
        errors: ErrorCollector,
        default_vendor_code: VendorCode | None = None,
        default_marketplace: Marketplace | None = None,
        provided_columns: list[str] | None = None,
        missing_vendor_code_hint: str = "",
        stage_suffix: str = "",
    ) -> None:
        self.model = model
        self.brand = brand
        self.import_id = import_id
        self.file_name = file_name
        self.errors = errors
        self.default_vendor_code = default_vendor_code
        self.default_marketplace = default_marketplace
        self.missing_vendor_code_hint = missing_vendor_code_hint
        self.summary = StageSummary()
        self.vendor = connection.vendor
        self.table = str(model._meta.db_table)
        self.stage_table = f"ingest_stage_{model.fact_table}_{stage_suffix or import_id or 0}"
        self.columns = self._columns()
        by_fact = {c.fact_name: c for c in self.columns}
        self.key_columns = [self._column_for_field(name) for name in model.natural_key]
        key_dbs = {c.db for c in self.key_columns}
        if provided_columns is None:
            self.update_columns = [c for c in self.columns if c.db not in key_dbs]
        else:
            unknown = sorted(set(provided_columns) - set(by_fact))
            if unknown:
                raise ValueError(f"provided_columns not in FACT_COLUMNS[{model.fact_table!r}]: {unknown}")
            self.update_columns = [by_fact[n] for n in provided_columns if by_fact[n].db not in key_dbs]
        self.window = WINDOWS.get(model.fact_table)
        self._window_columns = [self._column_for_field(d) for d in self.window.dims] if self.window else []
        self._window_combos: set[tuple[Any, ...]] = set()
        self._date_column = (
            self._column_for_field(self.window.date_field) if self.window and self.window.date_field else None
        )
        self._marketplaces: dict[str, int] | None = None
        self._currencies: dict[int, str] | None = None
        self._vendor_codes: dict[tuple[str, int | None], int | None] = {}
        self._vendor_code_marketplace: dict[int, int] = {}
        self._reported: set[tuple[str, str]] = set()  # (column, value) pairs already reported once
        self._first_reports = 0
        self._offset = 0
        self._staged = False

    # -- column mapping -----------------------------------------------------------------------------

    def _columns(self) -> list[_Column]:
        out: list[_Column] = []
        for name, kind in FACT_COLUMNS[self.model.fact_table]:
            fk_name = _FK_COLUMNS.get(name)
            if fk_name and _is_fk(self.model, fk_name):
                out.append(_Column(name, "fk", self.model._meta.get_field(fk_name)))  # type: ignore[arg-type]
            else:
                out.append(_Column(name, kind, self.model._meta.get_field(name)))  # type: ignore[arg-type]
        return out

    def _column_for_field(self, field_name: str) -> _Column:
        target = self.model._meta.get_field(field_name)
        for column in self.columns:
            if column.field is target:
                return column
        raise ValueError(f"{self.model.__name__}.{field_name} is not loaded from FACT_COLUMNS")

    # -- phase 1: staging (autocommit) --------------------------------------------------------------

    def stage(self, chunks: Iterator[pd.DataFrame], on_chunk: Callable[[], None] | None = None) -> StageSummary:
        """Validate and stage every chunk; errors go to the collector and their rows are not staged."""
        self._create_stage()
        for frame in read_ahead(chunks):
            table = self._prepare(frame)
            if table is not None and table.num_rows:
                self._write(table)
                self._observe(table)
            if on_chunk is not None:
                on_chunk()
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Fresh temp tables have no statistics: without them the planner may pick a nested loop
                # over a million staged rows for the window delete.
                cursor.execute(f'ANALYZE "{self.stage_table}"')
        return self.summary

    def _create_stage(self) -> None:
        cols = ", ".join(f'"{c.db}"' for c in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{self.stage_table}"')
            if self.vendor == "postgresql":
                cursor.execute(
                    f'CREATE TEMP TABLE "{self.stage_table}" AS SELECT {cols} FROM "{self.table}" WITH NO DATA'
                )
            else:
                cursor.execute(f'CREATE TEMP TABLE "{self.stage_table}" AS SELECT {cols} FROM "{self.table}" WHERE 0')
        self._staged = True

    def drop_stage(self) -> None:
        if not self._staged:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{self.stage_table}_changed"')
                cursor.execute(f'DROP TABLE IF EXISTS "{self.stage_table}"')
        except DatabaseError:  # the connection may be gone; temp tables die with it anyway
            logger.warning("could not drop staging table %s", self.stage_table, exc_info=True)
        self._staged = False

    def _prepare(self, frame: pd.DataFrame) -> pa.Table | None:
        """Map, validate and type one chunk; returns the valid rows as an Arrow table in staging order."""
        n = len(frame)
        first_row = self._offset + 1
        self._offset += n
        if n == 0:
            return None
        expected = [name for name, _ in FACT_COLUMNS[self.model.fact_table]]
        missing_keys = [c.fact_name for c in self.key_columns if c.fact_name not in frame.columns]
        if missing_keys:
            # A parser bug, not a user error: say so loudly rather than guess.
            raise ValueError(f"parser frame for {self.model.fact_table} lacks key columns {missing_keys}")
        frame = frame.reindex(columns=expected).reset_index(drop=True)
        bad = pd.Series(False, index=frame.index)
        arrays: list[pa.Array] = []
        for column in self.columns:
            values = frame[column.fact_name]
            if column.kind == "fk":
                array, col_bad = self._map_fk(column, values, frame, first_row)
            else:
                array, col_bad = self._convert(column, values, first_row)
            bad |= col_bad
            arrays.append(array)
        self._fill_currency(arrays)
        table = pa.Table.from_arrays(arrays, names=[c.db for c in self.columns])
        if bad.any():
            table = table.filter(pa.array(~bad.to_numpy()))
        return table

    def _fill_currency(self, arrays: list[pa.Array]) -> None:
        """Money never lands without its currency: a row whose file names none (legacy Vendor Central
        exports without a country in their banner) takes its marketplace's currency."""
        names = [c.db for c in self.columns]
        if "currency" not in names:
            return
        market = next((i for i, c in enumerate(self.columns) if c.kind == "fk" and c.field.name == "marketplace"), None)
        if market is None:
            return
        index = names.index("currency")
        currency = arrays[index]
        empty = pc.fill_null(pc.equal(currency, ""), True)
        if not pc.any(empty).as_py():
            return
        if self._currencies is None:
            self._currencies = dict(Marketplace.objects.values_list("pk", "currency"))
        pks = pa.array(list(self._currencies), type=pa.int64())
        values = pa.array(list(self._currencies.values()), type=currency.type)
        by_market = pc.take(values, pc.index_in(arrays[market], value_set=pks))
        arrays[index] = pc.if_else(empty, by_market, currency)

    def _error(self, row: int | None, column: str | None, value: object, expected: str) -> None:
        self.errors.add(
            RowError(
                file=self.file_name,
                row=row,
                column=column,
                value=None if value is None else str(value),
                expected=expected,
            )
        )

    def _error_once(self, column: str, value: str, row: int | None, expected: str) -> None:
        """Report a bad foreign-key value once per file, not once per row (a million-row file has one cause).

        Only the first report is counted here; `_map_fk` counts every other row the value appears in.
        """
        if (column, value) in self._reported:
            return
        self._reported.add((column, value))
        self._first_reports += 1
        self._error(row, column, value, expected)

    def _error_once_no_value(self, column: str, expected: str) -> None:
        if (column, "") in self._reported:
            return
        self._reported.add((column, ""))
        self._first_reports += 1
        self._error(None, column, None, expected)

    def _map_fk(
        self, column: _Column, values: pd.Series, frame: pd.DataFrame, first_row: int
    ) -> tuple[pa.Array, pd.Series]:
        """Amazon ids and vendor codes to foreign keys; unknown ones are errors counted once per row."""
        reported_before = self._first_reports
        array, bad = self._map_fk_values(column, values, frame, first_row)
        self.errors.count += max(0, int(bad.sum()) - (self._first_reports - reported_before))
        return array, bad

    def _map_fk_values(
        self, column: _Column, values: pd.Series, frame: pd.DataFrame, first_row: int
    ) -> tuple[pa.Array, pd.Series]:
        # Vectorised with Arrow: a file names a handful of distinct codes, so each distinct value is
        # looked up once and the ids are spread back over the rows with take().
        texts = _key_texts(values)
        if column.field.name == "marketplace":
            keys = texts
        else:
            marketplaces = (
                _key_texts(frame["marketplace_id"])
                if "marketplace_id" in frame.columns
                else pa.array([""] * len(frame), type=pa.string())
            )
            keys = pc.binary_join_element_wise(texts, marketplaces, "\x1f")
        uniques = pc.unique(keys)
        ids: list[int | None] = []
        for key in uniques.to_pylist():
            row = first_row + int(pc.index(keys, key).as_py())
            if column.field.name == "marketplace":
                ids.append(self._marketplace_pk(key, row))
            else:
                code, marketplace_text = key.split("\x1f", 1)
                ids.append(self._vendor_code_pk(code, marketplace_text, row))
        mapped = pc.take(pa.array(ids, type=pa.int64()), pc.index_in(keys, value_set=uniques))
        bad = pd.Series(mapped.is_null().to_numpy(zero_copy_only=False), index=frame.index)
        return mapped, bad

    def _marketplace_map(self) -> dict[str, int]:
        if self._marketplaces is None:
            self._marketplaces = dict(Marketplace.objects.values_list("amazon_marketplace_id", "pk"))
        return self._marketplaces

    def _marketplace_pk(self, amazon_id: str, row: int) -> int | None:
        if not amazon_id:
            if self.default_marketplace is not None:
                return self.default_marketplace.pk
            self._error_once_no_value("marketplace_id", "an Amazon marketplace id (the file names none)")
            return None
        pk = self._marketplace_map().get(amazon_id)
        if pk is None:
            self._error_once("marketplace_id", amazon_id, row, "a known Amazon marketplace id such as ATVPDKIKX0DER")
        return pk

    def _vendor_code_pk(self, code: str, marketplace_text: str, row: int) -> int | None:
        marketplace_pk: int | None = None
        if marketplace_text:
            marketplace_pk = self._marketplace_map().get(marketplace_text)
        elif self.default_marketplace is not None and _is_fk(self.model, "marketplace"):
            marketplace_pk = self.default_marketplace.pk
        if not code:
            default = self.default_vendor_code
            if default is None:
                hint = self.missing_vendor_code_hint or "choose the vendor code when importing (--vendor-code)"
                self._error_once_no_value("vendor_code", f"a vendor code: the file names none; {hint}")
                return None
            if marketplace_pk is not None and default.marketplace_id != marketplace_pk:
                self._error_once(
                    "vendor_code",
                    default.code,
                    row,
                    f"a vendor code of marketplace {marketplace_text or marketplace_pk}: "
                    f"{default.code} is registered in {default.marketplace.amazon_marketplace_id}",
                )
                return None
            return default.pk
        cache_key = (code, marketplace_pk)
        if cache_key not in self._vendor_codes:
            candidates = VendorCode.objects.filter(brand=self.brand, code=code)
            if marketplace_pk is not None:
                candidates = candidates.filter(marketplace_id=marketplace_pk)
            found = list(candidates.values_list("pk", "marketplace_id"))
            if len(found) > 1 and self.default_vendor_code is not None:
                found = [f for f in found if f[0] == self.default_vendor_code.pk] or found
            if len(found) == 1:
                self._vendor_codes[cache_key] = found[0][0]
                self._vendor_code_marketplace[found[0][0]] = found[0][1]
            else:
                self._vendor_codes[cache_key] = None
                where = f" in marketplace {marketplace_text}" if marketplace_text else ""
                expected = (
                    f"a vendor code of brand {self.brand.name}{where}; register it first (add_vendor_code)"
                    if not found
                    else f"one vendor code: {code} exists in several marketplaces, choose one when importing"
                )
                self._error_once("vendor_code", code, row, expected)
        return self._vendor_codes[cache_key]

    def _convert(self, column: _Column, values: pd.Series, first_row: int) -> tuple[pa.Array, pd.Series]:
        """Convert one column to its Arrow type; values that do not fit are errors (and their rows dropped)."""
        field_ = column.field
        kind = column.kind
        bad = pd.Series(False, index=values.index)
        if kind == "text":
            array = _text_array(values)
            max_length = getattr(field_, "max_length", None)
            if max_length:
                lengths = pc.utf8_length(array)
                too_long = pc.fill_null(pc.greater(lengths, max_length), False).to_numpy(zero_copy_only=False)
                for position in too_long.nonzero()[0][:20]:
                    self._error(
                        first_row + int(position),
                        column.fact_name,
                        values.iloc[position],
                        f"at most {max_length} characters",
                    )
                if too_long.any():
                    self.errors.count += max(0, int(too_long.sum()) - 20)
                    bad |= pd.Series(too_long, index=values.index)
        elif kind == "date":
            array = pa.array(values, type=pa.date32(), from_pandas=True)
        elif kind == "datetime":
            array = _datetime_array(values)
        elif kind in ("int", "bigint"):
            array = _int_array(values)
        elif kind == "decimal":
            array, overflow = _decimal_array(values, field_)  # type: ignore[arg-type]
            if overflow.any():
                limit = 10 ** (field_.max_digits - field_.decimal_places)  # type: ignore[attr-defined]
                for position in overflow.nonzero()[0][:20]:
                    self._error(
                        first_row + int(position),
                        column.fact_name,
                        values.iloc[position],
                        f"a number smaller than {limit:,} in absolute value",
                    )
                self.errors.count += max(0, int(overflow.sum()) - 20)
                bad |= pd.Series(overflow, index=values.index)
        else:
            raise ValueError(f"unknown fact column kind {kind!r}")
        if not field_.null:
            nulls = array.is_null().to_numpy(zero_copy_only=False)
            if nulls.any():
                for position in nulls.nonzero()[0][:20]:
                    self._error(first_row + int(position), column.fact_name, None, "a value (this column is required)")
                self.errors.count += max(0, int(nulls.sum()) - 20)
                bad |= pd.Series(nulls, index=values.index)
        return array, bad

    def _observe(self, table: pa.Table) -> None:
        """Remember what the staged rows touch: vendor codes, marketplaces, window combos, date range."""
        self.summary.rows += table.num_rows
        names = table.column_names
        if "vendor_code_id" in names and _is_fk(self.model, "vendor_code"):
            self.summary.vendor_code_ids.update(v for v in pc.unique(table["vendor_code_id"]).to_pylist() if v)
        if _is_fk(self.model, "marketplace"):
            pks = {v for v in pc.unique(table["marketplace_id"]).to_pylist() if v}
            self.summary.marketplace_ids.update(_marketplace_amazon_ids(pks, self._marketplace_map()))
        elif "marketplace_id" in names:
            self.summary.marketplace_ids.update(v for v in pc.unique(table["marketplace_id"]).to_pylist() if v)
        elif "vendor_code_id" in names:
            for pk in pc.unique(table["vendor_code_id"]).to_pylist():
                marketplace_pk = self._vendor_code_marketplace.get(pk) if pk else None
                if marketplace_pk is None and pk:
                    marketplace_pk = VendorCode.objects.filter(pk=pk).values_list("marketplace_id", flat=True).first()
                    self._vendor_code_marketplace[pk] = marketplace_pk  # type: ignore[assignment]
                if marketplace_pk:
                    self.summary.marketplace_ids.update(
                        _marketplace_amazon_ids({marketplace_pk}, self._marketplace_map())
                    )
        if "profile_id" in names:
            self.summary.profile_ids.update(v for v in pc.unique(table["profile_id"]).to_pylist() if v)
        if self._window_columns:
            combos = (
                table.select([c.db for c in self._window_columns])
                .group_by([c.db for c in self._window_columns])
                .aggregate([])
            )
            self._window_combos.update(zip(*(combos[c.db].to_pylist() for c in self._window_columns), strict=True))
        if self._date_column is not None:
            low, high = pc.min_max(table[self._date_column.db]).values()
            low_value, high_value = low.as_py(), high.as_py()
            if low_value is not None:
                if self.summary.date_min is None or low_value < self.summary.date_min:
                    self.summary.date_min = low_value
                if self.summary.date_max is None or high_value > self.summary.date_max:
                    self.summary.date_max = high_value

    def _write(self, table: pa.Table) -> None:
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        if self.vendor == "postgresql":
            buffer = io.BytesIO()
            pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
            buffer.seek(0)
            with connection.cursor() as cursor:
                # size positionally: Django's debug cursor wrapper (DEBUG=true) takes no keyword here.
                cursor.copy_expert(
                    f'COPY "{self.stage_table}" ({cols}) FROM STDIN WITH (FORMAT csv)', buffer, _COPY_BLOCK
                )
            return
        # SQLite: correct, not fast. Values are adapted the way Django stores them, so that the
        # "unchanged" comparison sees equal text for equal values.
        placeholders = ", ".join(["%s"] * table.num_columns)
        converters = [_sqlite_adapter(c) for c in self.columns]
        pylists = [table.column(i).to_pylist() for i in range(table.num_columns)]
        rows = [
            tuple(conv(v) for conv, v in zip(converters, values, strict=True)) for values in zip(*pylists, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{self.stage_table}" ({cols}) VALUES ({placeholders})', rows)

    # -- phase 2: apply (inside the caller's transaction) -----------------------------------------

    def apply(self, *, replaces_window: bool, data_start: date | None, data_end: date | None) -> LoadCounts:
        """Upsert the staged rows and, for a file that is the whole picture of its window, delete the rest."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("FactLoader.apply() must run inside transaction.atomic()")
        counts = LoadCounts()
        if not self.summary.rows and not replaces_window:
            return counts
        if self.summary.rows and self._window_is_empty(data_start, data_end):
            # Nothing stored can clash with the file (every window column and the date are part of the
            # natural key), so a plain INSERT does: about twice as fast as the upsert for new data.
            inserted = self._insert_new()
            if inserted is not None:
                counts.inserted = inserted
                return counts
        if self.summary.rows:
            counts.inserted, counts.updated = self._upsert_once_per_key()
            counts.unchanged = self.summary.rows - counts.inserted - counts.updated
        if replaces_window:
            counts.deleted = self._delete_outside_file(data_start, data_end)
        return counts

    def _window_is_empty(self, data_start: date | None, data_end: date | None) -> bool:
        """True when the fact table holds no row of the file's window (so nothing to update or delete)."""
        if self.window is None or not self._window_combos:
            return False
        where, params_for = self._window_filter(data_start, data_end)
        combos = sorted(self._window_combos, key=repr)
        with connection.cursor() as cursor:
            for start in range(0, len(combos), _SQL_BATCH):
                batch = combos[start : start + _SQL_BATCH]
                cursor.execute(f'SELECT 1 FROM "{self.table}" WHERE {where(len(batch))} LIMIT 1', params_for(batch))
                if cursor.fetchone() is not None:
                    return False
        return True

    def _insert_new(self) -> int | None:
        """INSERT the staged rows; None when a key turned out to exist (the upsert path then takes over,
        and also names the keys when the file itself repeats one)."""
        cols = ", ".join(f'"{c.db}"' for c in self.columns)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO "{self.table}" ("brand_id", "last_import_id", {cols}) '
                    f'SELECT %s, %s, {cols} FROM "{self.stage_table}"',
                    [self.brand.pk, self.import_id],
                )
                return max(int(cursor.rowcount), 0)
        except IntegrityError:
            return None

    def _window_filter(
        self, data_start: date | None, data_end: date | None
    ) -> tuple[Callable[[int], str], Callable[[list[tuple[Any, ...]]], list[Any]]]:
        """SQL condition (for n window combos) selecting the stored facts of the file's window, and its params."""
        date_sql, date_params = "", []
        if self._date_column is not None:
            low, high = self._date_range(data_start, data_end)
            if low is not None:
                date_sql = f' AND "{self.table}"."{self._date_column.db}" BETWEEN %s AND %s'
                date_params = [_db_value(low), _db_value(high)]
        dims = ", ".join(f'"{self.table}"."{c.db}"' for c in self._window_columns)
        one = "(" + ", ".join(["%s"] * len(self._window_columns)) + ")"

        def where(n: int) -> str:
            return f'"{self.table}"."brand_id" = %s AND ({dims}) IN (VALUES {", ".join([one] * n)}){date_sql}'

        def params(combos: list[tuple[Any, ...]]) -> list[Any]:
            return [self.brand.pk, *(_db_value(v) for combo in combos for v in combo), *date_params]

        return where, params

    def _upsert_once_per_key(self) -> tuple[int, int]:
        """The upsert, refusing a file that holds one natural key twice.

        PostgreSQL refuses such an upsert by itself ("ON CONFLICT DO UPDATE command cannot affect row a
        second time"), so the GROUP BY that names the keys only runs then; SQLite would silently keep the
        last row, so there the check runs first.
        """
        if self.vendor != "postgresql":
            self._check_duplicates()
            return self._upsert()
        try:
            with transaction.atomic():
                return self._upsert()
        except ProgrammingError as exc:
            if getattr(exc.__cause__, "pgcode", None) != CARDINALITY_VIOLATION:
                raise
        self._check_duplicates()
        raise AssertionError("the upsert saw a key twice but no duplicate was found")  # pragma: no cover

    def _check_duplicates(self) -> None:
        keys = ", ".join(f'"{c.db}"' for c in self.key_columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT {keys}, COUNT(*) FROM "{self.stage_table}" GROUP BY {keys} HAVING COUNT(*) > 1 LIMIT 20'
            )
            duplicates = cursor.fetchall()
        if not duplicates:
            return
        names = ", ".join(c.fact_name for c in self.key_columns)
        raise LoadError(
            [
                RowError(
                    file=self.file_name,
                    row=None,
                    column=names,
                    value=", ".join("" if v is None else str(v) for v in dup[:-1]),
                    expected=f"one row per ({names}); this key appears {dup[-1]} times",
                )
                for dup in duplicates
            ]
        )

    def _changed_rows(self) -> str:
        """A temp table of the staged rows that are new or differ from the stored ones.

        One hash join finds the unchanged rows, far cheaper than letting the upsert probe the index for
        every row of a re-imported or restated file, which is mostly the same as what is stored.
        """
        changed = f"{self.stage_table}_changed"
        cols = ", ".join(f's."{c.db}"' for c in self.columns)
        on = " AND ".join(f'f."{c.db}" = s."{c.db}"' for c in self.key_columns)
        updates = [c.db for c in self.update_columns]
        if self.vendor == "postgresql":
            differs = (
                f"ROW({', '.join(f'f.{_q(c)}' for c in updates)}) IS DISTINCT FROM "
                f"ROW({', '.join(f's.{_q(c)}' for c in updates)})"
                if updates
                else "FALSE"
            )
        else:
            differs = " OR ".join(f'f."{c}" IS NOT s."{c}"' for c in updates) or "0"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{changed}"')
            cursor.execute(
                f'CREATE TEMP TABLE "{changed}" AS SELECT {cols} FROM "{self.stage_table}" s '
                f'LEFT JOIN "{self.table}" f ON f."brand_id" = %s AND {on} '
                f'WHERE f."id" IS NULL OR {differs}',
                [self.brand.pk],
            )
        return changed

    def _upsert(self) -> tuple[int, int]:
        cols = [c.db for c in self.columns]
        col_list = ", ".join(f'"{c}"' for c in cols)
        conflict = ", ".join(['"brand_id"', *(f'"{c.db}"' for c in self.key_columns)])
        updates = [c.db for c in self.update_columns]
        params = [self.brand.pk, self.import_id]
        # The temp table is dropped with the staging table (drop_stage): dropping it here could run inside
        # a savepoint that a refused upsert has already aborted.
        return self._upsert_from(self._changed_rows(), col_list, conflict, updates, params)

    def _upsert_from(
        self, source: str, col_list: str, conflict: str, updates: list[str], params: list[Any]
    ) -> tuple[int, int]:
        if self.vendor == "postgresql":
            if updates:
                set_list = ", ".join(
                    [*(f'"{c}" = EXCLUDED."{c}"' for c in updates), '"last_import_id" = EXCLUDED."last_import_id"']
                )
                ours = ", ".join(f'"{self.table}"."{c}"' for c in updates)
                theirs = ", ".join(f'EXCLUDED."{c}"' for c in updates)
                action = f"DO UPDATE SET {set_list} WHERE ROW({ours}) IS DISTINCT FROM ROW({theirs})"
            else:
                action = "DO NOTHING"
            sql = (
                f'WITH up AS (INSERT INTO "{self.table}" ("brand_id", "last_import_id", {col_list}) '
                f'SELECT %s, %s, {col_list} FROM "{source}" ON CONFLICT ({conflict}) {action} '
                "RETURNING (xmax = 0) AS inserted) "
                "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM up"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                inserted, updated = cursor.fetchone()
            return int(inserted), int(updated)
        # SQLite: changes() counts inserted + updated rows; the row count tells them apart.
        if updates:
            set_list = ", ".join(
                [*(f'"{c}" = excluded."{c}"' for c in updates), '"last_import_id" = excluded."last_import_id"']
            )
            differs = " OR ".join(f'"{self.table}"."{c}" IS NOT excluded."{c}"' for c in updates)
            action = f"DO UPDATE SET {set_list} WHERE {differs}"
        else:
            action = "DO NOTHING"
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{self.table}"')
            before = int(cursor.fetchone()[0])
            cursor.execute(
                f'INSERT INTO "{self.table}" ("brand_id", "last_import_id", {col_list}) '
                f'SELECT %s, %s, {col_list} FROM "{source}" WHERE true ON CONFLICT ({conflict}) {action}',
                params,
            )
            changed = max(int(cursor.rowcount), 0)
            cursor.execute(f'SELECT COUNT(*) FROM "{self.table}"')
            after = int(cursor.fetchone()[0])
        inserted = after - before
        return inserted, changed - inserted

    def _delete_outside_file(self, data_start: date | None, data_end: date | None) -> int:
        """Delete facts of the file's window whose natural key the file no longer contains."""
        if self.window is None or not self._window_combos:
            return 0
        combos = sorted(self._window_combos, key=repr)
        required = [self.window.dims.index(d) for d in self.window.required]
        combos = [c for c in combos if all(c[i] not in ("", None) for i in required)]
        if not combos:
            return 0
        where, params_for = self._window_filter(data_start, data_end)
        match = " AND ".join(f's."{c.db}" = "{self.table}"."{c.db}"' for c in self.key_columns)
        deleted = 0
        with connection.cursor() as cursor:
            for start in range(0, len(combos), _SQL_BATCH):
                batch = combos[start : start + _SQL_BATCH]
                condition, params = where(len(batch)), params_for(batch)
                # Cheap check first: when the window holds exactly the rows just upserted, nothing is stale.
                cursor.execute(f'SELECT COUNT(*) FROM "{self.table}" WHERE {condition}', params)
                in_window = int(cursor.fetchone()[0])
                if in_window <= self._staged_rows_in(batch):
                    continue
                cursor.execute(
                    f'DELETE FROM "{self.table}" WHERE {condition} '
                    f'AND NOT EXISTS (SELECT 1 FROM "{self.stage_table}" s WHERE {match})',
                    params,
                )
                deleted += max(int(cursor.rowcount), 0)
        return deleted

    def _staged_rows_in(self, combos: list[tuple[Any, ...]]) -> int:
        if len(combos) == len(self._window_combos):
            return self.summary.rows
        dims = ", ".join(f'"{c.db}"' for c in self._window_columns)
        values = ", ".join("(" + ", ".join(["%s"] * len(self._window_columns)) + ")" for _ in combos)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT COUNT(*) FROM "{self.stage_table}" WHERE ({dims}) IN (VALUES {values})',
                [_db_value(v) for combo in combos for v in combo],
            )
            return int(cursor.fetchone()[0])

    def _date_range(
        self, data_start: date | None, data_end: date | None
    ) -> tuple[date | datetime | None, date | datetime | None]:
        low, high = self.summary.date_min, self.summary.date_max
        if self._date_column is not None and self._date_column.kind == "date":
            # The report's own period widens the window: a period the file covers but has no rows for
            # is restated as empty.
            if data_start is not None and (low is None or data_start < low):
                low = data_start
            if data_end is not None and (high is None or data_end > high):
                high = data_end
        return low, high

    @property
    def period(self) -> tuple[date | None, date | None]:
        low, high = self.summary.date_min, self.summary.date_max
        return _as_date(low), _as_date(high)


def read_ahead(chunks: Iterator[pd.DataFrame], depth: int = _READ_AHEAD_CHUNKS) -> Generator[pd.DataFrame]:
    """Iterate `chunks` in a background thread, `depth` chunks ahead of the consumer.

    The parser (pure Python, no database) then reads and decodes the next chunk while this thread
    converts the previous one and waits for PostgreSQL to take its COPY on another core. Memory stays
    bounded by `depth` chunks. An exception in the parser is raised here, in the consumer.
    """
    buffer: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        buffer.put(("chunk", chunk), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(("done", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            buffer.put(("error", exc))

    thread = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = buffer.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked producer finish its put and notice the stop
            try:
                buffer.get(timeout=0.1)
            except queue.Empty:
                continue
        thread.join()


# -- conversions ---------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f'"{name}"'


def _is_fk(model: type[models.Model], name: str) -> bool:
    try:
        return isinstance(model._meta.get_field(name), models.ForeignKey)
    except Exception:  # FieldDoesNotExist
        return False


def _marketplace_amazon_ids(pks: set[int], by_amazon_id: dict[str, int]) -> set[str]:
    reverse = {pk: amazon_id for amazon_id, pk in by_amazon_id.items()}
    return {reverse[pk] for pk in pks if pk in reverse}


def _key_texts(values: pd.Series) -> pa.Array:
    """A key column as trimmed strings, '' for missing."""
    return pc.fill_null(pc.utf8_trim_whitespace(_text_array(values)), "")


def _text_array(values: pd.Series) -> pa.Array:
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Not all str (an id parsed as a number, say): convert value by value, keeping None.
        cleaned = values.where(values.notna(), None)
        return pa.array(cleaned.map(lambda v: v if v is None or isinstance(v, str) else str(v)), type=pa.string())


def _int_array(values: pd.Series) -> pa.Array:
    if values.dtype == object:
        return pa.array(pd.array(values.where(values.notna(), None).tolist(), dtype="Int64"), type=pa.int64())
    return pa.array(values, type=pa.int64(), from_pandas=True)


def _datetime_array(values: pd.Series) -> pa.Array:
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values, utc=True)
    return pa.array(values, from_pandas=True).cast(pa.timestamp("us", tz="UTC"))


def _decimal_array(values: pd.Series, field_: models.DecimalField[Any, Any]) -> tuple[pa.Array, Any]:
    """Decimal column rounded half away from zero to the field's scale (as PostgreSQL's numeric does).

    Returns the array and a mask of the values that do not fit the field (too large, or not a number);
    those are null in the array and reported by the caller.
    """
    scale = int(field_.decimal_places or 0)
    digits = int(field_.max_digits or 18)
    target = pa.decimal128(38, scale)
    invalid = None
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        floats = pa.array(values, type=pa.float64(), from_pandas=True)
        too_big = pc.fill_null(pc.greater_equal(pc.abs(floats), float(10 ** (digits - scale))), False)
        invalid = too_big.to_numpy(zero_copy_only=False)
        floats = pc.if_else(too_big, pa.scalar(None, pa.float64()), floats)
        array = pc.round(floats, ndigits=scale).cast(target, safe=False)
    else:
        try:
            # Most amounts already fit the column's scale (cents): no rounding pass needed.
            array = pa.array(values, type=target, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            try:
                wide = pa.array(values, type=_WIDE_DECIMAL, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                converted = [_to_decimal(v) for v in values]
                invalid = np.array([bad for _, bad in converted], dtype=bool)
                wide = pa.array([d for d, _ in converted], type=_WIDE_DECIMAL)
            array = pc.round(wide, ndigits=scale, round_mode="half_towards_infinity").cast(target)
    limit = pa.scalar(Decimal(10) ** (digits - scale), type=pa.decimal128(38, scale))
    overflow = pc.fill_null(pc.greater_equal(pc.abs(array), limit), False).to_numpy(zero_copy_only=False)
    if invalid is not None:
        overflow = overflow | invalid
    return array, overflow


# Values this large cannot be staged at all (decimal128 with 18 places); they are reported, not loaded.
_DECIMAL_CEILING = Decimal(10) ** 20


def _to_decimal(value: object) -> tuple[Decimal | None, bool]:
    """(value as a Decimal with 18 places, is it unusable). None and NaN are "not reported", not errors."""
    if value is None or (isinstance(value, float) and value != value):
        return None, False
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None, True
    if not result.is_finite() or abs(result) >= _DECIMAL_CEILING:
        return None, True
    return result.quantize(Decimal(1).scaleb(-18), rounding=ROUND_HALF_UP), False


def _sqlite_adapter(column: _Column) -> Callable[[Any], Any]:
    ops = connection.ops
    if column.kind == "datetime":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if column.kind == "date":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if column.kind == "decimal":
        return lambda v: None if v is None else str(v)
    return lambda v: v


def _db_value(value: Any) -> Any:
    if connection.vendor != "postgresql":
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        if isinstance(value, Decimal):
            return str(value)
    return value


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value
