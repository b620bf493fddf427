"""Ratio columns derived from sum columns: one place that knows which ratio divides which sums.

`derive_ratios` adds every ratio whose input columns are present and leaves the others out, so the
same function serves the retail, advertising and supply rollups, and a frame that a caller built
by summing rollups (e.g. all marketplaces after currency conversion) gets its ratios recomputed from
the new sums instead of averaged.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from reviews.metrics.advertising import TACOS_DENOMINATOR_LABELS
from reviews.metrics.advertising import spend_without_sales
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ObjectArray
from reviews.metrics.base import decimal_array
from reviews.metrics.base import object_series
from reviews.metrics.base import ratio_array

# (ratio column, numerator column, denominator column, denominator must be > 0)
SIMPLE_RATIOS: tuple[tuple[str, str, str, bool], ...] = (
    # retail, DOMAIN.md §4.3
    ("return_rate", "customer_returns", "shipped_units", False),
    ("conversion", "ordered_units", "glance_views", False),
    ("ppoos_rate", "oos_glance_views", "ppoos_glance_views", False),
    ("aged_share", "aged_90_plus_days_sellable_inventory_units", "sellable_on_hand_inventory_units", True),
    ("net_ppm", "net_ppm_margin", "net_ppm_revenue", False),
    # advertising, DOMAIN.md §4.1 (one attribution window per row, see rollup_ads)
    ("ctr", "clicks", "impressions", False),
    ("cpc", "ad_spend", "clicks", False),
    ("cvr", "ad_orders", "clicks", False),
    ("acos", "ad_spend", "ad_sales", False),
    ("roas", "ad_sales", "ad_spend", False),
    ("cpa", "ad_spend", "ad_orders", False),
    # supply chain
    ("vendor_confirmation_rate", "confirmed_units", "requested_units", False),
    ("receive_fill_rate", "received_units", "confirmed_units", False),
    ("po_on_time_rate", "on_time_units", "confirmed_units", False),
    ("asn_on_time_rate", "asns_in_time", "asns_judged", False),
    ("asn_accuracy", "shipments_accurate", "shipments_checked", False),
)

SELL_THROUGH_INPUTS = (
    "shipped_units",
    "customer_returns",
    "start_sellable_on_hand_units",
    "net_received_inventory_units",
)
WEEKS_OF_COVER_INPUTS = ("sellable_on_hand_inventory_units", "avg_weekly_shipped_units")

# Every ratio column derive_ratios can add; add_changes treats these as ratios (pp changes).
RATIO_COLUMNS: tuple[str, ...] = (
    *(name for name, *_ in SIMPLE_RATIOS),
    "weeks_of_cover",
    "sell_through_recomputed",
    "sell_through",
    "tacos",
)


def _columns(sums: pd.DataFrame, names: tuple[str, ...]) -> list[ObjectArray] | None:
    if not all(name in sums.columns for name in names):
        return None
    return [decimal_array(sums[name], column=name) for name in names]


def _weeks_of_cover_array(on_hand: ObjectArray, average: ObjectArray) -> ObjectArray:
    """reviews.metrics.retail.weeks_of_cover over arrays (same rules, without per-value conversion)."""
    out: ObjectArray = np.empty(len(on_hand), dtype=object)
    for i, (units, weekly) in enumerate(zip(on_hand, average, strict=True)):
        if units is None:
            continue
        if units <= 0:
            out[i] = Decimal(0)
        elif weekly is not None and weekly != 0:
            out[i] = units / weekly
    return out


def _sell_through_array(
    shipped: ObjectArray, returns: ObjectArray, start: ObjectArray, received: ObjectArray
) -> ObjectArray:
    """reviews.metrics.retail.sell_through_recomputed over arrays: denominator <= 0 or unknown → None."""
    out: ObjectArray = np.empty(len(shipped), dtype=object)
    for i, (s, r, b, rec) in enumerate(zip(shipped, returns, start, received, strict=True)):
        if s is None or r is None or b is None or rec is None:
            continue
        denominator = b + rec
        if denominator > 0:
            out[i] = (s - r) / denominator
    return out


def derive_ratios(sums: pd.DataFrame, *, tacos_denominator: str | None = None) -> pd.DataFrame:
    """A copy of `sums` with every ratio column whose inputs are present (re)computed from the sums.

    Ratio columns (object; Decimal fraction or None where undefined):
    - return_rate = customer_returns ÷ shipped_units; conversion = ordered_units ÷ glance_views;
      ppoos_rate = oos_glance_views ÷ ppoos_glance_views (glance-view weighted);
      aged_share = aged_90_plus_days_sellable_inventory_units ÷ sellable_on_hand_inventory_units (on-hand <= 0 → None);
      net_ppm = net_ppm_margin ÷ net_ppm_revenue (Amazon's rates weighted by shipped revenue);
      weeks_of_cover = sellable_on_hand_inventory_units ÷ avg_weekly_shipped_units (on-hand <= 0 → 0);
      sell_through_recomputed = (shipped_units - customer_returns) ÷ (start_sellable_on_hand_units +
      net_received_inventory_units), denominator <= 0 → None; sell_through = sell_through_reported when
      not None, else the recomputed value, and sell_through_source says which ("AMAZON" | "RECOMPUTED" | None).
    - ctr = clicks ÷ impressions; cpc = ad_spend ÷ clicks; cvr = ad_orders ÷ clicks (orders, not units);
      acos = ad_spend ÷ ad_sales, with the bool column spend_without_sales (cost > 0, sales 0);
      roas = ad_sales ÷ ad_spend; cpa = ad_spend ÷ ad_orders.
    - tacos = ad_spend ÷ the `tacos_denominator` column ("ordered_revenue" or "shipped_revenue"),
      only when that argument is given, plus a tacos_denominator label column.
    - vendor_confirmation_rate = confirmed_units ÷ requested_units; receive_fill_rate = received_units ÷
      confirmed_units; po_on_time_rate = on_time_units ÷ confirmed_units; asn_on_time_rate =
      asns_in_time ÷ asns_judged; asn_accuracy = shipments_accurate ÷ shipments_checked.
    Zero or missing denominators give None, never 0 or NaN.
    """
    # New columns are collected and joined once: inserting them one by one into a wide frame is slow.
    new: dict[str, pd.Series] = {}
    index = sums.index
    for name, numerator, denominator, positive_only in SIMPLE_RATIOS:
        arrays = _columns(sums, (numerator, denominator))
        if arrays is None:
            continue
        new[name] = object_series(ratio_array(arrays[0], arrays[1], positive_only=positive_only), index)
        if name == "acos":
            flags = [spend_without_sales(c, s) for c, s in zip(arrays[0], arrays[1], strict=True)]
            new["spend_without_sales"] = pd.Series(flags, index=index, dtype=bool)

    cover_inputs = _columns(sums, WEEKS_OF_COVER_INPUTS)
    if cover_inputs is not None:
        new["weeks_of_cover"] = object_series(_weeks_of_cover_array(*cover_inputs), index)

    st_inputs = _columns(sums, SELL_THROUGH_INPUTS)
    if st_inputs is not None:
        recomputed = _sell_through_array(*st_inputs)
        reported: ObjectArray = (
            decimal_array(sums["sell_through_reported"], column="sell_through_reported")
            if "sell_through_reported" in sums.columns
            else np.full(len(sums), None, dtype=object)
        )
        chosen: ObjectArray = np.empty(len(sums), dtype=object)
        source: ObjectArray = np.empty(len(sums), dtype=object)
        for i, (rep, rec) in enumerate(zip(reported, recomputed, strict=True)):
            if rep is not None:
                chosen[i], source[i] = rep, "AMAZON"
            elif rec is not None:
                chosen[i], source[i] = rec, "RECOMPUTED"
        new["sell_through_recomputed"] = object_series(recomputed, index)
        new["sell_through"] = object_series(chosen, index)
        new["sell_through_source"] = object_series(source, index)

    if tacos_denominator is not None:
        if tacos_denominator not in TACOS_DENOMINATOR_LABELS:
            raise MetricInputError(
                "unknown TACoS denominator",
                column="tacos_denominator",
                value=tacos_denominator,
                expected=" or ".join(TACOS_DENOMINATOR_LABELS),
            )
        arrays = _columns(sums, ("ad_spend", tacos_denominator))
        if arrays is None:
            raise MetricInputError(
                "TACoS needs the total ad spend and the chosen revenue",
                column="ad_spend" if "ad_spend" not in sums.columns else tacos_denominator,
                expected="columns ad_spend and " + tacos_denominator,
            )
        new["tacos"] = object_series(ratio_array(arrays[0], arrays[1]), index)
        new["tacos_denominator"] = object_series([tacos_denominator] * len(sums), index)
    if not new:
        return sums.copy()
    kept = sums.drop(columns=[c for c in new if c in sums.columns])
    return pd.concat([kept, pd.DataFrame(new, index=index)], axis=1)
