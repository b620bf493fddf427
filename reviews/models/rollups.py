"""Metric rollups (weekly and monthly sums per vendor code x dimension), FX rates and the recompute queue.

Rollups store raw sums only; every ratio is derived on read from the sums with reviews.metrics
(`derive_ratios`), so a ratio is always the ratio of its period's sums and never stale.

Row layout of `Rollup` (one row per vendor code, grain, period, dimension value, distributor view and
selling program):
- Retail Analytics rows carry the view and program of their facts (MANUFACTURING/SOURCING x
  RETAIL/BUSINESS/FRESH): sales, inventory flows, inventory levels at period end, PPOOS and net PPM
  weights, Amazon's sell-through when one row spans the period.
- The view-less row (distributor_view '' and selling_program '') carries what has no view: glance
  views (traffic), purchase-order and ASN counts. Glance views are copied onto the view rows of the
  same key as well, so conversion can be read row by row; rows of different views or programs are
  never added together, so the copy is never counted twice.
Advertising lives in `AdsRollup`, one row per ad product with its attribution window named.
Money is in the vendor code's marketplace currency (`currency`); views across marketplaces convert
with `FxRate` (reviews.selectors.rollups).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


class Grain(models.TextChoices):
    WEEK = "WEEK", "Week (Sunday-Saturday)"
    MONTH = "MONTH", "Month"


class Dimension(models.TextChoices):
    ASIN = "ASIN", "ASIN"
    CATEGORY = "CATEGORY", "Category"
    TOTAL = "TOTAL", "Total"


def _money() -> Any:
    return models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)


def _count() -> Any:
    return models.BigIntegerField(null=True, blank=True)


class _RollupBase(models.Model):
    """The key every rollup row shares.

    The foreign keys have no database constraint on purpose: rollups are derived rows written in
    bulk by one INSERT ... SELECT from tables that are themselves constrained, and per-row foreign-key
    triggers more than doubled the time of a full recompute. Django's on_delete still cascades.
    """

    id = models.BigAutoField(primary_key=True)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    vendor_code = models.ForeignKey(
        VendorCode, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    marketplace = models.ForeignKey(
        Marketplace, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    grain = models.CharField(max_length=5, choices=Grain.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    dimension_value = models.CharField(
        max_length=100, blank=True, help_text="ASIN, category ('' = not in the catalog) or '' for the total."
    )
    currency = models.CharField(max_length=3, help_text="The marketplace currency of every money column.")
    computed_at = models.DateTimeField(default=timezone.now)

    brand_lookup: ClassVar[str] = "brand"

    class Meta:
        abstract = True


class Rollup(_RollupBase):
    """Retail, traffic and supply-chain sums of one vendor code, period and dimension value."""

    distributor_view = models.CharField(max_length=20, blank=True, help_text="'' = the view-less row.")
    selling_program = models.CharField(max_length=20, blank=True)

    # Sales (flows, summed over the period)
    ordered_revenue = _money()
    ordered_units = _count()
    shipped_cogs = _money()
    shipped_revenue = _money()
    shipped_units = _count()
    customer_returns = _count()
    shipped_days = models.IntegerField(
        null=True, blank=True, help_text="Days the shipments cover (weeks of cover divides by them)."
    )
    # Inventory flows
    net_received_inventory_cost = _money()
    net_received_inventory_units = _count()
    unfilled_customer_ordered_units = _count()
    # Inventory levels at the end of the period (each ASIN's last reported value, then summed)
    sellable_on_hand_inventory_cost = _money()
    sellable_on_hand_inventory_units = _count()
    unsellable_on_hand_inventory_cost = _money()
    unsellable_on_hand_inventory_units = _count()
    aged_90_plus_days_sellable_inventory_cost = _money()
    aged_90_plus_days_sellable_inventory_units = _count()
    unhealthy_inventory_cost = _money()
    unhealthy_inventory_units = _count()
    open_purchase_order_units = _count()
    # Amazon's rates, kept as weighted sums so any aggregate is a ratio of sums
    oos_glance_views = models.DecimalField(
        max_digits=28, decimal_places=6, null=True, blank=True, help_text="Σ PPOOS rate x glance views."
    )
    ppoos_glance_views = _count()
    net_ppm_margin = models.DecimalField(
        max_digits=32, decimal_places=10, null=True, blank=True, help_text="Σ net PPM x shipped revenue."
    )
    net_ppm_revenue = _money()
    sell_through_reported = models.DecimalField(
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Amazon's sell-through, only when one reported row spans the whole period.",
    )
    # Traffic
    glance_views = _count()
    # Purchase orders (by PO date) and ASNs (by ship date): view-less rows only
    requested_units = _count()
    confirmed_units = _count()
    received_units = _count()
    on_time_units = _count()
    asns = _count()
    asns_judged = _count()
    asns_in_time = _count()
    shipments_checked = _count()
    shipments_accurate = _count()
    data_through = models.DateField(
        null=True, blank=True, help_text="The last fact day in the period (a partial month ends earlier)."
    )

    objects = BrandScopedManager["Rollup"]()

    class Meta:
        # No unique constraint: the recompute is the only writer, holds a per-vendor-code lock and writes
        # one row per key (GROUP BY) after deleting its window; a unique B-tree over the text key cost
        # more than the rest of the insert. The index serves every read (a vendor code's ASIN, category
        # or total over a period range) and the window delete.
        indexes = [
            models.Index(
                fields=["vendor_code", "grain", "dimension", "dimension_value", "period_start"],
                name="reviews_rollup_read",
            ),
            # Every ASIN of one month (the MBR's movers and stock-outs) without walking all months.
            models.Index(fields=["vendor_code", "grain", "dimension", "period_start"], name="reviews_rollup_month"),
        ]

    def __str__(self) -> str:
        view = "/".join(v for v in (self.distributor_view, self.selling_program) if v) or "no view"
        return f"{self.grain} {self.period_start} {self.dimension} {self.dimension_value or 'total'} ({view})"


class AdsRollup(_RollupBase):
    """Advertising sums of one ad product, with ONE attribution window (never mixed in a sum)."""

    ad_product = models.CharField(max_length=4, help_text="SP, SB or SD.")
    attribution_window = models.CharField(max_length=4, help_text="e.g. 14d: the window of ad sales and orders.")
    report_types = models.CharField(max_length=120, help_text="The report types the spend was read from.")
    ad_spend = _money()
    ad_sales = _money()
    impressions = _count()
    clicks = _count()
    ad_orders = _count()
    ad_units = _count()

    objects = BrandScopedManager["AdsRollup"]()

    class Meta:
        # Written like Rollup (one writer under a lock, one row per key): no unique constraint.
        indexes = [
            models.Index(
                fields=["vendor_code", "grain", "dimension", "dimension_value", "period_start"],
                name="reviews_adsrollup_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ad_product} {self.grain} {self.period_start} {self.dimension} {self.dimension_value or 'total'}"


class FxRate(TimeStampedModel):
    """One month's conversion rate: 1 unit of from_currency = rate units of to_currency.

    Entered by finance in the admin. Views that add marketplaces together use it and list the rates
    they used; a missing rate is shown as a warning and never assumed to be 1.
    """

    month = models.DateField(help_text="First day of the month the rate applies to.")
    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])
    source = models.CharField(max_length=120, blank=True, help_text="e.g. ECB monthly average.")

    class Meta:
        ordering = ["-month", "from_currency", "to_currency"]
        verbose_name = "FX rate"
        constraints = [
            models.UniqueConstraint(fields=["month", "from_currency", "to_currency"], name="reviews_fxrate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="reviews_fxrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 1 {self.from_currency} = {self.rate} {self.to_currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.month = self.month.replace(day=1)
        self.from_currency = self.from_currency.upper()
        self.to_currency = self.to_currency.upper()
        super().save(*args, **kwargs)


class RollupPending(models.Model):
    """A touched (vendor code, grain, period) waiting for the debounced recompute task to drain it."""

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=5, choices=Grain.choices)
    period_start = models.DateField()
    queued_at = models.DateTimeField(default=timezone.now)

    brand_lookup: ClassVar[str] = "vendor_code__brand"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor_code", "grain", "period_start"], name="reviews_pending_unique")
        ]

    def __str__(self) -> str:
        return f"{self.vendor_code_id} {self.grain} {self.period_start}"


class RollupSchedule(models.Model):
    """One row (pk 1): whether a drain task is already scheduled, claimed with a conditional update."""

    scheduled = models.BooleanField(default=False)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_periods = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollup schedule (scheduled={self.scheduled})"
