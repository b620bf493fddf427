"""Promotions, the deal calendar and Amazon's deal rules (DOMAIN.md §2.4, §3.5, §5.3).

Imported at the end of the coop app's models module so Django registers these models with the
coop app. Writes go through coop/promotion_services.py; the models hold structure and the validation
that depends only on the row itself.

Times. `start_at` / `end_at` are aware datetimes stored in UTC. People plan in the marketplace's
time zone (a Prime Day deal starts at midnight in Seattle, not in UTC), so forms and pages convert
with `Marketplace.timezone`; rules compare instants, never local dates.

Percentages. Rule thresholds, coupon percent discounts and the brand's funding share are
percentages 0-100 as DOMAIN.md states them (a 20 % minimum discount is stored as 20).
"""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coop.models.audit import AppendOnlyManager
from coop.models.audit import AppendOnlyModel
from coop.promotion_rules import OVERRIDABLE_RULES
from core.models import AuthoredModel
from core.models import TimeStampedModel
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode
from planning.scoping import BrandScopedManager

_PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
_NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _money(**kwargs: Any) -> Any:
    return models.DecimalField(max_digits=14, decimal_places=2, validators=_NON_NEGATIVE, **kwargs)


def _pct(**kwargs: Any) -> Any:
    return models.DecimalField(max_digits=5, decimal_places=2, validators=_PERCENT, **kwargs)


class PromotionType(models.TextChoices):
    """Exactly DOMAIN.md §2.4's list; seven of them are the SP-API promotion report's enum."""

    LIGHTNING_DEAL = "LIGHTNING_DEAL", "Lightning Deal"
    BEST_DEAL = "BEST_DEAL", "Best Deal"
    PRIME_EXCLUSIVE_BEST_DEAL = "PRIME_EXCLUSIVE_BEST_DEAL", "Prime Exclusive Best Deal"
    PRICE_DISCOUNT = "PRICE_DISCOUNT", "Price Discount"
    PRIME_EXCLUSIVE_DISCOUNT = "PRIME_EXCLUSIVE_DISCOUNT", "Prime Exclusive Discount"
    COUPON = "COUPON", "Coupon"
    DEAL_OF_THE_DAY = "DEAL_OF_THE_DAY", "Deal of the Day"
    SALES_DISCOUNT = "SALES_DISCOUNT", "Sales Discount"
    PROMO_CODE = "PROMO_CODE", "Promo code"


