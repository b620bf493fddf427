"""Django admin for co-op data. Staff see every brand here (the admin is not tenant-scoped).

Money-moving state lives behind services: statuses, approvals and the audit trail are read-only in
the admin, so nobody can approve a split or accept an agreement around the maker-checker rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from coop.models import Accrual
from coop.models import AgreementTier
from coop.models import AgreementWaiver
from coop.models import AuditRecord
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Dispute
from coop.models import DisputeEvidence
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.models import FundAllocationLine
from coop.models import Remittance
from core.exceptions import ApplicationError


class ReadOnlyAdminMixin:
    """No add, change or delete: the rows are written by services only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgreementTierInline(admin.TabularInline):
    model = AgreementTier
    extra = 0
    fields = ("threshold_growth_pct", "rate_pct")


@admin.register(CoopAgreement)
class CoopAgreementAdmin(SimpleHistoryAdmin):
    list_display = (
        "amazon_agreement_id",
        "title",
        "vendor_code",
        "agreement_type",
        "calc_basis",
        "rate_pct",
        "currency",
        "start_date",
        "end_date",
        "status",
        "payer",
    )
    list_filter = ("status", "agreement_type", "calc_basis", "payer", "vendor_code__brand")
    search_fields = ("amazon_agreement_id", "title", "vendor_code__code")
    list_select_related = ("vendor_code", "vendor_code__marketplace")
    autocomplete_fields = ("vendor_code", "supersedes")
    readonly_fields = ("status", "accepted_at", "created_at", "updated_at", "created_by")
    inlines = (AgreementTierInline,)
    actions = ("recompute_accruals",)

    @admin.action(description="Recompute accruals from the imported facts")
    def recompute_accruals(self, request: HttpRequest, queryset: QuerySet[CoopAgreement]) -> None:
        from coop.services.accruals import accruals_recompute_agreement

        total = sum(len(accruals_recompute_agreement(agreement=agreement)) for agreement in queryset)
        self.message_user(request, f"{total} accruals recomputed.", messages.SUCCESS)


@admin.register(Accrual)
class AccrualAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "agreement",
        "period_start",
        "basis_amount",
        "rate_or_unit",
        "expected_amount",
        "currency",
        "needs_review",
        "computed_at",
    )
    list_filter = ("needs_review", "agreement__agreement_type", "agreement__vendor_code__brand")
    search_fields = ("agreement__amazon_agreement_id", "agreement__title")
    list_select_related = ("agreement",)
    date_hierarchy = "period_start"


class FundAllocationLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FundAllocationLine
    fields = ("bucket", "description", "amount", "brand_share_pct")


class FundAllocationApprovalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FundAllocationApproval
    fields = ("round_no", "approver", "role", "decision", "comment", "decided_at")


@admin.register(FundAllocation)
class FundAllocationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "brand",
        "period_start",
        "period_end",
        "total_amount",
        "currency",
        "status",
        "requested_by",
        "approvals_required",
    )
    list_filter = ("status", "brand")
    search_fields = ("title",)
    list_select_related = ("brand", "requested_by")
    inlines = (FundAllocationLineInline, FundAllocationApprovalInline)


@admin.register(FundAllocationApproval)
class FundAllocationApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("allocation", "round_no", "approver", "decision", "decided_at")
    list_filter = ("decision",)
    list_select_related = ("allocation", "approver")


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "brand", "action", "object_repr", "from_status", "to_status", "actor", "actor_roles")
    list_filter = ("action", "brand", "content_type")
    search_fields = ("object_repr", "comment", "actor__username")
    list_select_related = ("brand", "actor")
    date_hierarchy = "at"


