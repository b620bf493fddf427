"""Inbound supply rules: ASN_LATE, ASN_INACCURATE and PO_ON_TIME_LOW (DOMAIN.md §6, §4.3, §4.4).

ASN timeliness is judged with reviews.metrics.asn_submitted_in_time: Amazon's own rule (within 30 min
after departure, or at least 6 h before arrival, and always before arrival [S21]). It is the same
function the rollups use, so an alert and the MBR's ASN on-time rate never disagree; the brand edits
the weekly threshold and the look-back, not Amazon's windows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.money import round2
from core.periods import week_start
from reviews.alert_rules.base import DATETIME
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
from reviews.metrics import asn_on_time
from reviews.metrics import asn_submitted_in_time
from reviews.metrics import po_on_time_chargeback
from reviews.metrics import po_on_time_rate

ASN_LATE_SPEC = RuleSpec(
    code=RuleCode.ASN_LATE,
    family="Inbound",
    condition=(
        "An ASN was submitted more than 30 min after the truck left and less than 6 h before arrival, or "
        "was missing at arrival (medium, per shipment); high when a week's ASN on-time rate is under the "
        "weekly threshold."
    ),
    default_severity=Severity.MEDIUM,
    defaults={"weekly_on_time_threshold": "0.95", "lookback_days": 28},
    schema=object_schema(
        {
            "weekly_on_time_threshold": number_schema(0, 1),
            "lookback_days": {"type": "integer", "minimum": 7, "maximum": 120},
        }
    ),
    triggers=frozenset({"import"}),
    parameter_help={
        "weekly_on_time_threshold": "A week's ASN on-time rate under this opens a high alert (0.95 = 95 %).",
        "lookback_days": "Shipments that arrived within this many days are judged.",
    },
    fixed=("30 min after departure / 6 h before arrival: Amazon's ASN rule [S21], as in the MBR's ASN on-time rate",),
)

ASN_INACCURATE_SPEC = RuleSpec(
    code=RuleCode.ASN_INACCURATE,
    family="Inbound",
    condition="Units on the ASNs of a PO and ASIN differ from the units Amazon received by more than the tolerance.",
    default_severity=Severity.MEDIUM,
    defaults={"tolerance_units": 0, "lookback_days": 28},
    schema=object_schema(
        {
            "tolerance_units": {"type": "integer", "minimum": 0, "maximum": 100000},
            "lookback_days": {"type": "integer", "minimum": 7, "maximum": 120},
        }
    ),
    triggers=frozenset({"import"}),
    parameter_help={
        "tolerance_units": "Units of difference accepted per PO and ASIN (Amazon's tolerance is 0).",
        "lookback_days": "Shipments that arrived within this many days are judged.",
    },
    fixed=("ARN/PRO/BOL and expiry-date mismatches are not in the imported data; check them in Vendor Central",),
)

PO_ON_TIME_SPEC = RuleSpec(
    code=RuleCode.PO_ON_TIME_LOW,
    family="Inbound",
    condition=(
        "The trailing PO on-time rate (confirmed units inside their window ÷ confirmed units) is under the threshold."
    ),
    default_severity=Severity.HIGH,
    defaults={"threshold": "0.90", "trailing_weeks": 4, "settle_weeks": 2, "charge_pct": "0.03"},
    schema=object_schema(
        {
            "threshold": number_schema(0, 1),
            "trailing_weeks": {"type": "integer", "minimum": 1, "maximum": 13},
            "settle_weeks": {"type": "integer", "minimum": 0, "maximum": 8},
            "charge_pct": number_schema(0, 1),
        }
    ),
    triggers=frozenset({"rollup"}),
    parameter_help={
        "threshold": "Trailing on-time rate under which chargebacks apply (0.90 = 90 %).",
        "trailing_weeks": "Complete retail weeks in the trailing window.",
        "settle_weeks": (
            "Most recent PO weeks left out, because their POs are still inside their windows (POs are "
            "counted in the week they were issued)."
        ),
        "charge_pct": "Chargeback per late unit, as a share of its cost (DOMAIN.md §4.4 rate card: 3 %).",
    },
)


@dataclass(frozen=True)
class AsnShipment:
    """One shipment (all its ASN lines) of a vendor code."""

    vendor_code: EntityRef
    vendor_code_id: int
    shipment_id: str
    submitted_at: datetime | None
    departed_at: datetime | None
    arrived_at: datetime | None
    units: int | None
    po_numbers: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


def shipment_key(shipment_id: str) -> str:
    return f"ASN {shipment_id}"


def week_key(week: date) -> str:
    return f"week {week.isoformat()}"


def shipment_week(s: AsnShipment) -> date:
    """The retail week of a shipment: of its departure (else ASN, else arrival), as a UTC date like the rollups."""
    moment = s.departed_at or s.submitted_at or s.arrived_at
    assert moment is not None
    return week_start(moment.astimezone(UTC).date())


def evaluate_asn_late(shipments: Sequence[AsnShipment], params: Mapping[str, Any]) -> list[Finding]:
    weekly_threshold = dec(params["weekly_on_time_threshold"])
    findings: list[Finding] = []
    weeks: dict[tuple[int, date], list[bool]] = defaultdict(list)
    refs: dict[int, EntityRef] = {}
    for s in shipments:
        verdict = asn_submitted_in_time(submitted_at=s.submitted_at, departed_at=s.departed_at, arrived_at=s.arrived_at)
        if verdict is None or s.arrived_at is None:
            continue  # not arrived: cannot be judged yet
        refs[s.vendor_code_id] = s.vendor_code
        weeks[(s.vendor_code_id, shipment_week(s))].append(verdict)
        if verdict:
            continue
        if s.submitted_at is None:
            title, measured = f"Shipment {s.shipment_id}: no ASN at arrival", None
        else:
            hours_before = Decimal((s.arrived_at - s.submitted_at).total_seconds()) / 3600
            title = f"Shipment {s.shipment_id}: ASN sent {hours_before:.1f} h before arrival"
            measured = round2(hours_before)
        findings.append(
            Finding(
                entity=s.vendor_code,
                period_key=shipment_key(s.shipment_id),
                title=title,
                measured_value=measured,
                threshold=Decimal(6),
                unit=Unit.HOURS,
                vendor_code_id=s.vendor_code_id,
                numbers=(
                    Number("Shipment", s.shipment_id),
                    Number("POs", ", ".join(s.po_numbers) or None),
                    Number("ASN submitted", s.submitted_at, DATETIME),
                    Number("Truck left", s.departed_at, DATETIME),
                    Number("Arrived", s.arrived_at, DATETIME),
                    Number("Units on the ASN", s.units, Unit.UNITS),
                ),
                links=s.links,
                facts={"shipment_id": s.shipment_id},
            )
        )
    for (vendor_code_id, week), verdicts in sorted(weeks.items(), key=lambda item: (item[0][0], item[0][1])):
        rate = asn_on_time(sum(verdicts), len(verdicts))
        if rate is None or rate >= weekly_threshold:
            continue
        findings.append(
            Finding(
                entity=refs[vendor_code_id],
                period_key=week_key(week),
                title=(
                    f"{refs[vendor_code_id].label}: ASN on-time {rate * 100:.1f} % in the week of {week:%d %b %Y}, "
                    f"under {weekly_threshold * 100:.0f} %"
                ),
                measured_value=rate,
                threshold=weekly_threshold,
                unit=Unit.RATIO,
                vendor_code_id=vendor_code_id,
                severity=Severity.HIGH,
                numbers=(
                    Number("ASNs judged", len(verdicts), Unit.UNITS),
                    Number("ASNs in time", sum(verdicts), Unit.UNITS),
                    Number("ASN on-time rate", rate, Unit.RATIO),
                ),
                links=(Link(refs[vendor_code_id].label, refs[vendor_code_id].url, "vendor_code"),),
                facts={"week": week.isoformat()},
            )
        )
    return findings


@dataclass(frozen=True)
class AsnReceiptLine:
    """One PO and ASIN of a shipment: the units on all ASNs of that PO/ASIN and the units received."""

    po_number: str
    asin: str
    asn_units: int | None
    received_units: int | None


@dataclass(frozen=True)
class AsnReceipt:
    vendor_code: EntityRef
    vendor_code_id: int
    shipment_id: str
    arrived_at: datetime | None
    lines: tuple[AsnReceiptLine, ...]
    links: tuple[Link, ...] = ()


def evaluate_asn_inaccurate(receipts: Sequence[AsnReceipt], params: Mapping[str, Any]) -> list[Finding]:
    tolerance = int(params["tolerance_units"])
    findings: list[Finding] = []
    for r in receipts:
        if r.arrived_at is None or any(ln.asn_units is None or ln.received_units is None for ln in r.lines):
            continue  # not received yet, or not every line compared with the receipt
        mismatched = [ln for ln in r.lines if abs((ln.asn_units or 0) - (ln.received_units or 0)) > tolerance]
        if not mismatched:
            continue
        difference = sum(abs((ln.asn_units or 0) - (ln.received_units or 0)) for ln in mismatched)
        findings.append(
            Finding(
                entity=r.vendor_code,
                period_key=shipment_key(r.shipment_id),
                title=f"Shipment {r.shipment_id}: ASN units differ from the receipt by {difference} units",
                measured_value=Decimal(difference),
                threshold=Decimal(tolerance),
                unit=Unit.UNITS,
                vendor_code_id=r.vendor_code_id,
                numbers=tuple(
                    Number(f"PO {ln.po_number} · {ln.asin}", f"ASN {ln.asn_units} vs received {ln.received_units}")
                    for ln in mismatched
                ),
                links=r.links,
                facts={"shipment_id": r.shipment_id},
            )
        )
    return findings


@dataclass(frozen=True)
class PoWeek:
    week_start: date
    confirmed_units: int | None
    on_time_units: int | None


@dataclass(frozen=True)
class PoOnTime:
    """A vendor code's complete weeks of PO lines (by PO date), oldest first, and the latest week's unit cost."""

    vendor_code: EntityRef
    vendor_code_id: int
    weeks: tuple[PoWeek, ...]
    currency: str = ""
    latest_unit_cost: Decimal | None = None  # confirmed-unit-weighted net cost of the latest week's lines
    links: tuple[Link, ...] = ()


def evaluate_po_on_time(series: Sequence[PoOnTime], params: Mapping[str, Any]) -> list[Finding]:
    threshold = dec(params["threshold"])
    trailing = int(params["trailing_weeks"])
    charge_pct = dec(params["charge_pct"])
    findings: list[Finding] = []
    for s in series:
        window = s.weeks[-trailing:]
        confirmed = sum(w.confirmed_units or 0 for w in window)
        on_time = sum(w.on_time_units or 0 for w in window)
        rate = po_on_time_rate(on_time, confirmed)
        if rate is None or rate >= threshold:
            continue
        latest = window[-1]
        late_units = max((latest.confirmed_units or 0) - (latest.on_time_units or 0), 0)
        chargeback = None
        if s.latest_unit_cost is not None:
            chargeback = round2(
                po_on_time_chargeback(
                    trailing_on_time_rate=rate,
                    late_units=late_units,
                    unit_cost=s.latest_unit_cost,
                    charge_pct=charge_pct,
                    waiver_threshold=threshold,
                )
            )
        findings.append(
            Finding(
                entity=s.vendor_code,
                period_key="",
                title=(
                    f"{s.vendor_code.label}: PO on-time {rate * 100:.1f} % over {len(window)} weeks, "
                    f"under {threshold * 100:.0f} %"
                ),
                measured_value=rate,
                threshold=threshold,
                unit=Unit.RATIO,
                vendor_code_id=s.vendor_code_id,
                currency=s.currency,
                numbers=(
                    Number("Confirmed units", confirmed, Unit.UNITS),
                    Number("On-time units", on_time, Unit.UNITS),
                    Number("Trailing on-time rate", rate, Unit.RATIO),
                    Number(f"Late units, week of {latest.week_start:%d %b %Y}", late_units, Unit.UNITS),
                    Number("Estimated chargeback this week", chargeback, Unit.MONEY, s.currency),
                ),
                links=s.links,
                facts={"weeks": [w.week_start.isoformat() for w in window]},
            )
        )
    return findings
