"""Co-op invoices, remittances and chargebacks: recording them and reconciling invoices (§3.4, §5.4).

Reconciliation follows the key chain Remittance -> Deduction -> CoopInvoice -> CoopAgreement ->
Accrual and runs the audit checks of §3.4; each failed check is a flag on the invoice and moves it
to VARIANCE_FLAGGED. Re-running it is harmless: it recomputes the flags from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coop import calculations as calc
from coop import conf
from coop.models import AgreementWaiver
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Remittance
from coop.services.audit import audit_record
from coop.services.audit import model_snapshot
from coop.services.backup_checks import backup_lines_of
from coop.services.backup_checks import rate_flags
from coop.services.backup_checks import received_flags
from coop.services.backup_checks import total_flags
from coop.services.invoice_flags import RATE_TOLERANCE
from coop.services.invoice_flags import Flag
from core.exceptions import ApplicationError
from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from ingest.models import ReportImport
from planning.models import Membership
from planning.models import VendorCode
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
Status = CoopInvoice.Status

RECORD_ROLES = (Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)
DECIDE_ROLES = (Role.FINANCE, Role.FINANCE_APPROVER)
ROUND_RATE_STEP = Decimal("0.0005")  # agreements quote rates in steps of 0.05 %

_INVOICE_FIELDS = [
    "amazon_invoice_id",
    "amazon_agreement_id",
    "agreement",
    "invoice_date",
    "service_period_start",
    "service_period_end",
    "amount",
    "currency",
    "status",
    "matched_accrual",
    "expected_amount",
    "variance_amount",
    "audit_flags",
]


def _snapshot(invoice: CoopInvoice) -> dict[str, Any]:
    return model_snapshot(invoice, _INVOICE_FIELDS)


def invoice_record(
    *,
    vendor_code: VendorCode,
    user: User | None,
    amazon_invoice_id: str,
    invoice_date: date,
    amount: Decimal,
    currency: str,
    amazon_agreement_id: str = "",
    agreement_title: str = "",
    service_period_start: date | None = None,
    service_period_end: date | None = None,
    original_balance: Decimal | None = None,
    source_import: ReportImport | None = None,
) -> tuple[CoopInvoice, bool]:
    """Create or refresh an invoice by (vendor code, Amazon invoice id), then reconcile it.

    `user` None = an import run by the system. An invoice already in a dispute keeps its data: a
    re-imported list must not rewrite what is being argued about.
    """
    if user is not None:
        require_role(user, vendor_code.brand_id, RECORD_ROLES, action="record co-op invoices")
    if (service_period_start is None) != (service_period_end is None):
        raise ApplicationError(
            f"Invoice {amazon_invoice_id}: give both service period dates or neither.",
            extra={"field": "service_period_end"},
        )
    if service_period_start and service_period_end and service_period_end < service_period_start:
        raise ApplicationError(
            f"Invoice {amazon_invoice_id}: the service period ends before it starts.",
            extra={"field": "service_period_end"},
        )
    values = {
        "amazon_agreement_id": amazon_agreement_id.strip(),
        "agreement_title": agreement_title,
        "invoice_date": invoice_date,
        "service_period_start": service_period_start,
        "service_period_end": service_period_end,
        "amount": amount,
        "original_balance": original_balance,
        "currency": currency.upper(),
        "source_import": source_import,
    }
    with transaction.atomic():
        invoice = (
            CoopInvoice.objects.select_for_update()
            .filter(vendor_code=vendor_code, amazon_invoice_id=amazon_invoice_id.strip())
            .first()
        )
        created = invoice is None
        if invoice is None:
            invoice = CoopInvoice.objects.create(
                vendor_code=vendor_code, amazon_invoice_id=amazon_invoice_id.strip(), created_by=user, **values
            )
            audit_record(
                target=invoice,
                brand_id=vendor_code.brand_id,
                action="invoice.import",
                actor=user,
                to_status=invoice.status,
                after=_snapshot(invoice),
            )
        elif invoice.status in CoopInvoice.RECONCILABLE_STATUSES:
            for field, value in values.items():
                setattr(invoice, field, value)
            invoice.save()
        else:
            return invoice, False
        # A backup report imported before its invoice: attach it, so the audit below checks it.
        CoopBackupLine.objects.filter(vendor_code=vendor_code, amazon_invoice_id=invoice.amazon_invoice_id).exclude(
            invoice=invoice
        ).update(invoice=invoice)
    return invoice_reconcile(invoice=invoice, user=user), created


def _match_agreement(invoice: CoopInvoice) -> CoopAgreement | None:
    """The agreement with the invoice's Amazon agreement id: the invoice's vendor code first, then any
    vendor code of the same brand (which is itself a finding: wrong vendor code)."""
    if not invoice.amazon_agreement_id:
        return None
    candidates = CoopAgreement.objects.filter(
        amazon_agreement_id=invoice.amazon_agreement_id, vendor_code__brand_id=invoice.vendor_code.brand_id
    ).select_related("vendor_code")
    same_code = [a for a in candidates if a.vendor_code_id == invoice.vendor_code_id]
    if same_code:
        return same_code[0]
    return candidates.first()


def _service_period(invoice: CoopInvoice) -> tuple[date, date, bool]:
    """The invoice's service period, or the month before the invoice date when it gives none (co-op
    invoices are usually issued for the previous month's receipts, §3.2). The bool says "assumed"."""
    if invoice.service_period_start and invoice.service_period_end:
        return invoice.service_period_start, invoice.service_period_end, False
    previous = add_months(month_start(invoice.invoice_date), -1)
    return previous, month_end(previous), True


