"""Reads for JBP plans: lists, versions and their differences, the target grid, top-down allocation,
tracking against actuals, and the change history. Every entry point takes the user or a plan the view
already fetched through planning.scoping, so another brand's plan is never reachable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import prefetch_related_objects
from django.utils import timezone

from core.exceptions import ApplicationError
from core.money import safe_ratio
from core.periods import add_months
from planning.jbp_actuals import ActualsRequest
from planning.jbp_actuals import ActualsResponse
from planning.jbp_actuals import actuals_provider
from planning.jbp_actuals import fetch_actuals
from planning.jbp_allocation import CENT
from planning.jbp_allocation import UNIT
from planning.jbp_allocation import AllocationError
from planning.jbp_allocation import allocate
from planning.jbp_allocation import weights_or_fallback
from planning.jbp_attainment import PACE_FLAG_THRESHOLD
from planning.jbp_attainment import TargetProgress
from planning.jbp_attainment import attainment
from planning.jbp_attainment import progress
from planning.jbp_models import COUNT
from planning.jbp_models import MONEY
from planning.jbp_models import RATIO
from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchPlan
from planning.jbp_models import Metric
from planning.jbp_models import metric_is_additive
from planning.jbp_models import metric_kind
from planning.jbp_models import month_periods
from planning.models import Brand
from planning.models import Product
from planning.services import TRANSITIONS
from planning.services import Refusal
from planning.services import Transition
from planning.services import transition_refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

Dim = JBPTarget.DimensionType
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


# --- the target grid ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridColumn:
    start: date
    end: date

    @property
    def key(self) -> str:
        return self.start.isoformat()

    @property
    def label(self) -> str:
        partial = self.start.day != 1 or (self.end + timedelta(days=1)).day != 1
        return f"{self.start:%b %Y}" + (" (part)" if partial else "")

    @property
    def quarter(self) -> str:
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"


@dataclass
class GridRow:
    key: str  # the dimension value
    label: str
    detail: str
    cells: list[Decimal | None]

    @property
    def total(self) -> Decimal | None:
        return _sum_known(self.cells)


@dataclass
class TargetGrid:
    plan: JBPPlan
    metric: str
    dimension_type: str
    columns: list[GridColumn]
    rows: list[GridRow]
    editable: bool
    # Ratios are typed and shown in percent (25 = 25 %), stored as fractions.
    scale: Decimal = Decimal(1)

    @property
    def kind(self) -> str:
        return metric_kind(self.metric)

    @property
    def additive(self) -> bool:
        return metric_is_additive(self.metric)

    @property
    def unit_label(self) -> str:
        return {MONEY: self.plan.currency, COUNT: "units", RATIO: "%"}[self.kind]

    @property
    def column_totals(self) -> list[Decimal | None]:
        totals: list[Decimal | None] = []
        for index in range(len(self.columns)):
            totals.append(_sum_known(row.cells[index] for row in self.rows))
        return totals

    @property
    def grand_total(self) -> Decimal | None:
        return _sum_known(row.total for row in self.rows)

    @property
    def quarters(self) -> list[tuple[str, list[GridColumn]]]:
        groups: dict[str, list[GridColumn]] = {}
        for column in self.columns:
            groups.setdefault(column.quarter, []).append(column)
        return list(groups.items())


def grid_columns(plan: JBPPlan) -> list[GridColumn]:
    return [GridColumn(start, end) for start, end in month_periods(plan.period_start, plan.period_end)]


def _plan_products(plan: JBPPlan) -> QuerySet[Product]:
    qs = Product.objects.filter(brand_id=plan.brand_id, marketplace_id=plan.marketplace_id)
    codes = [vc.pk for vc in plan.vendor_codes.all()]
    if codes:
        qs = qs.filter(vendor_code_id__in=codes)
    return qs


def jbp_grid_rows(plan: JBPPlan, dimension_type: str, metric: str | None = None) -> list[tuple[str, str, str]]:
    """(value, label, detail) of the grid's rows: the brand's categories or ASINs in the marketplace,
    the plan's vendor codes, or one total row; plus any dimension value that already has targets."""
    existing_qs = plan.targets.filter(dimension_type=dimension_type)
    if metric:
        existing_qs = existing_qs.filter(metric=metric)
    existing = set(existing_qs.values_list("dimension_value", flat=True))
    rows: dict[str, tuple[str, str, str]] = {}
    if dimension_type == Dim.TOTAL:
        return [("", "Total", plan.marketplace.domain)]
    if dimension_type == Dim.CATEGORY:
        categories = _plan_products(plan).values("category").annotate(n=Count("id")).order_by("category")
        for row in categories:
            rows[row["category"]] = (row["category"], row["category"], f"{row['n']} ASINs")
    elif dimension_type == Dim.ASIN:
        for asin, title in (
            _plan_products(plan).exclude(lifecycle=Product.Lifecycle.EXIT).order_by("asin").values_list("asin", "title")
        ):
            rows[asin] = (asin, asin, title[:60])
        missing = existing - set(rows)
        for asin, title in (
            Product.objects.filter(brand_id=plan.brand_id, marketplace_id=plan.marketplace_id, asin__in=missing)
        ).values_list("asin", "title"):
            rows[asin] = (asin, asin, title[:60])
    elif dimension_type == Dim.VENDOR_CODE:
        for vc in plan.vendor_codes.all():
            rows[vc.code] = (vc.code, vc.code, "")
    for value in sorted(existing - set(rows)):
        rows[value] = (value, value, "has targets")
    return sorted(rows.values(), key=lambda row: row[1].lower())


