"""One table per entry of ingest.parsers.facts.FACT_COLUMNS: the normalised facts imports upsert into.

Column names equal the FACT_COLUMNS names, except that the Amazon marketplace id and the vendor code
become foreign keys (`marketplace`, `vendor_code`) where the fact belongs to one vendor account. Every
row also carries `brand` (the tenant, first column of every natural key, so one brand's file can never
overwrite another brand's rows) and `last_import` (the import that last changed it).

Money is DecimalField(18, 4) next to a `currency` column; rates are fractions in DecimalField(12, 6);
every metric is nullable because "not reported" is not 0 (NOTES.md cross-cutting rule 4). Facts carry
no created/updated timestamps on purpose: they are data, `last_import` is their provenance, and the
loader's "skip unchanged rows" comparison stays a plain column list.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from django.db import models

from ingest.models.imports import ReportImport
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


def _money() -> Any:
    return models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)


def _rate() -> Any:
    return models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, help_text="Fraction: 0.25 = 25 %."
    )


def _quantity(decimal_places: int = 4) -> Any:
    return models.DecimalField(max_digits=18, decimal_places=decimal_places, null=True, blank=True)


def _count() -> Any:
    return models.BigIntegerField(null=True, blank=True)


def _text(max_length: int = 64) -> Any:
    return models.CharField(max_length=max_length, blank=True)


def _optional_text(max_length: int = 255) -> Any:
    return models.CharField(max_length=max_length, null=True, blank=True)


def _name() -> Any:
    """Free text from Amazon (promotion, product and campaign names): no length to overflow."""
    return models.TextField(null=True, blank=True)


def _when() -> Any:
    return models.DateTimeField(null=True, blank=True)


def _natural_key(*fields: str) -> list[models.BaseConstraint]:
    return [models.UniqueConstraint(fields=["brand", *fields], name="%(app_label)s_%(class)s_natural_key")]


_FK_NAMES = frozenset({"marketplace", "vendor_code"})


class FactModel(models.Model):
    """Columns and scoping every fact table shares."""

    # The FACT_COLUMNS key this model stores, and the model fields of its FACT_KEYS natural key.
    fact_table: ClassVar[str]
    natural_key: ClassVar[tuple[str, ...]]

    id = models.BigAutoField(primary_key=True)
    # Foreign keys without database constraints: PostgreSQL checks Django's deferred FK constraints at
    # COMMIT, one lookup per row and key, which took longer than loading a million-row file. The loader
    # only writes ids it has just resolved within the import's brand, and on_delete (PROTECT, SET_NULL)
    # is enforced by Django's collector, not the database.
    # No single-column indexes on the FKs: the natural-key index starts with brand, and every extra
    # index costs time on a million-row upsert (PERF.md).
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    last_import = models.ForeignKey(
        ReportImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    brand_lookup: ClassVar[str] = "brand"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = ", ".join(str(getattr(self, f"{name}_id" if name in _FK_NAMES else name)) for name in self.natural_key)
        return f"{self.fact_table} ({key})"


class _VendorAccountFact(FactModel):
    """Facts of one vendor account: a VendorCode in a Marketplace."""

    marketplace = models.ForeignKey(
        Marketplace, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    vendor_code = models.ForeignKey(
        VendorCode, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        abstract = True


class _RetailPeriodFact(_VendorAccountFact):
    """The shared key of Retail Analytics facts: one row per vendor account, view, program and period."""

    distributor_view = _text(20)
    selling_program = _text(20)
    period_grain = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    asin = _text(10)

    natural_key: ClassVar[tuple[str, ...]] = (
        "marketplace",
        "vendor_code",
        "distributor_view",
        "selling_program",
        "period_grain",
        "period_start",
        "period_end",
        "asin",
    )

    class Meta:
        abstract = True


_RETAIL_KEY_FIELDS = _RetailPeriodFact.natural_key


def _window_index(name: str) -> list[models.Index]:
    # Rollups, accruals and alerts read a vendor code's days of one window. The natural key starts with
    # brand, marketplace, view and program, so without this index a one-week recompute scanned every
    # row of the vendor code (bench/rollup_bench.py --full: 2.35 s -> see docs/benchmarks.md).
    return [models.Index(fields=["vendor_code", "period_grain", "period_start"], name=name)]


class RetailSalesFact(_RetailPeriodFact):
    fact_table: ClassVar[str] = "retail_sales"

    currency = _optional_text(3)
    ordered_revenue = _money()
    ordered_units = _count()
    shipped_cogs = _money()
    shipped_revenue = _money()
    shipped_units = _count()
    customer_returns = _count()

    objects = BrandScopedManager["RetailSalesFact"]()

    class Meta:
        constraints = _natural_key(*_RETAIL_KEY_FIELDS)
        indexes = _window_index("retail_sales_window")


class RetailInventoryFact(_RetailPeriodFact):
    fact_table: ClassVar[str] = "retail_inventory"

    currency = _optional_text(3)
    net_received_inventory_cost = _money()
    net_received_inventory_units = _count()
    open_purchase_order_units = _count()
    average_vendor_lead_time_days = _quantity(4)
    sell_through_rate = _rate()
    unfilled_customer_ordered_units = _count()
    sellable_on_hand_inventory_cost = _money()
    sellable_on_hand_inventory_units = _count()
    unsellable_on_hand_inventory_cost = _money()
    unsellable_on_hand_inventory_units = _count()
    aged_90_plus_days_sellable_inventory_cost = _money()
    aged_90_plus_days_sellable_inventory_units = _count()
    unhealthy_inventory_cost = _money()
    unhealthy_inventory_units = _count()
    procurable_product_out_of_stock_rate = _rate()
    sourceable_product_out_of_stock_rate = _rate()
    uft = _rate()
    receive_fill_rate = _rate()
    vendor_confirmation_rate = _rate()

    objects = BrandScopedManager["RetailInventoryFact"]()

    class Meta:
        constraints = _natural_key(*_RETAIL_KEY_FIELDS)
        indexes = _window_index("retail_inventory_window")


class RetailTrafficFact(_RetailPeriodFact):
    fact_table: ClassVar[str] = "retail_traffic"

    glance_views = _count()

    objects = BrandScopedManager["RetailTrafficFact"]()

    class Meta:
        constraints = _natural_key(*_RETAIL_KEY_FIELDS)
        indexes = _window_index("retail_traffic_window")


class RetailNetPpmFact(_RetailPeriodFact):
    fact_table: ClassVar[str] = "retail_net_ppm"

    net_pure_product_margin = _rate()

    objects = BrandScopedManager["RetailNetPpmFact"]()

    class Meta:
        verbose_name = "retail net PPM fact"
        constraints = _natural_key(*_RETAIL_KEY_FIELDS)
        indexes = _window_index("retail_net_ppm_window")


class RetailForecastFact(_VendorAccountFact):
    fact_table: ClassVar[str] = "retail_forecast"
    natural_key: ClassVar[tuple[str, ...]] = (
        "marketplace",
        "vendor_code",
        "selling_program",
        "forecast_generation_date",
        "asin",
        "period_start",
    )

    selling_program = _text(20)
    forecast_generation_date = models.DateField()
    asin = _text(10)
    period_start = models.DateField()
    period_end = models.DateField()
    mean_forecast_units = _quantity()
    p70_forecast_units = _quantity()
    p80_forecast_units = _quantity()
    p90_forecast_units = _quantity()

    objects = BrandScopedManager["RetailForecastFact"]()

    class Meta:
        constraints = _natural_key(
            "marketplace", "vendor_code", "selling_program", "forecast_generation_date", "asin", "period_start"
        )


class _RealtimeFact(_VendorAccountFact):
    """Hourly real-time reports: one row per ASIN per UTC hour."""

    asin = _text(10)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()

    natural_key: ClassVar[tuple[str, ...]] = ("marketplace", "vendor_code", "asin", "start_time")

    class Meta:
        abstract = True


class RealtimeSalesFact(_RealtimeFact):
    fact_table: ClassVar[str] = "realtime_sales"

    currency = _optional_text(3)
    ordered_units = _count()
    ordered_revenue = _money()

    objects = BrandScopedManager["RealtimeSalesFact"]()

    class Meta:
        constraints = _natural_key("marketplace", "vendor_code", "asin", "start_time")


class RealtimeInventoryFact(_RealtimeFact):
    fact_table: ClassVar[str] = "realtime_inventory"

    highly_available_inventory = _count()

    objects = BrandScopedManager["RealtimeInventoryFact"]()

    class Meta:
        constraints = _natural_key("marketplace", "vendor_code", "asin", "start_time")


class RealtimeTrafficFact(_RealtimeFact):
    fact_table: ClassVar[str] = "realtime_traffic"

    glance_views = _count()

    objects = BrandScopedManager["RealtimeTrafficFact"]()

    class Meta:
        constraints = _natural_key("marketplace", "vendor_code", "asin", "start_time")


class PromotionResultFact(_VendorAccountFact):
    """GET_PROMOTION_PERFORMANCE_REPORT: one row per promotion and ASIN; asin '' = the promotion's totals."""

    fact_table: ClassVar[str] = "promotion_result"
    natural_key: ClassVar[tuple[str, ...]] = ("marketplace", "promotion_id", "asin")

    promotion_id = _text(64)
    asin = _text(10)
    promotion_name = _name()
    product_name = _name()
    funding_agreement_id = _optional_text(64)
    promotion_type = _optional_text(40)
    status = _optional_text(40)
    creation_channel = _optional_text(40)
    start_at = _when()
    end_at = _when()
    created_at_amazon = _when()
    last_updated_at = _when()
    currency = _optional_text(3)
    units_sold = _count()
    revenue = _money()
    amount_spent = _money()
    glance_views = _count()

    objects = BrandScopedManager["PromotionResultFact"]()

    class Meta:
        constraints = _natural_key("marketplace", "promotion_id", "asin")


