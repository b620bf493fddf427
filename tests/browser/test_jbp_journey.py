"""JBP journey: a brand manager creates a quarterly plan, pastes targets copied from Excel, moves around
the grid with the keyboard, submits the plan, and another brand manager sends it on to Amazon."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planning.jbp_models import JBPPlan
from tests.factories import ProductFactory

# What a brand manager copies from their Excel plan: labels, month headers, US thousands separators,
# a currency symbol, a blank cell, and the spreadsheet's own total row and column.
EXCEL_BLOCK = (
    "Category\tJul 2026\tAug 2026\tSep 2026\tTotal\r\n"
    "Headphones\t120,000.00\t$135,500.50\t150,000\t405,500.50\r\n"
    "Speakers\t60,000\t\t75,250.25\t135,250.25\r\n"
    "Total\t180,000.00\t135,500.50\t225,250.25\t540,750.75\r\n"
)


@pytest.fixture
def catalog(brand_a, brand_manager, reviewer):
    for category in ("Headphones", "Speakers", "Smart Home"):
        ProductFactory.create(vendor_code=brand_a.vendor_code, category=category)


def _paste(page: Page, text: str) -> None:
    """Dispatch a real paste event carrying spreadsheet text, as Ctrl+V from Excel does."""
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def _cell(page: Page, row: str, month: str):
    return page.locator(f'input.grid-cell[data-row="{row}"][data-col="{month}"]')


def test_brand_manager_plans_a_quarter_and_a_reviewer_sends_it_on(page, login, screenshot, catalog) -> None:
    login(page, "bm", "pass-1234")
    page.get_by_role("link", name="Plans").first.click()
    expect(page.get_by_role("heading", name="Joint Business Plans")).to_be_visible()
    screenshot(page, "plan-list-empty")

    # Create the Q3 plan.
    page.locator("#new-plan").click()
    page.get_by_label("Marketplace").select_option(label="amazon.com (ATVPDKIKX0DER)")
    page.get_by_label("Horizon").select_option("QUARTERLY")
    page.get_by_label("Period start").fill("2026-07-01")
    page.get_by_label("Period end").fill("")
    page.get_by_label("Amazon counterpart").fill("Jordan Ellis (VM)")
    screenshot(page, "new-plan-form")
    page.locator("#create-plan").click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/targets/$"))
    plan = JBPPlan.objects.get()
    assert (plan.series, plan.period_start, plan.period_end, plan.status) == (
        "Q3",
        date(2026, 7, 1),
        date(2026, 9, 30),
        "DRAFT",
    )
    expect(page.locator("tbody tr[data-row]")).to_have_count(3)
    screenshot(page, "empty-grid")

    # Paste the Excel block at Headphones / July; the server parses it and the grid autosaves.
    _cell(page, "Headphones", "2026-07-01").click()
    _paste(page, EXCEL_BLOCK)
    expect(page.locator("#paste-notes")).to_contain_text("Pasted 6 cells")
    expect(page.locator("#paste-notes")).to_contain_text("Ignored the trailing total row")
    expect(_cell(page, "Headphones", "2026-08-01")).to_have_value("135,500.50")
    expect(_cell(page, "Speakers", "2026-09-01")).to_have_value("75,250.25")
    expect(page.locator("#grand-total")).to_have_text("540,750.75")
    expect(page.locator("#saved-at")).to_be_visible()
    screenshot(page, "pasted-and-saved")
    saved = {(t.dimension_value, t.period_start.month): t.target_value for t in plan.targets.all()}
    assert saved == {
        ("Headphones", 7): Decimal("120000.00"),
        ("Headphones", 8): Decimal("135500.50"),
        ("Headphones", 9): Decimal("150000.00"),
        ("Speakers", 7): Decimal("60000.00"),
        ("Speakers", 9): Decimal("75250.25"),
    }

    # Keyboard: from Speakers/Jul go right to the blank August cell, type, Shift+Enter moves up a row
    # (rows are sorted: Headphones, Smart Home, Speakers).
    _cell(page, "Speakers", "2026-07-01").click()
    page.keyboard.press("ArrowRight")
    expect(_cell(page, "Speakers", "2026-08-01")).to_be_focused()
    page.keyboard.type("70,000")
    page.keyboard.press("Shift+Enter")
    expect(_cell(page, "Smart Home", "2026-08-01")).to_be_focused()
    page.keyboard.type("abc")
    expect(page.locator('td.cell.invalid input[data-row="Smart Home"]')).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("td.cell.invalid")).to_have_count(0)
    page.keyboard.press("ArrowDown")
    expect(_cell(page, "Speakers", "2026-08-01")).to_be_focused()
    expect(page.locator('[data-row-total="Speakers"]')).to_have_text("205,250.25")
    page.wait_for_function("() => !document.querySelector('td.cell.dirty')")
    assert plan.targets.get(dimension_value="Speakers", period_start=date(2026, 8, 1)).target_value == Decimal("70000")

    # Submit for review from the plan page; the submitter cannot review it.
    page.locator("#open-grid").wait_for()
    page.get_by_role("link", name="Overview").click()
    page.locator("#action-submit_for_review").click()
    expect(page.locator(".status-badge").first).to_have_text("Internal review")
    expect(page.locator("#action-send_to_amazon")).to_be_disabled()
    expect(page.locator("#workflow")).to_contain_text("another member of the brand must review it")
    screenshot(page, "submitted-for-review")

    # Another brand manager reviews and sends it on.
    page.context.clear_cookies()
    login(page, "bm2", "pass-1234")
    page.goto(f"/plans/{plan.pk}/")
    form = page.locator('form[data-action="send_to_amazon"]')
    form.get_by_label("Comment").fill("Checked against last year; go.")
    page.locator("#action-send_to_amazon").click()
    expect(page.locator(".alert-success")).to_contain_text("is now Submitted to Amazon")
    expect(page.locator("#transition-log")).to_contain_text("Checked against last year; go.")
    screenshot(page, "sent-to-amazon")
    plan.refresh_from_db()
    assert plan.status == JBPPlan.Status.SUBMITTED_TO_AMAZON
    assert list(plan.transitions.values_list("to_status", "actor__username")) == [
        ("DRAFT", "bm"),
        ("INTERNAL_REVIEW", "bm"),
        ("SUBMITTED_TO_AMAZON", "bm2"),
    ]
