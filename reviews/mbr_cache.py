"""Keeping cached live MBR pages honest when what they show changes outside the rollups.

A live MBR page is cached under its brand's version (reviews.selectors.mbr.cached_mbr_data); a rollup
recompute makes a new version. The page also shows co-op money (accruals, invoices, deductions,
chargebacks, disputes), promotions, JBP targets, the catalog and open alerts: a change to any of those
rows makes a new version of the brand's pages once the change commits, and a new FX rate makes a new
version of every brand's pages (rates are not per brand).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete
from django.db.models.signals import post_save

# Apps whose brand-scoped rows appear on the MBR page (every model there declares `brand_lookup`).
MBR_INPUT_APPS = frozenset({"coop", "planning"})
# reviews' own rows that the live page shows.
MBR_INPUT_MODELS = frozenset({"reviews.alert"})
_DISPATCH_UID = "reviews.mbr_cache"


def brand_id_of(instance: Model) -> int | None:
    """The brand of a scoped row, found by walking its `brand_lookup` path through loaded relations."""
    lookup: str | None = getattr(type(instance), "brand_lookup", None)
    if not lookup:
        return None
    if lookup == "id":  # the Brand itself
        return int(instance.pk) if instance.pk is not None else None
    *path, last = lookup.split("__")
    obj: Any = instance
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    value = getattr(obj, f"{last}_id", None)
    return int(value) if value is not None else None


def _is_input(sender: type[Model]) -> bool:
    meta = sender._meta
    return meta.app_label in MBR_INPUT_APPS or meta.label_lower in MBR_INPUT_MODELS


class _BrandChanged:
    """The on-commit callback that gives a brand's cached pages a new version."""

    def __init__(self, brand_id: int) -> None:
        self.brand_id = brand_id

    def __call__(self) -> None:
        from reviews.selectors.mbr import rollups_changed

        rollups_changed([self.brand_id])


def _fx_changed() -> None:
    from reviews.selectors.mbr import fx_rates_changed

    fx_rates_changed()


def _pending(match: Any) -> bool:
    """Whether the current atomic block already holds a matching on-commit callback: a service saving a
    thousand rows of one brand bumps its version once, not a thousand times. Only callbacks of the same
    savepoint level count: Django drops a savepoint's callbacks when it rolls back, and a save in another
    level registers its own (at worst one bump more, never one less)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    level = set(connection.savepoint_ids)
    return any(sids == level and match(func) for sids, func, _ in connection.run_on_commit)


def _changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if sender._meta.label_lower == "reviews.fxrate":
        if not _pending(lambda func: func is _fx_changed):
            transaction.on_commit(_fx_changed)
        return
    if not _is_input(sender):
        return
    brand_id = brand_id_of(instance)
    if brand_id is not None and not _pending(
        lambda func: isinstance(func, _BrandChanged) and func.brand_id == brand_id
    ):
        transaction.on_commit(_BrandChanged(brand_id))


def connect_mbr_cache() -> None:
    """Called from ReviewsConfig.ready(); dispatch_uid keeps a second call from connecting twice."""
    post_save.connect(_changed, dispatch_uid=f"{_DISPATCH_UID}.save")
    post_delete.connect(_changed, dispatch_uid=f"{_DISPATCH_UID}.delete")
