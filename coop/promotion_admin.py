"""Django admin for promotions. Imported by coop/admin.py (`import coop.promotion_admin  # noqa: F401`).

Staff keep Amazon's reference data here: the event calendar (dates, submission deadlines, per-event
rule overrides) and the rule sets of §5.3. Promotions themselves change status only through the
services (maker-checker, rule checks), so their status and history are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPerformance
from coop.promotion_models import PromotionPolicy
from coop.promotion_models import PromotionRuleSet
from coop.promotion_models import PromotionTransition


class PromotionRuleSetInline(admin.StackedInline):
    model = PromotionRuleSet
    extra = 0
    fields = (
        "promotion_type",
        "is_active",
        ("lead_time_hours", "min_duration_hours", "max_duration_hours"),
        ("min_discount_vs_reference_pct", "min_discount_vs_lowest_30d_pct"),
        ("min_discount_vs_lowest_90d_pct", "min_discount_vs_typical_90d_pct"),
        ("no_overlap", "back_to_back_days", "min_rating"),
        ("coupon_min_discount_pct", "coupon_max_discount_pct", "max_items"),
        ("fee_allowed", "requires_budget"),
        "source",
        "notes",
    )


@admin.register(EventCalendar)
class EventCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "marketplace", "start_date", "end_date", "submission_deadline", "is_confirmed")
    list_filter = ("kind", "is_confirmed", "marketplace")
    search_fields = ("name",)
    date_hierarchy = "start_date"
    inlines = (PromotionRuleSetInline,)


@admin.register(PromotionRuleSet)
class PromotionRuleSetAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "is_active",
        "lead_time_hours",
        "max_duration_hours",
        "min_discount_vs_reference_pct",
        "min_discount_vs_lowest_90d_pct",
        "no_overlap",
        "back_to_back_days",
        "min_rating",
        "source",
    )
    list_filter = ("promotion_type", "is_active")
    fields = (*PromotionRuleSetInline.fields[:1], "event", *PromotionRuleSetInline.fields[1:])


@admin.register(PromotionPolicy)
class PromotionPolicyAdmin(admin.ModelAdmin):
    list_display = ("brand", "currency", "finance_approval_threshold")
    list_filter = ("brand",)


@admin.register(PriceObservation)
class PriceObservationAdmin(admin.ModelAdmin):
    list_display = ("asin", "marketplace", "observed_on", "price", "currency", "rating", "source", "brand")
    list_filter = ("source", "marketplace", "brand")
    search_fields = ("asin",)
    date_hierarchy = "observed_on"
    raw_id_fields = ("entered_by",)


class PromotionItemInline(admin.TabularInline):
    model = PromotionItem
    extra = 0
    raw_id_fields = ("product",)
    fields = (
        "asin",
        "product",
        "reference_price",
        "promo_price",
        "per_unit_funding",
        "units_forecast",
        "discount_type",
        "discount_amount",
    )


class PromotionTransitionInline(admin.TabularInline):
    model = PromotionTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "actor", "actor_roles", "source", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "brand",
        "vendor_code",
        "promotion_type",
        "status",
        "start_at",
        "end_at",
        "amazon_promotion_id",
    )
    list_filter = ("status", "promotion_type", "brand", "marketplace", "creation_channel")
    search_fields = ("name", "amazon_promotion_id", "items__asin")
    date_hierarchy = "start_at"
    raw_id_fields = ("vendor_code", "jbp_plan", "funding_agreement", "created_by")
    readonly_fields = (
        "status",
        "amazon_status",
        "amazon_status_at",
        "requested_by",
        "requested_at",
        "needs_finance_approval",
        "approval_vendor_cost",
        "approved_by",
        "approved_at",
        "submitted_by",
        "submitted_at",
    )
    inlines = (PromotionItemInline, PromotionTransitionInline)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the transition log is append-only; cancel instead


@admin.register(PromotionPerformance)
class PromotionPerformanceAdmin(admin.ModelAdmin):
    list_display = (
        "promotion",
        "units_sold",
        "revenue",
        "vendor_cost",
        "lift",
        "incremental_revenue",
        "roi",
        "computed_at",
    )
    readonly_fields = [f.name for f in PromotionPerformance._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
