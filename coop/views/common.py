"""Helpers shared by the co-op pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.exceptions import ApplicationError


def run_service(request: HttpRequest, call: Callable[[], Any], *, success: str) -> Any | None:
    """Call a service; show its refusal as an error message instead of a crash. Returns the result
    or None when the service refused."""
    try:
        result = call()
    except ApplicationError as exc:  # PermissionRefused included: the message says which role is needed
        messages.error(request, exc.message)
        return None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, success)
    return result


def current_brand(request: HttpRequest) -> Any:
    return getattr(request, "brand", None)
