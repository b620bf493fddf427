"""Writes to a JBP plan's contents: targets (bulk upsert from the grid, the API and XLSX uploads),
investments, initiatives, launches and their compliance certificates.

Targets and investments change only while the plan is a draft (services.require_editable): AGREED
locks them and a change means a new version. Initiative progress and launch readiness are tracked
until the plan closes, by brand managers and vendor ops.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import TYPE_CHECKING
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history
from simple_history.utils import bulk_update_with_history

from core.exceptions import ApplicationError
from core.periods import month_end
from core.periods import quarter_end
from core.periods import quarter_start
from core.periods import week_end
from core.periods import week_start
from planning.jbp_models import COUNT
from planning.jbp_models import METRIC_INFO
from planning.jbp_models import MONEY
from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchCertificate
from planning.jbp_models import LaunchPlan
from planning.jbp_models import metric_kind
from planning.models import Membership
from planning.models import Product
from planning.roles import require_role
from planning.services import EDITOR_ROLES
from planning.services import OPERATOR_ROLES
from planning.services import actor
from planning.services import require_editable
from planning.validators import validate_asin

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

Role = Membership.Role
Dim = JBPTarget.DimensionType
PeriodType = JBPTarget.PeriodType
RATIO_MIN, RATIO_MAX = Decimal("-10"), Decimal("10")
MAX_TARGET = Decimal("99999999999999")  # 14 integer digits: the column's max_digits=18, decimal_places=4


@dataclass(frozen=True)
class RowError:
    """One refused input row: `row` is its 0-based index in the request, `field` the offending key."""

    row: int
    field: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "value": str(self.value), "message": self.message}


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: list[JBPTarget] = field(default_factory=list)


@dataclass(frozen=True)
class _CleanTarget:
    row: int
    key: tuple[str, str, str, date, date]
    period_type: str
    value: Decimal | None  # None deletes the target
    direction: str
    phasing: str
    weights: dict[str, str]


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _expected_period(plan: JBPPlan, period_type: str, start: date) -> tuple[date, date] | None:
    """The window a period of `period_type` starting at `start` must have, clipped to the plan period."""
    if period_type == PeriodType.MONTH:
        first, last = start.replace(day=1), month_end(start)
    elif period_type == PeriodType.QUARTER:
        first, last = quarter_start(start), quarter_end(start)
    elif period_type == PeriodType.YEAR:
        first, last = date(start.year, 1, 1), date(start.year, 12, 31)
    elif period_type == PeriodType.WEEK:
        first, last = week_start(start), week_end(start)
    elif period_type == PeriodType.PLAN:
        return plan.period_start, plan.period_end
    else:
        return None
    return max(first, plan.period_start), min(last, plan.period_end)


def _clean_value(metric: str, raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError("expected a number") from exc
    if not value.is_finite():
        raise ValueError("expected a finite number")
    kind = metric_kind(metric)
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if kind == MONEY:
        if value < 0:
            raise ValueError("expected an amount of 0 or more")
        if decimals > 2:
            raise ValueError("expected at most 2 decimals (cents)")
    elif kind == COUNT:
        if value < 0 or value != value.to_integral_value():
            raise ValueError("expected a whole number of 0 or more")
    else:
        if not RATIO_MIN <= value <= RATIO_MAX:
            raise ValueError("expected a fraction such as 0.25 for 25 %")
        if decimals > 4:
            raise ValueError("expected at most 4 decimals (0.1234 = 12.34 %)")
    if abs(value) > MAX_TARGET:
        raise ValueError("the number is too large")
    return value


def _clean_target_row(
    plan: JBPPlan, index: int, row: Mapping[str, Any], vendor_codes: set[str]
) -> tuple[_CleanTarget | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(name: str, message: str) -> None:
        errors.append(RowError(row=index, field=name, value=row.get(name, ""), message=message))

    metric = str(row.get("metric", ""))
    if metric not in METRIC_INFO:
        fail("metric", f"expected one of {', '.join(METRIC_INFO)}")
    dimension_type = str(row.get("dimension_type") or Dim.TOTAL)
    dimension_value = str(row.get("dimension_value") or "").strip()
    if dimension_type not in Dim.values:
        fail("dimension_type", f"expected one of {', '.join(Dim.values)}")
    elif dimension_type == Dim.TOTAL and dimension_value:
        fail("dimension_value", "a TOTAL target has no dimension value")
    elif dimension_type != Dim.TOTAL and not dimension_value:
        fail("dimension_value", f"a {dimension_type} target needs a value")
    elif dimension_type == Dim.ASIN:
        try:
            validate_asin(dimension_value)
        except ValidationError as exc:
            fail("dimension_value", " ".join(exc.messages))
    elif dimension_type == Dim.VENDOR_CODE and dimension_value not in vendor_codes:
        fail("dimension_value", f"expected one of the plan's vendor codes: {', '.join(sorted(vendor_codes)) or 'none'}")

    period_type = str(row.get("period_type") or PeriodType.MONTH)
    try:
        start = _parse_date(row.get("period_start"))
    except (TypeError, ValueError):
        fail("period_start", "expected a date as YYYY-MM-DD")
        start = None
    end = None
    if period_type not in PeriodType.values:
        fail("period_type", f"expected one of {', '.join(PeriodType.values)}")
    elif start is not None:
        expected = _expected_period(plan, period_type, start)
        raw_end = row.get("period_end")
        if raw_end in (None, ""):
            end = expected[1] if expected else None
        else:
            try:
                end = _parse_date(raw_end)
            except (TypeError, ValueError):
                fail("period_end", "expected a date as YYYY-MM-DD")
        if not plan.period_start <= start <= plan.period_end:
            fail(
                "period_start",
                f"expected a date inside the plan period {plan.period_start:%Y-%m-%d} to {plan.period_end:%Y-%m-%d}",
            )
        elif expected and end is not None and (start, end) != expected:
            fail(
                "period_end" if start == expected[0] else "period_start",
                f"a {period_type} period here runs {expected[0]:%Y-%m-%d} to {expected[1]:%Y-%m-%d}",
            )

    value: Decimal | None = None
    if metric in METRIC_INFO:
        try:
            value = _clean_value(metric, row.get("target_value"))
        except ValueError as exc:
            fail("target_value", str(exc))
    direction = str(row.get("direction") or (METRIC_INFO[metric][1] if metric in METRIC_INFO else ""))
    if direction not in JBPTarget.Direction.values and (direction or metric in METRIC_INFO):
        fail("direction", f"expected one of {', '.join(JBPTarget.Direction.values)}")
    phasing = str(row.get("phasing") or JBPTarget.Phasing.LINEAR)
    if phasing not in JBPTarget.Phasing.values:
        fail("phasing", f"expected one of {', '.join(JBPTarget.Phasing.values)}")
    weights: dict[str, str] = {}
    raw_weights = row.get("weights") or {}
    if not isinstance(raw_weights, Mapping):
        fail("weights", 'expected an object such as {"2026-07": "0.3"}')
    else:
        for month, weight in raw_weights.items():
            try:
                month_day = date.fromisoformat(f"{month}-01")
                weight_value = Decimal(str(weight))
                if weight_value < 0:
                    raise ValueError
            except (TypeError, ValueError, InvalidOperation):
                fail("weights", f'{month!r}: expected "YYYY-MM": a number >= 0, got {weight!r}')
                continue
            if start and end and not (start.replace(day=1) <= month_day <= end):
                fail("weights", f"{month} is outside the target's period")
            weights[month] = str(weight_value)

    if errors or start is None or end is None:
        return None, errors
    return (
        _CleanTarget(
            row=index,
            key=(metric, dimension_type, dimension_value, start, end),
            period_type=period_type,
            value=value,
            direction=direction,
            phasing=phasing,
            weights=weights,
        ),
        [],
    )


@transaction.atomic
def jbp_targets_upsert(
    *, plan: JBPPlan, user: AnyUser, rows: Sequence[Mapping[str, Any]], atomic: bool = True
) -> UpsertResult:
    """Create, update or delete (target_value blank/None) targets keyed by metric, dimension and period.

    With `atomic` (the API and XLSX uploads) any invalid row refuses the whole batch with every row's
    errors (ApplicationError, extra.rows). Without it (grid autosave) the valid rows are saved and the
    invalid ones come back in `errors` so the grid can mark those cells.
    """
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP targets")
    plan = JBPPlan.objects.select_for_update().get(pk=plan.pk)
    require_editable(plan)
    vendor_codes = set(plan.vendor_codes.values_list("code", flat=True))
    result = UpsertResult()
    cleaned: dict[tuple[str, str, str, date, date], _CleanTarget] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            result.errors.append(RowError(row=index, field="", value=row, message="expected an object"))
            continue
        target, errors = _clean_target_row(plan, index, row, vendor_codes)
        result.errors.extend(errors)
        if target is None:
            continue
        if target.key in cleaned:
            result.errors.append(
                RowError(
                    row=index,
                    field="",
                    value="",
                    message=f"the same target as row {cleaned[target.key].row} (metric, dimension and period)",
                )
            )
            continue
        cleaned[target.key] = target
    if result.errors and atomic:
        raise ApplicationError(
            f"{len({e.row for e in result.errors})} of {len(rows)} target rows are invalid; nothing was saved.",
            extra={"rows": [error.as_dict() for error in result.errors]},
        )

    existing = {t.key: t for t in JBPTarget.objects.filter(plan=plan)} if cleaned else {}
    to_create: list[JBPTarget] = []
    to_update: list[JBPTarget] = []
    to_delete: list[JBPTarget] = []
    for key, clean in cleaned.items():
        current = existing.get(key)
        if clean.value is None:
            if current is not None:
                to_delete.append(current)
            continue
        if current is None:
            metric, dimension_type, dimension_value, start, end = key
            to_create.append(
                JBPTarget(
                    plan=plan,
                    metric=metric,
                    dimension_type=dimension_type,
                    dimension_value=dimension_value,
                    period_type=clean.period_type,
                    period_start=start,
                    period_end=end,
                    target_value=clean.value,
                    direction=clean.direction,
                    phasing=clean.phasing,
                    weights=clean.weights,
                )
            )
            continue
        new_fields = {
            "period_type": clean.period_type,
            "target_value": clean.value,
            "direction": clean.direction,
            "phasing": clean.phasing,
            "weights": clean.weights,
        }
        if all(getattr(current, name) == value for name, value in new_fields.items()):
            result.unchanged += 1
            result.saved.append(current)
            continue
        for name, value in new_fields.items():
            setattr(current, name, value)
        to_update.append(current)

    who = actor(user)
    if to_create:
        bulk_create_with_history(to_create, JBPTarget, default_user=who)
    if to_update:
        bulk_update_with_history(
            to_update,
            JBPTarget,
            ["period_type", "target_value", "direction", "phasing", "weights", "updated_at"],
            default_user=who,
        )
    for doomed in to_delete:
        doomed._history_user = who  # type: ignore[attr-defined]
        doomed.delete()
    if to_create or to_update or to_delete:
        # Touch the plan so the list shows when it was last worked on.
        JBPPlan.objects.filter(pk=plan.pk).update(updated_at=_now())
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
    result.saved.extend(to_create + to_update)
    return result


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


# --- investments, initiatives, launches -------------------------------------------------------------


def _save(instance: Any, user: AnyUser, *, exclude: Sequence[str] = ()) -> Any:
    instance.full_clean(exclude=list(exclude))
    instance._history_user = actor(user)
    instance.save()
    return instance


INVESTMENT_FIELDS = ("type", "committed_amount", "period_start", "period_end", "amazon_agreement_id", "conditions")


@transaction.atomic
def jbp_investment_save(
    *, plan: JBPPlan, user: AnyUser, data: Mapping[str, Any], investment: JBPInvestment | None = None
) -> JBPInvestment:
    """Create (investment None) or change an investment commitment of a draft plan."""
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP investments")
    require_editable(plan)
    if investment is not None and investment.plan_id != plan.pk:
        raise ApplicationError("The investment belongs to another plan.")
    instance = investment or JBPInvestment(plan=plan, currency=plan.currency)
    for name in INVESTMENT_FIELDS:
        if name in data:
            setattr(instance, name, data[name])
    if instance.period_start is None and instance.period_end is None:
        instance.period_start, instance.period_end = plan.period_start, plan.period_end
    _check_inside_plan(plan, instance.period_start, instance.period_end)
    return _save(instance, user, exclude=["plan"])


def _check_inside_plan(plan: JBPPlan, start: date | None, end: date | None) -> None:
    if start is None or end is None:
        raise ValidationError({"period_start": "Give the period's first and last day."})
    if end < start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    if start < plan.period_start or end > plan.period_end:
        raise ValidationError(
            {
                "period_start": (
                    f"Expected a period inside the plan's {plan.period_start:%Y-%m-%d} to "
                    f"{plan.period_end:%Y-%m-%d}, got {start:%Y-%m-%d} to {end:%Y-%m-%d}."
                )
            }
        )


@transaction.atomic
def jbp_investment_delete(*, investment: JBPInvestment, user: AnyUser) -> None:
    plan = investment.plan
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP investments")
    require_editable(plan)
    investment._history_user = actor(user)  # type: ignore[attr-defined]
    investment.delete()


INITIATIVE_CONTENT_FIELDS = ("title", "owner_side", "owner_name", "due_date", "kpi_metric")


@transaction.atomic
def jbp_initiative_save(
    *, plan: JBPPlan, user: AnyUser, data: Mapping[str, Any], initiative: JBPInitiative | None = None
) -> JBPInitiative:
    """Create or change a joint initiative of a draft plan (its status is tracked separately)."""
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP initiatives")
    require_editable(plan)
    instance = initiative or JBPInitiative(plan=plan)
    if instance.plan_id != plan.pk:
        raise ApplicationError("The initiative belongs to another plan.")
    for name in (*INITIATIVE_CONTENT_FIELDS, "status"):
        if name in data:
            setattr(instance, name, data[name])
    return _save(instance, user, exclude=["plan"])


@transaction.atomic
def jbp_initiative_set_status(*, initiative: JBPInitiative, user: AnyUser, status: str) -> JBPInitiative:
    """Track an initiative's progress; allowed until the plan closes, also on agreed plans."""
    plan = initiative.plan
    require_role(user, plan.brand_id, OPERATOR_ROLES, action="update initiative progress")
    _require_trackable(plan)
    if status not in JBPInitiative.Status.values:
        raise ApplicationError(f"Unknown status {status!r}; expected one of {', '.join(JBPInitiative.Status.values)}.")
    initiative.status = status
    return _save(initiative, user, exclude=["plan"])


