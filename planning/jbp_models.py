"""Joint Business Plans (DOMAIN.md §2.2, workflow §5.1): plans, targets, investments, initiatives,
launches and the plan's transition log.

Imported at the end of planning/models.py so Django's model discovery sees these models as part of
the planning app. Writes go through planning/services.py and planning/jbp_services.py; these models
hold structure and the validation that depends only on the row itself.

Plan identity. A brand may hold several plans in one year (four quarterly plans, an annual AVN and an
ad-hoc 120-day launch window), and each plan goes through versions while it is negotiated. So the
natural key is (brand, marketplace, plan_year, series, version): `series` names the plan inside its
year and is derived from the horizon and period ("Q3", "FY", "3Y", "C0715" for a custom window from
15 July), and every version of a plan keeps its series. DOMAIN.md's (brand, marketplace, plan_year,
version) key is this key with one series per year.

Promotions. A plan's promotional calendar (Prime Day, BFCM, seasonal deals) belongs to the promotions
issue: coop sits above planning, so its Promotion model will point at JBPPlan (a nullable FK), not the
other way round; the plan page shows a placeholder until then.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import AuthoredModel
from core.models import TimeStampedModel
from core.periods import add_months
from core.periods import month_end
from core.periods import quarter_end
from core.periods import quarter_start
from core.periods import week_start
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode
from planning.scoping import BrandScopedManager
from planning.validators import is_valid_gtin
from planning.validators import validate_gtin

CUSTOM_MIN_DAYS = 90
CUSTOM_MAX_DAYS = 180


class Metric(models.TextChoices):
    """What a JBP target measures (DOMAIN.md §2.2); kinds and default directions in METRIC_INFO."""

    SHIPPED_COGS = "SHIPPED_COGS", "Shipped COGS"
    ORDERED_REVENUE = "ORDERED_REVENUE", "Ordered revenue"
    SHIPPED_UNITS = "SHIPPED_UNITS", "Shipped units"
    ORDERED_UNITS = "ORDERED_UNITS", "Ordered units"
    NET_PPM = "NET_PPM", "Net PPM"
    PPOOS_RATE = "PPOOS_RATE", "PPOOS rate"
    VENDOR_CONFIRMATION_RATE = "VENDOR_CONFIRMATION_RATE", "Vendor confirmation rate"
    RECEIVE_FILL_RATE = "RECEIVE_FILL_RATE", "Receive fill rate"
    PO_ON_TIME_RATE = "PO_ON_TIME_RATE", "PO on-time rate"
    ACOS = "ACOS", "ACoS"
    TACOS = "TACOS", "TACoS"
    AD_SPEND = "AD_SPEND", "Ad spend"
    GLANCE_VIEWS = "GLANCE_VIEWS", "Glance views"
    CONVERSION = "CONVERSION", "Conversion"
    SELL_THROUGH = "SELL_THROUGH", "Sell-through"
    NEW_ASINS_LAUNCHED = "NEW_ASINS_LAUNCHED", "New ASINs launched"
    APLUS_COVERAGE = "APLUS_COVERAGE", "A+ coverage"


MONEY = "money"
COUNT = "count"
RATIO = "ratio"
HIGHER = "HIGHER_IS_BETTER"
LOWER = "LOWER_IS_BETTER"

# kind: money (plan currency, 2 decimals, additive), count (whole units, additive) or ratio (a fraction,
# not additive: a quarter's ACoS is not the sum of its months'), and the usual direction.
METRIC_INFO: dict[str, tuple[str, str]] = {
    Metric.SHIPPED_COGS: (MONEY, HIGHER),
    Metric.ORDERED_REVENUE: (MONEY, HIGHER),
    Metric.SHIPPED_UNITS: (COUNT, HIGHER),
    Metric.ORDERED_UNITS: (COUNT, HIGHER),
    Metric.NET_PPM: (RATIO, HIGHER),
    Metric.PPOOS_RATE: (RATIO, LOWER),
    Metric.VENDOR_CONFIRMATION_RATE: (RATIO, HIGHER),
    Metric.RECEIVE_FILL_RATE: (RATIO, HIGHER),
    Metric.PO_ON_TIME_RATE: (RATIO, HIGHER),
    Metric.ACOS: (RATIO, LOWER),
    Metric.TACOS: (RATIO, LOWER),
    Metric.AD_SPEND: (MONEY, HIGHER),
    Metric.GLANCE_VIEWS: (COUNT, HIGHER),
    Metric.CONVERSION: (RATIO, HIGHER),
    Metric.SELL_THROUGH: (RATIO, HIGHER),
    Metric.NEW_ASINS_LAUNCHED: (COUNT, HIGHER),
    Metric.APLUS_COVERAGE: (RATIO, HIGHER),
}


def metric_kind(metric: str) -> str:
    return METRIC_INFO[metric][0]


def metric_is_additive(metric: str) -> bool:
    return metric_kind(metric) != RATIO


class JBPPlan(AuthoredModel):
    """One version of a Joint Business Plan between a brand and Amazon for one marketplace."""

    class Horizon(models.TextChoices):
        QUARTERLY = "QUARTERLY", "Quarter"
        ANNUAL = "ANNUAL", "Year"
        THREE_YEAR = "THREE_YEAR", "Three years"
        CUSTOM = "CUSTOM", "Custom window (90-180 days)"

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        INTERNAL_REVIEW = "INTERNAL_REVIEW", "Internal review"
        SUBMITTED_TO_AMAZON = "SUBMITTED_TO_AMAZON", "Submitted to Amazon"
        NEGOTIATING = "NEGOTIATING", "Negotiating"
        AGREED = "AGREED", "Agreed"
        ACTIVE = "ACTIVE", "Active"
        CLOSED = "CLOSED", "Closed"
        # Not a §5.1 step: a version replaced by a newer one (kept read-only for comparison and audit).
        SUPERSEDED = "SUPERSEDED", "Superseded"

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="jbp_plans")
    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="jbp_plans")
    vendor_codes = models.ManyToManyField(VendorCode, related_name="jbp_plans", blank=True)
    title = models.CharField(max_length=120, blank=True, help_text="Optional name; defaults to the period.")
    plan_year = models.PositiveSmallIntegerField()
    series = models.CharField(
        max_length=12, editable=False, help_text="Which plan of the year: Q1-Q4, FY, 3Y or C<MMDD> for custom."
    )
    horizon = models.CharField(max_length=12, choices=Horizon.choices, default=Horizon.QUARTERLY)
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    baseline_start = models.DateField(null=True, blank=True, help_text="Baseline period for YoY comparisons.")
    baseline_end = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    amazon_counterpart = models.CharField("Amazon counterpart", max_length=120, blank=True, help_text="VM name")
    notes = models.TextField(blank=True)
    seasonal_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Relative weight of each calendar month for seasonal phasing: {"1": "0.07", ..., "12": "0.12"}.',
    )
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )

    history = HistoricalRecords(m2m_fields=[vendor_codes])
    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["JBPPlan"]()

    # Contents may change only while the plan is a draft; AGREED and later lock them (DOMAIN.md §5.1).
    EDITABLE_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.DRAFT})
    # Progress on initiatives and launch readiness is tracked until the plan closes.
    TRACKABLE_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {
            Status.DRAFT,
            Status.INTERNAL_REVIEW,
            Status.SUBMITTED_TO_AMAZON,
            Status.NEGOTIATING,
            Status.AGREED,
            Status.ACTIVE,
        }
    )

    class Meta:
        ordering = ["-period_start", "brand", "series", "-version"]
        verbose_name = "JBP plan"
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "marketplace", "plan_year", "series", "version"], name="jbpplan_unique_version"
            ),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="jbpplan_period"),
        ]
        indexes = [models.Index(fields=["brand", "status"])]

    def __str__(self) -> str:
        return f"{self.display_title} v{self.version}"

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return f"{self.series_label} {self.plan_year}"

    @property
    def series_label(self) -> str:
        if self.horizon == self.Horizon.ANNUAL:
            return "Annual plan"
        if self.horizon == self.Horizon.THREE_YEAR:
            return "Three-year plan"
        if self.horizon == self.Horizon.QUARTERLY:
            return f"{self.series} JBP"
        return f"JBP {self.period_start:%d %b} to {self.period_end:%d %b}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def total_days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def clean(self) -> None:
        errors = period_errors(self.horizon, self.period_start, self.period_end)
        if self.baseline_start and self.baseline_end and self.baseline_end < self.baseline_start:
            errors["baseline_end"] = "The baseline ends before it starts."
        if bool(self.baseline_start) != bool(self.baseline_end):
            errors["baseline_end"] = "Give both baseline dates or neither."
        if errors:
            raise ValidationError(errors)


def period_errors(horizon: str, start: date | None, end: date | None) -> dict[str, str]:
    """Field errors for a plan period of `horizon` (empty when the period fits)."""
    if start is None or end is None:
        return {}
    if end < start:
        return {"period_end": "The period ends before it starts."}
    days = (end - start).days + 1
    horizon_ = JBPPlan.Horizon
    if horizon == horizon_.QUARTERLY and (start != quarter_start(start) or end != quarter_end(start)):
        return {
            "period_start": (
                f"A quarterly plan covers one calendar quarter: expected {quarter_start(start):%Y-%m-%d} to "
                f"{quarter_end(start):%Y-%m-%d}, got {start:%Y-%m-%d} to {end:%Y-%m-%d}."
            )
        }
    if horizon == horizon_.CUSTOM and not CUSTOM_MIN_DAYS <= days <= CUSTOM_MAX_DAYS:
        return {
            "period_end": (
                f"A custom window lasts {CUSTOM_MIN_DAYS} to {CUSTOM_MAX_DAYS} days; "
                f"{start:%Y-%m-%d} to {end:%Y-%m-%d} is {days} days."
            )
        }
    years = {str(horizon_.ANNUAL): 1, str(horizon_.THREE_YEAR): 3}.get(horizon)
    if years is not None:
        expected_end = add_months(start, 12 * years) - timedelta(days=1)
        if end != expected_end:
            return {
                "period_end": (
                    f"A {years}-year plan starting {start:%Y-%m-%d} ends {expected_end:%Y-%m-%d}, not {end:%Y-%m-%d}."
                )
            }
    return {}


def series_for(horizon: str, start: date) -> str:
    """The plan's name inside its year: Q1..Q4, FY, 3Y or C<MMDD> for a custom window."""
    if horizon == JBPPlan.Horizon.QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1}"
    if horizon == JBPPlan.Horizon.ANNUAL:
        return "FY"
    if horizon == JBPPlan.Horizon.THREE_YEAR:
        return "3Y"
    return f"C{start:%m%d}"


