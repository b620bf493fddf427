"""JBP plan lifecycle: create, edit the header, the §5.1 workflow, and new versions.

DOMAIN.md §5.1: DRAFT → INTERNAL_REVIEW → SUBMITTED_TO_AMAZON → NEGOTIATING → AGREED → ACTIVE →
CLOSED, with INTERNAL_REVIEW → DRAFT (changes requested) and NEGOTIATING → DRAFT (a new version).
Who may take each step is decided here, never only in a view:
- a brand manager creates, edits (in DRAFT) and submits for review;
- another member of the brand (brand manager or vendor ops, never the one who submitted) reviews:
  sends it on to Amazon or sends it back with a comment;
- brand managers record Amazon's answers (negotiation opened, agreed) and start new versions;
- brand managers or vendor ops activate it once its period has started and close it once it ended.
AGREED locks the plan's targets and investments: any change is a new version (a copy with version+1
in DRAFT, linked through previous_version). Every step appends a JBPPlanTransition row.

Editing the plan's contents (targets, investments, initiatives, launches) is in jbp_services.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from core.periods import add_months
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import LaunchCertificate
from planning.jbp_models import series_for
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.models import VendorCode
from planning.roles import require_role
from planning.roles import user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User

    AnyUser = AbstractBaseUser | AnonymousUser

logger = logging.getLogger(__name__)

Status = JBPPlan.Status
Role = Membership.Role

EDITOR_ROLES = frozenset({Role.BRAND_MANAGER})
REVIEWER_ROLES = frozenset({Role.BRAND_MANAGER, Role.VENDOR_OPS})
OPERATOR_ROLES = frozenset({Role.BRAND_MANAGER, Role.VENDOR_OPS})


@dataclass(frozen=True)
class Transition:
    """One allowed workflow step."""

    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: str
    needs_comment: bool = False
    # The reviewer steps: the member who submitted the plan for review may not take them.
    not_by_submitter: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit_for_review", Status.DRAFT, Status.INTERNAL_REVIEW, EDITOR_ROLES, "Submit for review"),
        Transition(
            "request_changes",
            Status.INTERNAL_REVIEW,
            Status.DRAFT,
            REVIEWER_ROLES,
            "Request changes",
            needs_comment=True,
            not_by_submitter=True,
        ),
        Transition(
            "send_to_amazon",
            Status.INTERNAL_REVIEW,
            Status.SUBMITTED_TO_AMAZON,
            REVIEWER_ROLES,
            "Approve and send to Amazon",
            not_by_submitter=True,
        ),
        Transition(
            "start_negotiation",
            Status.SUBMITTED_TO_AMAZON,
            Status.NEGOTIATING,
            EDITOR_ROLES,
            "Amazon replied: negotiate",
        ),
        Transition("agree", Status.NEGOTIATING, Status.AGREED, EDITOR_ROLES, "Mark agreed"),
        Transition("activate", Status.AGREED, Status.ACTIVE, OPERATOR_ROLES, "Activate"),
        Transition("close", Status.ACTIVE, Status.CLOSED, OPERATOR_ROLES, "Close"),
    )
}
# A new version may branch from these statuses; from NEGOTIATING it replaces the plan at once (the
# §5.1 NEGOTIATING → DRAFT step), from AGREED/ACTIVE the agreed version stays in force until the new
# one is agreed.
NEW_VERSION_FROM = frozenset({Status.NEGOTIATING, Status.AGREED, Status.ACTIVE})
# Header fields a draft may change on any version; the period defines the plan, so only v1 may move it.
HEADER_FIELDS = ("title", "amazon_counterpart", "notes", "baseline_start", "baseline_end", "seasonal_weights")
PERIOD_FIELDS = ("horizon", "period_start", "period_end", "plan_year")


def actor(user: AnyUser) -> User | None:
    """The user to record as author, or None for an anonymous caller (never stored as a fake user)."""
    return cast("User", user) if user.is_authenticated else None


def _set_history_user(instance: Any, user: AnyUser) -> None:
    # simple_history takes the user from the request when there is one; API token calls and
    # management commands have none, so we say who it was explicitly.
    instance._history_user = actor(user)


def _log(plan: JBPPlan, *, from_status: str, to_status: str, by: AnyUser, comment: str = "") -> None:
    JBPPlanTransition.objects.create(
        plan=plan,
        from_status=from_status,
        to_status=to_status,
        actor=actor(by),
        comment=comment,
    )


def submitter_id(plan: JBPPlan) -> int | None:
    """Who sent the plan into its current internal review (the latest DRAFT → INTERNAL_REVIEW step)."""
    return (
        JBPPlanTransition.objects.filter(plan=plan, to_status=Status.INTERNAL_REVIEW)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Refusal:
    message: str
    permission: bool  # True: the user may never take this step (403); False: not now (400)


def transition_refusal(plan: JBPPlan, user: AnyUser, transition: Transition, *, today: date) -> Refusal | None:
    """Why `user` may not take `transition` on `plan` now, or None when they may."""
    if plan.status != transition.source:
        return Refusal(
            f"The plan is {plan.get_status_display()}; '{transition.label}' needs it to be "
            f"{Status(transition.source).label}.",
            permission=False,
        )
    if not user_roles(user, plan.brand_id) & transition.roles:
        names = ", ".join(sorted(transition.roles))
        return Refusal(f"You need one of these roles to {transition.label.lower()}: {names}.", permission=True)
    if transition.not_by_submitter and submitter_id(plan) == user.pk:
        return Refusal(
            "You submitted this plan for review; another member of the brand must review it.", permission=True
        )
    if transition.action == "activate" and today < plan.period_start:
        return Refusal(
            f"The plan starts on {plan.period_start:%Y-%m-%d}; it can be activated from that day.", permission=False
        )
    if transition.action == "close" and today <= plan.period_end:
        return Refusal(
            f"The plan runs until {plan.period_end:%Y-%m-%d}; it can be closed after that day.", permission=False
        )
    return None


@transaction.atomic
def jbp_plan_transition(
    *, plan: JBPPlan, user: AnyUser, action: str, comment: str = "", today: date | None = None
) -> JBPPlan:
    """Take one workflow step (see TRANSITIONS) after checking status, role and the four-eyes rule."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(f"Unknown action {action!r}; expected one of: {', '.join(TRANSITIONS)}.")
    today = today or timezone.localdate()
    # Lock the row so two reviewers clicking at once cannot both move it.
    locked = JBPPlan.objects.select_for_update().get(pk=plan.pk)
    refusal = transition_refusal(locked, user, transition, today=today)
    if refusal is not None:
        raise PermissionRefused(refusal.message) if refusal.permission else ApplicationError(refusal.message)
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ApplicationError("Say what needs to change: a comment is required to send the plan back.")
    if action == "submit_for_review" and not locked.targets.exists():
        raise ApplicationError("Add at least one target before submitting the plan for review.")

    from_status = locked.status
    locked.status = transition.target
    _set_history_user(locked, user)
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, from_status=from_status, to_status=transition.target, by=user, comment=comment)
    if transition.target == Status.AGREED:
        _supersede_older_versions(locked, user)
    return locked


