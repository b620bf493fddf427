"""Retail availability and sell-through rules: OOS_RISK and SELL_THROUGH_BELOW_BENCHMARK (DOMAIN.md §6).

The formulas are reviews.metrics' (weeks of cover, average weekly units, PPOOS); these functions only
compare their results with the brand's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from reviews.alert_rules.base import EntityRef
from reviews.alert_rules.base import Finding
from reviews.alert_rules.base import Link
from reviews.alert_rules.base import Number
from reviews.alert_rules.base import RuleCode
from reviews.alert_rules.base import RuleSpec
from reviews.alert_rules.base import Severity
from reviews.alert_rules.base import Unit
from reviews.alert_rules.base import dec
from reviews.alert_rules.base import number_schema
from reviews.alert_rules.base import object_schema
from reviews.metrics import average_weekly_units
from reviews.metrics import ppoos
from reviews.metrics import weeks_of_cover

OOS_SPEC = RuleSpec(
    code=RuleCode.OOS_RISK,
    family="Availability",
    condition=(
        "Weeks of cover under the vendor lead time plus safety weeks, or no sellable stock with customer "
        "orders waiting, or the PPOOS rate above the threshold (latest complete week, per ASIN)."
    ),
    default_severity=Severity.CRITICAL,
    defaults={"safety_weeks": "1", "ppoos_threshold": "0.05", "trailing_weeks": 4, "escalation_hours": 24},
    schema=object_schema(
        {
            "safety_weeks": number_schema(0, 52),
            "ppoos_threshold": number_schema(0, 1),
            "trailing_weeks": {"type": "integer", "minimum": 1, "maximum": 13},
            "escalation_hours": {"type": "integer", "minimum": 1, "maximum": 240},
        }
    ),
    triggers=frozenset({"rollup"}),
    parameter_help={
        "safety_weeks": "Weeks of cover wanted on top of Amazon's average vendor lead time.",
        "ppoos_threshold": "Procurable-product out-of-stock rate above which the ASIN is flagged (0.05 = 5 %).",
        "trailing_weeks": "Complete weeks of shipments averaged for weeks of cover.",
        "escalation_hours": "Hours to hold the buyer meeting before an unacknowledged alert escalates.",
    },
)

SELL_THROUGH_SPEC = RuleSpec(
    code=RuleCode.SELL_THROUGH_BELOW_BENCHMARK,
    family="Availability",
    condition=(
        "Sell-through under the category benchmark (Benchmark table) for N consecutive complete weeks, "
        "per ASIN or per category."
    ),
    default_severity=Severity.MEDIUM,
    defaults={"weeks": 3, "dimension": "ASIN"},
    schema=object_schema(
        {
            "weeks": {"type": "integer", "minimum": 1, "maximum": 26},
            "dimension": {"enum": ["ASIN", "CATEGORY"]},
        }
    ),
    triggers=frozenset({"rollup"}),
    parameter_help={
        "weeks": "Consecutive complete retail weeks under the benchmark before an alert opens.",
        "dimension": "Judge each ASIN, or each category as a whole.",
    },
)


@dataclass(frozen=True)
class StockPosition:
    """One ASIN's latest complete week of inventory, with its trailing shipments."""

    product: EntityRef
    vendor_code_id: int
    week_start: date
    on_hand_units: int | None
    unfilled_units: int | None
    trailing_shipped_units: int | None
    trailing_days: int  # days the trailing shipments cover
    lead_time_days: Decimal | None  # Amazon's average vendor lead time
    oos_glance_views: Decimal | None  # Σ PPOOS rate x glance views
    glance_views: int | None
    distributor_view: str = ""
    links: tuple[Link, ...] = ()


