"""Pure co-op arithmetic (DOMAIN.md §3, §5.2, §5.3): no ORM, no settings, no I/O.

Conventions: money is Decimal rounded half-up to cents only where an amount is *charged* (an
accrual, a claim, a rebate); rates and thresholds are fractions (0.08 = 8 %); brand shares on fund
allocation lines are percentages 0-100 because DOMAIN.md §3.5 states them that way. A ratio that is
undefined is None, never 0. Services and selectors read the data, call these functions and store
the results; the promotions code reuses `promotion_funding` and `coupon_budget_draw`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from core.money import round2
from core.money import safe_ratio
from core.periods import add_months

ZERO = Decimal("0")
HUNDRED = Decimal("100")


# --------------------------------------------------------------------------------------------------
# Accruals (§3.2)


def net_receipts(*, received_cost: Decimal, returned_cost: Decimal) -> Decimal:
    """Received cost minus returned-to-vendor cost; may be negative (more returned than received)."""
    return received_cost - returned_cost


def percentage_accrual(*, basis: Decimal, rate: Decimal) -> Decimal:
    """round2(basis x rate). A negative basis gives a negative accrual (a credit): never clamped."""
    return round2(basis * rate)


def per_unit_accrual(*, units: int | Decimal, per_unit_amount: Decimal) -> Decimal:
    return round2(Decimal(units) * per_unit_amount)


@dataclass(frozen=True)
class PeriodAmount:
    """One fact row reduced to what an accrual needs: its period (inclusive) and an amount."""

    start: date
    end: date
    amount: Decimal


@dataclass(frozen=True)
class WindowBasis:
    amount: Decimal
    prorated: bool  # True when at least one row straddled the window and was split by days
    rows: int  # rows that overlapped the window


def basis_in_window(rows: Iterable[PeriodAmount], *, window_start: date, window_end: date) -> WindowBasis:
    """Sum of the rows' amounts that fall inside [window_start, window_end].

    A row wholly inside counts fully; a row that straddles an edge (a retail week across a month
    end, a month when the agreement starts on the 15th) counts by its share of days inside, because
    charges outside the agreement's dates must not be counted (§3.2) and the facts have no finer date.
    """
    total = ZERO
    prorated = False
    count = 0
    for row in rows:
        overlap_start = max(row.start, window_start)
        overlap_end = min(row.end, window_end)
        if overlap_end < overlap_start:
            continue
        count += 1
        if overlap_start == row.start and overlap_end == row.end:
            total += row.amount
            continue
        prorated = True
        row_days = (row.end - row.start).days + 1
        inside_days = (overlap_end - overlap_start).days + 1
        total += row.amount * Decimal(inside_days) / Decimal(row_days)
    return WindowBasis(amount=round2(total), prorated=prorated, rows=count)


def provisional_true_up(*, provisional_charged: Decimal, negotiated_expected: Decimal) -> Decimal:
    """What Amazon owes back (positive) or still charges (negative) once a negotiated rate replaces
    the provisional one retroactively (§3.2: 24,000.00 - 19,200.00 = 4,800.00 credit to the vendor)."""
    return round2(provisional_charged - negotiated_expected)


# --------------------------------------------------------------------------------------------------
# Growth incentive tiers (§3.2)


class TierMode(StrEnum):
    ALL_UNITS_RETROACTIVE = "ALL_UNITS_RETROACTIVE"
    INCREMENTAL_BANDS = "INCREMENTAL_BANDS"


@dataclass(frozen=True)
class Tier:
    threshold: Decimal  # growth fraction, inclusive lower bound (0.05 = +5 %)
    rate: Decimal  # fraction of the measured amount (0.01 = 1 %)


def sorted_tiers(tiers: Iterable[Tier]) -> list[Tier]:
    """Tiers ascending by threshold; two tiers with the same threshold are a data error."""
    ordered = sorted(tiers, key=lambda tier: tier.threshold)
    for lower, upper in pairwise(ordered):
        if lower.threshold == upper.threshold:
            raise ValueError(f"two tiers share the threshold {lower.threshold}")
    return ordered


def growth_rate(*, actual: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    """actual / baseline - 1, or None when the baseline is missing, zero or negative.

    A zero baseline is not "infinite growth" (§3.2 edge case); a negative one has no meaning.
    """
    if actual is None or baseline is None or baseline <= 0:
        return None
    ratio = safe_ratio(actual, baseline)
    return None if ratio is None else ratio - 1


def reached_tier(growth: Decimal | None, tiers: Sequence[Tier]) -> Tier | None:
    """The highest tier whose threshold is at or below `growth` (thresholds are inclusive)."""
    if growth is None:
        return None
    reached = None
    for tier in sorted_tiers(tiers):
        if growth >= tier.threshold:
            reached = tier
    return reached


def next_tier(growth: Decimal | None, tiers: Sequence[Tier]) -> Tier | None:
    """The lowest tier not yet reached, or None when the top tier is reached or growth is undefined."""
    if growth is None:
        return None
    for tier in sorted_tiers(tiers):
        if growth < tier.threshold:
            return tier
    return None


def growth_rebate(
    *, actual: Decimal | None, baseline: Decimal | None, tiers: Sequence[Tier], mode: TierMode | str
) -> Decimal | None:
    """The rebate for a period's measured amount against its baseline.

    ALL_UNITS_RETROACTIVE: the highest tier reached applies to the whole amount.
    INCREMENTAL_BANDS: each tier's rate applies only to the slice of the amount between its
    threshold and the next one (band edges are baseline x (1 + threshold)).
    None when growth is undefined (baseline zero or missing); 0 below the first threshold.
    """
    growth = growth_rate(actual=actual, baseline=baseline)
    if growth is None or actual is None or baseline is None:
        return None
    ordered = sorted_tiers(tiers)
    if TierMode(mode) is TierMode.ALL_UNITS_RETROACTIVE:
        tier = reached_tier(growth, ordered)
        return round2(actual * tier.rate) if tier else round2(ZERO)
    total = ZERO
    for index, tier in enumerate(ordered):
        lower = baseline * (1 + tier.threshold)
        upper = baseline * (1 + ordered[index + 1].threshold) if index + 1 < len(ordered) else None
        top = actual if upper is None else min(actual, upper)
        if top > lower:
            total += (top - lower) * tier.rate
    return round2(total)


@dataclass(frozen=True)
class GrowthProjection:
    """Where a growth agreement stands mid-period and what reaching the next tier is worth."""

    growth_to_date: Decimal | None
    projected_amount: Decimal | None  # run-rate projection of the measured amount at period end
    projected_growth: Decimal | None
    current_tier: Tier | None  # reached by the projection
    next_tier: Tier | None
    amount_for_next_tier: Decimal | None  # measured amount needed at period end for the next tier
    gap_to_next_tier: Decimal | None  # amount_for_next_tier - projected_amount (money, >= 0)
    projected_rebate: Decimal | None
    rebate_at_next_tier: Decimal | None
    amount_at_stake: Decimal | None  # rebate_at_next_tier - projected_rebate


def growth_projection(
    *,
    actual_to_date: Decimal,
    baseline_to_date: Decimal | None,
    baseline_full_period: Decimal | None,
    elapsed_days: int,
    total_days: int,
    tiers: Sequence[Tier],
    mode: TierMode | str,
) -> GrowthProjection:
    """Growth to date against the same span of the baseline, and a run-rate projection to period end.

    The projection assumes the pace so far continues: actual_to_date x total_days / elapsed_days.
    """
    growth_to_date = growth_rate(actual=actual_to_date, baseline=baseline_to_date)
    projected = None
    if elapsed_days > 0 and total_days > 0:
        projected = round2(actual_to_date * Decimal(total_days) / Decimal(elapsed_days))
    projected_growth = growth_rate(actual=projected, baseline=baseline_full_period)
    current = reached_tier(projected_growth, tiers)
    upcoming = next_tier(projected_growth, tiers)
    needed = gap = at_next = at_stake = None
    projected_rebate = growth_rebate(actual=projected, baseline=baseline_full_period, tiers=tiers, mode=mode)
    if upcoming is not None and baseline_full_period is not None and projected is not None:
        exact = baseline_full_period * (1 + upcoming.threshold)
        needed = round2(exact)
        gap = max(ZERO, needed - projected)
        # The rebate at exactly the threshold: rounding `needed` to cents could land a hair below it.
        at_next = growth_rebate(actual=exact, baseline=baseline_full_period, tiers=tiers, mode=mode)
        if at_next is not None and projected_rebate is not None:
            at_stake = at_next - projected_rebate
    return GrowthProjection(
        growth_to_date=growth_to_date,
        projected_amount=projected,
        projected_growth=projected_growth,
        current_tier=current,
        next_tier=upcoming,
        amount_for_next_tier=needed,
        gap_to_next_tier=gap,
        projected_rebate=projected_rebate,
        rebate_at_next_tier=at_next,
        amount_at_stake=at_stake,
    )


# --------------------------------------------------------------------------------------------------
# Price protection (§3.3)


def price_protection_claim(*, old_cost: Decimal, new_cost: Decimal, on_hand_units: int | Decimal) -> Decimal:
    """(old - new) x units on hand at the effective date. A cost increase never credits the vendor,
    and negative on-hand (backorders) holds no stock to re-price, so both give 0."""
    if new_cost >= old_cost or on_hand_units <= 0:
        return round2(ZERO)
    return round2((old_cost - new_cost) * Decimal(on_hand_units))


# --------------------------------------------------------------------------------------------------
# Invoice audit (§3.4, §6 COOP_VARIANCE)


@dataclass(frozen=True)
class VarianceCheck:
    variance: Decimal  # invoiced - expected (positive = Amazon charged more than expected)
    tolerance: Decimal
    flagged: bool


def invoice_variance(
    *,
    invoiced: Decimal,
    expected: Decimal,
    tolerance_pct: Decimal = Decimal("0.01"),
    tolerance_min: Decimal = Decimal("50.00"),
) -> VarianceCheck:
    """Flag when |invoiced - expected| > max(tolerance_pct x |expected|, tolerance_min)."""
    variance = round2(invoiced - expected)
    tolerance = max(round2(abs(expected) * tolerance_pct), tolerance_min)
    return VarianceCheck(variance=variance, tolerance=tolerance, flagged=abs(variance) > tolerance)


def implied_rate(*, invoiced: Decimal, basis: Decimal) -> Decimal | None:
    """The rate an invoice implies on the accrual's basis (None when the basis is zero)."""
    return safe_ratio(invoiced, basis)


