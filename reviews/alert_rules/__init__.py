"""The alert rules of DOMAIN.md §6: one module per family, each a pure function over plain inputs.

`SPECS` maps every rule code to its RuleSpec (defaults, parameter schema, severity, triggers); the
evaluation functions are called by reviews.alert_services with the inputs reviews.alert_selectors built.
"""

from __future__ import annotations

from reviews.alert_rules import ads
from reviews.alert_rules import content
from reviews.alert_rules import feeds
from reviews.alert_rules import jbp
from reviews.alert_rules import money
from reviews.alert_rules import promotions
from reviews.alert_rules import retail
from reviews.alert_rules import supply
from reviews.alert_rules.base import SEVERITY_RANK
from reviews.alert_rules.base import EntityRef
from reviews.alert_rules.base import Finding
from reviews.alert_rules.base import Link
from reviews.alert_rules.base import Number
from reviews.alert_rules.base import RuleCode
from reviews.alert_rules.base import RuleSpec
from reviews.alert_rules.base import Severity
from reviews.alert_rules.base import Unit
from reviews.alert_rules.base import severities_at_least
from reviews.alert_rules.base import validate_parameters

SPECS: dict[str, RuleSpec] = {
    spec.code: spec
    for spec in (
        jbp.SPEC,
        retail.SELL_THROUGH_SPEC,
        supply.ASN_LATE_SPEC,
        supply.ASN_INACCURATE_SPEC,
        supply.PO_ON_TIME_SPEC,
        feeds.STREAM_GAP_SPEC,
        feeds.REPORT_STALE_SPEC,
        retail.OOS_SPEC,
        money.COOP_VARIANCE_SPEC,
        money.DISPUTE_DEADLINE_SPEC,
        promotions.SPEC,
        ads.SPEC,
        content.SPEC,
    )
}
assert set(SPECS) == set(RuleCode.values), "every RuleCode needs a RuleSpec"


def codes_triggered_by(trigger: str) -> list[str]:
    """Rule codes evaluated on an event: "import", "rollup" or "schedule"."""
    return [code for code, spec in SPECS.items() if trigger in spec.triggers]


__all__ = [
    "SEVERITY_RANK",
    "SPECS",
    "EntityRef",
    "Finding",
    "Link",
    "Number",
    "RuleCode",
    "RuleSpec",
    "Severity",
    "Unit",
    "codes_triggered_by",
    "severities_at_least",
    "validate_parameters",
]
