"""Rollup recompute on hand-written facts: DOMAIN.md §4 worked numbers through the stored sums, views kept
apart, Amazon's own week rows instead of the days, restatements, idempotency and FX conversion."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ingest.models import RetailSalesFact
from reviews.models import AdsRollup
from reviews.models import FxRate
from reviews.models import Rollup
from reviews.selectors.mbr import MbrFilters
from reviews.selectors.mbr import mbr_data
from reviews.selectors.mbr import monthly_series
from reviews.selectors.rollups import FxNote
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory
from tests.factories import de_marketplace
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def _month(vc: Any, month: date = MARCH, view: tuple[str, str] | None = None) -> dict[str, Any]:
    series, _ = monthly_series(
        vendor_code_ids=[vc.pk],
        first=date(2026, 2, 1),
        last=month,
        dimension="TOTAL",
        values=None,
        view=view,
        currency=vc.marketplace.currency,
        note=FxNote(vc.marketplace.currency),
    )
    return series[month]


def _recompute(vc: Any, first: date = date(2026, 2, 1), last: date = date(2026, 3, 31)) -> None:
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=first, period_end=last)


def test_ppoos_is_glance_view_weighted(brand_a: Any) -> None:
    # DOMAIN.md §4.3 worked example: 12,000 GVs, 900 of them while a procurable ASIN was OOS -> 7.5 %.
    vc = brand_a.vendor_code
    f.inventory(vc, "B000000001", date(2026, 3, 2), procurable_product_out_of_stock_rate=Decimal("0.1"))
    f.traffic(vc, "B000000001", date(2026, 3, 2), glance_views=9000)  # 900 OOS views
    f.inventory(vc, "B000000002", date(2026, 3, 2), procurable_product_out_of_stock_rate=Decimal("0"))
    f.traffic(vc, "B000000002", date(2026, 3, 2), glance_views=3000)
    _recompute(vc)

    total = Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="TOTAL", distributor_view="MANUFACTURING")
    assert total.oos_glance_views == Decimal("900")
    assert total.ppoos_glance_views == 12000
    assert _month(vc)["ppoos_rate"] == Decimal("0.075")  # not the mean of 10 % and 0 %


def test_confirmation_fill_and_po_on_time(brand_a: Any) -> None:
    # DOMAIN.md §4.3: requested 600, confirmed 500, received 470 -> confirmation 83.3 %, receive fill 94.0 %.
    vc = brand_a.vendor_code  # COLLECT: on time = shipped inside the ship window
    po_at = f.utc(2026, 3, 3, 9)
    f.po_line(
        vc,
        "PO1",
        "B000000001",
        po_at,
        ordered_units=400,
        accepted_units=300,
        received_units=290,
        ship_window_end=po_at + timedelta(days=5),
    )
    f.po_line(
        vc,
        "PO2",
        "B000000001",
        po_at,
        ordered_units=200,
        accepted_units=200,
        received_units=180,
        ship_window_end=po_at + timedelta(days=5),
    )
    f.shipment_line(vc, "S1", "PO1", "B000000001", shipped_at=po_at + timedelta(days=4), shipped_units=300)
    f.shipment_line(vc, "S2", "PO2", "B000000001", shipped_at=po_at + timedelta(days=6), shipped_units=200)
    _recompute(vc)

    viewless = Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="TOTAL", distributor_view="")
    assert (viewless.requested_units, viewless.confirmed_units, viewless.received_units) == (600, 500, 470)
    assert viewless.on_time_units == 300  # PO2 shipped a day after its window closed
    row = _month(vc)
    assert row["vendor_confirmation_rate"].quantize(Decimal("0.001")) == Decimal("0.833")
    assert row["receive_fill_rate"] == Decimal("0.94")
    assert row["po_on_time_rate"] == Decimal("0.6")


def test_prepaid_po_is_on_time_when_received_inside_the_delivery_window(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    vc.freight_terms = "PREPAID"
    vc.save()
    po_at = f.utc(2026, 3, 3, 9)
    f.po_line(
        vc,
        "PO1",
        "B000000001",
        po_at,
        accepted_units=100,
        received_units=100,
        delivery_window_end=po_at + timedelta(days=10),
        last_receive_date=po_at + timedelta(days=9),
    )
    f.po_line(
        vc,
        "PO2",
        "B000000001",
        po_at,
        accepted_units=50,
        received_units=50,
        delivery_window_end=po_at + timedelta(days=10),
        last_receive_date=po_at + timedelta(days=11),
    )
    _recompute(vc)
    assert (
        Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="TOTAL", distributor_view="").on_time_units == 100
    )


def test_asn_on_time_and_accuracy(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    departed = f.utc(2026, 3, 10, 8)
    arrived = departed + timedelta(hours=30)
    f.po_line(vc, "PO1", "B000000001", f.utc(2026, 3, 1), accepted_units=100, received_units=100)
    f.po_line(vc, "PO2", "B000000002", f.utc(2026, 3, 1), accepted_units=80, received_units=70)
    # in time (20 min after departure) and accurate (100 shipped, 100 received)
    f.shipment_line(
        vc,
        "S1",
        "PO1",
        "B000000001",
        shipped_at=departed,
        confirmed_at=departed + timedelta(minutes=20),
        delivered_at=arrived,
        shipped_units=100,
    )
    # late (2 h before arrival) and inaccurate (80 on the ASN, 70 received)
    f.shipment_line(
        vc,
        "S2",
        "PO2",
        "B000000002",
        shipped_at=departed,
        confirmed_at=arrived - timedelta(hours=2),
        delivered_at=arrived,
        shipped_units=80,
    )
    _recompute(vc)

    viewless = Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="TOTAL", distributor_view="")
    assert (viewless.asns, viewless.asns_judged, viewless.asns_in_time) == (2, 2, 1)
    assert (viewless.shipments_checked, viewless.shipments_accurate) == (2, 1)
    per_asin = Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="ASIN", dimension_value="B000000002")
    assert (per_asin.asns_in_time, per_asin.shipments_accurate) == (0, 0)


def test_weeks_of_cover_and_sell_through_worked_examples(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    # Sell-through, DOMAIN.md §4.3: start on-hand 1,000 (February's ending stock), received 400,
    # shipped 560, returns 20 -> 540 / 1,400 = 38.6 %.
    f.inventory(vc, "B000000001", date(2026, 2, 28), sellable_on_hand_inventory_units=1000)
    f.inventory(vc, "B000000001", date(2026, 3, 2), net_received_inventory_units=400)
    for day in f.days(MARCH, 28):
        f.sales(vc, "B000000001", day, shipped_units=20, customer_returns=1 if day.day <= 20 else 0)
    # Weeks of cover: 1,200 units on hand at the end of March, 560 shipped over 28 days = 140 a week.
    f.inventory(vc, "B000000001", date(2026, 3, 28), sellable_on_hand_inventory_units=1200)
    _recompute(vc)

    row = _month(vc)
    assert row["sell_through"].quantize(Decimal("0.001")) == Decimal("0.386")
    assert row["sell_through_source"] == "RECOMPUTED"
    assert row["sellable_on_hand_inventory_units"] == 1200  # the last reported day, not a sum of days
    assert row["avg_weekly_shipped_units"] == Decimal(140)
    assert row["weeks_of_cover"].quantize(Decimal("0.01")) == Decimal("8.57")


def test_advertising_worked_example_and_tacos(brand_a: Any) -> None:
    # DOMAIN.md §4.1 worked example (one week, vendor SP): CTR 0.709 %, CPC 0.98, CVR 5.02 %, ACoS 25 %,
    # ROAS 4.00, TACoS 6.25 % of ordered revenue 20,000.
    vc = brand_a.vendor_code
    f.ads(
        vc,
        date(2026, 3, 3),
        impressions=180_000,
        clicks=1276,
        cost=Decimal("1250.00"),
        sales_14d=Decimal("5000.00"),
        purchases_14d=64,
    )
    # The advertised-product report repeats the same spend: it must not be added to the total.
    f.ads(
        vc,
        date(2026, 3, 3),
        report_type="spAdvertisedProduct",
        asin="B000000001",
        campaign_id=7,
        cost=Decimal("1250.00"),
        sales_14d=Decimal("5000.00"),
        clicks=1276,
        impressions=180_000,
        purchases_14d=64,
    )
    f.sales(vc, "B000000001", date(2026, 3, 3), ordered_revenue=Decimal("20000.00"), ordered_units=400)
    _recompute(vc)

    sp = AdsRollup.objects.get(vendor_code=vc, grain="MONTH", dimension="TOTAL", ad_product="SP")
    assert (sp.ad_spend, sp.attribution_window, sp.report_types) == (Decimal("1250"), "14d", "spCampaigns")
    assert AdsRollup.objects.get(vendor_code=vc, grain="MONTH", dimension="ASIN").ad_spend == Decimal("1250")
    row = _month(vc)
    assert row["ctr"].quantize(Decimal("0.00001")) == Decimal("0.00709")
    assert row["cpc"].quantize(Decimal("0.01")) == Decimal("0.98")
    assert row["cvr"].quantize(Decimal("0.0001")) == Decimal("0.0502")
    assert row["acos"] == Decimal("0.25")
    assert row["roas"] == Decimal("4")
    assert row["tacos"] == Decimal("0.0625")


def test_views_are_never_added_together(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    f.sales(vc, "B000000001", date(2026, 3, 5), shipped_units=10, ordered_units=12, view="MANUFACTURING")
    f.sales(vc, "B000000001", date(2026, 3, 5), shipped_units=7, view="SOURCING")
    f.traffic(vc, "B000000001", date(2026, 3, 5), glance_views=120)
    _recompute(vc)

    rows = {r.distributor_view: r for r in Rollup.objects.filter(vendor_code=vc, grain="MONTH", dimension="TOTAL")}
    assert rows["MANUFACTURING"].shipped_units == 10
    assert rows["SOURCING"].shipped_units == 7
    # glance views have no view: on the view-less row, and copied onto each view row (never summed)
    assert rows[""].glance_views == 120
    assert rows["MANUFACTURING"].glance_views == 120
    assert _month(vc)["conversion"] == Decimal("0.1")  # 12 ordered units / 120 glance views
    assert _month(vc, view=("SOURCING", "RETAIL"))["shipped_units"] == 7


def test_amazons_week_row_replaces_the_days_and_its_sell_through_is_kept(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    week = date(2026, 3, 8)  # a Sunday
    for day in f.days(week, 7):
        f.sales(vc, "B000000001", day, shipped_units=5)
    f.sales(vc, "B000000001", week, week + timedelta(days=6), grain="WEEK", shipped_units=36)
    f.inventory(
        vc,
        "B000000001",
        week,
        week + timedelta(days=6),
        grain="WEEK",
        sell_through_rate=Decimal("0.42"),
        sellable_on_hand_inventory_units=300,
    )
    _recompute(vc)

    weekly = Rollup.objects.get(
        vendor_code=vc, grain="WEEK", period_start=week, dimension="ASIN", distributor_view="MANUFACTURING"
    )
    assert weekly.shipped_units == 36  # Amazon's week, not 36 + 35
    assert weekly.sell_through_reported == Decimal("0.42")
    monthly = Rollup.objects.get(vendor_code=vc, grain="MONTH", dimension="ASIN", distributor_view="MANUFACTURING")
    assert monthly.shipped_units == 35  # a month is made of days (a WEEK row is not a month)
    assert monthly.sell_through_reported is None


def test_recompute_is_idempotent_and_drops_restated_away_rows(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    ProductFactory(vendor_code=vc, asin="B000000001", category="Headphones")
    f.sales(vc, "B000000001", date(2026, 3, 5), shipped_units=10, shipped_cogs=Decimal("100.25"))
    gone = f.sales(vc, "B000000002", date(2026, 3, 5), shipped_units=3)
    _recompute(vc)
    first = sorted(Rollup.objects.values_list("grain", "dimension", "dimension_value", "shipped_units", "shipped_cogs"))
    _recompute(vc)
    assert (
        sorted(Rollup.objects.values_list("grain", "dimension", "dimension_value", "shipped_units", "shipped_cogs"))
        == first
    )
    assert ("MONTH", "CATEGORY", "Headphones", 10, Decimal("100.25")) in first
    assert ("MONTH", "CATEGORY", "", 3, None) in first  # not in the catalog

    gone.delete()  # Amazon restated the week without that ASIN
    _recompute(vc, date(2026, 3, 5), date(2026, 3, 5))
    assert not Rollup.objects.filter(dimension_value="B000000002").exists()
    assert Rollup.objects.get(grain="MONTH", dimension="TOTAL", distributor_view="MANUFACTURING").shipped_units == 10


def test_aggregate_rows_feed_the_total_only_when_there_are_no_asin_rows(brand_a: Any) -> None:
    vc = brand_a.vendor_code
    f.sales(vc, "", date(2026, 3, 5), shipped_units=99)  # Amazon's aggregate row
    _recompute(vc)
    assert Rollup.objects.get(grain="MONTH", dimension="TOTAL", distributor_view="MANUFACTURING").shipped_units == 99
    f.sales(vc, "B000000001", date(2026, 3, 5), shipped_units=97)
    _recompute(vc)
    assert Rollup.objects.get(grain="MONTH", dimension="TOTAL", distributor_view="MANUFACTURING").shipped_units == 97


def test_all_marketplaces_convert_with_the_month_rate_and_warn_when_it_is_missing(
    brand_a: Any, brand_manager: Any
) -> None:
    us = brand_a.vendor_code
    de = VendorCodeFactory(code="ACMED", brand=brand_a.brand, marketplace=de_marketplace())
    f.sales(us, "B000000001", date(2026, 3, 5), ordered_revenue=Decimal("1000.00"), ordered_units=10)
    f.sales(de, "B000000009", date(2026, 3, 5), ordered_revenue=Decimal("500.00"), ordered_units=5)
    rollups_recompute(vendor_code_ids=[us.pk, de.pk], period_start=date(2026, 2, 1), period_end=date(2026, 3, 31))

    data = mbr_data(filters=MbrFilters(brand=brand_a.brand, month=MARCH), user=brand_manager)
    revenue = next(k for k in data.section("headline")["kpis"] if k["key"] == "ordered_revenue")
    assert revenue["value"] == "1000"  # the EUR rows are left out, never converted at 1
    assert data.warnings and "EUR→USD 2026-03" in data.warnings[0]

    FxRate.objects.create(month=MARCH, from_currency="EUR", to_currency="USD", rate=Decimal("1.08"))
    data = mbr_data(filters=MbrFilters(brand=brand_a.brand, month=MARCH), user=brand_manager)
    revenue = next(k for k in data.section("headline")["kpis"] if k["key"] == "ordered_revenue")
    assert revenue["value"] == "1540"  # 1,000 USD + 500 EUR x 1.08
    assert data.warnings == []
    assert data.meta["fx_rates"] == [{"month": "2026-03-01", "from": "EUR", "to": "USD", "rate": "1.08"}]


def test_unknown_vendor_code_is_refused(db: None) -> None:
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="Unknown vendor code ids: 999999"):
        rollups_recompute(vendor_code_ids=[999999], period_start=MARCH, period_end=MARCH)
    assert not RetailSalesFact.objects.exists()


def test_inventory_of_another_view_is_used_whole_and_named(brand_a: Any, brand_manager: Any) -> None:
    # Sales in MANUFACTURING (ordered revenue lives there), inventory pulled in SOURCING only.
    vc = brand_a.vendor_code
    f.sales(vc, "B000000001", date(2026, 3, 5), ordered_revenue=Decimal("500.00"), ordered_units=5, shipped_units=5)
    f.inventory(
        vc,
        "B000000001",
        date(2026, 3, 5),
        view="SOURCING",
        sellable_on_hand_inventory_units=40,
        procurable_product_out_of_stock_rate=Decimal("0.5"),
    )
    f.traffic(vc, "B000000001", date(2026, 3, 5), glance_views=100)
    _recompute(vc)

    data = mbr_data(filters=MbrFilters(brand=brand_a.brand, month=MARCH), user=brand_manager)
    availability = data.section("availability")
    ppoos = next(k for k in availability["kpis"] if k["key"] == "ppoos_rate")
    assert ppoos["value"] == "0.5"
    assert any("Inventory from the SOURCING / RETAIL view" in n for n in availability["notes"])
    assert [r["asin"] for r in availability["tables"][0]["rows"]] == ["B000000001"]
    revenue = next(k for k in data.section("headline")["kpis"] if k["key"] == "ordered_revenue")
    assert revenue["value"] == "500"
