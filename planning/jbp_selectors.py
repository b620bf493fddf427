"""Reads for JBP plans: lists, workflow options, versions and their differences, the change history
and launch readiness. The target grid and allocation are in jbp_grid.py, tracking in jbp_tracking.py.
Every entry point takes the user or a plan the view already fetched through planning.scoping, so
another brand's plan is never reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone

from core.money import safe_ratio
from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchPlan
from planning.jbp_models import Metric
from planning.models import Brand
from planning.services import TRANSITIONS
from planning.services import Refusal
from planning.services import Transition
from planning.services import transition_refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

Status = JBPPlan.Status
TargetKey = tuple[str, str, str, date, date]


# --- plans --------------------------------------------------------------------------------------------


def jbp_plan_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    status: str = "",
    year: int | None = None,
    search: str = "",
    include_superseded: bool = False,
) -> QuerySet[JBPPlan]:
    """The user's plans with their brand, marketplace and target count, newest period first."""
    qs = (
        JBPPlan.objects.for_user(user)
        .select_related("brand", "marketplace", "created_by")
        .annotate(target_count=Count("targets", distinct=True))
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    if status:
        qs = qs.filter(status=status)
    elif not include_superseded:
        qs = qs.exclude(status=Status.SUPERSEDED)
    if year:
        qs = qs.filter(plan_year=year)
    if search:
        qs = qs.filter(
            Q(title__icontains=search) | Q(amazon_counterpart__icontains=search) | Q(notes__icontains=search)
        )
    return qs.order_by("-period_start", "brand__name", "series", "-version")


def jbp_plan_versions(*, plan: JBPPlan) -> list[JBPPlan]:
    """Every version of the same plan (brand, marketplace, year and series), oldest first."""
    return list(
        JBPPlan.objects.filter(
            brand_id=plan.brand_id, marketplace_id=plan.marketplace_id, plan_year=plan.plan_year, series=plan.series
        )
        .order_by("version")
        .only("id", "version", "status", "updated_at")
    )


def jbp_transition_log(*, plan: JBPPlan) -> list[JBPPlanTransition]:
    return list(JBPPlanTransition.objects.filter(plan=plan).select_related("actor").order_by("at", "pk"))


@dataclass(frozen=True)
class ActionOption:
    transition: Transition
    refusal: Refusal | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def jbp_available_actions(*, plan: JBPPlan, user: AnyUser, today: date | None = None) -> list[ActionOption]:
    """The workflow steps leaving the plan's current status, each with why the user may not take it."""
    today = today or timezone.localdate()
    return [
        ActionOption(transition=t, refusal=transition_refusal(plan, user, t, today=today))
        for t in TRANSITIONS.values()
        if t.source == plan.status
    ]


# --- version differences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetChange:
    key: TargetKey
    change: str  # added | removed | changed | unchanged
    old: JBPTarget | None
    new: JBPTarget | None
    changed_fields: tuple[str, ...] = ()

    @property
    def metric_label(self) -> str:
        return Metric(self.key[0]).label

    @property
    def delta(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        return self.new.target_value - self.old.target_value

    @property
    def delta_ratio(self) -> Decimal | None:
        """The change as a fraction of the old value (None when the old value is 0 or missing)."""
        if self.old is None or self.delta is None:
            return None
        return safe_ratio(self.delta, self.old.target_value)

    @property
    def changed_labels(self) -> str:
        return ", ".join(name.replace("_", " ") for name in self.changed_fields if name != "target_value")


@dataclass
class VersionDiff:
    old: JBPPlan
    new: JBPPlan
    targets: list[TargetChange]
    header: list[tuple[str, Any, Any]]  # (field label, old value, new value) of changed plan fields
    investments: list[tuple[str, JBPInvestment | None, JBPInvestment | None]]

    def count(self, change: str) -> int:
        return sum(1 for t in self.targets if t.change == change)

    @property
    def counts(self) -> dict[str, int]:
        return {change: self.count(change) for change in ("added", "removed", "changed", "unchanged")}

    @property
    def has_differences(self) -> bool:
        return bool(self.header or self.investments or any(t.change != "unchanged" for t in self.targets))


_TARGET_COMPARED = ("target_value", "direction", "phasing", "weights", "period_type")
_HEADER_COMPARED = ("title", "amazon_counterpart", "notes", "currency", "baseline_start", "baseline_end")


def _verbose_name(name: str) -> str:
    return str(getattr(JBPPlan._meta.get_field(name), "verbose_name", name)).capitalize()


def jbp_version_diff(*, old: JBPPlan, new: JBPPlan) -> VersionDiff:
    """Target by target (keyed by metric, dimension and period): added, removed or changed with values."""
    old_targets = {t.key: t for t in old.targets.all()}
    new_targets = {t.key: t for t in new.targets.all()}
    changes: list[TargetChange] = []
    for key in sorted(set(old_targets) | set(new_targets)):
        before, after = old_targets.get(key), new_targets.get(key)
        if before is None:
            changes.append(TargetChange(key=key, change="added", old=None, new=after))
        elif after is None:
            changes.append(TargetChange(key=key, change="removed", old=before, new=None))
        else:
            fields = tuple(name for name in _TARGET_COMPARED if getattr(before, name) != getattr(after, name))
            changes.append(
                TargetChange(
                    key=key, change="changed" if fields else "unchanged", old=before, new=after, changed_fields=fields
                )
            )
    header = [
        (_verbose_name(name), getattr(old, name), getattr(new, name))
        for name in _HEADER_COMPARED
        if getattr(old, name) != getattr(new, name)
    ]
    old_inv = {i.key: i for i in old.investments.all()}
    new_inv = {i.key: i for i in new.investments.all()}
    investments: list[tuple[str, JBPInvestment | None, JBPInvestment | None]] = []
    for inv_key in sorted(set(old_inv) | set(new_inv)):
        a, b = old_inv.get(inv_key), new_inv.get(inv_key)
        if a is None:
            investments.append(("added", None, b))
        elif b is None:
            investments.append(("removed", a, None))
        elif (a.committed_amount, a.conditions) != (b.committed_amount, b.conditions):
            investments.append(("changed", a, b))
    return VersionDiff(old=old, new=new, targets=changes, header=header, investments=investments)


# --- history ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    user: Any
    subject: str
    action: str  # created | changed | deleted
    changes: tuple[tuple[str, str, str], ...]  # (field, old, new)
    count: int = 1  # targets created together are merged into one entry


_TRACKED = {
    "plan": (
        "status",
        "title",
        "amazon_counterpart",
        "notes",
        "period_start",
        "period_end",
        "baseline_start",
        "baseline_end",
        "seasonal_weights",
    ),
    "target": ("target_value", "direction", "phasing", "weights", "period_type"),
    "investment": ("type", "committed_amount", "period_start", "period_end", "amazon_agreement_id", "conditions"),
    "initiative": ("title", "owner_side", "owner_name", "due_date", "kpi_metric", "status"),
    "launch": (
        "title",
        "planned_sku",
        "gtin",
        "launch_week",
        "forecast_units",
        "required_certificates",
        "aplus_ready",
        "video_ready",
    ),
}
_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def jbp_plan_history(*, plan: JBPPlan, limit: int = 300) -> list[HistoryEntry]:
    """Who changed what and when on this version: the plan header and every target, investment,
    initiative and launch, newest first, with old and new values of the changed fields."""
    sources: list[tuple[str, QuerySet[Any], Any]] = [
        ("plan", JBPPlan.history.filter(id=plan.pk), lambda r: "Plan"),
        (
            "target",
            JBPTarget.history.filter(plan_id=plan.pk),
            lambda r: f"Target {Metric(r.metric).label} · {r.dimension_value or 'total'} · {_span(r)}",
        ),
        (
            "investment",
            JBPInvestment.history.filter(plan_id=plan.pk),
            lambda r: f"Investment {JBPInvestment.Type(r.type).label}",
        ),
        ("initiative", JBPInitiative.history.filter(plan_id=plan.pk), lambda r: f"Initiative {r.title}"),
        ("launch", LaunchPlan.history.filter(plan_id=plan.pk), lambda r: f"Launch {r.title}"),
    ]
    entries: list[HistoryEntry] = []
    for kind, qs, describe in sources:
        previous: dict[int, Any] = {}
        for record in qs.select_related("history_user").order_by("history_date", "history_id"):
            fields = _TRACKED[kind]
            before = previous.get(record.id)
            changes: tuple[tuple[str, str, str], ...] = ()
            if record.history_type == "~" and before is not None:
                changes = tuple(
                    (name.replace("_", " "), _fmt(getattr(before, name), name), _fmt(getattr(record, name), name))
                    for name in fields
                    if getattr(before, name) != getattr(record, name)
                )
                if not changes:
                    previous[record.id] = record
                    continue
            elif record.history_type == "+" and kind == "target":
                changes = (("target value", "", _fmt(record.target_value)),)
            previous[record.id] = record
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user,
                    subject=describe(record),
                    action=_ACTIONS.get(record.history_type, record.history_type),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return _merge_bulk_creations(entries)[:limit]


def _span(record: Any) -> str:
    if record.period_type == JBPTarget.PeriodType.MONTH:
        return f"{record.period_start:%b %Y}"
    return f"{record.period_start:%d %b} to {record.period_end:%d %b %Y}"


def _merge_bulk_creations(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Targets created together (a paste, an upload, a new version's copy) read as one line, not 30."""
    merged: list[HistoryEntry] = []
    for entry in entries:
        last = merged[-1] if merged else None
        if (
            last is not None
            and entry.action == "created"
            and last.action == "created"
            and entry.subject.startswith("Target")
            and last.subject.startswith("Target")
            and entry.user == last.user
            and abs((last.at - entry.at).total_seconds()) <= 5
        ):
            count = last.count + 1
            merged[-1] = HistoryEntry(
                at=last.at, user=last.user, subject=f"{count} targets", action="created", changes=(), count=count
            )
            continue
        merged.append(entry)
    return merged


def _fmt(value: Any, name: str = "") -> str:
    if value is None:
        return ""
    if name == "status" and value in Status.values:
        return str(Status(value).label)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- launches -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessItem:
    label: str
    ok: bool
    detail: str = ""


def jbp_launch_readiness(launch: LaunchPlan, *, today: date | None = None) -> list[ReadinessItem]:
    """The launch checklist: GTIN valid, each required certificate valid on the launch date, A+ and video."""
    today = today or timezone.localdate()
    items = [
        ReadinessItem(
            "GTIN valid",
            launch.gtin_valid,
            launch.gtin or "no GTIN yet",
        )
    ]
    certificates = list(launch.certificates.all())
    for kind in launch.required_certificates or []:
        matching = [c for c in certificates if c.kind == kind]
        valid = [c for c in matching if c.valid_on(launch.launch_week)]
        if valid:
            best = max(valid, key=lambda c: c.expires_on or date.max)
            soon = best.expires_on is not None and best.expires_on <= today + timedelta(days=90)
            detail = f"{best.reference or 'on file'}" + (
                f", expires {best.expires_on:%Y-%m-%d}" if best.expires_on else ", no expiry"
            )
            items.append(ReadinessItem(f"{kind} certificate", True, detail + (" (renew soon)" if soon else "")))
        elif matching:
            items.append(ReadinessItem(f"{kind} certificate", False, "expired or not yet valid at launch"))
        else:
            items.append(ReadinessItem(f"{kind} certificate", False, "missing"))
    items.append(ReadinessItem("A+ content", launch.aplus_ready))
    items.append(ReadinessItem("Video", launch.video_ready))
    return items
