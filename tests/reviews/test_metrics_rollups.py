"""Rollups and derived ratios on tiny literal frames (DOMAIN.md §4 worked examples and edge cases)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from reviews.metrics import VENDOR_ATTRIBUTION_WINDOWS
from reviews.metrics import MetricInputError
from reviews.metrics import derive_ratios
from reviews.metrics import join_ads_to_retail
from reviews.metrics import metric_label
from reviews.metrics import rollup_ads
from reviews.metrics import rollup_purchase_orders
from reviews.metrics import rollup_retail
from reviews.metrics import rollup_shipments

D = Decimal
MKT = "ATVPDKIKX0DER"
# A retail week runs Sunday to Saturday: 2026-03-01 is a Sunday.
W1, W2, W3, W4 = date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)


def obj(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def ints(*values: int | None) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="Int64"))


def ads_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("cost", "sales_7d", "sales_14d"):
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
    return frame


def ad_row(day: date, product: str = "SP", **values: object) -> dict[str, object]:
    row: dict[str, object] = {"marketplace_id": MKT, "ad_product": product, "date": day, "currency": "USD"}
    row.update(values)
    return row


# --- advertising ----------------------------------------------------------------------------------


def test_rollup_ads_worked_example() -> None:
    # DOMAIN.md §4.1 worked example, spread over two days of one week.
    ads = ads_frame(
        [
            ad_row(W1, impressions=100_000, clicks=700, cost=D("700.00"), sales_14d=D("3000.00"), purchases_14d=40),
            ad_row(
                W1 + timedelta(days=3),
                impressions=80_000,
                clicks=576,
                cost=D("550.00"),
                sales_14d=D("2000.00"),
                purchases_14d=24,
            ),
        ]
    )
    result = rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")
    expected = pd.DataFrame(
        {
            "marketplace_id": [MKT],
            "currency": ["USD"],
            "ad_product": ["SP"],
            "attribution_window": ["14d"],
            "grain": ["week"],
            "period_start": obj(W1),
            "period_end": obj(date(2026, 3, 7)),
            "ad_spend": obj(D("1250.00")),
            "ad_sales": obj(D("5000.00")),
            "impressions": ints(180_000),
            "clicks": ints(1_276),
            "ad_orders": ints(64),
            "ad_units": ints(None),  # no units_sold_14d column: not reported
            "ctr": obj(D(1276) / D(180000)),
            "cpc": obj(D("1250.00") / D(1276)),
            "cvr": obj(D(64) / D(1276)),
            "acos": obj(D("0.25")),
            "spend_without_sales": [False],
            "roas": obj(D("4")),
            "cpa": obj(D("1250.00") / D(64)),
        }
    )
    pd.testing.assert_frame_equal(result, expected)
    row = result.iloc[0]
    assert (row["ctr"] * 100).quantize(D("0.001")) == D("0.709")
    assert row["cpc"].quantize(D("0.01")) == D("0.98")
    assert (row["cvr"] * 100).quantize(D("0.01")) == D("5.02")


def test_rollup_ads_is_ratio_of_sums_not_mean_of_daily_ratios() -> None:
    ads = ads_frame(
        [
            ad_row(W1, impressions=100, clicks=10, cost=D("10.00"), sales_14d=D("20.00"), purchases_14d=1),
            ad_row(
                W1 + timedelta(days=1),
                impressions=1000,
                clicks=1,
                cost=D("90.00"),
                sales_14d=D("980.00"),
                purchases_14d=1,
            ),
        ]
    )
    row = rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week").iloc[0]
    assert row["ctr"] == D("0.01")  # 11 / 1,100
    assert row["acos"] == D("0.1")  # 100 / 1,000
    mean_of_daily_ctr = (D(10) / D(100) + D(1) / D(1000)) / 2
    mean_of_daily_acos = (D("10") / D("20") + D("90") / D("980")) / 2
    assert row["ctr"] != mean_of_daily_ctr
    assert row["acos"] != mean_of_daily_acos


def test_rollup_ads_flags_spend_without_sales_and_keeps_zero_denominators_none() -> None:
    ads = ads_frame(
        [
            ad_row(W1, product="SP", impressions=0, clicks=0, cost=D("0.00"), sales_14d=D("0.00"), purchases_14d=0),
            ad_row(W1, product="SB", impressions=500, clicks=12, cost=D("30.00"), sales_14d=D("0.00"), purchases_14d=0),
        ]
    )
    result = rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")
    by_product = result.set_index("ad_product")
    assert by_product.loc["SB", "acos"] is None
    assert bool(by_product.loc["SB", "spend_without_sales"]) is True
    assert by_product.loc["SB", "cpa"] is None
    assert by_product.loc["SB", "roas"] == 0
    for column in ("ctr", "cpc", "cvr", "acos", "roas", "cpa"):
        assert by_product.loc["SP", column] is None, column
    assert bool(by_product.loc["SP", "spend_without_sales"]) is False


def test_rollup_ads_uses_each_products_own_window_and_names_it() -> None:
    ads = ads_frame(
        [
            ad_row(
                W1,
                product="SP",
                impressions=10,
                clicks=2,
                cost=D("4.00"),
                sales_7d=D("8.00"),
                sales_14d=D("80.00"),
                purchases_7d=1,
                purchases_14d=9,
            ),
            ad_row(
                W1,
                product="SB",
                impressions=10,
                clicks=2,
                cost=D("4.00"),
                sales_7d=D("7.00"),
                sales_14d=D("16.00"),
                purchases_7d=1,
                purchases_14d=2,
            ),
        ]
    )
    result = rollup_ads(ads, windows={"SP": 7, "SB": 14}, grain="week")
    pd.testing.assert_frame_equal(
        result[["ad_product", "attribution_window", "ad_sales", "ad_orders", "acos"]],
        pd.DataFrame(
            {
                "ad_product": ["SB", "SP"],
                "attribution_window": ["14d", "7d"],
                "ad_sales": obj(D("16.00"), D("8.00")),
                "ad_orders": ints(2, 1),
                "acos": obj(D("0.25"), D("0.5")),
            }
        ),
    )


def test_rollup_ads_never_mixes_windows_in_one_sum() -> None:
    ads = ads_frame(
        [
            ad_row(W1, product="SP", impressions=10, clicks=2, cost=D("4.00"), sales_7d=D("8.00"), purchases_7d=1),
            ad_row(W1, product="SB", impressions=10, clicks=2, cost=D("4.00"), sales_14d=D("16.00"), purchases_14d=2),
        ]
    )
    with pytest.raises(MetricInputError, match="never mix attribution windows") as caught:
        rollup_ads(ads, windows={"SP": 7, "SB": 14}, grain="week", by_ad_product=False)
    assert "SB 14d" in caught.value.message and "SP 7d" in caught.value.message


def test_rollup_ads_totals_products_when_windows_agree() -> None:
    ads = ads_frame(
        [
            ad_row(W1, product="SP", impressions=10, clicks=2, cost=D("4.00"), sales_14d=D("8.00"), purchases_14d=1),
            ad_row(W1, product="SD", impressions=30, clicks=2, cost=D("6.00"), sales_14d=D("32.00"), purchases_14d=3),
        ]
    )
    result = rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="month", by_ad_product=False)
    assert list(result.columns[:5]) == ["marketplace_id", "currency", "attribution_window", "grain", "period_start"]
    assert result.loc[0, "attribution_window"] == "14d"
    assert result.loc[0, "ad_spend"] == D("10.00")
    assert result.loc[0, "acos"] == D("0.25")
    assert result.loc[0, "period_start"] == date(2026, 3, 1)
    assert result.loc[0, "period_end"] == date(2026, 3, 31)


def test_rollup_ads_refuses_unknown_product_missing_window_column_and_double_reports() -> None:
    base: dict[str, Any] = {
        "impressions": 1,
        "clicks": 1,
        "cost": D("1.00"),
        "sales_14d": D("1.00"),
        "purchases_14d": 1,
    }
    with pytest.raises(MetricInputError, match="no attribution window") as unknown:
        rollup_ads(ads_frame([ad_row(W1, product="DSP", **base)]), windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")
    assert unknown.value.extra["value"] == "DSP"
    with pytest.raises(MetricInputError, match="sales_7d"):
        rollup_ads(ads_frame([ad_row(W1, **base)]), windows={"SP": 7}, grain="week")
    doubled = ads_frame(
        [ad_row(W1, report_type="spCampaigns", **base), ad_row(W1, report_type="spAdvertisedProduct", **base)]
    )
    with pytest.raises(MetricInputError, match="report types"):
        rollup_ads(doubled, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")


def test_rollup_ads_refuses_float_money() -> None:
    ads = pd.DataFrame([ad_row(W1, impressions=1, clicks=1, cost=1.5, sales_14d=D("1.00"), purchases_14d=1)])
    with pytest.raises(MetricInputError, match="float") as caught:
        rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")
    assert caught.value.extra["column"] == "cost"


# --- retail ---------------------------------------------------------------------------------------


def retail_row(day: date, asin: str = "B000000001", end: date | None = None, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "vendor_code": "ACME1",
        "marketplace_id": MKT,
        "distributor_view": "MANUFACTURING",
        "currency": "USD",
        "asin": asin,
        "period_start": day,
        "period_end": end or day,
    }
    row.update(values)
    return row


def retail_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column.endswith(("revenue", "cogs", "_cost", "_rate", "margin")):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def test_rollup_retail_sell_through_worked_example_recomputed_from_previous_week() -> None:
    # DOMAIN.md §4.3: start on-hand 1,000 (previous week's ending sellable on-hand); received 400;
    # shipped 560; returns 20 -> 540 / 1,400 = 38.6 %.
    facts = retail_frame(
        [
            retail_row(W1 + timedelta(days=6), sellable_on_hand_inventory_units=1000),
            retail_row(
                W2,
                shipped_units=560,
                customer_returns=20,
                net_received_inventory_units=400,
                sellable_on_hand_inventory_units=860,
            ),
        ]
    )
    result = rollup_retail(facts, grain="week", dims=["asin"])
    columns = [
        "period_start",
        "start_sellable_on_hand_units",
        "sell_through_recomputed",
        "sell_through",
        "sell_through_source",
    ]
    pd.testing.assert_frame_equal(
        result[columns],
        pd.DataFrame(
            {
                "period_start": obj(W1, W2),
                "start_sellable_on_hand_units": ints(None, 1000),
                "sell_through_recomputed": obj(None, D(540) / D(1400)),
                "sell_through": obj(None, D(540) / D(1400)),
                "sell_through_source": obj(None, "RECOMPUTED"),
            }
        ),
    )
    sell_through = result.loc[1, "sell_through"]
    assert isinstance(sell_through, Decimal)
    assert (sell_through * 100).quantize(D("0.1")) == D("38.6")


def test_rollup_retail_uses_amazons_sell_through_when_the_row_spans_the_bucket() -> None:
    facts = retail_frame(
        [
            retail_row(W1, end=W1 + timedelta(days=6), sellable_on_hand_inventory_units=1000, sell_through_rate=None),
            retail_row(
                W2,
                end=W2 + timedelta(days=6),
                shipped_units=560,
                customer_returns=20,
                net_received_inventory_units=400,
                sellable_on_hand_inventory_units=860,
                sell_through_rate=D("0.3901"),
            ),
        ]
    )
    row = rollup_retail(facts, grain="week").iloc[1]
    assert row["sell_through_reported"] == D("0.3901")
    assert row["sell_through"] == D("0.3901")
    assert row["sell_through_source"] == "AMAZON"
    assert row["sell_through_recomputed"] == D(540) / D(1400)  # still shown next to Amazon's


def test_rollup_retail_does_not_use_one_asins_sell_through_for_a_category() -> None:
    facts = retail_frame(
        [
            retail_row(
                W1, asin="A", end=W1 + timedelta(days=6), category="toys", sell_through_rate=D("0.5"), shipped_units=5
            ),
            retail_row(
                W1, asin="B", end=W1 + timedelta(days=6), category="toys", sell_through_rate=None, shipped_units=7
            ),
        ]
    )
    row = rollup_retail(facts, grain="week", dims=["category"]).iloc[0]
    assert row["sell_through_reported"] is None


@pytest.mark.parametrize(
    ("shipped", "returns", "start", "received", "expected"),
    [
        (10, 30, 100, 0, D("-0.2")),  # negative: returns > shipments
        (500, 0, 100, 200, D(500) / D(300)),  # > 1: sold while in transit
        (10, 0, -50, 50, None),  # denominator 0
        (10, 0, -100, 50, None),  # denominator < 0
    ],
)
def test_rollup_retail_sell_through_edge_cases(
    shipped: int, returns: int, start: int, received: int, expected: Decimal | None
) -> None:
    facts = retail_frame(
        [
            retail_row(W1, sellable_on_hand_inventory_units=start),
            retail_row(W2, shipped_units=shipped, customer_returns=returns, net_received_inventory_units=received),
        ]
    )
    assert rollup_retail(facts, grain="week").iloc[1]["sell_through"] == expected


def test_rollup_retail_weeks_of_cover_worked_example() -> None:
    # DOMAIN.md §4.3: 1,200 units on hand, trailing shipments 300/week -> 4.0 weeks.
    facts = retail_frame(
        [
            retail_row(
                start, end=start + timedelta(days=6), shipped_units=300, sellable_on_hand_inventory_units=on_hand
            )
            for start, on_hand in ((W1, 2100), (W2, 1800), (W3, 1500), (W4, 1200))
        ]
    )
    result = rollup_retail(facts, grain="week")
    pd.testing.assert_frame_equal(
        result[
            ["trailing_4w_shipped_units", "trailing_4w_days_reported", "avg_weekly_shipped_units", "weeks_of_cover"]
        ],
        pd.DataFrame(
            {
                "trailing_4w_shipped_units": ints(300, 600, 900, 1200),
                "trailing_4w_days_reported": ints(7, 14, 21, 28),
                "avg_weekly_shipped_units": obj(D(300), D(300), D(300), D(300)),
                "weeks_of_cover": obj(D(7), D(6), D(5), D(4)),
            }
        ),
    )


def test_rollup_retail_weeks_of_cover_edges() -> None:
    facts = retail_frame(
        [
            retail_row(W1, asin="A", category="none-left", shipped_units=10, sellable_on_hand_inventory_units=-3),
            retail_row(W1, asin="B", category="no-demand", shipped_units=0, sellable_on_hand_inventory_units=50),
            retail_row(W1, asin="C", category="empty", shipped_units=0, sellable_on_hand_inventory_units=0),
        ]
    )
    cover = rollup_retail(facts, grain="week", dims=["category"]).set_index("category")["weeks_of_cover"]
    assert cover["none-left"] == 0  # on-hand <= 0 -> 0
    assert cover["empty"] == 0
    assert cover["no-demand"] is None  # average 0 with stock on hand -> "no demand"


def test_rollup_retail_levels_are_end_of_period_snapshots_not_sums() -> None:
    facts = retail_frame(
        [
            retail_row(W1, sellable_on_hand_inventory_units=100, aged_90_plus_days_sellable_inventory_units=30),
            retail_row(
                W1 + timedelta(days=1),
                sellable_on_hand_inventory_units=90,
                aged_90_plus_days_sellable_inventory_units=None,
            ),
            retail_row(
                W1 + timedelta(days=2),
                sellable_on_hand_inventory_units=80,
                aged_90_plus_days_sellable_inventory_units=20,
            ),
            retail_row(W1 + timedelta(days=3), sellable_on_hand_inventory_units=None, shipped_units=4),
        ]
    )
    row = rollup_retail(facts, grain="week").iloc[0]
    assert row["sellable_on_hand_inventory_units"] == 80  # last reported value, not 270
    assert row["aged_90_plus_days_sellable_inventory_units"] == 20
    assert row["aged_share"] == D("0.25")


def test_rollup_retail_ppoos_is_glance_view_weighted() -> None:
    # DOMAIN.md §4.3: 12,000 GVs, 900 while OOS -> 7.5 %; the mean of the ASIN rates would be 12.5 %.
    facts = retail_frame(
        [
            retail_row(W1, asin="A", glance_views=10_000, procurable_product_out_of_stock_rate=D("0.05")),
            retail_row(W1, asin="B", glance_views=2_000, procurable_product_out_of_stock_rate=D("0.20")),
        ]
    )
    row = rollup_retail(facts, grain="week").iloc[0]
    assert row["oos_glance_views"] == D(900)
    assert row["ppoos_glance_views"] == 12_000
    assert row["ppoos_rate"] == D("0.075")


def test_rollup_retail_net_ppm_weighted_by_revenue() -> None:
    facts = retail_frame(
        [
            retail_row(W1, asin="A", shipped_revenue=D("75000"), net_pure_product_margin=D("0.30")),
            retail_row(W1, asin="B", shipped_revenue=D("25000"), net_pure_product_margin=D("0.18")),
        ]
    )
    assert rollup_retail(facts, grain="week").iloc[0]["net_ppm"] == D("0.27")


def test_rollup_retail_sums_and_zero_denominators() -> None:
    facts = retail_frame(
        [
            retail_row(
                W1,
                asin="A",
                category="c1",
                shipped_revenue=D("10.00"),
                shipped_units=1,
                customer_returns=0,
                ordered_units=2,
                glance_views=40,
            ),
            retail_row(
                W1 + timedelta(days=2),
                asin="A",
                category="c1",
                shipped_revenue=D("30.00"),
                shipped_units=3,
                customer_returns=1,
                ordered_units=2,
                glance_views=60,
            ),
            retail_row(
                W1,
                asin="B",
                category="c2",
                shipped_revenue=D("0.00"),
                shipped_units=0,
                customer_returns=0,
                ordered_units=0,
                glance_views=0,
            ),
        ]
    )
    result = rollup_retail(facts, grain="month", dims=["category"])
    pd.testing.assert_frame_equal(
        result[
            [
                "category",
                "grain",
                "period_start",
                "period_end",
                "shipped_revenue",
                "shipped_units",
                "customer_returns",
                "return_rate",
                "conversion",
                "ordered_revenue",
            ]
        ],
        pd.DataFrame(
            {
                "category": ["c1", "c2"],
                "grain": ["month", "month"],
                "period_start": obj(date(2026, 3, 1), date(2026, 3, 1)),
                "period_end": obj(date(2026, 3, 31), date(2026, 3, 31)),
                "shipped_revenue": obj(D("40.00"), D("0.00")),
                "shipped_units": ints(4, 0),
                "customer_returns": ints(1, 0),
                "return_rate": obj(D("0.25"), None),  # shipped 0 -> None, never 0
                "conversion": obj(D("0.04"), None),  # GV 0 -> None
                "ordered_revenue": obj(None, None),  # not reported is not zero
            }
        ),
    )


def test_rollup_retail_keeps_distributor_views_and_currencies_apart() -> None:
    facts = retail_frame(
        [
            retail_row(W1, shipped_revenue=D("10.00")),
            {**retail_row(W1, shipped_revenue=D("7.00")), "distributor_view": "SOURCING"},
            {**retail_row(W1, shipped_revenue=D("5.00")), "marketplace_id": "A1PA6795UKMFR9", "currency": "EUR"},
        ]
    )
    result = rollup_retail(facts, grain="week")
    assert result[["marketplace_id", "distributor_view", "currency", "shipped_revenue"]].to_dict("records") == [
        {
            "marketplace_id": "A1PA6795UKMFR9",
            "distributor_view": "MANUFACTURING",
            "currency": "EUR",
            "shipped_revenue": D("5.00"),
        },
        {"marketplace_id": MKT, "distributor_view": "MANUFACTURING", "currency": "USD", "shipped_revenue": D("10.00")},
        {"marketplace_id": MKT, "distributor_view": "SOURCING", "currency": "USD", "shipped_revenue": D("7.00")},
    ]


def test_rollup_retail_refuses_inputs_that_would_double_count_or_straddle() -> None:
    mixed = retail_frame([retail_row(W1, asin="", shipped_units=5), retail_row(W1, asin="A", shipped_units=5)])
    with pytest.raises(MetricInputError, match="aggregate rows"):
        rollup_retail(mixed, grain="week")
    duplicated = retail_frame([retail_row(W1, shipped_units=5), retail_row(W1, shipped_units=6)])
    with pytest.raises(MetricInputError, match="counted twice") as dup:
        rollup_retail(duplicated, grain="week")
    assert dup.value.extra["row"] == 1
    straddling = retail_frame([retail_row(date(2026, 3, 29), end=date(2026, 4, 4), shipped_units=5)])
    with pytest.raises(MetricInputError, match="does not fit in one month") as straddle:
        rollup_retail(straddling, grain="month")
    assert straddle.value.extra["column"] == "period_end" and straddle.value.extra["row"] == 0
    no_currency = retail_frame([{**retail_row(W1, shipped_revenue=D("1.00")), "currency": None}])
    with pytest.raises(MetricInputError, match="currency"):
        rollup_retail(no_currency, grain="week")
    with pytest.raises(MetricInputError, match="grain"):
        rollup_retail(retail_frame([retail_row(W1)]), grain="quarter")


# --- supply chain ---------------------------------------------------------------------------------


def test_rollup_purchase_orders_confirmation_and_fill_worked_example() -> None:
    # DOMAIN.md §4.3: requested 600, confirmed 500, received 470 -> 83.3 % and 94.0 %.
    lines = pd.DataFrame(
        {
            "vendor_code": ["ACME1", "ACME1"],
            "po_number": ["1AB2C3D4", "1AB2C3D4"],
            "item_sequence": ["1", "2"],
            "po_date": [datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 3, 23, tzinfo=UTC)],
            "ordered_units": [400, 200],
            "accepted_units": [350, 150],
            "received_units": [330, 140],
        }
    )
    result = rollup_purchase_orders(lines, grain="week")
    pd.testing.assert_frame_equal(
        result,
        pd.DataFrame(
            {
                "vendor_code": ["ACME1"],
                "grain": ["week"],
                "period_start": obj(W1),
                "period_end": obj(date(2026, 3, 7)),
                "requested_units": ints(600),
                "confirmed_units": ints(500),
                "received_units": ints(470),
                "vendor_confirmation_rate": obj(D(500) / D(600)),
                "receive_fill_rate": obj(D("0.94")),
            }
        ),
    )


def test_rollup_shipments_asn_on_time_and_accuracy() -> None:
    departed = datetime(2026, 3, 2, 10, tzinfo=UTC)
    lines = pd.DataFrame(
        {
            "vendor_code": ["ACME1"] * 4,
            "shipment_id": ["S1", "S1", "S2", "S3"],
            "confirmed_at": [departed + timedelta(minutes=10)] * 2 + [departed + timedelta(hours=1), departed],
            "shipped_at": [departed] * 4,
            "delivered_at": [departed + timedelta(hours=4)] * 3 + [None],
            "asn_accurate": [True, False, True, None],
        }
    )
    result = rollup_shipments(lines, grain="week")
    pd.testing.assert_frame_equal(
        result.drop(columns=["vendor_code", "grain", "period_start", "period_end"]),
        pd.DataFrame(
            {
                "asns": ints(3),
                "asns_judged": ints(2),  # S3 has not arrived yet
                "asns_in_time": ints(1),  # S2 was sent 1 h after departure, 3 h before arrival
                "shipments_checked": ints(2),
                "shipments_accurate": ints(1),  # one wrong line makes S1 a defect
                "asn_on_time_rate": obj(D("0.5")),
                "asn_accuracy": obj(D("0.5")),
            }
        ),
    )


# --- derive_ratios --------------------------------------------------------------------------------


def test_derive_ratios_tacos_names_its_denominator() -> None:
    sums = pd.DataFrame(
        {
            "ad_spend": obj(D("1250.00"), D("10.00")),
            "ordered_revenue": obj(D("20000.00"), D("0.00")),
            "shipped_revenue": obj(D("25000.00"), None),
        }
    )
    ordered = derive_ratios(sums, tacos_denominator="ordered_revenue")
    # DOMAIN.md §4.1 worked example: TACoS = 1,250 / 20,000 = 6.25 %.
    pd.testing.assert_frame_equal(
        ordered[["tacos", "tacos_denominator"]],
        pd.DataFrame({"tacos": obj(D("0.0625"), None), "tacos_denominator": obj("ordered_revenue", "ordered_revenue")}),
    )
    shipped = derive_ratios(sums, tacos_denominator="shipped_revenue")
    assert shipped["tacos"].tolist() == [D("0.05"), None]
    with pytest.raises(MetricInputError, match="TACoS denominator"):
        derive_ratios(sums, tacos_denominator="glance_views")


def test_derive_ratios_recomputes_from_summed_rollups() -> None:
    # Two marketplaces' rollups summed by a caller: the ratio follows the new sums.
    weekly = pd.DataFrame({"clicks": ints(10, 1), "impressions": ints(100, 1000), "ctr": obj(D("0.1"), D("0.001"))})
    total = pd.DataFrame(
        {"clicks": ints(int(weekly["clicks"].sum())), "impressions": ints(int(weekly["impressions"].sum()))}
    )
    assert derive_ratios(total)["ctr"].tolist() == [D("0.01")]


def test_rollups_refuse_non_finite_money_and_name_the_row() -> None:
    ads = ads_frame(
        [
            ad_row(W1, impressions=1, clicks=1, cost=D("1.00"), sales_14d=D("1.00"), purchases_14d=1),
            ad_row(W1, impressions=1, clicks=1, cost=D("NaN"), sales_14d=D("1.00"), purchases_14d=1),
        ]
    )
    with pytest.raises(MetricInputError, match="not a finite number") as caught:
        rollup_ads(ads, windows=VENDOR_ATTRIBUTION_WINDOWS, grain="week")
    assert caught.value.extra["column"] == "cost" and caught.value.extra["row"] == 1


# --- ads joined to retail (TACoS) -----------------------------------------------------------------


def test_join_ads_to_retail_gives_the_tacos_worked_example_with_its_label() -> None:
    # DOMAIN.md §4.1: ad cost 1,250.00 over retail ordered revenue 20,000.00 -> TACoS 6.25 %.
    retail = rollup_retail(
        retail_frame(
            [
                retail_row(W1, ordered_revenue=D("12000.00"), shipped_revenue=D("11000.00")),
                retail_row(W1 + timedelta(days=1), ordered_revenue=D("8000.00"), shipped_revenue=D("9000.00")),
                retail_row(W2, ordered_revenue=D("100.00"), shipped_revenue=D("100.00")),
            ]
        ),
        grain="week",
    )
    ads = rollup_ads(
        ads_frame(
            [
                ad_row(
                    W1,
                    product="SP",
                    impressions=150_000,
                    clicks=1_000,
                    cost=D("1000.00"),
                    sales_14d=D("4000.00"),
                    purchases_14d=50,
                ),
                ad_row(
                    W1,
                    product="SB",
                    impressions=30_000,
                    clicks=276,
                    cost=D("250.00"),
                    sales_14d=D("1000.00"),
                    purchases_14d=14,
                ),
            ]
        ),
        windows=VENDOR_ATTRIBUTION_WINDOWS,
        grain="week",
        by_ad_product=False,
    )
    joined = join_ads_to_retail(retail, ads, on=["marketplace_id"], tacos_denominator="ordered_revenue")
    pd.testing.assert_frame_equal(
        joined[
            ["period_start", "ordered_revenue", "ad_spend", "attribution_window", "acos", "tacos", "tacos_denominator"]
        ],
        pd.DataFrame(
            {
                "period_start": obj(W1, W2),
                "ordered_revenue": obj(D("20000.00"), D("100.00")),
                "ad_spend": obj(D("1250.00"), None),  # no ad rows in week 2: not reported, not 0
                "attribution_window": ["14d", None],
                "acos": obj(D("0.25"), None),
                "tacos": obj(D("0.0625"), None),
                "tacos_denominator": obj("ordered_revenue", "ordered_revenue"),
            }
        ),
    )
    assert (
        metric_label("tacos", tacos_denominator="ordered_revenue") == "TACoS (÷ ordered revenue (MANUFACTURING view))"
    )
    assert metric_label("acos", attribution_window="14d") == "ACoS (14d)"
    assert metric_label("shipped_revenue", distributor_view="SOURCING") == "Shipped revenue (SOURCING)"


def test_join_ads_to_retail_needs_all_products_in_one_row() -> None:
    retail = rollup_retail(retail_frame([retail_row(W1, ordered_revenue=D("1.00"))]), grain="week")
    by_product = rollup_ads(
        ads_frame([ad_row(W1, impressions=1, clicks=1, cost=D("1.00"), sales_14d=D("1.00"), purchases_14d=1)]),
        windows=VENDOR_ATTRIBUTION_WINDOWS,
        grain="week",
    )
    with pytest.raises(MetricInputError, match="all ad products"):
        join_ads_to_retail(retail, by_product, on=["marketplace_id"], tacos_denominator="ordered_revenue")


def test_rollups_refuse_money_without_a_currency_column() -> None:
    facts = retail_frame([retail_row(W1, shipped_revenue=D("1.00"))]).drop(columns="currency")
    with pytest.raises(MetricInputError, match="add currencies together"):
        rollup_retail(facts, grain="week")
    units_only = retail_frame([retail_row(W1, shipped_units=4)]).drop(columns="currency")
    assert rollup_retail(units_only, grain="week")["shipped_units"].tolist() == [4]
