"""The demo facts seeder (ingest.demo): Amazon's documents imported through the real pipeline, with the
stories the MBR tells, and idempotent.

The seeder runs once for the module (twice, for idempotency) on a small configuration: Acme Audio US
only, four ASINs per category, 13 months, with the JBP demo plans of Acme Audio US as targets. The
data lives in an outer transaction rolled back when the module ends.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.db import transaction
from django.db.models import Max
from django.db.models import Min
from django.db.models import Sum
from django.test import override_settings

from core.periods import add_months
from core.periods import month_end
from ingest.demo import DemoStories
from ingest.demo import FactsConfig
from ingest.demo import seed_facts
from ingest.demo.retail import retail_documents
from ingest.demo.simulation import Calendar
from ingest.demo.simulation import build_account
from ingest.demo_documents import RETAIL_REPORTS
from ingest.models import FACT_MODELS
from ingest.models import AdsDailyFact
from ingest.models import AdsProfile
from ingest.models import PromotionResultFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import ReportImport
from ingest.models import RetailInventoryFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from planning.demo import US
from planning.demo import DemoContext
from planning.demo import seed_catalog
from planning.jbp_demo import seed_jbp_demo
from planning.jbp_models import JBPTarget
from planning.models import Product
from planning.models import VendorCode
from tests.ingest import adsgen

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)  # a Thursday: daily facts end on the 25th, weekly ones on Saturday the 21st
SMALL = FactsConfig(
    months=13,
    daily_weeks=2,
    ads_days=42,
    order_weeks=6,
    forecast_weeks=4,
    asins_per_category=4,
    vendor_codes=("ACMEU",),
)
CAL = Calendar.build(TODAY, SMALL.months)
LAST_MONTH = date(2026, 10, 1)


@dataclass
class Seeded:
    ctx: DemoContext
    vendor_code: VendorCode
    stories: DemoStories
    again: DemoStories
    counts_after_first: dict[str, int]
    first_imports: list[ReportImport]
    second_imports: list[ReportImport]
    media_root: Path


def _fact_counts() -> dict[str, int]:
    return {table: model._default_manager.count() for table, model in FACT_MODELS.items()}


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        ctx = DemoContext(seed=42, today=TODAY, password="demo-test", log=lambda message: None)
        seed_catalog(ctx)
        vendor_code = ctx.vendor_codes[("Acme Audio", US)]
        seed_jbp_demo(
            brand=vendor_code.brand,
            marketplace=vendor_code.marketplace,
            users={"brand_manager": ctx.users["brand.manager"], "reviewer": ctx.users["brand.reviewer"]},
            rng=ctx.rng("jbp:Acme Audio:ATVPDKIKX0DER"),
            today=TODAY,
        )
        stories = seed_facts(ctx, SMALL)
        counts = _fact_counts()
        first = list(ReportImport.objects.order_by("pk"))
        again = seed_facts(ctx, SMALL)
        second = list(ReportImport.objects.exclude(pk__in=[i.pk for i in first]).order_by("pk"))
        yield Seeded(ctx, vendor_code, stories, again, counts, first, second, media)
        transaction.set_rollback(True)


def _category_of(vendor_code: VendorCode) -> dict[str, str]:
    return dict(Product.objects.filter(vendor_code=vendor_code).values_list("asin", "category"))


def _month_by_category(vendor_code: VendorCode, month: date, field: str, model: Any = RetailSalesFact) -> dict:
    categories = _category_of(vendor_code)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    rows = model.objects.filter(vendor_code=vendor_code, period_grain="MONTH", period_start=month).exclude(asin="")
    if model is RetailSalesFact:
        rows = rows.filter(distributor_view="MANUFACTURING")
    for asin, value in rows.values_list("asin", field):
        totals[categories[asin]] += Decimal(value or 0)
    return totals


# -- the pipeline ---------------------------------------------------------------------------------------


def test_every_document_is_a_succeeded_import_with_its_raw_file_kept(seeded: Seeded) -> None:
    imports = seeded.first_imports
    assert imports, "the seeder imported nothing"
    assert {i.status for i in imports} == {ReportImport.Status.SUCCEEDED}
    assert all(i.vendor_code_id == seeded.vendor_code.pk and i.created_by_id is None for i in imports)
    for report_import in imports:
        kept = seeded.media_root / str(report_import.file.name)
        assert kept.stat().st_size == report_import.size > 0 and len(report_import.file_sha256) == 64
    report_types = {i.report_type for i in imports}
    assert report_types == {
        "GET_VENDOR_SALES_REPORT",
        "GET_VENDOR_INVENTORY_REPORT",
        "GET_VENDOR_TRAFFIC_REPORT",
        "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT",
        "GET_VENDOR_FORECASTING_REPORT",
        "GET_PROMOTION_PERFORMANCE_REPORT",
        "spCampaigns",
        "spAdvertisedProduct",
        "sbCampaigns",
        "sdCampaigns",
        "VENDOR_PURCHASE_ORDERS",
        "VENDOR_PURCHASE_ORDERS_STATUS",
        "VENDOR_SHIPMENT_CONFIRMATIONS",
        "VENDOR_SHIPMENTS",
    }
    # Sales: WEEK, MONTH and DAY, each in both distributor views, all RETAIL.
    sales = [i for i in imports if i.report_type == "GET_VENDOR_SALES_REPORT"]
    assert sorted((i.options["reportPeriod"], i.options["distributorView"]) for i in sales) == [
        ("DAY", "MANUFACTURING"),
        ("DAY", "SOURCING"),
        ("MONTH", "MANUFACTURING"),
        ("MONTH", "SOURCING"),
        ("WEEK", "MANUFACTURING"),
        ("WEEK", "SOURCING"),
    ]
    # Ads v3 reports cover at most 31 days each, as the API allows.
    ads = {i.pk for i in imports if i.fact_table == "ads_daily"}
    spans = AdsDailyFact.objects.values("last_import").annotate(first=Min("date"), last=Max("date"))
    assert {span["last_import"] for span in spans} <= ads
    assert all((span["last"] - span["first"]).days <= 30 for span in spans)


def test_fact_tables_hold_every_grain_with_aggregates_equal_to_the_asin_sums(seeded: Seeded) -> None:
    vc = seeded.vendor_code
    weeks = len(CAL.weeks())  # 2025-09-28 .. 2026-11-21
    assert (weeks, len(CAL.months)) == (60, 13)
    aggregate = RetailSalesFact.objects.filter(vendor_code=vc, asin="")
    for view in ("MANUFACTURING", "SOURCING"):
        assert aggregate.filter(distributor_view=view, period_grain="WEEK").count() == weeks
        assert aggregate.filter(distributor_view=view, period_grain="MONTH").count() == 13
        assert aggregate.filter(distributor_view=view, period_grain="DAY").count() == 14
    assert RetailInventoryFact.objects.filter(vendor_code=vc, asin="", period_grain="WEEK").count() == weeks
    assert set(RetailInventoryFact.objects.values_list("distributor_view", flat=True)) == {"SOURCING"}
    assert RetailTrafficFact.objects.filter(vendor_code=vc, asin="", period_grain="DAY").count() == 14
    asins = set(RetailSalesFact.objects.exclude(asin="").values_list("asin", flat=True))
    assert len(asins) == 20  # 4 ASINs x 5 categories
    # The aggregate row is the sum of the ASIN rows, in every period.
    week = CAL.weeks_end - timedelta(days=6)
    rows = RetailSalesFact.objects.filter(
        vendor_code=vc, period_grain="WEEK", distributor_view="MANUFACTURING", period_start=week
    )
    total = rows.get(asin="")
    sums = rows.exclude(asin="").aggregate(cogs=Sum("shipped_cogs"), units=Sum("ordered_units"))
    assert (total.shipped_cogs, total.ordered_units) == (sums["cogs"], sums["units"])
    # DAY, WEEK and MONTH are sums of the same days: the last week's days add up to its WEEK row.
    days = RetailSalesFact.objects.filter(
        vendor_code=vc,
        period_grain="DAY",
        distributor_view="MANUFACTURING",
        asin="",
        period_start__gte=week,
        period_start__lte=CAL.weeks_end,
    ).aggregate(cogs=Sum("shipped_cogs"), units=Sum("ordered_units"))
    assert (days["cogs"], days["units"]) == (total.shipped_cogs, total.ordered_units)
    # Ordered figures only in MANUFACTURING (Amazon reports them only there).
    assert not RetailSalesFact.objects.filter(distributor_view="SOURCING", ordered_units__isnull=False).exists()
    assert AdsDailyFact.objects.filter(report_type="spCampaigns").count() > 0
    assert PurchaseOrderLineFact.objects.filter(vendor_code=vc, accepted_units__isnull=False).count() > 0
    assert ShipmentLineFact.objects.filter(vendor_code=vc, delivered_at__isnull=False).count() > 0
    # One promotion report row per deal ASIN plus the promotion's total, for every past event in range.
    totals = PromotionResultFact.objects.filter(vendor_code=vc, asin="")
    assert sorted(str(name) for name in totals.values_list("promotion_name", flat=True)) == [
        "Black Friday / Cyber Monday 2025: Acme Audio deals",
        "Prime Big Deal Days 2025: Acme Audio deals",
        "Prime Big Deal Days 2026: Acme Audio deals",
        "Prime Day 2026: Acme Audio deals",
    ]
    assert PromotionResultFact.objects.filter(vendor_code=vc).exclude(asin="").count() == 4 * 3


def test_realistic_ratios(seeded: Seeded) -> None:
    vc = seeded.vendor_code
    month = add_months(LAST_MONTH, -3)
    sales = RetailSalesFact.objects.get(
        vendor_code=vc, asin="", period_grain="MONTH", distributor_view="MANUFACTURING", period_start=month
    )
    views = RetailTrafficFact.objects.get(vendor_code=vc, asin="", period_grain="MONTH", period_start=month)
    conversion = sales.ordered_units / views.glance_views
    assert 0.08 <= conversion <= 0.15
    assert 0.02 <= sales.customer_returns / sales.shipped_units <= 0.09
    # Retail = cost x 1.6-2.2, sold a little under list: COGS is 45-65 % of revenue.
    assert Decimal("0.45") <= sales.shipped_cogs / sales.shipped_revenue <= Decimal("0.65")
    sp = AdsDailyFact.objects.filter(report_type="spCampaigns", date__lt=seeded.stories.acos_spike_from["ACMEU"])
    spend = sp.aggregate(cost=Sum("cost"), sales=Sum("sales_14d"))
    assert Decimal("0.15") <= spend["cost"] / spend["sales"] <= Decimal("0.30")

    # Q4 peak: November last year sold more than September last year.
    def cogs(day: date) -> Decimal:
        return RetailSalesFact.objects.get(
            vendor_code=vc, asin="", period_grain="MONTH", distributor_view="MANUFACTURING", period_start=day
        ).shipped_cogs

    assert cogs(date(2025, 11, 1)) > Decimal("1.2") * cogs(date(2025, 10, 1))


# -- the stories --------------------------------------------------------------------------------------------


def test_speakers_fall_behind_plan_and_last_year_in_the_last_complete_month(seeded: Seeded) -> None:
    vc = seeded.vendor_code
    assert seeded.stories.behind_plan_category == {"ACMEU": "Speakers"}
    assert seeded.stories.last_complete_month == LAST_MONTH
    actual = _month_by_category(vc, LAST_MONTH, "shipped_cogs")
    last_year = _month_by_category(vc, add_months(LAST_MONTH, -12), "shipped_cogs")
    targets = dict(
        JBPTarget.objects.filter(
            plan__brand=vc.brand,
            plan__marketplace=vc.marketplace,
            plan__status__in=("ACTIVE", "CLOSED"),
            metric="SHIPPED_COGS",
            dimension_type="CATEGORY",
            period_start=LAST_MONTH,
        ).values_list("dimension_value", "target_value")
    )
    assert set(targets) == set(actual)
    attainment = {category: actual[category] / targets[category] for category in targets}
    # DOMAIN.md §6 JBP_ATTAINMENT_LOW: a complete month's pace-adjusted attainment = raw, threshold 0.70.
    assert attainment["Speakers"] < Decimal("0.70")
    for category, value in attainment.items():
        if category not in ("Speakers", "Headphones"):  # Headphones lose sales to the stock-out
            assert Decimal("0.90") <= value <= Decimal("1.15"), (category, value)
    assert Decimal("0.70") <= attainment["Headphones"] <= Decimal("1.10")
    assert actual["Speakers"] < Decimal("0.75") * last_year["Speakers"]
    # The cause is visible: Speakers' glance views fell against last year as well.
    views = _month_by_category(vc, LAST_MONTH, "glance_views", RetailTrafficFact)
    views_last_year = _month_by_category(vc, add_months(LAST_MONTH, -12), "glance_views", RetailTrafficFact)
    assert views["Speakers"] < Decimal("0.85") * views_last_year["Speakers"]


def test_sponsored_products_acos_spikes_in_the_last_weeks_with_flat_sales(seeded: Seeded) -> None:
    spike_from = seeded.stories.acos_spike_from["ACMEU"]
    assert spike_from == CAL.end - timedelta(days=15)
    sp = AdsDailyFact.objects.filter(brand=seeded.vendor_code.brand, report_type="spCampaigns")

    def window(first: date, last: date) -> tuple[Decimal, Decimal]:
        sums = sp.filter(date__gte=first, date__lte=last).aggregate(cost=Sum("cost"), sales=Sum("sales_14d"))
        return sums["cost"], sums["sales"]

    cost_before, sales_before = window(spike_from - timedelta(days=28), spike_from - timedelta(days=1))
    cost_after, sales_after = window(spike_from + timedelta(days=2), CAL.end)
    days_after = (CAL.end - spike_from).days - 1
    acos_before, acos_after = cost_before / sales_before, cost_after / sales_after
    assert acos_after > Decimal("1.6") * acos_before  # ~21 % -> ~42 %
    daily_sales_before, daily_sales_after = sales_before / 28, sales_after / days_after
    assert Decimal("0.75") <= daily_sales_after / daily_sales_before <= Decimal("1.25")
    # Sponsored Brands and Display are untouched.
    sb = AdsDailyFact.objects.filter(report_type="sbCampaigns", date__gte=spike_from + timedelta(days=2))
    sb_sums = sb.aggregate(cost=Sum("cost"), sales=Sum("sales_14d"))
    assert sb_sums["cost"] / sb_sums["sales"] < Decimal("0.45")


def test_top_headphones_run_out_of_stock(seeded: Seeded) -> None:
    vc = seeded.vendor_code
    out = seeded.stories.stock_out_asins["ACMEU"]
    assert len(out) == 3
    categories = _category_of(vc)
    assert {categories[asin] for asin in out} == {"Headphones"}
    last_week = CAL.weeks_end - timedelta(days=6)
    for asin in out:
        weeks = list(
            RetailInventoryFact.objects.filter(vendor_code=vc, asin=asin, period_grain="WEEK").order_by("period_start")
        )
        shipped = dict(
            RetailSalesFact.objects.filter(
                vendor_code=vc, asin=asin, period_grain="WEEK", distributor_view="MANUFACTURING"
            ).values_list("period_start", "shipped_units")
        )
        latest = weeks[-1]
        assert latest.period_start == last_week
        assert latest.sellable_on_hand_inventory_units == 0
        assert latest.unfilled_customer_ordered_units > 0
        assert shipped[last_week] == 0
        # At 0 on hand for at least the last two weeks, and at 0 when the last complete month ended.
        assert weeks[-2].sellable_on_hand_inventory_units == 0
        month_end_week = [w for w in weeks if w.period_start <= month_end(LAST_MONTH)][-1]
        assert month_end_week.sellable_on_hand_inventory_units == 0
        # Before running out, weeks of cover (on hand / trailing 4-week shipments) fell below the lead time.
        first_zero = next(i for i, w in enumerate(weeks) if w.sellable_on_hand_inventory_units == 0)
        before = weeks[first_zero - 1]
        trailing = [shipped[w.period_start] or 0 for w in weeks[first_zero - 4 : first_zero]]
        cover = (before.sellable_on_hand_inventory_units or 0) / (sum(trailing) / 4)
        lead_weeks = max(w.average_vendor_lead_time_days or 0 for w in weeks) / 7
        assert cover < lead_weeks
        # The vendor rejected its recent purchase orders: that is why.
        lines = PurchaseOrderLineFact.objects.filter(vendor_code=vc, asin=asin)
        assert lines.exists() and all(line.accepted_units == 0 and line.rejected_units > 0 for line in lines)
    # PPOOS (aggregate only, as Amazon reports it) is up against the same weeks months before.
    ppoos = list(
        RetailInventoryFact.objects.filter(vendor_code=vc, asin="", period_grain="WEEK")
        .order_by("period_start")
        .values_list("procurable_product_out_of_stock_rate", flat=True)
    )
    earlier = [rate for rate in ppoos[-30:-12] if rate is not None]
    ppoos_now = ppoos[-1]
    assert ppoos_now is not None and ppoos_now > Decimal("0.03")
    assert ppoos_now > 3 * (sum(earlier) / len(earlier))
    assert (
        not RetailInventoryFact.objects.exclude(asin="")
        .filter(procurable_product_out_of_stock_rate__isnull=False)
        .exists()
    )


def test_ads_facts_carry_the_vendor_codes_profile(seeded: Seeded) -> None:
    profile = AdsProfile.objects.get(vendor_code=seeded.vendor_code)
    ads = AdsDailyFact.objects.filter(brand=seeded.vendor_code.brand)
    assert ads.exists()
    assert set(ads.values_list("profile_id", "marketplace_id").distinct()) == {(profile.profile_id, US)}


def test_ads_profile_per_vendor_code(seeded: Seeded) -> None:
    profile = AdsProfile.objects.get(vendor_code=seeded.vendor_code)
    assert (profile.brand, profile.marketplace, profile.account_type) == (
        seeded.vendor_code.brand,
        seeded.vendor_code.marketplace,
        AdsProfile.AccountType.VENDOR,
    )
    assert profile.currency == "USD" and profile.profile_id.isdigit()


# -- idempotency ---------------------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(seeded: Seeded) -> None:
    assert _fact_counts() == seeded.counts_after_first
    second = seeded.second_imports
    assert len(second) == len(seeded.first_imports)
    assert {i.status for i in second} == {ReportImport.Status.SUCCEEDED}
    assert all(i.rows_changed == 0 for i in second)
    # The same bytes: each file is recognised as identical, or reloaded with nothing to change.
    assert {i.file_sha256 for i in second} == {i.file_sha256 for i in seeded.first_imports}
    assert all(i.identical_to_id is not None or i.message.startswith("No changes") for i in second), [
        i.message for i in second
    ]
    assert any(i.identical_to_id is not None for i in second)
    assert seeded.again == seeded.stories


# -- the documents --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "schema"),
    [
        ("sales", "spapi_vendorSalesReport.schema.json"),
        ("inventory", "spapi_vendorInventoryReport.schema.json"),
        ("traffic", "spapi_vendorTrafficReport.schema.json"),
        ("netppm", "spapi_vendorNetPureProductMarginReport.schema.json"),
    ],
)
def test_retail_documents_follow_amazons_schemas(seeded: Seeded, kind: str, schema: str) -> None:
    config = FactsConfig(months=2, daily_weeks=1, asins_per_category=2)
    account = build_account(seeded.ctx, seeded.vendor_code.brand, seeded.vendor_code, config)
    report_type = RETAIL_REPORTS[kind][0]
    documents = [d for d in retail_documents(account, config, TODAY) if d.name.startswith(report_type + "_")]
    assert documents
    for document in documents:
        jsonschema.validate(json.loads(gzip.decompress(document.data)), adsgen.shared_json(schema))
