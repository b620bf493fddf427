from __future__ import annotations

from django.urls import path

from planning.views import coming_soon

urlpatterns = [
    path("imports/", coming_soon, {"section": "Imports"}, name="import-list"),
]