class JBPPlanTransition(models.Model):
    """Append-only log of workflow steps: who moved the plan from which status to which, when and why."""

    plan = models.ForeignKey(JBPPlan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=JBPPlan.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=JBPPlan.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "plan__brand"
    objects = BrandScopedManager["JBPPlanTransition"]()

    class Meta:
        ordering = ["plan", "at", "pk"]
        verbose_name = "JBP plan transition"

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Transition log entries are append-only.")
        super().save(*args, **kwargs)


class JBPTarget(TimeStampedModel):
    """One number the plan commits to: metric x dimension x period."""

    class DimensionType(models.TextChoices):
        TOTAL = "TOTAL", "Total"
        CATEGORY = "CATEGORY", "Category"
        ASIN = "ASIN", "ASIN"
        VENDOR_CODE = "VENDOR_CODE", "Vendor code"

    class PeriodType(models.TextChoices):
        YEAR = "YEAR", "Year"
        QUARTER = "QUARTER", "Quarter"
        MONTH = "MONTH", "Month"
        WEEK = "WEEK", "Week"
        PLAN = "PLAN", "Whole plan period"

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = HIGHER, "Higher is better"
        LOWER_IS_BETTER = LOWER, "Lower is better"

    class Phasing(models.TextChoices):
        LINEAR = "LINEAR", "Linear"
        SEASONAL = "SEASONAL", "Seasonal weights"

    plan = models.ForeignKey(JBPPlan, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=32, choices=Metric.choices)
    dimension_type = models.CharField(max_length=12, choices=DimensionType.choices, default=DimensionType.TOTAL)
    dimension_value = models.CharField(max_length=100, blank=True, help_text="Category, ASIN or vendor code")
    period_type = models.CharField(max_length=8, choices=PeriodType.choices, default=PeriodType.MONTH)
    period_start = models.DateField()
    period_end = models.DateField()
    target_value = models.DecimalField(
        max_digits=18, decimal_places=4, help_text="Money in the plan currency, units, or a fraction for ratios"
    )
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    phasing = models.CharField(max_length=8, choices=Phasing.choices, default=Phasing.LINEAR)
    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Seasonal weights by month inside the period, {"2026-07": "0.3", ...}; empty = the plan\'s profile.',
    )

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "plan__brand"
    objects = BrandScopedManager["JBPTarget"]()

    class Meta:
        ordering = ["plan", "metric", "dimension_type", "dimension_value", "period_start"]
        verbose_name = "JBP target"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "metric", "dimension_type", "dimension_value", "period_start", "period_end"],
                name="jbptarget_unique_cell",
            ),
        ]

    def __str__(self) -> str:
        where = self.dimension_value or "total"
        return f"{self.get_metric_display()} {where} {self.period_start:%Y-%m-%d}: {self.target_value}"

    @property
    def key(self) -> tuple[str, str, str, date, date]:
        """What identifies the same target across versions of a plan."""
        return (self.metric, self.dimension_type, self.dimension_value, self.period_start, self.period_end)

    @property
    def kind(self) -> str:
        return metric_kind(self.metric)


