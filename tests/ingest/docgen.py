"""Real-shaped documents for tests and the benchmark, written the way Amazon delivers them.

SP-API report documents follow Amazon's schemas (../shared/formats/spapi_*.schema.json; the tests
validate what this module writes against them). Vendor Central web exports follow the reconstructed
catalog (ara_web_export_header_catalog.reconstructed.json) and the en_IN sample: a UTF-8 BOM, the
`Key=[Value]` banner in row 1, the header in row 2, one row per ASIN, money with the locale's
symbol and grouping, percentages with '%'.

Values are deterministic functions of (ASIN index, period index, seed), so the same call always
writes the same bytes and aggregate rows are the exact sums of the ASIN rows. The `write_*`
functions stream into a binary file (a 1M-row daily sales document never sits in memory); the
`*_json` functions return bytes. The document writers shared with the demo seeder (JSON helpers,
array writer, retail elements) live in ingest/demo_documents.py.

    sales_report_json(2_000, 500)                        # 1M ASIN rows, 500 daily aggregates
    sales_report_json(["B000000001"], 4, grain="WEEK", view="SOURCING", program="BUSINESS", gzip=True)
    vc_export_csv("sales", "en_IN", vc_rows("sales", 3), country="IN")
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import BinaryIO

from openpyxl import Workbook

from core.periods import add_months
from core.periods import month_end
from core.periods import week_start
from ingest.demo_documents import ArrayWriter as _ArrayWriter
from ingest.demo_documents import dumps
from ingest.demo_documents import finish_document as _finish
from ingest.demo_documents import money_text as _money
from ingest.demo_documents import report_specification as _spec
from ingest.demo_documents import retail_element as _element

US = "ATVPDKIKX0DER"
DEFAULT_START = date(2025, 1, 5)  # a Sunday, so the default start suits every grain after alignment

# ---------------------------------------------------------------------------------------------
# Shared helpers


def asin_list(count: int, seed: int = 0) -> list[str]:
    """`count` distinct, valid-looking ASINs (B0 + 8 characters)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    asins = []
    for i in range(count):
        n = i * 7919 + seed * 104729 + 1_000_003
        chars = []
        for _ in range(8):
            n, r = divmod(n, len(alphabet))
            chars.append(alphabet[r])
        asins.append("B0" + "".join(chars))
    return asins


def _asins(asins: int | Sequence[str], seed: int) -> list[str]:
    return asin_list(asins, seed) if isinstance(asins, int) else list(asins)


