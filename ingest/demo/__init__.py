"""Demo facts for `seed_demo`: 18 months of Amazon data per demo vendor code, written as the documents
Amazon sends and imported through the real pipeline (ReportImport rows, raw files kept, the same
service the Celery task runs, in-process so no worker is needed).

What is imported per vendor code (ACMEU, ACMED, VERDU, VERDD): daily data through yesterday, WEEK
reports through the last complete week (Sunday to Saturday), MONTH reports for the 18 complete
months before today's month (the MBR's default month is always complete):
- GET_VENDOR_SALES_REPORT, MANUFACTURING and SOURCING (RETAIL): WEEK and MONTH for the whole history,
  DAY for the last 8 weeks; GET_VENDOR_TRAFFIC_REPORT likewise; GET_VENDOR_INVENTORY_REPORT (SOURCING)
  WEEK and MONTH; GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT MONTH; GET_VENDOR_FORECASTING_REPORT for
  the next 13 weeks; GET_PROMOTION_PERFORMANCE_REPORT for the past Prime Day, Prime Big Deal Days and
  Black Friday deals.
- Amazon Ads v3 DAILY bodies for the last ~6 months (spCampaigns, spAdvertisedProduct, sbCampaigns,
  sdCampaigns, at most 31 days per report as the API allows), one Ads profile per vendor code.
- vendorOrders purchase orders, their status, the ASNs (shipment confirmations) and shipments for the
  last 13 weeks.

All values come from one daily simulation per ASIN: demand from the product's price (retail = cost x
1.6-2.2), seasonality by category (electronics peak in Q4, garden in spring), Prime Day in July,
Prime Big Deal Days in October, Black Friday to Cyber Monday, a yearly trend per account; glance
views from a conversion of 8-15 %; returns by category, two weeks after shipment; inventory
replenished by weekly purchase orders (lead time, confirmations, receipts), so stock, open PO units,
sell-through, aged 90+ units and out-of-stock days follow from the same flows. DAY, WEEK and MONTH
reports are sums of the same days, so every grain agrees. Where the JBP demo plans have monthly
shipped COGS targets by category, the categories are scaled so that the last complete month lands
near its target (95-107 %), except where a story says otherwise.

The stories (deterministic from ctx.rng; the names of the ASINs involved are in the log and in
`DemoStories`):
1. Acme Audio US (ACMEU), category "Speakers" falls behind: glance views drop ~30 % from three weeks
   before the last complete month (a competitor's launch took the top search slots) and conversion
   slips, so the month's shipped COGS is ~60 % of its JBP target and ~1/3 below last year. It has not
   recovered in the current month.
2. Acme Audio US, ACoS spike: for the last 16 days, CPCs on every Sponsored Products campaign rise
   ~60 % and clicks ~25 % (bids raised to chase the Speakers decline) while attributed sales stay flat:
   SP spend doubles and SP ACoS goes from ~21 % to ~42 %.
3. Acme Audio US, stock-out: the three best-selling Headphones ASINs. The vendor rejects their
   purchase orders (a component shortage) from the latest week that still empties their stock before
   the last complete month ends (and two weeks before the end of the data): weeks of cover fall below
   the lead time, sellable on hand reaches 0 and stays there, shipped units stop, unfilled customer
   orders pile up, PPOOS (aggregate) rises, vendor confirmation drops and their ads stop serving.
4. Verdant Home DE (VERDD): steady growth (~30 % a year) and a strong Prime Day (deal ASINs sell ~6x a
   normal day), with a promotion performance report for the deals.

Idempotent: the same ctx (seed, today) writes byte-identical files; the pipeline recognises each as
identical to its previous import (or reloads it and changes nothing), so a second run leaves the
facts exactly as they were.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path

from core.periods import week_start
from ingest import demo_documents as docs
from ingest import services
from ingest.demo.ads import ad_rows
from ingest.demo.ads import ads_documents
from ingest.demo.ads import ads_profile_for
from ingest.demo.ads import campaigns_for
from ingest.demo.orders import order_documents
from ingest.demo.retail import Document
from ingest.demo.retail import forecast_rows
from ingest.demo.retail import promotion_document
from ingest.demo.retail import retail_documents
from ingest.demo.simulation import Account
from ingest.demo.simulation import FactsConfig
from ingest.demo.simulation import build_account
from ingest.models import ReportImport
from planning.demo import DemoContext
from planning.models import Brand
from planning.models import VendorCode

logger = logging.getLogger(__name__)

FACTS_CONFIG = FactsConfig()


@dataclass
class DemoStories:
    """Which ASINs and categories carry the stories, for the log, the tests and the other seeders."""

    behind_plan_category: dict[str, str] = field(default_factory=dict)  # vendor code -> category
    acos_spike_from: dict[str, date] = field(default_factory=dict)  # vendor code -> first spike day
    stock_out_asins: dict[str, list[str]] = field(default_factory=dict)  # vendor code -> ASINs at 0
    last_complete_month: date | None = None
    end: date | None = None  # the last day of the facts (a Saturday)


class DemoImportFailed(RuntimeError):
    """A demo document did not import: a bug in the seeder or the pipeline, never to be hidden."""


@dataclass
class ImportTally:
    files: int = 0
    rows: int = 0
    changed: int = 0
    identical: int = 0


def import_document(
    brand: Brand, vendor_code: VendorCode, directory: Path, document: Document, tally: ImportTally
) -> ReportImport:
    """Keep the file, create its ReportImport and run it in-process, as the Celery task would."""
    path = directory / document.name
    path.write_bytes(document.data)
    # Ads report bodies name neither their advertiser profile nor their marketplace: the importer says so.
    created = services.report_import_create(
        brand=brand, path=path, vendor_code=vendor_code, options=document.options or None, enqueue=False
    )
    finished = services.report_import_run(created.pk)
    path.unlink()
    if finished is None or finished.status != ReportImport.Status.SUCCEEDED:
        report = finished or created
        raise DemoImportFailed(f"{document.name}: {report.status} {report.message} {report.errors[:3]}")
    tally.files += 1
    tally.rows += finished.rows_total
    tally.changed += finished.rows_changed
    tally.identical += 1 if finished.identical_to_id else 0
    return finished


def seed_account(ctx: DemoContext, account: Account, config: FactsConfig, directory: Path) -> ImportTally:
    """Write and import every document of one vendor code."""
    tally = ImportTally()
    documents: list[Document] = list(retail_documents(account, config, ctx.today))
    if config.forecast_weeks:
        documents.append(
            Document(
                f"GET_VENDOR_FORECASTING_REPORT_{account.code}_{week_start(ctx.today)}.json.gz",
                docs.forecast_document(
                    forecast_rows(account, config.forecast_weeks),
                    generated=week_start(ctx.today),
                    marketplace_id=account.marketplace_id,
                ),
            )
        )
    promotion = promotion_document(account)
    if promotion is not None:
        documents.append(promotion)
    if config.ads_days:
        profile = ads_profile_for(account)
        campaigns = campaigns_for(account, ctx)
        documents.extend(
            ads_documents(account, campaigns, ad_rows(account, campaigns, config.ads_days), profile.profile_id)
        )
    if config.order_weeks:
        documents.extend(order_documents(account, config.order_weeks))
    for document in documents:
        import_document(account.brand, account.vendor_code, directory, document, tally)
    return tally


def seed_facts_demo(ctx: DemoContext) -> None:
    """The seed_demo hook (registered in ingest's AppConfig.ready() with order 20, after the JBP plans)."""
    seed_facts(ctx, FACTS_CONFIG)


def seed_facts(ctx: DemoContext, config: FactsConfig) -> DemoStories:
    """Facts for every demo vendor code of `config`, imported through the pipeline.

    Returns which ASINs and categories carry the stories (also written to the log).
    """
    stories = DemoStories()
    with tempfile.TemporaryDirectory(prefix="coopdesk-demo-") as tmp:
        for (brand_name, _marketplace_id), vendor_code in sorted(ctx.vendor_codes.items()):
            if config.vendor_codes is not None and vendor_code.code not in config.vendor_codes:
                continue
            started = time.monotonic()
            account = build_account(ctx, ctx.brands[brand_name], vendor_code, config)
            tally = seed_account(ctx, account, config, Path(tmp))
            stories.end, stories.last_complete_month = account.cal.end, account.cal.last_month
            if account.story.behind_category:
                stories.behind_plan_category[account.code] = account.story.behind_category
            if account.acos_spike_from:
                stories.acos_spike_from[account.code] = account.acos_spike_from
            if account.stock_out:
                stories.stock_out_asins[account.code] = list(account.stock_out)
            ctx.log(
                f"{vendor_code.code}: {tally.files} files, {tally.rows:,} rows, {tally.changed:,} changed, "
                f"{tally.identical} identical to earlier imports ({time.monotonic() - started:.1f} s)"
            )
    for code, asins in stories.stock_out_asins.items():
        ctx.log(f"story {code}: out of stock {', '.join(asins)}")
    for code, category in stories.behind_plan_category.items():
        ctx.log(f"story {code}: {category} behind plan in {stories.last_complete_month:%B %Y}")
    for code, day in stories.acos_spike_from.items():
        ctx.log(f"story {code}: Sponsored Products ACoS spike from {day}")
    return stories
