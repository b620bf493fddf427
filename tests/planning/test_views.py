"""Pages: home dashboard, brand switcher, catalog list/detail/export, vendor code page; tenant isolation."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from planning.middleware import SESSION_KEY
from planning.models import Product
from tests.factories import CostPriceFactory
from tests.factories import MembershipFactory
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory
from tests.factories import de_marketplace

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[object]]:
    wb = load_workbook(BytesIO(response.content))
    return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


# --- login and home -------------------------------------------------------------------------------


def test_pages_require_login(client, brand_a):
    product = ProductFactory.create(vendor_code=brand_a.vendor_code)
    for url in [
        reverse("home"),
        reverse("product-list"),
        reverse("product-export"),
        reverse("product-detail", args=[product.pk]),
        reverse("vendor-code-detail", args=[brand_a.vendor_code.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_logs_in_and_logout_logs_out(client, brand_manager):
    response = client.post(reverse("login"), {"username": "bm", "password": "pass-1234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_home_lists_own_brand_with_vendor_codes_and_counts(client_for, brand_manager, brand_a, brand_b):
    brand_a.vendor_code.payment_terms_days = 60
    brand_a.vendor_code.settlement_discount_pct = Decimal("0.025")
    brand_a.vendor_code.save()
    ProductFactory.create_batch(3, vendor_code=brand_a.vendor_code, aplus_content=True, video_on_detail_page=False)
    ProductFactory.create(vendor_code=brand_a.vendor_code, aplus_content=False, video_on_detail_page=True)
    ProductFactory.create(vendor_code=brand_b.vendor_code)

    response = client_for(brand_manager).get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Audio" in html
    assert "ACMEU" in html
    assert "60 days" in html
    assert "2.5 %" in html
    assert "Bloom Garden" not in html
    assert "BLOOM" not in html
    [brand] = response.context["brands"]
    assert brand == brand_a.brand
    assert brand.product_count == 4
    assert [vc.product_count for vc in brand.codes] == [4]
    assert response.context["content"] == {"products": 4, "missing_aplus": 1, "missing_video": 3}


def test_home_without_memberships_explains_what_to_do(client_for, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="pass-1234")
    response = client_for(loner).get(reverse("home"))
    assert response.status_code == 200
    assert "not a member of any brand" in response.content.decode()


# --- brand switcher -------------------------------------------------------------------------------


def test_brand_switcher_selects_own_brand_and_filters_pages(client_for, brand_manager, brand_a):
    other = VendorCodeFactory.create(code="OTHER")  # a second brand of the same user
    MembershipFactory.create(user=brand_manager, brand=other.brand)
    ProductFactory.create(vendor_code=brand_a.vendor_code, title="Acme headphones")
    ProductFactory.create(vendor_code=other, title="Other kettle")
    client = client_for(brand_manager)

    response = client.post(reverse("brand-switch"), {"brand": brand_a.brand.pk, "next": "/catalog/?q=e"})

    assert response.status_code == 302
    assert response["Location"] == "/catalog/?q=e"
    assert client.session[SESSION_KEY] == brand_a.brand.pk
    titles = [p.title for p in client.get(reverse("product-list")).context["page"]]
    assert titles == ["Acme headphones"]

    client.post(reverse("brand-switch"), {"brand": ""})
    assert SESSION_KEY not in client.session
    titles = sorted(p.title for p in client.get(reverse("product-list")).context["page"])
    assert titles == ["Acme headphones", "Other kettle"]


def test_brand_switcher_refuses_another_brands_id_with_404(client_for, brand_manager, brand_a, brand_b):
    client = client_for(brand_manager)
    client.post(reverse("brand-switch"), {"brand": brand_a.brand.pk})

    response = client.post(reverse("brand-switch"), {"brand": brand_b.brand.pk})

    assert response.status_code == 404
    assert client.session[SESSION_KEY] == brand_a.brand.pk  # unchanged
    assert client.post(reverse("brand-switch"), {"brand": "abc"}).status_code == 404
    assert client.post(reverse("brand-switch"), {"brand": "999999"}).status_code == 404


def test_brand_switcher_ignores_offsite_next(client_for, brand_manager, brand_a):
    response = client_for(brand_manager).post(
        reverse("brand-switch"), {"brand": brand_a.brand.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_brand_switcher_is_post_only(client_for, brand_manager, brand_a):
    assert client_for(brand_manager).get(reverse("brand-switch")).status_code == 405


# --- tenant isolation on detail pages ---------------------------------------------------------------


def test_product_of_another_brand_is_404(client_for, brand_manager, brand_b):
    theirs = ProductFactory.create(vendor_code=brand_b.vendor_code)
    response = client_for(brand_manager).get(reverse("product-detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_vendor_code_of_another_brand_is_404(client_for, brand_manager, brand_b):
    response = client_for(brand_manager).get(reverse("vendor-code-detail", args=[brand_b.vendor_code.pk]))
    assert response.status_code == 404


def test_every_role_sees_own_product(client_for, brand_a, brand_manager, vendor_ops, finance, viewer):
    product = ProductFactory.create(vendor_code=brand_a.vendor_code)
    for user in (brand_manager, vendor_ops, finance, viewer):
        assert client_for(user).get(reverse("product-detail", args=[product.pk])).status_code == 200


# --- product detail ---------------------------------------------------------------------------------


def test_product_detail_shows_fields_badges_and_cost_history(client_for, brand_manager, brand_a):
    product = ProductFactory.create(
        vendor_code=brand_a.vendor_code,
        asin="B0TESTASIN",
        title="Acme Studio Headphones",
        category="Headphones",
        subcategory="Over-ear",
        gtin="036000291452",  # a real UPC-A with a valid check digit
        cost_price=Decimal("42.00"),
        aplus_content=True,
        video_on_detail_page=False,
        content_score=72,
    )
    CostPriceFactory.create(product=product, effective_from="2025-01-01", cost=Decimal("40.00"))
    CostPriceFactory.create(product=product, effective_from="2025-06-01", cost=Decimal("42.00"))

    response = client_for(brand_manager).get(reverse("product-detail", args=[product.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ["B0TESTASIN", "Acme Studio Headphones", "036000291452", "UPC-A", "Over-ear", "ACMEU", "72 / 100"]:
        assert text in html, text
    assert "A+ content live" in html
    assert "No video on the detail page" in html
    rows = response.context["cost_prices"]
    assert [(str(r.entry.effective_from), r.entry.cost) for r in rows] == [
        ("2025-06-01", Decimal("42.00")),
        ("2025-01-01", Decimal("40.00")),
    ]
    assert rows[0].change == Decimal("2.00")
    assert rows[0].change_ratio == Decimal("0.05")  # 2 / 40
    assert rows[1].change is None and rows[1].change_ratio is None  # nothing older to compare with
    assert "+5.0 %" in html


def test_cost_history_never_compares_two_currencies(client_for, brand_manager, brand_a):
    product = ProductFactory.create(vendor_code=brand_a.vendor_code)
    CostPriceFactory.create(product=product, effective_from="2025-01-01", cost=Decimal("40.00"), currency="EUR")
    CostPriceFactory.create(product=product, effective_from="2025-06-01", cost=Decimal("42.00"), currency="USD")
    rows = client_for(brand_manager).get(reverse("product-detail", args=[product.pk])).context["cost_prices"]
    assert [r.change for r in rows] == [None, None]


def test_vendor_code_page_counts_products_by_lifecycle(client_for, brand_manager, brand_a):
    ProductFactory.create_batch(2, vendor_code=brand_a.vendor_code, lifecycle=Product.Lifecycle.LAUNCH)
    ProductFactory.create(vendor_code=brand_a.vendor_code, lifecycle=Product.Lifecycle.EXIT)

    response = client_for(brand_manager).get(reverse("vendor-code-detail", args=[brand_a.vendor_code.pk]))

    assert response.status_code == 200
    assert response.context["product_count"] == 3
    assert response.context["lifecycle_counts"] == [("LAUNCH", "Launch", 2), ("CORE", "Core", 0), ("EXIT", "Exit", 1)]
    assert f"?vendor_code={brand_a.vendor_code.pk}" in response.content.decode()


# --- product list -----------------------------------------------------------------------------------


@pytest.fixture
def catalog(brand_a, brand_b):
    """Five products of brand A (one in Germany) and one of brand B."""
    de_code = VendorCodeFactory.create(code="ACMEDE", brand=brand_a.brand, marketplace=de_marketplace())
    vc = brand_a.vendor_code
    return {
        "anc": ProductFactory.create(
            vendor_code=vc,
            asin="B0AAAAAAA1",
            title="Noise cancelling headphones",
            category="Headphones",
            gtin="036000291452",
            cost_price=Decimal("55.00"),
            aplus_content=True,
            video_on_detail_page=True,
        ),
        "buds": ProductFactory.create(
            vendor_code=vc,
            asin="B0AAAAAAA2",
            title="Wireless earbuds",
            category="Headphones",
            cost_price=Decimal("20.00"),
            aplus_content=False,
            video_on_detail_page=True,
            lifecycle=Product.Lifecycle.LAUNCH,
        ),
        "speaker": ProductFactory.create(
            vendor_code=vc,
            asin="B0AAAAAAA3",
            title="Bluetooth speaker",
            category="Speakers",
            cost_price=Decimal("35.00"),
            aplus_content=True,
            video_on_detail_page=False,
        ),
        "cable": ProductFactory.create(
            vendor_code=vc,
            asin="B0AAAAAAA4",
            title="Aux cable",
            category="Accessories",
            cost_price=None,
            aplus_content=False,
            video_on_detail_page=False,
            lifecycle=Product.Lifecycle.EXIT,
        ),
        "de": ProductFactory.create(
            vendor_code=de_code,
            asin="B0AAAAAAA5",
            title="Kopfhörer",
            category="Headphones",
            cost_price=Decimal("50.00"),
            aplus_content=True,
            video_on_detail_page=True,
        ),
        "theirs": ProductFactory.create(
            vendor_code=brand_b.vendor_code,
            asin="B0BBBBBBB1",
            title="Garden hose headphones",
            category="Headphones",
        ),
    }


def _asins(client, **params) -> list[str]:
    response = client.get(reverse("product-list"), params)
    assert response.status_code == 200
    return [p.asin for p in response.context["page"]]


def test_product_list_never_shows_another_brand(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    response = client.get(reverse("product-list"))
    assert response.context["page"].paginator.count == 5
    assert "B0BBBBBBB1" not in response.content.decode()
    assert "Garden hose" not in response.content.decode()
    assert _asins(client, q="hose") == []
    assert _asins(client, q="B0BBBBBBB1") == []
    # the filter options are scoped too
    assert "BLOOM" not in [vc.code for vc in response.context["vendor_codes"]]


def test_product_list_search_by_asin_title_and_gtin(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    assert _asins(client, q="b0aaaaaaa3") == ["B0AAAAAAA3"]
    assert _asins(client, q="earbuds") == ["B0AAAAAAA2"]
    assert _asins(client, q="036000291452") == ["B0AAAAAAA1"]
    assert _asins(client, q="  headphones ") == ["B0AAAAAAA1"]


def test_product_list_filters(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    assert _asins(client, category="Headphones") == ["B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA5"]
    assert _asins(client, marketplace="A1PA6795UKMFR9") == ["B0AAAAAAA5"]
    assert _asins(client, lifecycle="EXIT") == ["B0AAAAAAA4"]
    assert _asins(client, missing_aplus="on") == ["B0AAAAAAA2", "B0AAAAAAA4"]
    assert _asins(client, missing_video="on") == ["B0AAAAAAA3", "B0AAAAAAA4"]
    assert _asins(client, missing_aplus="on", missing_video="on") == ["B0AAAAAAA4"]
    assert _asins(client, vendor_code=catalog["de"].vendor_code_id) == ["B0AAAAAAA5"]
    assert _asins(client, category="Headphones", marketplace="ATVPDKIKX0DER") == ["B0AAAAAAA1", "B0AAAAAAA2"]


def test_product_list_ignores_one_bad_parameter_but_keeps_the_rest(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    assert _asins(client, vendor_code="abc", category="Speakers") == ["B0AAAAAAA3"]
    assert _asins(client, lifecycle="NOPE", category="Speakers") == ["B0AAAAAAA3"]


def test_product_list_another_brands_vendor_code_filter_matches_nothing(client_for, brand_manager, catalog, brand_b):
    assert _asins(client_for(brand_manager), vendor_code=brand_b.vendor_code.pk) == []


def test_product_list_sorting(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    assert _asins(client, sort="title") == ["B0AAAAAAA4", "B0AAAAAAA3", "B0AAAAAAA5", "B0AAAAAAA1", "B0AAAAAAA2"]
    assert _asins(client, sort="-asin")[0] == "B0AAAAAAA5"
    # cost ascending; the product without a cost sorts by the database's NULL rule, so only compare the rest
    costs = [a for a in _asins(client, sort="cost") if a != "B0AAAAAAA4"]
    assert costs == ["B0AAAAAAA2", "B0AAAAAAA3", "B0AAAAAAA5", "B0AAAAAAA1"]
    assert _asins(client, sort="; DROP TABLE") == _asins(client)  # unknown keys fall back to ASIN


def test_sort_header_links_keep_filters_and_toggle_direction(client_for, brand_manager, catalog):
    response = client_for(brand_manager).get(reverse("product-list"), {"category": "Headphones", "sort": "title"})
    html = response.content.decode()
    assert 'href="?category=Headphones&amp;sort=-title"' in html  # the active column toggles
    assert 'href="?category=Headphones&amp;sort=asin"' in html
    assert 'aria-sort="ascending"' in html


def test_pagination_keeps_the_query_string(client_for, brand_manager, brand_a):
    ProductFactory.create_batch(120, vendor_code=brand_a.vendor_code, category="Cables")
    ProductFactory.create(vendor_code=brand_a.vendor_code, category="Speakers")
    client = client_for(brand_manager)

    response = client.get(reverse("product-list"), {"category": "Cables", "sort": "-asin"})

    page = response.context["page"]
    assert page.paginator.count == 120
    assert len(page.object_list) == 50
    html = response.content.decode()
    assert "120 products match your filters" in html
    assert "Showing 1\N{EN DASH}50 of 120" in html
    assert 'href="?category=Cables&amp;sort=-asin&amp;page=2"' in html
    assert 'href="?category=Cables&amp;sort=-asin&amp;page=3"' in html

    last = client.get(reverse("product-list"), {"category": "Cables", "sort": "-asin", "page": 3})
    assert len(last.context["page"].object_list) == 20
    assert "Showing 101\N{EN DASH}120 of 120" in last.content.decode()
    # pages never overlap: sorting is stable thanks to the pk tie-breaker
    seen = set()
    for n in (1, 2, 3):
        seen |= {p.pk for p in client.get(reverse("product-list"), {"category": "Cables", "page": n}).context["page"]}
    assert len(seen) == 120


def test_htmx_requests_get_only_the_results(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    response = client.get(reverse("product-list"), {"category": "Speakers"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="catalog-filters"' not in html  # the fragment, not the page
    assert html.lstrip().startswith('<div id="catalog-results"')
    assert "B0AAAAAAA3" in html and "B0AAAAAAA1" not in html
    assert "1 product matches your filters" in html
    assert 'href="/catalog/export.xlsx?category=Speakers"' in html  # the export follows the filters
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client_for, brand_manager, catalog):
    response = client_for(brand_manager).get(
        reverse("product-list"),
        {"category": "Speakers"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert 'id="catalog-filters"' in response.content.decode()


def test_empty_states(client_for, brand_manager, catalog):
    client = client_for(brand_manager)
    response = client.get(reverse("product-list"), {"q": "no such thing"})
    assert response.context["page"].paginator.count == 0
    assert "No products match these filters." in response.content.decode()
    assert "0 products match your filters" in response.content.decode()


def test_empty_catalog(client_for, brand_manager):
    response = client_for(brand_manager).get(reverse("product-list"))
    assert "No products yet." in response.content.decode()


def test_product_list_query_count_does_not_grow_with_rows(client_for, brand_manager, brand_a):
    client = client_for(brand_manager)
    ProductFactory.create_batch(5, vendor_code=brand_a.vendor_code)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("product-list")).status_code == 200
    ProductFactory.create_batch(55, vendor_code=brand_a.vendor_code)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("product-list"))
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few)


def test_product_list_query_budget(client_for, brand_manager, brand_a, django_assert_max_num_queries):
    ProductFactory.create_batch(60, vendor_code=brand_a.vendor_code)
    client = client_for(brand_manager)
    # session, user, switcher brands, count, page, categories, marketplaces, vendor codes; +1 with a brand chosen
    with django_assert_max_num_queries(9):
        client.get(reverse("product-list"), {"category": "Headphones", "sort": "-cost"})


def test_home_query_budget(client_for, brand_manager, brand_a, django_assert_max_num_queries):
    for n in range(8):
        vc = VendorCodeFactory.create(brand=brand_a.brand, code=f"EXTRA{n}")
        ProductFactory.create_batch(3, vendor_code=vc)
    client = client_for(brand_manager)
    # session, user, brands, vendor codes, content counts, switcher brands: one query per block, not per row
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))
    assert len(response.context["brands"][0].codes) == 9


# --- XLSX export ------------------------------------------------------------------------------------


def test_export_is_the_filtered_list_with_numbers_as_numbers(client_for, brand_manager, catalog):
    response = client_for(brand_manager).get(reverse("product-export"), {"category": "Headphones", "sort": "-cost"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="coopdesk-products-')
    rows = _rows(response)
    assert rows[0][:9] == [
        "ASIN",
        "Title",
        "Brand",
        "Vendor code",
        "Marketplace",
        "Category",
        "Subcategory",
        "UPC/EAN",
        "Cost price",
    ]
    assert [r[0] for r in rows[1:]] == ["B0AAAAAAA1", "B0AAAAAAA5", "B0AAAAAAA2"]  # 55, 50, 20: sorted as on screen
    first = rows[1]
    assert first[1:8] == [
        "Noise cancelling headphones",
        "Acme Audio",
        "ACMEU",
        "amazon.com",
        "Headphones",
        "Over-ear",
        "036000291452",
    ]
    assert first[8] == 55 and isinstance(first[8], int | float)  # a number Excel can sum, not text
    assert first[9:13] == ["USD", "Core", "Yes", "Yes"]


def test_export_never_contains_another_brand(client_for, brand_manager, catalog):
    rows = _rows(client_for(brand_manager).get(reverse("product-export")))
    assert len(rows) == 6  # header + brand A's five products
    assert all(r[2] == "Acme Audio" for r in rows[1:])


def test_export_neutralises_formulas(client_for, brand_manager, brand_a):
    ProductFactory.create(
        vendor_code=brand_a.vendor_code,
        asin="B0EVIL0001",
        title='=HYPERLINK("http://evil.example","click")',
        category="+SUM(1,2)",
        subcategory="@cmd",
        cost_price=Decimal("-1.50"),
    )
    ProductFactory.create(
        vendor_code=brand_a.vendor_code, asin="B0EVIL0002", title="-2+3", category="Safe", subcategory=""
    )

    response = client_for(brand_manager).get(reverse("product-export"))

    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    assert ws["B2"].value == '\'=HYPERLINK("http://evil.example","click")'
    assert ws["B2"].data_type == "s"  # stored as text, not as a formula
    assert ws["F2"].value == "'+SUM(1,2)"
    assert ws["G2"].value == "'@cmd"
    assert ws["I2"].value == -1.5 and ws["I2"].data_type == "n"  # negative numbers stay numbers
    assert ws["B3"].value == "'-2+3"
    assert ws["F3"].value == "Safe"
    assert not any(cell.data_type == "f" for row in ws.iter_rows() for cell in row)


def test_export_with_nothing_to_export_has_only_the_header(client_for, brand_manager):
    rows = _rows(client_for(brand_manager).get(reverse("product-export"), {"q": "nothing"}))
    assert len(rows) == 1


# --- sections not built yet -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("plan-list", "Plans"),
        ("coop-home", "Co-op"),
        ("promotion-list", "Promotions"),
        ("import-list", "Imports"),
        ("review-list", "Reviews"),
        ("alert-list", "Alerts"),
    ],
)
def test_navigation_targets_render(client_for, brand_manager, url_name, section):
    response = client_for(brand_manager).get(reverse(url_name))
    assert response.status_code == 200
    assert section in response.content.decode()
