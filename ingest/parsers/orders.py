"""SP-API purchase orders and ship notices -> `purchase_order_line` and `shipment_line` facts.

Four JSON documents, recognised by their content (NOTES.md §5):

- VENDOR_PURCHASE_ORDERS: GET /vendor/orders/v1/purchaseOrders (or one purchaseOrders/{id}):
  `{"payload": {"orders": [...]}}`, `{"orders": [...]}`, a bare list of orders, `{"payload": {<one order>}}`.
- VENDOR_PURCHASE_ORDERS_STATUS: GET /vendor/orders/v1/purchaseOrdersStatus:
  `{"payload": {"ordersStatus": [...]}}`, `{"ordersStatus": [...]}`, a bare list.
- VENDOR_SHIPMENT_CONFIRMATIONS: the ASN body POSTed to /vendor/shipping/v1/shipmentConfirmations:
  `{"shipmentConfirmations": [...]}`, a bare list.
- VENDOR_SHIPMENTS: GET /vendor/shipping/v1/shipments: `{"payload": {"shipments": [...]}}`,
  `{"shipments": [...]}`, a bare list.

What every parser does the same way:
- Quantities become eaches: `amount * unitSize` when unitOfMeasure is Cases (any letter case; Amazon's own
  example writes CASES), `amount` when Eaches. A missing unitSize counts as 1, as Amazon documents
  ("Otherwise, 1"); the number of such case quantities is reported in `options["cases_without_unit_size"]`.
- Money is a string decimal: parsed with Decimal, never float. `netCost` is per each; a price per weight
  unit (netCost.unitOfMeasure POUNDS, KILOGRAMS, ...) is not a per-each cost, so net_cost stays None for
  that line and the line is listed in `options["priced_by_weight"]`.
- Date-times become aware UTC datetimes. SP-API date-times are UTC; a value without an offset (the
  GET shipments example has them) is read as UTC and counted in `options["naive_datetimes_as_utc"]`.
- `shipWindow` / `deliveryWindow` ("start--end") are split into two datetimes.
- `provided_columns` is set so each document updates only what it knows: a PO status file fills
  accepted/rejected/received units and statuses without wiping the ordered quantities a PO file loaded,
  and the reverse; GET shipments fills shipment status and delivery date on the ASN's lines.
- vendor_code is `sellingParty.partyId`; when a document has none, `options["vendor_code"]` from the caller.
- An ASIN that is not 10 characters (Amazon's own status example has one of 11) is left out of the line
  (asin None, vendor_product_id kept) and listed in `options["invalid_asin_values"]` instead of failing
  the file: the line is keyed on PO number and item sequence.
- A file whose ASNs are all `shipmentConfirmationType: Replace` sets `replaces_window`: the shipments it
  names are restated whole, so lines the replacement no longer lists are removed.
- A saved SP-API error response (`{"errors": [...]}`) is recognised as such and fails the import with
  Amazon's code and message.
- A line that appears twice (overlapping pages concatenated) keeps its last occurrence
  (`options["duplicate_lines_replaced"]`), so the loader never sees one natural key twice.

Errors name the element: row = index of the order/shipment in its list (from 0), column = the JSON
path inside it (e.g. `orderDetails.items[1].orderedQuantity.amount`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import BinaryIO

import ijson
import pandas as pd

from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from ingest.parsers.facts import FACT_KEYS
from ingest.parsers.registry import register_format
from ingest.parsers.values import fact_frame

SOURCE = "SP_API_ORDERS"
PURCHASE_ORDERS = "VENDOR_PURCHASE_ORDERS"
PURCHASE_ORDERS_STATUS = "VENDOR_PURCHASE_ORDERS_STATUS"
SHIPMENT_CONFIRMATIONS = "VENDOR_SHIPMENT_CONFIRMATIONS"
SHIPMENTS = "VENDOR_SHIPMENTS"

_FACT_TABLE = {
    PURCHASE_ORDERS: "purchase_order_line",
    PURCHASE_ORDERS_STATUS: "purchase_order_line",
    SHIPMENT_CONFIRMATIONS: "shipment_line",
    SHIPMENTS: "shipment_line",
}
# The list that holds the documents of each kind, under the root or under "payload".
_LIST_KEYS = {
    "orders": PURCHASE_ORDERS,
    "ordersStatus": PURCHASE_ORDERS_STATUS,
    "shipmentConfirmations": SHIPMENT_CONFIRMATIONS,
    "shipments": SHIPMENTS,
}
_DESCRIPTION = {
    PURCHASE_ORDERS: "purchase order",
    PURCHASE_ORDERS_STATUS: "purchase order status",
    SHIPMENT_CONFIRMATIONS: "shipment confirmation",
    SHIPMENTS: "shipment",
}

_PO_COLUMNS = [
    "vendor_code",
    "po_number",
    "item_sequence",
    "asin",
    "vendor_product_id",
    "po_state",
    "po_type",
    "po_date",
    "ship_to",
    "ship_window_start",
    "ship_window_end",
    "delivery_window_start",
    "delivery_window_end",
    "currency",
    "net_cost",
    "ordered_units",
]
_STATUS_COLUMNS = [
    "vendor_code",
    "po_number",
    "item_sequence",
    "asin",
    "vendor_product_id",
    "accepted_units",
    "rejected_units",
    "received_units",
    "confirmation_status",
    "receive_status",
    "last_receive_date",
]
_ASN_COLUMNS = [
    "vendor_code",
    "shipment_id",
    "po_number",
    "item_sequence",
    "asin",
    "confirmation_type",
    "shipment_type",
    "ship_to",
    "confirmed_at",
    "shipped_at",
    "estimated_delivery_at",
    "shipped_units",
]
# GET shipments is the transportation request, not the ASN: its dates describe the truck, so it only adds
# what the ASN cannot know (status, delivery) and never overwrites the ASN's own dates and quantities,
# which the ASN timeliness and accuracy KPIs compare.
_SHIPMENTS_COLUMNS = ["vendor_code", "shipment_id", "po_number", "item_sequence", "status", "delivered_at"]
PROVIDED_COLUMNS = {
    PURCHASE_ORDERS: _PO_COLUMNS,
    PURCHASE_ORDERS_STATUS: _STATUS_COLUMNS,
    SHIPMENT_CONFIRMATIONS: _ASN_COLUMNS,
    SHIPMENTS: _SHIPMENTS_COLUMNS,
}

# Amazon's Decimal pattern (vendorOrders.json definitions.Decimal).
_DECIMAL_TEXT = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$")
_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_OPENING = re.compile(rb"^(\xef\xbb\xbf)?\s*[\[{]")


class _Context:
    """Per-file state: errors, notes for options, and the caller's fallbacks."""

    def __init__(self, file_name: str, kind: str, options: dict[str, Any]) -> None:
        self.file = file_name
        self.kind = kind
        self.errors: list[RowError] = []
        self.notes: Counter[str] = Counter()
        self.priced_by_weight: list[dict[str, str]] = []
        self.invalid_asins: list[dict[str, str]] = []
        self.vendor_fallback = str(options.get("vendor_code") or "")
        self.row = 0

    def error(self, column: str, value: Any, expected: str) -> None:
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        self.errors.append(RowError(self.file, self.row, column, shown, expected))


