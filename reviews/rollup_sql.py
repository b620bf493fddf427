# ruff: noqa: S608 -- every statement is built from this module's constants; values travel as parameters.
"""The set-based SQL that turns fact tables into rollup rows: one text for PostgreSQL and SQLite.

Only the date arithmetic differs between the two databases (`Dialect`); everything else is plain SQL
(CTEs, window-free GROUP BYs, NOT EXISTS, temporary tables), so the portable SQLite path runs the very
statements PostgreSQL runs. On SQLite, money is stored as REAL by Django's DecimalField, so sums there
are exact only to the stored precision; PostgreSQL sums NUMERIC exactly.

How a recompute of vendor codes V over the days [lo, hi] works (reviews.services.rollups runs it):
1. Retail facts (sales, inventory, traffic) are bucketed per ASIN. DAY facts are first summed into
   fragments (the days of one week AND one month), so a single scan serves weekly and monthly
   buckets; a bucket is the sum of its fragments. When Amazon's own WEEK (or MONTH) row exists for an
   ASIN and bucket it is used instead of the DAY rows: never both (no double counting).
2. Stock levels (sellable on hand, aged 90+, ...) are the value of each ASIN's last reported day in the
   bucket, then summed over ASINs.
3. PPOOS is kept as Σ rate x glance views (joined per ASIN and day with the traffic facts) and net PPM
   as Σ margin x shipped revenue, so every aggregate is glance-view / revenue weighted.
4. ASIN rows become CATEGORY rows (planning's Product.category; '' when the ASIN is not in the
   catalog) and TOTAL rows (the ASIN rows' sum, or Amazon's aggregate row when a table has no ASIN
   rows for the bucket).
5. Purchase-order lines (by PO date) and ASNs (by ship date) go to the view-less rows.
6. The target buckets are deleted and inserted again in one transaction: idempotent, and rows that a
   restatement removed disappear.
Advertising follows the same pattern into reviews_adsrollup (see ADS_* below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reviews.metrics import VENDOR_ATTRIBUTION_WINDOWS

# --- column lists -------------------------------------------------------------------------------------

SALES_SUMS = (
    "ordered_revenue",
    "ordered_units",
    "shipped_cogs",
    "shipped_revenue",
    "shipped_units",
    "customer_returns",
)
INVENTORY_FLOWS = ("net_received_inventory_cost", "net_received_inventory_units", "unfilled_customer_ordered_units")
INVENTORY_LEVELS = (
    "sellable_on_hand_inventory_cost",
    "sellable_on_hand_inventory_units",
    "unsellable_on_hand_inventory_cost",
    "unsellable_on_hand_inventory_units",
    "aged_90_plus_days_sellable_inventory_cost",
    "aged_90_plus_days_sellable_inventory_units",
    "unhealthy_inventory_cost",
    "unhealthy_inventory_units",
    "open_purchase_order_units",
)
SUPPLY_SUMS = (
    "requested_units",
    "confirmed_units",
    "received_units",
    "on_time_units",
    "asns",
    "asns_judged",
    "asns_in_time",
    "shipments_checked",
    "shipments_accurate",
)
# Columns of reviews_rollup filled by the recompute, in insert order (after the key columns).
ROLLUP_MEASURES: tuple[str, ...] = (
    *SALES_SUMS,
    "shipped_days",
    *INVENTORY_FLOWS,
    *INVENTORY_LEVELS,
    "oos_glance_views",
    "ppoos_glance_views",
    "net_ppm_margin",
    "net_ppm_revenue",
    "sell_through_reported",
    "glance_views",
    *SUPPLY_SUMS,
    "data_through",
)
# How each measure combines when rows are added up (fragments -> buckets, ASINs -> category/total).
_MAX_COLUMNS = frozenset({"shipped_days", "data_through"})
DATE_COLUMNS = frozenset({"data_through"})

ADS_MEASURES = ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units")

# One report type per ad product feeds the spend (the report types restate the same spend):
# campaign-level reports for the TOTAL rows, advertised-product reports for ASIN and CATEGORY rows
# (Sponsored Brands has no advertised-product delivery report, so SB has no ASIN rows). The API
# report wins over a console download of the same type for the same profile and day.
ADS_TOTAL_REPORT_TYPES: dict[str, str] = {"SP": "spCampaigns", "SB": "sbCampaigns", "SD": "sdCampaigns"}
ADS_ASIN_REPORT_TYPES: dict[str, str] = {"SP": "spAdvertisedProduct", "SD": "sdAdvertisedProduct"}
CONSOLE_PREFIX = "console:"


@dataclass(frozen=True)
class Window:
    """The buckets one recompute rewrites, and the fact days it reads for them."""

    week_first: date  # first and last week starts (Sundays)
    week_last: date
    month_first: date  # first and last month starts
    month_last: date
    day_first: date  # every fact day of those weeks and months
    day_last: date


class Dialect:
    """Date arithmetic of one database; `x` is a SQL expression of type date."""

    vendor: str

    def week_start(self, x: str) -> str:
        raise NotImplementedError

    def month_start(self, x: str) -> str:
        raise NotImplementedError

    def add_days(self, x: str, days: int) -> str:
        raise NotImplementedError

    def month_end(self, x: str) -> str:
        raise NotImplementedError

    def utc_date(self, ts: str) -> str:
        raise NotImplementedError

    def ts_le_plus_minutes(self, a: str, b: str, minutes: int) -> str:
        """SQL condition: timestamp a <= timestamp b + minutes (minutes may be negative)."""
        raise NotImplementedError

    def least(self, a: str, b: str) -> str:
        raise NotImplementedError

    def days_between(self, first: str, last: str) -> str:
        """Days from first to last, both included (integer)."""
        raise NotImplementedError

    def sum_money(self, x: str) -> str:
        """SUM of a money column (DecimalField with 4 places)."""
        return f"SUM({x})"

    # Fragments keep money in the dialect's cheapest exact form; buckets turn it back into decimals.
    def fragment_money(self, x: str) -> str:
        """SUM of money into a fragment column (see bucket_money)."""
        return f"SUM({x})"

    def fragment_money_value(self, x: str) -> str:
        """One money value in a fragment column's form (the level fix-up copies single fact values)."""
        return x

    def bucket_money(self, x: str) -> str:
        """SUM of a fragment money column, as a decimal."""
        return f"SUM({x})"

    def sum_count(self, x: str) -> str:
        """SUM of an integer column, typed as an integer."""
        return f"SUM({x})"

    def bytewise(self, x: str) -> str:
        """A text expression compared byte by byte (for sorts whose order only needs to be stable)."""
        return x


