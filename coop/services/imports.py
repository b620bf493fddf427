"""Importing co-op invoice lists and remittance files: keep the file, find its columns (the vendor
code's saved mapping, else a guess from common header names), and either load it or ask for a
mapping. A file with any bad cell loads nothing, and every error names file, row, column, value and
what was expected (the ingest convention)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from coop import importers
from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models.imports import FileKind
from coop.services.invoices import RECORD_ROLES
from coop.services.invoices import DeductionInput
from coop.services.invoices import invoice_record
from coop.services.invoices import remittance_record
from core.exceptions import ApplicationError
from planning.models import VendorCode
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_KEPT_ERRORS = 200
Status = CoopFileUpload.Status


def upload_table(upload: CoopFileUpload) -> importers.Table:
    with upload.file.open("rb") as handle:
        return importers.read_table(handle.read(), upload.original_name)


def _fail(upload: CoopFileUpload, message: str, errors: list[dict[str, Any]] | None = None, count: int = 0) -> None:
    upload.status = Status.FAILED
    upload.message = message
    upload.errors = (errors or [])[:MAX_KEPT_ERRORS]
    upload.error_count = count or len(errors or [])
    upload.save()


def coop_upload_create(*, vendor_code: VendorCode, user: User, kind: str, file: UploadedFile) -> CoopFileUpload:
    """Keep the file and try to import it; status NEEDS_MAPPING when its columns are not known yet."""
    require_role(user, vendor_code.brand_id, RECORD_ROLES, action="import co-op files")
    if kind not in FileKind.values:
        raise ApplicationError(f"Unknown file kind {kind!r}; expected one of {', '.join(FileKind.values)}.")
    upload = CoopFileUpload.objects.create(
        vendor_code=vendor_code, kind=kind, file=file, original_name=file.name or "upload", created_by=user
    )
    try:
        table = upload_table(upload)
    except ValueError as exc:
        _fail(
            upload,
            str(exc),
            [{"file": upload.original_name, "row": None, "column": None, "value": None, "expected": str(exc)}],
        )
        return upload
    upload.headers = table.headers
    upload.save(update_fields=["headers", "updated_at"])
    saved = ColumnMapping.objects.filter(vendor_code=vendor_code, kind=kind).first()
    if saved is not None and not importers.missing_columns(kind, saved.columns, table.headers):
        return _run(upload, table, saved.columns, saved.date_format, user)
    upload.status = Status.NEEDS_MAPPING
    upload.message = (
        "Map this file's columns once; files of this vendor code with the same columns then import directly."
    )
    upload.save(update_fields=["status", "message", "updated_at"])
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
    """Save the vendor code's mapping for this kind of file and import the waiting file with it."""
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
            "Choose a column for: " + ", ".join(spec.label for spec in missing) + ".",
            extra={"fields": [spec.name for spec in missing]},
        )
    doubled = {h for h in columns.values() if list(columns.values()).count(h) > 1}
    if doubled:
        raise ApplicationError(f"One column cannot feed two fields: {', '.join(sorted(doubled))}.")
    ColumnMapping.objects.update_or_create(
        vendor_code=upload.vendor_code,
        kind=upload.kind,
        defaults={"columns": columns, "date_format": date_format, "updated_by": user},
    )
    return _run(upload, upload_table(upload), columns, date_format, user)


def _run(
    upload: CoopFileUpload, table: importers.Table, columns: dict[str, str], date_format: str, user: User
) -> CoopFileUpload:
    parsed = importers.parse_rows(
        kind=upload.kind,
        table=table,
        mapping=columns,
        file_name=upload.original_name,
        date_format=date_format,
        default_currency=upload.vendor_code.marketplace.currency,
    )
    upload.rows_total = len(parsed.records) + len({e.row for e in parsed.errors})
    upload.skipped_count = parsed.skipped
    if parsed.errors:
        _fail(
            upload,
            f"{len(parsed.errors)} problem{'s' if len(parsed.errors) != 1 else ''} in the file: nothing was imported.",
            [e.as_dict() for e in parsed.errors],
        )
        return upload
    try:
        with transaction.atomic():
            created, updated = (
                _load_invoices(upload, parsed.records, user)
                if upload.kind == FileKind.INVOICES
                else _load_remittances(upload, parsed.records, user)
            )
    except ApplicationError as exc:
        _fail(upload, f"Nothing was imported: {exc.message}")
        return upload
    upload.status = Status.SUCCEEDED
    upload.created_count, upload.updated_count = created, updated
    upload.error_count = 0
    upload.errors = []
    skipped = f", {parsed.skipped} payment rows skipped" if parsed.skipped else ""
    upload.message = f"{created} new, {updated} refreshed{skipped}."
    upload.save()
    return upload


def _load_invoices(upload: CoopFileUpload, records: list[dict[str, Any]], user: User) -> tuple[int, int]:
    created = updated = 0
    for record in records:
        record = {k: v for k, v in record.items() if k != "row"}
        _, is_new = invoice_record(vendor_code=upload.vendor_code, user=user, **record)
        created += is_new
        updated += not is_new
    return created, updated


def _load_remittances(upload: CoopFileUpload, records: list[dict[str, Any]], user: User) -> tuple[int, int]:
    """One remittance per payment id; its deductions are the file's rows for that id."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["remittance_id"]].append(record)
    created = updated = 0
    for remittance_id, rows in grouped.items():
        dates = {row["payment_date"] for row in rows}
        currencies = {row["currency"] for row in rows}
        if len(dates) > 1 or len(currencies) > 1:
            raise ApplicationError(
                f"payment {remittance_id} has rows with different dates or currencies (rows "
                f"{', '.join(str(r['row']) for r in rows)})"
            )
        exists = upload.vendor_code.remittances.filter(remittance_id=remittance_id).exists()
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
            vendor_code=upload.vendor_code,
            user=user,
            remittance_id=remittance_id,
            payment_date=dates.pop(),
            # Net paid: invoice payments (positive) minus deductions (negative), as the file states them.
            paid_amount=sum((row["amount"] for row in rows), Decimal("0")),
            currency=currencies.pop(),
            deductions=deductions,
        )
        created += not exists
        updated += exists
    return created, updated
