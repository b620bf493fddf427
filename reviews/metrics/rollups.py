"""Rollups: fact rows in, one row per group and week or month out, sums first and ratios from the sums.

Every rollup returns columns in this order: the group keys, `grain` ("week" | "month"),
`period_start`, `period_end` (datetime.date: Sunday-Saturday retail weeks or calendar months), the
sums, then the ratios added by `derive_ratios`. Rows are sorted by the group keys and period_start,
with a fresh RangeIndex. See reviews.metrics.base for the dtype policy (money Decimal, counts Int64,
ratios Decimal or None).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from reviews.metrics.base import Grain
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ObjectArray
from reviews.metrics.base import bucket_end
from reviews.metrics.base import bucket_start
from reviews.metrics.base import check_distinct
from reviews.metrics.base import check_grain
from reviews.metrics.base import count_series
from reviews.metrics.base import date_series
from reviews.metrics.base import decimal_array
from reviews.metrics.base import map_dates
from reviews.metrics.base import none_for_missing
from reviews.metrics.base import object_series
from reviews.metrics.base import previous_bucket_start
from reviews.metrics.base import require_columns
from reviews.metrics.derive import derive_ratios

# --- retail (ARA) columns, DOMAIN.md §4.2 --------------------------------------------------------
# Flows add up over time; levels (stock) are snapshots and are taken at the end of the bucket.
RETAIL_FLOW_MONEY = ("ordered_revenue", "shipped_cogs", "shipped_revenue", "net_received_inventory_cost")
RETAIL_FLOW_COUNTS = (
    "ordered_units",
    "shipped_units",
    "customer_returns",
    "glance_views",
    "net_received_inventory_units",
    "unfilled_customer_ordered_units",
)
RETAIL_LEVEL_MONEY = (
    "sellable_on_hand_inventory_cost",
    "unsellable_on_hand_inventory_cost",
    "aged_90_plus_days_sellable_inventory_cost",
    "unhealthy_inventory_cost",
)
RETAIL_LEVEL_COUNTS = (
    "sellable_on_hand_inventory_units",
    "unsellable_on_hand_inventory_units",
    "aged_90_plus_days_sellable_inventory_units",
    "unhealthy_inventory_units",
    "open_purchase_order_units",
)
# Amazon's rates, aggregated with a weight (PPOOS by glance views, net PPM by shipped revenue).
RETAIL_WEIGHTED_MONEY = ("oos_glance_views", "net_ppm_margin", "net_ppm_revenue")
RETAIL_WEIGHTED_COUNTS = ("ppoos_glance_views",)

# Inputs of weeks of cover and sell-through that rollup_retail adds after the sums.
RETAIL_HELPER_COLUMNS = (
    "trailing_4w_shipped_units",
    "trailing_4w_days_reported",
    "avg_weekly_shipped_units",
    "start_sellable_on_hand_units",
    "sell_through_reported",
)

ADS_MONEY = ("ad_spend", "ad_sales")
ADS_COUNTS = ("impressions", "clicks", "ad_orders", "ad_units")
PO_COUNTS = ("requested_units", "confirmed_units", "received_units", "on_time_units")
ASN_COUNTS = ("asns", "asns_judged", "asns_in_time", "shipments_checked", "shipments_accurate")

# Every money column a rollup produces (what reviews.fx converts by default).
MONEY_COLUMNS: tuple[str, ...] = (*RETAIL_FLOW_MONEY, *RETAIL_LEVEL_MONEY, *RETAIL_WEIGHTED_MONEY[1:], *ADS_MONEY)
# Every sum column a rollup produces (what add_changes compares as relative changes).
SUM_COLUMNS: tuple[str, ...] = (
    *RETAIL_FLOW_MONEY,
    *RETAIL_FLOW_COUNTS,
    *RETAIL_LEVEL_MONEY,
    *RETAIL_LEVEL_COUNTS,
    *ADS_MONEY,
    *ADS_COUNTS,
    *PO_COUNTS,
    *ASN_COUNTS,
)

TRAILING_DAYS = 28  # weeks of cover: trailing 4 weeks of shipments by default (DOMAIN.md §4.3)


# --- shared steps -------------------------------------------------------------------------------


def decimal_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as Decimal/None (object); an absent column is all None ("not reported")."""
    if column not in frame.columns:
        return pd.Series(np.full(len(frame), None, dtype=object), index=frame.index, dtype=object)
    return object_series(decimal_array(frame[column], column=column), frame.index)