class EventCalendar(TimeStampedModel):
    """A retail event (Prime Day, Prime Big Deal Days, BFCM, ...) with its deal submission deadline.

    Amazon's reference data, the same for every brand; staff keep it current in the admin. Dates are
    local dates in the marketplace's time zone; an event without a marketplace applies to all of them.
    """

    class Kind(models.TextChoices):
        PRIME_DAY = "PRIME_DAY", "Prime Day"
        PRIME_BIG_DEAL_DAYS = "PRIME_BIG_DEAL_DAYS", "Prime Big Deal Days"
        BFCM = "BFCM", "Black Friday / Cyber Monday"
        OTHER = "OTHER", "Other event"

    # Keys an event's `rules` may set: they override the rule set's field of the same name.
    RULE_KEYS: ClassVar[frozenset[str]] = OVERRIDABLE_RULES

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.OTHER)
    marketplace = models.ForeignKey(
        Marketplace,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="Empty = the event runs in every marketplace on these local dates.",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    submission_deadline = models.DateField(
        null=True, blank=True, help_text="Last day (marketplace time) to submit deals for this event."
    )
    rules = models.JSONField(
        default=dict,
        blank=True,
        help_text='Overrides for this event, e.g. {"min_discount_vs_reference_pct": "15", "min_rating": "4"}.',
    )
    is_confirmed = models.BooleanField(
        default=True, help_text="Untick while the dates are an estimate Amazon has not announced yet."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["start_date", "name"]
        verbose_name = "event"
        constraints = [
            models.UniqueConstraint(fields=["name", "marketplace", "start_date"], name="eventcalendar_unique_event"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="eventcalendar_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The event ends before it starts."
        if self.submission_deadline and self.start_date and self.submission_deadline > self.start_date:
            errors["submission_deadline"] = "The submission deadline must be on or before the first day."
        if not isinstance(self.rules, dict):
            errors["rules"] = 'Rules must be a JSON object such as {"min_rating": "4"}.'
        else:
            unknown = sorted(set(self.rules) - self.RULE_KEYS)
            if unknown:
                errors["rules"] = (
                    f"Unknown rule keys {', '.join(unknown)}; allowed: {', '.join(sorted(self.RULE_KEYS))}."
                )
            else:
                for key, value in self.rules.items():
                    try:
                        Decimal(str(value))
                    except ArithmeticError:
                        errors["rules"] = f"Rule {key} must be a number, got {value!r}."
                        break
        if errors:
            raise ValidationError(errors)

    def starts_at(self, tz: ZoneInfo) -> datetime:
        """The first instant of the event in a time zone (midnight local)."""
        return datetime.combine(self.start_date, time.min, tzinfo=tz)

    def ends_at(self, tz: ZoneInfo) -> datetime:
        """The instant the event is over (midnight after its last day, local)."""
        return datetime.combine(self.end_date + timedelta(days=1), time.min, tzinfo=tz)


class PromotionRuleSet(TimeStampedModel):
    """Amazon's submission rules for one promotion type, optionally for one event (§5.3 table).

    Rules are data: a missing value means "not checked". The rule set of (type, event) replaces the
    type's default rule set for promotions of that event; the event's `rules` JSON then overrides
    single values.
    """

    promotion_type = models.CharField(max_length=32, choices=PromotionType.choices)
    event = models.ForeignKey(EventCalendar, null=True, blank=True, on_delete=models.CASCADE, related_name="rule_sets")
    is_active = models.BooleanField(default=True)
    lead_time_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Submit at least this many hours before the start (672 = 4 weeks)."
    )
    min_duration_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_duration_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    min_discount_vs_reference_pct = _pct(
        null=True, blank=True, help_text="Promo price at least this % below the reference price."
    )
    min_discount_vs_lowest_30d_pct = _pct(
        null=True,
        blank=True,
        help_text="Promo price at least this % below the lowest price of the past 30 days (0 = match it).",
    )
    min_discount_vs_lowest_90d_pct = _pct(
        null=True, blank=True, help_text="Promo price at least this % below the lowest price of the past 90 days."
    )
    min_discount_vs_typical_90d_pct = _pct(
        null=True,
        blank=True,
        help_text="Promo price at least this % below the typical (median) price of the past 90 days.",
    )
    no_overlap = models.BooleanField(default=False, help_text="No other promotion on the same ASIN at the same time.")
    back_to_back_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minimum days between this and another promotion on the same ASIN."
    )
    min_rating = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
    )
    coupon_min_discount_pct = _pct(null=True, blank=True)
    coupon_max_discount_pct = _pct(null=True, blank=True)
    max_items = models.PositiveSmallIntegerField(null=True, blank=True, help_text="ASINs per promotion.")
    fee_allowed = models.BooleanField(
        default=True, help_text="Untick for types Amazon runs without a merchandising fee."
    )
    requires_budget = models.BooleanField(default=False)
    source = models.CharField(max_length=60, blank=True, help_text="DOMAIN.md source tags, e.g. S16,S40.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["promotion_type", "event"]
        verbose_name = "promotion rule set"
        constraints = [
            models.UniqueConstraint(
                fields=["promotion_type"], condition=Q(event__isnull=True), name="promotionruleset_one_default_per_type"
            ),
            models.UniqueConstraint(
                fields=["promotion_type", "event"],
                condition=Q(event__isnull=False),
                name="promotionruleset_one_per_type_and_event",
            ),
        ]

    def __str__(self) -> str:
        label = PromotionType(self.promotion_type).label
        return f"{label} · {self.event}" if self.event_id else f"{label} (default)"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.min_duration_hours is not None
            and self.max_duration_hours is not None
            and self.min_duration_hours > self.max_duration_hours
        ):
            errors["max_duration_hours"] = "The longest duration is shorter than the shortest."
        if (
            self.coupon_min_discount_pct is not None
            and self.coupon_max_discount_pct is not None
            and self.coupon_min_discount_pct > self.coupon_max_discount_pct
        ):
            errors["coupon_max_discount_pct"] = "The largest coupon discount is below the smallest."
        if errors:
            raise ValidationError(errors)


class PriceObservation(TimeStampedModel):
    """A customer price (and, when known, the star rating) of an ASIN on one day.

    IMPORTED rows are the average selling price derived from daily Retail Analytics sales (ordered
    revenue / ordered units); ENTERED rows are typed in by people (e.g. a price seen on the page).
    Both feed the "lowest price of the past 90 days" rules.
    """

    class Source(models.TextChoices):
        IMPORTED = "IMPORTED", "Imported (daily sales)"
        ENTERED = "ENTERED", "Entered"

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="+")
    asin = models.CharField(max_length=10)
    observed_on = models.DateField(help_text="Local date in the marketplace.")
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, validators=_NON_NEGATIVE)
    currency = models.CharField(max_length=3)
    rating = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
        help_text="Average star rating shown on the detail page that day.",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    note = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["PriceObservation"]()

    class Meta:
        ordering = ["asin", "-observed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "marketplace", "asin", "observed_on", "source"], name="priceobservation_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=False) | Q(rating__isnull=False), name="priceobservation_price_or_rating"
            ),
        ]
        indexes = [models.Index(fields=["brand", "marketplace", "asin", "observed_on"])]

    def __str__(self) -> str:
        return f"{self.asin} {self.price} {self.currency} on {self.observed_on}"


