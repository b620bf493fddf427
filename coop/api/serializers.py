"""Co-op API serializers: output shapes, and separate input serializers that only validate types.
Business rules live in the services the views call."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coop.models import Accrual
from coop.models import AgreementTier
from coop.models import AuditRecord
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Dispute
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.models import FundAllocationLine
from coop.models import Remittance

# The statuses a new agreement may start in (named in the OpenAPI schema as NewAgreementStatusEnum).
NEW_AGREEMENT_STATUSES = [CoopAgreement.Status.PENDING_ACCEPTANCE, CoopAgreement.Status.PROVISIONAL]


def _money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **options)


def _rate(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=7, decimal_places=6, **options)


# -------------------------------------------------------------------------------------------- output


class TierSerializer(serializers.ModelSerializer[AgreementTier]):
    class Meta:
        model = AgreementTier
        fields = ("threshold_growth_pct", "rate_pct")


class AgreementSerializer(serializers.ModelSerializer[CoopAgreement]):
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True)
    vendor_code_id = serializers.IntegerField(read_only=True)
    brand_id = serializers.IntegerField(source="vendor_code.brand_id", read_only=True)
    tiers = TierSerializer(many=True, read_only=True)

    class Meta:
        model = CoopAgreement
        fields = (
            "id",
            "amazon_agreement_id",
            "vendor_code",
            "vendor_code_id",
            "brand_id",
            "title",
            "agreement_type",
            "calc_basis",
            "rate_pct",
            "per_unit_amount",
            "fixed_amount",
            "currency",
            "start_date",
            "end_date",
            "billing_frequency",
            "status",
            "supersedes",
            "payer",
            "selling_program",
            "tier_mode",
            "measured_metric",
            "baseline_amount",
            "baseline_period_start",
            "baseline_period_end",
            "jbp",
            "accepted_at",
            "notes",
            "tiers",
            "created_at",
            "updated_at",
        )


class AccrualSerializer(serializers.ModelSerializer[Accrual]):
    amazon_agreement_id = serializers.CharField(source="agreement.amazon_agreement_id", read_only=True)

    class Meta:
        model = Accrual
        fields = (
            "id",
            "agreement",
            "amazon_agreement_id",
            "period_start",
            "period_end",
            "basis_amount",
            "basis_units",
            "rate_or_unit",
            "expected_amount",
            "currency",
            "needs_review",
            "review_reasons",
            "details",
            "source_import",
            "computed_at",
        )


class AllocationLineSerializer(serializers.ModelSerializer[FundAllocationLine]):
    brand_amount = _money(read_only=True)
    amazon_amount = _money(read_only=True)

    class Meta:
        model = FundAllocationLine
        fields = ("bucket", "description", "amount", "brand_share_pct", "brand_amount", "amazon_amount")


class ApprovalSerializer(serializers.ModelSerializer[FundAllocationApproval]):
    approver = serializers.CharField(source="approver.get_username", read_only=True)

    class Meta:
        model = FundAllocationApproval
        fields = ("round_no", "approver", "role", "decision", "comment", "decided_at")


class AllocationSerializer(serializers.ModelSerializer[FundAllocation]):
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    submitted_by = serializers.SerializerMethodField()
    lines = AllocationLineSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = FundAllocation
        fields = (
            "id",
            "brand",
            "plan",
            "title",
            "period_start",
            "period_end",
            "currency",
            "total_amount",
            "status",
            "requested_by",
            "submitted_by",
            "submitted_at",
            "round_no",
            "amendment_no",
            "approvals_required",
            "approved_at",
            "closed_at",
            "notes",
            "lines",
            "approvals",
            "created_at",
            "updated_at",
        )

    def get_submitted_by(self, obj: FundAllocation) -> str | None:
        return obj.submitted_by.get_username() if obj.submitted_by else None


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditRecord
        fields = ("at", "action", "from_status", "to_status", "actor", "actor_roles", "before", "after", "comment")

    def get_actor(self, obj: AuditRecord) -> str | None:
        return obj.actor.get_username() if obj.actor else None


class InvoiceSerializer(serializers.ModelSerializer[CoopInvoice]):
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True)
    deducted_total = _money(read_only=True, required=False)

    class Meta:
        model = CoopInvoice
        fields = (
            "id",
            "vendor_code",
            "amazon_invoice_id",
            "amazon_agreement_id",
            "agreement_title",
            "agreement",
            "invoice_date",
            "service_period_start",
            "service_period_end",
            "amount",
            "original_balance",
            "currency",
            "status",
            "matched_accrual",
            "expected_amount",
            "variance_amount",
            "audit_flags",
            "reconciled_at",
            "deducted_total",
        )


class DeductionSerializer(serializers.ModelSerializer[Deduction]):
    class Meta:
        model = Deduction
        fields = (
            "id",
            "reference_type",
            "reference_id",
            "invoice",
            "chargeback",
            "amount",
            "invoice_date",
            "description",
        )


class RemittanceSerializer(serializers.ModelSerializer[Remittance]):
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True)
    deductions = DeductionSerializer(many=True, read_only=True)

    class Meta:
        model = Remittance
        fields = ("id", "vendor_code", "remittance_id", "payment_date", "paid_amount", "currency", "deductions")


class ChargebackSerializer(serializers.ModelSerializer[Chargeback]):
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True)

    class Meta:
        model = Chargeback
        fields = (
            "id",
            "vendor_code",
            "amazon_id",
            "chargeback_type",
            "po_number",
            "asn_id",
            "asin",
            "notified_at",
            "amount",
            "currency",
            "notes",
        )


class DisputeSerializer(serializers.ModelSerializer[Dispute]):
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True)
    days_left = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = (
            "id",
            "vendor_code",
            "dispute_type",
            "invoice",
            "chargeback",
            "deduction",
            "parent",
            "attempt_no",
            "amazon_dispute_id",
            "amount_claimed",
            "amount_approved",
            "currency",
            "base_date",
            "earliest_filing_date",
            "deadline",
            "days_left",
            "reason",
            "filed_at",
            "decided_at",
            "status",
            "resolution_note",
            "evidence",
        )

    def get_days_left(self, obj: Dispute) -> int:
        from django.utils import timezone

        return (obj.deadline - timezone.localdate()).days

    def get_evidence(self, obj: Dispute) -> list[dict[str, Any]]:
        return [{"id": e.pk, "description": e.description, "file": e.file.name} for e in obj.evidence.all()]


# --------------------------------------------------------------------------------------------- input


class TierInputSerializer(serializers.Serializer[Any]):
    threshold = _rate()
    rate = _rate()


class AgreementInputSerializer(serializers.Serializer[Any]):
    vendor_code_id = serializers.IntegerField()
    amazon_agreement_id = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    agreement_type = serializers.ChoiceField(choices=CoopAgreement.Type.choices)
    calc_basis = serializers.ChoiceField(choices=CoopAgreement.CalcBasis.choices, required=False, allow_blank=True)
    rate_pct = _rate(required=False, allow_null=True)
    per_unit_amount = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    fixed_amount = _money(required=False, allow_null=True)
    currency = serializers.CharField(min_length=3, max_length=3)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    billing_frequency = serializers.ChoiceField(choices=CoopAgreement.BillingFrequency.choices, required=False)
    status = serializers.ChoiceField(choices=NEW_AGREEMENT_STATUSES, required=False)
    supersedes_id = serializers.IntegerField(required=False, allow_null=True)
    payer = serializers.ChoiceField(choices=CoopAgreement.Payer.choices, required=False)
    selling_program = serializers.CharField(max_length=10, required=False)
    tier_mode = serializers.ChoiceField(choices=CoopAgreement.TierMode.choices, required=False, allow_blank=True)
    measured_metric = serializers.ChoiceField(
        choices=CoopAgreement.MeasuredMetric.choices, required=False, allow_blank=True
    )
    baseline_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    baseline_period_start = serializers.DateField(required=False, allow_null=True)
    baseline_period_end = serializers.DateField(required=False, allow_null=True)
    jbp_id = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    tiers = TierInputSerializer(many=True, required=False)


class AgreementUpdateSerializer(AgreementInputSerializer):
    """PATCH: every field optional; the service decides which ones may still change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class CommentInputSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LineInputSerializer(serializers.Serializer[Any]):
    bucket = serializers.ChoiceField(choices=FundAllocationLine.Bucket.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    amount = _money()
    brand_share_pct = serializers.DecimalField(max_digits=5, decimal_places=2)


class AllocationInputSerializer(serializers.Serializer[Any]):
    brand_id = serializers.IntegerField()
    plan_id = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    currency = serializers.CharField(min_length=3, max_length=3)
    total_amount = _money()
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = LineInputSerializer(many=True, required=False)


class AllocationUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    total_amount = _money(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = LineInputSerializer(many=True, required=False)


class InvoiceInputSerializer(serializers.Serializer[Any]):
    vendor_code_id = serializers.IntegerField()
    amazon_invoice_id = serializers.CharField(max_length=64)
    amazon_agreement_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    agreement_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    invoice_date = serializers.DateField()
    service_period_start = serializers.DateField(required=False, allow_null=True)
    service_period_end = serializers.DateField(required=False, allow_null=True)
    amount = _money()
    original_balance = _money(required=False, allow_null=True)
    currency = serializers.CharField(min_length=3, max_length=3)


class DeductionInputSerializer(serializers.Serializer[Any]):
    reference_type = serializers.ChoiceField(choices=Deduction.ReferenceType.choices)
    reference_id = serializers.CharField(max_length=64)
    amount = _money()
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    invoice_date = serializers.DateField(required=False, allow_null=True)


class RemittanceInputSerializer(serializers.Serializer[Any]):
    vendor_code_id = serializers.IntegerField()
    remittance_id = serializers.CharField(max_length=64)
    payment_date = serializers.DateField()
    paid_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField(min_length=3, max_length=3)
    deductions = DeductionInputSerializer(many=True)


class ChargebackInputSerializer(serializers.Serializer[Any]):
    vendor_code_id = serializers.IntegerField()
    amazon_id = serializers.CharField(max_length=64)
    chargeback_type = serializers.ChoiceField(choices=Chargeback.Type.choices)
    notified_at = serializers.DateField()
    amount = _money()
    currency = serializers.CharField(min_length=3, max_length=3)
    po_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    asn_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    asin = serializers.CharField(required=False, allow_blank=True, max_length=10)
    notes = serializers.CharField(required=False, allow_blank=True)


class DisputeOpenSerializer(serializers.Serializer[Any]):
    invoice_id = serializers.IntegerField(required=False, allow_null=True)
    chargeback_id = serializers.IntegerField(required=False, allow_null=True)
    deduction_id = serializers.IntegerField(required=False, allow_null=True)
    amount_claimed = _money()
    reason = serializers.CharField(required=False, allow_blank=True)


class DisputeFileSerializer(serializers.Serializer[Any]):
    amazon_dispute_id = serializers.CharField(required=False, allow_blank=True, max_length=64)


class DisputeDecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[Dispute.Status.APPROVED, Dispute.Status.PARTIALLY_APPROVED, Dispute.Status.DENIED]
    )
    amount_approved = _money(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class DisputeNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True)
    amount_claimed = _money(required=False, allow_null=True)


class CancelOutcomeSerializer(serializers.Serializer[Any]):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)
