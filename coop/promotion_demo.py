"""Demo promotions for `seed_demo`: the event calendar and a year of promotions in every state.

Registered with planning.demo.register_demo_seeder("coop.promotions", seed_promotions_demo, ...) so it
runs after the catalog (and after the facts seeder, when there is one). Dates are relative to
ctx.today, so the demo always shows nine months of history, promotions running now and three months
of plans, including a draft inside its lead time and two drafts in conflict. Idempotent: promotions
are keyed on (vendor code, name), and their history is written only when they are first created.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import cast
from zoneinfo import ZoneInfo

from django.db import transaction

from coop.calculations import coupon_budget_draw
from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionTransition
from coop.promotion_selectors import promotion_cost_forecast
from coop.promotion_services import finance_threshold
from coop.promotion_sync import promotion_performance_refresh
from ingest.models import CouponResultFact
from ingest.models import PromotionResultFact
from planning.models import JBPPlan
from planning.models import Product
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from planning.demo import DemoContext

Status = Promotion.Status
T = Promotion.Type
CENT = Decimal("0.01")
# (product, reference price, deal price, per-unit funding, units forecast, discount depth)
_Line = tuple[Product, Decimal, Decimal, Decimal, int, Decimal]

# The order a promotion walks through, up to each status (§5.3).
_PATHS: dict[str, list[str]] = {
    Status.DRAFT: [Status.DRAFT],
    Status.INTERNAL_APPROVAL: [Status.DRAFT, Status.INTERNAL_APPROVAL],
    Status.READY: [Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY],
    Status.SUBMITTED: [Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY, Status.SUBMITTED],
    Status.PENDING_APPROVAL: [
        Status.DRAFT,
        Status.INTERNAL_APPROVAL,
        Status.READY,
        Status.SUBMITTED,
        Status.PENDING_APPROVAL,
    ],
}
_PATHS[Status.NEEDS_YOUR_ATTENTION] = [*_PATHS[Status.PENDING_APPROVAL], Status.NEEDS_YOUR_ATTENTION]
_PATHS[Status.REJECTED] = [*_PATHS[Status.PENDING_APPROVAL], Status.REJECTED]
_PATHS[Status.APPROVED] = [*_PATHS[Status.PENDING_APPROVAL], Status.APPROVED]
_PATHS[Status.CANCELED] = [*_PATHS[Status.APPROVED], Status.CANCELED]
_PATHS[Status.APPROVED_DID_NOT_RUN] = [*_PATHS[Status.APPROVED], Status.APPROVED_DID_NOT_RUN]
_PATHS[Status.RUNNING] = [*_PATHS[Status.APPROVED], Status.RUNNING]
_PATHS[Status.SUPPRESSED] = [*_PATHS[Status.RUNNING], Status.SUPPRESSED]
_PATHS[Status.ENDED] = [*_PATHS[Status.RUNNING], Status.ENDED]
_PATHS[Status.INVOICED] = [*_PATHS[Status.ENDED], Status.INVOICED]
_PATHS[Status.RECONCILED] = [*_PATHS[Status.INVOICED], Status.RECONCILED]

_NOTES: dict[str, str] = {
    Status.NEEDS_YOUR_ATTENTION: "Amazon: the deal price is above the lowest price of the past 30 days.",
    Status.REJECTED: "Amazon: the ASIN did not meet the projected demand threshold.",
    Status.CANCELED: "Budget moved to the Prime Big Deal Days plan.",
    Status.APPROVED_DID_NOT_RUN: "Failed Amazon's price check on the start date.",
    Status.SUPPRESSED: "Suppressed: the ASIN went out of stock.",
}


@dataclass(frozen=True)
class _Plan:
    key: str  # short, stable: part of the name
    promotion_type: str
    status: str
    start_offset_days: int | None  # from today; None = placed on an event
    hours: int
    event_kind: str = ""
    event_year_offset: int = 0  # 0 = the event of this year, -1 = last year's
    items: int = 1
    same_asins_as: str = ""  # share ASINs with another plan (to show a conflict)


_PLANS: list[_Plan] = [
    _Plan("Spring Price Discount", T.PRICE_DISCOUNT, Status.RECONCILED, -270, 14 * 24, items=4),
    _Plan("Spring coupon", T.COUPON, Status.RECONCILED, -240, 30 * 24, items=3),
    _Plan("April Lightning Deal", T.LIGHTNING_DEAL, Status.INVOICED, -200, 6),
    _Plan("May Best Deal", T.BEST_DEAL, Status.INVOICED, -180, 14 * 24, items=2),
    _Plan("Prime Day Prime Exclusive", T.PRIME_EXCLUSIVE_BEST_DEAL, Status.INVOICED, None, 48, "PRIME_DAY", items=3),
    _Plan("Prime Day Lightning Deal", T.LIGHTNING_DEAL, Status.ENDED, None, 12, "PRIME_DAY"),
    _Plan("Summer Price Discount", T.PRICE_DISCOUNT, Status.APPROVED_DID_NOT_RUN, -120, 7 * 24, items=2),
    _Plan("Back to school Deal of the Day", T.DEAL_OF_THE_DAY, Status.ENDED, -100, 24),
    _Plan(
        "Big Deal Days Prime Exclusive",
        T.PRIME_EXCLUSIVE_BEST_DEAL,
        Status.ENDED,
        None,
        48,
        "PRIME_BIG_DEAL_DAYS",
        items=2,
    ),
    _Plan("October Lightning Deal", T.LIGHTNING_DEAL, Status.SUPPRESSED, -60, 6),
    _Plan("Autumn Best Deal", T.BEST_DEAL, Status.REJECTED, -45, 14 * 24, items=2),
    _Plan("November Price Discount", T.PRICE_DISCOUNT, Status.CANCELED, -30, 10 * 24, items=2),
    _Plan("Holiday Price Discount", T.PRICE_DISCOUNT, Status.RUNNING, -5, 21 * 24, items=5),
    _Plan("Holiday coupon", T.COUPON, Status.RUNNING, -10, 40 * 24, items=3),
    _Plan("Black Friday Lightning Deal", T.LIGHTNING_DEAL, Status.APPROVED, None, 12, "BFCM"),
    _Plan(
        "Cyber Monday Prime Exclusive", T.PRIME_EXCLUSIVE_BEST_DEAL, Status.PENDING_APPROVAL, None, 72, "BFCM", items=2
    ),
    _Plan("Winter Best Deal", T.BEST_DEAL, Status.SUBMITTED, 20, 14 * 24, items=2),
    _Plan("January Lightning Deal", T.LIGHTNING_DEAL, Status.NEEDS_YOUR_ATTENTION, 45, 6),
    _Plan("New Year Price Discount", T.PRICE_DISCOUNT, Status.READY, 35, 14 * 24, items=3),
    _Plan("Q1 coupon", T.COUPON, Status.INTERNAL_APPROVAL, 50, 30 * 24, items=4),
    _Plan("Lightning Deal (too soon)", T.LIGHTNING_DEAL, Status.DRAFT, 12, 6),
    _Plan("February Lightning Deal", T.LIGHTNING_DEAL, Status.DRAFT, 60, 8),
    _Plan("February Best Deal", T.BEST_DEAL, Status.DRAFT, 64, 14 * 24, same_asins_as="February Lightning Deal"),
    _Plan("Spring Prime Exclusive Discount", T.PRIME_EXCLUSIVE_DISCOUNT, Status.DRAFT, 80, 7 * 24, items=2),
]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _nth_weekday(weekday: int, year: int, month: int, nth: int) -> date:
    """The nth given weekday (Mon=0) of a month."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (nth - 1))