def _supersede_older_versions(plan: JBPPlan, user: AnyUser) -> None:
    """Once a version is agreed, earlier versions of the same plan stop being in force."""
    older = JBPPlan.objects.select_for_update().filter(
        brand_id=plan.brand_id,
        marketplace_id=plan.marketplace_id,
        plan_year=plan.plan_year,
        series=plan.series,
        version__lt=plan.version,
        status__in=[Status.AGREED, Status.ACTIVE, Status.NEGOTIATING],
    )
    for old in older:
        from_status = old.status
        old.status = Status.SUPERSEDED
        _set_history_user(old, user)
        old.save(update_fields=["status", "updated_at"])
        _log(old, from_status=from_status, to_status=Status.SUPERSEDED, by=user, comment=f"v{plan.version} agreed")


def _clean_seasonal_weights(raw: Mapping[str, Any] | None) -> dict[str, str]:
    """Month-of-year weights {"1": "0.07", ...}: non-negative numbers, months 1-12, stored as strings."""
    if not raw:
        return {}
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        try:
            month = int(key)
            weight = Decimal(str(value))
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise ValidationError(
                {"seasonal_weights": f"Month {key!r}: expected a month 1-12 and a number, got {value!r}."}
            ) from exc
        if not 1 <= month <= 12 or weight < 0:
            raise ValidationError(
                {"seasonal_weights": f"Month {key!r}: expected a month 1-12 and a weight >= 0, got {value!r}."}
            )
        cleaned[str(month)] = str(weight)
    if sum(Decimal(v) for v in cleaned.values()) <= 0:
        raise ValidationError({"seasonal_weights": "At least one month needs a positive weight."})
    return cleaned


