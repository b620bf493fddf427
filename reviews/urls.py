from __future__ import annotations

from django.urls import include
from django.urls import path

from reviews import views

urlpatterns = [
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/export.xlsx", views.review_export, name="review-export"),
    path("reviews/<int:pk>/transition/", views.review_transition_view, name="review-transition"),
    path("reviews/<int:pk>/actions/", views.action_item_add, name="action-item-add"),
    path("reviews/actions/<int:pk>/status/", views.action_item_status, name="action-item-status"),
    path("reviews/mbr/<int:brand_id>/<str:month>/", views.mbr_live, name="mbr-live"),
    path("reviews/mbr/<int:brand_id>/<str:month>/export.xlsx", views.mbr_live_export, name="mbr-live-export"),
    path("reviews/asin/<int:vendor_code_id>/<str:asin>/", views.asin_trend, name="asin-trend"),
    path("alerts/", include("reviews.alert_urls")),
]
