"""Accruals: what the app expects Amazon to charge per agreement and month, recomputed from facts.

`accrual_recompute` is idempotent (update_or_create on (agreement, period_start)) so the debounced
task can run any number of times. Charges are only counted inside the agreement's dates; a negative
basis gives a credit flagged for review, never a clamp to zero (DOMAIN.md §3.2).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from coop import calculations as calc
from coop.models import Accrual
from coop.models import CoopAgreement
from coop.selectors.facts import FactBasis
from coop.selectors.facts import cost_decreases
from coop.selectors.facts import fact_basis
from core.money import round2
from core.money import safe_ratio
from core.periods import month_end
from core.periods import month_start
from core.periods import months_between
from core.periods import quarter_end

logger = logging.getLogger(__name__)

Type = CoopAgreement.Type
Status = CoopAgreement.Status

# Agreements Amazon charges (or charged, for months already past) carry accruals.
ACCRUING_STATUSES = frozenset({Status.PROVISIONAL, Status.ACCEPTED, Status.EXPIRED, Status.SUPERSEDED})


def _window(agreement: CoopAgreement, month: date) -> tuple[date, date] | None:
    start = max(month_start(month), agreement.start_date)
    end = month_end(month)
    if agreement.end_date is not None:
        end = min(end, agreement.end_date)
    return (start, end) if start <= end else None


def _currency_review(basis: FactBasis, currency: str) -> list[str]:
    others = sorted(c for c in basis.currencies if c != currency)
    if others:
        return [f"The facts are in {', '.join(others)} but the agreement is in {currency}; check the vendor code."]
    return []


def _basis_accrual(agreement: CoopAgreement, start: date, end: date) -> dict[str, Any] | None:
    basis = fact_basis(
        vendor_code=agreement.vendor_code,
        calc_basis=agreement.calc_basis,
        window_start=start,
        window_end=end,
        selling_program=agreement.selling_program,
    )
    if not basis.found:
        return None
    reasons = _currency_review(basis, agreement.currency)
    if agreement.calc_basis == CoopAgreement.CalcBasis.UNITS_SOLD:
        per_unit = agreement.per_unit_amount or Decimal("0")
        units = basis.units or 0
        expected = calc.per_unit_accrual(units=units, per_unit_amount=per_unit)
        basis_amount, rate = Decimal(units), per_unit
    else:
        rate = agreement.rate_pct or Decimal("0")
        expected = calc.percentage_accrual(basis=basis.amount, rate=rate)
        basis_amount = basis.amount
    if basis_amount < 0:
        reasons.append(
            f"Negative basis {basis_amount:,.2f}: more was returned than received, so the accrual is a credit "
            f"of {abs(expected):,.2f}. Check that Amazon credits it."
        )
    return {
        "basis_amount": round2(basis_amount),
        "basis_units": basis.units,
        "rate_or_unit": rate,
        "expected_amount": expected * agreement.sign,
        "review_reasons": reasons,
        "details": basis.as_details(),
        "source_import_id": basis.source_import_id,
    }


def _fixed_accrual(agreement: CoopAgreement, month: date) -> dict[str, Any] | None:
    """Lump sums accrue once (ONE_TIME, in the start month), every month, or at each quarter end."""
    frequency = agreement.billing_frequency
    amount = agreement.fixed_amount or Decimal("0")
    if frequency == CoopAgreement.BillingFrequency.ONE_TIME and month_start(month) != month_start(agreement.start_date):
        return None
    if frequency == CoopAgreement.BillingFrequency.QUARTERLY and month_end(month) != quarter_end(month):
        return None
    return {
        "basis_amount": amount,
        "basis_units": None,
        "rate_or_unit": Decimal("1"),
        "expected_amount": round2(amount) * agreement.sign,
        "review_reasons": [],
        "details": {"source": f"fixed amount, {agreement.get_billing_frequency_display().lower()}"},
        "source_import_id": None,
    }


def _growth_accrual(agreement: CoopAgreement, month: date) -> dict[str, Any] | None:
    """A growth rebate accrues once, in the month its measured period ends, on the whole period, as soon
    as the facts reach that end."""
    if agreement.end_date is None or month_start(month) != month_start(agreement.end_date):
        return None
    actual = fact_basis(
        vendor_code=agreement.vendor_code,
        calc_basis=agreement.measured_metric,
        window_start=agreement.start_date,
        window_end=agreement.end_date,
        selling_program=agreement.selling_program,
    )
    if not actual.found or actual.covered_through is None or actual.covered_through < agreement.end_date:
        # Until the facts reach the end of the measured period the tracker projects; nothing accrues yet.
        return None
    reasons = _currency_review(actual, agreement.currency)
    baseline = agreement.baseline_amount
    details: dict[str, Any] = {"measured": actual.as_details()}
    if baseline is None and agreement.baseline_period_start and agreement.baseline_period_end:
        baseline_basis = fact_basis(
            vendor_code=agreement.vendor_code,
            calc_basis=agreement.measured_metric,
            window_start=agreement.baseline_period_start,
            window_end=agreement.baseline_period_end,
            selling_program=agreement.selling_program,
        )
        # A baseline is only a baseline when the facts cover all of it.
        baseline = baseline_basis.amount if baseline_basis.complete else None
        details["baseline"] = baseline_basis.as_details()
    tiers = [calc.Tier(t.threshold_growth_pct, t.rate_pct) for t in agreement.tiers.all()]
    rebate = calc.growth_rebate(actual=actual.amount, baseline=baseline, tiers=tiers, mode=agreement.tier_mode)
    growth = calc.growth_rate(actual=actual.amount, baseline=baseline)
    details["growth"] = str(growth) if growth is not None else None
    details["baseline_amount"] = str(baseline) if baseline is not None else None
    if rebate is None:
        reasons.append(
            "The baseline is zero, missing or not fully imported, so growth is undefined and no tier applies."
        )
        rebate = round2(Decimal("0"))
    effective_rate = safe_ratio(rebate, actual.amount)
    return {
        "basis_amount": actual.amount,
        "basis_units": actual.units,
        "rate_or_unit": round(effective_rate or Decimal("0"), 6),
        "expected_amount": rebate * agreement.sign,
        "review_reasons": reasons,
        "details": details,
        "source_import_id": actual.source_import_id,
    }


def _price_protection_accrual(agreement: CoopAgreement, start: date, end: date) -> dict[str, Any] | None:
    decreases = cost_decreases(
        vendor_code=agreement.vendor_code,
        window_start=start,
        window_end=end,
        selling_program=agreement.selling_program,
    )
    if not decreases:
        return None
    total = Decimal("0")
    units = 0
    reasons: list[str] = []
    claims = []
    for change in decreases:
        if change.on_hand_units is None:
            reasons.append(
                f"{change.asin}: no inventory snapshot on or before {change.effective_from:%Y-%m-%d}; "
                "its price-protection claim cannot be estimated."
            )
            continue
        claim = calc.price_protection_claim(
            old_cost=change.old_cost, new_cost=change.new_cost, on_hand_units=change.on_hand_units
        )
        total += claim
        units += max(change.on_hand_units, 0)
        claims.append(
            {
                "asin": change.asin,
                "effective_from": change.effective_from.isoformat(),
                "old_cost": str(change.old_cost),
                "new_cost": str(change.new_cost),
                "on_hand_units": change.on_hand_units,
                "claim": str(claim),
            }
        )
    return {
        "basis_amount": round2(total),
        "basis_units": units,
        "rate_or_unit": Decimal("1"),
        "expected_amount": round2(total) * agreement.sign,
        "review_reasons": reasons,
        "details": {"source": "cost decreases x sellable on hand", "claims": claims},
        "source_import_id": None,
    }


def _compute(agreement: CoopAgreement, month: date) -> dict[str, Any] | None:
    window = _window(agreement, month)
    if window is None or agreement.status not in ACCRUING_STATUSES:
        return None
    start, end = window
    if agreement.agreement_type == Type.GROWTH_INCENTIVE:
        return _growth_accrual(agreement, month)
    if agreement.agreement_type == Type.PRICE_PROTECTION:
        return _price_protection_accrual(agreement, start, end)
    if agreement.fixed_amount is not None and not agreement.calc_basis:
        return _fixed_accrual(agreement, month)
    if agreement.calc_basis:
        return _basis_accrual(agreement, start, end)
    return None


def accrual_recompute(*, agreement: CoopAgreement, month: date) -> Accrual | None:
    """Compute (or refresh) the agreement's accrual for the calendar month containing `month`.

    Returns None, and removes a stale row, when nothing accrues that month: outside the agreement's
    dates, an agreement not (yet) charged, or no facts for the window.
    """
    period_start = month_start(month)
    values = _compute(agreement, period_start)
    with transaction.atomic():
        if values is None:
            Accrual.objects.filter(agreement=agreement, period_start=period_start).delete()
            return None
        window = _window(agreement, period_start)
        assert window is not None  # _compute returned values, so the month overlaps the agreement
        reasons = values.pop("review_reasons")
        accrual, _ = Accrual.objects.update_or_create(
            agreement=agreement,
            period_start=period_start,
            defaults={
                **values,
                "period_end": month_end(period_start),
                "currency": agreement.currency,
                "needs_review": bool(reasons),
                "review_reasons": reasons,
                "computed_at": timezone.now(),
            },
        )
        if window != (period_start, month_end(period_start)):
            accrual.details = {**accrual.details, "window": [window[0].isoformat(), window[1].isoformat()]}
            accrual.save(update_fields=["details"])
    _reconcile_invoices(agreement, period_start)
    return accrual


def _reconcile_invoices(agreement: CoopAgreement, month: date) -> None:
    """Invoices waiting on this accrual are checked again now that the expected amount changed."""
    from coop.models import CoopInvoice
    from coop.services.invoices import invoice_reconcile

    invoices = CoopInvoice.objects.filter(
        agreement=agreement,
        status__in=CoopInvoice.RECONCILABLE_STATUSES,
        service_period_start__lte=month_end(month),
        service_period_end__gte=month,
    )
    for invoice in invoices:
        invoice_reconcile(invoice=invoice, user=None)


def accrual_months(agreement: CoopAgreement, *, today: date | None = None) -> list[date]:
    """Months from the agreement's start to its end, or to the current month when open-ended."""
    today = today or timezone.localdate()
    last = agreement.end_date or today
    return months_between(agreement.start_date, last)


