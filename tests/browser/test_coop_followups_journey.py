"""Browser journeys of the co-op audit follow-ups: a backup report failing the total and rate checks is
shown on the invoice page in plain words, a corrected report clears them; only co-op roles see the
Re-run button of a co-op import on the Imports page. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page
from playwright.sync_api import expect

from coop.models import ColumnMapping
from coop.models import CoopInvoice
from coop.services.imports import coop_upload_create
from coop.services.invoices import invoice_record
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.browser
JAN = date(2026, 1, 1)


def test_backup_total_and_rate_flags_then_a_corrected_backup(
    page: Page, login, screenshot, brand_a, vendor_ops, tmp_path
) -> None:
    # DOMAIN.md §3.2's January: 8 % MDF on 240,000.00 = 19,200.00, invoiced as such.
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    recompute(agreement, JAN)
    invoice, _ = invoice_record(
        vendor_code=brand_a.vendor_code,
        user=None,
        amazon_invoice_id="INV-2026-001",
        invoice_date=date(2026, 2, 10),
        amount=Decimal("19200.00"),
        currency="USD",
        amazon_agreement_id="MDF-2026",
        service_period_start=JAN,
        service_period_end=date(2026, 1, 31),
    )
    header = "Invoice Number,ASIN,Units,Basis Amount,Rate,Co-op Amount\n"
    wrong = tmp_path / "coop-backup-jan.csv"
    wrong.write_text(
        header + "INV-2026-001,B0AAAAAAA1,10000,150000.00,10%,12000.00\n"
        "INV-2026-001,B0AAAAAAA2,4500,90000.00,8%,7150.00\n"
    )
    login(page, "ops", "pass-1234")
    page.goto("/coop/imports/")
    page.get_by_label("Kind").select_option("BACKUP")
    page.get_by_label("File").set_input_files(str(wrong))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#upload-status")).to_have_text("Needs a column mapping")
    page.locator("#save-mapping").click()
    expect(page.locator("#upload-status")).to_have_text("Imported")

    page.goto(f"/coop/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-status")).to_have_text("Variance flagged")
    total = page.locator('[data-flag="BACKUP_TOTAL_MISMATCH"]')
    expect(total).to_contain_text("Backup does not add up to the invoice")
    expect(total).to_contain_text(
        "The backup lines' charges add up to 19,150.00 USD but the invoice is 19,200.00 USD: a difference of "
        "-50.00, more than the tolerance of 0.01."
    )
    rate = page.locator('[data-flag="BACKUP_RATE_MISMATCH"]')
    expect(rate).to_contain_text("Backup rate differs from the agreement")
    expect(rate).to_contain_text("1 line at 10.00% where agreement MDF-2026's rate is 8.00%: line 1 (ASIN B0AAAAAAA1)")
    screenshot(page, "invoice-backup-total-and-rate-flags")

    fixed = tmp_path / "coop-backup-jan-v2.csv"
    fixed.write_text(
        header + "INV-2026-001,B0AAAAAAA1,10000,150000.00,8%,12000.00\n"
        "INV-2026-001,B0AAAAAAA2,4500,90000.00,8%,7200.00\n"
    )
    page.goto("/coop/imports/")
    page.get_by_label("Kind").select_option("BACKUP")
    page.get_by_label("File").set_input_files(str(fixed))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#upload-status")).to_have_text("Imported")
    expect(page.locator("#upload-message")).to_contain_text("0 new, 2 changed, 0 unchanged, 0 removed")

    page.goto(f"/coop/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-status")).to_have_text("OK")
    expect(page.locator('[data-flag="BACKUP_TOTAL_MISMATCH"]')).to_have_count(0)
    expect(page.locator('[data-flag="BACKUP_RATE_MISMATCH"]')).to_have_count(0)
    screenshot(page, "invoice-backup-corrected")
    assert CoopInvoice.objects.get(pk=invoice.pk).status == "OK"


def test_only_co_op_roles_rerun_a_co_op_import(
    page: Page, login, screenshot, brand_a, vendor_ops, brand_manager, finance
) -> None:
    """A brand manager re-runs Amazon reports but not co-op files (coop declares its roles to ingest): no
    Re-run button on the Imports page; a finance user re-runs the file."""
    CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    ColumnMapping.objects.create(
        vendor_code=brand_a.vendor_code,
        kind="INVOICES",
        columns={"amazon_invoice_id": "Invoice", "invoice_date": "Date", "amount": "Amount"},
    )
    upload = coop_upload_create(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        kind="INVOICES",
        file=SimpleUploadedFile("coop-invoices.csv", b"Invoice,Date,Amount\nINV-9,2026-02-10,150.00\n"),
    )
    first = upload.report_import_id

    login(page, "bm", "pass-1234")
    page.goto(f"/imports/{first}/")
    expect(page.locator("h1")).to_contain_text("coop-invoices.csv")
    expect(page.locator("#rerun-button")).to_have_count(0)
    screenshot(page, "co-op-import-brand-manager")

    page.context.clear_cookies()
    login(page, "fin", "pass-1234")
    page.goto(f"/imports/{first}/")
    page.locator("#rerun-button").click()
    expect(page.locator("body")).to_contain_text("Re-running coop-invoices.csv as import #")
    screenshot(page, "co-op-import-rerun-by-finance")