def _audit_checks(invoice: CoopInvoice, agreement: CoopAgreement) -> tuple[list[Flag], dict[str, Any]]:
    """The §3.4 checks of one matched invoice; returns the flags and the fields to store."""
    flags: list[Flag] = []
    start, end, assumed = _service_period(invoice)
    if assumed:
        flags.append(
            Flag(
                "SERVICE_PERIOD_ASSUMED",
                f"The invoice names no service period; assumed {start:%B %Y} (the month before the invoice).",
                blocking=False,
            )
        )
    if agreement.vendor_code_id != invoice.vendor_code_id:
        flags.append(
            Flag(
                "WRONG_VENDOR_CODE",
                f"Agreement {agreement.amazon_agreement_id} belongs to vendor code {agreement.vendor_code.code}, "
                f"but the invoice was issued to {invoice.vendor_code.code}.",
            )
        )
    if not calc.period_inside(start=start, end=end, window_start=agreement.start_date, window_end=agreement.end_date):
        until = f"{agreement.end_date:%Y-%m-%d}" if agreement.end_date else "open end"
        flags.append(
            Flag(
                "OUTSIDE_AGREEMENT_DATES",
                f"Charged for {start:%Y-%m-%d} to {end:%Y-%m-%d}, outside the agreement's dates "
                f"{agreement.start_date:%Y-%m-%d} to {until}.",
            )
        )
    if agreement.status in (CoopAgreement.Status.PENDING_ACCEPTANCE, CoopAgreement.Status.REJECTED):
        flags.append(
            Flag(
                "AGREEMENT_NOT_ACCEPTED",
                f"Agreement {agreement.amazon_agreement_id} is {agreement.get_status_display().lower()}; "
                "nothing should be charged under it.",
            )
        )
    flags.extend(_waiver_flags(invoice, agreement, start, end))
    backup = backup_lines_of(invoice)
    flags.extend(received_flags(invoice, backup, start, end))
    flags.extend(total_flags(invoice, backup))
    flags.extend(rate_flags(invoice, agreement, backup, start))
    if invoice.currency != agreement.currency:
        flags.append(
            Flag(
                "CURRENCY_MISMATCH",
                f"The invoice is in {invoice.currency} but the agreement is in {agreement.currency}.",
            )
        )
    duplicates = list(
        CoopInvoice.objects.filter(agreement=agreement, amount=invoice.amount, currency=invoice.currency)
        .exclude(pk=invoice.pk)
        .exclude(amount=0)
        .filter(
            Q(service_period_start__lte=end, service_period_end__gte=start)
            | Q(service_period_start__isnull=True, invoice_date=invoice.invoice_date)
        )
        .values_list("amazon_invoice_id", flat=True)
    )
    if duplicates:
        flags.append(
            Flag(
                "DUPLICATE_INVOICE",
                f"Same agreement, period and amount as invoice {', '.join(sorted(duplicates))}.",
            )
        )
    accruals = list(
        agreement.accruals.filter(period_start__gte=month_start(start), period_start__lte=end).order_by("period_start")
    )
    stored: dict[str, Any] = {"matched_accrual": None, "expected_amount": None, "variance_amount": None}
    if not accruals:
        flags.append(
            Flag(
                "NO_EXPECTED_AMOUNT",
                "No accrual for this period yet (facts not imported?); the amount cannot be checked.",
                blocking=False,
            )
        )
        return flags, stored
    expected = sum((a.expected_amount for a in accruals), Decimal("0"))
    check = calc.invoice_variance(
        invoiced=invoice.amount,
        expected=expected,
        tolerance_pct=conf.variance_tolerance_pct(),
        tolerance_min=conf.variance_tolerance_min(),
    )
    stored = {
        "matched_accrual": accruals[0] if len(accruals) == 1 else None,
        "expected_amount": expected,
        "variance_amount": check.variance,
    }
    if check.flagged:
        flags.append(
            Flag(
                "VARIANCE",
                f"Invoiced {invoice.amount:,.2f} vs expected {expected:,.2f} {invoice.currency}: "
                f"difference {check.variance:+,.2f} exceeds the tolerance of {check.tolerance:,.2f}.",
            )
        )
        rate_flag = _wrong_rate(invoice, agreement, accruals)
        if rate_flag:
            flags.append(rate_flag)
    return flags, stored


