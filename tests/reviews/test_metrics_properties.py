"""Property tests: rollups equal a brute-force recomputation in plain Python over generated facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from core.periods import month_end
from core.periods import month_start
from core.periods import week_end
from core.periods import week_start
from reviews.metrics import VENDOR_ATTRIBUTION_WINDOWS
from reviews.metrics import derive_ratios
from reviews.metrics import rollup_ads
from reviews.metrics import rollup_retail
from reviews.metrics.derive import SIMPLE_RATIOS

D = Decimal
FIRST_DAY = date(2026, 2, 22)  # a Sunday; 45 days reach into April, across weeks and months
DAYS = 45
CATEGORY = {"A": "c1", "B": "c1", "C": "c2"}
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


cents = st.integers(min_value=0, max_value=500_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=100).map(lambda p: D(p) / 100)

retail_values = st.fixed_dictionaries(
    {
        "shipped_units": maybe(st.integers(0, 60)),
        "customer_returns": maybe(st.integers(0, 15)),
        "ordered_units": maybe(st.integers(0, 60)),
        "glance_views": maybe(st.integers(0, 300)),
        "net_received_inventory_units": maybe(st.integers(-20, 80)),
        "sellable_on_hand_inventory_units": maybe(st.integers(-10, 400)),
        "aged_90_plus_days_sellable_inventory_units": maybe(st.integers(0, 100)),
        "shipped_revenue": maybe(cents),
        "ordered_revenue": maybe(cents),
        "procurable_product_out_of_stock_rate": maybe(rates),
    }
)

retail_facts = st.dictionaries(
    keys=st.tuples(st.sampled_from(["V1", "V2"]), st.sampled_from(sorted(CATEGORY)), st.integers(0, DAYS - 1)),
    values=retail_values,
    min_size=1,
    max_size=40,
)


def bucket(day: date, grain: str) -> tuple[date, date]:
    if grain == "week":
        return week_start(day), week_end(day)
    return month_start(day), month_end(day)


def as_python(value: object) -> object:
    return None if value is pd.NA else value


def plain_ratio(num: object, den: object, *, positive: bool = False) -> Decimal | None:
    if num is None or den is None:
        return None
    if den == 0 or (positive and den < 0):  # type: ignore[operator]
        return None
    return D(num) / D(den)  # type: ignore[arg-type]


def add(total: Any, value: Any) -> Any:
    if value is None:
        return total
    return value if total is None else total + value


def brute_force_retail(
    facts: dict[tuple[str, str, int], dict[str, Any]], grain: str, dims: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The retail rollup recomputed with dicts and loops, straight from DOMAIN.md §4.3."""

    def group_of(vendor: str, asin: str) -> tuple[str, ...]:
        values = {"asin": asin, "category": CATEGORY[asin]}
        return (vendor, *[values[d] for d in dims])

    flows = ("shipped_units", "customer_returns", "ordered_units", "glance_views", "net_received_inventory_units")
    flows_money = ("shipped_revenue", "ordered_revenue")
    levels = ("sellable_on_hand_inventory_units", "aged_90_plus_days_sellable_inventory_units")
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    last_level: dict[tuple[Any, ...], dict[str, tuple[date, Any]]] = defaultdict(dict)
    for (vendor, asin, offset), values in sorted(facts.items(), key=lambda item: item[0][2]):
        day = FIRST_DAY + timedelta(days=offset)
        start, end = bucket(day, grain)
        key = (*group_of(vendor, asin), start)
        row = out.setdefault(
            key,
            {"period_end": end, "oos_glance_views": None, "ppoos_glance_views": None}
            | dict.fromkeys(flows + flows_money),
        )
        for column in flows + flows_money:
            row[column] = add(row[column], values[column])
        rate, views = values["procurable_product_out_of_stock_rate"], values["glance_views"]
        if rate is not None and views is not None:
            row["oos_glance_views"] = add(row["oos_glance_views"], rate * views)
        if rate is not None:
            row["ppoos_glance_views"] = add(row["ppoos_glance_views"], views)
        for column in levels:
            if values[column] is not None:
                last_level[(*key, asin)][column] = (day, values[column])
    for row in out.values():
        for column in levels:
            row[column] = None
    for series_key, latest in last_level.items():
        group_key = series_key[:-1]  # drop the ASIN: sum the series' snapshots per group
        for column, (_day, value) in latest.items():
            out[group_key][column] = add(out[group_key][column], value)

    for key, row in out.items():
        group, first_day = key[:-1], key[-1]
        assert isinstance(first_day, date)
        # Weeks of cover: shipments of the 28 days ending on the bucket's last day, per reported day.
        window = [
            (offset, values["shipped_units"])
            for (vendor, asin, offset), values in facts.items()
            if group_of(vendor, asin) == group
            and values["shipped_units"] is not None
            and row["period_end"] - timedelta(days=28) < FIRST_DAY + timedelta(days=offset) <= row["period_end"]
        ]
        days = len({offset for offset, _ in window})
        units = sum(units for _, units in window)
        row["trailing_4w_shipped_units"] = units if days else None
        row["trailing_4w_days_reported"] = days
        average = D(units * 7) / D(days) if days else None
        row["avg_weekly_shipped_units"] = average
        on_hand = row["sellable_on_hand_inventory_units"]
        if on_hand is None:
            row["weeks_of_cover"] = None
        elif on_hand <= 0:
            row["weeks_of_cover"] = D(0)
        else:
            row["weeks_of_cover"] = plain_ratio(on_hand, average)
        previous = out.get((*group, bucket(first_day - timedelta(days=1), grain)[0]))
        row["start_sellable_on_hand_units"] = previous["sellable_on_hand_inventory_units"] if previous else None
        parts = (
            row["shipped_units"],
            row["customer_returns"],
            row["start_sellable_on_hand_units"],
            row["net_received_inventory_units"],
        )
        if any(p is None for p in parts):
            row["sell_through"] = None
        else:
            shipped, returns, begin, received = parts
            row["sell_through"] = plain_ratio(shipped - returns, begin + received, positive=True)
        row["return_rate"] = plain_ratio(row["customer_returns"], row["shipped_units"])
        row["conversion"] = plain_ratio(row["ordered_units"], row["glance_views"])
        row["ppoos_rate"] = plain_ratio(row["oos_glance_views"], row["ppoos_glance_views"])
        row["aged_share"] = plain_ratio(
            row["aged_90_plus_days_sellable_inventory_units"], row["sellable_on_hand_inventory_units"], positive=True
        )
    return out


