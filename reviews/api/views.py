"""Reviews API: rollups (read-only, filtered, paginated), business reviews and their action items.

Every queryset is scoped to the caller's brands (another brand's review or item is a 404). Rollup rows
come with the ratios derived from their own sums (derive_ratios, computed per page: never stored).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.models import Brand
from planning.scoping import get_for_user_or_404
from reviews.api.filters import ActionItemFilter
from reviews.api.filters import AdsRollupFilter
from reviews.api.filters import BusinessReviewFilter
from reviews.api.filters import RollupFilter
from reviews.api.serializers import ActionItemCreateSerializer
from reviews.api.serializers import ActionItemSerializer
from reviews.api.serializers import ActionItemUpdateSerializer
from reviews.api.serializers import BusinessReviewCreateSerializer
from reviews.api.serializers import BusinessReviewDetailSerializer
from reviews.api.serializers import BusinessReviewSerializer
from reviews.api.serializers import TransitionSerializer
from reviews.metrics import acos
from reviews.metrics import cpa
from reviews.metrics import cpc
from reviews.metrics import ctr
from reviews.metrics import cvr
from reviews.metrics import roas
from reviews.models import ActionItem
from reviews.models import AdsRollup
from reviews.models import BusinessReview
from reviews.models import Rollup
from reviews.rollup_sql import ROLLUP_MEASURES
from reviews.selectors.mbr import text
from reviews.selectors.rollups import derive
from reviews.services.business_reviews import action_item_create
from reviews.services.business_reviews import action_item_update
from reviews.services.business_reviews import review_create
from reviews.services.business_reviews import review_transition

ROLLUP_KEYS = (
    "id",
    "grain",
    "period_start",
    "period_end",
    "dimension",
    "dimension_value",
    "distributor_view",
    "selling_program",
    "currency",
    "computed_at",
)
ROW_RATIOS = (
    "return_rate",
    "conversion",
    "ppoos_rate",
    "aged_share",
    "net_ppm",
    "vendor_confirmation_rate",
    "receive_fill_rate",
    "po_on_time_rate",
    "asn_on_time_rate",
    "asn_accuracy",
    "weeks_of_cover",
    "sell_through",
)
ADS_MEASURES = ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@extend_schema(tags=["rollups"])
class RollupListApi(generics.ListAPIView):
    """Weekly and monthly rollups (filters: vendor_code, marketplace, grain, dimension, dimension_value,
    period_start_after, period_start_before, distributor_view, selling_program, brand). Sums as stored;
    `ratios` derived from the row's own sums (null where undefined; sell-through only when Amazon
    reported it for the whole period, since the recomputed one needs the previous period's stock)."""

    filterset_class = RollupFilter
    ordering_fields = ("period_start", "dimension_value")
    ordering = ("vendor_code_id", "grain", "dimension", "period_start", "dimension_value", "distributor_view")

    def get_queryset(self) -> QuerySet[Rollup]:
        return Rollup.objects.for_user(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset()).values(
            *ROLLUP_KEYS,
            *ROLLUP_MEASURES,
            "vendor_code_id",
            vendor_code_code=F("vendor_code__code"),
            marketplace_code=F("marketplace__amazon_marketplace_id"),
        )
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        frame = derive(rows)
        out = []
        for index, row in enumerate(rows):
            derived: Any = frame.iloc[index] if not frame.empty else {}
            out.append(
                {
                    **{k: _plain(row[k]) for k in ROLLUP_KEYS},
                    "vendor_code": row["vendor_code_code"],
                    "marketplace": row["marketplace_code"],
                    "sums": {k: _plain(row[k]) for k in ROLLUP_MEASURES},
                    "ratios": {k: text(derived[k]) if k in derived else None for k in ROW_RATIOS},
                }
            )
        return self.get_paginated_response(out) if page is not None else Response(out)


