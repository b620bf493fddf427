"""Reading rollups: rows -> metric frames with every ratio derived from the sums (reviews.metrics).

The one place that knows how the stored layout becomes the numbers a page shows:
- a key's retail numbers come from the row of the chosen distributor view and selling program
  (MANUFACTURING / RETAIL unless asked otherwise: ordered revenue exists only there); purchase-order
  and ASN counts, and glance views when the view row has none, from the view-less row;
- advertising totals add up the ad products of the key, which is allowed only when they share one
  attribution window (otherwise ad sales and ACoS stay None and the window says "mixed");
- several vendor codes or months add up their sums (flows), while stock levels are the last
  month's; money of different currencies is converted with FxRate first, or left out with a warning;
- ratios (return rate, conversion, PPOOS, net PPM, ACoS, TACoS, ...) come from derive_ratios on the
  sums, sell-through from the previous period's stock, weeks of cover from the period's shipments.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any
from typing import cast

import pandas as pd

from core.periods import add_months
from core.periods import month_start
from reviews.fx import MissingFxRate
from reviews.fx import convert_currency
from reviews.metrics import derive_ratios
from reviews.metrics.base import is_missing
from reviews.metrics.base import none_for_missing
from reviews.models import AdsRollup
from reviews.models import FxRate
from reviews.models import Rollup
from reviews.rollup_sql import INVENTORY_LEVELS
from reviews.rollup_sql import ROLLUP_MEASURES
from reviews.rollup_sql import STACK_DECIMALS
from reviews.rollup_sql import SUPPLY_SUMS

PREFERRED_VIEW = ("MANUFACTURING", "RETAIL")
TACOS_DENOMINATOR = "ordered_revenue"  # one denominator per tenant (DOMAIN.md §4.1); labelled on the page
AD_MEASURES = ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units")
AD_MONEY = ("ad_spend", "ad_sales")
MONEY_MEASURES = tuple(c for c in ROLLUP_MEASURES if c in STACK_DECIMALS and c not in ("sell_through_reported",))
# Sums that add up across vendor codes and months (levels and rates do not add over time).
LEVELS = frozenset(INVENTORY_LEVELS)
VIEWLESS_COLUMNS = (*SUPPLY_SUMS, "glance_views")
# What is converted with an FX rate: money, and the money-weighted net PPM sums.
FX_COLUMNS = (
    "ordered_revenue",
    "shipped_cogs",
    "shipped_revenue",
    "net_received_inventory_cost",
    "sellable_on_hand_inventory_cost",
    "unsellable_on_hand_inventory_cost",
    "aged_90_plus_days_sellable_inventory_cost",
    "unhealthy_inventory_cost",
    "net_ppm_margin",
    "net_ppm_revenue",
    "ad_spend",
    "ad_sales",
)
INT_MEASURES = tuple(c for c in (*ROLLUP_MEASURES, *AD_MEASURES) if c not in STACK_DECIMALS and c not in AD_MONEY)


@dataclass
class FxNote:
    """Which rates a converted view used, and what could not be converted."""

    to_currency: str
    rates: list[dict[str, Any]] = field(default_factory=list)  # month, from_currency, to_currency, rate
    missing: list[str] = field(default_factory=list)  # "EUR→USD 2026-03": excluded from the totals

    @property
    def used(self) -> bool:
        return any(r["from_currency"] != r["to_currency"] for r in self.rates)


INVENTORY_MEASURES = (
    "net_received_inventory_cost",
    "net_received_inventory_units",
    "unfilled_customer_ordered_units",
    *INVENTORY_LEVELS,
    "oos_glance_views",
    "ppoos_glance_views",
    "sell_through_reported",
)


def _has_inventory(row: dict[str, Any]) -> bool:
    return any(row.get(c) is not None for c in INVENTORY_MEASURES)


def choose_view(views: Iterable[tuple[str, str]], wanted: tuple[str, str] | None = None) -> tuple[str, str]:
    """The (distributor view, selling program) to show: the wanted one if it has rows, else MANUFACTURING /
    RETAIL, else the first that has rows; ('', '') when there are only view-less rows."""
    available = sorted({v for v in views if v != ("", "")})
    if wanted and wanted in available:
        return wanted
    if PREFERRED_VIEW in available:
        return PREFERRED_VIEW
    return available[0] if available else ("", "")


def rollup_values(
    *,
    vendor_code_ids: Sequence[int],
    grain: str,
    dimension: str,
    first: date,
    last: date,
    dimension_values: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Rollup rows (as dicts) of the vendor codes, one grain and dimension, period starts in [first, last]."""
    qs = Rollup.objects.filter(
        vendor_code_id__in=vendor_code_ids,
        grain=grain,
        dimension=dimension,
        period_start__gte=first,
        period_start__lte=last,
    )
    if dimension_values is not None:
        qs = qs.filter(dimension_value__in=dimension_values)
    return cast("list[dict[str, Any]]", list(qs.values()))


