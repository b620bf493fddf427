"""Amazon's promotion rules, checked before submission (DOMAIN.md §5.3). Pure: no ORM, no settings.

The caller (coop/promotion_services.py) turns rows into the plain snapshots below: the promotion,
its effective rules (a PromotionRuleSet row merged with the event's overrides) and a context of
what else is known (other promotions on the same ASINs, prices and ratings). `evaluate` returns one
RuleResult per rule, in plain words a brand manager can act on.

Instants are aware datetimes and are compared as such (so effectively in UTC): a deal that ends at
23:00 in Seattle and one that starts at 02:00 UTC the next day overlap, whatever their local dates
say. Dates shown in messages are in the marketplace's time zone, because that is how Vendor Central
shows them.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_DOWN
from decimal import Decimal
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
DASH = "\u2013"  # en dash, for date spans

# Plural labels used in "Lightning Deals must be ..." sentences.
_PLURALS = {
    "LIGHTNING_DEAL": "Lightning Deals",
    "BEST_DEAL": "Best Deals",
    "PRIME_EXCLUSIVE_BEST_DEAL": "Prime Exclusive Best Deals",
    "PRICE_DISCOUNT": "Price Discounts",
    "PRIME_EXCLUSIVE_DISCOUNT": "Prime Exclusive Discounts",
    "COUPON": "Coupons",
    "DEAL_OF_THE_DAY": "Deals of the Day",
    "SALES_DISCOUNT": "Sales Discounts",
    "PROMO_CODE": "Promo codes",
}


# --------------------------------------------------------------------------------------------------
# Snapshots


@dataclass(frozen=True)
class Rules:
    """The rules that apply to one promotion; None (or False) means the rule is not checked."""

    promotion_type: str
    lead_time_hours: int | None = None
    min_duration_hours: Decimal | None = None
    max_duration_hours: Decimal | None = None
    min_discount_vs_reference_pct: Decimal | None = None
    min_discount_vs_lowest_30d_pct: Decimal | None = None
    min_discount_vs_lowest_90d_pct: Decimal | None = None
    min_discount_vs_typical_90d_pct: Decimal | None = None
    no_overlap: bool = False
    back_to_back_days: int | None = None
    min_rating: Decimal | None = None
    coupon_min_discount_pct: Decimal | None = None
    coupon_max_discount_pct: Decimal | None = None
    max_items: int | None = None
    fee_allowed: bool = True
    requires_budget: bool = False


_INT_RULES = {"lead_time_hours", "back_to_back_days", "max_items"}
OVERRIDABLE_RULES = frozenset(
    {f.name for f in fields(Rules)} - {"promotion_type", "no_overlap", "fee_allowed", "requires_budget"}
)


def merge_rules(base: Rules, overrides: Mapping[str, object]) -> Rules:
    """The base rules with an event's overrides applied ({"min_rating": "4"}); unknown keys raise."""
    changes: dict[str, object] = {}
    for key, raw in overrides.items():
        if key not in OVERRIDABLE_RULES:
            raise ValueError(f"unknown rule {key!r}; expected one of {', '.join(sorted(OVERRIDABLE_RULES))}")
        if raw is None:
            changes[key] = None
        elif key in _INT_RULES:
            changes[key] = int(Decimal(str(raw)))
        else:
            changes[key] = Decimal(str(raw))
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EventInfo:
    name: str
    start_date: date  # local dates in the marketplace
    end_date: date
    submission_deadline: date | None = None


@dataclass(frozen=True)
class ItemInfo:
    asin: str
    reference_price: Decimal | None = None
    promo_price: Decimal | None = None
    discount_type: str = ""  # coupons: PERCENT_OFF_LIST_PRICE | AMOUNT_OFF_LIST_PRICE
    discount_amount: Decimal | None = None

    def coupon_discount(self) -> Decimal | None:
        """Money off one unit for a coupon item, or None when the coupon is not fully described."""
        if self.discount_amount is None or self.reference_price is None:
            return None
        if self.discount_type == "PERCENT_OFF_LIST_PRICE":
            return self.reference_price * self.discount_amount / HUNDRED
        if self.discount_type == "AMOUNT_OFF_LIST_PRICE":
            return self.discount_amount
        return None

    def effective_price(self, *, is_coupon: bool) -> Decimal | None:
        """What a customer pays: the promo price, or the reference price minus the coupon."""
        if self.promo_price is not None:
            return self.promo_price
        if is_coupon:
            discount = self.coupon_discount()
            if discount is not None and self.reference_price is not None:
                return self.reference_price - discount
        return None