class JBPInvestment(TimeStampedModel):
    """Money the brand commits to Amazon under the plan (co-op, straight payments, media, content)."""

    class Type(models.TextChoices):
        COOP_MDF = "COOP_MDF", "Co-op / MDF"
        STRAIGHT_PAYMENT = "STRAIGHT_PAYMENT", "Straight payment"
        PROMO_FUNDING = "PROMO_FUNDING", "Promotion funding"
        AD_SPEND = "AD_SPEND", "Ad spend"
        DSP = "DSP", "DSP"
        AVS_SVS = "AVS_SVS", "AVS / SVS"
        CONTENT = "CONTENT", "Content"
        OTHER = "OTHER", "Other"

    plan = models.ForeignKey(JBPPlan, on_delete=models.CASCADE, related_name="investments")
    type = models.CharField(max_length=20, choices=Type.choices)
    committed_amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField()
    # coop sits above planning, so the link to a CoopAgreement is by Amazon's agreement id; coop
    # resolves it (its CoopAgreement has the jbp FK the other way round, DOMAIN.md §2.3).
    amazon_agreement_id = models.CharField(max_length=40, blank=True)
    conditions = models.TextField(blank=True, help_text='e.g. "contingent on chargeback waiver"')

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "plan__brand"
    objects = BrandScopedManager["JBPInvestment"]()

    class Meta:
        ordering = ["plan", "period_start", "type"]
        verbose_name = "JBP investment"

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.committed_amount} {self.currency}"

    @property
    def key(self) -> tuple[str, date, date, str]:
        return (self.type, self.period_start, self.period_end, self.amazon_agreement_id)


