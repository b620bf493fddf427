"""Test URLconf: the project's URLs with the promotion pages and API wired in.

coop/urls.py (owned by the co-op pages) still maps "promotions/" to a placeholder until the include
lands there; these tests put the real pages first so they resolve. Same paths, same names.
"""

from __future__ import annotations

from django.urls import include
from django.urls import path

# Registers the promotion admin before the admin's URLs are built (coop/admin.py will import it too;
# a module imports once, so the registration never happens twice).
import coop.promotion_admin  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("promotions/", include("coop.promotion_urls")),
    path("api/v1/", include("coop.api.promotion_urls")),
    *project_urlpatterns,
]
