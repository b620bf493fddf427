"""Input and output serializers of the reviews API. Outputs only shape data; services write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from planning.models import Brand
from planning.models import Marketplace
from reviews.models import ActionItem
from reviews.models import BusinessReview


class UserRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    owner = UserRefSerializer(read_only=True)
    review_month = serializers.DateField(source="review.month", read_only=True)

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "review",
            "review_month",
            "title",
            "owner",
            "due_date",
            "status",
            "notes",
            "alert_id",
            "initiative",
            "completed_at",
            "created_at",
        )
        read_only_fields = fields


class ActionItemCreateSerializer(serializers.Serializer[Any]):
    review = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, default=ActionItem.Status.OPEN)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    alert_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    initiative = serializers.IntegerField(required=False, allow_null=True, default=None)


class ActionItemUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False)
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class BusinessReviewSerializer(serializers.ModelSerializer[BusinessReview]):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True, default=None)
    next_status = serializers.CharField(read_only=True)

    class Meta:
        model = BusinessReview
        fields = (
            "id",
            "brand",
            "brand_name",
            "month",
            "marketplace",
            "marketplace_id",
            "review_type",
            "status",
            "next_status",
            "meeting_date",
            "attendees",
            "notes",
            "frozen_at",
            "created_at",
        )
        read_only_fields = fields


class BusinessReviewDetailSerializer(BusinessReviewSerializer):
    metrics_snapshot = serializers.JSONField(read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta(BusinessReviewSerializer.Meta):
        fields = (*BusinessReviewSerializer.Meta.fields, "metrics_snapshot", "action_items")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


class BusinessReviewCreateSerializer(serializers.Serializer[Any]):
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    marketplace = serializers.PrimaryKeyRelatedField(
        queryset=Marketplace.objects.all(), required=False, allow_null=True
    )
    review_type = serializers.ChoiceField(
        choices=BusinessReview.ReviewType.choices, default=BusinessReview.ReviewType.MBR
    )
    meeting_date = serializers.DateField(required=False, allow_null=True)
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=BusinessReview.Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RollupRowSerializer(serializers.Serializer):
    """The documented shape of one rollup row (the view builds rows from `.values()` for speed)."""

    id = serializers.IntegerField()
    grain = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    dimension = serializers.CharField()
    dimension_value = serializers.CharField()
    distributor_view = serializers.CharField()
    selling_program = serializers.CharField()
    currency = serializers.CharField()
    computed_at = serializers.DateTimeField()
    vendor_code = serializers.CharField()
    marketplace = serializers.CharField()
    sums = serializers.DictField(help_text="raw sums as stored; money as decimal strings, null = not reported")
    ratios = serializers.DictField(help_text="fractions as decimal strings, null where undefined")


class AdsRollupRowSerializer(serializers.Serializer):
    """The documented shape of one advertising rollup row."""

    id = serializers.IntegerField()
    grain = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    dimension = serializers.CharField()
    dimension_value = serializers.CharField()
    currency = serializers.CharField()
    computed_at = serializers.DateTimeField()
    ad_product = serializers.CharField()
    vendor_code = serializers.CharField()
    marketplace = serializers.CharField()
    attribution_window = serializers.CharField()
    spend_from = serializers.JSONField(help_text="the report type(s) the spend was taken from")
    sums = serializers.DictField()
    ratios = serializers.DictField(help_text="ctr, cpc, cvr, acos, roas, cpa; null where undefined")