class PostgresDialect(Dialect):
    vendor = "postgresql"

    # Plain date arithmetic: date_trunc() would go through timestamptz and the session time zone.
    def week_start(self, x: str) -> str:
        return f"({x} - CAST(EXTRACT(DOW FROM {x}) AS integer))"

    def month_start(self, x: str) -> str:
        return f"({x} - CAST(EXTRACT(DAY FROM {x}) AS integer) + 1)"

    def add_days(self, x: str, days: int) -> str:
        return f"({x} + {int(days)})"

    def month_end(self, x: str) -> str:
        return f"(CAST({self.month_start(x)} + interval '1 month' AS date) - 1)"

    def utc_date(self, ts: str) -> str:
        return f"CAST(({ts} AT TIME ZONE 'UTC') AS date)"

    def ts_le_plus_minutes(self, a: str, b: str, minutes: int) -> str:
        return f"{a} <= {b} + interval '{int(minutes)} minutes'"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})"

    def days_between(self, first: str, last: str) -> str:
        return f"({last} - {first} + 1)"

    def sum_money(self, x: str) -> str:
        # Money has 4 decimal places: summing it as scaled 64-bit integers (128-bit accumulators) is
        # exact and much cheaper than NUMERIC additions over a million rows.
        return f"(SUM(CAST({x} * 10000 AS bigint)) / 10000.0)"

    # Fragment money is a scaled bigint (1/10,000ths): summing fragments into buckets then runs on
    # 128-bit integer accumulators too. NUMERIC aggregate states cost about 1.5 kB per group: with
    # 150,000 weekly ASIN groups the bucket GROUP BY spilled to disk and took 3x longer.
    def fragment_money(self, x: str) -> str:
        return f"CAST(SUM(CAST({x} * 10000 AS bigint)) AS bigint)"

    def fragment_money_value(self, x: str) -> str:
        return f"CAST({x} * 10000 AS bigint)"

    def bucket_money(self, x: str) -> str:
        return f"(SUM({x}) / 10000.0)"

    def sum_count(self, x: str) -> str:
        # SUM(bigint) is NUMERIC in PostgreSQL; the next GROUP BY up would add NUMERICs again.
        return f"CAST(SUM({x}) AS bigint)"

    def bytewise(self, x: str) -> str:
        # The "C" collation compares with memcmp and lets the sort use abbreviated keys; the database's
        # own collation (strcoll) made the ORDER BY of the final insert a quarter of its time.
        return f'{x} COLLATE "C"'


class SqliteDialect(Dialect):
    vendor = "sqlite"

    def week_start(self, x: str) -> str:
        # The Sunday on or before x, without strftime('%w'): a literal % breaks Django's debug SQL log.
        return f"date({x}, '+1 day', 'weekday 0', '-7 days')"

    def month_start(self, x: str) -> str:
        return f"date({x}, 'start of month')"

    def add_days(self, x: str, days: int) -> str:
        return f"date({x}, '{int(days):+d} days')"

    def month_end(self, x: str) -> str:
        return f"date({x}, 'start of month', '+1 month', '-1 day')"

    def utc_date(self, ts: str) -> str:
        return f"date({ts})"

    def ts_le_plus_minutes(self, a: str, b: str, minutes: int) -> str:
        return f"julianday({a}) <= julianday({b}) + {int(minutes)} / 1440.0"

    def least(self, a: str, b: str) -> str:
        return f"MIN({a}, {b})"

    def days_between(self, first: str, last: str) -> str:
        return f"CAST(julianday({last}) - julianday({first}) + 1 AS integer)"


def dialect_for(vendor: str) -> Dialect:
    if vendor == "postgresql":
        return PostgresDialect()
    if vendor == "sqlite":
        return SqliteDialect()
    raise NotImplementedError(f"rollups support PostgreSQL and SQLite, not {vendor}")


# --- statement builders -------------------------------------------------------------------------------
# Every builder returns (sql, params). Parameters use %s; Django's cursor adapts them for SQLite.

Statement = tuple[str, list[object]]
TEMP_TABLES = (
    "rv_vc",
    *(f"rv_{name}_{part}" for name in ("sales", "inv", "trf") for part in ("f", "n", "b")),
    "rv_po",
    "rv_asn",
    "rv_stack",
    "rv_ads",
    "rv_ads_f",
    "rv_ads_b",
    "rv_adsmap",
)


def drop_temp_tables() -> list[Statement]:
    return [(f"DROP TABLE IF EXISTS {name}", []) for name in TEMP_TABLES]


def vendor_code_table(vendor_code_ids: Sequence[int]) -> list[Statement]:
    """rv_vc: the vendor codes being recomputed, with their brand, marketplace and currency."""
    marks = ", ".join(["%s"] * len(vendor_code_ids))
    return [
        (
            "CREATE TEMP TABLE rv_vc AS "
            "SELECT vc.id AS vendor_code_id, vc.brand_id, vc.marketplace_id, m.currency, vc.freight_terms "
            "FROM planning_vendorcode vc JOIN planning_marketplace m ON m.id = vc.marketplace_id "
            f"WHERE vc.id IN ({marks})",
            list(vendor_code_ids),
        )
    ]


def vendor_filter(alias: str, vendor_code_ids: Sequence[int]) -> Statement:
    """`alias.vendor_code_id IN (...)`: a literal list, cheaper than joining rv_vc on a million rows."""
    return f"{alias}.vendor_code_id IN ({', '.join(['%s'] * len(vendor_code_ids))})", list(vendor_code_ids)


def is_money(column: str) -> bool:
    """Whether a retail level column is money (the costs) rather than units."""
    return column.endswith("_cost")


@dataclass(frozen=True)
class RetailTable:
    """One Retail Analytics fact table and what the rollup takes from it."""

    name: str  # temp table prefix: rv_<name>_f (fragments), _n (Amazon's own week/month rows), _b (buckets)
    table: str
    money: tuple[str, ...]  # flows summed (Decimal)
    counts: tuple[str, ...]  # flows summed (integers)
    levels: tuple[str, ...] = ()  # stock at the end of the bucket
    extras: tuple[str, ...] = ()  # computed per row: weighted sums, shipped days, Amazon's sell-through

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.money, *self.counts, *self.levels, *self.extras)


SALES = RetailTable(
    name="sales",
    table="ingest_retailsalesfact",
    money=("ordered_revenue", "shipped_cogs", "shipped_revenue"),
    counts=("ordered_units", "shipped_units", "customer_returns"),
    extras=("shipped_days", "net_ppm_margin", "net_ppm_revenue"),
)
INVENTORY = RetailTable(
    name="inv",
    table="ingest_retailinventoryfact",
    money=("net_received_inventory_cost",),
    counts=("net_received_inventory_units", "unfilled_customer_ordered_units"),
    levels=INVENTORY_LEVELS,
    extras=("oos_glance_views", "ppoos_glance_views", "sell_through_reported"),
)
TRAFFIC = RetailTable(name="trf", table="ingest_retailtrafficfact", money=(), counts=("glance_views",))
# Traffic first: whether it has rows decides whether inventory joins it for the PPOOS weights.
RETAIL_TABLES = (TRAFFIC, SALES, INVENTORY)


