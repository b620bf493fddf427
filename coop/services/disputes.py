"""Disputes: opening, filing within the window, Amazon's decision, re-disputes (§3.4, §5.5).

The window (deadline, earliest filing date, attempt limit) comes from conf.dispute_windows() and is
fixed on the dispute when it is opened, so a later settings change does not move a running clock.
A re-dispute is a new Dispute row (attempt_no + 1, parent = the decided one) under the same deadline.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from coop import calculations as calc
from coop import conf
from coop.models import Chargeback
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Dispute
from coop.models import DisputeEvidence
from coop.services.audit import audit_record
from coop.services.audit import model_snapshot
from coop.services.invoices import invoice_set_status
from core.exceptions import ApplicationError
from planning.models import Membership
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
Status = Dispute.Status
InvoiceStatus = CoopInvoice.Status

DISPUTE_ROLES = (Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)
# A first dispute starts from an invoice that is not already in a dispute cycle or closed.
DISPUTABLE_INVOICE_STATUSES = frozenset(
    {
        InvoiceStatus.VARIANCE_FLAGGED,
        InvoiceStatus.OK,
        InvoiceStatus.MATCHED,
        InvoiceStatus.UNMATCHED,
        InvoiceStatus.DEDUCTED,
    }
)

# §5.5 state machine: from -> allowed targets. Filing, decisions and re-disputes have their own services
# because they carry rules; this table is the single source of which moves exist.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.CANCELLED, Status.ESCALATED_CASE}),
    Status.SUBMITTED: frozenset(
        {Status.PENDING_AMAZON, Status.APPROVED, Status.PARTIALLY_APPROVED, Status.DENIED, Status.CANCEL_REQUESTED}
    ),
    Status.PENDING_AMAZON: frozenset(
        {Status.APPROVED, Status.PARTIALLY_APPROVED, Status.DENIED, Status.CANCEL_REQUESTED}
    ),
    Status.APPROVED: frozenset({Status.CLOSED}),
    Status.PARTIALLY_APPROVED: frozenset({Status.REDISPUTED, Status.ESCALATED_CASE, Status.CLOSED}),
    Status.DENIED: frozenset({Status.REDISPUTED, Status.ESCALATED_CASE, Status.CLOSED}),
    Status.CANCEL_REQUESTED: frozenset({Status.CANCELLED, Status.PENDING_AMAZON}),
    Status.ESCALATED_CASE: frozenset({Status.CLOSED}),
    Status.REDISPUTED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.CLOSED: frozenset(),
}

_FIELDS = [
    "dispute_type",
    "attempt_no",
    "amazon_dispute_id",
    "amount_claimed",
    "amount_approved",
    "currency",
    "base_date",
    "earliest_filing_date",
    "deadline",
    "filed_at",
    "status",
    "resolution_note",
]


def _snapshot(dispute: Dispute) -> dict[str, Any]:
    return model_snapshot(dispute, _FIELDS)


def _brand_id(dispute: Dispute) -> int:
    return dispute.vendor_code.brand_id


def _lock(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update(of=("self",)).select_related("vendor_code", "invoice").get(pk=dispute.pk)


def _move(
    dispute: Dispute,
    to: str,
    *,
    user: User | None,
    action: str,
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> Dispute:
    """Check the transition against TRANSITIONS, apply it with `changes`, write the audit record.
    Must run inside transaction.atomic() on a locked row."""
    if to not in TRANSITIONS[dispute.status]:
        raise ApplicationError(
            f"A {dispute.get_status_display().lower()} dispute cannot become {Status(to).label.lower()}.",
            extra={"status": dispute.status, "to": to},
        )
    before = _snapshot(dispute)
    from_status = dispute.status
    dispute.status = to
    for field, value in (changes or {}).items():
        setattr(dispute, field, value)
    dispute.save()
    audit_record(
        target=dispute,
        brand_id=_brand_id(dispute),
        action=action,
        actor=user,
        from_status=from_status,
        to_status=to,
        before=before,
        after=_snapshot(dispute),
        comment=comment,
    )
    return dispute


def _dates_for(
    dispute_type: str, *, invoice: CoopInvoice | None, chargeback: Chargeback | None, deduction: Deduction | None
) -> tuple[date, calc.DisputeDates, str]:
    """Base date and window of a new dispute, from its target (§3.4 table)."""
    window = conf.dispute_windows()[dispute_type]
    if invoice is not None:
        base = invoice.invoice_date
        return base, calc.dispute_dates(base_date=base, window=window), invoice.currency
    if chargeback is not None:
        base = chargeback.notified_at
        return base, calc.dispute_dates(base_date=base, window=window), chargeback.currency
    assert deduction is not None
    base = deduction.remittance.payment_date
    # Shortages: 2 years from the deduction, but not within 35 days of the PO invoice (inventory matching).
    dates = calc.dispute_dates(base_date=base, window=window, holding_base_date=deduction.invoice_date)
    return base, dates, deduction.remittance.currency


def _infer_type(*, invoice: Any, chargeback: Any, deduction: Deduction | None) -> str:
    if invoice is not None:
        return Dispute.Type.COOP
    if chargeback is not None:
        return Dispute.Type.CHARGEBACK
    assert deduction is not None
    types: dict[str, str] = {
        Deduction.ReferenceType.SHORTAGE: Dispute.Type.SHORTAGE,
        Deduction.ReferenceType.PRICE_CLAIM: Dispute.Type.PRICE,
        Deduction.ReferenceType.PRICE_PROTECTION: Dispute.Type.PRICE,
        Deduction.ReferenceType.CHARGEBACK: Dispute.Type.CHARGEBACK,
        Deduction.ReferenceType.COOP: Dispute.Type.COOP,
    }
    return types[deduction.reference_type]


def dispute_open(
    *,
    user: User,
    amount_claimed: Decimal,
    invoice: CoopInvoice | None = None,
    chargeback: Chargeback | None = None,
    deduction: Deduction | None = None,
    reason: str = "",
) -> Dispute:
    """A DRAFT dispute of one invoice, chargeback or deduction, with its deadline computed now."""
    targets = [t for t in (invoice, chargeback, deduction) if t is not None]
    if len(targets) != 1:
        raise ApplicationError("A dispute is about exactly one invoice, chargeback or deduction.")
    target = targets[0]
    vendor_code = target.remittance.vendor_code if isinstance(target, Deduction) else target.vendor_code
    require_role(user, vendor_code.brand_id, DISPUTE_ROLES, action="open a dispute")
    if invoice is not None and invoice.status not in DISPUTABLE_INVOICE_STATUSES:
        raise ApplicationError(
            f"Invoice {invoice.amazon_invoice_id} is {invoice.get_status_display()}; it cannot be disputed again "
            "from here (re-dispute the decided dispute instead).",
            extra={"status": invoice.status},
        )
    target_amount = abs(target.amount)
    if amount_claimed <= 0 or amount_claimed > target_amount:
        raise ApplicationError(
            f"The amount claimed must be more than 0 and at most {target_amount:,.2f}; got {amount_claimed:,.2f}.",
            extra={"field": "amount_claimed"},
        )
    dispute_type = _infer_type(invoice=invoice, chargeback=chargeback, deduction=deduction)
    base, dates, currency = _dates_for(dispute_type, invoice=invoice, chargeback=chargeback, deduction=deduction)
    with transaction.atomic():
        open_one = Dispute.objects.filter(
            invoice=invoice, chargeback=chargeback, deduction=deduction, status__in=Dispute.OPEN_STATUSES
        ).first()
        if open_one is not None:
            raise ApplicationError(
                f"There is already an open dispute for this ({open_one}); continue that one.",
                extra={"dispute_id": open_one.pk},
            )
        dispute = Dispute.objects.create(
            vendor_code=vendor_code,
            dispute_type=dispute_type,
            invoice=invoice,
            chargeback=chargeback,
            deduction=deduction,
            amount_claimed=amount_claimed,
            currency=currency,
            base_date=base,
            earliest_filing_date=dates.earliest_filing_date,
            deadline=dates.deadline,
            reason=reason,
            created_by=user,
        )
        audit_record(
            target=dispute,
            brand_id=vendor_code.brand_id,
            action="dispute.open",
            actor=user,
            to_status=dispute.status,
            after=_snapshot(dispute),
            comment=reason,
        )
    return dispute


def dispute_submit(*, dispute: Dispute, user: User, amazon_dispute_id: str = "", today: date | None = None) -> Dispute:
    """DRAFT -> SUBMITTED (filed in Vendor Central). Refused before the earliest filing date, after the
    deadline (escalate to a case instead) and beyond the attempt limit."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="file a dispute")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(dispute)
        if locked.status != Status.DRAFT:
            raise ApplicationError(
                f"Only a draft can be filed; this dispute is {locked.get_status_display().lower()}.",
                extra={"status": locked.status},
            )
        if today < locked.earliest_filing_date:
            raise ApplicationError(
                f"Amazon does not accept this dispute before {locked.earliest_filing_date:%Y-%m-%d} "
                f"({(locked.earliest_filing_date - today).days} days from now).",
                extra={"rule": "before_earliest_filing_date", "earliest_filing_date": str(locked.earliest_filing_date)},
            )
        if today > locked.deadline:
            raise ApplicationError(
                f"The dispute window closed on {locked.deadline:%Y-%m-%d}; escalate it to a case instead.",
                extra={"rule": "past_deadline", "deadline": str(locked.deadline)},
            )
        limit = conf.dispute_windows()[locked.dispute_type].max_attempts
        if limit is not None and locked.attempt_no > limit:
            raise ApplicationError(
                f"{locked.get_dispute_type_display()} disputes allow at most {limit} attempts.",
                extra={"rule": "max_attempts"},
            )
        _move(
            locked,
            Status.SUBMITTED,
            user=user,
            action="dispute.submit",
            changes={
                "filed_at": timezone.now(),
                "filed_by": user,
                "amazon_dispute_id": amazon_dispute_id or locked.amazon_dispute_id,
            },
        )
        if locked.invoice is not None:
            invoice_set_status(
                invoice=locked.invoice,
                status=InvoiceStatus.DISPUTED if locked.attempt_no == 1 else InvoiceStatus.REDISPUTED,
                actor=user,
                action="invoice.disputed",
                comment=f"Dispute #{locked.pk} filed (attempt {locked.attempt_no}).",
            )
    return locked


