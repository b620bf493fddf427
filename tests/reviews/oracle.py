"""Brute-force rollups: the documented rules of reviews.rollup_sql as plain Python loops over fact rows.

Deliberately naive (dicts and for-loops, no SQL, no pandas) so it is easy to check by reading; the
property tests compare it with what the set-based SQL writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from core.periods import month_end
from core.periods import month_start
from core.periods import week_end
from core.periods import week_start
from ingest.models import AdsDailyFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailNetPpmFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from planning.models import Product
from planning.models import VendorCode
from reviews.rollup_sql import INVENTORY_FLOWS
from reviews.rollup_sql import INVENTORY_LEVELS
from reviews.rollup_sql import ROLLUP_MEASURES
from reviews.rollup_sql import SALES_SUMS

Key = tuple[int, str, date, str, str, str, str]  # vc, grain, bucket start, dim, dim value, view, program


def _add(a: Any, b: Any) -> Any:
    if b is None:
        return a
    return b if a is None else a + b


def _bucket(day: date, grain: str) -> date:
    return week_start(day) if grain == "WEEK" else month_start(day)


def _bucket_end(start: date, grain: str) -> date:
    return week_end(start) if grain == "WEEK" else month_end(start)


def _buckets_in(first: date, last: date, grain: str) -> set[date]:
    out = set()
    day = first
    while day <= last:
        out.add(_bucket(day, grain))
        day += timedelta(days=1)
    return out


def _retail_rows(model: Any, vc_ids: list[int]) -> list[dict[str, Any]]:
    return list(model.objects.filter(vendor_code_id__in=vc_ids).values())


def _peer_value(rows: list[dict[str, Any]], column: str) -> dict[tuple[Any, ...], Any]:
    """(vc, view, program, grain, start, end, asin) -> value, for joining peers."""
    return {
        (
            r["vendor_code_id"],
            r["distributor_view"],
            r["selling_program"],
            r["period_grain"],
            r["period_start"],
            r["period_end"],
            r["asin"],
        ): r[column]
        for r in rows
    }


def _peer(index: dict[tuple[Any, ...], Any], r: dict[str, Any]) -> Any:
    base = (r["vendor_code_id"],)
    rest = (r["period_grain"], r["period_start"], r["period_end"], r["asin"])
    same = index.get((*base, r["distributor_view"], r["selling_program"], *rest))
    return same if same is not None else index.get((*base, "", "", *rest))


def expected_rollups(vc_ids: list[int], first: date, last: date) -> dict[Key, dict[str, Any]]:
    """Every reviews_rollup row a recompute of [first, last] must write, measures by name."""
    categories = {(p.marketplace_id, p.asin): p.category for p in Product.objects.all()}
    markets = dict(VendorCode.objects.filter(pk__in=vc_ids).values_list("pk", "marketplace_id"))
    sales_rows = _retail_rows(RetailSalesFact, vc_ids)
    inventory_rows = _retail_rows(RetailInventoryFact, vc_ids)
    traffic_rows = _retail_rows(RetailTrafficFact, vc_ids)
    ppm = _peer_value(_retail_rows(RetailNetPpmFact, vc_ids), "net_pure_product_margin")
    gv = _peer_value(traffic_rows, "glance_views")

    # Per-row values of each table (the weighted columns computed on the fact row).
    def sales_values(r: dict[str, Any]) -> dict[str, Any]:
        out = {c: r[c] for c in SALES_SUMS}
        rate = _peer(ppm, r)
        out["net_ppm_margin"] = (
            rate * r["shipped_revenue"] if rate is not None and r["shipped_revenue"] is not None else None
        )
        out["net_ppm_revenue"] = r["shipped_revenue"] if rate is not None else None
        return out

    def inventory_values(r: dict[str, Any]) -> dict[str, Any]:
        out = {c: r[c] for c in (*INVENTORY_FLOWS, *INVENTORY_LEVELS)}
        views = _peer(gv, r)
        rate = r["procurable_product_out_of_stock_rate"]
        out["oos_glance_views"] = rate * views if rate is not None and views is not None else None
        out["ppoos_glance_views"] = views if rate is not None else None
        return out

    tables: list[tuple[str, list[dict[str, Any]], Any, tuple[str, ...], tuple[str, ...]]] = [
        ("sales", sales_rows, sales_values, (*SALES_SUMS, "net_ppm_margin", "net_ppm_revenue"), ()),
        (
            "inventory",
            inventory_rows,
            inventory_values,
            (*INVENTORY_FLOWS, "oos_glance_views", "ppoos_glance_views"),
            INVENTORY_LEVELS,
        ),
        ("traffic", traffic_rows, lambda r: {"glance_views": r["glance_views"]}, ("glance_views",), ()),
    ]
    result: dict[Key, dict[str, Any]] = defaultdict(dict)

    def contribute(key: Key, values: dict[str, Any]) -> None:
        row = result[key]
        for column, value in values.items():
            if column == "data_through":
                row[column] = value if row.get(column) is None else max(row[column], value)
            elif column == "shipped_days" or column == "sell_through_reported":
                row[column] = value if row.get(column) is None else row[column]
            else:
                row[column] = _add(row.get(column), value)

    for grain, native in (("WEEK", "WEEK"), ("MONTH", "MONTH")):
        targets = _buckets_in(first, last, grain)
        for name, rows, values_of, flows, levels in tables:
            # (vc, view, program, asin, bucket) -> bucket values of this table
            series: dict[tuple[Any, ...], dict[str, Any]] = {}
            natives = {}
            for r in rows:
                if r["period_grain"] != native:
                    continue
                b = r["period_start"]
                if b != _bucket(b, grain) or r["period_end"] != _bucket_end(b, grain) or b not in targets:
                    continue
                values = values_of(r)
                if name == "sales":
                    days = (r["period_end"] - r["period_start"]).days + 1
                    values["shipped_days"] = days if r["shipped_units"] is not None else None
                if name == "inventory":
                    values["sell_through_reported"] = r["sell_through_rate"]
                values["data_through"] = r["period_end"]
                natives[(r["vendor_code_id"], r["distributor_view"], r["selling_program"], r["asin"], b)] = values
            daily: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
            for r in rows:
                if r["period_grain"] != "DAY":
                    continue
                b = _bucket(r["period_start"], grain)
                if b in targets:
                    daily[(r["vendor_code_id"], r["distributor_view"], r["selling_program"], r["asin"], b)].append(r)
            for key, day_rows in daily.items():
                if key in natives:
                    continue  # Amazon's own row for the bucket wins over the days
                values: dict[str, Any] = {}
                for r in day_rows:
                    for column, value in values_of(r).items():
                        if column in flows:
                            values[column] = _add(values.get(column), value)
                last_row = max(day_rows, key=lambda r: r["period_end"])
                last_values = values_of(last_row)
                for column in levels:
                    values[column] = last_values[column]
                for column in flows:
                    values.setdefault(column, None)
                if name == "sales":
                    values["shipped_days"] = sum(1 for r in day_rows if r["shipped_units"] is not None)
                if name == "inventory":
                    values["sell_through_reported"] = None
                values["data_through"] = last_row["period_end"]
                series[key] = values
            series.update(natives)

            # dimensions
            asin_groups: dict[tuple[Any, ...], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
            aggregate: dict[tuple[Any, ...], dict[str, Any]] = {}
            for (vc, view, program, asin, b), values in series.items():
                group = (vc, view, program, b)
                if asin:
                    asin_groups[group].append((asin, values))
                else:
                    aggregate[group] = values
            for (vc, view, program, b), members in asin_groups.items():
                by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for asin, values in members:
                    contribute((vc, grain, b, "ASIN", asin, view, program), dict(values))
                    by_category[categories.get((markets[vc], asin), "")].append(values)
                for dval, dim_members in by_category.items():
                    contribute((vc, grain, b, "CATEGORY", dval, view, program), _sum_members(dim_members))
                total = _sum_members([v for _, v in members])
                fallback = aggregate.get((vc, view, program, b), {})
                for column, value in fallback.items():
                    if total.get(column) is None:
                        total[column] = value  # a measure only the aggregate row reports
                contribute((vc, grain, b, "TOTAL", "", view, program), total)
            for (vc, view, program, b), values in aggregate.items():
                if (vc, view, program, b) not in asin_groups:
                    contribute((vc, grain, b, "TOTAL", "", view, program), dict(values))

    _supply(result, vc_ids, markets, categories, first, last)
    _copy_glance_views(result)
    return {key: {c: row.get(c) for c in ROLLUP_MEASURES} for key, row in result.items()}


def _sum_members(members: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for values in members:
        for column, value in values.items():
            if column in ("shipped_days", "data_through"):
                out[column] = (
                    value
                    if out.get(column) is None
                    else (max(out[column], value) if value is not None else out[column])
                )
            elif column == "sell_through_reported":
                continue
            else:
                out[column] = _add(out.get(column), value)
    if any("sell_through_reported" in v for v in members):
        out["sell_through_reported"] = members[0]["sell_through_reported"] if len(members) == 1 else None
    return out


def _copy_glance_views(result: dict[Key, dict[str, Any]]) -> None:
    viewless = {
        (vc, grain, b, dim, dval): row.get("glance_views")
        for (vc, grain, b, dim, dval, view, program), row in result.items()
        if view == "" and program == ""
    }
    for (vc, grain, b, dim, dval, view, program), row in result.items():
        if (view or program) and row.get("glance_views") is None:
            row["glance_views"] = viewless.get((vc, grain, b, dim, dval))


def _utc_day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def _supply(
    result: dict[Key, dict[str, Any]],
    vc_ids: list[int],
    markets: dict[int, int],
    categories: dict[tuple[int, str], str],
    first: date,
    last: date,
) -> None:
    terms = dict(VendorCode.objects.filter(pk__in=vc_ids).values_list("pk", "freight_terms"))
    po_rows = list(PurchaseOrderLineFact.objects.filter(vendor_code_id__in=vc_ids).values())
    ship_rows = list(ShipmentLineFact.objects.filter(vendor_code_id__in=vc_ids).values())
    first_shipped: dict[tuple[Any, ...], datetime] = {}
    shipped_units: dict[tuple[Any, ...], int | None] = {}
    for s in ship_rows:
        key = (s["vendor_code_id"], s["po_number"], s["asin"] or "")
        if s["shipped_at"] is not None and (key not in first_shipped or s["shipped_at"] < first_shipped[key]):
            first_shipped[key] = s["shipped_at"]
        shipped_units[key] = _add(shipped_units.get(key), s["shipped_units"])
    received: dict[tuple[Any, ...], list[int | None]] = defaultdict(list)
    for line in po_rows:
        received[(line["vendor_code_id"], line["po_number"], line["asin"] or "")].append(line["received_units"])

    def put(vc: int, grain: str, b: date, dim: str, dval: str, values: dict[str, Any]) -> None:
        row = result[(vc, grain, b, dim, dval, "", "")]
        for column, value in values.items():
            row[column] = _add(row.get(column), value)

    for grain in ("WEEK", "MONTH"):
        targets = _buckets_in(first, last, grain)
        for line in po_rows:
            if line["po_date"] is None:
                continue
            b = _bucket(_utc_day(line["po_date"]), grain)
            if b not in targets:
                continue
            vc = line["vendor_code_id"]
            asin = line["asin"] or ""
            if terms[vc] == "PREPAID":
                on_time = (
                    line["last_receive_date"] is not None
                    and line["delivery_window_end"] is not None
                    and line["last_receive_date"] <= line["delivery_window_end"]
                )
            else:
                shipped = first_shipped.get((vc, line["po_number"], asin))
                on_time = (
                    shipped is not None and line["ship_window_end"] is not None and shipped <= line["ship_window_end"]
                )
            values = {
                "requested_units": line["ordered_units"],
                "confirmed_units": line["accepted_units"],
                "received_units": line["received_units"],
                "on_time_units": line["accepted_units"] if on_time else 0,
            }
            dims = [("TOTAL", "")]
            if asin:
                dims += [("ASIN", asin), ("CATEGORY", categories.get((markets[vc], asin), ""))]
            for dim, dval in dims:
                put(vc, grain, b, dim, dval, values)

        shipments: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for s in ship_rows:
            shipments[(s["vendor_code_id"], s["shipment_id"])].append(s)
        for (vc, _shipment_id), lines in shipments.items():
            confirmed = _min(line["confirmed_at"] for line in lines)
            shipped_at = _min(line["shipped_at"] for line in lines)
            delivered = _min(line["delivered_at"] for line in lines)
            when = shipped_at or confirmed or delivered
            if when is None:
                continue
            b = _bucket(_utc_day(when), grain)
            if b not in targets:
                continue
            in_time = _in_time(confirmed, shipped_at, delivered)

            def verdict(line: dict[str, Any], vc: int = vc, delivered: datetime | None = delivered) -> bool | None:
                key = (vc, line["po_number"], line["asin"] or "")
                got = received.get(key)
                if not got or any(v is None for v in got) or delivered is None or shipped_units.get(key) is None:
                    return None
                return shipped_units[key] == sum(v for v in got if v is not None)

            def counts(
                group: list[dict[str, Any]], in_time: bool | None = in_time, delivered: datetime | None = delivered
            ) -> dict[str, int]:
                verdicts = [verdict(line) for line in group]
                defect = any(v is False for v in verdicts)
                unknown = any(v is None for v in verdicts)
                return {
                    "asns": 1,
                    "asns_judged": 0 if delivered is None else 1,
                    "asns_in_time": 1 if in_time else 0,
                    "shipments_checked": 1 if defect or not unknown else 0,
                    "shipments_accurate": 1 if not defect and not unknown else 0,
                }

            put(vc, grain, b, "TOTAL", "", counts(lines))
            by_asin: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for line in lines:
                if line["asin"]:
                    by_asin[line["asin"]].append(line)
            by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for asin, group in by_asin.items():
                put(vc, grain, b, "ASIN", asin, counts(group))
                by_category[categories.get((markets[vc], asin), "")].extend(group)
            for category, group in by_category.items():
                put(vc, grain, b, "CATEGORY", category, counts(group))


def _min(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _in_time(confirmed: datetime | None, shipped: datetime | None, delivered: datetime | None) -> bool | None:
    if delivered is None:
        return None
    if confirmed is None or confirmed >= delivered:
        return False
    if shipped is not None and confirmed <= shipped + timedelta(minutes=30):
        return True
    return confirmed <= delivered - timedelta(hours=6)


# --- advertising ------------------------------------------------------------------------------------------

TOTAL_TYPES = {"SP": "spCampaigns", "SB": "sbCampaigns", "SD": "sdCampaigns"}
ASIN_TYPES = {"SP": "spAdvertisedProduct", "SD": "sdAdvertisedProduct"}


def expected_ads(vc: VendorCode, first: date, last: date) -> dict[tuple[str, date, str, str, str], dict[str, Any]]:
    """(grain, bucket, dim, dim value, ad product) -> sums, for a brand whose only vendor code is `vc`."""
    categories = {p.asin: p.category for p in Product.objects.filter(marketplace_id=vc.marketplace_id)}
    rows = list(AdsDailyFact.objects.filter(brand_id=vc.brand_id).values())
    present = {(r["profile_id"], r["marketplace_id"], r["date"], r["report_type"]) for r in rows}
    out: dict[tuple[str, date, str, str, str], dict[str, Any]] = defaultdict(dict)
    for grain in ("WEEK", "MONTH"):
        targets = _buckets_in(first, last, grain)
        for r in rows:
            b = _bucket(r["date"], grain)
            if b not in targets:
                continue
            report_type = r["report_type"]
            if report_type.startswith("console:"):
                if (r["profile_id"], r["marketplace_id"], r["date"], report_type[8:]) in present:
                    continue
                report_type = report_type[8:]
            product = r["ad_product"]
            values = {
                "ad_spend": r["cost"],
                "ad_sales": r["sales_14d"],
                "impressions": r["impressions"],
                "clicks": r["clicks"],
                "ad_orders": r["purchases_14d"],
                "ad_units": r["units_sold_14d"],
            }
            keys = []
            if TOTAL_TYPES.get(product) == report_type:
                keys.append((grain, b, "TOTAL", "", product))
            elif ASIN_TYPES.get(product) == report_type and r["asin"]:
                keys += [
                    (grain, b, "ASIN", r["asin"], product),
                    (grain, b, "CATEGORY", categories.get(r["asin"], ""), product),
                ]
            for key in keys:
                row = out[key]
                for column, value in values.items():
                    row[column] = _add(row.get(column), value)
    for row in out.values():
        for column in ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders", "ad_units"):
            row.setdefault(column, None)
    return dict(out)
