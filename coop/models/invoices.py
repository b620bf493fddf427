"""Co-op invoices, remittances with their deductions, and chargebacks (DOMAIN.md §2.3, §3.4, §5.4).

Reconciliation chain: Remittance -> Deduction(reference_id) -> CoopInvoice(amazon_invoice_id) ->
CoopAgreement(amazon_agreement_id) -> Accrual(period).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from coop.models.agreements import Accrual
from coop.models.agreements import CoopAgreement
from core.models import AuthoredModel
from core.models import TimeStampedModel
from ingest.models import ReportImport
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


class CoopInvoice(AuthoredModel):
    class Status(models.TextChoices):
        IMPORTED = "IMPORTED", "Imported"
        UNMATCHED = "UNMATCHED", "Unmatched"
        MATCHED = "MATCHED", "Matched"
        OK = "OK", "OK"
        VARIANCE_FLAGGED = "VARIANCE_FLAGGED", "Variance flagged"
        DISPUTED = "DISPUTED", "Disputed"
        RESOLVED_APPROVED = "RESOLVED_APPROVED", "Resolved: approved"
        RESOLVED_PARTIAL = "RESOLVED_PARTIAL", "Resolved: partially approved"
        RESOLVED_DENIED = "RESOLVED_DENIED", "Resolved: denied"
        REDISPUTED = "REDISPUTED", "Re-disputed"
        DEDUCTED = "DEDUCTED", "Deducted"
        CLOSED = "CLOSED", "Closed"

    # Reconciliation may (re)run only before a dispute has started.
    RECONCILABLE_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {Status.IMPORTED, Status.UNMATCHED, Status.MATCHED, Status.OK, Status.VARIANCE_FLAGGED}
    )

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="coop_invoices")
    amazon_invoice_id = models.CharField("Amazon invoice id", max_length=64)
    amazon_agreement_id = models.CharField("Amazon agreement id", max_length=64, blank=True)
    agreement_title = models.CharField(max_length=200, blank=True)
    agreement = models.ForeignKey(
        CoopAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    invoice_date = models.DateField()
    service_period_start = models.DateField(null=True, blank=True)
    service_period_end = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Positive = the vendor owes Amazon.")
    original_balance = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    backup_report = models.FileField(upload_to="coop/backup/%Y/%m/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IMPORTED, db_index=True)
    matched_accrual = models.ForeignKey(
        Accrual, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    expected_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    variance_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    audit_flags = models.JSONField(default=list, blank=True, help_text="[{code, message}] from the last audit.")
    reconciled_at = models.DateTimeField(null=True, blank=True)
    source_import = models.ForeignKey(
        ReportImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The file it came from.",
    )

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["CoopInvoice"]()

    class Meta:
        ordering = ["-invoice_date", "amazon_invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor_code", "amazon_invoice_id"], name="coopinvoice_unique_amazon_id"),
        ]
        indexes = [models.Index(fields=["agreement", "service_period_start"])]

    def __str__(self) -> str:
        return f"{self.amazon_invoice_id} {self.amount} {self.currency}"

    @property
    def flag_codes(self) -> list[str]:
        return [flag.get("code", "") for flag in self.audit_flags or []]


class Remittance(AuthoredModel):
    """A payment advice from Amazon: what it paid and which deductions it netted off."""

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="remittances")
    remittance_id = models.CharField(max_length=64)
    payment_date = models.DateField()
    paid_amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)
    source_import = models.ForeignKey(ReportImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["Remittance"]()

    class Meta:
        ordering = ["-payment_date", "remittance_id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor_code", "remittance_id"], name="remittance_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.remittance_id} {self.payment_date}"


class Chargeback(AuthoredModel):
    """An operational fine (ASN, PO on-time, labelling, ...), separate from co-op."""

    class Type(models.TextChoices):
        ASN_ACCURACY = "ASN_ACCURACY", "ASN accuracy"
        ASN_ON_TIME = "ASN_ON_TIME", "ASN on time"
        PO_ON_TIME_NOT_ON_TIME = "PO_ON_TIME_NOT_ON_TIME", "PO on-time: not on time"
        PO_DOWN_CONFIRMED = "PO_DOWN_CONFIRMED", "PO down-confirmed"
        PO_NOT_FILLED = "PO_NOT_FILLED", "PO not filled"
        LABELING = "LABELING", "Labelling"
        PREP = "PREP", "Prep"
        OTHER = "OTHER", "Other"

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="chargebacks")
    amazon_id = models.CharField("Amazon chargeback id", max_length=64)
    chargeback_type = models.CharField("type", max_length=30, choices=Type.choices)
    po_number = models.CharField(max_length=30, blank=True)
    asn_id = models.CharField("ASN / shipment id", max_length=64, blank=True)
    asin = models.CharField(max_length=10, blank=True)
    notified_at = models.DateField(help_text="The dispute window runs from this date.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    notes = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["Chargeback"]()

    class Meta:
        ordering = ["-notified_at", "amazon_id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor_code", "amazon_id"], name="chargeback_unique_amazon_id"),
        ]

    def __str__(self) -> str:
        return f"{self.amazon_id} {self.get_chargeback_type_display()} {self.amount} {self.currency}"


class Deduction(TimeStampedModel):
    """One line of a remittance: money Amazon kept, with what it refers to."""

    class ReferenceType(models.TextChoices):
        COOP = "COOP", "Co-op invoice"
        CHARGEBACK = "CHARGEBACK", "Chargeback"
        SHORTAGE = "SHORTAGE", "Shortage"
        PRICE_CLAIM = "PRICE_CLAIM", "Price claim"
        PRICE_PROTECTION = "PRICE_PROTECTION", "Price protection"

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="deductions")
    reference_type = models.CharField(max_length=20, choices=ReferenceType.choices)
    reference_id = models.CharField(max_length=64, help_text="Amazon's id of the invoice or chargeback.")
    invoice = models.ForeignKey(
        CoopInvoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="deductions"
    )
    chargeback = models.ForeignKey(
        Chargeback, null=True, blank=True, on_delete=models.SET_NULL, related_name="deductions"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    invoice_date = models.DateField(
        null=True, blank=True, help_text="For shortages: the PO invoice date (the 35-day holding period runs from it)."
    )
    description = models.CharField(max_length=200, blank=True)

    brand_lookup: ClassVar[str] = "remittance__vendor_code__brand"
    objects = BrandScopedManager["Deduction"]()

    class Meta:
        ordering = ["remittance", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(invoice__isnull=False) & Q(chargeback__isnull=False)),
                name="deduction_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reference_type_display()} {self.reference_id} {self.amount}"
