"""Promotion API: create and edit drafts, items, transitions as actions (with rule refusals and
maker-checker), moves, the calendar feed and the summary; tenant isolation and a query budget."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from coop.promotion_models import Promotion
from coop.promotion_models import PromotionPerformance
from tests.coop.promotion_factories import EventFactory
from tests.coop.promotion_factories import PromotionFactory
from tests.coop.promotion_factories import PromotionItemFactory
from tests.coop.promotion_factories import product_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coop.promotion_urlconf")]

NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
URL = "/api/v1/promotions/"
D = Decimal


def payload(tenant, **overrides) -> dict:
    product_for(tenant.vendor_code, "B0API00001")
    body = {
        "vendor_code": tenant.vendor_code.pk,
        "name": "API Lightning Deal",
        "type": "LIGHTNING_DEAL",
        "start_at": "2026-12-12T09:00:00-08:00",  # 9 days after NOW, Seattle time
        "end_at": "2026-12-12T15:00:00-08:00",
        "merchandising_fee": "500.00",
        "brand_funding_share_pct": "60",
        "items": [
            {
                "asin": "B0API00001",
                "reference_price": "100.00",
                "promo_price": "75.00",
                "per_unit_funding": "20.00",
                "units_forecast": 300,
            }
        ],
    }
    body.update(overrides)
    return body


@time_machine.travel(NOW, tick=False)
def test_create_returns_the_draft_with_forecast_and_rule_results(brand_a, brand_manager, api_for) -> None:
    response = api_for(brand_manager).post(URL, payload(brand_a), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "DRAFT"
    assert body["start_at"] == "2026-12-12T17:00:00Z"
    assert body["forecast"]["vendor_cost"] == "6500.00"  # DOMAIN.md §3.5
    assert body["forecast"]["items"][0]["vendor_share"] == "0.8"
    assert body["forecast"]["items"][0]["amazon_invest_per_unit"] == "5.00"
    assert body["forecast"]["brand_part"] == "3900.00"
    failing = [r for r in body["rule_results"] if r["level"] == "fail"]
    assert [r["code"] for r in failing] == ["LEAD_TIME"]
    assert Promotion.objects.get(pk=body["id"]).items.get().asin == "B0API00001"


def test_create_validates_fields_and_asins(brand_a, brand_manager, api_for) -> None:
    client = api_for(brand_manager)
    response = client.post(URL, payload(brand_a, brand_funding_share_pct="120"), format="json")
    assert response.status_code == 400
    assert "brand_funding_share_pct" in response.json()["extra"]["fields"]
    bad = payload(brand_a)
    bad["items"][0]["asin"] = "B0UNKNOWN1"
    response = client.post(URL, bad, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Item 1: B0UNKNOWN1 is not an ASIN of Acme Audio on amazon.com; expected one from the catalog.",
        "extra": {"item": 1, "field": "asin", "value": "B0UNKNOWN1"},
    }
    assert Promotion.objects.count() == 0


def test_create_on_another_brands_vendor_code_is_a_404(brand_a, brand_b, outsider, api_for) -> None:
    response = api_for(outsider).post(URL, payload(brand_a), format="json")
    assert response.status_code == 404
    assert Promotion.objects.count() == 0


def test_viewer_gets_403_with_the_reason(brand_a, viewer, api_for) -> None:
    response = api_for(viewer).post(URL, payload(brand_a), format="json")
    assert response.status_code == 403
    assert response.json()["message"].startswith("You need one of these roles to plan promotions")


@time_machine.travel(NOW, tick=False)
def test_transition_refused_by_rules_lists_each_failure(brand_a, brand_manager, api_for) -> None:
    client = api_for(brand_manager)
    pk = client.post(URL, payload(brand_a), format="json").json()["id"]
    response = client.post(f"{URL}{pk}/transitions/", {"action": "request_approval"}, format="json")
    assert response.status_code == 400
    failures = response.json()["extra"]["rule_failures"]
    assert failures == [
        {
            "code": "LEAD_TIME",
            "asin": None,
            "message": "Lightning Deals must be submitted at least 4 weeks before they start; this one starts in "
            "9 days (on 12 Dec 2026 in amazon.com's time zone).",
        }
    ]
    moved = client.post(f"{URL}{pk}/move/", {"days": 28}, format="json")
    assert moved.status_code == 200
    assert moved.json()["start_at"] == "2027-01-09T17:00:00Z"
    assert all(r["level"] != "fail" for r in moved.json()["rule_results"])
    asked = client.post(f"{URL}{pk}/transitions/", {"action": "request_approval"}, format="json")
    assert asked.status_code == 200
    assert asked.json()["status"] == "INTERNAL_APPROVAL"
    assert asked.json()["needs_finance_approval"] is True


@time_machine.travel(NOW, tick=False)
def test_maker_checker_through_the_api(brand_a, brand_manager, reviewer, finance_approver, api_for) -> None:
    body = payload(brand_a, start_at="2027-02-12T09:00:00-08:00", end_at="2027-02-12T15:00:00-08:00")
    pk = api_for(brand_manager).post(URL, body, format="json").json()["id"]
    api_for(brand_manager).post(f"{URL}{pk}/transitions/", {"action": "request_approval"}, format="json")
    own = api_for(brand_manager).post(f"{URL}{pk}/transitions/", {"action": "approve"}, format="json")
    assert own.status_code == 403
    assert own.json()["extra"]["rule"] == "requester_never_approves"
    other_manager = api_for(reviewer).post(f"{URL}{pk}/transitions/", {"action": "approve"}, format="json")
    assert other_manager.status_code == 403
    assert other_manager.json()["extra"]["rule"] == "finance_above_threshold"
    approved = api_for(finance_approver).post(f"{URL}{pk}/transitions/", {"action": "approve"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "READY"
    assert [t["to_status"] for t in approved.json()["transitions"]] == ["DRAFT", "INTERNAL_APPROVAL", "READY"]
    assert approved.json()["transitions"][-1]["actor"] == "approver"


def test_items_are_listed_and_replaced_on_drafts_only(brand_a, brand_manager, api_for) -> None:
    client = api_for(brand_manager)
    pk = client.post(URL, payload(brand_a), format="json").json()["id"]
    product_for(brand_a.vendor_code, "B0API00002")
    response = client.put(
        f"{URL}{pk}/items/",
        [{"asin": "B0API00002", "reference_price": "50.00", "promo_price": "40.00", "per_unit_funding": "8.00"}],
        format="json",
    )
    assert response.status_code == 200
    assert [i["asin"] for i in response.json()] == ["B0API00002"]
    assert client.get(f"{URL}{pk}/items/").json()[0]["per_unit_funding"] == "8.00"
    Promotion.objects.filter(pk=pk).update(status="SUBMITTED")
    frozen = client.put(f"{URL}{pk}/items/", [{"asin": "B0API00001"}], format="json")
    assert frozen.status_code == 400
    assert list(Promotion.objects.get(pk=pk).items.values_list("asin", flat=True)) == ["B0API00002"]


def test_list_is_scoped_filtered_and_within_a_query_budget(
    brand_a, brand_b, brand_manager, api_for, django_assert_max_num_queries
) -> None:
    for i in range(12):
        promotion = PromotionFactory.create(
            vendor_code=brand_a.vendor_code, start_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=i)
        )
        PromotionItemFactory.create(promotion=promotion)
    PromotionFactory.create(vendor_code=brand_b.vendor_code, name="Not yours")
    client = api_for(brand_manager)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    body = response.json()
    assert body["count"] == 12
    assert "Not yours" not in {p["name"] for p in body["results"]}
    assert body["results"][0]["forecast_vendor_cost"] == "6000.00"  # 300 x 20.00, no fee
    assert client.get(URL, {"type": "COUPON"}).json()["count"] == 0


def test_another_brands_promotion_is_a_404(brand_a, brand_b, outsider, api_for) -> None:
    promotion = PromotionFactory.create(vendor_code=brand_a.vendor_code)
    client = api_for(outsider)
    assert client.get(f"{URL}{promotion.pk}/").status_code == 404
    assert client.get(f"{URL}{promotion.pk}/rules/").status_code == 404
    assert (
        client.post(f"{URL}{promotion.pk}/transitions/", {"action": "cancel", "note": "x"}, format="json").status_code
        == 404
    )
    assert client.post(f"{URL}{promotion.pk}/move/", {"days": 1}, format="json").status_code == 404
    promotion.refresh_from_db()
    assert promotion.status == "DRAFT"


@time_machine.travel(NOW, tick=False)
def test_calendar_feed(brand_a, brand_manager, api_for) -> None:
    EventFactory.create(
        name="Holiday Deals", start_date=date(2027, 1, 14), end_date=date(2027, 1, 15), submission_deadline=None
    )
    first = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        promotion_type="LIGHTNING_DEAL",
        start_at=datetime(2027, 1, 14, 17, tzinfo=UTC),
        end_at=datetime(2027, 1, 14, 23, tzinfo=UTC),
        merchandising_fee=D("500.00"),
    )
    item = PromotionItemFactory.create(promotion=first)
    second = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        promotion_type="LIGHTNING_DEAL",
        start_at=datetime(2027, 1, 16, 17, tzinfo=UTC),
        end_at=datetime(2027, 1, 16, 23, tzinfo=UTC),
    )
    PromotionItemFactory.create(promotion=second, product=item.product)
    response = api_for(brand_manager).get(f"{URL}calendar/", {"start": "2027-01", "marketplace": "ATVPDKIKX0DER"})
    assert response.status_code == 200
    feed = response.json()
    assert (feed["view"], feed["start"], feed["end"]) == ("month", "2027-01-01", "2027-01-31")
    assert [e["name"] for e in feed["events"]] == ["Holiday Deals"]
    bars = {p["id"]: p for p in feed["promotions"]}
    assert bars[first.pk]["conflict"] is True and bars[second.pk]["conflict"] is True
    assert bars[first.pk]["local_start_date"] == "2027-01-14"
    assert bars[first.pk]["forecast_vendor_cost"] == "6500.00"
    assert {f["code"] for f in bars[second.pk]["rule_failures"]} == {"BACK_TO_BACK"}
    assert feed["month_totals"] == [{"month": "2027-01", "forecast_vendor_cost": {"USD": "12500.00"}}]
    bad = api_for(brand_manager).get(f"{URL}calendar/", {"start": "January"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "expected a month as YYYY-MM, got 'January'"


def test_summary_totals_per_currency(brand_a, brand_manager, api_for) -> None:
    ended = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        status="ENDED",
        start_at=datetime(2026, 10, 6, 16, tzinfo=UTC),
        end_at=datetime(2026, 10, 6, 22, tzinfo=UTC),
    )
    PromotionPerformance.objects.create(
        promotion=ended,
        currency="USD",
        units_sold=300,
        revenue=D("22500.00"),
        vendor_cost=D("6500.00"),
        sales_units=300,
        baseline_units=D("100"),
        incremental_revenue=D("13000.00"),
    )
    response = api_for(brand_manager).get(f"{URL}summary/", {"from": "2026-10-01", "to": "2026-10-31"})
    assert response.status_code == 200
    assert response.json()["totals"] == [
        {
            "currency": "USD",
            "promotions": 1,
            "units_sold": 300,
            "revenue": "22500.00",
            "vendor_cost": "6500.00",
            "incremental_revenue": "13000.00",
            "lift": "2",
            "roi": "1",
        }
    ]


def test_events_are_listed(brand_manager, api_for) -> None:
    EventFactory.create(name="Prime Day 2027")
    response = api_for(brand_manager).get("/api/v1/promotion-events/")
    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["Prime Day 2027"]
