"""Scalar metric helpers: DOMAIN.md §4 worked examples and every edge case its tables name."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest

from core.money import round2
from reviews import metrics as m
from reviews.metrics import MetricInputError

D = Decimal


def pct(value: Decimal | None, places: int = 1) -> Decimal:
    """A fraction shown as a percentage with `places` decimals, the way DOMAIN.md prints it."""
    assert value is not None
    return (value * 100).quantize(Decimal(1).scaleb(-places))


# --- DOMAIN.md §4.1 advertising -------------------------------------------------------------------

# DOMAIN.md §4.1 worked example (one week, vendor SP): impressions 180,000; clicks 1,276;
# cost 1,250.00; sales14d 5,000.00; orders 64; retail ordered revenue 20,000.00.
IMPRESSIONS, CLICKS, COST, SALES, ORDERS, ORDERED_REVENUE = (
    180_000,
    1_276,
    D("1250.00"),
    D("5000.00"),
    64,
    D("20000.00"),
)


def test_advertising_worked_example_matches_domain_numbers() -> None:
    assert pct(m.ctr(CLICKS, IMPRESSIONS), 3) == D("0.709")
    assert round2(m.cpc(COST, CLICKS) or D(0)) == D("0.98")
    assert pct(m.cvr(ORDERS, CLICKS), 2) == D("5.02")
    assert m.acos(COST, SALES) == D("0.25")
    assert m.roas(SALES, COST) == D("4")
    assert m.tacos(COST, ORDERED_REVENUE) == D("0.0625")
    assert m.cpa(COST, ORDERS) == D("19.53125")
    assert m.spend_without_sales(COST, SALES) is False


def test_roas_is_the_inverse_of_acos() -> None:
    acos = m.acos(COST, SALES)
    roas = m.roas(SALES, COST)
    assert acos is not None and roas is not None
    assert acos * roas == 1


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (m.ctr, (5, 0)),  # impressions 0
        (m.ctr, (0, 0)),
        (m.cpc, (D("10.00"), 0)),  # clicks 0
        (m.cvr, (3, 0)),  # clicks 0
        (m.roas, (D("100.00"), D("0.00"))),  # cost 0
        (m.cpa, (D("10.00"), 0)),  # orders 0
        (m.tacos, (D("10.00"), D("0"))),  # revenue 0
        (m.ctr, (None, 100)),  # not reported
        (m.cpc, (D("10.00"), None)),
    ],
)
def test_advertising_ratio_with_zero_or_missing_denominator_is_none(func: object, args: tuple[object, ...]) -> None:
    assert callable(func)
    assert func(*args) is None


def test_acos_spend_without_sales_is_none_and_flagged() -> None:
    assert m.acos(D("125.00"), D("0")) is None
    assert m.spend_without_sales(D("125.00"), D("0")) is True


def test_acos_with_neither_spend_nor_sales_is_none_and_not_flagged() -> None:
    assert m.acos(D("0"), D("0")) is None
    assert m.spend_without_sales(D("0"), D("0")) is False
    assert m.spend_without_sales(D("10"), None) is False  # sales not reported: no claim either way


def test_ratios_refuse_floats() -> None:
    with pytest.raises(MetricInputError, match="float"):
        m.cpc(1250.0, 1276)


# --- DOMAIN.md §4.3 retail ------------------------------------------------------------------------


def test_sell_through_worked_example() -> None:
    # DOMAIN.md §4.3: start on-hand 1,000; received 400; shipped 560; returns 20 -> 540 / 1,400 = 38.6 %.
    value = m.sell_through(shipped_units=560, customer_returns=20, start_on_hand_units=1000, received_units=400)
    assert value == D(540) / D(1400)
    assert pct(value) == D("38.6")


def test_sell_through_prefers_amazons_reported_value() -> None:
    value = m.sell_through(
        shipped_units=560, customer_returns=20, start_on_hand_units=1000, received_units=400, reported=D("0.41")
    )
    assert value == D("0.41")


def test_sell_through_can_be_negative_when_returns_exceed_shipments() -> None:
    assert m.sell_through(shipped_units=10, customer_returns=30, start_on_hand_units=100, received_units=0) == D("-0.2")


def test_sell_through_can_exceed_one_when_sold_in_transit() -> None:
    value = m.sell_through(shipped_units=500, customer_returns=0, start_on_hand_units=100, received_units=200)
    assert value == D(500) / D(300)
    assert value > 1


@pytest.mark.parametrize(("start", "received"), [(-50, 50), (-100, 50), (0, 0)])
def test_sell_through_with_denominator_at_or_below_zero_is_none(start: int, received: int) -> None:
    assert (
        m.sell_through(shipped_units=10, customer_returns=0, start_on_hand_units=start, received_units=received) is None
    )


def test_sell_through_without_start_on_hand_is_none() -> None:
    assert m.sell_through(shipped_units=10, customer_returns=0, start_on_hand_units=None, received_units=40) is None


def test_confirmation_and_fill_worked_example() -> None:
    # DOMAIN.md §4.3: requested 600, confirmed 500, received 470 -> 83.3 % and 94.0 %.
    assert pct(m.confirmation_rate(500, 600)) == D("83.3")
    assert m.receive_fill_rate(470, 500) == D("0.94")


def test_confirmation_may_exceed_one_and_zero_denominators_are_none() -> None:
    assert m.confirmation_rate(700, 600) == D(7) / D(6)
    assert m.confirmation_rate(5, 0) is None
    assert m.receive_fill_rate(5, 0) is None


def test_ppoos_worked_example_and_zero_glance_views() -> None:
    # DOMAIN.md §4.3: 12,000 GVs, 900 of them while a procurable ASIN was OOS -> 7.5 %.
    assert m.ppoos(900, 12000) == D("0.075")
    assert m.ppoos(0, 0) is None


def test_net_ppm_worked_example_adds_positive_coop() -> None:
    # DOMAIN.md §4.3: (100,000 - 82,000 + 9,000) / 100,000 = 27 %; co-op stored positive and ADDED.
    assert m.net_ppm(revenue=D("100000"), cogs=D("82000"), vendor_coop=D("9000")) == D("0.27")


def test_net_ppm_can_be_negative_and_is_none_without_revenue() -> None:
    assert m.net_ppm(revenue=D("100"), cogs=D("150"), vendor_coop=D("0")) == D("-0.5")
    assert m.net_ppm(revenue=D("0"), cogs=D("10"), vendor_coop=D("1")) is None


def test_net_ppm_refuses_coop_stored_negative() -> None:
    with pytest.raises(MetricInputError, match="stored positive"):
        m.net_ppm(revenue=D("100000"), cogs=D("82000"), vendor_coop=D("-9000"))


def test_weeks_of_cover_worked_example() -> None:
    # DOMAIN.md §4.3: 1,200 units on hand, trailing shipments 300/week -> 4.0 weeks.
    assert m.weeks_of_cover(1200, 300) == D("4")
    assert m.weeks_of_cover(1200, m.average_weekly_units(1200, 28)) == D("4")


@pytest.mark.parametrize("on_hand", [0, -5])
def test_weeks_of_cover_is_zero_when_nothing_on_hand(on_hand: int) -> None:
    assert m.weeks_of_cover(on_hand, 300) == 0
    assert m.weeks_of_cover(on_hand, 0) == 0
    assert m.weeks_of_cover(on_hand, None) == 0


def test_weeks_of_cover_without_demand_is_none() -> None:
    assert m.weeks_of_cover(100, 0) is None  # "no demand"
    assert m.weeks_of_cover(100, None) is None
    assert m.weeks_of_cover(None, 300) is None


def test_aged_share_return_rate_and_conversion() -> None:
    assert m.aged_share(30, 120) == D("0.25")
    assert m.aged_share(30, 0) is None
    assert m.aged_share(30, -4) is None  # on-hand <= 0
    assert m.return_rate(18, 100) == D("0.18")
    assert m.return_rate(3, 0) is None
    assert m.conversion(50, 1000) == D("0.05")  # units / glance views
    assert m.conversion(5, 0) is None


# --- supply chain ---------------------------------------------------------------------------------

DEPARTED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("submitted_after_departure", "trip", "expected"),
    [
        (timedelta(minutes=20), timedelta(hours=4), True),  # within 30 min after departure
        (timedelta(minutes=30), timedelta(hours=4), True),  # boundary: exactly 30 min
        (timedelta(minutes=31), timedelta(hours=4), False),  # 3 h 29 min before arrival
        (timedelta(minutes=31), timedelta(hours=24), True),  # >= 6 h before arrival
        (timedelta(hours=18), timedelta(hours=24), True),  # exactly 6 h before arrival
        (timedelta(hours=18, minutes=1), timedelta(hours=24), False),
        (timedelta(minutes=-60), timedelta(hours=4), True),  # before departure
        (timedelta(minutes=25), timedelta(minutes=20), False),  # within 30 min but after arrival
    ],
)
def test_asn_in_time_rules(submitted_after_departure: timedelta, trip: timedelta, expected: bool) -> None:
    verdict = m.asn_submitted_in_time(
        submitted_at=DEPARTED + submitted_after_departure, departed_at=DEPARTED, arrived_at=DEPARTED + trip
    )
    assert verdict is expected


def test_asn_missing_at_arrival_is_late_and_unknown_arrival_cannot_be_judged() -> None:
    assert (
        m.asn_submitted_in_time(submitted_at=None, departed_at=DEPARTED, arrived_at=DEPARTED + timedelta(hours=5))
        is False
    )
    assert m.asn_submitted_in_time(submitted_at=DEPARTED, departed_at=DEPARTED, arrived_at=None) is None
    # Unknown departure: only the 6-hour rule applies.
    arrival = DEPARTED + timedelta(hours=10)
    assert (
        m.asn_submitted_in_time(submitted_at=arrival - timedelta(hours=7), departed_at=None, arrived_at=arrival) is True
    )
    assert (
        m.asn_submitted_in_time(submitted_at=arrival - timedelta(hours=5), departed_at=None, arrived_at=arrival)
        is False
    )


def test_asn_times_must_be_aware() -> None:
    with pytest.raises(MetricInputError, match="naive"):
        m.asn_submitted_in_time(submitted_at=datetime(2026, 3, 2, 9), departed_at=DEPARTED, arrived_at=DEPARTED)


def test_asn_rates() -> None:
    assert m.asn_on_time(19, 20) == D("0.95")
    assert m.asn_on_time(0, 0) is None
    assert m.asn_accuracy(9, 10) == D("0.9")
    assert m.asn_accuracy(0, 0) is None


def test_po_on_time_worked_example_charges_late_units() -> None:
    # DOMAIN.md §4.3: 8,700 of 10,000 confirmed units on time = 87 % (< 90 %) -> 300 x 12.00 x 3 % = 108.00.
    trailing = m.po_on_time_rate(8700, 10000)
    assert trailing == D("0.87")
    charge = m.po_on_time_chargeback(trailing_on_time_rate=trailing, late_units=300, unit_cost=D("12.00"))
    assert charge == D("108.00")
    assert str(round2(charge)) == "108.00"


def test_po_on_time_chargeback_is_waived_only_above_ninety_percent() -> None:
    def charge(trailing: Decimal | None) -> Decimal:
        return m.po_on_time_chargeback(trailing_on_time_rate=trailing, late_units=300, unit_cost=D("12.00"))

    assert charge(D("0.9001")) == 0
    assert charge(D("0.90")) == D("108.00")  # waived only "above 90 %"
    assert charge(None) == D("108.00")  # no waiver on an unknown rate
    assert m.po_on_time_chargeback(trailing_on_time_rate=D("0.5"), late_units=0, unit_cost=D("12.00")) == 0


def test_po_on_time_with_nothing_confirmed_is_none() -> None:
    assert m.po_on_time_rate(0, 0) is None


# --- attainment and pace --------------------------------------------------------------------------


def test_attainment_and_pace_worked_example() -> None:
    # DOMAIN.md §4.3: quarter target 1,500,000 over 91 days; day 45 actual 620,000 -> raw 41.3 %;
    # expected 1,500,000 x 45/91 = 741,758 -> pace attainment 83.6 %.
    target, actual = D("1500000"), D("620000")
    assert pct(m.attainment(actual, target, m.HIGHER_IS_BETTER)) == D("41.3")
    weight = m.linear_elapsed_weight(45, 91)
    expected = m.expected_to_date(target, weight)
    assert expected is not None
    assert expected.quantize(D(1)) == D("741758")
    pace = m.pace_attainment(actual, target, m.HIGHER_IS_BETTER, weight)
    assert pct(pace) == D("83.6")
    assert pace is not None and pace > D("0.70")  # no JBP_ATTAINMENT_LOW alert at the 70 % threshold


def test_run_rate_forecast_of_the_worked_example() -> None:
    forecast = m.run_rate_forecast(D("620000"), 45, 91)
    assert forecast is not None
    assert round2(forecast) == D("1253777.78")  # 620,000 x 91 / 45
    assert m.run_rate_forecast(D("620000"), 0, 91) is None


def test_attainment_lower_is_better_and_zero_cases() -> None:
    assert m.attainment(D("0.25"), D("0.20"), m.LOWER_IS_BETTER) == D("0.8")  # ACoS above target
    assert m.attainment(D("0.25"), D("0"), m.HIGHER_IS_BETTER) is None  # target 0
    assert m.attainment(D("0.25"), D("0"), m.LOWER_IS_BETTER) is None
    assert m.attainment(D("0"), D("0.20"), m.LOWER_IS_BETTER) is None
    assert m.attainment(None, D("10"), m.HIGHER_IS_BETTER) is None
    with pytest.raises(MetricInputError, match="direction"):
        m.attainment(1, 1, "BIGGER")


def test_elapsed_weights() -> None:
    assert m.linear_elapsed_weight(0, 91) == 0
    assert m.linear_elapsed_weight(120, 91) == 1  # clamped after the period
    assert m.linear_elapsed_weight(5, 0) is None
    assert m.seasonal_elapsed_weight([D("0.2"), D("0.3"), D("0.5")], 2) == D("0.5")
    assert m.seasonal_elapsed_weight([20, 30, 50], 2) == D("0.5")  # percentages normalise the same
    assert m.seasonal_elapsed_weight([0, 0], 1) is None
    with pytest.raises(MetricInputError, match="negative"):
        m.seasonal_elapsed_weight([D("-1"), D("2")], 1)


def test_pace_with_nothing_expected_yet_is_none() -> None:
    assert m.pace_attainment(D("10"), D("1000"), m.HIGHER_IS_BETTER, D("0")) is None


# --- changes --------------------------------------------------------------------------------------


def test_pct_change_and_pp_change() -> None:
    assert m.pct_change(D("110"), D("100")) == D("0.1")
    assert m.pct_change(D("110"), D("0")) is None  # prior 0
    assert m.pct_change(D("110"), None) is None
    assert m.pct_change(D("-50"), D("-100")) == D("0.5")  # improvement from a negative base
    assert m.pp_change(D("0.28"), D("0.25")) == D("0.03")
    assert m.pp_change(None, D("0.25")) is None