@dataclass(frozen=True)
class PromotionInfo:
    promotion_type: str
    marketplace: str  # shown in messages: "amazon.com"
    tz: ZoneInfo
    start_at: datetime
    end_at: datetime
    currency: str
    items: tuple[ItemInfo, ...] = ()
    merchandising_fee: Decimal = Decimal("0")
    coupon_budget: Decimal | None = None
    event: EventInfo | None = None
    submitted_at: datetime | None = None  # None = evaluated as if submitted now
    id: int | None = None

    def __post_init__(self) -> None:
        _to_utc(self, "start_at", "end_at", "submitted_at")

    @property
    def is_coupon(self) -> bool:
        return self.promotion_type == "COUPON"


@dataclass(frozen=True)
class OtherPromotion:
    """Another live promotion in the same marketplace that shares at least one ASIN."""

    id: int | None
    name: str
    type_label: str
    start_at: datetime
    end_at: datetime
    asins: frozenset[str]

    def __post_init__(self) -> None:
        _to_utc(self, "start_at", "end_at")


def _to_utc(obj: object, *names: str) -> None:
    """Store instants in UTC. Python compares and subtracts two datetimes of the *same* zone by wall
    clock, which is wrong across a daylight-saving change; in UTC the arithmetic is exact."""
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            if value.tzinfo is None:
                raise ValueError(f"{name} must be an aware datetime, got {value!r}")
            object.__setattr__(obj, name, value.astimezone(UTC))


@dataclass(frozen=True)
class PricePoint:
    day: date  # local date in the marketplace
    price: Decimal


@dataclass(frozen=True)
class RuleContext:
    now: datetime
    others: Sequence[OtherPromotion] = ()
    prices: Mapping[str, Sequence[PricePoint]] = field(default_factory=dict)  # asin -> observations
    ratings: Mapping[str, Decimal | None] = field(default_factory=dict)  # asin -> latest star rating

    def __post_init__(self) -> None:
        _to_utc(self, "now")


RULE_LABELS = {
    "ITEMS": "Items",
    "MAX_ITEMS": "ASINs per promotion",
    "LEAD_TIME": "Lead time",
    "EVENT_DEADLINE": "Event deadline",
    "EVENT_WINDOW": "Event dates",
    "DURATION": "Duration",
    "NO_FEE": "Merchandising fee",
    "BUDGET": "Budget",
    "MIN_DISCOUNT": "Discount off the reference price",
    "LOWEST_30D": "Lowest price, past 30 days",
    "LOWEST_90D": "Lowest price, past 90 days",
    "TYPICAL_90D": "Typical price, past 90 days",
    "COUPON_DISCOUNT": "Coupon discount",
    "MIN_RATING": "Star rating",
    "NO_OVERLAP": "Overlap on an ASIN",
    "BACK_TO_BACK": "Back-to-back on an ASIN",
}


@dataclass(frozen=True)
class RuleResult:
    """One checked rule. `unknown` results passed only because data to check them is missing."""

    code: str
    passed: bool
    message: str
    asin: str | None = None
    unknown: bool = False
    conflict_with: int | None = None  # the other promotion's id for overlap / back-to-back failures

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.code, self.code.replace("_", " ").capitalize())

    @property
    def level(self) -> str:
        if not self.passed:
            return "fail"
        return "unknown" if self.unknown else "pass"


# --------------------------------------------------------------------------------------------------
# Wording helpers


def plural_label(promotion_type: str) -> str:
    return _PLURALS.get(promotion_type, promotion_type.replace("_", " ").title() + "s")


