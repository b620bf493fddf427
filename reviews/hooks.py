"""What runs after the rollups of some vendor codes and days were recomputed.

The rollup recompute (reviews.services.rollups) calls `run_after_rollup` once it has committed; other
parts of reviews (alert rules that read rollups, for instance) register a callable from
ReviewsConfig.ready(). Hooks must be cheap (enqueue a task) and must not raise: an error is logged and
the next hook still runs, so a broken hook never fails a recompute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from datetime import date

logger = logging.getLogger(__name__)

AfterRollup = Callable[[Sequence[int], date, date], None]
_hooks: dict[str, AfterRollup] = {}


def register_after_rollup(name: str, fn: AfterRollup) -> None:
    """Register (or replace, so ready() running twice is harmless) a hook under a unique name."""
    _hooks[name] = fn


def run_after_rollup(vendor_code_ids: Sequence[int], period_start: date, period_end: date) -> None:
    """Call every hook with the vendor codes and the day range whose rollups were just recomputed."""
    ids = sorted({int(i) for i in vendor_code_ids})
    for name, fn in list(_hooks.items()):
        try:
            fn(ids, period_start, period_end)
        except Exception:  # one broken hook must not stop the others or fail the recompute
            logger.exception("after-rollup hook %s failed for %s %s..%s", name, ids, period_start, period_end)


def registered_after_rollup() -> dict[str, AfterRollup]:
    return dict(_hooks)
