"""Reads of disputes, above all the deadline list ordered by urgency."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coop.models import AuditRecord
from coop.models import Dispute
from planning.models import Brand

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def dispute_list(
    *, user: AnyUser, brand: Brand | None = None, status: str = "", dispute_type: str = ""
) -> QuerySet[Dispute]:
    qs = Dispute.objects.for_user(user).select_related("vendor_code", "invoice", "chargeback", "deduction")
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    if status:
        qs = qs.filter(status=status)
    if dispute_type:
        qs = qs.filter(dispute_type=dispute_type)
    return qs.order_by("-created_at", "-pk")


def dispute_get(*, user: AnyUser, pk: int) -> Dispute:
    qs = (
        Dispute.objects.for_user(user)
        .select_related(
            "vendor_code", "invoice", "chargeback", "deduction", "deduction__remittance", "parent", "filed_by"
        )
        .prefetch_related("evidence", "redisputes")
    )
    # Scoped first, so another brand's object is a 404 like a missing one.
    return get_object_or_404(qs, pk=pk)


def dispute_deadline_list(
    *, user: AnyUser, brand: Brand | None = None, today: date | None = None
) -> list[tuple[Dispute, int]]:
    """Disputes whose deadline still matters (draft, or a decision that can be re-disputed), most
    urgent first: overdue ones, then by days left; each with its days left (negative = overdue)."""
    today = today or timezone.localdate()
    qs = (
        Dispute.objects.for_user(user)
        .filter(status__in=Dispute.ACTIONABLE_STATUSES)
        .select_related("vendor_code", "invoice", "chargeback", "deduction")
        .order_by("deadline", "earliest_filing_date", "pk")
    )
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    return [(dispute, (dispute.deadline - today).days) for dispute in qs]


def disputes_due_for_alert(*, brand_id: int, today: date, within_days: int = 7) -> QuerySet[Dispute]:
    """System read for DISPUTE_DEADLINE: unfiled (draft) disputes whose deadline is within N days."""
    return (
        Dispute.objects.for_brand(brand_id)
        .filter(status=Dispute.Status.DRAFT, deadline__lte=today + timedelta(days=within_days))
        .select_related("vendor_code")
        .order_by("deadline")
    )


def dispute_history(*, dispute: Dispute) -> QuerySet[AuditRecord]:
    return (
        AuditRecord.objects.filter(content_type=ContentType.objects.get_for_model(Dispute), object_id=dispute.pk)
        .select_related("actor")
        .order_by("at", "id")
    )