def jbp_grid(*, plan: JBPPlan, metric: str, dimension_type: str) -> TargetGrid:
    """The month grid of one metric: rows are dimension values, columns the plan's months."""
    columns = grid_columns(plan)
    scale = Decimal(100) if metric_kind(metric) == RATIO else Decimal(1)
    targets = plan.targets.filter(metric=metric, dimension_type=dimension_type, period_type=JBPTarget.PeriodType.MONTH)
    by_cell = {(t.dimension_value, t.period_start): t.target_value for t in targets}
    rows = []
    for value, label, detail in jbp_grid_rows(plan, dimension_type, metric):
        cells = []
        for column in columns:
            stored = by_cell.get((value, column.start))
            cells.append(None if stored is None else display_value(stored, metric))
        rows.append(GridRow(key=value, label=label, detail=detail, cells=cells))
    return TargetGrid(
        plan=plan,
        metric=metric,
        dimension_type=dimension_type,
        columns=columns,
        rows=rows,
        editable=plan.is_editable,
        scale=scale,
    )


def display_value(stored: Decimal, metric: str) -> Decimal:
    """A stored target as the grid shows it: cents for money, whole units, percent for ratios."""
    kind = metric_kind(metric)
    if kind == RATIO:
        return (stored * 100).quantize(Decimal("0.01")).normalize()
    if kind == COUNT:
        return stored.quantize(UNIT)
    return stored.quantize(CENT)


def stored_value(display: Decimal, metric: str) -> Decimal:
    """The inverse of display_value: percent back to a fraction for ratios."""
    return display / 100 if metric_kind(metric) == RATIO else display


# --- top-down allocation ------------------------------------------------------------------------------

ALLOCATION_METHODS = {
    "last_year": "Last year's mix",
    "seasonal": "Seasonal weights",
    "even": "Evenly by days",
}


@dataclass
class AllocationResult:
    columns: list[GridColumn]
    values: list[Decimal]
    method: str  # the method actually used (last_year falls back to seasonal without data)
    note: str = ""


def _days(column: GridColumn) -> Decimal:
    return Decimal((column.end - column.start).days + 1)


