"""ReportImport: one file brought in by a person, the API, the CLI or the demo seeder (DOMAIN.md §2.6)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import PurePosixPath
from typing import ClassVar

from django.db import models
from django.utils import timezone

from core.models import AuthoredModel
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import BrandScopedManager

# How many row errors an import keeps for display and download; the total is in error_count.
MAX_KEPT_ERRORS = 1000


def import_upload_to(instance: ReportImport, filename: str) -> str:
    """imports/YYYY/MM/<random>_<name>: the random prefix keeps two uploads of 'sales.json' apart."""
    now = timezone.now()
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    return f"imports/{now:%Y}/{now:%m}/{uuid.uuid4().hex[:12]}_{name[-120:]}"


class ReportImport(AuthoredModel):
    """One imported file: what it was, how far the import got, and what it changed."""

    class Source(models.TextChoices):
        SP_API_REPORT = "SP_API_REPORT", "SP-API report"
        SP_API_ORDERS = "SP_API_ORDERS", "SP-API orders / shipments"
        VC_CSV_UPLOAD = "VC_CSV_UPLOAD", "Vendor Central export"
        ADS_API_REPORT = "ADS_API_REPORT", "Amazon Ads report"
        ADS_CONSOLE_EXPORT = "ADS_CONSOLE_EXPORT", "Amazon Ads console export"
        AMS = "AMS", "Marketing Stream"
        COOP_INVOICE_FILE = "COOP_INVOICE_FILE", "Co-op invoice file"
        COOP_BACKUP_FILE = "COOP_BACKUP_FILE", "Co-op backup report"
        REMITTANCE_FILE = "REMITTANCE_FILE", "Remittance file"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"
        SUPERSEDED = "SUPERSEDED", "Superseded"

    FINISHED_STATUSES: ClassVar[tuple[str, ...]] = (Status.SUCCEEDED, Status.FAILED, Status.SUPERSEDED)

    # Scoping: the brand of the person (or CLI operator) who imported the file. Required even when the
    # file names no vendor code yet, so an import is never visible outside its brand.
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="report_imports")
    vendor_code = models.ForeignKey(
        VendorCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_imports",
        help_text="Given by the uploader, or named by the file; required when the file names none.",
    )
    marketplace = models.ForeignKey(
        Marketplace, null=True, blank=True, on_delete=models.PROTECT, related_name="report_imports"
    )

    # What the file is (filled in once detected and parsed).
    source = models.CharField(max_length=30, choices=Source.choices, blank=True)
    report_type = models.CharField(max_length=80, blank=True, db_index=True)
    detected_format = models.CharField(max_length=80, blank=True)
    fact_table = models.CharField(max_length=40, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text="What the file says about itself.")
    # What the importer said about a file that does not say it itself: an Amazon Ads report body names
    # neither its advertiser profile nor its marketplace ({"profile_id": ..., "marketplace_id": ...}).
    import_options = models.JSONField(default=dict, blank=True)
    data_start = models.DateField(null=True, blank=True)
    data_end = models.DateField(null=True, blank=True)
    amazon_last_updated = models.DateField(null=True, blank=True)
    # sha256 of (fact table, report type, marketplace, vendor code, options, dates): imports with the same
    # key restate exactly the same window, so the newest supersedes the older ones.
    window_key = models.CharField(max_length=64, blank=True, db_index=True)

    # The raw file, kept for reprocessing when mappings change (NOTES.md cross-cutting rule 5).
    file = models.FileField(upload_to=import_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(help_text="Bytes, as stored (compressed files stay compressed).")
    file_sha256 = models.CharField(max_length=64, db_index=True)

    # Progress and outcome.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    progress_pct = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    identical_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when the same file was already imported: this import changed nothing.",
    )
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first row errors (RowError dicts).")
    message = models.TextField(blank=True, help_text="Outcome in one sentence, or Amazon's errorDetails.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["ReportImport"]()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "file_sha256"], name="ingest_import_brand_sha"),
            models.Index(fields=["brand", "-created_at"], name="ingest_import_brand_recent"),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.original_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def rows_changed(self) -> int:
        return self.rows_inserted + self.rows_updated + self.rows_deleted

    @property
    def changed_nothing(self) -> bool:
        """A finished, successful import that left the facts exactly as they were."""
        return self.status in (self.Status.SUCCEEDED, self.Status.SUPERSEDED) and self.rows_changed == 0

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors or [])
