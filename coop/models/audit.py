"""The append-only audit trail of money-moving transitions (ARCHITECTURE.md access model, §5.2).

Rows are written once by services and never changed: `save()` on an existing row, `delete()`, and
queryset `update()` / `delete()` all raise. Foreign keys into the trail are PROTECT so no cascade
can remove it either.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar
from typing import NoReturn
from typing import TypeVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from planning.models import Brand
from planning.scoping import BrandScopedManager
from planning.scoping import BrandScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class ImmutableRecordError(Exception):
    """Someone tried to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(BrandScopedQuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecordError(f"{self.model.__name__} rows are append-only; they cannot be updated")

    def delete(self) -> NoReturn:
        raise ImmutableRecordError(f"{self.model.__name__} rows are append-only; they cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        raise ImmutableRecordError(f"{self.model.__name__} rows are append-only; they cannot be updated")


class AppendOnlyManager(BrandScopedManager[_M]):
    def get_queryset(self) -> AppendOnlyQuerySet[_M]:
        return AppendOnlyQuerySet(self.model, using=self._db)


class AppendOnlyModel(models.Model):
    """Abstract base: insert once, never update, never delete."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} #{self.pk} is append-only and cannot be changed")
        # force_insert: a hand-set primary key must fail rather than silently overwrite a row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecordError(f"{type(self).__name__} #{self.pk} is append-only and cannot be deleted")


class AuditRecord(AppendOnlyModel):
    """One transition of a co-op object: who, when, from/to status, the object before and after."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=60, help_text="e.g. allocation.approve, agreement.accept")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the system acted (a scheduled task).",
    )
    actor_roles = models.CharField(max_length=200, blank=True, help_text="The actor's roles in the brand then.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = AppendOnlyManager["AuditRecord"]()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
