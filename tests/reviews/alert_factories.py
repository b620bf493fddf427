"""Helpers for the alert tests: findings, alerts and rule inputs with only the fields a test reasons about."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from planning.models import Brand
from planning.models import Product
from planning.models import VendorCode
from reviews.alert_models import Alert
from reviews.alert_models import AlertRule
from reviews.alert_rules import EntityRef
from reviews.alert_services import effective_rules


def product_entity(product: Product) -> EntityRef:
    return EntityRef("planning.product", str(product.pk), product.asin, f"/catalog/{product.pk}/")


def vendor_code_entity(vc: VendorCode) -> EntityRef:
    return EntityRef("planning.vendorcode", str(vc.pk), vc.code, f"/vendor-codes/{vc.pk}/")


def make_alert(
    brand: Brand,
    *,
    code: str = "OOS_RISK",
    entity: Any = None,
    severity: str = "critical",
    status: str = Alert.Status.OPEN,
    triggered_at: datetime | None = None,
    period_key: str = "",
    title: str = "",
    **fields: Any,
) -> Alert:
    """An alert written straight to the table (for page, API and digest tests)."""
    rule: AlertRule = effective_rules(brand.pk)[code]
    target = entity if entity is not None else brand
    return Alert.objects.create(
        rule=rule,
        code=code,
        brand=brand,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        entity_label=str(target)[:200],
        entity_url=fields.pop("entity_url", ""),
        period_key=period_key,
        title=title or f"{code} on {target}",
        measured_value=fields.pop("measured_value", Decimal("2.5")),
        threshold=fields.pop("threshold", Decimal("4")),
        unit=fields.pop("unit", "weeks"),
        severity=severity,
        status=status,
        triggered_at=triggered_at or timezone.now(),
        **fields,
    )
