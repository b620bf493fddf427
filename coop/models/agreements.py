"""Co-op agreements, their growth tiers and the monthly accruals the app expects Amazon to charge.

DOMAIN.md §2.3 and §3. Rates and growth thresholds are fractions (0.08 = 8 %), like
VendorCode.settlement_discount_pct; the pages show them as percentages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import AuthoredModel
from core.models import TimeStampedModel
from ingest.models import ReportImport
from planning.models import JBPPlan
from planning.models import VendorCode
from planning.scoping import BrandScopedManager

_FRACTION = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class CoopAgreement(AuthoredModel):
    """An agreement as shown in Vendor Central (Payments -> Co-op), plus the app's own metadata."""

    class Type(models.TextChoices):
        BASE_ACCRUAL_MDF = "BASE_ACCRUAL_MDF", "Base accrual / MDF"
        FREIGHT_ALLOWANCE = "FREIGHT_ALLOWANCE", "Freight allowance"
        DAMAGE_ALLOWANCE = "DAMAGE_ALLOWANCE", "Damage allowance"
        PROGRAM_FEE = "PROGRAM_FEE", "Program fee (AVS/SVS, S&S, ...)"
        STRAIGHT_PAYMENT = "STRAIGHT_PAYMENT", "Straight payment"
        VENDOR_FUNDED_SALES_DISCOUNT = "VENDOR_FUNDED_SALES_DISCOUNT", "Vendor-funded sales discount"
        PRICE_PROTECTION = "PRICE_PROTECTION", "Price protection"
        GROWTH_INCENTIVE = "GROWTH_INCENTIVE", "Growth / volume incentive"
        OTHER = "OTHER", "Other"

    class CalcBasis(models.TextChoices):
        NET_RECEIPTS = "NET_RECEIPTS", "Net receipts"
        GROSS_RECEIPTS = "GROSS_RECEIPTS", "Gross receipts"
        SHIPPED_COGS = "SHIPPED_COGS", "Shipped COGS"
        PO_COST = "PO_COST", "PO cost"
        ORDERED_REVENUE = "ORDERED_REVENUE", "Ordered revenue"
        UNITS_SOLD = "UNITS_SOLD", "Units sold (per unit)"

    class BillingFrequency(models.TextChoices):
        MONTHLY = "MONTHLY", "Monthly"
        QUARTERLY = "QUARTERLY", "Quarterly"
        ONE_TIME = "ONE_TIME", "One time"
        PER_PROMOTION = "PER_PROMOTION", "Per promotion"

    class Status(models.TextChoices):
        PROVISIONAL = "PROVISIONAL", "Provisional"
        PENDING_ACCEPTANCE = "PENDING_ACCEPTANCE", "Pending acceptance"
        ACCEPTED = "ACCEPTED", "Accepted"
        REJECTED = "REJECTED", "Rejected"
        EXPIRED = "EXPIRED", "Expired"
        SUPERSEDED = "SUPERSEDED", "Superseded"

    class Payer(models.TextChoices):
        VENDOR = "VENDOR", "Vendor pays Amazon"
        AMAZON = "AMAZON", "Amazon pays the vendor"

    class TierMode(models.TextChoices):
        ALL_UNITS_RETROACTIVE = "ALL_UNITS_RETROACTIVE", "All units, retroactive"
        INCREMENTAL_BANDS = "INCREMENTAL_BANDS", "Incremental bands"

    class MeasuredMetric(models.TextChoices):
        SHIPPED_COGS = "SHIPPED_COGS", "Shipped COGS"
        NET_RECEIPTS = "NET_RECEIPTS", "Net receipts"

    # Types whose accrual is a rate or per-unit amount on a basis taken from the facts.
    BASIS_TYPES: ClassVar[frozenset[str]] = frozenset(
        {
            Type.BASE_ACCRUAL_MDF,
            Type.FREIGHT_ALLOWANCE,
            Type.DAMAGE_ALLOWANCE,
            Type.PROGRAM_FEE,
            Type.VENDOR_FUNDED_SALES_DISCOUNT,
            Type.OTHER,
        }
    )
    # Statuses under which Amazon charges: provisional agreements are charged until superseded.
    CHARGING_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.PROVISIONAL, Status.ACCEPTED})

    amazon_agreement_id = models.CharField("Amazon agreement id", max_length=64)
    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="coop_agreements")
    title = models.CharField(max_length=200)
    agreement_type = models.CharField("type", max_length=32, choices=Type.choices)
    calc_basis = models.CharField(
        max_length=20, choices=CalcBasis.choices, blank=True, help_text="Empty for lump sums and price protection."
    )
    rate_pct = models.DecimalField(
        "rate",
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        validators=_FRACTION,
        help_text="Fraction of the basis: 0.08 = 8 %.",
    )
    per_unit_amount = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    fixed_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty = open-ended.")
    billing_frequency = models.CharField(
        max_length=16, choices=BillingFrequency.choices, default=BillingFrequency.MONTHLY
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_ACCEPTANCE)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The provisional agreement this negotiated one replaces (retroactive true-up).",
    )
    payer = models.CharField(max_length=10, choices=Payer.choices, default=Payer.VENDOR)
    selling_program = models.CharField(
        max_length=10, default="RETAIL", help_text="Retail Analytics selling program the basis is read from."
    )
    # Growth incentives (§2.3 AgreementTier): the measured period is [start_date, end_date].
    tier_mode = models.CharField(max_length=24, choices=TierMode.choices, blank=True)
    measured_metric = models.CharField(max_length=20, choices=MeasuredMetric.choices, blank=True)
    baseline_amount = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Last period's measured amount; when empty the baseline period is read from the facts.",
    )
    baseline_period_start = models.DateField(null=True, blank=True)
    baseline_period_end = models.DateField(null=True, blank=True)
    jbp = models.ForeignKey(
        JBPPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coop_agreements",
        verbose_name="JBP plan",
        help_text="The joint business plan whose terms this agreement carries.",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["CoopAgreement"]()

    class Meta:
        ordering = ["vendor_code", "-start_date", "amazon_agreement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_code", "amazon_agreement_id"], name="coopagreement_unique_amazon_id"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="coopagreement_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["vendor_code", "status"])]

    def __str__(self) -> str:
        return f"{self.amazon_agreement_id} {self.title}"

    @property
    def brand_id(self) -> int:
        return self.vendor_code.brand_id

    @property
    def is_growth(self) -> bool:
        return self.agreement_type == self.Type.GROWTH_INCENTIVE

    @property
    def sign(self) -> int:
        """+1 when the vendor pays (a charge), -1 when Amazon pays the vendor (a rebate)."""
        return -1 if self.payer == self.Payer.AMAZON else 1

    def covers(self, day: object) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)  # type: ignore[operator]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.agreement_type in self.BASIS_TYPES:
            if not self.calc_basis:
                errors["calc_basis"] = "A percentage or per-unit agreement needs a calculation basis."
            elif self.calc_basis == self.CalcBasis.UNITS_SOLD and self.per_unit_amount is None:
                errors["per_unit_amount"] = "A per-unit agreement needs the amount per unit."
            elif self.calc_basis != self.CalcBasis.UNITS_SOLD and self.rate_pct is None:
                errors["rate_pct"] = "A percentage agreement needs a rate."
        if self.agreement_type == self.Type.STRAIGHT_PAYMENT and self.fixed_amount is None:
            errors["fixed_amount"] = "A straight payment needs its fixed amount."
        if self.is_growth:
            if not self.tier_mode:
                errors["tier_mode"] = "Say whether tiers apply to all units or to incremental bands."
            if not self.measured_metric:
                errors["measured_metric"] = "Say which metric the growth is measured on."
            if self.baseline_amount is None and not (self.baseline_period_start and self.baseline_period_end):
                errors["baseline_amount"] = "Give a baseline amount or a baseline period."
            if self.end_date is None:
                errors["end_date"] = "A growth incentive needs the end of its measured period."
        if (
            self.baseline_period_start
            and self.baseline_period_end
            and self.baseline_period_end < self.baseline_period_start
        ):
            errors["baseline_period_end"] = "The baseline period ends before it starts."
        if self.supersedes_id and self.supersedes_id == self.pk:
            errors["supersedes"] = "An agreement cannot supersede itself."
        superseded = self.supersedes if self.supersedes_id else None
        if superseded is not None and self.vendor_code_id and superseded.vendor_code_id != self.vendor_code_id:
            errors["supersedes"] = "The superseded agreement belongs to another vendor code."
        plan = self.jbp if self.jbp_id else None
        if plan is not None and self.vendor_code_id and plan.brand_id != self.vendor_code.brand_id:
            errors["jbp"] = "The JBP plan belongs to another brand."
        if errors:
            raise ValidationError(errors)