# Real, announced dates (Amazon press releases); other years are estimated from the usual pattern.
_KNOWN_EVENTS = {
    ("PRIME_DAY", 2025): (date(2025, 7, 8), date(2025, 7, 11), date(2025, 5, 7)),
    ("PRIME_BIG_DEAL_DAYS", 2025): (date(2025, 10, 7), date(2025, 10, 8), None),
    ("BFCM", 2025): (date(2025, 11, 28), date(2025, 12, 1), None),
}


def _event_dates(kind: str, year: int) -> tuple[date, date, date | None, bool]:
    known = _KNOWN_EVENTS.get((kind, year))
    if known:
        start, end, deadline = known
        return start, end, deadline, True
    if kind == "PRIME_DAY":
        start = _nth_weekday(1, year, 7, 2)  # second Tuesday of July
        return start, start + timedelta(days=1), start - timedelta(days=62), False
    if kind == "PRIME_BIG_DEAL_DAYS":
        start = _nth_weekday(1, year, 10, 2)
        return start, start + timedelta(days=1), start - timedelta(days=42), False
    thanksgiving = _nth_weekday(3, year, 11, 4)
    start = thanksgiving + timedelta(days=1)
    return start, start + timedelta(days=3), start - timedelta(days=56), False


_EVENT_NAMES = {
    "PRIME_DAY": "Prime Day",
    "PRIME_BIG_DEAL_DAYS": "Prime Big Deal Days",
    "BFCM": "Black Friday / Cyber Monday",
}


