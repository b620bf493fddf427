"""Promotions kept in step with Amazon's reports: statuses, promotions Amazon created, prices from
daily sales, stored results against a synthetic baseline, the clock, and the import listener."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionPerformance
from coop.promotion_sync import price_observations_refresh
from coop.promotion_sync import promotion_performance_refresh
from coop.promotion_sync import promotion_sync_from_reports
from coop.promotion_sync import promotions_advance_by_clock
from coop.promotion_sync import status_from_amazon
from ingest.models import CouponResultFact
from ingest.models import RetailSalesFact
from tests.coop.promotion_factories import PromotionFactory
from tests.coop.promotion_factories import PromotionItemFactory
from tests.coop.promotion_factories import daily_sales
from tests.coop.promotion_factories import product_for
from tests.coop.promotion_factories import promotion_fact

pytestmark = pytest.mark.django_db

D = Decimal
SEATTLE = ZoneInfo("America/Los_Angeles")
Status = Promotion.Status
NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)


def test_amazon_statuses_map_to_ours_with_the_clock() -> None:
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 8, tzinfo=UTC)
    assert status_from_amazon("APPROVED", start_at=start, end_at=end, now=start - timedelta(seconds=1)) == "APPROVED"
    assert status_from_amazon("APPROVED", start_at=start, end_at=end, now=start) == "RUNNING"
    assert status_from_amazon("APPROVED", start_at=start, end_at=end, now=end) == "ENDED"
    assert status_from_amazon("NEEDS_YOUR_ATTENTION", start_at=start, end_at=end, now=start) == "NEEDS_YOUR_ATTENTION"
    assert status_from_amazon("CANCELED", start_at=start, end_at=end, now=start) == "CANCELED"
    assert status_from_amazon("SOMETHING_NEW", start_at=start, end_at=end, now=start) is None


def test_report_moves_a_submitted_promotion_and_logs_the_import(brand_a) -> None:
    promotion = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        status=Status.SUBMITTED,
        amazon_promotion_id="PRM-1",
        promotion_type="LIGHTNING_DEAL",
    )
    promotion_fact(brand_a.vendor_code, "PRM-1", status="NEEDS_YOUR_ATTENTION", funding_agreement_id="FA-77")
    outcome = promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], import_id=42, now=NOW)
    promotion.refresh_from_db()
    assert (outcome.updated, outcome.created) == (1, 0)
    assert promotion.status == Status.NEEDS_YOUR_ATTENTION
    assert promotion.amazon_status == "NEEDS_YOUR_ATTENTION"
    assert promotion.amazon_funding_agreement_id == "FA-77"
    log = promotion.transitions.get()
    assert (log.from_status, log.to_status, log.source, log.actor) == (
        "SUBMITTED",
        "NEEDS_YOUR_ATTENTION",
        "IMPORT",
        None,
    )
    assert log.note == "Amazon reports NEEDS_YOUR_ATTENTION in the promotion performance report (import #42)."
    # Idempotent: the same report again changes nothing and logs nothing.
    again = promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], import_id=43, now=NOW)
    assert again.updated == 0
    assert promotion.transitions.count() == 1


def test_report_never_overrides_what_finance_recorded(brand_a) -> None:
    promotion = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.INVOICED, amazon_promotion_id="PRM-2"
    )
    promotion_fact(brand_a.vendor_code, "PRM-2", status="APPROVED")
    promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], now=NOW)
    promotion.refresh_from_db()
    assert promotion.status == Status.INVOICED
    assert promotion.amazon_status == "APPROVED"


def test_promotions_amazon_created_are_added_with_their_items(brand_a) -> None:
    product_for(brand_a.vendor_code, "B0FULL0001")
    start, end = datetime(2027, 3, 1, 8, tzinfo=UTC), datetime(2027, 3, 1, 14, tzinfo=UTC)
    promotion_fact(
        brand_a.vendor_code,
        "PRM-AMZ",
        promotion_name="Account team deal",
        creation_channel="FULL-SERVICE",
        start_at=start,
        end_at=end,
        units_sold=120,
    )
    promotion_fact(brand_a.vendor_code, "PRM-AMZ", asin="B0FULL0001", start_at=start, end_at=end, units_sold=120)
    outcome = promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], now=NOW)
    assert outcome.created == 1
    added = Promotion.objects.get(amazon_promotion_id="PRM-AMZ")
    assert (added.name, added.creation_channel, added.promotion_type, added.status) == (
        "Account team deal",
        "FULL-SERVICE",
        "LIGHTNING_DEAL",
        Status.ENDED,
    )
    assert added.brand == brand_a.brand
    assert list(added.items.values_list("asin", "product__asin")) == [("B0FULL0001", "B0FULL0001")]
    assert list(added.transitions.values_list("to_status", flat=True)) == ["SUBMITTED", "ENDED"]


def test_a_planned_promotion_submitted_without_its_id_is_linked_not_duplicated(brand_a) -> None:
    start, end = datetime(2027, 3, 1, 8, tzinfo=UTC), datetime(2027, 3, 1, 14, tzinfo=UTC)
    planned = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        promotion_type="LIGHTNING_DEAL",
        status=Status.SUBMITTED,
        start_at=start,
        end_at=end,
    )
    item = PromotionItemFactory.create(promotion=planned)
    promotion_fact(brand_a.vendor_code, "PRM-9", start_at=start, end_at=end, status="PENDING_APPROVAL")
    promotion_fact(brand_a.vendor_code, "PRM-9", asin=item.asin, start_at=start, end_at=end)
    outcome = promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], now=NOW)
    planned.refresh_from_db()
    assert (outcome.linked, outcome.created) == (1, 0)
    assert planned.amazon_promotion_id == "PRM-9"
    assert planned.status == Status.PENDING_APPROVAL
    assert Promotion.objects.count() == 1


def test_reports_of_another_brand_do_not_touch_mine(brand_a, brand_b) -> None:
    mine = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.SUBMITTED, amazon_promotion_id="PRM-X"
    )
    promotion_fact(brand_b.vendor_code, "PRM-X", status="CANCELED")
    promotion_sync_from_reports(vendor_code_ids=[brand_b.vendor_code.pk], now=NOW)
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED


def test_coupons_from_the_coupon_report(brand_a) -> None:
    CouponResultFact.objects.create(
        brand=brand_a.brand,
        marketplace=brand_a.vendor_code.marketplace,
        vendor_code=brand_a.vendor_code,
        campaign_id="CMP-1",
        coupon_id="CPN-1",
        campaign_name="Spring coupon",
        start_at=datetime(2027, 3, 1, tzinfo=UTC),
        end_at=datetime(2027, 3, 31, tzinfo=UTC),
        currency="USD",
        budget=D("1000.00"),
        clips=400,
        redemptions=50,
        budget_spent=D("230.00"),  # DOMAIN.md §5.3: 4.00 x 50 + 0.60 x 50
    )
    promotion_sync_from_reports(vendor_code_ids=[brand_a.vendor_code.pk], now=NOW)
    coupon = Promotion.objects.get(amazon_promotion_id="CPN-1")
    assert (coupon.promotion_type, coupon.status, coupon.amazon_campaign_id) == ("COUPON", Status.RUNNING, "CMP-1")
    performance = promotion_performance_refresh(promotion=coupon, now=NOW)
    assert performance is not None
    assert (performance.clips, performance.redemptions, performance.units_sold) == (400, 50, 50)
    assert performance.vendor_cost == D("230.00")


def test_prices_from_daily_sales_skip_days_without_sales(brand_a) -> None:
    vc = brand_a.vendor_code
    daily_sales(vc, "B0PRICE001", date(2027, 2, 1), 4, "159.96")
    daily_sales(vc, "B0PRICE001", date(2027, 2, 2), 0, "0")
    daily_sales(vc, "B0PRICE001", date(2027, 2, 3), None, None)
    assert price_observations_refresh(vendor_code_ids=[vc.pk], first=date(2027, 2, 1), last=date(2027, 2, 28)) == 1
    row = PriceObservation.objects.get()
    assert (row.asin, row.observed_on, row.price, row.source) == (
        "B0PRICE001",
        date(2027, 2, 1),
        D("39.99"),
        "IMPORTED",
    )
    # Restated sales update the same row.
    RetailSalesFact.objects.filter(asin="B0PRICE001", period_start=date(2027, 2, 1)).update(ordered_revenue=D("150.00"))
    price_observations_refresh(vendor_code_ids=[vc.pk], first=date(2027, 2, 1), last=date(2027, 2, 1))
    assert list(PriceObservation.objects.values_list("price", flat=True)) == [D("37.50")]


def test_results_against_a_known_synthetic_baseline(brand_a) -> None:
    """One Lightning Deal day on B0LIFT0001; four clean Tuesdays before it sell 10 a day, the deal day 35.
    B0HALO0001 (same brand, not promoted) sells 5 a day and 7 on the deal day: the halo."""
    vc = brand_a.vendor_code
    deal_day = date(2027, 3, 9)  # a Tuesday
    start = datetime(2027, 3, 9, 6, 0, tzinfo=SEATTLE)
    promotion = PromotionFactory.create(
        vendor_code=vc,
        promotion_type="LIGHTNING_DEAL",
        status=Status.ENDED,
        amazon_promotion_id="PRM-LIFT",
        start_at=start,
        end_at=start + timedelta(hours=12),
        merchandising_fee=D("500.00"),
    )
    PromotionItemFactory.create(promotion=promotion, product=product_for(vc, "B0LIFT0001"), units_forecast=100)
    product_for(vc, "B0HALO0001")
    for back in range(1, 8 * 7 + 1):
        day = deal_day - timedelta(days=back)
        daily_sales(vc, "B0LIFT0001", day, 10, "1000.00")  # 100.00 each
        daily_sales(vc, "B0HALO0001", day, 5, "100.00")
    daily_sales(vc, "B0LIFT0001", deal_day, 35, "2625.00")  # 75.00 each
    daily_sales(vc, "B0HALO0001", deal_day, 7, "140.00")
    # A prior promotion two weeks earlier on the same ASIN: that Tuesday sold 80 and must stay out.
    earlier = PromotionFactory.create(
        vendor_code=vc,
        status=Status.ENDED,
        start_at=start - timedelta(weeks=2),
        end_at=start - timedelta(weeks=2) + timedelta(hours=6),
    )
    PromotionItemFactory.create(promotion=earlier, product=promotion.items.get().product)
    RetailSalesFact.objects.filter(asin="B0LIFT0001", period_start=deal_day - timedelta(weeks=2)).update(
        ordered_units=80, ordered_revenue=D("6000.00")
    )
    # Amazon's report: 35 units, 2,625.00 revenue, 700.00 funding spent (35 x 20.00).
    promotion_fact(vc, "PRM-LIFT", units_sold=35, revenue=D("2625.00"), amount_spent=D("700.00"), glance_views=900)

    performance = promotion_performance_refresh(promotion=promotion, now=NOW)

    stored = PromotionPerformance.objects.get(promotion=promotion)
    assert stored == performance
    assert (stored.units_sold, stored.revenue, stored.glance_views) == (35, D("2625.00"), 900)
    assert stored.vendor_cost == D("1200.00")  # 700.00 funding + 500.00 fee (the deal went live)
    assert stored.sales_units == 35
    assert stored.baseline_units == D("10.00")
    assert stored.baseline_revenue == D("1000.00")
    assert stored.lift == D("2.5")
    assert stored.incremental_units == D("25.00")
    assert stored.incremental_revenue == D("1625.00")
    assert stored.roi == D("0.354167")  # (1,625.00 - 1,200.00) / 1,200.00, stored to 6 places
    assert stored.halo_revenue == D("140.00")
    assert stored.halo_baseline_revenue == D("100.00")
    assert stored.halo_incremental_revenue == D("40.00")
    assert stored.halo_lift == D("0.4")
    assert stored.baseline_note == "Baseline from 1 ASIN-day."


def test_no_results_before_a_promotion_starts(brand_a) -> None:
    promotion = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.APPROVED, start_at=NOW + timedelta(days=1)
    )
    assert promotion_performance_refresh(promotion=promotion, now=NOW) is None
    assert not PromotionPerformance.objects.exists()


def test_the_clock_starts_and_ends_approved_promotions(brand_a) -> None:
    running = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.APPROVED, start_at=NOW - timedelta(hours=1)
    )
    over = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        status=Status.RUNNING,
        start_at=NOW - timedelta(days=3),
        end_at=NOW - timedelta(days=1),
    )
    later = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.APPROVED, start_at=NOW + timedelta(days=1)
    )
    assert promotions_advance_by_clock(now=NOW) == 2
    for promotion, expected in ((running, "RUNNING"), (over, "ENDED"), (later, "APPROVED")):
        promotion.refresh_from_db()
        assert promotion.status == expected
    assert running.transitions.get().source == "SYSTEM"


def test_the_import_listener_refreshes_statuses_and_results(brand_a, django_capture_on_commit_callbacks) -> None:
    from django.core.cache import cache

    from coop.promotion_listeners import on_facts_changed
    from ingest.listeners import FactsChanged

    cache.clear()
    promotion = PromotionFactory.create(
        vendor_code=brand_a.vendor_code, status=Status.SUBMITTED, amazon_promotion_id="PRM-L"
    )
    promotion_fact(brand_a.vendor_code, "PRM-L", status="CANCELED")
    event = FactsChanged(7, "promotion_result", (brand_a.vendor_code.pk,), ("ATVPDKIKX0DER",), None, None)
    on_facts_changed(event)  # tasks run eagerly in tests
    promotion.refresh_from_db()
    assert promotion.status == Status.CANCELED
    assert promotion.transitions.get().note.endswith("(import #7).")
    # A second announcement while the first is pending does not enqueue again (debounced by a marker).
    from coop import promotion_tasks

    assert cache.get(promotion_tasks.dirty_key(brand_a.vendor_code.pk, "promotion_result", None, None)) is None
    on_facts_changed(FactsChanged(8, "retail_traffic", (brand_a.vendor_code.pk,), (), None, None))
    assert promotion.transitions.count() == 1
