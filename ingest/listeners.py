"""How ingest tells the apps above it that facts changed, without importing them.

coop and reviews register a callable in their AppConfig.ready(); the import pipeline calls every
listener after the import's transaction has committed, once per import, with what changed.
Listeners must be cheap (enqueue a debounced task) and must not raise: an error is logged and the
next listener still runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FactsChanged:
    import_id: int | None
    fact_table: str  # a key of ingest.parsers.facts.FACT_COLUMNS
    vendor_code_ids: tuple[int, ...]  # planning.VendorCode ids touched (may be empty for ads/AMS)
    marketplace_ids: tuple[str, ...]  # Amazon marketplace ids touched
    period_start: date | None
    period_end: date | None


Listener = Callable[[FactsChanged], None]
_listeners: dict[str, Listener] = {}


def register_listener(name: str, listener: Listener) -> None:
    """Register (or replace, so ready() running twice is harmless) a listener under a unique name."""
    _listeners[name] = listener


def announce(event: FactsChanged) -> None:
    for name, listener in list(_listeners.items()):
        try:
            listener(event)
        except Exception:  # one broken listener must not stop the others or fail the import
            logger.exception("facts-changed listener %s failed for %s", name, event)


def registered_listeners() -> dict[str, Listener]:
    return dict(_listeners)
