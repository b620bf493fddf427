"""The daily simulation behind the demo facts: calendar, events, demand, stock and the stories.

Nothing here writes to the database: `build_account` reads the catalog (and the JBP targets, for
calibration) and returns every ASIN's daily series, from which ingest.demo.retail, .ads and .orders
write Amazon's documents. See the ingest.demo docstring for the stories.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import Decimal

from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from core.periods import week_start
from planning.demo import DemoContext
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Product
from planning.models import VendorCode

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"


@dataclass(frozen=True)
class FactsConfig:
    """How much the seeder makes; tests shrink it (fewer months, ASINs and vendor codes)."""

    months: int = 18  # complete months of history before the current one
    daily_weeks: int = 8  # DAY sales and traffic for the last N weeks
    ads_days: int = 182
    order_weeks: int = 13  # purchase orders, ASNs and shipments
    forecast_weeks: int = 13
    asins_per_category: int | None = None  # None = every product of the vendor code
    vendor_codes: tuple[str, ...] | None = None  # None = every demo vendor code


# -- the accounts and their stories ------------------------------------------------------------------

# Yearly growth of demand per vendor code (the level at the end of the history is the reference).
GROWTH = {"ACMEU": 0.12, "ACMED": 0.06, "VERDU": 0.08, "VERDD": 0.30}
VOLUME = {"ACMEU": 1.0, "ACMED": 0.55, "VERDU": 0.8, "VERDD": 0.9}
STORY_ACCOUNT = "ACMEU"
BEHIND_PLAN_CATEGORY = "Speakers"
BEHIND_NATURAL_YOY = 1.10  # the category's year-on-year growth before its decline
STOCK_OUT_CATEGORY = "Headphones"
STOCK_OUT_COUNT = 3
ACOS_SPIKE_DAYS = 16
STRONG_PRIME_DAY = "VERDD"

# category -> (seasonal kind, return rate, conversion range)
CATEGORY_TRAITS: dict[str, tuple[str, float, tuple[float, float]]] = {
    "Headphones": ("electronics", 0.07, (0.09, 0.13)),
    "Speakers": ("electronics", 0.05, (0.08, 0.12)),
    "Chargers & Cables": ("electronics", 0.04, (0.12, 0.15)),
    "Computer Accessories": ("electronics", 0.06, (0.09, 0.13)),
    "Smart Home": ("electronics", 0.05, (0.10, 0.14)),
    "Garden Tools": ("garden", 0.03, (0.08, 0.12)),
    "Planters": ("garden", 0.04, (0.09, 0.13)),
    "Outdoor Lighting": ("garden", 0.06, (0.10, 0.14)),
    "Watering": ("garden", 0.05, (0.09, 0.13)),
    "Kitchen Storage": ("kitchen", 0.03, (0.11, 0.15)),
}
_DEFAULT_TRAITS = ("electronics", 0.05, (0.08, 0.15))
# Month -> demand index (mid-month anchors, interpolated day by day).
SEASONS = {
    "electronics": (0.82, 0.80, 0.88, 0.90, 0.93, 0.95, 1.00, 0.98, 0.97, 1.02, 1.30, 1.50),
    "garden": (0.45, 0.55, 0.90, 1.35, 1.60, 1.55, 1.35, 1.05, 0.80, 0.60, 0.55, 0.60),
    "kitchen": (1.05, 0.95, 0.95, 0.95, 0.95, 0.92, 0.95, 0.98, 1.00, 1.05, 1.25, 1.35),
}
WEEKDAY = (1.04, 0.98, 0.97, 0.96, 0.97, 1.02, 1.06)  # Monday .. Sunday


def stable_int(*parts: object, digits: int = 15) -> int:
    """A stable id of `digits` digits for the parts (Amazon's ids are 64-bit numbers)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    low = 10 ** (digits - 1)
    return low + int(digest[:16], 16) % (9 * low)


def stochastic_round(value: float, rng: random.Random) -> int:
    """Round up with the probability of the fraction, so sums stay unbiased."""
    whole = math.floor(value)
    return whole + (1 if rng.random() < value - whole else 0)


# -- calendar -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """The days of the facts: daily data through yesterday, weeks through the last complete week.

    The last complete month is the calendar month before today's, as on the MBR pages: with daily
    data through yesterday it is always complete.
    """

    end: date  # the last day of data: yesterday
    first_day: date  # a Sunday: the first day of the first week
    days: tuple[date, ...]
    months: tuple[date, ...]  # complete months with MONTH reports (first days)
    last_month: date  # the last complete month

    @classmethod
    def build(cls, today: date, months: int) -> Calendar:
        end = today - timedelta(days=1)
        last_month = add_months(month_start(today), -1)
        first_month = add_months(last_month, -(months - 1))
        first_day = week_start(first_month)
        days = tuple(first_day + timedelta(days=i) for i in range((end - first_day).days + 1))
        complete = tuple(add_months(first_month, i) for i in range(months))
        return cls(end=end, first_day=first_day, days=days, months=complete, last_month=last_month)

    def index(self, day: date) -> int:
        return (day - self.first_day).days

    @property
    def weeks_end(self) -> date:
        """The Saturday that ends the last complete week (Sunday to Saturday)."""
        return self.end - timedelta(days=(self.end.weekday() + 2) % 7)

    def weeks(self) -> list[tuple[int, int]]:
        """(first, last) day indexes of every whole week."""
        return [(i, i + 6) for i in range(0, self.index(self.weeks_end), 7)]

    def month_spans(self) -> list[tuple[int, int]]:
        return [(self.index(m), self.index(month_end(m))) for m in self.months]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


PRIME_DAYS = {2024: (date(2024, 7, 16), 2), 2025: (date(2025, 7, 8), 4)}
BIG_DEAL_DAYS = {2024: date(2024, 10, 8), 2025: date(2025, 10, 7)}


def prime_day(year: int) -> list[date]:
    """Prime Day: Amazon's July event (known dates; otherwise the second Tuesday and Wednesday)."""
    first, length = PRIME_DAYS.get(year, (_nth_weekday(year, 7, 1, 2), 2))
    return [first + timedelta(days=i) for i in range(length)]


def big_deal_days(year: int) -> list[date]:
    first = BIG_DEAL_DAYS.get(year, _nth_weekday(year, 10, 1, 2))
    return [first, first + timedelta(days=1)]


def black_friday(year: int) -> date:
    return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)


