"""Journey: weekly inventory shows an ASIN running out of stock; the rules raise a critical out-of-stock
alert with a 24-hour deadline. An ops user finds it in the inbox, reads the first response on its page,
acknowledges it there, and follows its evidence link to the ASIN's page. Every page is screenshotted."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from core.periods import week_start
from planning.models import Product
from reviews.alert_models import Alert
from reviews.alert_services import alerts_evaluate
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.reviews import factories as facts

pytestmark = pytest.mark.urls("tests.reviews.alert_urlconf")


@pytest.fixture
def stock_out(brand_a: Any, brand_b: Any, vendor_ops: Any, brand_manager: Any) -> Product:
    """Four complete weeks of 300 units shipped a week; 450 sellable units left in the last one with a
    21-day vendor lead time: 1.5 weeks of cover against 3 + 1 needed (DOMAIN.md §4.3)."""
    vc = brand_a.vendor_code
    product = ProductFactory.create(vendor_code=vc, asin="B0OOSJOURN", title="Acme Studio Pro wireless headphones")
    ProductFactory.create(vendor_code=vc, asin="B0HEALTHY1", title="Acme braided USB-C cable 2 m")
    last = week_start(timezone.localdate()) - timedelta(days=7)
    weeks = [last - timedelta(weeks=n) for n in (3, 2, 1, 0)]
    for asin, last_on_hand in ((product.asin, 450), ("B0HEALTHY1", 5000)):
        for week in weeks:
            end = week + timedelta(days=6)
            facts.sales(vc, asin, week, end, grain="WEEK", shipped_units=300, customer_returns=0)
            facts.inventory(
                vc,
                asin,
                week,
                end,
                grain="WEEK",
                sellable_on_hand_inventory_units=last_on_hand if week == last else 3000,
                unfilled_customer_ordered_units=0,
                average_vendor_lead_time_days=Decimal("21"),
            )
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=weeks[0], period_end=last + timedelta(days=6))
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=["OOS_RISK"])
    return product


def test_ops_acknowledges_an_out_of_stock_alert_and_follows_its_evidence(
    page: Page, login: Any, screenshot: Any, stock_out: Product
) -> None:
    alert = Alert.objects.get(code="OOS_RISK")
    assert alert.entity == stock_out
    login(page, "ops", "pass-1234")

    # The inbox: the critical alert on top, with its deadline.
    page.get_by_role("link", name="Alerts").first.click()
    expect(page).to_have_url(re.compile(r"/alerts/$"))
    row = page.locator(f"#alert-row-{alert.pk}")
    expect(row).to_contain_text("B0OOSJOURN")
    expect(row).to_contain_text("Critical")
    expect(row).to_contain_text("ack by")
    expect(page.locator("#alert-counts [data-severity=critical] .kpi-value")).to_have_text("1")
    screenshot(page, "inbox")

    # The alert's page: what to check first, whom to contact, the numbers.
    row.get_by_role("link", name=re.compile("weeks of cover")).click()
    expect(page).to_have_url(re.compile(rf"/alerts/{alert.pk}/$"))
    expect(page.locator("#first-response")).to_contain_text("hold a meeting within 24 hours")
    expect(page.locator("#deadline-banner")).to_contain_text("Acknowledge by")
    expect(page.locator("#evidence-numbers")).to_contain_text("1.50 weeks")
    expect(page.locator("#measured-value")).to_have_text("1.50 weeks")
    screenshot(page, "alert-detail")

    # Acknowledge (htmx): the panel and the history refresh in place, the deadline banner goes away.
    page.locator("#acknowledge-form button").click()
    expect(page.locator("#alert-status")).to_have_text("Acknowledged")
    expect(page.locator("#acknowledged")).to_contain_text("ops")
    expect(page.locator("#alert-history")).to_contain_text("Acknowledged by ops")
    expect(page.locator("#deadline-banner")).not_to_contain_text("Acknowledge by")
    screenshot(page, "acknowledged")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by.username, alert.assigned_to.username) == (  # type: ignore[union-attr]
        "ACKNOWLEDGED",
        "ops",
        "ops",
    )

    # Follow the evidence to the ASIN's page.
    page.locator("#evidence-links [data-kind=asin]").click()
    expect(page).to_have_url(re.compile(rf"/catalog/{stock_out.pk}/$"))
    expect(page.locator("body")).to_contain_text("B0OOSJOURN")
    screenshot(page, "asin-page")

    # Back in the inbox the row says who owns it; nothing escalates any more.
    page.goto("/alerts/")
    expect(page.locator(f"#alert-row-{alert.pk}")).to_contain_text("Acknowledged")
    expect(page.locator(f"#alert-row-{alert.pk}")).not_to_contain_text("ack by")
    screenshot(page, "inbox-after")