def _seasonal_weights(plan: JBPPlan, columns: list[GridColumn]) -> tuple[list[Decimal], bool]:
    """Each column's weight from the plan's month-of-year profile, pro rata for part months.

    Returns the weights and whether a profile exists (without one every day weighs the same).
    """
    profile = {int(k): Decimal(v) for k, v in (plan.seasonal_weights or {}).items()}
    if not profile or sum(profile.values()) <= 0:
        return [_days(c) for c in columns], False
    weights = []
    for column in columns:
        month_days = Decimal((add_months(column.start.replace(day=1), 1) - column.start.replace(day=1)).days)
        weights.append(profile.get(column.start.month, Decimal(0)) * _days(column) / month_days)
    return weights, True


def _last_year_weights(
    plan: JBPPlan, metric: str, dimension_type: str, dimension_value: str, columns: list[GridColumn]
) -> list[Decimal | None] | None:
    """Actuals of the same months one year earlier, or None when no provider answers."""
    periods = tuple((add_months(c.start, -12), add_months(c.end, -12)) for c in columns)
    response = fetch_actuals(_actuals_request(plan, metric, dimension_type, (dimension_value,), periods))
    if response is None:
        return None
    return [response.values.get((dimension_value, start, end)) for start, end in periods]


def jbp_allocation(
    *,
    plan: JBPPlan,
    metric: str,
    dimension_type: str,
    dimension_value: str,
    first: date,
    last: date,
    total: Decimal,
    method: str,
) -> AllocationResult:
    """Spread `total` (in grid units) over the plan's months from `first` to `last`, exactly to the cent."""
    if not metric_is_additive(metric):
        raise ApplicationError(f"{Metric(metric).label} is a ratio: a total cannot be spread across months.")
    if method not in ALLOCATION_METHODS:
        raise ApplicationError(f"Unknown method {method!r}; expected one of {', '.join(ALLOCATION_METHODS)}.")
    columns = [c for c in grid_columns(plan) if first <= c.start <= last]
    if not columns:
        raise ApplicationError(f"No month of the plan starts between {first:%Y-%m-%d} and {last:%Y-%m-%d}.")
    quantum = CENT if metric_kind(metric) == MONEY else UNIT
    if total != total.quantize(quantum):
        unit = "cents" if quantum == CENT else "whole units"
        raise ApplicationError(f"Expected the total in {unit}, got {total}.")
    seasonal, has_profile = _seasonal_weights(plan, columns)
    used, note = method, ""
    if method == "even":
        weights = [_days(c) for c in columns]
    elif method == "seasonal":
        weights = seasonal
        if not has_profile:
            used, note = "even", "The plan has no seasonal profile yet: spread evenly by days."
    else:
        last_year = _last_year_weights(plan, metric, dimension_type, dimension_value, columns)
        weights, fell_back = weights_or_fallback(last_year or [], seasonal)
        if fell_back:
            used = "seasonal" if has_profile else "even"
            reason = "no actuals are connected yet" if last_year is None else "no sales in the same months last year"
            how = "seasonal weights" if has_profile else "evenly by days"
            note = f"Last year's mix is not available ({reason}): spread by {how}."
    try:
        values = allocate(total, weights, quantum=quantum)
    except AllocationError as exc:
        raise ApplicationError(f"Cannot spread {total}: {exc}.") from exc
    return AllocationResult(columns=columns, values=values, method=used, note=note)


# --- tracking -----------------------------------------------------------------------------------------

_UNIT_METRIC = {Metric.SHIPPED_COGS: Metric.SHIPPED_UNITS, Metric.ORDERED_REVENUE: Metric.ORDERED_UNITS}


def _actuals_request(
    plan: JBPPlan,
    metric: str,
    dimension_type: str,
    values: tuple[str, ...],
    periods: tuple[tuple[date, date], ...],
) -> ActualsRequest:
    return ActualsRequest(
        brand_id=plan.brand_id,
        marketplace_id=plan.marketplace.amazon_marketplace_id,
        vendor_codes=tuple(sorted(vc.code for vc in plan.vendor_codes.all())),
        currency=plan.currency,
        metric=metric,
        dimension_type=dimension_type,
        dimension_values=values,
        periods=periods,
    )


