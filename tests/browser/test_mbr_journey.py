"""MBR journey: an ops user opens the March MBR, drills into a stock-out ASIN, adds an action item and
exports the review as XLSX."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.services.business_reviews import review_create
from reviews.services.rollups import rollups_recompute
from tests.reviews.scenario import build_scenario


@pytest.fixture
def march_review(brand_a: Any, brand_manager: Any, vendor_ops: Any) -> BusinessReview:
    vc = brand_a.vendor_code
    scenario = build_scenario(vc, last_day=date(2026, 4, 8), months=4)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=scenario.first_day, period_end=scenario.last_day)
    return review_create(user=brand_manager, brand=brand_a.brand, month=date(2026, 3, 1))


def test_ops_user_runs_the_mbr(page, login, screenshot, march_review: BusinessReview) -> None:  # type: ignore[no-untyped-def]
    login(page, "ops", "pass-1234")

    # Reviews list -> the March MBR
    page.get_by_role("link", name="Reviews").first.click()
    expect(page.get_by_role("heading", name="Business reviews")).to_be_visible()
    page.get_by_role("link", name="MBR · March 2026").click()
    expect(page.locator("#mbr-title")).to_contain_text("March 2026")
    expect(page.locator("#section-headline .kpi-card").first).to_contain_text("Shipped COGS")
    expect(page.locator("#category-table")).to_contain_text("Speakers")
    expect(page.locator("#stockout-table tbody tr")).not_to_have_count(0)
    # Chart.js drew the trend charts on their canvases
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 4")
    screenshot(page, "mbr")

    # Drill into the ASIN that ran out of stock
    page.locator("#stockout-table a").first.click()
    expect(page).to_have_url(re.compile(r"/reviews/asin/\d+/B0SCEN000[12]/"))
    expect(page.locator("#asin-title")).to_contain_text("B0SCEN000")
    page.wait_for_function("() => Object.keys(Chart.instances).length >= 8")
    expect(page.locator('[data-kpi="ppoos_rate"] .kpi-value')).to_contain_text("%")
    screenshot(page, "asin")
    page.get_by_role("link", name="Back to the review").click()
    expect(page.locator("#mbr-title")).to_contain_text("March 2026")

    # Add an action item without leaving the page (htmx)
    page.evaluate("window.__samePage = true")
    page.get_by_label("New action").fill("Rush PO for the earbuds that ran out")
    page.get_by_label("Owner").select_option(label="ops")
    page.get_by_label("Due date").fill("2026-04-20")
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("#action-table")).to_contain_text("Rush PO for the earbuds that ran out")
    assert page.evaluate("window.__samePage") is True
    item = ActionItem.objects.get()
    assert (item.review_id, item.owner.username, item.due_date) == (march_review.pk, "ops", date(2026, 4, 20))
    screenshot(page, "action-added")

    # Export the review as XLSX
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "MBR-Acme-Audio-2026-03-all.xlsx"
    book = load_workbook(io.BytesIO(download.path().read_bytes()))
    assert "Headline vs plan and last year" in book.sheetnames
    actions = [c.value for row in book["Action items"].iter_rows() for c in row]
    assert "Rush PO for the earbuds that ran out" in actions
