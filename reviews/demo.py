"""The reviews part of `seed_demo`: rollups of the demo facts, and business reviews to open.

Runs after ingest's facts seeder (its imports queue rollup recomputes, but the seeder does not wait
for the debounced task) and recomputes the demo vendor codes' rollups over every fact day, after
seeding monthly EUR/USD rates. Then, per demo brand, for its home marketplace (the one in the brand's
currency, where ingest's stories are) and for all marketplaces: last month's MBR frozen, this month's
scheduled; the home review of last month gets three action items that carry into this month's.
Idempotent: reviews are found by their natural key and action items by title.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planning.demo import DemoContext

DEMO_ACTIONS = (
    ("Raise a buyer meeting about the stock-out ASINs and agree a rush PO", "vendor.ops", 7),
    ("Cut bids on the Sponsored Products campaigns driving the ACoS spike", "brand.manager", 10),
    ("Recover the lagging category: price check and a Best Deal proposal", "brand.manager", 21),
)


def _fact_days(vendor_code_ids: list[int]) -> tuple[date, date] | None:
    from django.db.models import Max
    from django.db.models import Min

    from ingest.models import AdsDailyFact
    from ingest.models import PurchaseOrderLineFact
    from ingest.models import RetailInventoryFact
    from ingest.models import RetailSalesFact
    from ingest.models import RetailTrafficFact
    from planning.models import VendorCode

    firsts: list[date] = []
    lasts: list[date] = []
    for model in (RetailSalesFact, RetailInventoryFact, RetailTrafficFact):
        span = model.objects.filter(vendor_code_id__in=vendor_code_ids).aggregate(
            first=Min("period_start"), last=Max("period_end")
        )
        if span["first"]:
            firsts.append(span["first"])
            lasts.append(span["last"])
    brand_ids = list(VendorCode.objects.filter(pk__in=vendor_code_ids).values_list("brand_id", flat=True))
    ads = AdsDailyFact.objects.filter(brand_id__in=brand_ids).aggregate(first=Min("date"), last=Max("date"))
    if ads["first"]:
        firsts.append(ads["first"])
        lasts.append(ads["last"])
    orders = PurchaseOrderLineFact.objects.filter(vendor_code_id__in=vendor_code_ids).aggregate(
        first=Min("po_date"), last=Max("po_date")
    )
    if orders["first"]:
        firsts.append(orders["first"].date())
        lasts.append(orders["last"].date() + timedelta(days=90))
    if not firsts:
        return None
    return min(firsts), max(lasts)


def _fx_rates(ctx: DemoContext, first: date) -> int:
    """Monthly EUR/USD rates for the demo months (around 1.08, moving a little): the all-marketplace
    MBRs add US and German numbers. Rates of real months are entered by finance in the admin."""
    from decimal import Decimal

    from core.periods import add_months
    from core.periods import month_start
    from reviews.models import FxRate

    rng = ctx.rng("reviews:fx")
    month = month_start(first)
    written = 0
    while month <= ctx.today:
        eur_usd = (Decimal("1.08") + Decimal(rng.randint(-40, 40)) / 1000).quantize(Decimal("0.0001"))
        for source, target, rate in (
            ("EUR", "USD", eur_usd),
            ("USD", "EUR", (1 / eur_usd).quantize(Decimal("0.000001"))),
        ):
            FxRate.objects.update_or_create(
                month=month,
                from_currency=source,
                to_currency=target,
                defaults={"rate": rate, "source": "Demo rates (approximate monthly averages)"},
            )
            written += 1
        month = add_months(month, 1)
    return written


def seed_reviews_demo(ctx: DemoContext) -> None:
    from core.periods import add_months
    from core.periods import month_start
    from reviews.models import ActionItem
    from reviews.models import BusinessReview
    from reviews.services.business_reviews import action_item_create
    from reviews.services.business_reviews import review_get_or_create
    from reviews.services.business_reviews import review_transition
    from reviews.services.rollups import rollups_recompute

    vendor_code_ids = sorted(vc.pk for vc in ctx.vendor_codes.values())
    span = _fact_days(vendor_code_ids)
    ctx.log(f"FX rates: {_fx_rates(ctx, span[0] if span else add_months(month_start(ctx.today), -18))} monthly rates")
    if span is None:
        ctx.log("no demo facts yet: rollups skipped (the MBR pages will say which data is missing)")
    else:
        result = rollups_recompute(vendor_code_ids=vendor_code_ids, period_start=span[0], period_end=span[1])
        ctx.log(f"rollups: {result.rollup_rows:,} rows and {result.ads_rows:,} ads rows in {result.seconds:.1f} s")

    this_month = month_start(ctx.today)
    last_month = add_months(this_month, -1)
    manager = ctx.users.get("brand.manager")
    for brand in ctx.brands.values():
        # The home marketplace (the brand's currency) carries the stories and the action items; the
        # all-marketplace review adds the other marketplaces in the brand currency.
        home = next(
            (
                vc.marketplace
                for vc in ctx.vendor_codes.values()
                if vc.brand_id == brand.pk and vc.marketplace.currency == brand.default_currency
            ),
            None,
        )
        for scope in (home, None):
            frozen = review_get_or_create(brand=brand, month=last_month, marketplace=scope, user=manager)
            if frozen.status == BusinessReview.Status.SCHEDULED:
                frozen = review_transition(review=frozen, user=manager, to_status=BusinessReview.Status.DATA_FROZEN)
            review_get_or_create(brand=brand, month=this_month, marketplace=scope, user=manager)
            if scope is not home or home is None:
                continue
            existing = set(frozen.action_items.values_list("title", flat=True))
            for title, username, due_in_days in DEMO_ACTIONS:
                owner = ctx.users.get(username)
                if title in existing or owner is None:
                    continue
                action_item_create(
                    review=frozen,
                    user=manager,
                    title=title,
                    owner=owner,
                    due_date=ctx.today + timedelta(days=due_in_days),
                    status=ActionItem.Status.OPEN,
                )
    ctx.log(f"business reviews: {BusinessReview.objects.filter(brand__in=ctx.brands.values()).count()}")
