"""Template helpers of the MBR pages: numbers from their decimal strings, coloured deltas, em dashes.

Every value arrives as a decimal string (or None) from reviews.selectors.mbr, so frozen snapshots and
live pages format the same way. None is an em dash (undefined), never 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django import template

register = template.Library()
DASH = "—"
MINUS = "\u2212"  # a typographic minus lines up with "+" in tabular figures


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def money(value: Any) -> str:
    number = _decimal(value)
    return DASH if number is None else _grouped(number, 2)


@register.filter
def count(value: Any) -> str:
    number = _decimal(value)
    return DASH if number is None else _grouped(number, 0)


@register.filter
def pct(value: Any) -> str:
    """A fraction as a percentage with one decimal (0.0625 -> "6.3 %")."""
    number = _decimal(value)
    return DASH if number is None else f"{_grouped(number * 100, 1)} %"


@register.filter
def number(value: Any) -> str:
    number_ = _decimal(value)
    return DASH if number_ is None else _grouped(number_, 2)


@register.filter
def kpi_value(kpi: dict[str, Any], field: str = "value") -> str:
    """A KPI's value (or its target, mom_prior, ...) in its unit."""
    value = kpi.get(field)
    kind = kpi.get("kind")
    if kind == "ratio":
        return pct(value)
    if kind == "count":
        return count(value)
    if kind == "money":
        return money(value)
    if kind == "score":
        score = _decimal(value)
        return DASH if score is None else _grouped(score, 1)
    return number(value)


def _rounded_change(kpi: dict[str, Any], which: str) -> Decimal | None:
    """The change as shown (percent or points, one decimal): what colour and arrow must agree with."""
    number_ = _decimal(kpi.get(which))
    if number_ is None:
        return None
    return (number_ * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register.filter
def change(kpi: dict[str, Any], which: str = "mom") -> str:
    """MoM or YoY change: relative for sums (+12.5 %), fraction points for ratios (+1.2 pp)."""
    shown = _rounded_change(kpi, which)
    if shown is None:
        return DASH
    sign = "+" if shown > 0 else (MINUS if shown < 0 else "±")
    unit = "pp" if kpi.get("change_kind") == "pp" else "%"
    return f"{sign}{abs(shown):,.1f} {unit}"


@register.filter
def change_class(kpi: dict[str, Any], which: str = "mom") -> str:
    """good / bad / flat for a change, respecting the KPI's direction (ACoS up is bad), with its colour."""
    shown = _rounded_change(kpi, which)
    direction = kpi.get("direction")
    if shown is None or shown == 0 or direction == "neutral":
        return "flat text-body-secondary"
    good = (shown > 0) == (direction == "up")
    return "good text-success" if good else "bad text-danger"


@register.filter
def arrow(kpi: dict[str, Any], which: str = "mom") -> str:
    shown = _rounded_change(kpi, which)
    if shown is None or shown == 0:
        return "bi-dash"
    return "bi-arrow-up-right" if shown > 0 else "bi-arrow-down-right"


@register.filter
def signed_pct(value: Any) -> str:
    number_ = _decimal(value)
    if number_ is None:
        return DASH
    sign = "+" if number_ > 0 else (MINUS if number_ < 0 else "±")
    return f"{sign}{_grouped(abs(number_) * 100, 1)} %"


@register.filter
def signed_money(value: Any) -> str:
    number_ = _decimal(value)
    if number_ is None:
        return DASH
    sign = "+" if number_ > 0 else (MINUS if number_ < 0 else "")
    return f"{sign}{_grouped(abs(number_), 2)}"


@register.filter
def pace_class(value: Any) -> str:
    """Attainment colour: red under 70 % of pace, amber under 100 %, green at or above."""
    number_ = _decimal(value)
    if number_ is None:
        return "text-muted"
    if number_ < Decimal("0.7"):
        return "text-danger"
    if number_ < 1:
        return "text-warning-emphasis"
    return "text-success"


@register.filter
def status_badge(status: str) -> str:
    return {
        "SCHEDULED": "text-bg-secondary",
        "DATA_FROZEN": "text-bg-info",
        "PRESENTED": "text-bg-primary",
        "ACTIONS_ASSIGNED": "text-bg-warning",
        "CLOSED": "text-bg-dark",
        "OPEN": "text-bg-light border",
        "IN_PROGRESS": "text-bg-primary",
        "DONE": "text-bg-success",
        "DROPPED": "text-bg-secondary",
    }.get(status, "text-bg-secondary")


@register.filter
def severity_badge(severity: str) -> str:
    return {
        "critical": "text-bg-danger",
        "high": "text-bg-danger",
        "medium": "text-bg-warning",
        "low": "text-bg-secondary",
    }.get(str(severity).lower(), "text-bg-secondary")


@register.filter
def iso_datetime(value: Any) -> str:
    """An ISO timestamp from a snapshot as local date and time ("27 Nov 2026, 09:14")."""
    from datetime import datetime

    from django.utils import timezone

    if not value:
        return DASH
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d %b %Y, %H:%M}".lstrip("0")


@register.filter
def iso_date(value: Any) -> str:
    from datetime import date

    if not value:
        return DASH
    try:
        return f"{date.fromisoformat(str(value)[:10]):%d %b %Y}".lstrip("0")
    except ValueError:
        return str(value)