def seed_events(ctx: DemoContext) -> dict[tuple[str, int], EventCalendar]:
    """Prime Day, Prime Big Deal Days and BFCM for last year, this year and next year."""
    events: dict[tuple[str, int], EventCalendar] = {}
    for year in (ctx.today.year - 1, ctx.today.year, ctx.today.year + 1):
        for kind, label in _EVENT_NAMES.items():
            start, end, deadline, confirmed = _event_dates(kind, year)
            event, _ = EventCalendar.objects.update_or_create(
                name=f"{label} {year}",
                marketplace=None,
                start_date=start,
                defaults={
                    "kind": kind,
                    "end_date": end,
                    "submission_deadline": deadline,
                    "is_confirmed": confirmed,
                    "notes": ""
                    if confirmed
                    else "Estimated from the usual pattern; confirm the dates in Vendor Central.",
                },
            )
            events[(kind, year)] = event
    return events


def _event_for(plan: _Plan, today: date, events: dict[tuple[str, int], EventCalendar]) -> EventCalendar:
    """This year's event if it has not passed yet for future plans, else the latest past one."""
    year = today.year + plan.event_year_offset
    event = events[(plan.event_kind, year)]
    is_past_status = plan.status in (Status.ENDED, Status.INVOICED, Status.RECONCILED, Status.SUPPRESSED)
    if is_past_status and event.end_date >= today:
        event = events[(plan.event_kind, year - 1)]
    if not is_past_status and event.end_date < today:
        event = events[(plan.event_kind, year + 1)]
    return event


@transaction.atomic
def seed_promotions_demo(ctx: DemoContext) -> None:
    """Events, a year of promotions per vendor code in every state, prices, ratings and results."""
    events = seed_events(ctx)
    created = 0
    for (brand_name, marketplace_id), vendor_code in sorted(ctx.vendor_codes.items()):
        rng = ctx.rng(f"promotions:{brand_name}:{marketplace_id}")
        products = list(Product.objects.filter(vendor_code=vendor_code, cost_price__isnull=False).order_by("asin"))
        if len(products) < 10:
            continue
        created += _seed_vendor_code(ctx, vendor_code, products, events, rng)
    now = datetime.combine(ctx.today, time(12), tzinfo=UTC)
    started = Promotion.objects.filter(vendor_code__in=list(ctx.vendor_codes.values()), start_at__lte=now).exclude(
        status__in=Promotion.DEAD_STATUSES
    )
    for promotion in started:
        promotion_performance_refresh(promotion=promotion, now=now)
    ctx.log(f"{created} promotions created ({Promotion.objects.count()} in total), {len(events)} events")


