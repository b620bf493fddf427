"""Co-op files through ingest's pipeline: invoice lists, backup reports and remittance files.

An upload keeps the file as a ReportImport whose source says what it is (co-op files cannot be
detected from content) and enqueues it; the worker runs `coop_file_import`, which coop registers with
ingest (CoopConfig.ready) for the three sources. It reads the table, finds its columns through the
vendor code's saved ColumnMapping and loads the rows through the invoice services; ingest keeps the
claim, the identical-file no-op, the ONE transaction (nothing half-written), the status and the row
errors (file, row, column, value, expected). A file whose columns are not mapped yet finishes as
"needs input" with a link to the mapping screen; saving the mapping re-runs the kept file.

CoopFileUpload is the co-op side of it: the vendor code, the kind, the mapping state and the latest
ReportImport; `coop_upload_sync` copies the import's outcome onto it whenever an import finishes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from coop import importers
from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models import CoopInvoice
from coop.models import Remittance
from coop.models.imports import KIND_BY_SOURCE
from coop.models.imports import SOURCE_BY_KIND
from coop.models.imports import FileKind
from coop.services.backup import BackupLineInput
from coop.services.backup import backup_lines_record
from coop.services.invoices import RECORD_ROLES
from coop.services.invoices import DeductionInput
from coop.services.invoices import invoice_record
from coop.services.invoices import remittance_record
from core.exceptions import ApplicationError
from core.text import counted
from ingest.file_importers import FileImportOutcome
from ingest.models import ReportImport
from ingest.models.imports import MAX_KEPT_ERRORS
from ingest.parsers.base import RowError
from ingest.services import report_import_create
from ingest.services import report_import_rerun
from planning.models import VendorCode
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
Status = CoopFileUpload.Status
ImportStatus = ReportImport.Status

# Fields of an invoice row that a re-import may change: equal values = the invoice is unchanged.
_INVOICE_DATA = (
    "amazon_agreement_id",
    "agreement_title",
    "invoice_date",
    "service_period_start",
    "service_period_end",
    "amount",
    "original_balance",
    "currency",
)


def upload_table(upload: CoopFileUpload) -> importers.Table:
    with upload.file.open("rb") as handle:
        return importers.read_table(handle.read(), upload.original_name)


# -- upload and mapping (a person) ---------------------------------------------------------------------


def coop_upload_create(*, vendor_code: VendorCode, user: User, kind: str, file: UploadedFile) -> CoopFileUpload:
    """Keep the file as a co-op ReportImport and queue it; the worker imports it (or asks for a mapping)."""
    require_role(user, vendor_code.brand_id, RECORD_ROLES, action="import co-op files")
    if kind not in FileKind.values:
        raise ApplicationError(f"Unknown file kind {kind!r}; expected one of {', '.join(FileKind.values)}.")
    with transaction.atomic():
        # ingest checks the roles coop registered for its sources (the same RECORD_ROLES) and records the
        # person as the import's author, whom the importer then records the rows as.
        report_import = report_import_create(
            brand=vendor_code.brand,
            uploaded_file=file,
            vendor_code=vendor_code,
            source=SOURCE_BY_KIND[kind],
            user=user,
        )
        upload = CoopFileUpload.objects.create(
            vendor_code=vendor_code,
            kind=kind,
            file=report_import.file.name,
            original_name=report_import.original_name,
            report_import=report_import,
            status=Status.QUEUED,
            created_by=user,
        )
    # With eager tasks (tests, `make run` without a worker) the import has already run on commit.
    upload.refresh_from_db()
    return upload


def proposed_mapping(*, upload: CoopFileUpload) -> tuple[dict[str, str], str]:
    """The saved mapping (where its columns exist in this file) completed by guesses from the headers."""
    saved = ColumnMapping.objects.filter(vendor_code=upload.vendor_code, kind=upload.kind).first()
    guess = importers.guess_mapping(upload.kind, upload.headers)
    if saved is None:
        return guess, "ISO"
    kept = {name: header for name, header in saved.columns.items() if header in upload.headers}
    return {**guess, **kept}, saved.date_format


def column_mapping_save(
    *, upload: CoopFileUpload, user: User, columns: dict[str, str], date_format: str
) -> CoopFileUpload:
    """Save the vendor code's mapping for this kind of file and re-run the waiting file with it."""
    require_role(user, upload.vendor_code.brand_id, RECORD_ROLES, action="map co-op file columns")
    if upload.status != Status.NEEDS_MAPPING:
        raise ApplicationError(f"{upload.original_name} is {upload.get_status_display().lower()}; nothing to map.")
    columns = {name: header for name, header in columns.items() if header}
    unknown = sorted(set(columns.values()) - set(upload.headers))
    if unknown:
        raise ApplicationError(f"These columns are not in {upload.original_name}: {', '.join(unknown)}.")
    missing = importers.missing_columns(upload.kind, columns, upload.headers)
    if missing:
        raise ApplicationError(
            "Choose a column for: " + ", ".join(importers.group_label(upload.kind, spec) for spec in missing) + ".",
            extra={"fields": [spec.name for spec in missing]},
        )
    doubled = {h for h in columns.values() if list(columns.values()).count(h) > 1}
    if doubled:
        raise ApplicationError(f"One column cannot feed two fields: {', '.join(sorted(doubled))}.")
    if upload.report_import is None:
        raise ApplicationError(f"{upload.original_name} has no kept import to run again; upload it again.")
    with transaction.atomic():
        ColumnMapping.objects.update_or_create(
            vendor_code=upload.vendor_code,
            kind=upload.kind,
            defaults={"columns": columns, "date_format": date_format, "updated_by": user},
        )
        rerun = report_import_rerun(report_import=upload.report_import, user=user)
        upload.report_import = rerun
        upload.status = Status.QUEUED
        upload.message = ""
        upload.errors = []
        upload.error_count = 0
        upload.save()
    upload.refresh_from_db()
    return upload


