"""Test URLconf: the project's URLs with the promotion pages and API wired in.

coop/urls.py (owned by the co-op pages) still maps "promotions/" to a placeholder until the include
lands there; these tests put the real pages first so they resolve. Same paths, same names.
"""

from __future__ import annotations

from django.urls import include
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("promotions/", include("coop.promotion_urls")),
    path("api/v1/", include("coop.api.promotion_urls")),
    *project_urlpatterns,
]
