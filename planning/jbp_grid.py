"""The JBP target grid: rows (categories, ASINs, vendor codes or a total) by the plan's months, in
grid units (money, whole units, or percent for ratios), top-down allocation of a total across months,
and the differences between the grid and edited cells (autosave, paste, XLSX uploads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.db.models import QuerySet

from core.exceptions import ApplicationError
from core.periods import add_months
from planning.jbp_actuals import actuals_request_for
from planning.jbp_actuals import fetch_actuals
from planning.jbp_allocation import CENT
from planning.jbp_allocation import UNIT
from planning.jbp_allocation import AllocationError
from planning.jbp_allocation import allocate
from planning.jbp_allocation import weights_or_fallback
from planning.jbp_models import COUNT
from planning.jbp_models import MONEY
from planning.jbp_models import RATIO
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_models import Metric
from planning.jbp_models import metric_is_additive
from planning.jbp_models import metric_kind
from planning.jbp_models import month_periods
from planning.models import Product

Dim = JBPTarget.DimensionType


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
        return sum_known(self.cells)


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
            totals.append(sum_known(row.cells[index] for row in self.rows))
        return totals

    @property
    def grand_total(self) -> Decimal | None:
        return sum_known(row.total for row in self.rows)

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


def seasonal_column_weights(plan: JBPPlan, columns: list[GridColumn]) -> tuple[list[Decimal], bool]:
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
    response = fetch_actuals(actuals_request_for(plan, metric, dimension_type, (dimension_value,), periods))
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
    seasonal, has_profile = seasonal_column_weights(plan, columns)
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


def sum_known(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None
