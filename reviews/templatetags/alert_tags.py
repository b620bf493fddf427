"""Formatting for the alert pages and emails: measured values by unit, severity and status badges."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

from reviews.alert_rules import Unit
from reviews.alert_rules.base import DATE
from reviews.alert_rules.base import DATETIME
from reviews.alert_rules.base import parameter_label

register = template.Library()

_SEVERITY_CLASSES = {
    "critical": "text-bg-danger",
    "high": "text-bg-warning",
    "medium": "text-bg-info",
    "low": "text-bg-light border",
}
_SEVERITY_ICONS = {
    "critical": "exclamation-octagon-fill",
    "high": "exclamation-triangle-fill",
    "medium": "exclamation-circle",
    "low": "info-circle",
}
_STATUS_CLASSES = {
    "OPEN": "text-bg-primary",
    "ACKNOWLEDGED": "text-bg-secondary",
    "ESCALATED": "text-bg-danger",
    "RESOLVED": "text-bg-success",
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _moment(value: Any, unit: str) -> str | None:
    """ISO dates and datetimes of the evidence, readable and in the current time zone."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        if unit == DATE:
            return f"{date.fromisoformat(value):%a %d %b %Y}"
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%a %d %b %Y %H:%M} {moment.tzname() or ''}".strip()


def format_measure(value: Any, unit: str, currency: str = "") -> str:
    """A value in its unit: ratio 0.075 -> '7.5 %', weeks -> '3.9 weeks', money -> '1,234.56 USD'; None -> '—'."""
    if unit in (DATE, DATETIME):
        return _moment(value, unit) or ("—" if value is None else str(value))
    number = _decimal(value)
    if number is None:
        return "—" if value is None or value == "" else str(value)
    if unit == Unit.RATIO:
        return f"{number * 100:,.1f} %"
    if unit == Unit.WEEKS:
        return f"{number:,.2f} weeks"
    if unit == Unit.HOURS:
        return f"{number:,.1f} h"
    if unit == Unit.DAYS:
        whole = int(number)
        return f"{whole:,} day{'s' if abs(whole) != 1 else ''}"
    if unit == Unit.UNITS:
        shown = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"
        return f"{shown} unit{'' if number == 1 else 's'}"
    if unit == Unit.MONEY:
        return f"{number:,.2f} {currency}".strip()
    return f"{number:,}"


@register.simple_tag
def measure(value: Any, unit: str, currency: str = "") -> str:
    return format_measure(value, unit, currency)


@register.filter
def evidence_value(number: dict[str, Any]) -> str:
    """One evidence number ({label, value, unit, currency}) as text."""
    return format_measure(number.get("value"), number.get("unit", ""), number.get("currency", ""))


@register.filter
def severity_class(severity: str) -> str:
    return _SEVERITY_CLASSES.get(severity, "text-bg-secondary")


@register.filter
def severity_icon(severity: str) -> str:
    return _SEVERITY_ICONS.get(severity, "bell")


@register.filter
def alert_status_class(status: str) -> str:
    return _STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def has_item(collection: Any, item: Any) -> bool:
    try:
        return item in collection
    except TypeError:
        return False


_LINK_ICONS = {
    "asin": "box-seam",
    "import": "cloud-arrow-up",
    "invoice": "receipt",
    "agreement": "file-earmark-text",
    "promotion": "tags",
    "dispute": "hourglass-split",
    "plan": "clipboard-data",
    "subscription": "broadcast",
    "vendor_code": "building",
}


@register.filter
def link_icon(kind: str) -> str:
    return _LINK_ICONS.get(kind, "link-45deg")


@register.filter
def param_label(name: str) -> str:
    """A parameter's name as words: "safety_weeks" -> "Safety weeks", "ppoos_threshold" -> "PPOOS threshold"."""
    return parameter_label(name)


@register.filter
def param_value(value: Any) -> str:
    """A parameter value as people read it: booleans as yes/no, empty as a dash."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None or value == "":
        return "—"
    return str(value)
