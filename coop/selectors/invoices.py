"""Reads of co-op invoices, remittances, deductions and chargebacks."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from coop.models import AuditRecord
from coop.models import Chargeback
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Remittance
from planning.models import Brand

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def invoice_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    status: str = "",
    flagged_only: bool = False,
    agreement_id: int | None = None,
    search: str = "",
) -> QuerySet[CoopInvoice]:
    """The user's invoices with `deducted_total` (Σ of the deductions that reference them)."""
    qs = CoopInvoice.objects.for_user(user).select_related("vendor_code", "agreement")
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    if status:
        qs = qs.filter(status=status)
    if flagged_only:
        qs = qs.filter(status=CoopInvoice.Status.VARIANCE_FLAGGED)
    if agreement_id:
        qs = qs.filter(agreement_id=agreement_id)
    if search:
        qs = qs.filter(
            Q(amazon_invoice_id__icontains=search)
            | Q(amazon_agreement_id__icontains=search)
            | Q(agreement_title__icontains=search)
        )
    return qs.annotate(deducted_total=Coalesce(Sum("deductions__amount"), _ZERO)).order_by(
        "-invoice_date", "amazon_invoice_id"
    )


def invoice_get(*, user: AnyUser, pk: int) -> CoopInvoice:
    qs = (
        CoopInvoice.objects.for_user(user)
        .select_related("vendor_code", "agreement", "matched_accrual")
        .prefetch_related("deductions__remittance", "disputes")
    )
    # Scoped first, so another brand's object is a 404 like a missing one.
    return get_object_or_404(qs, pk=pk)


def invoice_history(*, invoice: CoopInvoice) -> QuerySet[AuditRecord]:
    return (
        AuditRecord.objects.filter(content_type=ContentType.objects.get_for_model(CoopInvoice), object_id=invoice.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def flagged_invoices_for_brand(*, brand_id: int) -> QuerySet[CoopInvoice]:
    """System read for alert rules (COOP_VARIANCE): flagged invoices of one brand without an open dispute."""
    return (
        CoopInvoice.objects.for_brand(brand_id)
        .filter(status=CoopInvoice.Status.VARIANCE_FLAGGED)
        .select_related("vendor_code", "agreement")
        .order_by("invoice_date")
    )


def remittance_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[Remittance]:
    qs = Remittance.objects.for_user(user).select_related("vendor_code")
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    return qs.annotate(deducted_total=Coalesce(Sum("deductions__amount"), _ZERO)).order_by("-payment_date")


def deduction_list(*, user: AnyUser, brand: Brand | None = None, reference_type: str = "") -> QuerySet[Deduction]:
    qs = Deduction.objects.for_user(user).select_related("remittance", "remittance__vendor_code", "invoice")
    if brand is not None:
        qs = qs.filter(remittance__vendor_code__brand=brand)
    if reference_type:
        qs = qs.filter(reference_type=reference_type)
    return qs.order_by("-remittance__payment_date", "id")


def chargeback_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[Chargeback]:
    qs = Chargeback.objects.for_user(user).select_related("vendor_code")
    if brand is not None:
        qs = qs.filter(vendor_code__brand=brand)
    return qs.order_by("-notified_at", "amazon_id")
