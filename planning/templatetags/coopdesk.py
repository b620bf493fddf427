"""Template helpers for the layout and the catalog tables."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def startswith(value: str, prefix: str) -> bool:
    """`{% if request.path|startswith:"/catalog" %}`: marks the current section in the navigation."""
    return str(value).startswith(prefix)


@register.simple_tag
def sort_state(current: str, key: str) -> str:
    """ "asc" or "desc" when the list is sorted by `key`, else "" (drives the header arrow and aria-sort)."""
    if current == key:
        return "asc"
    if current == f"-{key}":
        return "desc"
    return ""


@register.simple_tag
def next_sort(current: str, key: str) -> str:
    """The sort a header link should ask for: ascending first, then toggling direction."""
    return f"-{key}" if current == key else key


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    """A fraction shown as a percentage with fixed places (0.025 -> "2.5 %"); None is an em dash, never 0 %."""
    if value is None or value == "":
        return "—"
    scaled = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{scaled:f} %"


_GTIN_KINDS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}


@register.filter
def gtin_kind(value: str) -> str:
    """The GS1 name of a UPC/EAN by its length (12 digits is a UPC-A)."""
    return _GTIN_KINDS.get(len(value or ""), "GTIN")
