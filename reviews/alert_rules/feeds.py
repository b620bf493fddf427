"""Data feed rules: STREAM_GAP (Marketing Stream silent) and REPORT_STALE (an import overdue), DOMAIN.md §6.

Both are time-based and run on the hourly schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from core.money import round2
from core.periods import week_end
from reviews.alert_rules.base import DATE
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

STREAM_GAP_SPEC = RuleSpec(
    code=RuleCode.STREAM_GAP,
    family="Data feeds",
    condition=(
        "An ACTIVE Marketing Stream subscription sent nothing for more than X hours while campaigns are "
        "live, or a subscription is PENDING_CONFIRMATION for more than 24 h, or FAILED_*."
    ),
    default_severity=Severity.HIGH,
    defaults={"silent_hours": "3", "pending_hours": "24", "live_lookback_days": 3},
    schema=object_schema(
        {
            "silent_hours": number_schema(0.25, 720),
            "pending_hours": number_schema(1, 720),
            "live_lookback_days": {"type": "integer", "minimum": 1, "maximum": 30},
        }
    ),
    triggers=frozenset({"schedule"}),
    parameter_help={
        "silent_hours": "Hours without any message before an active subscription counts as silent.",
        "pending_hours": "Hours a subscription may wait for confirmation (Amazon fails it after 2 days).",
        "live_lookback_days": (
            "Campaigns count as live when the daily ads reports show spend, or the stream carried data, "
            "within this many days."
        ),
    },
)

REPORT_CHOICES = ["retail_sales", "retail_inventory", "retail_traffic", "retail_net_ppm", "ads_daily"]

REPORT_STALE_SPEC = RuleSpec(
    code=RuleCode.REPORT_STALE,
    family="Data feeds",
    condition=(
        "The latest successful import of a watched report does not reach the last period that is due: "
        "weekly Retail Analytics 3 days after the week ends, daily ads 36 h after the day ends."
    ),
    default_severity=Severity.MEDIUM,
    defaults={
        "reports": [
            {"fact_table": "retail_sales", "cadence": "WEEK", "grace_hours": 72},
            {"fact_table": "retail_inventory", "cadence": "WEEK", "grace_hours": 72},
            {"fact_table": "retail_traffic", "cadence": "WEEK", "grace_hours": 72},
            {"fact_table": "ads_daily", "cadence": "DAY", "grace_hours": 36},
        ]
    },
    schema=object_schema(
        {
            "reports": {
                "type": "array",
                "maxItems": 10,
                "items": object_schema(
                    {
                        "fact_table": {"enum": REPORT_CHOICES},
                        "cadence": {"enum": ["DAY", "WEEK"]},
                        "grace_hours": {"type": "integer", "minimum": 0, "maximum": 720},
                    }
                ),
            }
        }
    ),
    triggers=frozenset({"schedule", "import"}),
    parameter_help={
        "reports": (
            "Each watched report: its fact table, cadence (DAY or WEEK, Sunday-Saturday) and the hours of "
            "grace after a period ends. A report is watched for a vendor code once it was imported for it."
        )
    },
)

REPORT_LABELS = {
    "retail_sales": "Retail Analytics sales",
    "retail_inventory": "Retail Analytics inventory",
    "retail_traffic": "Retail Analytics traffic",
    "retail_net_ppm": "Net PPM",
    "ads_daily": "Amazon Ads daily reports",
}


@dataclass(frozen=True)
class StreamState:
    subscription: EntityRef
    status: str
    dataset: str
    created_at: datetime
    last_message_at: datetime | None
    recent_ad_spend_days: int  # days within the look-back with ad spend in the daily ads facts
    links: tuple[Link, ...] = ()


def _hours(delta: timedelta) -> Decimal:
    return Decimal(delta.total_seconds()) / 3600


def evaluate_stream_gap(states: Sequence[StreamState], params: Mapping[str, Any], *, now: datetime) -> list[Finding]:
    silent_hours = dec(params["silent_hours"])
    pending_hours = dec(params["pending_hours"])
    lookback = timedelta(days=int(params["live_lookback_days"]))
    findings: list[Finding] = []
    for s in states:
        common = (
            Number("Dataset", s.dataset),
            Number("Status", s.status),
            Number("Last message", s.last_message_at or "never", DATETIME),
            Number("Created", s.created_at, DATETIME),
        )
        if s.status.startswith("FAILED"):
            findings.append(
                Finding(
                    entity=s.subscription,
                    period_key="FAILED",
                    title=f"{s.subscription.label}: subscription {s.status.replace('_', ' ').lower()}",
                    measured_value=None,
                    threshold=None,
                    unit=Unit.NONE,
                    numbers=common,
                    links=s.links,
                    facts={"reason": "FAILED", "status": s.status},
                )
            )
        elif s.status == "PENDING_CONFIRMATION":
            waited = _hours(now - s.created_at)
            if waited > pending_hours:
                findings.append(
                    Finding(
                        entity=s.subscription,
                        period_key="PENDING",
                        title=f"{s.subscription.label}: waiting for confirmation for {waited:.0f} h",
                        measured_value=round2(waited),
                        threshold=pending_hours,
                        unit=Unit.HOURS,
                        numbers=common,
                        links=s.links,
                        facts={"reason": "PENDING", "status": s.status},
                    )
                )
        elif s.status == "ACTIVE":
            since = s.last_message_at or s.created_at
            silent = _hours(now - since)
            streamed_recently = s.last_message_at is not None and now - s.last_message_at <= lookback
            live = s.recent_ad_spend_days > 0 or streamed_recently
            if silent > silent_hours and live:
                findings.append(
                    Finding(
                        entity=s.subscription,
                        period_key="GAP",
                        title=f"{s.subscription.label}: no message for {silent:.1f} h while campaigns are live",
                        measured_value=round2(silent),
                        threshold=silent_hours,
                        unit=Unit.HOURS,
                        numbers=(
                            *common,
                            Number("Hours silent", round2(silent), Unit.HOURS),
                            Number("Days with ad spend in the look-back", s.recent_ad_spend_days, Unit.DAYS),
                        ),
                        links=s.links,
                        facts={"reason": "GAP", "status": s.status},
                    )
                )
    return findings


@dataclass(frozen=True)
class ReportFreshness:
    """The latest successful import of one watched report for one vendor code (or brand-wide for ads)."""

    entity: EntityRef
    vendor_code_id: int | None
    fact_table: str
    latest_data_end: date | None
    latest_import: Link | None = None


def last_due_period_end(cadence: str, grace_hours: int, *, now: datetime, tz: tzinfo) -> date:
    """The last day ending a period (day, or Saturday of a retail week) whose data is due by `now`.

    A period is due `grace_hours` after it ends, i.e. after midnight at the end of its last day.
    """
    local_now = now.astimezone(tz)
    candidate = local_now.date()
    if cadence == "WEEK":
        candidate = week_end(candidate)
    step = timedelta(days=7 if cadence == "WEEK" else 1)
    while True:
        due = datetime.combine(candidate + timedelta(days=1), time.min, tzinfo=tz) + timedelta(hours=grace_hours)
        if due <= local_now:
            return candidate
        candidate -= step


def evaluate_report_stale(
    reports: Sequence[ReportFreshness], params: Mapping[str, Any], *, now: datetime, tz: tzinfo
) -> list[Finding]:
    watched = {r["fact_table"]: r for r in params["reports"]}
    findings: list[Finding] = []
    for r in reports:
        config = watched.get(r.fact_table)
        if config is None:
            continue
        expected = last_due_period_end(config["cadence"], int(config["grace_hours"]), now=now, tz=tz)
        if r.latest_data_end is not None and r.latest_data_end >= expected:
            continue
        behind = (expected - r.latest_data_end).days if r.latest_data_end else None
        label = REPORT_LABELS.get(r.fact_table, r.fact_table)
        cadence = "weekly" if config["cadence"] == "WEEK" else "daily"
        findings.append(
            Finding(
                entity=r.entity,
                period_key=r.fact_table,
                title=(
                    f"{label} ({cadence}) for {r.entity.label}: data ends "
                    f"{r.latest_data_end:%d %b %Y}, {expected:%d %b %Y} is due"
                    if r.latest_data_end
                    else f"{label} ({cadence}) for {r.entity.label}: no successful import"
                ),
                measured_value=Decimal(behind) if behind is not None else None,
                threshold=Decimal(0),
                unit=Unit.DAYS,
                vendor_code_id=r.vendor_code_id,
                numbers=(
                    Number("Report", label),
                    Number("Cadence", cadence),
                    Number("Grace after the period ends", int(config["grace_hours"]), Unit.HOURS),
                    Number("Latest data up to", r.latest_data_end, DATE),
                    Number("Due: data up to", expected, DATE),
                    Number("Days behind", behind, Unit.DAYS),
                ),
                links=(r.latest_import,) if r.latest_import else (),
                facts={"fact_table": r.fact_table, "expected_end": expected.isoformat()},
            )
        )
    return findings
