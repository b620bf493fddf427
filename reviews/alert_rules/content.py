"""CONTENT_STALE (DOMAIN.md §6): an ASIN without A+ content or a video, or content older than N days."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reviews.alert_rules.base import DATE
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
    code=RuleCode.CONTENT_STALE,
    family="Content",
    condition=(
        "An active ASIN (not in exit) has no A+ content or no video, or its content was last updated more "
        "than N days ago."
    ),
    default_severity=Severity.LOW,
    defaults={"max_age_days": 180, "require_aplus": True, "require_video": True},
    schema=object_schema(
        {
            "max_age_days": {"type": "integer", "minimum": 1, "maximum": 3650},
            "require_aplus": {"type": "boolean"},
            "require_video": {"type": "boolean"},
        }
    ),
    triggers=frozenset({"schedule"}),
    parameter_help={
        "max_age_days": "Days since the last content update after which an ASIN is stale.",
        "require_aplus": "Flag ASINs without A+ content.",
        "require_video": "Flag ASINs without a video on the detail page.",
    },
)

REASON_TEXT = {"NO_APLUS": "no A+ content", "NO_VIDEO": "no video", "OUTDATED": "content not updated"}


@dataclass(frozen=True)
class ContentState:
    product: EntityRef
    vendor_code_id: int
    lifecycle: str
    aplus: bool
    video: bool
    content_updated_at: date | None
    links: tuple[Link, ...] = ()


def evaluate(products: Sequence[ContentState], params: Mapping[str, Any], *, today: date) -> list[Finding]:
    max_age = int(params["max_age_days"])
    findings: list[Finding] = []
    for p in products:
        if p.lifecycle == "EXIT":
            continue
        reasons: list[str] = []
        if params["require_aplus"] and not p.aplus:
            reasons.append("NO_APLUS")
        if params["require_video"] and not p.video:
            reasons.append("NO_VIDEO")
        age = (today - p.content_updated_at).days if p.content_updated_at else None
        if age is not None and age > max_age:
            reasons.append("OUTDATED")
        if not reasons:
            continue
        text = ", ".join(REASON_TEXT[r] for r in reasons)
        if "OUTDATED" in reasons:
            text = text.replace("content not updated", f"content not updated for {age} days")
        findings.append(
            Finding(
                entity=p.product,
                period_key="",
                title=f"{p.product.label}: {text}",
                # Days are the measure only when age is the reason; a missing A+ page or video has none.
                measured_value=Decimal(age) if "OUTDATED" in reasons and age is not None else None,
                threshold=Decimal(max_age) if "OUTDATED" in reasons else None,
                unit=Unit.DAYS if "OUTDATED" in reasons else Unit.NONE,
                vendor_code_id=p.vendor_code_id,
                numbers=(
                    Number("A+ content", "yes" if p.aplus else "no"),
                    Number("Video on the detail page", "yes" if p.video else "no"),
                    Number("Content last updated", p.content_updated_at, DATE),
                    Number("Days since the update", age, Unit.DAYS),
                ),
                links=p.links,
                facts={"reasons": reasons},
            )
        )
    return findings
