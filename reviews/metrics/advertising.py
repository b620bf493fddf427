"""Advertising metrics (DOMAIN.md §4.1) on one set of sums: scalars, Decimal in, Decimal or None out.

Every ad-sales-based metric (CVR, ACoS, ROAS, CPA) must be fed sums of ONE attribution window
(vendor SP 14 days, seller SP 7 days, SB/SD 14 days); `rollup_ads` names the window it used.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from reviews.metrics.base import ratio
from reviews.metrics.base import to_decimal

# Amazon's windows for a vendor (1P) account [DOMAIN.md §4.1, S24]; a seller account's SP is 7.
VENDOR_ATTRIBUTION_WINDOWS: dict[str, int] = {"SP": 14, "SB": 14, "SD": 14}

TacosDenominator = Literal["ordered_revenue", "shipped_revenue"]
# The label says which retail revenue TACoS divides by; ordered revenue exists only in the
# MANUFACTURING distributor view (DOMAIN.md §1).
TACOS_DENOMINATOR_LABELS: dict[str, str] = {
    "ordered_revenue": "ordered revenue (MANUFACTURING view)",
    "shipped_revenue": "shipped revenue",
}


def ctr(clicks: object, impressions: object) -> Decimal | None:
    """Click-through rate = clicks ÷ impressions; impressions 0 → None."""
    return ratio(clicks, impressions)


def cpc(ad_spend: object, clicks: object) -> Decimal | None:
    """Cost per click (money per click) = ad cost ÷ clicks; clicks 0 → None."""
    return ratio(ad_spend, clicks)


def cvr(ad_orders: object, clicks: object) -> Decimal | None:
    """Ad conversion rate counted in ORDERS (purchases) = attributed orders ÷ clicks; clicks 0 → None."""
    return ratio(ad_orders, clicks)


def acos(ad_spend: object, ad_sales: object) -> Decimal | None:
    """Advertising cost of sales = ad cost ÷ attributed sales; sales 0 → None.

    When the cost is positive and sales are 0 the value is None and `spend_without_sales` is True:
    show "spend without sales", not an infinite or 0 % ACoS.
    """
    return ratio(ad_spend, ad_sales)


def spend_without_sales(ad_spend: object, ad_sales: object) -> bool:
    """True when money was spent (cost > 0) and attributed sales are exactly 0 (ACoS is None)."""
    cost = to_decimal(ad_spend, column="ad_spend")
    sales = to_decimal(ad_sales, column="ad_sales")
    return cost is not None and sales is not None and cost > 0 and sales == 0


def roas(ad_sales: object, ad_spend: object) -> Decimal | None:
    """Return on ad spend = attributed sales ÷ ad cost (= 1 / ACoS); cost 0 → None."""
    return ratio(ad_sales, ad_spend)


def tacos(total_ad_spend: object, retail_revenue: object) -> Decimal | None:
    """Total ACoS = ad cost of all ad products ÷ retail revenue of the same period; revenue 0 → None.

    The caller picks ONE denominator per tenant (ordered revenue, MANUFACTURING view, or shipped
    revenue) and labels it with `TACOS_DENOMINATOR_LABELS`.
    """
    return ratio(total_ad_spend, retail_revenue)


def cpa(ad_spend: object, ad_orders: object) -> Decimal | None:
    """Cost per acquisition = ad cost ÷ attributed orders; orders 0 → None."""
    return ratio(ad_spend, ad_orders)
