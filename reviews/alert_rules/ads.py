"""ACOS_ABOVE_TARGET (DOMAIN.md §6, §4.1): 7-day ACoS above the JBP (or brand-set) target, on settled data.

Conversions are restated 1, 7 and 28 days after they happen, so with the 14-day vendor window a day
moves for up to 42 days (DOMAIN.md §4.1). The ads facts carry no data state, so "FINAL-or-older" is
the latest complete retail week (Sunday-Saturday, 7 days) that ended at least `final_after_days` ago.
ACoS is reviews.metrics.acos on the week's sums of one attribution window.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from core.periods import week_end
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
from reviews.alert_rules.base import opt_dec
from reviews.metrics import acos
from reviews.metrics import spend_without_sales

SPEC = RuleSpec(
    code=RuleCode.ACOS_ABOVE_TARGET,
    family="Advertising",
    condition=(
        "The ACoS of the latest settled complete week (7 days) is above the ACoS target of the active JBP, "
        "or above the brand's own target when the plan has none."
    ),
    default_severity=Severity.LOW,
    defaults={"final_after_days": 42, "target_acos": None, "medium_over_target_by": "0.25"},
    schema=object_schema(
        {
            "final_after_days": {"type": "integer", "minimum": 0, "maximum": 60},
            "target_acos": {"anyOf": [{"type": "null"}, number_schema(0, 10)]},
            "medium_over_target_by": number_schema(0, 10),
        }
    ),
    triggers=frozenset({"rollup"}),
    parameter_help={
        "final_after_days": "Days after which a day's ad data counts as final (14-day window: 42).",
        "target_acos": "ACoS target used when no active JBP has one (empty = only JBP targets).",
        "medium_over_target_by": "Relative overshoot that makes the alert medium instead of low (0.25 = 25 % over).",
    },
)


def settled_week_end(today: date, final_after_days: int) -> date:
    """The Saturday ending the latest complete retail week whose every day is at least N days old."""
    limit = today - timedelta(days=final_after_days)
    saturday = week_end(limit)
    return saturday if saturday <= limit else saturday - timedelta(days=7)


@dataclass(frozen=True)
class AcosWeek:
    vendor_code: EntityRef
    vendor_code_id: int
    week_start: date
    attribution_window: str
    ad_spend: Decimal | None
    ad_sales: Decimal | None
    currency: str
    jbp_target: Decimal | None = None
    target_source: str = ""
    links: tuple[Link, ...] = ()


def evaluate(weeks: Sequence[AcosWeek], params: Mapping[str, Any]) -> list[Finding]:
    fallback = opt_dec(params.get("target_acos"))
    medium_by = dec(params["medium_over_target_by"])
    findings: list[Finding] = []
    for w in weeks:
        target = w.jbp_target if w.jbp_target is not None else fallback
        if target is None:
            continue
        source = w.target_source if w.jbp_target is not None else "brand's ACoS target (alert settings)"
        value = acos(w.ad_spend, w.ad_sales)
        no_sales = spend_without_sales(w.ad_spend, w.ad_sales)
        if not no_sales and (value is None or value <= target):
            continue
        severity = Severity.MEDIUM if no_sales or (value is not None and value > target * (1 + medium_by)) else None
        week_label = f"week of {w.week_start:%d %b %Y}"
        title = (
            f"{w.vendor_code.label}: {w.ad_spend:,.2f} {w.currency} spent with no attributed sales ({week_label})"
            if no_sales
            else f"{w.vendor_code.label}: ACoS {value * 100:.1f} % in the {week_label}, target {target * 100:.1f} %"
            if value is not None
            else ""
        )
        findings.append(
            Finding(
                entity=w.vendor_code,
                period_key=w.attribution_window,
                title=title,
                measured_value=value,
                threshold=target,
                unit=Unit.RATIO,
                vendor_code_id=w.vendor_code_id,
                currency=w.currency,
                severity=severity,
                numbers=(
                    Number("Week", f"{w.week_start:%d %b} to {w.week_start + timedelta(days=6):%d %b %Y}"),
                    Number("Ad spend", w.ad_spend, Unit.MONEY, w.currency),
                    Number(f"Attributed sales ({w.attribution_window})", w.ad_sales, Unit.MONEY, w.currency),
                    Number("ACoS", value, Unit.RATIO),
                    Number("Target", target, Unit.RATIO),
                    Number("Target from", source),
                ),
                links=w.links,
                facts={"week": w.week_start.isoformat(), "spend_without_sales": no_sales},
            )
        )
    return findings
