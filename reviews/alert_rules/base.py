"""What every alert rule shares: codes, severities, the finding a rule returns, and parameter checks.

Rules are pure: a function of plain input records (built by reviews.alert_selectors) and the brand's
validated parameters, returning `Finding`s. No ORM, no request, no clock: `now`/`today` come in as
arguments, so every rule can be tested at its threshold with literal inputs.

A finding names its entity (`EntityRef`: a model label and primary key, with a readable label and a
link) and a `period_key`. The alert engine keeps ONE non-resolved alert per (rule, brand, entity,
period key). The period key therefore says which *instance* of a condition it is:
- an ongoing state (low cover, a stale feed, a silent stream) keeps a stable key, so one alert follows
  the condition for as long as it lasts, with its numbers refreshed;
- an event (one late ASN, one week's ASN on-time rate) is keyed by the event, so each event is its own
  alert and does not clear just because newer events came along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db import models


class RuleCode(models.TextChoices):
    """DOMAIN.md §6, in the order of its table."""

    JBP_ATTAINMENT_LOW = "JBP_ATTAINMENT_LOW", "JBP attainment low"
    SELL_THROUGH_BELOW_BENCHMARK = "SELL_THROUGH_BELOW_BENCHMARK", "Sell-through below benchmark"
    ASN_LATE = "ASN_LATE", "ASN late"
    ASN_INACCURATE = "ASN_INACCURATE", "ASN inaccurate"
    PO_ON_TIME_LOW = "PO_ON_TIME_LOW", "PO on-time low"
    STREAM_GAP = "STREAM_GAP", "Marketing Stream gap"
    REPORT_STALE = "REPORT_STALE", "Report stale"
    OOS_RISK = "OOS_RISK", "Out-of-stock risk"
    COOP_VARIANCE = "COOP_VARIANCE", "Co-op invoice variance"
    DISPUTE_DEADLINE = "DISPUTE_DEADLINE", "Dispute deadline near"
    PROMO_LEAD_TIME = "PROMO_LEAD_TIME", "Promotion lead time"
    ACOS_ABOVE_TARGET = "ACOS_ABOVE_TARGET", "ACoS above target"
    CONTENT_STALE = "CONTENT_STALE", "Content stale"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK: dict[str, int] = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


def severities_at_least(minimum: str) -> list[str]:
    """The severities ranked at or above `minimum` (unknown → all)."""
    floor = SEVERITY_RANK.get(minimum, 1)
    return [s for s, rank in SEVERITY_RANK.items() if rank >= floor]


class Unit(models.TextChoices):
    """How a measured value and its threshold are shown (a ratio 0.25 is shown as 25.0 %)."""

    RATIO = "ratio", "ratio"
    WEEKS = "weeks", "weeks"
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    UNITS = "units", "units"
    MONEY = "money", "money"
    NONE = "", "—"


# Display units of evidence numbers that are moments, not measures (stored as ISO text in the JSON).
DATE = "date"
DATETIME = "datetime"


@dataclass(frozen=True)
class EntityRef:
    """What an alert is about: `model` is "app_label.model_name", `pk` the primary key as text."""

    model: str
    pk: str
    label: str
    url: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    kind: str = ""  # asin, import, invoice, promotion, dispute, plan, subscription, vendor_code, agreement

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url, "kind": self.kind}


@dataclass(frozen=True)
class Number:
    """One number of the evidence; `value` is a Decimal, int, str or None and `unit` says how to show it."""

    label: str
    value: Any
    unit: str = ""
    currency: str = ""

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (int, str, bool)):
            value = str(value)  # Decimals travel as text in JSON
        return {"label": self.label, "value": value, "unit": self.unit, "currency": self.currency}


@dataclass(frozen=True)
class Finding:
    """One condition a rule found. `severity` overrides the rule's severity when set."""

    entity: EntityRef
    period_key: str
    title: str
    measured_value: Decimal | None
    threshold: Decimal | None
    unit: str
    vendor_code_id: int | None = None
    currency: str = ""
    numbers: tuple[Number, ...] = ()
    links: tuple[Link, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)  # extra JSON-able detail (reasons, weeks, ...)
    severity: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.entity.model, self.entity.pk, self.period_key)

    def evidence(self) -> dict[str, Any]:
        return {
            "numbers": [n.as_dict() for n in self.numbers],
            "links": [link.as_dict() for link in self.links],
            **dict(self.facts),
        }


