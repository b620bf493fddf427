"""Alert API serializers: output shapes, and input serializers that only check types (rules are in
reviews.alert_services)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.alert_guidance import guidance_for
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertPreference
from reviews.alert_models import Benchmark
from reviews.alert_rules import Severity


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "integer"}, "username": {"type": "string"}},
    }
)
class _UserRefField(serializers.Field):
    def to_representation(self, value: Any) -> dict[str, Any] | None:
        return {"id": value.pk, "username": value.get_username()} if value is not None else None


class AlertSerializer(serializers.ModelSerializer[Alert]):
    rule_label = serializers.CharField(read_only=True)
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    entity = serializers.SerializerMethodField()
    measured_value = serializers.DecimalField(max_digits=24, decimal_places=8, read_only=True, allow_null=True)
    threshold = serializers.DecimalField(max_digits=24, decimal_places=8, read_only=True, allow_null=True)
    assigned_to = _UserRefField(read_only=True)
    acknowledged_by = _UserRefField(read_only=True)

    class Meta:
        model = Alert
        fields: tuple[str, ...] = (
            "id",
            "code",
            "rule_label",
            "brand",
            "brand_name",
            "vendor_code",
            "severity",
            "status",
            "title",
            "entity",
            "period_key",
            "measured_value",
            "threshold",
            "unit",
            "currency",
            "triggered_at",
            "escalation_due_at",
            "escalated_at",
            "acknowledged_by",
            "acknowledged_at",
            "assigned_to",
            "resolved_at",
            "resolution",
            "clear_since",
            "last_seen_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_entity(self, alert: Alert) -> dict[str, str]:
        return {
            "type": f"{alert.content_type.app_label}.{alert.content_type.model}",
            "id": alert.object_id,
            "label": alert.entity_label,
            "url": alert.entity_url,
        }


class AlertEventSerializer(serializers.ModelSerializer[AlertEvent]):
    actor = _UserRefField(read_only=True)

    class Meta:
        model = AlertEvent
        fields = ("id", "kind", "actor", "at", "from_status", "to_status", "note", "data")
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    resolved_by = _UserRefField(read_only=True)
    events = AlertEventSerializer(many=True, read_only=True)
    first_response = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = (*AlertSerializer.Meta.fields, "resolved_by", "note", "evidence", "first_response", "events")
        read_only_fields = fields

    def get_first_response(self, alert: Alert) -> dict[str, Any]:
        guidance = guidance_for(alert.code, alert.evidence)
        return {
            "check_first": list(guidance.check_first),
            "contact": guidance.contact,
            "channel": guidance.channel,
            "next_steps": list(guidance.next_steps),
        }


class NoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(allow_blank=True)


class AssignInputSerializer(serializers.Serializer[Any]):
    user_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RuleSettingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="spec.code")
    rule_label = serializers.CharField(source="spec.label")
    family = serializers.CharField(source="spec.family")
    condition = serializers.CharField(source="spec.condition")
    severity = serializers.CharField(source="rule.severity")
    enabled = serializers.BooleanField(source="rule.enabled")
    parameters = serializers.DictField()
    is_custom = serializers.BooleanField()
    active_alerts = serializers.IntegerField()
    parameter_help = serializers.DictField(source="spec.parameter_help")
    updated_at = serializers.DateTimeField(source="rule.updated_at")


class RuleInputSerializer(serializers.Serializer[Any]):
    severity = serializers.ChoiceField(choices=Severity.choices)
    enabled = serializers.BooleanField(default=True)
    parameters = serializers.DictField(default=dict)


class BenchmarkSerializer(serializers.ModelSerializer[Benchmark]):
    marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True, default=None)
    value = serializers.DecimalField(max_digits=14, decimal_places=6, read_only=True)

    class Meta:
        model = Benchmark
        fields = ("id", "brand", "metric", "category", "marketplace_id", "value", "source", "as_of")
        read_only_fields = fields


class PreferenceSerializer(serializers.ModelSerializer[AlertPreference]):
    class Meta:
        model = AlertPreference
        fields = ("frequency", "min_severity", "last_digest_at")
        read_only_fields = ("last_digest_at",)
