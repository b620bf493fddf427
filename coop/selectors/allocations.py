"""Reads of fund allocations: lists, the finance approval inbox and an allocation's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coop.models import AuditRecord
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.models import FundAllocationLine
from planning.models import Brand
from planning.models import Membership
from planning.roles import user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def allocation_list(
    *, user: AnyUser, brand: Brand | None = None, status: str = "", search: str = ""
) -> QuerySet[FundAllocation]:
    qs = FundAllocation.objects.for_user(user).select_related("brand", "requested_by", "submitted_by")
    if brand is not None:
        qs = qs.filter(brand=brand)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(title__icontains=search)
    return qs.order_by("-period_start", "title", "pk")


def allocation_get(*, user: AnyUser, pk: int) -> FundAllocation:
    qs = (
        FundAllocation.objects.for_user(user)
        .select_related("brand", "requested_by", "submitted_by")
        .prefetch_related(
            Prefetch("lines", queryset=FundAllocationLine.objects.order_by("position", "id")),
            Prefetch(
                "approvals", queryset=FundAllocationApproval.objects.select_related("approver").order_by("decided_at")
            ),
        )
    )
    # Scoped first, so another brand's object is a 404 like a missing one.
    return get_object_or_404(qs, pk=pk)


def approval_inbox(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[FundAllocation]:
    """Allocations waiting for *this* user's finance decision: pending, in a brand where the user is a
    finance approver, not requested or submitted by them, and not yet decided by them in this round."""
    if not user.is_authenticated:
        return FundAllocation.objects.none()
    approver_brands = Membership.objects.filter(user_id=user.pk, role=Membership.Role.FINANCE_APPROVER).values(
        "brand_id"
    )
    decided = FundAllocationApproval.objects.filter(
        allocation=OuterRef("pk"), round_no=OuterRef("round_no"), approver_id=user.pk
    )
    qs = (
        FundAllocation.objects.for_user(user)
        .filter(status=FundAllocation.Status.PENDING_FINANCE_APPROVAL, brand_id__in=approver_brands)
        .exclude(Q(requested_by_id=user.pk) | Q(submitted_by_id=user.pk))
        .exclude(Exists(decided))
        .select_related("brand", "requested_by", "submitted_by")
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.order_by("submitted_at", "pk")


def allocation_history(*, allocation: FundAllocation) -> QuerySet[AuditRecord]:
    """The audit trail of one allocation, oldest first. `allocation` is already scoped to the user."""
    return (
        AuditRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(FundAllocation), object_id=allocation.pk
        )
        .select_related("actor")
        .order_by("at", "id")
    )


@dataclass(frozen=True)
class ActionOption:
    """A step the page may offer. The service decides; `allowed` and `reason` only explain upfront."""

    action: str
    label: str
    allowed: bool
    reason: str = ""


def allocation_actions(*, allocation: FundAllocation, user: AnyUser, today: date | None = None) -> list[ActionOption]:
    """What this user can do with the allocation now, and why not when they cannot."""
    from coop.services.allocations import APPROVER_ROLES
    from coop.services.allocations import CLOSER_ROLES
    from coop.services.allocations import MAKER_ROLES

    today = today or timezone.localdate()
    roles = user_roles(user, allocation.brand_id)
    status = allocation.status
    options: list[ActionOption] = []
    is_maker = bool(roles & set(MAKER_ROLES))
    if status in FundAllocation.EDITABLE_STATUSES:
        options.append(ActionOption("edit", "Edit", is_maker, "" if is_maker else "Your role cannot edit splits."))
        options.append(
            ActionOption(
                "submit", "Send for finance approval", is_maker, "" if is_maker else "Your role cannot submit."
            )
        )
    if status == FundAllocation.Status.PENDING_FINANCE_APPROVAL:
        reason = ""
        if user.pk in (allocation.requested_by_id, allocation.submitted_by_id):
            reason = "You requested or submitted this split; another finance approver must decide."
        elif not roles & set(APPROVER_ROLES):
            reason = "Only a finance approver of this brand can decide."
        elif allocation.approvals.filter(round_no=allocation.round_no, approver_id=user.pk).exists():
            reason = "You have already approved this round; a second, different approver is needed."
        options.append(ActionOption("approve", "Approve", not reason, reason))
        options.append(ActionOption("reject", "Reject", not reason, reason))
    if status == FundAllocation.Status.APPROVED:
        options.append(ActionOption("amend", "Amend", is_maker, "" if is_maker else "Your role cannot amend splits."))
        can_close = bool(roles & set(CLOSER_ROLES))
        reason = "" if can_close else "Only finance can close a split."
        if can_close and today < allocation.period_end:
            reason = f"The period runs until {allocation.period_end:%d %b %Y}."
        options.append(ActionOption("close", "Close", not reason, reason))
    return options