# -- keeping the upload in step with its imports (the system) --------------------------------------------


def coop_upload_for_import(report_import: ReportImport) -> CoopFileUpload | None:
    """The upload a co-op import belongs to: linked to it or to an import it re-runs."""
    current: ReportImport | None = report_import
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        upload = CoopFileUpload.objects.filter(report_import_id=current.pk).first()
        if upload is not None:
            return upload
        current = current.rerun_of
    return None


def coop_upload_sync(*, report_import: ReportImport) -> CoopFileUpload | None:
    """Copy a finished co-op import's outcome onto its upload (created for CLI imports, re-linked for
    re-runs started on the Imports page). Idempotent; ingest calls it when any co-op import finishes."""
    kind = KIND_BY_SOURCE.get(report_import.source)
    if kind is None or not report_import.is_finished:
        return None
    with transaction.atomic():
        upload = coop_upload_for_import(report_import)
        if upload is None:
            if report_import.vendor_code_id is None:
                return None  # the import failed for want of a vendor code; there is nothing to map
            upload = CoopFileUpload(
                vendor_code_id=report_import.vendor_code_id,
                kind=kind,
                file=report_import.file.name,
                original_name=report_import.original_name,
                created_by=report_import.created_by,
            )
        elif upload.report_import_id and upload.report_import_id != report_import.pk:
            linked = upload.report_import
            if linked is not None and linked.created_at > report_import.created_at:
                return upload  # a newer run of the file is linked already: this older one changes nothing
        options = report_import.options or {}
        upload.report_import = report_import
        upload.headers = options.get("headers", upload.headers) or upload.headers
        upload.rows_total = report_import.rows_total
        upload.created_count = report_import.rows_inserted
        upload.updated_count = report_import.rows_updated
        upload.skipped_count = int(options.get("skipped_payment_rows", 0) or 0)
        upload.error_count = report_import.error_count
        upload.errors = list(report_import.errors or [])[:MAX_KEPT_ERRORS]
        upload.message = report_import.message
        if report_import.status == ImportStatus.SUCCEEDED:
            upload.status = Status.SUCCEEDED
        elif options.get("needs_input"):
            upload.status = Status.NEEDS_MAPPING
        else:
            upload.status = Status.FAILED
        upload.save()
    return upload


