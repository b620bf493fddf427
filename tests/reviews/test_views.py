"""MBR pages: the agenda sections from rollups, the stories, filters, tenant isolation, query budgets,
the ASIN page, action items over htmx and the XLSX export (numbers as numbers, no formulas)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.services.business_reviews import review_create
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.reviews import factories as f
from tests.reviews.scenario import build_scenario

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def scenario(brand_a: Any) -> Any:
    vc = brand_a.vendor_code
    built = build_scenario(vc, last_day=date(2026, 4, 8), months=14)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=built.first_day, period_end=built.last_day)
    return built


@pytest.fixture
def review(brand_a: Any, brand_manager: Any) -> BusinessReview:
    return review_create(user=brand_manager, brand=brand_a.brand, month=MARCH)


def test_mbr_page_shows_every_agenda_section_and_the_stories(
    brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any, review: BusinessReview
) -> None:
    response = client_for(vendor_ops).get(reverse("review-detail", args=[review.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for section in (
        "headline",
        "profitability",
        "availability",
        "traffic",
        "advertising",
        "promotions",
        "content",
        "movers",
        "alerts",
    ):
        assert f'id="section-{section}"' in page
    assert 'id="actions"' in page
    data = response.context["data"]
    # story 1: a category behind plan (red flag in the category table)
    categories = {r["category"]: r for r in data.section("headline")["tables"][0]["rows"]}
    assert Decimal(categories["Speakers"]["shipped_cogs_pace"]) < Decimal("0.7")
    assert 'title="Behind plan"' in page
    # story 2: ACoS up month on month, shown as a bad (red) change
    acos = next(k for k in data.section("advertising")["kpis"] if k["key"] == "acos")
    assert Decimal(acos["mom"]) > Decimal("0.1")
    assert acos["label"] == "ACoS (14d)"
    # story 3: the stock-out ASINs top the out-of-stock table
    stock_outs = data.section("availability")["tables"][0]["rows"]
    assert {r["asin"] for r in stock_outs[:2]} == set(scenario.stock_out_asins)
    assert "Search click and conversion shares need Brand Analytics" in page  # says what is missing
    assert "Alerts are not connected yet" not in page  # the alerts provider is registered
    assert 'id="section-alerts"' in page
    assert len(data.movers["up"]) <= 10 and data.movers["down"]
    assert 'id="mbr-charts"' in page


def test_kpi_changes_are_coloured_by_direction(
    brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any, review: BusinessReview
) -> None:
    page = client_for(vendor_ops).get(reverse("review-detail", args=[review.pk])).content.decode()
    acos_card = page.split('data-kpi="acos"')[1].split("</div>\n    </div>")[0]
    assert "kpi-change bad" in acos_card  # ACoS went up: red, although the number grew


def test_category_filter_reads_category_rollups(
    brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any, review: BusinessReview
) -> None:
    response = client_for(vendor_ops).get(reverse("review-detail", args=[review.pk]), {"category": "Speakers"})
    data = response.context["data"]
    assert data.meta["category"] == "Speakers"
    cogs = next(k for k in data.section("headline")["kpis"] if k["key"] == "shipped_cogs")
    categories = response.context["categories"]
    assert categories == ["Chargers & Cables", "Headphones", "Speakers"]
    full = client_for(vendor_ops).get(reverse("review-detail", args=[review.pk])).context["data"]
    speakers = next(r for r in full.section("headline")["tables"][0]["rows"] if r["category"] == "Speakers")
    assert cogs["value"] == speakers["shipped_cogs"]
    assert cogs["target"] == "58000"  # the Speakers month target of the plan


def test_pages_of_another_brand_are_404(brand_a: Any, outsider: Any, client_for: Any, review: BusinessReview) -> None:
    client = client_for(outsider)
    assert client.get(reverse("review-detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("review-export", args=[review.pk])).status_code == 404
    assert client.get(reverse("mbr-live", args=[brand_a.brand.pk, "2026-03"])).status_code == 404
    assert client.get(reverse("asin-trend", args=[brand_a.vendor_code.pk, "B0SCEN0001"])).status_code == 404
    assert client.post(reverse("action-item-add", args=[review.pk]), {"title": "x"}).status_code == 404
    assert client.post(reverse("review-transition", args=[review.pk]), {"to_status": "DATA_FROZEN"}).status_code == 404
    assert BusinessReview.objects.get(pk=review.pk).status == BusinessReview.Status.SCHEDULED
    reviews = client.get(reverse("review-list")).content.decode()
    assert "Acme Audio" not in reviews


# Session, user, review, scope, rollups and ads (trend + categories), plan targets, coop (4), movers,
# stock-outs, promotions, content, filters, action items, roles, disputes, log, brand switcher.
MBR_QUERY_BUDGET = 32
QUERIES: list[str] = []


def test_mbr_page_query_budget_does_not_grow_with_asins(
    brand_a: Any, vendor_ops: Any, client_for: Any, review: BusinessReview
) -> None:
    vc = brand_a.vendor_code
    client = client_for(vendor_ops)

    def load(first: int, asins: int) -> int:
        for i in range(first, first + asins):
            asin = f"B0Q{i:07d}"
            ProductFactory(vendor_code=vc, asin=asin, category=("Headphones", "Speakers")[i % 2])
            for month in (date(2026, 2, 10), date(2026, 3, 10)):
                f.sales(
                    vc,
                    asin,
                    month,
                    ordered_revenue=Decimal(100 + i * month.month),
                    ordered_units=5,
                    shipped_units=5,
                    shipped_cogs=Decimal(60),
                )
                f.inventory(vc, asin, month, procurable_product_out_of_stock_rate=Decimal("0.1"))
                f.traffic(vc, asin, month, glance_views=50)
        rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 2, 1), period_end=date(2026, 3, 31))
        url = reverse("review-detail", args=[review.pk])
        client.get(url)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        QUERIES[:] = [q["sql"][:150] for q in queries.captured_queries]
        return len(queries)

    few = load(0, 3)
    many = load(3, 30)
    assert few <= MBR_QUERY_BUDGET, "\n".join(QUERIES)
    assert many == few


def test_asin_page_shows_trends_from_rollups(brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any) -> None:
    asin = scenario.stock_out_asins[0]
    url = reverse("asin-trend", args=[brand_a.vendor_code.pk, asin])
    client = client_for(vendor_ops)
    client.get(url, {"month": "2026-03"})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"month": "2026-03"})
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"][:90] for q in queries.captured_queries]
    data = response.context["data"]
    assert data["month"] == MARCH
    assert set(data["charts"]["monthly"]) == {"sales", "units", "inventory", "traffic", "advertising"}
    assert len(data["charts"]["monthly"]["sales"]["labels"]) == 24
    ppoos = next(k for k in data["kpis"] if k["key"] == "ppoos_rate")
    assert Decimal(ppoos["value"]) > Decimal("0.3")  # out of stock for half of March
    assert 'id="asin-charts"' in response.content.decode()
    assert (
        client_for(vendor_ops).get(reverse("asin-trend", args=[brand_a.vendor_code.pk, "B0NOTHERE0"])).status_code
        == 404
    )


def test_adding_an_action_item_over_htmx_returns_the_list(
    brand_a: Any, vendor_ops: Any, brand_manager: Any, client_for: Any, review: BusinessReview
) -> None:
    response = client_for(vendor_ops).post(
        reverse("action-item-add", args=[review.pk]),
        {"title": "=Rush PO for the earbuds", "owner": brand_manager.pk, "due_date": "2026-04-20"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "=Rush PO for the earbuds" in response.content.decode()
    item = ActionItem.objects.get()
    assert (item.review_id, item.owner_id, item.due_date, item.status) == (
        review.pk,
        brand_manager.pk,
        date(2026, 4, 20),
        "OPEN",
    )
    assert item.created_by_id == vendor_ops.pk

    response = client_for(vendor_ops).post(
        reverse("action-item-status", args=[item.pk]),
        {"status": "DONE", "review": review.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "DONE" and item.completed_at is not None


def test_viewers_see_the_mbr_but_cannot_add_actions(
    brand_a: Any, viewer: Any, client_for: Any, review: BusinessReview
) -> None:
    client = client_for(viewer)
    page = client.get(reverse("review-detail", args=[review.pk])).content.decode()
    assert 'id="action-form"' not in page and 'id="workflow-form"' not in page
    client.post(
        reverse("action-item-add", args=[review.pk]), {"title": "x", "owner": viewer.pk, "due_date": "2026-04-01"}
    )
    assert not ActionItem.objects.exists()


def test_xlsx_export_has_a_sheet_per_section_numbers_as_numbers_and_no_formulas(
    brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any, review: BusinessReview
) -> None:
    products = scenario.products
    products[0].title = '=HYPERLINK("http://evil.example","click")'
    products[0].save()
    ActionItem.objects.create(review=review, title="@SUM(A1:A9)", owner=vendor_ops, due_date=date(2026, 4, 30))
    response = client_for(vendor_ops).get(reverse("review-export", args=[review.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="MBR-Acme-Audio-2026-03-all.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Headline vs plan and last year",
        "Profitability",
        "Availability",
        "Traffic and conversion",
        "Advertising",
        "Promotions",
        "Content health",
        "Top movers",
        "Action items",
    ]
    headline = book["Headline vs plan and last year"]
    cogs = next(row for row in headline.iter_rows() if row[0].value == "Shipped COGS")
    assert isinstance(cogs[1].value, (int, float)) and cogs[1].number_format == "#,##0.00"
    data = client_for(vendor_ops).get(reverse("review-detail", args=[review.pk])).context["data"]
    expected = next(k for k in data.section("headline")["kpis"] if k["key"] == "shipped_cogs")["value"]
    assert Decimal(str(cogs[1].value)).quantize(Decimal("0.01")) == Decimal(expected).quantize(Decimal("0.01"))
    acos = next(row for row in book["Advertising"].iter_rows() if row[0].value == "ACoS (14d)")
    assert acos[1].number_format == "0.0%" and 0 < acos[1].value < 1
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert "'@SUM(A1:A9)" in texts
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


def test_live_mbr_without_a_review_and_its_export(
    brand_a: Any, vendor_ops: Any, client_for: Any, scenario: Any
) -> None:
    client = client_for(vendor_ops)
    url = reverse("mbr-live", args=[brand_a.brand.pk, "2026-03"])
    response = client.get(url, {"marketplace": brand_a.vendor_code.marketplace_id})
    assert response.status_code == 200
    assert response.context["source"] == "live"
    assert "Action items belong to a scheduled review" in response.content.decode()
    assert client.get(reverse("mbr-live", args=[brand_a.brand.pk, "2026-13"])).status_code == 404
    export = client.get(reverse("mbr-live-export", args=[brand_a.brand.pk, "2026-03"]))
    assert export.status_code == 200 and len(export.content) > 1000


def test_review_list_schedules_a_review(brand_a: Any, brand_manager: Any, client_for: Any) -> None:
    client = client_for(brand_manager)
    assert client.get(reverse("review-list")).status_code == 200
    response = client.post(
        reverse("review-list"), {"brand": brand_a.brand.pk, "month": "2026-03", "review_type": "MBR"}
    )
    review = BusinessReview.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review-detail", args=[review.pk])
    assert (review.month, review.marketplace, review.status) == (MARCH, None, "SCHEDULED")


def test_admin_edits_fx_rates_and_shows_rollups_read_only(admin_client: Any, scenario: Any) -> None:
    from reviews.models import FxRate

    response = admin_client.post(
        "/admin/reviews/fxrate/add/",
        {"month": "2026-03-17", "from_currency": "eur", "to_currency": "usd", "rate": "1.0825", "source": "ECB"},
    )
    assert response.status_code == 302
    rate = FxRate.objects.get()
    assert (rate.month, rate.from_currency, rate.to_currency, rate.rate) == (MARCH, "EUR", "USD", Decimal("1.0825"))
    assert admin_client.get("/admin/reviews/rollup/").status_code == 200
    assert admin_client.get("/admin/reviews/rollup/add/").status_code == 403
    assert admin_client.get("/admin/reviews/adsrollup/").status_code == 200
