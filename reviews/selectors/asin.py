"""One ASIN's trends for the ASIN page: 24 months and 26 weeks of its rollups, ratios derived."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from django.utils import timezone

from core.periods import add_months
from core.periods import month_end
from core.periods import week_start
from planning.models import VendorCode
from reviews import charts
from reviews.models import Dimension
from reviews.models import Grain
from reviews.models import Rollup
from reviews.selectors.mbr import _kpi
from reviews.selectors.mbr import _value
from reviews.selectors.mbr import monthly_series
from reviews.selectors.mbr import text
from reviews.selectors.rollups import FxNote

MONTHS = 24
WEEKS = 26
ASIN_KPIS = (
    "ordered_revenue",
    "shipped_cogs",
    "ordered_units",
    "shipped_units",
    "glance_views",
    "conversion",
    "return_rate",
    "ppoos_rate",
    "sellable_on_hand_inventory_units",
    "weeks_of_cover",
    "ad_spend",
    "acos",
)
TABLE_COLUMNS = (
    ("ordered_revenue", "money"),
    ("shipped_cogs", "money"),
    ("ordered_units", "count"),
    ("shipped_units", "count"),
    ("glance_views", "count"),
    ("conversion", "ratio"),
    ("ppoos_rate", "ratio"),
    ("sellable_on_hand_inventory_units", "count"),
    ("weeks_of_cover", "number"),
    ("ad_spend", "money"),
    ("acos", "ratio"),
)


def asin_trend_data(*, vendor_code: VendorCode, asin: str, month: date | None) -> dict[str, Any] | None:
    """KPIs of `month` (default: the ASIN's latest month), monthly and weekly trend charts, a table."""
    if month is None:
        latest = (
            Rollup.objects.filter(
                vendor_code=vendor_code, grain=Grain.MONTH, dimension=Dimension.ASIN, dimension_value=asin
            )
            .order_by("-period_start")
            .values_list("period_start", flat=True)
            .first()
        )
        if latest is None:
            return None
        month = latest
    currency = vendor_code.marketplace.currency
    note = FxNote(to_currency=currency)
    first = add_months(month, -(MONTHS - 1))
    monthly, view = monthly_series(
        vendor_code_ids=[vendor_code.pk],
        first=add_months(first, -12),
        last=month,
        dimension=Dimension.ASIN,
        values=[asin],
        view=None,
        currency=currency,
        note=note,
    )
    if not monthly:
        return None
    last_week = week_start(min(month_end(month), timezone.localdate()))
    first_week = last_week - timedelta(weeks=WEEKS + 3)  # 3 more for the trailing weeks of cover
    weekly, _ = monthly_series(
        vendor_code_ids=[vendor_code.pk],
        first=first_week,
        last=last_week,
        dimension=Dimension.ASIN,
        values=[asin],
        view=view,
        currency=currency,
        note=note,
        grain=Grain.WEEK,
    )
    current = monthly.get(month)
    kpis = [
        _kpi(
            key,
            current,
            monthly.get(add_months(month, -1)),
            monthly.get(add_months(month, -12)),
            currency,
            _value(current, "attribution_window"),
        )
        for key in ASIN_KPIS
    ]
    months = [add_months(first, i) for i in range(MONTHS)]
    weeks = [last_week - timedelta(weeks=i) for i in range(WEEKS - 1, -1, -1)]
    month_rows = [monthly.get(m) for m in months]
    week_rows = [weekly.get(w) for w in weeks]
    table = [
        {"month": m.isoformat(), "values": [(text(_value(monthly.get(m), c)), kind) for c, kind in TABLE_COLUMNS]}
        for m in reversed(months)
        if monthly.get(m) is not None
    ]
    return {
        "month": month,
        "currency": currency,
        "view": " / ".join(v for v in view if v) or "no distributor view",
        "kpis": kpis,
        "data_through": _value(current, "data_through"),
        "table_columns": [c for c, _ in TABLE_COLUMNS],
        "table": table,
        "charts": {
            "monthly": {
                "sales": charts.sales_trend(
                    months, month_rows, [monthly.get(add_months(m, -12)) for m in months], currency
                ),
                "units": charts.units_trend(months, month_rows),
                "inventory": charts.inventory_trend(months, month_rows),
                "traffic": charts.traffic_trend(months, month_rows),
                "advertising": charts.advertising_trend(months, month_rows, currency),
            },
            "weekly": {
                "units": charts.units_trend(weeks, week_rows, grain="WEEK"),
                "inventory": charts.inventory_trend(weeks, week_rows, grain="WEEK"),
                "traffic": charts.traffic_trend(weeks, week_rows, grain="WEEK"),
            },
        },
    }
