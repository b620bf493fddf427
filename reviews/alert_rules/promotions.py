"""PROMO_LEAD_TIME (DOMAIN.md §6, §5.3): a promotion planned inside its type's lead time, past its event
deadline, or still pending Amazon's approval close to the event's submission deadline.

Lead times and deadlines are the promotions app's rules (coop.promotion_rules, data-driven per type and
event); its selector `promotion_lead_time_risks` says which promotions break them. This function turns
those verdicts into findings and applies the brand's pending window.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from reviews.alert_rules.base import DATETIME
from reviews.alert_rules.base import EntityRef
from reviews.alert_rules.base import Finding
from reviews.alert_rules.base import Link
from reviews.alert_rules.base import Number
from reviews.alert_rules.base import RuleCode
from reviews.alert_rules.base import RuleSpec
from reviews.alert_rules.base import Severity
from reviews.alert_rules.base import Unit
from reviews.alert_rules.base import object_schema

SPEC = RuleSpec(
    code=RuleCode.PROMO_LEAD_TIME,
    family="Promotions",
    condition=(
        "A promotion not yet with Amazon starts sooner than its type's lead time (or after its event's "
        "deadline), or is still pending Amazon's approval N days or fewer before the event deadline."
    ),
    default_severity=Severity.MEDIUM,
    defaults={"pending_window_days": 7},
    schema=object_schema({"pending_window_days": {"type": "integer", "minimum": 0, "maximum": 60}}),
    triggers=frozenset({"schedule"}),
    parameter_help={"pending_window_days": "Days before an event deadline a pending promotion alerts."},
    fixed=("Lead times per promotion type and event deadlines: the promotion rule sets (Promotions)",),
)

REASON_LABELS = {
    "LEAD_TIME": "inside the lead time",
    "EVENT_DEADLINE": "past the event's submission deadline",
    "PENDING_NEAR_DEADLINE": "pending approval close to the event deadline",
}


@dataclass(frozen=True)
class PromoRisk:
    promotion: EntityRef
    vendor_code_id: int
    reason: str
    message: str
    promotion_type: str
    status: str
    start_at: datetime
    days_to_deadline: int | None = None  # PENDING_NEAR_DEADLINE only
    links: tuple[Link, ...] = ()


def evaluate(risks: Sequence[PromoRisk], params: Mapping[str, Any]) -> list[Finding]:
    window = int(params["pending_window_days"])
    findings: list[Finding] = []
    for r in risks:
        pending = r.reason == "PENDING_NEAR_DEADLINE"
        if pending and (r.days_to_deadline is None or not 0 <= r.days_to_deadline <= window):
            continue
        findings.append(
            Finding(
                entity=r.promotion,
                period_key=r.reason,
                title=f"{r.promotion.label}: {REASON_LABELS.get(r.reason, r.reason.lower())}",
                measured_value=Decimal(r.days_to_deadline) if r.days_to_deadline is not None else None,
                threshold=Decimal(window) if r.reason == "PENDING_NEAR_DEADLINE" else None,
                unit=Unit.DAYS if r.reason == "PENDING_NEAR_DEADLINE" else Unit.NONE,
                vendor_code_id=r.vendor_code_id,
                numbers=(
                    Number("Type", r.promotion_type),
                    Number("Status", r.status),
                    Number("Starts", r.start_at, DATETIME),
                    Number("Rule", r.message),
                ),
                links=r.links,
                facts={"reason": r.reason},
            )
        )
    return findings