def _seed_vendor_code(
    ctx: DemoContext,
    vendor_code: VendorCode,
    products: list[Product],
    events: dict[tuple[str, int], EventCalendar],
    rng: random.Random,
) -> int:
    tz = ZoneInfo(vendor_code.marketplace.timezone)
    users = cast("dict[str, User]", ctx.users)
    manager, reviewer = users.get("brand.manager"), users.get("brand.reviewer")
    approver = users.get("finance.approver")
    chosen: dict[str, list[Product]] = {}
    references: dict[str, Decimal] = {}
    created = 0
    for plan in _PLANS:
        picks = chosen[plan.same_asins_as] if plan.same_asins_as else rng.sample(products, plan.items)
        chosen[plan.key] = picks
        event = _event_for(plan, ctx.today, events) if plan.event_kind else None
        if event is not None:
            start_day = event.start_date + timedelta(
                days=0 if plan.hours >= 24 else rng.randint(0, (event.end_date - event.start_date).days)
            )
            start_local = datetime.combine(start_day, time(6 if plan.hours < 24 else 0), tzinfo=tz)
        else:
            start_day = ctx.today + timedelta(days=plan.start_offset_days or 0)
            start_local = datetime.combine(start_day, time(9 if plan.hours < 24 else 0), tzinfo=tz)
        end_local = (start_local.astimezone(UTC) + timedelta(hours=plan.hours)).astimezone(tz)
        name = f"{plan.key} · {vendor_code.code}"
        is_coupon = plan.promotion_type == T.COUPON
        lines: list[_Line] = []
        for product in picks:
            # One list price per ASIN across all its promotions, so the price history stays consistent.
            if product.asin not in references:
                markup = Decimal(str(rng.uniform(1.7, 2.3)))
                price = _money((product.cost_price or Decimal("10")) * markup) + Decimal("0.99")
                references[product.asin] = price.quantize(Decimal("1")) - Decimal("0.01")
            reference = references[product.asin]
            depth = Decimal(str(rng.choice([0.2, 0.25, 0.3, 0.35])))
            promo = _money(reference * (1 - depth))
            funding = _money((reference - promo) * Decimal(str(rng.choice([0.8, 0.9, 1.0]))))
            units = rng.choice([60, 120, 200, 300, 450, 600])
            lines.append((product, reference, promo, funding, units, depth))
        plan_row = (
            JBPPlan.objects.filter(
                brand=vendor_code.brand,
                marketplace=vendor_code.marketplace,
                period_start__lte=start_local.date(),
                period_end__gte=start_local.date(),
            )
            .exclude(status="SUPERSEDED")
            .order_by("-version")
            .first()
        )
        promotion, was_created = Promotion.objects.update_or_create(
            vendor_code=vendor_code,
            name=name,
            defaults={
                "brand": vendor_code.brand,
                "marketplace": vendor_code.marketplace,
                "promotion_type": plan.promotion_type,
                "event": event,
                "start_at": start_local,
                "end_at": end_local,
                "status": plan.status,
                "currency": vendor_code.marketplace.currency,
                "merchandising_fee": Decimal("500.00")
                if plan.promotion_type in (T.LIGHTNING_DEAL, T.BEST_DEAL, T.DEAL_OF_THE_DAY)
                else Decimal("0.00"),
                "coupon_budget": Decimal("6000.00")
                if plan.key == "Q1 coupon"
                else (Decimal("1500.00") if is_coupon else None),
                "brand_funding_share_pct": Decimal(rng.choice([60, 70, 100])),
                "jbp_plan": plan_row,
                "amazon_promotion_id": ""
                if plan.status in (Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY)
                else f"DEMO-{vendor_code.code}-{_PLANS.index(plan):03d}",
                "amazon_funding_agreement_id": f"FA-{vendor_code.code}-{_PLANS.index(plan):03d}"
                if plan.status in (Status.INVOICED, Status.RECONCILED)
                else "",
                "created_by": manager,
                "notes": "Demo promotion.",
            },
        )
        if was_created:
            created += 1
            PromotionItem.objects.bulk_create(
                PromotionItem(
                    promotion=promotion,
                    product=product,
                    asin=product.asin,
                    reference_price=reference,
                    promo_price=None if is_coupon else promo,
                    per_unit_funding=Decimal("0") if is_coupon else funding,
                    units_forecast=units,
                    discount_type=PromotionItem.DiscountType.PERCENT_OFF_LIST_PRICE if is_coupon else "",
                    discount_amount=(depth * 100).quantize(Decimal("1")) if is_coupon else None,
                )
                for product, reference, promo, funding, units, depth in lines
            )
            _history(promotion, plan, manager=manager, reviewer=reviewer, approver=approver, today=ctx.today)
        _ratings_and_prices(promotion, lines, plan, ctx.today, rng)
        _reports(promotion, lines, rng)
    return created


