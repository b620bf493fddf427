"""Journey: a brand manager plans a Lightning Deal inside the 4-week lead time, sees why it is refused,
drags it on the calendar to a later date (the rules are re-checked on drop), asks for approval; a finance
approver approves (the vendor cost is above the threshold) and the brand manager records the submission."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from coop.promotion_models import Promotion
from planning.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.urls("tests.coop.promotion_urlconf")

SEATTLE = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def headphones(brand_a: Any, brand_b: Any, brand_manager: Any, finance_approver: Any) -> Product:
    return ProductFactory.create(
        vendor_code=brand_a.vendor_code, asin="B0LDJOURN1", title="Acme Studio Pro headphones", cost_price=Decimal("42")
    )


def _drag_by_days(page: Page, bar_selector: str, days: int) -> None:
    """Press on the bar, move the mouse sideways by `days` day columns, release."""
    bar = page.locator(bar_selector)
    box = bar.bounding_box()
    assert box is not None
    day_width = page.evaluate(
        """() => {
            const grid = document.querySelector('#calendar-grid');
            const label = grid.querySelector('.cal-body .cal-label');
            const days = parseInt(getComputedStyle(grid).getPropertyValue('--days'), 10);
            return (grid.getBoundingClientRect().width - label.getBoundingClientRect().width) / days;
        }"""
    )
    x, y = box["x"] + min(box["width"] / 2, 8), box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + day_width * days, y, steps=12)
    page.mouse.up()


def test_plan_a_lightning_deal_too_late_move_it_and_submit(
    page: Page, login: Any, screenshot: Any, headphones: Product
) -> None:
    start = timezone.localtime(timezone.now(), SEATTLE).date() + timedelta(days=10)
    login(page, "bm", "pass-1234")

    # Plan the deal: 10 days ahead, inside the 4-week lead time of Lightning Deals.
    page.goto("/promotions/")
    page.get_by_role("link", name="Plan a promotion").click()
    page.get_by_label("Name").fill("Headphones Lightning Deal")
    page.get_by_label("Type").select_option("LIGHTNING_DEAL")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End date").fill(start.isoformat())
    page.get_by_label("End time").fill("15:00")
    page.locator("[name=items-0-asin]").fill("B0LDJOURN1")
    page.locator("[name=items-0-reference_price]").fill("100.00")
    page.locator("[name=items-0-promo_price]").fill("75.00")
    page.locator("[name=items-0-per_unit_funding]").fill("20.00")
    page.locator("[name=items-0-units_forecast]").fill("300")
    page.get_by_label("Merchandising fee").fill("500.00")
    page.locator("[name=items-0-units_forecast]").blur()
    # The live rule panel already says why Amazon would refuse it.
    expect(page.locator("#rule-panel")).to_contain_text(
        "Lightning Deals must be submitted at least 4 weeks before they start"
    )
    screenshot(page, "form-with-live-rule-check")
    page.get_by_role("button", name="Save draft").click()

    # The detail page explains the failure and refuses the request for approval.
    expect(page.locator("#promotion-name")).to_have_text("Headphones Lightning Deal")
    expect(page.locator("#forecast-vendor-cost")).to_have_text("6,500.00 USD")  # DOMAIN.md §3.5
    expect(page.locator("#rule-fail-count")).to_have_text("1 failing")
    lead = page.locator('.rule.fail[data-code="LEAD_TIME"]')
    expect(lead).to_contain_text(
        re.compile(r"this one starts in (9|10) days( \d+ hours?)? \(on .* in amazon\.com's time zone\)\.")
    )
    page.get_by_role("button", name="Ask for internal approval").click()
    expect(page.locator(".alert-danger")).to_contain_text("Not sent: 1 of Amazon's rules fails.")
    expect(page.locator("#promotion-status")).to_contain_text("Draft")
    screenshot(page, "refused-with-reason")
    promotion = Promotion.objects.get(name="Headphones Lightning Deal")
    assert promotion.status == Promotion.Status.DRAFT

    # Drag the draft three weeks later on the calendar (quarter view: the whole move fits on screen).
    page.goto(f"/promotions/calendar/?view=quarter&start={start:%Y-%m}")
    bar = f"#promo-bar-{promotion.pk}"
    expect(page.locator(bar)).to_have_class(re.compile(r"\bdraggable\b"))
    expect(page.locator(bar)).to_have_class(re.compile(r"\bhas-failures\b"))
    screenshot(page, "calendar-before-drag")
    _drag_by_days(page, bar, 21)
    result = page.locator("#move-result")
    expect(result).to_contain_text("Moved “Headphones Lightning Deal”")
    expect(result).to_contain_text("All of Amazon's rules pass now.")
    screenshot(page, "calendar-after-drag")
    promotion.refresh_from_db()
    moved_start = promotion.local_start
    assert moved_start.date() == start + timedelta(days=21)
    assert (moved_start.hour, moved_start.minute) == (9, 0)  # same wall-clock time in Seattle

    # Now it can go to internal approval; 6,500.00 is above the 5,000.00 threshold: finance approves.
    page.goto(f"/promotions/{promotion.pk}/")
    expect(page.locator("#rule-pass-badge")).to_be_visible()
    page.get_by_role("button", name="Ask for internal approval").click()
    expect(page.locator("#promotion-status")).to_contain_text("Internal approval")
    expect(page.locator("#approval-banner")).to_contain_text("a finance approver must approve")
    expect(page.locator("#action-approve")).to_have_count(0)  # the requester never approves
    screenshot(page, "waiting-for-finance")

    page.get_by_role("button", name=re.compile("bm")).click()
    page.get_by_role("button", name="Log out").click()
    login(page, "approver", "pass-1234")
    page.goto(f"/promotions/{promotion.pk}/")
    page.locator("#action-approve").click()
    expect(page.locator("#promotion-status")).to_contain_text("Ready to submit")
    page.get_by_role("button", name=re.compile("approver")).click()
    page.get_by_role("button", name="Log out").click()

    # The brand manager records the submission in Vendor Central; the rules are checked once more.
    login(page, "bm", "pass-1234")
    page.goto(f"/promotions/{promotion.pk}/")
    page.get_by_role("button", name="Mark as submitted to Amazon").click()
    page.get_by_label("Amazon promotion id (optional)").fill("PRM-JOURNEY-1")
    page.locator("#confirm-submit").click()
    expect(page.locator("#promotion-status")).to_contain_text("Submitted")
    expect(page.locator("#history")).to_contain_text("Ready to submit → Submitted")
    screenshot(page, "submitted")
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.SUBMITTED
    assert promotion.amazon_promotion_id == "PRM-JOURNEY-1"
    assert list(promotion.transitions.values_list("to_status", flat=True)) == [
        "DRAFT",
        "INTERNAL_APPROVAL",
        "READY",
        "SUBMITTED",
    ]