def _peer_join(table: str, peer: str, *, same_view: bool, first: date, last: date) -> str:
    """LEFT JOIN of another retail fact table on the same ASIN and fact period (`f` is the fact row)."""
    view = (
        f"{peer}.distributor_view = f.distributor_view AND {peer}.selling_program = f.selling_program"
        if same_view
        else f"{peer}.distributor_view = '' AND {peer}.selling_program = ''"
    )
    return (
        f"LEFT JOIN {table} {peer} ON {peer}.brand_id = f.brand_id AND {peer}.marketplace_id = f.marketplace_id "
        f"AND {peer}.vendor_code_id = f.vendor_code_id AND {peer}.period_grain = f.period_grain AND "
        f"{peer}.period_start = f.period_start AND {peer}.period_end = f.period_end AND {peer}.asin = f.asin "
        f"AND {view} "
        # The window again, on the peer: PostgreSQL does not carry the fact row's date range over the
        # join, and without it a one-week recompute hashed every traffic row of the vendor code.
        f"AND {peer}.period_start BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    )


# Net PPM and PPOOS are Amazon's rates: keep the weighted sums. The peer of the same view wins over the
# view-less one (SP-API traffic and net PPM reports have no view; some Vendor Central exports do).
_NET_PPM = "COALESCE(n1.net_pure_product_margin, n2.net_pure_product_margin)"
_GV = "COALESCE(t1.glance_views, t2.glance_views)"
_NULL_NUMERIC = "CAST(NULL AS numeric)"
_NULL_BIGINT = "CAST(NULL AS bigint)"


def _row_extras(
    t: RetailTable, *, peers: bool, days: str, native: bool, first: date, last: date
) -> tuple[str, dict[str, str]]:
    """(joins, {extra column: per-row expression}) of a fact row `f`."""
    if t is SALES:
        joins = ""
        margin = revenue = _NULL_NUMERIC
        if peers:
            joins = (
                _peer_join("ingest_retailnetppmfact", "n1", same_view=True, first=first, last=last)
                + " "
                + _peer_join("ingest_retailnetppmfact", "n2", same_view=False, first=first, last=last)
            )
            margin = f"CASE WHEN {_NET_PPM} IS NOT NULL THEN {_NET_PPM} * f.shipped_revenue END"
            revenue = f"CASE WHEN {_NET_PPM} IS NOT NULL THEN f.shipped_revenue END"
        shipped_days = f"CASE WHEN f.shipped_units IS NOT NULL THEN {days} END"
        return joins, {"shipped_days": shipped_days, "net_ppm_margin": margin, "net_ppm_revenue": revenue}
    if t is INVENTORY:
        joins = ""
        oos, weight = _NULL_NUMERIC, _NULL_BIGINT
        if peers:
            joins = (
                _peer_join("ingest_retailtrafficfact", "t1", same_view=True, first=first, last=last)
                + " "
                + _peer_join("ingest_retailtrafficfact", "t2", same_view=False, first=first, last=last)
            )
            oos = f"f.procurable_product_out_of_stock_rate * {_GV}"
            weight = f"CASE WHEN f.procurable_product_out_of_stock_rate IS NOT NULL THEN {_GV} END"
        # Amazon's sell-through describes its own period: kept for a row that spans the whole bucket only.
        sell_through = "f.sell_through_rate" if native else _NULL_NUMERIC
        return joins, {"oos_glance_views": oos, "ppoos_glance_views": weight, "sell_through_reported": sell_through}
    return "", {}


_FACT_KEY = "f.brand_id, f.marketplace_id, f.vendor_code_id, f.distributor_view, f.selling_program, f.asin"
_KEY_COLUMNS = "brand_id, marketplace_id, vendor_code_id, dv, sp, asin"


def fragment_statement(
    d: Dialect, w: Window, t: RetailTable, vendor_code_ids: Sequence[int], *, peers: bool
) -> Statement:
    """rv_<t>_f: DAY facts summed per ASIN and fragment (the days of one week AND one month), so one scan
    serves weekly and monthly buckets. Levels are taken at the fragment's last calendar day."""
    week = d.week_start("f.period_start")
    month = d.month_start("f.period_start")
    frag_end = d.least(d.add_days(week, 6), d.month_end("f.period_start"))
    joins, extras = _row_extras(t, peers=peers, days="1", native=False, first=w.day_first, last=w.day_last)
    parts = [
        "f.brand_id, f.marketplace_id, f.vendor_code_id, f.distributor_view AS dv, f.selling_program AS sp, f.asin",
        f"{week} AS wk, {month} AS mo, MAX(f.period_end) AS last_day",
    ]
    parts += [f"{d.fragment_money(f'f.{c}')} AS {c}" for c in t.money]
    parts += [f"{d.sum_count(f'f.{c}')} AS {c}" for c in t.counts]
    for c in t.levels:
        at_end = f"CASE WHEN f.period_end = {frag_end} THEN f.{c} END"
        parts.append(f"{d.fragment_money(at_end) if is_money(c) else d.sum_count(at_end)} AS {c}")
    for column, expression in extras.items():
        if column == "sell_through_reported":
            parts.append(f"{_NULL_NUMERIC} AS {column}")
        elif column == "shipped_days":
            parts.append(f"COUNT(f.shipped_units) AS {column}")
        else:
            parts.append(f"SUM({expression}) AS {column}")
    where, params = vendor_filter("f", vendor_code_ids)
    sql = (
        f"CREATE TEMP TABLE rv_{t.name}_f AS SELECT {', '.join(parts)} FROM {t.table} f {joins} "
        f"WHERE {where} AND f.period_grain = 'DAY' AND f.period_start BETWEEN %s AND %s "
        f"GROUP BY {_FACT_KEY}, {week}, {month}"
    )
    return sql, [*params, w.day_first, w.day_last]


def level_fixup_statement(d: Dialect, t: RetailTable) -> list[Statement]:
    """Fragments whose last calendar day was not reported (the edge of the data) take their levels from
    the last day that was, read from the fact row itself (few rows: an index lookup each)."""
    if not t.levels:
        return []
    frag = f"rv_{t.name}_f"
    frag_end = d.least(d.add_days(f"{frag}.wk", 6), d.month_end(f"{frag}.mo"))

    def value(c: str) -> str:
        return d.fragment_money_value(f"x.{c}") if is_money(c) else f"x.{c}"

    sets = ", ".join(
        f"{c} = (SELECT {value(c)} FROM {t.table} x WHERE x.brand_id = {frag}.brand_id AND x.marketplace_id = "
        f"{frag}.marketplace_id AND x.vendor_code_id = {frag}.vendor_code_id AND x.distributor_view = {frag}.dv "
        f"AND x.selling_program = {frag}.sp AND x.period_grain = 'DAY' AND x.period_start = {frag}.last_day "
        f"AND x.period_end = {frag}.last_day AND x.asin = {frag}.asin)"
        for c in t.levels
    )
    return [(f"UPDATE {frag} SET {sets} WHERE last_day < {frag_end}", [])]


def native_statement(
    d: Dialect, w: Window, t: RetailTable, vendor_code_ids: Sequence[int], *, peers: bool
) -> Statement:
    """rv_<t>_n: Amazon's own WEEK and MONTH rows aligned with the buckets (one row per ASIN and bucket)."""
    selects: list[str] = []
    params: list[object] = []
    for grain, first, last in (("WEEK", w.week_first, w.week_last), ("MONTH", w.month_first, w.month_last)):
        if grain == "WEEK":
            aligned_start, aligned_end, days = d.week_start("f.period_start"), d.add_days("f.period_start", 6), "7"
        else:
            aligned_start, aligned_end = d.month_start("f.period_start"), d.month_end("f.period_start")
            days = d.days_between("f.period_start", aligned_end)
        joins, extras = _row_extras(t, peers=peers, days=days, native=True, first=first, last=last)
        cols = [
            "f.brand_id, f.marketplace_id, f.vendor_code_id, f.distributor_view AS dv, f.selling_program AS sp, f.asin",
            f"'{grain}' AS grain, f.period_start AS bstart, f.period_end AS last_day",
            *[f"f.{c} AS {c}" for c in (*t.money, *t.counts, *t.levels)],
            *[f"{expression} AS {column}" for column, expression in extras.items()],
        ]
        where, vc_params = vendor_filter("f", vendor_code_ids)
        selects.append(
            f"SELECT {', '.join(cols)} FROM {t.table} f {joins} WHERE {where} AND f.period_grain = '{grain}' "
            f"AND f.period_start BETWEEN %s AND %s AND f.period_start = {aligned_start} "
            f"AND f.period_end = {aligned_end}"
        )
        params += [*vc_params, first, last]
    return f"CREATE TEMP TABLE rv_{t.name}_n AS {' UNION ALL '.join(selects)}", params


def bucket_statement(d: Dialect, w: Window, t: RetailTable, *, has_native: bool) -> Statement:
    """rv_<t>_b: one row per ASIN, grain and bucket: Amazon's own row when it exists, else the days."""
    frag = f"rv_{t.name}_f"
    columns = t.columns

    def from_fragments(grain: str, column: str) -> str:
        # Fragments of one bucket cover different days, so everything (shipped days too) adds up; a
        # bucket's level is its last fragment's (the one with the latest reported day).
        agg = [f"{d.bucket_money(f'fr.{c}')} AS {c}" for c in t.money]
        agg += [f"{d.sum_count(f'fr.{c}')} AS {c}" for c in t.counts]
        for c in t.levels:
            at_end = f"CASE WHEN fr.last_day = lx.last_day THEN fr.{c} END"
            agg.append(f"{d.bucket_money(at_end) if is_money(c) else d.sum_count(at_end)} AS {c}")
        agg += [f"{'MAX' if c == 'sell_through_reported' else 'SUM'}(fr.{c}) AS {c}" for c in t.extras]
        level_join = ""
        if t.levels:
            level_join = (
                f"JOIN (SELECT vendor_code_id, dv, sp, asin, {column}, MAX(last_day) AS last_day FROM {frag} "
                f"GROUP BY vendor_code_id, dv, sp, asin, {column}) lx ON lx.vendor_code_id = fr.vendor_code_id "
                f"AND lx.dv = fr.dv AND lx.sp = fr.sp AND lx.asin = fr.asin AND lx.{column} = fr.{column}"
            )
        return (
            f"SELECT fr.brand_id, fr.marketplace_id, fr.vendor_code_id, fr.dv, fr.sp, fr.asin, '{grain}' AS grain, "
            f"fr.{column} AS bstart, MAX(fr.last_day) AS last_day, {', '.join(agg)} FROM {frag} fr {level_join} "
            f"WHERE fr.{column} BETWEEN %s AND %s GROUP BY fr.brand_id, fr.marketplace_id, fr.vendor_code_id, "
            f"fr.dv, fr.sp, fr.asin, fr.{column}"
        )

    select_cols = f"{_KEY_COLUMNS}, grain, bstart, last_day, {', '.join(columns)}"
    days = f"{from_fragments('WEEK', 'wk')} UNION ALL {from_fragments('MONTH', 'mo')}"
    params: list[object] = [w.week_first, w.week_last, w.month_first, w.month_last]
    if not has_native:
        return f"CREATE TEMP TABLE rv_{t.name}_b AS {days}", params
    native = f"rv_{t.name}_n"
    return (
        f"CREATE TEMP TABLE rv_{t.name}_b AS SELECT {select_cols} FROM {native} UNION ALL "
        f"SELECT {select_cols} FROM ({days}) db WHERE NOT EXISTS (SELECT 1 FROM {native} n "
        "WHERE n.vendor_code_id = db.vendor_code_id AND n.dv = db.dv AND n.sp = db.sp AND n.asin = db.asin "
        "AND n.grain = db.grain AND n.bstart = db.bstart)",
        params,
    )


def _stack_columns() -> list[str]:
    return [
        "brand_id",
        "marketplace_id",
        "vendor_code_id",
        "grain",
        "bstart",
        "dim",
        "dval",
        "dv",
        "sp",
        *ROLLUP_MEASURES,
    ]


def _stack_insert(select_sql: str, provided: Sequence[str], keys_sql: str) -> str:
    """INSERT INTO rv_stack: `provided` measure columns from the select, NULL for the others."""
    values = [c if c in provided else "NULL" for c in ROLLUP_MEASURES]
    return (
        f"INSERT INTO rv_stack ({', '.join(_stack_columns())}) SELECT {keys_sql}, {', '.join(values)} "
        f"FROM ({select_sql}) s"
    )


STACK_DECIMALS = frozenset(
    {
        "ordered_revenue",
        "shipped_cogs",
        "shipped_revenue",
        "net_received_inventory_cost",
        "sellable_on_hand_inventory_cost",
        "unsellable_on_hand_inventory_cost",
        "aged_90_plus_days_sellable_inventory_cost",
        "unhealthy_inventory_cost",
        "oos_glance_views",
        "net_ppm_margin",
        "net_ppm_revenue",
        "sell_through_reported",
    }
)


def stack_table(d: Dialect) -> list[Statement]:
    """rv_stack: every contribution (table x dimension) before the final insert merges them per key."""
    date_type = "date" if d.vendor == "postgresql" else "text"
    cols = [
        "brand_id bigint",
        "marketplace_id bigint",
        "vendor_code_id bigint",
        "grain varchar(5)",
        f"bstart {date_type}",
        "dim varchar(8)",
        "dval varchar(100)",
        "dv varchar(20)",
        "sp varchar(20)",
        *[
            f"{c} {date_type if c in DATE_COLUMNS else 'numeric' if c in STACK_DECIMALS else 'bigint'}"
            for c in ROLLUP_MEASURES
        ],
    ]
    return [(f"CREATE TEMP TABLE rv_stack ({', '.join(cols)})", [])]


def _typed_null(column: str) -> str:
    if column in DATE_COLUMNS:
        return "CAST(NULL AS date)"
    return _NULL_NUMERIC if column in STACK_DECIMALS else _NULL_BIGINT


def asin_rows_select(t: RetailTable) -> str:
    """The ASIN rows of one bucketed retail table, in rv_stack's column layout (read by insert_rollups
    straight from rv_<t>_b: copying 150,000 rows into the stack first costs a pass for nothing)."""
    values = [
        f"b.{c} AS {c}" if c in t.columns else f"{_typed_null(c)} AS {c}"
        for c in ROLLUP_MEASURES
        if c != "data_through"
    ]
    values.append("b.last_day AS data_through")
    return (
        "SELECT b.brand_id, b.marketplace_id, b.vendor_code_id, b.grain, b.bstart, 'ASIN' AS dim, b.asin AS dval, "
        f"b.dv, b.sp, {', '.join(values)} FROM rv_{t.name}_b b WHERE b.asin <> ''"
    )


def dimension_statements(t: RetailTable) -> list[Statement]:
    """CATEGORY and TOTAL rows of one bucketed retail table, into rv_stack (ASIN rows: asin_rows_select)."""
    bucket = f"rv_{t.name}_b"
    provided = (*t.columns, "data_through")
    group = "b.brand_id, b.marketplace_id, b.vendor_code_id, b.grain, b.bstart, b.dv, b.sp"

    def agg(c: str) -> str:
        if c == "data_through":
            return "MAX(b.last_day) AS data_through"
        if c in _MAX_COLUMNS:
            return f"MAX(b.{c}) AS {c}"
        if c == "sell_through_reported":
            # Amazon's rate describes one series; a sum of several ASINs gets the recomputed rate.
            return "CASE WHEN COUNT(*) = 1 THEN MAX(b.sell_through_reported) END AS sell_through_reported"
        return f"SUM(b.{c}) AS {c}"

    aggs = ", ".join(agg(c) for c in provided)
    plain = ", ".join("b.last_day AS data_through" if c == "data_through" else f"b.{c}" for c in provided)
    keys = "s.brand_id, s.marketplace_id, s.vendor_code_id, s.grain, s.bstart, s.dim, s.dval, s.dv, s.sp"
    category_rows = (
        f"SELECT {group}, 'CATEGORY' AS dim, COALESCE(p.category, '') AS dval, {aggs} FROM {bucket} b "
        f"LEFT JOIN planning_product p ON p.marketplace_id = b.marketplace_id AND p.asin = b.asin "
        f"WHERE b.asin <> '' GROUP BY {group}, COALESCE(p.category, '')"
    )
    # The total adds the ASIN rows; a measure no ASIN row reported (Amazon puts some rates on the
    # aggregate row only) comes from the aggregate row of the same bucket.
    sums = f"SELECT {group}, {aggs} FROM {bucket} b WHERE b.asin <> '' GROUP BY {group}"
    filled = ", ".join(f"COALESCE(t.{c}, g.{'last_day' if c == 'data_through' else c}) AS {c}" for c in provided)
    total_from_asins = (
        f"SELECT t.brand_id, t.marketplace_id, t.vendor_code_id, t.grain, t.bstart, t.dv, t.sp, 'TOTAL' AS dim, "
        f"'' AS dval, {filled} FROM ({sums}) t LEFT JOIN {bucket} g ON g.vendor_code_id = t.vendor_code_id AND "
        "g.dv = t.dv AND g.sp = t.sp AND g.grain = t.grain AND g.bstart = t.bstart AND g.asin = ''"
    )
    total_from_aggregate = (
        f"SELECT {group}, 'TOTAL' AS dim, '' AS dval, {plain} FROM {bucket} b WHERE b.asin = '' AND NOT EXISTS ("
        f"SELECT 1 FROM {bucket} a WHERE a.vendor_code_id = b.vendor_code_id AND a.dv = b.dv AND a.sp = b.sp "
        f"AND a.grain = b.grain AND a.bstart = b.bstart AND a.asin <> '')"
    )
    return [
        (_stack_insert(select, provided, keys), [])
        for select in (category_rows, total_from_asins, total_from_aggregate)
    ]


def supply_statements(d: Dialect, w: Window) -> list[Statement]:
    """PO lines and ASNs: rv_po / rv_asn per ASIN and day, then stacked into the view-less rows."""
    po_day = d.utc_date("l.po_date")
    prepaid_on_time = (
        "l.last_receive_date IS NOT NULL AND l.delivery_window_end IS NOT NULL "
        "AND l.last_receive_date <= l.delivery_window_end"
    )
    collect_on_time = (
        "s.first_shipped IS NOT NULL AND l.ship_window_end IS NOT NULL AND s.first_shipped <= l.ship_window_end"
    )
    po = (
        "CREATE TEMP TABLE rv_po AS "
        f"SELECT v.brand_id, v.marketplace_id, v.vendor_code_id, COALESCE(l.asin, '') AS asin, {po_day} AS day, "
        "l.ordered_units AS requested_units, l.accepted_units AS confirmed_units, l.received_units, "
        f"CASE WHEN (v.freight_terms = 'PREPAID' AND {prepaid_on_time}) OR (v.freight_terms <> 'PREPAID' AND "
        f"{collect_on_time}) THEN l.accepted_units ELSE 0 END AS on_time_units "
        "FROM ingest_purchaseorderlinefact l JOIN rv_vc v ON v.vendor_code_id = l.vendor_code_id "
        "LEFT JOIN (SELECT sl.vendor_code_id, sl.po_number, COALESCE(sl.asin, '') AS asin, MIN(sl.shipped_at) AS "
        "first_shipped FROM ingest_shipmentlinefact sl JOIN rv_vc v2 ON v2.vendor_code_id = sl.vendor_code_id "
        "GROUP BY sl.vendor_code_id, sl.po_number, COALESCE(sl.asin, '')) s ON s.vendor_code_id = l.vendor_code_id "
        "AND s.po_number = l.po_number AND s.asin = COALESCE(l.asin, '') "
        f"WHERE l.po_date IS NOT NULL AND {po_day} BETWEEN %s AND %s"
    )
    shipment_day = d.utc_date("COALESCE(sh.shipped_at, sh.confirmed_at, sh.delivered_at)")
    in_time = (
        "CASE WHEN sh.delivered_at IS NULL THEN NULL "
        "WHEN sh.confirmed_at IS NULL OR sh.confirmed_at >= sh.delivered_at THEN 0 "
        f"WHEN sh.shipped_at IS NOT NULL AND {d.ts_le_plus_minutes('sh.confirmed_at', 'sh.shipped_at', 30)} THEN 1 "
        f"WHEN {d.ts_le_plus_minutes('sh.confirmed_at', 'sh.delivered_at', -360)} THEN 1 ELSE 0 END"
    )
    asn = (
        "CREATE TEMP TABLE rv_asn AS "
        "WITH sh AS (SELECT sl.vendor_code_id, sl.shipment_id, MIN(sl.confirmed_at) AS confirmed_at, "
        "MIN(sl.shipped_at) AS shipped_at, MIN(sl.delivered_at) AS delivered_at FROM ingest_shipmentlinefact sl "
        "JOIN rv_vc v ON v.vendor_code_id = sl.vendor_code_id GROUP BY sl.vendor_code_id, sl.shipment_id), "
        "shipped AS (SELECT sl.vendor_code_id, sl.po_number, COALESCE(sl.asin, '') AS asin, SUM(sl.shipped_units) AS "
        "units FROM ingest_shipmentlinefact sl JOIN rv_vc v ON v.vendor_code_id = sl.vendor_code_id "
        "GROUP BY sl.vendor_code_id, sl.po_number, COALESCE(sl.asin, '')), "
        "received AS (SELECT l.vendor_code_id, l.po_number, COALESCE(l.asin, '') AS asin, SUM(l.received_units) AS "
        "units, COUNT(l.received_units) AS known, COUNT(*) AS n FROM ingest_purchaseorderlinefact l "
        "JOIN rv_vc v ON v.vendor_code_id = l.vendor_code_id GROUP BY l.vendor_code_id, l.po_number, "
        "COALESCE(l.asin, '')), "
        # One verdict per shipment line: its PO/ASIN's shipped units (all ASNs) = received units.
        "lines AS (SELECT sl.vendor_code_id, sl.shipment_id, COALESCE(sl.asin, '') AS asin, "
        "CASE WHEN r.units IS NULL OR r.known < r.n OR sh.delivered_at IS NULL OR q.units IS NULL THEN NULL "
        "WHEN q.units = r.units THEN 1 ELSE 0 END AS ok FROM ingest_shipmentlinefact sl "
        "JOIN rv_vc v ON v.vendor_code_id = sl.vendor_code_id "
        "JOIN sh ON sh.vendor_code_id = sl.vendor_code_id AND sh.shipment_id = sl.shipment_id "
        "LEFT JOIN shipped q ON q.vendor_code_id = sl.vendor_code_id AND q.po_number = sl.po_number AND "
        "q.asin = COALESCE(sl.asin, '') LEFT JOIN received r ON r.vendor_code_id = sl.vendor_code_id AND "
        "r.po_number = sl.po_number AND r.asin = COALESCE(sl.asin, '')) "
        f"SELECT v.brand_id, v.marketplace_id, v.vendor_code_id, sh.shipment_id, ln.asin, {shipment_day} AS day, "
        f"{in_time} AS in_time, CASE WHEN sh.delivered_at IS NULL THEN 0 ELSE 1 END AS judged, "
        "MAX(CASE WHEN ln.ok = 0 THEN 1 ELSE 0 END) AS defect, "
        "MAX(CASE WHEN ln.ok IS NULL THEN 1 ELSE 0 END) AS unknown "
        "FROM sh JOIN rv_vc v ON v.vendor_code_id = sh.vendor_code_id JOIN lines ln ON ln.vendor_code_id = "
        "sh.vendor_code_id AND ln.shipment_id = sh.shipment_id "
        "WHERE COALESCE(sh.shipped_at, sh.confirmed_at, sh.delivered_at) IS NOT NULL "
        f"AND {shipment_day} BETWEEN %s AND %s "
        "GROUP BY v.brand_id, v.marketplace_id, v.vendor_code_id, sh.shipment_id, ln.asin, sh.shipped_at, "
        "sh.confirmed_at, sh.delivered_at"
    )
    statements: list[Statement] = [(po, [w.day_first, w.day_last]), (asn, [w.day_first, w.day_last])]
    po_cols = ("requested_units", "confirmed_units", "received_units", "on_time_units")
    for grain, bucket_sql, first, last in _grains(d, w, "x.day"):
        statements += _supply_stack(grain, bucket_sql, first, last, po_cols)
    return statements


def _grains(d: Dialect, w: Window, column: str) -> list[tuple[str, str, date, date]]:
    return [
        ("WEEK", d.week_start(column), w.week_first, w.week_last),
        ("MONTH", d.month_start(column), w.month_first, w.month_last),
    ]


def _supply_stack(grain: str, bucket: str, first: date, last: date, po_cols: Sequence[str]) -> list[Statement]:
    keys = "s.brand_id, s.marketplace_id, s.vendor_code_id, s.grain, s.bstart, s.dim, s.dval, '', ''"
    statements: list[Statement] = []
    po_sums = ", ".join(f"SUM(x.{c}) AS {c}" for c in po_cols)
    # ASNs: a shipment counts once per ASIN it carries (ASIN/CATEGORY) and once in the total.
    asn_sums = (
        "COUNT(*) AS asns, SUM(x.judged) AS asns_judged, SUM(COALESCE(x.in_time, 0)) AS asns_in_time, "
        "SUM(CASE WHEN x.defect = 1 OR x.unknown = 0 THEN 1 ELSE 0 END) AS shipments_checked, "
        "SUM(CASE WHEN x.defect = 0 AND x.unknown = 0 THEN 1 ELSE 0 END) AS shipments_accurate"
    )
    asn_cols = ("asns", "asns_judged", "asns_in_time", "shipments_checked", "shipments_accurate")
    bx = bucket
    base = "x.brand_id, x.marketplace_id, x.vendor_code_id"
    cat = "LEFT JOIN planning_product p ON p.marketplace_id = x.marketplace_id AND p.asin = x.asin"
    for dim, dval, join, where in (
        ("ASIN", "x.asin", "", "AND x.asin <> ''"),
        ("CATEGORY", "COALESCE(p.category, '')", cat, "AND x.asin <> ''"),
    ):
        po = (
            f"SELECT {base}, '{grain}' AS grain, {bx} AS bstart, '{dim}' AS dim, {dval} AS dval, {po_sums} "
            f"FROM rv_po x {join} WHERE {bx} BETWEEN %s AND %s {where} GROUP BY {base}, {bx}, {dval}"
        )
        statements.append((_stack_insert(po, po_cols, keys), [first, last]))
        # Per (shipment, ASIN) rows exist already; for a category, a shipment counts once.
        per_shipment = (
            f"SELECT {base}, x.shipment_id, x.day, {dval} AS dval, MAX(x.in_time) AS in_time, MAX(x.judged) AS judged, "
            f"MAX(x.defect) AS defect, MAX(x.unknown) AS unknown FROM rv_asn x {join} WHERE x.asin <> '' "
            f"GROUP BY {base}, x.shipment_id, x.day, {dval}"
        )
        asn = (
            f"SELECT {base}, '{grain}' AS grain, {bx} AS bstart, '{dim}' AS dim, x.dval, {asn_sums} "
            f"FROM ({per_shipment}) x WHERE {bx} BETWEEN %s AND %s GROUP BY {base}, {bx}, x.dval"
        )
        statements.append((_stack_insert(asn, asn_cols, keys), [first, last]))
    po_total = (
        f"SELECT {base}, '{grain}' AS grain, {bx} AS bstart, 'TOTAL' AS dim, '' AS dval, {po_sums} "
        f"FROM rv_po x WHERE {bx} BETWEEN %s AND %s GROUP BY {base}, {bx}"
    )
    statements.append((_stack_insert(po_total, po_cols, keys), [first, last]))
    per_shipment_total = (
        f"SELECT {base}, x.shipment_id, x.day, MAX(x.in_time) AS in_time, MAX(x.judged) AS judged, "
        f"MAX(x.defect) AS defect, MAX(x.unknown) AS unknown FROM rv_asn x GROUP BY {base}, x.shipment_id, x.day"
    )
    asn_total = (
        f"SELECT {base}, '{grain}' AS grain, {bx} AS bstart, 'TOTAL' AS dim, '' AS dval, {asn_sums} "
        f"FROM ({per_shipment_total}) x WHERE {bx} BETWEEN %s AND %s GROUP BY {base}, {bx}"
    )
    statements.append((_stack_insert(asn_total, asn_cols, keys), [first, last]))
    return statements


def glance_view_copy(asin_tables: Sequence[RetailTable]) -> list[Statement]:
    """Copy the view-less glance views onto the view rows that have no traffic of their own."""
    provided = ("glance_views",)
    rows = " UNION ALL ".join(
        [*(asin_rows_select(t) for t in asin_tables), f"SELECT {', '.join(_stack_columns())} FROM rv_stack"]
    )
    select = (
        "SELECT k.brand_id, k.marketplace_id, k.vendor_code_id, k.grain, k.bstart, k.dim, k.dval, k.dv, k.sp, "
        "g.glance_views FROM (SELECT brand_id, marketplace_id, vendor_code_id, grain, bstart, dim, dval, dv, sp, "
        f"MAX(glance_views) AS own FROM ({rows}) r1 WHERE dv <> '' OR sp <> '' GROUP BY brand_id, marketplace_id, "
        "vendor_code_id, grain, bstart, dim, dval, dv, sp) k JOIN (SELECT vendor_code_id, grain, bstart, dim, dval, "
        f"SUM(glance_views) AS glance_views FROM ({rows}) r2 WHERE dv = '' AND sp = '' AND glance_views IS NOT NULL "
        "GROUP BY vendor_code_id, grain, bstart, dim, dval) g ON g.vendor_code_id = k.vendor_code_id AND "
        "g.grain = k.grain AND g.bstart = k.bstart AND g.dim = k.dim AND g.dval = k.dval WHERE k.own IS NULL"
    )
    keys = "s.brand_id, s.marketplace_id, s.vendor_code_id, s.grain, s.bstart, s.dim, s.dval, s.dv, s.sp"
    return [(_stack_insert(select, provided, keys), [])]


def delete_rollups(table: str, vendor_code_ids: Sequence[int], w: Window) -> Statement:
    marks = ", ".join(["%s"] * len(vendor_code_ids))
    return (
        f"DELETE FROM {table} WHERE vendor_code_id IN ({marks}) AND ((grain = 'WEEK' AND period_start BETWEEN %s AND "
        f"%s) OR (grain = 'MONTH' AND period_start BETWEEN %s AND %s))",
        [*vendor_code_ids, w.week_first, w.week_last, w.month_first, w.month_last],
    )


def insert_rollups(d: Dialect, computed_at: object, *, merge: bool, asin_tables: Sequence[RetailTable]) -> Statement:
    """rv_stack and the ASIN rows of rv_<t>_b -> reviews_rollup.

    With merge, contributions of several tables to one key are added up (GROUP BY); without, every
    source row is already a whole key (one source per key space). Rows go in in index order, so the
    B-tree grows at its right edge instead of splitting pages all over.
    """
    period_end = f"CASE WHEN s.grain = 'WEEK' THEN {d.add_days('s.bstart', 6)} ELSE {d.month_end('s.bstart')} END"
    if merge:
        measures = [
            f"MAX(s.{c})" if c in _MAX_COLUMNS or c == "sell_through_reported" else f"SUM(s.{c})"
            for c in ROLLUP_MEASURES
        ]
        group = (
            " GROUP BY s.brand_id, s.vendor_code_id, s.marketplace_id, s.grain, s.bstart, s.dim, s.dval, s.dv, "
            "s.sp, v.currency"
        )
    else:
        measures = [f"s.{c}" for c in ROLLUP_MEASURES]
        group = ""
    sources = " UNION ALL ".join(
        [*(asin_rows_select(t) for t in asin_tables), f"SELECT {', '.join(_stack_columns())} FROM rv_stack"]
    )
    cols = (
        "brand_id, vendor_code_id, marketplace_id, grain, period_start, period_end, dimension, dimension_value, "
        f"distributor_view, selling_program, currency, computed_at, {', '.join(ROLLUP_MEASURES)}"
    )
    sql = (
        f"INSERT INTO reviews_rollup ({cols}) SELECT s.brand_id, s.vendor_code_id, s.marketplace_id, s.grain, "
        f"s.bstart, {period_end}, s.dim, s.dval, s.dv, s.sp, v.currency, %s, {', '.join(measures)} "
        f"FROM ({sources}) s JOIN rv_vc v ON v.vendor_code_id = s.vendor_code_id{group} "
        f"ORDER BY s.vendor_code_id, {d.bytewise('s.grain')}, s.bstart, {d.bytewise('s.dim')}"
    )
    return sql, [computed_at]


# --- advertising ------------------------------------------------------------------------------------------


def ads_statements(d: Dialect, w: Window, computed_at: object) -> list[Statement]:
    """Ads facts of the mapped profiles -> rv_ads_b (per vendor code, ad product, ASIN level) -> reviews_adsrollup.

    rv_adsmap (brand_id, profile_id, mkt, vendor_code_id) must exist: which vendor code an ads row
    belongs to (reviews.services.rollups builds it from AdsProfile and the brand's vendor codes).
    """
    wanted: list[str] = []
    for mapping in (ADS_TOTAL_REPORT_TYPES, ADS_ASIN_REPORT_TYPES):
        for report_type in mapping.values():
            wanted += [report_type, CONSOLE_PREFIX + report_type]
    marks = ", ".join(["%s"] * len(wanted))
    total_types = ", ".join(f"'{t}'" for r in ADS_TOTAL_REPORT_TYPES.values() for t in (r, CONSOLE_PREFIX + r))
    level = f"CASE WHEN a.report_type IN ({total_types}) THEN 'T' ELSE 'A' END"

    def window_column(prefix: str) -> str:
        cases = " ".join(f"WHEN '{p}' THEN a.{prefix}_{days}d" for p, days in VENDOR_ATTRIBUTION_WINDOWS.items())
        return f"CASE a.ad_product {cases} END"

    week = d.week_start("a.date")
    month = d.month_start("a.date")
    prefix_len = len(CONSOLE_PREFIX)
    console_check = (
        f"(a.report_type NOT LIKE '{CONSOLE_PREFIX}%%' OR NOT EXISTS (SELECT 1 FROM ingest_adsdailyfact b "
        "WHERE b.brand_id = a.brand_id AND b.profile_id = a.profile_id AND b.marketplace_id = a.marketplace_id "
        f"AND b.date = a.date AND b.report_type = substr(a.report_type, {prefix_len + 1})))"
    )
    fragments = (
        "CREATE TEMP TABLE rv_ads_f AS SELECT m.vendor_code_id, a.ad_product, "
        f"{level} AS lvl, CASE WHEN {level} = 'A' THEN a.asin ELSE '' END AS asin, {week} AS wk, {month} AS mo, "
        f"SUM(a.cost) AS ad_spend, SUM({window_column('sales')}) AS ad_sales, SUM(a.impressions) AS impressions, "
        f"SUM(a.clicks) AS clicks, SUM({window_column('purchases')}) AS ad_orders, "
        f"SUM({window_column('units_sold')}) AS ad_units "
        "FROM ingest_adsdailyfact a JOIN rv_adsmap m ON m.brand_id = a.brand_id AND m.profile_id = a.profile_id "
        f"AND m.mkt = a.marketplace_id WHERE a.date BETWEEN %s AND %s AND a.report_type IN ({marks}) "
        f"AND {console_check} "
        f"GROUP BY m.vendor_code_id, a.ad_product, {level}, CASE WHEN {level} = 'A' THEN a.asin ELSE '' END, "
        f"{week}, {month}"
    )
    sums = ", ".join(f"SUM(f.{c}) AS {c}" for c in ADS_MEASURES)
    buckets = (
        "CREATE TEMP TABLE rv_ads_b AS "
        f"SELECT f.vendor_code_id, f.ad_product, f.lvl, f.asin, 'WEEK' AS grain, f.wk AS bstart, {sums} "
        "FROM rv_ads_f f "
        "WHERE f.wk BETWEEN %s AND %s GROUP BY f.vendor_code_id, f.ad_product, f.lvl, f.asin, f.wk "
        f"UNION ALL SELECT f.vendor_code_id, f.ad_product, f.lvl, f.asin, 'MONTH' AS grain, f.mo AS bstart, {sums} "
        "FROM rv_ads_f f WHERE f.mo BETWEEN %s AND %s GROUP BY f.vendor_code_id, f.ad_product, f.lvl, f.asin, f.mo"
    )
    windows = " ".join(f"WHEN '{p}' THEN '{days}d'" for p, days in VENDOR_ATTRIBUTION_WINDOWS.items())
    reports = " ".join(
        f"WHEN b.ad_product = '{p}' AND b.lvl = '{lvl}' THEN '{t}'"
        for lvl, mapping in (("T", ADS_TOTAL_REPORT_TYPES), ("A", ADS_ASIN_REPORT_TYPES))
        for p, t in mapping.items()
    )
    period_end = f"CASE WHEN b.grain = 'WEEK' THEN {d.add_days('b.bstart', 6)} ELSE {d.month_end('b.bstart')} END"
    insert_cols = (
        "brand_id, vendor_code_id, marketplace_id, grain, period_start, period_end, dimension, dimension_value, "
        f"currency, computed_at, ad_product, attribution_window, report_types, {', '.join(ADS_MEASURES)}"
    )

    def insert(dim: str, dval: str, join: str, where: str, grouped: bool) -> Statement:
        measures = ", ".join(f"SUM(b.{c})" if grouped else f"b.{c}" for c in ADS_MEASURES)
        group = (
            f" GROUP BY v.brand_id, b.vendor_code_id, v.marketplace_id, b.grain, b.bstart, {dval}, v.currency, "
            "b.ad_product, b.lvl"
            if grouped
            else ""
        )
        sql = (
            f"INSERT INTO reviews_adsrollup ({insert_cols}) SELECT v.brand_id, b.vendor_code_id, v.marketplace_id, "
            f"b.grain, b.bstart, {period_end}, '{dim}', {dval}, v.currency, %s, b.ad_product, "
            f"CASE b.ad_product {windows} END, CASE {reports} END, {measures} FROM rv_ads_b b "
            f"JOIN rv_vc v ON v.vendor_code_id = b.vendor_code_id {join} WHERE {where}{group}"
        )
        return sql, [computed_at]

    category_join = "LEFT JOIN planning_product p ON p.marketplace_id = v.marketplace_id AND p.asin = b.asin"
    return [
        (fragments, [w.day_first, w.day_last, *wanted]),
        (buckets, [w.week_first, w.week_last, w.month_first, w.month_last]),
        insert("TOTAL", "''", "", "b.lvl = 'T'", grouped=False),
        insert("ASIN", "b.asin", "", "b.lvl = 'A' AND b.asin <> ''", grouped=False),
        insert("CATEGORY", "COALESCE(p.category, '')", category_join, "b.lvl = 'A' AND b.asin <> ''", grouped=True),
    ]