class PromotionPolicy(TimeStampedModel):
    """A brand's internal approval threshold: above it, a finance approver must approve (§5.3)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    finance_approval_threshold = _money(
        help_text="Forecast vendor cost above which a finance approver (not the requester) must approve."
    )

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["PromotionPolicy"]()

    class Meta:
        verbose_name = "promotion approval policy"
        verbose_name_plural = "promotion approval policies"
        constraints = [models.UniqueConstraint(fields=["brand", "currency"], name="promotionpolicy_one_per_currency")]

    def __str__(self) -> str:
        return f"{self.brand}: finance above {self.finance_approval_threshold:,.2f} {self.currency}"


class Promotion(AuthoredModel):
    """One promotion (deal, discount, coupon) of a vendor code, from planning to reconciliation."""

    Type = PromotionType

    class Status(models.TextChoices):
        # Internal steps (§5.3)
        DRAFT = "DRAFT", "Draft"
        INTERNAL_APPROVAL = "INTERNAL_APPROVAL", "Internal approval"
        READY = "READY", "Ready to submit"
        # Amazon's side
        SUBMITTED = "SUBMITTED", "Submitted"
        PENDING_APPROVAL = "PENDING_APPROVAL", "Pending approval"
        APPROVED = "APPROVED", "Approved"
        NEEDS_YOUR_ATTENTION = "NEEDS_YOUR_ATTENTION", "Needs your attention"
        REJECTED = "REJECTED", "Rejected"
        CANCELED = "CANCELED", "Canceled"
        RUNNING = "RUNNING", "Running"
        ENDED = "ENDED", "Ended"
        INVOICED = "INVOICED", "Invoiced"
        RECONCILED = "RECONCILED", "Reconciled"
        APPROVED_DID_NOT_RUN = "APPROVED_DID_NOT_RUN", "Approved, did not run"
        SUPPRESSED = "SUPPRESSED", "Suppressed"

    class CreationChannel(models.TextChoices):
        SELF_SERVICE = "SELF-SERVICE", "Self-service"
        FULL_SERVICE = "FULL-SERVICE", "Full-service (Amazon account team)"
        AUTOMATED = "AUTOMATED", "Automated"
        MANUAL = "MANUAL", "Manual"

    class FundingMethod(models.TextChoices):
        PER_UNIT_FUNDING = "PER_UNIT_FUNDING", "Per-unit funding"
        PROMOTIONAL_COST_PO = "PROMOTIONAL_COST_PO", "Promotional cost POs"

    # Statuses in which the dates, items and money may still change.
    EDITABLE_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.DRAFT})
    # Promotions that will not (or did not) run: they never conflict with another one.
    DEAD_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.REJECTED, Status.CANCELED, Status.APPROVED_DID_NOT_RUN})

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="promotions")
    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="promotions")
    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="promotions")
    name = models.CharField(max_length=200)
    promotion_type = models.CharField("type", max_length=32, choices=PromotionType.choices)
    event = models.ForeignKey(EventCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="promotions")
    start_at = models.DateTimeField(help_text="Stored in UTC; entered in the marketplace's time zone.")
    end_at = models.DateTimeField()
    creation_channel = models.CharField(
        max_length=16, choices=CreationChannel.choices, default=CreationChannel.SELF_SERVICE
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True)
    amazon_status = models.CharField(max_length=40, blank=True, help_text="As last reported by Amazon.")
    amazon_status_at = models.DateTimeField(null=True, blank=True)
    amazon_promotion_id = models.CharField(
        max_length=64, blank=True, help_text="Promotion id in Vendor Central (coupon id for coupons)."
    )
    amazon_campaign_id = models.CharField(max_length=64, blank=True, help_text="Coupon campaign id.")
    amazon_funding_agreement_id = models.CharField(
        max_length=64, blank=True, help_text="Amazon's funding agreement id for this promotion."
    )
    funding_agreement = models.ForeignKey(
        "coop.CoopAgreement", null=True, blank=True, on_delete=models.SET_NULL, related_name="promotions"
    )
    jbp_plan = models.ForeignKey(
        "planning.JBPPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="promotions"
    )
    funding_method = models.CharField(
        max_length=24, choices=FundingMethod.choices, default=FundingMethod.PER_UNIT_FUNDING
    )
    currency = models.CharField(max_length=3, help_text="Currency of every amount on the promotion and its items.")
    merchandising_fee = _money(default=Decimal("0.00"))
    max_units = models.PositiveIntegerField(null=True, blank=True)
    coupon_budget = _money(null=True, blank=True)
    coupon_fee_per_redemption = _money(
        default=Decimal("0.60"), help_text="Fee Amazon draws from the coupon budget per redemption (§5.3)."
    )
    brand_funding_share_pct = _pct(
        default=Decimal("100"),
        help_text="The brand's internal share of the vendor cost, 0-100 (§3.5). Amazon still invoices it all.",
    )
    notes = models.TextField(blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    needs_finance_approval = models.BooleanField(default=False)
    approval_vendor_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Forecast vendor cost when approval was asked.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["Promotion"]()

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=models.F("start_at")), name="promotion_ends_after_start"),
            models.CheckConstraint(
                condition=Q(brand_funding_share_pct__gte=0) & Q(brand_funding_share_pct__lte=100),
                name="promotion_brand_share_0_100",
            ),
            models.UniqueConstraint(
                fields=["marketplace", "amazon_promotion_id"],
                condition=~Q(amazon_promotion_id=""),
                name="promotion_unique_amazon_id",
            ),
        ]
        indexes = [
            models.Index(fields=["brand", "marketplace", "start_at"]),
            models.Index(fields=["marketplace", "end_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.marketplace.timezone)

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start_at, self.tz)

    @property
    def local_end(self) -> datetime:
        return timezone.localtime(self.end_at, self.tz)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_coupon(self) -> bool:
        return self.promotion_type == PromotionType.COUPON

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            errors["end_at"] = "The promotion must end after it starts."
        if self.vendor_code_id:
            if self.brand_id and self.vendor_code.brand_id != self.brand_id:
                errors["vendor_code"] = "The vendor code belongs to another brand."
            if self.marketplace_id and self.vendor_code.marketplace_id != self.marketplace_id:
                errors["marketplace"] = "The vendor code sells in another marketplace."
        if self.brand_funding_share_pct is not None and not (
            Decimal("0") <= self.brand_funding_share_pct <= Decimal("100")
        ):
            errors["brand_funding_share_pct"] = "The brand's share must be between 0 and 100 %."
        event = self.event if self.event_id else None
        if event is not None and self.marketplace_id and event.marketplace_id not in (None, self.marketplace_id):
            errors["event"] = "This event belongs to another marketplace."
        plan = self.jbp_plan if self.jbp_plan_id else None
        if plan is not None and self.brand_id and plan.brand_id != self.brand_id:
            errors["jbp_plan"] = "The JBP plan belongs to another brand."
        agreement = self.funding_agreement if self.funding_agreement_id else None
        if agreement is not None and self.vendor_code_id and agreement.vendor_code_id != self.vendor_code_id:
            errors["funding_agreement"] = "The funding agreement belongs to another vendor code."
        if errors:
            raise ValidationError(errors)


class PromotionItem(TimeStampedModel):
    """One ASIN of a promotion with its prices and the vendor's funding per unit."""

    class DiscountType(models.TextChoices):
        PERCENT_OFF_LIST_PRICE = "PERCENT_OFF_LIST_PRICE", "% off list price"
        AMOUNT_OFF_LIST_PRICE = "AMOUNT_OFF_LIST_PRICE", "Amount off list price"

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    asin = models.CharField(max_length=10)
    reference_price = _money(null=True, blank=True, help_text="Amazon's reference (list / was) price.")
    promo_price = _money(null=True, blank=True, help_text="Expected customer price during the promotion.")
    per_unit_funding = _money(default=Decimal("0.00"), help_text="What the vendor funds per unit sold.")
    units_forecast = models.PositiveIntegerField(default=0, help_text="Units (coupons: redemptions) expected.")
    discount_type = models.CharField(max_length=24, choices=DiscountType.choices, blank=True)
    discount_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_NON_NEGATIVE,
        help_text="Coupons: 20 = 20 % for percent off, or money off per unit.",
    )

    brand_lookup: ClassVar[str] = "promotion__brand"
    objects = BrandScopedManager["PromotionItem"]()

    class Meta:
        ordering = ["promotion", "asin"]
        constraints = [models.UniqueConstraint(fields=["promotion", "asin"], name="promotionitem_one_per_asin")]

    def __str__(self) -> str:
        return f"{self.asin} in {self.promotion_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.reference_price is not None
            and self.promo_price is not None
            and self.promo_price > self.reference_price
        ):
            errors["promo_price"] = "The promotion price is above the reference price."
        if self.discount_type and self.discount_amount is None:
            errors["discount_amount"] = "Give the coupon's discount."
        if (
            self.discount_type == self.DiscountType.PERCENT_OFF_LIST_PRICE
            and self.discount_amount is not None
            and self.discount_amount > 100
        ):
            errors["discount_amount"] = "A percent discount cannot exceed 100 %."
        if errors:
            raise ValidationError(errors)


