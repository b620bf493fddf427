"""Real-shaped Amazon Ads, Marketing Stream and vendor order/shipment documents for tests and demo data.

Every builder returns what Amazon would send (bytes or JSON-ready dicts) and takes the values that
matter as arguments, so a test states its inputs and asserts the parsed facts against them:

- Ads API v3 report bodies (`ads_report_body`): a JSON array of flat rows, gzipped like GZIP_JSON
  downloads; ids are 64-bit integers written as JSON numbers.
- Console downloads (`console_csv`, `console_xlsx`): Title-Case headers, "Nov 03, 2026" dates, money
  with symbols and grouping, derived CTR/CPC/ACOS/ROAS columns.
- Marketing Stream messages (`sp_traffic`, `sp_conversion`, `sb_traffic`, `sb_conversion`, `sd_traffic`,
  `sd_conversion`, `budget_usage`), Firehose HTTP-endpoint bodies (`firehose_body`) and SNS envelopes
  (`sns_notification`, `sns_subscription_confirmation`).
- SP-API vendorOrders / vendorShipments documents (`purchase_orders_response`, `order`, `order_item`,
  `purchase_orders_status_response`, `order_status`, `item_status`, `shipment_confirmations`,
  `shipment_confirmation`, `shipped_item`, `shipments_response`, `shipment`).
- `random_ads_rows` for bulk data (seeded).

Shapes follow the shared fixtures in /work/shared/formats (field names, nesting, types). The builders
the demo seeder also uses (v3 report bodies and campaign rows, vendorOrders / vendorShipments
documents) live in ingest/demo_documents.py and are re-exported here under their old names.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import random
import uuid
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from ingest.demo_documents import AD_GROUP_ID as AD_GROUP_ID
from ingest.demo_documents import AD_ID as AD_ID
from ingest.demo_documents import CAMPAIGN_ID as CAMPAIGN_ID
from ingest.demo_documents import ads_report_body as ads_report_body
from ingest.demo_documents import dumps_rows as dumps_rows
from ingest.demo_documents import item_status as item_status
from ingest.demo_documents import money as money
from ingest.demo_documents import order as order
from ingest.demo_documents import order_item as order_item
from ingest.demo_documents import order_status as order_status
from ingest.demo_documents import purchase_orders_response as purchase_orders_response
from ingest.demo_documents import purchase_orders_status_response as purchase_orders_status_response
from ingest.demo_documents import quantity as quantity
from ingest.demo_documents import sb_campaign_row as sb_campaign_row
from ingest.demo_documents import sd_campaign_row as sd_campaign_row
from ingest.demo_documents import shipment as shipment
from ingest.demo_documents import shipment_confirmation as shipment_confirmation
from ingest.demo_documents import shipment_confirmations as shipment_confirmations
from ingest.demo_documents import shipments_response as shipments_response
from ingest.demo_documents import shipped_item as shipped_item
from ingest.demo_documents import sp_advertised_product_row as sp_advertised_product_row
from ingest.demo_documents import sp_campaign_row as sp_campaign_row
from ingest.demo_documents import to_bytes as to_bytes
from tests.fixtures import AMAZON_FORMATS

SHARED_FORMATS = AMAZON_FORMATS


def shared_path(name: str) -> Path:
    """A file of Amazon's format fixtures kept in tests/fixtures/amazon_formats."""
    path = SHARED_FORMATS / name
    assert path.exists(), f"format fixture {path} is missing"
    return path


