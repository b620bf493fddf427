"""Co-op money rules: COOP_VARIANCE and DISPUTE_DEADLINE (DOMAIN.md §6, §3.4).

The variance test is coop.calculations.invoice_variance (|invoice - expected| > max(pct x expected,
minimum)), the same arithmetic the invoice audit uses; the alert applies the brand's tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coop.calculations import invoice_variance
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

COOP_VARIANCE_SPEC = RuleSpec(
    code=RuleCode.COOP_VARIANCE,
    family="Co-op money",
    condition=(
        "A co-op invoice differs from the expected accrual by more than max(tolerance %, minimum), or "
        "charges a period outside the agreement's dates; the first response proposes a dispute."
    ),
    default_severity=Severity.MEDIUM,
    defaults={"tolerance_pct": "0.01", "tolerance_min": "50.00"},
    schema=object_schema({"tolerance_pct": number_schema(0, 1), "tolerance_min": number_schema(0, 1000000)}),
    triggers=frozenset({"schedule"}),
    parameter_help={
        "tolerance_pct": "Share of the expected amount accepted as noise (0.01 = 1 %).",
        "tolerance_min": "Smallest difference worth a dispute, in the invoice currency.",
    },
)

DISPUTE_DEADLINE_SPEC = RuleSpec(
    code=RuleCode.DISPUTE_DEADLINE,
    family="Co-op money",
    condition=(
        "A dispute that is still a draft (not filed in Vendor Central) is this many days or fewer from its deadline."
    ),
    default_severity=Severity.HIGH,
    defaults={"days_before": 7},
    schema=object_schema({"days_before": {"type": "integer", "minimum": 0, "maximum": 90}}),
    triggers=frozenset({"schedule"}),
    parameter_help={"days_before": "Days before the deadline an unfiled dispute alerts (DOMAIN.md §3.4: T-7)."},
)


@dataclass(frozen=True)
class InvoiceCheck:
    invoice: EntityRef
    vendor_code_id: int
    amount: Decimal
    expected: Decimal | None
    currency: str
    flag_codes: tuple[str, ...]
    flag_messages: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


def evaluate_coop_variance(invoices: Sequence[InvoiceCheck], params: Mapping[str, Any]) -> list[Finding]:
    pct = dec(params["tolerance_pct"])
    minimum = dec(params["tolerance_min"])
    findings: list[Finding] = []
    for inv in invoices:
        check = (
            invoice_variance(invoiced=inv.amount, expected=inv.expected, tolerance_pct=pct, tolerance_min=minimum)
            if inv.expected is not None
            else None
        )
        outside = "OUTSIDE_AGREEMENT_DATES" in inv.flag_codes
        if not (check and check.flagged) and not outside:
            continue
        if check and check.flagged:
            title = (
                f"{inv.invoice.label}: invoiced {inv.amount:,.2f} vs expected {inv.expected:,.2f} {inv.currency} "
                f"({check.variance:+,.2f})"
            )
            measured: Decimal | None = abs(check.variance)
            threshold: Decimal | None = check.tolerance
        else:
            title = f"{inv.invoice.label}: charged outside the agreement's dates"
            measured, threshold = None, None
        findings.append(
            Finding(
                entity=inv.invoice,
                period_key="",
                title=title,
                measured_value=measured,
                threshold=threshold,
                unit=Unit.MONEY if measured is not None else Unit.NONE,
                vendor_code_id=inv.vendor_code_id,
                currency=inv.currency,
                numbers=(
                    Number("Invoiced", inv.amount, Unit.MONEY, inv.currency),
                    Number("Expected (accrual)", inv.expected, Unit.MONEY, inv.currency),
                    Number("Difference", check.variance if check else None, Unit.MONEY, inv.currency),
                    Number("Tolerance", check.tolerance if check else None, Unit.MONEY, inv.currency),
                    *(Number("Audit flag", message) for message in inv.flag_messages),
                ),
                links=inv.links,
                facts={"outside_agreement_dates": outside, "proposes_dispute": True},
            )
        )
    return findings


@dataclass(frozen=True)
class DisputeDue:
    dispute: EntityRef
    vendor_code_id: int
    dispute_type: str
    status: str
    deadline: date
    amount_claimed: Decimal
    currency: str
    filed: bool
    links: tuple[Link, ...] = ()


def evaluate_dispute_deadline(
    disputes: Sequence[DisputeDue], params: Mapping[str, Any], *, today: date
) -> list[Finding]:
    window = int(params["days_before"])
    findings: list[Finding] = []
    for d in disputes:
        if d.filed or d.status != "DRAFT":
            continue
        days_left = (d.deadline - today).days
        if days_left > window:
            continue
        if days_left >= 0:
            when = f"{days_left} day{'s' if days_left != 1 else ''} left"
        else:
            when = f"{-days_left} day{'s' if days_left != -1 else ''} overdue"
        findings.append(
            Finding(
                entity=d.dispute,
                period_key="",
                title=f"{d.dispute.label}: not filed, deadline {d.deadline:%d %b %Y} ({when})",
                measured_value=Decimal(days_left),
                threshold=Decimal(window),
                unit=Unit.DAYS,
                vendor_code_id=d.vendor_code_id,
                currency=d.currency,
                numbers=(
                    Number("Type", d.dispute_type),
                    Number("Deadline", d.deadline, DATE),
                    Number("Days left", days_left, Unit.DAYS),
                    Number("Amount claimed", d.amount_claimed, Unit.MONEY, d.currency),
                ),
                links=d.links,
                facts={"deadline": d.deadline.isoformat()},
            )
        )
    return findings
