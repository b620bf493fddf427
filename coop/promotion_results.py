"""Promotion results: lift against a baseline, incremental revenue, ROI and halo. Pure: no ORM.

Baseline (issue 7): "the same ASINs over the prior four comparable weeks without promotions". For
each ASIN and each local day the promotion ran, the comparable days are the same weekday 1, 2, 3 ...
weeks earlier; days on which the ASIN had any promotion, and days without a sales row (not reported
is not zero), are skipped until four clean weeks are found or the look-back limit is reached. The
baseline of that ASIN-day is the mean of those days. Weekday matching keeps weekends compared with
weekends.

Definitions (ratios are fractions, None when the denominator is zero or missing):
- lift = actual units / baseline units - 1 (units, because a discount lowers the price per unit)
- incremental units / revenue = actual - baseline, over the ASIN-days that have a baseline
- ROI = (incremental revenue - vendor cost) / vendor cost
- halo = the same lift computed on the brand's other ASINs in the marketplace over the same days
  (each ASIN's own promotion days excluded), i.e. sales the promotion pulled to the rest of the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from core.money import round2
from core.money import safe_ratio

ZERO = Decimal("0")
BASELINE_WEEKS = 4
MAX_LOOKBACK_WEEKS = 12


@dataclass(frozen=True)
class DailySales:
    asin: str
    day: date  # local date in the marketplace
    units: int | None
    revenue: Decimal | None


@dataclass(frozen=True)
class LiftResult:
    actual_units: int
    actual_revenue: Decimal
    baseline_units: Decimal | None  # None when no ASIN-day had a baseline
    baseline_revenue: Decimal | None
    lift: Decimal | None
    revenue_lift: Decimal | None
    incremental_units: Decimal | None
    incremental_revenue: Decimal | None
    asin_days: int  # ASIN-days compared (with both actual sales and a baseline)
    asin_days_without_baseline: int
    asin_days_without_sales: int
    short_baselines: int  # ASIN-days whose baseline has fewer than four clean weeks

    @property
    def note(self) -> str:
        parts: list[str] = []
        if self.asin_days == 0:
            return "No daily sales with a clean baseline: lift cannot be computed yet."
        parts.append(f"Baseline from {self.asin_days} ASIN-day{'s' if self.asin_days != 1 else ''}")
        if self.short_baselines:
            parts.append(f"{self.short_baselines} with fewer than {BASELINE_WEEKS} clean weeks")
        if self.asin_days_without_baseline:
            parts.append(f"{self.asin_days_without_baseline} left out (no clean week in {MAX_LOOKBACK_WEEKS})")
        if self.asin_days_without_sales:
            parts.append(f"{self.asin_days_without_sales} without daily sales yet")
        return "; ".join(parts) + "."


def _index(rows: Iterable[DailySales]) -> dict[tuple[str, date], DailySales]:
    return {(row.asin, row.day): row for row in rows}


def lift_against_baseline(
    *,
    sales: Iterable[DailySales],
    asins: Iterable[str],
    days: Sequence[date],
    busy_days: Mapping[str, set[date]],
    weeks: int = BASELINE_WEEKS,
    max_lookback_weeks: int = MAX_LOOKBACK_WEEKS,
) -> LiftResult:
    """Actual sales on `days` for `asins` against each ASIN-day's baseline of comparable clean weeks.

    `busy_days[asin]` are the days the ASIN had any promotion (including the one being measured);
    they never enter a baseline, and an ASIN-day that is busy for another reason than the measured
    promotion should be left out of `days` by the caller (halo does this).
    """
    return _lift(
        _index(sales), asins=asins, days=days, busy_days=busy_days, weeks=weeks, max_lookback_weeks=max_lookback_weeks
    )


def _lift(
    index: Mapping[tuple[str, date], DailySales],
    *,
    asins: Iterable[str],
    days: Sequence[date],
    busy_days: Mapping[str, set[date]],
    weeks: int = BASELINE_WEEKS,
    max_lookback_weeks: int = MAX_LOOKBACK_WEEKS,
) -> LiftResult:
    actual_units = 0
    actual_revenue = ZERO
    base_units = ZERO
    base_revenue = ZERO
    compared = without_baseline = without_sales = short = 0
    for asin in sorted(set(asins)):
        busy = busy_days.get(asin, set())
        for day in days:
            row = index.get((asin, day))
            if row is None or row.units is None:
                without_sales += 1
                continue
            found: list[DailySales] = []
            for k in range(1, max_lookback_weeks + 1):
                candidate_day = day - timedelta(weeks=k)
                if candidate_day in busy:
                    continue
                candidate = index.get((asin, candidate_day))
                if candidate is None or candidate.units is None:
                    continue
                found.append(candidate)
                if len(found) == weeks:
                    break
            if not found:
                without_baseline += 1
                continue
            if len(found) < weeks:
                short += 1
            compared += 1
            actual_units += row.units
            actual_revenue += row.revenue or ZERO
            count = Decimal(len(found))
            base_units += Decimal(sum(c.units or 0 for c in found)) / count
            base_revenue += sum((c.revenue or ZERO for c in found), ZERO) / count
    if compared == 0:
        return LiftResult(0, ZERO, None, None, None, None, None, None, 0, without_baseline, without_sales, short)
    units_ratio = safe_ratio(Decimal(actual_units), base_units)
    revenue_ratio = safe_ratio(actual_revenue, base_revenue)
    return LiftResult(
        actual_units=actual_units,
        actual_revenue=round2(actual_revenue),
        baseline_units=round2(base_units),
        baseline_revenue=round2(base_revenue),
        lift=None if units_ratio is None else units_ratio - 1,
        revenue_lift=None if revenue_ratio is None else revenue_ratio - 1,
        incremental_units=round2(Decimal(actual_units) - base_units),
        incremental_revenue=round2(actual_revenue - base_revenue),
        asin_days=compared,
        asin_days_without_baseline=without_baseline,
        asin_days_without_sales=without_sales,
        short_baselines=short,
    )


def halo_against_baseline(
    *,
    sales: Iterable[DailySales],
    other_asins: Iterable[str],
    days: Sequence[date],
    busy_days: Mapping[str, set[date]],
) -> LiftResult:
    """Lift on the brand's other ASINs over the promotion's days, leaving out each ASIN's own
    promotion days (those sales belong to its own promotion, not to the halo)."""
    index = _index(sales)
    total: LiftResult | None = None
    for asin in sorted(set(other_asins)):
        busy = busy_days.get(asin, set())
        own_days = [d for d in days if d not in busy]
        if not own_days:
            continue
        part = _lift(index, asins=[asin], days=own_days, busy_days=busy_days)
        total = part if total is None else _add(total, part)
    if total is None:
        return LiftResult(0, ZERO, None, None, None, None, None, None, 0, 0, 0, 0)
    return total


def _add(a: LiftResult, b: LiftResult) -> LiftResult:
    def plus(x: Decimal | None, y: Decimal | None) -> Decimal | None:
        if x is None:
            return y
        if y is None:
            return x
        return x + y

    units = a.actual_units + b.actual_units
    revenue = a.actual_revenue + b.actual_revenue
    base_units = plus(a.baseline_units, b.baseline_units)
    base_revenue = plus(a.baseline_revenue, b.baseline_revenue)
    units_ratio = safe_ratio(Decimal(units), base_units)
    revenue_ratio = safe_ratio(revenue, base_revenue)
    return LiftResult(
        actual_units=units,
        actual_revenue=revenue,
        baseline_units=base_units,
        baseline_revenue=base_revenue,
        lift=None if units_ratio is None else units_ratio - 1,
        revenue_lift=None if revenue_ratio is None else revenue_ratio - 1,
        incremental_units=plus(a.incremental_units, b.incremental_units),
        incremental_revenue=plus(a.incremental_revenue, b.incremental_revenue),
        asin_days=a.asin_days + b.asin_days,
        asin_days_without_baseline=a.asin_days_without_baseline + b.asin_days_without_baseline,
        asin_days_without_sales=a.asin_days_without_sales + b.asin_days_without_sales,
        short_baselines=a.short_baselines + b.short_baselines,
    )


def roi(*, incremental_revenue: Decimal | None, vendor_cost: Decimal | None) -> Decimal | None:
    """(incremental revenue - vendor cost) / vendor cost; None when either is unknown or cost is 0."""
    if incremental_revenue is None or vendor_cost is None:
        return None
    ratio = safe_ratio(incremental_revenue - vendor_cost, vendor_cost)
    return ratio


@dataclass(frozen=True)
class SummaryRow:
    """One promotion's stored results, as the post-event summary adds them up."""

    currency: str
    units_sold: int | None
    revenue: Decimal | None
    vendor_cost: Decimal | None
    incremental_revenue: Decimal | None
    baseline_units: Decimal | None
    sales_units: int | None


