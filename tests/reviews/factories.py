"""Fact rows and review records for the reviews tests, written straight into ingest's fact tables.

The import pipeline has its own tests; here facts are created directly so a test states exactly the
numbers it reasons about. Every helper takes the vendor code and fills brand and marketplace from it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from ingest.models import AdsDailyFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailNetPpmFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from planning.models import VendorCode
from reviews.models import ActionItem
from reviews.models import BusinessReview

MANUFACTURING = "MANUFACTURING"
RETAIL = "RETAIL"


def _retail_key(
    vc: VendorCode, asin: str, start: date, end: date | None, grain: str, view: str, program: str
) -> dict[str, Any]:
    return {
        "brand_id": vc.brand_id,
        "marketplace_id": vc.marketplace_id,
        "vendor_code": vc,
        "distributor_view": view,
        "selling_program": program,
        "period_grain": grain,
        "period_start": start,
        "period_end": end or start,
        "asin": asin,
    }


def sales(
    vc: VendorCode,
    asin: str,
    start: date,
    end: date | None = None,
    *,
    grain: str = "DAY",
    view: str = MANUFACTURING,
    program: str = RETAIL,
    **values: Any,
) -> RetailSalesFact:
    return RetailSalesFact.objects.create(
        **_retail_key(vc, asin, start, end, grain, view, program), currency=vc.marketplace.currency, **values
    )


def inventory(
    vc: VendorCode,
    asin: str,
    start: date,
    end: date | None = None,
    *,
    grain: str = "DAY",
    view: str = MANUFACTURING,
    program: str = RETAIL,
    **values: Any,
) -> RetailInventoryFact:
    return RetailInventoryFact.objects.create(
        **_retail_key(vc, asin, start, end, grain, view, program), currency=vc.marketplace.currency, **values
    )


def traffic(
    vc: VendorCode, asin: str, start: date, end: date | None = None, *, grain: str = "DAY", glance_views: int | None
) -> RetailTrafficFact:
    return RetailTrafficFact.objects.create(
        **_retail_key(vc, asin, start, end, grain, "", ""), glance_views=glance_views
    )


def net_ppm(
    vc: VendorCode, asin: str, start: date, end: date | None = None, *, grain: str = "DAY", margin: Decimal
) -> RetailNetPpmFact:
    return RetailNetPpmFact.objects.create(
        **_retail_key(vc, asin, start, end, grain, "", ""), net_pure_product_margin=margin
    )


def ads(
    vc: VendorCode,
    day: date,
    *,
    ad_product: str = "SP",
    report_type: str = "spCampaigns",
    campaign_id: int = 1,
    asin: str = "",
    profile_id: str = "",
    **values: Any,
) -> AdsDailyFact:
    return AdsDailyFact.objects.create(
        brand_id=vc.brand_id,
        profile_id=profile_id,
        marketplace_id=vc.marketplace.amazon_marketplace_id,
        ad_product=ad_product,
        report_type=report_type,
        date=day,
        campaign_id=campaign_id,
        ad_id=1 if asin else 0,
        asin=asin,
        currency=vc.marketplace.currency,
        **values,
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def po_line(
    vc: VendorCode, po_number: str, asin: str, po_date: datetime, *, sequence: str = "1", **values: Any
) -> PurchaseOrderLineFact:
    return PurchaseOrderLineFact.objects.create(
        brand_id=vc.brand_id,
        vendor_code=vc,
        po_number=po_number,
        item_sequence=sequence,
        asin=asin,
        po_date=po_date,
        currency=vc.marketplace.currency,
        **values,
    )


def shipment_line(
    vc: VendorCode, shipment_id: str, po_number: str, asin: str, *, sequence: str = "1", **values: Any
) -> ShipmentLineFact:
    return ShipmentLineFact.objects.create(
        brand_id=vc.brand_id,
        vendor_code=vc,
        shipment_id=shipment_id,
        po_number=po_number,
        item_sequence=sequence,
        asin=asin,
        **values,
    )


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


class BusinessReviewFactory(DjangoModelFactory[BusinessReview]):
    class Meta:
        model = BusinessReview

    month = date(2026, 3, 1)
    review_type = BusinessReview.ReviewType.MBR


class ActionItemFactory(DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = date(2026, 4, 30)