class PromotionTransition(AppendOnlyModel):
    """One status change of a promotion: who (or which import), when, from, to and why. Append-only."""

    class Source(models.TextChoices):
        USER = "USER", "A person"
        IMPORT = "IMPORT", "Promotion report import"
        SYSTEM = "SYSTEM", "Coopdesk"

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_roles = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.USER)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "promotion__brand"
    objects = AppendOnlyManager["PromotionTransition"]()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.promotion_id}: {self.from_status or '—'} → {self.to_status}"


class PromotionPerformance(models.Model):
    """A promotion's results, recomputed after each import of promotion reports or daily sales.

    Stored so lists, the calendar and the MBR read one row per promotion instead of raw daily facts.
    Money is in the promotion's currency; ratios are fractions and None when undefined.
    """

    promotion = models.OneToOneField(Promotion, on_delete=models.CASCADE, related_name="performance")
    computed_at = models.DateTimeField(default=timezone.now)
    currency = models.CharField(max_length=3)
    units_sold = models.BigIntegerField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    glance_views = models.BigIntegerField(null=True, blank=True)
    amount_spent = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Vendor funding as Amazon reports it."
    )
    vendor_cost = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    clips = models.BigIntegerField(null=True, blank=True)
    redemptions = models.BigIntegerField(null=True, blank=True)
    budget_spent = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    sales_units = models.BigIntegerField(
        null=True, blank=True, help_text="Ordered units of the promoted ASINs (daily facts)."
    )
    sales_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_units = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    lift = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    incremental_units = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    incremental_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    roi = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    halo_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    halo_baseline_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    halo_incremental_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    halo_lift = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    baseline_note = models.CharField(max_length=300, blank=True)
    report_updated_at = models.DateTimeField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "promotion__brand"
    objects = BrandScopedManager["PromotionPerformance"]()

    class Meta:
        verbose_name = "promotion performance"

    def __str__(self) -> str:
        return f"results of {self.promotion_id}"
