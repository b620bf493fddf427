"""JBP API: plans (list, detail, create, update while a draft), targets (bulk upsert), workflow
transitions and new versions as actions calling services, and version differences.

Every object is fetched through planning.scoping, so another brand's plan is a 404. Business-rule
refusals raised by services become 400 (or 403 for roles) through core.api's exception handler.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.api.jbp_serializers import PlanCreateInputSerializer
from planning.api.jbp_serializers import PlanDetailSerializer
from planning.api.jbp_serializers import PlanNewVersionInputSerializer
from planning.api.jbp_serializers import PlanSerializer
from planning.api.jbp_serializers import PlanTargetDiffSerializer
from planning.api.jbp_serializers import PlanTransitionInputSerializer
from planning.api.jbp_serializers import PlanUpdateInputSerializer
from planning.api.jbp_serializers import TargetSerializer
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_selectors import jbp_plan_list
from planning.jbp_selectors import jbp_version_diff
from planning.jbp_services import jbp_targets_upsert
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import get_for_user_or_404
from planning.services import jbp_plan_create
from planning.services import jbp_plan_new_version
from planning.services import jbp_plan_transition
from planning.services import jbp_plan_update


def _plan(request: Request, pk: int) -> JBPPlan:
    return get_for_user_or_404(
        JBPPlan.objects.select_related("brand", "marketplace", "created_by"), request.user, pk=pk
    )


def _detail(plan: JBPPlan) -> dict[str, Any]:
    plan = (
        JBPPlan.objects.select_related("brand", "marketplace", "created_by")
        .prefetch_related(
            "vendor_codes",
            "targets",
            "investments",
            Prefetch("transitions", queryset=JBPPlanTransition.objects.select_related("actor").order_by("at", "pk")),
        )
        .get(pk=plan.pk)
    )
    return dict(PlanDetailSerializer(plan).data)


def _vendor_codes(brand: Brand, marketplace: Marketplace, codes: list[str]) -> list[VendorCode]:
    found = list(VendorCode.objects.filter(brand=brand, marketplace=marketplace, code__in=codes))
    missing = sorted(set(codes) - {vc.code for vc in found})
    if missing:
        raise serializers.ValidationError(
            {"vendor_codes": f"Not vendor codes of {brand.name} on {marketplace.domain}: {', '.join(missing)}."}
        )
    return found


@extend_schema(tags=["plans"])
class PlanListCreateApi(GenericAPIView[JBPPlan]):
    """GET: the caller's plans (filters: brand, status, year). POST: create a plan (version 1, DRAFT)."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        brand = None
        if params.get("brand", "").isdigit():
            brand = Brand.objects.for_user(self.request.user).filter(pk=int(params["brand"])).first()
            if brand is None:
                return JBPPlan.objects.none()
        year = params.get("year", "")
        return jbp_plan_list(
            user=self.request.user,
            brand=brand,
            status=params.get("status", ""),
            year=int(year) if year.isdigit() else None,
            include_superseded=params.get("include_superseded") in ("1", "true"),
        ).prefetch_related("vendor_codes")

    @extend_schema(
        operation_id="plans_list",
        parameters=[
            OpenApiParameter("brand", int),
            OpenApiParameter("status", str),
            OpenApiParameter("year", int),
            OpenApiParameter("include_superseded", bool),
        ],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        operation_id="plans_create", request=PlanCreateInputSerializer, responses={201: PlanDetailSerializer}
    )
    def post(self, request: Request) -> Response:
        data = PlanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        brand = Brand.objects.for_user(request.user).filter(pk=values["brand"]).first()
        if brand is None:
            raise serializers.ValidationError({"brand": f"No brand {values['brand']} among yours."})
        marketplace = Marketplace.objects.filter(amazon_marketplace_id=values["marketplace"]).first()
        if marketplace is None:
            raise serializers.ValidationError({"marketplace": f"Unknown marketplace id {values['marketplace']}."})
        codes = (
            _vendor_codes(brand, marketplace, values["vendor_codes"])
            if values["vendor_codes"]
            else list(VendorCode.objects.filter(brand=brand, marketplace=marketplace, is_active=True))
        )
        plan = jbp_plan_create(
            user=request.user,
            brand=brand,
            marketplace=marketplace,
            horizon=values["horizon"],
            period_start=values["period_start"],
            period_end=values["period_end"],
            plan_year=values.get("plan_year"),
            vendor_codes=codes,
            title=values["title"],
            amazon_counterpart=values["amazon_counterpart"],
            notes=values["notes"],
            seasonal_weights=values["seasonal_weights"],
        )
        return Response(_detail(plan), status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanDetailApi(APIView):
    """GET: a plan with its targets, investments and transition log. PATCH: change a draft's header."""

    @extend_schema(operation_id="plans_retrieve", responses=PlanDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(_plan(request, pk)))

    @extend_schema(
        operation_id="plans_partial_update", request=PlanUpdateInputSerializer, responses=PlanDetailSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = PlanUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "vendor_codes" in values:
            values["vendor_codes"] = _vendor_codes(plan.brand, plan.marketplace, values["vendor_codes"])
        jbp_plan_update(plan=plan, user=request.user, data=values)
        return Response(_detail(plan))


@extend_schema(tags=["plans"])
class PlanTargetsApi(APIView):
    """GET: the plan's targets. POST: a list of targets to create, update or (target_value null) delete,
    keyed by metric, dimension and period. All or nothing: any invalid row refuses the batch with the
    errors of every row (extra.rows: row index, field, value, message)."""

    @extend_schema(operation_id="plans_targets_list", responses=TargetSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        return Response(TargetSerializer(plan.targets.all(), many=True).data)

    @extend_schema(
        operation_id="plans_targets_upsert", request=TargetSerializer(many=True), responses=TargetSerializer(many=True)
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        rows = request.data
        if not isinstance(rows, list):
            raise serializers.ValidationError({"non_field_errors": "Expected a JSON list of targets."})
        result = jbp_targets_upsert(plan=plan, user=request.user, rows=rows, atomic=True)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "unchanged": result.unchanged,
                "targets": TargetSerializer(plan.targets.all(), many=True).data,
            }
        )


@extend_schema(tags=["plans"])
class PlanTransitionApi(APIView):
    """POST {"action": ..., "comment": ...}: take a workflow step (DOMAIN.md §5.1)."""

    @extend_schema(
        operation_id="plans_transition", request=PlanTransitionInputSerializer, responses=PlanDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = PlanTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jbp_plan_transition(
            plan=plan, user=request.user, action=data.validated_data["action"], comment=data.validated_data["comment"]
        )
        return Response(_detail(plan))


@extend_schema(tags=["plans"])
class PlanNewVersionApi(APIView):
    """POST: copy a negotiating, agreed or active plan into version+1 (DRAFT)."""

    @extend_schema(
        operation_id="plans_new_version", request=PlanNewVersionInputSerializer, responses={201: PlanDetailSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        data = PlanNewVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = jbp_plan_new_version(plan=plan, user=request.user, comment=data.validated_data["comment"])
        return Response(_detail(new), status=status.HTTP_201_CREATED)


@extend_schema(tags=["plans"])
class PlanDiffApi(APIView):
    """GET ?against=<plan id>: target-by-target differences between two versions of the same plan."""

    @extend_schema(
        operation_id="plans_diff",
        parameters=[OpenApiParameter("against", int)],
        responses=PlanTargetDiffSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = _plan(request, pk)
        against = request.query_params.get("against", "")
        other = _plan(request, int(against)) if against.isdigit() else None
        if other is None:
            if plan.previous_version_id is None:
                raise serializers.ValidationError({"against": "Give the id of the version to compare with."})
            other = _plan(request, plan.previous_version_id)
        if (other.brand_id, other.marketplace_id, other.plan_year, other.series) != (
            plan.brand_id,
            plan.marketplace_id,
            plan.plan_year,
            plan.series,
        ):
            raise Http404("Only versions of the same plan can be compared.")
        old, new = (other, plan) if other.version < plan.version else (plan, other)
        diff = jbp_version_diff(old=old, new=new)
        rows = [
            {
                "metric": change.key[0],
                "dimension_type": change.key[1],
                "dimension_value": change.key[2],
                "period_start": change.key[3],
                "period_end": change.key[4],
                "change": change.change,
                "old_value": change.old.target_value if change.old else None,
                "new_value": change.new.target_value if change.new else None,
                "changed_fields": list(change.changed_fields),
            }
            for change in diff.targets
            if change.change != "unchanged"
        ]
        return Response(
            {
                "old": {"id": old.pk, "version": old.version},
                "new": {"id": new.pk, "version": new.version},
                "counts": diff.counts,
                "targets": PlanTargetDiffSerializer(rows, many=True).data,
            }
        )
