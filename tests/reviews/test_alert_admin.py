"""The alert admin: rules and benchmarks editable (parameters checked against the rule's schema), alerts
read-only with their history, lifecycle through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from reviews.alert_models import Alert
from reviews.alert_models import AlertRule
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.reviews.alert_factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]


@pytest.fixture
def staff(brand_a: Tenant) -> Any:
    user = UserFactory(username="staff", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, brand=brand_a.brand, role="vendor_ops")
    return user


def test_admin_pages_load(staff: Any, brand_a: Tenant, client_for: Any) -> None:
    alert = make_alert(brand_a.brand)
    client: Client = client_for(staff)
    for url in (
        "/admin/reviews/alert/",
        f"/admin/reviews/alert/{alert.pk}/change/",
        "/admin/reviews/alertrule/",
        "/admin/reviews/benchmark/",
        "/admin/reviews/alertpreference/",
    ):
        assert client.get(url).status_code == 200, url


def test_admin_refuses_bad_rule_parameters(staff: Any, client_for: Any) -> None:
    rule = AlertRule.objects.get(code="DISPUTE_DEADLINE", brand__isnull=True)
    url = f"/admin/reviews/alertrule/{rule.pk}/change/"
    data = {
        "code": "DISPUTE_DEADLINE",
        "brand": "",
        "severity": "high",
        "enabled": "on",
        "parameters": '{"days_before": -3}',
    }
    response = client_for(staff).post(url, data)
    assert response.status_code == 200
    assert "days_before: got -3" in response.content.decode()
    rule.refresh_from_db()
    assert rule.parameters == {"days_before": 7}
    client_for(staff).post(url, {**data, "parameters": '{"days_before": 10}'})
    rule.refresh_from_db()
    assert (rule.parameters, rule.updated_by) == ({"days_before": 10}, staff)


def test_admin_actions_go_through_the_services(staff: Any, brand_a: Tenant, client_for: Any) -> None:
    alert = make_alert(brand_a.brand)
    client_for(staff).post("/admin/reviews/alert/", {"action": "acknowledge_selected", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("ACKNOWLEDGED", staff)
    assert alert.events.get().kind == "ACKNOWLEDGED"
    assert Alert.objects.count() == 1