@dataclass
class TrackingRow:
    metric: str
    dimension_type: str
    dimension_value: str
    period_label: str
    start: date
    end: date
    progress: TargetProgress
    months: list[tuple[date, date]] = field(default_factory=list)
    units_gap: Decimal | None = None
    amazon_forecast: Decimal | None = None
    is_summary: bool = False
    rolled_up: bool = False  # monthly targets of one dimension shown as one row
    direction: str = JBPTarget.Direction.HIGHER_IS_BETTER

    @property
    def ratio_gap(self) -> tuple[Decimal, bool] | None:
        """For ratio targets: the distance to target in percentage points and whether it is on the
        good side (ACoS under target is good; net PPM over target is good)."""
        actual, target = self.progress.actual, self.progress.target
        if metric_is_additive(self.metric) or actual is None:
            return None
        points = (actual - target) * 100
        good = points <= 0 if self.direction == JBPTarget.Direction.LOWER_IS_BETTER else points >= 0
        return abs(points), good

    @property
    def metric_label(self) -> str:
        return Metric(self.metric).label

    @property
    def kind(self) -> str:
        return metric_kind(self.metric)

    @property
    def label(self) -> str:
        if self.is_summary:
            return {"CATEGORY": "All categories", "ASIN": "All ASINs", "VENDOR_CODE": "All vendor codes"}.get(
                self.dimension_type, "All"
            )
        return self.dimension_value or "Total"


@dataclass
class PlanTracking:
    rows: list[TrackingRow]
    as_of: date | None
    sources: list[str]
    provider_registered: bool

    @property
    def has_actuals(self) -> bool:
        return any(row.progress.actual is not None for row in self.rows)

    @property
    def flagged(self) -> list[TrackingRow]:
        return [row for row in self.rows if row.progress.flagged and not row.is_summary]


@dataclass
class _Group:
    metric: str
    dimension_type: str
    dimension_value: str
    period_type: str
    targets: list[JBPTarget]

    @property
    def start(self) -> date:
        return min(t.period_start for t in self.targets)

    @property
    def end(self) -> date:
        return max(t.period_end for t in self.targets)

    @property
    def months(self) -> list[tuple[date, date]]:
        return [(t.period_start, t.period_end) for t in self.targets]


def _groups(targets: Iterable[JBPTarget]) -> list[_Group]:
    """Monthly targets of an additive metric roll up into one row per dimension (the months are its
    seasonal phasing); every other target is its own row."""
    grouped: dict[tuple[str, str, str], _Group] = {}
    single: list[_Group] = []
    for target in targets:
        if target.period_type == JBPTarget.PeriodType.MONTH and metric_is_additive(target.metric):
            key = (target.metric, target.dimension_type, target.dimension_value)
            group = grouped.setdefault(key, _Group(*key, period_type="MONTHS", targets=[]))
            group.targets.append(target)
        else:
            single.append(
                _Group(target.metric, target.dimension_type, target.dimension_value, target.period_type, [target])
            )
    return sorted(
        [*grouped.values(), *single],
        key=lambda g: (list(Metric.values).index(g.metric), g.dimension_type, g.dimension_value.lower(), g.start),
    )


