from __future__ import annotations

from django.urls import path

from planning.views import coming_soon

urlpatterns = [
    path("coop/", coming_soon, {"section": "Co-op"}, name="coop-home"),
    path("promotions/", coming_soon, {"section": "Promotions"}, name="promotion-list"),
]