def shared_json(name: str) -> Any:
    return json.loads(shared_path(name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------
# Amazon Ads API v3 report bodies


def sp_purchased_product_row(
    day: date, *, purchased: str, advertised: str = "B07DFVDRAB", keyword_id: int = 9000000000001, **metrics: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "date": day.isoformat(),
        "campaignId": CAMPAIGN_ID,
        "campaignName": "Brand - Exact",
        "adGroupId": AD_GROUP_ID,
        "adGroupName": "Exact",
        "keywordId": keyword_id,
        "keyword": "running shoes",
        "matchType": "EXACT",
        "advertisedAsin": advertised,
        "purchasedAsin": purchased,
        "campaignBudgetCurrencyCode": "USD",
    }
    row.update(metrics)
    return row


def sd_advertised_product_row(day: date, *, asin: str = "B07MC84QAB", ad_id: int = 577129443211873) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "campaignId": 366158230120913,
        "campaignName": "SD - Views remarketing",
        "adGroupId": 411093227365412,
        "adGroupName": "Remarketing",
        "adId": ad_id,
        "promotedAsin": asin,
        "promotedSku": "SKU-" + asin[-4:],
        "campaignBudgetCurrencyCode": "USD",
        "impressions": 21000,
        "clicks": 44,
        "cost": Decimal("22.70"),
        "sales": Decimal("99.80"),
        "purchases": 2,
        "unitsSold": 2,
        "newToBrandSales": Decimal("49.90"),
        "impressionsViews": 18000,
    }


def random_ads_rows(
    report_type: str, start: date, days: int, *, campaigns: int = 5, seed: int = 7
) -> list[dict[str, Any]]:
    """Plausible DAILY rows of one report type (spCampaigns, spAdvertisedProduct, sbCampaigns, sdCampaigns)."""
    rng = random.Random(seed)
    ids = [rng.randrange(10**14, 10**15) for _ in range(campaigns)]
    rows: list[dict[str, Any]] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for number, campaign_id in enumerate(ids):
            impressions = rng.randrange(500, 50_000)
            clicks = rng.randrange(0, max(1, impressions // 80))
            cost = (Decimal(clicks) * Decimal(rng.randrange(40, 180)) / 100).quantize(Decimal("0.01"))
            sales = (cost * Decimal(rng.randrange(0, 800)) / 100).quantize(Decimal("0.01"))
            orders = int(sales // 30)
            if report_type == "spCampaigns":
                rows.append(
                    sp_campaign_row(
                        day,
                        campaign_id=campaign_id,
                        campaign_name=f"SP campaign {number}",
                        impressions=impressions,
                        clicks=clicks,
                        cost=cost,
                        sales={7: (sales * Decimal("0.8")).quantize(Decimal("0.01")), 14: sales},
                        purchases={7: orders, 14: orders},
                    )
                )
            elif report_type == "spAdvertisedProduct":
                asin = f"B0{number:08d}"
                rows.append(
                    sp_advertised_product_row(
                        day,
                        asin=asin,
                        ad_id=campaign_id + 1,
                        campaign_id=campaign_id,
                        impressions=impressions,
                        clicks=clicks,
                        cost=cost,
                        sales14=sales,
                        purchases14=orders,
                    )
                )
            elif report_type == "sbCampaigns":
                rows.append(sb_campaign_row(day, campaign_id=campaign_id, sales=sales, purchases=orders, cost=cost))
            elif report_type == "sdCampaigns":
                rows.append(sd_campaign_row(day, campaign_id=campaign_id))
            else:
                raise ValueError(f"random_ads_rows does not generate {report_type}")
    return rows


# --------------------------------------------------------------------------------------------------
# Console downloads

CONSOLE_SP_HEADERS = [
    "Date",
    "Portfolio name",
    "Currency",
    "Campaign Name",
    "Impressions",
    "Clicks",
    "Click-Thru Rate (CTR)",
    "Spend",
    "Cost Per Click (CPC)",
    "7 Day Total Sales",
    "14 Day Total Sales",
    "7 Day Total Orders (#)",
    "14 Day Total Orders (#)",
    "7 Day Total Units (#)",
    "7 Day Advertised SKU Sales",
    "Total Advertising Cost of Sales (ACOS)",
    "Total Return on Advertising Spend (ROAS)",
]


def console_sp_row(
    day: date,
    campaign: str,
    *,
    impressions: int,
    clicks: int,
    spend: Decimal,
    sales7: Decimal,
    sales14: Decimal,
    orders7: int,
    orders14: int,
    units7: int,
    same_sku7: Decimal,
    currency: str = "USD",
    symbol: str = "$",
    date_text: str | None = None,
) -> list[str]:
    """One console row, formatted as the console prints it (ACOS on the 14-day window, as vendors see)."""
    ctr = f"{Decimal(clicks) / impressions * 100:.2f}%" if impressions else "0.00%"
    cpc = f"{symbol}{spend / clicks:,.2f}" if clicks else f"{symbol}0.00"
    acos = f"{spend / sales14 * 100:.2f}%" if sales14 else "0.00%"
    roas = f"{sales14 / spend:.2f}" if spend else "0.00"
    return [
        date_text or day.strftime("%b %d, %Y"),
        "Not grouped",
        currency,
        campaign,
        f"{impressions:,}",
        f"{clicks:,}",
        ctr,
        f"{symbol}{spend:,.2f}",
        cpc,
        f"{symbol}{sales7:,.2f}",
        f"{symbol}{sales14:,.2f}",
        str(orders7),
        str(orders14),
        str(units7),
        f"{symbol}{same_sku7:,.2f}",
        acos,
        roas,
    ]


def console_csv(headers: Sequence[str], rows: Iterable[Sequence[str]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def console_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX like the console's: one sheet, the header in row 1 (cells may be numbers and dates)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sponsored Products Campaign"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Amazon Marketing Stream

ADVERTISER_ID = "ENTITY2RCJ8IXZQ0Q6S"
MARKETPLACE_US = "ATVPDKIKX0DER"


def _stream_base(
    dataset: str, hour: str, *, idempotency_id: str | None, campaign_id: str, **ids: Any
) -> dict[str, Any]:
    message = {
        "idempotency_id": idempotency_id or str(uuid.uuid4()),
        "dataset_id": dataset,
        "marketplace_id": ids.pop("marketplace_id", MARKETPLACE_US),
        "currency": ids.pop("currency", "USD"),
        "advertiser_id": ids.pop("advertiser_id", ADVERTISER_ID),
        "campaign_id": campaign_id,
        "time_window_start": hour,
    }
    message.update(ids)
    return message


def sp_traffic(
    hour: str = "2026-11-03T05:00:00-08:00",
    *,
    idempotency_id: str | None = None,
    campaign_id: str = str(CAMPAIGN_ID),
    ad_group_id: str = str(AD_GROUP_ID),
    ad_id: str = str(AD_ID),
    keyword_id: str = "430021876512933",
    placement: str = "Top of Search on-Amazon",
    clicks: int = 3,
    impressions: int = 120,
    cost: float = 2.37,
    **extra: Any,
) -> dict[str, Any]:
    message = _stream_base(
        "sp-traffic",
        hour,
        idempotency_id=idempotency_id,
        campaign_id=campaign_id,
        ad_group_id=ad_group_id,
        ad_id=ad_id,
        keyword_id=keyword_id,
        keyword_text="running shoes",
        match_type="EXACT",
        placement=placement,
    )
    message.update(clicks=clicks, impressions=impressions, cost=cost, **extra)
    return message


def sp_conversion(
    hour: str = "2026-11-03T05:00:00-08:00",
    *,
    idempotency_id: str | None = None,
    campaign_id: str = str(CAMPAIGN_ID),
    ad_group_id: str = str(AD_GROUP_ID),
    ad_id: str = str(AD_ID),
    keyword_id: str = "430021876512933",
    placement: str = "Top of Search on-Amazon",
    sales14: float = 59.98,
    conversions14: int = 2,
    units14: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    message = _stream_base(
        "sp-conversion",
        hour,
        idempotency_id=idempotency_id,
        campaign_id=campaign_id,
        ad_group_id=ad_group_id,
        ad_id=ad_id,
        keyword_id=keyword_id,
        placement=placement,
    )
    for days in (1, 7, 14, 30):
        message[f"attributed_sales_{days}d"] = sales14 if days >= 14 else round(sales14 / 2, 2)
        message[f"attributed_conversions_{days}d"] = conversions14 if days >= 14 else 1
        message[f"attributed_units_ordered_{days}d"] = units14 if days >= 14 else 1
        message[f"attributed_sales_{days}d_same_sku"] = round(sales14 / 2, 2)
        message[f"attributed_conversions_{days}d_same_sku"] = 1
        message[f"attributed_units_ordered_{days}d_same_sku"] = 1
    message.update(extra)
    return message


def sb_traffic(
    hour: str = "2026-11-03T05:00:00-08:00", *, idempotency_id: str | None = None, **metrics: Any
) -> dict[str, Any]:
    message = _stream_base(
        "sb-traffic",
        hour,
        idempotency_id=idempotency_id,
        campaign_id="522893482741",
        ad_group_id="144598763211",
        ad_id="877612398451",
        keyword_id="55512873402",
        keyword_text="trail shoes",
        keyword_type="BROAD",
        placement_type="Top of Search",
    )
    message.update({"clicks": 4, "impressions": 900, "viewable_impressions": 610, "cost": 3.1, **metrics})
    return message


def sb_conversion(
    hour: str = "2026-11-03T05:00:00-08:00", *, idempotency_id: str | None = None, **metrics: Any
) -> dict[str, Any]:
    message = _stream_base(
        "sb-conversion",
        hour,
        idempotency_id=idempotency_id,
        campaign_id="522893482741",
        ad_group_id="144598763211",
        ad_id="877612398451",
        keyword_id="55512873402",
        keyword_text="trail shoes",
        keyword_type="BROAD",
        placement_type="Top of Search",
    )
    message.update(
        {
            "attributed_sales_14d": 129.99,
            "attributed_conversions_14d": 1,
            "attributed_units_ordered_14d": 1,
            "attributed_sales_14d_same_sku": 129.99,
            "attributed_conversions_14d_same_sku": 1,
            "view_attributed_sales_14d": 0.0,
            "view_attributed_conversions_14d": 0,
            "view_attributed_units_ordered_14d": 0,
            "attributed_orders_new_to_brand_14d": 1,
            "attributed_sales_new_to_brand_14d": 129.99,
            "attributed_units_ordered_new_to_brand_14d": 1,
            **metrics,
        }
    )
    return message


def sd_traffic(
    hour: str = "2026-11-03T05:00:00-08:00", *, idempotency_id: str | None = None, **metrics: Any
) -> dict[str, Any]:
    message = _stream_base(
        "sd-traffic",
        hour,
        idempotency_id=idempotency_id,
        campaign_id="366158230120913",
        ad_group_id="411093227365412",
        ad_id="577129443211873",
        target_id="299810462337190",
        targeting_text="views=(exactProduct=B07MC84QAB lookback=30)",
    )
    message.update({"clicks": 2, "impressions": 3100, "view_impressions": 2400, "cost": 1.95, **metrics})
    return message


def sd_conversion(
    hour: str = "2026-11-03T05:00:00-08:00", *, idempotency_id: str | None = None, **metrics: Any
) -> dict[str, Any]:
    message = _stream_base(
        "sd-conversion",
        hour,
        idempotency_id=idempotency_id,
        campaign_id="366158230120913",
        ad_group_id="411093227365412",
        ad_id="577129443211873",
        target_id="299810462337190",
    )
    message.update(
        {
            "attributed_sales_14d": 49.9,
            "attributed_conversions_14d": 1,
            "attributed_units_ordered_14d": 1,
            "view_attributed_sales_14d": 49.9,
            "view_attributed_conversions_14d": 1,
            "view_attributed_units_ordered_14d": 1,
            **metrics,
        }
    )
    return message


def budget_usage(
    *,
    scope_id: str = str(CAMPAIGN_ID),
    percentage: float = 45.5,
    budget: float = 500.0,
    at: str = "2026-11-03T13:20:11Z",
    scope_type: str = "CAMPAIGN",
    product: str = "sp",
) -> dict[str, Any]:
    return {
        "advertiser_id": ADVERTISER_ID,
        "marketplace_id": MARKETPLACE_US,
        "dataset_id": "budget-usage",
        "budget_scope_id": scope_id,
        "budget_scope_type": scope_type,
        "advertising_product_type": product,
        "budget": budget,
        "budget_usage_percentage": percentage,
        "usage_updated_timestamp": at,
    }


def firehose_body(
    records: Sequence[Sequence[dict[str, Any]] | bytes],
    *,
    request_id: str = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
    timestamp_ms: int = 1_793_766_000_000,
    compress: bool = False,
) -> bytes:
    """A Firehose HTTP-endpoint request body. Each record is a list of messages (newline-delimited in its
    data, as Firehose's record aggregation leaves them) or raw bytes used as the data as they are."""
    encoded = []
    for record in records:
        raw = record if isinstance(record, bytes) else "\n".join(json.dumps(m) for m in record).encode()
        encoded.append({"data": base64.b64encode(raw).decode("ascii")})
    body = json.dumps({"requestId": request_id, "timestamp": timestamp_ms, "records": encoded}).encode()
    return gzip.compress(body) if compress else body


SNS_TOPIC = "arn:aws:sns:us-east-1:906013806264:sp-traffic"


def sns_notification(message: dict[str, Any], *, message_id: str = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324") -> bytes:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": SNS_TOPIC,
            "Message": json.dumps(message),
            "Timestamp": "2026-11-03T14:02:51.012Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLEpH+..",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:x",
        }
    ).encode()


def sns_subscription_confirmation(kind: str = "SubscriptionConfirmation") -> bytes:
    return json.dumps(
        {
            "Type": kind,
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3",
            "TopicArn": SNS_TOPIC,
            "Message": "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:906013806264:sp-traffic.",
            "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:906013806264:sp-traffic&Token=2336412f37",
            "Timestamp": "2026-11-01T09:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLEpH+..",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000.pem",
        }
    ).encode()


# --------------------------------------------------------------------------------------------------
# SP-API vendorOrders / vendorShipments


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
