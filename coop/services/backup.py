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
    them. `user` None = the system (an import from the CLI).

    The lines are written in bulk (one read of the existing lines, then bulk_create / bulk_update /
    one delete), so a 5,000-line report costs a few dozen statements, not one or two per line. Bulk
    writes send no post_save: backup lines are not on any cached page, and the invoices re-audited
    below are saved one by one as before."""
    if user is not None:
        require_role(user, vendor_code.brand_id, RECORD_ROLES, action="record co-op backup reports")
    by_invoice: dict[str, list[BackupLineInput]] = defaultdict(list)
    for line in lines:
        by_invoice[line.amazon_invoice_id.strip()].append(line)
    unchanged = kept = 0
    touched: list[CoopInvoice] = []
    waiting = 0
    to_create: list[CoopBackupLine] = []
    # Rows to update, grouped by the fields that change: bulk_update writes a CASE per field and row, so
    # writing only the changed fields keeps it cheap (a re-import usually changes a few columns).
    to_update: dict[tuple[str, ...], list[CoopBackupLine]] = defaultdict(list)
    updated = 0
    to_delete: list[int] = []
    now = timezone.now()  # bulk_update does not apply auto_now
    with transaction.atomic():
        invoices = {
            invoice.amazon_invoice_id: invoice
            for invoice in CoopInvoice.objects.select_for_update().filter(
                vendor_code=vendor_code, amazon_invoice_id__in=list(by_invoice)
            )
        }
        replaced = [
            amazon_invoice_id
            for amazon_invoice_id in by_invoice
            if amazon_invoice_id not in invoices
            or invoices[amazon_invoice_id].status in CoopInvoice.RECONCILABLE_STATUSES
        ]
        kept = len(by_invoice) - len(replaced)
        existing_by_invoice = _existing_lines(vendor_code, replaced)
        for amazon_invoice_id in replaced:
            invoice = invoices.get(amazon_invoice_id)
            invoice_pk = invoice.pk if invoice is not None else None
            existing = existing_by_invoice.get(amazon_invoice_id, {})
            for line_no, item in enumerate(by_invoice[amazon_invoice_id], start=1):
                values = _line_values(item)
                row = existing.pop(line_no, None)
                if row is None:
                    to_create.append(
                        CoopBackupLine(
                            vendor_code=vendor_code,
                            amazon_invoice_id=amazon_invoice_id,
                            invoice=invoice,
                            line_no=line_no,
                            source_import=source_import,
                            **values,
                        )
                    )
                    continue
                changed = tuple(name for name in _LINE_DATA if _normal(getattr(row, name)) != _normal(values[name]))
                relinked = ("invoice",) if row.invoice_id != invoice_pk else ()
                row.invoice = invoice
                row.updated_at = now
                if not changed:
                    unchanged += 1
                    if relinked:  # the invoice arrived since: link the line, it stays unchanged
                        to_update[(*relinked, "updated_at")].append(row)
                    continue
                for name in changed:
                    setattr(row, name, values[name])
                row.source_import = source_import
                to_update[(*changed, *relinked, "source_import", "updated_at")].append(row)
                updated += 1
            # Lines the new file no longer lists for this invoice.
            to_delete.extend(row.pk for row in existing.values())
            if invoice is None:
                waiting += 1
            else:
                touched.append(invoice)
        for chunk in _chunks(to_delete):
            CoopBackupLine.objects.filter(pk__in=chunk).delete()
        CoopBackupLine.objects.bulk_create(to_create, batch_size=_BATCH)
        for fields, rows in to_update.items():
            CoopBackupLine.objects.bulk_update(rows, list(fields), batch_size=_BATCH)
        for invoice in touched:
            invoice_reconcile(invoice=invoice, user=None)
    return BackupResult(
        created=len(to_create),
        updated=updated,
        unchanged=unchanged,
        deleted=len(to_delete),
        invoices_found=len(touched),
        invoices_waiting=waiting,
        kept_in_dispute=kept,
    )


# Rows per bulk statement, and ids per IN list: well inside SQLite's and PostgreSQL's parameter limits.
_BATCH = 500


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + _BATCH] for start in range(0, len(items), _BATCH)]


def _existing_lines(vendor_code: VendorCode, amazon_invoice_ids: list[str]) -> dict[str, dict[int, CoopBackupLine]]:
    """The stored lines of these invoice ids, by invoice id and line number (one query per 500 ids)."""
    found: dict[str, dict[int, CoopBackupLine]] = defaultdict(dict)
    for chunk in _chunks(amazon_invoice_ids):
        for row in CoopBackupLine.objects.filter(vendor_code=vendor_code, amazon_invoice_id__in=chunk):
            found[row.amazon_invoice_id][row.line_no] = row
    return found


def _line_values(item: BackupLineInput) -> dict[str, Any]:
    return {
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
