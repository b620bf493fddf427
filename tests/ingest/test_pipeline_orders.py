"""The import pipeline end to end with purchase-order documents (vendorOrders v1), whose files name the
vendor code themselves and update only the columns they know (ParsedReport.provided_columns)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.models import PurchaseOrderLineFact
from ingest.models import ReportImport
from ingest.services import report_import_create
from planning.models import Marketplace
from tests.factories import VendorCodeFactory
from tests.ingest.documents import purchase_orders
from tests.ingest.documents import purchase_orders_status

pytestmark = pytest.mark.django_db

Status = ReportImport.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks, upload):
    def run_import(brand, name: str, content: bytes, **kwargs) -> ReportImport:
        with django_capture_on_commit_callbacks(execute=True):
            report_import = report_import_create(brand=brand, uploaded_file=upload(name, content), **kwargs)
        report_import.refresh_from_db()
        return report_import

    return run_import


def test_po_file_names_its_vendor_code_and_loads_eaches(brand_a, vendor_ops, run) -> None:
    content = purchase_orders("ACMEU", lines=[("1", "B07DFVDRAB", 12), ("2", "B07DFYF5AB", 6)])

    report_import = run(brand_a.brand, "po.json", content, user=vendor_ops)

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    assert report_import.fact_table == "purchase_order_line"
    assert report_import.vendor_code == brand_a.vendor_code  # named by sellingParty.partyId
    assert (report_import.rows_total, report_import.rows_inserted) == (2, 2)
    lines = {f.item_sequence: f for f in PurchaseOrderLineFact.objects.all()}
    assert lines["1"].ordered_units == 12 and lines["2"].ordered_units == 6
    assert lines["1"].net_cost == Decimal("12.5000")
    assert lines["1"].vendor_code_id == brand_a.vendor_code.pk
    assert lines["1"].brand_id == brand_a.brand.pk
    assert lines["1"].last_import_id == report_import.pk


def test_po_status_updates_only_the_columns_it_provides(brand_a, vendor_ops, run) -> None:
    run(brand_a.brand, "po.json", purchase_orders("ACMEU", lines=[("1", "B07DFVDRAB", 12)]), user=vendor_ops)

    status_import = run(
        brand_a.brand,
        "status.json",
        purchase_orders_status("ACMEU", lines=[("1", "B07DFVDRAB", 10, 7)], po_number="2JK3S9VC"),
        user=vendor_ops,
    )

    assert status_import.status == Status.SUCCEEDED, status_import.errors
    assert (status_import.rows_inserted, status_import.rows_updated) == (0, 1)
    line = PurchaseOrderLineFact.objects.get()
    assert line.ordered_units == 12  # kept from the PO file: the status file does not provide it
    assert (line.accepted_units, line.received_units) == (10, 7)
    assert line.receive_status == "PARTIALLY_RECEIVED"
    assert line.last_import_id == status_import.pk


def test_po_file_of_a_vendor_code_of_another_brand_loads_nothing(brand_a, brand_b, vendor_ops, run) -> None:
    content = purchase_orders("BLOOM", lines=[("1", "B07DFVDRAB", 12)])

    report_import = run(brand_a.brand, "po.json", content, user=vendor_ops)

    assert report_import.status == Status.FAILED
    assert report_import.errors[0]["column"] == "vendorCode"
    assert report_import.errors[0]["value"] == "BLOOM"
    assert "Acme Audio" in report_import.errors[0]["expected"]
    assert not PurchaseOrderLineFact.objects.exists()


def test_same_po_number_in_two_brands_never_overwrites_the_other(brand_a, brand_b, vendor_ops, outsider, run) -> None:
    """The brand is the first column of every natural key: brand B's file cannot touch brand A's rows."""
    run(brand_a.brand, "po.json", purchase_orders("ACMEU", lines=[("1", "B07DFVDRAB", 12)]), user=vendor_ops)
    # Brand B registers a vendor code with the same text in another marketplace and imports the same PO.
    canada = Marketplace.objects.get(amazon_marketplace_id="A2EUQ1WTGCTBG2")
    VendorCodeFactory(code="ACMEU", brand=brand_b.brand, marketplace=canada)

    other = run(brand_b.brand, "po.json", purchase_orders("ACMEU", lines=[("1", "B07DFVDRAB", 99)]), user=outsider)

    assert other.status == Status.SUCCEEDED, other.errors
    assert other.identical_to is None  # identical-file detection is per brand
    units = dict(PurchaseOrderLineFact.objects.values_list("brand_id", "ordered_units"))
    assert units == {brand_a.brand.pk: 12, brand_b.brand.pk: 99}
