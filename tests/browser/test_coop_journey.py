"""Browser journey (headless Chromium): a brand manager requests a fund split, a finance approver
approves it from the inbox, and cannot approve a split they requested themselves. The journey also
screenshots every co-op page (var/screenshots/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from coop.calculations import Tier
from coop.models import FundAllocation
from coop.services.agreements import agreement_accept
from coop.services.agreements import agreement_create
from coop.services.disputes import dispute_open
from coop.services.invoices import invoice_record
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute
from tests.coop.factories import sales_fact

pytestmark = pytest.mark.browser
D = Decimal


@pytest.fixture
def coop_world(brand_a, brand_manager, finance_approver, vendor_ops):
    vc = brand_a.vendor_code
    mdf = CoopAgreementFactory.create(vendor_code=vc, amazon_agreement_id="MDF-2026", title="Base accrual (MDF) 2026")
    CoopAgreementFactory.create(
        vendor_code=vc,
        amazon_agreement_id="FRT-2026",
        title="Freight allowance 2026",
        agreement_type="FREIGHT_ALLOWANCE",
        rate_pct=D("0.03"),
    )
    for month, value in ((1, "240000.00"), (2, "198500.00"), (3, "-4200.00")):
        inventory_fact(vc, date(2026, month, 1), net_received=value)
    for agreement in mdf.vendor_code.coop_agreements.all():
        for month in (1, 2, 3):
            recompute(agreement, date(2026, month, 1))
    growth = agreement_create(
        vendor_code=vc,
        user=vendor_ops,
        amazon_agreement_id="VIR-2026",
        title="Volume incentive 2026",
        agreement_type="GROWTH_INCENTIVE",
        currency="USD",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        tier_mode="ALL_UNITS_RETROACTIVE",
        measured_metric="SHIPPED_COGS",
        baseline_amount=D("2000000"),
        tiers=[Tier(D("0.05"), D("0.01")), Tier(D("0.10"), D("0.02")), Tier(D("0.15"), D("0.03"))],
    )
    agreement_accept(agreement=growth, user=finance_approver, today=date(2026, 1, 2))
    for month in range(1, 4):
        sales_fact(vc, date(2026, month, 1), shipped_cogs="178000.00", shipped_units=8900)
    for number, amount, start in (("INV-2026-001", "19200.00", 1), ("INV-2026-002", "15910.00", 2)):
        invoice_record(
            vendor_code=vc,
            user=vendor_ops,
            amazon_invoice_id=number,
            invoice_date=date(2026, start + 1, 8),
            amount=D(amount),
            currency="USD",
            amazon_agreement_id="MDF-2026",
            service_period_start=date(2026, start, 1),
            service_period_end=date(2026, start, 28 if start == 2 else 31),
        )
    flagged, _ = invoice_record(
        vendor_code=vc,
        user=vendor_ops,
        amazon_invoice_id="INV-2026-003",
        invoice_date=date(2026, 2, 9),
        amount=D("24000.00"),
        currency="USD",
        amazon_agreement_id="MDF-2026",
        service_period_start=date(2026, 1, 1),
        service_period_end=date(2026, 1, 31),
    )
    dispute = dispute_open(user=vendor_ops, invoice=flagged, amount_claimed=D("4800.00"), reason="Charged at 10 %")
    return {"mdf": mdf, "growth": growth, "flagged": flagged, "dispute": dispute}


def _logout(page: Page) -> None:
    page.context.clear_cookies()


def _request_split(page: Page, title: str) -> None:
    page.goto("/coop/allocations/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Period start").fill("2026-07-01")
    page.get_by_label("Period end").fill("2026-09-30")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Total amount").fill("30000")
    rows = page.locator("#line-rows tr.line-row")
    rows.nth(0).locator("select").select_option("ADS")
    rows.nth(0).locator("input[name$='-description']").fill("Sponsored Products, Prime Day")
    rows.nth(0).locator("input[name$='-amount']").fill("20000")
    rows.nth(0).locator("input[name$='-brand_share_pct']").fill("60")
    page.locator("#add-line").click()
    rows.nth(1).locator("select").select_option("PROMO_FUNDING")
    rows.nth(1).locator("input[name$='-description']").fill("Lightning deals")
    rows.nth(1).locator("input[name$='-amount']").fill("10000")
    rows.nth(1).locator("input[name$='-brand_share_pct']").fill("80")
    expect(page.locator("#lines-total")).to_have_text("30,000.00")
    page.locator("#save-allocation").click()
    expect(page.locator("#allocation-status")).to_have_text("Draft")
    page.locator("#submit-allocation").click()
    expect(page.locator("#allocation-status")).to_have_text("Pending finance approval")


def test_finance_approver_approves_a_managers_split_but_not_their_own(
    page: Page, login, screenshot, coop_world, brand_a
) -> None:
    login(page, "bm", "pass-1234")
    page.get_by_role("link", name="Co-op").first.click()
    expect(page.get_by_role("heading", name="Co-op money")).to_be_visible()
    _request_split(page, "Q3 co-op split")
    screenshot(page, "allocation-pending")
    expect(page.locator("#decision-refused")).to_contain_text("another finance approver must decide")
    _logout(page)

    login(page, "approver", "pass-1234")
    page.goto("/coop/")
    expect(page.locator("#kpi-approvals .kpi-value")).to_have_text("1")
    screenshot(page, "coop-home")
    page.goto("/coop/approvals/")
    screenshot(page, "approval-inbox")
    page.get_by_role("link", name="Q3 co-op split").click()
    page.locator("#id_comment").fill("Within the Q3 JBP envelope")
    page.locator("#approve-button").click()
    expect(page.locator("#allocation-status")).to_have_text("Approved")
    expect(page.locator("#approval-list")).to_contain_text("Within the Q3 JBP envelope")
    screenshot(page, "allocation-approved")
    assert FundAllocation.objects.get(title="Q3 co-op split").status == FundAllocation.Status.APPROVED

    # The approver's own request: the page explains, and there is no approve button to press.
    _request_split(page, "Approver's own split")
    expect(page.locator("#decision-refused")).to_contain_text("You requested or submitted this split")
    expect(page.locator("#approve-button")).to_have_count(0)
    screenshot(page, "own-split-refused")
    page.goto("/coop/approvals/")
    expect(page.locator("#inbox-empty")).to_be_visible()

    # The other co-op pages, with data.
    page.goto("/coop/allocations/")
    screenshot(page, "allocation-list")
    page.goto("/coop/allocations/new/")
    screenshot(page, "allocation-form")
    page.goto("/coop/agreements/")
    expect(page.locator("#growth-trackers")).to_be_visible()
    screenshot(page, "agreement-list")
    page.goto(f"/coop/agreements/{coop_world['mdf'].pk}/")
    expect(page.locator("#accrual-table")).to_contain_text("19,200.00")
    screenshot(page, "agreement-detail")
    page.goto(f"/coop/agreements/{coop_world['growth'].pk}/")
    expect(page.locator("#growth-tracker")).to_be_visible()
    screenshot(page, "growth-agreement")
    page.goto("/coop/invoices/")
    expect(page.locator(".variance-badge.text-bg-danger")).to_have_count(1)
    screenshot(page, "invoice-list")
    page.goto(f"/coop/invoices/{coop_world['flagged'].pk}/")
    screenshot(page, "invoice-detail")
    page.goto("/coop/disputes/")
    screenshot(page, "dispute-list")
    page.goto(f"/coop/disputes/{coop_world['dispute'].pk}/")
    screenshot(page, "dispute-detail")
    page.goto("/coop/ledger/?start=2026-01-01&end=2026-09-30")
    screenshot(page, "ledger")


def test_vendor_ops_maps_an_unknown_invoice_file_once(
    page: Page, login, screenshot, brand_a, vendor_ops, tmp_path
) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    csv_file = tmp_path / "coop-invoices-feb.csv"
    csv_file.write_text(
        "Co-op invoices,,,\n"
        "Invoice Number,Agreement ID,Invoice Date,Original Balance,Service Start,Service End\n"
        'INV-2026-001,MDF-2026,02/10/2026,"19,200.00",01/01/2026,01/31/2026\n'
        'INV-2026-004,MDF-2026,02/11/2026,"24,000.00",01/01/2026,01/31/2026\n'
    )
    login(page, "ops", "pass-1234")
    page.goto("/coop/invoices/")
    page.locator("#import-files").click()
    page.get_by_label("File").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#upload-status")).to_have_text("Needs a column mapping")
    page.get_by_label("Service period start").select_option("Service Start")
    page.get_by_label("Service period end").select_option("Service End")
    page.get_by_label("Dates in this file").select_option("MDY")
    screenshot(page, "mapping-screen")
    page.locator("#save-mapping").click()
    expect(page.locator("#upload-status")).to_have_text("Imported")
    screenshot(page, "import-done")
    page.goto("/coop/invoices/")
    expect(page.locator("#invoice-table tbody tr")).to_have_count(2)
    expect(page.locator(".variance-badge.text-bg-danger")).to_have_count(1)
    screenshot(page, "imported-invoices")

    # The invoice's backup report: Amazon received 100 units of B0AAAAAAA1 in January, the backup bills 112.
    row = inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="1500.00", asin="B0AAAAAAA1")
    row.net_received_inventory_units = 100
    row.save()
    backup_file = tmp_path / "coop-backup-jan.csv"
    backup_file.write_text(
        "Invoice Number,ASIN,Units,Unit Cost,Co-op Amount\nINV-2026-001,B0AAAAAAA1,112,15.00,134.40\n"
    )
    page.goto("/coop/imports/")
    page.get_by_label("Kind").select_option("BACKUP")
    page.get_by_label("File").set_input_files(str(backup_file))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#upload-status")).to_have_text("Needs a column mapping")
    screenshot(page, "backup-mapping-screen")
    page.locator("#save-mapping").click()
    expect(page.locator("#upload-status")).to_have_text("Imported")
    expect(page.locator("#upload-message")).to_contain_text("1 backup line of 1 invoice: 1 new")
    screenshot(page, "backup-imported")
    page.goto("/coop/invoices/")
    page.get_by_role("link", name="INV-2026-001").click()
    expect(page.locator('[data-flag="BACKUP_MISMATCH"]')).to_contain_text("backup 112 units")
    screenshot(page, "invoice-backup-flag")

    # Amazon waived January's MDF: the January invoices are flagged once the waiver is recorded.
    page.goto(f"/coop/agreements/{agreement.pk}/")
    page.locator("#add-waiver").click()
    page.get_by_label("Waived from").fill("2026-01-01")
    page.get_by_label("Waived to").fill("2026-01-31")
    page.get_by_label("Who agreed, where it is written").fill("VM email of 12 Dec: no MDF for January")
    screenshot(page, "waiver-form")
    page.locator("#save-waiver").click()
    expect(page.locator("#waiver-table tbody tr")).to_have_count(1)
    screenshot(page, "agreement-waiver")
    page.goto("/coop/invoices/")
    page.get_by_role("link", name="INV-2026-004").click()
    expect(page.locator('[data-flag="WAIVED_PERIOD_CHARGED"]')).to_contain_text("was waived from 2026-01-01")
    screenshot(page, "invoice-waiver-flag")
    page.goto("/coop/imports/")
    expect(page.locator("#upload-table tbody tr")).to_have_count(2)
    screenshot(page, "upload-list")
