"""Co-op backup reports (DOMAIN.md line 45: the line-level file behind each co-op invoice) and the
waivers Amazon agreed for an agreement's periods (§3.4: "waived period charged anyway")."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models import Q

from coop.models.agreements import CoopAgreement
from coop.models.invoices import CoopInvoice
from core.models import AuthoredModel
from core.models import TimeStampedModel
from ingest.models import ReportImport
from planning.models import VendorCode
from planning.scoping import BrandScopedManager


class CoopBackupLine(TimeStampedModel):
    """One line of an invoice's backup report: what Amazon says it charged for (PO/ASIN/quantity/cost).

    Keyed on Amazon's invoice id, not only the invoice row: a backup report may arrive before its
    invoice list, and the lines are linked to the invoice when it comes. A re-imported backup replaces
    the invoice's lines (unique per invoice id and line number), it never doubles them.
    """

    vendor_code = models.ForeignKey(VendorCode, on_delete=models.PROTECT, related_name="coop_backup_lines")
    amazon_invoice_id = models.CharField("Amazon invoice id", max_length=64)
    invoice = models.ForeignKey(
        CoopInvoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="backup_lines"
    )
    line_no = models.PositiveIntegerField(help_text="1-based position of the line among the invoice's lines.")
    po_number = models.CharField("PO number", max_length=32, blank=True)
    asin = models.CharField("ASIN", max_length=10)
    quantity = models.IntegerField(help_text="Units; negative for returns.")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    basis_amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Cost the charge is computed on (quantity x unit cost)."
    )
    rate_pct = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, help_text="Fraction: 0.08 = 8 %."
    )
    charge_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    source_import = models.ForeignKey(ReportImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    brand_lookup: ClassVar[str] = "vendor_code__brand"
    objects = BrandScopedManager["CoopBackupLine"]()

    class Meta:
        ordering = ["vendor_code", "amazon_invoice_id", "line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_code", "amazon_invoice_id", "line_no"], name="coopbackupline_unique_line"
            ),
        ]

    def __str__(self) -> str:
        po = f" PO {self.po_number}" if self.po_number else ""
        return f"{self.amazon_invoice_id} #{self.line_no}{po} {self.asin} x{self.quantity}"


class AgreementWaiver(AuthoredModel):
    """A period of an agreement Amazon agreed not to charge (a negotiated holiday, a program paused).

    Recorded by a person (created_by), never edited: a mistaken waiver is withdrawn with a reason, so
    the history of what was believed when stays readable (and each step is in the audit trail).
    """

    agreement = models.ForeignKey(CoopAgreement, on_delete=models.PROTECT, related_name="waivers")
    period_start = models.DateField()
    period_end = models.DateField()
    reason = models.TextField(help_text="Who at Amazon agreed, where it is written down.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "agreement__vendor_code__brand"
    objects = BrandScopedManager["AgreementWaiver"]()

    class Meta:
        ordering = ["agreement", "period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="waiver_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.amazon_agreement_id} waived {self.period_start} to {self.period_end}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