def period_inside(*, start: date, end: date, window_start: date, window_end: date | None) -> bool:
    """Whether [start, end] lies inside [window_start, window_end] (open end = no end)."""
    return start >= window_start and (window_end is None or end <= window_end)


# --------------------------------------------------------------------------------------------------
# Dispute deadlines (§3.4)


@dataclass(frozen=True)
class DisputeWindow:
    """How long after its base date a dispute may be filed, and how often."""

    months: int = 0
    days: int = 0
    holding_days: int = 0  # no filing before base date + holding_days (shortage inventory matching)
    max_attempts: int | None = None  # None = no documented limit


DEFAULT_DISPUTE_WINDOWS: dict[str, DisputeWindow] = {
    # Co-op: 2 years from the invoice date, re-disputes allowed [S18].
    "COOP": DisputeWindow(months=24),
    # Shortage: 2 years from the deduction, not in the first 35 days after the invoice [S18,S19].
    "SHORTAGE": DisputeWindow(months=24, holding_days=35),
    # Price claims: no public window found; the co-op window is the working assumption (configurable).
    "PRICE": DisputeWindow(months=24),
    # Chargeback: 30 days from notification, at most 2 disputes per chargeback [S21,S22].
    "CHARGEBACK": DisputeWindow(days=30, max_attempts=2),
}