def coop_file_import_finished(report_import: ReportImport) -> None:
    """ingest's on_finished hook for the co-op sources."""
    coop_upload_sync(report_import=report_import)


# -- the importer (the worker) -------------------------------------------------------------------------


def coop_file_import(report_import: ReportImport, raw: BinaryIO) -> FileImportOutcome:
    """Import one co-op file for ingest's pipeline, inside its transaction (see the module docstring)."""
    kind = KIND_BY_SOURCE[report_import.source]
    name = report_import.original_name
    vendor_code = report_import.vendor_code
    if vendor_code is None:
        return FileImportOutcome.failing(
            [RowError(name, None, None, None, "a vendor code chosen for this co-op file (CLI: --vendor-code)")]
        )
    try:
        table = importers.read_table(raw.read(), name)
    except ValueError as exc:
        return FileImportOutcome.failing([RowError(name, None, None, None, str(exc))])
    details: dict[str, Any] = {"coop_kind": kind, "headers": table.headers}
    saved = ColumnMapping.objects.filter(vendor_code=vendor_code, kind=kind).first()
    missing = importers.missing_columns(kind, saved.columns if saved else {}, table.headers)
    if saved is None or missing:
        return _needs_mapping(report_import, kind, vendor_code, saved, missing, details)
    details.update({"mapping": saved.columns, "date_format": saved.date_format})
    parsed = importers.parse_rows(
        kind=kind,
        table=table,
        mapping=saved.columns,
        file_name=name,
        date_format=saved.date_format,
        default_currency=vendor_code.marketplace.currency,
    )
    rows_total = len(parsed.records) + len({e.row for e in parsed.errors})
    if parsed.errors:
        count = len(parsed.errors)
        return FileImportOutcome(
            errors=parsed.errors,
            rows_total=rows_total,
            details=details,
            message=f"{count} problem{'s' if count != 1 else ''} in the file; nothing was imported. {parsed.errors[0]}",
        )
    user = report_import.created_by
    if kind == FileKind.INVOICES:
        return _load_invoices(report_import, vendor_code, parsed.records, user, details)
    if kind == FileKind.BACKUP:
        return _load_backup(report_import, vendor_code, parsed.records, user, details)
    details["skipped_payment_rows"] = parsed.skipped
    return _load_remittances(report_import, vendor_code, parsed.records, user, details, parsed.skipped)


def _needs_mapping(
    report_import: ReportImport,
    kind: str,
    vendor_code: VendorCode,
    saved: ColumnMapping | None,
    missing: list[importers.FieldSpec],
    details: dict[str, Any],
) -> FileImportOutcome:
    label = FileKind(kind).label.lower()
    url = reverse("coop-import-for-report", args=[report_import.pk])
    if saved is None:
        message = (
            f"The columns of {vendor_code.code}'s {label}s are not mapped yet: map them once at {url}; "
            "files with the same columns then import directly."
        )
    else:
        names = ", ".join(importers.group_label(kind, spec) for spec in missing)
        message = (
            f"The saved column mapping of {vendor_code.code}'s {label}s does not fit this file "
            f"(no column for {names}): map it at {url}."
        )
    return FileImportOutcome.needing_input(message, action_url=url, action_label="Map the columns", **details)


def _load_invoices(
    report_import: ReportImport,
    vendor_code: VendorCode,
    records: list[dict[str, Any]],
    user: User | None,
    details: dict[str, Any],
) -> FileImportOutcome:
    created = updated = unchanged = 0
    # What the file's invoices were before, read once (not one query per row).
    before_by_id = {
        invoice.amazon_invoice_id: _invoice_data(invoice)
        for invoice in CoopInvoice.objects.filter(
            vendor_code=vendor_code, amazon_invoice_id__in={r["amazon_invoice_id"].strip() for r in records}
        )
    }
    for record in records:
        values = {k: v for k, v in record.items() if k != "row"}
        before = before_by_id.get(values["amazon_invoice_id"].strip())
        invoice, is_new = invoice_record(vendor_code=vendor_code, user=user, source_import=report_import, **values)
        if is_new:
            created += 1
        elif _invoice_data(invoice) == before:
            unchanged += 1
        else:
            updated += 1
    return FileImportOutcome(
        rows_total=len(records),
        created=created,
        updated=updated,
        unchanged=unchanged,
        details=details,
        message=f"{counted(len(records), 'invoice')}: {created} new, {updated} refreshed, {unchanged} unchanged.",
    )


