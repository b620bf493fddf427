"""Writing the append-only audit trail and the JSON snapshots it stores."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from coop.models import AuditRecord
from planning.roles import user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def json_value(value: Any) -> Any:
    """Decimals as strings (no float rounding in the trail), dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def model_snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named concrete fields of a row, JSON-safe (FKs as ids)."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        snapshot[name] = json_value(getattr(instance, attname))
    return snapshot


def audit_record(
    *,
    target: models.Model,
    brand_id: int,
    action: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditRecord:
    """Append one audit row; call it inside the transaction that made the change."""
    roles = ", ".join(sorted(user_roles(actor, brand_id))) if actor is not None else "system"
    return AuditRecord.objects.create(
        brand_id=brand_id,
        content_type=ContentType.objects.get_for_model(type(target)),
        object_id=target.pk,
        object_repr=str(target)[:200],
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_roles=roles[:200],
        before=json_value(before) if before is not None else None,
        after=json_value(after) if after is not None else None,
        comment=comment,
    )
