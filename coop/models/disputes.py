"""Disputes of co-op invoices, shortages, price claims and chargebacks (DOMAIN.md §3.4, §5.5)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from coop.models.invoices import Chargeback
from coop.models.invoices import CoopInvoice
from coop.models.invoices import Deduction
from core.models import AuthoredModel
from core.models import TimeStampedModel
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


class Dispute(AuthoredModel):
    """One attempt at getting money back. A re-dispute is a new row with attempt_no + 1 and `parent`."""

    class Type(models.TextChoices):
        COOP = "COOP", "Co-op"
        SHORTAGE = "SHORTAGE", "Shortage"
        PRICE = "PRICE", "Price"
        CHARGEBACK = "CHARGEBACK", "Chargeback"

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SUBMITTED = "SUBMITTED", "Submitted"
        PENDING_AMAZON = "PENDING_AMAZON", "Pending Amazon"
        APPROVED = "APPROVED", "Approved"
        PARTIALLY_APPROVED = "PARTIALLY_APPROVED", "Partially approved"
        DENIED = "DENIED", "Denied"
        REDISPUTED = "REDISPUTED", "Re-disputed"
        CANCEL_REQUESTED = "CANCEL_REQUESTED", "Cancellation requested"
        CANCELLED = "CANCELLED", "Cancelled"
        ESCALATED_CASE = "ESCALATED_CASE", "Escalated to a case"
        CLOSED = "CLOSED", "Closed"

    # Statuses where the deadline still matters: not filed yet, or a decision that can be re-disputed.
    ACTIONABLE_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.PARTIALLY_APPROVED, Status.DENIED})
    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {
            Status.DRAFT,
            Status.SUBMITTED,
            Status.PENDING_AMAZON,
            Status.PARTIALLY_APPROVED,
            Status.DENIED,
            Status.CANCEL_REQUESTED,
            Status.ESCALATED_CASE,
        }
    )

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="disputes")
    dispute_type = models.CharField("type", max_length=12, choices=Type.choices)
    invoice = models.ForeignKey(CoopInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    chargeback = models.ForeignKey(Chargeback, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    deduction = models.ForeignKey(Deduction, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redisputes",
        help_text="Previous attempt.",
    )
    attempt_no = models.PositiveSmallIntegerField(default=1, help_text="1 = dispute, 2+ = re-dispute.")
    amazon_dispute_id = models.CharField(max_length=64, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2)
    amount_approved = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    base_date = models.DateField(help_text="Invoice date, deduction date or notification date the window runs from.")
    earliest_filing_date = models.DateField()
    deadline = models.DateField(db_index=True)
    reason = models.TextField(blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    resolution_note = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["Dispute"]()

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(invoice__isnull=False, chargeback__isnull=True, deduction__isnull=True)
                    | Q(invoice__isnull=True, chargeback__isnull=False, deduction__isnull=True)
                    | Q(invoice__isnull=True, chargeback__isnull=True, deduction__isnull=False)
                ),
                name="dispute_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("base_date")), name="dispute_deadline_after_base"
            ),
            # A decision can be re-disputed once; the next attempt hangs off the new row.
            models.UniqueConstraint(fields=["parent"], name="dispute_one_redispute_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dispute_type_display()} dispute #{self.pk} (attempt {self.attempt_no})"

    @property
    def target(self) -> CoopInvoice | Chargeback | Deduction | None:
        return self.invoice or self.chargeback or self.deduction


class DisputeEvidence(TimeStampedModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="coop/disputes/%Y/%m/")
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    brand_lookup: ClassVar[str] = "dispute__vendor_code__brand"
    objects = BrandScopedManager["DisputeEvidence"]()

    class Meta:
        ordering = ["dispute", "created_at"]
        verbose_name_plural = "dispute evidence"

    def __str__(self) -> str:
        return self.description or self.file.name or f"evidence #{self.pk}"
