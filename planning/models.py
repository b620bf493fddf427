"""Catalog and access: brands, marketplaces, vendor codes, products, cost prices and memberships.

JBP plan models join this module when the planning issue lands (see DOMAIN.md §2.2).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from planning.scoping import BrandScopedManager
from planning.validators import validate_asin
from planning.validators import validate_gtin


class Brand(TimeStampedModel):
    """A brand that sells to Amazon as a vendor; the unit of tenancy."""

    name = models.CharField(max_length=120, unique=True)
    legal_entity = models.CharField(max_length=200)
    default_currency = models.CharField(max_length=3, default="USD")
    owner_team = models.CharField(max_length=120, blank=True)

    brand_lookup: ClassVar[str] = "id"
    objects = BrandScopedManager["Brand"]()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Marketplace(models.Model):
    """An Amazon store; loaded with Amazon's real ids by a data migration."""

    amazon_marketplace_id = models.CharField(max_length=20, unique=True)
    country_code = models.CharField(max_length=2)
    country = models.CharField(max_length=60)
    domain = models.CharField(max_length=40)
    region = models.CharField(max_length=2, help_text="SP-API region: NA, EU or FE")
    currency = models.CharField(max_length=3)
    timezone = models.CharField(max_length=40)

    class Meta:
        ordering = ["country_code"]

    def __str__(self) -> str:
        return f"{self.domain} ({self.amazon_marketplace_id})"


class VendorCode(TimeStampedModel):
    """One vendor account in one marketplace (e.g. ABCDE on amazon.com)."""

    class FreightTerms(models.TextChoices):
        COLLECT = "COLLECT", "Collect (WePay: Amazon arranges inbound freight)"
        PREPAID = "PREPAID", "Prepaid (TheyPay: the vendor ships)"

    code = models.CharField(max_length=12)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="vendor_codes")
    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="vendor_codes")
    freight_terms = models.CharField(max_length=10, choices=FreightTerms.choices, default=FreightTerms.COLLECT)
    payment_terms_days = models.PositiveSmallIntegerField(default=90)
    settlement_discount_pct = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Early-payment discount as a fraction (0.02 = 2 %).",
    )
    is_active = models.BooleanField(default=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["VendorCode"]()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "code"], name="vendorcode_unique_per_marketplace"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.marketplace.country_code}"


class Product(TimeStampedModel):
    """An ASIN the brand sells to Amazon through one vendor code."""

    class Lifecycle(models.TextChoices):
        LAUNCH = "LAUNCH", "Launch"
        CORE = "CORE", "Core"
        EXIT = "EXIT", "Exit"

    asin = models.CharField(max_length=10, validators=[validate_asin])
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="products")
    marketplace = models.ForeignKey(Marketplace, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=100, db_index=True)
    subcategory = models.CharField(max_length=100, blank=True)
    gtin = models.CharField(
        "UPC/EAN", max_length=14, blank=True, validators=[validate_gtin], help_text="UPC-A, EAN-8/13 or GTIN-14"
    )
    cost_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    lifecycle = models.CharField(max_length=10, choices=Lifecycle.choices, default=Lifecycle.CORE)
    aplus_content = models.BooleanField("A+ content", default=False)
    video_on_detail_page = models.BooleanField(default=False)
    content_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="0-100, app-defined brand health"
    )
    content_updated_at = models.DateField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["Product"]()

    class Meta:
        ordering = ["asin"]
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "asin"], name="product_asin_unique_per_marketplace"),
        ]
        indexes = [models.Index(fields=["brand", "category"])]

    def __str__(self) -> str:
        return f"{self.asin} {self.title[:40]}"

    def clean(self) -> None:
        # The denormalised marketplace and brand exist for constraints and fast scoping; they must agree.
        if self.vendor_code_id and self.marketplace_id and self.vendor_code.marketplace_id != self.marketplace_id:
            raise ValidationError({"marketplace": "The vendor code belongs to another marketplace."})
        if self.vendor_code_id and self.brand_id and self.vendor_code.brand_id != self.brand_id:
            raise ValidationError({"brand": "The vendor code belongs to another brand."})


class CostPriceHistory(TimeStampedModel):
    """The vendor's cost price to Amazon from a date on; feeds price protection and accrual audits."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cost_prices")
    effective_from = models.DateField()
    cost = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3)

    brand_lookup: ClassVar[str] = "product__brand"
    objects = BrandScopedManager["CostPriceHistory"]()

    class Meta:
        ordering = ["product", "-effective_from"]
        verbose_name_plural = "cost price history"
        constraints = [
            models.UniqueConstraint(fields=["product", "effective_from"], name="costprice_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.product.asin} {self.cost} {self.currency} from {self.effective_from}"


class Membership(TimeStampedModel):
    """A user's role in one brand. Everything a user sees comes through these rows."""

    class Role(models.TextChoices):
        BRAND_MANAGER = "brand_manager", "Brand manager"
        VENDOR_OPS = "vendor_ops", "Vendor ops"
        FINANCE = "finance", "Finance"
        FINANCE_APPROVER = "finance_approver", "Finance approver"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["Membership"]()

    class Meta:
        ordering = ["brand", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "brand", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.brand} · {self.get_role_display()}"


# JBP models live in their own module to keep this catalog file small; importing them here is what
# registers them with the planning app.
from planning.jbp_models import JBPInitiative  # noqa: E402,F401
from planning.jbp_models import JBPInvestment  # noqa: E402,F401
from planning.jbp_models import JBPPlan  # noqa: E402,F401
from planning.jbp_models import JBPPlanTransition  # noqa: E402,F401
from planning.jbp_models import JBPTarget  # noqa: E402,F401
from planning.jbp_models import LaunchCertificate  # noqa: E402,F401
from planning.jbp_models import LaunchPlan  # noqa: E402,F401