@admin.register(CoopInvoice)
class CoopInvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "amazon_invoice_id",
        "vendor_code",
        "amazon_agreement_id",
        "invoice_date",
        "amount",
        "expected_amount",
        "variance_amount",
        "currency",
        "status",
    )
    list_filter = ("status", "vendor_code__brand")
    search_fields = ("amazon_invoice_id", "amazon_agreement_id", "agreement_title")
    list_select_related = ("vendor_code",)
    autocomplete_fields = ("vendor_code",)
    readonly_fields = (
        "agreement",
        "status",
        "matched_accrual",
        "expected_amount",
        "variance_amount",
        "audit_flags",
        "reconciled_at",
        "source_import",
        "created_at",
        "updated_at",
        "created_by",
    )
    actions = ("reconcile",)

    @admin.action(description="Reconcile again (match and run the audit checks)")
    def reconcile(self, request: HttpRequest, queryset: QuerySet[CoopInvoice]) -> None:
        from coop.services.invoices import invoice_reconcile

        done = 0
        for invoice in queryset:
            try:
                invoice_reconcile(invoice=invoice, user=None)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{invoice.amazon_invoice_id}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} invoices reconciled.", messages.SUCCESS)


@admin.register(AgreementWaiver)
class AgreementWaiverAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Waivers are recorded and withdrawn on the agreement page (the service re-audits the invoices and
    writes the audit trail); the admin shows them."""

    list_display = ("agreement", "period_start", "period_end", "reason", "created_by", "created_at", "withdrawn_at")
    list_filter = ("agreement__vendor_code__brand",)
    search_fields = ("agreement__amazon_agreement_id", "reason")
    list_select_related = ("agreement", "created_by")


@admin.register(CoopBackupLine)
class CoopBackupLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Backup lines come from imported backup reports only."""

    list_display = (
        "amazon_invoice_id",
        "line_no",
        "vendor_code",
        "po_number",
        "asin",
        "quantity",
        "basis_amount",
        "charge_amount",
        "currency",
    )
    list_filter = ("vendor_code__brand",)
    search_fields = ("amazon_invoice_id", "po_number", "asin")
    list_select_related = ("vendor_code",)


class DeductionInline(admin.TabularInline):
    model = Deduction
    extra = 0
    fields = ("reference_type", "reference_id", "amount", "invoice_date", "invoice", "chargeback", "description")
    raw_id_fields = ("invoice", "chargeback")


@admin.register(Remittance)
class RemittanceAdmin(admin.ModelAdmin):
    list_display = ("remittance_id", "vendor_code", "payment_date", "paid_amount", "currency")
    search_fields = ("remittance_id",)
    list_filter = ("vendor_code__brand",)
    autocomplete_fields = ("vendor_code",)
    readonly_fields = ("source_import", "created_at", "updated_at", "created_by")
    inlines = (DeductionInline,)


@admin.register(Chargeback)
class ChargebackAdmin(admin.ModelAdmin):
    list_display = ("amazon_id", "vendor_code", "chargeback_type", "notified_at", "amount", "currency", "po_number")
    list_filter = ("chargeback_type", "vendor_code__brand")
    search_fields = ("amazon_id", "po_number", "asn_id", "asin")
    autocomplete_fields = ("vendor_code",)
    readonly_fields = ("created_at", "updated_at", "created_by")


class DisputeEvidenceInline(admin.TabularInline):
    model = DisputeEvidence
    extra = 0
    fields = ("file", "description", "uploaded_by", "created_at")
    readonly_fields = ("uploaded_by", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "dispute_type",
        "vendor_code",
        "attempt_no",
        "amount_claimed",
        "amount_approved",
        "currency",
        "deadline",
        "status",
    )
    list_filter = ("status", "dispute_type", "vendor_code__brand")
    search_fields = ("amazon_dispute_id", "invoice__amazon_invoice_id", "chargeback__amazon_id")
    list_select_related = ("vendor_code",)
    readonly_fields = (
        "vendor_code",
        "dispute_type",
        "invoice",
        "chargeback",
        "deduction",
        "parent",
        "attempt_no",
        "status",
        "amount_claimed",
        "amount_approved",
        "currency",
        "base_date",
        "earliest_filing_date",
        "deadline",
        "filed_at",
        "filed_by",
        "decided_at",
        "created_at",
        "updated_at",
        "created_by",
    )
    inlines = (DisputeEvidenceInline,)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disputes open through the service, which computes the deadline


# Promotion models register their admin classes in their own module.
import coop.promotion_admin  # noqa: E402,F401