class CouponResultFact(_VendorAccountFact):
    """GET_COUPON_PERFORMANCE_REPORT: one row per coupon, the campaign's fields repeated on each."""

    fact_table: ClassVar[str] = "coupon_result"
    natural_key: ClassVar[tuple[str, ...]] = ("marketplace", "campaign_id", "coupon_id")

    campaign_id = _text(64)
    coupon_id = _text(64)
    campaign_name = _name()
    budget_type = _optional_text(40)
    start_at = _when()
    end_at = _when()
    currency = _optional_text(3)
    campaign_total_budget = _money()
    clips = _count()
    redemptions = _count()
    budget = _money()
    budget_spent = _money()
    total_discount = _money()
    budget_percentage_used = _rate()

    objects = BrandScopedManager["CouponResultFact"]()

    class Meta:
        constraints = _natural_key("marketplace", "campaign_id", "coupon_id")


class AdsDailyFact(FactModel):
    """Amazon Ads v3 / console reports: one row per day and entity; the attribution window is in the name.

    `marketplace_id` is Amazon's marketplace id as text ('' when a console download does not say), not a
    foreign key, and `profile_id` is the advertiser profile ('' when unknown).
    """

    fact_table: ClassVar[str] = "ads_daily"
    natural_key: ClassVar[tuple[str, ...]] = (
        "profile_id",
        "marketplace_id",
        "report_type",
        "date",
        "campaign_id",
        "ad_group_id",
        "ad_id",
        "asin",
    )

    profile_id = _text(32)
    marketplace_id = _text(20)
    ad_product = _text(4)
    report_type = _text(40)
    date = models.DateField()
    campaign_id = models.BigIntegerField()
    ad_group_id = models.BigIntegerField(default=0)
    ad_id = models.BigIntegerField(default=0)
    asin = _text(10)
    campaign_name = _name()
    currency = _optional_text(3)
    impressions = _count()
    clicks = _count()
    cost = _money()
    sales_1d = _money()
    sales_7d = _money()
    sales_14d = _money()
    sales_30d = _money()
    purchases_1d = _count()
    purchases_7d = _count()
    purchases_14d = _count()
    purchases_30d = _count()
    units_sold_7d = _count()
    units_sold_14d = _count()
    same_sku_sales_7d = _money()
    same_sku_sales_14d = _money()
    new_to_brand_sales_14d = _money()

    objects = BrandScopedManager["AdsDailyFact"]()

    class Meta:
        constraints = _natural_key(
            "profile_id", "marketplace_id", "report_type", "date", "campaign_id", "ad_group_id", "ad_id", "asin"
        )


