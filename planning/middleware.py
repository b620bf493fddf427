"""Puts the brand chosen in the brand switcher on the request (`request.brand`, None = all brands)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http import HttpResponse

SESSION_KEY = "coopdesk_brand_id"


class CurrentBrandMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.brand = None  # type: ignore[attr-defined]
        brand_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if brand_id and request.user.is_authenticated:
            from planning.models import Brand

            # Scoped lookup: a stale or forged id for another brand silently falls back to "all".
            request.brand = Brand.objects.for_user(request.user).filter(pk=brand_id).first()  # type: ignore[attr-defined]
        return self.get_response(request)
