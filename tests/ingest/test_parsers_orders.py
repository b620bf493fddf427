"""Purchase orders, PO status, ASNs and shipments (SP-API vendorOrders / vendorShipments, NOTES.md §5)."""

from __future__ import annotations

import io
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import jsonschema
import pandas as pd
import pytest

from ingest.parsers import orders
from ingest.parsers import registry
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from tests.ingest import adsgen

_PARSERS = {
    orders.PURCHASE_ORDERS: orders.parse_purchase_orders,
    orders.PURCHASE_ORDERS_STATUS: orders.parse_purchase_orders_status,
    orders.SHIPMENT_CONFIRMATIONS: orders.parse_shipment_confirmations,
    orders.SHIPMENTS: orders.parse_shipments,
}


def _parse(document: Any, name: str = "orders.json", **options: Any) -> tuple[ParsedReport, pd.DataFrame]:
    data = json.dumps(document).encode()
    kind = orders.detect_kind(data[:65536])
    assert kind is not None, "not detected"
    report = _PARSERS[kind](io.BytesIO(data), name, options=options)
    chunks = list(report.chunks)
    assert len(chunks) == 1
    frame = chunks[0]
    assert list(frame.columns) == [column for column, _ in FACT_COLUMNS[report.fact_table]]
    return report, frame


def _lines(frame: pd.DataFrame, *keys: str) -> dict[tuple[str, ...], dict[Any, Any]]:
    return {tuple(row[key] for key in keys): row for row in frame.to_dict("records")}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _validator(openapi: str, definition: str) -> jsonschema.Draft4Validator:
    definitions = adsgen.shared_json(openapi)["definitions"]
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": definitions})


# --------------------------------------------------------------------------------------------------
# Amazon's own examples


def test_shared_purchase_orders_example() -> None:
    example = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrders.examples.json")[0]["response"]

    report, frame = _parse(example, "getPurchaseOrders.json")

    assert (report.report_type, report.fact_table, report.source) == (
        "VENDOR_PURCHASE_ORDERS",
        "purchase_order_line",
        "SP_API_ORDERS",
    )
    assert report.errors == []
    assert report.provided_columns is not None and "accepted_units" not in report.provided_columns
    lines = _lines(frame, "po_number", "item_sequence")
    first = lines[("2JK3S9VC", "1")]
    assert first["vendor_code"] == "999US"
    assert first["asin"] == "B07DFVDRAB"
    assert first["net_cost"] == Decimal("346.27")
    assert first["currency"] == "USD"
    assert first["ordered_units"] == 1
    assert first["po_date"] == datetime(2019, 8, 20, 15, 51, tzinfo=UTC)
    assert first["ship_window_start"] == datetime(2019, 8, 21, 7, 0, tzinfo=UTC)  # "start--end" split
    assert first["ship_window_end"] == datetime(2019, 8, 27, 7, 0, tzinfo=UTC)
    assert lines[("2JK3S9VC", "3")]["ordered_units"] == 13
    cases = lines[("3TRD2IAB", "1")]
    assert cases["ordered_units"] == 50  # 5 CASES x unitSize 10
    assert cases["net_cost"] is None  # priced per POUND: not a per-each cost
    assert report.options["priced_by_weight"] == [
        {"po_number": "3TRD2IAB", "item_sequence": "1", "unit": "POUNDS", "amount": "94.97"}
    ]
    assert report.vendor_code is None  # two selling parties in one file
    assert report.data_start == report.data_end == datetime(2019, 8, 20).date()