def evaluate_oos(positions: Sequence[StockPosition], params: Mapping[str, Any]) -> list[Finding]:
    safety = dec(params["safety_weeks"])
    ppoos_threshold = dec(params["ppoos_threshold"])
    findings: list[Finding] = []
    for p in positions:
        avg = average_weekly_units(p.trailing_shipped_units, p.trailing_days) if p.trailing_days else None
        cover = weeks_of_cover(p.on_hand_units, avg)
        lead_weeks = p.lead_time_days / 7 if p.lead_time_days is not None else None
        needed = lead_weeks + safety if lead_weeks is not None else None
        rate = ppoos(p.oos_glance_views, p.glance_views)
        reasons: list[str] = []
        if cover is not None and needed is not None and cover < needed:
            reasons.append("COVER")
        if p.on_hand_units is not None and p.on_hand_units <= 0 and (p.unfilled_units or 0) > 0:
            reasons.append("STOCKOUT_WITH_ORDERS")
        if rate is not None and rate > ppoos_threshold:
            reasons.append("PPOOS")
        if not reasons:
            continue
        # The headline is the most urgent reason: customers already waiting, then cover, then PPOOS.
        measured: Decimal | None
        threshold: Decimal | None
        if "STOCKOUT_WITH_ORDERS" in reasons:
            measured, threshold, unit = Decimal(p.unfilled_units or 0), Decimal(0), Unit.UNITS
            title = f"{p.product.label}: out of stock with {p.unfilled_units} customer orders unfilled"
        elif "COVER" in reasons:
            measured, threshold, unit = cover, needed, Unit.WEEKS
            title = f"{p.product.label}: {cover:.2f} weeks of cover, under lead time + safety ({needed:.2f} weeks)"
        else:
            measured, threshold, unit = rate, ppoos_threshold, Unit.RATIO
            shown = rate * 100 if rate is not None else Decimal(0)
            title = f"{p.product.label}: PPOOS {shown:.1f} %, above {ppoos_threshold * 100:.1f} %"
        findings.append(
            Finding(
                entity=p.product,
                period_key="",
                title=title,
                measured_value=measured,
                threshold=threshold,
                unit=unit,
                vendor_code_id=p.vendor_code_id,
                numbers=(
                    Number("Week", f"{p.week_start:%d %b} to {p.week_start + timedelta(days=6):%d %b %Y}"),
                    Number("Sellable on hand", p.on_hand_units, Unit.UNITS),
                    Number("Unfilled customer orders", p.unfilled_units, Unit.UNITS),
                    Number("Average weekly shipped units", avg, Unit.UNITS),
                    Number("Weeks of cover", cover, Unit.WEEKS),
                    Number("Average vendor lead time", lead_weeks, Unit.WEEKS),
                    Number("Lead time + safety", needed, Unit.WEEKS),
                    Number("PPOOS rate", rate, Unit.RATIO),
                    Number("PPOOS threshold", ppoos_threshold, Unit.RATIO),
                ),
                links=p.links,
                facts={"reasons": reasons, "distributor_view": p.distributor_view},
            )
        )
    return findings


@dataclass(frozen=True)
class SellThroughSeries:
    """Weekly sell-through of one ASIN or category, oldest first; only complete weeks."""

    entity: EntityRef
    period_key: str
    vendor_code_id: int
    category: str
    weeks: tuple[tuple[date, Decimal | None], ...]
    benchmark: Decimal | None
    benchmark_source: str = ""
    links: tuple[Link, ...] = ()


def evaluate_sell_through(series: Sequence[SellThroughSeries], params: Mapping[str, Any]) -> list[Finding]:
    needed = int(params["weeks"])
    findings: list[Finding] = []
    for s in series:
        if s.benchmark is None or len(s.weeks) < needed:
            continue
        run = s.weeks[-needed:]
        consecutive = all(b[0] - a[0] == timedelta(days=7) for a, b in pairwise(run))
        if not consecutive or any(rate is None or rate >= s.benchmark for _, rate in run):
            continue
        latest = run[-1][1]
        findings.append(
            Finding(
                entity=s.entity,
                period_key=s.period_key,
                title=(
                    f"{s.entity.label}: sell-through under the {s.category or 'category'} benchmark "
                    f"({s.benchmark * 100:.1f} %) for {needed} weeks running"
                ),
                measured_value=latest,
                threshold=s.benchmark,
                unit=Unit.RATIO,
                vendor_code_id=s.vendor_code_id,
                numbers=(
                    *(Number(f"Week of {week:%d %b %Y}", rate, Unit.RATIO) for week, rate in run),
                    Number("Benchmark", s.benchmark, Unit.RATIO),
                    Number("Benchmark source", s.benchmark_source),
                ),
                links=s.links,
                facts={"weeks": [week.isoformat() for week, _ in run]},
            )
        )
    return findings
