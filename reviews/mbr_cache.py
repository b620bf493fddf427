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


def _changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    from reviews.selectors.mbr import fx_rates_changed
    from reviews.selectors.mbr import rollups_changed

    if sender._meta.label_lower == "reviews.fxrate":
        transaction.on_commit(fx_rates_changed)
        return
    if not _is_input(sender):
        return
    brand_id = brand_id_of(instance)
    if brand_id is not None:
        transaction.on_commit(lambda: rollups_changed([brand_id]))


def connect_mbr_cache() -> None:
    """Called from ReviewsConfig.ready(); dispatch_uid keeps a second call from connecting twice."""
    post_save.connect(_changed, dispatch_uid=f"{_DISPATCH_UID}.save")
    post_delete.connect(_changed, dispatch_uid=f"{_DISPATCH_UID}.delete")
