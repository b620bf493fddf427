"""Target attainment, pacing and run-rate forecasts (DOMAIN.md §4.3 "Target attainment").

Raw attainment compares the actual with the whole target. Pace-adjusted attainment compares it with
the part of the target that should be done by now: expected_to_date = target * elapsed_weight, where
the weight is elapsed_days / total_days (LINEAR phasing) or the sum of the weights of the elapsed
periods (SEASONAL phasing). Pacing only makes sense for additive metrics (revenue, units, spend);
ratio targets (ACoS, conversion, ...) are compared raw whatever the date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from core.periods import add_months
from core.periods import month_end
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ObjectArray
from reviews.metrics.base import date_series
from reviews.metrics.base import ratio
from reviews.metrics.base import require_columns
from reviews.metrics.base import to_decimal

Direction = Literal["HIGHER_IS_BETTER", "LOWER_IS_BETTER"]
HIGHER_IS_BETTER: Direction = "HIGHER_IS_BETTER"
LOWER_IS_BETTER: Direction = "LOWER_IS_BETTER"

# JBPTarget metrics (DOMAIN.md §2.2) that accumulate over a period and can therefore be paced.
ADDITIVE_TARGET_METRICS: frozenset[str] = frozenset(
    {"SHIPPED_COGS", "ORDERED_REVENUE", "SHIPPED_UNITS", "AD_SPEND", "GLANCE_VIEWS", "NEW_ASINS_LAUNCHED"}
)


def _check_direction(direction: str) -> Direction:
    if direction == HIGHER_IS_BETTER:
        return HIGHER_IS_BETTER
    if direction == LOWER_IS_BETTER:
        return LOWER_IS_BETTER
    raise MetricInputError(
        "unknown target direction",
        column="direction",
        value=direction,
        expected=f"{HIGHER_IS_BETTER} or {LOWER_IS_BETTER}",
    )


def attainment(actual: object, target: object, direction: str) -> Decimal | None:
    """actual ÷ target (HIGHER_IS_BETTER) or target ÷ actual (LOWER_IS_BETTER).

    Target 0 → None; for LOWER_IS_BETTER an actual of 0 is also None (no finite score).
    """
    target_value = to_decimal(target, column="target")
    if target_value is None or target_value == 0:
        return None
    if _check_direction(direction) == HIGHER_IS_BETTER:
        return ratio(actual, target_value)
    return ratio(target_value, actual)


def linear_elapsed_weight(elapsed_days: int, total_days: int) -> Decimal | None:
    """elapsed_days / total_days, clamped to [0, 1]; total_days <= 0 → None."""
    if total_days <= 0:
        return None
    clamped = min(max(elapsed_days, 0), total_days)
    return Decimal(clamped) / Decimal(total_days)


def seasonal_elapsed_weight(weights: Sequence[Decimal | int], elapsed_periods: int) -> Decimal | None:
    """Σ weights of the first `elapsed_periods` periods ÷ Σ all weights (so 25/25/50 and 0.25/0.25/0.5 agree).

    All weights 0 → None; a negative weight is refused.
    """
    values = [to_decimal(w, column="weights") for w in weights]
    if any(v is None for v in values):
        raise MetricInputError("missing seasonal weight", column="weights", expected="a weight per period")
    checked = [v for v in values if v is not None]
    for value in checked:
        if value < 0:
            raise MetricInputError("negative seasonal weight", column="weights", value=value, expected=">= 0")
    elapsed = min(max(elapsed_periods, 0), len(checked))
    return ratio(sum(checked[:elapsed], Decimal(0)), sum(checked, Decimal(0)))


def expected_to_date(target: object, elapsed_weight: object) -> Decimal | None:
    """The part of the target that should be reached by now: target * elapsed weight."""
    target_value = to_decimal(target, column="target")
    weight = to_decimal(elapsed_weight, column="elapsed_weight")
    if target_value is None or weight is None:
        return None
    return target_value * weight


def pace_attainment(actual: object, target: object, direction: str, elapsed_weight: object) -> Decimal | None:
    """Attainment against expected_to_date (additive metrics); nothing expected yet (weight 0) → None."""
    expected = expected_to_date(target, elapsed_weight)
    if expected is None or expected == 0:
        return None
    return attainment(actual, expected, direction)


def forecast_to_period_end(actual_to_date: object, elapsed_weight: object) -> Decimal | None:
    """Run-rate forecast for the whole period = actual ÷ elapsed weight; weight 0 → None."""
    return ratio(actual_to_date, elapsed_weight)


def run_rate_forecast(actual_to_date: object, elapsed_days: int, total_days: int) -> Decimal | None:
    """Linear run rate: actual * total_days ÷ elapsed_days; nothing elapsed → None."""
    return forecast_to_period_end(actual_to_date, linear_elapsed_weight(elapsed_days, total_days))


def _elapsed_weight_for(
    *, period_start: date, period_end: date, as_of: date, phasing: str, weights: object
) -> Decimal | None:
    total_days = (period_end - period_start).days + 1
    elapsed_days = (as_of - period_start).days + 1
    if phasing == "LINEAR":
        return linear_elapsed_weight(elapsed_days, total_days)
    if phasing == "SEASONAL":
        if not isinstance(weights, (list, tuple)):
            raise MetricInputError(
                "SEASONAL phasing without weights", column="seasonal_weights", value=weights, expected="a list"
            )
        # One weight per calendar month of the target period, in order; a month counts once it ended.
        elapsed = 0
        month = period_start
        while month <= period_end and month_end(month) <= as_of:
            elapsed += 1
            month = add_months(month.replace(day=1), 1)
        return seasonal_elapsed_weight(list(weights), elapsed)
    raise MetricInputError("unknown phasing", column="phasing", value=phasing, expected="LINEAR or SEASONAL")


def attainment_frame(targets: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Raw and pace-adjusted attainment of each target row as of a day.

    Input columns: metric (JBPTarget metric code), direction, phasing (LINEAR|SEASONAL),
    seasonal_weights (list of per-month weights, only for SEASONAL), period_start, period_end,
    target_value (Decimal), actual (Decimal, int or None: the actual to date). Other columns pass through.
    Added columns (object, Decimal or None): elapsed_weight, expected_to_date, attainment_raw,
    attainment_pace (ratio metrics: equal to attainment_raw), forecast_period_end (additive metrics
    only: run rate to the period end), forecast_attainment (forecast against the full target).
    """
    require_columns(
        targets,
        ["metric", "direction", "phasing", "period_start", "period_end", "target_value", "actual"],
        what="attainment_frame",
    )
    starts = date_series(targets["period_start"], column="period_start").to_numpy(dtype=object)
    ends = date_series(targets["period_end"], column="period_end").to_numpy(dtype=object)
    weights_column = (
        targets["seasonal_weights"].to_numpy(dtype=object)
        if "seasonal_weights" in targets.columns
        else np.full(len(targets), None, dtype=object)
    )
    columns: dict[str, ObjectArray] = {
        name: np.full(len(targets), None, dtype=object)
        for name in (
            "elapsed_weight",
            "expected_to_date",
            "attainment_raw",
            "attainment_pace",
            "forecast_period_end",
            "forecast_attainment",
        )
    }
    rows = zip(
        targets["metric"].to_numpy(dtype=object),
        targets["direction"].to_numpy(dtype=object),
        targets["phasing"].to_numpy(dtype=object),
        starts,
        ends,
        targets["target_value"].to_numpy(dtype=object),
        targets["actual"].to_numpy(dtype=object),
        weights_column,
        strict=True,
    )
    for i, (metric, direction, phasing, start, end, target, actual, weights) in enumerate(rows):
        raw = attainment(actual, target, direction)
        columns["attainment_raw"][i] = raw
        if metric not in ADDITIVE_TARGET_METRICS:
            columns["attainment_pace"][i] = raw
            continue
        weight = _elapsed_weight_for(period_start=start, period_end=end, as_of=as_of, phasing=phasing, weights=weights)
        forecast = forecast_to_period_end(actual, weight)
        columns["elapsed_weight"][i] = weight
        columns["expected_to_date"][i] = expected_to_date(target, weight)
        columns["attainment_pace"][i] = pace_attainment(actual, target, direction, weight)
        columns["forecast_period_end"][i] = forecast
        columns["forecast_attainment"][i] = attainment(forecast, target, direction)
    out = targets.copy()
    for name, values in columns.items():
        out[name] = pd.Series(values, index=targets.index, dtype=object)
    return out