@dataclass(frozen=True)
class Event:
    key: str  # "prime-day-2025"
    name: str
    days: tuple[date, ...]
    lift: float  # demand multiplier for every ASIN
    deal_lift: float  # extra multiplier for the deal ASINs
    promotion_type: str


def events_between(first: date, last: date, code: str) -> list[Event]:
    strong = 1.4 if code == STRONG_PRIME_DAY else 1.0
    found: list[Event] = []
    for year in range(first.year, last.year + 1):
        found.append(
            Event(f"prime-day-{year}", f"Prime Day {year}", tuple(prime_day(year)), 2.3 * strong, 2.0, "BEST_DEAL")
        )
        found.append(
            Event(
                f"big-deal-days-{year}",
                f"Prime Big Deal Days {year}",
                tuple(big_deal_days(year)),
                1.6,
                1.8,
                "LIGHTNING_DEAL",
            )
        )
        friday = black_friday(year)
        found.append(
            Event(
                f"bfcm-{year}",
                f"Black Friday / Cyber Monday {year}",
                tuple(friday + timedelta(days=i) for i in range(4)),
                2.4,
                1.7,
                "PRICE_DISCOUNT",
            )
        )
    return [e for e in found if e.days[0] >= first and e.days[-1] <= last]


def _season(kind: str, day: date) -> float:
    values = SEASONS[kind]
    days_in = calendar.monthrange(day.year, day.month)[1]
    if day.day >= 15:
        low, high = values[day.month - 1], values[day.month % 12]
        t = (day.day - 15) / days_in
    else:
        low, high = values[(day.month - 2) % 12], values[day.month - 1]
        t = (day.day + 15) / days_in
    level = low + (high - low) * min(1.0, t)
    if day.month == 12 and 24 <= day.day <= 26:
        level *= 0.6
    return level * WEEKDAY[day.weekday()]


def _calendar_lift(day: date) -> float:
    """Demand around the events that are not deals: the week before Black Friday, December gifting."""
    friday = black_friday(day.year)
    if friday - timedelta(days=8) <= day < friday:
        return 1.2
    if day.month == 12 and day.day <= 18:
        return 1.15
    return 1.0


