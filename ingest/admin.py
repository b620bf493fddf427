"""Admin for operators: imports (read-mostly), Ads profiles and Marketing Stream subscriptions.

Fact tables are not registered: millions of rows are read through pages and the API, not the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ingest import services
from ingest import stream
from ingest.models import AdsProfile
from ingest.models import ReportImport
from ingest.models import StreamDatasetState
from ingest.models import StreamDelivery
from ingest.models import StreamSubscription


@admin.register(ReportImport)
class ReportImportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "original_name",
        "brand",
        "report_type",
        "status",
        "rows_total",
        "rows_inserted",
        "rows_updated",
        "rows_deleted",
        "error_count",
        "created_at",
    )
    list_filter = ("status", "source", "report_type", "brand")
    search_fields = ("original_name", "file_sha256", "report_type")
    date_hierarchy = "created_at"
    list_select_related = ("brand",)
    readonly_fields = [f.name for f in ReportImport._meta.fields]
    actions = ("rerun",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # imports come in through the Imports page, the API or the CLI

    @admin.action(description="Re-run the selected finished imports")
    def rerun(self, request: HttpRequest, queryset: QuerySet[ReportImport]) -> None:
        count = 0
        for report_import in queryset:
            if report_import.is_finished:
                services.report_import_rerun(report_import=report_import)
                count += 1
        self.message_user(request, f"{count} import(s) queued again.")


@admin.register(AdsProfile)
class AdsProfileAdmin(admin.ModelAdmin):
    list_display = ("profile_id", "brand", "marketplace", "vendor_code", "account_type", "currency", "timezone")
    list_filter = ("brand", "account_type", "marketplace")
    search_fields = ("profile_id", "name")
    autocomplete_fields = ()


class StreamDatasetStateInline(admin.TabularInline):
    model = StreamDatasetState
    extra = 0
    readonly_fields = ("dataset_id", "last_message_at", "last_time_window_start", "messages_total")
    can_delete = False


@admin.register(StreamSubscription)
class StreamSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "brand", "dataset", "destination", "status", "last_message_at")
    list_filter = ("status", "destination", "dataset", "brand")
    readonly_fields = ("id", "access_key_sha256", "last_message_at", "confirmation_url", "created_at", "updated_at")
    inlines = (StreamDatasetStateInline,)
    actions = ("rotate_key",)

    def save_model(self, request: HttpRequest, obj: StreamSubscription, form: Any, change: bool) -> None:
        if not change:
            key, obj.access_key_sha256 = stream.new_access_key()
            messages.warning(request, f"Access key (shown once; set it on the Firehose stream now): {key}")
        super().save_model(request, obj, form, change)

    @admin.action(description="Rotate the access key (shown once)")
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[StreamSubscription]) -> None:
        for subscription in queryset:
            key = stream.stream_subscription_rotate_key(subscription=subscription)
            messages.warning(request, f"New access key for {subscription.pk}: {key}")


@admin.register(StreamDelivery)
class StreamDeliveryAdmin(admin.ModelAdmin):
    list_display = ("request_id", "subscription", "kind", "received_at", "attempts", "processed", "record_count")
    list_filter = ("kind", "processed")
    search_fields = ("request_id",)
    exclude = ("body",)
    readonly_fields = (
        "subscription",
        "kind",
        "request_id",
        "received_at",
        "content_encoding",
        "attempts",
        "processed",
        "processed_at",
        "record_count",
        "rows_inserted",
        "rows_unchanged",
        "error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