def _waiver_flags(invoice: CoopInvoice, agreement: CoopAgreement, start: date, end: date) -> list[Flag]:
    """§3.4 "waived period charged anyway": the invoice charges a period that overlaps one Amazon waived.
    A credit (amount <= 0) charges nothing."""
    if invoice.amount <= 0:
        return []
    waivers = (
        AgreementWaiver.objects.filter(
            agreement=agreement, withdrawn_at__isnull=True, period_start__lte=end, period_end__gte=start
        )
        .select_related("created_by")
        .order_by("period_start")
    )
    return [
        Flag(
            "WAIVED_PERIOD_CHARGED",
            f"Charged for {start:%Y-%m-%d} to {end:%Y-%m-%d}, but agreement {agreement.amazon_agreement_id} "
            f"was waived from {waiver.period_start:%Y-%m-%d} to {waiver.period_end:%Y-%m-%d} "
            f"({waiver.reason}; recorded by {waiver.created_by.get_username() if waiver.created_by else 'the system'} "
            f"on {waiver.created_at:%Y-%m-%d}).",
        )
        for waiver in waivers
    ]


def _wrong_rate(invoice: CoopInvoice, agreement: CoopAgreement, accruals: list[Any]) -> Flag | None:
    """Name the rate the invoice implies when it looks like another rate was applied to the same basis:
    it equals the rate of another agreement of the vendor code (typically last year's), or it is a
    round rate (a multiple of 0.05 %). A merely different amount is the VARIANCE flag's business."""
    if agreement.rate_pct is None or agreement.calc_basis == CoopAgreement.CalcBasis.UNITS_SOLD:
        return None
    basis = sum((a.basis_amount for a in accruals), Decimal("0"))
    implied = calc.implied_rate(invoiced=invoice.amount * agreement.sign, basis=basis)
    if implied is None or abs(implied - agreement.rate_pct) <= RATE_TOLERANCE:
        return None
    other = (
        CoopAgreement.objects.filter(
            vendor_code=agreement.vendor_code,
            agreement_type=agreement.agreement_type,
            rate_pct__gte=implied - RATE_TOLERANCE,
            rate_pct__lte=implied + RATE_TOLERANCE,
        )
        .exclude(pk=agreement.pk)
        .first()
    )
    nearest_round = (implied / ROUND_RATE_STEP).quantize(Decimal("1")) * ROUND_RATE_STEP
    if other is None and abs(implied - nearest_round) > RATE_TOLERANCE:
        return None
    hint = f" That is the rate of agreement {other.amazon_agreement_id} ({other.title})." if other else ""
    return Flag(
        "WRONG_RATE",
        f"The invoice implies a rate of {implied:.2%} on the basis {basis:,.2f}; "
        f"the agreement rate is {agreement.rate_pct:.2%}.{hint}",
    )


