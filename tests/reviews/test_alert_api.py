"""Alert API: list and detail (scoped: another brand's alert is a 404), lifecycle actions through the
services (roles and notes enforced), rule parameters per brand, preferences; query budgets."""

from __future__ import annotations

from typing import Any

import pytest

from reviews.alert_models import Alert
from reviews.alert_models import AlertRule
from reviews.alert_rules import RuleCode
from tests.conftest import Tenant
from tests.reviews.alert_factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]
API = "/api/v1"


def test_list_is_scoped_filtered_and_sorted(brand_a: Tenant, brand_b: Tenant, vendor_ops: Any, api_for: Any) -> None:
    low = make_alert(brand_a.brand, code=RuleCode.CONTENT_STALE, severity="low", title="no video")
    critical = make_alert(brand_a.brand, title="cover 1.2 weeks")
    make_alert(brand_b.brand, title="Bloom secret")
    client = api_for(vendor_ops)
    body = client.get(f"{API}/alerts/").json()
    assert [row["id"] for row in body["results"]] == [critical.pk, low.pk]
    first = body["results"][0]
    assert first["severity"] == "critical"
    assert first["entity"] == {"type": "planning.brand", "id": str(brand_a.brand.pk), "label": "Acme Audio", "url": ""}
    assert first["measured_value"] == "2.50000000"
    assert [r["id"] for r in client.get(f"{API}/alerts/", {"severity": "low"}).json()["results"]] == [low.pk]
    assert client.get(f"{API}/alerts/", {"brand": brand_b.brand.pk}).status_code == 404


def test_detail_has_evidence_first_response_and_events(brand_a: Tenant, vendor_ops: Any, api_for: Any) -> None:
    alert = make_alert(
        brand_a.brand, evidence={"numbers": [], "links": [{"label": "ASIN", "url": "/catalog/1/", "kind": "asin"}]}
    )
    client = api_for(vendor_ops)
    client.post(f"{API}/alerts/{alert.pk}/acknowledge/", {"note": "Meeting booked."}, format="json")
    body = client.get(f"{API}/alerts/{alert.pk}/").json()
    assert body["status"] == "ACKNOWLEDGED"
    assert body["acknowledged_by"] == {"id": vendor_ops.pk, "username": "ops"}
    assert body["evidence"]["links"][0]["kind"] == "asin"
    assert body["first_response"]["contact"] == "The buyer (vendor manager): hold a meeting within 24 hours."
    assert [(e["kind"], e["note"]) for e in body["events"]] == [("ACKNOWLEDGED", "Meeting booked.")]


def test_actions_enforce_roles_and_notes(
    brand_a: Tenant, viewer: Any, finance: Any, vendor_ops: Any, api_for: Any
) -> None:
    alert = make_alert(brand_a.brand)
    refused = api_for(viewer).post(f"{API}/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert refused.status_code == 403
    assert "acknowledge alerts" in refused.json()["message"]
    client = api_for(finance)
    no_note = client.post(f"{API}/alerts/{alert.pk}/resolve/", {"note": ""}, format="json")
    assert no_note.status_code == 400
    assert no_note.json()["extra"] == {"field": "note"}
    assigned = client.post(f"{API}/alerts/{alert.pk}/assign/", {"user_id": vendor_ops.pk}, format="json")
    assert assigned.json()["assigned_to"]["username"] == "ops"
    done = client.post(f"{API}/alerts/{alert.pk}/resolve/", {"note": "Handled with the buyer."}, format="json")
    assert done.status_code == 200
    assert Alert.objects.get(pk=alert.pk).status == "RESOLVED"


def test_another_brands_alert_is_a_404(brand_b: Tenant, vendor_ops: Any, api_for: Any) -> None:
    alert = make_alert(brand_b.brand)
    client = api_for(vendor_ops)
    assert client.get(f"{API}/alerts/{alert.pk}/").status_code == 404
    for action in ("acknowledge", "resolve", "escalate", "notes"):
        assert client.post(f"{API}/alerts/{alert.pk}/{action}/", {"note": "x"}, format="json").status_code == 404
    assert client.post(f"{API}/alerts/{alert.pk}/assign/", {"user_id": None}, format="json").status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == "OPEN"


def test_list_query_budget(brand_a: Tenant, vendor_ops: Any, api_for: Any, django_assert_max_num_queries: Any) -> None:
    client = api_for(vendor_ops)
    make_alert(brand_a.brand, assigned_to=vendor_ops, acknowledged_by=vendor_ops)
    client.get(f"{API}/alerts/")
    with django_assert_max_num_queries(8) as few:
        client.get(f"{API}/alerts/")
    for i in range(25):
        make_alert(
            brand_a.brand, code=RuleCode.ASN_LATE, severity="medium", period_key=f"ASN S{i}", assigned_to=vendor_ops
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"{API}/alerts/").json()
    assert body["count"] == 26


def test_rule_parameters_per_brand(
    brand_a: Tenant, brand_b: Tenant, brand_manager: Any, finance: Any, api_for: Any
) -> None:
    client = api_for(brand_manager)
    rules = client.get(f"{API}/alert-rules/", {"brand": brand_a.brand.pk}).json()
    assert [r["code"] for r in rules] == list(RuleCode.values)
    oos = next(r for r in rules if r["code"] == "OOS_RISK")
    assert (oos["severity"], oos["is_custom"], oos["parameters"]["ppoos_threshold"]) == ("critical", False, "0.05")

    url = f"{API}/alert-rules/{brand_a.brand.pk}/OOS_RISK/"
    bad = client.put(url, {"severity": "critical", "parameters": {"ppoos_threshold": "2"}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["extra"]["errors"] == ["ppoos_threshold: got 2, expected at most 1"]
    ok = client.put(url, {"severity": "high", "parameters": {"ppoos_threshold": "0.04"}}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["is_custom"], ok.json()["severity"], ok.json()["parameters"]["ppoos_threshold"]) == (
        True,
        "high",
        "0.04",
    )
    assert AlertRule.objects.get(code="OOS_RISK", brand=brand_a.brand).severity == "high"

    assert api_for(finance).put(url, {"severity": "low"}, format="json").status_code == 403
    assert client.get(f"{API}/alert-rules/{brand_b.brand.pk}/OOS_RISK/").status_code == 404
    assert client.get(f"{API}/alert-rules/", {"brand": brand_b.brand.pk}).status_code == 404
    assert client.delete(url).json()["is_custom"] is False


def test_preferences_are_the_users_own(vendor_ops: Any, api_for: Any) -> None:
    client = api_for(vendor_ops)
    assert client.get(f"{API}/alert-preferences/me/").json() == {
        "frequency": "DAILY",
        "min_severity": "medium",
        "last_digest_at": None,
    }
    changed = client.put(
        f"{API}/alert-preferences/me/", {"frequency": "OFF", "min_severity": "critical"}, format="json"
    )
    assert changed.json()["frequency"] == "OFF"
    assert (
        client.put(
            f"{API}/alert-preferences/me/", {"frequency": "HOURLY", "min_severity": "low"}, format="json"
        ).status_code
        == 400
    )


def test_schema_documents_the_alert_endpoints(brand_manager: Any, api_for: Any) -> None:
    response = api_for(brand_manager).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/alerts/{id}/acknowledge/" in paths
    assert "/api/v1/alert-rules/{brand_id}/{code}/" in paths
