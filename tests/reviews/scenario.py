"""A small brand with realistic daily facts and the three MBR stories, for page tests and screenshots.

Deterministic (a seeded random generator). Over `months` months up to `last_day`:
- sales, inventory, traffic and net PPM per ASIN and day (MANUFACTURING / RETAIL), ads (SP, SB and SD
  campaign reports plus SP advertised-product rows), weekly purchase orders and their ASNs;
- a JBP plan (ACTIVE) with month targets for the total and for each category;
- story 1, a category behind plan: "Speakers" sells 35 % under its plan in the last full month;
- story 2, an ACoS spike: Sponsored Products spend +90 % in the last full month, sales flat;
- story 3, a stock-out: two headphone ASINs run out of stock in the middle of the last full month
  (sellable on hand 0, PPOOS 100 % on those days, unfilled customer orders).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from ingest.models import AdsDailyFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailNetPpmFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.models import Product
from planning.models import VendorCode

CATEGORIES = {
    "Headphones": ["Wireless Over-Ear Headphones", "True Wireless Earbuds", "Sport Earbuds", "Studio Headphones"],
    "Speakers": ["Portable Bluetooth Speaker", "Soundbar", "Smart Speaker"],
    "Chargers & Cables": ["65W USB-C Charger", "Braided USB-C Cable", "Wireless Charging Stand"],
}
CENT = Decimal("0.01")


@dataclass
class Scenario:
    vendor_code: VendorCode
    first_day: date
    last_day: date
    story_month: date
    products: list[Product] = field(default_factory=list)
    stock_out_asins: list[str] = field(default_factory=list)
    plan: JBPPlan | None = None


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def build_scenario(vc: VendorCode, *, last_day: date, months: int = 14, seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    story_month = add_months(month_start(last_day), -1) if last_day != month_end(last_day) else month_start(last_day)
    first_day = add_months(month_start(last_day), -(months - 1))
    scenario = Scenario(vendor_code=vc, first_day=first_day, last_day=last_day, story_month=story_month)
    number = 0
    for category, nouns in CATEGORIES.items():
        for noun in nouns:
            number += 1
            product, _ = Product.objects.update_or_create(
                marketplace=vc.marketplace,
                asin=f"B0SCEN{number:04d}",
                defaults={
                    "brand": vc.brand,
                    "vendor_code": vc,
                    "title": f"{vc.brand.name} {noun}",
                    "category": category,
                    "subcategory": "",
                    "cost_price": _money(rng.uniform(8, 60)),
                    "currency": vc.marketplace.currency,
                    "aplus_content": number % 3 != 0,
                    "video_on_detail_page": number % 2 == 0,
                    "content_score": 50 + number * 3,
                    "content_updated_at": last_day - timedelta(days=40 * number),
                },
            )
            scenario.products.append(product)
    scenario.stock_out_asins = [p.asin for p in scenario.products[:2]]

    key = {"brand_id": vc.brand_id, "marketplace_id": vc.marketplace_id, "vendor_code_id": vc.pk, "period_grain": "DAY"}
    view = {"distributor_view": "MANUFACTURING", "selling_program": "RETAIL"}
    sales: list[RetailSalesFact] = []
    inventory: list[RetailInventoryFact] = []
    traffic: list[RetailTrafficFact] = []
    ppm: list[RetailNetPpmFact] = []
    ads: list[AdsDailyFact] = []
    stock = {p.asin: 900 + 60 * i for i, p in enumerate(scenario.products)}
    stock_out_start = story_month + timedelta(days=12)
    day = first_day
    while day <= last_day:
        season = 1.0 + 0.25 * (1 if day.month in (11, 12) else 0) + 0.05 * ((day - first_day).days / 365)
        sp_cost = 0.0
        sp_sales = 0.0
        for i, product in enumerate(scenario.products):
            price = float(product.cost_price or 10) * 1.45
            demand = (12 + 3 * i) * season * rng.uniform(0.85, 1.15)
            if product.category == "Speakers" and month_start(day) == story_month:
                demand *= 0.6  # story 1: speakers fall behind plan
            out_of_stock = product.asin in scenario.stock_out_asins and stock_out_start <= day <= month_end(story_month)
            units = 0 if out_of_stock else round(demand)
            returns = round(units * 0.03)
            sales.append(
                RetailSalesFact(
                    **key,
                    **view,
                    period_start=day,
                    period_end=day,
                    asin=product.asin,
                    currency="USD",
                    ordered_units=units,
                    ordered_revenue=_money(units * price),
                    shipped_units=units,
                    shipped_revenue=_money(units * price * 0.98),
                    shipped_cogs=_money(units * float(product.cost_price or 10)),
                    customer_returns=returns,
                )
            )
            received = 0
            if day.weekday() == 1 and not out_of_stock:
                received = round(demand * 7.5)
            stock[product.asin] = 0 if out_of_stock else max(stock[product.asin] - units + received, 0)
            if product.asin in scenario.stock_out_asins and day == month_end(story_month):
                stock[product.asin] = 600  # replenished after the stock-out
            views = round(demand * rng.uniform(7, 9)) + 20
            inventory.append(
                RetailInventoryFact(
                    **key,
                    **view,
                    period_start=day,
                    period_end=day,
                    asin=product.asin,
                    currency="USD",
                    net_received_inventory_units=received,
                    net_received_inventory_cost=_money(received * float(product.cost_price or 10)),
                    sellable_on_hand_inventory_units=stock[product.asin],
                    sellable_on_hand_inventory_cost=_money(stock[product.asin] * float(product.cost_price or 10)),
                    aged_90_plus_days_sellable_inventory_units=round(stock[product.asin] * 0.08),
                    unfilled_customer_ordered_units=round(demand) if out_of_stock else 0,
                    procurable_product_out_of_stock_rate=Decimal("1") if out_of_stock else Decimal("0.01"),
                )
            )
            traffic.append(
                RetailTrafficFact(
                    **key,
                    distributor_view="",
                    selling_program="",
                    period_start=day,
                    period_end=day,
                    asin=product.asin,
                    glance_views=views,
                )
            )
            ppm.append(
                RetailNetPpmFact(
                    **key,
                    distributor_view="",
                    selling_program="",
                    period_start=day,
                    period_end=day,
                    asin=product.asin,
                    net_pure_product_margin=Decimal("0.21") + Decimal(i) / 200,
                )
            )
            cost = round(demand * 0.9 * rng.uniform(0.9, 1.1), 2)
            ad_sales = round(cost * 4.2 * rng.uniform(0.9, 1.1), 2)
            if month_start(day) == story_month:
                cost = round(cost * 1.9, 2)  # story 2: ACoS spike
            sp_cost += cost
            sp_sales += ad_sales
            ads.append(
                AdsDailyFact(
                    brand_id=vc.brand_id,
                    profile_id="",
                    marketplace_id=vc.marketplace.amazon_marketplace_id,
                    ad_product="SP",
                    report_type="spAdvertisedProduct",
                    date=day,
                    campaign_id=100 + i,
                    ad_group_id=1,
                    ad_id=1000 + i,
                    asin=product.asin,
                    currency="USD",
                    impressions=round(cost * 180),
                    clicks=round(cost),
                    cost=_money(cost),
                    sales_14d=_money(ad_sales),
                    purchases_14d=round(ad_sales / price),
                    units_sold_14d=round(ad_sales / price),
                )
            )
        for product_code, report_type, cost_total, sales_total in (
            ("SP", "spCampaigns", sp_cost, sp_sales),
            ("SB", "sbCampaigns", sp_cost * 0.3, sp_sales * 0.25),
            ("SD", "sdCampaigns", sp_cost * 0.15, sp_sales * 0.1),
        ):
            ads.append(
                AdsDailyFact(
                    brand_id=vc.brand_id,
                    profile_id="",
                    marketplace_id=vc.marketplace.amazon_marketplace_id,
                    ad_product=product_code,
                    report_type=report_type,
                    date=day,
                    campaign_id=1,
                    currency="USD",
                    impressions=round(cost_total * 180),
                    clicks=round(cost_total),
                    cost=_money(cost_total),
                    sales_14d=_money(sales_total),
                    purchases_14d=round(sales_total / 40),
                )
            )
        day += timedelta(days=1)
    RetailSalesFact.objects.bulk_create(sales, batch_size=2000)
    RetailInventoryFact.objects.bulk_create(inventory, batch_size=2000)
    RetailTrafficFact.objects.bulk_create(traffic, batch_size=2000)
    RetailNetPpmFact.objects.bulk_create(ppm, batch_size=2000)
    AdsDailyFact.objects.bulk_create(ads, batch_size=2000)
    _orders(scenario, rng)
    scenario.plan = _plan(scenario)
    return scenario


def _orders(scenario: Scenario, rng: random.Random) -> None:
    vc = scenario.vendor_code
    lines: list[PurchaseOrderLineFact] = []
    shipments: list[ShipmentLineFact] = []
    week = scenario.first_day
    n = 0
    while week <= scenario.last_day - timedelta(days=14):
        n += 1
        po_date = datetime(week.year, week.month, week.day, 8, tzinfo=UTC)
        for i, product in enumerate(scenario.products):
            requested = 80 + 10 * i
            confirmed = round(requested * rng.uniform(0.8, 1.0))
            late = rng.random() < 0.12
            received = confirmed - (rng.randint(1, 6) if rng.random() < 0.1 else 0)
            shipped_at = po_date + timedelta(days=rng.randint(2, 6) + (5 if late else 0))
            lines.append(
                PurchaseOrderLineFact(
                    brand_id=vc.brand_id,
                    vendor_code=vc,
                    po_number=f"PO{n:05d}",
                    item_sequence=str(i + 1),
                    asin=product.asin,
                    po_date=po_date,
                    ship_window_start=po_date + timedelta(days=1),
                    ship_window_end=po_date + timedelta(days=7),
                    delivery_window_end=po_date + timedelta(days=12),
                    currency="USD",
                    net_cost=product.cost_price,
                    ordered_units=requested,
                    accepted_units=confirmed,
                    received_units=received,
                    last_receive_date=shipped_at + timedelta(days=3),
                )
            )
            confirm_delay = timedelta(minutes=rng.choice([5, 20, 45, 300]))
            shipments.append(
                ShipmentLineFact(
                    brand_id=vc.brand_id,
                    vendor_code=vc,
                    shipment_id=f"SH{n:05d}",
                    po_number=f"PO{n:05d}",
                    item_sequence=str(i + 1),
                    asin=product.asin,
                    shipped_at=shipped_at,
                    confirmed_at=shipped_at + confirm_delay,
                    delivered_at=shipped_at + timedelta(days=3),
                    shipped_units=confirmed,
                )
            )
        week += timedelta(days=7)
    PurchaseOrderLineFact.objects.bulk_create(lines, batch_size=2000)
    ShipmentLineFact.objects.bulk_create(shipments, batch_size=2000)


def _plan(scenario: Scenario) -> JBPPlan:
    vc = scenario.vendor_code
    year = scenario.story_month.year
    plan, _ = JBPPlan.objects.update_or_create(
        brand=vc.brand,
        marketplace=vc.marketplace,
        plan_year=year,
        series="FY",
        version=1,
        defaults={
            "horizon": JBPPlan.Horizon.ANNUAL,
            "period_start": date(year, 1, 1),
            "period_end": date(year, 12, 31),
            "status": JBPPlan.Status.ACTIVE,
            "currency": "USD",
            "amazon_counterpart": "Jordan (VM)",
        },
    )
    plan.vendor_codes.add(vc)
    month = date(year, 1, 1)
    while month.year == year:
        # Roughly what the generator sells, so the stories stand out against the plan.
        per_category = {
            "Headphones": Decimal("46000"),
            "Speakers": Decimal("58000"),
            "Chargers & Cables": Decimal("80000"),
        }
        for category, value in per_category.items():
            JBPTarget.objects.update_or_create(
                plan=plan,
                metric="SHIPPED_COGS",
                dimension_type="CATEGORY",
                dimension_value=category,
                period_start=month,
                period_end=month_end(month),
                defaults={"period_type": "MONTH", "target_value": value},
            )
        JBPTarget.objects.update_or_create(
            plan=plan,
            metric="SHIPPED_COGS",
            dimension_type="TOTAL",
            dimension_value="",
            period_start=month,
            period_end=month_end(month),
            defaults={"period_type": "MONTH", "target_value": sum(per_category.values())},
        )
        JBPTarget.objects.update_or_create(
            plan=plan,
            metric="ACOS",
            dimension_type="TOTAL",
            dimension_value="",
            period_start=month,
            period_end=month_end(month),
            defaults={"period_type": "MONTH", "target_value": Decimal("0.25"), "direction": "LOWER_IS_BETTER"},
        )
        month = add_months(month, 1)
    return plan
