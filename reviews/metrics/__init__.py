"""Metric arithmetic of DOMAIN.md §4 as pure functions: no ORM, no request, no I/O.

Scalars take Decimals or ints and return a Decimal fraction or None; frame functions take and
return DataFrames whose columns are documented in their docstrings. The dtype policy (money Decimal,
counts Int64, ratios Decimal or None, never NaN) is in reviews.metrics.base.

Modules: base (policy, ratio helpers, buckets), advertising, retail, supply, attainment (scalars),
derive (ratios from sums), rollups (retail and ads facts → weekly/monthly rollups),
supply_rollups (PO lines and ASNs), combine (ads joined to retail for TACoS, metric labels),
changes (MoM/YoY, trailing sums, top movers).
Currency conversion lives in reviews.fx.
"""

from __future__ import annotations

from reviews.metrics.advertising import TACOS_DENOMINATOR_LABELS
from reviews.metrics.advertising import VENDOR_ATTRIBUTION_WINDOWS
from reviews.metrics.advertising import acos
from reviews.metrics.advertising import cpa
from reviews.metrics.advertising import cpc
from reviews.metrics.advertising import ctr
from reviews.metrics.advertising import cvr
from reviews.metrics.advertising import roas
from reviews.metrics.advertising import spend_without_sales
from reviews.metrics.advertising import tacos
from reviews.metrics.attainment import ADDITIVE_TARGET_METRICS
from reviews.metrics.attainment import HIGHER_IS_BETTER
from reviews.metrics.attainment import LOWER_IS_BETTER
from reviews.metrics.attainment import attainment
from reviews.metrics.attainment import attainment_frame
from reviews.metrics.attainment import expected_to_date
from reviews.metrics.attainment import forecast_to_period_end
from reviews.metrics.attainment import linear_elapsed_weight
from reviews.metrics.attainment import pace_attainment
from reviews.metrics.attainment import run_rate_forecast
from reviews.metrics.attainment import seasonal_elapsed_weight
from reviews.metrics.base import GRAINS
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ratio
from reviews.metrics.changes import add_changes
from reviews.metrics.changes import add_trailing_sums
from reviews.metrics.changes import pct_change
from reviews.metrics.changes import pp_change
from reviews.metrics.changes import rollup_keys
from reviews.metrics.changes import top_movers
from reviews.metrics.combine import METRIC_LABELS
from reviews.metrics.combine import join_ads_to_retail
from reviews.metrics.combine import metric_label
from reviews.metrics.derive import RATIO_COLUMNS
from reviews.metrics.derive import derive_ratios
from reviews.metrics.retail import aged_share
from reviews.metrics.retail import average_weekly_units
from reviews.metrics.retail import conversion
from reviews.metrics.retail import net_ppm
from reviews.metrics.retail import ppoos
from reviews.metrics.retail import return_rate
from reviews.metrics.retail import sell_through
from reviews.metrics.retail import sell_through_recomputed
from reviews.metrics.retail import weeks_of_cover
from reviews.metrics.rollups import MONEY_COLUMNS
from reviews.metrics.rollups import SUM_COLUMNS
from reviews.metrics.rollups import rollup_ads
from reviews.metrics.rollups import rollup_retail
from reviews.metrics.supply import asn_accuracy
from reviews.metrics.supply import asn_on_time
from reviews.metrics.supply import asn_submitted_in_time
from reviews.metrics.supply import confirmation_rate
from reviews.metrics.supply import po_on_time_chargeback
from reviews.metrics.supply import po_on_time_rate
from reviews.metrics.supply import receive_fill_rate
from reviews.metrics.supply_rollups import rollup_purchase_orders
from reviews.metrics.supply_rollups import rollup_shipments

__all__ = [
    "ADDITIVE_TARGET_METRICS",
    "GRAINS",
    "HIGHER_IS_BETTER",
    "LOWER_IS_BETTER",
    "METRIC_LABELS",
    "MONEY_COLUMNS",
    "RATIO_COLUMNS",
    "SUM_COLUMNS",
    "TACOS_DENOMINATOR_LABELS",
    "VENDOR_ATTRIBUTION_WINDOWS",
    "MetricInputError",
    "acos",
    "add_changes",
    "add_trailing_sums",
    "aged_share",
    "asn_accuracy",
    "asn_on_time",
    "asn_submitted_in_time",
    "attainment",
    "attainment_frame",
    "average_weekly_units",
    "confirmation_rate",
    "conversion",
    "cpa",
    "cpc",
    "ctr",
    "cvr",
    "derive_ratios",
    "expected_to_date",
    "forecast_to_period_end",
    "join_ads_to_retail",
    "linear_elapsed_weight",
    "metric_label",
    "net_ppm",
    "pace_attainment",
    "pct_change",
    "po_on_time_chargeback",
    "po_on_time_rate",
    "pp_change",
    "ppoos",
    "ratio",
    "receive_fill_rate",
    "return_rate",
    "roas",
    "rollup_ads",
    "rollup_keys",
    "rollup_purchase_orders",
    "rollup_retail",
    "rollup_shipments",
    "run_rate_forecast",
    "seasonal_elapsed_weight",
    "sell_through",
    "sell_through_recomputed",
    "spend_without_sales",
    "tacos",
    "top_movers",
    "weeks_of_cover",
]
