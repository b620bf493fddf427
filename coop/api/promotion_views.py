"""Promotion API: list, detail, create and edit drafts, items, workflow actions, rule checks, moves,
the calendar feed and the post-event summary. Every queryset is scoped to the caller's brands, so
another brand's promotion is a 404; role checks happen in the services (403 with the reason)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coop.api.promotion_serializers import EventSerializer
from coop.api.promotion_serializers import ItemInputSerializer
from coop.api.promotion_serializers import MoveInputSerializer
from coop.api.promotion_serializers import PromotionDetailSerializer
from coop.api.promotion_serializers import PromotionInputSerializer
from coop.api.promotion_serializers import PromotionItemSerializer
from coop.api.promotion_serializers import PromotionListSerializer
from coop.api.promotion_serializers import TransitionInputSerializer
from coop.api.promotion_serializers import rule_result_json
from coop.models import CoopAgreement
from coop.promotion_models import EventCalendar
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionType
from coop.promotion_selectors import calendar_feed
from coop.promotion_selectors import promotion_calendar
from coop.promotion_selectors import promotion_cost_forecast
from coop.promotion_selectors import promotion_post_event_summary
from coop.promotion_selectors import promotion_rule_results
from coop.promotion_selectors import sorted_results
from coop.promotion_services import PromotionInput
from coop.promotion_services import promotion_create
from coop.promotion_services import promotion_move
from coop.promotion_services import promotion_transition
from coop.promotion_services import promotion_update
from core.exceptions import ApplicationError
from core.periods import month_start
from core.periods import parse_month
from planning.models import JBPPlan
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import get_for_user_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PromotionFilter(django_filters.FilterSet):
    marketplace = django_filters.CharFilter(field_name="marketplace__amazon_marketplace_id")
    type = django_filters.ChoiceFilter(field_name="promotion_type", choices=PromotionType.choices)
    status = django_filters.ChoiceFilter(choices=Promotion.Status.choices)
    category = django_filters.CharFilter(field_name="items__product__category", distinct=True)
    asin = django_filters.CharFilter(field_name="items__asin", distinct=True)
    starts_after = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt")
    ends_after = django_filters.IsoDateTimeFilter(field_name="end_at", lookup_expr="gte")

    class Meta:
        model = Promotion
        fields = ("brand", "vendor_code", "marketplace", "type", "status", "event")


def _user(request: Request) -> User:
    """The authenticated caller (the API's default permission refuses anonymous requests)."""
    return cast("User", request.user)


def _to_input(request: Request, data: dict[str, Any]) -> PromotionInput:
    """Resolve ids to the caller's own rows (another brand's id is a 404, like a page)."""
    user = request.user
    vendor_code = get_for_user_or_404(
        VendorCode.objects.select_related("marketplace", "brand"), user, pk=data["vendor_code"]
    )
    event = None
    if data.get("event"):
        event = EventCalendar.objects.filter(pk=data["event"]).first()
        if event is None:
            raise ApplicationError(f"Unknown event {data['event']}.", extra={"field": "event"})
    plan = get_for_user_or_404(JBPPlan.objects.all(), user, pk=data["jbp_plan"]) if data.get("jbp_plan") else None
    agreement = (
        get_for_user_or_404(CoopAgreement.objects.all(), user, pk=data["funding_agreement"])
        if data.get("funding_agreement")
        else None
    )
    items = [ItemInputSerializer().to_input(item) for item in data["items"]]
    return PromotionInput(
        vendor_code=vendor_code,
        name=data["name"],
        promotion_type=data["type"],
        start_at=data["start_at"],
        end_at=data["end_at"],
        event=event,
        funding_method=data["funding_method"],
        merchandising_fee=data["merchandising_fee"],
        max_units=data.get("max_units"),
        coupon_budget=data.get("coupon_budget"),
        coupon_fee_per_redemption=data["coupon_fee_per_redemption"],
        brand_funding_share_pct=data["brand_funding_share_pct"],
        jbp_plan=plan,
        funding_agreement=agreement,
        notes=data.get("notes", ""),
        items=items,
    )


def _existing_input(promotion: Promotion, items: list[Any]) -> PromotionInput:
    return PromotionInput(
        vendor_code=promotion.vendor_code,
        name=promotion.name,
        promotion_type=promotion.promotion_type,
        start_at=promotion.start_at,
        end_at=promotion.end_at,
        event=promotion.event,
        funding_method=promotion.funding_method,
        merchandising_fee=promotion.merchandising_fee,
        max_units=promotion.max_units,
        coupon_budget=promotion.coupon_budget,
        coupon_fee_per_redemption=promotion.coupon_fee_per_redemption,
        brand_funding_share_pct=promotion.brand_funding_share_pct,
        jbp_plan=promotion.jbp_plan,
        funding_agreement=promotion.funding_agreement,
        notes=promotion.notes,
        items=items,
    )


@extend_schema(tags=["promotions"])
class PromotionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Promotions of the caller's brands. Writes go through the promotion services."""

    queryset = Promotion.objects.all()
    serializer_class = PromotionListSerializer
    filterset_class = PromotionFilter
    ordering_fields = ("start_at", "end_at", "created_at", "name", "status")
    ordering = ("-start_at",)

    def get_queryset(self) -> QuerySet[Promotion]:
        qs = (
            Promotion.objects.for_user(self.request.user)
            .select_related("brand", "vendor_code", "marketplace", "event")
            .prefetch_related("items")
        )
        if self.action == "retrieve":
            qs = qs.select_related("jbp_plan", "funding_agreement").prefetch_related("transitions__actor")
        return qs.order_by("-start_at", "-id")

    def get_serializer_class(self) -> Any:
        return PromotionDetailSerializer if self.action == "retrieve" else PromotionListSerializer

    def _detail(self, promotion: Promotion, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            self.get_queryset()
            .select_related("jbp_plan", "funding_agreement")
            .prefetch_related("transitions__actor")
            .get(pk=promotion.pk)
        )
        return Response(PromotionDetailSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=PromotionInputSerializer, responses={201: PromotionDetailSerializer})
    def create(self, request: Request) -> Response:
        serializer = PromotionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promotion = promotion_create(user=_user(request), data=_to_input(request, serializer.validated_data))
        return self._detail(promotion, code=status.HTTP_201_CREATED)

    @extend_schema(request=PromotionInputSerializer, responses={200: PromotionDetailSerializer})
    def update(self, request: Request, pk: str | None = None) -> Response:
        promotion = self.get_object()
        serializer = PromotionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = promotion_update(
            promotion=promotion, user=_user(request), data=_to_input(request, serializer.validated_data)
        )
        return self._detail(updated)

    @extend_schema(request=ItemInputSerializer(many=True), responses={200: PromotionItemSerializer(many=True)})
    @action(detail=True, methods=["get", "put"])
    def items(self, request: Request, pk: str | None = None) -> Response:
        """GET the items; PUT replaces them all (drafts only)."""
        promotion = self.get_object()
        if request.method == "PUT":
            serializer = ItemInputSerializer(data=request.data, many=True)
            serializer.is_valid(raise_exception=True)
            items = [ItemInputSerializer().to_input(item) for item in serializer.validated_data]
            promotion = promotion_update(
                promotion=promotion, user=_user(request), data=_existing_input(promotion, items)
            )
        return Response(PromotionItemSerializer(promotion.items.order_by("asin"), many=True).data)

    @extend_schema(request=TransitionInputSerializer, responses={200: PromotionDetailSerializer})
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        """Apply a workflow action: request_approval, approve, send_back, submit, mark_pending,
        mark_approved, mark_needs_attention, mark_rejected, reopen, cancel, mark_running,
        mark_did_not_run, mark_suppressed, mark_ended, mark_invoiced, mark_reconciled.
        A refusal by Amazon's rules is a 400 whose extra.rule_failures lists every failed rule."""
        promotion = self.get_object()
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = promotion_transition(promotion=promotion, user=_user(request), **serializer.validated_data)
        return self._detail(changed)

    @action(detail=True, methods=["get"])
    def rules(self, request: Request, pk: str | None = None) -> Response:
        """Every rule that applies, failures first, as of now."""
        promotion = self.get_object()
        results = sorted_results(promotion_rule_results(promotion=promotion))
        return Response(
            {
                "passed": all(r.passed for r in results),
                "results": [rule_result_json(r) for r in results],
                "forecast_vendor_cost": str(promotion_cost_forecast(promotion).vendor_cost),
            }
        )

    @extend_schema(request=MoveInputSerializer, responses={200: PromotionDetailSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move a draft by whole local days, or to a new start keeping its length; the answer
        carries the re-checked rules."""
        promotion = self.get_object()
        serializer = MoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = promotion_move(
            promotion=promotion,
            user=_user(request),
            days=serializer.validated_data.get("days", 0),
            start_at=serializer.validated_data.get("start_at"),
        )
        return self._detail(moved)

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=["month", "quarter"]),
            OpenApiParameter("start", str, description="YYYY-MM; the quarter view shows the quarter holding it"),
            OpenApiParameter("marketplace", str, description="Amazon marketplace id"),
            OpenApiParameter("category", str),
            OpenApiParameter("brand", int),
        ]
    )
    @action(detail=False, methods=["get"])
    def calendar(self, request: Request) -> Response:
        """The calendar feed: promotions touching the window with conflicts, rule failures and cost forecasts."""
        params = request.query_params
        try:
            anchor = parse_month(params["start"]) if params.get("start") else month_start(timezone.localdate())
        except ValueError as exc:
            raise ApplicationError(str(exc), extra={"field": "start", "value": params.get("start")}) from exc
        marketplace = None
        if params.get("marketplace"):
            marketplace = Marketplace.objects.filter(amazon_marketplace_id=params["marketplace"]).first()
            if marketplace is None:
                raise ApplicationError(
                    f"Unknown marketplace {params['marketplace']!r}.", extra={"field": "marketplace"}
                )
        brand = None
        if params.get("brand"):
            from planning.models import Brand

            brand = get_for_user_or_404(Brand.objects.all(), request.user, pk=params["brand"])
        data = promotion_calendar(
            user=request.user,
            brand=brand,
            view=params.get("view", "month"),
            anchor=anchor,
            marketplace=marketplace,
            category=params.get("category", ""),
        )
        return Response(calendar_feed(data))

    @extend_schema(parameters=[OpenApiParameter("from", date), OpenApiParameter("to", date)])
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        """Post-event summary: promotions that ended in [from, to] with results, and totals per currency."""
        try:
            first = date.fromisoformat(request.query_params["from"])
            last = date.fromisoformat(request.query_params["to"])
        except (KeyError, ValueError) as exc:
            raise ApplicationError("Give from and to as YYYY-MM-DD.", extra={"fields": ["from", "to"]}) from exc
        summary = promotion_post_event_summary(user=request.user, start=first, end=last)
        return Response(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "promotions": PromotionListSerializer(summary.rows, many=True).data,
                "totals": [
                    {
                        "currency": t.currency,
                        "promotions": t.promotions,
                        "units_sold": t.units_sold,
                        "revenue": str(t.revenue),
                        "vendor_cost": str(t.vendor_cost),
                        "incremental_revenue": None if t.incremental_revenue is None else str(t.incremental_revenue),
                        "lift": None if t.lift is None else str(t.lift),
                        "roi": None if t.roi is None else str(t.roi),
                    }
                    for t in summary.totals
                ],
            }
        )


@extend_schema(tags=["promotions"])
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The event calendar (Prime Day, Prime Big Deal Days, BFCM, ...), the same for every brand."""

    queryset = EventCalendar.objects.select_related("marketplace").order_by("start_date", "name")
    serializer_class = EventSerializer
    filterset_fields = ("kind",)