# --------------------------------------------------------------------------------------------------
# Detection


def detect_kind(head: bytes) -> str | None:
    """Which of the four documents the first bytes belong to, from their JSON keys alone.

    Status, ASN and shipments documents also contain "purchaseOrderNumber", so they are tested first.
    """
    if not _OPENING.match(head):
        return None
    if re.search(rb'"(ordersStatus|itemStatus)"\s*:', head):
        return PURCHASE_ORDERS_STATUS
    if re.search(rb'"(shipmentConfirmations|shippedItems|shipmentIdentifier)"\s*:', head):
        return SHIPMENT_CONFIRMATIONS
    if re.search(rb'"vendorShipmentIdentifier"\s*:', head) or re.search(rb'"shipments"\s*:\s*\[', head):
        return SHIPMENTS
    if re.search(rb'"purchaseOrderNumber"\s*:', head) and re.search(rb'"(orderDetails|purchaseOrderState)"\s*:', head):
        return PURCHASE_ORDERS
    if re.search(rb'"payload"\s*:', head) and re.search(rb'"orders"\s*:\s*\[', head):
        return PURCHASE_ORDERS  # an empty page of orders
    return None


# --------------------------------------------------------------------------------------------------
# Parsers (registered below)


def parse_purchase_orders(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    return _parse(stream, file_name, PURCHASE_ORDERS, options or {})


def parse_purchase_orders_status(
    stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None
) -> ParsedReport:
    return _parse(stream, file_name, PURCHASE_ORDERS_STATUS, options or {})


def parse_shipment_confirmations(
    stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None
) -> ParsedReport:
    return _parse(stream, file_name, SHIPMENT_CONFIRMATIONS, options or {})


def parse_shipments(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    return _parse(stream, file_name, SHIPMENTS, options or {})


def _parse(stream: BinaryIO, file_name: str, kind: str, options: dict[str, Any]) -> ParsedReport:
    """Read every document eagerly: these API pages are small (at most 100 orders or 50 shipments a page),
    and the natural-key de-duplication and the period need the whole file anyway."""
    context = _Context(file_name, kind, options)
    table = _FACT_TABLE[kind]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    key_columns = FACT_KEYS[table]
    line_reader = {
        PURCHASE_ORDERS: _purchase_order_lines,
        PURCHASE_ORDERS_STATUS: _status_lines,
        SHIPMENT_CONFIRMATIONS: _confirmation_lines,
        SHIPMENTS: _shipment_lines,
    }[kind]
    documents = 0
    for number, document in _documents(stream, file_name, kind):
        documents += 1
        context.row = number
        for line in line_reader(document, context):
            key = tuple(line[name] for name in key_columns)
            if key in rows:
                context.notes["duplicate_lines_replaced"] += 1
            rows[key] = line

    provided = PROVIDED_COLUMNS[kind]
    all_columns = [name for name, _ in FACT_COLUMNS[table]]
    records = [{name: line.get(name) for name in all_columns} for line in rows.values()]
    frame = _frame(table, records)
    vendor_codes = {line["vendor_code"] for line in rows.values()}
    dates = [moment for line in rows.values() if (moment := _period_moment(kind, line)) is not None]
    report_options: dict[str, Any] = {"documents": documents, "lines": len(rows), **dict(sorted(context.notes.items()))}
    if context.priced_by_weight:
        report_options["priced_by_weight"] = context.priced_by_weight[:100]
    if context.invalid_asins:
        report_options["invalid_asin_values"] = context.invalid_asins
    return ParsedReport(
        report_type=kind,
        source=SOURCE,
        fact_table=table,
        chunks=iter([frame]),
        errors=context.errors,
        vendor_code=vendor_codes.pop() if len(vendor_codes) == 1 else None,
        data_start=min(dates).date() if dates else None,
        data_end=max(dates).date() if dates else None,
        options=report_options,
        provided_columns=list(provided),
        replaces_window=_replaces_shipments(kind, list(rows.values())),
    )


def _replaces_shipments(kind: str, lines: list[dict[str, Any]]) -> bool:
    """A file of `Replace` ASNs restates its shipments whole: lines the new ASN no longer lists are removed
    (the loader's window for shipment_line is (vendor code, shipment id)). Original ASNs only add."""
    return (
        kind == SHIPMENT_CONFIRMATIONS
        and bool(lines)
        and all(line.get("confirmation_type") == "Replace" for line in lines)
    )


def _documents(stream: BinaryIO, file_name: str, kind: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The order/status/shipment objects of the file, numbered from 0, streamed with ijson."""
    prefix = _locate(stream, file_name, kind)
    stream.seek(0)
    try:
        for number, document in enumerate(ijson.items(stream, prefix), start=0):
            if not isinstance(document, dict):
                raise ParseError(RowError(file_name, number, None, repr(document)[:80], f"a {_DESCRIPTION[kind]}"))
            yield number, document
    except ijson.JSONError as exc:
        raise ParseError(RowError(file_name, None, None, None, f"valid JSON ({exc})")) from None


def _locate(stream: BinaryIO, file_name: str, kind: str) -> str:
    """The ijson prefix of the documents: the first list key of this kind under the root or "payload",
    the root list itself, or a single order under "payload"."""
    wanted = {key for key, value in _LIST_KEYS.items() if value == kind}
    try:
        for prefix, event, value in ijson.parse(stream):
            if prefix == "" and event == "start_array":
                return "item"
            if event != "map_key":
                continue
            if prefix in ("", "payload") and value in wanted:
                return f"{prefix}.{value}.item".lstrip(".")
            if prefix == "payload" and value == "purchaseOrderNumber" and kind == PURCHASE_ORDERS:
                return "payload"
    except ijson.JSONError as exc:
        raise ParseError(RowError(file_name, None, None, None, f"valid JSON ({exc})")) from None
    stream.seek(0)
    amazon_errors = _amazon_errors(stream)
    if amazon_errors:
        raise ParseError(RowError(file_name, None, "errors", amazon_errors, f"a {_DESCRIPTION[kind]} response"))
    keys = ", ".join(key for key, value in _LIST_KEYS.items() if value == kind)
    raise ParseError(RowError(file_name, None, None, None, f"a {_DESCRIPTION[kind]} document with a list '{keys}'"))


def _amazon_errors(stream: BinaryIO) -> str:
    """Amazon's error messages when the file is an SP-API error response ({"errors": [...]})."""
    try:
        messages = [
            f"{item.get('code', '')}: {item.get('message', '')}".strip(": ")
            for item in ijson.items(stream, "errors.item")
            if isinstance(item, dict)
        ]
    except ijson.JSONError:
        return ""
    return "; ".join(messages)


# --------------------------------------------------------------------------------------------------
# Lines per document kind


def _purchase_order_lines(order: dict[str, Any], context: _Context) -> Iterator[dict[str, Any]]:
    po_number = _required_text(order, "purchaseOrderNumber", context)
    details = order.get("orderDetails")
    if not isinstance(details, dict) or not isinstance(details.get("items"), list):
        context.error("orderDetails", None, "orderDetails with items (request the orders with includeDetails=true)")
        return
    if po_number is None:
        return
    vendor = _party(details, "sellingParty", "orderDetails.", context)
    header = {
        "vendor_code": vendor,
        "po_number": po_number,
        "po_state": _optional_text(order.get("purchaseOrderState")),
        "po_type": _optional_text(details.get("purchaseOrderType")),
        "po_date": _datetime(details.get("purchaseOrderDate"), "orderDetails.purchaseOrderDate", context),
        "ship_to": _party_or_none(details, "shipToParty"),
    }
    for name, column in (("shipWindow", "ship_window"), ("deliveryWindow", "delivery_window")):
        start, end = _window(details.get(name), f"orderDetails.{name}", context)
        header[f"{column}_start"] = start
        header[f"{column}_end"] = end
    for position, item in enumerate(details["items"], start=0):
        path = f"orderDetails.items[{position}]"
        if not isinstance(item, dict):
            context.error(path, item, "an order item object")
            continue
        sequence = _required_text(item, "itemSequenceNumber", context, path)
        ordered = _eaches(item.get("orderedQuantity"), f"{path}.orderedQuantity", context, required=True)
        currency, net_cost = _net_cost(item.get("netCost"), f"{path}.netCost", context, po_number, sequence)
        if sequence is None:
            continue
        yield {
            **header,
            "item_sequence": sequence,
            "asin": _asin(item.get("amazonProductIdentifier"), f"{path}.amazonProductIdentifier", context),
            "vendor_product_id": _optional_text(item.get("vendorProductIdentifier")),
            "currency": currency,
            "net_cost": net_cost,
            "ordered_units": ordered,
        }


def _status_lines(status: dict[str, Any], context: _Context) -> Iterator[dict[str, Any]]:
    po_number = _required_text(status, "purchaseOrderNumber", context)
    items = status.get("itemStatus")
    if not isinstance(items, list):
        context.error("itemStatus", items, "a list of item statuses")
        return
    if po_number is None:
        return
    vendor = _party(status, "sellingParty", "", context)
    for position, item in enumerate(items, start=0):
        path = f"itemStatus[{position}]"
        if not isinstance(item, dict):
            context.error(path, item, "an item status object")
            continue
        sequence = _required_text(item, "itemSequenceNumber", context, path)
        acknowledgement = item.get("acknowledgementStatus") or {}
        receiving = item.get("receivingStatus") or {}
        ack_path = f"{path}.acknowledgementStatus"
        receive_path = f"{path}.receivingStatus"
        line = {
            "vendor_code": vendor,
            "po_number": po_number,
            "item_sequence": sequence,
            "asin": _asin(item.get("buyerProductIdentifier"), f"{path}.buyerProductIdentifier", context),
            "vendor_product_id": _optional_text(item.get("vendorProductIdentifier")),
            "accepted_units": _eaches(acknowledgement.get("acceptedQuantity"), f"{ack_path}.acceptedQuantity", context),
            "rejected_units": _eaches(acknowledgement.get("rejectedQuantity"), f"{ack_path}.rejectedQuantity", context),
            "confirmation_status": _optional_text(acknowledgement.get("confirmationStatus")),
            "received_units": _eaches(receiving.get("receivedQuantity"), f"{receive_path}.receivedQuantity", context),
            "receive_status": _optional_text(receiving.get("receiveStatus")),
            "last_receive_date": _datetime(
                receiving.get("lastReceiveDate"), f"{receive_path}.lastReceiveDate", context
            ),
        }
        if sequence is not None:
            yield line


def _confirmation_lines(confirmation: dict[str, Any], context: _Context) -> Iterator[dict[str, Any]]:
    shipment_id = _required_text(confirmation, "shipmentIdentifier", context)
    items = confirmation.get("shippedItems")
    if not isinstance(items, list):
        context.error("shippedItems", items, "a list of shipped items")
        return
    confirmed_at = _datetime(confirmation.get("shipmentConfirmationDate"), "shipmentConfirmationDate", context)
    if confirmed_at is None and "shipmentConfirmationDate" not in confirmation:
        context.error("shipmentConfirmationDate", None, "the date-time the ASN was submitted (required)")
    if shipment_id is None:
        return
    header = {
        "vendor_code": _party(confirmation, "sellingParty", "", context),
        "shipment_id": shipment_id,
        "confirmation_type": _optional_text(confirmation.get("shipmentConfirmationType")),
        "shipment_type": _optional_text(confirmation.get("shipmentType")),
        "ship_to": _party_or_none(confirmation, "shipToParty"),
        "confirmed_at": confirmed_at,
        "shipped_at": _datetime(confirmation.get("shippedDate"), "shippedDate", context),
        "estimated_delivery_at": _datetime(confirmation.get("estimatedDeliveryDate"), "estimatedDeliveryDate", context),
    }
    for position, item in enumerate(items, start=0):
        path = f"shippedItems[{position}]"
        if not isinstance(item, dict):
            context.error(path, item, "a shipped item object")
            continue
        sequence = _required_text(item, "itemSequenceNumber", context, path)
        details = item.get("itemDetails") or {}
        shipped = _eaches(item.get("shippedQuantity"), f"{path}.shippedQuantity", context, required=True)
        if sequence is None:
            continue
        yield {
            **header,
            "po_number": _optional_text(details.get("purchaseOrderNumber")) or "",
            "item_sequence": sequence,
            "asin": _asin(item.get("amazonProductIdentifier"), f"{path}.amazonProductIdentifier", context),
            "shipped_units": shipped,
        }


def _shipment_lines(shipment: dict[str, Any], context: _Context) -> Iterator[dict[str, Any]]:
    shipment_id = _required_text(shipment, "vendorShipmentIdentifier", context)
    if shipment_id is None:
        return
    transport = shipment.get("transportationDetails") or {}
    header = {
        "vendor_code": _party(shipment, "sellingParty", "", context),
        "shipment_id": shipment_id,
        "status": _optional_text(shipment.get("currentShipmentStatus")),
        "delivered_at": _datetime(
            transport.get("shipmentDeliveryDate"), "transportationDetails.shipmentDeliveryDate", context
        ),
    }
    lines = 0
    for po_position, order in enumerate(shipment.get("purchaseOrders") or [], start=0):
        po_path = f"purchaseOrders[{po_position}]"
        if not isinstance(order, dict):
            context.error(po_path, order, "a purchase order object")
            continue
        po_number = _optional_text(order.get("purchaseOrderNumber")) or ""
        for position, item in enumerate(order.get("items") or [], start=0):
            path = f"{po_path}.items[{position}]"
            sequence = _required_text(item, "itemSequenceNumber", context, path) if isinstance(item, dict) else None
            if sequence is None:
                continue
            lines += 1
            yield {**header, "po_number": po_number, "item_sequence": sequence}
    if lines == 0:
        # No purchase orders listed: the status still belongs to the shipment, on a shipment-level line.
        yield {**header, "po_number": "", "item_sequence": ""}


# --------------------------------------------------------------------------------------------------
# Field readers


def _required_text(document: dict[str, Any], name: str, context: _Context, path: str = "") -> str | None:
    value = document.get(name)
    column = f"{path}.{name}" if path else name
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        context.error(column, value, f"{name} (a non-empty string)")
        return None
    return value.strip()


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _party(document: dict[str, Any], name: str, path: str, context: _Context) -> str:
    party = _party_or_none(document, name)
    if party is None:
        if context.vendor_fallback:
            return context.vendor_fallback
        context.notes["documents_without_vendor_code"] += 1
        return ""
    return party


def _party_or_none(document: dict[str, Any], name: str) -> str | None:
    party = document.get(name)
    return _optional_text(party.get("partyId")) if isinstance(party, dict) else None


def _asin(value: Any, column: str, context: _Context) -> str | None:
    text = _optional_text(value)
    if text is None:
        return None
    if not _ASIN.match(text.upper()):
        # Not worth failing the file over (the line is keyed on PO and item, and vendor_product_id is kept),
        # but it cannot be stored as an ASIN: Amazon's own sandbox example has an 11-character one.
        context.notes["invalid_asins"] += 1
        if len(context.invalid_asins) < 100:
            context.invalid_asins.append({"row": str(context.row), "column": column, "value": text})
        return None
    return text.upper()


def _eaches(quantity: Any, column: str, context: _Context, *, required: bool = False) -> int | None:
    """Cases times unitSize, or eaches as they are."""
    if quantity is None:
        if required:
            context.error(column, None, "a quantity {amount, unitOfMeasure, unitSize}")
        return None
    if not isinstance(quantity, dict):
        context.error(column, quantity, "a quantity {amount, unitOfMeasure, unitSize}")
        return None
    amount = _whole(quantity.get("amount"))
    if amount is None:
        context.error(f"{column}.amount", quantity.get("amount"), "a whole number")
        return None
    unit = str(quantity.get("unitOfMeasure") or "").strip().lower()
    raw_size = quantity.get("unitSize")
    size = 1 if raw_size is None else _whole(raw_size)
    if size is None or size <= 0:
        context.error(f"{column}.unitSize", raw_size, "a positive whole number (the case size)")
        return None
    if unit in ("eaches", "each"):
        return amount
    if unit in ("cases", "case"):
        if raw_size is None:
            context.notes["cases_without_unit_size"] += 1
        return amount * size
    if not unit and size == 1:
        return amount  # no unit but nothing to multiply by: the count is the same either way
    context.error(f"{column}.unitOfMeasure", quantity.get("unitOfMeasure"), "Cases or Eaches")
    return None


def _net_cost(
    money: Any, column: str, context: _Context, po_number: str | None, sequence: str | None
) -> tuple[str | None, Decimal | None]:
    if money is None:
        return None, None
    if not isinstance(money, dict):
        context.error(column, money, "a money object {amount, currencyCode}")
        return None, None
    currency = _optional_text(money.get("currencyCode"))
    amount = _money_amount(money.get("amount"), f"{column}.amount", context)
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        context.error(f"{column}.currencyCode", money.get("currencyCode"), "an ISO 4217 currency code")
        currency = None
    if amount is not None and currency is None:
        context.error(f"{column}.currencyCode", money.get("currencyCode"), "the currency of the amount")
    weight_unit = _optional_text(money.get("unitOfMeasure"))
    if weight_unit is not None and amount is not None:
        context.priced_by_weight.append(
            {"po_number": po_number or "", "item_sequence": sequence or "", "unit": weight_unit, "amount": str(amount)}
        )
        return currency, None
    return currency, amount


def _money_amount(value: Any, column: str, context: _Context) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.match(text):
            context.error(column, value, "a decimal string such as '346.27'")
            return None
        return Decimal(text)
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return Decimal(value)  # ijson gives JSON numbers as int/Decimal: still exact
    context.error(column, value, "a decimal string such as '346.27'")
    return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(value) if isinstance(value, Decimal | str) else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def _datetime(value: Any, column: str, context: _Context) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment = _parse_datetime(value)
    if moment is None:
        context.error(column, value, "an ISO-8601 date-time such as 2019-08-20T15:51:00Z")
        return None
    if moment.tzinfo is None:
        context.notes["naive_datetimes_as_utc"] += 1
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _window(value: Any, column: str, context: _Context) -> tuple[datetime | None, datetime | None]:
    """Split "2019-08-21T07:00:00Z--2019-08-27T07:00:00Z" into its two ends."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    parts = value.split("--") if isinstance(value, str) else []
    if len(parts) != 2:
        context.error(column, value, "an interval 'start--end' of two ISO-8601 date-times")
        return None, None
    start = _datetime(parts[0], column, context)
    end = _datetime(parts[1], column, context)
    if start is not None and end is not None and end < start:
        context.error(column, value, "an interval whose end is not before its start")
        return None, None
    return start, end


def _period_moment(kind: str, line: dict[str, Any]) -> datetime | None:
    """The date that places a line in time, for the import's data_start/data_end."""
    if kind == PURCHASE_ORDERS:
        return line.get("po_date")
    if kind == PURCHASE_ORDERS_STATUS:
        return line.get("last_receive_date")
    if kind == SHIPMENT_CONFIRMATIONS:
        return line.get("shipped_at") or line.get("confirmed_at")
    return line.get("delivered_at")


def _frame(table: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    names = [name for name, _ in FACT_COLUMNS[table]]
    return fact_frame(table, {name: [record[name] for record in records] for name in names}, len(records))


# --------------------------------------------------------------------------------------------------
# Registration: detection from content only.


def _detector(kind: str) -> Any:
    def detect(head: bytes) -> bool:
        return detect_kind(head) == kind

    detect.__name__ = f"detect_{kind.lower()}"
    return detect


_ERROR_RESPONSE = re.compile(rb'^(\xef\xbb\xbf)?\s*\{\s*"errors"\s*:\s*\[')


def detect_error_response(head: bytes) -> bool:
    """An SP-API error response saved instead of the document: `{"errors": [{"code", "message"}]}`."""
    return bool(_ERROR_RESPONSE.match(head))


def parse_error_response(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    """Fail the import with Amazon's own code and message instead of "unknown format"."""
    messages = _amazon_errors(stream) or "(no message)"
    raise ParseError(
        RowError(
            file_name,
            None,
            "errors",
            messages,
            "a report or an orders/shipments document; this file is an SP-API error response",
        )
    )


register_format("SP_API_ERROR_RESPONSE", detector=detect_error_response, parser=parse_error_response, priority=45)
register_format(PURCHASE_ORDERS, detector=_detector(PURCHASE_ORDERS), parser=parse_purchase_orders, priority=50)
register_format(
    PURCHASE_ORDERS_STATUS, detector=_detector(PURCHASE_ORDERS_STATUS), parser=parse_purchase_orders_status, priority=50
)
register_format(
    SHIPMENT_CONFIRMATIONS,
    detector=_detector(SHIPMENT_CONFIRMATIONS),
    parser=parse_shipment_confirmations,
    priority=50,
)
register_format(SHIPMENTS, detector=_detector(SHIPMENTS), parser=parse_shipments, priority=50)
