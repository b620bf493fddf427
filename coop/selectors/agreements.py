"""Reads of agreements, accruals, provisional true-ups and the growth rebate tracker.

Every function that takes a user scopes through BrandScopedManager.for_user, so another brand's
agreement is simply not found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coop import calculations as calc
from coop.models import Accrual
from coop.models import CoopAgreement
from coop.selectors.facts import fact_basis
from core.money import round2
from core.money import safe_ratio
from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from core.periods import months_between
from planning.models import Brand

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def agreement_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    status: str = "",
    agreement_type: str = "",
    vendor_code_id: int | None = None,
    search: str = "",
) -> QuerySet[CoopAgreement]:
    """The user's agreements with their accrual totals (expected_total, accrual_count, review_count)."""
    qs = CoopAgreement.objects.for_user(user).select_related("vendor_code", "vendor_code__marketplace", "supersedes")
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    if status:
        qs = qs.filter(status=status)
    if agreement_type:
        qs = qs.filter(agreement_type=agreement_type)
    if vendor_code_id:
        qs = qs.filter(vendor_code_id=vendor_code_id)
    if search:
        qs = qs.filter(Q(amazon_agreement_id__icontains=search) | Q(title__icontains=search))
    return qs.annotate(
        expected_total=Sum("accruals__expected_amount"),
        accrual_count=Count("accruals", distinct=True),
        review_count=Count("accruals", filter=Q(accruals__needs_review=True), distinct=True),
    ).order_by("vendor_code__code", "-start_date", "amazon_agreement_id")


def agreement_get(*, user: AnyUser, pk: int) -> CoopAgreement:
    qs = (
        CoopAgreement.objects.for_user(user)
        .select_related("vendor_code", "vendor_code__brand", "supersedes")
        .prefetch_related("tiers", Prefetch("superseded_by", queryset=CoopAgreement.objects.all()))
    )
    # Scoped first, so another brand's object is a 404 like a missing one.
    return get_object_or_404(qs, pk=pk)


