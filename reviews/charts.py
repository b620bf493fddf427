"""One function per chart of the MBR and ASIN pages: derived monthly (or weekly) rows in, a JSON-able
Chart.js description out (static/js/mbr.js and asin_trend.js draw them).

Values are display numbers (floats are fine on a chart; the tables and exports keep Decimals). A
missing month is null, which Chart.js draws as a gap, never as 0. Ratios are sent as percentages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

Row = dict[str, Any] | None


def _num(row: Row, key: str, *, percent: bool = False) -> float | None:
    if row is None:
        return None
    value = row.get(key)
    if value is None or (hasattr(value, "__class__") and value.__class__.__name__ == "NAType"):
        return None
    number = float(Decimal(str(value)) * 100) if percent else float(value)
    return round(number, 4)


def _labels(periods: Sequence[date], grain: str = "MONTH") -> list[str]:
    if grain == "WEEK":
        return [f"{p:%d %b}" for p in periods]
    return [f"{p:%b %Y}" for p in periods]


def _dataset(label: str, data: list[float | None], *, kind: str, axis: str, color: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "data": data, "type": kind, "yAxisID": axis, "color": color, **extra}


def sales_trend(
    periods: Sequence[date], rows: Sequence[Row], last_year: Sequence[Row], currency: str
) -> dict[str, Any]:
    """Shipped COGS and ordered revenue per month, with last year's ordered revenue as a line."""
    return {
        "title": f"Sales ({currency})",
        "labels": _labels(periods),
        "axes": {"y": {"format": "money", "currency": currency}},
        "datasets": [
            _dataset(
                "Ordered revenue", [_num(r, "ordered_revenue") for r in rows], kind="bar", axis="y", color="#0d6efd"
            ),
            _dataset("Shipped COGS", [_num(r, "shipped_cogs") for r in rows], kind="bar", axis="y", color="#6ea8fe"),
            _dataset(
                "Ordered revenue last year",
                [_num(r, "ordered_revenue") for r in last_year],
                kind="line",
                axis="y",
                color="#adb5bd",
                dashed=True,
            ),
        ],
    }


def availability_trend(periods: Sequence[date], rows: Sequence[Row], grain: str = "MONTH") -> dict[str, Any]:
    """PPOOS, confirmation and fill rates (percent)."""
    return {
        "title": "Availability (%)",
        "labels": _labels(periods, grain),
        "axes": {"y": {"format": "percent"}},
        "datasets": [
            _dataset(
                "PPOOS", [_num(r, "ppoos_rate", percent=True) for r in rows], kind="line", axis="y", color="#dc3545"
            ),
            _dataset(
                "Confirmation rate",
                [_num(r, "vendor_confirmation_rate", percent=True) for r in rows],
                kind="line",
                axis="y",
                color="#198754",
            ),
            _dataset(
                "Receive fill rate",
                [_num(r, "receive_fill_rate", percent=True) for r in rows],
                kind="line",
                axis="y",
                color="#20c997",
            ),
        ],
    }


def traffic_trend(periods: Sequence[date], rows: Sequence[Row], grain: str = "MONTH") -> dict[str, Any]:
    """Glance views (bars) and conversion (line, right axis)."""
    return {
        "title": "Traffic and conversion",
        "labels": _labels(periods, grain),
        "axes": {"y": {"format": "count"}, "y1": {"format": "percent", "position": "right"}},
        "datasets": [
            _dataset("Glance views", [_num(r, "glance_views") for r in rows], kind="bar", axis="y", color="#6f42c1"),
            _dataset(
                "Conversion %",
                [_num(r, "conversion", percent=True) for r in rows],
                kind="line",
                axis="y1",
                color="#fd7e14",
            ),
        ],
    }


def advertising_trend(
    periods: Sequence[date], rows: Sequence[Row], currency: str, grain: str = "MONTH"
) -> dict[str, Any]:
    """Ad spend (bars) with ACoS and TACoS (lines, right axis)."""
    return {
        "title": f"Advertising ({currency})",
        "labels": _labels(periods, grain),
        "axes": {"y": {"format": "money", "currency": currency}, "y1": {"format": "percent", "position": "right"}},
        "datasets": [
            _dataset("Ad spend", [_num(r, "ad_spend") for r in rows], kind="bar", axis="y", color="#0dcaf0"),
            _dataset("ACoS %", [_num(r, "acos", percent=True) for r in rows], kind="line", axis="y1", color="#dc3545"),
            _dataset(
                "TACoS %", [_num(r, "tacos", percent=True) for r in rows], kind="line", axis="y1", color="#6c757d"
            ),
        ],
    }


def inventory_trend(periods: Sequence[date], rows: Sequence[Row], grain: str = "MONTH") -> dict[str, Any]:
    """Sellable on hand (bars) and weeks of cover (line, right axis)."""
    return {
        "title": "Inventory",
        "labels": _labels(periods, grain),
        "axes": {"y": {"format": "count"}, "y1": {"format": "number", "position": "right"}},
        "datasets": [
            _dataset(
                "Sellable on hand (units)",
                [_num(r, "sellable_on_hand_inventory_units") for r in rows],
                kind="bar",
                axis="y",
                color="#198754",
            ),
            _dataset(
                "Weeks of cover", [_num(r, "weeks_of_cover") for r in rows], kind="line", axis="y1", color="#fd7e14"
            ),
        ],
    }


def units_trend(periods: Sequence[date], rows: Sequence[Row], grain: str = "MONTH") -> dict[str, Any]:
    """Ordered and shipped units."""
    return {
        "title": "Units",
        "labels": _labels(periods, grain),
        "axes": {"y": {"format": "count"}},
        "datasets": [
            _dataset("Ordered units", [_num(r, "ordered_units") for r in rows], kind="bar", axis="y", color="#0d6efd"),
            _dataset("Shipped units", [_num(r, "shipped_units") for r in rows], kind="bar", axis="y", color="#6ea8fe"),
        ],
    }