# -- products and their simulation ------------------------------------------------------------------


@dataclass
class AsinPlan:
    """One ASIN's fixed traits, drawn once from its own generator."""

    asin: str
    title: str
    category: str
    lifecycle: str
    gtin: str
    costs: list[tuple[date, int]]  # (effective from, cost in cents), oldest first
    list_cents: int
    asp_share: float  # Amazon's selling price / list price
    base: float  # expected units a day at the end of the history
    conversion: float
    return_rate: float
    sourcing_share: float
    lead_days: int
    case_pack: int
    launch: date | None
    exit_from: date | None
    kind: str
    rng_seed: str
    cover_days: int = 35  # the stock Amazon's orders aim for, beyond the lead time
    deal_days: dict[date, str] = field(default_factory=dict)  # day -> event key
    scale: float = 1.0  # calibration to the JBP targets
    trend: float = 1.0  # extra yearly growth (calibration of a story's year-on-year change)
    reject_from: date | None = None  # story: the vendor rejects its POs from this day

    def cost_cents(self, day: date) -> int:
        value = self.costs[0][1]
        for start, cents in self.costs:
            if start <= day:
                value = cents
        return value

    def discontinued(self, day: date) -> bool:
        """Amazon stops ordering an exiting ASIN three weeks after its decline starts."""
        return self.exit_from is not None and day > self.exit_from + timedelta(days=21)

    def price_cents(self, day: date) -> int:
        asp = int(self.list_cents * self.asp_share)
        return int(self.list_cents * 0.76) if day in self.deal_days else asp


@dataclass
class PurchaseOrderLine:
    day: int  # index of the PO date
    asin: str
    requested: int
    confirmed: int
    received: int
    arrival: int  # day index of the receipt (may be after the end)
    cost_cents: int


@dataclass
class AsinFacts:
    """Daily series of one ASIN (ints; money in cents), from the first day to the end."""

    plan: AsinPlan
    ordered_units: list[int]
    ordered_cents: list[int]
    shipped_units: list[int]
    shipped_cents: list[int]
    cogs_cents: list[int]
    returns: list[int]
    src_units: list[int]
    src_cents: list[int]
    src_cogs: list[int]
    src_returns: list[int]
    glance_views: list[int]
    oos_views: list[int]  # glance views of days without stock
    received: list[int]
    received_cents: list[int]
    lead_weighted: list[int]  # receipts x their lead time in days
    on_hand: list[int]  # end of day
    open_po: list[int]  # end of day: confirmed, not yet received
    backlog: list[int]  # end of day: ordered by customers, not yet shipped
    requested: list[int]  # by PO day
    confirmed: list[int]
    po_lines: list[PurchaseOrderLine]
    live: list[bool]  # launched (Amazon lists the ASIN)
    procurable: list[bool]  # Amazon still orders it (an exiting ASIN stops being procurable)

    @classmethod
    def empty(cls, plan: AsinPlan, days: int) -> AsinFacts:
        flags = ("plan", "po_lines", "live", "procurable")
        series = {name: [0] * days for name in cls.__dataclass_fields__ if name not in flags}
        return cls(plan=plan, po_lines=[], live=[False] * days, procurable=[False] * days, **series)


def _growth(code: str, day: date, end: date) -> float:
    return float((1 + GROWTH.get(code, 0.08)) ** ((day - end).days / 365.0))


def _lifecycle(plan: AsinPlan, day: date, end: date) -> float:
    if plan.launch is not None:
        if day < plan.launch:
            return 0.0
        return min(1.0, ((day - plan.launch).days + 1) / 42) ** 1.5
    if plan.exit_from is not None and day >= plan.exit_from:
        span = max(1, (end - plan.exit_from).days)
        return max(0.12, 1 - 0.88 * (day - plan.exit_from).days / span)
    return 1.0


@dataclass(frozen=True)
class StoryShape:
    """Multipliers of the stories on one account (1.0 = no story)."""

    behind_category: str | None
    behind_from: date | None  # the decline starts here ...
    behind_bottom: date | None  # ... and bottoms out here
    traffic_floor: float = 0.68
    conversion_floor: float = 0.86

    def factors(self, category: str, day: date) -> tuple[float, float]:
        """(glance view factor, conversion factor) for a category on a day."""
        if category != self.behind_category or self.behind_from is None or self.behind_bottom is None:
            return 1.0, 1.0
        if day < self.behind_from:
            return 1.0, 1.0
        span = max(1, (self.behind_bottom - self.behind_from).days)
        t = min(1.0, (day - self.behind_from).days / span)
        return 1 - (1 - self.traffic_floor) * t, 1 - (1 - self.conversion_floor) * t


