"""reviews.fx.convert_currency: monthly rates, rates used, and no silent 1.0 for a missing rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from reviews.fx import MissingFxRate
from reviews.fx import convert_currency
from reviews.metrics import MetricInputError
from reviews.metrics import derive_ratios

D = Decimal


def obj(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def ints(*values: int | None) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="Int64"))


RATES = pd.DataFrame(
    {
        "month": obj(date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 1)),
        "from_currency": ["EUR", "EUR", "GBP"],
        "to_currency": ["USD", "USD", "USD"],
        "rate": obj(D("1.05"), D("1.10"), D("1.25")),
    }
)


def rollup() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "marketplace_id": ["A1PA6795UKMFR9", "A1PA6795UKMFR9", "ATVPDKIKX0DER"],
            "currency": ["EUR", "EUR", "USD"],
            "grain": ["month"] * 3,
            "period_start": obj(date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 1)),
            "ad_spend": obj(D("100.00"), D("200.00"), D("50.00")),
            "ad_sales": obj(D("400.00"), None, D("100.00")),
            "clicks": ints(100, 100, 10),
        }
    )


def test_convert_currency_uses_the_rate_of_each_rows_month_and_reports_it() -> None:
    converted, used = convert_currency(rollup(), RATES, to_currency="USD", money_columns=["ad_spend", "ad_sales"])
    expected = rollup()
    expected["currency"] = ["USD", "USD", "USD"]
    expected["ad_spend"] = obj(D("105.0000"), D("220.0000"), D("50.00"))
    expected["ad_sales"] = obj(D("420.0000"), None, D("100.00"))
    pd.testing.assert_frame_equal(converted, expected)
    pd.testing.assert_frame_equal(
        used,
        pd.DataFrame(
            {
                "month": obj(date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 1)),
                "from_currency": ["EUR", "EUR", "USD"],
                "to_currency": ["USD", "USD", "USD"],
                "rate": obj(D("1.05"), D("1.10"), D("1")),
                "rows": pd.Series([1, 1, 1], dtype="int64"),
            }
        ),
    )
    assert list(used["rate"]) == [D("1.05"), D("1.10"), D(1)]


def test_convert_currency_missing_rate_is_an_error_naming_pair_and_month() -> None:
    frame = rollup()
    frame.loc[2, "currency"] = "JPY"
    with pytest.raises(MissingFxRate, match="JPY->USD 2026-03") as caught:
        convert_currency(frame, RATES, to_currency="USD", money_columns=["ad_spend"])
    assert "never assumed to be 1" in caught.value.message
    april = rollup()
    april.loc[1, "period_start"] = date(2026, 4, 1)
    with pytest.raises(MissingFxRate, match="EUR->USD 2026-04"):
        convert_currency(april, RATES, to_currency="USD", money_columns=["ad_spend"])


def test_convert_currency_recomputes_money_per_count_ratios() -> None:
    frame = derive_ratios(rollup())
    assert frame.loc[1, "cpc"] == D("2")  # 200.00 EUR / 100 clicks
    converted, _ = convert_currency(frame, RATES, to_currency="USD")
    assert converted.loc[1, "cpc"] == D("2.2")  # now in USD
    assert converted["acos"].tolist()[0] == frame["acos"].tolist()[0] == D("0.25")


def test_convert_currency_refuses_float_rates_and_conflicting_rates() -> None:
    floats = RATES.assign(rate=[1.05, 1.10, 1.25])
    with pytest.raises(MetricInputError, match="positive Decimal"):
        convert_currency(rollup(), floats, to_currency="USD", money_columns=["ad_spend"])
    conflicting = pd.concat([RATES, RATES.iloc[[0]].assign(rate=obj(D("1.06")))], ignore_index=True)
    with pytest.raises(MetricInputError, match="two different FX rates"):
        convert_currency(rollup(), conflicting, to_currency="USD", money_columns=["ad_spend"])