class AgreementTier(TimeStampedModel):
    """One step of a growth incentive: from `threshold_growth_pct` (inclusive) the `rate_pct` applies."""

    agreement = models.ForeignKey(CoopAgreement, on_delete=models.CASCADE, related_name="tiers")
    threshold_growth_pct = models.DecimalField(
        "growth threshold", max_digits=7, decimal_places=6, help_text="Fraction: 0.05 = +5 % year on year."
    )
    rate_pct = models.DecimalField("rate", max_digits=7, decimal_places=6, validators=_FRACTION)

    brand_lookup: ClassVar[str] = "agreement__vendor_code__brand"
    objects = BrandScopedManager["AgreementTier"]()

    class Meta:
        ordering = ["agreement", "threshold_growth_pct"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "threshold_growth_pct"], name="agreementtier_unique_step"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.threshold_growth_pct:.2%} → {self.rate_pct:.2%}"


class Accrual(TimeStampedModel):
    """What the app expects Amazon to charge for one agreement and one period (normally a month).

    `expected_amount` is positive when the vendor owes Amazon and negative for a credit (negative
    basis, or a rebate Amazon pays). Recomputed whenever the facts of the period change.
    """

    agreement = models.ForeignKey(CoopAgreement, on_delete=models.CASCADE, related_name="accruals")
    period_start = models.DateField()
    period_end = models.DateField()
    basis_amount = models.DecimalField(max_digits=16, decimal_places=2)
    basis_units = models.BigIntegerField(null=True, blank=True, help_text="Units, for per-unit agreements.")
    rate_or_unit = models.DecimalField(
        max_digits=14, decimal_places=6, help_text="Rate fraction, amount per unit, or the fixed amount."
    )
    expected_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reasons = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="How the basis was found (grain, rows, ...).")
    source_import = models.ForeignKey(
        ReportImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The most recent import among the facts the basis was read from.",
    )
    computed_at = models.DateTimeField(default=timezone.now)

    brand_lookup: ClassVar[str] = "agreement__vendor_code__brand"
    objects = BrandScopedManager["Accrual"]()

    class Meta:
        ordering = ["agreement", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_start"], name="accrual_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="accrual_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.amazon_agreement_id} {self.period_start:%Y-%m} {self.expected_amount} {self.currency}"

    @property
    def is_credit(self) -> bool:
        return self.expected_amount < 0