def test_shared_purchase_orders_status_example() -> None:
    example = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrdersStatus.examples.json")[0]["response"]

    report, frame = _parse(example, "status.json")

    assert report.report_type == "VENDOR_PURCHASE_ORDERS_STATUS"
    assert report.errors == []
    assert report.provided_columns is not None
    assert "ordered_units" not in report.provided_columns  # the PO file's ordered quantities survive
    assert {"accepted_units", "rejected_units", "received_units", "confirmation_status"} <= set(report.provided_columns)
    lines = _lines(frame, "po_number", "item_sequence")
    partial = lines[("2JK3S9VB", "2")]
    assert (partial["accepted_units"], partial["rejected_units"], partial["received_units"]) == (15, 5, 10)
    assert (partial["confirmation_status"], partial["receive_status"]) == ("PARTIALLY_ACCEPTED", "PARTIALLY_RECEIVED")
    assert partial["last_receive_date"] == datetime(2020, 8, 30, 21, 5, 58, 193000, tzinfo=UTC)
    assert lines[("2JK3S9VB", "1")]["received_units"] == 1  # 1 Cases x unitSize 1
    assert report.vendor_code == "999US"


def test_invalid_asin_in_amazons_status_example_is_noted_not_fatal() -> None:
    example = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrdersStatus.examples.json")[2]["response"]

    report, frame = _parse(example)

    assert report.errors == []
    assert report.options["invalid_asins"] == 1
    assert report.options["invalid_asin_values"][0]["value"] == "B01XYZ3Z123"
    assert _lines(frame, "po_number", "item_sequence")[("TestPO1", "1")]["asin"] is None


def test_shared_shipment_confirmation_example() -> None:
    example = adsgen.shared_json("spapi_vendorShipments_submitShipmentConfirmations.examples.json")[0]
    body = example["request"]["parameters"]["body"]["value"]

    report, frame = _parse(body, "asn.json")

    assert (report.report_type, report.fact_table) == ("VENDOR_SHIPMENT_CONFIRMATIONS", "shipment_line")
    assert report.errors == []
    lines = _lines(frame, "po_number", "item_sequence")
    assert lines[("TestOrder202", "001")]["shipped_units"] == 100
    assert lines[("TestOrder202", "002")]["shipped_units"] == 100  # Cases without unitSize: Amazon's "Otherwise, 1"
    assert report.options["cases_without_unit_size"] == 1
    assert lines[("TestOrder202", "001")]["confirmed_at"] == datetime(2021, 3, 11, 12, 38, 23, 388000, tzinfo=UTC)
    assert lines[("TestOrder202", "001")]["shipment_id"] == "TestShipmentConfirmation202"
    assert lines[("TestOrder202", "001")]["ship_to"] == "JKL1"


def test_shared_shipments_example_reads_naive_times_as_utc() -> None:
    example = adsgen.shared_json("spapi_vendorShipments_getShipmentDetails.examples.json")[0]
    report, frame = _parse(example["examples"]["application/json"], "shipments.json")

    assert report.report_type == "VENDOR_SHIPMENTS"
    assert report.errors == []
    assert report.provided_columns == [
        "vendor_code",
        "shipment_id",
        "po_number",
        "item_sequence",
        "status",
        "delivered_at",
    ]
    lines = _lines(frame, "po_number", "item_sequence")
    assert set(lines) == {("1BBBAAAA", "001"), ("1BBBAAAA", "002")}
    line = lines[("1BBBAAAA", "001")]
    assert (line["shipment_id"], line["status"], line["vendor_code"]) == ("00050003", "CarrierAssigned", "998US")
    assert line["delivered_at"] == datetime(2019, 8, 7, 19, 56, 45, 632000, tzinfo=UTC)
    assert report.options["naive_datetimes_as_utc"] == 1


@pytest.mark.parametrize(
    ("fixture", "path", "kind"),
    [
        ("spapi_vendorOrders_getPurchaseOrders.examples.json", (0, "response"), orders.PURCHASE_ORDERS),
        ("spapi_vendorOrders_getPurchaseOrders.examples.json", (3, "response"), orders.PURCHASE_ORDERS),
        ("spapi_vendorOrders_getPurchaseOrdersStatus.examples.json", (0, "response"), orders.PURCHASE_ORDERS_STATUS),
        (
            "spapi_vendorShipments_submitShipmentConfirmations.examples.json",
            (0, "request", "parameters", "body", "value"),
            orders.SHIPMENT_CONFIRMATIONS,
        ),
        (
            "spapi_vendorShipments_getShipmentDetails.examples.json",
            (0, "examples", "application/json"),
            orders.SHIPMENTS,
        ),
    ],
)
def test_registry_detects_each_document_from_its_content(fixture: str, path: tuple[Any, ...], kind: str) -> None:
    document: Any = adsgen.shared_json(fixture)
    for step in path:
        document = document[step]
    head = json.dumps(document).encode()[:65536]

    spec = registry.detect(head)

    assert spec is not None and spec.name == kind