def _history(
    promotion: Promotion,
    plan: _Plan,
    *,
    manager: User | None,
    reviewer: User | None,
    approver: User | None,
    today: date,
) -> None:
    path = _PATHS[plan.status]
    start = promotion.start_at
    # Early enough for every lead time and event deadline (BFCM deals are due about eight weeks ahead).
    first = min(start - timedelta(days=75), datetime.combine(today, time(9), tzinfo=UTC) - timedelta(days=20))
    # Above the finance threshold only a finance approver may approve (§5.3), as the services enforce.
    cost = promotion_cost_forecast(Promotion.objects.prefetch_related("items").get(pk=promotion.pk)).vendor_cost
    big = cost > finance_threshold(brand_id=promotion.brand_id, currency=promotion.currency)
    previous = ""
    for step, status in enumerate(path):
        at = first + timedelta(days=2 * step)
        if status in (Status.RUNNING,):
            at = start
        if status in (Status.ENDED, Status.SUPPRESSED, Status.APPROVED_DID_NOT_RUN):
            at = promotion.end_at if status == Status.ENDED else start + timedelta(hours=1)
        if status in (Status.INVOICED, Status.RECONCILED):
            at = promotion.end_at + timedelta(days=20 if status == Status.INVOICED else 35)
        actor = manager
        source = PromotionTransition.Source.USER
        note = _NOTES.get(status, "")
        if status == Status.READY:
            actor = approver if big else reviewer
        elif status in (Status.PENDING_APPROVAL, Status.APPROVED, Status.NEEDS_YOUR_ATTENTION, Status.REJECTED):
            actor, source = None, PromotionTransition.Source.IMPORT
            note = note or f"Amazon reports {status} in the promotion performance report."
        elif status in (Status.RUNNING, Status.ENDED):
            actor, source = None, PromotionTransition.Source.SYSTEM
        elif status in (Status.INVOICED, Status.RECONCILED):
            actor = approver
        elif status == Status.DRAFT:
            note = "Created."
        PromotionTransition.objects.create(
            promotion=promotion,
            from_status=previous,
            to_status=status,
            actor=actor,
            source=source,
            note=note,
            at=at,
        )
        previous = status
    fields: dict[str, object] = {}
    if Status.INTERNAL_APPROVAL in path:
        fields.update(
            requested_by=manager,
            requested_at=first + timedelta(days=2),
            needs_finance_approval=big,
            approval_vendor_cost=cost,
        )
    if Status.READY in path:
        fields.update(approved_by=approver if big else reviewer, approved_at=first + timedelta(days=4))
    if Status.SUBMITTED in path:
        fields.update(submitted_by=manager, submitted_at=first + timedelta(days=6))
    if fields:
        Promotion.objects.filter(pk=promotion.pk).update(**fields)


def _ratings_and_prices(promotion: Promotion, lines: list[_Line], plan: _Plan, today: date, rng: random.Random) -> None:
    """A star rating for every promoted ASIN (one low one, to show the rule), and for upcoming deals a
    weekly price history so the 90-day price rules have something to check."""
    for product, reference, _promo, _funding, _units, _depth in lines:
        low = plan.status == Status.NEEDS_YOUR_ATTENTION
        PriceObservation.objects.update_or_create(
            brand=promotion.brand,
            marketplace=promotion.marketplace,
            asin=product.asin,
            observed_on=today - timedelta(days=3),
            source=PriceObservation.Source.ENTERED,
            defaults={
                "rating": Decimal("2.9") if low else Decimal(str(round(rng.uniform(4.1, 4.8), 1))),
                "price": reference,
                "currency": promotion.currency,
                "note": "Demo: seen on the detail page.",
            },
        )
        if promotion.start_at.date() > today:
            for weeks in range(1, 13):
                day = promotion.start_at.date() - timedelta(weeks=weeks)
                if day >= today - timedelta(days=3):
                    continue
                PriceObservation.objects.update_or_create(
                    brand=promotion.brand,
                    marketplace=promotion.marketplace,
                    asin=product.asin,
                    observed_on=day,
                    source=PriceObservation.Source.ENTERED,
                    defaults={"price": reference, "currency": promotion.currency},
                )