def _check_vendor_codes(brand: Brand, marketplace: Marketplace, vendor_codes: Iterable[VendorCode]) -> list[VendorCode]:
    codes = list(vendor_codes)
    wrong = [vc.code for vc in codes if vc.brand_id != brand.pk or vc.marketplace_id != marketplace.pk]
    if wrong:
        raise ValidationError(
            {"vendor_codes": f"Not vendor codes of {brand.name} on {marketplace.domain}: {', '.join(wrong)}."}
        )
    return codes


@transaction.atomic
def jbp_plan_create(
    *,
    user: AnyUser,
    brand: Brand,
    marketplace: Marketplace,
    horizon: str,
    period_start: date,
    period_end: date,
    plan_year: int | None = None,
    vendor_codes: Iterable[VendorCode] = (),
    title: str = "",
    currency: str = "",
    amazon_counterpart: str = "",
    notes: str = "",
    baseline_start: date | None = None,
    baseline_end: date | None = None,
    seasonal_weights: Mapping[str, Any] | None = None,
) -> JBPPlan:
    """A new plan (version 1, DRAFT). Refuses a second plan for the same brand, marketplace and period."""
    require_role(user, brand.pk, EDITOR_ROLES, action="create a JBP plan")
    codes = _check_vendor_codes(brand, marketplace, vendor_codes)
    if baseline_start is None and baseline_end is None:
        # YoY baseline by default: the same period one year earlier.
        baseline_start, baseline_end = add_months(period_start, -12), add_months(period_end, -12)
    plan = JBPPlan(
        brand=brand,
        marketplace=marketplace,
        horizon=horizon,
        period_start=period_start,
        period_end=period_end,
        plan_year=plan_year or period_start.year,
        series=series_for(horizon, period_start),
        version=1,
        status=Status.DRAFT,
        title=title.strip(),
        currency=(currency or marketplace.currency).upper(),
        amazon_counterpart=amazon_counterpart.strip(),
        notes=notes,
        baseline_start=baseline_start,
        baseline_end=baseline_end,
        seasonal_weights=_clean_seasonal_weights(seasonal_weights),
        created_by=actor(user),
    )
    plan.full_clean(exclude=["series", "vendor_codes"], validate_unique=False)
    existing = (
        JBPPlan.objects.filter(brand=brand, marketplace=marketplace, plan_year=plan.plan_year, series=plan.series)
        .order_by("-version")
        .first()
    )
    if existing is not None:
        raise ApplicationError(
            f"{existing.display_title} already exists for {brand.name} on {marketplace.domain} "
            f"(v{existing.version}, {existing.get_status_display()}): open it, or start a new version of it.",
            extra={"plan_id": existing.pk},
        )
    _set_history_user(plan, user)
    plan.save()
    plan.vendor_codes.set(codes)
    _log(plan, from_status="", to_status=Status.DRAFT, by=user, comment="Created")
    return plan


