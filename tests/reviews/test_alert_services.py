"""The alert engine against the database: dedup on (rule, entity, period), automatic resolution after a
full clear cycle, re-trigger as a new alert, escalation timing with frozen time, lifecycle roles and the
per-brand rule settings."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.models import Product
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertRule
from reviews.alert_rules import RuleCode
from reviews.alert_services import alert_acknowledge
from reviews.alert_services import alert_assign
from reviews.alert_services import alert_escalate
from reviews.alert_services import alert_resolve
from reviews.alert_services import alert_rule_reset
from reviews.alert_services import alert_rule_update
from reviews.alert_services import alerts_escalate_due
from reviews.alert_services import alerts_evaluate
from reviews.alert_services import effective_rules
from reviews.services.rollups import rollups_recompute
from tests.conftest import Tenant
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory
from tests.reviews import factories as facts
from tests.reviews.alert_factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]
CONTENT = RuleCode.CONTENT_STALE
OOS = RuleCode.OOS_RISK


def _kinds(alert: Alert) -> list[str]:
    return list(AlertEvent.objects.filter(alert=alert).order_by("at", "pk").values_list("kind", flat=True))


def _fresh_content(product: Product, **changes: Any) -> None:
    values = {"aplus_content": True, "video_on_detail_page": True, "content_updated_at": date(2026, 3, 1), **changes}
    Product.objects.filter(pk=product.pk).update(**values)


# --------------------------------------------------------------------------------------- seeded rules


def test_default_rules_are_seeded_by_the_migration() -> None:
    defaults = {r.code: r for r in AlertRule.objects.filter(brand__isnull=True)}
    assert set(defaults) == set(RuleCode.values)
    assert defaults[OOS].severity == "critical"
    assert defaults[OOS].parameters["escalation_hours"] == 24
    assert defaults[RuleCode.JBP_ATTAINMENT_LOW].parameters == {"threshold": "0.70"}
    assert defaults[RuleCode.STREAM_GAP].parameters["silent_hours"] == "3"
    assert defaults[RuleCode.DISPUTE_DEADLINE].parameters == {"days_before": 7}


# ------------------------------------------------------------------------------ dedup and auto-resolve


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_evaluation_dedups_refreshes_and_resolves_after_two_clear_checks(brand_a: Tenant) -> None:
    product = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0STALE001")
    _fresh_content(product, video_on_detail_page=False)

    first = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert first.by_code[CONTENT].opened == 1
    alert = Alert.objects.get(code=CONTENT)
    assert (alert.status, alert.severity, alert.period_key) == ("OPEN", "low", "")
    assert alert.entity == product
    assert alert.vendor_code_id == brand_a.vendor_code.pk
    assert alert.evidence["reasons"] == ["NO_VIDEO"]
    assert alert.evidence["links"][0]["url"] == f"/catalog/{product.pk}/"

    # Same condition again: the same alert, refreshed, nothing new.
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=UTC), tick=False):
        second = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert (second.by_code[CONTENT].opened, second.by_code[CONTENT].refreshed) == (0, 1)
    assert Alert.objects.filter(code=CONTENT).count() == 1
    alert.refresh_from_db()
    assert alert.last_seen_at == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

    # The video is added: the first clear check only marks it.
    _fresh_content(product)
    with time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=UTC), tick=False):
        third = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    alert.refresh_from_db()
    assert third.by_code[CONTENT].cleared == 1
    assert alert.status == "OPEN"
    assert alert.clear_since == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)

    # The second clear check resolves it automatically.
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        fourth = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    alert.refresh_from_db()
    assert fourth.by_code[CONTENT].resolved == 1
    assert (alert.status, alert.resolution) == ("RESOLVED", "AUTO")
    assert alert.resolved_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert _kinds(alert) == ["TRIGGERED", "CLEARED", "AUTO_RESOLVED"]


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_condition_back_before_resolution_keeps_the_alert_and_after_opens_a_new_one(brand_a: Tenant) -> None:
    product = ProductFactory(vendor_code=brand_a.vendor_code)
    _fresh_content(product, aplus_content=False)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    first = Alert.objects.get()

    _fresh_content(product)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])  # cleared once
    _fresh_content(product, aplus_content=False)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])  # back: same alert, marker dropped
    first.refresh_from_db()
    assert (first.status, first.clear_since) == ("OPEN", None)
    assert _kinds(first) == ["TRIGGERED", "CLEARED", "RECURRED"]

    # Resolved by a person while the condition is still there: the resolution holds.
    alert_resolve(alert=first, user=_member(brand_a, "bm"), note="A+ content is being uploaded.")
    held = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert (held.by_code[CONTENT].opened, held.by_code[CONTENT].held) == (0, 1)
    # The condition goes away (re-arms the rule) and comes back: a NEW alert.
    _fresh_content(product)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert Alert.objects.get(pk=first.pk).clear_since is not None
    _fresh_content(product, aplus_content=False)
    result = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert result.by_code[CONTENT].opened == 1
    assert Alert.objects.count() == 2
    newer = Alert.objects.exclude(pk=first.pk).get()
    assert newer.status == "OPEN"
    assert Alert.objects.get(pk=first.pk).status == "RESOLVED"


def _member(tenant: Tenant, username: str, role: str = "brand_manager") -> Any:
    from tests.factories import MembershipFactory
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    MembershipFactory(user=user, brand=tenant.brand, role=role)
    return user


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_vendor_scoped_evaluation_does_not_clear_other_vendor_codes(brand_a: Tenant) -> None:
    other_vc = VendorCodeFactory(brand=brand_a.brand, code="ACMEX")
    mine = ProductFactory(vendor_code=brand_a.vendor_code)
    theirs = ProductFactory(vendor_code=other_vc)
    _fresh_content(mine, aplus_content=False)
    _fresh_content(theirs, aplus_content=False)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert Alert.objects.filter(status="OPEN").count() == 2

    _fresh_content(mine)
    _fresh_content(theirs)
    # Two checks scoped to the first vendor code: only its alert resolves.
    for hour in (10, 11):
        with time_machine.travel(datetime(2026, 3, 10, hour, tzinfo=UTC), tick=False):
            alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT], vendor_code_ids=[brand_a.vendor_code.pk])
    assert Alert.objects.get(object_id=str(mine.pk)).status == "RESOLVED"
    other = Alert.objects.get(object_id=str(theirs.pk))
    assert (other.status, other.clear_since) == ("OPEN", None)


def test_brands_are_evaluated_apart(brand_a: Tenant, brand_b: Tenant) -> None:
    _fresh_content(ProductFactory(vendor_code=brand_a.vendor_code), aplus_content=False)
    _fresh_content(ProductFactory(vendor_code=brand_b.vendor_code), aplus_content=False)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert list(Alert.objects.values_list("brand_id", flat=True)) == [brand_a.brand.pk]


def test_disabled_rule_is_skipped(brand_a: Tenant, brand_manager: Any) -> None:
    _fresh_content(ProductFactory(vendor_code=brand_a.vendor_code), aplus_content=False)
    alert_rule_update(
        brand=brand_a.brand, code=CONTENT, user=brand_manager, parameters={}, severity="low", enabled=False
    )
    result = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    assert result.skipped == [CONTENT]
    assert not Alert.objects.exists()


# ----------------------------------------------------------------------------- OOS_RISK and escalation

W1, W2, W3, W4 = date(2026, 2, 8), date(2026, 2, 15), date(2026, 2, 22), date(2026, 3, 1)


def _stock_facts(tenant: Tenant, asin: str, on_hand_last_week: int, lead_days: str = "21") -> None:
    vc = tenant.vendor_code
    for week in (W1, W2, W3, W4):
        end = week + timedelta(days=6)
        facts.sales(vc, asin, week, end, grain="WEEK", shipped_units=300, customer_returns=0)
        facts.inventory(
            vc,
            asin,
            week,
            end,
            grain="WEEK",
            sellable_on_hand_inventory_units=on_hand_last_week if week == W4 else 3000,
            unfilled_customer_ordered_units=0,
            average_vendor_lead_time_days=Decimal(lead_days),
            net_received_inventory_units=300,
        )
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=W1, period_end=W4 + timedelta(days=6))


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_oos_risk_from_rollups_at_the_domain_boundary(brand_a: Tenant) -> None:
    # DOMAIN.md §4.3: 1,200 units on hand at 300 a week = 4.0 weeks; lead time 3 weeks + 1 safety = 4.
    at_boundary = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0COVER400")
    below = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0COVER399")
    _stock_facts(brand_a, at_boundary.asin, 1200)
    _stock_facts(brand_a, below.asin, 1199)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[OOS])
    alert = Alert.objects.get(code=OOS)
    assert alert.entity == below
    assert alert.measured_value == (Decimal(1199) / 300).quantize(Decimal("0.00000001"))
    assert alert.threshold == Decimal(4)
    assert alert.severity == "critical"
    assert alert.escalation_due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    numbers = {n["label"]: n["value"] for n in alert.evidence["numbers"]}
    assert numbers["Sellable on hand"] == 1199
    assert numbers["Average weekly shipped units"] == "300"
    kinds = [link["kind"] for link in alert.evidence["links"]]
    assert kinds[0] == "asin"


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_unacknowledged_critical_alert_escalates_at_its_deadline_and_emails_brand_managers(
    brand_a: Tenant, brand_manager: Any, vendor_ops: Any
) -> None:
    alert = make_alert(brand_a.brand, triggered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    alert.escalation_due_at = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    alert.save()

    with time_machine.travel(datetime(2026, 3, 11, 8, 59, 59, tzinfo=UTC), tick=False):
        assert alerts_escalate_due() == 0
    assert Alert.objects.get(pk=alert.pk).status == "OPEN"
    assert mail.outbox == []

    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        assert alerts_escalate_due() == 1
        assert alerts_escalate_due() == 0  # idempotent: claimed once
    alert.refresh_from_db()
    assert alert.status == "ESCALATED"
    assert alert.escalated_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [brand_manager.email]  # vendor ops is not an owner
    assert "Escalated" in mail.outbox[0].subject
    assert "buyer" in mail.outbox[0].body  # the first response travels with it
    assert f"/alerts/{alert.pk}/" in mail.outbox[0].body
    assert _kinds(alert) == ["ESCALATED", "NOTIFIED"]


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_acknowledged_alert_does_not_escalate(brand_a: Tenant, vendor_ops: Any) -> None:
    alert = make_alert(brand_a.brand, escalation_due_at=datetime(2026, 3, 11, 9, 0, tzinfo=UTC))
    alert_acknowledge(alert=alert, user=vendor_ops, note="Buyer meeting booked for tomorrow 10:00.")
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=UTC), tick=False):
        assert alerts_escalate_due() == 0
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.assigned_to) == ("ACKNOWLEDGED", vendor_ops, vendor_ops)
    assert mail.outbox == []


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_escalation_deadline_follows_the_brand_parameter(brand_a: Tenant, brand_manager: Any) -> None:
    alert_rule_update(
        brand=brand_a.brand,
        code=OOS,
        user=brand_manager,
        parameters={"escalation_hours": 8},
        severity="critical",
        enabled=True,
    )
    product = ProductFactory(vendor_code=brand_a.vendor_code, asin="B0COVER100")
    _stock_facts(brand_a, product.asin, 100)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[OOS])
    assert Alert.objects.get().escalation_due_at == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------------------- lifecycle


def test_lifecycle_steps_need_a_working_role_and_keep_history(
    brand_a: Tenant, viewer: Any, finance: Any, outsider: Any
) -> None:
    alert = make_alert(brand_a.brand)
    with pytest.raises(PermissionRefused):
        alert_acknowledge(alert=alert, user=viewer)
    with pytest.raises(PermissionRefused):
        alert_acknowledge(alert=alert, user=outsider)
    alert_acknowledge(alert=alert, user=finance)
    with pytest.raises(ApplicationError, match="Acknowledged already"):
        alert_acknowledge(alert=alert, user=finance)
    with pytest.raises(ApplicationError, match="note is required"):
        alert_resolve(alert=alert, user=finance, note="  ")
    with pytest.raises(ApplicationError, match="not a member"):
        alert_assign(alert=alert, user=finance, assignee=outsider)
    alert_resolve(alert=alert, user=finance, note="Chargeback disputed.")
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.resolved_by, alert.note) == (
        "RESOLVED",
        "MANUAL",
        finance,
        "Chargeback disputed.",
    )
    events = list(AlertEvent.objects.filter(alert=alert).order_by("pk").values_list("kind", "from_status", "to_status"))
    assert events == [("ACKNOWLEDGED", "OPEN", "ACKNOWLEDGED"), ("RESOLVED", "ACKNOWLEDGED", "RESOLVED")]
    with pytest.raises(ApplicationError, match="resolved already"):
        alert_escalate(alert=alert, user=finance)


def test_history_is_append_only(brand_a: Tenant, finance: Any) -> None:
    alert = make_alert(brand_a.brand)
    alert_acknowledge(alert=alert, user=finance)
    event = AlertEvent.objects.get()
    event.note = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


def test_manual_escalation_emails_the_owners(
    brand_a: Tenant, brand_manager: Any, vendor_ops: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alert = make_alert(brand_a.brand, code=RuleCode.PO_ON_TIME_LOW, severity="high")
    with django_capture_on_commit_callbacks(execute=True):
        alert_escalate(alert=alert, user=vendor_ops, note="Carrier strike, need a decision.")
    assert Alert.objects.get(pk=alert.pk).status == "ESCALATED"
    assert [m.to for m in mail.outbox] == [[brand_manager.email]]
    assert "escalated by ops" in mail.outbox[0].body


# --------------------------------------------------------------------------------------- rule settings


def test_rule_update_validates_and_keeps_a_brand_row(brand_a: Tenant, brand_manager: Any, finance: Any) -> None:
    with pytest.raises(PermissionRefused):
        alert_rule_update(brand=brand_a.brand, code=OOS, user=finance, parameters={}, severity="high", enabled=True)
    with pytest.raises(ApplicationError, match="safety_weeks: got -1, expected at least 0"):
        alert_rule_update(
            brand=brand_a.brand,
            code=OOS,
            user=brand_manager,
            parameters={"safety_weeks": "-1"},
            severity="high",
            enabled=True,
        )
    rule = alert_rule_update(
        brand=brand_a.brand,
        code=OOS,
        user=brand_manager,
        parameters={"safety_weeks": "2"},
        severity="high",
        enabled=True,
    )
    assert rule.brand == brand_a.brand
    assert rule.parameters["safety_weeks"] == "2"
    assert rule.parameters["ppoos_threshold"] == "0.05"  # defaults filled in
    assert effective_rules(brand_a.brand.pk)[OOS] == rule
    assert AlertRule.objects.get(code=OOS, brand__isnull=True).parameters["safety_weeks"] == "1"
    assert rule.history.count() == 1

    alert = make_alert(brand_a.brand)
    alert_rule_reset(brand=brand_a.brand, code=OOS, user=brand_manager)
    assert not AlertRule.objects.filter(code=OOS, brand=brand_a.brand).exists()
    alert.refresh_from_db()
    assert alert.rule.brand_id is None  # the alert moved to the default rule, its history kept


def test_turning_a_rule_off_resolves_its_open_alerts(brand_a: Tenant, brand_manager: Any) -> None:
    alert = make_alert(brand_a.brand, code=CONTENT, severity="low")
    alert_rule_update(
        brand=brand_a.brand, code=CONTENT, user=brand_manager, parameters={}, severity="low", enabled=False
    )
    alert.refresh_from_db()
    assert (alert.status, alert.note) == ("RESOLVED", "Rule turned off for the brand.")


def test_a_failing_rule_does_not_stop_the_others(brand_a: Tenant) -> None:
    # Parameters broken behind the services' back (a raw SQL edit): that rule fails, the others run.
    AlertRule.objects.filter(code=RuleCode.STREAM_GAP, brand__isnull=True).update(parameters={"silent_hours": "soon"})
    _fresh_content(ProductFactory(vendor_code=brand_a.vendor_code), aplus_content=False)
    result = alerts_evaluate(brand_id=brand_a.brand.pk, codes=[RuleCode.STREAM_GAP, CONTENT])
    assert list(result.failed) == [RuleCode.STREAM_GAP]
    assert "silent_hours: got 'soon', expected a number" in result.failed[RuleCode.STREAM_GAP]
    assert result.by_code[CONTENT].opened == 1


def test_rule_turned_off_in_the_admin_resolves_its_alerts_at_the_next_evaluation(brand_a: Tenant) -> None:
    alert = make_alert(brand_a.brand, code=CONTENT, severity="low")
    AlertRule.objects.filter(code=CONTENT, brand__isnull=True).update(enabled=False)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[CONTENT])
    alert.refresh_from_db()
    assert (alert.status, alert.note, alert.resolved_by) == ("RESOLVED", "Rule turned off for the brand.", None)
