"""The JBP actuals provider: plan attainment reads the monthly rollups (planning.jbp_actuals contract).

Periods must be whole calendar months or runs of them (a quarter, a year): the monthly rollups are
added up (flows summed, stock taken at the end) and the ratio metrics derived from the sums. A period
that is not made of whole months, or a month without rollups, is left out of `values` (never 0).
Money comes in the plan's currency: converted with FxRate when the vendor code sells in another one,
and left out when the month has no rate.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from core.periods import add_months
from core.periods import month_end
from core.periods import months_between
from planning.jbp_actuals import ActualsRequest
from planning.jbp_actuals import ActualsResponse
from planning.models import VendorCode
from reviews.models import Dimension
from reviews.models import Grain
from reviews.selectors.rollups import FxNote
from reviews.selectors.rollups import add_up
from reviews.selectors.rollups import ads_values
from reviews.selectors.rollups import choose_view
from reviews.selectors.rollups import combine
from reviews.selectors.rollups import derive
from reviews.selectors.rollups import over_time
from reviews.selectors.rollups import rollup_values
from reviews.selectors.rollups import to_currency

# JBP metric -> the frame column that holds it
METRIC_COLUMNS: dict[str, str] = {
    "SHIPPED_COGS": "shipped_cogs",
    "ORDERED_REVENUE": "ordered_revenue",
    "SHIPPED_UNITS": "shipped_units",
    "ORDERED_UNITS": "ordered_units",
    "GLANCE_VIEWS": "glance_views",
    "AD_SPEND": "ad_spend",
    "NET_PPM": "net_ppm",
    "PPOOS_RATE": "ppoos_rate",
    "VENDOR_CONFIRMATION_RATE": "vendor_confirmation_rate",
    "RECEIVE_FILL_RATE": "receive_fill_rate",
    "PO_ON_TIME_RATE": "po_on_time_rate",
    "ACOS": "acos",
    "TACOS": "tacos",
    "CONVERSION": "conversion",
    "SELL_THROUGH": "sell_through",
}


def _whole_months(start: date, end: date) -> list[date] | None:
    months = months_between(start, end)
    if start != months[0] or end != month_end(months[-1]):
        return None
    return months


def rollup_actuals(request: ActualsRequest) -> ActualsResponse | None:
    column = METRIC_COLUMNS.get(request.metric)
    if column is None:
        return None
    codes = VendorCode.objects.filter(
        brand_id=request.brand_id, marketplace__amazon_marketplace_id=request.marketplace_id
    )
    if request.vendor_codes:
        codes = codes.filter(code__in=request.vendor_codes)
    vendor_code_ids = list(codes.values_list("pk", flat=True))
    if not vendor_code_ids:
        return None
    wanted = {p: _whole_months(*p) for p in request.periods}
    months = sorted({m for ms in wanted.values() if ms for m in ms})
    if not months:
        return ActualsResponse(values={}, as_of=None, source="Monthly rollups")
    dimension = {"TOTAL": Dimension.TOTAL, "VENDOR_CODE": Dimension.TOTAL}.get(
        request.dimension_type, request.dimension_type
    )
    values_filter = None if dimension == Dimension.TOTAL else [v for v in request.dimension_values if v]
    first = add_months(months[0], -1)  # the month before: stock at the start, for sell-through
    rows = rollup_values(
        vendor_code_ids=vendor_code_ids,
        grain=Grain.MONTH,
        dimension=dimension,
        first=first,
        last=months[-1],
        dimension_values=values_filter,
    )
    ads = ads_values(
        vendor_code_ids=vendor_code_ids,
        grain=Grain.MONTH,
        dimension=dimension,
        first=first,
        last=months[-1],
        dimension_values=values_filter,
    )
    view = choose_view((r["distributor_view"], r["selling_program"]) for r in rows)
    combined = to_currency(combine(rows, ads, view=view), request.currency, FxNote(request.currency))
    code_by_id = dict(codes.values_list("pk", "code"))

    def dimension_value(row: dict[str, Any]) -> str:
        if request.dimension_type == "VENDOR_CODE":
            return code_by_id[row["vendor_code_id"]]
        return row["dimension_value"]

    by_value: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in combined:
        by_value[dimension_value(row)].append({**row, "_value": dimension_value(row)})
    result: dict[tuple[str, date, date], Decimal] = {}
    as_of: date | None = None
    for value in request.dimension_values:
        members = by_value.get(value, [])
        monthly = add_up(members, keys=["_value", "period_start"])
        by_month = {r["period_start"]: r for r in monthly}
        for (start, end), period_months in wanted.items():
            if not period_months or not all(m in by_month for m in period_months):
                continue
            total = over_time([by_month[m] for m in period_months])
            if total is None:
                continue
            before = by_month.get(add_months(period_months[0], -1))
            frame = derive(
                [total],
                start_on_hand={0: before["sellable_on_hand_inventory_units"]} if before else None,
            )
            actual = frame.iloc[0][column]
            if actual is None or actual is pd.NA:
                continue
            result[(value, start, end)] = actual if isinstance(actual, Decimal) else Decimal(int(actual))
            through = total.get("data_through")
            if through is not None and (as_of is None or through > as_of):
                as_of = through
    view_label = "/".join(v for v in view if v) or "no view"
    return ActualsResponse(values=result, as_of=as_of, source=f"Monthly rollups ({view_label})")