def dispute_mark_pending(*, dispute: Dispute, user: User, amazon_dispute_id: str = "") -> Dispute:
    """SUBMITTED -> PENDING_AMAZON: Amazon acknowledged it and is reviewing."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="update a dispute")
    with transaction.atomic():
        locked = _lock(dispute)
        changes = {"amazon_dispute_id": amazon_dispute_id} if amazon_dispute_id else {}
        return _move(locked, Status.PENDING_AMAZON, user=user, action="dispute.pending", changes=changes)


_DECISION_TO_INVOICE: dict[str, str] = {
    Status.APPROVED: InvoiceStatus.RESOLVED_APPROVED,
    Status.PARTIALLY_APPROVED: InvoiceStatus.RESOLVED_PARTIAL,
    Status.DENIED: InvoiceStatus.RESOLVED_DENIED,
}


def dispute_record_decision(
    *,
    dispute: Dispute,
    user: User,
    decision: str,
    amount_approved: Decimal | None = None,
    note: str = "",
) -> Dispute:
    """Amazon's answer: APPROVED (all claimed, unless a smaller amount is given -> partial),
    PARTIALLY_APPROVED (0 < amount < claimed) or DENIED (0)."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="record a dispute decision")
    if decision not in _DECISION_TO_INVOICE:
        raise ApplicationError(
            f"Unknown decision {decision!r}; expected APPROVED, PARTIALLY_APPROVED or DENIED.",
            extra={"field": "decision"},
        )
    with transaction.atomic():
        locked = _lock(dispute)
        claimed = locked.amount_claimed
        if decision == Status.APPROVED:
            amount = claimed if amount_approved is None else amount_approved
            if amount != claimed:
                raise ApplicationError(
                    f"Approved means the full {claimed:,.2f}; record a partial approval for {amount:,.2f}.",
                    extra={"field": "amount_approved"},
                )
        elif decision == Status.PARTIALLY_APPROVED:
            if amount_approved is None or not Decimal("0") < amount_approved < claimed:
                raise ApplicationError(
                    f"A partial approval needs an amount between 0 and {claimed:,.2f}.",
                    extra={"field": "amount_approved"},
                )
            amount = amount_approved
        else:
            amount = Decimal("0")
        _move(
            locked,
            decision,
            user=user,
            action="dispute.decision",
            comment=note,
            changes={"amount_approved": amount, "decided_at": timezone.now(), "resolution_note": note},
        )
        if locked.invoice is not None:
            invoice_set_status(
                invoice=locked.invoice,
                status=_DECISION_TO_INVOICE[decision],
                actor=user,
                action="invoice.dispute_decided",
                comment=f"Dispute #{locked.pk}: {Status(decision).label}, {amount:,.2f} {locked.currency}.",
            )
    return locked


