from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def brand_context(request: HttpRequest) -> dict[str, Any]:
    """The user's brands for the switcher and the brand currently chosen."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from planning.models import Brand

    return {
        "user_brands": list(Brand.objects.for_user(request.user).only("id", "name")),
        "current_brand": getattr(request, "brand", None),
    }
