"""Writers of documents shaped exactly as Amazon delivers them, for the demo seeder and the tests.

`seed_demo` creates its facts by writing these documents and importing them through the real
pipeline, so everything here must produce what the parsers accept from Amazon (the tests validate
the SP-API documents against Amazon's published schemas). The tests' generators
(tests/ingest/docgen.py, tests/ingest/adsgen.py) build their synthetic values on top of these.

- SP-API report documents (Reports API 2021-06-30): retail reports (`retail_report_document`, with
  one block per period, aggregate rows first, money as {"amount", "currencyCode"} objects),
  forecasts (`forecast_document`), promotion performance (`promotion_performance_document`).
  Money in retail elements is given in cents (ints), so aggregates are exact sums.
- Amazon Ads API v3 report bodies (`ads_report_body`): a gzipped JSON array of flat DAILY rows with
  64-bit ids as JSON integers; row builders for spCampaigns, spAdvertisedProduct, sbCampaigns and
  sdCampaigns.
- SP-API vendorOrders / vendorShipments documents: purchase orders, their status, shipment
  confirmations (ASNs) and shipments.

Every writer is deterministic: the same arguments give the same bytes (gzip with mtime 0).
"""

from __future__ import annotations

import gzip as gzip_module
import io
import json
import re
import zlib
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any
from typing import BinaryIO

# ---------------------------------------------------------------------------------------------
# JSON text helpers