def accrual_list(
    *,
    user: AnyUser,
    agreement: CoopAgreement | None = None,
    brand: Brand | None = None,
    needs_review: bool | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> QuerySet[Accrual]:
    qs = Accrual.objects.for_user(user).select_related("agreement", "agreement__vendor_code")
    if agreement is not None:
        qs = qs.filter(agreement=agreement)
    if brand is not None:
        qs = qs.filter(agreement__vendor_code__brand=brand)
    if needs_review is not None:
        qs = qs.filter(needs_review=needs_review)
    if period_start is not None:
        qs = qs.filter(period_start__gte=period_start)
    if period_end is not None:
        qs = qs.filter(period_start__lte=period_end)
    return qs.order_by("agreement__vendor_code__code", "agreement__amazon_agreement_id", "period_start")


@dataclass(frozen=True)
class TrueUpRow:
    period_start: date
    provisional_expected: Decimal | None
    negotiated_expected: Decimal | None
    credit_to_vendor: Decimal | None  # provisional - negotiated; None when either month is missing
    currency: str


def agreement_true_up(*, agreement: CoopAgreement) -> list[TrueUpRow]:
    """Month by month, what the superseded provisional agreement charged against the negotiated terms
    applied retroactively to the same receipts (DOMAIN.md §3.2: 24,000.00 - 19,200.00 = 4,800.00
    credit). Amazon re-rates the provisional period, so the negotiated rate is applied to the
    provisional accrual's own basis (a partial month stays partial); when the two agreements are not
    computed on the same basis, the negotiated agreement's accrual for the month is used instead.

    The caller has already scoped `agreement` to the user (agreement_get)."""
    provisional = agreement.supersedes
    if provisional is None:
        return []
    same_basis = provisional.calc_basis == agreement.calc_basis and bool(agreement.calc_basis)
    negotiated = {a.period_start: a.expected_amount for a in agreement.accruals.all()}
    rows = []
    for accrual in provisional.accruals.order_by("period_start"):
        new: Decimal | None
        if same_basis and agreement.calc_basis == CoopAgreement.CalcBasis.UNITS_SOLD:
            new = calc.per_unit_accrual(
                units=accrual.basis_units or 0, per_unit_amount=agreement.per_unit_amount or Decimal("0")
            )
        elif same_basis and agreement.rate_pct is not None:
            new = calc.percentage_accrual(basis=accrual.basis_amount, rate=agreement.rate_pct) * agreement.sign
        else:
            new = negotiated.get(accrual.period_start)
        old = accrual.expected_amount
        credit = calc.provisional_true_up(provisional_charged=old, negotiated_expected=new) if new is not None else None
        rows.append(TrueUpRow(accrual.period_start, old, new, credit, agreement.currency))
    return rows


def true_up_total(rows: list[TrueUpRow]) -> Decimal | None:
    credits = [row.credit_to_vendor for row in rows if row.credit_to_vendor is not None]
    return sum(credits, Decimal("0")) if credits else None


@dataclass(frozen=True)
class GrowthTracker:
    agreement: CoopAgreement
    currency: str
    through: date | None  # last day the facts reach inside the measured period
    elapsed_days: int
    total_days: int
    actual_to_date: Decimal
    baseline_to_date: Decimal | None
    baseline_full_period: Decimal | None
    projection: calc.GrowthProjection
    gap_units: int | None  # the money gap at the average measured value per unit so far
    notes: list[str]  # why a figure is undefined (missing facts)


def _growth_tracker(agreement: CoopAgreement, today: date) -> GrowthTracker:
    assert agreement.end_date is not None  # model validation requires it for growth agreements
    start, end = agreement.start_date, agreement.end_date
    total_days = (end - start).days + 1
    actual = (
        fact_basis(
            vendor_code=agreement.vendor_code,
            calc_basis=agreement.measured_metric,
            window_start=start,
            window_end=min(today, end),
            selling_program=agreement.selling_program,
        )
        if today >= start
        else None
    )
    notes: list[str] = []
    through = actual.covered_through if actual and actual.found else None
    elapsed_days = (through - start).days + 1 if through else 0
    actual_amount = actual.amount if actual and actual.found else Decimal("0")
    if actual is not None and through is not None and actual.covered_days < elapsed_days:
        # A hole in the facts would read as a fall in growth: say so rather than compute it.
        notes.append(
            f"The facts cover {actual.covered_days} of the {elapsed_days} days to {through:%d %b %Y}; "
            "import the missing periods to see growth."
        )
        elapsed_days = 0

    baseline_full: Decimal | None = agreement.baseline_amount
    baseline_to_date: Decimal | None = None
    if baseline_full is not None:
        # Only a total is known: assume it was earned evenly over the period.
        baseline_to_date = round2(baseline_full * Decimal(elapsed_days) / Decimal(total_days)) if elapsed_days else None
    elif agreement.baseline_period_start and agreement.baseline_period_end:
        full = fact_basis(
            vendor_code=agreement.vendor_code,
            calc_basis=agreement.measured_metric,
            window_start=agreement.baseline_period_start,
            window_end=agreement.baseline_period_end,
            selling_program=agreement.selling_program,
        )
        # A baseline is only a baseline when the facts cover all of it.
        baseline_full = full.amount if full.complete else None
        if not full.complete:
            notes.append(
                f"The baseline facts cover {full.covered_days} of {full.window_days} days "
                f"({agreement.baseline_period_start:%d %b %Y} to {agreement.baseline_period_end:%d %b %Y}); "
                "growth stays undefined until they are imported."
            )
        if elapsed_days and baseline_full is not None:
            same_span = fact_basis(
                vendor_code=agreement.vendor_code,
                calc_basis=agreement.measured_metric,
                window_start=agreement.baseline_period_start,
                window_end=min(
                    agreement.baseline_period_start + timedelta(days=elapsed_days - 1), agreement.baseline_period_end
                ),
                selling_program=agreement.selling_program,
            )
            baseline_to_date = same_span.amount if same_span.complete else None
    tiers = [calc.Tier(t.threshold_growth_pct, t.rate_pct) for t in agreement.tiers.all()]
    projection = calc.growth_projection(
        actual_to_date=actual_amount,
        baseline_to_date=baseline_to_date,
        baseline_full_period=baseline_full,
        elapsed_days=elapsed_days,
        total_days=total_days,
        tiers=tiers,
        mode=agreement.tier_mode,
    )
    gap_units = None
    if projection.gap_to_next_tier is not None and actual and actual.units:
        unit_value = safe_ratio(actual_amount, Decimal(actual.units))
        if unit_value is not None and unit_value > 0:
            gap_units = math.ceil(projection.gap_to_next_tier / unit_value)
    return GrowthTracker(
        agreement=agreement,
        currency=agreement.currency,
        through=through,
        elapsed_days=elapsed_days,
        total_days=total_days,
        actual_to_date=actual_amount,
        baseline_to_date=baseline_to_date,
        baseline_full_period=baseline_full,
        projection=projection,
        gap_units=gap_units,
        notes=notes,
    )


def growth_tracker(*, user: AnyUser, agreement_id: int, today: date | None = None) -> GrowthTracker:
    """YoY growth to date against the tiers, the run-rate projection to period end, the gap in money
    (and units) to the next tier and what reaching it is worth."""
    agreement: CoopAgreement = get_object_or_404(
        CoopAgreement.objects.for_user(user).select_related("vendor_code").prefetch_related("tiers"),
        pk=agreement_id,
        agreement_type=CoopAgreement.Type.GROWTH_INCENTIVE,
    )
    return _growth_tracker(agreement, today or timezone.localdate())


def growth_tracker_list(*, user: AnyUser, brand: Brand | None = None, today: date | None = None) -> list[GrowthTracker]:
    """Trackers of the user's running or recently ended growth agreements (not superseded/rejected)."""
    today = today or timezone.localdate()
    qs = (
        CoopAgreement.objects.for_user(user)
        .filter(
            agreement_type=CoopAgreement.Type.GROWTH_INCENTIVE,
            status__in=[CoopAgreement.Status.ACCEPTED, CoopAgreement.Status.PENDING_ACCEPTANCE],
            end_date__isnull=False,
        )
        .select_related("vendor_code")
        .prefetch_related("tiers")
        .order_by("end_date")
    )
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    return [_growth_tracker(agreement, today) for agreement in qs]


def accrual_total(accruals: QuerySet[Accrual]) -> Decimal:
    return accruals.aggregate(total=Sum("expected_amount"))["total"] or Decimal("0")


# Which JBP target metric stands for an agreement's basis when projecting accruals still to come.
# Receipts and PO cost have no target of their own; shipped COGS is the closest the plan has.
_TARGET_FOR_BASIS: dict[str, tuple[str, bool]] = {
    "SHIPPED_COGS": ("SHIPPED_COGS", False),
    "ORDERED_REVENUE": ("ORDERED_REVENUE", False),
    "UNITS_SOLD": ("SHIPPED_UNITS", False),
    "NET_RECEIPTS": ("SHIPPED_COGS", True),
    "GROSS_RECEIPTS": ("SHIPPED_COGS", True),
    "PO_COST": ("SHIPPED_COGS", True),
}
_PERIOD_PREFERENCE = ["MONTH", "WEEK", "QUARTER", "YEAR", "PLAN"]


@dataclass(frozen=True)
class ProjectionRow:
    period_start: date
    target_basis: Decimal  # the plan's target for the month (units for per-unit agreements)
    projected_amount: Decimal  # what the agreement would charge on it (negative = credit)
    currency: str


@dataclass(frozen=True)
class AccrualProjection:
    rows: list[ProjectionRow]
    metric: str | None
    proxy: bool  # True when the target metric only approximates the basis (receipts ~ shipped COGS)
    note: str

    @property
    def total(self) -> Decimal:
        return sum((row.projected_amount for row in self.rows), Decimal("0"))


def accrual_projection(*, agreement: CoopAgreement, today: date | None = None) -> AccrualProjection:
    """The accruals still to come in the linked JBP plan's period, from its targets: each month from
    this one (or after the last computed accrual) to the end of the plan and the agreement, with the
    month's target (prorated by days from coarser targets) times the agreement's rate or unit amount.

    The caller has already scoped `agreement` to the user."""
    from planning.jbp_models import JBPTarget

    plan = agreement.jbp
    mapping = _TARGET_FOR_BASIS.get(agreement.calc_basis)
    if plan is None or mapping is None or agreement.agreement_type not in CoopAgreement.BASIS_TYPES:
        return AccrualProjection([], None, False, "No JBP plan linked, or the agreement is not rate-based.")
    metric, proxy = mapping
    targets = JBPTarget.objects.filter(plan=plan, metric=metric)
    own = targets.filter(dimension_type="VENDOR_CODE", dimension_value=agreement.vendor_code.code)
    chosen = own if own.exists() else targets.filter(dimension_type="TOTAL")
    by_type = {t: list(chosen.filter(period_type=t)) for t in _PERIOD_PREFERENCE}
    rows_in = next((found for t in _PERIOD_PREFERENCE if (found := by_type[t])), [])
    if not rows_in:
        return AccrualProjection([], metric, proxy, f"The plan has no {metric} target for this vendor code.")
    today = today or timezone.localdate()
    last_accrual = agreement.accruals.order_by("-period_start").values_list("period_start", flat=True).first()
    first = month_start(today)
    if last_accrual is not None and last_accrual >= first:
        first = add_months(last_accrual, 1)
    last = min(plan.period_end, agreement.end_date or plan.period_end)
    amounts = [calc.PeriodAmount(t.period_start, t.period_end, t.target_value) for t in rows_in]
    rows: list[ProjectionRow] = []
    for month in months_between(max(first, month_start(plan.period_start)), last):
        window_start = max(month, agreement.start_date, plan.period_start)
        window_end = min(month_end(month), last)
        if window_end < window_start:
            continue
        basis = calc.basis_in_window(amounts, window_start=window_start, window_end=window_end).amount
        if agreement.calc_basis == CoopAgreement.CalcBasis.UNITS_SOLD:
            amount = calc.per_unit_accrual(units=basis, per_unit_amount=agreement.per_unit_amount or Decimal("0"))
        else:
            amount = calc.percentage_accrual(basis=basis, rate=agreement.rate_pct or Decimal("0"))
        rows.append(ProjectionRow(month, basis, amount * agreement.sign, agreement.currency))
    note = f"From the plan's {metric.replace('_', ' ').lower()} targets"
    if proxy:
        note += f" (a proxy for {agreement.get_calc_basis_display().lower()})"
    return AccrualProjection(rows, metric, proxy, note + ".")
