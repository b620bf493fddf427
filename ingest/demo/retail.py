"""Amazon's retail documents for the demo: sales, inventory, traffic and net PPM reports at every
grain, the forecast and the promotion performance report, from the simulated daily series."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from core.periods import week_start
from ingest import demo_documents as docs
from ingest.demo.simulation import Account
from ingest.demo.simulation import AsinFacts
from ingest.demo.simulation import FactsConfig
from ingest.demo.simulation import expected_units
from ingest.demo.simulation import stable_int


@dataclass(frozen=True)
class Document:
    """A file as Amazon delivers it: its name (as a download would be saved) and its bytes.

    `options` are what the person importing the file would say about it when the file does not
    (an Ads report body names neither its advertiser profile nor its marketplace).
    """

    name: str
    data: bytes
    options: dict[str, str] = field(default_factory=dict)


def utc_text(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(value: float, places: str = "0.0001") -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(places))


def _sales_values(f: AsinFacts, a: int, b: int, view: str) -> dict[str, Any]:
    r = slice(a, b + 1)
    if view == "MANUFACTURING":
        return {
            "orderedRevenue": sum(f.ordered_cents[r]),
            "orderedUnits": sum(f.ordered_units[r]),
            "shippedCogs": sum(f.cogs_cents[r]),
            "shippedRevenue": sum(f.shipped_cents[r]),
            "shippedUnits": sum(f.shipped_units[r]),
            "customerReturns": sum(f.returns[r]),
        }
    return {
        "shippedCogs": sum(f.src_cogs[r]),
        "shippedRevenue": sum(f.src_cents[r]),
        "shippedUnits": sum(f.src_units[r]),
        "customerReturns": sum(f.src_returns[r]),
    }


def _inventory_values(f: AsinFacts, a: int, b: int, end: date) -> dict[str, Any]:
    r = slice(a, b + 1)
    plan = f.plan
    on_hand = f.on_hand[b]
    start_on_hand = f.on_hand[a - 1] if a > 0 else f.on_hand[a] + f.shipped_units[a] - f.received[a]
    received = sum(f.received[r])
    shipped = sum(f.shipped_units[r]) - sum(f.returns[r])
    cost = plan.cost_cents(end)
    recent = sum(f.received[max(0, b - 89) : b + 1])
    aged = max(0, min(on_hand, on_hand - recent))
    weekly = sum(f.shipped_units[max(0, b - 27) : b + 1]) / 4
    unhealthy = max(0, int(on_hand - 13 * weekly)) if weekly > 0 else max(0, on_hand)
    unsellable = on_hand // 90
    denominator = start_on_hand + received
    requested = sum(f.requested[r])
    lead_units = sum(f.lead_weighted[r])
    values = {
        "vendorConfirmationRate": _decimal(sum(f.confirmed[r]) / requested) if requested else None,
        "netReceivedInventoryCost": sum(f.received_cents[r]),
        "netReceivedInventoryUnits": received,
        "openPurchaseOrderUnits": f.open_po[b],
        "averageVendorLeadTimeDays": _decimal(lead_units / received, "0.01") if received else None,
        "sellThroughRate": _decimal(shipped / denominator) if denominator > 0 else None,
        "unfilledCustomerOrderedUnits": f.backlog[b],
        "sellableOnHandInventoryCost": max(on_hand, 0) * cost,
        "sellableOnHandInventoryUnits": on_hand,
        "unsellableOnHandInventoryCost": unsellable * cost,
        "unsellableOnHandInventoryUnits": unsellable,
        "aged90PlusDaysSellableInventoryCost": aged * cost,
        "aged90PlusDaysSellableInventoryUnits": aged,
        "unhealthyInventoryCost": unhealthy * cost,
        "unhealthyInventoryUnits": unhealthy,
    }
    return _without_nulls(values)


def _without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    """Amazon's schemas allow no null: a rate without a denominator is left out (the parser reads None)."""
    return {key: value for key, value in values.items() if value is not None}


_RATES = ("vendorConfirmationRate", "averageVendorLeadTimeDays", "sellThroughRate")