def expected_units(plan: AsinPlan, day: date, *, code: str, end: date, events: dict[date, Event]) -> float:
    """Units a customer would order on `day` with stock available (before the stories and noise)."""
    units = plan.base * plan.scale * _season(plan.kind, day) * _growth(code, day, end) * _lifecycle(plan, day, end)
    if plan.trend != 1.0:
        units *= plan.trend ** ((day - end).days / 365.0)
    event = events.get(day)
    if event is not None:
        units *= event.lift * (event.deal_lift if day in plan.deal_days else 1.0)
    else:
        units *= _calendar_lift(day)
    return units


def simulate(plan: AsinPlan, cal: Calendar, *, code: str, events: dict[date, Event], story: StoryShape) -> AsinFacts:
    """Demand, sales, traffic, returns and the replenishment of one ASIN, day by day."""
    rng = random.Random(plan.rng_seed)
    # Orders draw from their own stream: the demand noise stays the same whatever the orders do, so a
    # calibrated second run (ingest.demo.simulation._calibrate) sees the very demand it was fitted on.
    po_rng = random.Random(plan.rng_seed + ":orders")
    n = len(cal.days)
    facts = AsinFacts.empty(plan, n)
    expected = [expected_units(plan, d, code=code, end=cal.end, events=events) for d in cal.days]
    start_rate = sum(expected[:28]) / 28
    on_hand = stochastic_round(start_rate * (plan.cover_days + plan.lead_days * 0.5), rng)
    arrivals: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    open_po = 0
    backlog = 0
    weekly_noise = 1.0
    for i, day in enumerate(cal.days):
        if day.weekday() == 6:
            weekly_noise = max(0.5, 0.7 * weekly_noise + 0.3 + rng.gauss(0, 0.10))
            line = _purchase_order(plan, i, day, expected, on_hand, open_po, backlog, po_rng)
            if line is not None:
                facts.po_lines.append(line)
                facts.requested[i] += line.requested
                facts.confirmed[i] += line.confirmed
                open_po += line.confirmed
                arrivals[line.arrival].append(line)
        for line in arrivals.pop(i, []):
            on_hand += line.received
            open_po -= line.confirmed
            facts.received[i] += line.received
            facts.received_cents[i] += line.received * line.cost_cents
            facts.lead_weighted[i] += line.received * (line.arrival - line.day)
        if expected[i] <= 0:
            facts.on_hand[i], facts.open_po[i], facts.backlog[i] = on_hand, open_po, backlog
            facts.live[i] = plan.launch is None or day >= plan.launch
            continue
        facts.live[i] = True
        procurable = not plan.discontinued(day)
        facts.procurable[i] = procurable
        views_factor, conversion_factor = story.factors(plan.category, day)
        wanted_mean = expected[i] * weekly_noise * views_factor * conversion_factor
        wanted = stochastic_round(wanted_mean * math.exp(rng.gauss(0, 0.22) - 0.024), rng)
        conversion = plan.conversion * conversion_factor * (1.35 if day in plan.deal_days else 1.0)
        views = stochastic_round(wanted_mean / conversion * math.exp(rng.gauss(0, 0.08)), rng)
        # Backorders first, then today's customers; without stock some customers order anyway.
        filled_backlog = min(backlog, max(on_hand, 0))
        on_hand -= filled_backlog
        backlog -= filled_backlog
        sold = min(wanted, max(on_hand, 0))
        on_hand -= sold
        short = wanted - sold
        # A discontinued ASIN cannot be backordered; its lost sales are not an availability problem.
        backordered = stochastic_round(short * 0.35, rng) if procurable else 0
        backlog += backordered
        if short > 0 and sold == 0 and procurable:
            facts.oos_views[i] = views
        shipped = sold + filled_backlog
        price = plan.price_cents(day)
        cost = plan.cost_cents(day)
        facts.ordered_units[i] = sold + backordered
        facts.ordered_cents[i] = (sold + backordered) * price
        facts.shipped_units[i] = shipped
        facts.shipped_cents[i] = shipped * price
        facts.cogs_cents[i] = shipped * cost
        facts.glance_views[i] = views
        earlier = facts.shipped_units[i - 14] if i >= 14 else stochastic_round(expected[i], rng)
        facts.returns[i] = stochastic_round(earlier * plan.return_rate, rng)
        src = stochastic_round(shipped * plan.sourcing_share, rng)
        facts.src_units[i], facts.src_cents[i], facts.src_cogs[i] = src, src * price, src * cost
        facts.src_returns[i] = stochastic_round(facts.returns[i] * plan.sourcing_share, rng)
        facts.on_hand[i], facts.open_po[i], facts.backlog[i] = on_hand, open_po, backlog
    return facts