@dataclass(frozen=True)
class RuleSpec:
    """A rule's identity, defaults and when it is evaluated.

    triggers: "import" (after an import touched its facts), "rollup" (after rollups were recomputed),
    "schedule" (time-based: the hourly beat). Every rule also runs in the daily sweep.
    """

    code: str
    family: str
    condition: str  # DOMAIN.md §6's condition in a sentence, shown on the settings page
    default_severity: str
    defaults: Mapping[str, Any]
    schema: Mapping[str, Any]
    triggers: frozenset[str]
    parameter_help: Mapping[str, str] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()  # parts of the rule that are Amazon's and not editable, said on the page

    @property
    def label(self) -> str:
        return RuleCode(self.code).label


def number_schema(minimum: float | None = None, maximum: float | None = None) -> dict[str, Any]:
    """A JSON-schema number given as a JSON number or a decimal string ("0.70")."""
    schema: dict[str, Any] = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"}
    if minimum is not None:
        schema["x-minimum"] = minimum
    if maximum is not None:
        schema["x-maximum"] = maximum
    return schema


def object_schema(properties: Mapping[str, Any], *, required: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(required if required is not None else properties),
        "additionalProperties": False,
    }


def _check_bounds(schema: Mapping[str, Any], value: Any, path: str, errors: list[str]) -> None:
    """Numbers may arrive as strings (Decimals travel as text); check them as Decimals against x-bounds."""
    if "x-minimum" not in schema and "x-maximum" not in schema:
        return
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{path}: got {value!r}, expected a number")
        return
    low = schema.get("x-minimum")
    high = schema.get("x-maximum")
    if low is not None and number < Decimal(str(low)):
        errors.append(f"{path}: got {value}, expected at least {low}")
    if high is not None and number > Decimal(str(high)):
        errors.append(f"{path}: got {value}, expected at most {high}")


def _walk_bounds(schema: Mapping[str, Any], value: Any, path: str, errors: list[str]) -> None:
    _check_bounds(schema, value, path, errors)
    if schema.get("type") == "object" and isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                _walk_bounds(sub, value[name], f"{path}.{name}" if path else name, errors)
    if schema.get("type") == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            _walk_bounds(schema.get("items", {}), item, f"{path}[{index}]", errors)


def validate_parameters(spec: RuleSpec, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule's defaults overlaid with `parameters`, checked against its schema.

    Raises ValidationError listing every problem as "<parameter>: got <value>, expected <what>".
    """
    merged = {**dict(spec.defaults), **dict(parameters or {})}
    errors: list[str] = []
    validator = jsonschema.Draft202012Validator(dict(spec.schema))
    for error in sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path) or "parameters"
        if error.validator == "additionalProperties":
            errors.append(f"{path}: {error.message} (known: {', '.join(sorted(spec.defaults))})")
        elif error.validator in ("type", "pattern"):
            errors.append(f"{path}: got {error.instance!r}, expected {_expected(error.schema)}")
        else:
            errors.append(f"{path}: got {error.instance!r}; {error.message}")
    if not errors:
        _walk_bounds(spec.schema, merged, "", errors)
    if errors:
        raise ValidationError(errors)
    return merged


def _expected(schema: Any) -> str:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    if kinds in (["number", "string"], ("number", "string")):
        return "a number"
    if kinds == "integer":
        return "a whole number"
    if kinds == "boolean":
        return "true or false"
    if isinstance(schema, dict) and "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    return str(kinds or "a valid value")


_ACRONYMS = {"ppoos": "PPOOS", "acos": "ACoS", "pct": "rate", "asn": "ASN", "po": "PO"}


def parameter_label(name: str) -> str:
    """A parameter's name as a label: "ppoos_threshold" -> "PPOOS threshold", "target_acos" -> "Target ACoS"."""
    words = [_ACRONYMS.get(word, word) for word in name.split("_")]
    text = " ".join(words).replace("on time", "on-time")
    return text[0].upper() + text[1:] if text else text


def dec(value: Any) -> Decimal:
    """A validated parameter as a Decimal (parameters keep numbers as JSON numbers or strings)."""
    return Decimal(str(value))


def opt_dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))
