"""Rollups written by the set-based SQL equal a brute-force recomputation over generated facts.

Runs on SQLite by default and on PostgreSQL when DATABASE_URL points at it. SQLite stores Django's
DecimalField as REAL, so there the comparison allows float rounding (1e-9 relative); PostgreSQL sums
NUMERIC and must match exactly.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from core.periods import week_start
from ingest.models import AdsDailyFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailNetPpmFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from reviews.models import AdsRollup
from reviews.models import Rollup
from reviews.rollup_sql import ROLLUP_MEASURES
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.reviews import factories as f
from tests.reviews.oracle import expected_ads
from tests.reviews.oracle import expected_rollups

pytestmark = pytest.mark.django_db

FIRST = date(2026, 1, 25)  # a Sunday; 49 days reach into March, across two month ends
SPAN = 49
LAST = FIRST + timedelta(days=SPAN - 1)
ASINS = ["B0TEST0001", "B0TEST0002", "B0TEST0003"]  # the third is not in the catalog

money = st.one_of(st.none(), st.integers(-5_000, 500_000).map(lambda c: Decimal(c) / 100))
units = st.one_of(st.none(), st.integers(-20, 2_000))
some_rate = st.integers(0, 1_000_000).map(lambda r: Decimal(r) / 1_000_000)
rate = st.one_of(st.none(), some_rate)
view = st.sampled_from([("MANUFACTURING", "RETAIL"), ("MANUFACTURING", "RETAIL"), ("SOURCING", "RETAIL")])
asin = st.sampled_from([*ASINS, ""])
day = st.integers(0, SPAN - 1).map(lambda i: FIRST + timedelta(days=i))


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"sales": {}, "inventory": {}, "traffic": {}, "ppm": {}, "ads": [], "po": [], "asn": []}
    for _ in range(draw(st.integers(0, 25))):
        key = (draw(asin), draw(day), *draw(view))
        spec["sales"][key] = {
            "ordered_revenue": draw(money),
            "ordered_units": draw(units),
            "shipped_cogs": draw(money),
            "shipped_revenue": draw(money),
            "shipped_units": draw(units),
            "customer_returns": draw(units),
        }
    for _ in range(draw(st.integers(0, 25))):
        key = (draw(asin), draw(day), *draw(view))
        spec["inventory"][key] = {
            "net_received_inventory_units": draw(units),
            "net_received_inventory_cost": draw(money),
            "sellable_on_hand_inventory_units": draw(units),
            "sellable_on_hand_inventory_cost": draw(money),
            "aged_90_plus_days_sellable_inventory_units": draw(units),
            "procurable_product_out_of_stock_rate": draw(rate),
            "unfilled_customer_ordered_units": draw(units),
        }
    for _ in range(draw(st.integers(0, 20))):
        spec["traffic"][(draw(asin), draw(day))] = draw(units)
    for _ in range(draw(st.integers(0, 10))):
        spec["ppm"][(draw(asin), draw(day))] = draw(some_rate)
    # Amazon's weekly rows for some ASIN-weeks (they replace the days of that week)
    spec["native_weeks"] = draw(st.lists(st.tuples(st.sampled_from(ASINS), st.integers(0, 6)), max_size=3, unique=True))
    spec["native_week_values"] = [draw(units) for _ in spec["native_weeks"]]
    spec["native_week_rates"] = [draw(rate) for _ in spec["native_weeks"]]
    for i in range(draw(st.integers(0, 8))):
        spec["ads"].append(
            {
                "report_type": draw(
                    st.sampled_from(
                        ["spCampaigns", "console:spCampaigns", "spAdvertisedProduct", "sbCampaigns", "spTargeting"]
                    )
                ),
                "day": draw(day),
                "asin": draw(st.sampled_from(ASINS)),
                "campaign_id": i + 1,
                "cost": draw(money),
                "sales_14d": draw(money),
                "purchases_14d": draw(units),
                "clicks": draw(units),
                "impressions": draw(units),
            }
        )
    for i in range(draw(st.integers(0, 5))):
        po_day = draw(day)
        spec["po"].append(
            {
                "po_number": f"PO{i}",
                "asin": draw(st.sampled_from(ASINS)),
                "po_date": po_day,
                "ordered_units": draw(units),
                "accepted_units": draw(units),
                "received_units": draw(units),
                "ship_end_offset": draw(st.integers(0, 10)),
                "shipped_offset": draw(st.one_of(st.none(), st.integers(0, 14))),
                "shipped_units": draw(units),
                "confirm_minutes": draw(st.one_of(st.none(), st.integers(-600, 600))),
                "transit_hours": draw(st.one_of(st.none(), st.integers(1, 72))),
            }
        )
    return spec


def _load(spec: dict[str, Any], vc: Any) -> None:
    for table in (
        RetailSalesFact,
        RetailInventoryFact,
        RetailTrafficFact,
        RetailNetPpmFact,
        AdsDailyFact,
        ShipmentLineFact,
        PurchaseOrderLineFact,
    ):
        table.objects.all().delete()
    Rollup.objects.all().delete()
    AdsRollup.objects.all().delete()
    for (a, d, v, p), values in spec["sales"].items():
        f.sales(vc, a, d, view=v, program=p, **values)
    for (a, d, v, p), values in spec["inventory"].items():
        f.inventory(vc, a, d, view=v, program=p, **values)
    for (a, d), views in spec["traffic"].items():
        f.traffic(vc, a, d, glance_views=views)
    for (a, d), margin in spec["ppm"].items():
        f.net_ppm(vc, a, d, margin=margin)
    for (a, week), shipped, sell_through in zip(
        spec["native_weeks"], spec["native_week_values"], spec["native_week_rates"], strict=True
    ):
        start = week_start(FIRST) + timedelta(weeks=week)
        f.sales(vc, a, start, start + timedelta(days=6), grain="WEEK", shipped_units=shipped, ordered_units=shipped)
        f.inventory(
            vc,
            a,
            start,
            start + timedelta(days=6),
            grain="WEEK",
            sell_through_rate=sell_through,
            sellable_on_hand_inventory_units=shipped,
        )
    for row in spec["ads"]:
        report_type = row["report_type"]
        is_asin = "AdvertisedProduct" in report_type
        product = "SB" if report_type.startswith("sb") else "SP"
        f.ads(
            vc,
            row["day"],
            ad_product=product,
            report_type=report_type,
            campaign_id=row["campaign_id"],
            asin=row["asin"] if is_asin else "",
            cost=row["cost"],
            sales_14d=row["sales_14d"],
            purchases_14d=row["purchases_14d"],
            clicks=row["clicks"],
            impressions=row["impressions"],
        )
    for row in spec["po"]:
        po_at = f.utc(row["po_date"].year, row["po_date"].month, row["po_date"].day, 9)
        f.po_line(
            vc,
            row["po_number"],
            row["asin"],
            po_at,
            ordered_units=row["ordered_units"],
            accepted_units=row["accepted_units"],
            received_units=row["received_units"],
            ship_window_end=po_at + timedelta(days=row["ship_end_offset"]),
        )
        if row["shipped_offset"] is not None:
            shipped_at = po_at + timedelta(days=row["shipped_offset"])
            f.shipment_line(
                vc,
                f"SH-{row['po_number']}",
                row["po_number"],
                row["asin"],
                shipped_at=shipped_at,
                confirmed_at=None
                if row["confirm_minutes"] is None
                else shipped_at + timedelta(minutes=row["confirm_minutes"]),
                delivered_at=None
                if row["transit_hours"] is None
                else shipped_at + timedelta(hours=row["transit_hours"]),
                shipped_units=row["shipped_units"],
            )


def _close(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(expected, date):
        return actual == expected
    if connection.vendor == "sqlite":
        tolerance = max(Decimal("1e-6"), abs(Decimal(expected)) * Decimal("1e-9"))
        return abs(Decimal(actual) - Decimal(expected)) <= tolerance
    return Decimal(actual) == Decimal(expected)


def _stored_rollups() -> dict[tuple[Any, ...], dict[str, Any]]:
    return {
        (
            r["vendor_code_id"],
            r["grain"],
            r["period_start"],
            r["dimension"],
            r["dimension_value"],
            r["distributor_view"],
            r["selling_program"],
        ): {c: r[c] for c in ROLLUP_MEASURES}
        for r in Rollup.objects.values()
    }


def _assert_equal(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    assert sorted(actual, key=str) == sorted(expected, key=str)
    for key, row in expected.items():
        for column, value in row.items():
            assert _close(actual[key][column], value), (key, column, actual[key][column], value)


@pytest.fixture
def catalog(brand_a: Any) -> Any:
    ProductFactory(vendor_code=brand_a.vendor_code, asin=ASINS[0], category="Headphones")
    ProductFactory(vendor_code=brand_a.vendor_code, asin=ASINS[1], category="Speakers")
    return brand_a.vendor_code


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=facts())
def test_rollups_equal_brute_force(catalog: Any, spec: dict[str, Any]) -> None:
    vc = catalog
    _load(spec, vc)

    rollups_recompute(vendor_code_ids=[vc.pk], period_start=FIRST, period_end=LAST)

    _assert_equal(_stored_rollups(), expected_rollups([vc.pk], FIRST, LAST))
    stored_ads = {
        (r["grain"], r["period_start"], r["dimension"], r["dimension_value"], r["ad_product"]): {
            c: r[c] for c in ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units")
        }
        for r in AdsRollup.objects.values()
    }
    _assert_equal(stored_ads, expected_ads(vc, FIRST, LAST))
    assert set(AdsRollup.objects.values_list("attribution_window", flat=True)) <= {"14d"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=facts(), changed_day=day, shipped=st.integers(0, 999))
def test_incremental_recompute_equals_full(catalog: Any, spec: dict[str, Any], changed_day: date, shipped: int) -> None:
    """A restatement of one day, recomputed for that day only, leaves every bucket as a full recompute would."""
    vc = catalog
    _load(spec, vc)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=FIRST, period_end=LAST)

    RetailSalesFact.objects.update_or_create(
        brand_id=vc.brand_id,
        marketplace_id=vc.marketplace_id,
        vendor_code=vc,
        distributor_view="MANUFACTURING",
        selling_program="RETAIL",
        period_grain="DAY",
        period_start=changed_day,
        period_end=changed_day,
        asin=ASINS[0],
        defaults={"shipped_units": shipped, "currency": "USD"},
    )
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=changed_day, period_end=changed_day)

    _assert_equal(_stored_rollups(), expected_rollups([vc.pk], FIRST, LAST))