def _purchase_order(
    plan: AsinPlan,
    i: int,
    day: date,
    expected: list[float],
    on_hand: int,
    open_po: int,
    backlog: int,
    rng: random.Random,
) -> PurchaseOrderLine | None:
    """Amazon's weekly order: enough for the lead time plus the target cover, in whole cases.

    An exiting ASIN is no longer ordered three weeks after its decline starts: what is left ages.
    """
    if plan.discontinued(day):
        return None
    horizon = expected[i : i + plan.lead_days + plan.cover_days]
    daily = sum(horizon) / max(1, len(horizon)) if horizon else 0.0
    need = daily * (plan.lead_days + plan.cover_days) + backlog - on_hand - open_po
    if need <= 0:
        return None
    cases = max(1, round(need / plan.case_pack))
    requested = cases * plan.case_pack
    if plan.reject_from is not None and day >= plan.reject_from:
        confirmed = 0
    else:
        rate = 1.0 if rng.random() < 0.75 else rng.uniform(0.6, 0.98)
        confirmed = int(cases * rate) * plan.case_pack
    # A case short at receipt now and then: with ~25 lines per shipment, about 8 % of ASNs do not match.
    received = confirmed if rng.random() < 0.9965 else max(0, confirmed - plan.case_pack)
    lead = max(5, plan.lead_days + rng.randint(-2, 3))
    return PurchaseOrderLine(i, plan.asin, requested, confirmed, received, i + lead, plan.cost_cents(day))


# -- the account: plans, calibration, stories ----------------------------------------------------------


@dataclass
class Account:
    brand: Brand
    vendor_code: VendorCode
    marketplace_id: str
    currency: str
    plans: list[AsinPlan]
    events: dict[date, Event]
    event_list: list[Event]  # past events (with deals)
    story: StoryShape
    cal: Calendar
    facts: list[AsinFacts] = field(default_factory=list)
    stock_out: list[str] = field(default_factory=list)
    acos_spike_from: date | None = None
    targets: dict[str, Decimal] = field(default_factory=dict)  # category -> last month's COGS target

    @property
    def code(self) -> str:
        return self.vendor_code.code

    def simulate_all(self, story: StoryShape | None = None) -> list[AsinFacts]:
        story = story or self.story
        return [simulate(p, self.cal, code=self.code, events=self.events, story=story) for p in self.plans]


