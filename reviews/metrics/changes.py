"""Period-over-period changes (MoM / WoW, YoY) and the top movers of an MBR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from core.periods import add_months
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ObjectArray
from reviews.metrics.base import check_grain
from reviews.metrics.base import decimal_array
from reviews.metrics.base import map_dates
from reviews.metrics.base import none_for_missing
from reviews.metrics.base import object_series
from reviews.metrics.base import require_columns
from reviews.metrics.base import to_decimal
from reviews.metrics.derive import RATIO_COLUMNS
from reviews.metrics.rollups import SUM_COLUMNS

# 52 retail weeks: the same Sunday-Saturday week a year ago (53-week years shift by one week).
WEEKS_PER_YEAR_DAYS = 364


def pct_change(current: object, prior: object) -> Decimal | None:
    """Relative change (current - prior) ÷ |prior|; prior 0 or missing → None.

    Dividing by |prior| keeps the sign meaningful when the prior is negative (e.g. a net PPM or a
    net-receipts basis): an improvement from -100 to -50 is +50 %.
    """
    now = to_decimal(current, column="current")
    before = to_decimal(prior, column="prior")
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)


def pp_change(current: object, prior: object) -> Decimal | None:
    """Difference of two ratios in fraction points (0.03 = +3 pp); either missing → None."""
    now = to_decimal(current, column="current")
    before = to_decimal(prior, column="prior")
    if now is None or before is None:
        return None
    return now - before


def _comparison_tag(grain: str, comparison: str) -> str:
    if comparison == "previous":
        return "wow" if grain == "week" else "mom"
    if comparison == "year_ago":
        return "yoy"
    raise MetricInputError(
        "unknown comparison", column="comparisons", value=comparison, expected="previous or year_ago"
    )


def _shift(day: date, grain: str, comparison: str) -> date:
    if comparison == "previous":
        return day - timedelta(days=7) if grain == "week" else add_months(day, -1)
    return day - timedelta(days=WEEKS_PER_YEAR_DAYS) if grain == "week" else add_months(day, -12)


def rollup_keys(frame: pd.DataFrame) -> list[str]:
    """The group keys of a rollup frame: the columns before `grain`."""
    require_columns(frame, ["grain"], what="rollup frame")
    return list(frame.columns[: list(frame.columns).index("grain")])


def _single_grain(frame: pd.DataFrame) -> str:
    grains = pd.unique(frame["grain"].to_numpy(dtype=object))
    if len(grains) != 1:
        raise MetricInputError("one grain per frame", column="grain", value=list(grains), expected="week or month only")
    return check_grain(str(grains[0]))


def add_changes(
    frame: pd.DataFrame,
    *,
    comparisons: Sequence[str] = ("previous", "year_ago"),
    metrics: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add prior-period values and changes to a rollup frame.

    `comparisons`: "previous" (tag wow for weeks, mom for months) and/or "year_ago" (tag yoy:
    12 months back, or 52 weeks back for weeks). `metrics` defaults to every sum and ratio column
    present; `keys` to the rollup keys (columns before `grain`). For each metric m and tag t:
    - m_t_prior: the metric in the prior period of the same keys (None/<NA> when that row is absent);
    - sums: m_t_change = (m - prior) ÷ |prior| (Decimal fraction; prior 0 or missing → None);
    - ratios: m_t_change_pp = m - prior (Decimal fraction points; 0.03 = +3 pp).
    The prior rows must be in the frame: select one year and one period more than you show.
    """
    require_columns(frame, ["grain", "period_start"], what="add_changes")
    grain = _single_grain(frame) if len(frame) else "month"
    key_columns = list(keys) if keys is not None else rollup_keys(frame)
    chosen = (
        list(metrics) if metrics is not None else [c for c in frame.columns if c in SUM_COLUMNS or c in RATIO_COLUMNS]
    )
    require_columns(frame, [*key_columns, *chosen], what="add_changes")
    out = frame.copy()
    for comparison in comparisons:
        tag = _comparison_tag(grain, comparison)
        lookup = frame[[*key_columns, "period_start", *chosen]].rename(
            columns={"period_start": "_prior_start", **{m: f"{m}_{tag}_prior" for m in chosen}}
        )
        probe = out.assign(_prior_start=map_dates(out["period_start"], lambda d, c=comparison: _shift(d, grain, c)))
        try:
            merged = probe.merge(lookup, on=[*key_columns, "_prior_start"], how="left", validate="many_to_one")
        except pd.errors.MergeError as exc:
            raise MetricInputError(
                "the keys do not identify one row per period", value=key_columns, expected="unique keys + period_start"
            ) from exc
        merged.index = out.index
        for metric in chosen:
            prior_column = f"{metric}_{tag}_prior"
            if pd.api.types.is_integer_dtype(frame[metric].dtype):
                out[prior_column] = merged[prior_column].astype("Int64")
            else:
                out[prior_column] = none_for_missing(merged[prior_column])
            now = decimal_array(out[metric], column=metric)
            before = decimal_array(out[prior_column], column=prior_column)
            values: ObjectArray = np.empty(len(out), dtype=object)
            if metric in RATIO_COLUMNS:
                values[:] = [pp_change(n, b) for n, b in zip(now, before, strict=True)]
                out[f"{metric}_{tag}_change_pp"] = object_series(values, out.index)
            else:
                values[:] = [pct_change(n, b) for n, b in zip(now, before, strict=True)]
                out[f"{metric}_{tag}_change"] = object_series(values, out.index)
    return out


