"""Plumbing shared by the metric functions: the dtype policy, null-safe ratios and period buckets.

Dtype policy (every function in `reviews.metrics` and `reviews.fx` follows it):

- Money columns (revenue, COGS, ad cost and sales, inventory cost) are object columns holding
  `decimal.Decimal`, or None where not reported. They are summed as Decimals, which is exact;
  floats are refused with a `MetricInputError` because they would carry binary rounding into money.
- Count columns (units, glance views, clicks, impressions) are pandas nullable `Int64`; <NA> means
  "not reported". Integral floats (what a left merge makes of an int column) are accepted.
- Ratio columns are object columns holding unrounded `Decimal` fractions (0.25 = 25 %), or None
  where the metric is undefined: denominator 0 (or <= 0 where DOMAIN.md says so) or either side
  not reported. Never 0 for "undefined", never NaN. Rounding happens only for display.
- A sum over a group adds the rows that reported the field; a group in which no row reported it
  sums to None / <NA>, not 0 ("not reported" is not "zero").
- A period's ratio is the ratio of the period's sums, never the mean of the rows' ratios.
- Dates come out as `datetime.date` objects (object columns); they are accepted as dates, aware
  datetimes (converted to their UTC date) or datetime64.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.exceptions import ApplicationError
from core.periods import month_end
from core.periods import month_start
from core.periods import week_end
from core.periods import week_start

Grain = Literal["week", "month"]
GRAINS: tuple[Grain, ...] = ("week", "month")
ObjectArray = npt.NDArray[np.object_]
Number = Decimal | int


class MetricInputError(ApplicationError, ValueError):
    """A frame or value handed to a metric function breaks its contract.

    The message names the column, row, value and what was expected; `extra` carries the same as
    structured detail so an API can show it.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        row: object = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        details = []
        if column is not None:
            details.append(f"column {column!r}")
        if row is not None:
            details.append(f"row {row!r}")
        if value is not None:
            details.append(f"got {value!r}")
        if expected is not None:
            details.append(f"expected {expected}")
        super().__init__(
            f"{message} ({'; '.join(details)})" if details else message,
            extra={"column": column, "row": _jsonable(row), "value": _jsonable(value), "expected": expected},
        )


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def is_missing(value: object) -> bool:
    """True for None, pd.NA, NaT and float NaN: the spellings of "not reported" pandas produces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def to_decimal(value: object, *, column: str = "value", row: object = None) -> Decimal | None:
    """A Decimal for an int or Decimal, None when missing; floats, bools and text are refused."""
    if is_missing(value):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MetricInputError("not a finite number", column=column, row=row, value=value)
        return value
    # bool is an int subclass; True as "1 unit" would hide a wrong column.
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return Decimal(int(value))
    raise MetricInputError(
        "not a Decimal or int",
        column=column,
        row=row,
        value=value,
        expected="Decimal or int (floats would carry binary rounding into money and ratios)",
    )


def ratio(numerator: object, denominator: object) -> Decimal | None:
    """numerator / denominator as a Decimal; None when either is missing or the denominator is 0."""
    num = to_decimal(numerator, column="numerator")
    den = to_decimal(denominator, column="denominator")
    if num is None or den is None or den == 0:
        return None
    return num / den


def ratio_positive_denominator(numerator: object, denominator: object) -> Decimal | None:
    """Like `ratio`, but None when the denominator is <= 0 (stock-based metrics)."""
    den = to_decimal(denominator, column="denominator")
    if den is None or den <= 0:
        return None
    return ratio(numerator, den)


# --- vectorised helpers -----------------------------------------------------------------------


def decimal_array(values: pd.Series, *, column: str) -> ObjectArray:
    """The column as an object array of Decimal or None (ints converted, floats refused)."""
    out: ObjectArray = np.empty(len(values), dtype=object)
    if len(values) == 0:
        return out
    if pd.api.types.is_bool_dtype(values.dtype):
        raise MetricInputError("booleans are not numbers", column=column, expected="Decimal or int")
    if pd.api.types.is_integer_dtype(values.dtype):
        missing = values.isna().to_numpy(dtype=bool)
        ints = values.to_numpy(dtype="int64", na_value=0).tolist()
        out[:] = list(map(Decimal, ints))
        out[missing] = None
        return out
    if pd.api.types.is_float_dtype(values.dtype):
        raise MetricInputError(
            "float column", column=column, value=str(values.dtype), expected="Decimal (object) or Int64"
        )
    raw = values.to_numpy(dtype=object)
    kinds = set(map(type, raw))
    if kinds <= {Decimal, type(None)}:
        # The usual case (a selector's Decimal column): only non-finite values need a look.
        if not all(v is None or v.is_finite() for v in raw):
            bad = next(i for i, v in enumerate(raw) if v is not None and not v.is_finite())
            raise MetricInputError("not a finite number", column=column, row=values.index[bad], value=raw[bad])
        out[:] = raw
        return out
    for i, v in enumerate(raw):
        kind = type(v)
        if kind is Decimal and v.is_finite():
            out[i] = v
        elif v is None:
            continue
        elif kind is int:
            out[i] = Decimal(v)
        else:
            out[i] = to_decimal(v, column=column, row=values.index[i])
    return out


def count_series(values: pd.Series, *, column: str) -> pd.Series:
    """The column as nullable Int64; integral floats are accepted, anything else is refused."""
    if pd.api.types.is_bool_dtype(values.dtype):
        raise MetricInputError("booleans are not counts", column=column, expected="Int64")
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("Int64")
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        fractional = finite[finite != np.floor(finite)]
        if len(fractional):
            raise MetricInputError(
                "not a whole number",
                column=column,
                row=fractional.index[0],
                value=fractional.iloc[0],
                expected="a count (Int64)",
            )
        return values.astype("Int64")
    converted: list[int | None] = []
    for label, v in zip(values.index, values.to_numpy(dtype=object), strict=True):
        if is_missing(v):
            converted.append(None)
        elif _is_whole(v):
            converted.append(int(v))
        else:
            raise MetricInputError("not a whole number", column=column, row=label, value=v, expected="a count")
    return pd.Series(pd.array(converted, dtype="Int64"), index=values.index, name=values.name)


def _is_whole(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


def ratio_array(numerator: ObjectArray, denominator: ObjectArray, *, positive_only: bool = False) -> ObjectArray:
    """Element-wise Decimal ratio; None where either side is None or the denominator is 0 (<= 0)."""
    out: ObjectArray = np.empty(len(numerator), dtype=object)
    if positive_only:
        out[:] = [
            None if n is None or d is None or d <= 0 else n / d for n, d in zip(numerator, denominator, strict=True)
        ]
    else:
        out[:] = [
            None if n is None or d is None or d == 0 else n / d for n, d in zip(numerator, denominator, strict=True)
        ]
    return out


def object_series(values: ObjectArray | Sequence[Any], index: pd.Index) -> pd.Series:
    """An object Series (so None stays None and Decimals stay Decimals)."""
    return pd.Series(values, index=index, dtype=object)


def none_for_missing(series: pd.Series) -> pd.Series:
    """The object series with every pandas spelling of "missing" replaced by None."""
    values: ObjectArray = series.to_numpy(dtype=object, copy=True)
    values[series.isna().to_numpy(dtype=bool)] = None
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


# --- dates and buckets ------------------------------------------------------------------------


def _as_date(value: object, *, column: str, row: object) -> date:
    if isinstance(value, datetime):  # pd.Timestamp is a datetime too
        if value.tzinfo is not None:
            return value.astimezone(UTC).date()
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return pd.Timestamp(value).date()
    raise MetricInputError("not a date", column=column, row=row, value=value, expected="a date")


def date_series(values: pd.Series, *, column: str) -> pd.Series:
    """The column as an object Series of `datetime.date` (aware datetimes taken at their UTC date)."""
    missing = values.isna().to_numpy(dtype=bool)
    if missing.any():
        raise MetricInputError(
            "missing date", column=column, row=values.index[int(missing.argmax())], expected="a date"
        )
    raw = values.to_numpy(dtype=object)
    # Few distinct dates in many rows: convert each distinct value once.
    codes, uniques = pd.factorize(raw)
    converted_uniques: ObjectArray = np.empty(len(uniques), dtype=object)
    for i, value in enumerate(uniques):
        converted_uniques[i] = _as_date(value, column=column, row=values.index[int((codes == i).argmax())])
    return pd.Series(converted_uniques[codes], index=values.index, dtype=object)


def check_grain(grain: str) -> Grain:
    if grain == "week":
        return "week"
    if grain == "month":
        return "month"
    raise MetricInputError("unknown grain", column="grain", value=grain, expected="'week' or 'month'")


def bucket_start(day: date, grain: Grain) -> date:
    """First day of the retail week (Sunday) or calendar month containing `day`."""
    return week_start(day) if grain == "week" else month_start(day)


def bucket_end(day: date, grain: Grain) -> date:
    """Last day of the retail week (Saturday) or calendar month containing `day`."""
    return week_end(day) if grain == "week" else month_end(day)


def previous_bucket_start(start: date, grain: Grain) -> date:
    return bucket_start(start - timedelta(days=1), grain)


def map_dates(values: pd.Series, func: Any) -> pd.Series:
    """Apply a date -> date function once per distinct date of an object Series of dates."""
    mapping = {d: func(d) for d in pd.unique(values.to_numpy(dtype=object))}
    out: ObjectArray = np.empty(len(values), dtype=object)
    out[:] = [mapping[d] for d in values.to_numpy(dtype=object)]
    return pd.Series(out, index=values.index, dtype=object)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, what: str) -> None:
    """Raise naming the first column `what` needs that the frame lacks."""
    for column in columns:
        if column not in frame.columns:
            raise MetricInputError(f"{what}: missing column", column=column, expected=f"columns {', '.join(columns)}")


def check_distinct(columns: Sequence[str], *, what: str) -> None:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise MetricInputError(f"{what}: column named twice", column=column)
        seen.add(column)
