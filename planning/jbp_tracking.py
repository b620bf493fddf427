"""Tracking a JBP plan against actuals: raw and pace-adjusted attainment per target, gaps in money
and units, run-rate and Amazon forecasts, and targets under 70 % of pace (DOMAIN.md §4.3).
Actuals come from the provider registered in planning.jbp_actuals; without one every row has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.utils import timezone

from planning.jbp_actuals import ActualsResponse
from planning.jbp_actuals import actuals_provider
from planning.jbp_actuals import actuals_request_for
from planning.jbp_actuals import fetch_actuals
from planning.jbp_allocation import UNIT
from planning.jbp_attainment import PACE_FLAG_THRESHOLD
from planning.jbp_attainment import TargetProgress
from planning.jbp_attainment import attainment
from planning.jbp_attainment import progress
from planning.jbp_grid import GridColumn
from planning.jbp_grid import seasonal_column_weights
from planning.jbp_grid import sum_known
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_models import Metric
from planning.jbp_models import metric_is_additive
from planning.jbp_models import metric_kind
from planning.jbp_models import month_periods

Dim = JBPTarget.DimensionType


# --- tracking -----------------------------------------------------------------------------------------

_UNIT_METRIC = {Metric.SHIPPED_COGS: Metric.SHIPPED_UNITS, Metric.ORDERED_REVENUE: Metric.ORDERED_UNITS}


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
            actuals_request_for(plan, metric, dimension_type, values, periods)
        )
        unit_metric = _UNIT_METRIC.get(metric)  # type: ignore[call-overload]
        if unit_metric and responses[(metric, dimension_type)] is not None:
            unit_responses[(metric, dimension_type)] = fetch_actuals(
                actuals_request_for(plan, unit_metric, dimension_type, values, periods)
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
            actual = sum_known(response.values.get((group.dimension_value, s, e)) for s, e in group.months)
            forecast = sum_known(response.forecast.get((group.dimension_value, s, e)) for s, e in group.months)
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
            units = sum_known(unit_response.values.get((group.dimension_value, s, e)) for s, e in group.months)
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


def _target_weights(plan: JBPPlan, target: JBPTarget) -> dict[date, Decimal]:
    if target.weights:
        return {date.fromisoformat(f"{k}-01"): Decimal(v) for k, v in target.weights.items()}
    columns = [GridColumn(s, e) for s, e in month_periods(target.period_start, target.period_end)]
    weights, has_profile = seasonal_column_weights(plan, columns)
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
    actual = sum_known(m.progress.actual for m in run)
    expected = sum_known(m.progress.expected_to_date for m in run)
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
        forecast=sum_known(forecasts) if all(f is not None for f in forecasts) else None,
        flagged=pace is not None and pace < PACE_FLAG_THRESHOLD,
    )
