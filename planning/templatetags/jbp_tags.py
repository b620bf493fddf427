"""Template helpers for the JBP pages: numbers in the unit of their metric."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

from django import template

register = template.Library()
DASH = "—"


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def metric_value(value: Any, kind: str) -> str:
    """A target or actual in its unit: money with cents, whole units, or a fraction as a percentage.

    None is an em dash (undefined), never 0.
    """
    if value is None or value == "":
        return DASH
    number = Decimal(value)
    if kind == "ratio":
        return f"{_grouped(number * 100, 1)} %"
    if kind == "count":
        return _grouped(number, 0)
    return _grouped(number, 2)


@register.filter
def pct(value: Any) -> str:
    """An attainment fraction as a whole-ish percentage (0.836 -> "83.6 %"); None -> em dash."""
    if value is None or value == "":
        return DASH
    return f"{_grouped(Decimal(value) * 100, 1)} %"


@register.filter
def status_badge(status: str) -> str:
    return {
        "DRAFT": "text-bg-secondary",
        "INTERNAL_REVIEW": "text-bg-info",
        "SUBMITTED_TO_AMAZON": "text-bg-primary",
        "NEGOTIATING": "text-bg-warning",
        "AGREED": "text-bg-success",
        "ACTIVE": "text-bg-success",
        "CLOSED": "text-bg-dark",
        "SUPERSEDED": "text-bg-light border",
    }.get(status, "text-bg-secondary")


@register.filter
def attainment_class(value: Any) -> str:
    """Colour of an attainment: red under 70 % of pace, amber under 100 %, green at or above."""
    if value is None or value == "":
        return "text-muted"
    number = Decimal(value)
    if number < Decimal("0.70"):
        return "text-danger fw-semibold"
    if number < 1:
        return "text-warning-emphasis"
    return "text-success"


@register.filter
def bar_width(value: Any) -> int:
    """A progress bar width in percent, capped at 100."""
    if value is None or value == "":
        return 0
    return max(0, min(100, int(Decimal(value) * 100)))