def require_editable(plan: JBPPlan) -> None:
    """Refuse any change to a plan's contents unless it is a draft (AGREED locks, §5.1)."""
    if plan.status not in JBPPlan.EDITABLE_STATUSES:
        hint = " Start a new version to change it." if plan.status in NEW_VERSION_FROM else ""
        raise ApplicationError(
            f"v{plan.version} of {plan.display_title} is {plan.get_status_display()}: "
            f"only drafts can be changed.{hint}",
            extra={"status": plan.status},
        )


@transaction.atomic
def jbp_plan_update(*, plan: JBPPlan, user: AnyUser, data: Mapping[str, Any]) -> JBPPlan:
    """Change a draft's header. The period (and so the series) may move only on version 1."""
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit a JBP plan")
    plan = JBPPlan.objects.select_for_update().get(pk=plan.pk)
    require_editable(plan)
    unknown = set(data) - set(HEADER_FIELDS) - set(PERIOD_FIELDS) - {"vendor_codes"}
    if unknown:
        raise ApplicationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    for name in HEADER_FIELDS:
        if name in data:
            value = data[name]
            if name == "seasonal_weights":
                value = _clean_seasonal_weights(value)
            elif isinstance(value, str):
                value = value.strip() if name != "notes" else value
            setattr(plan, name, value)
    moved = [name for name in PERIOD_FIELDS if name in data and data[name] != getattr(plan, name)]
    if moved:
        if plan.version != 1:
            raise ApplicationError(
                f"v{plan.version} continues an existing plan: its period cannot change. Create a new plan instead."
            )
        for name in moved:
            setattr(plan, name, data[name])
        plan.series = series_for(plan.horizon, plan.period_start)
        outside = plan.targets.exclude(period_start__gte=plan.period_start, period_end__lte=plan.period_end).count()
        if outside:
            raise ApplicationError(
                f"{outside} target(s) fall outside {plan.period_start:%Y-%m-%d} to {plan.period_end:%Y-%m-%d}: "
                "delete them before moving the period."
            )
        clash = JBPPlan.objects.filter(
            brand_id=plan.brand_id,
            marketplace_id=plan.marketplace_id,
            plan_year=plan.plan_year,
            series=plan.series,
        ).exclude(pk=plan.pk)
        if clash.exists():
            raise ApplicationError(f"Another plan already covers {plan.display_title} for this marketplace.")
    plan.full_clean(exclude=["series", "vendor_codes"], validate_unique=False)
    _set_history_user(plan, user)
    plan.save()
    if "vendor_codes" in data:
        plan.vendor_codes.set(_check_vendor_codes(plan.brand, plan.marketplace, data["vendor_codes"]))
    return plan


