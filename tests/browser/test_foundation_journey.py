"""First journey: a brand manager logs in, finds a product in the catalog, reads it, logs out."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from planning.models import Product
from tests.factories import CostPriceFactory
from tests.factories import ProductFactory


@pytest.fixture
def acme_catalog(brand_a, brand_b, brand_manager):
    headphones = ProductFactory.create(
        vendor_code=brand_a.vendor_code,
        asin="B0JOURNEY1",
        title="Acme Studio Pro wireless headphones",
        category="Headphones",
        subcategory="Over-ear",
        gtin="036000291452",
        cost_price=Decimal("42.00"),
        aplus_content=True,
        video_on_detail_page=False,
        content_score=81,
    )
    CostPriceFactory.create(product=headphones, effective_from="2025-01-01", cost=Decimal("40.00"))
    CostPriceFactory.create(product=headphones, effective_from="2025-06-01", cost=Decimal("42.00"))
    for n in range(2, 8):
        ProductFactory.create(
            vendor_code=brand_a.vendor_code, asin=f"B0JOURNEY{n}", title=f"Acme cable {n}", category="Accessories"
        )
    ProductFactory.create(vendor_code=brand_b.vendor_code, asin="B0OTHERBR1", title="Bloom wireless headphones")
    return headphones


def test_brand_manager_finds_and_reads_a_product(page, login, screenshot, acme_catalog: Product) -> None:
    login(page, "bm", "pass-1234")

    # Dashboard: the user's brand and vendor code, styled by the vendored Bootstrap
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    brand_card = page.locator(".brand-card")
    expect(brand_card).to_have_count(1)
    expect(brand_card).to_contain_text("Acme Audio")
    expect(brand_card.get_by_role("link", name="ACMEU")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Bloom Garden")
    navbar_background = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_background == "rgb(33, 37, 41)", "bootstrap.min.css was not served"
    screenshot(page, "dashboard")

    # Catalog search
    page.get_by_role("link", name="Catalog").first.click()
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    expect(page.locator("#result-count")).to_contain_text("7 products")
    screenshot(page, "catalog")
    page.evaluate("window.__samePage = true")  # survives htmx swaps, not full page loads
    page.get_by_label("Search").fill("acme cable")  # search as you type, no button needed
    expect(page).to_have_url(re.compile(r"/catalog/\?q=acme(\+|%20)cable$"))  # empty fields left out
    rows = page.locator("#product-table tbody tr")
    expect(rows).to_have_count(6)
    page.locator("th").get_by_role("link", name="Title").click()  # sort by title, then toggle to descending
    page.locator("th").get_by_role("link", name="Title").click()
    expect(page).to_have_url(re.compile(r"q=acme(\+|%20)cable.*sort=-title"))
    expect(rows.first).to_contain_text("B0JOURNEY7")
    assert page.evaluate("window.__samePage") is True
    page.get_by_label("Search").fill("wireless")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=wireless"))
    expect(rows).to_have_count(1)  # brand B's wireless headphones stay invisible
    expect(rows.first).to_contain_text("B0JOURNEY1")
    screenshot(page, "search")

    # Product detail
    rows.first.get_by_role("link", name="B0JOURNEY1").click()
    expect(page).to_have_url(re.compile(rf"/catalog/{acme_catalog.pk}/$"))
    expect(page.locator("#product-title")).to_have_text("Acme Studio Pro wireless headphones")
    fields = page.locator("#product-fields")
    expect(fields).to_contain_text("036000291452")
    expect(fields).to_contain_text("UPC-A")
    expect(fields).to_contain_text("42.00 USD")
    history = page.locator("#cost-price-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("2025-06-01")
    expect(history.first).to_contain_text("+5.0 %")
    screenshot(page, "product")


def test_logout_returns_to_the_login_page(page, login, screenshot, brand_manager) -> None:
    login(page, "bm", "pass-1234")
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    screenshot(page, "logged-out")

    # the dashboard now asks for a login again
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_a_wrong_password_is_refused(page, screenshot, brand_manager) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("bm")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    screenshot(page, "login-refused")