def _reports(promotion: Promotion, lines: list[_Line], rng: random.Random) -> None:
    """What Amazon's performance reports would say about promotions that ran."""
    if promotion.status not in (Status.RUNNING, Status.ENDED, Status.INVOICED, Status.RECONCILED, Status.SUPPRESSED):
        return
    scale = 0.35 if promotion.status == Status.SUPPRESSED else 1.0
    if promotion.is_coupon:
        budget_left = promotion.coupon_budget or Decimal("0")
        for index, (_product, reference, _promo, _funding, units, depth) in enumerate(lines):
            discount = _money(reference * depth)
            # Amazon takes a coupon offline once its budget is (nearly) spent: redemptions stop there.
            affordable = int(budget_left / (discount + Decimal("0.60"))) if discount > 0 else units
            redemptions = min(int(units * rng.uniform(0.6, 1.1)), max(affordable, 0))
            budget_left -= _money((discount + Decimal("0.60")) * redemptions)
            CouponResultFact.objects.update_or_create(
                brand=promotion.brand,
                marketplace=promotion.marketplace,
                campaign_id=f"{promotion.amazon_promotion_id}-C",
                coupon_id=promotion.amazon_promotion_id if index == 0 else f"{promotion.amazon_promotion_id}-{index}",
                defaults={
                    "vendor_code": promotion.vendor_code,
                    "campaign_name": promotion.name,
                    "budget_type": "SHARED_BUDGET",
                    "start_at": promotion.start_at,
                    "end_at": promotion.end_at,
                    "currency": promotion.currency,
                    "campaign_total_budget": promotion.coupon_budget,
                    "clips": redemptions * 4,
                    "redemptions": redemptions,
                    "budget": promotion.coupon_budget,
                    "budget_spent": coupon_budget_draw(
                        discount_per_redemption=discount, redemptions=redemptions, fee_per_redemption=Decimal("0.60")
                    ),
                    "total_discount": _money(discount * redemptions),
                },
            )
        return
    total_units = 0
    total_revenue = Decimal("0")
    total_spent = Decimal("0")
    for product, _reference, promo, funding, units, _depth in lines:
        sold = int(units * rng.uniform(0.7, 1.35) * scale)
        revenue, spent = _money(promo * sold), _money(funding * sold)
        total_units, total_revenue, total_spent = total_units + sold, total_revenue + revenue, total_spent + spent
        PromotionResultFact.objects.update_or_create(
            brand=promotion.brand,
            marketplace=promotion.marketplace,
            promotion_id=promotion.amazon_promotion_id,
            asin=product.asin,
            defaults=_fact_defaults(promotion, sold, revenue, spent, product.title),
        )
    PromotionResultFact.objects.update_or_create(
        brand=promotion.brand,
        marketplace=promotion.marketplace,
        promotion_id=promotion.amazon_promotion_id,
        asin="",
        defaults=_fact_defaults(promotion, total_units, total_revenue, total_spent, None),
    )


def _fact_defaults(
    promotion: Promotion, units: int, revenue: Decimal, spent: Decimal, product_name: str | None
) -> dict[str, object]:
    return {
        "vendor_code": promotion.vendor_code,
        "promotion_name": promotion.name,
        "product_name": product_name,
        "promotion_type": promotion.promotion_type,
        "status": "APPROVED",
        "creation_channel": promotion.creation_channel,
        "start_at": promotion.start_at,
        "end_at": promotion.end_at,
        "currency": promotion.currency,
        "units_sold": units,
        "revenue": revenue,
        "amount_spent": spent,
        "glance_views": units * 9,
        "funding_agreement_id": promotion.amazon_funding_agreement_id or None,
        "last_updated_at": promotion.end_at + timedelta(days=2),
    }