def dispute_redispute(
    *,
    dispute: Dispute,
    user: User,
    amount_claimed: Decimal | None = None,
    reason: str = "",
    today: date | None = None,
) -> Dispute:
    """After a denial or partial approval: mark it REDISPUTED and open the next attempt as a DRAFT
    with the same deadline. Refused past the deadline or when the attempts are used up."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="re-dispute")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(dispute)
        if locked.status not in (Status.DENIED, Status.PARTIALLY_APPROVED):
            raise ApplicationError(
                f"Only a denied or partially approved dispute can be re-disputed; this one is "
                f"{locked.get_status_display().lower()}.",
                extra={"status": locked.status},
            )
        limit = conf.dispute_windows()[locked.dispute_type].max_attempts
        if limit is not None and locked.attempt_no >= limit:
            raise ApplicationError(
                f"{locked.get_dispute_type_display()} disputes allow at most {limit} attempts; this was the last one.",
                extra={"rule": "max_attempts"},
            )
        if today > locked.deadline:
            raise ApplicationError(
                f"The dispute window closed on {locked.deadline:%Y-%m-%d}; escalate it to a case instead.",
                extra={"rule": "past_deadline"},
            )
        remaining = locked.amount_claimed - (locked.amount_approved or Decimal("0"))
        claim = remaining if amount_claimed is None else amount_claimed
        if claim <= 0 or claim > remaining:
            raise ApplicationError(
                f"The re-dispute can claim at most the {remaining:,.2f} not yet approved.",
                extra={"field": "amount_claimed"},
            )
        _move(locked, Status.REDISPUTED, user=user, action="dispute.redispute", comment=reason)
        child = Dispute.objects.create(
            vendor_code=locked.vendor_code,
            dispute_type=locked.dispute_type,
            invoice=locked.invoice,
            chargeback=locked.chargeback,
            deduction=locked.deduction,
            parent=locked,
            attempt_no=locked.attempt_no + 1,
            amount_claimed=claim,
            currency=locked.currency,
            base_date=locked.base_date,
            earliest_filing_date=locked.earliest_filing_date,
            deadline=locked.deadline,
            reason=reason,
            created_by=user,
        )
        audit_record(
            target=child,
            brand_id=_brand_id(locked),
            action="dispute.open",
            actor=user,
            to_status=child.status,
            after=_snapshot(child),
            comment=f"Re-dispute of #{locked.pk}. {reason}".strip(),
        )
    return child


def dispute_cancel(*, dispute: Dispute, user: User, reason: str = "") -> Dispute:
    """A draft is simply cancelled; a filed dispute gets a cancellation *request* Amazon reviews."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="cancel a dispute")
    with transaction.atomic():
        locked = _lock(dispute)
        to = Status.CANCELLED if locked.status == Status.DRAFT else Status.CANCEL_REQUESTED
        return _move(locked, to, user=user, action="dispute.cancel", comment=reason)


