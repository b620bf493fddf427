"""Serializers of the JBP API: separate input (shape checks only) and output serializers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.services import TRANSITIONS


class PlanSerializer(serializers.ModelSerializer[JBPPlan]):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    amazon_marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True)
    vendor_codes: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default=None)
    target_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = JBPPlan
        fields: tuple[str, ...] = (
            "id",
            "brand",
            "brand_name",
            "marketplace",
            "amazon_marketplace_id",
            "vendor_codes",
            "title",
            "display_title",
            "plan_year",
            "series",
            "horizon",
            "period_start",
            "period_end",
            "version",
            "status",
            "previous_version",
            "baseline_start",
            "baseline_end",
            "currency",
            "amazon_counterpart",
            "notes",
            "seasonal_weights",
            "target_count",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


class TargetSerializer(serializers.ModelSerializer[JBPTarget]):
    class Meta:
        model = JBPTarget
        fields = (
            "id",
            "metric",
            "dimension_type",
            "dimension_value",
            "period_type",
            "period_start",
            "period_end",
            "target_value",
            "direction",
            "phasing",
            "weights",
            "updated_at",
        )
        read_only_fields = fields


class InvestmentSerializer(serializers.ModelSerializer[JBPInvestment]):
    class Meta:
        model = JBPInvestment
        fields = (
            "id",
            "type",
            "committed_amount",
            "currency",
            "period_start",
            "period_end",
            "amazon_agreement_id",
            "conditions",
        )
        read_only_fields = fields


class TransitionLogSerializer(serializers.ModelSerializer[JBPPlanTransition]):
    actor = serializers.CharField(source="actor.get_username", read_only=True, default=None)

    class Meta:
        model = JBPPlanTransition
        fields = ("from_status", "to_status", "actor", "at", "comment")
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    investments = InvestmentSerializer(many=True, read_only=True)
    transitions = TransitionLogSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = (*PlanSerializer.Meta.fields, "targets", "investments", "transitions")
        read_only_fields = fields


class PlanCreateInputSerializer(serializers.Serializer[Any]):
    brand = serializers.IntegerField()
    marketplace = serializers.CharField(help_text="Amazon marketplace id, e.g. ATVPDKIKX0DER")
    horizon = serializers.ChoiceField(choices=JBPPlan.Horizon.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    plan_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    vendor_codes = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    amazon_counterpart = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    seasonal_weights = serializers.DictField(child=serializers.CharField(), required=False, default=dict)


class PlanUpdateInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    amazon_counterpart = serializers.CharField(required=False, allow_blank=True, max_length=120)
    notes = serializers.CharField(required=False, allow_blank=True)
    baseline_start = serializers.DateField(required=False, allow_null=True)
    baseline_end = serializers.DateField(required=False, allow_null=True)
    seasonal_weights = serializers.DictField(child=serializers.CharField(), required=False)
    horizon = serializers.ChoiceField(choices=JBPPlan.Horizon.choices, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    plan_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    vendor_codes = serializers.ListField(child=serializers.CharField(), required=False)


class PlanTransitionInputSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[(t.action, t.label) for t in TRANSITIONS.values()])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanNewVersionInputSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanTargetDiffSerializer(serializers.Serializer[Any]):
    """One row of a version comparison."""

    metric = serializers.CharField()
    dimension_type = serializers.CharField()
    dimension_value = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    change = serializers.CharField()
    old_value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    new_value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    changed_fields = serializers.ListField(child=serializers.CharField())