@dataclass(frozen=True)
class DisputeDates:
    earliest_filing_date: date
    deadline: date


def dispute_dates(*, base_date: date, window: DisputeWindow, holding_base_date: date | None = None) -> DisputeDates:
    """deadline = base date + window; earliest filing = (holding base, else base) + holding days."""
    deadline = add_months(base_date, window.months) + timedelta(days=window.days)
    earliest = (holding_base_date or base_date) + timedelta(days=window.holding_days)
    return DisputeDates(earliest_filing_date=earliest, deadline=deadline)


def days_left(*, deadline: date, today: date) -> int:
    """Days until the deadline; 0 on the day itself, negative once it has passed."""
    return (deadline - today).days


# --------------------------------------------------------------------------------------------------
# Promotion funding (§3.5) and coupon budget (§5.3); reused by promotions


@dataclass(frozen=True)
class PromotionFunding:
    customer_discount_per_unit: Decimal
    vendor_funding_per_unit: Decimal
    amazon_invest_per_unit: Decimal
    vendor_share: Decimal | None  # fraction; None when there is no customer discount
    vendor_cost: Decimal


def promotion_funding(
    *,
    reference_price: Decimal,
    promo_price: Decimal,
    vendor_funding_per_unit: Decimal,
    units_sold: int | Decimal,
    merchandising_fee: Decimal = ZERO,
) -> PromotionFunding:
    """Who pays what for a per-unit-funded deal. The vendor pays its funding on every unit sold,
    whatever Amazon's price; Amazon invests whatever discount exceeds that funding."""
    discount = reference_price - promo_price
    return PromotionFunding(
        customer_discount_per_unit=discount,
        vendor_funding_per_unit=vendor_funding_per_unit,
        amazon_invest_per_unit=max(ZERO, discount - vendor_funding_per_unit),
        vendor_share=safe_ratio(vendor_funding_per_unit, discount),
        vendor_cost=round2(Decimal(units_sold) * vendor_funding_per_unit + merchandising_fee),
    )


