from __future__ import annotations

from django.urls import path

from planning.views import coming_soon

urlpatterns = [
    path("reviews/", coming_soon, {"section": "Reviews"}, name="review-list"),
    path("alerts/", coming_soon, {"section": "Alerts"}, name="alert-list"),
]
