"""Template helpers of the promotion pages: badge colours, money and local times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from coop.promotion_models import Promotion
from coop.promotion_models import PromotionType
from coop.promotion_selectors import TYPE_CSS
from coop.promotion_selectors import status_css

register = template.Library()


@register.filter
def promo_type_css(value: str) -> str:
    try:
        return TYPE_CSS.get(PromotionType(value), "type-other")
    except ValueError:
        return "type-other"


@register.filter
def promo_status_css(value: str) -> str:
    return status_css(value)


@register.filter
def promo_status_label(value: str) -> str:
    try:
        return str(Promotion.Status(value).label)
    except ValueError:
        return value


@register.filter
def money(value: Decimal | None, places: int = 2) -> str:
    """1234.5 -> "1,234.50"; None is an em dash (not reported), never 0."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.{int(places)}f}"


@register.filter
def signed_money(value: Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    return f"{'+' if amount > 0 else ''}{amount:,.2f}"


@register.filter
def local(value: datetime | None, tz_name: str) -> datetime | None:
    """An instant as wall-clock time in a marketplace's time zone, for |date formatting.

    Naive on purpose: the date filter converts aware datetimes to the site's time zone (UTC) first,
    which would undo the conversion. Pages say which marketplace's time they show.
    """
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(tz_name)).replace(tzinfo=None)