def accruals_recompute_agreement(*, agreement: CoopAgreement, today: date | None = None) -> list[Accrual]:
    """Every month of the agreement; also drops accruals left outside its (possibly shortened) dates."""
    months = accrual_months(agreement, today=today)
    Accrual.objects.filter(agreement=agreement).exclude(period_start__in=months).delete()
    accruals = [accrual_recompute(agreement=agreement, month=month) for month in months]
    return [accrual for accrual in accruals if accrual is not None]


def accruals_recompute_for_facts(*, vendor_code_ids: Iterable[int], months: Iterable[date]) -> int:
    """Recompute every agreement of the vendor codes that overlaps the months; returns rows written.

    Growth agreements are recomputed for their end month whenever any month of their period changes.
    """
    months = sorted({month_start(m) for m in months})
    if not months:
        return 0
    written = 0
    agreements = CoopAgreement.objects.filter(
        vendor_code_id__in=list(vendor_code_ids), status__in=ACCRUING_STATUSES
    ).prefetch_related("tiers")
    for agreement in agreements:
        targets: set[date] = set()
        for month in months:
            if not agreement.is_growth:
                if _window(agreement, month) is not None:
                    targets.add(month)
                continue
            if agreement.end_date is None:
                continue
            in_period = agreement.start_date <= month_end(month) and month <= agreement.end_date
            in_baseline = bool(
                agreement.baseline_period_start
                and agreement.baseline_period_end
                and agreement.baseline_period_start <= month_end(month)
                and month <= agreement.baseline_period_end
            )
            if in_period or in_baseline:
                targets.add(month_start(agreement.end_date))
        for target in sorted(targets):
            if accrual_recompute(agreement=agreement, month=target) is not None:
                written += 1
    return written
