"""Reviews API: rollups (read-only, filtered, paginated), business reviews and their action items.

Every queryset is scoped to the caller's brands (another brand's review or item is a 404). Rollup rows
come with the ratios derived from their own sums (derive_ratios, computed per page: never stored).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.models import Brand
from planning.models import VendorCode
from planning.scoping import get_for_user_or_404
from reviews.api.filters import ActionItemFilter
from reviews.api.filters import AdsRollupFilter
from reviews.api.filters import BusinessReviewFilter
from reviews.api.filters import RollupFilter
from reviews.api.serializers import ActionItemCreateSerializer
from reviews.api.serializers import ActionItemSerializer
from reviews.api.serializers import ActionItemUpdateSerializer
from reviews.api.serializers import AdsRollupRowSerializer
from reviews.api.serializers import BusinessReviewCreateSerializer
from reviews.api.serializers import BusinessReviewDetailSerializer
from reviews.api.serializers import BusinessReviewSerializer
from reviews.api.serializers import RollupRowSerializer
from reviews.api.serializers import TransitionSerializer
from reviews.metrics import acos
from reviews.metrics import aged_share
from reviews.metrics import asn_accuracy
from reviews.metrics import asn_on_time
from reviews.metrics import average_weekly_units
from reviews.metrics import confirmation_rate
from reviews.metrics import conversion
from reviews.metrics import cpa
from reviews.metrics import cpc
from reviews.metrics import ctr
from reviews.metrics import cvr
from reviews.metrics import po_on_time_rate
from reviews.metrics import ppoos
from reviews.metrics import ratio
from reviews.metrics import receive_fill_rate
from reviews.metrics import return_rate
from reviews.metrics import roas
from reviews.metrics import weeks_of_cover
from reviews.models import ActionItem
from reviews.models import AdsRollup
from reviews.models import BusinessReview
from reviews.models import Rollup
from reviews.rollup_sql import ROLLUP_MEASURES
from reviews.selectors.mbr import text
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
ADS_MEASURES = ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units")


def row_ratios(row: dict[str, Any]) -> dict[str, Any]:
    """The ratios of one stored row from its own sums, with the scalar functions of reviews.metrics (the
    same definitions derive_ratios applies to frames; a page of 500 rows needs no DataFrame)."""
    shipped, days = row["shipped_units"], row["shipped_days"]
    weekly = average_weekly_units(shipped, days) if shipped is not None and days else None
    return {
        "return_rate": return_rate(row["customer_returns"], row["shipped_units"]),
        "conversion": conversion(row["ordered_units"], row["glance_views"]),
        "ppoos_rate": ppoos(row["oos_glance_views"], row["ppoos_glance_views"]),
        "aged_share": aged_share(
            row["aged_90_plus_days_sellable_inventory_units"], row["sellable_on_hand_inventory_units"]
        ),
        "net_ppm": ratio(row["net_ppm_margin"], row["net_ppm_revenue"]),
        "vendor_confirmation_rate": confirmation_rate(row["confirmed_units"], row["requested_units"]),
        "receive_fill_rate": receive_fill_rate(row["received_units"], row["confirmed_units"]),
        "po_on_time_rate": po_on_time_rate(row["on_time_units"], row["confirmed_units"]),
        "asn_on_time_rate": asn_on_time(row["asns_in_time"], row["asns_judged"]),
        "asn_accuracy": asn_accuracy(row["shipments_accurate"], row["shipments_checked"]),
        "weeks_of_cover": weeks_of_cover(row["sellable_on_hand_inventory_units"], weekly)
        if row["sellable_on_hand_inventory_units"] is not None
        else None,
        "sell_through": row["sell_through_reported"],
    }


def _vendor_code_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    """vendor code id -> (code, Amazon marketplace id), for the rows of one page."""
    rows = VendorCode.objects.filter(pk__in=ids).values_list("pk", "code", "marketplace__amazon_marketplace_id")
    return {pk: (code, market) for pk, code, market in rows}


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

    serializer_class = RollupRowSerializer  # documents the rows in the OpenAPI schema
    filterset_class = RollupFilter
    ordering_fields = ("period_start", "dimension_value")
    ordering = ("vendor_code_id", "grain", "dimension", "period_start", "dimension_value", "distributor_view")

    def get_queryset(self) -> QuerySet[Rollup]:
        return Rollup.objects.for_user(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # No joins in the paginated query: COUNT(*) over a join of 180,000 rows cost more than the page.
        queryset = self.filter_queryset(self.get_queryset()).values(*ROLLUP_KEYS, *ROLLUP_MEASURES, "vendor_code_id")
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        names = _vendor_code_names({row["vendor_code_id"] for row in rows})
        out = [
            {
                **{k: _plain(row[k]) for k in ROLLUP_KEYS},
                "vendor_code": names[row["vendor_code_id"]][0],
                "marketplace": names[row["vendor_code_id"]][1],
                "sums": {k: _plain(row[k]) for k in ROLLUP_MEASURES},
                "ratios": {k: text(v) for k, v in row_ratios(row).items()},
            }
            for row in rows
        ]
        return self.get_paginated_response(out) if page is not None else Response(out)


@extend_schema(tags=["rollups"])
class AdsRollupListApi(generics.ListAPIView):
    """Advertising rollups per ad product, each with its attribution window (filters as for rollups,
    plus ad_product). Ratios per row: CTR, CPC, CVR (orders / clicks), ACoS, ROAS, CPA."""

    serializer_class = AdsRollupRowSerializer  # documents the rows in the OpenAPI schema
    filterset_class = AdsRollupFilter
    ordering = ("vendor_code_id", "grain", "dimension", "period_start", "dimension_value", "ad_product")

    def get_queryset(self) -> QuerySet[AdsRollup]:
        return AdsRollup.objects.for_user(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        keys = (*(k for k in ROLLUP_KEYS if k not in ("distributor_view", "selling_program")), "ad_product")
        queryset = self.filter_queryset(self.get_queryset()).values(
            *keys, "vendor_code_id", "attribution_window", "report_types", *ADS_MEASURES
        )
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        names = _vendor_code_names({row["vendor_code_id"] for row in rows})
        out = []
        for row in rows:
            spend, sales, clicks = row["ad_spend"], row["ad_sales"], row["clicks"]
            out.append(
                {
                    **{k: _plain(row[k]) for k in keys},
                    "vendor_code": names[row["vendor_code_id"]][0],
                    "marketplace": names[row["vendor_code_id"]][1],
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
