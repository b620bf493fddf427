from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path

from reviews.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("rollups/", views.RollupListApi.as_view(), name="api-rollup-list"),
    path("ads-rollups/", views.AdsRollupListApi.as_view(), name="api-ads-rollup-list"),
    path("reviews/", views.BusinessReviewListApi.as_view(), name="api-review-list"),
    path("reviews/<int:pk>/", views.BusinessReviewDetailApi.as_view(), name="api-review-detail"),
    path("reviews/<int:pk>/transition/", views.BusinessReviewTransitionApi.as_view(), name="api-review-transition"),
    path("action-items/", views.ActionItemListApi.as_view(), name="api-action-item-list"),
    path("action-items/<int:pk>/", views.ActionItemDetailApi.as_view(), name="api-action-item-detail"),
    path("", include("reviews.api.alert_urls")),
]
