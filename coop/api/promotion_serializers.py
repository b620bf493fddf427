"""Promotion API serializers: input serializers validate and shape, output ones present.

Money travels as decimal strings with its currency; instants as ISO-8601 in UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from coop.promotion_models import EventCalendar
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPerformance
from coop.promotion_models import PromotionTransition
from coop.promotion_models import PromotionType
from coop.promotion_rules import RuleResult
from coop.promotion_services import ItemInput

_MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class EventSerializer(serializers.ModelSerializer[EventCalendar]):
    amazon_marketplace_id = serializers.CharField(
        source="marketplace.amazon_marketplace_id", default=None, read_only=True
    )

    class Meta:
        model = EventCalendar
        fields = (
            "id",
            "name",
            "kind",
            "amazon_marketplace_id",
            "start_date",
            "end_date",
            "submission_deadline",
            "rules",
            "is_confirmed",
            "notes",
        )


class PromotionItemSerializer(serializers.ModelSerializer[PromotionItem]):
    class Meta:
        model = PromotionItem
        fields = (
            "asin",
            "reference_price",
            "promo_price",
            "per_unit_funding",
            "units_forecast",
            "discount_type",
            "discount_amount",
        )


class PromotionListSerializer(serializers.ModelSerializer[Promotion]):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    vendor_code_code = serializers.CharField(source="vendor_code.code", read_only=True)
    amazon_marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True)
    type = serializers.CharField(source="promotion_type", read_only=True)
    event_name = serializers.CharField(source="event.name", default=None, read_only=True)
    asins = serializers.SerializerMethodField()
    forecast_vendor_cost = serializers.SerializerMethodField()

    class Meta:
        model = Promotion
        fields: tuple[str, ...] = (
            "id",
            "name",
            "brand",
            "brand_name",
            "vendor_code",
            "vendor_code_code",
            "amazon_marketplace_id",
            "type",
            "status",
            "amazon_status",
            "event",
            "event_name",
            "start_at",
            "end_at",
            "creation_channel",
            "funding_method",
            "currency",
            "merchandising_fee",
            "coupon_budget",
            "brand_funding_share_pct",
            "amazon_promotion_id",
            "asins",
            "forecast_vendor_cost",
            "created_at",
            "updated_at",
        )

    def get_asins(self, obj: Promotion) -> list[str]:
        return [item.asin for item in obj.items.all()]

    def get_forecast_vendor_cost(self, obj: Promotion) -> str:
        forecast = self.context.get("forecasts", {}).get(obj.pk)
        if forecast is None:
            from coop.promotion_selectors import promotion_cost_forecast

            forecast = promotion_cost_forecast(obj)
        return str(forecast.vendor_cost)


def rule_result_json(result: RuleResult) -> dict[str, Any]:
    return {"code": result.code, "level": result.level, "asin": result.asin, "message": result.message}


class PerformanceSerializer(serializers.ModelSerializer[PromotionPerformance]):
    class Meta:
        model = PromotionPerformance
        exclude = ("id", "promotion")


class TransitionSerializer(serializers.ModelSerializer[PromotionTransition]):
    actor = serializers.CharField(source="actor.get_username", default=None, read_only=True)

    class Meta:
        model = PromotionTransition
        fields = ("at", "from_status", "to_status", "actor", "actor_roles", "source", "note")


class PromotionDetailSerializer(PromotionListSerializer):
    items = PromotionItemSerializer(many=True, read_only=True)
    rule_results = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()
    performance = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(PromotionListSerializer.Meta):
        fields = (
            *PromotionListSerializer.Meta.fields,
            "max_units",
            "coupon_fee_per_redemption",
            "jbp_plan",
            "funding_agreement",
            "amazon_funding_agreement_id",
            "amazon_campaign_id",
            "needs_finance_approval",
            "approval_vendor_cost",
            "requested_at",
            "approved_at",
            "submitted_at",
            "notes",
            "items",
            "forecast",
            "rule_results",
            "performance",
            "transitions",
        )

    def get_rule_results(self, obj: Promotion) -> list[dict[str, Any]]:
        from coop.promotion_selectors import promotion_rule_results
        from coop.promotion_selectors import sorted_results

        return [rule_result_json(r) for r in sorted_results(promotion_rule_results(promotion=obj))]

    def get_forecast(self, obj: Promotion) -> dict[str, Any]:
        from coop.promotion_selectors import promotion_cost_forecast

        f = promotion_cost_forecast(obj)
        return {
            "currency": f.currency,
            "vendor_cost": str(f.vendor_cost),
            "merchandising_fee": str(f.merchandising_fee),
            "capped_by_budget": f.capped_by_budget,
            "brand_part": str(f.brand_part),
            "other_part": str(f.other_part),
            "items": [
                {
                    "asin": i.asin,
                    "units": i.units,
                    "vendor_cost": str(i.vendor_cost),
                    "customer_discount_per_unit": None
                    if i.customer_discount_per_unit is None
                    else str(i.customer_discount_per_unit),
                    "amazon_invest_per_unit": None
                    if i.amazon_invest_per_unit is None
                    else str(i.amazon_invest_per_unit),
                    "vendor_share": None if i.vendor_share is None else str(i.vendor_share),
                }
                for i in f.items
            ],
        }

    def get_performance(self, obj: Promotion) -> dict[str, Any] | None:
        from coop.promotion_selectors import promotion_performance

        perf = promotion_performance(promotion=obj)
        return None if perf is None else dict(PerformanceSerializer(perf).data)


class ItemInputSerializer(serializers.Serializer[ItemInput]):
    asin = serializers.CharField(max_length=10)
    reference_price = serializers.DecimalField(required=False, allow_null=True, **_MONEY)  # type: ignore[arg-type]
    promo_price = serializers.DecimalField(required=False, allow_null=True, **_MONEY)  # type: ignore[arg-type]
    per_unit_funding = serializers.DecimalField(required=False, default=Decimal("0"), **_MONEY)  # type: ignore[arg-type]
    units_forecast = serializers.IntegerField(required=False, default=0, min_value=0)
    discount_type = serializers.ChoiceField(
        choices=[("", ""), *PromotionItem.DiscountType.choices], required=False, default=""
    )
    discount_amount = serializers.DecimalField(
        required=False, allow_null=True, max_digits=12, decimal_places=2, min_value=Decimal("0")
    )

    def to_input(self, data: dict[str, Any]) -> ItemInput:
        return ItemInput(
            asin=data["asin"].strip().upper(),
            reference_price=data.get("reference_price"),
            promo_price=data.get("promo_price"),
            per_unit_funding=data.get("per_unit_funding", Decimal("0")),
            units_forecast=data.get("units_forecast", 0),
            discount_type=data.get("discount_type", ""),
            discount_amount=data.get("discount_amount"),
        )


class PromotionInputSerializer(serializers.Serializer[Any]):
    """Create or replace a draft: the header, aware start/end instants (any offset) and the items."""

    vendor_code = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=PromotionType.choices)
    event = serializers.IntegerField(required=False, allow_null=True)
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    funding_method = serializers.ChoiceField(
        choices=Promotion.FundingMethod.choices, default=Promotion.FundingMethod.PER_UNIT_FUNDING
    )
    merchandising_fee = serializers.DecimalField(default=Decimal("0"), **_MONEY)  # type: ignore[arg-type]
    max_units = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    coupon_budget = serializers.DecimalField(required=False, allow_null=True, **_MONEY)  # type: ignore[arg-type]
    coupon_fee_per_redemption = serializers.DecimalField(default=Decimal("0.60"), **_MONEY)  # type: ignore[arg-type]
    brand_funding_share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), default=Decimal("100")
    )
    jbp_plan = serializers.IntegerField(required=False, allow_null=True)
    funding_agreement = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    items = ItemInputSerializer(many=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_at"] <= attrs["start_at"]:
            raise serializers.ValidationError({"end_at": "The promotion must end after it starts."})
        return attrs


class TransitionInputSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=40)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    amazon_promotion_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class MoveInputSerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField(required=False, min_value=-400, max_value=400)
    start_at = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "days" not in attrs and "start_at" not in attrs:
            raise serializers.ValidationError("Give either days (a shift) or start_at (a new start).")
        return attrs
