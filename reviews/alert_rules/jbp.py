"""JBP_ATTAINMENT_LOW (DOMAIN.md §6): a higher-is-better JBP target behind its pace at a checkpoint.

Checkpoints are month ends. Until the first month end of the target's period has passed there is no
checkpoint and nothing to judge (a target three days into a quarter says nothing). After it, the
pace-adjusted attainment as of the data's last day is compared with the threshold; once the period is
over, the raw attainment is (pace no longer matters, the target either was met or not).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.periods import add_months
from core.periods import month_end
from reviews.alert_rules.base import DATE
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

SPEC = RuleSpec(
    code=RuleCode.JBP_ATTAINMENT_LOW,
    family="Plan",
    condition=(
        "Pace-adjusted attainment of a higher-is-better JBP target is under the threshold at a month-end "
        "checkpoint, or its raw attainment is under it at the end of the period."
    ),
    default_severity=Severity.HIGH,
    defaults={"threshold": "0.70"},
    schema=object_schema({"threshold": number_schema(0, 2)}),
    triggers=frozenset({"rollup"}),
    parameter_help={"threshold": "Attainment below which the target is flagged (0.70 = 70 % of pace)."},
)


@dataclass(frozen=True)
class TargetPace:
    """One tracked JBP target (a row of planning.jbp_tracking) of an active plan."""

    plan: EntityRef
    target_key: str  # metric, dimension and period: stable for the target across evaluations
    metric: str
    metric_label: str
    dimension_label: str
    period_label: str
    direction: str
    start: date
    end: date
    as_of: date | None
    actual: Decimal | None
    target: Decimal
    expected_to_date: Decimal | None
    raw_attainment: Decimal | None
    pace_attainment: Decimal | None
    unit: str = ""  # money / units / ratio, for the numbers
    currency: str = ""


def last_checkpoint(start: date, end: date, as_of: date) -> date | None:
    """The latest month end in [start, end] on or before `as_of`; the period end once it has passed."""
    if as_of >= end:
        return end
    checkpoint: date | None = None
    candidate = month_end(start)
    while candidate <= as_of and candidate <= end:
        checkpoint = candidate
        candidate = month_end(add_months(candidate.replace(day=1), 1))
    return checkpoint


def evaluate(targets: Sequence[TargetPace], params: Mapping[str, Any]) -> list[Finding]:
    threshold = dec(params["threshold"])
    findings: list[Finding] = []
    for t in targets:
        if t.direction != "HIGHER_IS_BETTER" or t.as_of is None:
            continue
        checkpoint = last_checkpoint(t.start, t.end, t.as_of)
        if checkpoint is None:
            continue
        at_end = t.as_of >= t.end
        measured = t.raw_attainment if at_end else t.pace_attainment
        if measured is None or measured >= threshold:
            continue
        basis = "raw attainment at period end" if at_end else "pace-adjusted attainment"
        findings.append(
            Finding(
                entity=t.plan,
                period_key=t.target_key,
                title=(
                    f"{t.metric_label} ({t.dimension_label}, {t.period_label}) at {measured * 100:.1f} % "
                    f"{'of target' if at_end else 'of pace'}, under {threshold * 100:.0f} %"
                ),
                measured_value=measured,
                threshold=threshold,
                unit=Unit.RATIO,
                currency=t.currency,
                numbers=(
                    Number(basis.capitalize(), measured, Unit.RATIO),
                    Number("Actual to date", t.actual, t.unit, t.currency),
                    Number("Expected by now", t.expected_to_date, t.unit, t.currency),
                    Number("Target", t.target, t.unit, t.currency),
                    Number("Raw attainment", t.raw_attainment, Unit.RATIO),
                    Number("Data up to", t.as_of, DATE),
                    Number("Checkpoint", checkpoint, DATE),
                ),
                links=(Link(f"JBP plan {t.plan.label}", t.plan.url, "plan"),) if t.plan.url else (),
                facts={"metric": t.metric, "basis": basis, "mbr_agenda": True},
            )
        )
    return findings
