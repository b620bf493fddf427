"""The project's URLs with the alert pages, API and admin mounted (until reviews/urls.py, reviews/api/urls.py
and reviews/admin.py include them): alert routes come first, so "alerts/" resolves to the inbox, not the
coming-soon page, and "admin/" to an admin that knows the alert models."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path

import reviews.alert_admin  # noqa: F401  (registers the alert models with the admin site)
from config.urls import urlpatterns as project_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/", include("reviews.alert_urls")),
    path("api/v1/", include("reviews.api.alert_urls")),
    path("admin/", admin.site.urls),
    *project_urlpatterns,
]
