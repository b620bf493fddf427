"""What a promotion costs the vendor, before (forecast) and split by month. Pure: no ORM.

The money formulas are the shared ones in coop/calculations.py (`promotion_funding` for deals and
discounts, `coupon_budget_draw` for coupons, `share_split` for the brand's internal share); this
module only applies them to a promotion's items and spreads the result over calendar months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from coop.calculations import coupon_budget_draw
from coop.calculations import promotion_funding
from coop.calculations import share_split
from core.money import round2
from core.periods import add_months
from core.periods import month_start

ZERO = Decimal("0")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class CostItem:
    asin: str
    units: int  # forecast units (coupons: redemptions)
    per_unit_funding: Decimal
    reference_price: Decimal | None = None
    promo_price: Decimal | None = None
    coupon_discount: Decimal | None = None  # money off one unit, for coupons


@dataclass(frozen=True)
class ItemCost:
    asin: str
    units: int
    vendor_cost: Decimal  # without the promotion's fee
    customer_discount_per_unit: Decimal | None
    amazon_invest_per_unit: Decimal | None
    vendor_share: Decimal | None  # fraction of the customer discount the vendor funds


@dataclass(frozen=True)
class CostForecast:
    currency: str
    items: tuple[ItemCost, ...]
    merchandising_fee: Decimal
    vendor_cost: Decimal  # items + fee (coupons: budget draw, capped at the budget)
    capped_by_budget: bool
    brand_part: Decimal  # the brand's internal share of the vendor cost (§3.5)
    other_part: Decimal


def forecast_cost(
    *,
    is_coupon: bool,
    currency: str,
    items: Sequence[CostItem],
    merchandising_fee: Decimal,
    brand_share_pct: Decimal,
    coupon_budget: Decimal | None = None,
    coupon_fee_per_redemption: Decimal = ZERO,
) -> CostForecast:
    """Vendor cost of a promotion if the forecast units sell.

    Deals and discounts: units x per-unit funding + the merchandising fee (DOMAIN.md §3.5).
    Coupons: discount x redemptions + fee x redemptions (§5.3), never more than the budget because
    Amazon takes the coupon offline once the budget is spent.
    """
    lines: list[ItemCost] = []
    total = ZERO
    for item in items:
        if is_coupon:
            discount = item.coupon_discount or ZERO
            cost = coupon_budget_draw(
                discount_per_redemption=discount, redemptions=item.units, fee_per_redemption=coupon_fee_per_redemption
            )
            lines.append(ItemCost(item.asin, item.units, cost, discount, None, None))
        else:
            if item.reference_price is not None and item.promo_price is not None:
                funding = promotion_funding(
                    reference_price=item.reference_price,
                    promo_price=item.promo_price,
                    vendor_funding_per_unit=item.per_unit_funding,
                    units_sold=item.units,
                )
                lines.append(
                    ItemCost(
                        item.asin,
                        item.units,
                        funding.vendor_cost,
                        funding.customer_discount_per_unit,
                        funding.amazon_invest_per_unit,
                        funding.vendor_share,
                    )
                )
                cost = funding.vendor_cost
            else:
                cost = round2(Decimal(item.units) * item.per_unit_funding)
                lines.append(ItemCost(item.asin, item.units, cost, None, None, None))
        total += cost
    capped = False
    if is_coupon:
        vendor_cost = total
        if coupon_budget is not None and vendor_cost > coupon_budget:
            vendor_cost, capped = coupon_budget, True
        fee = ZERO
    else:
        fee = merchandising_fee
        vendor_cost = total + fee
    vendor_cost = round2(vendor_cost)
    brand_part, other_part = share_split(amount=vendor_cost, brand_share_pct=brand_share_pct)
    return CostForecast(currency, tuple(lines), fee, vendor_cost, capped, brand_part, other_part)


def split_by_month(*, amount: Decimal, start_at: datetime, end_at: datetime, tz: ZoneInfo) -> dict[date, Decimal]:
    """Spread an amount over the calendar months (local to the marketplace) the promotion runs in,
    in proportion to the time spent in each; the parts add up to the amount exactly."""
    # Subtract in UTC: two datetimes of the same zone subtract by wall clock, wrong across DST.
    start_at, end_at = start_at.astimezone(UTC), end_at.astimezone(UTC)
    if end_at <= start_at:
        return {month_start(start_at.astimezone(tz).date()): round2(amount)}
    total_seconds = Decimal(int((end_at - start_at).total_seconds()))
    month = month_start(start_at.astimezone(tz).date())
    parts: dict[date, Decimal] = {}
    allocated = ZERO
    while True:
        month_begin = datetime.combine(month, time.min, tzinfo=tz).astimezone(UTC)
        next_month = add_months(month, 1)
        month_finish = datetime.combine(next_month, time.min, tzinfo=tz).astimezone(UTC)
        overlap_start = max(start_at, month_begin)
        overlap_end = min(end_at, month_finish)
        if overlap_end > overlap_start:
            seconds = Decimal(int((overlap_end - overlap_start).total_seconds()))
            parts[month] = round2(amount * seconds / total_seconds)
            allocated += parts[month]
        if month_finish >= end_at:
            break
        month = next_month
    # Rounding leftovers go to the last month so the parts add up to the whole.
    last = max(parts)
    parts[last] += round2(amount) - allocated
    return parts