@dataclass(frozen=True)
class SummaryTotals:
    currency: str
    promotions: int
    units_sold: int
    revenue: Decimal
    vendor_cost: Decimal
    incremental_revenue: Decimal | None
    lift: Decimal | None  # ratio of sums over promotions that have a baseline
    roi: Decimal | None


def summarize(rows: Sequence[SummaryRow]) -> list[SummaryTotals]:
    """Totals per currency (never adding two currencies); ratios are ratios of the sums."""
    by_currency: dict[str, list[SummaryRow]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row)
    out: list[SummaryTotals] = []
    for currency, group in sorted(by_currency.items()):
        with_baseline = [r for r in group if r.baseline_units is not None and r.sales_units is not None]
        base = sum((r.baseline_units or ZERO for r in with_baseline), ZERO)
        actual = Decimal(sum(r.sales_units or 0 for r in with_baseline))
        ratio = safe_ratio(actual, base) if with_baseline else None
        incremental_values = [r.incremental_revenue for r in group if r.incremental_revenue is not None]
        incremental = sum(incremental_values, ZERO) if incremental_values else None
        cost_of_measured = sum(
            (r.vendor_cost or ZERO for r in group if r.incremental_revenue is not None and r.vendor_cost is not None),
            ZERO,
        )
        out.append(
            SummaryTotals(
                currency=currency,
                promotions=len(group),
                units_sold=sum(r.units_sold or 0 for r in group),
                revenue=sum((r.revenue or ZERO for r in group), ZERO),
                vendor_cost=sum((r.vendor_cost or ZERO for r in group), ZERO),
                incremental_revenue=incremental,
                lift=None if ratio is None else ratio - 1,
                roi=roi(incremental_revenue=incremental, vendor_cost=cost_of_measured)
                if incremental is not None
                else None,
            )
        )
    return out
