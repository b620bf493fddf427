"""The co-op demo (seed_demo's "co-op money" seeder) shows both audit checks that need more than the
invoice: a backup report billing units Amazon did not receive, and a waived period charged anyway; and
it disputes two invoices chosen by what they are (February's MDF at last year's rate, and the MDF
charged for December, before the agreement), whatever else the audit flags, however often it is seeded."""

from __future__ import annotations

from datetime import date

import pytest

from coop.demo import seed_coop_demo
from coop.models import AgreementWaiver
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.models import Dispute
from planning.demo import DemoContext
from planning.demo import seed_catalog

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def _context() -> DemoContext:
    ctx = DemoContext(seed=42, today=TODAY, password="pass-1234", log=lambda _: None)
    seed_catalog(ctx)
    return ctx


def _invoice_disputes(vendor_code) -> dict[str, tuple[int, str, int]]:
    """Disputed Amazon invoice id -> (dispute id, dispute status, attempt)."""
    return {
        dispute.invoice.amazon_invoice_id: (dispute.pk, dispute.status, dispute.attempt_no)
        for dispute in Dispute.objects.filter(invoice__vendor_code=vendor_code).select_related("invoice")
    }


def _expected_disputes(vendor_code) -> dict[str, str]:
    mdf = f"{vendor_code.code}-BASE-2026"
    return {f"{mdf}-202602": "PARTIALLY_APPROVED", f"{mdf}-OUT": "DRAFT"}


def test_demo_flags_a_backup_quantity_and_a_waived_period_and_is_idempotent() -> None:
    ctx = _context()
    seed_coop_demo(ctx)

    codes = list(ctx.vendor_codes.values())
    assert codes
    for vendor_code in codes:
        flagged = CoopInvoice.objects.filter(vendor_code=vendor_code, status="VARIANCE_FLAGGED")
        backup = [i for i in flagged if "BACKUP_MISMATCH" in i.flag_codes]
        waived = [i for i in flagged if "WAIVED_PERIOD_CHARGED" in i.flag_codes]
        assert len(backup) == 1, vendor_code
        assert len(waived) == 1, vendor_code
        assert backup[0].agreement.agreement_type == "BASE_ACCRUAL_MDF"
        assert waived[0].agreement.agreement_type == "FREIGHT_ALLOWANCE"
        message = next(f["message"] for f in backup[0].audit_flags if f["code"] == "BACKUP_MISMATCH")
        assert message.count("ASIN ") == 1  # one line of three differs: 12 units more than received
        assert "BACKUP_TOTAL_MISMATCH" in backup[0].flag_codes  # three ASINs are a fraction of the invoice
        assert "BACKUP_RATE_MISMATCH" not in backup[0].flag_codes  # the lines state the agreement's rate
        lines = CoopBackupLine.objects.filter(invoice=backup[0]).order_by("line_no")
        assert lines.count() == 3
    lines_before = CoopBackupLine.objects.count()
    waivers_before = AgreementWaiver.objects.count()

    seed_coop_demo(ctx)

    assert CoopBackupLine.objects.count() == lines_before
    assert AgreementWaiver.objects.count() == waivers_before == len(codes)
    for vendor_code in codes:  # still open flags, not disputed by the second run
        flagged = CoopInvoice.objects.filter(vendor_code=vendor_code, status="VARIANCE_FLAGGED")
        assert sum("BACKUP_MISMATCH" in i.flag_codes for i in flagged) == 1
        assert sum("WAIVED_PERIOD_CHARGED" in i.flag_codes for i in flagged) == 1


def test_demo_disputes_the_wrong_rate_and_the_outside_dates_invoices_once() -> None:
    ctx = _context()
    seed_coop_demo(ctx)

    first: dict[str, dict[str, tuple[int, str, int]]] = {}
    for vendor_code in ctx.vendor_codes.values():
        disputes = _invoice_disputes(vendor_code)
        assert {invoice_id: status for invoice_id, (_, status, _) in disputes.items()} == _expected_disputes(
            vendor_code
        )
        wrong_rate, outside = (CoopInvoice.objects.get(amazon_invoice_id=i) for i in _expected_disputes(vendor_code))
        assert "WRONG_RATE" in wrong_rate.flag_codes and wrong_rate.status == "RESOLVED_PARTIAL"
        assert "OUTSIDE_AGREEMENT_DATES" in outside.flag_codes and outside.status == "VARIANCE_FLAGGED"  # a draft
        # The backup and waiver findings are on other invoices, left open: neither disputed nor deducted.
        for code in ("BACKUP_MISMATCH", "WAIVED_PERIOD_CHARGED"):
            (open_finding,) = [i for i in CoopInvoice.objects.filter(vendor_code=vendor_code) if code in i.flag_codes]
            assert open_finding.status == "VARIANCE_FLAGGED"
            assert open_finding.amazon_invoice_id not in disputes
            assert not open_finding.deductions.exists()
        first[vendor_code.code] = disputes
    disputes_before = Dispute.objects.count()

    seed_coop_demo(ctx)
    seed_coop_demo(ctx)

    assert Dispute.objects.count() == disputes_before
    for vendor_code in ctx.vendor_codes.values():
        assert _invoice_disputes(vendor_code) == first[vendor_code.code]  # same rows, same states


def test_new_flags_on_other_invoices_do_not_change_which_invoices_are_disputed(settings) -> None:
    # A zero variance tolerance flags every invoice that differs at all, e.g. March's freight charged 35.00
    # above its accrual, which comes before the December one in the seeded list: the disputes stay put.
    settings.COOPDESK_COOP_VARIANCE_PCT = "0"
    settings.COOPDESK_COOP_VARIANCE_MIN = "0.00"
    ctx = _context()
    seed_coop_demo(ctx)

    for vendor_code in ctx.vendor_codes.values():
        freight_march = CoopInvoice.objects.get(amazon_invoice_id=f"{vendor_code.code}-FREI-2026-202603")
        assert (freight_march.status, "VARIANCE" in freight_march.flag_codes) == ("VARIANCE_FLAGGED", True)
        disputes = _invoice_disputes(vendor_code)
        assert {invoice_id: status for invoice_id, (_, status, _) in disputes.items()} == _expected_disputes(
            vendor_code
        )