def count_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as Int64; an absent column is all <NA> ("not reported")."""
    if column not in frame.columns:
        return pd.Series(pd.array([None] * len(frame), dtype="Int64"), index=frame.index)
    return count_series(frame[column], column=column)


def sum_by(work: pd.DataFrame, by: list[str], money: Sequence[str], counts: Sequence[str]) -> pd.DataFrame:
    """Group sums: Decimal for money, Int64 for counts; a group with nothing reported sums to None/<NA>."""
    grouped = work.groupby(by, sort=True, dropna=False)
    parts: dict[str, pd.Series] = {}
    for column in money:
        parts[column] = none_for_missing(grouped[column].sum(min_count=1))
    for column in counts:
        parts[column] = grouped[column].sum(min_count=1).astype("Int64")
    if not parts:
        return grouped.size().to_frame("_rows").drop(columns="_rows")
    return pd.DataFrame(parts)


def add_buckets(work: pd.DataFrame, starts: pd.Series, grain: Grain) -> None:
    work["_bstart"] = map_dates(starts, lambda d: bucket_start(d, grain))
    work["_bend"] = map_dates(starts, lambda d: bucket_end(d, grain))


def check_currency(frame: pd.DataFrame, money_columns: Sequence[str]) -> None:
    """Money is summed per currency: a frame with money needs a filled `currency` column."""
    if "currency" not in frame.columns:
        present = [c for c in money_columns if c in frame.columns]
        if present:
            raise MetricInputError(
                "money without a currency column would add currencies together",
                column="currency",
                expected=f"a currency column next to {', '.join(present)}",
            )
        return
    currency = frame["currency"]
    bad = (currency.isna() | (currency.astype(object) == "")).to_numpy(dtype=bool)
    if bad.any():
        raise MetricInputError(
            "money rows need their currency",
            column="currency",
            row=frame.index[int(bad.argmax())],
            expected="an ISO-4217 code",
        )


def finish_rollup(sums: pd.DataFrame, group_keys: list[str], grain: Grain) -> pd.DataFrame:
    out = sums.reset_index()
    out = out.rename(columns={"_bstart": "period_start", "_bend": "period_end"})
    out.insert(len(group_keys), "grain", grain)
    return out.sort_values([*group_keys, "period_start"], kind="stable").reset_index(drop=True)


def rollup_group_keys(
    frame: pd.DataFrame, keys: Sequence[str], dims: Sequence[str], labels: Sequence[str]
) -> list[str]:
    group_keys = [*keys, *[c for c in labels if c in frame.columns and c not in keys and c not in dims], *dims]
    check_distinct(group_keys, what="rollup keys")
    return group_keys


# --- retail ---------------------------------------------------------------------------------------


def rollup_retail(
    facts: pd.DataFrame,
    *,
    grain: str,
    dims: Sequence[str] = (),
    keys: Sequence[str] = ("vendor_code", "marketplace_id"),
) -> pd.DataFrame:
    """Weekly or monthly retail (ARA) rollup per keys * distributor view * currency * dims.

    Input: one row per series (asin, and selling_program when present) and fact period, as the
    retail_* fact tables of ingest/parsers/facts.py joined on their key: `keys`, `dims`, asin,
    period_start, period_end (periods of one length, each inside one week/month bucket: DAY facts
    for week or month rollups, WEEK facts for week rollups, MONTH facts for month rollups), optionally
    distributor_view and currency (then they are group keys too: views and currencies never mix),
    selling_program, and any of the measure columns of RETAIL_FLOW_*, RETAIL_LEVEL_*,
    sell_through_rate, procurable_product_out_of_stock_rate, net_pure_product_margin. A missing
    measure column means "not reported". ASIN rows and aggregate rows (asin '') must not be mixed.

    Output columns, after the keys, grain, period_start and period_end:
    - flows summed over the bucket: RETAIL_FLOW_MONEY (Decimal), RETAIL_FLOW_COUNTS (Int64);
    - levels at the end of the bucket (each series' last reported value, summed over the series):
      RETAIL_LEVEL_MONEY (Decimal), RETAIL_LEVEL_COUNTS (Int64);
    - oos_glance_views (Σ PPOOS rate * glance views, Decimal), ppoos_glance_views (Σ glance views of
      rows with a PPOOS rate, Int64), net_ppm_margin (Σ net PPM * shipped revenue) and
      net_ppm_revenue (Σ shipped revenue of rows with a net PPM);
    - trailing_4w_shipped_units (Int64, shipments in the 28 days ending on period_end, <NA> when none
      reported), trailing_4w_days_reported (Int64, days those shipments cover), avg_weekly_shipped_units
      (Decimal, shipments * 7 ÷ days reported); only input rows count, so pass the 3 weeks before
      the first bucket you need as well and drop their buckets from the result;
    - start_sellable_on_hand_units (Int64: the previous bucket's ending sellable on-hand, <NA> when
      the previous bucket is not in the input);
    - sell_through_reported (Decimal: Amazon's rate when the group is one series whose single
      reported row spans the whole bucket, else None);
    - every ratio of derive_ratios: return_rate, conversion, ppoos_rate, aged_share, net_ppm,
      weeks_of_cover, sell_through_recomputed, sell_through, sell_through_source.
    """
    grain_ = check_grain(grain)
    require_columns(facts, [*keys, *dims, "asin", "period_start", "period_end"], what="rollup_retail")
    group_keys = rollup_group_keys(facts, keys, dims, ("distributor_view", "currency"))
    extra_series = [c for c in ("asin", "selling_program") if c in facts.columns and c not in group_keys]
    series_cols = [*group_keys, *extra_series]
    by = [*group_keys, "_bstart", "_bend"]
    check_currency(facts, (*RETAIL_FLOW_MONEY, *RETAIL_LEVEL_MONEY))
    asins = facts["asin"].to_numpy(dtype=object)
    if len(asins) and (asins == "").any() and (asins != "").any():
        raise MetricInputError(
            "ASIN rows and aggregate rows (asin '') together would count sales twice",
            column="asin",
            expected="only ASIN rows or only aggregate rows",
        )

    work = facts[series_cols].copy()
    work["_start"] = date_series(facts["period_start"], column="period_start")
    work["_end"] = date_series(facts["period_end"], column="period_end")
    add_buckets(work, work["_start"], grain_)
    _check_periods(work, grain_)
    duplicated = work.duplicated([*series_cols, "_start", "_end"])
    if duplicated.any():
        label = duplicated[duplicated].index[0]
        raise MetricInputError(
            "two fact rows for the same series and period would be counted twice",
            row=label,
            value={c: work.loc[label, c] for c in [*series_cols, "_start"]},
            expected="one row per " + ", ".join([*series_cols, "period_start", "period_end"]),
        )

    for column in (*RETAIL_FLOW_MONEY, *RETAIL_LEVEL_MONEY):
        work[column] = decimal_column(facts, column)
    for column in (*RETAIL_FLOW_COUNTS, *RETAIL_LEVEL_COUNTS):
        work[column] = count_column(facts, column)
    _add_weighted(work, facts)
    sell_through_rate = decimal_column(facts, "sell_through_rate")
    work["sell_through_rate"] = sell_through_rate

    flows = sum_by(
        work,
        by,
        (*RETAIL_FLOW_MONEY, *RETAIL_WEIGHTED_MONEY),
        (*RETAIL_FLOW_COUNTS, *RETAIL_WEIGHTED_COUNTS),
    )
    # Stock is a snapshot: each series' last reported value in the bucket, then summed over series.
    level_columns = [*RETAIL_LEVEL_MONEY, *RETAIL_LEVEL_COUNTS]
    latest = (
        work.sort_values("_end", kind="stable")
        .groupby([*series_cols, "_bstart", "_bend"], sort=False, dropna=False)[level_columns]
        .last()
        .reset_index()
    )
    levels = sum_by(latest, by, RETAIL_LEVEL_MONEY, RETAIL_LEVEL_COUNTS)
    sums = flows.join(levels)
    sums["sell_through_reported"] = _reported_sell_through(work, by, extra_series).reindex(sums.index)
    sums["sell_through_reported"] = none_for_missing(sums["sell_through_reported"])

    out = finish_rollup(sums, group_keys, grain_)
    out = _add_trailing_shipments(out, work, group_keys)
    out = _add_start_on_hand(out, group_keys, grain_)
    ordered = [
        *group_keys,
        "grain",
        "period_start",
        "period_end",
        *RETAIL_FLOW_MONEY,
        *RETAIL_FLOW_COUNTS,
        *RETAIL_LEVEL_MONEY,
        *RETAIL_LEVEL_COUNTS,
        *RETAIL_WEIGHTED_MONEY,
        *RETAIL_WEIGHTED_COUNTS,
        *RETAIL_HELPER_COLUMNS,
    ]
    return derive_ratios(out[ordered])


def _check_periods(work: pd.DataFrame, grain: Grain) -> None:
    end_buckets = map_dates(work["_end"], lambda d: bucket_start(d, grain))
    bad = (work["_end"] < work["_start"]) | (end_buckets != work["_bstart"])
    if bad.any():
        label = bad[bad].index[0]
        raise MetricInputError(
            f"fact period does not fit in one {grain}",
            column="period_end",
            row=label,
            value=f"{work.loc[label, '_start']!s}..{work.loc[label, '_end']!s}",
            expected=f"a period inside {work.loc[label, '_bstart']!s}..{work.loc[label, '_bend']!s}",
        )


def _add_weighted(work: pd.DataFrame, facts: pd.DataFrame) -> None:
    """PPOOS weighted by glance views and net PPM weighted by shipped revenue, row by row."""
    index = work.index
    ppoos = decimal_array(decimal_column(facts, "procurable_product_out_of_stock_rate"), column="ppoos")
    views = decimal_array(work["glance_views"], column="glance_views")
    weighted: ObjectArray = np.empty(len(work), dtype=object)
    weighted[:] = [r * g if r is not None and g is not None else None for r, g in zip(ppoos, views, strict=True)]
    work["oos_glance_views"] = object_series(weighted, index)
    has_rate = np.array([r is not None for r in ppoos], dtype=bool)
    work["ppoos_glance_views"] = work["glance_views"].where(has_rate)

    ppm = decimal_array(decimal_column(facts, "net_pure_product_margin"), column="net_pure_product_margin")
    revenue = decimal_array(work["shipped_revenue"], column="shipped_revenue")
    margin: ObjectArray = np.empty(len(work), dtype=object)
    base: ObjectArray = np.empty(len(work), dtype=object)
    for i, (p, r) in enumerate(zip(ppm, revenue, strict=True)):
        if p is not None and r is not None:
            margin[i], base[i] = p * r, r
    work["net_ppm_margin"] = object_series(margin, index)
    work["net_ppm_revenue"] = object_series(base, index)


def _reported_sell_through(work: pd.DataFrame, by: list[str], extra_series: list[str]) -> pd.Series:
    """Amazon's sell-through per group, only where it is the group's own number for the bucket."""
    has = work["sell_through_rate"].map(lambda v: v is not None).astype(bool)
    spans = has & (work["_start"] == work["_bstart"]) & (work["_end"] == work["_bend"])
    reported = work.assign(_has=has).groupby(by, dropna=False)["_has"].sum()
    if extra_series:
        series = work[[*by, *extra_series]].drop_duplicates().groupby(by, dropna=False).size()
    else:
        series = pd.Series(1, index=reported.index)
    usable = reported[(reported == 1) & (series.reindex(reported.index) == 1)].index
    candidates = work[spans].set_index(by)["sell_through_rate"]
    return candidates[candidates.index.isin(usable)]


def _add_trailing_shipments(out: pd.DataFrame, work: pd.DataFrame, group_keys: list[str]) -> pd.DataFrame:
    """Shipments in the 28 days ending on each bucket's last day, and the days they cover."""
    periods = (
        work[work["shipped_units"].notna()]
        .groupby([*group_keys, "_start", "_end"], sort=False, dropna=False)["shipped_units"]
        .sum()
        .reset_index()
    )
    periods["_days"] = [(e - s).days + 1 for s, e in zip(periods["_start"], periods["_end"], strict=True)]
    periods["_t"] = np.array([e.toordinal() for e in periods["_end"]], dtype=np.int64)
    periods = periods.sort_values("_t", kind="stable")
    if group_keys:
        grouped = periods.groupby(group_keys, sort=False, dropna=False)
        periods["_cum_units"] = grouped["shipped_units"].cumsum().astype("int64")
        periods["_cum_days"] = grouped["_days"].cumsum().astype("int64")
    else:
        periods["_cum_units"] = periods["shipped_units"].cumsum().astype("int64")
        periods["_cum_days"] = periods["_days"].cumsum().astype("int64")
    right = periods[[*group_keys, "_t", "_cum_units", "_cum_days"]]

    left = out[group_keys].copy()
    left["_t"] = np.array([e.toordinal() for e in out["period_end"]], dtype=np.int64)
    left["_row"] = np.arange(len(out))

    def cumulative_at(offset: int) -> pd.DataFrame:
        probe = left.assign(_t=left["_t"] - offset).sort_values("_t", kind="stable")
        found = pd.merge_asof(probe, right, on="_t", by=group_keys or None, direction="backward")
        return found.set_index("_row").sort_index()[["_cum_units", "_cum_days"]].fillna(0).astype("int64")

    at_end = cumulative_at(0)
    at_start = cumulative_at(TRAILING_DAYS)
    units = (at_end["_cum_units"] - at_start["_cum_units"]).to_numpy()
    days = (at_end["_cum_days"] - at_start["_cum_days"]).to_numpy()
    out = out.copy()
    out["trailing_4w_shipped_units"] = pd.array(
        [int(u) if d else None for u, d in zip(units, days, strict=True)], dtype="Int64"
    )
    out["trailing_4w_days_reported"] = pd.array(days, dtype="Int64")
    average: ObjectArray = np.empty(len(out), dtype=object)
    average[:] = [Decimal(int(u) * 7) / Decimal(int(d)) if d else None for u, d in zip(units, days, strict=True)]
    out["avg_weekly_shipped_units"] = object_series(average, out.index)
    return out


def _add_start_on_hand(out: pd.DataFrame, group_keys: list[str], grain: Grain) -> pd.DataFrame:
    """start_sellable_on_hand_units = the previous bucket's ending sellable on-hand of the same group."""
    previous = out[[*group_keys, "period_start", "sellable_on_hand_inventory_units"]].rename(
        columns={"period_start": "_prev_start", "sellable_on_hand_inventory_units": "start_sellable_on_hand_units"}
    )
    probe = out.assign(_prev_start=map_dates(out["period_start"], lambda d: previous_bucket_start(d, grain)))
    merged = probe.merge(previous, on=[*group_keys, "_prev_start"], how="left", validate="many_to_one")
    merged["start_sellable_on_hand_units"] = merged["start_sellable_on_hand_units"].astype("Int64")
    return merged.drop(columns="_prev_start")


# --- advertising ----------------------------------------------------------------------------------


def rollup_ads(
    ads: pd.DataFrame,
    *,
    windows: Mapping[str, int],
    grain: str,
    dims: Sequence[str] = (),
    keys: Sequence[str] = ("marketplace_id",),
    by_ad_product: bool = True,
) -> pd.DataFrame:
    """Weekly or monthly advertising rollup with ONE attribution window per ad product, named.

    Input: ads_daily rows (ingest/parsers/facts.py) from ONE report type per ad product (campaign and
    advertised-product reports repeat the same spend): `keys`, `dims`, ad_product (SP|SB|SD), date,
    optionally currency (a group key then) and report_type (checked), impressions, clicks, cost,
    and for each window N used: sales_Nd, purchases_Nd, optionally units_sold_Nd.
    `windows` maps each ad product to its window in days, e.g. VENDOR_ATTRIBUTION_WINDOWS
    (SP 14, SB 14, SD 14). With by_ad_product=False the products are summed together, which is
    refused when their windows differ: never mix windows in one sum.

    Output: keys, currency, dims, ad_product (when by_ad_product), attribution_window ("14d"),
    grain, period_start, period_end, ad_spend and ad_sales (Decimal), impressions, clicks, ad_orders
    (purchases), ad_units (Int64; <NA> when the window has no units column), then ctr, cpc, cvr,
    acos, spend_without_sales (bool), roas, cpa.
    """
    grain_ = check_grain(grain)
    require_columns(ads, [*keys, *dims, "ad_product", "date"], what="rollup_ads")
    products = ads["ad_product"].to_numpy(dtype=object)
    present = sorted({str(p) for p in products})
    for product in present:
        if product not in windows:
            raise MetricInputError(
                "no attribution window for ad product",
                column="ad_product",
                value=product,
                expected="one of " + ", ".join(sorted(windows)),
            )
    if not by_ad_product and len({windows[p] for p in present}) > 1:
        raise MetricInputError(
            "never mix attribution windows in one sum",
            column="ad_product",
            value=", ".join(f"{p} {windows[p]}d" for p in present),
            expected="one window for every ad product, or by_ad_product=True",
        )
    if "report_type" in ads.columns:
        types = ads.groupby("ad_product")["report_type"].nunique()
        if (types > 1).any():
            product = types[types > 1].index[0]
            raise MetricInputError(
                "several report types of one ad product repeat the same spend",
                column="report_type",
                value=product,
                expected="one report type per ad product",
            )
    check_currency(ads, ("cost",))

    labels = ["currency"]
    group_keys = rollup_group_keys(ads, keys, dims, labels)
    if by_ad_product:
        group_keys.append("ad_product")
    group_keys.append("attribution_window")
    check_distinct(group_keys, what="rollup_ads")

    days_per_row = np.array([windows[str(p)] for p in products], dtype=np.int64)
    work = ads[[c for c in group_keys if c in ads.columns]].copy()
    work["attribution_window"] = pd.Series([f"{d}d" for d in days_per_row], index=ads.index, dtype="str")
    add_buckets(work, date_series(ads["date"], column="date"), grain_)
    work["impressions"] = count_column(ads, "impressions")
    work["clicks"] = count_column(ads, "clicks")
    work["ad_spend"] = decimal_column(ads, "cost")
    sales: ObjectArray = np.full(len(ads), None, dtype=object)
    orders = pd.Series(pd.array([None] * len(ads), dtype="Int64"), index=ads.index)
    units = orders.copy()
    for days in sorted(set(days_per_row.tolist())):
        mask = days_per_row == days
        require_columns(ads, [f"sales_{days}d", f"purchases_{days}d"], what=f"{days}-day attribution window")
        sales[mask] = decimal_array(ads[f"sales_{days}d"], column=f"sales_{days}d")[mask]
        orders[mask] = count_series(ads[f"purchases_{days}d"], column=f"purchases_{days}d")[mask]
        if f"units_sold_{days}d" in ads.columns:
            units[mask] = count_series(ads[f"units_sold_{days}d"], column=f"units_sold_{days}d")[mask]
    work["ad_sales"] = object_series(sales, ads.index)
    work["ad_orders"] = orders
    work["ad_units"] = units

    sums = sum_by(work, [*group_keys, "_bstart", "_bend"], ADS_MONEY, ADS_COUNTS)
    out = finish_rollup(sums, group_keys, grain_)
    return derive_ratios(out)