class AmsHourlyFact(FactModel):
    """Marketing Stream hourly deltas, one row per message after de-duplication on idempotency_id.

    Rows are deltas: sum them per (advertiser, marketplace, hour, entity) to read totals.
    """

    fact_table: ClassVar[str] = "ams_hourly"
    natural_key: ClassVar[tuple[str, ...]] = ("idempotency_id",)

    idempotency_id = models.CharField(max_length=128)
    dataset_id = _text(40)
    advertiser_id = _text(64)
    marketplace_id = _text(20)
    time_window_start = models.DateTimeField()
    campaign_id = _text(32)
    ad_group_id = _text(32)
    ad_id = _text(32)
    target_id = _text(64)
    placement = _text(64)
    currency = _optional_text(3)
    impressions = _count()
    clicks = _count()
    cost = _money()
    attributed_sales_1d = _money()
    attributed_sales_7d = _money()
    attributed_sales_14d = _money()
    attributed_sales_30d = _money()
    attributed_conversions_14d = _count()
    attributed_units_ordered_14d = _count()

    objects = BrandScopedManager["AmsHourlyFact"]()

    class Meta:
        constraints = _natural_key("idempotency_id")
        indexes = [
            models.Index(
                fields=["brand", "advertiser_id", "marketplace_id", "time_window_start"], name="ingest_ams_hour"
            )
        ]