def _asin_plans(
    ctx: DemoContext, vendor_code: VendorCode, products: Sequence[Product], cal: Calendar
) -> list[AsinPlan]:
    costs: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for product_id, start, cost in (
        CostPriceHistory.objects.filter(product__in=products)
        .order_by("product_id", "effective_from")
        .values_list("product_id", "effective_from", "cost")
    ):
        costs[product_id].append((start, int(cost * 100)))
    plans = []
    for product in products:
        rng = ctx.rng(f"facts:plan:{vendor_code.code}:{product.asin}")
        kind, return_rate, (low, high) = CATEGORY_TRAITS.get(product.category, _DEFAULT_TRAITS)
        cost_cents = int((product.cost_price or Decimal(10)) * 100)
        list_cents = int(cost_cents * rng.uniform(1.6, 2.2) / 100) * 100 + 99
        popularity = math.exp(rng.gauss(0, 0.9))
        base = 3.2 * VOLUME.get(vendor_code.code, 0.7) * popularity * (3000 / max(cost_cents, 300)) ** 0.6
        launch = exit_from = None
        if product.lifecycle == Product.Lifecycle.LAUNCH:
            launch = cal.end - timedelta(days=rng.randint(40, 160))
        elif product.lifecycle == Product.Lifecycle.EXIT:
            exit_from = cal.end - timedelta(days=rng.randint(150, 260))
        # One ASIN in twelve was overbought (slow seller, big first order): its stock ages past 90 days.
        cover_days = rng.randint(100, 150) if rng.random() < 0.08 else rng.randint(28, 42)
        plans.append(
            AsinPlan(
                asin=product.asin,
                title=product.title,
                category=product.category,
                lifecycle=product.lifecycle,
                gtin=product.gtin,
                costs=costs.get(product.pk) or [(date.min, cost_cents)],
                list_cents=list_cents,
                asp_share=rng.uniform(0.86, 0.97),
                base=base,
                conversion=rng.uniform(low, high),
                return_rate=return_rate * rng.uniform(0.7, 1.3),
                sourcing_share=1.0 if rng.random() < 0.6 else rng.uniform(0.88, 0.99),
                lead_days=rng.randint(9, 16),
                case_pack=rng.choice((4, 6, 8, 12, 24)),
                launch=launch,
                exit_from=exit_from,
                kind=kind,
                rng_seed=f"{ctx.seed}:facts:sim:{vendor_code.code}:{product.asin}",
                cover_days=cover_days,
            )
        )
    return plans


def _choose_deals(ctx: DemoContext, code: str, plans: list[AsinPlan], events: list[Event]) -> None:
    """Three deal ASINs per event, among the ten best sellers of the account."""
    candidates = sorted(
        (p for p in plans if p.lifecycle == Product.Lifecycle.CORE), key=lambda p: (-p.base * p.list_cents, p.asin)
    )[:10]
    for event in events:
        rng = ctx.rng(f"facts:deals:{code}:{event.key}")
        for plan in rng.sample(candidates, min(3, len(candidates))):
            for day in event.days:
                plan.deal_days[day] = event.key


def category_targets(brand: Brand, vendor_code: VendorCode, month: date) -> dict[str, Decimal]:
    """Shipped COGS targets by category for one month, from the agreed, active or closed JBP plans."""
    plans = JBPPlan.objects.filter(
        brand=brand,
        marketplace_id=vendor_code.marketplace_id,
        status__in=(JBPPlan.Status.ACTIVE, JBPPlan.Status.CLOSED, JBPPlan.Status.AGREED),
    )
    targets: dict[str, Decimal] = {}
    rows = (
        JBPTarget.objects.filter(
            plan__in=plans,
            metric="SHIPPED_COGS",
            dimension_type=JBPTarget.DimensionType.CATEGORY,
            period_type=JBPTarget.PeriodType.MONTH,
            period_start=month,
        )
        .order_by("plan__version")
        .values_list("dimension_value", "target_value")
    )
    for category, value in rows:
        targets[category] = value  # the newest version wins
    return targets


def _cogs_by_category(facts: Sequence[AsinFacts], first: int, last: int) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for f in facts:
        totals[f.plan.category] += sum(f.cogs_cents[first : last + 1])
    return totals


def _calibrate(account: Account, rounds: int = 2) -> None:
    """Fit the categories to the plan: simulate without the stories, measure, scale; twice, because
    stock and whole cases make sales less than proportional to demand for slow sellers.

    - Every category with a JBP target for the last complete month lands at 95-107 % of it (the
      behind-plan category at 100 % before its story, so the story alone sets its attainment; the
      stock-out category at 110 % before its best sellers run out).
    - The behind-plan category grows BEHIND_NATURAL_YOY over last year before its decline, so its
      year-on-year drop is the story's and not an accident of the catalog (an exiting best seller).
    """
    cal = account.cal
    first, last = cal.index(cal.last_month), cal.index(month_end(cal.last_month))
    behind = account.story.behind_category
    year_ago = add_months(cal.last_month, -12)
    middle = cal.last_month + timedelta(days=14)
    for _ in range(rounds):
        natural = account.simulate_all(StoryShape(None, None, None))
        this_year = _cogs_by_category(natural, first, last)
        if behind and year_ago >= cal.first_day:
            last_year = _cogs_by_category(natural, cal.index(year_ago), cal.index(month_end(year_ago)))
            if this_year.get(behind) and last_year.get(behind):
                trend = max(0.6, min(1.8, BEHIND_NATURAL_YOY * last_year[behind] / this_year[behind]))
                for plan in account.plans:
                    if plan.category == behind:
                        plan.trend *= trend
                this_year[behind] = int(this_year[behind] * trend ** ((middle - cal.end).days / 365.0))
        for category, target in sorted(account.targets.items()):
            if not this_year.get(category):
                continue
            goal = random.Random(f"{account.code}:goal:{category}").uniform(0.95, 1.07)
            if category == behind:
                goal = 1.0  # its story alone sets its attainment
            elif account.code == STORY_ACCOUNT and category == STOCK_OUT_CATEGORY:
                goal = 1.1  # the stock-out costs the category sales; it stays behind plan but above 70 %
            factor = max(0.05, min(50.0, float(target) * 100 * goal / this_year[category]))
            for plan in account.plans:
                if plan.category == category:
                    plan.scale *= factor


