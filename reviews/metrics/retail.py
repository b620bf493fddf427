"""Retail (ARA) metrics of DOMAIN.md §4.3 on one set of sums: scalars, Decimal in, Decimal or None out."""

from __future__ import annotations

from decimal import Decimal

from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ratio
from reviews.metrics.base import ratio_positive_denominator
from reviews.metrics.base import to_decimal


def sell_through(
    *,
    shipped_units: object,
    customer_returns: object,
    start_on_hand_units: object,
    received_units: object,
    reported: object = None,
) -> Decimal | None:
    """Sell-through = (shipped - returns) ÷ (on hand at start + received in the window).

    Amazon's reported rate wins when present; otherwise recompute, with start on-hand = the previous
    window's ending sellable on-hand. The result may be negative (returns > shipments) or above 1
    (sold while in transit); a denominator <= 0 or any missing input gives None.
    """
    reported_rate = to_decimal(reported, column="sell_through_rate")
    if reported_rate is not None:
        return reported_rate
    return sell_through_recomputed(
        shipped_units=shipped_units,
        customer_returns=customer_returns,
        start_on_hand_units=start_on_hand_units,
        received_units=received_units,
    )


def sell_through_recomputed(
    *, shipped_units: object, customer_returns: object, start_on_hand_units: object, received_units: object
) -> Decimal | None:
    """(shipped - returns) ÷ (start on-hand + received); None when the denominator is <= 0 or unknown."""
    shipped = to_decimal(shipped_units, column="shipped_units")
    returns = to_decimal(customer_returns, column="customer_returns")
    start = to_decimal(start_on_hand_units, column="start_on_hand_units")
    received = to_decimal(received_units, column="received_units")
    if shipped is None or returns is None or start is None or received is None:
        return None
    return ratio_positive_denominator(shipped - returns, start + received)


def ppoos(oos_glance_views: object, glance_views: object) -> Decimal | None:
    """Procurable-product out-of-stock rate = GVs while a procurable ASIN was OOS ÷ GVs; GV 0 → None.

    Aggregates are glance-view weighted: sum the OOS glance views (rate * GV per ASIN) and the glance
    views, then divide; never average ASIN rates.
    """
    return ratio(oos_glance_views, glance_views)


def net_ppm(*, revenue: object, cogs: object, vendor_coop: object) -> Decimal | None:
    """Net pure product margin = (revenue - COGS + vendor-funded co-op) ÷ revenue; revenue 0 → None.

    Sign convention: vendor-funded co-op is stored POSITIVE and ADDED, because the vendor's funding
    raises Amazon's margin (DOMAIN.md §4.3). The result may be negative.
    """
    rev = to_decimal(revenue, column="revenue")
    cost = to_decimal(cogs, column="cogs")
    coop = to_decimal(vendor_coop, column="vendor_coop")
    if rev is None or cost is None or coop is None:
        return None
    if coop < 0:
        raise MetricInputError(
            "vendor-funded co-op is stored positive and added",
            column="vendor_coop",
            value=coop,
            expected="an amount >= 0",
        )
    return ratio(rev - cost + coop, rev)


def weeks_of_cover(on_hand_units: object, average_weekly_units: object) -> Decimal | None:
    """Sellable on-hand units ÷ average weekly shipped units (trailing 4 weeks by default).

    On-hand <= 0 → 0 (nothing left to cover with); average 0 with stock on hand → None ("no
    demand"); either input missing → None (except on-hand <= 0, which is 0 whatever the demand).
    """
    on_hand = to_decimal(on_hand_units, column="on_hand_units")
    if on_hand is None:
        return None
    if on_hand <= 0:
        return Decimal(0)
    return ratio(on_hand, average_weekly_units)


def average_weekly_units(units: object, days: object) -> Decimal | None:
    """Units per 7 days over `days` reported days; days 0 → None."""
    total = to_decimal(units, column="units")
    if total is None:
        return None
    return ratio(total * 7, days)


def aged_share(aged_90_plus_units: object, sellable_on_hand_units: object) -> Decimal | None:
    """Aged 90+ days sellable units ÷ sellable on-hand units; on-hand <= 0 → None."""
    return ratio_positive_denominator(aged_90_plus_units, sellable_on_hand_units)


def return_rate(customer_returns: object, shipped_units: object) -> Decimal | None:
    """Customer returns ÷ shipped units of the same window; shipped 0 → None."""
    return ratio(customer_returns, shipped_units)


def conversion(ordered_units: object, glance_views: object) -> Decimal | None:
    """Detail-page conversion = ordered UNITS ÷ glance views (ARA has no sessions); GV 0 → None."""
    return ratio(ordered_units, glance_views)