@PROPERTY_SETTINGS
@given(
    facts=retail_facts,
    grain=st.sampled_from(["week", "month"]),
    dims=st.sampled_from([[], ["category"], ["asin"]]),
)
def test_rollup_retail_equals_brute_force(
    facts: dict[tuple[str, str, int], dict[str, Any]], grain: str, dims: list[str]
) -> None:
    rows = []
    for (vendor, asin, offset), values in facts.items():
        day = FIRST_DAY + timedelta(days=offset)
        rows.append(
            {
                "vendor_code": vendor,
                "marketplace_id": "ATVPDKIKX0DER",
                "currency": "USD",
                "asin": asin,
                "category": CATEGORY[asin],
                "period_start": day,
                "period_end": day,
                **values,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("shipped_revenue", "ordered_revenue", "procurable_product_out_of_stock_rate"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in (
        "shipped_units",
        "customer_returns",
        "ordered_units",
        "glance_views",
        "net_received_inventory_units",
    ):
        frame[column] = frame[column].astype("Int64")
    for column in ("sellable_on_hand_inventory_units", "aged_90_plus_days_sellable_inventory_units"):
        frame[column] = frame[column].astype("Int64")

    result = rollup_retail(frame, grain=grain, dims=dims, keys=("vendor_code",))
    expected = brute_force_retail(facts, grain, dims)

    key_columns = ["vendor_code", *dims, "period_start"]
    actual = {tuple(r[c] for c in key_columns): r for r in result.to_dict("records")}
    assert set(actual) == set(expected)
    for key, row in expected.items():
        got = actual[key]
        for column, value in row.items():
            assert as_python(got[column]) == value, (key, column, got[column], value)


ads_values = st.fixed_dictionaries(
    {
        "impressions": maybe(st.integers(0, 5000)),
        "clicks": maybe(st.integers(0, 80)),
        "cost": maybe(cents),
        "sales_14d": maybe(cents),
        "purchases_14d": maybe(st.integers(0, 20)),
    }
)
ads_facts = st.dictionaries(
    keys=st.tuples(st.sampled_from(["SP", "SB", "SD"]), st.integers(1, 3), st.integers(0, DAYS - 1)),
    values=ads_values,
    min_size=1,
    max_size=40,
)


@PROPERTY_SETTINGS
@given(facts=ads_facts, grain=st.sampled_from(["week", "month"]), by_ad_product=st.booleans())
def test_rollup_ads_equals_brute_force(
    facts: dict[tuple[str, int, int], dict[str, Any]], grain: str, by_ad_product: bool
) -> None:
    frame = pd.DataFrame(
        [
            {
                "marketplace_id": "ATVPDKIKX0DER",
                "currency": "USD",
                "ad_product": product,
                "campaign_id": campaign,
                "date": FIRST_DAY + timedelta(days=offset),
                **values,
            }
            for (product, campaign, offset), values in facts.items()
        ]
    )
    for column in ("cost", "sales_14d"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ("impressions", "clicks", "purchases_14d"):
        frame[column] = frame[column].astype("Int64")
    result = rollup_ads(frame, windows=VENDOR_ATTRIBUTION_WINDOWS, grain=grain, by_ad_product=by_ad_product)

    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (product, _campaign, offset), values in facts.items():
        start, _ = bucket(FIRST_DAY + timedelta(days=offset), grain)
        key = (product, start) if by_ad_product else (start,)
        row = sums.setdefault(key, dict.fromkeys(("impressions", "clicks", "ad_spend", "ad_sales", "ad_orders")))
        for source, target in (
            ("impressions", "impressions"),
            ("clicks", "clicks"),
            ("cost", "ad_spend"),
            ("sales_14d", "ad_sales"),
            ("purchases_14d", "ad_orders"),
        ):
            row[target] = add(row[target], values[source])
    key_columns = ["ad_product", "period_start"] if by_ad_product else ["period_start"]
    actual = {tuple(r[c] for c in key_columns): r for r in result.to_dict("records")}
    assert set(actual) == set(sums)
    for key, row in sums.items():
        got = actual[key]
        assert got["attribution_window"] == "14d"
        for column, value in row.items():
            assert as_python(got[column]) == value, (key, column)
        assert got["ctr"] == plain_ratio(row["clicks"], row["impressions"])
        assert got["cpc"] == plain_ratio(row["ad_spend"], row["clicks"])
        assert got["cvr"] == plain_ratio(row["ad_orders"], row["clicks"])
        assert got["acos"] == plain_ratio(row["ad_spend"], row["ad_sales"])
        assert got["roas"] == plain_ratio(row["ad_sales"], row["ad_spend"])
        assert got["cpa"] == plain_ratio(row["ad_spend"], row["ad_orders"])
        flagged = row["ad_spend"] is not None and row["ad_spend"] > 0 and row["ad_sales"] == 0
        assert bool(got["spend_without_sales"]) is flagged


sum_values = st.one_of(st.none(), st.just(0), st.integers(-5, 1000))


@PROPERTY_SETTINGS
@given(data=st.data(), rows=st.integers(1, 12))
def test_derive_ratios_is_none_exactly_when_the_denominator_is_zero_or_missing(data: st.DataObject, rows: int) -> None:
    needed = sorted({column for _, num, den, _ in SIMPLE_RATIOS for column in (num, den)})
    columns = {column: data.draw(st.lists(sum_values, min_size=rows, max_size=rows), label=column) for column in needed}
    frame = pd.DataFrame({column: pd.array(values, dtype="Int64") for column, values in columns.items()})
    result = derive_ratios(frame)
    for name, num, den, positive_only in SIMPLE_RATIOS:
        for i in range(rows):
            numerator, denominator = columns[num][i], columns[den][i]
            undefined = (
                numerator is None or denominator is None or denominator == 0 or (positive_only and denominator < 0)
            )
            value = result[name].iloc[i]
            if undefined:
                assert value is None, (name, numerator, denominator)
            else:
                assert isinstance(value, Decimal), (name, value)
                assert numerator is not None and denominator is not None
                assert value == D(numerator) / D(denominator)
