"""The email digest (content in mail.outbox, preferences, once a day) and the tasks and triggers that run
the alert engine."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from ingest.listeners import FactsChanged
from ingest.listeners import registered_listeners
from reviews import alert_tasks
from reviews.alert_models import Alert
from reviews.alert_models import AlertPreference
from reviews.alert_rules import RuleCode
from reviews.alert_services import digest_send
from reviews.alert_services import digests_send_due
from reviews.alert_services import preference_update
from reviews.alert_services import site_url
from reviews.alert_tasks import alerts_escalate_task
from reviews.alert_tasks import alerts_evaluate_all_task
from reviews.alert_tasks import alerts_evaluate_scheduled_task
from reviews.alert_tasks import alerts_send_digests_task
from reviews.alert_tasks import connect_alerts
from reviews.alert_tasks import on_facts_changed
from reviews.alert_tasks import on_rollups_recomputed
from reviews.hooks import registered_after_rollup
from reviews.hooks import run_after_rollup
from tests.conftest import Tenant
from tests.factories import ProductFactory
from tests.reviews.alert_factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]
MONDAY = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _seed(tenant: Tenant, user: Any) -> dict[str, Alert]:
    return {
        "escalated": make_alert(
            tenant.brand, title="B0OUT: 0.5 weeks of cover", status="ESCALATED", triggered_at=MONDAY - timedelta(days=2)
        ),
        "mine": make_alert(
            tenant.brand,
            code=RuleCode.PO_ON_TIME_LOW,
            severity="high",
            title="ACMEU: PO on-time 87.0 %",
            assigned_to=user,
            triggered_at=MONDAY - timedelta(days=3),
            unit="ratio",
            measured_value="0.87",
            threshold="0.90",
        ),
        "new": make_alert(
            tenant.brand,
            code=RuleCode.DISPUTE_DEADLINE,
            severity="high",
            title="Co-op dispute #4: not filed, 5 days left",
            triggered_at=TUESDAY - timedelta(hours=3),
            unit="days",
            measured_value=5,
            threshold=7,
        ),
        "old": make_alert(
            tenant.brand,
            code=RuleCode.COOP_VARIANCE,
            severity="medium",
            title="Invoice INV-1 variance",
            triggered_at=MONDAY - timedelta(days=9),
        ),
        "low": make_alert(tenant.brand, code=RuleCode.CONTENT_STALE, severity="low", title="B0LOW: no video"),
        "done": make_alert(
            tenant.brand,
            code=RuleCode.ASN_LATE,
            severity="medium",
            title="Shipment S1 late",
            status="RESOLVED",
            resolved_at=TUESDAY - timedelta(hours=5),
        ),
    }


@time_machine.travel(TUESDAY, tick=False)
def test_daily_digest_groups_alerts_and_respects_the_minimum_severity(
    brand_a: Tenant, vendor_ops: Any, brand_b: Tenant, outsider: Any
) -> None:
    alerts = _seed(brand_a, vendor_ops)
    make_alert(brand_b.brand, title="Another brand's secret alert")
    AlertPreference.objects.create(user=vendor_ops, last_digest_at=MONDAY)

    assert digests_send_due() == 2  # ops and the outsider (each about their own brand)
    [message] = [m for m in mail.outbox if m.to == [vendor_ops.email]]
    body = message.body
    assert message.subject == "[Coopdesk] 4 open alerts, 1 escalated"
    # Sections in order, each alert once; the low one stays out (minimum: medium).
    order = [body.index(h) for h in ("ESCALATED (1)", "ASSIGNED TO YOU (1)", "NEW SINCE", "STILL OPEN (1)")]
    assert order == sorted(order)
    for key in ("escalated", "mine", "new", "old"):
        assert body.count(alerts[key].title) == 1, key
    assert alerts["low"].title not in body
    assert "Another brand's secret alert" not in body
    assert "1 resolved since the last digest" in body
    assert f"{site_url()}/alerts/{alerts['new'].pk}/" in body
    assert "measured 87.0 % vs 90.0 %" in body
    html = message.alternatives[0][0]  # type: ignore[index]
    assert "Escalated (1)" in html and alerts["mine"].title in html and alerts["low"].title not in html
    pref = AlertPreference.objects.get(user=vendor_ops)
    assert pref.last_digest_at == TUESDAY

    # Once a day: a second run sends nothing.
    mail.outbox.clear()
    assert digests_send_due() == 0
    assert mail.outbox == []


def test_weekly_digest_goes_out_on_mondays_and_off_means_off(brand_a: Tenant, vendor_ops: Any, finance: Any) -> None:
    _seed(brand_a, vendor_ops)
    preference_update(user=vendor_ops, frequency="WEEKLY", min_severity="critical")
    preference_update(user=finance, frequency="OFF", min_severity="low")
    with time_machine.travel(TUESDAY, tick=False):
        digests_send_due()
    assert [m.to for m in mail.outbox] == []
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        digests_send_due()
    [message] = mail.outbox
    assert message.to == [vendor_ops.email]
    assert message.subject == "[Coopdesk] 1 open alert, 1 escalated"  # critical only


def test_no_digest_when_nothing_is_open(brand_a: Tenant, vendor_ops: Any) -> None:
    make_alert(brand_a.brand, status="RESOLVED")
    assert digest_send(user=vendor_ops) is False
    assert alerts_send_digests_task() == 0
    assert mail.outbox == []


# ------------------------------------------------------------------------------------ tasks and triggers


def test_connect_alerts_registers_the_listener_and_the_hook() -> None:
    connect_alerts()
    assert registered_listeners()["reviews.alerts"] is on_facts_changed
    assert registered_after_rollup()["reviews.alerts"] is on_rollups_recomputed


@time_machine.travel(TUESDAY, tick=False)
def test_an_import_evaluates_the_import_rules_of_its_brand_once_per_burst(brand_a: Tenant, brand_b: Tenant) -> None:
    from tests.reviews import factories as facts

    facts.shipment_line(
        brand_a.vendor_code,
        "S-LATE",
        "PO1",
        "B0X0000001",
        confirmed_at=None,
        shipped_at=facts.utc(2026, 3, 6),
        delivered_at=facts.utc(2026, 3, 8),
        shipped_units=5,
    )
    event = FactsChanged(None, "shipment_line", (brand_a.vendor_code.pk,), ("ATVPDKIKX0DER",), date(2026, 3, 1), None)
    on_facts_changed(event)  # eager in tests: the debounced task runs at once
    assert set(Alert.objects.values_list("code", "period_key")) == {
        (RuleCode.ASN_LATE, "ASN S-LATE"),
        (RuleCode.ASN_LATE, "week 2026-03-01"),
    }
    # Still inside the debounce window (the marker is cleared by the task; set it as a queued task would).
    cache.add(alert_tasks.pending_key(brand_a.brand.pk, "import"), 1)

    assert alert_tasks._enqueue([brand_a.brand.pk, brand_b.brand.pk], "import") == [brand_b.brand.pk]


@time_machine.travel(TUESDAY, tick=False)
def test_a_rollup_recompute_evaluates_the_rollup_rules(brand_a: Tenant) -> None:
    connect_alerts()
    # Rollup rules include OOS_RISK, not CONTENT_STALE: a stale ASN stays silent after a recompute.
    ProductFactory(vendor_code=brand_a.vendor_code)
    run_after_rollup([brand_a.vendor_code.pk], date(2026, 3, 1), date(2026, 3, 7))
    assert not Alert.objects.filter(code=RuleCode.CONTENT_STALE).exists()
    # The daily sweep evaluates every rule.
    summary = alerts_evaluate_all_task()
    assert summary["opened"] >= 1
    assert Alert.objects.filter(code=RuleCode.CONTENT_STALE, brand=brand_a.brand).count() == 1


@time_machine.travel(TUESDAY, tick=False)
def test_scheduled_and_escalation_tasks(brand_a: Tenant, brand_manager: Any) -> None:
    summary = alerts_evaluate_scheduled_task()
    assert summary["failed"] == {}
    alert = make_alert(brand_a.brand, escalation_due_at=TUESDAY - timedelta(minutes=1))
    assert alerts_escalate_task() == 1
    assert Alert.objects.get(pk=alert.pk).status == "ESCALATED"
    assert len(mail.outbox) == 1