def jbp_plan_tracking(*, plan: JBPPlan, today: date | None = None) -> PlanTracking:
    """Attainment of every target (raw and pace-adjusted), gaps and forecasts, from the actuals provider.

    One provider call per metric and dimension type. Without a provider every row has no actual.
    """
    today = today or timezone.localdate()
    # Every provider request names the plan's vendor codes: load them once, not once per request.
    prefetch_related_objects([plan], "vendor_codes")
    groups = _groups(plan.targets.order_by("metric", "dimension_type", "dimension_value", "period_start"))
    by_request: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for group in groups:
        by_request[(group.metric, group.dimension_type)].append(group)

    responses: dict[tuple[str, str], ActualsResponse | None] = {}
    unit_responses: dict[tuple[str, str], ActualsResponse | None] = {}
    for (metric, dimension_type), members in by_request.items():
        values = tuple(sorted({g.dimension_value for g in members}))
        periods = tuple(sorted({p for g in members for p in g.months}))
        responses[(metric, dimension_type)] = fetch_actuals(
            _actuals_request(plan, metric, dimension_type, values, periods)
        )
        unit_metric = _UNIT_METRIC.get(metric)  # type: ignore[call-overload]
        if unit_metric and responses[(metric, dimension_type)] is not None:
            unit_responses[(metric, dimension_type)] = fetch_actuals(
                _actuals_request(plan, unit_metric, dimension_type, values, periods)
            )

    default_as_of = min(today - timedelta(days=1), plan.period_end)
    rows: list[TrackingRow] = []
    sources: set[str] = set()
    as_ofs: list[date] = []
    for group in groups:
        response = responses.get((group.metric, group.dimension_type))
        as_of = default_as_of
        actual: Decimal | None = None
        forecast: Decimal | None = None
        units_gap: Decimal | None = None
        if response is not None:
            sources.add(response.source)
            as_of = min(response.as_of or default_as_of, plan.period_end)
            as_ofs.append(as_of)
            actual = _sum_known(response.values.get((group.dimension_value, s, e)) for s, e in group.months)
            forecast = _sum_known(response.forecast.get((group.dimension_value, s, e)) for s, e in group.months)
        target = sum((t.target_value for t in group.targets), Decimal(0))
        seasonal = None
        if group.period_type == "MONTHS":
            seasonal = {t.period_start.replace(day=1): t.target_value for t in group.targets}
        elif group.targets[0].phasing == JBPTarget.Phasing.SEASONAL:
            seasonal = _target_weights(plan, group.targets[0])
        result = progress(
            actual=actual,
            target=target,
            direction=group.targets[0].direction,
            start=group.start,
            end=group.end,
            as_of=as_of,
            cumulative=metric_is_additive(group.metric),
            seasonal_weights=seasonal,
        )
        unit_response = unit_responses.get((group.metric, group.dimension_type))
        if unit_response is not None and actual and result.gap_to_target is not None:
            units = _sum_known(unit_response.values.get((group.dimension_value, s, e)) for s, e in group.months)
            if units:
                units_gap = (result.gap_to_target * units / actual).quantize(UNIT)
        rows.append(
            TrackingRow(
                metric=group.metric,
                dimension_type=group.dimension_type,
                dimension_value=group.dimension_value,
                period_label=_period_label(group),
                start=group.start,
                end=group.end,
                progress=result,
                months=group.months,
                units_gap=units_gap,
                amazon_forecast=forecast,
                rolled_up=group.period_type == "MONTHS",
                direction=group.targets[0].direction,
            )
        )
    rows = _with_summaries(rows)
    return PlanTracking(
        rows=rows,
        as_of=min(as_ofs) if as_ofs else None,
        sources=sorted(sources),
        provider_registered=actuals_provider() is not None,
    )


