"""Alert pages, included under "alerts/" (the include replaces the coming-soon "alerts/" route of
reviews/urls.py; "alert-list" keeps its name)."""

from __future__ import annotations

from django.urls import path

from reviews import alert_views as views

urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("rules/", views.alert_rules, name="alert-rules"),
    path("rules/<str:code>/", views.alert_rule_edit, name="alert-rule-edit"),
    path("rules/<str:code>/reset/", views.alert_rule_reset, name="alert-rule-reset"),
    path("benchmarks/new/", views.benchmark_edit, name="alert-benchmark-create"),
    path("benchmarks/<int:pk>/", views.benchmark_edit, name="alert-benchmark-edit"),
    path("benchmarks/<int:pk>/delete/", views.benchmark_delete, name="alert-benchmark-delete"),
    path("preferences/", views.alert_preferences, name="alert-preferences"),
    path("<int:pk>/", views.alert_detail, name="alert-detail"),
    path("<int:pk>/<slug:action>/", views.alert_action, name="alert-action"),
]
