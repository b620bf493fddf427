"""Purchase orders, their status, ASNs and shipments for the demo (SP-API vendorOrders and
vendorShipping documents), from the simulated weekly orders: one PO per week and fulfilment centre,
ship windows mostly met, ASNs mostly sent within 30 minutes of the truck leaving."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal

from ingest import demo_documents as docs
from ingest.demo.retail import Document
from ingest.demo.retail import utc_text
from ingest.demo.simulation import DE
from ingest.demo.simulation import US
from ingest.demo.simulation import Account
from ingest.demo.simulation import AsinPlan
from ingest.demo.simulation import PurchaseOrderLine
from ingest.demo.simulation import stable_int

FULFILMENT_CENTRES = {US: ("PHX7", "ONT8", "BFI4", "MDW2", "CLT2"), DE: ("DUS2", "LEJ1", "FRA7", "MUC3")}


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _po_number(code: str, day: date, centre: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    n = stable_int(code, day, centre)
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(alphabet))
        chars.append(alphabet[r])
    return "".join(chars)


def order_documents(account: Account, weeks: int) -> list[Document]:
    """Purchase orders of the last `weeks` weeks, their status, the ASNs and the shipments."""
    cal = account.cal
    code = account.code
    first = max(0, len(cal.days) - 7 * weeks)
    centres = FULFILMENT_CENTRES.get(account.marketplace_id, ("FC01",))
    ship_from = f"{code[:4]}WH1"
    by_po: dict[tuple[int, str], list[tuple[AsinPlan, PurchaseOrderLine]]] = defaultdict(list)
    for f in account.facts:
        for line in f.po_lines:
            if line.day >= first:
                centre = centres[stable_int(f.plan.asin, line.day) % len(centres)]
                by_po[(line.day, centre)].append((f.plan, line))
    orders, statuses, confirmations, shipments = [], [], [], []
    for (day_index, centre), lines in sorted(by_po.items()):
        day = cal.days[day_index]
        po = _po_number(code, day, centre)
        rng = random.Random(f"{code}:{po}")
        items, item_statuses, shipped_items, shipment_items = [], [], [], []
        arrival = max(line.arrival for _, line in lines)
        arrived = arrival < len(cal.days)
        transit = rng.randint(2, 4)
        shipped_day = day + timedelta(days=max(1, arrival - day_index - transit))
        delivered_day = day + timedelta(days=arrival - day_index)
        # About one PO in twelve leaves the warehouse after its ship window (PO on-time ~ 90 %).
        window_start = day + timedelta(days=2)
        window_end = shipped_day + timedelta(days=2)
        if rng.random() < 0.08:
            window_end = max(window_start + timedelta(days=1), shipped_day - timedelta(days=1))
        for number, (plan, line) in enumerate(sorted(lines, key=lambda x: x[0].asin), start=1):
            sequence = str(number)
            cost = str(_money(line.cost_cents))
            items.append(
                docs.order_item(
                    sequence,
                    plan.asin,
                    docs.quantity(line.requested // plan.case_pack, "Cases", plan.case_pack),
                    cost,
                    account.currency,
                    product_id=plan.gtin or None,
                )
            )
            rejected = line.requested - line.confirmed
            confirmation = "ACCEPTED" if not rejected else ("REJECTED" if not line.confirmed else "PARTIALLY_ACCEPTED")
            received = line.received if arrived else None
            item_statuses.append(
                docs.item_status(
                    sequence,
                    plan.asin,
                    ordered=docs.quantity(line.requested),
                    accepted=docs.quantity(line.confirmed),
                    rejected=docs.quantity(rejected),
                    received=docs.quantity(received) if received is not None else None,
                    confirmation=confirmation,
                    receive_status=("RECEIVED" if received == line.confirmed else "PARTIALLY_RECEIVED")
                    if received is not None and line.confirmed
                    else "NOT_RECEIVED",
                    last_received=utc_text(delivered_day, 16, 30) if received else None,
                    net_cost=cost,
                    currency=account.currency,
                    ordered_at=utc_text(day, 14, 10),
                    product_id=plan.gtin or None,
                )
            )
            if line.confirmed:
                shipped_items.append(docs.shipped_item(sequence, po, docs.quantity(line.confirmed), asin=plan.asin))
                shipment_items.append({"itemSequenceNumber": sequence})
        orders.append(
            docs.order(
                po,
                items,
                vendor_code=code,
                state="Closed" if arrived else "Acknowledged",
                ordered_at=utc_text(day, 14, 10),
                ship_window=f"{utc_text(window_start, 7)}--{utc_text(window_end, 7)}",
                ship_to=centre,
            )
        )
        statuses.append(
            docs.order_status(
                po,
                item_statuses,
                vendor_code=code,
                status="CLOSED" if arrived else "OPEN",
                ordered_at=utc_text(day, 14, 10),
                updated_at=utc_text(min(delivered_day, cal.end), 18),
                ship_to=centre,
            )
        )
        if not shipped_items or shipped_day > cal.end:
            continue
        shipment_id = f"{code}-ASN-{po}"
        shipped_at = utc_text(shipped_day, 15, 0)
        # Most ASNs go within 30 minutes of the truck leaving; a few are late (after arrival - 6 h).
        late = rng.random() < 0.07
        confirmed_at = utc_text(delivered_day, 9, 0) if late else utc_text(shipped_day, 15, rng.randint(5, 25))
        confirmations.append(
            docs.shipment_confirmation(
                shipment_id,
                shipped_items,
                vendor_code=code,
                confirmed_at=confirmed_at,
                shipped_at=shipped_at,
                estimated_delivery=utc_text(delivered_day, 15),
                ship_from=ship_from,
                ship_to=centre,
            )
        )
        shipments.append(
            docs.shipment(
                shipment_id,
                [{"purchaseOrderNumber": po, "items": shipment_items}],
                vendor_code=code,
                status="Delivered" if arrived else "Shipped",
                delivered_at=utc_text(delivered_day, 13, 40) if arrived else None,
                shipped_at=shipped_at,
                estimated_delivery=utc_text(delivered_day, 15),
                transaction_date=utc_text(shipped_day - timedelta(days=1), 10),
                status_date=utc_text(delivered_day if arrived else shipped_day, 16),
                ship_from=ship_from,
                ship_to=centre,
            )
        )
    if not orders:
        return []
    span = f"{cal.days[first]}_{cal.end}"
    result = [
        Document(
            f"vendorOrders_purchaseOrders_{code}_{span}.json", docs.to_bytes(docs.purchase_orders_response(orders))
        ),
        Document(
            f"vendorOrders_purchaseOrdersStatus_{code}_{span}.json",
            docs.to_bytes(docs.purchase_orders_status_response(statuses)),
        ),
    ]
    if confirmations:
        result.append(
            Document(
                f"vendorShipping_shipmentConfirmations_{code}_{span}.json",
                docs.to_bytes(docs.shipment_confirmations(confirmations)),
            )
        )
        result.append(
            Document(f"vendorShipping_shipments_{code}_{span}.json", docs.to_bytes(docs.shipments_response(shipments)))
        )
    return result