def dispute_cancel_outcome(*, dispute: Dispute, user: User, accepted: bool, note: str = "") -> Dispute:
    """Amazon's answer to a cancellation request: CANCELLED, or back to PENDING_AMAZON."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="update a dispute")
    with transaction.atomic():
        locked = _lock(dispute)
        if locked.status != Status.CANCEL_REQUESTED:
            raise ApplicationError("No cancellation was requested for this dispute.", extra={"status": locked.status})
        to = Status.CANCELLED if accepted else Status.PENDING_AMAZON
        _move(locked, to, user=user, action="dispute.cancel_outcome", comment=note)
        if (
            accepted
            and locked.invoice is not None
            and locked.invoice.status
            in (
                InvoiceStatus.DISPUTED,
                InvoiceStatus.REDISPUTED,
            )
        ):
            # The charge stands as invoiced: back to flagged so it is not forgotten.
            invoice_set_status(
                invoice=locked.invoice,
                status=InvoiceStatus.VARIANCE_FLAGGED if locked.invoice.audit_flags else InvoiceStatus.OK,
                actor=user,
                action="invoice.dispute_cancelled",
            )
    return locked


def dispute_escalate(*, dispute: Dispute, user: User, note: str = "") -> Dispute:
    """-> ESCALATED_CASE: past the window, or a settlement to negotiate through an account case."""
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="escalate a dispute")
    with transaction.atomic():
        return _move(_lock(dispute), Status.ESCALATED_CASE, user=user, action="dispute.escalate", comment=note)


def dispute_close(*, dispute: Dispute, user: User, note: str = "") -> Dispute:
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="close a dispute")
    with transaction.atomic():
        locked = _lock(dispute)
        _move(locked, Status.CLOSED, user=user, action="dispute.close", comment=note)
        if locked.invoice is not None and locked.invoice.status in _DECISION_TO_INVOICE.values():
            invoice_set_status(invoice=locked.invoice, status=InvoiceStatus.CLOSED, actor=user, action="invoice.close")
    return locked


def dispute_add_evidence(*, dispute: Dispute, user: User, file: UploadedFile, description: str = "") -> DisputeEvidence:
    require_role(user, dispute.vendor_code.brand_id, DISPUTE_ROLES, action="add dispute evidence")
    if dispute.status in (Status.CLOSED, Status.CANCELLED, Status.REDISPUTED):
        raise ApplicationError(
            f"The dispute is {dispute.get_status_display().lower()}; add evidence to the current attempt.",
            extra={"status": dispute.status},
        )
    evidence = DisputeEvidence.objects.create(
        dispute=dispute, file=file, description=description or file.name or "", uploaded_by=user
    )
    audit_record(
        target=dispute,
        brand_id=_brand_id(dispute),
        action="dispute.evidence",
        actor=user,
        from_status=dispute.status,
        to_status=dispute.status,
        after={"evidence_id": evidence.pk, "file": evidence.file.name, "description": evidence.description},
    )
    return evidence
