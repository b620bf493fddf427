"""Writes of the alerts: evaluation (findings -> alerts), the lifecycle steps, escalation, rule settings,
benchmarks and the email digest.

Evaluation of one rule for one brand:
1. the brand's effective rule (its own row, else the default row) gives severity and parameters;
2. a selector of reviews.alert_inputs reads the data and the rule's pure function returns findings;
3. `_sync` reconciles the findings with the brand's active alerts of that rule, in one transaction:
   a finding with an active alert on the same (entity, period key) refreshes its numbers (and clears
   `clear_since`); a new one opens an alert; an active alert in the evaluated scope that was not found
   gets `clear_since`, and is resolved automatically when the next evaluation does not find it either.
Running it twice with the same data changes nothing the second time, so the tasks that call it are
idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.exceptions import ApplicationError
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.roles import require_role
from reviews import alert_inputs as inputs
from reviews.alert_guidance import guidance_for
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertPreference
from reviews.alert_models import AlertRule
from reviews.alert_models import Benchmark
from reviews.alert_rules import SPECS
from reviews.alert_rules import Finding
from reviews.alert_rules import RuleCode
from reviews.alert_rules import Severity
from reviews.alert_rules import ads as ads_rules
from reviews.alert_rules import content as content_rules
from reviews.alert_rules import feeds as feed_rules
from reviews.alert_rules import jbp as jbp_rules
from reviews.alert_rules import money as money_rules
from reviews.alert_rules import promotions as promo_rules
from reviews.alert_rules import retail as retail_rules
from reviews.alert_rules import severities_at_least
from reviews.alert_rules import supply as supply_rules
from reviews.alert_rules import validate_parameters

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

logger = logging.getLogger(__name__)
Role = Membership.Role
Status = Alert.Status
Kind = AlertEvent.Kind

# Who may work alerts (acknowledge, assign, resolve): every member who is not a viewer.
ACT_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)
# Who may change a brand's rule parameters and benchmarks.
SETTINGS_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS)
# Critical alerts without an escalation_hours parameter of their own escalate after this.
DEFAULT_ESCALATION_HOURS = 24


# ------------------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class EvalContext:
    brand: Brand
    vendor_code_ids: list[int] | None  # None = every vendor code of the brand
    now: datetime
    params: dict[str, Any]

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


@dataclass
class RuleRun:
    """Findings of one rule, and which active alerts the run could have found again.

    vendor_scope: only alerts of these vendor codes are judged clear when not found (None = all of the
    brand's alerts of the rule). period_keys: only alerts with these keys are (None = any key); event rules
    use it so that events older than the look-back are left alone instead of "clearing".
    """

    findings: list[Finding]
    vendor_scope: list[int] | None = None
    period_keys: set[str] | None = None


def _run_jbp(ctx: EvalContext) -> RuleRun:
    paces = inputs.jbp_target_paces(brand_id=ctx.brand.pk, today=ctx.today)
    return RuleRun(jbp_rules.evaluate(paces, ctx.params))


def _run_sell_through(ctx: EvalContext) -> RuleRun:
    series = inputs.sell_through_series(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        today=ctx.today,
        weeks=int(ctx.params["weeks"]),
        dimension=ctx.params["dimension"],
    )
    return RuleRun(retail_rules.evaluate_sell_through(series, ctx.params), ctx.vendor_code_ids)


def _run_oos(ctx: EvalContext) -> RuleRun:
    positions = inputs.oos_positions(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        today=ctx.today,
        trailing_weeks=int(ctx.params["trailing_weeks"]),
    )
    return RuleRun(retail_rules.evaluate_oos(positions, ctx.params), ctx.vendor_code_ids)


def _run_asn_late(ctx: EvalContext) -> RuleRun:
    shipments = inputs.asn_shipments(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        now=ctx.now,
        lookback_days=int(ctx.params["lookback_days"]),
    )
    findings = supply_rules.evaluate_asn_late(shipments, ctx.params)
    judged = [s for s in shipments if s.arrived_at is not None]
    keys = {supply_rules.shipment_key(s.shipment_id) for s in judged}
    keys |= {supply_rules.week_key(supply_rules.shipment_week(s)) for s in judged}
    keys |= {f.period_key for f in findings}
    return RuleRun(findings, ctx.vendor_code_ids, keys)


def _run_asn_inaccurate(ctx: EvalContext) -> RuleRun:
    receipts = inputs.asn_receipts(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        now=ctx.now,
        lookback_days=int(ctx.params["lookback_days"]),
    )
    findings = supply_rules.evaluate_asn_inaccurate(receipts, ctx.params)
    judged = {
        supply_rules.shipment_key(r.shipment_id)
        for r in receipts
        if r.arrived_at is not None and all(ln.received_units is not None for ln in r.lines)
    }
    return RuleRun(findings, ctx.vendor_code_ids, judged | {f.period_key for f in findings})


def _run_po_on_time(ctx: EvalContext) -> RuleRun:
    series = inputs.po_on_time_series(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        today=ctx.today,
        trailing_weeks=int(ctx.params["trailing_weeks"]),
        settle_weeks=int(ctx.params["settle_weeks"]),
    )
    return RuleRun(supply_rules.evaluate_po_on_time(series, ctx.params), ctx.vendor_code_ids)


def _run_stream_gap(ctx: EvalContext) -> RuleRun:
    states = inputs.stream_states(
        brand_id=ctx.brand.pk, now=ctx.now, live_lookback_days=int(ctx.params["live_lookback_days"])
    )
    return RuleRun(feed_rules.evaluate_stream_gap(states, ctx.params, now=ctx.now))


def _run_report_stale(ctx: EvalContext) -> RuleRun:
    tables = [r["fact_table"] for r in ctx.params["reports"]]
    reports = inputs.report_freshness(brand_id=ctx.brand.pk, vendor_code_ids=None, fact_tables=tables)
    tz = timezone.get_current_timezone()
    return RuleRun(feed_rules.evaluate_report_stale(reports, ctx.params, now=ctx.now, tz=tz))


def _run_coop_variance(ctx: EvalContext) -> RuleRun:
    checks = inputs.coop_invoice_checks(brand_id=ctx.brand.pk, vendor_code_ids=ctx.vendor_code_ids)
    return RuleRun(money_rules.evaluate_coop_variance(checks, ctx.params), ctx.vendor_code_ids)


def _run_dispute_deadline(ctx: EvalContext) -> RuleRun:
    due = inputs.disputes_due(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        today=ctx.today,
        within_days=int(ctx.params["days_before"]),
    )
    return RuleRun(money_rules.evaluate_dispute_deadline(due, ctx.params, today=ctx.today), ctx.vendor_code_ids)


def _run_promo(ctx: EvalContext) -> RuleRun:
    risks = inputs.promotion_risks(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        now=ctx.now,
        pending_window_days=int(ctx.params["pending_window_days"]),
    )
    return RuleRun(promo_rules.evaluate(risks, ctx.params), ctx.vendor_code_ids)


def _run_acos(ctx: EvalContext) -> RuleRun:
    weeks = inputs.acos_weeks(
        brand_id=ctx.brand.pk,
        vendor_code_ids=ctx.vendor_code_ids,
        today=ctx.today,
        final_after_days=int(ctx.params["final_after_days"]),
    )
    return RuleRun(ads_rules.evaluate(weeks, ctx.params), ctx.vendor_code_ids)


def _run_content(ctx: EvalContext) -> RuleRun:
    states = inputs.content_states(brand_id=ctx.brand.pk, vendor_code_ids=ctx.vendor_code_ids)
    return RuleRun(content_rules.evaluate(states, ctx.params, today=ctx.today), ctx.vendor_code_ids)


RUNNERS: dict[str, Callable[[EvalContext], RuleRun]] = {
    RuleCode.JBP_ATTAINMENT_LOW: _run_jbp,
    RuleCode.SELL_THROUGH_BELOW_BENCHMARK: _run_sell_through,
    RuleCode.ASN_LATE: _run_asn_late,
    RuleCode.ASN_INACCURATE: _run_asn_inaccurate,
    RuleCode.PO_ON_TIME_LOW: _run_po_on_time,
    RuleCode.STREAM_GAP: _run_stream_gap,
    RuleCode.REPORT_STALE: _run_report_stale,
    RuleCode.OOS_RISK: _run_oos,
    RuleCode.COOP_VARIANCE: _run_coop_variance,
    RuleCode.DISPUTE_DEADLINE: _run_dispute_deadline,
    RuleCode.PROMO_LEAD_TIME: _run_promo,
    RuleCode.ACOS_ABOVE_TARGET: _run_acos,
    RuleCode.CONTENT_STALE: _run_content,
}
assert set(RUNNERS) == set(SPECS)


@dataclass
class SyncResult:
    opened: int = 0
    refreshed: int = 0
    cleared: int = 0
    resolved: int = 0
    held: int = 0  # found again, but a person resolved it while the condition persisted

    def add(self, other: SyncResult) -> None:
        self.opened += other.opened
        self.refreshed += other.refreshed
        self.cleared += other.cleared
        self.resolved += other.resolved
        self.held += other.held


@dataclass
class EvaluationResult:
    by_code: dict[str, SyncResult] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # disabled rules
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> SyncResult:
        total = SyncResult()
        for result in self.by_code.values():
            total.add(result)
        return total


def effective_rules(brand_id: int) -> dict[str, AlertRule]:
    """Each code's rule for the brand: its own row when it has one, else the default row (created from
    the rule's defaults if it went missing)."""
    rows = list(AlertRule.objects.filter(Q(brand_id=brand_id) | Q(brand__isnull=True)))
    rules: dict[str, AlertRule] = {r.code: r for r in rows if r.brand_id is None}
    rules.update({r.code: r for r in rows if r.brand_id is not None})
    for code, spec in SPECS.items():
        if code not in rules:
            rules[code], _ = AlertRule.objects.get_or_create(
                code=code,
                brand=None,
                defaults={"severity": spec.default_severity, "parameters": dict(spec.defaults)},
            )
    return rules


def rule_parameters(rule: AlertRule) -> dict[str, Any]:
    """The rule's defaults overlaid with its stored parameters (rows keep what was set, code adds new keys)."""
    return validate_parameters(SPECS[rule.code], rule.parameters)


def alerts_evaluate(
    *,
    brand_id: int,
    codes: Iterable[str] | None = None,
    vendor_code_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> EvaluationResult:
    """Evaluate rules for one brand (optionally only some vendor codes) and sync its alerts.

    A rule that fails is logged and reported in the result; the other rules still run.
    """
    now = now or timezone.now()
    brand = Brand.objects.get(pk=brand_id)
    rules = effective_rules(brand_id)
    result = EvaluationResult()
    ids = sorted({int(i) for i in vendor_code_ids}) if vendor_code_ids is not None else None
    for code in codes if codes is not None else list(SPECS):
        rule = rules[code]
        if not rule.enabled:
            result.skipped.append(code)
            # Turned off outside the settings page (the admin): its alerts go too.
            with transaction.atomic():
                _resolve_for_disabled_rule(brand, code, None)
            continue
        try:
            ctx = EvalContext(brand=brand, vendor_code_ids=ids, now=now, params=rule_parameters(rule))
            run = RUNNERS[code](ctx)
            result.by_code[code] = _sync_with_retry(brand, rule, run, now)
        except Exception as exc:  # one broken rule must not stop the others (logged with its traceback)
            logger.exception("alert rule %s failed for brand %s", code, brand_id)
            result.failed[code] = str(exc)
    return result


def _sync_with_retry(brand: Brand, rule: AlertRule, run: RuleRun, now: datetime) -> SyncResult:
    try:
        return _sync(brand, rule, run, now)
    except IntegrityError:
        # Another evaluation opened the same alert between our read and our insert: read again.
        return _sync(brand, rule, run, now)


def _content_type(model_label: str) -> ContentType:
    app_label, model = model_label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


def _escalation_hours(rule: AlertRule) -> int:
    return int(rule_parameters(rule).get("escalation_hours", DEFAULT_ESCALATION_HOURS))


def _event(
    alert: Alert,
    kind: str,
    *,
    actor: Any = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    at: datetime | None = None,
) -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        actor=actor,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
    )


def _apply_finding(alert: Alert, finding: Finding) -> None:
    alert.title = finding.title[:300]
    alert.entity_label = finding.entity.label[:200]
    alert.entity_url = finding.entity.url[:300]
    alert.measured_value = finding.measured_value
    alert.threshold = finding.threshold
    alert.unit = finding.unit
    alert.currency = finding.currency
    alert.vendor_code_id = finding.vendor_code_id
    alert.evidence = finding.evidence()


def _sync(brand: Brand, rule: AlertRule, run: RuleRun, now: datetime) -> SyncResult:
    result = SyncResult()
    with transaction.atomic():
        scoped = Alert.objects.select_for_update().filter(brand=brand, code=rule.code, status__in=Alert.ACTIVE_STATUSES)
        everything = {(a.content_type_id, a.object_id, a.period_key): a for a in scoped}
        in_scope = {key for key, a in everything.items() if _in_scope(run, a.vendor_code_id, a.period_key)}
        # Resolved by a person while the condition was still there: that resolution holds until the
        # condition has been absent once (then `clear_since` re-arms the rule for a new alert).
        held = {
            (a.content_type_id, a.object_id, a.period_key): a
            for a in Alert.objects.select_for_update().filter(
                brand=brand,
                code=rule.code,
                status=Status.RESOLVED,
                resolution=Alert.Resolution.MANUAL,
                clear_since__isnull=True,
            )
        }
        seen: set[tuple[int, str, str]] = set()
        for finding in run.findings:
            ct = _content_type(finding.entity.model)
            key = (ct.pk, finding.entity.pk, finding.period_key)
            if key in seen:
                continue  # two findings for the same key in one run: the first one speaks
            seen.add(key)
            severity = finding.severity or rule.severity
            alert = everything.get(key)
            if alert is None and key in held:
                held[key].last_seen_at = now
                held[key].save(update_fields=["last_seen_at", "updated_at"])
                result.held += 1
                continue
            if alert is None:
                alert = Alert(
                    rule=rule,
                    code=rule.code,
                    brand=brand,
                    content_type=ct,
                    object_id=finding.entity.pk,
                    period_key=finding.period_key,
                    severity=severity,
                    triggered_at=now,
                    last_seen_at=now,
                )
                if severity == Severity.CRITICAL:
                    alert.escalation_due_at = now + timedelta(hours=_escalation_hours(rule))
                _apply_finding(alert, finding)
                alert.save()
                _event(alert, Kind.TRIGGERED, to_status=Status.OPEN, at=now, data=_numbers(finding))
                result.opened += 1
                continue
            _apply_finding(alert, finding)
            alert.last_seen_at = now
            if alert.clear_since is not None:
                alert.clear_since = None
                _event(alert, Kind.RECURRED, at=now, data=_numbers(finding))
            if alert.severity != severity:
                _event(alert, Kind.UPDATED, at=now, data={"from": alert.severity, "to": severity})
                alert.severity = severity
                if severity == Severity.CRITICAL and alert.escalation_due_at is None:
                    alert.escalation_due_at = now + timedelta(hours=_escalation_hours(rule))
            alert.save()
            result.refreshed += 1
        for key in sorted(in_scope - seen):
            alert = everything[key]
            if alert.clear_since is None:
                alert.clear_since = now
                alert.save(update_fields=["clear_since", "updated_at"])
                _event(
                    alert, Kind.CLEARED, at=now, note="The condition was not found; resolves if the next check agrees."
                )
                result.cleared += 1
            elif alert.clear_since < now:
                from_status = alert.status
                alert.status = Status.RESOLVED
                alert.resolution = Alert.Resolution.AUTO
                alert.resolved_at = now
                alert.save(update_fields=["status", "resolution", "resolved_at", "updated_at"])
                _event(
                    alert,
                    Kind.AUTO_RESOLVED,
                    at=now,
                    from_status=from_status,
                    to_status=Status.RESOLVED,
                    note=f"Not found since {timezone.localtime(alert.clear_since):%d %b %Y %H:%M}.",
                )
                result.resolved += 1
        for key, alert in held.items():
            if key not in seen and _in_scope(run, alert.vendor_code_id, alert.period_key):
                alert.clear_since = now
                alert.save(update_fields=["clear_since", "updated_at"])
                _event(alert, Kind.CLEARED, at=now, note="The condition is gone: a new occurrence opens a new alert.")
    return result


def _in_scope(run: RuleRun, vendor_code_id: int | None, period_key: str) -> bool:
    return (run.vendor_scope is None or vendor_code_id in run.vendor_scope) and (
        run.period_keys is None or period_key in run.period_keys
    )


def _numbers(finding: Finding) -> dict[str, Any]:
    return {
        "measured_value": str(finding.measured_value) if finding.measured_value is not None else None,
        "threshold": str(finding.threshold) if finding.threshold is not None else None,
        "title": finding.title,
    }


def alerts_evaluate_all(*, codes: Iterable[str] | None = None, now: datetime | None = None) -> EvaluationResult:
    """Evaluate rules for every brand (the scheduled runs)."""
    total = EvaluationResult()
    wanted = list(codes) if codes is not None else None
    for brand_id in Brand.objects.order_by("pk").values_list("pk", flat=True):
        result = alerts_evaluate(brand_id=brand_id, codes=wanted, now=now)
        for code, sync in result.by_code.items():
            total.by_code.setdefault(code, SyncResult()).add(sync)
        total.skipped += result.skipped
        total.failed.update({f"{brand_id}:{code}": message for code, message in result.failed.items()})
    return total


# ---------------------------------------------------------------------------------------------- lifecycle


def _lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("brand").get(pk=alert.pk)


def _require_actor(user: Any, alert: Alert, action: str) -> None:
    require_role(user, alert.brand_id, ACT_ROLES, action=action)


def alert_acknowledge(*, alert: Alert, user: Any, note: str = "") -> Alert:
    """Someone owns the first response: OPEN -> ACKNOWLEDGED (an escalated alert stays ESCALATED, with the
    acknowledgement recorded). Stops the escalation clock."""
    _require_actor(user, alert, "acknowledge alerts")
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status == Status.RESOLVED:
            raise ApplicationError("This alert is resolved already.", extra={"status": locked.status})
        if locked.acknowledged_at is not None:
            raise ApplicationError(
                f"Acknowledged already by {locked.acknowledged_by or 'someone'}.", extra={"status": locked.status}
            )
        from_status = locked.status
        locked.acknowledged_by = user
        locked.acknowledged_at = timezone.now()
        if locked.status == Status.OPEN:
            locked.status = Status.ACKNOWLEDGED
        if locked.assigned_to_id is None:
            locked.assigned_to = user
        locked.save()
        _event(
            locked, Kind.ACKNOWLEDGED, actor=user, note=note.strip(), from_status=from_status, to_status=locked.status
        )
    return locked


def alert_assign(*, alert: Alert, user: Any, assignee: Any | None, note: str = "") -> Alert:
    """Give the alert to a member of its brand (None = nobody)."""
    _require_actor(user, alert, "assign alerts")
    if assignee is not None and not Membership.objects.filter(user=assignee, brand_id=alert.brand_id).exists():
        raise ApplicationError(f"{assignee} is not a member of {alert.brand}.", extra={"field": "assigned_to"})
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status == Status.RESOLVED:
            raise ApplicationError("This alert is resolved already.", extra={"status": locked.status})
        if locked.assigned_to_id == (assignee.pk if assignee else None):
            return locked
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        _event(
            locked,
            Kind.ASSIGNED,
            actor=user,
            note=note.strip(),
            data={"assigned_to": assignee.get_username() if assignee else None},
        )
    return locked


def alert_resolve(*, alert: Alert, user: Any, note: str) -> Alert:
    """Close the alert by hand, saying what was done (the note is required)."""
    _require_actor(user, alert, "resolve alerts")
    if not note.strip():
        raise ApplicationError("Say what was done (a note is required to resolve).", extra={"field": "note"})
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status == Status.RESOLVED:
            raise ApplicationError("This alert is resolved already.", extra={"status": locked.status})
        from_status = locked.status
        locked.status = Status.RESOLVED
        locked.resolution = Alert.Resolution.MANUAL
        locked.resolved_at = timezone.now()
        locked.resolved_by = user
        locked.note = note.strip()
        locked.save()
        _event(locked, Kind.RESOLVED, actor=user, note=locked.note, from_status=from_status, to_status=Status.RESOLVED)
    return locked


def alert_add_note(*, alert: Alert, user: Any, note: str) -> AlertEvent:
    _require_actor(user, alert, "comment on alerts")
    if not note.strip():
        raise ApplicationError("The note is empty.", extra={"field": "note"})
    return _event(alert, Kind.NOTE, actor=user, note=note.strip())


def alert_escalate(*, alert: Alert, user: Any, note: str = "") -> Alert:
    """Escalate by hand to the brand's managers (email), e.g. when the buyer meeting cannot happen."""
    _require_actor(user, alert, "escalate alerts")
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status == Status.RESOLVED:
            raise ApplicationError("This alert is resolved already.", extra={"status": locked.status})
        if locked.status == Status.ESCALATED:
            raise ApplicationError("This alert is escalated already.", extra={"status": locked.status})
        from_status = locked.status
        locked.status = Status.ESCALATED
        locked.escalated_at = timezone.now()
        locked.save(update_fields=["status", "escalated_at", "updated_at"])
        _event(
            locked, Kind.ESCALATED, actor=user, note=note.strip(), from_status=from_status, to_status=Status.ESCALATED
        )
        transaction.on_commit(lambda: _notify_owners(locked.pk, reason="escalated by " + user.get_username()))
    return locked


def alerts_escalate_due(*, now: datetime | None = None, connection: Any = None) -> int:
    """Critical alerts still OPEN (nobody acknowledged) at their escalation deadline: OPEN -> ESCALATED and
    the brand's managers are emailed. Each alert is claimed with a conditional update, so two runs at the
    same time escalate (and email) it once. `connection`: an email connection other than the default."""
    now = now or timezone.now()
    due = list(
        Alert.objects.filter(status=Status.OPEN, acknowledged_at__isnull=True, escalation_due_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    escalated = 0
    for pk in due:
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=pk, status=Status.OPEN, acknowledged_at__isnull=True).update(
                status=Status.ESCALATED, escalated_at=now, updated_at=now
            )
            if not claimed:
                continue  # acknowledged meanwhile, or another run took it
            alert = Alert.objects.get(pk=pk)
            _event(
                alert,
                Kind.ESCALATED,
                at=now,
                from_status=Status.OPEN,
                to_status=Status.ESCALATED,
                note=f"Not acknowledged by {timezone.localtime(alert.escalation_due_at):%d %b %Y %H:%M}.",
            )
        _notify_owners(pk, reason="not acknowledged by its deadline", connection=connection)
        escalated += 1
    return escalated


def brand_owners(brand_id: int) -> list[Any]:
    """The brand's managers with an email address: who escalations go to."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(memberships__brand_id=brand_id, memberships__role=Role.BRAND_MANAGER, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def site_url() -> str:
    return str(getattr(settings, "COOPDESK_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _notify_owners(alert_id: int, *, reason: str, connection: Any = None) -> None:
    alert = Alert.objects.select_related("brand", "acknowledged_by", "assigned_to").get(pk=alert_id)
    owners = brand_owners(alert.brand_id)
    if not owners:
        _event(alert, Kind.NOTIFIED, note="No brand manager with an email address to notify.", data={"recipients": []})
        return
    context = {
        "alert": alert,
        "reason": reason,
        "guidance": guidance_for(alert.code, alert.evidence),
        "site_url": site_url(),
    }
    subject = f"[Coopdesk] Escalated: {alert.title}"[:200]
    body = render_to_string("emails/alert_escalated.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[u.email for u in owners], connection=connection)
    message.send()
    _event(alert, Kind.NOTIFIED, data={"recipients": [u.get_username() for u in owners], "reason": reason})


# ------------------------------------------------------------------------------------------ rule settings


def alert_rule_update(
    *,
    brand: Brand,
    code: str,
    user: Any,
    parameters: dict[str, Any],
    severity: str,
    enabled: bool,
) -> AlertRule:
    """Set a brand's own parameters, severity and on/off for one rule (creating its row on first change).

    Turning a rule off resolves its active alerts for the brand, saying so in their history."""
    require_role(user, brand.pk, SETTINGS_ROLES, action="change alert rules")
    if code not in SPECS:
        raise ApplicationError(f"Unknown rule {code!r}.", extra={"field": "code"})
    if severity not in Severity.values:
        raise ApplicationError(f"Unknown severity {severity!r}.", extra={"field": "severity"})
    try:
        checked = validate_parameters(SPECS[code], parameters)
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages), extra={"field": "parameters", "errors": exc.messages}) from exc
    with transaction.atomic():
        own = AlertRule.objects.select_for_update().filter(code=code, brand=brand).first()
        was_enabled = own.enabled if own is not None else effective_rules(brand.pk)[code].enabled
        rule = own if own is not None else AlertRule(code=code, brand=brand)
        rule.parameters = checked
        rule.severity = severity
        rule.enabled = enabled
        rule.updated_by = user
        rule.save()  # one history row per change
        if was_enabled and not enabled:
            _resolve_for_disabled_rule(brand, code, user)
    return rule


def alert_rule_reset(*, brand: Brand, code: str, user: Any) -> None:
    """Drop the brand's own row: the default applies again."""
    require_role(user, brand.pk, SETTINGS_ROLES, action="change alert rules")
    with transaction.atomic():
        own = AlertRule.objects.filter(code=code, brand=brand).first()
        if own is None:
            return
        default, _ = AlertRule.objects.get_or_create(
            code=code,
            brand=None,
            defaults={"severity": SPECS[code].default_severity, "parameters": dict(SPECS[code].defaults)},
        )
        # Keep the alerts: they move to the default rule, their history stays.
        Alert.objects.filter(rule=own).update(rule=default)
        own.delete()


def _resolve_for_disabled_rule(brand: Brand, code: str, user: Any) -> None:
    now = timezone.now()
    for alert in Alert.objects.select_for_update().filter(brand=brand, code=code, status__in=Alert.ACTIVE_STATUSES):
        from_status = alert.status
        alert.status = Status.RESOLVED
        alert.resolution = Alert.Resolution.MANUAL
        alert.resolved_at = now
        alert.resolved_by = user
        alert.note = "Rule turned off for the brand."
        alert.clear_since = now  # turned on again later, the rule opens fresh alerts
        alert.save()
        _event(alert, Kind.RESOLVED, actor=user, note=alert.note, from_status=from_status, to_status=Status.RESOLVED)


# -------------------------------------------------------------------------------------------- benchmarks


def benchmark_save(
    *,
    user: Any,
    brand: Brand | None,
    metric: str,
    category: str,
    marketplace: Marketplace | None,
    value: Decimal,
    source: str,
    as_of: date,
    benchmark: Benchmark | None = None,
) -> Benchmark:
    """Create or change a benchmark. A brand's own rows need a settings role; shared rows (no brand) staff."""
    _require_benchmark_rights(user, brand)
    if benchmark is not None:
        _require_benchmark_rights(user, benchmark.brand)
    if value < 0:
        raise ApplicationError("A benchmark cannot be negative.", extra={"field": "value"})
    if not source.strip():
        raise ApplicationError("Say where the number comes from.", extra={"field": "source"})
    row = benchmark or Benchmark()
    row.brand = brand
    row.metric = metric
    row.category = category.strip()
    row.marketplace = marketplace
    row.value = value
    row.source = source.strip()
    row.as_of = as_of
    row.updated_by = user
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "A benchmark for this metric, category and marketplace exists already; change that one.",
            extra={"field": "category"},
        ) from exc
    return row


def benchmark_delete(*, user: Any, benchmark: Benchmark) -> None:
    _require_benchmark_rights(user, benchmark.brand)
    benchmark.delete()


def _require_benchmark_rights(user: Any, brand: Brand | None) -> None:
    if brand is None:
        if not getattr(user, "is_staff", False):
            from core.exceptions import PermissionRefused

            raise PermissionRefused("Only administrators change the shared benchmarks; add one for your brand.")
        return
    require_role(user, brand.pk, SETTINGS_ROLES, action="change benchmarks")


# ------------------------------------------------------------------------------------------------ digest


def preference_for(user: Any) -> AlertPreference:
    pref, _ = AlertPreference.objects.get_or_create(user=user)
    return pref


def preference_update(*, user: Any, frequency: str, min_severity: str) -> AlertPreference:
    if frequency not in AlertPreference.Frequency.values:
        raise ApplicationError(f"Unknown frequency {frequency!r}.", extra={"field": "frequency"})
    if min_severity not in Severity.values:
        raise ApplicationError(f"Unknown severity {min_severity!r}.", extra={"field": "min_severity"})
    pref = preference_for(user)
    pref.frequency = frequency
    pref.min_severity = min_severity
    pref.save(update_fields=["frequency", "min_severity", "updated_at"])
    return pref


@dataclass
class Digest:
    user: Any
    since: datetime
    new: list[Alert]
    escalated: list[Alert]
    assigned: list[Alert]
    still_open: list[Alert]
    resolved_count: int
    min_severity: str

    @property
    def open_count(self) -> int:
        return len(self.new) + len(self.escalated) + len(self.assigned) + len(self.still_open)


def digest_build(*, user: Any, since: datetime, min_severity: str) -> Digest | None:
    """What a user's digest says: alerts of their brands at or above the severity, grouped (each alert once):
    escalated, assigned to them, new since the last digest, still open. None when nothing is open."""
    from reviews.alert_selectors import severity_order

    active = list(
        Alert.objects.for_user(user)
        .filter(status__in=Alert.ACTIVE_STATUSES, severity__in=severities_at_least(min_severity))
        .select_related("brand", "assigned_to")
        .order_by(severity_order().desc(), "-triggered_at")
    )
    if not active:
        return None
    escalated = [a for a in active if a.status == Status.ESCALATED]
    assigned = [a for a in active if a.status != Status.ESCALATED and a.assigned_to_id == user.pk]
    taken = {a.pk for a in escalated + assigned}
    new = [a for a in active if a.pk not in taken and a.triggered_at > since]
    taken |= {a.pk for a in new}
    resolved = (
        Alert.objects.for_user(user)
        .filter(status=Status.RESOLVED, resolved_at__gt=since, severity__in=severities_at_least(min_severity))
        .count()
    )
    return Digest(
        user=user,
        since=since,
        new=new,
        escalated=escalated,
        assigned=assigned,
        still_open=[a for a in active if a.pk not in taken],
        resolved_count=resolved,
        min_severity=min_severity,
    )


def _default_since(pref: AlertPreference, now: datetime) -> datetime:
    return pref.last_digest_at or now - timedelta(days=7 if pref.frequency == AlertPreference.Frequency.WEEKLY else 1)


def _deliver(*, user: Any, pref: AlertPreference, since: datetime, now: datetime) -> bool:
    digest = digest_build(user=user, since=since, min_severity=pref.min_severity)
    if digest is None:
        return False
    context = {"digest": digest, "site_url": site_url(), "now": now, "preference": pref}
    subject = f"[Coopdesk] {digest.open_count} open alert{'s' if digest.open_count != 1 else ''}"
    if digest.escalated:
        subject += f", {len(digest.escalated)} escalated"
    message = EmailMultiAlternatives(subject, render_to_string("emails/alert_digest.txt", context), to=[user.email])
    message.attach_alternative(render_to_string("emails/alert_digest.html", context), "text/html")
    message.send()
    return True


def digest_send(*, user: Any, now: datetime | None = None) -> bool:
    """Email one user's digest now, whatever their frequency (the preferences page's "send me one now");
    False when there is nothing open to report or the user has no email address."""
    now = now or timezone.now()
    pref = preference_for(user)
    if not user.email:
        return False
    return _deliver(user=user, pref=pref, since=_default_since(pref, now), now=now)


def digests_send_due(*, now: datetime | None = None) -> int:
    """Send the digests due now: daily ones once a day, weekly ones on Mondays. Each user's preference row
    is claimed with a conditional update of last_digest_at, so a second run the same day sends nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    user_model = get_user_model()
    users = (
        user_model.objects.filter(is_active=True, memberships__isnull=False).exclude(email="").distinct().order_by("pk")
    )
    sent = 0
    for user in users:
        pref = preference_for(user)
        if pref.frequency == AlertPreference.Frequency.OFF:
            continue
        if pref.frequency == AlertPreference.Frequency.WEEKLY and today.weekday() != 0:
            continue
        claim = AlertPreference.objects.filter(pk=pref.pk).filter(
            Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day)
        )
        since = _default_since(pref, now)  # read before the claim moves last_digest_at
        if not claim.update(last_digest_at=now):
            continue  # sent today already
        try:
            if _deliver(user=user, pref=pref, since=since, now=now):
                sent += 1
        except Exception:
            # Give the claim back so the next run retries this user.
            AlertPreference.objects.filter(pk=pref.pk).update(last_digest_at=pref.last_digest_at)
            logger.exception("alert digest for user %s failed", user.pk)
    return sent
