"""Joining advertising to retail rollups (for TACoS) and the display labels of metric columns."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reviews.metrics.advertising import TACOS_DENOMINATOR_LABELS
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import require_columns
from reviews.metrics.derive import derive_ratios
from reviews.metrics.rollups import ADS_COUNTS
from reviews.metrics.rollups import ADS_MONEY

AD_COLUMNS: tuple[str, ...] = ("attribution_window", *ADS_MONEY, *ADS_COUNTS)

# Display names; the label of a windowed or view-dependent metric carries its window / view.
METRIC_LABELS: dict[str, str] = {
    "shipped_cogs": "Shipped COGS",
    "shipped_revenue": "Shipped revenue",
    "shipped_units": "Shipped units",
    "ordered_revenue": "Ordered revenue",
    "ordered_units": "Ordered units",
    "customer_returns": "Customer returns",
    "return_rate": "Return rate",
    "glance_views": "Glance views",
    "conversion": "Conversion (units / glance views)",
    "sell_through": "Sell-through",
    "sellable_on_hand_inventory_units": "Sellable on hand (units)",
    "weeks_of_cover": "Weeks of cover",
    "aged_share": "Aged 90+ share",
    "ppoos_rate": "PPOOS (glance-view weighted)",
    "net_ppm": "Net PPM",
    "vendor_confirmation_rate": "Confirmation rate",
    "receive_fill_rate": "Receive fill rate",
    "po_on_time_rate": "PO on-time rate",
    "asn_on_time_rate": "ASN on-time",
    "asn_accuracy": "ASN accuracy",
    "ad_spend": "Ad spend",
    "ad_sales": "Ad sales",
    "ad_orders": "Ad orders",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "ctr": "CTR",
    "cpc": "CPC",
    "cvr": "CVR (orders / clicks)",
    "acos": "ACoS",
    "roas": "ROAS",
    "cpa": "CPA",
    "tacos": "TACoS",
}
WINDOWED_METRICS = frozenset({"ad_sales", "ad_orders", "cvr", "acos", "roas", "cpa"})
VIEW_METRICS = frozenset(
    {"shipped_cogs", "shipped_revenue", "shipped_units", "ordered_revenue", "ordered_units", "sell_through"}
)


def metric_label(
    metric: str,
    *,
    attribution_window: str | None = None,
    distributor_view: str | None = None,
    tacos_denominator: str | None = None,
) -> str:
    """The display label of a metric column, naming its attribution window, view or TACoS basis.

    metric_label("acos", attribution_window="14d") == "ACoS (14d)";
    metric_label("tacos", tacos_denominator="ordered_revenue") == "TACoS (÷ ordered revenue (MANUFACTURING view))".
    """
    label = METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())
    details: list[str] = []
    if metric in WINDOWED_METRICS and attribution_window:
        details.append(attribution_window)
    if metric in VIEW_METRICS and distributor_view:
        details.append(distributor_view)
    if metric == "tacos" and tacos_denominator:
        details.append("÷ " + TACOS_DENOMINATOR_LABELS.get(tacos_denominator, tacos_denominator))
    return f"{label} ({', '.join(details)})" if details else label


def join_ads_to_retail(
    retail: pd.DataFrame,
    ads: pd.DataFrame,
    *,
    on: Sequence[str],
    tacos_denominator: str,
) -> pd.DataFrame:
    """Retail rollup rows with their advertising totals and TACoS.

    retail: a rollup_retail frame. ads: a rollup_ads frame made with by_ad_product=False (all ad
    products of the scope in one row per key and period, one attribution window), already keyed like
    the retail rows on `on` (e.g. marketplace_id, or vendor_code after the caller mapped profiles to
    vendor codes). Both must share grain, period_start and, when both have it, currency.
    Output: the retail columns, then attribution_window, ad_spend, ad_sales (Decimal), impressions,
    clicks, ad_orders, ad_units (Int64; <NA>/None where no ad row matched: not reported, not 0), the
    ad ratios and tacos with tacos_denominator (see derive_ratios).
    """
    keys = [*on, "grain", "period_start"]
    if "currency" in retail.columns and "currency" in ads.columns and "currency" not in keys:
        keys.append("currency")
    require_columns(retail, keys, what="join_ads_to_retail (retail)")
    require_columns(ads, [*keys, *AD_COLUMNS], what="join_ads_to_retail (ads)")
    if "ad_product" in ads.columns:
        raise MetricInputError(
            "TACoS needs the ad cost of all ad products in one row",
            column="ad_product",
            expected="rollup_ads(..., by_ad_product=False)",
        )
    clashing = [c for c in AD_COLUMNS if c in retail.columns]
    if clashing:
        raise MetricInputError("retail frame already has ad columns", column=clashing[0])
    try:
        joined = retail.merge(ads[[*keys, *AD_COLUMNS]], on=keys, how="left", validate="many_to_one")
    except pd.errors.MergeError as exc:
        raise MetricInputError(
            "several ad rows per retail row", value=keys, expected="one ad row per key and period"
        ) from exc
    for column in ADS_MONEY:
        joined[column] = joined[column].astype(object).where(joined[column].notna(), None)
    joined.index = retail.index
    return derive_ratios(joined, tacos_denominator=tacos_denominator)