@extend_schema(tags=["rollups"])
class AdsRollupListApi(generics.ListAPIView):
    """Advertising rollups per ad product, each with its attribution window (filters as for rollups,
    plus ad_product). Ratios per row: CTR, CPC, CVR (orders / clicks), ACoS, ROAS, CPA."""

    filterset_class = AdsRollupFilter
    ordering = ("vendor_code_id", "grain", "dimension", "period_start", "dimension_value", "ad_product")

    def get_queryset(self) -> QuerySet[AdsRollup]:
        return AdsRollup.objects.for_user(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        keys = (*(k for k in ROLLUP_KEYS if k not in ("distributor_view", "selling_program")), "ad_product")
        queryset = self.filter_queryset(self.get_queryset()).values(
            *keys,
            "attribution_window",
            "report_types",
            *ADS_MEASURES,
            vendor_code_code=F("vendor_code__code"),
            marketplace_code=F("marketplace__amazon_marketplace_id"),
        )
        page = self.paginate_queryset(queryset)
        out = []
        for row in page if page is not None else queryset:
            spend, sales, clicks = row["ad_spend"], row["ad_sales"], row["clicks"]
            out.append(
                {
                    **{k: _plain(row[k]) for k in keys},
                    "vendor_code": row["vendor_code_code"],
                    "marketplace": row["marketplace_code"],
                    "attribution_window": row["attribution_window"],
                    "spend_from": row["report_types"],
                    "sums": {k: _plain(row[k]) for k in ADS_MEASURES},
                    "ratios": {
                        "ctr": text(ctr(clicks, row["impressions"])),
                        "cpc": text(cpc(spend, clicks)),
                        "cvr": text(cvr(row["ad_orders"], clicks)),
                        "acos": text(acos(spend, sales)),
                        "roas": text(roas(sales, spend)),
                        "cpa": text(cpa(spend, row["ad_orders"])),
                    },
                }
            )
        return self.get_paginated_response(out) if page is not None else Response(out)


@extend_schema(tags=["reviews"])
class BusinessReviewListApi(generics.ListAPIView):
    """GET: the caller's reviews (filters: brand, marketplace, review_type, status, month_after, month_before).
    POST: schedule a review (brand managers and vendor ops)."""

    serializer_class = BusinessReviewSerializer
    filterset_class = BusinessReviewFilter
    ordering = ("-month", "brand_id", "review_type")

    def get_queryset(self) -> QuerySet[BusinessReview]:
        return BusinessReview.objects.for_user(self.request.user).select_related("brand", "marketplace")

    @extend_schema(request=BusinessReviewCreateSerializer, responses={201: BusinessReviewSerializer})
    def post(self, request: Request) -> Response:
        incoming = BusinessReviewCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        brand = get_for_user_or_404(Brand.objects.all(), request.user, pk=data["brand"].pk)
        review = review_create(
            user=request.user,
            brand=brand,
            month=data["month"],
            marketplace=data.get("marketplace"),
            review_type=data["review_type"],
            meeting_date=data.get("meeting_date"),
            attendees=data["attendees"],
            notes=data["notes"],
        )
        return Response(BusinessReviewSerializer(review).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class BusinessReviewDetailApi(generics.RetrieveAPIView):
    """One review with its frozen metrics snapshot (null until DATA_FROZEN) and its action items."""

    serializer_class = BusinessReviewDetailSerializer

    def get_queryset(self) -> QuerySet[BusinessReview]:
        return (
            BusinessReview.objects.for_user(self.request.user)
            .select_related("brand", "marketplace")
            .prefetch_related("action_items__owner")
        )


@extend_schema(tags=["reviews"])
class BusinessReviewTransitionApi(APIView):
    """POST {"to_status": "DATA_FROZEN", "comment": ""}: the next §5.6 step (400 when not the next one)."""

    @extend_schema(request=TransitionSerializer, responses={200: BusinessReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = get_for_user_or_404(BusinessReview.objects.all(), request.user, pk=pk)
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        review = review_transition(
            review=review,
            user=request.user,
            to_status=incoming.validated_data["to_status"],
            comment=incoming.validated_data["comment"],
        )
        return Response(BusinessReviewSerializer(review).data)


@extend_schema(tags=["reviews"])
class ActionItemListApi(generics.ListAPIView):
    """GET: action items of the caller's reviews (filters: review, owner, status, open). POST: add one."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering = ("due_date", "id")

    def get_queryset(self) -> QuerySet[ActionItem]:
        return ActionItem.objects.for_user(self.request.user).select_related("owner", "review")

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def post(self, request: Request) -> Response:
        incoming = ActionItemCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        review = get_for_user_or_404(BusinessReview.objects.all(), request.user, pk=data["review"])
        item = action_item_create(
            review=review,
            user=request.user,
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            status=data["status"],
            notes=data["notes"],
            alert_id=data["alert_id"],
            initiative_id=data["initiative"],
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class ActionItemDetailApi(generics.RetrieveAPIView):
    """GET one action item; PATCH title, owner, due_date, status or notes."""

    serializer_class = ActionItemSerializer

    def get_queryset(self) -> QuerySet[ActionItem]:
        return ActionItem.objects.for_user(self.request.user).select_related("owner", "review__brand")

    @extend_schema(request=ActionItemUpdateSerializer, responses={200: ActionItemSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        incoming = ActionItemUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        item = action_item_update(item=item, user=request.user, **incoming.validated_data)
        return Response(ActionItemSerializer(item).data)