class JBPInitiative(TimeStampedModel):
    """A joint commitment with an owner side and a due date (e.g. "A+ on the top 50 ASINs by June")."""

    class OwnerSide(models.TextChoices):
        BRAND = "BRAND", "Brand"
        AMAZON = "AMAZON", "Amazon"
        JOINT = "JOINT", "Joint"

    class Status(models.TextChoices):
        PLANNED = "PLANNED", "Planned"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"
        AT_RISK = "AT_RISK", "At risk"
        DROPPED = "DROPPED", "Dropped"

    plan = models.ForeignKey(JBPPlan, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    owner_side = models.CharField(max_length=8, choices=OwnerSide.choices, default=OwnerSide.JOINT)
    owner_name = models.CharField(max_length=120, blank=True)
    due_date = models.DateField(null=True, blank=True)
    kpi_metric = models.CharField(max_length=32, choices=Metric.choices, blank=True, help_text="The KPI it moves")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "plan__brand"
    objects = BrandScopedManager["JBPInitiative"]()

    class Meta:
        ordering = ["plan", "due_date", "pk"]
        verbose_name = "JBP initiative"

    def __str__(self) -> str:
        return self.title


class LaunchPlan(TimeStampedModel):
    """A new product the plan commits to launching, with its readiness checklist."""

    plan = models.ForeignKey(JBPPlan, on_delete=models.CASCADE, related_name="launches")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="launches")
    planned_sku = models.CharField(max_length=60, blank=True, help_text="Before Amazon assigns an ASIN")
    title = models.CharField(max_length=200)
    gtin = models.CharField("UPC/EAN", max_length=14, blank=True)
    launch_week = models.DateField(help_text="The Sunday that starts the launch week")
    forecast_units = models.PositiveIntegerField(default=0)
    required_certificates = models.JSONField(
        default=list, blank=True, help_text='Certificate kinds the product needs, e.g. ["FCC", "CE"]'
    )
    aplus_ready = models.BooleanField("A+ content ready", default=False)
    video_ready = models.BooleanField(default=False)

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "plan__brand"
    objects = BrandScopedManager["LaunchPlan"]()

    class Meta:
        ordering = ["plan", "launch_week", "pk"]
        verbose_name = "launch plan"

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def identifier(self) -> str:
        return self.product.asin if self.product_id and self.product else self.planned_sku

    @property
    def gtin_valid(self) -> bool:
        return bool(self.gtin) and is_valid_gtin(self.gtin)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.product_id and not self.planned_sku:
            errors["planned_sku"] = "Give the ASIN or a planned SKU."
        if self.launch_week and self.launch_week != week_start(self.launch_week):
            errors["launch_week"] = (
                f"{self.launch_week:%Y-%m-%d} is a {self.launch_week:%A}; retail weeks start on Sunday "
                f"({week_start(self.launch_week):%Y-%m-%d})."
            )
        if self.gtin:
            try:
                validate_gtin(self.gtin)
            except ValidationError as exc:
                errors["gtin"] = " ".join(exc.messages)
        unknown = set(self.required_certificates or []) - set(LaunchCertificate.Kind.values)
        if unknown:
            errors["required_certificates"] = f"Unknown certificate kinds: {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)


