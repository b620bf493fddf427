"""Alert API, included by reviews/api/urls.py under /api/v1/."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.api import alert_views as views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="api-alert")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("alert-rules/", views.AlertRuleListApi.as_view(), name="api-alert-rule-list"),
    path("alert-rules/<int:brand_id>/<str:code>/", views.AlertRuleDetailApi.as_view(), name="api-alert-rule-detail"),
    path("alert-benchmarks/", views.BenchmarkListApi.as_view(), name="api-alert-benchmark-list"),
    path("alert-preferences/me/", views.AlertPreferenceApi.as_view(), name="api-alert-preference"),
]
