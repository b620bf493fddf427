"""Formatting for co-op pages: money, rates, status badges and deadline urgency."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

# One colour language for every co-op status: green done/approved, amber waiting on someone,
# red refused or needing attention, grey closed/inactive, blue in progress.
_STATUS_CLASSES = {
    # fund allocations
    "DRAFT": "text-bg-secondary",
    "PENDING_FINANCE_APPROVAL": "text-bg-warning",
    "APPROVED": "text-bg-success",
    "REJECTED": "text-bg-danger",
    "AMENDMENT_DRAFT": "text-bg-info",
    "CLOSED": "text-bg-light border",
    # agreements
    "PROVISIONAL": "text-bg-info",
    "PENDING_ACCEPTANCE": "text-bg-warning",
    "ACCEPTED": "text-bg-success",
    "EXPIRED": "text-bg-light border",
    "SUPERSEDED": "text-bg-light border",
    # invoices
    "IMPORTED": "text-bg-secondary",
    "UNMATCHED": "text-bg-danger",
    "MATCHED": "text-bg-info",
    "OK": "text-bg-success",
    "VARIANCE_FLAGGED": "text-bg-danger",
    "DISPUTED": "text-bg-warning",
    "RESOLVED_APPROVED": "text-bg-success",
    "RESOLVED_PARTIAL": "text-bg-warning",
    "RESOLVED_DENIED": "text-bg-danger",
    "REDISPUTED": "text-bg-warning",
    "DEDUCTED": "text-bg-primary",
    # disputes
    "SUBMITTED": "text-bg-primary",
    "PENDING_AMAZON": "text-bg-warning",
    "PARTIALLY_APPROVED": "text-bg-warning",
    "DENIED": "text-bg-danger",
    "CANCEL_REQUESTED": "text-bg-secondary",
    "CANCELLED": "text-bg-light border",
    "ESCALATED_CASE": "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def money(value: Decimal | int | None, places: int = 2) -> str:
    """1234.5 -> '1,234.50'; None -> '—' (undefined, never 0)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.{int(places)}f}"


@register.filter
def signed_money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):+,.2f}"


@register.filter
def rate(value: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage: 0.08 -> '8.00 %'."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:,.{int(places)}f} %"


@register.filter
def share(value: Decimal | None) -> str:
    """A 0-100 percentage as text: 60 -> '60 %'."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f} %"


@register.filter
def urgency_class(days_left: int | None) -> str:
    if days_left is None:
        return "text-bg-secondary"
    if days_left < 0:
        return "text-bg-dark"
    if days_left <= 7:
        return "text-bg-danger"
    if days_left <= 30:
        return "text-bg-warning"
    return "text-bg-light border"


@register.filter
def days_label(days_left: int | None) -> str:
    if days_left is None:
        return "—"
    if days_left < 0:
        return f"{-days_left} day{'s' if days_left != -1 else ''} overdue"
    if days_left == 0:
        return "due today"
    return f"{days_left} day{'s' if days_left != 1 else ''} left"


_FLAG_LABELS = {
    "VARIANCE": "Variance",
    "WRONG_RATE": "Wrong rate",
    "OUTSIDE_AGREEMENT_DATES": "Outside agreement dates",
    "DUPLICATE_INVOICE": "Duplicate",
    "WRONG_VENDOR_CODE": "Wrong vendor code",
    "AGREEMENT_NOT_ACCEPTED": "Agreement not accepted",
    "CURRENCY_MISMATCH": "Currency mismatch",
    "UNMATCHED": "No agreement",
    "NO_EXPECTED_AMOUNT": "Nothing to compare yet",
    "SERVICE_PERIOD_ASSUMED": "Period assumed",
    "BACKUP_MISMATCH": "Backup differs from receipts",
    "BACKUP_NOT_CHECKED": "Backup not checked",
    "BACKUP_TOTAL_MISMATCH": "Backup does not add up to the invoice",
    "BACKUP_RATE_MISMATCH": "Backup rate differs from the agreement",
    "WAIVED_PERIOD_CHARGED": "Waived period charged",
}


@register.filter
def flag_label(code: str) -> str:
    """An invoice audit flag code in words."""
    return _FLAG_LABELS.get(code, code.replace("_", " ").lower().capitalize())
