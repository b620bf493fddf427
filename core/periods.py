"""Calendar helpers for Amazon's periods. Pure functions, no ORM.

Amazon retail weeks run Sunday to Saturday (DOMAIN.md conventions); months are calendar months.
"""

from __future__ import annotations

import calendar
from datetime import date
from datetime import timedelta


def week_start(day: date) -> date:
    """The Sunday that starts the retail week containing `day`."""
    # date.weekday(): Monday 0 .. Sunday 6, so Sunday maps to 0 days back.
    return day - timedelta(days=(day.weekday() + 1) % 7)


def week_end(day: date) -> date:
    """The Saturday that ends the retail week containing `day`."""
    return week_start(day) + timedelta(days=6)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    return month_end(add_months(quarter_start(day), 2))


def parse_month(value: str) -> date:
    """'2026-03' -> date(2026, 3, 1); raises ValueError with the expected format otherwise."""
    try:
        year_text, month_text = value.split("-")
        return date(int(year_text), int(month_text), 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}") from exc


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from first's month to last's month, inclusive."""
    months: list[date] = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months
