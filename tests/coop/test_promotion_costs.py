"""Vendor cost forecasts of promotions through the shared funding formulas. Pure: no database."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from coop.promotion_costs import CostItem
from coop.promotion_costs import forecast_cost
from coop.promotion_costs import split_by_month

D = Decimal
SEATTLE = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


def test_deal_funding_domain_example() -> None:
    # DOMAIN.md §3.5 worked example: reference 100.00, vendor funds 20.00, Amazon prices at 75.00
    # -> discount 25.00, Amazon invests 5.00/unit, vendor share 80 %; 300 units + 500.00 fee = 6,500.00.
    forecast = forecast_cost(
        is_coupon=False,
        currency="USD",
        items=[CostItem("B0AAAAAAA1", 300, D("20.00"), D("100.00"), D("75.00"))],
        merchandising_fee=D("500.00"),
        brand_share_pct=D("60"),
    )
    item = forecast.items[0]
    assert item.customer_discount_per_unit == D("25.00")
    assert item.amazon_invest_per_unit == D("5.00")
    assert item.vendor_share == D("0.8")
    assert item.vendor_cost == D("6000.00")
    assert forecast.vendor_cost == D("6500.00")
    # The brand's internal 60 % share of the full invoice (Amazon still invoices 6,500.00).
    assert (forecast.brand_part, forecast.other_part) == (D("3900.00"), D("2600.00"))


def test_coupon_draw_domain_example() -> None:
    # DOMAIN.md §5.3 coupon example: 4.00 off, 50 redemptions, 0.60 fee -> 4 x 50 + 0.60 x 50 = 230.00.
    forecast = forecast_cost(
        is_coupon=True,
        currency="USD",
        items=[CostItem("B0AAAAAAA1", 50, D("0"), D("40.00"), None, coupon_discount=D("4.00"))],
        merchandising_fee=D("0"),
        brand_share_pct=D("100"),
        coupon_budget=D("1000.00"),
        coupon_fee_per_redemption=D("0.60"),
    )
    assert forecast.vendor_cost == D("230.00")
    assert not forecast.capped_by_budget


def test_coupon_draw_stops_at_the_budget() -> None:
    forecast = forecast_cost(
        is_coupon=True,
        currency="USD",
        items=[CostItem("B0AAAAAAA1", 500, D("0"), D("40.00"), None, coupon_discount=D("4.00"))],
        merchandising_fee=D("0"),
        brand_share_pct=D("100"),
        coupon_budget=D("1000.00"),
        coupon_fee_per_redemption=D("0.60"),
    )
    assert forecast.vendor_cost == D("1000.00")
    assert forecast.capped_by_budget


def test_items_without_prices_still_cost_units_times_funding() -> None:
    forecast = forecast_cost(
        is_coupon=False,
        currency="EUR",
        items=[CostItem("B0AAAAAAA1", 7, D("3.33")), CostItem("B0AAAAAAA2", 0, D("9.00"))],
        merchandising_fee=D("0"),
        brand_share_pct=D("100"),
    )
    assert forecast.vendor_cost == D("23.31")
    assert forecast.items[0].vendor_share is None


def test_month_split_is_proportional_to_local_time_and_adds_up() -> None:
    # 30 Jun 18:00 -> 2 Jul 06:00 in Seattle: 6 h in June, 30 h in July.
    parts = split_by_month(
        amount=D("100.00"),
        start_at=datetime(2026, 6, 30, 18, 0, tzinfo=SEATTLE),
        end_at=datetime(2026, 7, 2, 6, 0, tzinfo=SEATTLE),
        tz=SEATTLE,
    )
    assert parts == {date(2026, 6, 1): D("16.67"), date(2026, 7, 1): D("83.33")}


def test_month_split_uses_the_marketplace_day_not_utc() -> None:
    # 31 Oct 20:00 -> 23:00 in Seattle is 1 Nov in UTC, but the whole cost is October's.
    parts = split_by_month(
        amount=D("10.00"),
        start_at=datetime(2026, 10, 31, 20, 0, tzinfo=SEATTLE),
        end_at=datetime(2026, 10, 31, 23, 0, tzinfo=SEATTLE),
        tz=SEATTLE,
    )
    assert parts == {date(2026, 10, 1): D("10.00")}


def test_month_split_rounding_leftover_goes_to_the_last_month() -> None:
    parts = split_by_month(
        amount=D("100.00"),
        start_at=datetime(2027, 1, 1, 0, 0, tzinfo=BERLIN),
        end_at=datetime(2027, 4, 1, 0, 0, tzinfo=BERLIN),
        tz=BERLIN,
    )
    assert sum(parts.values()) == D("100.00")
    assert list(parts) == [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
