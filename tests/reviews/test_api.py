"""Reviews API: rollups by vendor code, marketplace, grain, period range and dimension (scoped, paginated,
query budget), ads rollups, business reviews with their transitions, action items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def rollups(brand_a: Any, brand_b: Any) -> None:
    vc = brand_a.vendor_code
    ProductFactory(vendor_code=vc, asin="B000000001", category="Headphones")
    for day in (date(2026, 2, 10), date(2026, 3, 10), date(2026, 3, 11)):
        f.sales(
            vc,
            "B000000001",
            day,
            shipped_units=10,
            customer_returns=1,
            shipped_cogs=Decimal("50.00"),
            ordered_units=4,
            ordered_revenue=Decimal("80.00"),
        )
        f.traffic(vc, "B000000001", day, glance_views=40)
    f.ads(
        vc,
        date(2026, 3, 10),
        cost=Decimal("10.00"),
        sales_14d=Decimal("40.00"),
        clicks=20,
        impressions=1000,
        purchases_14d=2,
    )
    f.sales(brand_b.vendor_code, "B000000009", date(2026, 3, 10), shipped_units=99)
    for vc_id in (vc.pk, brand_b.vendor_code.pk):
        rollups_recompute(vendor_code_ids=[vc_id], period_start=date(2026, 2, 1), period_end=date(2026, 3, 31))


def test_rollups_filtered_by_vendor_code_grain_dimension_and_period(
    rollups: None, brand_manager: Any, api_for: Any
) -> None:
    response = api_for(brand_manager).get(
        "/api/v1/rollups/",
        {
            "vendor_code": "ACMEU",
            "marketplace": "ATVPDKIKX0DER",
            "grain": "MONTH",
            "dimension": "TOTAL",
            "period_start_after": "2026-03-01",
            "period_start_before": "2026-03-31",
            "distributor_view": "MANUFACTURING",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["vendor_code"], row["marketplace"], row["period_start"], row["currency"]) == (
        "ACMEU",
        "ATVPDKIKX0DER",
        "2026-03-01",
        "USD",
    )
    assert row["sums"]["shipped_units"] == 20
    assert row["sums"]["shipped_cogs"] == "100"
    assert row["sums"]["glance_views"] == 80  # copied from the view-less traffic row
    assert row["ratios"]["return_rate"] == "0.1"
    assert row["ratios"]["conversion"] == "0.1"
    assert row["ratios"]["ppoos_rate"] is None  # no inventory report: undefined, not 0


def test_rollup_api_is_scoped_and_its_query_count_is_flat(
    rollups: None, brand_manager: Any, outsider: Any, api_for: Any
) -> None:
    assert api_for(outsider).get("/api/v1/rollups/", {"vendor_code": "ACMEU"}).json()["count"] == 0
    client = api_for(brand_manager)
    client.get("/api/v1/rollups/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/rollups/", {"page_size": 500})
    assert response.status_code == 200
    assert {r["vendor_code"] for r in response.json()["results"]} == {"ACMEU"}
    assert len(queries) <= 5  # session, user, count, page, vendor code names


def test_ads_rollups_name_their_window(rollups: None, brand_manager: Any, api_for: Any) -> None:
    body = api_for(brand_manager).get("/api/v1/ads-rollups/", {"grain": "MONTH", "dimension": "TOTAL"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["ad_product"], row["attribution_window"], row["spend_from"]) == ("SP", "14d", "spCampaigns")
    assert row["ratios"]["acos"] == "0.25" and row["ratios"]["ctr"] == "0.02"


def test_reviews_and_action_items_through_the_api(
    brand_a: Any, brand_manager: Any, vendor_ops: Any, outsider: Any, api_for: Any, rollups: None
) -> None:
    client = api_for(brand_manager)
    created = client.post("/api/v1/reviews/", {"brand": brand_a.brand.pk, "month": "2026-03-15"}, format="json")
    assert created.status_code == 201, created.json()
    review_id = created.json()["id"]
    assert created.json()["month"] == "2026-03-01" and created.json()["next_status"] == "DATA_FROZEN"

    wrong = client.post(f"/api/v1/reviews/{review_id}/transition/", {"to_status": "PRESENTED"}, format="json")
    assert wrong.status_code == 400 and "data frozen" in wrong.json()["message"]
    frozen = client.post(f"/api/v1/reviews/{review_id}/transition/", {"to_status": "DATA_FROZEN"}, format="json")
    assert frozen.status_code == 200 and frozen.json()["status"] == "DATA_FROZEN"
    detail = client.get(f"/api/v1/reviews/{review_id}/").json()
    assert detail["metrics_snapshot"]["meta"]["month"] == "2026-03-01"

    item = client.post(
        "/api/v1/action-items/",
        {"review": review_id, "title": "Rush PO", "owner": vendor_ops.pk, "due_date": "2026-04-15"},
        format="json",
    )
    assert item.status_code == 201
    patched = api_for(vendor_ops).patch(
        f"/api/v1/action-items/{item.json()['id']}/", {"status": "IN_PROGRESS"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["status"] == "IN_PROGRESS"
    assert ActionItem.objects.get().status == "IN_PROGRESS"
    assert api_for(brand_manager).get("/api/v1/action-items/", {"open": "true"}).json()["count"] == 1

    other = api_for(outsider)
    assert other.get(f"/api/v1/reviews/{review_id}/").status_code == 404
    assert (
        other.post(f"/api/v1/reviews/{review_id}/transition/", {"to_status": "PRESENTED"}, format="json").status_code
        == 404
    )
    assert (
        other.patch(f"/api/v1/action-items/{item.json()['id']}/", {"status": "DONE"}, format="json").status_code == 404
    )
    assert (
        other.post(
            "/api/v1/action-items/",
            {"review": review_id, "title": "x", "owner": outsider.pk, "due_date": "2026-04-01"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        other.post("/api/v1/reviews/", {"brand": brand_a.brand.pk, "month": "2026-04-01"}, format="json").status_code
        == 404
    )
    assert BusinessReview.objects.count() == 1 and ActionItem.objects.get().status == "IN_PROGRESS"


def test_viewers_cannot_schedule_through_the_api(brand_a: Any, viewer: Any, api_for: Any) -> None:
    response = api_for(viewer).post(
        "/api/v1/reviews/", {"brand": brand_a.brand.pk, "month": "2026-03-01"}, format="json"
    )
    assert response.status_code == 403
    assert not BusinessReview.objects.exists()