@transaction.atomic
def jbp_initiative_delete(*, initiative: JBPInitiative, user: AnyUser) -> None:
    plan = initiative.plan
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP initiatives")
    require_editable(plan)
    initiative._history_user = actor(user)  # type: ignore[attr-defined]
    initiative.delete()


def _require_trackable(plan: JBPPlan) -> None:
    if plan.status not in JBPPlan.TRACKABLE_STATUSES:
        raise ApplicationError(f"v{plan.version} is {plan.get_status_display()}: it is no longer tracked.")


LAUNCH_CONTENT_FIELDS = ("planned_sku", "title", "gtin", "launch_week", "forecast_units", "required_certificates")
LAUNCH_READINESS_FIELDS = ("aplus_ready", "video_ready")


@transaction.atomic
def jbp_launch_save(
    *, plan: JBPPlan, user: AnyUser, data: Mapping[str, Any], launch: LaunchPlan | None = None
) -> LaunchPlan:
    """Create or change a launch of a draft plan. An ASIN must be a product of the plan's brand."""
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP launches")
    require_editable(plan)
    instance = launch or LaunchPlan(plan=plan)
    if instance.plan_id != plan.pk:
        raise ApplicationError("The launch belongs to another plan.")
    for name in (*LAUNCH_CONTENT_FIELDS, *LAUNCH_READINESS_FIELDS):
        if name in data:
            setattr(instance, name, data[name])
    if "asin" in data:
        asin = str(data["asin"] or "").strip().upper()
        instance.product = None
        if asin:
            product = Product.objects.filter(
                brand_id=plan.brand_id, marketplace_id=plan.marketplace_id, asin=asin
            ).first()
            if product is None:
                raise ValidationError(
                    {"asin": f"{asin} is not a product of {plan.brand.name} on {plan.marketplace.domain}."}
                )
            instance.product = product
            if not instance.title:
                instance.title = product.title[:200]
            if not instance.gtin:
                instance.gtin = product.gtin
    if isinstance(instance.required_certificates, str):
        instance.required_certificates = [
            c.strip().upper() for c in instance.required_certificates.split(",") if c.strip()
        ]
    return _save(instance, user, exclude=["plan"])