class PurchaseOrderLineFact(FactModel):
    """Purchase-order lines (vendorOrders getPurchaseOrders + purchaseOrdersStatus), quantities in eaches."""

    fact_table: ClassVar[str] = "purchase_order_line"
    natural_key: ClassVar[tuple[str, ...]] = ("vendor_code", "po_number", "item_sequence")

    vendor_code = models.ForeignKey(
        VendorCode, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    po_number = _text(32)
    item_sequence = _text(16)
    asin = _optional_text(10)
    vendor_product_id = _optional_text(64)
    po_state = _optional_text(20)
    po_type = _optional_text(40)
    po_date = _when()
    ship_to = _optional_text(64)
    ship_window_start = _when()
    ship_window_end = _when()
    delivery_window_start = _when()
    delivery_window_end = _when()
    currency = _optional_text(3)
    net_cost = _money()
    ordered_units = _count()
    accepted_units = _count()
    rejected_units = _count()
    received_units = _count()
    confirmation_status = _optional_text(40)
    receive_status = _optional_text(40)
    last_receive_date = _when()

    objects = BrandScopedManager["PurchaseOrderLineFact"]()

    class Meta:
        constraints = _natural_key("vendor_code", "po_number", "item_sequence")


class ShipmentLineFact(FactModel):
    """ASN lines (shipmentConfirmations) and shipment status (GET shipments)."""

    fact_table: ClassVar[str] = "shipment_line"
    natural_key: ClassVar[tuple[str, ...]] = ("vendor_code", "shipment_id", "po_number", "item_sequence")

    vendor_code = models.ForeignKey(
        VendorCode, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    shipment_id = _text(64)
    po_number = _text(32)
    item_sequence = _text(16)
    asin = _optional_text(10)
    confirmation_type = _optional_text(40)
    shipment_type = _optional_text(40)
    ship_to = _optional_text(64)
    confirmed_at = _when()
    shipped_at = _when()
    estimated_delivery_at = _when()
    delivered_at = _when()
    status = _optional_text(40)
    shipped_units = _count()

    objects = BrandScopedManager["ShipmentLineFact"]()

    class Meta:
        constraints = _natural_key("vendor_code", "shipment_id", "po_number", "item_sequence")


FACT_MODELS: dict[str, type[FactModel]] = {
    model.fact_table: model
    for model in (
        RetailSalesFact,
        RetailInventoryFact,
        RetailTrafficFact,
        RetailNetPpmFact,
        RetailForecastFact,
        RealtimeSalesFact,
        RealtimeInventoryFact,
        RealtimeTrafficFact,
        PromotionResultFact,
        CouponResultFact,
        AdsDailyFact,
        AmsHourlyFact,
        PurchaseOrderLineFact,
        ShipmentLineFact,
    )
}