def build_account(ctx: DemoContext, brand: Brand, vendor_code: VendorCode, config: FactsConfig) -> Account:
    """Plans, calibration and the simulation of one vendor code (reads the catalog and plans only)."""
    cal = Calendar.build(ctx.today, config.months)
    products = list(Product.objects.filter(vendor_code=vendor_code).order_by("category", "asin"))
    if config.asins_per_category is not None:
        kept: dict[str, int] = defaultdict(int)
        chosen = []
        for product in products:
            if kept[product.category] < config.asins_per_category:
                kept[product.category] += 1
                chosen.append(product)
        products = chosen
    code = vendor_code.code
    horizon_end = cal.end + timedelta(weeks=config.forecast_weeks + 2)
    event_list = events_between(cal.first_day, horizon_end, code)
    story = StoryShape(None, None, None)
    if code == STORY_ACCOUNT:
        story = StoryShape(
            BEHIND_PLAN_CATEGORY, cal.last_month - timedelta(days=21), cal.last_month + timedelta(days=4)
        )
    plans = _asin_plans(ctx, vendor_code, products, cal)
    past_events = [e for e in event_list if e.days[-1] <= cal.end]
    _choose_deals(ctx, code, plans, past_events)
    account = Account(
        brand=brand,
        vendor_code=vendor_code,
        marketplace_id=vendor_code.marketplace.amazon_marketplace_id,
        currency=vendor_code.marketplace.currency,
        plans=plans,
        events={day: event for event in event_list for day in event.days},
        event_list=past_events,
        story=story,
        cal=cal,
        targets=category_targets(brand, vendor_code, cal.last_month),
    )
    _calibrate(account)
    account.facts = account.simulate_all()
    if code == STORY_ACCOUNT:
        account.acos_spike_from = cal.end - timedelta(days=ACOS_SPIKE_DAYS - 1)
        account.stock_out = _stock_out_asins(plans)
        _run_out_of_stock(account)
    return account


def _stock_out_asins(plans: list[AsinPlan]) -> list[str]:
    headphones = [p for p in plans if p.category == STOCK_OUT_CATEGORY and p.lifecycle == Product.Lifecycle.CORE]
    best = sorted(headphones, key=lambda p: (-p.base * p.scale * p.list_cents, p.asin))
    return sorted(p.asin for p in best[:STOCK_OUT_COUNT])


def out_of_stock_since(facts: AsinFacts) -> int | None:
    """The first day index from which sellable on hand stays at 0 to the end (None if it has stock)."""
    since = None
    for i in range(len(facts.on_hand) - 1, -1, -1):
        if facts.on_hand[i] > 0:
            break
        since = i
    return since


def _run_out_of_stock(account: Account) -> None:
    """The vendor rejects the story ASINs' POs from the latest week that still empties their stock
    before the last complete month ends (at least two weeks before the end of the data)."""
    cal = account.cal
    deadline = min(len(cal.days) - 15, cal.index(month_end(cal.last_month)) - 3)
    by_asin = {f.plan.asin: i for i, f in enumerate(account.facts)}
    for asin in account.stock_out:
        index = by_asin[asin]
        plan = account.facts[index].plan
        for weeks in range(5, 30):
            plan.reject_from = cal.end - timedelta(weeks=weeks) + timedelta(days=1)
            facts = simulate(plan, cal, code=account.code, events=account.events, story=account.story)
            since = out_of_stock_since(facts)
            if since is not None and since <= deadline:
                break
        account.facts[index] = facts