@transaction.atomic
def jbp_plan_new_version(*, plan: JBPPlan, user: AnyUser, comment: str = "") -> JBPPlan:
    """Copy the plan with everything it contains into version+1 (DRAFT), linked to the one it replaces.

    From NEGOTIATING the old version is superseded at once (§5.1 NEGOTIATING → DRAFT). From AGREED or
    ACTIVE the old version stays in force until the new one is agreed.
    """
    require_role(user, plan.brand_id, EDITOR_ROLES, action="start a new version of a JBP plan")
    old = JBPPlan.objects.select_for_update().get(pk=plan.pk)
    if old.status not in NEW_VERSION_FROM:
        raise ApplicationError(
            f"v{old.version} is {old.get_status_display()}: new versions start from a plan that is "
            "negotiating, agreed or active. A draft can simply be edited."
        )
    if JBPPlan.objects.filter(previous_version=old).exists():
        raise ApplicationError(f"v{old.version} already has a newer version; change that one instead.")
    latest = (
        JBPPlan.objects.filter(
            brand_id=old.brand_id, marketplace_id=old.marketplace_id, plan_year=old.plan_year, series=old.series
        )
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    new = JBPPlan.objects.get(pk=old.pk)
    new.pk = None
    new.id = None
    new._state.adding = True
    new.version = (latest or old.version) + 1
    new.status = Status.DRAFT
    new.previous_version = old
    new.created_by = actor(user)
    _set_history_user(new, user)
    new.save()
    new.vendor_codes.set(old.vendor_codes.all())
    _copy_contents(old, new, user)

    comment = comment.strip()
    if old.status == Status.NEGOTIATING:
        _set_history_user(old, user)
        old.status = Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        _log(
            old,
            from_status=Status.NEGOTIATING,
            to_status=Status.SUPERSEDED,
            by=user,
            comment=f"Replaced by v{new.version}. {comment}".strip(),
        )
    _log(
        new,
        from_status="",
        to_status=Status.DRAFT,
        by=user,
        comment=f"New version of v{old.version}. {comment}".strip(),
    )
    return new


def _copy_contents(old: JBPPlan, new: JBPPlan, user: AnyUser) -> None:
    from simple_history.utils import bulk_create_with_history

    from planning.jbp_models import JBPInitiative
    from planning.jbp_models import JBPInvestment
    from planning.jbp_models import JBPTarget
    from planning.jbp_models import LaunchPlan

    who = actor(user)

    def clones(queryset: Any, **override: Any) -> list[Any]:
        rows = []
        for row in queryset:
            row.pk = None
            row.id = None
            row._state.adding = True
            for key, value in override.items():
                setattr(row, key, value)
            rows.append(row)
        return rows

    bulk_create_with_history(clones(JBPTarget.objects.filter(plan=old), plan=new), JBPTarget, default_user=who)
    bulk_create_with_history(clones(JBPInvestment.objects.filter(plan=old), plan=new), JBPInvestment, default_user=who)
    bulk_create_with_history(clones(JBPInitiative.objects.filter(plan=old), plan=new), JBPInitiative, default_user=who)
    for launch in LaunchPlan.objects.filter(plan=old).prefetch_related("certificates"):
        certificates = list(launch.certificates.all())
        launch.pk = None
        launch.id = None
        launch._state.adding = True
        launch.plan = new
        launch._history_user = who  # type: ignore[attr-defined]
        launch.save()
        LaunchCertificate.objects.bulk_create(clones(certificates, launch=launch))


def jbp_plans_activate_due(*, user: AnyUser, today: date | None = None) -> list[JBPPlan]:
    """Activate every agreed plan of the user's brands whose period has started (a person's bulk action)."""
    today = today or timezone.localdate()
    activated = []
    for plan in JBPPlan.objects.for_user(user).filter(status=Status.AGREED, period_start__lte=today):
        activated.append(jbp_plan_transition(plan=plan, user=user, action="activate", today=today))
    return activated


def jbp_plans_activate_by_clock(*, today: date | None = None) -> list[int]:
    """The daily job: every brand's agreed plans whose period has started become ACTIVE (§5.1 "ACTIVE
    starts on period_start"). Nobody acts, so no role applies: the transition log records no actor and
    says the calendar did it. Closing stays a person's step (§5.1: after the final MBR).

    Idempotent: a plan already active is not touched. Returns the ids of the plans it activated.
    """
    today = today or timezone.localdate()
    activated: list[int] = []
    due = JBPPlan.objects.filter(status=Status.AGREED, period_start__lte=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            # Re-read under a row lock: a person may have activated (or superseded) it meanwhile.
            plan = JBPPlan.objects.select_for_update().filter(pk=pk, status=Status.AGREED).first()
            if plan is None:
                continue
            plan.status = Status.ACTIVE
            plan._history_user = None  # type: ignore[attr-defined]
            plan.save(update_fields=["status", "updated_at"])
            JBPPlanTransition.objects.create(
                plan=plan,
                from_status=Status.AGREED,
                to_status=Status.ACTIVE,
                actor=None,
                comment=f"Activated automatically on {today:%Y-%m-%d}: the plan's period started "
                f"{plan.period_start:%Y-%m-%d}.",
            )
            activated.append(plan.pk)
    if activated:
        logger.info("activated %s agreed JBP plan(s) whose period started: %s", len(activated), activated)
    return activated
