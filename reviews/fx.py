"""Currency conversion of metric frames with a monthly rate table: pure, no ORM, no I/O.

Rates are never guessed: a missing rate raises `MissingFxRate` naming the currency pair and the
month; a currency is converted to itself at exactly 1. Converted amounts stay unrounded Decimals
(round for display or booking, not in between), and the function returns the rates it used so a
page or export can say which ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from core.periods import month_start
from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ObjectArray
from reviews.metrics.base import date_series
from reviews.metrics.base import decimal_array
from reviews.metrics.base import is_missing
from reviews.metrics.base import object_series
from reviews.metrics.base import require_columns
from reviews.metrics.derive import RATIO_COLUMNS
from reviews.metrics.derive import derive_ratios
from reviews.metrics.rollups import MONEY_COLUMNS

RATE_COLUMNS = ["month", "from_currency", "to_currency", "rate"]
RATES_USED_COLUMNS = ["month", "from_currency", "to_currency", "rate", "rows"]


class MissingFxRate(MetricInputError):
    """No rate for a currency pair and month that the frame needs."""


def _rate_lookup(rates: pd.DataFrame) -> dict[tuple[date, str, str], Decimal]:
    require_columns(rates, RATE_COLUMNS, what="FX rate table")
    months = date_series(rates["month"], column="month")
    values = rates["rate"].to_numpy(dtype=object)
    lookup: dict[tuple[date, str, str], Decimal] = {}
    for label, month, source, target, value in zip(
        rates.index,
        months,
        rates["from_currency"].to_numpy(dtype=object),
        rates["to_currency"].to_numpy(dtype=object),
        values,
        strict=True,
    ):
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise MetricInputError(
                "FX rate must be a positive Decimal", column="rate", row=label, value=value, expected="Decimal > 0"
            )
        key = (month_start(month), str(source), str(target))
        if key in lookup and lookup[key] != value:
            raise MetricInputError(
                "two different FX rates for one month and pair",
                column="rate",
                row=label,
                value=f"{key[1]}->{key[2]} {key[0]:%Y-%m}: {lookup[key]} and {value}",
                expected="one rate per month and pair",
            )
        lookup[key] = value
    return lookup


def convert_currency(
    frame: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    to_currency: str,
    money_columns: Sequence[str] | None = None,
    date_column: str = "period_start",
    currency_column: str = "currency",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert every money column to `to_currency` with the rate of the row's month.

    frame: any metric frame with `currency_column` (ISO-4217 per row) and `date_column` (its month
    picks the rate); money_columns default to the rollup money columns present (MONEY_COLUMNS).
    rates: columns month (any day of the month), from_currency, to_currency, rate (Decimal > 0:
    1 unit of from_currency = rate units of to_currency).
    Returns (converted copy with currency_column = to_currency and ratios recomputed from the
    converted sums when the frame had any, rates_used with columns month, from_currency, to_currency,
    rate, rows: one line per pair and month actually applied, identity pairs included at 1).
    Raises MissingFxRate listing every missing pair and month.
    """
    require_columns(frame, [currency_column, date_column], what="convert_currency")
    columns = list(money_columns) if money_columns is not None else [c for c in MONEY_COLUMNS if c in frame.columns]
    require_columns(frame, columns, what="convert_currency")
    lookup = _rate_lookup(rates)
    months = [month_start(d) for d in date_series(frame[date_column], column=date_column)]
    currencies = frame[currency_column].to_numpy(dtype=object)

    row_rates: ObjectArray = np.empty(len(frame), dtype=object)
    used: dict[tuple[date, str, str], int] = {}
    missing: dict[tuple[date, str], int] = {}
    for i, (label, month, currency) in enumerate(zip(frame.index, months, currencies, strict=True)):
        if is_missing(currency) or currency == "":
            raise MetricInputError(
                "row without currency", column=currency_column, row=label, expected="an ISO-4217 code"
            )
        source = str(currency)
        if source == to_currency:
            rate: Decimal | None = Decimal(1)
        else:
            rate = lookup.get((month, source, to_currency))
        if rate is None:
            missing[(month, source)] = missing.get((month, source), 0) + 1
            continue
        row_rates[i] = rate
        used[(month, source, to_currency)] = used.get((month, source, to_currency), 0) + 1
    if missing:
        listed = "; ".join(
            f"{source}->{to_currency} {month:%Y-%m} ({rows} rows)" for (month, source), rows in sorted(missing.items())
        )
        raise MissingFxRate(
            "missing FX rate",
            column="rate",
            value=listed,
            expected=f"a rate for each month and currency converted to {to_currency} (rates are never assumed to be 1)",
        )

    out = frame.copy()
    for column in columns:
        amounts = decimal_array(frame[column], column=column)
        converted: ObjectArray = np.empty(len(frame), dtype=object)
        converted[:] = [None if a is None else a * r for a, r in zip(amounts, row_rates, strict=True)]
        out[column] = object_series(converted, frame.index)
    out[currency_column] = pd.Series([to_currency] * len(frame), index=frame.index, dtype=frame[currency_column].dtype)
    if any(c in RATIO_COLUMNS for c in frame.columns):
        # CPC and CPA divide money by counts: ratios must follow the converted sums.
        denominator = None
        if "tacos_denominator" in frame.columns and len(frame):
            denominator = str(frame["tacos_denominator"].iloc[0])
        out = derive_ratios(out, tacos_denominator=denominator)

    rates_used = pd.DataFrame(
        [
            {"month": month, "from_currency": source, "to_currency": target, "rate": rate_value, "rows": rows}
            for (month, source, target), rows in sorted(used.items())
            for rate_value in [Decimal(1) if source == target else lookup[(month, source, target)]]
        ],
        columns=RATES_USED_COLUMNS,
    )
    rates_used["rate"] = rates_used["rate"].astype(object)
    rates_used["rows"] = rates_used["rows"].astype("int64")
    return out, rates_used
