"""Amazon Ads for the demo: one advertiser profile per vendor code, Sponsored Products, Brands and
Display campaigns over the account's best sellers, and their v3 DAILY report bodies.

Attributed sales are a share of each ASIN's ordered revenue that day (so ads never exceed retail);
clicks follow from a target ACoS and a CPC, and attributed sales are spread over the clicks, so a
campaign's expected ACoS is its target. Out-of-stock ASINs lose the Buy Box and are not served.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.periods import month_start
from ingest import demo_documents as docs
from ingest.demo.retail import Document
from ingest.demo.simulation import US
from ingest.demo.simulation import Account
from ingest.demo.simulation import AsinPlan
from ingest.demo.simulation import stable_int
from ingest.demo.simulation import stochastic_round
from ingest.models import AdsProfile
from planning.demo import DemoContext
from planning.models import Product

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Campaign:
    ad_product: str  # SP | SB | SD
    name: str
    campaign_id: int
    share: float  # attributed sales as a share of the ASINs' ordered revenue
    acos: float
    asins: tuple[str, ...]
    ad_group_id: int = 0


def ads_profile_for(account: Account) -> AdsProfile:
    """The account's Amazon Ads profile (one per vendor code), created or refreshed."""
    profile, _ = AdsProfile.objects.update_or_create(
        profile_id=str(stable_int("ads-profile", account.code)),
        defaults={
            "brand": account.brand,
            "marketplace": account.vendor_code.marketplace,
            "vendor_code": account.vendor_code,
            "account_type": AdsProfile.AccountType.VENDOR,
            "name": f"{account.brand.name} ({account.code})",
            "timezone": "America/Los_Angeles" if account.marketplace_id == US else "Europe/Berlin",
            "currency": account.currency,
        },
    )
    return profile


def campaigns_for(account: Account, ctx: DemoContext) -> list[Campaign]:
    rng = ctx.rng(f"facts:campaigns:{account.code}")
    by_category: dict[str, list[AsinPlan]] = defaultdict(list)
    for plan in sorted(account.plans, key=lambda p: (-p.base * p.scale * p.list_cents, p.asin)):
        if plan.lifecycle != Product.Lifecycle.EXIT:
            by_category[plan.category].append(plan)
    campaigns: list[Campaign] = []

    def add(product: str, name: str, share: float, acos: float, asins: Sequence[str]) -> None:
        campaign_id = stable_int(account.code, name)
        campaigns.append(
            Campaign(product, name, campaign_id, share, acos, tuple(asins), stable_int(account.code, name, "ag"))
        )

    for category in sorted(by_category):
        top = [p.asin for p in by_category[category][:6]]
        add("SP", f"SP - {category} - Auto", 0.07, rng.uniform(0.24, 0.31), top)
        add("SP", f"SP - {category} - Exact", 0.10, rng.uniform(0.15, 0.21), top)
    best = sorted(account.plans, key=lambda p: -p.base * p.scale * p.list_cents)[:5]
    add("SP", "SP - Brand Defense - Exact", 0.04, rng.uniform(0.06, 0.10), [p.asin for p in best])
    everything = [p.asin for plans in by_category.values() for p in plans[:6]]
    add("SB", "SB - Brand Store - Headline", 0.03, rng.uniform(0.25, 0.32), everything)
    if by_category:
        lead = max(by_category, key=lambda c: sum(p.base * p.scale * p.list_cents for p in by_category[c]))
        add("SB", f"SB - {lead} - Video", 0.02, rng.uniform(0.28, 0.36), [p.asin for p in by_category[lead][:6]])
    add("SD", "SD - Views Remarketing", 0.02, rng.uniform(0.30, 0.38), everything)
    add("SD", "SD - Competitor Product Targeting", 0.01, rng.uniform(0.35, 0.45), everything)
    return campaigns


@dataclass
class AdRow:
    day: date
    campaign: Campaign
    asin: str
    impressions: int
    clicks: int
    cost: int  # cents
    sales14: int  # cents
    purchases14: int
    units14: int