def _invoice_data(invoice: CoopInvoice) -> tuple[Any, ...]:
    return tuple(getattr(invoice, name) for name in _INVOICE_DATA)


def _load_backup(
    report_import: ReportImport,
    vendor_code: VendorCode,
    records: list[dict[str, Any]],
    user: User | None,
    details: dict[str, Any],
) -> FileImportOutcome:
    lines = [
        BackupLineInput(
            amazon_invoice_id=record["amazon_invoice_id"],
            asin=record["asin"],
            quantity=record["quantity"],
            unit_cost=record.get("unit_cost"),
            basis_amount=record["basis_amount"],
            charge_amount=record["charge_amount"],
            currency=record["currency"],
            po_number=record.get("po_number", ""),
            rate_pct=record.get("rate_pct"),
            period_start=record.get("period_start"),
            period_end=record.get("period_end"),
        )
        for record in records
    ]
    result = backup_lines_record(vendor_code=vendor_code, user=user, lines=lines, source_import=report_import)
    invoices = result.invoices_found + result.invoices_waiting
    waiting = (
        f"; {result.invoices_waiting} not imported yet (checked when their invoice arrives)"
        if result.invoices_waiting
        else ""
    )
    kept = f"; {result.kept_in_dispute} kept: their invoice is in a dispute" if result.kept_in_dispute else ""
    return FileImportOutcome(
        rows_total=len(records),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        deleted=result.deleted,
        details=details,
        message=(
            f"{counted(len(records), 'backup line')} of {counted(invoices, 'invoice')}: {result.created} new, "
            f"{result.updated} changed, {result.unchanged} unchanged, {result.deleted} removed{waiting}{kept}."
        ),
    )


def _load_remittances(
    report_import: ReportImport,
    vendor_code: VendorCode,
    records: list[dict[str, Any]],
    user: User | None,
    details: dict[str, Any],
    skipped: int,
) -> FileImportOutcome:
    """One remittance per payment id; its deductions are the file's rows for that id."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["remittance_id"]].append(record)
    created = updated = 0
    known = set(
        Remittance.objects.filter(vendor_code=vendor_code, remittance_id__in=list(grouped)).values_list(
            "remittance_id", flat=True
        )
    )
    for remittance_id, rows in grouped.items():
        dates = {row["payment_date"] for row in rows}
        currencies = {row["currency"] for row in rows}
        if len(dates) > 1 or len(currencies) > 1:
            raise ApplicationError(
                f"{report_import.original_name}: payment {remittance_id} has rows with different dates or "
                f"currencies (rows {', '.join(str(r['row']) for r in rows)}); expected one date and currency "
                "per payment"
            )
        exists = remittance_id in known
        # Amazon lists deductions as negative amounts on the payment; store what was kept, positive.
        deductions = [
            DeductionInput(
                reference_type=row["reference_type"],
                reference_id=row["reference_id"],
                amount=abs(row["amount"]),
                invoice_date=row.get("invoice_date"),
            )
            for row in rows
            if row["reference_type"]
        ]
        remittance_record(
            vendor_code=vendor_code,
            user=user,
            remittance_id=remittance_id,
            payment_date=dates.pop(),
            # Net paid: invoice payments (positive) minus deductions (negative), as the file states them.
            paid_amount=sum((row["amount"] for row in rows), Decimal("0")),
            currency=currencies.pop(),
            deductions=deductions,
            source_import=report_import,
        )
        created += not exists
        updated += exists
    skipped_note = f", {counted(skipped, 'payment row')} skipped" if skipped else ""
    return FileImportOutcome(
        rows_total=len(records),
        created=created,
        updated=updated,
        details=details,
        message=f"{counted(len(grouped), 'payment')}: {created} new, {updated} refreshed{skipped_note}.",
    )
