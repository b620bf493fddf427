"""Fund allocations and their finance approval: maker-checker enforced here, not in the pages (§5.2).

Every service that changes an allocation locks its row (SELECT ... FOR UPDATE; a no-op on SQLite,
whose writes are serialised anyway), re-reads the status under the lock, and writes one audit
record with the state before and after. Two approvers racing on the same allocation therefore end
with one decision applied and the other refused with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from coop import conf
from coop.calculations import ZERO
from coop.calculations import approvals_required
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.models import FundAllocationLine
from coop.services.audit import audit_record
from coop.services.audit import json_value
from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.models import Brand
from planning.models import JBPPlan
from planning.models import Membership
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
Status = FundAllocation.Status

# Who may draft, edit and submit a split.
MAKER_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)
APPROVER_ROLES = (Role.FINANCE_APPROVER,)
CLOSER_ROLES = (Role.FINANCE, Role.FINANCE_APPROVER)


@dataclass(frozen=True)
class LineInput:
    bucket: str
    amount: Decimal
    brand_share_pct: Decimal
    description: str = ""


def allocation_snapshot(allocation: FundAllocation) -> dict[str, Any]:
    """Header and lines as JSON: the before/after of audit records and the approved snapshot."""
    return {
        "title": allocation.title,
        "plan_id": allocation.plan_id,
        "status": allocation.status,
        "period_start": json_value(allocation.period_start),
        "period_end": json_value(allocation.period_end),
        "currency": allocation.currency,
        "total_amount": json_value(allocation.total_amount),
        "round_no": allocation.round_no,
        "amendment_no": allocation.amendment_no,
        "approvals_required": allocation.approvals_required,
        "lines": [
            {
                "bucket": line.bucket,
                "description": line.description,
                "amount": json_value(line.amount),
                "brand_share_pct": json_value(line.brand_share_pct),
            }
            for line in allocation.lines.order_by("position", "id")
        ],
    }


def _validate_lines(lines: Sequence[LineInput], total_amount: Decimal) -> None:
    buckets = set(FundAllocationLine.Bucket.values)
    for index, line in enumerate(lines, start=1):
        if line.bucket not in buckets:
            raise ApplicationError(
                f"Line {index}: unknown bucket {line.bucket!r}; expected one of {', '.join(sorted(buckets))}.",
                extra={"line": index, "field": "bucket"},
            )
        if line.amount < 0:
            raise ApplicationError(
                f"Line {index}: the amount {line.amount} is negative; expected 0 or more.",
                extra={"line": index, "field": "amount"},
            )
        if not Decimal("0") <= line.brand_share_pct <= Decimal("100"):
            raise ApplicationError(
                f"Line {index}: the brand share {line.brand_share_pct} % is outside 0-100 %.",
                extra={"line": index, "field": "brand_share_pct"},
            )
    lines_total = sum((line.amount for line in lines), ZERO)
    if lines and lines_total != total_amount:
        raise ApplicationError(
            f"The lines add up to {lines_total:,.2f} but the allocation total is {total_amount:,.2f} "
            f"(difference {total_amount - lines_total:,.2f}).",
            extra={
                "lines_total": str(lines_total),
                "total_amount": str(total_amount),
                "difference": str(total_amount - lines_total),
            },
        )


def _replace_lines(allocation: FundAllocation, lines: Sequence[LineInput]) -> None:
    allocation.lines.all().delete()
    FundAllocationLine.objects.bulk_create(
        FundAllocationLine(
            allocation=allocation,
            bucket=line.bucket,
            description=line.description,
            amount=line.amount,
            brand_share_pct=line.brand_share_pct,
            position=position,
        )
        for position, line in enumerate(lines)
    )


def _lock(allocation: FundAllocation) -> FundAllocation:
    """Re-read the row under a row lock; callers are inside transaction.atomic()."""
    return FundAllocation.objects.select_for_update().get(pk=allocation.pk)


def _refuse_unless(locked: FundAllocation, statuses: set[str], *, action: str) -> None:
    if locked.status not in statuses:
        allowed = ", ".join(sorted(Status(s).label for s in statuses))
        raise ApplicationError(
            f"Cannot {action}: the allocation is {locked.get_status_display()} (needs {allowed}).",
            extra={"status": locked.status},
        )


def allocation_create(
    *,
    brand: Brand,
    user: User,
    title: str,
    period_start: date,
    period_end: date,
    currency: str,
    total_amount: Decimal,
    lines: Sequence[LineInput] = (),
    notes: str = "",
    plan: JBPPlan | None = None,
) -> FundAllocation:
    """A new DRAFT split requested by `user`, optionally funding a JBP plan of the same brand."""
    require_role(user, brand.pk, MAKER_ROLES, action="request a fund allocation")
    if period_end < period_start:
        raise ApplicationError("The period ends before it starts.", extra={"field": "period_end"})
    if total_amount < 0:
        raise ApplicationError("The total amount cannot be negative.", extra={"field": "total_amount"})
    _validate_lines(lines, total_amount)
    with transaction.atomic():
        allocation = FundAllocation(
            brand=brand,
            plan=plan,
            title=title,
            period_start=period_start,
            period_end=period_end,
            currency=currency.upper(),
            total_amount=total_amount,
            requested_by=user,
            created_by=user,
            notes=notes,
        )
        allocation.full_clean()
        allocation.save()
        _replace_lines(allocation, lines)
        audit_record(
            target=allocation,
            brand_id=brand.pk,
            action="allocation.create",
            actor=user,
            to_status=allocation.status,
            after=allocation_snapshot(allocation),
        )
    return allocation


def allocation_update(
    *,
    allocation: FundAllocation,
    user: User,
    title: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    total_amount: Decimal | None = None,
    lines: Sequence[LineInput] | None = None,
    notes: str | None = None,
) -> FundAllocation:
    """Edit a DRAFT or AMENDMENT_DRAFT: header fields given and/or the full set of lines."""
    require_role(user, allocation.brand_id, MAKER_ROLES, action="edit a fund allocation")
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_unless(locked, set(FundAllocation.EDITABLE_STATUSES), action="edit")
        before = allocation_snapshot(locked)
        if title is not None:
            locked.title = title
        if period_start is not None:
            locked.period_start = period_start
        if period_end is not None:
            locked.period_end = period_end
        if total_amount is not None:
            locked.total_amount = total_amount
        if notes is not None:
            locked.notes = notes
        if locked.period_end < locked.period_start:
            raise ApplicationError("The period ends before it starts.", extra={"field": "period_end"})
        new_lines = (
            lines
            if lines is not None
            else [
                LineInput(line.bucket, line.amount, line.brand_share_pct, line.description)
                for line in locked.lines.all()
            ]
        )
        _validate_lines(new_lines, locked.total_amount)
        locked.full_clean()
        locked.save()
        if lines is not None:
            _replace_lines(locked, lines)
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action="allocation.update",
            actor=user,
            from_status=locked.status,
            to_status=locked.status,
            before=before,
            after=allocation_snapshot(locked),
        )
    return locked


def allocation_submit(*, allocation: FundAllocation, user: User) -> FundAllocation:
    """DRAFT or AMENDMENT_DRAFT -> PENDING_FINANCE_APPROVAL: opens a new approval round."""
    require_role(user, allocation.brand_id, MAKER_ROLES, action="submit a fund allocation")
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_unless(locked, set(FundAllocation.EDITABLE_STATUSES), action="submit")
        lines = [LineInput(line.bucket, line.amount, line.brand_share_pct) for line in locked.lines.all()]
        if not lines:
            raise ApplicationError("Add at least one line before submitting.", extra={"field": "lines"})
        _validate_lines(lines, locked.total_amount)
        before = allocation_snapshot(locked)
        from_status = locked.status
        locked.status = Status.PENDING_FINANCE_APPROVAL
        locked.round_no += 1
        locked.submitted_by = user
        locked.submitted_at = timezone.now()
        locked.approvals_required = approvals_required(
            total_amount=locked.total_amount, second_approval_above=conf.second_approval_above()
        )
        locked.save()
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action="allocation.submit",
            actor=user,
            from_status=from_status,
            to_status=locked.status,
            before=before,
            after=allocation_snapshot(locked),
        )
    return locked


def _refuse_maker(locked: FundAllocation, user: User) -> None:
    """Segregation of duties: whoever requested the split or submitted this round cannot decide on it,
    whatever roles they hold."""
    if user.pk in (locked.requested_by_id, locked.submitted_by_id):
        raise PermissionRefused(
            "You requested or submitted this allocation, so you cannot approve or reject it; "
            "another finance approver must decide.",
            extra={"rule": "requester_cannot_approve"},
        )


def _refuse_decided(locked: FundAllocation) -> None:
    """Tell a late approver what happened instead of a bare status error."""
    if locked.status == Status.PENDING_FINANCE_APPROVAL:
        return
    last = locked.approvals.select_related("approver").order_by("-decided_at", "-id").first()
    detail = ""
    if last is not None and locked.status in (Status.APPROVED, Status.REJECTED):
        who = last.approver.get_username()
        detail = f" by {who} at {timezone.localtime(last.decided_at):%Y-%m-%d %H:%M}"
    raise ApplicationError(
        f"This allocation is no longer waiting for approval: it is {locked.get_status_display()}{detail}.",
        extra={"status": locked.status, "rule": "not_pending"},
    )


def _record_decision(locked: FundAllocation, user: User, decision: str, comment: str) -> FundAllocationApproval:
    if locked.approvals.filter(round_no=locked.round_no, approver_id=user.pk).exists():
        raise ApplicationError(
            "You have already decided on this round; a second, different finance approver is needed.",
            extra={"rule": "distinct_approvers"},
        )
    try:
        # A savepoint so a unique-constraint race (same approver, two tabs) leaves the transaction usable.
        with transaction.atomic():
            return FundAllocationApproval.objects.create(
                allocation=locked,
                round_no=locked.round_no,
                approver=user,
                role=Role.FINANCE_APPROVER,
                decision=decision,
                comment=comment,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "You have already decided on this round; a second, different finance approver is needed.",
            extra={"rule": "distinct_approvers"},
        ) from exc


def allocation_approve(*, allocation: FundAllocation, user: User, comment: str = "") -> FundAllocation:
    """Record one finance approval; the allocation is APPROVED once the round has enough distinct ones."""
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_decided(locked)
        _refuse_maker(locked, user)
        require_role(user, locked.brand_id, APPROVER_ROLES, action="approve a fund allocation")
        before = allocation_snapshot(locked)
        _record_decision(locked, user, FundAllocationApproval.Decision.APPROVED, comment)
        approved = locked.approvals.filter(
            round_no=locked.round_no, decision=FundAllocationApproval.Decision.APPROVED
        ).count()
        if approved >= locked.approvals_required:
            locked.status = Status.APPROVED
            locked.approved_at = timezone.now()
            locked.approved_snapshot = allocation_snapshot(locked) | {"status": Status.APPROVED}
            locked.save()
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action="allocation.approve" if locked.status == Status.APPROVED else "allocation.approve_partial",
            actor=user,
            from_status=Status.PENDING_FINANCE_APPROVAL,
            to_status=locked.status,
            before=before,
            after=allocation_snapshot(locked),
            comment=comment or f"approval {approved} of {locked.approvals_required}",
        )
    return locked


def allocation_reject(*, allocation: FundAllocation, user: User, comment: str) -> FundAllocation:
    """One finance approver's rejection ends the round. A rejected amendment restores the split that was
    approved before it (the approved money does not vanish); a rejected first request is REJECTED."""
    if not comment.strip():
        raise ApplicationError("Say why you reject the allocation.", extra={"field": "comment"})
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_decided(locked)
        _refuse_maker(locked, user)
        require_role(user, locked.brand_id, APPROVER_ROLES, action="reject a fund allocation")
        before = allocation_snapshot(locked)
        _record_decision(locked, user, FundAllocationApproval.Decision.REJECTED, comment)
        action = "allocation.reject"
        if locked.amendment_no and locked.approved_snapshot:
            snapshot = locked.approved_snapshot
            locked.total_amount = Decimal(snapshot["total_amount"])
            locked.status = Status.APPROVED
            _replace_lines(
                locked,
                [
                    LineInput(
                        line["bucket"], Decimal(line["amount"]), Decimal(line["brand_share_pct"]), line["description"]
                    )
                    for line in snapshot["lines"]
                ],
            )
            action = "allocation.reject_amendment"
        else:
            locked.status = Status.REJECTED
        locked.save()
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action=action,
            actor=user,
            from_status=Status.PENDING_FINANCE_APPROVAL,
            to_status=locked.status,
            before=before,
            after=allocation_snapshot(locked),
            comment=comment,
        )
    return locked


def allocation_amend(*, allocation: FundAllocation, user: User, reason: str = "") -> FundAllocation:
    """APPROVED -> AMENDMENT_DRAFT: the lines become editable and must be approved again."""
    require_role(user, allocation.brand_id, MAKER_ROLES, action="amend a fund allocation")
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_unless(locked, {Status.APPROVED}, action="amend")
        before = allocation_snapshot(locked)
        locked.status = Status.AMENDMENT_DRAFT
        locked.amendment_no += 1
        locked.save()
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action="allocation.amend",
            actor=user,
            from_status=Status.APPROVED,
            to_status=locked.status,
            before=before,
            after=allocation_snapshot(locked),
            comment=reason,
        )
    return locked


def allocation_close(*, allocation: FundAllocation, user: User | None, today: date | None = None) -> FundAllocation:
    """APPROVED -> CLOSED once the period has ended (user None = the scheduled task)."""
    if user is not None:
        require_role(user, allocation.brand_id, CLOSER_ROLES, action="close a fund allocation")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(allocation)
        _refuse_unless(locked, {Status.APPROVED}, action="close")
        if today < locked.period_end:
            raise ApplicationError(
                f"The allocation's period runs until {locked.period_end:%Y-%m-%d}; close it after that.",
                extra={"rule": "period_not_ended"},
            )
        before = allocation_snapshot(locked)
        locked.status = Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save()
        audit_record(
            target=locked,
            brand_id=locked.brand_id,
            action="allocation.close",
            actor=user,
            from_status=Status.APPROVED,
            to_status=Status.CLOSED,
            before=before,
            after=allocation_snapshot(locked),
        )
    return locked


def allocations_close_ended(*, today: date | None = None) -> int:
    """Close every APPROVED allocation whose period ended before today; returns how many."""
    today = today or timezone.localdate()
    closed = 0
    for allocation in FundAllocation.objects.filter(status=Status.APPROVED, period_end__lt=today):
        try:
            allocation_close(allocation=allocation, user=None, today=today)
        except ApplicationError:
            continue  # amended or closed meanwhile: nothing to do
        closed += 1
    return closed