def invoice_reconcile(*, invoice: CoopInvoice, user: User | None) -> CoopInvoice:
    """Match the invoice to its agreement and accruals and run the audit checks; sets the status to
    UNMATCHED, MATCHED (nothing to compare yet), OK or VARIANCE_FLAGGED. `user` None = the system
    (an import, or an accrual that changed)."""
    if user is not None:
        require_role(user, invoice.vendor_code.brand_id, RECORD_ROLES, action="reconcile co-op invoices")
    with transaction.atomic():
        locked = CoopInvoice.objects.select_for_update(of=("self",)).select_related("vendor_code").get(pk=invoice.pk)
        if locked.status not in CoopInvoice.RECONCILABLE_STATUSES:
            raise ApplicationError(
                f"Invoice {locked.amazon_invoice_id} is {locked.get_status_display()}; it is no longer reconciled.",
                extra={"status": locked.status},
            )
        before = _snapshot(locked)
        agreement = _match_agreement(locked)
        if agreement is None:
            flags = [
                Flag(
                    "UNMATCHED",
                    f"No agreement {locked.amazon_agreement_id or '(none given)'} is recorded for this brand.",
                )
            ]
            stored: dict[str, Any] = {"matched_accrual": None, "expected_amount": None, "variance_amount": None}
            status = Status.UNMATCHED
        else:
            flags, stored = _audit_checks(locked, agreement)
            if any(flag.blocking for flag in flags):
                status = Status.VARIANCE_FLAGGED
            elif stored["expected_amount"] is None:
                status = Status.MATCHED
            else:
                status = Status.OK
        locked.agreement = agreement
        locked.matched_accrual = stored["matched_accrual"]
        locked.expected_amount = stored["expected_amount"]
        locked.variance_amount = stored["variance_amount"]
        locked.audit_flags = [flag.as_dict() for flag in flags]
        from_status = locked.status
        locked.status = status
        locked.reconciled_at = timezone.now()
        locked.save()
        after = _snapshot(locked)
        if after != before:
            audit_record(
                target=locked,
                brand_id=locked.vendor_code.brand_id,
                action="invoice.reconcile",
                actor=user,
                from_status=from_status,
                to_status=status,
                before=before,
                after=after,
            )
    return locked


def invoice_set_status(
    *, invoice: CoopInvoice, status: str, actor: User | None, action: str, comment: str = ""
) -> CoopInvoice:
    """Move an invoice as its dispute moves (DISPUTED, RESOLVED_*, REDISPUTED, CLOSED), with audit."""
    with transaction.atomic():
        locked = CoopInvoice.objects.select_for_update(of=("self",)).select_related("vendor_code").get(pk=invoice.pk)
        if locked.status == status:
            return locked
        before = _snapshot(locked)
        from_status = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            target=locked,
            brand_id=locked.vendor_code.brand_id,
            action=action,
            actor=actor,
            from_status=from_status,
            to_status=status,
            before=before,
            after=_snapshot(locked),
            comment=comment,
        )
    return locked


def invoice_accept_variance(*, invoice: CoopInvoice, user: User, comment: str) -> CoopInvoice:
    """Finance accepts a flagged invoice as charged (the variance is explained): VARIANCE_FLAGGED -> OK."""
    require_role(user, invoice.vendor_code.brand_id, DECIDE_ROLES, action="accept an invoice variance")
    if not comment.strip():
        raise ApplicationError("Say why the variance is acceptable.", extra={"field": "comment"})
    if invoice.status != Status.VARIANCE_FLAGGED:
        raise ApplicationError(
            f"Only a flagged invoice can be accepted; this one is {invoice.get_status_display()}.",
            extra={"status": invoice.status},
        )
    return invoice_set_status(invoice=invoice, status=Status.OK, actor=user, action="invoice.accept", comment=comment)


def invoice_close(*, invoice: CoopInvoice, user: User) -> CoopInvoice:
    require_role(user, invoice.vendor_code.brand_id, DECIDE_ROLES, action="close an invoice")
    closable = {
        Status.OK,
        Status.DEDUCTED,
        Status.RESOLVED_APPROVED,
        Status.RESOLVED_PARTIAL,
        Status.RESOLVED_DENIED,
    }
    if invoice.status not in closable:
        raise ApplicationError(
            f"Invoice {invoice.amazon_invoice_id} is {invoice.get_status_display()}; it cannot be closed yet.",
            extra={"status": invoice.status},
        )
    return invoice_set_status(invoice=invoice, status=Status.CLOSED, actor=user, action="invoice.close")


# --------------------------------------------------------------------------------------------------
# Chargebacks and remittances