# --------------------------------------------------------------------------------------------------
# Generated documents (validated against Amazon's published models first)


def _po_file() -> dict[str, Any]:
    return adsgen.purchase_orders_response(
        [
            adsgen.order(
                "8KX2PQ4R",
                [
                    adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(100, "Cases", 6), net_cost="12.40"),
                    adsgen.order_item("2", "B07MC84QAB", adsgen.quantity(30, "Eaches", 1), net_cost="19.999"),
                ],
                delivery_window="2026-10-18T00:00:00Z--2026-10-22T23:59:59Z",
            )
        ],
        next_token="MDAwMDAwMDAwMQ==",
    )


def _status_file() -> dict[str, Any]:
    return adsgen.purchase_orders_status_response(
        [
            adsgen.order_status(
                "8KX2PQ4R",
                [
                    adsgen.item_status(
                        "1",
                        "B07DFVDRAB",
                        ordered=adsgen.quantity(600, "Eaches"),
                        accepted=adsgen.quantity(500, "Eaches"),
                        rejected=adsgen.quantity(100, "Eaches"),
                        received=adsgen.quantity(470, "Eaches"),
                        confirmation="PARTIALLY_ACCEPTED",
                        receive_status="PARTIALLY_RECEIVED",
                    ),
                    adsgen.item_status(
                        "2",
                        "B07MC84QAB",
                        ordered=adsgen.quantity(30, "Eaches"),
                        accepted=adsgen.quantity(5, "Cases", 6),
                        rejected=adsgen.quantity(0, "Eaches"),
                        received=adsgen.quantity(1, "Cases", 6),
                    ),
                ],
            )
        ]
    )


def _asn_file() -> dict[str, Any]:
    return adsgen.shipment_confirmations(
        [
            adsgen.shipment_confirmation(
                "ASN-20261014-01",
                [
                    adsgen.shipped_item("1", "8KX2PQ4R", adsgen.quantity(80, "Cases", 6), asin="B07DFVDRAB"),
                    adsgen.shipped_item("2", "8KX2PQ4R", adsgen.quantity(30, "Eaches", 1)),
                ],
                shipped_at="2026-10-14T08:50:00Z",
                confirmed_at="2026-10-14T09:12:00Z",
            )
        ]
    )


def _shipments_file() -> dict[str, Any]:
    return adsgen.shipments_response(
        [
            adsgen.shipment(
                "ASN-20261014-01",
                [
                    {
                        "purchaseOrderNumber": "8KX2PQ4R",
                        "items": [
                            {"itemSequenceNumber": "1", "shippedQuantity": adsgen.quantity(80, "Cases", 6)},
                            {"itemSequenceNumber": "2", "shippedQuantity": adsgen.quantity(30, "Eaches", 1)},
                        ],
                    }
                ],
            )
        ]
    )


def test_generated_documents_match_amazons_models() -> None:
    for openapi, definition, document in [
        ("spapi_vendorOrders.openapi.json", "GetPurchaseOrdersResponse", _po_file()),
        ("spapi_vendorOrders.openapi.json", "GetPurchaseOrdersStatusResponse", _status_file()),
        ("spapi_vendorShipments.openapi.json", "SubmitShipmentConfirmationsRequest", _asn_file()),
        ("spapi_vendorShipments.openapi.json", "GetShipmentDetailsResponse", _shipments_file()),
    ]:
        errors = [error.message for error in _validator(openapi, definition).iter_errors(document)]
        assert errors == [], definition