def money_text(cents: int) -> str:
    """Cents as a JSON number with two decimals: 123456 -> 1234.56, -5 -> -0.05."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def amount_json(cents: int | None, currency: str) -> str:
    """An SP-API Amount object (or null) for a value in cents."""
    if cents is None:
        return "null"
    return f'{{"amount":{money_text(cents)},"currencyCode":"{currency}"}}'


def json_value(value: Any) -> str:
    """A JSON scalar; Decimals are written digit for digit (json would need floats)."""
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def finish_document(build: Callable[[BinaryIO], Any], compress: bool) -> bytes:
    """Run `build` on a buffer, gzipped (deterministically: mtime 0) when `compress`."""
    buffer = io.BytesIO()
    if compress:
        with gzip_module.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as zipped:
            build(zipped)  # type: ignore[arg-type]
    else:
        build(buffer)
    return buffer.getvalue()


def report_specification(
    report_type: str,
    options: Mapping[str, str],
    start: date,
    end: date,
    marketplace_id: str,
    last_updated: date | None = None,
) -> str:
    """The `reportSpecification` object of a retail report document, as compact JSON text."""
    return json.dumps(
        {
            "reportType": report_type,
            "reportOptions": dict(options),
            "lastUpdatedDate": (last_updated or end + timedelta(days=3)).isoformat(),
            "dataStartTime": start.isoformat(),
            "dataEndTime": end.isoformat(),
            "marketplaceIds": [marketplace_id],
        },
        separators=(",", ":"),
    )


class ArrayWriter:
    """Writes `"name":[el,el,...]` in blocks, so a million elements never sit in memory at once."""

    def __init__(self, out: BinaryIO, name: str) -> None:
        self.out = out
        self.parts: list[str] = [f'"{name}":[']
        self.count = 0

    def add(self, element: str) -> None:
        self.parts.append(element if not self.count else "," + element)
        self.count += 1
        if len(self.parts) >= 10_000:
            self.out.write("".join(self.parts).encode())
            self.parts = []

    def close(self) -> None:
        self.parts.append("]")
        self.out.write("".join(self.parts).encode())


def dumps(document: Any) -> bytes:
    """Compact JSON with Decimals written as the exact numbers they hold (json would need floats)."""
    text = json.dumps(_decimals_to_markers(document), separators=(",", ":"))
    return re.sub(r'"@@DECIMAL@@(-?[0-9.E+-]+)@@"', r"\1", text).encode()


def _decimals_to_markers(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"@@DECIMAL@@{value}@@"
    if isinstance(value, dict):
        return {k: _decimals_to_markers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_to_markers(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# SP-API retail reports (sales, inventory, traffic, net PPM), forecasts, promotion performance

SALES_REPORT = "GET_VENDOR_SALES_REPORT"
INVENTORY_REPORT = "GET_VENDOR_INVENTORY_REPORT"
TRAFFIC_REPORT = "GET_VENDOR_TRAFFIC_REPORT"
NET_PPM_REPORT = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"
FORECAST_REPORT = "GET_VENDOR_FORECASTING_REPORT"
PROMOTION_REPORT = "GET_PROMOTION_PERFORMANCE_REPORT"

# kind -> (report type, prefix of its two arrays: <prefix>Aggregate, <prefix>ByAsin)
RETAIL_REPORTS: dict[str, tuple[str, str]] = {
    "sales": (SALES_REPORT, "sales"),
    "inventory": (INVENTORY_REPORT, "inventory"),
    "traffic": (TRAFFIC_REPORT, "traffic"),
    "netppm": (NET_PPM_REPORT, "netPureProductMargin"),
}

# Fields written as Amount objects; their values are given in cents.
AMOUNT_FIELDS = frozenset(
    {
        "orderedRevenue",
        "shippedCogs",
        "shippedRevenue",
        "netReceivedInventoryCost",
        "sellableOnHandInventoryCost",
        "unsellableOnHandInventoryCost",
        "aged90PlusDaysSellableInventoryCost",
        "unhealthyInventoryCost",
    }
)


def retail_element(start: date, end: date, asin: str | None, values: Mapping[str, Any], currency: str) -> str:
    """One element of a retail report array; `asin` None for the aggregate array."""
    parts = [f'"startDate":"{start.isoformat()}"', f'"endDate":"{end.isoformat()}"']
    if asin is not None:
        parts.append(f'"asin":"{asin}"')
    for key, value in values.items():
        text = amount_json(value, currency) if key in AMOUNT_FIELDS else json_value(value)
        parts.append(f'"{key}":{text}')
    return "{" + ",".join(parts) + "}"


@dataclass(frozen=True)
class RetailBlock:
    """One period of a retail report: the vendor-level aggregate and the ASIN rows (field -> value)."""

    start: date
    end: date
    aggregate: Mapping[str, Any]
    by_asin: Sequence[tuple[str, Mapping[str, Any]]]


def retail_report_document(
    kind: str,
    blocks: Sequence[RetailBlock],
    *,
    grain: str,
    marketplace_id: str,
    currency: str,
    view: str = "MANUFACTURING",
    program: str = "RETAIL",
    last_updated: date | None = None,
    compress: bool = True,
) -> bytes:
    """A retail report document (kind: sales | inventory | traffic | netppm) with one block per period.

    Sales and inventory reports carry the distributor view and selling program in reportOptions;
    traffic and net PPM reports have neither (Amazon's options for them are the period only).
    """
    if not blocks:
        raise ValueError("a report document needs at least one period")
    report_type, prefix = RETAIL_REPORTS[kind]
    options: dict[str, str] = {"reportPeriod": grain}
    if kind in ("sales", "inventory"):
        options = {"distributorView": view, "reportPeriod": grain, "sellingProgram": program}
    spec = report_specification(
        report_type, options, blocks[0].start, blocks[-1].end, marketplace_id, last_updated=last_updated
    )

    def build(out: BinaryIO) -> None:
        out.write(b'{"reportSpecification":' + spec.encode() + b",")
        writer = ArrayWriter(out, f"{prefix}Aggregate")
        for block in blocks:
            writer.add(retail_element(block.start, block.end, None, block.aggregate, currency))
        writer.close()
        out.write(b",")
        writer = ArrayWriter(out, f"{prefix}ByAsin")
        for block in blocks:
            for asin, values in block.by_asin:
                writer.add(retail_element(block.start, block.end, asin, values, currency))
        writer.close()
        out.write(b"}")

    return finish_document(build, compress)


@dataclass(frozen=True)
class ForecastRow:
    asin: str
    start: date  # a Sunday
    mean: Decimal
    p70: Decimal
    p80: Decimal
    p90: Decimal


def forecast_document(
    rows: Sequence[ForecastRow],
    *,
    generated: date,
    marketplace_id: str,
    program: str = "RETAIL",
    compress: bool = True,
) -> bytes:
    """A GET_VENDOR_FORECASTING_REPORT: weekly unit forecasts generated on `generated`."""
    spec = {
        "reportType": FORECAST_REPORT,
        "reportOptions": {"sellingProgram": program},
        "lastUpdatedDate": generated.isoformat(),
        "marketplaceIds": [marketplace_id],
    }

    def build(out: BinaryIO) -> None:
        out.write(b'{"reportSpecification":' + json.dumps(spec).encode() + b",")
        writer = ArrayWriter(out, "forecastByAsin")
        for row in rows:
            writer.add(
                f'{{"forecastGenerationDate":"{generated.isoformat()}","asin":"{row.asin}",'
                f'"startDate":"{row.start.isoformat()}","endDate":"{(row.start + timedelta(days=6)).isoformat()}",'
                f'"meanForecastUnits":{row.mean},"p70ForecastUnits":{row.p70},'
                f'"p80ForecastUnits":{row.p80},"p90ForecastUnits":{row.p90}}}'
            )
        writer.close()
        out.write(b"}")

    return finish_document(build, compress)


def promotion_performance_document(
    promotions: Sequence[Mapping[str, Any]],
    *,
    marketplace_id: str,
    start_from: date,
    start_to: date,
    compress: bool = True,
) -> bytes:
    """A GET_PROMOTION_PERFORMANCE_REPORT: promotions (with their includedProducts) that started in the range.

    Each promotion is the dict Amazon writes (promotionId, promotionName, vendorCode, unitsSold,
    amountSpent, revenue, their currency codes, dates, type, status, includedProducts, ...).
    """
    document = {
        "reportSpecification": {
            "reportType": PROMOTION_REPORT,
            "reportOptions": {
                "promotionStartDateFrom": f"{start_from.isoformat()}T00:00:00Z",
                "promotionStartDateTo": f"{start_to.isoformat()}T00:00:00Z",
            },
            "marketplaceIds": [marketplace_id],
        },
        "promotions": list(promotions),
    }
    return finish_document(lambda out: out.write(dumps(document)), compress)


# ---------------------------------------------------------------------------------------------
# Amazon Ads API v3 report bodies

# Realistic 64-bit ids: Amazon's exceed 2**32 (the docs' sample has 158410630682987).
CAMPAIGN_ID = 158410630682987
AD_GROUP_ID = 72320882861500
AD_ID = 283473247364512


def dumps_rows(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """JSON text of report rows with Decimals written digit for digit and ints exact."""
    parts = []
    for row in rows:
        items = []
        for key, value in row.items():
            text = format(value, "f") if isinstance(value, Decimal) else json.dumps(value)
            items.append(f"{json.dumps(key)}:{text}")
        parts.append("{" + ",".join(items) + "}")
    return ("[\n" + ",\n".join(parts) + "\n]").encode()


def ads_report_body(rows: Sequence[Mapping[str, Any]], *, compress: bool = True) -> bytes:
    """The downloaded body of a v3 report (GZIP_JSON): a gzipped JSON array of flat rows."""
    body = dumps_rows(rows)
    return gzip_module.compress(body, mtime=0) if compress else body


def sp_campaign_row(
    day: date,
    *,
    campaign_id: int = CAMPAIGN_ID,
    campaign_name: str = "Brand - Exact",
    impressions: int = 180_000,
    clicks: int = 1_276,
    cost: Decimal = Decimal("1250.00"),
    sales: dict[int, Decimal] | None = None,
    purchases: dict[int, int] | None = None,
    units: dict[int, int] | None = None,
    currency: str = "USD",
    **extra: Any,
) -> dict[str, Any]:
    """An spCampaigns DAILY row (groupBy campaign). Defaults: DOMAIN.md §4.1's worked week as one row."""
    sales = {14: Decimal("5000.00")} if sales is None else sales
    purchases = {14: 64} if purchases is None else purchases
    row: dict[str, Any] = {
        "date": day.isoformat(),
        "campaignId": campaign_id,
        "campaignName": campaign_name,
        "campaignStatus": "ENABLED",
        "campaignBudgetAmount": Decimal("500.00"),
        "campaignBudgetCurrencyCode": currency,
        "impressions": impressions,
        "clicks": clicks,
        "cost": cost,
        "spend": cost,
    }
    for days, value in sales.items():
        row[f"sales{days}d"] = value
    for days, count in purchases.items():
        row[f"purchases{days}d"] = count
    for days, count in (units or {}).items():
        row[f"unitsSoldClicks{days}d"] = count
    row.update(extra)
    return row


def sp_advertised_product_row(
    day: date,
    *,
    asin: str = "B07DFVDRAB",
    ad_id: int = AD_ID,
    ad_group_id: int = AD_GROUP_ID,
    campaign_id: int = CAMPAIGN_ID,
    campaign_name: str = "Brand - Exact",
    ad_group_name: str = "Exact",
    portfolio_id: int = 42093447217354,
    impressions: int = 2216,
    clicks: int = 13,
    cost: Decimal = Decimal("14.50"),
    sales14: Decimal = Decimal("89.97"),
    sales7: Decimal = Decimal("59.98"),
    purchases14: int = 3,
    units14: int | None = None,
    same_sku14: Decimal = Decimal("59.98"),
    click_through_rate: Decimal | None = Decimal("0.0059"),
    acos14: Decimal | None = Decimal("16.12"),
    roas14: Decimal | None = Decimal("6.20"),
    currency: str = "USD",
) -> dict[str, Any]:
    """An spAdvertisedProduct DAILY row (one ad = one advertised ASIN in an ad group)."""
    return {
        "date": day.isoformat(),
        "campaignName": campaign_name,
        "campaignId": campaign_id,
        "adGroupName": ad_group_name,
        "adGroupId": ad_group_id,
        "adId": ad_id,
        "portfolioId": portfolio_id,
        "impressions": impressions,
        "clicks": clicks,
        "costPerClick": (cost / clicks).quantize(Decimal("0.01")) if clicks else None,
        "clickThroughRate": click_through_rate,
        "cost": cost,
        "spend": cost,
        "campaignBudgetCurrencyCode": currency,
        "advertisedAsin": asin,
        "advertisedSku": "SKU-" + asin[-4:],
        "sales7d": sales7,
        "sales14d": sales14,
        "purchases14d": purchases14,
        "unitsSoldClicks14d": purchases14 if units14 is None else units14,
        "attributedSalesSameSku14d": same_sku14,
        "acosClicks14d": acos14,
        "roasClicks14d": roas14,
    }


def sb_campaign_row(
    day: date,
    *,
    campaign_id: int = 522893482741,
    campaign_name: str = "SB - Headline",
    budget: Decimal = Decimal("100.00"),
    impressions: int = 40210,
    clicks: int = 301,
    sales: Decimal = Decimal("812.40"),
    sales_clicks: Decimal = Decimal("700.00"),
    sales_promoted: Decimal = Decimal("650.00"),
    purchases: int = 17,
    purchases_clicks: int = 15,
    units: int = 19,
    new_to_brand_sales: Decimal = Decimal("301.10"),
    new_to_brand_purchases: int = 6,
    viewable_impressions: int = 30100,
    detail_page_views: int = 410,
    cost: Decimal = Decimal("120.35"),
    currency: str = "USD",
) -> dict[str, Any]:
    """An sbCampaigns DAILY row; SB's unsuffixed sales and purchases are 14-day attribution."""
    return {
        "date": day.isoformat(),
        "campaignId": campaign_id,
        "campaignName": campaign_name,
        "campaignStatus": "ENABLED",
        "campaignBudgetAmount": budget,
        "campaignBudgetType": "DAILY",
        "campaignBudgetCurrencyCode": currency,
        "impressions": impressions,
        "clicks": clicks,
        "cost": cost,
        "sales": sales,
        "salesClicks": sales_clicks,
        "salesPromoted": sales_promoted,
        "purchases": purchases,
        "purchasesClicks": purchases_clicks,
        "unitsSold": units,
        "newToBrandSales": new_to_brand_sales,
        "newToBrandPurchases": new_to_brand_purchases,
        "viewableImpressions": viewable_impressions,
        "video5SecondViews": 0,
        "detailPageViews": detail_page_views,
    }


def sd_campaign_row(
    day: date,
    *,
    campaign_id: int = 366158230120913,
    campaign_name: str = "SD - Views remarketing",
    impressions: int = 90211,
    impressions_views: int = 70400,
    clicks: int = 188,
    cost: Decimal = Decimal("96.04"),
    sales: Decimal = Decimal("410.50"),
    sales_clicks: Decimal = Decimal("300.00"),
    sales_promoted_clicks: Decimal = Decimal("250.00"),
    purchases: int = 9,
    units: int = 11,
    new_to_brand_sales: Decimal = Decimal("120.00"),
    detail_page_views: int = 233,
    cumulative_reach: int = 50321,
    currency: str = "USD",
) -> dict[str, Any]:
    """An sdCampaigns DAILY row; SD's unsuffixed sales and purchases are 14-day attribution."""
    return {
        "date": day.isoformat(),
        "campaignId": campaign_id,
        "campaignName": campaign_name,
        "campaignBudgetCurrencyCode": currency,
        "impressions": impressions,
        "impressionsViews": impressions_views,
        "clicks": clicks,
        "cost": cost,
        "sales": sales,
        "salesClicks": sales_clicks,
        "salesPromotedClicks": sales_promoted_clicks,
        "purchases": purchases,
        "unitsSold": units,
        "newToBrandSales": new_to_brand_sales,
        "detailPageViews": detail_page_views,
        "cumulativeReach": cumulative_reach,
    }


# ---------------------------------------------------------------------------------------------
# SP-API vendorOrders / vendorShipments


def quantity(amount: int, unit: str = "Eaches", unit_size: int | None = 1) -> dict[str, Any]:
    value: dict[str, Any] = {"amount": amount, "unitOfMeasure": unit}
    if unit_size is not None:
        value["unitSize"] = unit_size
    return value


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    return {"amount": amount, "currencyCode": currency}


def vendor_product_id(asin: str) -> str:
    """A stable 13-digit vendor product id (EAN-like) for an ASIN without a known GTIN."""
    return str(zlib.crc32(asin.encode())).zfill(13)


def order_item(
    sequence: str,
    asin: str,
    ordered: dict[str, Any],
    net_cost: str = "12.40",
    currency: str = "USD",
    *,
    product_id: str | None = None,
) -> dict[str, Any]:
    return {
        "itemSequenceNumber": sequence,
        "amazonProductIdentifier": asin,
        "vendorProductIdentifier": product_id or vendor_product_id(asin),
        "orderedQuantity": ordered,
        "isBackOrderAllowed": False,
        "netCost": money(net_cost, currency),
        "listPrice": money(net_cost, currency),
    }


def order(
    po_number: str,
    items: list[dict[str, Any]],
    *,
    vendor_code: str = "ACME1",
    state: str = "Acknowledged",
    ordered_at: str = "2026-10-05T14:10:00Z",
    ship_window: str | None = "2026-10-12T07:00:00Z--2026-10-16T07:00:00Z",
    delivery_window: str | None = None,
    ship_to: str = "PHX7",
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "purchaseOrderDate": ordered_at,
        "purchaseOrderStateChangedDate": ordered_at,
        "purchaseOrderType": "RegularOrder",
        "paymentMethod": "Invoice",
        "buyingParty": {"partyId": ship_to},
        "sellingParty": {"partyId": vendor_code},
        "shipToParty": {"partyId": ship_to},
        "billToParty": {"partyId": "AMZN"},
        "items": items,
    }
    if ship_window:
        details["shipWindow"] = ship_window
    if delivery_window:
        details["deliveryWindow"] = delivery_window
    return {"purchaseOrderNumber": po_number, "purchaseOrderState": state, "orderDetails": details}


def purchase_orders_response(orders: list[dict[str, Any]], *, next_token: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"orders": orders}
    if next_token:
        payload = {"pagination": {"nextToken": next_token}, **payload}
    return {"payload": payload}


def item_status(
    sequence: str,
    asin: str,
    *,
    ordered: dict[str, Any],
    accepted: dict[str, Any] | None,
    rejected: dict[str, Any] | None,
    received: dict[str, Any] | None,
    confirmation: str = "ACCEPTED",
    receive_status: str = "RECEIVED",
    last_received: str | None = "2026-10-20T16:31:02.193Z",
    net_cost: str = "12.40",
    currency: str = "USD",
    ordered_at: str = "2026-10-05T14:10:00Z",
    product_id: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "itemSequenceNumber": sequence,
        "buyerProductIdentifier": asin,
        "vendorProductIdentifier": product_id or vendor_product_id(asin),
        "netCost": money(net_cost, currency),
        "listPrice": money(net_cost, currency),
        "orderedQuantity": {
            "orderedQuantity": ordered,
            "orderedQuantityDetails": [{"updatedDate": ordered_at, "orderedQuantity": ordered}],
        },
        "acknowledgementStatus": {"confirmationStatus": confirmation},
        "receivingStatus": {"receiveStatus": receive_status},
    }
    if accepted is not None:
        status["acknowledgementStatus"]["acceptedQuantity"] = accepted
    if rejected is not None:
        status["acknowledgementStatus"]["rejectedQuantity"] = rejected
    if received is not None:
        status["receivingStatus"]["receivedQuantity"] = received
    if last_received is not None:
        status["receivingStatus"]["lastReceiveDate"] = last_received
    return status


def order_status(
    po_number: str,
    items: list[dict[str, Any]],
    *,
    vendor_code: str = "ACME1",
    status: str = "OPEN",
    ordered_at: str = "2026-10-05T14:10:00Z",
    updated_at: str = "2026-10-20T16:31:02Z",
    ship_to: str = "PHX7",
) -> dict[str, Any]:
    return {
        "purchaseOrderNumber": po_number,
        "purchaseOrderStatus": status,
        "purchaseOrderDate": ordered_at,
        "lastUpdatedDate": updated_at,
        "sellingParty": {"partyId": vendor_code},
        "shipToParty": {"partyId": ship_to},
        "itemStatus": items,
    }


def purchase_orders_status_response(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"payload": {"ordersStatus": statuses}}


def shipped_item(sequence: str, po_number: str, shipped: dict[str, Any], asin: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "itemSequenceNumber": sequence,
        "shippedQuantity": shipped,
        "itemDetails": {"purchaseOrderNumber": po_number},
    }
    if asin:
        item["amazonProductIdentifier"] = asin
    return item


def shipment_confirmation(
    shipment_id: str,
    items: list[dict[str, Any]],
    *,
    vendor_code: str = "ACME1",
    confirmed_at: str = "2026-10-14T09:12:00Z",
    shipped_at: str | None = "2026-10-14T08:50:00Z",
    estimated_delivery: str | None = "2026-10-17T15:00:00Z",
    confirmation_type: str = "Original",
    ship_from: str = "ACMEWH1",
    ship_to: str = "PHX7",
) -> dict[str, Any]:
    confirmation: dict[str, Any] = {
        "shipmentIdentifier": shipment_id,
        "shipmentConfirmationType": confirmation_type,
        "shipmentType": "LessThanTruckLoad",
        "shipmentStructure": "PalletizedAssortmentCase",
        "shipmentConfirmationDate": confirmed_at,
        "sellingParty": {"partyId": vendor_code},
        "shipFromParty": {"partyId": ship_from},
        "shipToParty": {"partyId": ship_to},
        "shippedItems": items,
    }
    if shipped_at:
        confirmation["shippedDate"] = shipped_at
    if estimated_delivery:
        confirmation["estimatedDeliveryDate"] = estimated_delivery
    return confirmation


def shipment_confirmations(confirmations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"shipmentConfirmations": confirmations}


def shipment(
    shipment_id: str,
    purchase_orders: list[dict[str, Any]],
    *,
    vendor_code: str = "ACME1",
    status: str = "Shipped",
    delivered_at: str | None = "2026-10-17T13:40:00Z",
    shipped_at: str = "2026-10-14T08:50:00Z",
    estimated_delivery: str = "2026-10-17T15:00:00Z",
    transaction_date: str = "2026-10-13T10:00:00Z",
    status_date: str = "2026-10-14T09:00:00Z",
    ship_from: str = "ACMEWH1",
    ship_to: str = "PHX7",
) -> dict[str, Any]:
    transport: dict[str, Any] = {
        "shipMode": "LessThanTruckLoad",
        "transportationMode": "Road",
        "shippedDate": shipped_at,
        "estimatedDeliveryDate": estimated_delivery,
    }
    if delivered_at:
        transport["shipmentDeliveryDate"] = delivered_at
    return {
        "vendorShipmentIdentifier": shipment_id,
        "transactionType": "New",
        "transactionDate": transaction_date,
        "currentShipmentStatus": status,
        "currentshipmentStatusDate": status_date,
        "shipmentFreightTerm": "Collect",
        "sellingParty": {"partyId": vendor_code},
        "shipFromParty": {"partyId": ship_from},
        "shipToParty": {"partyId": ship_to},
        "purchaseOrders": purchase_orders,
        "transportationDetails": transport,
    }


def shipments_response(shipments: list[dict[str, Any]]) -> dict[str, Any]:
    return {"payload": {"shipments": shipments}}


def to_bytes(document: Any, *, compress: bool = False) -> bytes:
    data = json.dumps(document).encode()
    return gzip_module.compress(data, mtime=0) if compress else data