def fmt_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def fmt_local(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{fmt_date(local.date())} {local:%H:%M}"


def fmt_span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'10-12 Dec 2026' (en dash) local span; the end is exclusive, so a midnight end shows the day before."""
    first = start.astimezone(tz).date()
    last_instant = end.astimezone(tz)
    last = (
        last_instant.date() if last_instant.time() != datetime.min.time() else last_instant.date() - timedelta(days=1)
    )
    last = max(first, last)
    if first == last:
        return fmt_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{fmt_date(first)} {DASH} {fmt_date(last)}"


def fmt_money(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(CENT):,.2f} {currency}"


def fmt_pct(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value.quantize(Decimal('0.1')):f}"
    return f"{text} %"


def fmt_hours(hours: Decimal | int) -> str:
    """672 -> '4 weeks', 48 -> '2 days', 24 -> '24 hours', 6.5 -> '6.5 hours'."""
    value = Decimal(hours)
    if value > 0 and value % 168 == 0:
        weeks = int(value / 168)
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    if value > 24 and value % 24 == 0:
        return f"{int(value / 24)} days"
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value.quantize(Decimal('0.1')):f}"
    return f"{text} hour{'s' if value != 1 else ''}"


def fmt_delta(delta: timedelta) -> str:
    """A positive duration in the unit people use: minutes, hours, or days (and hours under a week)."""
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        minutes = max(seconds // 60, 0)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if seconds < 48 * 3600:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days < 14 and hours:
        return f"{days} days {hours} hour{'s' if hours != 1 else ''}"
    return f"{days} days"


def _hours(delta: timedelta) -> Decimal:
    return Decimal(int(delta.total_seconds())) / Decimal(3600)


def _floor_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


# --------------------------------------------------------------------------------------------------
# Evaluation


def evaluate(promo: PromotionInfo, rules: Rules, ctx: RuleContext) -> list[RuleResult]:
    """Every rule that applies to the promotion, passed or failed, in the order people fix them."""
    results: list[RuleResult] = []
    results += _check_items_present(promo, rules)
    results += _check_lead_time(promo, rules, ctx)
    results += _check_event(promo, ctx)
    results += _check_duration(promo, rules)
    results += _check_fee_and_budget(promo, rules)
    results += _check_reference_discount(promo, rules)
    results += _check_price_history(promo, rules, ctx)
    results += _check_coupon_bounds(promo, rules)
    results += _check_rating(promo, rules, ctx)
    results += _check_conflicts(promo, rules, ctx)
    return results


def failures(results: Sequence[RuleResult]) -> list[RuleResult]:
    return [r for r in results if not r.passed]


def _check_items_present(promo: PromotionInfo, rules: Rules) -> list[RuleResult]:
    out: list[RuleResult] = []
    if not promo.items:
        out.append(RuleResult("ITEMS", False, "Add at least one ASIN to the promotion."))
    if rules.max_items is not None:
        count = len(promo.items)
        if count > rules.max_items:
            out.append(
                RuleResult(
                    "MAX_ITEMS",
                    False,
                    f"{plural_label(promo.promotion_type)} take at most {rules.max_items} "
                    f"ASIN{'s' if rules.max_items != 1 else ''}; this one has {count}.",
                )
            )
        else:
            out.append(RuleResult("MAX_ITEMS", True, f"{count} of at most {rules.max_items} ASINs."))
    return out


def _check_lead_time(promo: PromotionInfo, rules: Rules, ctx: RuleContext) -> list[RuleResult]:
    if rules.lead_time_hours is None:
        return []
    label = plural_label(promo.promotion_type)
    need = timedelta(hours=rules.lead_time_hours)
    submitted = (promo.submitted_at or ctx.now).astimezone(UTC)
    ahead = promo.start_at - submitted
    where = f"on {fmt_date(promo.start_at.astimezone(promo.tz).date())} in {promo.marketplace}'s time zone"
    if ahead >= need:
        when = "it was submitted" if promo.submitted_at else "it starts in"
        gap = fmt_delta(ahead)
        tail = f"{gap} before it started" if promo.submitted_at else gap
        return [
            RuleResult(
                "LEAD_TIME",
                True,
                f"Lead time met: {label} need {fmt_hours(rules.lead_time_hours)}; {when} {tail} ({where}).",
            )
        ]
    head = f"{label} must be submitted at least {fmt_hours(rules.lead_time_hours)} before they start; "
    if ahead <= timedelta(0):
        if promo.submitted_at:
            tail = f"this one was submitted after it started ({where})."
        else:
            tail = f"this one has already started ({where})."
    elif promo.submitted_at:
        tail = f"this one was submitted {fmt_delta(ahead)} before it started ({where})."
    else:
        tail = f"this one starts in {fmt_delta(ahead)} ({where})."
    return [RuleResult("LEAD_TIME", False, head + tail)]


def _check_event(promo: PromotionInfo, ctx: RuleContext) -> list[RuleResult]:
    event = promo.event
    if event is None:
        return []
    out: list[RuleResult] = []
    tz = promo.tz
    if event.submission_deadline is not None:
        deadline_end = datetime.combine(
            event.submission_deadline + timedelta(days=1), datetime.min.time(), tzinfo=tz
        ).astimezone(UTC)
        submitted = promo.submitted_at or ctx.now
        deadline = fmt_date(event.submission_deadline)
        if submitted < deadline_end:
            out.append(
                RuleResult("EVENT_DEADLINE", True, f"Before the {event.name} submission deadline of {deadline}.")
            )
        else:
            verb = "was submitted on" if promo.submitted_at else "it is now"
            out.append(
                RuleResult(
                    "EVENT_DEADLINE",
                    False,
                    f"Deals for {event.name} had to be submitted by the end of {deadline} "
                    f"({promo.marketplace}'s time zone); {verb} {fmt_date(submitted.astimezone(tz).date())}.",
                )
            )
    event_start = datetime.combine(event.start_date, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    event_end = datetime.combine(event.end_date + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    span = fmt_span(event_start, event_end, tz)
    if event_start <= promo.start_at and promo.end_at <= event_end:
        out.append(RuleResult("EVENT_WINDOW", True, f"Runs inside {event.name} ({span})."))
    else:
        out.append(
            RuleResult(
                "EVENT_WINDOW",
                False,
                f"This promotion is linked to {event.name} ({span}) but runs "
                f"{fmt_span(promo.start_at, promo.end_at, tz)} in {promo.marketplace}'s time zone; "
                "move it inside the event or unlink the event.",
            )
        )
    return out


def _check_duration(promo: PromotionInfo, rules: Rules) -> list[RuleResult]:
    if rules.min_duration_hours is None and rules.max_duration_hours is None:
        return []
    label = plural_label(promo.promotion_type)
    hours = _hours(promo.end_at - promo.start_at)
    runs = fmt_hours(hours)
    if rules.max_duration_hours is not None and hours > rules.max_duration_hours:
        return [
            RuleResult(
                "DURATION",
                False,
                f"{label} can run at most {fmt_hours(rules.max_duration_hours)}; this one runs {runs}.",
            )
        ]
    if rules.min_duration_hours is not None and hours < rules.min_duration_hours:
        return [
            RuleResult(
                "DURATION",
                False,
                f"{label} must run at least {fmt_hours(rules.min_duration_hours)}; this one runs {runs}.",
            )
        ]
    return [RuleResult("DURATION", True, f"Runs {runs}, within what {label} allow.")]


def _check_fee_and_budget(promo: PromotionInfo, rules: Rules) -> list[RuleResult]:
    out: list[RuleResult] = []
    label = plural_label(promo.promotion_type)
    if not rules.fee_allowed:
        if promo.merchandising_fee > 0:
            fee = fmt_money(promo.merchandising_fee, promo.currency)
            out.append(RuleResult("NO_FEE", False, f"{label} carry no merchandising fee; remove the {fee} fee."))
        else:
            out.append(RuleResult("NO_FEE", True, f"No merchandising fee, as for all {label}."))
    if rules.requires_budget:
        if promo.coupon_budget is None or promo.coupon_budget <= 0:
            out.append(RuleResult("BUDGET", False, f"{label} need a budget; enter how much Amazon may draw."))
        else:
            out.append(RuleResult("BUDGET", True, f"Budget {fmt_money(promo.coupon_budget, promo.currency)}."))
    return out


def _check_reference_discount(promo: PromotionInfo, rules: Rules) -> list[RuleResult]:
    minimum = rules.min_discount_vs_reference_pct
    if minimum is None or not promo.items:
        return []
    label = plural_label(promo.promotion_type)
    bad: list[RuleResult] = []
    for item in promo.items:
        price = item.effective_price(is_coupon=promo.is_coupon)
        if item.reference_price is None or price is None:
            bad.append(
                RuleResult(
                    "MIN_DISCOUNT",
                    False,
                    f"{item.asin}: give the reference price and the deal price to check the "
                    f"{fmt_pct(minimum)} minimum discount.",
                    asin=item.asin,
                )
            )
            continue
        ceiling = item.reference_price * (HUNDRED - minimum) / HUNDRED
        if price > ceiling:
            actual = (
                (item.reference_price - price) / item.reference_price * HUNDRED if item.reference_price else Decimal(0)
            )
            bad.append(
                RuleResult(
                    "MIN_DISCOUNT",
                    False,
                    f"{item.asin}: {label} need at least {fmt_pct(minimum)} off the reference price "
                    f"({fmt_money(_floor_cents(ceiling), promo.currency)} or less); the deal price "
                    f"{fmt_money(price, promo.currency)} is {fmt_pct(actual)} off "
                    f"{fmt_money(item.reference_price, promo.currency)}.",
                    asin=item.asin,
                )
            )
    if bad:
        return bad
    return [RuleResult("MIN_DISCOUNT", True, f"Every ASIN is at least {fmt_pct(minimum)} below its reference price.")]


def _window_prices(points: Sequence[PricePoint], start_day: date, days: int) -> list[PricePoint]:
    first = start_day - timedelta(days=days)
    return [p for p in points if first <= p.day < start_day]


def _check_price_history(promo: PromotionInfo, rules: Rules, ctx: RuleContext) -> list[RuleResult]:
    checks = [
        ("LOWEST_30D", rules.min_discount_vs_lowest_30d_pct, 30, "lowest"),
        ("LOWEST_90D", rules.min_discount_vs_lowest_90d_pct, 90, "lowest"),
        ("TYPICAL_90D", rules.min_discount_vs_typical_90d_pct, 90, "typical"),
    ]
    out: list[RuleResult] = []
    label = plural_label(promo.promotion_type)
    start_day = promo.start_at.astimezone(promo.tz).date()
    for code, minimum, days, kind in checks:
        if minimum is None or not promo.items:
            continue
        problems: list[RuleResult] = []
        for item in promo.items:
            price = item.effective_price(is_coupon=promo.is_coupon)
            window = _window_prices(ctx.prices.get(item.asin, ()), start_day, days)
            if price is None:
                problems.append(
                    RuleResult(
                        code, False, f"{item.asin}: give the deal price to compare it with past prices.", asin=item.asin
                    )
                )
                continue
            if not window:
                problems.append(
                    RuleResult(
                        code,
                        True,
                        f"{item.asin}: no price recorded in the {days} days before the start, so the "
                        f"{kind}-price rule could not be checked; enter a price or import daily sales.",
                        asin=item.asin,
                        unknown=True,
                    )
                )
                continue
            if kind == "lowest":
                low = min(window, key=lambda p: (p.price, p.day))
                anchor = low.price
                anchor_text = (
                    f"the lowest price of the {days} days before the start "
                    f"({fmt_money(anchor, promo.currency)} on {fmt_date(low.day)})"
                )
            else:
                anchor = Decimal(statistics.median(sorted(p.price for p in _daily_lowest(window))))
                anchor_text = (
                    f"the typical price of the {days} days before the start "
                    f"(median of the daily prices, {fmt_money(anchor, promo.currency)})"
                )
            ceiling = anchor * (HUNDRED - minimum) / HUNDRED
            if price > ceiling:
                need = "match or beat" if minimum == 0 else f"be at least {fmt_pct(minimum)} below"
                problems.append(
                    RuleResult(
                        code,
                        False,
                        f"{item.asin}: {label} must {need} {anchor_text}, so "
                        f"{fmt_money(_floor_cents(ceiling), promo.currency)} or less; the deal price is "
                        f"{fmt_money(price, promo.currency)}.",
                        asin=item.asin,
                    )
                )
        if any(not p.passed or p.unknown for p in problems):
            out += problems
        else:
            need = "match or beat" if minimum == 0 else f"are at least {fmt_pct(minimum)} below"
            what = "lowest" if kind == "lowest" else "typical"
            verb = "All deal prices"
            out.append(RuleResult(code, True, f"{verb} {need} the {what} price of the past {days} days."))
    return out


def _daily_lowest(points: Sequence[PricePoint]) -> list[PricePoint]:
    """One price per day (the lowest), so a day with an entered and an imported price counts once."""
    by_day: dict[date, Decimal] = {}
    for p in points:
        by_day[p.day] = min(p.price, by_day.get(p.day, p.price))
    return [PricePoint(day, price) for day, price in sorted(by_day.items())]


def _check_coupon_bounds(promo: PromotionInfo, rules: Rules) -> list[RuleResult]:
    low, high = rules.coupon_min_discount_pct, rules.coupon_max_discount_pct
    if not promo.is_coupon or (low is None and high is None) or not promo.items:
        return []
    bounds = _bounds_text(low, high)
    bad: list[RuleResult] = []
    for item in promo.items:
        if not item.discount_type or item.discount_amount is None:
            bad.append(
                RuleResult("COUPON_DISCOUNT", False, f"{item.asin}: choose the coupon's discount.", asin=item.asin)
            )
            continue
        if item.discount_type == "PERCENT_OFF_LIST_PRICE":
            pct = item.discount_amount
            shown = fmt_pct(pct)
        else:
            if not item.reference_price:
                bad.append(
                    RuleResult(
                        "COUPON_DISCOUNT",
                        False,
                        f"{item.asin}: give the reference price to check an amount-off coupon against {bounds}.",
                        asin=item.asin,
                    )
                )
                continue
            pct = item.discount_amount / item.reference_price * HUNDRED
            shown = (
                f"{fmt_money(item.discount_amount, promo.currency)} off "
                f"{fmt_money(item.reference_price, promo.currency)} is {fmt_pct(pct)}"
            )
        if (low is not None and pct < low) or (high is not None and pct > high):
            bad.append(
                RuleResult(
                    "COUPON_DISCOUNT",
                    False,
                    f"{item.asin}: coupon discounts must be {bounds}; {shown}.",
                    asin=item.asin,
                )
            )
    if bad:
        return bad
    return [RuleResult("COUPON_DISCOUNT", True, f"Every coupon discount is {bounds}.")]


def _bounds_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"between {fmt_pct(low)} and {fmt_pct(high)} of the price"
    if low is not None:
        return f"at least {fmt_pct(low)} of the price"
    return f"at most {fmt_pct(high)} of the price"  # type: ignore[arg-type]


def _check_rating(promo: PromotionInfo, rules: Rules, ctx: RuleContext) -> list[RuleResult]:
    minimum = rules.min_rating
    if minimum is None or not promo.items:
        return []
    label = plural_label(promo.promotion_type)
    problems: list[RuleResult] = []
    for item in promo.items:
        rating = ctx.ratings.get(item.asin)
        if rating is None:
            problems.append(
                RuleResult(
                    "MIN_RATING",
                    True,
                    f"{item.asin}: no star rating recorded, so the {minimum:.1f}-star minimum could not be checked.",
                    asin=item.asin,
                    unknown=True,
                )
            )
        elif rating < minimum:
            problems.append(
                RuleResult(
                    "MIN_RATING",
                    False,
                    f"{item.asin}: {label} need a rating of at least {minimum:.1f} stars; it is rated {rating:.1f}.",
                    asin=item.asin,
                )
            )
    if problems:
        return problems
    return [RuleResult("MIN_RATING", True, f"Every ASIN is rated {minimum:.1f} stars or more.")]


def _check_conflicts(promo: PromotionInfo, rules: Rules, ctx: RuleContext) -> list[RuleResult]:
    if not (rules.no_overlap or rules.back_to_back_days) or not promo.items:
        return []
    label = plural_label(promo.promotion_type)
    tz = promo.tz
    asins = [item.asin for item in promo.items]
    gap_needed = timedelta(days=rules.back_to_back_days or 0)
    overlap_fail: list[RuleResult] = []
    gap_fail: list[RuleResult] = []
    for other in ctx.others:
        if promo.id is not None and other.id == promo.id:
            continue
        shared = [a for a in asins if a in other.asins]
        if not shared:
            continue
        who = f"“{other.name}” ({other.type_label}, {fmt_span(other.start_at, other.end_at, tz)})"
        overlaps = promo.start_at < other.end_at and other.start_at < promo.end_at
        if overlaps:
            if rules.no_overlap:
                overlap_fail += [
                    RuleResult(
                        "NO_OVERLAP",
                        False,
                        f"{asin}: overlaps {who} on the same ASIN; {label} allow no other promotion "
                        "on the ASIN at the same time.",
                        asin=asin,
                        conflict_with=other.id,
                    )
                    for asin in shared
                ]
            continue
        if not rules.back_to_back_days:
            continue
        if other.end_at <= promo.start_at:
            gap = promo.start_at - other.end_at
            relation = f"starts {fmt_delta(gap)} after {who} ends"
        else:
            gap = other.start_at - promo.end_at
            relation = f"ends {fmt_delta(gap)} before {who} starts"
        if gap < gap_needed:
            gap_fail += [
                RuleResult(
                    "BACK_TO_BACK",
                    False,
                    f"{asin}: {relation}; {label} need {rules.back_to_back_days} days between "
                    "promotions on the same ASIN.",
                    asin=asin,
                    conflict_with=other.id,
                )
                for asin in shared
            ]
    out: list[RuleResult] = []
    if rules.no_overlap:
        out += overlap_fail or [
            RuleResult("NO_OVERLAP", True, "No other promotion runs on these ASINs at the same time.")
        ]
    if rules.back_to_back_days:
        out += gap_fail or [
            RuleResult(
                "BACK_TO_BACK",
                True,
                f"No other promotion on these ASINs within {rules.back_to_back_days} days before or after.",
            )
        ]
    return out
