"""Admin of the reviews app: FX rates are edited here by finance; rollups and reviews are read-only
(rollups are rebuilt from the facts, reviews move through their workflow on the pages and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reviews.models import ActionItem
from reviews.models import AdsRollup
from reviews.models import BusinessReview
from reviews.models import BusinessReviewTransition
from reviews.models import FxRate
from reviews.models import Rollup


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ("month", "from_currency", "to_currency", "rate", "source", "updated_at")
    list_filter = ("from_currency", "to_currency")
    search_fields = ("from_currency", "to_currency", "source")
    date_hierarchy = "month"
    ordering = ("-month", "from_currency", "to_currency")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rollup)
class RollupAdmin(_ReadOnly):
    list_display = (
        "vendor_code",
        "grain",
        "period_start",
        "dimension",
        "dimension_value",
        "distributor_view",
        "selling_program",
        "shipped_cogs",
        "ordered_revenue",
        "glance_views",
        "computed_at",
    )
    list_filter = ("grain", "dimension", "distributor_view")
    search_fields = ("dimension_value", "vendor_code__code")
    list_select_related = ("vendor_code",)
    show_full_result_count = False


@admin.register(AdsRollup)
class AdsRollupAdmin(_ReadOnly):
    list_display = (
        "vendor_code",
        "grain",
        "period_start",
        "dimension",
        "dimension_value",
        "ad_product",
        "attribution_window",
        "ad_spend",
        "ad_sales",
    )
    list_filter = ("grain", "dimension", "ad_product")
    search_fields = ("dimension_value", "vendor_code__code")
    list_select_related = ("vendor_code",)
    show_full_result_count = False


class TransitionInline(admin.TabularInline):
    model = BusinessReviewTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "at", "comment")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("title", "owner", "due_date", "status")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BusinessReview)
class BusinessReviewAdmin(admin.ModelAdmin):
    list_display = ("brand", "month", "marketplace", "review_type", "status", "frozen_at")
    list_filter = ("review_type", "status", "brand")
    readonly_fields = ("status", "metrics_snapshot", "frozen_at", "created_by")
    inlines = (ActionItemInline, TransitionInline)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "review", "owner", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("title",)
    readonly_fields = ("completed_at", "created_by")


# Alert models register their admin classes in their own module.
from reviews import alert_admin  # noqa: E402,F401
