"""Target attainment, pace and run-rate forecasts for JBP targets (DOMAIN.md §4.3). Pure, no ORM.

Attainment = actual ÷ target (higher is better) or target ÷ actual (lower is better); target 0 → None.
Mid-period the raw figure is misleading (41 % of a quarter's target after half the quarter is on
track), so we also compare with pace: expected_to_date = target * elapsed_weight, where the elapsed
weight is elapsed_days ÷ total_days (linear phasing) or the sum of the seasonal weights of the time
elapsed (seasonal phasing). Only cumulative metrics (money, units, counts) are paced; a ratio target
such as ACoS or net PPM applies at every point of the period, so its pace attainment is its raw one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from core.money import safe_ratio
from core.periods import month_end
from core.periods import months_between

HIGHER_IS_BETTER = "HIGHER_IS_BETTER"
LOWER_IS_BETTER = "LOWER_IS_BETTER"
# Targets whose pace attainment is below this are flagged on the plan page (DOMAIN.md §4.3 example).
PACE_FLAG_THRESHOLD = Decimal("0.70")


def total_days(start: date, end: date) -> int:
    return (end - start).days + 1


def elapsed_days(start: date, end: date, as_of: date) -> int:
    """Days of [start, end] up to and including `as_of` (the last day with actuals), clamped."""
    if as_of < start:
        return 0
    return min((as_of - start).days + 1, total_days(start, end))


def elapsed_weight(
    start: date, end: date, as_of: date, *, seasonal_weights: Mapping[date, Decimal] | None = None
) -> Decimal:
    """Share of the period's target that should be reached by `as_of`, from 0 to 1.

    Linear: elapsed_days / total_days. Seasonal: `seasonal_weights` maps the first day of each month
    of the period to its relative weight (they need not sum to 1); a month counts fully once it is
    over and pro rata by days while it runs. Missing or all-zero weights fall back to linear.
    """
    days_total = total_days(start, end)
    if seasonal_weights:
        months = months_between(start, end)
        weights = {month: Decimal(seasonal_weights.get(month, 0)) for month in months}
        weight_sum = sum(weights.values(), Decimal(0))
        if weight_sum > 0:
            done = Decimal(0)
            for month in months:
                part_start = max(month, start)
                part_end = min(month_end(month), end)
                share = Decimal(elapsed_days(part_start, part_end, as_of)) / Decimal(total_days(part_start, part_end))
                done += weights[month] * share
            return done / weight_sum
    return Decimal(elapsed_days(start, end, as_of)) / Decimal(days_total)


def attainment(actual: Decimal | None, target: Decimal, direction: str) -> Decimal | None:
    """actual ÷ target, or target ÷ actual when lower is better; None when undefined."""
    if actual is None or target == 0:
        return None
    if direction == LOWER_IS_BETTER:
        return safe_ratio(target, actual)
    return safe_ratio(actual, target)


@dataclass(frozen=True)
class TargetProgress:
    """Where one target stands on `as_of`. Amounts are in the target's unit (money or units)."""

    actual: Decimal | None
    target: Decimal
    elapsed_weight: Decimal
    expected_to_date: Decimal | None
    raw_attainment: Decimal | None
    pace_attainment: Decimal | None
    gap_to_target: Decimal | None  # target - actual: still to deliver (negative = beaten)
    gap_to_pace: Decimal | None  # expected_to_date - actual: behind pace (negative = ahead)
    forecast: Decimal | None  # run rate to period end
    flagged: bool  # pace attainment under PACE_FLAG_THRESHOLD


def progress(
    *,
    actual: Decimal | None,
    target: Decimal,
    direction: str,
    start: date,
    end: date,
    as_of: date,
    cumulative: bool,
    seasonal_weights: Mapping[date, Decimal] | None = None,
) -> TargetProgress:
    """Raw and pace-adjusted attainment, gaps and a run-rate forecast for one target.

    DOMAIN.md §4.3: quarter target 1,500,000 over 91 days, day 45 actual 620,000 → raw 41.3 %,
    expected 741,758 → pace 83.6 %.
    """
    weight = elapsed_weight(start, end, as_of, seasonal_weights=seasonal_weights)
    raw = attainment(actual, target, direction)
    if not cumulative:
        # A ratio target holds at every moment: the current ratio is both the pace and the forecast.
        gap = None if actual is None else target - actual
        return TargetProgress(
            actual=actual,
            target=target,
            elapsed_weight=weight,
            expected_to_date=target,
            raw_attainment=raw,
            pace_attainment=raw,
            gap_to_target=gap,
            gap_to_pace=gap,
            forecast=actual,
            flagged=raw is not None and weight > 0 and raw < PACE_FLAG_THRESHOLD,
        )
    expected = target * weight if weight > 0 else None
    pace = None if expected is None else attainment(actual, expected, direction)
    forecast = None
    if actual is not None and weight > 0:
        forecast = actual / weight
    return TargetProgress(
        actual=actual,
        target=target,
        elapsed_weight=weight,
        expected_to_date=expected,
        raw_attainment=raw,
        pace_attainment=pace,
        gap_to_target=None if actual is None else target - actual,
        gap_to_pace=None if actual is None or expected is None else expected - actual,
        forecast=forecast,
        flagged=pace is not None and pace < PACE_FLAG_THRESHOLD,
    )


def day_of_period(start: date, day_number: int) -> date:
    """The date of the n-th day (1-based) of a period: day 45 of a quarter starting 1 Jan is 14 Feb."""
    return start + timedelta(days=day_number - 1)
