"""Project-wide views: the health check."""

from __future__ import annotations

import os

from django.db import connection
from django.http import HttpRequest
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app


def _database_status() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message helps the operator
        return {"status": "down", "error": str(exc)[:200]}
    return {"status": "up", "vendor": connection.vendor}


def _broker_status() -> dict[str, str]:
    url = celery_app.conf.broker_url or ""
    transport = url.split("://", 1)[0]
    try:
        if transport == "filesystem":
            # The embedded broker is a folder: it is "up" when the worker can write messages there.
            folder = (celery_app.conf.broker_transport_options or {}).get("data_folder_in", "")
            if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                raise OSError(f"broker folder {folder!r} is missing or not writable")
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors; all mean "unreachable"
        return {"status": "down", "transport": transport, "error": str(exc)[:200]}
    return {"status": "up", "transport": transport}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise, with each part's status."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(check["status"] == "up" for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
