"""Money never lands without its currency: a legacy Vendor Central export whose banner names no
country (so no currency) takes the currency of the marketplace its vendor code sells in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from ingest.services import report_import_create
from planning.models import Marketplace
from tests.factories import VendorCodeFactory
from tests.ingest import docgen

pytestmark = pytest.mark.django_db


def test_a_legacy_export_without_a_country_takes_the_vendor_codes_marketplace_currency(
    brand_a: Any,
    upload: Callable[[str, bytes], SimpleUploadedFile],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    germany = Marketplace.objects.get(amazon_marketplace_id="A1PA6795UKMFR9")
    vendor_code = VendorCodeFactory(brand=brand_a.brand, code="ACMEDE", marketplace=germany)
    rows = docgen.vc_rows("sales", 3)
    raw = docgen.vc_export_csv("sales", "en_US", rows, layout="legacy", reporting_range="Monthly")
    with django_capture_on_commit_callbacks(execute=True):
        created = report_import_create(
            brand=brand_a.brand, uploaded_file=upload("renamed.csv", raw), vendor_code=vendor_code
        )
    created.refresh_from_db()
    assert created.status == ReportImport.Status.SUCCEEDED, created.errors
    facts = RetailSalesFact.objects.filter(vendor_code=vendor_code)
    assert facts.count() == 3
    assert set(facts.values_list("currency", flat=True)) == {"EUR"}
    stored = {(f.asin, f.shipped_cogs) for f in facts}
    assert stored == {(r["asin"], r["shipped_cogs"]) for r in rows}


def test_a_currency_the_file_names_is_kept(
    brand_a: Any,
    upload: Callable[[str, bytes], SimpleUploadedFile],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    raw = docgen.vc_export_csv("sales", "en_US", docgen.vc_rows("sales", 2), country="US", currency="USD")
    with django_capture_on_commit_callbacks(execute=True):
        created = report_import_create(
            brand=brand_a.brand, uploaded_file=upload("sales.csv", raw), vendor_code=brand_a.vendor_code
        )
    created.refresh_from_db()
    assert created.status == ReportImport.Status.SUCCEEDED, created.errors
    assert set(RetailSalesFact.objects.values_list("currency", flat=True)) == {"USD"}
