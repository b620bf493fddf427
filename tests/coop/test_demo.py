"""The co-op demo (seed_demo's "co-op money" seeder) shows both audit checks that need more than the
invoice: a backup report billing units Amazon did not receive, and a waived period charged anyway."""

from __future__ import annotations

from datetime import date

import pytest

from coop.demo import seed_coop_demo
from coop.models import AgreementWaiver
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from planning.demo import DemoContext
from planning.demo import seed_catalog

pytestmark = pytest.mark.django_db


def test_demo_flags_a_backup_quantity_and_a_waived_period_and_is_idempotent() -> None:
    ctx = DemoContext(seed=42, today=date(2026, 6, 15), password="pass-1234", log=lambda _: None)
    seed_catalog(ctx)
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
