"""Backup report lines (the PO/ASIN/quantity/cost behind each co-op invoice) and waivers of agreement
periods: recording them and re-running the §3.4 audit of the invoices they concern."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coop.models import AgreementWaiver
from coop.models import CoopAgreement
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.services.audit import audit_record
from coop.services.audit import model_snapshot
from coop.services.invoices import RECORD_ROLES
from coop.services.invoices import invoice_reconcile
from core.exceptions import ApplicationError
from ingest.models import ReportImport
from planning.models import VendorCode
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The values of a line that a re-import may change; equal values = the line is unchanged.
_LINE_DATA = (
    "po_number",
    "asin",
    "quantity",
    "unit_cost",
    "basis_amount",
    "rate_pct",
    "charge_amount",
    "currency",
    "period_start",
    "period_end",
)
_WAIVER_FIELDS = ["agreement", "period_start", "period_end", "reason", "withdrawn_at", "withdrawn_by"]


@dataclass(frozen=True)
class BackupLineInput:
    amazon_invoice_id: str
    asin: str
    quantity: int
    basis_amount: Decimal
    charge_amount: Decimal
    currency: str
    unit_cost: Decimal | None = None
    po_number: str = ""
    rate_pct: Decimal | None = None
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class BackupResult:
    created: int
    updated: int
    unchanged: int
    deleted: int
    invoices_found: int  # invoice ids of the file already imported (their audit ran again)
    invoices_waiting: int  # invoice ids not imported yet: checked when the invoice arrives
    kept_in_dispute: int  # invoices whose lines were left as they were (in a dispute)


def backup_lines_record(
    *,
    vendor_code: VendorCode,
    user: User | None,
    lines: list[BackupLineInput],
    source_import: ReportImport | None = None,
) -> BackupResult:
    """Replace the backup lines of every invoice id in `lines` (the file is the invoice's whole backup)
    and re-audit those invoices. Lines of an invoice in a dispute are kept: the dispute argues about
    them. `user` None = the system (an import from the CLI)."""
    if user is not None:
        require_role(user, vendor_code.brand_id, RECORD_ROLES, action="record co-op backup reports")
    by_invoice: dict[str, list[BackupLineInput]] = defaultdict(list)
    for line in lines:
        by_invoice[line.amazon_invoice_id.strip()].append(line)
    created = updated = unchanged = deleted = kept = 0
    touched: list[CoopInvoice] = []
    waiting = 0
    with transaction.atomic():
        invoices = {
            invoice.amazon_invoice_id: invoice
            for invoice in CoopInvoice.objects.select_for_update().filter(
                vendor_code=vendor_code, amazon_invoice_id__in=list(by_invoice)
            )
        }
        for amazon_invoice_id, new_lines in by_invoice.items():
            invoice = invoices.get(amazon_invoice_id)
            if invoice is not None and invoice.status not in CoopInvoice.RECONCILABLE_STATUSES:
                kept += 1
                continue
            existing = {
                line.line_no: line
                for line in CoopBackupLine.objects.filter(vendor_code=vendor_code, amazon_invoice_id=amazon_invoice_id)
            }
            for line_no, item in enumerate(new_lines, start=1):
                values: dict[str, Any] = {
                    "po_number": item.po_number.strip(),
                    "asin": item.asin.strip().upper(),
                    "quantity": item.quantity,
                    "unit_cost": item.unit_cost,
                    "basis_amount": item.basis_amount,
                    "rate_pct": item.rate_pct,
                    "charge_amount": item.charge_amount,
                    "currency": item.currency.upper(),
                    "period_start": item.period_start,
                    "period_end": item.period_end,
                }
                row = existing.pop(line_no, None)
                if row is None:
                    CoopBackupLine.objects.create(
                        vendor_code=vendor_code,
                        amazon_invoice_id=amazon_invoice_id,
                        invoice=invoice,
                        line_no=line_no,
                        source_import=source_import,
                        **values,
                    )
                    created += 1
                    continue
                before = tuple(getattr(row, name) for name in _LINE_DATA)
                for name, value in values.items():
                    setattr(row, name, value)
                after = tuple(_normal(getattr(row, name)) for name in _LINE_DATA)
                if tuple(_normal(v) for v in before) == after:
                    unchanged += 1
                    if row.invoice_id != (invoice.pk if invoice else None):
                        row.invoice = invoice
                        row.save(update_fields=["invoice", "updated_at"])
                    continue
                row.invoice = invoice
                row.source_import = source_import
                row.save()
                updated += 1
            # Lines the new file no longer lists for this invoice.
            if existing:
                CoopBackupLine.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
                deleted += len(existing)
            if invoice is None:
                waiting += 1
            else:
                touched.append(invoice)
        for invoice in touched:
            invoice_reconcile(invoice=invoice, user=None)
    return BackupResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        deleted=deleted,
        invoices_found=len(touched),
        invoices_waiting=waiting,
        kept_in_dispute=kept,
    )


def _normal(value: Any) -> Any:
    """Compare 12.5 and 12.50 as equal (a Decimal read back from the database has the field's places)."""
    return value.normalize() if isinstance(value, Decimal) else value


# -- waivers --------------------------------------------------------------------------------------------


def waiver_record(
    *, agreement: CoopAgreement, user: User, period_start: date, period_end: date, reason: str
) -> AgreementWaiver:
    """Record that Amazon waived the agreement's charges for a period, then re-audit the agreement's
    invoices: one charging a waived period is flagged (§3.4 "waived period charged anyway")."""
    require_role(user, agreement.vendor_code.brand_id, RECORD_ROLES, action="record co-op waivers")
    if not reason.strip():
        raise ApplicationError("Say who at Amazon agreed the waiver, and where.", extra={"field": "reason"})
    if period_end < period_start:
        raise ApplicationError("The waived period ends before it starts.", extra={"field": "period_end"})
    with transaction.atomic():
        waiver = AgreementWaiver.objects.create(
            agreement=agreement,
            period_start=period_start,
            period_end=period_end,
            reason=reason.strip(),
            created_by=user,
        )
        audit_record(
            target=agreement,
            brand_id=agreement.vendor_code.brand_id,
            action="agreement.waiver",
            actor=user,
            after=model_snapshot(waiver, _WAIVER_FIELDS),
            comment=f"Waived {period_start:%Y-%m-%d} to {period_end:%Y-%m-%d}: {waiver.reason}",
        )
        _reaudit(agreement, period_start, period_end)
    return waiver


def waiver_withdraw(*, waiver: AgreementWaiver, user: User, reason: str) -> AgreementWaiver:
    """Withdraw a waiver recorded by mistake (it stays in the history), then re-audit the invoices."""
    agreement = waiver.agreement
    require_role(user, agreement.vendor_code.brand_id, RECORD_ROLES, action="withdraw co-op waivers")
    if not reason.strip():
        raise ApplicationError("Say why the waiver is withdrawn.", extra={"field": "reason"})
    with transaction.atomic():
        locked = AgreementWaiver.objects.select_for_update().get(pk=waiver.pk)
        if locked.withdrawn_at is not None:
            raise ApplicationError("This waiver was already withdrawn.")
        before = model_snapshot(locked, _WAIVER_FIELDS)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdrawal_reason = reason.strip()
        locked.save()
        audit_record(
            target=agreement,
            brand_id=agreement.vendor_code.brand_id,
            action="agreement.waiver_withdrawn",
            actor=user,
            before=before,
            after=model_snapshot(locked, _WAIVER_FIELDS),
            comment=locked.withdrawal_reason,
        )
        _reaudit(agreement, locked.period_start, locked.period_end)
    return locked


def _reaudit(agreement: CoopAgreement, period_start: date, period_end: date) -> None:
    """Reconcile again the agreement's invoices that may charge the period (those without a service
    period are assumed to charge the month before their date, so all of those are re-run too)."""
    invoices = CoopInvoice.objects.filter(
        Q(agreement=agreement)
        | Q(vendor_code=agreement.vendor_code, amazon_agreement_id=agreement.amazon_agreement_id),
        status__in=CoopInvoice.RECONCILABLE_STATUSES,
    ).filter(
        Q(service_period_start__lte=period_end, service_period_end__gte=period_start)
        | Q(service_period_start__isnull=True)
    )
    for invoice in invoices.distinct():
        invoice_reconcile(invoice=invoice, user=None)
