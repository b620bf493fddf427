"""Django admin for alerts. Staff see every brand here (the admin is not tenant-scoped).

Rules and benchmarks are edited here too (with history); parameters are checked against the rule's
schema on save. Alerts and their history are read-only: their lifecycle belongs to the services, so
the admin offers it as actions (acknowledge, resolve) that go through them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from core.exceptions import ApplicationError
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertPreference
from reviews.alert_models import AlertRule
from reviews.alert_models import Benchmark


@admin.register(AlertRule)
class AlertRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "brand", "severity", "enabled", "updated_at", "updated_by")
    list_filter = ("code", "severity", "enabled", ("brand", admin.EmptyFieldListFilter))
    search_fields = ("code", "brand__name")
    readonly_fields = ("updated_by", "created_at", "updated_at")
    fields = ("code", "brand", "severity", "enabled", "parameters", "updated_by", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: AlertRule, form: Any, change: bool) -> None:
        obj.full_clean()  # parameters against the rule's schema, defaults filled in
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Benchmark)
class BenchmarkAdmin(SimpleHistoryAdmin):
    list_display = ("metric", "category", "marketplace", "value", "brand", "source", "as_of")
    list_filter = ("metric", "marketplace", ("brand", admin.EmptyFieldListFilter))
    search_fields = ("category", "source", "brand__name")
    readonly_fields = ("updated_by",)

    def save_model(self, request: HttpRequest, obj: Benchmark, form: Any, change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "note", "data")
    readonly_fields = fields
    ordering = ("at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("id", "code", "severity", "status", "brand", "entity_label", "triggered_at", "assigned_to")
    list_filter = ("status", "severity", "code", "brand")
    search_fields = ("title", "entity_label", "period_key")
    date_hierarchy = "triggered_at"
    list_select_related = ("brand", "assigned_to")
    inlines = (AlertEventInline,)
    actions = ("acknowledge_selected", "resolve_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[Alert], step: Any, done: str) -> None:
        count = 0
        for alert in queryset:
            try:
                step(alert)
                count += 1
            except ApplicationError as exc:
                self.message_user(request, f"#{alert.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{count} alert{'s' if count != 1 else ''} {done}.")

    @admin.action(description="Acknowledge (needs a role in the brand)")
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        from reviews.alert_services import alert_acknowledge

        self._each(request, queryset, lambda a: alert_acknowledge(alert=a, user=request.user), "acknowledged")

    @admin.action(description="Resolve with the note 'Resolved in the admin' (needs a role in the brand)")
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        from reviews.alert_services import alert_resolve

        self._each(
            request,
            queryset,
            lambda a: alert_resolve(alert=a, user=request.user, note="Resolved in the admin."),
            "resolved",
        )


@admin.register(AlertPreference)
class AlertPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "min_severity", "last_digest_at")
    list_filter = ("frequency", "min_severity")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("last_digest_at",)
