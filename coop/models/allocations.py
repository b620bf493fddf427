"""Fund allocations: how a co-op / marketing budget is split, approved by finance (DOMAIN.md §5.2).

Amazon never sees these objects; they are the brand's internal maker-checker record. Approvals and
the audit trail are append-only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coop.calculations import share_split
from coop.models.audit import AppendOnlyManager
from coop.models.audit import AppendOnlyModel
from core.models import AuthoredModel
from core.models import TimeStampedModel
from planning.models import Brand
from planning.models import JBPPlan
from planning.scoping import BrandScopedManager


class FundAllocation(AuthoredModel):
    """The header of a split: brand, period, currency and total; lines must add up to the total."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        PENDING_FINANCE_APPROVAL = "PENDING_FINANCE_APPROVAL", "Pending finance approval"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"
        AMENDMENT_DRAFT = "AMENDMENT_DRAFT", "Amendment draft"
        CLOSED = "CLOSED", "Closed"

    EDITABLE_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.AMENDMENT_DRAFT})

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="fund_allocations")
    plan = models.ForeignKey(
        JBPPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_allocations",
        verbose_name="JBP plan",
        help_text="The plan whose investments this split funds (same brand).",
    )
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who asked for this split; they may never approve it.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who sent the current round for approval (the requester, or whoever drafted an amendment).",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Each submission opens a new approval round; approvals count only within their round.
    round_no = models.PositiveIntegerField(default=0)
    amendment_no = models.PositiveIntegerField(default=0)
    approvals_required = models.PositiveSmallIntegerField(default=1)
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The lines and total as last approved, restored when an amendment is rejected.
    approved_snapshot = models.JSONField(null=True, blank=True)
    notes = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["FundAllocation"]()

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="fundallocation_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def clean(self) -> None:
        plan = self.plan if self.plan_id else None
        if plan is not None and self.brand_id and plan.brand_id != self.brand_id:
            raise ValidationError({"plan": "The JBP plan belongs to another brand."})


class FundAllocationLine(TimeStampedModel):
    class Bucket(models.TextChoices):
        ADS = "ADS", "Advertising"
        PROMO_FUNDING = "PROMO_FUNDING", "Promotion funding"
        COOP_STRAIGHT_PAYMENT = "COOP_STRAIGHT_PAYMENT", "Co-op straight payment"
        CONTENT = "CONTENT", "Content"
        OTHER = "OTHER", "Other"

    allocation = models.ForeignKey(FundAllocation, on_delete=models.CASCADE, related_name="lines")
    bucket = models.CharField(max_length=24, choices=Bucket.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    brand_share_pct = models.DecimalField(
        "brand share %",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share the brand bears, 0-100; Amazon bears the rest.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    brand_lookup: ClassVar[str] = "allocation__brand"
    objects = BrandScopedManager["FundAllocationLine"]()

    class Meta:
        ordering = ["allocation", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(brand_share_pct__gte=0) & Q(brand_share_pct__lte=100), name="fundline_share_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_bucket_display()} {self.amount}"

    @property
    def brand_amount(self) -> Decimal:
        return share_split(amount=self.amount, brand_share_pct=self.brand_share_pct)[0]

    @property
    def amazon_amount(self) -> Decimal:
        return share_split(amount=self.amount, brand_share_pct=self.brand_share_pct)[1]


class FundAllocationApproval(AppendOnlyModel):
    """One finance decision in one approval round. Unique per (allocation, round, approver), so the
    database itself refuses the same person approving twice."""

    class Decision(models.TextChoices):
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    allocation = models.ForeignKey(FundAllocation, on_delete=models.PROTECT, related_name="approvals")
    round_no = models.PositiveIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    brand_lookup: ClassVar[str] = "allocation__brand"
    objects = AppendOnlyManager["FundAllocationApproval"]()

    class Meta:
        ordering = ["allocation", "round_no", "decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "round_no", "approver"], name="fundapproval_one_per_approver_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.approver} (round {self.round_no})"