def chargeback_record(
    *,
    vendor_code: VendorCode,
    user: User | None,
    amazon_id: str,
    chargeback_type: str,
    notified_at: date,
    amount: Decimal,
    currency: str,
    po_number: str = "",
    asn_id: str = "",
    asin: str = "",
    notes: str = "",
) -> tuple[Chargeback, bool]:
    if user is not None:
        require_role(user, vendor_code.brand_id, RECORD_ROLES, action="record chargebacks")
    if chargeback_type not in Chargeback.Type.values:
        raise ApplicationError(
            f"Chargeback {amazon_id}: unknown type {chargeback_type!r}; "
            f"expected one of {', '.join(Chargeback.Type.values)}.",
            extra={"field": "chargeback_type"},
        )
    chargeback, created = Chargeback.objects.update_or_create(
        vendor_code=vendor_code,
        amazon_id=amazon_id,
        defaults={
            "chargeback_type": chargeback_type,
            "notified_at": notified_at,
            "amount": amount,
            "currency": currency.upper(),
            "po_number": po_number,
            "asn_id": asn_id,
            "asin": asin,
            "notes": notes,
        },
        create_defaults={
            "chargeback_type": chargeback_type,
            "notified_at": notified_at,
            "amount": amount,
            "currency": currency.upper(),
            "po_number": po_number,
            "asn_id": asn_id,
            "asin": asin,
            "notes": notes,
            "created_by": user,
        },
    )
    return chargeback, created


@dataclass(frozen=True)
class DeductionInput:
    reference_type: str
    reference_id: str
    amount: Decimal
    description: str = ""
    invoice_date: date | None = None


def remittance_record(
    *,
    vendor_code: VendorCode,
    user: User | None,
    remittance_id: str,
    payment_date: date,
    paid_amount: Decimal,
    currency: str,
    deductions: Sequence[DeductionInput],
    source_import: ReportImport | None = None,
) -> Remittance:
    """Create or refresh a remittance and its deductions (idempotent on the remittance id), link each
    deduction to its invoice or chargeback, and mark fully reconciled invoices DEDUCTED."""
    if user is not None:
        require_role(user, vendor_code.brand_id, RECORD_ROLES, action="record remittances")
    types = set(Deduction.ReferenceType.values)
    for index, item in enumerate(deductions, start=1):
        if item.reference_type not in types:
            raise ApplicationError(
                f"Remittance {remittance_id}, deduction {index}: unknown reference type {item.reference_type!r}; "
                f"expected one of {', '.join(sorted(types))}.",
                extra={"line": index, "field": "reference_type"},
            )
    with transaction.atomic():
        remittance, _ = Remittance.objects.update_or_create(
            vendor_code=vendor_code,
            remittance_id=remittance_id,
            defaults={
                "payment_date": payment_date,
                "paid_amount": paid_amount,
                "currency": currency.upper(),
                "source_import": source_import,
            },
            create_defaults={
                "payment_date": payment_date,
                "paid_amount": paid_amount,
                "currency": currency.upper(),
                "source_import": source_import,
                "created_by": user,
            },
        )
        existing = {(d.reference_type, d.reference_id): d for d in remittance.deductions.all()}
        seen: set[tuple[str, str]] = set()
        touched_invoices: list[CoopInvoice] = []
        for item in deductions:
            key = (item.reference_type, item.reference_id)
            seen.add(key)
            invoice = chargeback = None
            if item.reference_type == Deduction.ReferenceType.COOP:
                invoice = CoopInvoice.objects.filter(
                    vendor_code=vendor_code, amazon_invoice_id=item.reference_id
                ).first()
            elif item.reference_type == Deduction.ReferenceType.CHARGEBACK:
                chargeback = Chargeback.objects.filter(vendor_code=vendor_code, amazon_id=item.reference_id).first()
            deduction = existing.get(key) or Deduction(
                remittance=remittance, reference_type=item.reference_type, reference_id=item.reference_id
            )
            deduction.amount = item.amount
            deduction.description = item.description
            deduction.invoice_date = item.invoice_date
            deduction.invoice = invoice
            deduction.chargeback = chargeback
            deduction.save()
            if invoice is not None:
                touched_invoices.append(invoice)
        for key, stale in existing.items():
            if key not in seen and not stale.disputes.exists():
                stale.delete()
        for invoice in touched_invoices:
            if invoice.status in (Status.OK, Status.MATCHED):
                invoice_set_status(
                    invoice=invoice,
                    status=Status.DEDUCTED,
                    actor=user,
                    action="invoice.deducted",
                    comment=f"Deducted on remittance {remittance_id} of {payment_date:%Y-%m-%d}.",
                )
    return remittance