def _sum_known(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _target_weights(plan: JBPPlan, target: JBPTarget) -> dict[date, Decimal]:
    if target.weights:
        return {date.fromisoformat(f"{k}-01"): Decimal(v) for k, v in target.weights.items()}
    columns = [GridColumn(s, e) for s, e in month_periods(target.period_start, target.period_end)]
    weights, has_profile = _seasonal_weights(plan, columns)
    return {c.start.replace(day=1): w for c, w in zip(columns, weights, strict=True)} if has_profile else {}


def _period_label(group: _Group) -> str:
    if group.period_type == "MONTHS":
        if len(group.targets) > 1:
            return f"{group.start:%b}\u2013{group.end:%b %Y} monthly"
        return f"{group.start:%b %Y}"
    if group.period_type == JBPTarget.PeriodType.PLAN:
        return "Whole period"
    return f"{group.start:%d %b}\u2013{group.end:%d %b %Y}"


def _with_summaries(rows: list[TrackingRow]) -> list[TrackingRow]:
    """After the month-phased rows of one additive metric and dimension type, a row adding them up."""
    out: list[TrackingRow] = []
    index = 0
    while index < len(rows):
        first = rows[index]
        end = index + 1
        while (
            first.rolled_up
            and end < len(rows)
            and rows[end].rolled_up
            and (rows[end].metric, rows[end].dimension_type) == (first.metric, first.dimension_type)
        ):
            end += 1
        run = rows[index:end]
        out.extend(run)
        index = end
        if len(run) > 1 and first.dimension_type != Dim.TOTAL:
            out.append(
                TrackingRow(
                    metric=first.metric,
                    dimension_type=first.dimension_type,
                    dimension_value="",
                    period_label=first.period_label,
                    start=min(m.start for m in run),
                    end=max(m.end for m in run),
                    progress=_summary_progress(run),
                    is_summary=True,
                )
            )
    return out


def _summary_progress(run: list[TrackingRow]) -> TargetProgress:
    """Sums of targets, actuals and expected-to-date; ratios of those sums (never a mean of ratios)."""
    direction = JBPTarget.Direction.HIGHER_IS_BETTER
    target = sum((m.progress.target for m in run), Decimal(0))
    actual = _sum_known(m.progress.actual for m in run)
    expected = _sum_known(m.progress.expected_to_date for m in run)
    pace = None if expected is None else attainment(actual, expected, direction)
    forecasts = [m.progress.forecast for m in run]
    return TargetProgress(
        actual=actual,
        target=target,
        elapsed_weight=(expected / target) if expected is not None and target else Decimal(0),
        expected_to_date=expected,
        raw_attainment=attainment(actual, target, direction),
        pace_attainment=pace,
        gap_to_target=None if actual is None else target - actual,
        gap_to_pace=None if actual is None or expected is None else expected - actual,
        forecast=_sum_known(forecasts) if all(f is not None for f in forecasts) else None,
        flagged=pace is not None and pace < PACE_FLAG_THRESHOLD,
    )


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


# --- grid edits: saves, pastes and uploads ------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    row_key: str
    row_label: str
    column: GridColumn
    old: Decimal | None  # grid display units
    new: Decimal | None

    @property
    def change(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def delta(self) -> Decimal | None:
        return None if self.old is None or self.new is None else self.new - self.old


def jbp_grid_changes(
    grid: TargetGrid, cells: dict[tuple[str, str], Decimal | None], labels: dict[str, str] | None = None
) -> list[CellChange]:
    """The cells whose value differs from the grid (numerically: 100 and 100.00 are the same)."""
    columns = {column.key: column for column in grid.columns}
    current: dict[tuple[str, str], Decimal | None] = {}
    row_labels = {row.key: row.label for row in grid.rows}
    for row in grid.rows:
        for column, value in zip(grid.columns, row.cells, strict=True):
            current[(row.key, column.key)] = value
    changes = []
    for (row_key, column_key), new in cells.items():
        if column_key not in columns:
            continue
        column = columns[column_key]
        old = current.get((row_key, column_key))
        if old == new or (old is not None and new is not None and old.compare(new) == 0):
            continue
        label = row_labels.get(row_key) or (labels or {}).get(row_key) or row_key
        changes.append(CellChange(row_key=row_key, row_label=label, column=column, old=old, new=new))
    order = {row.key: index for index, row in enumerate(grid.rows)}
    changes.sort(key=lambda c: (order.get(c.row_key, len(order)), c.row_key, c.column.start))
    return changes


def grid_rows_for_service(grid: TargetGrid, cells: Iterable[tuple[str, str, Decimal | None]]) -> list[dict[str, Any]]:
    """Target rows for jbp_targets_upsert from grid cells (row key, month key, display value or None)."""
    rows = []
    for row_key, column_key, value in cells:
        rows.append(
            {
                "metric": grid.metric,
                "dimension_type": grid.dimension_type,
                "dimension_value": row_key,
                "period_type": JBPTarget.PeriodType.MONTH,
                "period_start": column_key,
                "target_value": None if value is None else stored_value(value, grid.metric),
            }
        )
    return rows