def ads_values(
    *,
    vendor_code_ids: Sequence[int],
    grain: str,
    dimension: str,
    first: date,
    last: date,
    dimension_values: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    qs = AdsRollup.objects.filter(
        vendor_code_id__in=vendor_code_ids,
        grain=grain,
        dimension=dimension,
        period_start__gte=first,
        period_start__lte=last,
    )
    if dimension_values is not None:
        qs = qs.filter(dimension_value__in=dimension_values)
    return cast("list[dict[str, Any]]", list(qs.values()))


def _empty_row(key: tuple[int, str, date], sample: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys((*ROLLUP_MEASURES, *AD_MEASURES))
    row.update(
        vendor_code_id=key[0],
        dimension_value=key[1],
        period_start=key[2],
        period_end=sample["period_end"],
        grain=sample["grain"],
        currency=sample["currency"],
        attribution_window=None,
        ad_products="",
        inventory_view=None,
    )
    return row


def combine(
    rows: Sequence[dict[str, Any]],
    ads: Sequence[dict[str, Any]],
    *,
    view: tuple[str, str],
) -> list[dict[str, Any]]:
    """One dict per (vendor code, dimension value, period): the view's retail numbers, the view-less
    supply counts and glance views, and the ad products' totals (one attribution window, named)."""
    out: dict[tuple[int, str, date], dict[str, Any]] = {}

    def slot(source: dict[str, Any]) -> dict[str, Any]:
        key = (source["vendor_code_id"], source["dimension_value"], source["period_start"])
        if key not in out:
            out[key] = _empty_row(key, source)
        return out[key]

    for row in rows:
        pair = (row["distributor_view"], row["selling_program"])
        if pair == view and view != ("", ""):
            target = slot(row)
            for column in ROLLUP_MEASURES:
                if column in VIEWLESS_COLUMNS and column != "glance_views":
                    continue
                target[column] = row[column]
        elif pair == ("", ""):
            target = slot(row)
            for column in VIEWLESS_COLUMNS:
                if column == "glance_views" and target.get("glance_views") is not None:
                    continue
                target[column] = row[column]
            if view == ("", "") or target["data_through"] is None:
                target["data_through"] = row["data_through"]
    # The view row's glance views (copied from traffic) win; the view-less row fills the rest.
    for row in rows:
        pair = (row["distributor_view"], row["selling_program"])
        if pair == view and row["glance_views"] is not None:
            slot(row)["glance_views"] = row["glance_views"]
    # Amazon serves the inventory report per view too, and a vendor often pulls it in one view only (the
    # SOURCING one, its own stock). When the chosen view has no inventory, take it whole from another
    # view (same program first) and name that view: one view per table, never a sum across views.
    if view != ("", ""):
        donors: dict[tuple[int, str, date], dict[str, Any]] = {}
        for row in sorted(rows, key=lambda r: (r["selling_program"] != view[1], r["distributor_view"])):
            pair = (row["distributor_view"], row["selling_program"])
            if pair in (view, ("", "")) or not _has_inventory(row):
                continue
            donors.setdefault((row["vendor_code_id"], row["dimension_value"], row["period_start"]), row)
        for key, donor in donors.items():
            receiver = out.get(key)
            if receiver is None or _has_inventory(receiver):
                continue
            for column in INVENTORY_MEASURES:
                receiver[column] = donor[column]
            receiver["inventory_view"] = f"{donor['distributor_view']} / {donor['selling_program']}"
    windows: dict[tuple[int, str, date], set[str]] = {}
    for ad in ads:
        target = slot(ad)
        windows.setdefault((ad["vendor_code_id"], ad["dimension_value"], ad["period_start"]), set()).add(
            ad["attribution_window"]
        )
        for column in AD_MEASURES:
            if ad[column] is not None:
                target[column] = ad[column] if target[column] is None else target[column] + ad[column]
        target["ad_products"] = ",".join(sorted(filter(None, {*target["ad_products"].split(","), ad["ad_product"]})))
    for key, found in windows.items():
        target = out[key]
        if len(found) == 1:
            target["attribution_window"] = next(iter(found))
        else:
            # Never add sales of different windows: spend and clicks still add up, sales do not.
            target["attribution_window"] = "mixed"
            target["ad_sales"] = None
            target["ad_orders"] = None
            target["ad_units"] = None
    return sorted(out.values(), key=lambda r: (r["vendor_code_id"], r["dimension_value"], r["period_start"]))


def fx_rates(months: Iterable[date]) -> pd.DataFrame:
    wanted = sorted({month_start(m) for m in months})
    rates = FxRate.objects.filter(month__in=wanted).values("month", "from_currency", "to_currency", "rate")
    frame = pd.DataFrame(list(rates), columns=["month", "from_currency", "to_currency", "rate"])
    frame["rate"] = frame["rate"].astype(object)
    return frame


def to_currency(rows: list[dict[str, Any]], currency: str, note: FxNote) -> list[dict[str, Any]]:
    """Rows converted to `currency` with the monthly FxRate; rows without a rate are dropped and listed in
    note.missing (never converted at 1). Rows already in `currency` pass unchanged."""
    if all(r["currency"] == currency for r in rows):
        return rows
    months = {r["period_start"] for r in rows}
    rates = fx_rates(months)
    kept: list[dict[str, Any]] = []
    by_currency: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_currency.setdefault(row["currency"], []).append(row)
    for source, group in sorted(by_currency.items()):
        if source == currency:
            kept.extend(group)
            continue
        frame = pd.DataFrame(group)
        for column in FX_COLUMNS:
            frame[column] = none_for_missing(frame[column].astype(object))
        usable: list[dict[str, Any]] = []
        for month in sorted({month_start(r["period_start"]) for r in group}):
            part = frame[[month_start(d) == month for d in frame["period_start"]]]
            try:
                converted, used = convert_currency(part, rates, to_currency=currency, money_columns=FX_COLUMNS)
            except MissingFxRate:
                note.missing.append(f"{source}→{currency} {month:%Y-%m}")
                continue
            note.rates.extend(used[["month", "from_currency", "to_currency", "rate"]].to_dict("records"))  # type: ignore[arg-type]
            usable.extend(converted.to_dict("records"))  # type: ignore[arg-type]
        kept.extend(usable)
    return kept


def add_up(rows: Sequence[dict[str, Any]], *, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Sum rows sharing `keys` (e.g. several vendor codes of one month). Flows and levels add up across
    vendor codes; call `over_time` for several periods of one key. None + None stays None."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in groups:
            groups[key] = dict(row)
            continue
        target = groups[key]
        for column in (*ROLLUP_MEASURES, *AD_MEASURES):
            value = row.get(column)
            if value is None:
                continue
            if column in ("shipped_days", "data_through"):
                target[column] = value if target[column] is None else max(target[column], value)
            elif column == "sell_through_reported":
                target[column] = None  # a sum of series gets the recomputed rate
            else:
                target[column] = value if target[column] is None else target[column] + value
        if row.get("sell_through_reported") is not None or target.get("sell_through_reported") is not None:
            target["sell_through_reported"] = None
        windows = {target.get("attribution_window"), row.get("attribution_window")} - {None}
        if len(windows) > 1:
            target["attribution_window"] = "mixed"
            target["ad_sales"] = target["ad_orders"] = target["ad_units"] = None
        elif windows:
            target["attribution_window"] = next(iter(windows))
    return list(groups.values())


def over_time(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """One key's consecutive periods as one: flows add up, levels are the last period's, Amazon's
    sell-through only when there is one period."""
    ordered = sorted(rows, key=lambda r: r["period_start"])
    if not ordered:
        return None
    total = add_up([{**r, "_k": 1} for r in ordered], keys=["_k"])[0]
    last = ordered[-1]
    for column in LEVELS:
        total[column] = last[column]
    total["sell_through_reported"] = ordered[0]["sell_through_reported"] if len(ordered) == 1 else None
    total["period_start"] = ordered[0]["period_start"]
    total["period_end"] = last["period_end"]
    total["shipped_days"] = sum(r["shipped_days"] or 0 for r in ordered) or None
    total.pop("_k", None)
    return total


def _decimal_or_none(value: Any) -> Decimal | None:
    if is_missing(value):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def derive(rows: Sequence[dict[str, Any]], *, start_on_hand: dict[Any, Any] | None = None) -> pd.DataFrame:
    """A frame of the rows with every ratio derived from its sums.

    start_on_hand maps a row index to the sellable on-hand units at the start of its period (the previous
    period's ending stock) for the recomputed sell-through; weeks of cover divides the period's ending
    stock by its average weekly shipments (shipped units x 7 / days covered).
    """
    rows = list(rows)
    if not rows:
        return pd.DataFrame()
    # Columns are normalised as plain lists and the frame is built once: assigning forty columns one
    # by one into a DataFrame cost more than the ratios themselves on a page's few dozen rows.
    names = list(dict.fromkeys(name for row in rows for name in row))
    columns: dict[str, Any] = {name: [row.get(name) for row in rows] for name in names}
    for column in (*ROLLUP_MEASURES, *AD_MEASURES):
        columns.setdefault(column, [None] * len(rows))
    for column in (*MONEY_MEASURES, *AD_MONEY, "sell_through_reported"):
        columns[column] = pd.Series([_decimal_or_none(v) for v in columns[column]], dtype=object)
    for column in INT_MEASURES:
        if column == "data_through":
            continue
        columns[column] = pd.array([None if is_missing(v) else int(v) for v in columns[column]], dtype="Int64")
    starts = [None if start_on_hand is None else start_on_hand.get(i) for i in range(len(rows))]
    columns["start_sellable_on_hand_units"] = pd.array(starts, dtype="Int64")
    averages = [
        None if is_missing(units) or is_missing(days) or not days else Decimal(int(units) * 7) / Decimal(int(days))
        for units, days in zip(columns["shipped_units"], columns["shipped_days"], strict=True)
    ]
    columns["avg_weekly_shipped_units"] = pd.Series(averages, dtype=object)
    frame = pd.DataFrame(columns)
    return derive_ratios(frame, tacos_denominator=TACOS_DENOMINATOR)


def previous_month(day: date) -> date:
    return add_months(month_start(day), -1)