def test_cases_times_unit_size_string_decimals_and_both_windows() -> None:
    report, frame = _parse(_po_file())

    lines = _lines(frame, "item_sequence")
    assert lines[("1",)]["ordered_units"] == 600  # 100 Cases x 6
    assert lines[("2",)]["ordered_units"] == 30
    assert lines[("1",)]["net_cost"] == Decimal("12.40")
    assert lines[("2",)]["net_cost"] == Decimal("19.999")  # exact: never through float
    assert lines[("1",)]["delivery_window_start"] == datetime(2026, 10, 18, tzinfo=UTC)
    assert lines[("1",)]["delivery_window_end"] == datetime(2026, 10, 22, 23, 59, 59, tzinfo=UTC)
    assert lines[("1",)]["ship_window_start"] == datetime(2026, 10, 12, 7, tzinfo=UTC)
    assert report.vendor_code == "ACME1"
    assert report.errors == []


def test_facts_are_enough_for_the_order_and_asn_kpis() -> None:
    """DOMAIN.md §4.3 worked example: requested 600, confirmed 500, received 470 -> confirmation 83.3 %,
    receive fill 94.0 %; the ASN went out 22 minutes after the truck left (< 30 min) and before arrival."""
    _, po = _parse(_po_file())
    _, status = _parse(_status_file())
    _, asn = _parse(_asn_file())
    _, shipments = _parse(_shipments_file())

    ordered = _lines(po, "item_sequence")[("1",)]["ordered_units"]
    line = _lines(status, "item_sequence")[("1",)]
    assert round(Decimal(line["accepted_units"]) / ordered, 3) == Decimal("0.833")
    assert round(Decimal(line["received_units"]) / line["accepted_units"], 3) == Decimal("0.940")
    assert _lines(status, "item_sequence")[("2",)]["accepted_units"] == 30  # 5 Cases x 6

    asn_line = _lines(asn, "item_sequence")[("1",)]
    assert asn_line["confirmed_at"] - asn_line["shipped_at"] == timedelta(minutes=22)
    delivered = _lines(shipments, "item_sequence")[("1",)]["delivered_at"]
    assert asn_line["confirmed_at"] < delivered
    assert asn_line["shipped_units"] == 480  # 80 Cases x 6: ASN accuracy compares it with received units
    assert asn_line["asin"] == "B07DFVDRAB"


def test_other_shapes_bare_lists_and_a_single_order() -> None:
    single = {"payload": adsgen.order("9ZZ1AB23", [adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(4))])}
    bare_orders = [adsgen.order("9ZZ1AB24", [adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(2))])]
    bare_asn = _asn_file()["shipmentConfirmations"]

    assert list(_parse(single)[1]["po_number"]) == ["9ZZ1AB23"]
    assert list(_parse(bare_orders)[1]["ordered_units"]) == [2]
    report, frame = _parse(bare_asn)
    assert report.report_type == "VENDOR_SHIPMENT_CONFIRMATIONS"
    assert len(frame) == 2


def test_a_line_repeated_across_concatenated_pages_keeps_the_last() -> None:
    first = adsgen.order("8KX2PQ4R", [adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(10))])
    changed = adsgen.order("8KX2PQ4R", [adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(12))])

    report, frame = _parse(adsgen.purchase_orders_response([first, changed]))

    assert list(frame["ordered_units"]) == [12]
    assert report.options["duplicate_lines_replaced"] == 1


def test_vendor_code_falls_back_to_the_callers() -> None:
    document = _asn_file()
    del document["shipmentConfirmations"][0]["sellingParty"]

    report, frame = _parse(document, vendor_code="ACME9")
    assert set(frame["vendor_code"]) == {"ACME9"}

    report, frame = _parse(document)
    assert set(frame["vendor_code"]) == {""}
    assert report.options["documents_without_vendor_code"] == 1