def periods(grain: str, count: int, start: date = DEFAULT_START) -> list[tuple[date, date]]:
    """`count` consecutive whole periods of `grain`, the first one containing `start`."""
    result = []
    if grain == "DAY":
        return [(start + timedelta(days=i), start + timedelta(days=i)) for i in range(count)]
    if grain == "WEEK":
        first = week_start(start)
        return [(first + timedelta(weeks=i), first + timedelta(weeks=i, days=6)) for i in range(count)]
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[grain]
    first = date(start.year, 1, 1) if grain == "YEAR" else start.replace(day=1)
    if grain == "QUARTER":
        first = first.replace(month=3 * ((first.month - 1) // 3) + 1)
    for i in range(count):
        begin = add_months(first, i * months)
        result.append((begin, month_end(add_months(begin, months - 1))))
    return result


# ---------------------------------------------------------------------------------------------
# Retail period reports (sales, inventory, traffic, net PPM)


def _sales_values(a: int, p: int, seed: int, view: str, program: str, nulls: bool) -> dict[str, Any]:
    price = 999 + (a * 1237 + seed) % 9000  # cents
    units = (a * 37 + p * 11 + seed) % 23
    ordered = units + (a + p) % 3
    returns = (a + p) % 2 if units else 0
    values: dict[str, Any] = {
        "shippedCogs": units * (price * 6 // 10),
        "shippedRevenue": units * price,
        "shippedUnits": units,
    }
    if view == "MANUFACTURING":  # ordered figures come only with the Manufacturing view
        values["orderedRevenue"] = ordered * price
        values["orderedUnits"] = ordered
    if program in ("RETAIL", "BUSINESS"):  # returns only for Retail and Business
        values["customerReturns"] = returns
    if nulls and a % 7 == 3:  # "required" metrics arrive as null in real documents (#647)
        values["shippedCogs"] = None
        if "customerReturns" in values:
            values["customerReturns"] = None
    return values


def _sales_totals(asins: int, p: int, seed: int, view: str, program: str) -> dict[str, Any]:
    """The same sums as _aggregate over _sales_values, without building a dict per row."""
    cogs = revenue = units_total = ordered_revenue = ordered_total = returns_total = 0
    for a in range(asins):
        price = 999 + (a * 1237 + seed) % 9000
        units = (a * 37 + p * 11 + seed) % 23
        ordered = units + (a + p) % 3
        cogs += units * (price * 6 // 10)
        revenue += units * price
        units_total += units
        ordered_revenue += ordered * price
        ordered_total += ordered
        returns_total += (a + p) % 2 if units else 0
    total: dict[str, Any] = {"shippedCogs": cogs, "shippedRevenue": revenue, "shippedUnits": units_total}
    if view == "MANUFACTURING":
        total.update(orderedRevenue=ordered_revenue, orderedUnits=ordered_total)
    if program in ("RETAIL", "BUSINESS"):
        total["customerReturns"] = returns_total
    return total


def _sales_elements(
    asin_codes: list[str], p: int, begin: date, end: date, seed: int, view: str, program: str, currency: str
) -> Iterator[str]:
    """The salesByAsin elements of one period, exactly as _element writes _sales_values, but fast."""
    head = f'{{"startDate":"{begin.isoformat()}","endDate":"{end.isoformat()}","asin":"'
    tail = f',"currencyCode":"{currency}"}}'
    manufacturing = view == "MANUFACTURING"
    returns_reported = program in ("RETAIL", "BUSINESS")
    for a, asin in enumerate(asin_codes):
        price = 999 + (a * 1237 + seed) % 9000
        units = (a * 37 + p * 11 + seed) % 23
        text = (
            f'{head}{asin}","shippedCogs":{{"amount":{_money(units * (price * 6 // 10))}{tail},'
            f'"shippedRevenue":{{"amount":{_money(units * price)}{tail},"shippedUnits":{units}'
        )
        if manufacturing:
            ordered = units + (a + p) % 3
            text += f',"orderedRevenue":{{"amount":{_money(ordered * price)}{tail},"orderedUnits":{ordered}'
        if returns_reported:
            text += f',"customerReturns":{(a + p) % 2 if units else 0}'
        yield text + "}"


def _inventory_values(a: int, p: int, seed: int, grain: str, nulls: bool) -> dict[str, Any]:
    on_hand = (a * 53 + p * 7 + seed) % 400 - 5  # backorders make it negative now and then
    cost = 450 + (a * 311 + seed) % 4000
    received = (a * 13 + p * 3) % 60 - 2
    values: dict[str, Any] = {
        "vendorConfirmationRate": Decimal((a + p) % 100 + 20) / 100,
        "netReceivedInventoryCost": received * cost,
        "netReceivedInventoryUnits": received,
        "openPurchaseOrderUnits": (a * 5 + p) % 90 - 3,
        "averageVendorLeadTimeDays": Decimal((a * 17 + p) % 200) / 10,
        "sellThroughRate": Decimal((a * 29 + p * 3) % 130 - 10) / 100,
        "unfilledCustomerOrderedUnits": (a + p) % 6,
        "sellableOnHandInventoryCost": on_hand * cost,
        "sellableOnHandInventoryUnits": on_hand,
        "unsellableOnHandInventoryCost": ((a + p) % 4) * cost,
        "unsellableOnHandInventoryUnits": (a + p) % 4,
        "aged90PlusDaysSellableInventoryCost": ((a * 3 + p) % 10) * cost,
        "aged90PlusDaysSellableInventoryUnits": (a * 3 + p) % 10,
        "unhealthyInventoryCost": ((a + 2 * p) % 5) * cost,
        "unhealthyInventoryUnits": (a + 2 * p) % 5,
    }
    if grain == "DAY":
        # Amazon fills unhealthy inventory for WEEK and longer only (#4809): real DAY documents say
        # null (which the schema does not allow), schema-valid ones leave the fields out.
        for key in ("unhealthyInventoryCost", "unhealthyInventoryUnits"):
            if nulls:
                values[key] = None
            else:
                del values[key]
    if nulls and a % 7 == 3:
        values["openPurchaseOrderUnits"] = None
        values["sellableOnHandInventoryCost"] = None
        values["sellableOnHandInventoryUnits"] = None
    return values


_INVENTORY_AGGREGATE_ONLY = {
    "procurableProductOutOfStockRate": Decimal("0.075"),
    "uft": Decimal("0.19"),
    "receiveFillRate": Decimal("0.94"),
}


def _traffic_values(a: int, p: int, seed: int, nulls: bool) -> dict[str, Any]:
    return {"glanceViews": (a * 97 + p * 31 + seed) % 1500}


def _net_ppm_values(a: int, p: int, seed: int, nulls: bool) -> dict[str, Any]:
    # Net PPM can be negative despite Amazon's "0 to 1" wording (DOMAIN.md section 4.3).
    return {"netPureProductMargin": Decimal((a * 41 + p * 7 + seed) % 60 - 10) / 100}


def _aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums of the ASIN rows of one period; a field null on any row stays summed over the others."""
    total: dict[str, Any] = {}
    for values in rows:
        for key, value in values.items():
            if value is None:
                total.setdefault(key, None)
                continue
            if key in ("sellThroughRate", "vendorConfirmationRate", "averageVendorLeadTimeDays"):
                total[key] = value  # a rate is not additive: keep the last one as the catalogue's
            elif key == "netPureProductMargin":
                total[key] = value
            else:
                total[key] = (total.get(key) or 0) + value
    return total


def write_retail_report(
    out: BinaryIO,
    kind: str,
    asins: int | Sequence[str],
    days: int,
    *,
    grain: str = "DAY",
    view: str = "MANUFACTURING",
    program: str = "RETAIL",
    start: date = DEFAULT_START,
    marketplace_id: str = US,
    currency: str = "USD",
    seed: int = 0,
    nulls: bool = False,
    aggregate_last: bool = False,
) -> int:
    """Stream a retail report document (kind: sales | inventory | traffic | netppm) into `out`.

    `days` is the number of periods of `grain` (days for DAY). Returns the number of ASIN rows.
    """
    names = {
        "sales": ("GET_VENDOR_SALES_REPORT", "sales"),
        "inventory": ("GET_VENDOR_INVENTORY_REPORT", "inventory"),
        "traffic": ("GET_VENDOR_TRAFFIC_REPORT", "traffic"),
        "netppm": ("GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT", "netPureProductMargin"),
    }
    report_type, prefix = names[kind]
    asin_codes = _asins(asins, seed)
    spans = periods(grain, days, start)
    options = {"reportPeriod": grain}
    if kind in ("sales", "inventory"):
        options = {"distributorView": view, "reportPeriod": grain, "sellingProgram": program}

    def values_for(a: int, p: int) -> dict[str, Any]:
        if kind == "sales":
            return _sales_values(a, p, seed, view, program, nulls)
        if kind == "inventory":
            return _inventory_values(a, p, seed, grain, nulls)
        if kind == "traffic":
            return _traffic_values(a, p, seed, nulls)
        return _net_ppm_values(a, p, seed, nulls)

    out.write(b'{"reportSpecification":')
    out.write(_spec(report_type, options, spans[0][0], spans[-1][1], marketplace_id).encode())

    fast = kind == "sales" and not nulls  # the benchmark's million rows: plain integer arithmetic

    def write_aggregate() -> None:
        writer = _ArrayWriter(out, f"{prefix}Aggregate")
        for p, (begin, end) in enumerate(spans):
            if fast:
                total = _sales_totals(len(asin_codes), p, seed, view, program)
            else:
                total = _aggregate([values_for(a, p) for a in range(len(asin_codes))])
            if kind == "inventory":
                total.update(_INVENTORY_AGGREGATE_ONLY)
            writer.add(_element(begin, end, None, total, currency))
        writer.close()

    if not aggregate_last:
        out.write(b",")
        write_aggregate()
    out.write(b",")
    writer = _ArrayWriter(out, f"{prefix}ByAsin")
    for p, (begin, end) in enumerate(spans):
        if fast:
            for element in _sales_elements(asin_codes, p, begin, end, seed, view, program, currency):
                writer.add(element)
            continue
        for a, asin in enumerate(asin_codes):
            writer.add(_element(begin, end, asin, values_for(a, p), currency))
    writer.close()
    if aggregate_last:
        out.write(b",")
        write_aggregate()
    out.write(b"}")
    return writer.count


def sales_report_json(
    asins: int | Sequence[str],
    days: int,
    *,
    grain: str = "DAY",
    view: str = "MANUFACTURING",
    program: str = "RETAIL",
    gzip: bool = False,
    **kwargs: Any,
) -> bytes:
    """A GET_VENDOR_SALES_REPORT document: `asins` (a count or a list) x `days` periods of `grain`."""
    return _finish(
        lambda out: write_retail_report(out, "sales", asins, days, grain=grain, view=view, program=program, **kwargs),
        gzip,
    )


def inventory_report_json(
    asins: int | Sequence[str],
    days: int,
    *,
    grain: str = "WEEK",
    view: str = "MANUFACTURING",
    program: str = "RETAIL",
    gzip: bool = False,
    **kwargs: Any,
) -> bytes:
    return _finish(
        lambda out: write_retail_report(
            out, "inventory", asins, days, grain=grain, view=view, program=program, **kwargs
        ),
        gzip,
    )


def traffic_report_json(
    asins: int | Sequence[str], days: int, *, grain: str = "DAY", gzip: bool = False, **kwargs: Any
) -> bytes:
    return _finish(lambda out: write_retail_report(out, "traffic", asins, days, grain=grain, **kwargs), gzip)


def netppm_report_json(
    asins: int | Sequence[str], days: int, *, grain: str = "WEEK", gzip: bool = False, **kwargs: Any
) -> bytes:
    return _finish(lambda out: write_retail_report(out, "netppm", asins, days, grain=grain, **kwargs), gzip)


# ---------------------------------------------------------------------------------------------
# Forecast, real-time, promotions, coupons


def forecast_report_json(
    asins: int | Sequence[str],
    weeks: int,
    *,
    program: str = "RETAIL",
    generated: date = date(2025, 6, 1),
    marketplace_id: str = US,
    seed: int = 0,
    gzip: bool = False,
) -> bytes:
    """A GET_VENDOR_FORECASTING_REPORT: weekly forecasts from the Sunday after `generated`."""
    asin_codes = _asins(asins, seed)
    spans = periods("WEEK", weeks, generated + timedelta(days=7))

    def build(out: BinaryIO) -> None:
        spec = {
            "reportType": "GET_VENDOR_FORECASTING_REPORT",
            "reportOptions": {"sellingProgram": program},
            "lastUpdatedDate": generated.isoformat(),
            "marketplaceIds": [marketplace_id],
        }
        out.write(b'{"reportSpecification":' + json.dumps(spec).encode() + b",")
        writer = _ArrayWriter(out, "forecastByAsin")
        for a, asin in enumerate(asin_codes):
            for p, (begin, end) in enumerate(spans):
                mean = Decimal((a * 13 + p * 5 + seed) % 400) / 10
                writer.add(
                    f'{{"forecastGenerationDate":"{generated.isoformat()}","asin":"{asin}",'
                    f'"startDate":"{begin.isoformat()}","endDate":"{end.isoformat()}",'
                    f'"meanForecastUnits":{mean},"p70ForecastUnits":{mean * Decimal("1.2")},'
                    f'"p80ForecastUnits":{mean * Decimal("1.4")},"p90ForecastUnits":{mean * Decimal("1.8")}}}'
                )
        writer.close()
        out.write(b"}")

    return _finish(build, gzip)


def realtime_report_json(
    kind: str,
    asins: int | Sequence[str],
    hours: int,
    *,
    start: datetime = datetime(2025, 6, 1, 0, 0, tzinfo=UTC),
    marketplace_id: str = US,
    currency: str = "USD",
    seed: int = 0,
    gzip: bool = False,
) -> bytes:
    """A GET_VENDOR_REAL_TIME_{SALES,INVENTORY,TRAFFIC}_REPORT (kind: sales | inventory | traffic)."""
    report_type = f"GET_VENDOR_REAL_TIME_{kind.upper()}_REPORT"
    asin_codes = _asins(asins, seed)
    stamp = "%Y-%m-%dT%H:%M:%SZ"

    def build(out: BinaryIO) -> None:
        spec: dict[str, Any] = {
            "reportType": report_type,
            "dataStartTime": start.strftime(stamp),
            "dataEndTime": (start + timedelta(hours=hours)).strftime(stamp),
            "marketplaceIds": [marketplace_id],
        }
        if kind == "sales":
            spec["reportOptions"] = {"currencyCode": currency}
        out.write(b'{"reportSpecification":' + json.dumps(spec).encode() + b",")
        writer = _ArrayWriter(out, "reportData")
        for h in range(hours):
            begin = start + timedelta(hours=h)
            times = f'"startTime":"{begin.strftime(stamp)}","endTime":"{(begin + timedelta(hours=1)).strftime(stamp)}"'
            for a, asin in enumerate(asin_codes):
                if kind == "sales":
                    units = (a * 7 + h + seed) % 9 - 1  # cancellations can outnumber orders
                    metrics = f'"orderedUnits":{units},"orderedRevenue":{_money(units * (1999 + a * 100))}'
                elif kind == "inventory":
                    metrics = f'"highlyAvailableInventory":{(a * 31 + h) % 500}'
                else:
                    metrics = f'"glanceViews":{(a * 11 + h * 3 + seed) % 80}'
                writer.add(f'{{{times},"asin":"{asin}",{metrics}}}')
        writer.close()
        out.write(b"}")

    return _finish(build, gzip)


def promotion_report_json(
    promotions: int,
    asins_per_promotion: int = 2,
    *,
    vendor_code: str = "ACMEU",
    marketplace_id: str = US,
    currency: str = "USD",
    start: date = date(2025, 6, 1),
    seed: int = 0,
    gzip: bool = False,
) -> bytes:
    """A GET_PROMOTION_PERFORMANCE_REPORT whose promotion totals are the sums of their products."""
    asin_codes = asin_list(asins_per_promotion * promotions, seed)
    items = []
    for i in range(promotions):
        products: list[dict[str, Any]] = []
        for j in range(asins_per_promotion):
            units = (i * 7 + j * 3 + seed) % 40
            products.append(
                {
                    "asin": asin_codes[i * asins_per_promotion + j],
                    "productName": f"Product {i}-{j}",
                    "productGlanceViews": units * 25,
                    "productUnitsSold": units,
                    "productAmountSpent": Decimal(units * 150) / 100,
                    "productAmountSpentCurrencyCode": currency,
                    "productRevenue": Decimal(units * 2499) / 100,
                    "productRevenueCurrencyCode": currency,
                }
            )
        begin = datetime.combine(start + timedelta(days=i), datetime.min.time(), tzinfo=UTC)
        items.append(
            {
                "promotionId": str(16913551269 + i),
                "promotionName": f"Promotion {i}",
                "vendorCode": vendor_code,
                "unitsSold": sum(p["productUnitsSold"] for p in products),
                "amountSpent": sum((p["productAmountSpent"] for p in products), Decimal(0)),
                "amountSpentCurrencyCode": currency,
                "revenue": sum((p["productRevenue"] for p in products), Decimal(0)),
                "revenueCurrencyCode": currency,
                "startDateTime": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endDateTime": (begin + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "type": ("BEST_DEAL", "LIGHTNING_DEAL", "PRICE_DISCOUNT")[i % 3],
                "status": "APPROVED",
                "creationChannel": "SELF-SERVICE",
                "marketplaceId": marketplace_id,
                "fundingAgreementId": str(58985408 + i),
                "glanceViews": sum(p["productGlanceViews"] for p in products),
                "createdDateTime": (begin - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "lastUpdatedDateTime": (begin - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "includedProducts": products,
            }
        )
    document = {
        "reportSpecification": {
            "reportType": "GET_PROMOTION_PERFORMANCE_REPORT",
            "reportOptions": {
                "promotionStartDateFrom": f"{start.isoformat()}T00:00:00Z",
                "promotionStartDateTo": f"{(start + timedelta(days=promotions)).isoformat()}T00:00:00Z",
            },
            "marketplaceIds": [marketplace_id],
        },
        "promotions": items,
    }
    return _finish(lambda out: out.write(dumps(document)), gzip)


def coupon_report_json(
    campaigns: int,
    coupons_per_campaign: int = 2,
    *,
    vendor_code: str = "ACMEU",
    marketplace_id: str = US,
    currency: str | None = "USD",
    start: date = date(2025, 11, 1),
    seed: int = 0,
    gzip: bool = False,
) -> bytes:
    """A GET_COUPON_PERFORMANCE_REPORT; budgetPercentageUsed is in percentage points, as Amazon writes it."""
    asin_codes = asin_list(campaigns * coupons_per_campaign, seed)
    items = []
    for i in range(campaigns):
        coupons: list[dict[str, Any]] = []
        for j in range(coupons_per_campaign):
            budget = Decimal(10000)
            spent = Decimal((i * 4229 + j * 1000 + seed) % 900000) / 100
            coupons.append(
                {
                    "couponId": f"A2NW32V27GZ{i:02d}{j}",
                    "name": f"Coupon {i}-{j}",
                    "websiteMessage": "Save on BrandX Product",
                    "startDateTime": f"{(start + timedelta(days=i)).isoformat()}T05:59:59Z",
                    "endDateTime": f"{(start + timedelta(days=i + 3)).isoformat()}T23:59:59Z",
                    "isOncePerCustomer": True,
                    "customerSegment": "All (Default)",
                    "clips": 13 + j,
                    "redemptions": 1 + j,
                    "budget": budget,
                    "totalDiscount": Decimal(40 * (1 + j)),
                    "budgetSpent": spent,
                    "budgetRemaining": budget - spent,
                    "budgetPercentageUsed": (spent / budget * 100).quantize(Decimal("0.1")),
                    "asins": [
                        {
                            "asin": asin_codes[i * coupons_per_campaign + j],
                            "discountType": "PERCENT_OFF_LIST_PRICE",
                            "discountAmount": 10,
                        }
                    ],
                }
            )
        campaign: dict[str, Any] = {
            "campaignId": f"AMZHYHN65T7{i:02d}",
            "campaignName": f"Campaign {i}",
            "vendorCode": vendor_code,
            "marketplaceId": marketplace_id,
            "creationDateTime": f"{start.isoformat()}T12:34:56Z",
            "lastUpdatedDateTime": f"{(start + timedelta(days=40)).isoformat()}T09:44:35Z",
            "isSubscribeAndSave": False,
            "budgetType": "PER_INDIVIDUAL_COUPON",
            "totalClips": sum(c["clips"] for c in coupons),
            "totalRedemptions": sum(c["redemptions"] for c in coupons),
            "coupons": coupons,
        }
        if currency is not None:
            campaign["currencyCode"] = currency
        items.append(campaign)
    document = {
        "reportSpecification": {
            "reportType": "GET_COUPON_PERFORMANCE_REPORT",
            "reportOptions": {
                "campaignStartDateFrom": f"{start.isoformat()}T00:00:00Z",
                "campaignStartDateTo": f"{(start + timedelta(days=29)).isoformat()}T00:00:00Z",
            },
            "marketplaceIds": [marketplace_id],
        },
        "campaigns": items,
    }
    return _finish(lambda out: out.write(dumps(document)), gzip)


def fatal_report_json(message: str = "The report was not generated: invalid date range.") -> bytes:
    return json.dumps({"errorDetails": message}).encode()


# ---------------------------------------------------------------------------------------------
# Vendor Central Retail Analytics web exports (CSV / XLSX)

# Current (2023+) column headers, per report, with the fact column each carries (None = display only).
VC_COLUMNS: dict[str, list[tuple[str, str | None]]] = {
    "sales": [
        ("ASIN", "asin"),
        ("Product Title", None),
        ("Brand", None),
        ("Ordered Revenue", "ordered_revenue"),
        ("Ordered Units", "ordered_units"),
        ("Shipped Revenue", "shipped_revenue"),
        ("Shipped COGS", "shipped_cogs"),
        ("Shipped Units", "shipped_units"),
        ("Customer Returns", "customer_returns"),
    ],
    "inventory": [
        ("ASIN", "asin"),
        ("Product Title", None),
        ("Brand", None),
        ("Model Number", None),
        ("Sourceable Product OOS %", "sourceable_product_out_of_stock_rate"),
        ("Procurable Product OOS %", "procurable_product_out_of_stock_rate"),
        ("Vendor Confirmation %", "vendor_confirmation_rate"),
        ("Net Received", "net_received_inventory_cost"),
        ("Net Received Units", "net_received_inventory_units"),
        ("Open Purchase Order Quantity", "open_purchase_order_units"),
        ("Receive Fill %", "receive_fill_rate"),
        ("Overall Vendor Lead Time (days)", "average_vendor_lead_time_days"),
        ("Unfilled Customer Ordered Units", "unfilled_customer_ordered_units"),
        ("Aged 90+ Days Sellable Inventory", "aged_90_plus_days_sellable_inventory_cost"),
        ("Aged 90+ Days Sellable Units", "aged_90_plus_days_sellable_inventory_units"),
        ("Sellable On Hand Inventory", "sellable_on_hand_inventory_cost"),
        ("Sellable On Hand Units", "sellable_on_hand_inventory_units"),
        ("Unsellable On Hand Inventory", "unsellable_on_hand_inventory_cost"),
        ("Unsellable On Hand Units", "unsellable_on_hand_inventory_units"),
        ("Sell-Through Rate", "sell_through_rate"),
        ("Unhealthy Inventory", "unhealthy_inventory_cost"),
        ("Unhealthy Units", "unhealthy_inventory_units"),
        ("Confirmed Units", None),
        ("In Transit Quantity", None),
    ],
    "traffic": [("ASIN", "asin"), ("Product Title", None), ("Glance Views", "glance_views")],
    "netppm": [("ASIN", "asin"), ("Product Title", None), ("Net PPM %", "net_pure_product_margin")],
}
# Spelling drift seen between exports and UI versions (the catalog's inventoryColumnSpellingVariants).
VC_DRIFT = {
    "Sellable On Hand Units": "Sellable On-Hand Units",
    "Sellable On Hand Inventory": "Sellable On-Hand Inventory",
    "Unsellable On Hand Units": "Unsellable On-Hand Units",
    "Receive Fill %": "Receive Fill Rate %",
    "Vendor Confirmation %": "Vendor Confirmation Rate",
    "In Transit Quantity": "In-Transit Quantity",
    "Net PPM %": "Net PPM",
    "Shipped COGS": "Shipped Cogs",
}
# Comparison columns the parser must ignore ('-' or an en dash, per the catalog).
VC_COMPARISONS = {
    "sales": ["Ordered Revenue", "Shipped COGS", "Shipped Units"],
    "traffic": ["Glance Views"],
}
# Legacy (before 2023) Sales Diagnostic layout; only some columns carry facts.
VC_LEGACY_SALES: list[tuple[str, str | None]] = [
    ("ASIN", "asin"),
    ("Product Title", None),
    ("Shipped COGS", "shipped_cogs"),
    ("Shipped COGS - % of Total", None),
    ("Shipped COGS - Prior Period", None),
    ("Shipped COGS - Last Year", None),
    ("Shipped Units", "shipped_units"),
    ("Shipped Units - % of Total", None),
    ("Shipped Units - Prior Period", None),
    ("Shipped Units - Last Year", None),
    ("Ordered Units", "ordered_units"),
    ("Ordered Units - % of Total", None),
    ("Customer Returns", "customer_returns"),
    ("Free Replacements", None),
    ("Subcategory (Sales Rank)", None),
    ("Average Sales Price", None),
    ("Average Sales Price - Prior Period", None),
    ("Change in Glance View - Prior Period", None),
    ("Change in GV Last Year", None),
    ("Glance Views", None),
    ("Conversion Rate", None),
    ("Rep OOS", None),
    ("Rep OOS - % of Total", None),
    ("Rep OOS - Prior Period", None),
    ("LBB (Price)", None),
]
_PERCENT_COLUMNS = frozenset(
    {
        "sourceable_product_out_of_stock_rate",
        "procurable_product_out_of_stock_rate",
        "vendor_confirmation_rate",
        "receive_fill_rate",
        "sell_through_rate",
        "net_pure_product_margin",
    }
)
_MONEY_COLUMNS = frozenset(
    {
        "ordered_revenue",
        "shipped_revenue",
        "shipped_cogs",
        "net_received_inventory_cost",
        "aged_90_plus_days_sellable_inventory_cost",
        "sellable_on_hand_inventory_cost",
        "unsellable_on_hand_inventory_cost",
        "unhealthy_inventory_cost",
    }
)
_SYMBOLS = {"USD": "$", "INR": "₹", "GBP": "£", "EUR": "€", "JPY": "¥", "CAD": "$", "AUD": "$"}
_COUNTRY_OF_LOCALE = {"en_US": "US", "en_GB": "GB", "en_IN": "IN", "en_AE": "AE", "de_DE": "DE"}
_CURRENCY_OF_COUNTRY = {"US": "USD", "GB": "GBP", "IN": "INR", "AE": "AED", "DE": "EUR"}


def vc_rows(kind: str, count: int, *, seed: int = 0, negative: bool = True) -> list[dict[str, Any]]:
    """`count` ASIN rows of fact values (Decimals, ints, fractions) for `kind`, some negative, one blank."""
    rows = []
    for i, asin in enumerate(asin_list(count, seed)):
        row: dict[str, Any] = {"asin": asin, "title": f"Product {i}, {kind}", "brand": "Acme"}
        price = Decimal(1999 + i * 137 + seed) / 100
        units = 100 + i * 17
        if kind == "sales":
            row.update(
                ordered_revenue=price * (units + 3) * 100,  # large enough to need grouping
                ordered_units=units + 3,
                shipped_revenue=price * units,
                shipped_cogs=(price * units * Decimal("0.6")).quantize(Decimal("0.01")),
                shipped_units=units,
                customer_returns=i % 5,
            )
            if negative and i == 1:  # returns outnumber orders: negative revenue and units
                row.update(ordered_revenue=Decimal("-379.04"), ordered_units=-2)
        elif kind == "inventory":
            row.update(
                sourceable_product_out_of_stock_rate=Decimal("0.031"),
                procurable_product_out_of_stock_rate=Decimal(i % 10) / 100,
                vendor_confirmation_rate=Decimal("0.883"),
                net_received_inventory_cost=price * 40,
                net_received_inventory_units=40 - i,
                open_purchase_order_units=12 + i,
                receive_fill_rate=Decimal("0.94"),
                average_vendor_lead_time_days=Decimal("10.2"),
                unfilled_customer_ordered_units=i % 3,
                aged_90_plus_days_sellable_inventory_cost=price * 5,
                aged_90_plus_days_sellable_inventory_units=5,
                sellable_on_hand_inventory_cost=price * units * 10,
                sellable_on_hand_inventory_units=units * 10,
                unsellable_on_hand_inventory_cost=price * 2,
                unsellable_on_hand_inventory_units=2,
                sell_through_rate=Decimal("0.386"),  # DOMAIN.md section 4.3: 540 / 1,400 = 38.6 %
                unhealthy_inventory_cost=None,
                unhealthy_inventory_units=None,
            )
            if negative and i == 1:
                row.update(sellable_on_hand_inventory_units=-4, net_received_inventory_cost=-price * 3)
        elif kind == "traffic":
            row.update(glance_views=12000 + i * 100)
        else:
            row.update(net_pure_product_margin=Decimal("0.27") if i != 1 or not negative else Decimal("-0.052"))
        rows.append(row)
    if rows and count > 2:
        blank = rows[-1]
        for key in list(blank):
            if key not in ("asin", "title", "brand") and key != "shipped_units":
                blank[key] = None
        if kind == "sales":
            blank["ordered_revenue"] = Decimal("0.00")  # the sample's last row: ₹0.00 then blanks
            blank["ordered_units"] = 0
    return rows


def _group(digits: str, indian: bool, separator: str) -> str:
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    size = 2 if indian else 3
    groups: list[str] = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return separator.join([*groups, tail])


def format_number(value: Decimal | int, locale: str, places: int | None = 2) -> str:
    """A number the way `locale` displays it: 3,05,148.87 (en_IN), 1,234.56 (en_US), 1.234,56 (de_DE)."""
    text = f"{abs(Decimal(value)):.{places}f}" if places is not None else str(abs(value))
    whole, _, fraction = text.partition(".")
    german = locale.startswith("de")
    grouped = _group(whole, locale == "en_IN", "." if german else ",")
    sign = "-" if value < 0 else ""
    if fraction:
        return f"{sign}{grouped}{',' if german else '.'}{fraction}"
    return f"{sign}{grouped}"


def format_money(value: Decimal, locale: str, currency: str) -> str:
    """'-₹379.04' (minus before the symbol), '$1,234.56', '1.234,56 €', 'AED 1,234.56'."""
    number = format_number(abs(value), locale)
    sign = "-" if value < 0 else ""
    if locale.startswith("de"):
        return f"{sign}{number} {_SYMBOLS.get(currency, currency)}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"


def format_date(day: date, locale: str) -> str:
    """m/d/yy (en_US), dd/mm/yy (en_GB, en_IN), dd/mm/yyyy (en_AE), dd.mm.yyyy (de_DE)."""
    if locale == "en_US":
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if locale == "en_AE":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if locale.startswith("de"):
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year % 100:02d}"


def _banner(
    *,
    layout: str,
    locale: str,
    country: str | None,
    currency: str | None,
    program: str,
    view: str,
    reporting_range: str,
    viewing: tuple[date, date],
    report_updated: date,
) -> list[str]:
    span = f"{format_date(viewing[0], locale)} - {format_date(viewing[1], locale)}"
    if layout == "legacy":
        return [
            f"Program=[{program}]",
            f"Distributor View=[{view}]",
            f"Reporting Range=[{reporting_range}]",
            f"Viewing=[{span}]",
        ]
    program_key = "Programme" if locale in ("en_IN", "en_GB") else "Program"
    cells = [f"{program_key}=[{program}]", f"Distributor View=[{view}]", "View By=[ASIN]"]
    if country:
        cells.append(f"Countries=[{country}]")
    cells += ["Businesses=[ACME AUDIO PRIVATE LIMITED -Gujarat -MVR]", f"Locale=[{locale}]"]
    if currency:
        cells.append(f"Currency=[{currency}]")
    cells += [
        f"Reporting Range=[{reporting_range}]",
        f"Viewing Range=[{span}]",
        f"Report Updated=[{format_date(report_updated, locale)}]",
    ]
    return cells


def _vc_table(
    kind: str,
    locale: str,
    rows: Sequence[dict[str, Any]],
    *,
    layout: str,
    drift: bool,
    en_dash: bool,
    comparisons: bool,
    currency: str,
    missing: str,
    as_text: bool,
) -> tuple[list[str], list[list[Any]], list[str | None]]:
    columns = VC_LEGACY_SALES if layout == "legacy" and kind == "sales" else VC_COLUMNS[kind]
    headers = [VC_DRIFT.get(h, h) if drift else h for h, _ in columns]
    fields = [f for _, f in columns]
    if comparisons and layout == "current":
        dash = "\u2013" if en_dash else "-"
        for base in VC_COMPARISONS.get(kind, []):
            for suffix in ("Prior Period", "Same Period Last Year"):
                headers.append(f"{base} {dash} {suffix}")
                fields.append(None)
    body: list[list[Any]] = []
    for i, row in enumerate(rows):
        cells: list[Any] = []
        for header, field in zip(headers, fields, strict=True):
            if field is None:
                cells.append(_display_value(header, row, i, locale, currency))
                continue
            value = row.get(field)
            if field == "asin":
                cells.append(value)
            elif value is None:
                cells.append(missing)
            elif not as_text:
                cells.append(value)
            elif field in _MONEY_COLUMNS:
                cells.append(format_money(value, locale, currency))
            elif field in _PERCENT_COLUMNS:
                cells.append(format_number(value * 100, locale, places=1) + "%")
            elif isinstance(value, Decimal):
                cells.append(format_number(value, locale))
            else:
                cells.append(format_number(value, locale, places=None))
        body.append(cells)
    return headers, body, fields


def _display_value(header: str, row: dict[str, Any], i: int, locale: str, currency: str) -> str:
    """Values of columns the parser ignores (titles, comparisons, % of total): real-looking noise."""
    lowered = header.lower()
    if lowered == "product title":
        return row.get("title", "")
    if lowered == "brand":
        return row.get("brand", "")
    if "% of total" in lowered or "conversion" in lowered:
        return format_number(Decimal("12.5") + i, locale, places=1) + "%"
    if "sales rank" in lowered:
        return "Headphones (1,234)"
    if "price" in lowered or "cogs" in lowered or "revenue" in lowered:
        return format_money(Decimal("1234.56") + i, locale, currency)
    return format_number(Decimal(900 + i), locale, places=None)


def vc_export_csv(
    kind: str,
    locale: str = "en_US",
    rows: Sequence[dict[str, Any]] | None = None,
    *,
    layout: str = "current",
    country: str | None = "",
    currency: str | None = "",
    program: str = "Retail",
    view: str = "Manufacturing",
    reporting_range: str = "Monthly",
    viewing: tuple[date, date] = (date(2026, 7, 1), date(2026, 7, 31)),
    report_updated: date = date(2026, 9, 4),
    drift: bool = False,
    en_dash: bool = False,
    comparisons: bool = True,
    missing: str = "",
    bom: bool = True,
    delimiter: str = ",",
) -> bytes:
    """A Retail Analytics web export (kind: sales | inventory | traffic | netppm) as the UI downloads it.

    `rows` are dicts of fact values (see vc_rows). layout="legacy" writes the pre-2023 banner
    (`Viewing=[...]`, no Locale/Countries/Currency) and, for sales, the Sales Diagnostic columns.
    country/currency default to the locale's; pass None to leave them out of the banner.
    """
    rows = vc_rows(kind, 4) if rows is None else rows
    country = _COUNTRY_OF_LOCALE.get(locale, "US") if country == "" else country
    money_currency = currency or _CURRENCY_OF_COUNTRY.get(country or "US", "USD")
    banner_currency = money_currency if currency == "" else currency
    program = "Amazon Retail" if layout == "legacy" and program == "Retail" else program
    banner = _banner(
        layout=layout,
        locale=locale,
        country=country,
        currency=banner_currency,
        program=program,
        view=view,
        reporting_range=reporting_range,
        viewing=viewing,
        report_updated=report_updated,
    )
    headers, body, _ = _vc_table(
        kind,
        locale,
        rows,
        layout=layout,
        drift=drift,
        en_dash=en_dash,
        comparisons=comparisons,
        currency=money_currency,
        missing=missing,
        as_text=True,
    )
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(banner)
    writer.writerow(headers)
    writer.writerows(body)
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8")


def vc_export_xlsx(
    kind: str,
    locale: str = "en_US",
    rows: Sequence[dict[str, Any]] | None = None,
    *,
    layout: str = "current",
    country: str | None = "",
    currency: str | None = "",
    program: str = "Retail",
    view: str = "Manufacturing",
    reporting_range: str = "Monthly",
    viewing: tuple[date, date] = (date(2026, 7, 1), date(2026, 7, 31)),
    report_updated: date = date(2026, 9, 4),
    drift: bool = False,
    as_text: bool = False,
    formula: tuple[int, str, str] | None = None,
) -> bytes:
    """The same export as XLSX: banner in row 1, numbers as numbers (percent cells as formatted fractions).

    as_text=True writes every value as the CSV's text instead. `formula` = (data row index, header,
    formula) puts a formula in one cell, which the importer must refuse.
    """
    rows = vc_rows(kind, 4) if rows is None else rows
    country = _COUNTRY_OF_LOCALE.get(locale, "US") if country == "" else country
    money_currency = currency or _CURRENCY_OF_COUNTRY.get(country or "US", "USD")
    banner_currency = money_currency if currency == "" else currency
    program = "Amazon Retail" if layout == "legacy" and program == "Retail" else program
    banner = _banner(
        layout=layout,
        locale=locale,
        country=country,
        currency=banner_currency,
        program=program,
        view=view,
        reporting_range=reporting_range,
        viewing=viewing,
        report_updated=report_updated,
    )
    headers, body, fields = _vc_table(
        kind,
        locale,
        rows,
        layout=layout,
        drift=drift,
        en_dash=False,
        comparisons=True,
        currency=money_currency,
        missing="",
        as_text=as_text,
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{country or 'US'}_Detail View_Sales"
    sheet.append(banner)
    sheet.append(headers)
    for i, cells in enumerate(body):
        sheet.append([None if c == "" else c for c in cells])
        if as_text:
            continue
        for j, field in enumerate(fields):
            cell = sheet.cell(row=i + 3, column=j + 1)
            if field in _PERCENT_COLUMNS and cell.value is not None:
                cell.number_format = "0.00%"
            elif field in _MONEY_COLUMNS:
                cell.number_format = "#,##0.00"
    if formula is not None:
        index, header, text = formula
        sheet.cell(row=index + 3, column=headers.index(header) + 1).value = text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def excel_style_xlsx(table: Sequence[Sequence[Any]], *, streamed: bool = False) -> bytes:
    """A minimal workbook laid out the way Excel writes it: text in xl/sharedStrings.xml (after the
    sheet), numbers inline. streamed=True writes the zip to a non-seekable stream, so every entry
    carries a data descriptor (sizes after the data), as streaming zip writers do."""
    strings: list[str] = []
    index: dict[str, int] = {}
    rows_xml = []
    for r, row in enumerate(table, start=1):
        cells = []
        for c, cell in enumerate(row):
            ref = f"{_column_letter(c)}{r}"
            if cell is None or cell == "":
                continue
            if isinstance(cell, str):
                if cell not in index:
                    index[cell] = len(strings)
                    strings.append(cell)
                cells.append(f'<c r="{ref}" t="s"><v>{index[cell]}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{cell}</v></c>')
        rows_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    escape = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    shared = "".join("<si><t>" + "".join(escape.get(ch, ch) for ch in s) + "</t></si>" for s in strings)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="US_Detail View_Sales Diagnostic" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            + "".join(rows_xml)
            + "</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{shared}</sst>'
        ),
    }

    class _NoSeek(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.data += bytes(b)
            return len(b)

    target: Any = _NoSeek() if streamed else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return bytes(target.data) if streamed else target.getvalue()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def vc_table(
    kind: str, locale: str = "en_US", rows: Sequence[dict[str, Any]] | None = None, **kwargs: Any
) -> list[list[str]]:
    """The cells of vc_export_csv (banner, header, rows) as a table of text."""
    raw = vc_export_csv(kind, locale, rows, **kwargs).decode("utf-8-sig")
    return [list(row) for row in csv.reader(io.StringIO(raw, newline=""))]
