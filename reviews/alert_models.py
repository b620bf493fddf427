"""Alerts (DOMAIN.md §2.6, §5.7, §6): rules with per-brand parameters, benchmarks, alerts, their history
and each user's digest preference.

Imported at the end of reviews.models so Django registers these models with the reviews app. Writes go
through reviews.alert_services; the models hold structure and row-level validation.

Lifecycle: OPEN -> ACKNOWLEDGED -> (ESCALATED) -> RESOLVED. A critical alert not acknowledged by its
`escalation_due_at` escalates (OPEN -> ESCALATED) and its brand's managers are emailed. An alert is
resolved by a person (with a note) or automatically when its condition was absent on two evaluations
in a row (`clear_since` marks the first). At most one non-resolved alert exists per (rule code, brand,
entity, period key); a condition that comes back after resolution opens a new alert. A person's
resolution holds while the condition persists (a late ASN stays late; nobody wants it re-opened every
hour): the rule re-arms once a check no longer finds the condition (`clear_since` set on the resolved
alert), and the next occurrence opens a new alert.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import BrandScopedManager
from reviews.alert_rules import SPECS
from reviews.alert_rules import RuleCode
from reviews.alert_rules import Severity
from reviews.alert_rules import Unit
from reviews.alert_rules import validate_parameters


class AlertRule(TimeStampedModel):
    """A rule's parameters: the default row (brand empty, seeded from DOMAIN.md §6) or a brand's own."""

    code = models.CharField(max_length=40, choices=RuleCode.choices)
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
        help_text="Empty = the default every brand without its own row uses.",
    )
    parameters = models.JSONField(default=dict, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    enabled = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["AlertRule"]()

    class Meta:
        ordering = ["code", "brand"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "brand"], condition=Q(brand__isnull=False), name="alertrule_one_per_brand"
            ),
            models.UniqueConstraint(fields=["code"], condition=Q(brand__isnull=True), name="alertrule_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.brand or 'default'})"

    @property
    def spec(self) -> Any:
        return SPECS[self.code]

    @property
    def is_default(self) -> bool:
        return self.brand_id is None

    def clean(self) -> None:
        if self.code not in SPECS:
            raise ValidationError({"code": f"Unknown rule {self.code!r}."})
        try:
            self.parameters = validate_parameters(SPECS[self.code], self.parameters)
        except ValidationError as exc:
            raise ValidationError({"parameters": exc.messages}) from exc


class Benchmark(TimeStampedModel):
    """An outside reference value (DOMAIN.md §4.1: "a benchmark, not a rule").

    The most specific row wins: the brand's own before the shared one (brand empty, kept by staff), a
    category's before the all-categories row (category empty), a marketplace's before the any-marketplace
    row (marketplace empty).
    """

    class Metric(models.TextChoices):
        SELL_THROUGH = "SELL_THROUGH", "Sell-through rate"
        RETURN_RATE = "RETURN_RATE", "Return rate"
        CPC = "CPC", "Cost per click"
        ACOS = "ACOS", "ACoS"
        CONVERSION = "CONVERSION", "Conversion"
        PPOOS = "PPOOS", "PPOOS rate"

    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.CASCADE, related_name="benchmarks", help_text="Empty = shared."
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    category = models.CharField(max_length=100, blank=True, help_text="Empty = every category.")
    marketplace = models.ForeignKey(
        Marketplace, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty = any."
    )
    value = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        help_text="Ratios as fractions (0.30 = 30 %); money in the marketplace currency.",
    )
    source = models.CharField(max_length=200, help_text="Where the number comes from.")
    as_of = models.DateField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["Benchmark"]()

    class Meta:
        ordering = ["metric", "category", "marketplace"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("brand", Value(0)),
                "metric",
                "category",
                Coalesce("marketplace", Value(0)),
                name="benchmark_unique_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.category or 'all categories'}: {self.value}"


class Alert(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"
        ESCALATED = "ESCALATED", "Escalated"
        RESOLVED = "RESOLVED", "Resolved"

    class Resolution(models.TextChoices):
        MANUAL = "MANUAL", "Resolved by a person"
        AUTO = "AUTO", "Condition cleared"

    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = (Status.OPEN, Status.ACKNOWLEDGED, Status.ESCALATED)

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    code = models.CharField(max_length=40, choices=RuleCode.choices, db_index=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="alerts")
    vendor_code = models.ForeignKey(VendorCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, help_text="Primary key of the entity, as text (some are UUIDs).")
    entity = GenericForeignKey("content_type", "object_id")
    entity_label = models.CharField(max_length=200)
    entity_url = models.CharField(max_length=300, blank=True)
    period_key = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=300)
    measured_value = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    threshold = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    triggered_at = models.DateTimeField(default=timezone.now, db_index=True)
    escalation_due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_alerts"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=8, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True, help_text="The resolution note.")
    evidence = models.JSONField(default=dict, blank=True, help_text="Numbers and links that triggered it.")
    last_seen_at = models.DateTimeField(default=timezone.now, help_text="Last evaluation that found the condition.")
    clear_since = models.DateTimeField(
        null=True, blank=True, help_text="First evaluation that no longer found it; a second one resolves it."
    )

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["Alert"]()

    class Meta:
        ordering = ["-triggered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "brand", "content_type", "object_id", "period_key"],
                condition=~Q(status="RESOLVED"),
                name="alert_one_active_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["brand", "status", "severity"], name="alert_inbox"),
            models.Index(fields=["status", "escalation_due_at"], name="alert_escalation_due"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.entity_label} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def rule_label(self) -> str:
        return RuleCode(self.code).label

    @property
    def is_overdue(self) -> bool:
        """Critical, not acknowledged, and past its escalation deadline (escalation may not have run yet)."""
        return (
            self.escalation_due_at is not None
            and self.acknowledged_at is None
            and self.status == self.Status.OPEN
            and self.escalation_due_at <= timezone.now()
        )


class AlertEvent(models.Model):
    """Append-only history of an alert: what happened, who did it, when."""

    class Kind(models.TextChoices):
        TRIGGERED = "TRIGGERED", "Triggered"
        UPDATED = "UPDATED", "Severity changed"
        CLEARED = "CLEARED", "Condition not found"
        RECURRED = "RECURRED", "Condition found again"
        ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"
        ASSIGNED = "ASSIGNED", "Assigned"
        ESCALATED = "ESCALATED", "Escalated"
        NOTIFIED = "NOTIFIED", "Owners notified"
        NOTE = "NOTE", "Note"
        RESOLVED = "RESOLVED", "Resolved"
        AUTO_RESOLVED = "AUTO_RESOLVED", "Resolved automatically"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=12, choices=Alert.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Alert.Status.choices, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    brand_lookup: ClassVar[str] = "alert__brand"
    objects = BrandScopedManager["AlertEvent"]()

    class Meta:
        ordering = ["alert", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Alert history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Alert history is append-only.")


class AlertPreference(TimeStampedModel):
    """How a user wants the alert digest: daily, weekly (Mondays) or never, from a minimum severity."""

    class Frequency(models.TextChoices):
        DAILY = "DAILY", "Daily"
        WEEKLY = "WEEKLY", "Weekly (Mondays)"
        OFF = "OFF", "Off"

    DEFAULT_FREQUENCY: ClassVar[str] = Frequency.DAILY
    DEFAULT_MIN_SEVERITY: ClassVar[str] = Severity.MEDIUM

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    min_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "alert digest preference"

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()} from {self.get_min_severity_display()}"