def add_trailing_sums(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str],
    periods: int = 4,
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add `{column}_trailing_{periods}` = the sum over this and the previous periods-1 buckets.

    For trailing rates whose inputs are sums (PO on-time over 4 weeks, return rate over 4-13 weeks):
    sum numerator and denominator with this function, then divide (reviews.metrics.ratio).
    Only buckets present in the frame count; a window with nothing reported is None/<NA>. Money
    columns stay Decimal, counts Int64. `keys` default to the rollup keys (columns before `grain`).
    """
    require_columns(frame, ["grain", "period_start", *columns], what="add_trailing_sums")
    if periods < 1:
        raise MetricInputError("trailing window too short", column="periods", value=periods, expected=">= 1")
    grain = _single_grain(frame) if len(frame) else "month"
    key_columns = list(keys) if keys is not None else rollup_keys(frame)
    out = frame.copy()
    totals: dict[str, list[Decimal | None]] = {c: [None] * len(frame) for c in columns}
    start = out["period_start"]
    for lag in range(periods):
        lookup = frame[[*key_columns, "period_start", *columns]].rename(columns={"period_start": "_lag_start"})
        probe = out[key_columns].assign(_lag_start=map_dates(start, lambda d, k=lag: _shift_periods(d, grain, k)))
        try:
            merged = probe.merge(lookup, on=[*key_columns, "_lag_start"], how="left", validate="many_to_one")
        except pd.errors.MergeError as exc:
            raise MetricInputError(
                "the keys do not identify one row per period", value=key_columns, expected="unique keys + period_start"
            ) from exc
        for column in columns:
            values = decimal_array(merged[column], column=column)
            running = totals[column]
            for i, value in enumerate(values):
                if value is not None:
                    running[i] = value if running[i] is None else running[i] + value
    for column in columns:
        name = f"{column}_trailing_{periods}"
        if pd.api.types.is_integer_dtype(frame[column].dtype):
            out[name] = pd.array([None if v is None else int(v) for v in totals[column]], dtype="Int64")
        else:
            out[name] = object_series(totals[column], out.index)
    return out


def _shift_periods(day: date, grain: str, periods: int) -> date:
    return day - timedelta(days=7 * periods) if grain == "week" else add_months(day, -periods)


def top_movers(
    frame: pd.DataFrame,
    metric: str,
    *,
    n: int = 10,
    comparison: str = "previous",
    missing_prior_as_zero: bool = False,
    keys: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The n rows of one period whose metric rose most and the n that fell most, by absolute delta.

    Needs the m_t_prior column of add_changes. Adds `{metric}_delta` (current - prior, Decimal).
    Rows whose delta is unknown are left out, unless missing_prior_as_zero (a new ASIN selling for the
    first time then counts as a mover up). Returns (up, down): up sorted by delta descending, down by
    delta ascending, ties broken by the keys so the order is stable.
    """
    require_columns(frame, ["grain", "period_start", metric], what="top_movers")
    if len(frame) == 0:
        return frame.copy(), frame.copy()
    if len(pd.unique(frame["period_start"].to_numpy(dtype=object))) != 1:
        raise MetricInputError("top movers compare one period", column="period_start", expected="rows of one period")
    tag = _comparison_tag(_single_grain(frame), comparison)
    prior_column = f"{metric}_{tag}_prior"
    require_columns(frame, [prior_column], what="top_movers (run add_changes first)")
    key_columns = list(keys) if keys is not None else rollup_keys(frame)
    now = decimal_array(frame[metric], column=metric)
    before = decimal_array(frame[prior_column], column=prior_column)
    deltas: ObjectArray = np.empty(len(frame), dtype=object)
    for i, (current, prior) in enumerate(zip(now, before, strict=True)):
        if prior is None and missing_prior_as_zero:
            prior = Decimal(0)
        deltas[i] = None if current is None or prior is None else current - prior
    delta_column = f"{metric}_delta"
    ranked = frame.assign(**{delta_column: object_series(deltas, frame.index)})
    known = ranked[[d is not None for d in deltas]]
    up = known[[d > 0 for d in known[delta_column]]]
    down = known[[d < 0 for d in known[delta_column]]]
    up = up.sort_values([delta_column, *key_columns], ascending=[False, *[True] * len(key_columns)], kind="stable")
    down = down.sort_values([delta_column, *key_columns], kind="stable")
    return up.head(n).reset_index(drop=True), down.head(n).reset_index(drop=True)
