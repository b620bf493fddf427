"""Real-shaped documents for ingest tests, written the way Amazon delivers them.

SP-API vendor retail reports follow schemas/reports/vendorSalesReport.json of
amzn/selling-partner-api-models (the sample in ../shared/formats/spapi_vendor_reports_assembled_examples.json):
a reportSpecification, a `salesAggregate` array (one element per period) and a `salesByAsin` array.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

US = "ATVPDKIKX0DER"


@dataclass(frozen=True)
class SalesRow:
    start: date
    end: date
    asin: str = ""  # '' = the salesAggregate element of the period
    ordered_revenue: Decimal | None = Decimal("100.00")
    ordered_units: int | None = 10
    shipped_cogs: Decimal = Decimal("60.00")
    shipped_revenue: Decimal = Decimal("90.00")
    shipped_units: int = 9
    customer_returns: int | None = 1


def _amount(value: Decimal | None, currency: str) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"amount": float(value), "currencyCode": currency}


def sales_report(
    rows: list[SalesRow],
    *,
    start: date,
    end: date,
    period: str = "WEEK",
    view: str = "MANUFACTURING",
    program: str = "RETAIL",
    marketplace: str = US,
    currency: str = "USD",
    last_updated: date | None = None,
) -> dict[str, Any]:
    """A GET_VENDOR_SALES_REPORT document (after gunzip)."""

    def element(row: SalesRow) -> dict[str, Any]:
        out: dict[str, Any] = {"startDate": row.start.isoformat(), "endDate": row.end.isoformat()}
        if row.asin:
            out["asin"] = row.asin
        if row.customer_returns is not None:
            out["customerReturns"] = row.customer_returns
        if view == "MANUFACTURING":
            out["orderedRevenue"] = _amount(row.ordered_revenue, currency)
            out["orderedUnits"] = row.ordered_units
        out["shippedCogs"] = _amount(row.shipped_cogs, currency)
        out["shippedRevenue"] = _amount(row.shipped_revenue, currency)
        out["shippedUnits"] = row.shipped_units
        return out

    return {
        "reportSpecification": {
            "reportType": "GET_VENDOR_SALES_REPORT",
            "reportOptions": {"distributorView": view, "reportPeriod": period, "sellingProgram": program},
            "lastUpdatedDate": (last_updated or end).isoformat(),
            "dataStartTime": start.isoformat(),
            "dataEndTime": end.isoformat(),
            "marketplaceIds": [marketplace],
        },
        "salesAggregate": [element(r) for r in rows if not r.asin],
        "salesByAsin": [element(r) for r in rows if r.asin],
    }


def encode(document: Any, *, compress: bool = False) -> bytes:
    raw = json.dumps(document).encode("utf-8")
    return gzip.compress(raw) if compress else raw


def fatal_document(message: str) -> bytes:
    """What getReportDocument returns for a report whose processingStatus is FATAL."""
    return encode({"errorDetails": message})


def purchase_orders(vendor_code: str, *, lines: list[tuple[str, str, int]], po_number: str = "2JK3S9VC") -> bytes:
    """A getPurchaseOrders response (vendorOrders v1) with one order: lines are (sequence, asin, eaches)."""
    items = [
        {
            "itemSequenceNumber": sequence,
            "amazonProductIdentifier": asin,
            "vendorProductIdentifier": f"880609828{sequence.zfill(4)}",
            "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Eaches", "unitSize": 1},
            "isBackOrderAllowed": False,
            "netCost": {"amount": "12.50", "currencyCode": "USD"},
            "listPrice": {"amount": "19.99", "currencyCode": "USD"},
        }
        for sequence, asin, quantity in lines
    ]
    order = {
        "purchaseOrderNumber": po_number,
        "purchaseOrderState": "Acknowledged",
        "orderDetails": {
            "purchaseOrderDate": "2024-03-04T15:51:00Z",
            "purchaseOrderChangedDate": "2024-03-05T16:05:00Z",
            "purchaseOrderStateChangedDate": "2024-03-04T15:51:00Z",
            "purchaseOrderType": "RegularOrder",
            "paymentMethod": "Invoice",
            "buyingParty": {"partyId": "ABCD"},
            "sellingParty": {"partyId": vendor_code},
            "shipToParty": {"partyId": "PHX7"},
            "billToParty": {"partyId": "ABCD"},
            "shipWindow": "2024-03-06T07:00:00Z--2024-03-12T07:00:00Z",
            "items": items,
        },
    }
    return encode({"payload": {"orders": [order]}})


def purchase_orders_status(vendor_code: str, *, lines: list[tuple[str, str, int, int]], po_number: str) -> bytes:
    """A getPurchaseOrdersStatus response: lines are (sequence, asin, accepted eaches, received eaches)."""
    item_status = [
        {
            "itemSequenceNumber": sequence,
            "buyerProductIdentifier": asin,
            "vendorProductIdentifier": f"880609828{sequence.zfill(4)}",
            "netCost": {"amount": "12.50", "currencyCode": "USD"},
            "listPrice": {"amount": "19.99", "currencyCode": "USD"},
            "orderedQuantity": {
                "orderedQuantity": {"amount": accepted, "unitOfMeasure": "Eaches", "unitSize": 1},
                "orderedQuantityDetails": [],
            },
            "acknowledgementStatus": {
                "confirmationStatus": "ACCEPTED",
                "acceptedQuantity": {"amount": accepted, "unitOfMeasure": "Eaches", "unitSize": 1},
                "rejectedQuantity": {"amount": 0, "unitOfMeasure": "Eaches", "unitSize": 1},
                "acknowledgementStatusDetails": [],
            },
            "receivingStatus": {
                "receiveStatus": "PARTIALLY_RECEIVED" if received < accepted else "RECEIVED",
                "receivedQuantity": {"amount": received, "unitOfMeasure": "Eaches", "unitSize": 1},
                "lastReceiveDate": "2024-03-11T10:00:00Z",
            },
        }
        for sequence, asin, accepted, received in lines
    ]
    status = {
        "purchaseOrderNumber": po_number,
        "purchaseOrderStatus": "OPEN",
        "purchaseOrderDate": "2024-03-04T15:51:00Z",
        "lastUpdatedDate": "2024-03-11T10:00:00Z",
        "sellingParty": {"partyId": vendor_code},
        "shipToParty": {"partyId": "PHX7"},
        "itemStatus": item_status,
    }
    return encode({"payload": {"ordersStatus": [status]}})