def coupon_discount_per_unit(*, discount_type: str, discount_amount: Decimal, list_price: Decimal) -> Decimal:
    """Money off one unit: PERCENT_OFF_LIST_PRICE takes discount_amount as a percentage (20 = 20 %)."""
    if discount_type == "PERCENT_OFF_LIST_PRICE":
        return round2(list_price * discount_amount / HUNDRED)
    if discount_type == "AMOUNT_OFF_LIST_PRICE":
        return discount_amount
    raise ValueError(f"unknown coupon discount type {discount_type!r}")


def coupon_budget_draw(
    *,
    discount_per_redemption: Decimal,
    redemptions: int,
    fee_per_redemption: Decimal,
    clips: int = 0,
    fee_per_clip: Decimal = ZERO,
) -> Decimal:
    """Budget consumed: discount x redemptions + redemption fees (+ clip fees where charged)."""
    return round2(discount_per_redemption * redemptions + fee_per_redemption * redemptions + fee_per_clip * clips)


# --------------------------------------------------------------------------------------------------
# Fund allocations (§5.2)


def share_split(*, amount: Decimal, brand_share_pct: Decimal) -> tuple[Decimal, Decimal]:
    """(brand part, Amazon part) of a line; the two always add up to the line amount exactly."""
    if not ZERO <= brand_share_pct <= HUNDRED:
        raise ValueError(f"brand share must be between 0 and 100 %, got {brand_share_pct}")
    brand_part = round2(amount * brand_share_pct / HUNDRED)
    return brand_part, amount - brand_part


def approvals_required(*, total_amount: Decimal, second_approval_above: Decimal) -> int:
    """Two distinct finance approvers strictly above the threshold, one otherwise."""
    return 2 if total_amount > second_approval_above else 1
