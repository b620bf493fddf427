"""The project's URLs with the alert pages and API mounted (until reviews/urls.py and reviews/api/urls.py
include them): alert routes come first, so "alerts/" resolves to the inbox, not the coming-soon page."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/", include("reviews.alert_urls")),
    path("api/v1/", include("reviews.api.alert_urls")),
    *project_urlpatterns,
]