class LaunchCertificate(TimeStampedModel):
    """A compliance certificate for a launch (DOMAIN.md §8): FCC, CE, CPC for children's products, ..."""

    class Kind(models.TextChoices):
        FCC = "FCC", "FCC"
        CE = "CE", "CE"
        CPC = "CPC", "CPC (children's products)"
        UKCA = "UKCA", "UKCA"
        OTHER = "OTHER", "Other"

    launch = models.ForeignKey(LaunchPlan, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reference = models.CharField(max_length=120, blank=True, help_text="Certificate or test report number")
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "launch__plan__brand"
    objects = BrandScopedManager["LaunchCertificate"]()

    class Meta:
        ordering = ["launch", "kind", "-expires_on"]
        verbose_name = "launch certificate"

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    def valid_on(self, day: date) -> bool:
        """Issued (if a date is known) and not expired on `day`."""
        if self.issued_on and self.issued_on > day:
            return False
        return self.expires_on is None or self.expires_on >= day


def month_periods(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months of [start, end], clipped to it: a custom window from 15 Jul starts mid-month."""
    periods: list[tuple[date, date]] = []
    current = start.replace(day=1)
    while current <= end:
        periods.append((max(current, start), min(month_end(current), end)))
        current = add_months(current, 1)
    return periods
