"""Alert REST API: lists and details read through the scoped selectors (another brand's alert is a 404);
lifecycle steps and rule changes are explicit actions calling the services, so the API keeps the same
rules (roles, required notes) as the pages. Refusals are 400/403 JSON (core.api)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.models import Brand
from reviews import alert_selectors as selectors
from reviews import alert_services as services
from reviews.alert_models import Alert
from reviews.alert_rules import SPECS
from reviews.api import alert_serializers as s


def _data(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _brand(request: Request, raw: Any, *, required: bool) -> Brand | None:
    """One of the user's brands from a query parameter, a 404 for anyone else's."""
    if raw in (None, ""):
        if required:
            raise serializers.ValidationError({"brand": ["Give the brand id (?brand=)."]})
        return None
    if not str(raw).isdigit():
        raise serializers.ValidationError({"brand": [f"Expected a brand id, got {raw!r}."]})
    return get_object_or_404(Brand.objects.for_user(request.user), pk=int(raw))


@extend_schema(
    tags=["alerts"],
    parameters=[
        OpenApiParameter("brand", int, description="Only this brand's alerts."),
        OpenApiParameter("severity", str, enum=["low", "medium", "high", "critical"]),
        OpenApiParameter("code", str, description="Rule code, e.g. OOS_RISK."),
        OpenApiParameter("status", str, description="active (default), all, OPEN, ACKNOWLEDGED, ESCALATED, RESOLVED."),
        OpenApiParameter("assigned", str, enum=["me", "none"]),
    ],
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Alert]):
    """The user's alerts, most severe first, and the lifecycle steps."""

    queryset = Alert.objects.none()
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> Any:
        return s.AlertDetailSerializer if self.action != "list" else s.AlertSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.alert_list(
            user=self.request.user,
            brand=_brand(self.request, params.get("brand"), required=False),
            severity=params.get("severity", ""),
            code=params.get("code", ""),
            status=params.get("status", selectors.ACTIVE),
            assigned=params.get("assigned", ""),
        ).select_related("content_type")

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(s.AlertDetailSerializer(self._get(pk)).data)

    def _get(self, pk: Any) -> Alert:
        if not str(pk).isdigit():
            raise serializers.ValidationError({"id": [f"Expected an alert id, got {pk!r}."]})
        alert = selectors.alert_get(user=self.request.user, pk=int(pk))
        return (
            Alert.objects.select_related("brand", "content_type", "assigned_to", "acknowledged_by", "resolved_by")
            .prefetch_related("events__actor")
            .get(pk=alert.pk)
        )

    def _out(self, alert: Alert) -> Response:
        return Response(s.AlertDetailSerializer(self._get(alert.pk)).data)

    @extend_schema(request=s.NoteInputSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.NoteInputSerializer, request)["note"]
        return self._out(services.alert_acknowledge(alert=self._get(pk), user=request.user, note=note))

    @extend_schema(request=s.AssignInputSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.AssignInputSerializer, request)
        alert = self._get(pk)
        assignee = None
        if data["user_id"] is not None:
            assignee = get_user_model().objects.filter(pk=data["user_id"]).first()
            if assignee is None:
                raise serializers.ValidationError({"user_id": [f"No user {data['user_id']}."]})
        return self._out(services.alert_assign(alert=alert, user=request.user, assignee=assignee, note=data["note"]))

    @extend_schema(request=s.RequiredNoteInputSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.RequiredNoteInputSerializer, request)["note"]
        return self._out(services.alert_resolve(alert=self._get(pk), user=request.user, note=note))

    @extend_schema(request=s.NoteInputSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.NoteInputSerializer, request)["note"]
        return self._out(services.alert_escalate(alert=self._get(pk), user=request.user, note=note))

    @extend_schema(request=s.RequiredNoteInputSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: Any = None) -> Response:
        alert = self._get(pk)
        services.alert_add_note(
            alert=alert, user=request.user, note=_data(s.RequiredNoteInputSerializer, request)["note"]
        )
        return self._out(alert)


@extend_schema(tags=["alerts"], parameters=[OpenApiParameter("brand", int, required=True)])
class AlertRuleListApi(APIView):
    """Every rule as it applies to one brand: severity, on/off and the effective parameters."""

    @extend_schema(responses=s.RuleSettingSerializer(many=True))
    def get(self, request: Request) -> Response:
        brand = _brand(request, request.query_params.get("brand"), required=True)
        assert brand is not None
        return Response(s.RuleSettingSerializer(selectors.rule_settings(brand=brand), many=True).data)


@extend_schema(tags=["alerts"])
class AlertRuleDetailApi(APIView):
    """One rule for one brand. PUT sets the brand's own parameters (validated against the rule's schema);
    DELETE drops them (the defaults apply again). Brand managers and vendor ops only."""

    def _setting(self, request: Request, brand_id: int, code: str) -> Any:
        brand = _brand(request, brand_id, required=True)
        assert brand is not None
        if code not in SPECS:
            raise serializers.ValidationError({"code": [f"Unknown rule {code!r}; expected one of {', '.join(SPECS)}."]})
        return brand, next(x for x in selectors.rule_settings(brand=brand) if x.spec.code == code)

    @extend_schema(responses=s.RuleSettingSerializer)
    def get(self, request: Request, brand_id: int, code: str) -> Response:
        _, setting = self._setting(request, brand_id, code)
        return Response(s.RuleSettingSerializer(setting).data)

    @extend_schema(request=s.RuleInputSerializer, responses=s.RuleSettingSerializer)
    def put(self, request: Request, brand_id: int, code: str) -> Response:
        brand, _ = self._setting(request, brand_id, code)
        data = _data(s.RuleInputSerializer, request)
        services.alert_rule_update(
            brand=brand,
            code=code,
            user=request.user,
            parameters=data["parameters"],
            severity=data["severity"],
            enabled=data["enabled"],
        )
        _, setting = self._setting(request, brand_id, code)
        return Response(s.RuleSettingSerializer(setting).data)

    @extend_schema(request=None, responses=s.RuleSettingSerializer)
    def delete(self, request: Request, brand_id: int, code: str) -> Response:
        brand, _ = self._setting(request, brand_id, code)
        services.alert_rule_reset(brand=brand, code=code, user=request.user)
        _, setting = self._setting(request, brand_id, code)
        return Response(s.RuleSettingSerializer(setting).data)


@extend_schema(tags=["alerts"], parameters=[OpenApiParameter("brand", int)])
class BenchmarkListApi(APIView):
    """Benchmarks the user sees: the shared ones and their brands' own."""

    @extend_schema(responses=s.BenchmarkSerializer(many=True))
    def get(self, request: Request) -> Response:
        brand = _brand(request, request.query_params.get("brand"), required=False)
        return Response(s.BenchmarkSerializer(selectors.benchmark_list(user=request.user, brand=brand), many=True).data)


@extend_schema(tags=["alerts"])
class AlertPreferenceApi(APIView):
    """The user's own digest preference."""

    @extend_schema(responses=s.PreferenceSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.PreferenceSerializer(services.preference_for(request.user)).data)

    @extend_schema(request=s.PreferenceSerializer, responses=s.PreferenceSerializer)
    def put(self, request: Request) -> Response:
        data = _data(s.PreferenceSerializer, request)
        pref = services.preference_update(
            user=request.user, frequency=data["frequency"], min_severity=data["min_severity"]
        )
        return Response(s.PreferenceSerializer(pref).data)
