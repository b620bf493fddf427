"""Attainment and pace (DOMAIN.md §4.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from planning.jbp_attainment import HIGHER_IS_BETTER
from planning.jbp_attainment import LOWER_IS_BETTER
from planning.jbp_attainment import attainment
from planning.jbp_attainment import day_of_period
from planning.jbp_attainment import elapsed_weight
from planning.jbp_attainment import progress

D = Decimal


def test_domain_worked_example_raw_and_pace() -> None:
    # DOMAIN.md §4.3 worked example: quarter target shipped COGS 1,500,000 over 91 days; day 45 actual
    # 620,000 → raw 41.3 %; pace expected 1,500,000 * 45/91 = 741,758 → pace attainment 83.6 % (no alert).
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    assert (end - start).days + 1 == 91
    as_of = day_of_period(start, 45)
    result = progress(
        actual=D(620000),
        target=D(1500000),
        direction=HIGHER_IS_BETTER,
        start=start,
        end=end,
        as_of=as_of,
        cumulative=True,
    )
    assert result.raw_attainment is not None and result.pace_attainment is not None
    assert round(result.raw_attainment, 3) == D("0.413")
    assert result.expected_to_date is not None and round(result.expected_to_date) == 741758
    assert round(result.pace_attainment, 3) == D("0.836")
    assert result.flagged is False
    assert result.gap_to_target == D(880000)
    assert round(result.gap_to_pace or 0) == 121758
    # Run rate: 620,000 in 45 days → 620,000 * 91/45 by the end of the quarter.
    assert round(result.forecast or 0, 2) == round(D(620000) * 91 / 45, 2)


def test_pace_under_70_percent_is_flagged() -> None:
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    result = progress(
        actual=D(500000),
        target=D(1500000),
        direction=HIGHER_IS_BETTER,
        start=start,
        end=end,
        as_of=day_of_period(start, 45),
        cumulative=True,
    )
    assert result.pace_attainment is not None and result.pace_attainment < D("0.70")
    assert result.flagged is True


def test_target_zero_gives_none_not_zero() -> None:
    assert attainment(D(100), D(0), HIGHER_IS_BETTER) is None
    assert attainment(None, D(10), HIGHER_IS_BETTER) is None
    assert attainment(D(0), D("0.25"), LOWER_IS_BETTER) is None  # ACoS 0 against a target: undefined


def test_lower_is_better_inverts() -> None:
    # ACoS target 25 %, actual 20 % → 125 % attainment.
    assert attainment(D("0.20"), D("0.25"), LOWER_IS_BETTER) == D("1.25")


def test_seasonal_weights_sum_the_elapsed_months() -> None:
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    weights = {date(2026, 10, 1): D("0.2"), date(2026, 11, 1): D("0.3"), date(2026, 12, 1): D("0.5")}
    assert elapsed_weight(start, end, date(2026, 11, 30), seasonal_weights=weights) == D("0.5")
    # Half of December (16 of 31 days) adds 0.5 * 16/31.
    assert elapsed_weight(start, end, date(2026, 12, 16), seasonal_weights=weights) == D("0.5") + D("0.5") * D(16) / D(
        31
    )
    # Before the start nothing is expected; after the end everything.
    assert elapsed_weight(start, end, date(2026, 9, 30), seasonal_weights=weights) == 0
    assert elapsed_weight(start, end, date(2027, 1, 5), seasonal_weights=weights) == 1


def test_seasonal_without_weights_falls_back_to_linear() -> None:
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    assert elapsed_weight(start, end, day_of_period(start, 45), seasonal_weights={}) == D(45) / D(91)


def test_ratio_targets_are_not_paced() -> None:
    result = progress(
        actual=D("0.30"),
        target=D("0.25"),
        direction=LOWER_IS_BETTER,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        as_of=date(2026, 4, 10),
        cumulative=False,
    )
    assert result.raw_attainment == result.pace_attainment
    assert round(result.pace_attainment or 0, 4) == D("0.8333")
    assert result.forecast == D("0.30")


def test_nothing_elapsed_means_no_pace_and_no_forecast() -> None:
    result = progress(
        actual=D(0),
        target=D(1000),
        direction=HIGHER_IS_BETTER,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        as_of=date(2026, 3, 31),
        cumulative=True,
    )
    assert result.pace_attainment is None and result.forecast is None and result.flagged is False
    assert result.raw_attainment == 0