def ad_rows(account: Account, campaigns: Sequence[Campaign], days: int) -> list[AdRow]:
    """Daily ads per campaign and advertised ASIN, from the same ordered revenue as the retail facts.

    The ACoS story (account.acos_spike_from): Sponsored Products CPCs rise 60 % and clicks 25 % over
    three days, and stay there; the clicks buy no extra sales, so spend doubles at flat sales.
    """
    cal = account.cal
    by_asin = {f.plan.asin: f for f in account.facts}
    first = max(0, len(cal.days) - days)
    cpc_range = (70, 160) if account.marketplace_id == US else (45, 110)
    rows: list[AdRow] = []
    for campaign in campaigns:
        rng = random.Random(f"{account.code}:ads:{campaign.campaign_id}")
        cpc_base = rng.randint(*cpc_range)
        ctr = rng.uniform(0.003, 0.006)
        for i in range(first, len(cal.days)):
            day = cal.days[i]
            spike = 0.0
            if campaign.ad_product == "SP" and account.acos_spike_from and day >= account.acos_spike_from:
                spike = min(1.0, ((day - account.acos_spike_from).days + 1) / 3)
            for asin in campaign.asins:
                f = by_asin.get(asin)
                if f is None or f.oos_views[i] or f.ordered_cents[i] <= 0:
                    continue  # nothing to advertise: out of stock (no Buy Box) or not selling
                sales_target = f.ordered_cents[i] * campaign.share * math.exp(rng.gauss(0, 0.25))
                cpc = cpc_base * rng.uniform(0.85, 1.15) * (1 + 0.6 * spike)
                acos = campaign.acos * math.exp(rng.gauss(0, 0.12)) * (1 + 1.0 * spike)
                expected_clicks = sales_target * acos / cpc
                clicks = stochastic_round(expected_clicks, rng)
                if clicks == 0:
                    continue
                sales = int(sales_target * clicks / expected_clicks)
                price = max(1, f.ordered_cents[i] // max(1, f.ordered_units[i]))
                purchases = stochastic_round(sales / price, rng)
                rows.append(
                    AdRow(
                        day,
                        campaign,
                        asin,
                        max(clicks, round(clicks / ctr)),
                        clicks,
                        int(clicks * cpc),
                        sales,
                        purchases,
                        purchases + (1 if purchases and rng.random() < 0.05 else 0),
                    )
                )
    return rows


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _campaign_totals(rows: Sequence[AdRow]) -> dict[tuple[date, Campaign], list[int]]:
    totals: dict[tuple[date, Campaign], list[int]] = {}
    for row in rows:
        t = totals.setdefault((row.day, row.campaign), [0, 0, 0, 0, 0, 0])
        for k, v in enumerate((row.impressions, row.clicks, row.cost, row.sales14, row.purchases14, row.units14)):
            t[k] += v
    return totals


def ads_documents(
    account: Account, campaigns: Sequence[Campaign], rows: Sequence[AdRow], profile_id: str
) -> Iterator[Document]:
    """v3 DAILY report bodies, one per report type and calendar month (at most 31 days per report)."""
    currency = account.currency
    by_month: dict[date, list[AdRow]] = defaultdict(list)
    for row in rows:
        by_month[month_start(row.day)].append(row)
    for month in sorted(by_month):
        month_rows = by_month[month]
        first, last = min(r.day for r in month_rows), max(r.day for r in month_rows)
        totals = _campaign_totals(month_rows)
        bodies: dict[str, list[dict[str, Any]]] = {
            "spCampaigns": [],
            "spAdvertisedProduct": [],
            "sbCampaigns": [],
            "sdCampaigns": [],
        }
        for (day, campaign), (impressions, clicks, cost, sales, purchases, units) in sorted(
            totals.items(), key=lambda item: (item[0][0], item[0][1].campaign_id)
        ):
            if campaign.ad_product == "SP":
                bodies["spCampaigns"].append(
                    docs.sp_campaign_row(
                        day,
                        campaign_id=campaign.campaign_id,
                        campaign_name=campaign.name,
                        impressions=impressions,
                        clicks=clicks,
                        cost=_money(cost),
                        sales={
                            1: _money(sales * 55 // 100),
                            7: _money(sales * 88 // 100),
                            14: _money(sales),
                            30: _money(sales * 105 // 100),
                        },
                        purchases={
                            1: purchases * 55 // 100,
                            7: purchases * 88 // 100,
                            14: purchases,
                            30: purchases * 105 // 100,
                        },
                        units={7: units * 88 // 100, 14: units},
                        currency=currency,
                    )
                )
            elif campaign.ad_product == "SB":
                bodies["sbCampaigns"].append(
                    docs.sb_campaign_row(
                        day,
                        campaign_id=campaign.campaign_id,
                        campaign_name=campaign.name,
                        impressions=impressions,
                        clicks=clicks,
                        cost=_money(cost),
                        sales=_money(sales),
                        sales_clicks=_money(sales * 85 // 100),
                        sales_promoted=_money(sales * 80 // 100),
                        purchases=purchases,
                        purchases_clicks=purchases * 85 // 100,
                        units=units,
                        new_to_brand_sales=_money(sales * 35 // 100),
                        new_to_brand_purchases=purchases * 35 // 100,
                        viewable_impressions=impressions * 3 // 4,
                        detail_page_views=clicks * 13 // 10,
                        currency=currency,
                    )
                )
            else:
                bodies["sdCampaigns"].append(
                    docs.sd_campaign_row(
                        day,
                        campaign_id=campaign.campaign_id,
                        campaign_name=campaign.name,
                        impressions=impressions,
                        impressions_views=impressions * 4 // 5,
                        clicks=clicks,
                        cost=_money(cost),
                        sales=_money(sales),
                        sales_clicks=_money(sales * 70 // 100),
                        sales_promoted_clicks=_money(sales * 60 // 100),
                        purchases=purchases,
                        units=units,
                        new_to_brand_sales=_money(sales * 30 // 100),
                        detail_page_views=clicks * 12 // 10,
                        cumulative_reach=impressions * 3 // 5,
                        currency=currency,
                    )
                )
        for row in sorted(
            (r for r in month_rows if r.campaign.ad_product == "SP"),
            key=lambda r: (r.day, r.campaign.campaign_id, r.asin),
        ):
            bodies["spAdvertisedProduct"].append(
                docs.sp_advertised_product_row(
                    row.day,
                    asin=row.asin,
                    ad_id=stable_int(row.campaign.campaign_id, row.asin),
                    ad_group_id=row.campaign.ad_group_id,
                    campaign_id=row.campaign.campaign_id,
                    campaign_name=row.campaign.name,
                    ad_group_name=row.campaign.name.rsplit(" - ", 1)[-1],
                    portfolio_id=stable_int(account.code, "portfolio"),
                    impressions=row.impressions,
                    clicks=row.clicks,
                    cost=_money(row.cost),
                    sales14=_money(row.sales14),
                    sales7=_money(row.sales14 * 88 // 100),
                    purchases14=row.purchases14,
                    units14=row.units14,
                    same_sku14=_money(row.sales14 * 92 // 100),
                    click_through_rate=(Decimal(row.clicks) / row.impressions).quantize(Decimal("0.0001")),
                    acos14=(Decimal(row.cost) * 100 / row.sales14).quantize(CENT) if row.sales14 else None,
                    roas14=(Decimal(row.sales14) / row.cost).quantize(CENT) if row.cost else None,
                    currency=currency,
                )
            )
        for report_type, body in bodies.items():
            if body:
                yield Document(
                    f"ads_{account.code}_{report_type}_DAILY_{first}_{last}.json.gz",
                    docs.ads_report_body(body),
                    {"profile_id": profile_id, "marketplace_id": account.marketplace_id, "report_type": report_type},
                )
