"""URL map: one include per app for pages and one per app for the REST API under /api/v1/."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularSwaggerView

from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # REST API
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("planning.api.urls")),
    path("api/v1/", include("ingest.api.urls")),
    path("api/v1/", include("coop.api.urls")),
    path("api/v1/", include("reviews.api.urls")),
    # Pages
    path("", include("planning.urls")),
    path("", include("ingest.urls")),
    path("", include("coop.urls")),
    path("", include("reviews.urls")),
]