def test_shipment_without_purchase_orders_keeps_its_status_on_a_shipment_line() -> None:
    document = adsgen.shipments_response([adsgen.shipment("SHIP-2", [], status="CarrierAssigned", delivered_at=None)])
    _, frame = _parse(document)
    assert frame.to_dict("records")[0] == {
        **{column: None for column, _ in FACT_COLUMNS["shipment_line"]},
        "vendor_code": "ACME1",
        "shipment_id": "SHIP-2",
        "po_number": "",
        "item_sequence": "",
        "status": "CarrierAssigned",
    }


# --------------------------------------------------------------------------------------------------
# Malformed input


def test_malformed_values_name_file_row_column_value_and_expectation() -> None:
    bad_items = [
        adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity("ten")),  # type: ignore[arg-type]
        adsgen.order_item("2", "B07DFVDRAB", adsgen.quantity(3), net_cost="12,40"),
        adsgen.order_item("3", "B07DFVDRAB", adsgen.quantity(3, "Pallets", 4)),
        {
            k: v
            for k, v in adsgen.order_item("4", "B07DFVDRAB", adsgen.quantity(3)).items()
            if k != "itemSequenceNumber"
        },
    ]
    document = adsgen.purchase_orders_response(
        [
            adsgen.order("GOODPO01", [adsgen.order_item("1", "B07DFVDRAB", adsgen.quantity(1))]),
            adsgen.order("BADPO002", bad_items, ship_window="2026-10-12T07:00:00Z"),
        ]
    )

    report, _ = _parse(document, "po-page-2.json")

    assert report.errors == [
        RowError(
            "po-page-2.json",
            1,
            "orderDetails.shipWindow",
            "2026-10-12T07:00:00Z",
            "an interval 'start--end' of two ISO-8601 date-times",
        ),
        RowError("po-page-2.json", 1, "orderDetails.items[0].orderedQuantity.amount", "ten", "a whole number"),
        RowError(
            "po-page-2.json", 1, "orderDetails.items[1].netCost.amount", "12,40", "a decimal string such as '346.27'"
        ),
        RowError(
            "po-page-2.json", 1, "orderDetails.items[2].orderedQuantity.unitOfMeasure", "Pallets", "Cases or Eaches"
        ),
        RowError(
            "po-page-2.json",
            1,
            "orderDetails.items[3].itemSequenceNumber",
            None,
            "itemSequenceNumber (a non-empty string)",
        ),
    ]


def test_orders_without_details_ask_for_include_details() -> None:
    example = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrders.examples.json")[1]["response"]
    report, frame = _parse(example, "no-details.json")
    assert frame.empty
    assert report.errors[0] == RowError(
        "no-details.json",
        0,
        "orderDetails",
        None,
        "orderDetails with items (request the orders with includeDetails=true)",
    )


def test_truncated_json_is_a_parse_error() -> None:
    data = json.dumps(_po_file()).encode()[:-40]
    with pytest.raises(ParseError) as caught:
        list(orders.parse_purchase_orders(io.BytesIO(data), "cut.json").chunks)
    assert caught.value.error.file == "cut.json"
    assert caught.value.error.expected.startswith("valid JSON")


def test_amazon_error_response_carries_amazons_message() -> None:
    error_response = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrders.examples.json")[8]["response"]
    assert orders.detect_kind(json.dumps(error_response).encode()) is None  # not an orders document

    with pytest.raises(ParseError) as caught:
        orders.parse_purchase_orders(io.BytesIO(json.dumps(error_response).encode()), "error.json")
    assert caught.value.error.value == "InvalidRequest: The request is invalid."


def test_detection_ignores_other_json() -> None:
    assert orders.detect_kind(b'{"reportSpecification": {"reportType": "GET_VENDOR_SALES_REPORT"}}') is None
    assert orders.detect_kind(b'[{"campaignId": 1, "impressions": 2}]') is None
    assert orders.detect_kind(b"purchaseOrderNumber,orderDetails\n") is None


# --------------------------------------------------------------------------------------------------
# Through the import pipeline (database state)


