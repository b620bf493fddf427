"""Promotion results against a known synthetic baseline. Pure: no database."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

from coop.promotion_results import DailySales
from coop.promotion_results import SummaryRow
from coop.promotion_results import halo_against_baseline
from coop.promotion_results import lift_against_baseline
from coop.promotion_results import roi
from coop.promotion_results import summarize

D = Decimal
PROMO_DAY = date(2026, 7, 14)  # a Tuesday


def flat(asin: str, first: date, last: date, units: int, price: str) -> list[DailySales]:
    days = (last - first).days + 1
    return [DailySales(asin, first + timedelta(days=i), units, D(price) * units) for i in range(days)]


def test_lift_against_four_clean_comparable_weeks() -> None:
    # Synthetic: 10 units a day at 20.00 for eight weeks before; the promotion day sells 35 at 15.00.
    sales = flat("A1", PROMO_DAY - timedelta(weeks=8), PROMO_DAY - timedelta(days=1), 10, "20.00")
    sales.append(DailySales("A1", PROMO_DAY, 35, D("525.00")))
    result = lift_against_baseline(sales=sales, asins=["A1"], days=[PROMO_DAY], busy_days={"A1": {PROMO_DAY}})
    assert result.actual_units == 35
    assert result.baseline_units == D("10.00")
    assert result.baseline_revenue == D("200.00")
    assert result.lift == D("2.5")  # 35 / 10 - 1
    assert result.incremental_units == D("25.00")
    assert result.incremental_revenue == D("325.00")
    assert result.asin_days == 1
    assert result.short_baselines == 0


def test_baseline_skips_promoted_weeks_and_compares_the_same_weekday() -> None:
    sales: list[DailySales] = []
    # Tuesdays 1-5 weeks back sell 8, 100 (promoted), 12, 10, 6; other weekdays sell 50 (must be ignored).
    tuesdays = {1: 8, 2: 100, 3: 12, 4: 10, 5: 6}
    for back in range(1, 43):
        day = PROMO_DAY - timedelta(days=back)
        units = tuesdays.get(back // 7, 0) if back % 7 == 0 else 50
        sales.append(DailySales("A1", day, units, D(units) * D("10")))
    sales.append(DailySales("A1", PROMO_DAY, 30, D("240.00")))
    busy = {"A1": {PROMO_DAY, PROMO_DAY - timedelta(weeks=2)}}
    result = lift_against_baseline(sales=sales, asins=["A1"], days=[PROMO_DAY], busy_days=busy)
    # Clean Tuesdays: weeks 1, 3, 4, 5 -> (8 + 12 + 10 + 6) / 4 = 9.
    assert result.baseline_units == D("9.00")
    assert result.incremental_units == D("21.00")
    assert result.lift == D(30) / D(9) - 1


def test_missing_rows_are_not_zero_sales() -> None:
    # Only two comparable Tuesdays have data: the baseline is their mean and is flagged as short.
    sales = [
        DailySales("A1", PROMO_DAY - timedelta(weeks=1), 10, D("100")),
        DailySales("A1", PROMO_DAY - timedelta(weeks=3), 20, D("200")),
        DailySales("A1", PROMO_DAY, 45, D("400")),
        DailySales("A1", PROMO_DAY + timedelta(days=1), None, None),  # not reported yet
    ]
    result = lift_against_baseline(
        sales=sales, asins=["A1"], days=[PROMO_DAY, PROMO_DAY + timedelta(days=1)], busy_days={}
    )
    assert result.baseline_units == D("15.00")
    assert result.short_baselines == 1
    assert result.asin_days == 1
    assert result.asin_days_without_sales == 1
    assert "1 with fewer than 4 clean weeks" in result.note


def test_no_baseline_gives_none_not_zero() -> None:
    sales = [DailySales("A1", PROMO_DAY, 45, D("400"))]
    result = lift_against_baseline(sales=sales, asins=["A1"], days=[PROMO_DAY], busy_days={})
    assert result.lift is None
    assert result.incremental_revenue is None
    assert result.asin_days_without_baseline == 1
    assert result.note == "No daily sales with a clean baseline: lift cannot be computed yet."


def test_zero_baseline_units_make_lift_undefined() -> None:
    sales = [DailySales("A1", PROMO_DAY - timedelta(weeks=k), 0, D("0")) for k in range(1, 5)]
    sales.append(DailySales("A1", PROMO_DAY, 5, D("50")))
    result = lift_against_baseline(sales=sales, asins=["A1"], days=[PROMO_DAY], busy_days={})
    assert result.lift is None
    assert result.incremental_units == D("5.00")


def test_halo_on_other_asins_excludes_their_own_promotion_days() -> None:
    days = [PROMO_DAY, PROMO_DAY + timedelta(days=1)]
    sales: list[DailySales] = []
    for asin, base, during in (("B1", 4, 6), ("B2", 10, 10), ("B3", 5, 50)):
        sales += flat(asin, PROMO_DAY - timedelta(weeks=5), PROMO_DAY - timedelta(days=1), base, "10.00")
        sales += [DailySales(asin, d, during, D(during) * D("10.00")) for d in days]
    # B3 ran its own promotion on both days: its jump is not halo.
    busy = {"B3": set(days)}
    halo = halo_against_baseline(sales=sales, other_asins=["B1", "B2", "B3"], days=days, busy_days=busy)
    assert halo.actual_units == 32  # B1 6+6, B2 10+10
    assert halo.baseline_units == D("28.00")
    assert halo.incremental_revenue == D("40.00")
    assert halo.lift == D(32) / D(28) - 1


def test_roi_is_incremental_revenue_net_of_cost_over_cost() -> None:
    assert roi(incremental_revenue=D("13000"), vendor_cost=D("6500")) == D("1")
    assert roi(incremental_revenue=D("3250"), vendor_cost=D("6500")) == D("-0.5")
    assert roi(incremental_revenue=D("100"), vendor_cost=D("0")) is None
    assert roi(incremental_revenue=None, vendor_cost=D("10")) is None


def test_summary_never_adds_currencies_and_uses_ratios_of_sums() -> None:
    rows = [
        SummaryRow("USD", 300, D("22500"), D("6500"), D("9000"), D("100"), 300),
        SummaryRow("USD", 50, D("1800"), D("230"), None, None, None),
        SummaryRow("EUR", 10, D("100"), D("20"), D("40"), D("5"), 10),
    ]
    eur, usd = summarize(rows)
    assert (usd.currency, usd.promotions, usd.units_sold) == ("USD", 2, 350)
    assert usd.vendor_cost == D("6730")
    assert usd.incremental_revenue == D("9000")
    assert usd.lift == D("2")  # 300 / 100 - 1, only promotions with a baseline
    assert usd.roi == (D("9000") - D("6500")) / D("6500")  # cost of the measured promotion only
    assert (eur.currency, eur.lift) == ("EUR", D("1"))
