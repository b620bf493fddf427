"""JBP API: plans, bulk target upsert, transitions, versions and diffs; scoping and query budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from tests.planning.jbp_factories import JBPPlanFactory
from tests.planning.jbp_factories import JBPTargetFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plans/"
JULY = {
    "metric": "SHIPPED_COGS",
    "dimension_type": "CATEGORY",
    "dimension_value": "Headphones",
    "period_type": "MONTH",
    "period_start": "2026-07-01",
    "target_value": "100000.00",
}


@pytest.fixture
def plan(api_for, brand_manager, brand_a) -> dict:
    response = api_for(brand_manager).post(
        BASE,
        {
            "brand": brand_a.brand.pk,
            "marketplace": "ATVPDKIKX0DER",
            "horizon": "QUARTERLY",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "amazon_counterpart": "Jordan (VM)",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_returns_the_draft(plan, brand_a) -> None:
    assert (plan["status"], plan["version"], plan["series"], plan["currency"]) == ("DRAFT", 1, "Q3", "USD")
    assert plan["vendor_codes"] == [brand_a.vendor_code.code]
    assert plan["transitions"][0]["to_status"] == "DRAFT" and plan["transitions"][0]["actor"] == "bm"
    assert JBPPlan.objects.filter(pk=plan["id"], created_by__username="bm").exists()


def test_create_refusals(api_for, vendor_ops, brand_manager, brand_a, brand_b) -> None:
    payload = {
        "brand": brand_a.brand.pk,
        "marketplace": "ATVPDKIKX0DER",
        "horizon": "QUARTERLY",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
    }
    response = api_for(vendor_ops).post(BASE, payload, format="json")
    assert response.status_code == 403 and "brand_manager" in response.json()["message"]
    response = api_for(brand_manager).post(BASE, {**payload, "brand": brand_b.brand.pk}, format="json")
    assert response.status_code == 400 and "among yours" in str(response.json()["extra"])
    response = api_for(brand_manager).post(BASE, {**payload, "period_end": "2026-09-29"}, format="json")
    assert response.status_code == 400 and "one calendar quarter" in str(response.json())
    assert not JBPPlan.objects.exists()


def test_other_brands_plans_are_invisible(api_for, outsider, plan) -> None:
    client = api_for(outsider)
    assert client.get(BASE).json()["count"] == 0
    for suffix in ("", "targets/", "diff/"):
        assert client.get(f"{BASE}{plan['id']}/{suffix}").status_code == 404
    assert client.post(f"{BASE}{plan['id']}/targets/", [JULY], format="json").status_code == 404
    assert (
        client.post(f"{BASE}{plan['id']}/transitions/", {"action": "submit_for_review"}, format="json").status_code
        == 404
    )
    assert client.patch(f"{BASE}{plan['id']}/", {"notes": "x"}, format="json").status_code == 404
    assert not JBPTarget.objects.exists()


def test_bulk_upsert_creates_updates_and_deletes(api_for, brand_manager, plan) -> None:
    client = api_for(brand_manager)
    url = f"{BASE}{plan['id']}/targets/"
    august = {**JULY, "period_start": "2026-08-01", "target_value": "5"}
    data = client.post(url, [JULY, august], format="json").json()
    assert (data["created"], data["updated"], data["deleted"]) == (2, 0, 0)
    data = client.post(
        url, [{**JULY, "target_value": "120000"}, {**august, "target_value": None}], format="json"
    ).json()
    assert (data["created"], data["updated"], data["deleted"]) == (0, 1, 1)
    assert [(t["period_start"], t["period_end"], t["target_value"]) for t in data["targets"]] == [
        ("2026-07-01", "2026-07-31", "120000.0000")
    ]


def test_bulk_upsert_reports_every_bad_row_and_saves_nothing(api_for, brand_manager, plan) -> None:
    rows = [
        JULY,
        {**JULY, "metric": "SALES"},
        {**JULY, "period_start": "2026-10-01"},
        {**JULY, "period_start": "2026-08-01", "target_value": "-1"},
        {**JULY, "dimension_type": "ASIN", "dimension_value": "b0bad"},
        JULY,
    ]
    response = api_for(brand_manager).post(f"{BASE}{plan['id']}/targets/", rows, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "5 of 6 target rows are invalid; nothing was saved."
    assert [(e["row"], e["field"]) for e in body["extra"]["rows"]] == [
        (1, "metric"),
        (2, "period_start"),
        (3, "target_value"),
        (4, "dimension_value"),
        (5, ""),
    ]
    assert "inside the plan period 2026-07-01 to 2026-09-30" in body["extra"]["rows"][1]["message"]
    assert not JBPTarget.objects.exists()


def test_transitions_through_the_api(api_for, brand_manager, reviewer, plan) -> None:
    url = f"{BASE}{plan['id']}/transitions/"
    api_for(brand_manager).post(f"{BASE}{plan['id']}/targets/", [JULY], format="json")
    assert (
        api_for(brand_manager).post(url, {"action": "submit_for_review"}, format="json").json()["status"]
        == "INTERNAL_REVIEW"
    )
    refused = api_for(brand_manager).post(url, {"action": "send_to_amazon"}, format="json")
    assert refused.status_code == 403 and "another member" in refused.json()["message"]
    assert api_for(reviewer).post(url, {"action": "approve"}, format="json").status_code == 400
    done = api_for(reviewer).post(url, {"action": "send_to_amazon", "comment": "ok"}, format="json").json()
    assert done["status"] == "SUBMITTED_TO_AMAZON" and done["transitions"][-1]["actor"] == "bm2"
    # Not a draft any more: the header and targets are locked.
    locked = api_for(brand_manager).patch(f"{BASE}{plan['id']}/", {"notes": "late"}, format="json")
    assert locked.status_code == 400 and "only drafts" in locked.json()["message"]


def test_new_version_and_diff(api_for, brand_manager, reviewer, plan) -> None:
    bm = api_for(brand_manager)
    bm.post(f"{BASE}{plan['id']}/targets/", [JULY], format="json")
    for action, client in (("submit_for_review", bm), ("send_to_amazon", api_for(reviewer)), ("start_negotiation", bm)):
        client.post(f"{BASE}{plan['id']}/transitions/", {"action": action}, format="json")
    v2 = bm.post(f"{BASE}{plan['id']}/new-version/", {"comment": "counter"}, format="json")
    assert v2.status_code == 201
    v2_id = v2.json()["id"]
    assert v2.json()["previous_version"] == plan["id"] and v2.json()["version"] == 2
    bm.post(f"{BASE}{v2_id}/targets/", [{**JULY, "target_value": "130000"}], format="json")
    diff = bm.get(f"{BASE}{v2_id}/diff/").json()
    assert diff["counts"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 0}
    assert diff["targets"][0]["old_value"] == "100000.0000" and diff["targets"][0]["new_value"] == "130000.0000"
    listed = bm.get(BASE, {"include_superseded": "1"}).json()
    assert {p["status"] for p in listed["results"]} == {"DRAFT", "SUPERSEDED"}


def test_list_query_budget(api_for, brand_manager, brand_a) -> None:
    client = api_for(brand_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BASE).status_code == 200
        return len(ctx.captured_queries)

    for year in (2026, 2027):
        plan = JBPPlanFactory.create(
            brand=brand_a.brand, plan_year=year, period_start=date(year, 7, 1), period_end=date(year, 9, 30)
        )
        plan.vendor_codes.add(brand_a.vendor_code)
        JBPTargetFactory(plan=plan, period_start=date(year, 7, 1), period_end=date(year, 7, 31))
    few = count()
    for year in range(2028, 2036):
        JBPPlanFactory.create(
            brand=brand_a.brand, plan_year=year, period_start=date(year, 7, 1), period_end=date(year, 9, 30)
        ).vendor_codes.add(brand_a.vendor_code)
    assert count() == few <= 8
    assert client.get(BASE).json()["results"][0]["target_count"] == 0


def test_detail_target_values_are_decimal_strings(api_for, brand_manager, plan) -> None:
    api_for(brand_manager).post(f"{BASE}{plan['id']}/targets/", [{**JULY, "target_value": "1234.56"}], format="json")
    data = api_for(brand_manager).get(f"{BASE}{plan['id']}/").json()
    assert data["targets"][0]["target_value"] == "1234.5600"
    assert Decimal(data["targets"][0]["target_value"]) == Decimal("1234.56")
