"""Reads of the alerts: the inbox, one alert with its history, open alerts for the MBR, rule settings and
benchmarks. User-facing reads go through `for_user`, so another brand's alert is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case
from django.db.models import Count
from django.db.models import IntegerField
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.periods import month_end
from core.periods import month_start
from planning.models import Brand
from planning.models import Membership
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertRule
from reviews.alert_models import Benchmark
from reviews.alert_rules import SEVERITY_RANK
from reviews.alert_rules import SPECS
from reviews.alert_rules import RuleSpec
from reviews.alert_rules import validate_parameters

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Inbox status filter values besides the statuses themselves.
ACTIVE = "active"
ALL = "all"


def severity_order() -> Case:
    """An integer per severity (critical highest) to sort by."""
    return Case(
        *(When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def alert_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    severity: str = "",
    code: str = "",
    status: str = ACTIVE,
    assigned: str = "",
    search: str = "",
) -> QuerySet[Alert]:
    """The user's alerts, most severe and most recent first. status: "active" (default), "all" or one status;
    assigned: "me", "none" or "" (anyone)."""
    qs = Alert.objects.for_user(user).select_related("brand", "assigned_to", "acknowledged_by", "vendor_code")
    if brand is not None:
        qs = qs.filter(brand=brand)
    if severity:
        qs = qs.filter(severity=severity)
    if code:
        qs = qs.filter(code=code)
    if status == ACTIVE or not status:
        qs = qs.filter(status__in=Alert.ACTIVE_STATUSES)
    elif status != ALL:
        qs = qs.filter(status=status)
    if assigned == "me":
        qs = qs.filter(assigned_to_id=user.pk)
    elif assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(entity_label__icontains=search))
    return qs.annotate(severity_rank=severity_order()).order_by("-severity_rank", "-triggered_at", "-pk")


def alert_get(*, user: AnyUser, pk: int) -> Alert:
    qs = Alert.objects.for_user(user).select_related(
        "brand", "rule", "assigned_to", "acknowledged_by", "resolved_by", "vendor_code", "vendor_code__marketplace"
    )
    # Scoped first, so another brand's alert is a 404 like a missing one.
    return get_object_or_404(qs, pk=pk)


def alert_events(*, alert: Alert) -> QuerySet[AlertEvent]:
    return AlertEvent.objects.filter(alert=alert).select_related("actor").order_by("at", "pk")


def alert_counts(*, user: AnyUser, brand: Brand | None = None) -> dict[str, int]:
    """Active alerts per severity, plus "escalated", "mine" and "total", for the inbox header."""
    qs = Alert.objects.for_user(user).filter(status__in=Alert.ACTIVE_STATUSES)
    if brand is not None:
        qs = qs.filter(brand=brand)
    counts = dict.fromkeys(SEVERITY_RANK, 0)
    for row in qs.values("severity").annotate(n=Count("id")):
        counts[row["severity"]] = row["n"]
    totals = qs.aggregate(
        total=Count("id"),
        escalated=Count("id", filter=Q(status=Alert.Status.ESCALATED)),
        mine=Count("id", filter=Q(assigned_to_id=user.pk)),
    )
    counts.update({k: v or 0 for k, v in totals.items()})
    return counts


def assignable_users(*, brand_id: int) -> list[Any]:
    """Members of the brand who can work alerts (every role but viewer), by username."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(memberships__brand_id=brand_id, memberships__role__in=_ACTING_ROLES, is_active=True)
        .distinct()
        .order_by("username")
    )


_ACTING_ROLES = (
    Membership.Role.BRAND_MANAGER,
    Membership.Role.VENDOR_OPS,
    Membership.Role.FINANCE,
    Membership.Role.FINANCE_APPROVER,
)


def open_alerts_for_mbr(*, brand: Brand, month: date) -> list[Alert]:
    """Alerts of the brand that were open at some time during the month (triggered before it ended and not
    resolved before it began), most severe first, still-open ones before resolved ones.

    For the MBR's "open alerts" agenda item; JBP_ATTAINMENT_LOW alerts carry evidence["mbr_agenda"]. Not
    user-scoped: the caller has scoped the brand already.
    """
    first = month_start(month)
    tz = timezone.get_current_timezone()
    starts = datetime.combine(first, time.min, tzinfo=tz)
    ends = datetime.combine(month_end(first) + timedelta(days=1), time.min, tzinfo=tz)
    return list(
        Alert.objects.filter(brand=brand, triggered_at__lt=ends)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=starts))
        .select_related("assigned_to")
        .annotate(
            severity_rank=severity_order(),
            still_open=Case(
                When(resolved_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .order_by("-still_open", "-severity_rank", "-triggered_at", "-pk")
    )


def open_alerts_for_mbr_page(brand_id: int, marketplace_id: int | None, month: date) -> list[dict[str, Any]]:
    """The MBR page's "open alerts" rows (reviews.mbr_hooks contract): plain dicts, most urgent first.

    The marketplace filter is not applied: an alert's entity (ASIN, invoice, subscription...) does not
    always have one, and a brand's open problems belong on every one of its MBRs.
    """
    from django.urls import reverse

    brand = Brand.objects.get(pk=brand_id)
    return [
        {
            "title": alert.title,
            "severity": alert.severity.lower(),
            "status": alert.status,
            "triggered_at": alert.triggered_at.isoformat(),
            "url": reverse("alert-detail", args=[alert.pk]),
        }
        for alert in open_alerts_for_mbr(brand=brand, month=month)
    ]


# ------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class RuleSetting:
    spec: RuleSpec
    rule: AlertRule  # the effective row (the brand's own, or the default)
    default: AlertRule | None
    parameters: dict[str, Any]
    active_alerts: int

    @property
    def is_custom(self) -> bool:
        return self.rule.brand_id is not None

    @property
    def changed_parameters(self) -> set[str]:
        """Parameters where the brand's value differs from the default row's."""
        if not self.is_custom or self.default is None:
            return set()
        defaults = validate_parameters(self.spec, self.default.parameters)
        return {k for k, v in self.parameters.items() if str(defaults.get(k)) != str(v)}


def rule_settings(*, brand: Brand) -> list[RuleSetting]:
    """Every rule as it applies to the brand, in DOMAIN.md §6's order. `brand` must be scoped already."""
    from reviews.alert_services import effective_rules

    rules = effective_rules(brand.pk)
    defaults = {r.code: r for r in AlertRule.objects.filter(brand__isnull=True)}
    active = dict(
        Alert.objects.filter(brand=brand, status__in=Alert.ACTIVE_STATUSES)
        .values("code")
        .annotate(n=Count("id"))
        .values_list("code", "n")
    )
    return [
        RuleSetting(
            spec=spec,
            rule=rules[code],
            default=defaults.get(code),
            parameters=validate_parameters(spec, rules[code].parameters),
            active_alerts=active.get(code, 0),
        )
        for code, spec in SPECS.items()
    ]


def benchmark_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[Benchmark]:
    """Benchmarks the user sees: the shared ones and their brands' own."""
    from planning.scoping import user_brand_ids

    qs = Benchmark.objects.filter(Q(brand__isnull=True) | Q(brand_id__in=user_brand_ids(user)))
    if brand is not None:
        qs = qs.filter(Q(brand__isnull=True) | Q(brand=brand))
    return qs.select_related("brand", "marketplace").order_by("metric", "category", "brand__name", "pk")


def benchmark_get(*, user: AnyUser, pk: int) -> Benchmark:
    return get_object_or_404(benchmark_list(user=user), pk=pk)
