"""Co-op settings with their defaults, read at call time so tests can override them.

- COOPDESK_SECOND_APPROVAL_ABOVE ("50000.00"): fund allocations whose total is strictly above this
  need two distinct finance approvers.
- COOPDESK_COOP_VARIANCE_PCT ("0.01") and COOPDESK_COOP_VARIANCE_MIN ("50.00"): the variance rule
  |invoice - expected| > max(pct x expected, min) of DOMAIN.md §3.4.
- COOPDESK_DISPUTE_WINDOWS ({}): per dispute type overrides of calculations.DEFAULT_DISPUTE_WINDOWS,
  e.g. {"CHARGEBACK": {"days": 30, "max_attempts": 2}}.
- COOPDESK_BACKUP_UNITS_TOLERANCE (0), COOPDESK_BACKUP_COST_PCT ("0.005") and COOPDESK_BACKUP_COST_MIN
  ("1.00"): a backup report's quantity per PO/ASIN (or ASIN) differs from what Amazon received when
  |backup - received| > the units tolerance; its cost when |backup - received| > max(pct x received, min)
  (§3.4 "backup quantities/costs != received data").
- COOPDESK_BACKUP_TOTAL_TOLERANCE ("0.01"): a backup report's charges add up to its invoice when
  |sum of the lines' charge amounts - invoice amount| <= this, in the invoice's currency.
- COOPDESK_ACCRUAL_DEBOUNCE_SECONDS (60): how long fact changes are collected before accruals are
  recomputed.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from decimal import InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coop.calculations import DEFAULT_DISPUTE_WINDOWS
from coop.calculations import DisputeWindow


def _decimal(name: str, default: str) -> Decimal:
    raw = getattr(settings, name, default)
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from exc


def second_approval_above() -> Decimal:
    return _decimal("COOPDESK_SECOND_APPROVAL_ABOVE", "50000.00")


def variance_tolerance_pct() -> Decimal:
    return _decimal("COOPDESK_COOP_VARIANCE_PCT", "0.01")


def variance_tolerance_min() -> Decimal:
    return _decimal("COOPDESK_COOP_VARIANCE_MIN", "50.00")


def backup_units_tolerance() -> int:
    raw = getattr(settings, "COOPDESK_BACKUP_UNITS_TOLERANCE", 0)
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"COOPDESK_BACKUP_UNITS_TOLERANCE must be a whole number, got {raw!r}") from exc
    if value < 0:
        raise ImproperlyConfigured(f"COOPDESK_BACKUP_UNITS_TOLERANCE must not be negative, got {raw!r}")
    return value


def backup_cost_tolerance_pct() -> Decimal:
    return _decimal("COOPDESK_BACKUP_COST_PCT", "0.005")


def backup_cost_tolerance_min() -> Decimal:
    return _decimal("COOPDESK_BACKUP_COST_MIN", "1.00")


def backup_total_tolerance() -> Decimal:
    value = _decimal("COOPDESK_BACKUP_TOTAL_TOLERANCE", "0.01")
    if value < 0:
        raise ImproperlyConfigured(f"COOPDESK_BACKUP_TOTAL_TOLERANCE must not be negative, got {value}")
    return value


def accrual_debounce_seconds() -> int:
    return int(getattr(settings, "COOPDESK_ACCRUAL_DEBOUNCE_SECONDS", 60))


def dispute_windows() -> dict[str, DisputeWindow]:
    """DOMAIN.md §3.4's windows, with any per-type overrides from settings."""
    overrides = getattr(settings, "COOPDESK_DISPUTE_WINDOWS", {}) or {}
    windows = dict(DEFAULT_DISPUTE_WINDOWS)
    for dispute_type, values in overrides.items():
        if dispute_type not in windows:
            raise ImproperlyConfigured(
                f"COOPDESK_DISPUTE_WINDOWS has unknown dispute type {dispute_type!r}; "
                f"expected one of {', '.join(sorted(windows))}"
            )
        try:
            windows[dispute_type] = replace(windows[dispute_type], **values)
        except TypeError as exc:
            raise ImproperlyConfigured(
                f"COOPDESK_DISPUTE_WINDOWS[{dispute_type!r}]: {exc}; "
                "allowed keys are months, days, holding_days, max_attempts"
            ) from exc
    return windows
