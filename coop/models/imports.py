"""Co-op file imports (invoice lists, backup reports, remittances) and the column mapping saved per vendor code.

The file itself runs through ingest's pipeline (a ReportImport with a co-op source, run by the importer
coop registers); CoopFileUpload is the co-op side of it: which vendor code and kind, the mapping state,
and the latest ReportImport of the file (a saved mapping re-runs the kept file as a new import).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from core.models import AuthoredModel
from core.models import TimeStampedModel
from ingest.models import ReportImport
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


class FileKind(models.TextChoices):
    INVOICES = "INVOICES", "Co-op invoice list"
    BACKUP = "BACKUP", "Co-op backup report"
    REMITTANCES = "REMITTANCES", "Remittance / payment file"


# Which ingest source each kind of co-op file is imported as (the importer coop registers runs it).
SOURCE_BY_KIND: dict[str, str] = {
    FileKind.INVOICES: ReportImport.Source.COOP_INVOICE_FILE,
    FileKind.BACKUP: ReportImport.Source.COOP_BACKUP_FILE,
    FileKind.REMITTANCES: ReportImport.Source.REMITTANCE_FILE,
}
KIND_BY_SOURCE: dict[str, str] = {source: kind for kind, source in SOURCE_BY_KIND.items()}


class DateFormat(models.TextChoices):
    ISO = "ISO", "YYYY-MM-DD"
    MDY = "MDY", "MM/DD/YYYY (US)"
    DMY = "DMY", "DD/MM/YYYY or DD.MM.YYYY"


class ColumnMapping(TimeStampedModel):
    """Which column of a vendor code's files holds which field (coop.importers.FIELDS)."""

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.CASCADE, related_name="coop_column_mappings")
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    columns = models.JSONField(default=dict, help_text='{"amazon_invoice_id": "Invoice Number", ...}')
    date_format = models.CharField(max_length=3, choices=DateFormat.choices, default=DateFormat.ISO)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["ColumnMapping"]()

    class Meta:
        ordering = ["vendor_code", "kind"]
        constraints = [models.UniqueConstraint(fields=["vendor_code", "kind"], name="columnmapping_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.vendor_code.code} {self.get_kind_display()}"


class CoopFileUpload(AuthoredModel):
    """One uploaded co-op file; waits for a column mapping when its columns are not known yet.

    The outcome fields (status, counts, message, errors) copy the latest ReportImport's when it
    finishes (coop.services.imports.coop_upload_sync), so lists need no join to ingest's rows.
    """

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        NEEDS_MAPPING = "NEEDS_MAPPING", "Needs a column mapping"
        SUCCEEDED = "SUCCEEDED", "Imported"
        FAILED = "FAILED", "Failed"

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="coop_uploads")
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    # The same stored file as the ReportImport's (not a copy).
    file = models.FileField(upload_to="coop/uploads/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    report_import = models.ForeignKey(
        ReportImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest import of this file (earlier ones are its rerun_of chain).",
    )
    headers = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first row errors (RowError dicts).")
    message = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["CoopFileUpload"]()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_waiting(self) -> bool:
        """Queued or running in ingest's pipeline: the page polls until it finishes."""
        return self.status == self.Status.QUEUED