def _import(brand: Any, name: str, document: Any, capture: Any, **kwargs: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ingest.services import report_import_create

    with capture(execute=True):
        report_import = report_import_create(
            brand=brand, uploaded_file=SimpleUploadedFile(name, adsgen.to_bytes(document, compress=True)), **kwargs
        )
    report_import.refresh_from_db()
    return report_import


@pytest.mark.django_db
def test_shipments_file_adds_status_and_delivery_without_touching_the_asn(
    brand_a: Any, vendor_ops: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    from ingest.models import ReportImport
    from ingest.models import ShipmentLineFact

    settings.MEDIA_ROOT = tmp_path
    asn = _asn_file()
    asn["shipmentConfirmations"][0]["sellingParty"] = {"partyId": "ACMEU"}
    shipments = _shipments_file()
    shipments["payload"]["shipments"][0]["sellingParty"] = {"partyId": "ACMEU"}
    shipments["payload"]["shipments"][0]["transportationDetails"]["shippedDate"] = "2026-10-15T00:00:00Z"

    first = _import(brand_a.brand, "asn.json.gz", asn, django_capture_on_commit_callbacks, user=vendor_ops)
    second = _import(brand_a.brand, "shipments.json.gz", shipments, django_capture_on_commit_callbacks, user=vendor_ops)

    assert first.status == second.status == ReportImport.Status.SUCCEEDED, (first.errors, second.errors)
    assert (first.source, first.report_type) == ("SP_API_ORDERS", "VENDOR_SHIPMENT_CONFIRMATIONS")
    line = ShipmentLineFact.objects.get(po_number="8KX2PQ4R", item_sequence="1")
    assert line.vendor_code_id == brand_a.vendor_code.pk
    assert line.shipped_units == 480  # from the ASN: 80 Cases x 6
    assert line.shipped_at == _utc("2026-10-14T08:50:00Z")  # the ASN's, not the transport request's
    assert line.confirmed_at == _utc("2026-10-14T09:12:00Z")
    assert (line.status, line.delivered_at) == ("Shipped", _utc("2026-10-17T13:40:00Z"))
    assert line.last_import_id == second.pk
    assert ShipmentLineFact.objects.count() == 2


@pytest.mark.django_db
def test_a_replace_asn_restates_its_shipment(
    brand_a: Any, vendor_ops: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    from ingest.models import ShipmentLineFact

    settings.MEDIA_ROOT = tmp_path
    original = _asn_file()
    original["shipmentConfirmations"][0]["sellingParty"] = {"partyId": "ACMEU"}
    replacement = _asn_file()
    confirmation = replacement["shipmentConfirmations"][0]
    confirmation.update(sellingParty={"partyId": "ACMEU"}, shipmentConfirmationType="Replace")
    confirmation["shippedItems"] = [adsgen.shipped_item("1", "8KX2PQ4R", adsgen.quantity(70, "Cases", 6))]

    _import(brand_a.brand, "asn.json.gz", original, django_capture_on_commit_callbacks, user=vendor_ops)
    assert ShipmentLineFact.objects.count() == 2
    replaced = _import(
        brand_a.brand, "asn-replace.json.gz", replacement, django_capture_on_commit_callbacks, user=vendor_ops
    )

    assert replaced.rows_deleted == 1, replaced.errors
    assert list(ShipmentLineFact.objects.values_list("item_sequence", "shipped_units", "confirmation_type")) == [
        ("1", 420, "Replace")
    ]


def test_a_saved_error_response_fails_with_amazons_message() -> None:
    error_response = adsgen.shared_json("spapi_vendorOrders_getPurchaseOrdersStatus.examples.json")[4]["response"]
    data = json.dumps(error_response).encode()

    spec = registry.detect(data)
    assert spec is not None and spec.name == "SP_API_ERROR_RESPONSE"
    with pytest.raises(ParseError) as caught:
        spec.parser(io.BytesIO(data), "status.json")
    assert caught.value.error == RowError(
        "status.json",
        None,
        "errors",
        "InvalidRequest: The request is invalid.",
        "a report or an orders/shipments document; this file is an SP-API error response",
    )
