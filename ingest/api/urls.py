from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path

from ingest.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", views.ImportListCreateApi.as_view(), name="api-import-list"),
    path("imports/<int:pk>/", views.ImportDetailApi.as_view(), name="api-import-detail"),
    path("imports/<int:pk>/errors/", views.ImportErrorsApi.as_view(), name="api-import-errors"),
    path("imports/<int:pk>/rerun/", views.ImportRerunApi.as_view(), name="api-import-rerun"),
]