@transaction.atomic
def jbp_launch_set_readiness(*, launch: LaunchPlan, user: AnyUser, data: Mapping[str, Any]) -> LaunchPlan:
    """Tick A+ content or video as ready; allowed until the plan closes."""
    plan = launch.plan
    require_role(user, plan.brand_id, OPERATOR_ROLES, action="update launch readiness")
    _require_trackable(plan)
    for name in LAUNCH_READINESS_FIELDS:
        if name in data:
            setattr(launch, name, bool(data[name]))
    return _save(launch, user, exclude=["plan"])


@transaction.atomic
def jbp_launch_delete(*, launch: LaunchPlan, user: AnyUser) -> None:
    plan = launch.plan
    require_role(user, plan.brand_id, EDITOR_ROLES, action="edit JBP launches")
    require_editable(plan)
    launch._history_user = actor(user)  # type: ignore[attr-defined]
    launch.delete()


@transaction.atomic
def jbp_certificate_add(*, launch: LaunchPlan, user: AnyUser, data: Mapping[str, Any]) -> LaunchCertificate:
    """Record a compliance certificate (FCC, CE, CPC, ...) for a launch; allowed until the plan closes."""
    plan = launch.plan
    require_role(user, plan.brand_id, OPERATOR_ROLES, action="record compliance certificates")
    _require_trackable(plan)
    certificate = LaunchCertificate(launch=launch)
    for name in ("kind", "reference", "issued_on", "expires_on"):
        if name in data:
            setattr(certificate, name, data[name])
    if certificate.issued_on and certificate.expires_on and certificate.expires_on < certificate.issued_on:
        raise ValidationError({"expires_on": "The certificate expires before it was issued."})
    certificate.full_clean(exclude=["launch"])
    certificate.save()
    return certificate


@transaction.atomic
def jbp_certificate_delete(*, certificate: LaunchCertificate, user: AnyUser) -> None:
    plan = certificate.launch.plan
    require_role(user, plan.brand_id, OPERATOR_ROLES, action="record compliance certificates")
    _require_trackable(plan)
    certificate.delete()
