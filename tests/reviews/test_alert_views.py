"""Alert pages: the inbox with its filters and htmx row actions, the detail page with first response and
evidence, rule settings, benchmarks, digest preferences; tenant isolation (404) and query budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertPreference
from reviews.alert_models import AlertRule
from reviews.alert_models import Benchmark
from reviews.alert_rules import RuleCode
from tests.conftest import Tenant
from tests.factories import ProductFactory
from tests.reviews.alert_factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]


def _htmx(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, HTTP_HX_REQUEST="true")


# ------------------------------------------------------------------------------------------------ inbox


def test_inbox_lists_the_users_alerts_most_severe_first_with_counts(
    brand_a: Tenant, brand_b: Tenant, vendor_ops: Any, client_for: Any
) -> None:
    product = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0INBOX001")
    critical = make_alert(
        brand_a.brand, entity=product, title="B0INBOX001: 1.2 weeks of cover", entity_url="/catalog/1/"
    )
    make_alert(brand_a.brand, code=RuleCode.CONTENT_STALE, severity="low", title="B0INBOX002: no A+ content")
    make_alert(brand_a.brand, code=RuleCode.ASN_LATE, severity="medium", title="Shipment S9 late", status="RESOLVED")
    make_alert(brand_b.brand, title="Bloom's own alert")
    response = client_for(vendor_ops).get(reverse("alert-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("B0INBOX001: 1.2 weeks of cover") < html.index("B0INBOX002: no A+ content")
    assert "Shipment S9 late" not in html  # resolved: not in the default (active) view
    assert "Bloom's own alert" not in html
    assert response.context["counts"]["critical"] == 1
    assert response.context["counts"]["low"] == 1
    assert f'hx-post="/alerts/{critical.pk}/acknowledge/"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"severity": "low"}, ["content"]),
        ({"type": "ASN_LATE", "status": "all"}, ["asn"]),
        ({"status": "RESOLVED"}, ["asn"]),
        ({"assigned": "me"}, ["mine"]),
        ({"q": "B0CONTENT"}, ["content"]),
    ],
)
def test_inbox_filters(
    brand_a: Tenant, vendor_ops: Any, client_for: Any, query: dict[str, str], expected: list[str]
) -> None:
    alerts = {
        "content": make_alert(brand_a.brand, code=RuleCode.CONTENT_STALE, severity="low", title="B0CONTENT1: no video"),
        "asn": make_alert(brand_a.brand, code=RuleCode.ASN_LATE, severity="medium", title="S1 late", status="RESOLVED"),
        "mine": make_alert(brand_a.brand, title="Assigned one", assigned_to=vendor_ops),
    }
    response = client_for(vendor_ops).get(reverse("alert-list"), query)
    shown = [a.pk for a in response.context["page"].object_list]
    assert shown == [alerts[name].pk for name in expected]


def test_inbox_brand_filter_only_offers_the_users_brands(
    brand_a: Tenant, brand_b: Tenant, vendor_ops: Any, client_for: Any
) -> None:
    make_alert(brand_b.brand, title="Bloom's own alert")
    response = client_for(vendor_ops).get(reverse("alert-list"), {"brand": brand_b.brand.pk})
    assert response.status_code == 200
    assert "Bloom" not in response.content.decode()
    assert response.context["brand"] is None


def test_inbox_query_budget(
    brand_a: Tenant, vendor_ops: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(vendor_ops)
    for i in range(3):
        make_alert(brand_a.brand, title=f"Alert {i}", assigned_to=vendor_ops, period_key=f"k{i}")
    client.get(reverse("alert-list"))  # warm up caches (content types, session)
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("alert-list"))
    for i in range(30):
        make_alert(
            brand_a.brand,
            code=RuleCode.CONTENT_STALE,
            severity="low",
            title=f"More {i}",
            assigned_to=vendor_ops,
            period_key=f"m{i}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("alert-list"))
    assert len(response.context["page"].object_list) == 33


# ------------------------------------------------------------------------------------------ row actions


def test_acknowledge_from_the_inbox_returns_the_refreshed_row(
    brand_a: Tenant, vendor_ops: Any, client_for: Any
) -> None:
    alert = make_alert(brand_a.brand)
    response = _htmx(client_for(vendor_ops), reverse("alert-action", args=[alert.pk, "acknowledge"]), {"target": "row"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="alert-row-{alert.pk}"')
    assert "Acknowledged: you own the first response." in html
    assert 'data-status="ACKNOWLEDGED"' in html
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.assigned_to) == ("ACKNOWLEDGED", vendor_ops, vendor_ops)


def test_resolve_needs_a_note_and_the_refusal_is_shown_in_the_row(
    brand_a: Tenant, vendor_ops: Any, client_for: Any
) -> None:
    alert = make_alert(brand_a.brand)
    client = client_for(vendor_ops)
    refused = _htmx(client, reverse("alert-action", args=[alert.pk, "resolve"]), {"target": "row", "note": " "})
    assert "a note is required to resolve" in refused.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "OPEN"
    done = _htmx(
        client, reverse("alert-action", args=[alert.pk, "resolve"]), {"target": "row", "note": "Rush PO sent."}
    )
    assert 'data-status="RESOLVED"' in done.content.decode()
    assert Alert.objects.get(pk=alert.pk).note == "Rush PO sent."


def test_viewer_sees_alerts_but_cannot_work_them(brand_a: Tenant, viewer: Any, client_for: Any) -> None:
    alert = make_alert(brand_a.brand)
    client = client_for(viewer)
    page = client.get(reverse("alert-detail", args=[alert.pk])).content.decode()
    assert "Viewers can follow alerts" in page
    assert "acknowledge-form" not in page
    response = client.post(reverse("alert-action", args=[alert.pk, "acknowledge"]))
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == "OPEN"


# ------------------------------------------------------------------------------------------------ detail


def test_detail_shows_first_response_evidence_and_history(brand_a: Tenant, vendor_ops: Any, client_for: Any) -> None:
    product = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0DETAIL01")
    alert = make_alert(
        brand_a.brand,
        entity=product,
        entity_url=f"/catalog/{product.pk}/",
        evidence={
            "numbers": [{"label": "Weeks of cover", "value": "1.25", "unit": "weeks", "currency": ""}],
            "links": [
                {"label": "ASIN B0DETAIL01", "url": f"/catalog/{product.pk}/", "kind": "asin"},
                {"label": "Inventory report import", "url": "/imports/7/", "kind": "import"},
            ],
        },
        escalation_due_at=None,
    )
    AlertEvent.objects.create(alert=alert, kind="TRIGGERED", to_status="OPEN")
    html = client_for(vendor_ops).get(reverse("alert-detail", args=[alert.pk])).content.decode()
    assert "The buyer (vendor manager): hold a meeting within 24 hours." in html
    assert "Vendor Central: the Alerts panel on the home page" in html
    assert "1.25 weeks" in html
    assert f'href="/catalog/{product.pk}/" data-kind="asin"' in html
    assert 'href="/imports/7/" data-kind="import"' in html
    assert "Triggered" in html


def test_detail_actions_by_htmx_refresh_the_panel_and_the_history(
    brand_a: Tenant, vendor_ops: Any, finance: Any, client_for: Any
) -> None:
    alert = make_alert(brand_a.brand)
    client = client_for(vendor_ops)
    response = _htmx(client, reverse("alert-action", args=[alert.pk, "assign"]), {"assigned_to": finance.pk})
    html = response.content.decode()
    assert 'id="alert-panel"' in html and "Assigned to fin." in html
    assert 'id="alert-history" hx-swap-oob="true"' in html
    assert Alert.objects.get(pk=alert.pk).assigned_to == finance
    _htmx(client, reverse("alert-action", args=[alert.pk, "note"]), {"note": "Called the carrier."})
    assert list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True)) == ["ASSIGNED", "NOTE"]


def test_escalate_from_the_detail_page_emails_the_brand_managers(
    brand_a: Tenant, vendor_ops: Any, brand_manager: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alert = make_alert(brand_a.brand, code=RuleCode.PO_ON_TIME_LOW, severity="high")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(vendor_ops).post(
            reverse("alert-action", args=[alert.pk, "escalate"]), {"note": "Need a decision."}
        )
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == "ESCALATED"
    assert [m.to for m in mail.outbox] == [[brand_manager.email]]


# ------------------------------------------------------------------------------------- tenant isolation


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "assign", "escalate", "note"])
def test_another_brands_alert_is_a_404_everywhere(
    brand_b: Tenant, vendor_ops: Any, client_for: Any, action: str
) -> None:
    alert = make_alert(brand_b.brand)
    client = client_for(vendor_ops)
    assert client.get(reverse("alert-detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alert-action", args=[alert.pk, action]), {"note": "x"}).status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == "OPEN"
    assert client.get(reverse("alert-rule-edit", args=["OOS_RISK"]), {"brand": brand_b.brand.pk}).status_code == 404


# ---------------------------------------------------------------------------------------------- settings


def test_rules_page_lists_every_rule_with_its_effective_parameters(
    brand_a: Tenant, brand_manager: Any, client_for: Any
) -> None:
    response = client_for(brand_manager).get(reverse("alert-rules"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["settings"]) == 13
    for label in ("Out-of-stock risk", "Marketing Stream gap", "Dispute deadline near", "Content stale"):
        assert label in html
    assert "Safety weeks" in html


def test_brand_manager_edits_a_rule_for_the_brand(brand_a: Tenant, brand_manager: Any, client_for: Any) -> None:
    url = reverse("alert-rule-edit", args=["OOS_RISK"]) + f"?brand={brand_a.brand.pk}"
    client = client_for(brand_manager)
    form = client.get(url)
    assert form.context["form"]["p_safety_weeks"].value() == "1"
    data = {
        "brand": brand_a.brand.pk,
        "severity": "critical",
        "enabled": "on",
        "p_safety_weeks": "2",
        "p_ppoos_threshold": "0.04",
        "p_trailing_weeks": "4",
        "p_escalation_hours": "12",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    rule = AlertRule.objects.get(code="OOS_RISK", brand=brand_a.brand)
    assert rule.parameters == {
        "safety_weeks": "2",
        "ppoos_threshold": "0.04",
        "trailing_weeks": 4,
        "escalation_hours": 12,
    }
    assert rule.updated_by == brand_manager
    refused = client.post(url, {**data, "p_ppoos_threshold": "3"})
    assert refused.status_code == 200
    assert "ppoos_threshold: got 3, expected at most 1" in refused.content.decode()


def test_report_stale_rows_edit_the_watched_reports(brand_a: Tenant, brand_manager: Any, client_for: Any) -> None:
    url = reverse("alert-rule-edit", args=["REPORT_STALE"]) + f"?brand={brand_a.brand.pk}"
    data: dict[str, Any] = {"brand": brand_a.brand.pk, "severity": "medium", "enabled": "on"}
    for table in ("retail_sales", "retail_inventory", "retail_traffic", "retail_net_ppm", "ads_daily"):
        data.update({f"r_{table}_cadence": "WEEK", f"r_{table}_grace_hours": "72"})
    data.update({"r_ads_daily_watched": "on", "r_ads_daily_cadence": "DAY", "r_ads_daily_grace_hours": "48"})
    assert client_for(brand_manager).post(url, data).status_code == 302
    rule = AlertRule.objects.get(code="REPORT_STALE", brand=brand_a.brand)
    assert rule.parameters == {"reports": [{"fact_table": "ads_daily", "cadence": "DAY", "grace_hours": 48}]}


def test_finance_cannot_change_rules(brand_a: Tenant, finance: Any, client_for: Any) -> None:
    url = reverse("alert-rule-edit", args=["DISPUTE_DEADLINE"]) + f"?brand={brand_a.brand.pk}"
    response = client_for(finance).post(
        url, {"brand": brand_a.brand.pk, "severity": "low", "enabled": "on", "p_days_before": "3"}
    )
    assert response.status_code == 200
    assert "You need one of these roles to change alert rules" in response.content.decode()
    assert not AlertRule.objects.filter(brand=brand_a.brand).exists()


def test_benchmark_create_for_the_brand(brand_a: Tenant, brand_manager: Any, client_for: Any) -> None:
    url = reverse("alert-benchmark-create") + f"?brand={brand_a.brand.pk}"
    data = {
        "brand": brand_a.brand.pk,
        "metric": "SELL_THROUGH",
        "category": "Headphones",
        "value": "0.25",
        "source": "Agency study",
        "as_of": "2026-01-01",
    }
    assert client_for(brand_manager).post(url, data).status_code == 302
    benchmark = Benchmark.objects.get()
    assert (benchmark.brand, benchmark.value, benchmark.as_of) == (brand_a.brand, Decimal("0.25"), date(2026, 1, 1))
    duplicate = client_for(brand_manager).post(url, data)
    assert "exists already" in duplicate.content.decode()


def test_preferences_page_saves_and_sends_a_digest_now(brand_a: Tenant, vendor_ops: Any, client_for: Any) -> None:
    client = client_for(vendor_ops)
    assert client.post(reverse("alert-preferences"), {"frequency": "WEEKLY", "min_severity": "high"}).status_code == 302
    pref = AlertPreference.objects.get(user=vendor_ops)
    assert (pref.frequency, pref.min_severity) == ("WEEKLY", "high")
    make_alert(brand_a.brand, title="Critical one")
    client.post(reverse("alert-preferences"), {"send_now": "1"})
    assert len(mail.outbox) == 1 and "Critical one" in mail.outbox[0].body
