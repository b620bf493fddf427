"""Django admin for the catalog and access models. Staff administer every brand here; the admin is not
tenant-scoped, which is why only staff reach it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchCertificate
from planning.jbp_models import LaunchPlan
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode


class VendorCodeInline(admin.TabularInline):
    model = VendorCode
    extra = 0
    fields = ("code", "marketplace", "freight_terms", "payment_terms_days", "is_active")
    autocomplete_fields = ("marketplace",)
    show_change_link = True


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_entity", "default_currency", "owner_team", "vendor_code_count", "created_at")
    search_fields = ("name", "legal_entity", "owner_team")
    list_filter = ("default_currency",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (VendorCodeInline, MembershipInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        return super().get_queryset(request).annotate(_vendor_code_count=Count("vendor_codes"))

    @admin.display(description="Vendor codes", ordering="_vendor_code_count")
    def vendor_code_count(self, obj: Brand) -> int:
        return obj._vendor_code_count  # type: ignore[attr-defined]


@admin.register(Marketplace)
class MarketplaceAdmin(admin.ModelAdmin):
    """Read-mostly: Amazon's marketplaces are loaded by a migration; only the display fields may be corrected."""

    list_display = ("amazon_marketplace_id", "country_code", "country", "domain", "region", "currency", "timezone")
    search_fields = ("amazon_marketplace_id", "country_code", "country", "domain")
    list_filter = ("region", "currency")
    readonly_fields = ("amazon_marketplace_id", "country_code", "region", "currency")
    ordering = ("country_code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Marketplace | None = None) -> bool:
        return False


@admin.register(VendorCode)
class VendorCodeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "brand",
        "marketplace",
        "freight_terms",
        "payment_terms_days",
        "settlement_discount_pct",
        "is_active",
    )
    list_select_related = ("brand", "marketplace")
    search_fields = ("code", "brand__name")
    list_filter = ("is_active", "freight_terms", ("marketplace", admin.RelatedOnlyFieldListFilter), "brand")
    autocomplete_fields = ("brand", "marketplace")
    readonly_fields = ("created_at", "updated_at")


class CostPriceInline(admin.TabularInline):
    model = CostPriceHistory
    extra = 0
    fields = ("effective_from", "cost", "currency")
    ordering = ("-effective_from",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "asin",
        "title",
        "brand",
        "vendor_code",
        "category",
        "lifecycle",
        "cost_price",
        "currency",
        "aplus_content",
        "video_on_detail_page",
    )
    list_select_related = ("brand", "vendor_code__marketplace", "marketplace")
    search_fields = ("asin", "title", "gtin")
    list_filter = (
        "lifecycle",
        "aplus_content",
        "video_on_detail_page",
        ("marketplace", admin.RelatedOnlyFieldListFilter),
        "brand",
        "category",
    )
    autocomplete_fields = ("brand", "vendor_code", "marketplace")
    readonly_fields = ("created_at", "updated_at")
    inlines = (CostPriceInline,)
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("asin", "title", "brand", "vendor_code", "marketplace", "gtin")}),
        ("Classification", {"fields": ("category", "subcategory", "lifecycle")}),
        ("Cost", {"fields": ("cost_price", "currency")}),
        (
            "Detail-page content",
            {"fields": ("aplus_content", "video_on_detail_page", "content_score", "content_updated_at")},
        ),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )


@admin.register(CostPriceHistory)
class CostPriceHistoryAdmin(admin.ModelAdmin):
    list_display = ("product", "effective_from", "cost", "currency")
    list_select_related = ("product",)
    search_fields = ("product__asin", "product__title")
    list_filter = ("currency", "product__brand")
    autocomplete_fields = ("product",)
    date_hierarchy = "effective_from"
    readonly_fields = ("created_at", "updated_at")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Who may see which brand, with which role; every change is kept by simple_history."""

    list_display = ("user", "brand", "role", "created_at")
    list_select_related = ("user", "brand")
    search_fields = ("user__username", "user__email", "brand__name")
    list_filter = ("role", "brand")
    autocomplete_fields = ("user", "brand")
    readonly_fields = ("created_at", "updated_at")


# --- JBP plans -------------------------------------------------------------------------------------
# Plans move through their workflow in services (role checks, transition log), so the admin shows the
# workflow fields read-only: staff may correct content, never push a plan to another status here.


class JBPPlanTransitionInline(admin.TabularInline):
    model = JBPPlanTransition
    extra = 0
    fields = ("at", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JBPPlan)
class JBPPlanAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "brand", "marketplace", "horizon", "period_start", "period_end", "version", "status")
    list_select_related = ("brand", "marketplace")
    search_fields = ("title", "series", "brand__name", "amazon_counterpart")
    list_filter = ("status", "horizon", "plan_year", "brand", ("marketplace", admin.RelatedOnlyFieldListFilter))
    autocomplete_fields = ("brand", "marketplace", "vendor_codes")
    readonly_fields = ("status", "version", "previous_version", "created_by", "created_at", "updated_at")
    date_hierarchy = "period_start"
    inlines = (JBPPlanTransitionInline,)


@admin.register(JBPPlanTransition)
class JBPPlanTransitionAdmin(admin.ModelAdmin):
    """The append-only workflow log: readable, never written from the admin."""

    list_display = ("plan", "from_status", "to_status", "actor", "at")
    list_select_related = ("plan", "actor")
    search_fields = ("plan__title", "plan__brand__name", "actor__username", "comment")
    list_filter = ("to_status",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: JBPPlanTransition | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: JBPPlanTransition | None = None) -> bool:
        return False


@admin.register(JBPTarget)
class JBPTargetAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "metric", "dimension_type", "dimension_value", "period_start", "target_value")
    list_select_related = ("plan",)
    search_fields = ("plan__title", "plan__brand__name", "dimension_value")
    list_filter = ("metric", "dimension_type", "period_type")
    autocomplete_fields = ("plan",)


@admin.register(JBPInvestment)
class JBPInvestmentAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "type", "committed_amount", "currency", "period_start", "period_end")
    list_select_related = ("plan",)
    search_fields = ("plan__title", "plan__brand__name", "amazon_agreement_id")
    list_filter = ("type", "currency")
    autocomplete_fields = ("plan",)


@admin.register(JBPInitiative)
class JBPInitiativeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "owner_side", "owner_name", "due_date", "status")
    list_select_related = ("plan",)
    search_fields = ("title", "owner_name", "plan__title", "plan__brand__name")
    list_filter = ("status", "owner_side")
    autocomplete_fields = ("plan",)


class LaunchCertificateInline(admin.TabularInline):
    model = LaunchCertificate
    extra = 0
    fields = ("kind", "reference", "issued_on", "expires_on")


@admin.register(LaunchPlan)
class LaunchPlanAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "plan", "launch_week", "forecast_units", "aplus_ready", "video_ready")
    list_select_related = ("plan", "product")
    search_fields = ("title", "planned_sku", "gtin", "product__asin", "plan__brand__name")
    list_filter = ("aplus_ready", "video_ready")
    autocomplete_fields = ("plan", "product")
    inlines = (LaunchCertificateInline,)


@admin.register(LaunchCertificate)
class LaunchCertificateAdmin(admin.ModelAdmin):
    list_display = ("launch", "kind", "reference", "issued_on", "expires_on")
    list_select_related = ("launch__product",)
    search_fields = ("reference", "launch__title", "launch__product__asin")
    list_filter = ("kind",)
    autocomplete_fields = ("launch",)