def _inventory_aggregate(facts: Sequence[AsinFacts], rows: list[dict[str, Any]], a: int, b: int) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for values in rows:
        for key, value in values.items():
            if key not in _RATES:
                total[key] = total.get(key, 0) + value
    r = slice(a, b + 1)
    requested = sum(sum(f.requested[r]) for f in facts)
    confirmed = sum(sum(f.confirmed[r]) for f in facts)
    received = total["netReceivedInventoryUnits"]
    lead = sum(sum(f.lead_weighted[r]) for f in facts)
    views = sum(sum(f.glance_views[r]) for f in facts)
    oos_views = sum(sum(f.oos_views[r]) for f in facts)
    live_days = sum(sum(1 for x in f.procurable[r] if x) for f in facts)
    oos_days = sum(sum(1 for x in f.oos_views[r] if x) for f in facts)
    shipped = sum(sum(f.shipped_units[r]) - sum(f.returns[r]) for f in facts)
    start = sum((f.on_hand[a - 1] if a > 0 else f.on_hand[a]) for f in facts)
    lines = [line for f in facts for line in f.po_lines if a <= line.arrival <= b]
    line_confirmed = sum(line.confirmed for line in lines)
    total.update(
        {
            "vendorConfirmationRate": _decimal(confirmed / requested) if requested else None,
            "averageVendorLeadTimeDays": _decimal(lead / received, "0.01") if received else None,
            "sellThroughRate": _decimal(shipped / (start + received)) if start + received > 0 else None,
            # Aggregate only (the ASIN rows of Amazon's document do not carry them).
            "procurableProductOutOfStockRate": _decimal(oos_views / views) if views else None,
            "uft": _decimal(1 - oos_days / live_days) if live_days else None,
            "receiveFillRate": _decimal(sum(line.received for line in lines) / line_confirmed)
            if line_confirmed
            else None,
        }
    )
    return _without_nulls(total)


def _net_ppm(revenue: int, cogs: int, coop: int) -> Decimal | None:
    return _decimal((revenue - cogs + coop) / revenue) if revenue > 0 else None


