"""Promotion pages, included under "promotions/" by coop/urls.py."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import path

from coop import promotion_views as views

urlpatterns: list[URLPattern] = [
    path("", views.promotion_list, name="promotion-list"),
    path("calendar/", views.promotion_calendar, name="promotion-calendar"),
    path("results/", views.promotion_results, name="promotion-results"),
    path("new/", views.promotion_create_view, name="promotion-create"),
    path("check/", views.promotion_check_view, name="promotion-check"),
    path("<int:pk>/", views.promotion_detail, name="promotion-detail"),
    path("<int:pk>/edit/", views.promotion_edit_view, name="promotion-edit"),
    path("<int:pk>/move/", views.promotion_move_view, name="promotion-move"),
    path("<int:pk>/transition/", views.promotion_transition_view, name="promotion-transition"),
    path("<int:pk>/prices/", views.price_observation_create, name="promotion-price-create"),
]
