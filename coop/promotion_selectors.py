"""Reads for promotions: lists, rule checks in bulk, the calendar, cost forecasts and results.

Every read starts from `.for_user(user)` so another brand's promotion is never seen. Rule checks
load what they need for a whole page at once (rule sets, other promotions on the same ASINs, price
history and ratings) in a fixed number of queries, whatever the number of promotions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db.models import Prefetch
from django.db.models import Q
from django.utils import timezone

from coop.promotion_costs import CostForecast
from coop.promotion_costs import CostItem
from coop.promotion_costs import forecast_cost
from coop.promotion_costs import split_by_month
from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPerformance
from coop.promotion_models import PromotionRuleSet
from coop.promotion_models import PromotionTransition
from coop.promotion_models import PromotionType
from coop.promotion_results import SummaryRow
from coop.promotion_results import SummaryTotals
from coop.promotion_results import summarize
from coop.promotion_rules import EventInfo
from coop.promotion_rules import ItemInfo
from coop.promotion_rules import OtherPromotion
from coop.promotion_rules import PricePoint
from coop.promotion_rules import PromotionInfo
from coop.promotion_rules import RuleContext
from coop.promotion_rules import RuleResult
from coop.promotion_rules import Rules
from coop.promotion_rules import evaluate
from coop.promotion_rules import fmt_date
from coop.promotion_rules import merge_rules
from core.periods import add_months
from core.periods import month_start
from core.periods import quarter_start
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Product

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    AnyUser = AbstractBaseUser | AnonymousUser

Status = Promotion.Status

# Before Amazon approves, every rule matters; afterwards the calendar only flags conflicts.
PLANNING_STATUSES = frozenset(
    {
        Status.DRAFT,
        Status.INTERNAL_APPROVAL,
        Status.READY,
        Status.SUBMITTED,
        Status.PENDING_APPROVAL,
        Status.NEEDS_YOUR_ATTENTION,
    }
)
PRICE_WINDOW_DAYS = 90
RATING_WINDOW_DAYS = 365


# --------------------------------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class PromotionFilters:
    marketplace: str = ""  # Amazon marketplace id
    vendor_code: int | None = None
    promotion_type: str = ""
    status: str = ""
    category: str = ""
    q: str = ""
    starts_from: date | None = None
    starts_until: date | None = None


def _items_prefetch() -> Prefetch[Any]:
    return Prefetch("items", queryset=PromotionItem.objects.select_related("product").order_by("asin"))


def promotion_list(
    *, user: AnyUser, brand: Brand | None = None, filters: PromotionFilters | None = None
) -> QuerySet[Promotion]:
    """The user's promotions, newest start first, with what list pages show (no per-row queries)."""
    qs = (
        Promotion.objects.for_user(user)
        .select_related("brand", "vendor_code", "marketplace", "event", "performance")
        .prefetch_related(_items_prefetch())
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    f = filters or PromotionFilters()
    if f.marketplace:
        qs = qs.filter(marketplace__amazon_marketplace_id=f.marketplace)
    if f.vendor_code:
        qs = qs.filter(vendor_code_id=f.vendor_code)
    if f.promotion_type:
        qs = qs.filter(promotion_type=f.promotion_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(items__product__category=f.category).distinct()
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q) | Q(items__asin__iexact=f.q) | Q(amazon_promotion_id__iexact=f.q)
        ).distinct()
    if f.starts_from:
        qs = qs.filter(end_at__gte=datetime.combine(f.starts_from, datetime.min.time(), tzinfo=UTC))
    if f.starts_until:
        qs = qs.filter(
            start_at__lt=datetime.combine(f.starts_until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        )
    return qs.order_by("-start_at", "-id")


def promotion_for_page(*, user: AnyUser, pk: int) -> Promotion | None:
    """One promotion with everything its page shows, or None when it is not the user's."""
    return (
        Promotion.objects.for_user(user)
        .select_related(
            "brand",
            "vendor_code",
            "marketplace",
            "event",
            "jbp_plan",
            "funding_agreement",
            "requested_by",
            "approved_by",
        )
        .prefetch_related(_items_prefetch())
        .filter(pk=pk)
        .first()
    )


def promotion_transitions(*, promotion: Promotion) -> list[PromotionTransition]:
    return list(promotion.transitions.select_related("actor").order_by("at", "id"))


def promotion_categories(*, user: AnyUser, brand: Brand | None = None) -> list[str]:
    qs = Product.objects.for_user(user)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return sorted(set(qs.exclude(category="").values_list("category", flat=True)))


def promotion_marketplaces(*, user: AnyUser, brand: Brand | None = None) -> list[Marketplace]:
    """Marketplaces the user's (or the chosen brand's) vendor codes sell in."""
    from planning.models import VendorCode

    codes = VendorCode.objects.for_user(user)
    if brand is not None:
        codes = codes.filter(brand=brand)
    return list(Marketplace.objects.filter(pk__in=codes.values("marketplace_id")).order_by("country_code"))


def event_list(
    *, marketplace: Marketplace | None = None, start: date | None = None, end: date | None = None
) -> list[EventCalendar]:
    """Events (reference data, the same for every brand) of a marketplace, optionally in a window."""
    qs = EventCalendar.objects.select_related("marketplace")
    if marketplace is not None:
        qs = qs.filter(Q(marketplace=marketplace) | Q(marketplace__isnull=True))
    if start is not None:
        qs = qs.filter(end_date__gte=start)
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    return list(qs.order_by("start_date", "name"))


# --------------------------------------------------------------------------------------------------
# Rules


class RuleBook:
    """All active rule sets, loaded once; `rules_for` merges type default, event rule set and event JSON."""

    def __init__(self, rows: Iterable[PromotionRuleSet] | None = None) -> None:
        if rows is None:
            rows = PromotionRuleSet.objects.filter(is_active=True)
        self._rows = {(row.promotion_type, row.event_id): row for row in rows}

    def rules_for(self, promotion_type: str, event: EventCalendar | None) -> Rules:
        row = None
        if event is not None:
            row = self._rows.get((promotion_type, event.pk))
        if row is None:
            row = self._rows.get((promotion_type, None))
        rules = _rules_from_row(promotion_type, row)
        if event is not None and event.rules:
            rules = merge_rules(rules, event.rules)
        return rules

    @property
    def max_back_to_back_days(self) -> int:
        days = [row.back_to_back_days or 0 for row in self._rows.values()]
        return max(days, default=0)


def _rules_from_row(promotion_type: str, row: PromotionRuleSet | None) -> Rules:
    if row is None:
        return Rules(promotion_type)
    return Rules(
        promotion_type=promotion_type,
        lead_time_hours=row.lead_time_hours,
        min_duration_hours=row.min_duration_hours,
        max_duration_hours=row.max_duration_hours,
        min_discount_vs_reference_pct=row.min_discount_vs_reference_pct,
        min_discount_vs_lowest_30d_pct=row.min_discount_vs_lowest_30d_pct,
        min_discount_vs_lowest_90d_pct=row.min_discount_vs_lowest_90d_pct,
        min_discount_vs_typical_90d_pct=row.min_discount_vs_typical_90d_pct,
        no_overlap=row.no_overlap,
        back_to_back_days=row.back_to_back_days,
        min_rating=row.min_rating,
        coupon_min_discount_pct=row.coupon_min_discount_pct,
        coupon_max_discount_pct=row.coupon_max_discount_pct,
        max_items=row.max_items,
        fee_allowed=row.fee_allowed,
        requires_budget=row.requires_budget,
    )


def event_info(event: EventCalendar | None) -> EventInfo | None:
    if event is None:
        return None
    return EventInfo(event.name, event.start_date, event.end_date, event.submission_deadline)


def item_info(item: PromotionItem) -> ItemInfo:
    return ItemInfo(
        asin=item.asin,
        reference_price=item.reference_price,
        promo_price=item.promo_price,
        discount_type=item.discount_type,
        discount_amount=item.discount_amount,
    )


def promotion_info(promotion: Promotion, items: Sequence[PromotionItem] | None = None) -> PromotionInfo:
    """The rules engine's view of a saved promotion (items from the prefetch unless given)."""
    rows = list(promotion.items.all()) if items is None else list(items)
    submitted = (
        promotion.submitted_at
        if promotion.status not in (Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY)
        else None
    )
    return PromotionInfo(
        promotion_type=promotion.promotion_type,
        marketplace=promotion.marketplace.domain,
        tz=promotion.tz,
        start_at=promotion.start_at,
        end_at=promotion.end_at,
        currency=promotion.currency,
        items=tuple(item_info(item) for item in rows),
        merchandising_fee=promotion.merchandising_fee,
        coupon_budget=promotion.coupon_budget,
        event=event_info(promotion.event),
        submitted_at=submitted,
        id=promotion.pk,
    )


@dataclass(frozen=True)
class _Subject:
    """What a rule check needs to know about one promotion, saved or not."""

    info: PromotionInfo
    brand_id: int
    marketplace_id: int
    promotion_type: str
    event: EventCalendar | None


def _contexts(subjects: Sequence[_Subject], *, book: RuleBook, now: datetime) -> list[RuleContext]:
    """Rule contexts for many promotions in five queries: other promotions (+ their items), prices
    and ratings. Other promotions are the brand's own (another brand's plans are not ours to see)."""
    if not subjects:
        return []
    pairs = {(s.brand_id, s.marketplace_id, item.asin) for s in subjects for item in s.info.items}
    asins = {asin for _, _, asin in pairs}
    brands = {s.brand_id for s in subjects}
    markets = {s.marketplace_id for s in subjects}
    gap = timedelta(days=max(book.max_back_to_back_days, 0) + 1)
    first = min(s.info.start_at for s in subjects)
    last = max(s.info.end_at for s in subjects)
    others_by_key: dict[tuple[int, int], list[OtherPromotion]] = defaultdict(list)
    if asins:
        others = (
            Promotion.objects.filter(
                brand_id__in=brands,
                marketplace_id__in=markets,
                items__asin__in=asins,
                start_at__lt=last + gap,
                end_at__gt=first - gap,
            )
            .exclude(status__in=Promotion.DEAD_STATUSES)
            .distinct()
            .prefetch_related(Prefetch("items", queryset=PromotionItem.objects.only("id", "asin", "promotion_id")))
        )
        for other in others:
            others_by_key[(other.brand_id, other.marketplace_id)].append(
                OtherPromotion(
                    id=other.pk,
                    name=other.name,
                    type_label=PromotionType(other.promotion_type).label,
                    start_at=other.start_at,
                    end_at=other.end_at,
                    asins=frozenset(item.asin for item in other.items.all()),
                )
            )
    prices: dict[tuple[int, int, str], list[PricePoint]] = defaultdict(list)
    ratings: dict[tuple[int, int, str], tuple[date, Decimal]] = {}
    if asins:
        first_day = min(s.info.start_at.astimezone(s.info.tz).date() for s in subjects)
        last_day = max(s.info.start_at.astimezone(s.info.tz).date() for s in subjects)
        observed = PriceObservation.objects.filter(
            brand_id__in=brands,
            marketplace_id__in=markets,
            asin__in=asins,
            observed_on__gte=first_day - timedelta(days=RATING_WINDOW_DAYS),
            observed_on__lte=last_day,
        ).values_list("brand_id", "marketplace_id", "asin", "observed_on", "price", "rating")
        for brand_id, marketplace_id, asin, day, price, rating in observed:
            key = (brand_id, marketplace_id, asin)
            if price is not None and day >= first_day - timedelta(days=PRICE_WINDOW_DAYS):
                prices[key].append(PricePoint(day, price))
            if rating is not None and (key not in ratings or day > ratings[key][0]):
                ratings[key] = (day, rating)
    contexts: list[RuleContext] = []
    for s in subjects:
        own_asins = [item.asin for item in s.info.items]
        contexts.append(
            RuleContext(
                now=now,
                others=[o for o in others_by_key[(s.brand_id, s.marketplace_id)] if o.asins.intersection(own_asins)],
                prices={a: prices.get((s.brand_id, s.marketplace_id, a), []) for a in own_asins},
                ratings={
                    a: ratings[(s.brand_id, s.marketplace_id, a)][1]
                    for a in own_asins
                    if (s.brand_id, s.marketplace_id, a) in ratings
                },
            )
        )
    return contexts


def rule_results_for(
    promotions: Sequence[Promotion], *, now: datetime | None = None, book: RuleBook | None = None
) -> dict[int, list[RuleResult]]:
    """Rule results of saved promotions (items prefetched), keyed by promotion id."""
    now = now or timezone.now()
    book = book or RuleBook()
    subjects = [
        _Subject(promotion_info(p), p.brand_id, p.marketplace_id, p.promotion_type, p.event) for p in promotions
    ]
    contexts = _contexts(subjects, book=book, now=now)
    return {
        p.pk: evaluate(s.info, book.rules_for(s.promotion_type, s.event), ctx)
        for p, s, ctx in zip(promotions, subjects, contexts, strict=True)
    }


def promotion_rule_results(*, promotion: Promotion, now: datetime | None = None) -> list[RuleResult]:
    return rule_results_for([promotion], now=now)[promotion.pk]


def unsaved_rule_results(
    *,
    info: PromotionInfo,
    brand_id: int,
    marketplace_id: int,
    event: EventCalendar | None,
    now: datetime | None = None,
) -> list[RuleResult]:
    """Rule results of a promotion being typed in a form (not saved yet; info.id excludes itself)."""
    book = RuleBook()
    subject = _Subject(info, brand_id, marketplace_id, info.promotion_type, event)
    (ctx,) = _contexts([subject], book=book, now=now or timezone.now())
    return evaluate(info, book.rules_for(info.promotion_type, event), ctx)


def sorted_results(results: Sequence[RuleResult]) -> list[RuleResult]:
    """Failures first, then rules that could not be checked, then passes."""
    order = {"fail": 0, "unknown": 1, "pass": 2}
    return sorted(results, key=lambda r: order[r.level])


# --------------------------------------------------------------------------------------------------
# Costs


def cost_items(items: Iterable[PromotionItem], *, is_coupon: bool) -> list[CostItem]:
    out: list[CostItem] = []
    for item in items:
        coupon_discount = item_info(item).coupon_discount() if is_coupon else None
        out.append(
            CostItem(
                asin=item.asin,
                units=item.units_forecast,
                per_unit_funding=item.per_unit_funding,
                reference_price=item.reference_price,
                promo_price=item.promo_price,
                coupon_discount=coupon_discount,
            )
        )
    return out


def promotion_cost_forecast(promotion: Promotion) -> CostForecast:
    """Forecast vendor cost (items prefetched): units forecast x per-unit funding + fee, or the coupon draw."""
    return forecast_cost(
        is_coupon=promotion.is_coupon,
        currency=promotion.currency,
        items=cost_items(promotion.items.all(), is_coupon=promotion.is_coupon),
        merchandising_fee=promotion.merchandising_fee,
        brand_share_pct=promotion.brand_funding_share_pct,
        coupon_budget=promotion.coupon_budget,
        coupon_fee_per_redemption=promotion.coupon_fee_per_redemption,
    )


# --------------------------------------------------------------------------------------------------
# Calendar


TYPE_CSS = {
    PromotionType.LIGHTNING_DEAL: "type-ld",
    PromotionType.BEST_DEAL: "type-bd",
    PromotionType.PRIME_EXCLUSIVE_BEST_DEAL: "type-pebd",
    PromotionType.PRICE_DISCOUNT: "type-pd",
    PromotionType.PRIME_EXCLUSIVE_DISCOUNT: "type-ped",
    PromotionType.COUPON: "type-coupon",
    PromotionType.DEAL_OF_THE_DAY: "type-dotd",
    PromotionType.SALES_DISCOUNT: "type-sd",
    PromotionType.PROMO_CODE: "type-code",
}


def status_css(status: str) -> str:
    if status in (Status.DRAFT,):
        return "st-draft"
    if status in (Status.INTERNAL_APPROVAL, Status.READY):
        return "st-internal"
    if status in (Status.SUBMITTED, Status.PENDING_APPROVAL):
        return "st-pending"
    if status == Status.NEEDS_YOUR_ATTENTION:
        return "st-attention"
    if status in Promotion.DEAD_STATUSES or status == Status.SUPPRESSED:
        return "st-dead"
    if status in (Status.ENDED, Status.INVOICED, Status.RECONCILED):
        return "st-done"
    return "st-live"  # APPROVED, RUNNING


@dataclass
class CalendarBar:
    promotion: Promotion
    col_start: int  # 1-based first day column
    col_span: int
    starts_before: bool
    ends_after: bool
    type_css: str
    status_css: str
    results: list[RuleResult]
    failures: list[RuleResult]
    conflict: bool
    forecast: CostForecast
    categories: list[str]

    @property
    def draggable(self) -> bool:
        return self.promotion.status == Status.DRAFT


@dataclass
class CalendarEvent:
    event: EventCalendar
    col_start: int
    col_span: int


@dataclass
class MonthTotal:
    month: date
    amounts: dict[str, Decimal] = field(default_factory=dict)  # currency -> forecast vendor cost


@dataclass
class CalendarData:
    view: str  # month | quarter
    start: date
    end: date  # inclusive
    days: list[date]
    bars: list[CalendarBar]
    events: list[CalendarEvent]
    month_totals: list[MonthTotal]
    previous_start: date
    next_start: date
    conflicts: int
    failing: int

    @property
    def title(self) -> str:
        if self.view == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return f"Q{quarter} {self.start.year} ({self.start:%b} \u2013 {self.end:%b})"
        return f"{self.start:%B %Y}"

    @property
    def months(self) -> list[tuple[date, int]]:
        """(first day, number of days shown) of each month in the window, for the header."""
        out: list[tuple[date, int]] = []
        for day in self.days:
            if not out or out[-1][0].month != day.month:
                out.append((day.replace(day=1), 0))
            first, count = out[-1]
            out[-1] = (first, count + 1)
        return out


def calendar_window(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day, last day, previous window's first day, next window's first day)."""
    if view == "quarter":
        first = quarter_start(anchor)
        return first, add_months(first, 3) - timedelta(days=1), add_months(first, -3), add_months(first, 3)
    first = month_start(anchor)
    return first, add_months(first, 1) - timedelta(days=1), add_months(first, -1), add_months(first, 1)


def _local_days(promotion: Promotion) -> tuple[date, date]:
    """First and last local day the promotion touches (its end instant is exclusive)."""
    start = promotion.local_start.date()
    end = (promotion.local_end - timedelta(microseconds=1)).date()
    return start, max(start, end)


def promotion_calendar(
    *,
    user: AnyUser,
    brand: Brand | None,
    view: str,
    anchor: date,
    marketplace: Marketplace | None = None,
    category: str = "",
    promotion_type: str = "",
    status: str = "",
    now: datetime | None = None,
) -> CalendarData:
    """Bars for every promotion touching the window, with rule results, conflicts and forecasts."""
    view = "quarter" if view == "quarter" else "month"
    first, last, previous_start, next_start = calendar_window(view, anchor)
    # A day early and late in UTC covers every marketplace's local days.
    window_start = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    window_end = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    qs = (
        Promotion.objects.for_user(user)
        .filter(start_at__lt=window_end, end_at__gt=window_start)
        .select_related("marketplace", "event", "vendor_code", "brand")
        .prefetch_related(_items_prefetch())
        .order_by("start_at", "id")
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    if marketplace is not None:
        qs = qs.filter(marketplace=marketplace)
    if category:
        qs = qs.filter(items__product__category=category).distinct()
    if promotion_type:
        qs = qs.filter(promotion_type=promotion_type)
    if status:
        qs = qs.filter(status=status)
    promotions = list(qs)
    book = RuleBook()
    results = rule_results_for(promotions, now=now, book=book)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    bars: list[CalendarBar] = []
    conflicted: set[int] = set()
    for promotion in promotions:
        for result in results[promotion.pk]:
            if not result.passed and result.conflict_with is not None and promotion.status in PLANNING_STATUSES:
                conflicted.update({promotion.pk, result.conflict_with})
    totals: dict[date, dict[str, Decimal]] = {day.replace(day=1): {} for day in days}
    for promotion in promotions:
        local_first, local_last = _local_days(promotion)
        if local_last < first or local_first > last:
            continue
        shown_first, shown_last = max(local_first, first), min(local_last, last)
        checked = results[promotion.pk] if promotion.status in PLANNING_STATUSES else []
        forecast = promotion_cost_forecast(promotion)
        if promotion.status not in Promotion.DEAD_STATUSES:
            for month, amount in split_by_month(
                amount=forecast.vendor_cost, start_at=promotion.start_at, end_at=promotion.end_at, tz=promotion.tz
            ).items():
                if month in totals:
                    bucket = totals[month]
                    bucket[promotion.currency] = bucket.get(promotion.currency, Decimal("0")) + amount
        bars.append(
            CalendarBar(
                promotion=promotion,
                col_start=(shown_first - first).days + 1,
                col_span=(shown_last - shown_first).days + 1,
                starts_before=local_first < first,
                ends_after=local_last > last,
                type_css=TYPE_CSS.get(PromotionType(promotion.promotion_type), "type-other"),
                status_css=status_css(promotion.status),
                results=checked,
                failures=[r for r in checked if not r.passed],
                conflict=promotion.pk in conflicted,
                forecast=forecast,
                categories=sorted({i.product.category for i in promotion.items.all() if i.product_id and i.product}),
            )
        )
    events = [
        CalendarEvent(
            event=e,
            col_start=(max(e.start_date, first) - first).days + 1,
            col_span=(min(e.end_date, last) - max(e.start_date, first)).days + 1,
        )
        for e in event_list(marketplace=marketplace, start=first, end=last)
    ]
    return CalendarData(
        view=view,
        start=first,
        end=last,
        days=days,
        bars=bars,
        events=events,
        month_totals=[MonthTotal(month, dict(sorted(amounts.items()))) for month, amounts in sorted(totals.items())],
        previous_start=previous_start,
        next_start=next_start,
        conflicts=sum(1 for b in bars if b.conflict),
        failing=sum(1 for b in bars if b.failures),
    )


def calendar_feed(data: CalendarData) -> dict[str, Any]:
    """The calendar as JSON for the API and other clients (money as strings, instants in UTC)."""
    return {
        "view": data.view,
        "start": data.start.isoformat(),
        "end": data.end.isoformat(),
        "events": [
            {
                "id": e.event.pk,
                "name": e.event.name,
                "start_date": e.event.start_date.isoformat(),
                "end_date": e.event.end_date.isoformat(),
                "submission_deadline": e.event.submission_deadline.isoformat() if e.event.submission_deadline else None,
                "marketplace": e.event.marketplace.amazon_marketplace_id if e.event.marketplace else None,
            }
            for e in data.events
        ],
        "promotions": [
            {
                "id": b.promotion.pk,
                "name": b.promotion.name,
                "brand": b.promotion.brand.name,
                "vendor_code": b.promotion.vendor_code.code,
                "marketplace": b.promotion.marketplace.amazon_marketplace_id,
                "type": b.promotion.promotion_type,
                "status": b.promotion.status,
                "start_at": b.promotion.start_at.isoformat(),
                "end_at": b.promotion.end_at.isoformat(),
                "local_start_date": b.promotion.local_start.date().isoformat(),
                "local_end": b.promotion.local_end.isoformat(),
                "asins": [i.asin for i in b.promotion.items.all()],
                "categories": b.categories,
                "currency": b.promotion.currency,
                "forecast_vendor_cost": str(b.forecast.vendor_cost),
                "conflict": b.conflict,
                "draggable": b.draggable,
                "rule_failures": [{"code": r.code, "asin": r.asin, "message": r.message} for r in b.failures],
            }
            for b in data.bars
        ],
        "month_totals": [
            {"month": t.month.isoformat()[:7], "forecast_vendor_cost": {c: str(a) for c, a in t.amounts.items()}}
            for t in data.month_totals
        ],
    }


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class PostEventSummary:
    start: date
    end: date
    rows: list[Promotion]  # with .performance (may be missing: no results imported yet)
    totals: list[SummaryTotals]


def promotion_post_event_summary(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    start: date,
    end: date,
    marketplace: Marketplace | None = None,
    vendor_code_ids: Sequence[int] | None = None,
) -> PostEventSummary:
    """Promotions that ended in [start, end] (local dates, inclusive) with their stored results and
    totals per currency: what the MBR's promotions section shows ("promotions results vs funding")."""
    qs = (
        Promotion.objects.for_user(user)
        .filter(end_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=UTC) - timedelta(days=1))
        .filter(end_at__lt=datetime.combine(end + timedelta(days=2), datetime.min.time(), tzinfo=UTC))
        .exclude(status__in=PLANNING_STATUSES | Promotion.DEAD_STATUSES | {Status.APPROVED})
        .select_related("marketplace", "vendor_code", "brand", "performance")
        .prefetch_related(_items_prefetch())
        .order_by("end_at", "id")
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    if marketplace is not None:
        qs = qs.filter(marketplace=marketplace)
    if vendor_code_ids is not None:
        qs = qs.filter(vendor_code_id__in=vendor_code_ids)
    rows = [p for p in qs if start <= _local_days(p)[1] <= end]
    summary_rows: list[SummaryRow] = []
    for p in rows:
        perf = _performance(p)
        summary_rows.append(
            SummaryRow(
                currency=p.currency,
                units_sold=perf.units_sold if perf else None,
                revenue=perf.revenue if perf else None,
                vendor_cost=perf.vendor_cost if perf else None,
                incremental_revenue=perf.incremental_revenue if perf else None,
                baseline_units=perf.baseline_units if perf else None,
                sales_units=perf.sales_units if perf else None,
            )
        )
    return PostEventSummary(start=start, end=end, rows=rows, totals=summarize(summary_rows))


def _performance(promotion: Promotion) -> PromotionPerformance | None:
    try:
        return promotion.performance
    except PromotionPerformance.DoesNotExist:
        return None


def promotion_performance(*, promotion: Promotion) -> PromotionPerformance | None:
    return _performance(promotion)


# --------------------------------------------------------------------------------------------------
# Alerts (DOMAIN.md §6 PROMO_LEAD_TIME)


@dataclass(frozen=True)
class LeadTimeRisk:
    promotion: Promotion
    reason: str  # LEAD_TIME | EVENT_DEADLINE | PENDING_NEAR_DEADLINE
    message: str


def promotion_lead_time_risks(
    *, vendor_code_ids: Sequence[int], now: datetime | None = None, pending_window_days: int = 7
) -> list[LeadTimeRisk]:
    """What the PROMO_LEAD_TIME alert raises: promotions not yet with Amazon whose start is closer than
    their type's lead time (or whose event deadline has passed), and promotions still pending
    Amazon's approval when their event's submission deadline is `pending_window_days` or fewer away
    (Amazon may cancel event deals not approved in time [S41]). Not user-scoped: the alert engine
    runs for vendor codes; pages must scope what they show."""
    now = now or timezone.now()
    candidates = list(
        Promotion.objects.filter(
            vendor_code_id__in=vendor_code_ids,
            status__in=[Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY, Status.PENDING_APPROVAL],
            end_at__gt=now,
        )
        .select_related("marketplace", "event", "vendor_code")
        .prefetch_related(_items_prefetch())
        .order_by("start_at", "id")
    )
    not_sent = [p for p in candidates if p.status != Status.PENDING_APPROVAL]
    results = rule_results_for(not_sent, now=now)
    risks: list[LeadTimeRisk] = []
    for promotion in not_sent:
        for result in results[promotion.pk]:
            if not result.passed and result.code in ("LEAD_TIME", "EVENT_DEADLINE"):
                risks.append(LeadTimeRisk(promotion, result.code, result.message))
    for promotion in candidates:
        event = promotion.event
        if promotion.status != Status.PENDING_APPROVAL or event is None or event.submission_deadline is None:
            continue
        days_left = (event.submission_deadline - timezone.localtime(now, promotion.tz).date()).days
        if 0 <= days_left <= pending_window_days:
            risks.append(
                LeadTimeRisk(
                    promotion,
                    "PENDING_NEAR_DEADLINE",
                    f"Still pending Amazon's approval {days_left} day{'s' if days_left != 1 else ''} before the "
                    f"{event.name} deadline ({fmt_date(event.submission_deadline)}); Amazon may cancel event deals "
                    "that are not approved in time.",
                )
            )
    return risks
