"""MoM/WoW/YoY changes, trailing sums, top movers and the attainment frame."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from reviews.metrics import MetricInputError
from reviews.metrics import add_changes
from reviews.metrics import add_trailing_sums
from reviews.metrics import attainment_frame
from reviews.metrics import po_on_time_chargeback
from reviews.metrics import ratio
from reviews.metrics import top_movers

D = Decimal


def obj(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def ints(*values: int | None) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="Int64"))


def monthly(rows: list[tuple[str, date, Decimal | None, int | None, Decimal | None]]) -> pd.DataFrame:
    """A minimal monthly rollup: vendor_code | grain | period_start | shipped_revenue | shipped_units | acos."""
    return pd.DataFrame(
        {
            "vendor_code": [r[0] for r in rows],
            "grain": ["month"] * len(rows),
            "period_start": obj(*[r[1] for r in rows]),
            "shipped_revenue": obj(*[r[2] for r in rows]),
            "shipped_units": ints(*[r[3] for r in rows]),
            "acos": obj(*[r[4] for r in rows]),
        }
    )


def test_add_changes_month_on_month_and_year_on_year() -> None:
    frame = monthly(
        [
            ("V1", date(2025, 3, 1), D("800.00"), 80, D("0.20")),
            ("V1", date(2026, 2, 1), D("1000.00"), 0, D("0.25")),
            ("V1", date(2026, 3, 1), D("1100.00"), 90, D("0.28")),
            ("V2", date(2026, 3, 1), D("50.00"), 5, None),
        ]
    )
    result = add_changes(frame, metrics=["shipped_revenue", "shipped_units", "acos"])
    expected = frame.copy()
    expected["shipped_revenue_mom_prior"] = obj(None, None, D("1000.00"), None)
    expected["shipped_revenue_mom_change"] = obj(None, None, D("0.1"), None)
    expected["shipped_units_mom_prior"] = ints(None, None, 0, None)
    expected["shipped_units_mom_change"] = obj(None, None, None, None)  # prior 0 -> None
    expected["acos_mom_prior"] = obj(None, None, D("0.25"), None)
    expected["acos_mom_change_pp"] = obj(None, None, D("0.03"), None)  # ratios move in points
    expected["shipped_revenue_yoy_prior"] = obj(None, None, D("800.00"), None)
    expected["shipped_revenue_yoy_change"] = obj(None, None, D("0.375"), None)
    expected["shipped_units_yoy_prior"] = ints(None, None, 80, None)
    expected["shipped_units_yoy_change"] = obj(None, None, D("0.125"), None)
    expected["acos_yoy_prior"] = obj(None, None, D("0.20"), None)
    expected["acos_yoy_change_pp"] = obj(None, None, D("0.08"), None)
    pd.testing.assert_frame_equal(result, expected)


def test_add_changes_weekly_uses_wow_and_52_weeks_back() -> None:
    frame = pd.DataFrame(
        {
            "asin": ["A", "A", "A"],
            "grain": ["week"] * 3,
            "period_start": obj(date(2025, 3, 2), date(2026, 2, 22), date(2026, 3, 1)),
            "clicks": ints(50, 80, 100),
        }
    )
    result = add_changes(frame)
    assert result["clicks_wow_prior"].tolist()[2] == 80
    assert result["clicks_yoy_prior"].tolist()[2] == 50  # 2026-03-01 - 364 days = Sunday 2025-03-02
    assert result["clicks_yoy_change"].tolist()[2] == D("1")


def test_add_changes_refuses_keys_that_are_not_unique() -> None:
    frame = monthly([("V1", date(2026, 2, 1), D("1"), 1, None), ("V1", date(2026, 2, 1), D("2"), 2, None)])
    with pytest.raises(MetricInputError, match="one row per period"):
        add_changes(frame, metrics=["shipped_units"])


def test_trailing_sums_give_the_po_on_time_chargeback_worked_example() -> None:
    # DOMAIN.md §4.3: trailing 4 weeks 8,700 of 10,000 confirmed units on time = 87 % (< 90 %),
    # so this week's 300 late units at cost 12.00 are charged 3 %: 108.00.
    weeks = [date(2026, 2, 8), date(2026, 2, 15), date(2026, 2, 22), date(2026, 3, 1), date(2026, 3, 8)]
    frame = pd.DataFrame(
        {
            "vendor_code": ["V1"] * 5,
            "grain": ["week"] * 5,
            "period_start": obj(*weeks),
            "on_time_units": ints(100, 2000, 2200, 2500, 2000),
            "confirmed_units": ints(100, 2500, 2500, 2700, 2300),
        }
    )
    result = add_trailing_sums(frame, columns=["on_time_units", "confirmed_units"], periods=4)
    last = result.iloc[-1]
    assert last["on_time_units_trailing_4"] == 8700
    assert last["confirmed_units_trailing_4"] == 10000
    trailing = ratio(last["on_time_units_trailing_4"], last["confirmed_units_trailing_4"])
    assert trailing == D("0.87")
    late_units = last["confirmed_units"] - last["on_time_units"]
    assert po_on_time_chargeback(trailing_on_time_rate=trailing, late_units=late_units, unit_cost=D("12.00")) == D(
        "108.00"
    )
    assert result["confirmed_units_trailing_4"].tolist() == [100, 2600, 5100, 7800, 10000]


def test_trailing_sums_of_nothing_reported_stay_missing() -> None:
    frame = pd.DataFrame(
        {
            "grain": ["month", "month"],
            "period_start": obj(date(2026, 1, 1), date(2026, 2, 1)),
            "ad_spend": obj(None, D("5.00")),
        }
    )
    result = add_trailing_sums(frame, columns=["ad_spend"], periods=2, keys=[])
    assert result["ad_spend_trailing_2"].tolist() == [None, D("5.00")]


def movers_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "asin": ["A", "B", "C", "D", "E"],
            "grain": ["month"] * 5,
            "period_start": obj(*[date(2026, 3, 1)] * 5),
            "shipped_revenue": obj(D("150"), D("60"), D("20"), D("40"), D("50")),
            "shipped_revenue_mom_prior": obj(D("100"), D("50"), D("50"), None, D("50")),
        }
    )
    return frame


def test_top_movers_up_and_down_by_absolute_delta() -> None:
    up, down = top_movers(movers_frame(), "shipped_revenue", n=10)
    assert up["asin"].tolist() == ["A", "B"]
    assert up["shipped_revenue_delta"].tolist() == [D("50"), D("10")]
    assert down["asin"].tolist() == ["C"]
    assert down["shipped_revenue_delta"].tolist() == [D("-30")]


def test_top_movers_can_count_a_new_asin_and_limits_to_n() -> None:
    up, _ = top_movers(movers_frame(), "shipped_revenue", n=2, missing_prior_as_zero=True)
    assert up["asin"].tolist() == ["A", "D"]  # D: 0 -> 40


def test_top_movers_needs_one_period_and_the_prior_column() -> None:
    frame = movers_frame()
    frame.loc[0, "period_start"] = date(2026, 2, 1)
    with pytest.raises(MetricInputError, match="one period"):
        top_movers(frame, "shipped_revenue")
    with pytest.raises(MetricInputError, match="add_changes"):
        top_movers(movers_frame().drop(columns="shipped_revenue_mom_prior"), "shipped_revenue")


def test_attainment_frame_worked_example_ratio_target_and_seasonal_phasing() -> None:
    targets = pd.DataFrame(
        {
            "metric": ["SHIPPED_COGS", "ACOS", "ORDERED_REVENUE"],
            "direction": ["HIGHER_IS_BETTER", "LOWER_IS_BETTER", "HIGHER_IS_BETTER"],
            "phasing": ["LINEAR", "LINEAR", "SEASONAL"],
            "seasonal_weights": obj(None, None, [D("0.2"), D("0.3"), D("0.5")]),
            # DOMAIN.md §4.3: a 91-day quarter, day 45.
            "period_start": obj(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)),
            "period_end": obj(date(2026, 4, 1), date(2026, 4, 1), date(2026, 3, 31)),
            "target_value": obj(D("1500000"), D("0.20"), D("1000")),
            "actual": obj(D("620000"), D("0.25"), D("450")),
        }
    )
    result = attainment_frame(targets, as_of=date(2026, 2, 14))
    cogs, acos, seasonal = result.to_dict("records")
    assert (cogs["attainment_raw"] * 100).quantize(D("0.1")) == D("41.3")
    assert cogs["expected_to_date"].quantize(D(1)) == D("741758")
    assert (cogs["attainment_pace"] * 100).quantize(D("0.1")) == D("83.6")
    assert cogs["forecast_period_end"].quantize(D("0.01")) == D("1253777.78")
    # A ratio target is not paced: ACoS 25 % against 20 % is 80 % whatever the date.
    assert acos["attainment_raw"] == D("0.8") and acos["attainment_pace"] == D("0.8")
    assert acos["elapsed_weight"] is None and acos["forecast_period_end"] is None
    # Seasonal: only January (weight 0.2) has ended by 14 February.
    assert seasonal["elapsed_weight"] == D("0.2")
    assert seasonal["expected_to_date"] == D("200.0")
    assert seasonal["attainment_pace"] == D("2.25")