def _sum_rows(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for values in rows:
        for key, value in values.items():
            total[key] = total.get(key, 0) + value
    return total


def retail_blocks(account: Account, kind: str, spans: Sequence[tuple[int, int]], view: str) -> list[docs.RetailBlock]:
    """One RetailBlock per (first, last) day span for a report kind (sales, inventory, traffic, netppm)."""
    cal = account.cal
    blocks = []
    for a, b in spans:
        live = [f for f in account.facts if any(f.live[a : b + 1])]
        rows: list[tuple[str, dict[str, Any]]] = []
        if kind == "sales":
            rows = [(f.plan.asin, _sales_values(f, a, b, view)) for f in live]
            aggregate = _sum_rows([v for _, v in rows])
        elif kind == "traffic":
            rows = [(f.plan.asin, {"glanceViews": sum(f.glance_views[a : b + 1])}) for f in live]
            aggregate = _sum_rows([v for _, v in rows])
        elif kind == "inventory":
            rows = [(f.plan.asin, _inventory_values(f, a, b, cal.days[b])) for f in live]
            aggregate = _inventory_aggregate(live, [v for _, v in rows], a, b)
        else:
            revenue_total = cogs_total = coop_total = 0
            for f in live:
                revenue, cogs = sum(f.shipped_cents[a : b + 1]), sum(f.cogs_cents[a : b + 1])
                if revenue <= 0:
                    continue  # no margin without revenue: Amazon lists the ASINs that sold
                coop = int(cogs * 0.06)  # vendor-funded co-op raises Amazon's margin (DOMAIN.md §4.3)
                rows.append((f.plan.asin, {"netPureProductMargin": _net_ppm(revenue, cogs, coop)}))
                revenue_total, cogs_total, coop_total = revenue_total + revenue, cogs_total + cogs, coop_total + coop
            aggregate = {"netPureProductMargin": _net_ppm(revenue_total, cogs_total, coop_total)}
        blocks.append(docs.RetailBlock(cal.days[a], cal.days[b], aggregate, rows))
    return blocks


def retail_documents(account: Account, config: FactsConfig, today: date) -> Iterator[Document]:
    cal = account.cal
    code = account.code
    updated = min(cal.end + timedelta(days=3), today)
    weeks = cal.weeks()
    months = cal.month_spans()
    daily_first = max(0, len(cal.days) - 7 * config.daily_weeks)
    days = [(i, i) for i in range(daily_first, len(cal.days))]
    plan: list[tuple[str, str, str, list[tuple[int, int]]]] = [
        ("sales", "WEEK", "MANUFACTURING", weeks),
        ("sales", "WEEK", "SOURCING", weeks),
        ("sales", "MONTH", "MANUFACTURING", months),
        ("sales", "MONTH", "SOURCING", months),
        ("sales", "DAY", "MANUFACTURING", days),
        ("sales", "DAY", "SOURCING", days),
        ("inventory", "WEEK", "SOURCING", weeks),
        ("inventory", "MONTH", "SOURCING", months),
        ("traffic", "WEEK", "", weeks),
        ("traffic", "MONTH", "", months),
        ("traffic", "DAY", "", days),
        ("netppm", "MONTH", "", months),
    ]
    for kind, grain, view, spans in plan:
        if not spans:
            continue
        blocks = retail_blocks(account, kind, spans, view or "MANUFACTURING")
        report_type = docs.RETAIL_REPORTS[kind][0]
        name = f"{report_type}_{code}_{grain}{'_' + view if view else ''}_{blocks[0].start}_{blocks[-1].end}.json.gz"
        yield Document(
            name,
            docs.retail_report_document(
                kind,
                blocks,
                grain=grain,
                view=view or "MANUFACTURING",
                marketplace_id=account.marketplace_id,
                currency=account.currency,
                last_updated=updated,
            ),
        )


def forecast_rows(account: Account, weeks: int) -> list[docs.ForecastRow]:
    first = week_start(account.cal.end + timedelta(days=1)) + timedelta(days=7)  # the week after generation
    rows = []
    for plan in account.plans:
        for w in range(weeks):
            start = first + timedelta(weeks=w)
            mean = 0.0
            for offset in range(7):
                day = start + timedelta(days=offset)
                views, conversion = account.story.factors(plan.category, day)
                mean += expected_units(plan, day, code=account.code, end=account.cal.end, events=account.events) * (
                    views * conversion
                )
            if mean <= 0:
                continue
            value = Decimal(repr(mean)).quantize(Decimal("0.1"))
            rows.append(
                docs.ForecastRow(
                    plan.asin,
                    start,
                    value,
                    (value * Decimal("1.12")).quantize(Decimal("0.1")),
                    (value * Decimal("1.22")).quantize(Decimal("0.1")),
                    (value * Decimal("1.40")).quantize(Decimal("0.1")),
                )
            )
    return rows


def promotion_document(account: Account) -> Document | None:
    """Performance of the account's past deals; totals are the sums of the deal ASINs."""
    if not account.event_list:
        return None
    cal = account.cal
    by_asin = {f.plan.asin: f for f in account.facts}
    promotions = []
    for event in account.event_list:
        first, last = cal.index(event.days[0]), cal.index(event.days[-1])
        products: list[dict[str, Any]] = []
        for plan in sorted((p for p in account.plans if event.days[0] in p.deal_days), key=lambda p: p.asin):
            f = by_asin[plan.asin]
            units = sum(f.ordered_units[first : last + 1])
            revenue = sum(f.ordered_cents[first : last + 1])
            funding = (int(plan.list_cents * plan.asp_share) - int(plan.list_cents * 0.76)) * units
            products.append(
                {
                    "asin": plan.asin,
                    "productName": plan.title,
                    "productGlanceViews": sum(f.glance_views[first : last + 1]),
                    "productUnitsSold": units,
                    "productAmountSpent": Decimal(max(funding, 0)) / 100,
                    "productAmountSpentCurrencyCode": account.currency,
                    "productRevenue": Decimal(revenue) / 100,
                    "productRevenueCurrencyCode": account.currency,
                }
            )
        if not products:
            continue
        promotions.append(
            {
                "promotionId": str(stable_int(account.code, event.key, digits=11)),
                "promotionName": f"{event.name}: {account.brand.name} deals",
                "vendorCode": account.code,
                "unitsSold": sum(p["productUnitsSold"] for p in products),
                "amountSpent": sum((p["productAmountSpent"] for p in products), Decimal(0)),
                "amountSpentCurrencyCode": account.currency,
                "revenue": sum((p["productRevenue"] for p in products), Decimal(0)),
                "revenueCurrencyCode": account.currency,
                "startDateTime": utc_text(event.days[0], 7),
                "endDateTime": utc_text(event.days[-1] + timedelta(days=1), 6, 59),
                "type": event.promotion_type,
                "status": "APPROVED",
                "creationChannel": "SELF-SERVICE",
                "marketplaceId": account.marketplace_id,
                "fundingAgreementId": str(stable_int(account.code, event.key, "funding", digits=8)),
                "glanceViews": sum(p["productGlanceViews"] for p in products),
                "createdDateTime": utc_text(event.days[0] - timedelta(days=45), 15, 30),
                "lastUpdatedDateTime": utc_text(event.days[-1] + timedelta(days=3), 9),
                "includedProducts": products,
            }
        )
    if not promotions:
        return None
    first_day, last_day = account.event_list[0].days[0], account.event_list[-1].days[-1] + timedelta(days=1)
    data = docs.promotion_performance_document(
        promotions, marketplace_id=account.marketplace_id, start_from=first_day, start_to=last_day
    )
    return Document(f"GET_PROMOTION_PERFORMANCE_REPORT_{account.code}_{first_day}_{last_day}.json.gz", data)
