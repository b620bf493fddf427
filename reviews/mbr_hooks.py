"""What other parts of reviews add to the MBR page without the page importing them.

The alerts module registers a provider of the brand's open alerts from ReviewsConfig.ready():

    register_open_alerts(lambda brand_id, marketplace_id, month: [...])

It returns dicts with title, severity (critical|high|medium|low), status, triggered_at (ISO text) and
url. Until one is registered the MBR's "Open alerts" section says so. A failing provider is logged and
shown as unavailable: it never takes the page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

logger = logging.getLogger(__name__)

OpenAlerts = Callable[[int, int | None, date], list[dict[str, Any]]]
_open_alerts: OpenAlerts | None = None


def register_open_alerts(provider: OpenAlerts | None) -> None:
    """Install (or replace; None removes) the provider of open alerts for the MBR page."""
    global _open_alerts
    _open_alerts = provider


def open_alerts(brand_id: int, marketplace_id: int | None, month: date) -> list[dict[str, Any]] | None:
    """The open alerts, or None when no provider is registered or it failed."""
    if _open_alerts is None:
        return None
    try:
        return list(_open_alerts(brand_id, marketplace_id, month))
    except Exception:  # a broken provider degrades to "unavailable", never a 500 on the MBR page
        logger.exception("open-alerts provider failed for brand %s", brand_id)
        return None
