"""Catalog REST API: tenant scoping, filters, ordering, pagination, token auth, JSON errors, schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from planning.marketplaces import MARKETPLACES
from planning.models import Product
from tests.factories import CostPriceFactory
from tests.factories import MembershipFactory
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory
from tests.factories import de_marketplace
from tests.factories import us_marketplace

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(brand_a, brand_b):
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
        ),
        "buds": ProductFactory.create(
            vendor_code=vc,
            asin="B0AAAAAAA2",
            title="Wireless earbuds",
            category="Headphones",
            cost_price=Decimal("20.00"),
            lifecycle=Product.Lifecycle.LAUNCH,
        ),
        "speaker": ProductFactory.create(
            vendor_code=vc, asin="B0AAAAAAA3", title="Bluetooth speaker", category="Speakers", aplus_content=True
        ),
        "de": ProductFactory.create(
            vendor_code=de_code, asin="B0AAAAAAA4", title="Kopfhörer", category="Headphones", cost_price=Decimal("50")
        ),
        "theirs": ProductFactory.create(
            vendor_code=brand_b.vendor_code, asin="B0BBBBBBB1", title="Garden headphones", category="Headphones"
        ),
    }


def _asins(api: APIClient, **params: str | int) -> list[str]:
    response = api.get("/api/v1/products/", params)
    assert response.status_code == 200, response.json()
    return [row["asin"] for row in response.json()["results"]]


# --- authentication ---------------------------------------------------------------------------------


def test_api_requires_authentication_with_a_json_message(db):
    response = APIClient().get("/api/v1/products/")
    assert response.status_code in (401, 403)
    assert response.json() == {"message": "Authentication credentials were not provided.", "extra": {}}


def test_token_endpoint_issues_a_token_that_authenticates(brand_manager, brand_a):
    cache.clear()  # the token endpoint is throttled per client address
    ProductFactory.create(vendor_code=brand_a.vendor_code, asin="B0TOKEN001")
    client = APIClient()

    response = client.post("/api/v1/auth/token/", {"username": "bm", "password": "pass-1234"}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=brand_manager).key == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    products = client.get("/api/v1/products/")
    assert products.status_code == 200
    assert [row["asin"] for row in products.json()["results"]] == ["B0TOKEN001"]
    # asking again returns the same token rather than minting a second one
    again = APIClient().post("/api/v1/auth/token/", {"username": "bm", "password": "pass-1234"})
    assert again.json()["token"] == token
    assert Token.objects.filter(user=brand_manager).count() == 1


def test_token_endpoint_refuses_a_wrong_password_with_a_json_message(brand_manager):
    cache.clear()
    response = APIClient().post("/api/v1/auth/token/", {"username": "bm", "password": "wrong"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation error"
    assert body["extra"]["fields"]["non_field_errors"] == ["Unable to log in with provided credentials."]
    assert not Token.objects.filter(user=brand_manager).exists()


def test_token_endpoint_is_throttled(brand_manager):
    cache.clear()
    client = APIClient()
    statuses = [client.post("/api/v1/auth/token/", {"username": "bm", "password": "x"}).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    cache.clear()


def test_a_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/brands/")
    # 403 while SessionAuthentication is listed first (DRF then sends no WWW-Authenticate challenge)
    assert response.status_code in (401, 403)
    assert response.json() == {"message": "Invalid token.", "extra": {}}


# --- tenant isolation -------------------------------------------------------------------------------


def test_brands_list_only_own_and_other_brand_detail_is_404(api_for, brand_manager, brand_a, brand_b):
    api = api_for(brand_manager)
    body = api.get("/api/v1/brands/").json()
    assert body["count"] == 1
    assert [b["name"] for b in body["results"]] == ["Acme Audio"]
    assert api.get(f"/api/v1/brands/{brand_a.brand.pk}/").json()["name"] == "Acme Audio"

    response = api.get(f"/api/v1/brands/{brand_b.brand.pk}/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "extra": {}}


def test_vendor_codes_are_scoped(api_for, brand_manager, brand_a, brand_b):
    api = api_for(brand_manager)
    body = api.get("/api/v1/vendor-codes/").json()
    assert [row["code"] for row in body["results"]] == ["ACMEU"]
    assert body["results"][0]["amazon_marketplace_id"] == "ATVPDKIKX0DER"
    assert body["results"][0]["brand_name"] == "Acme Audio"
    assert api.get(f"/api/v1/vendor-codes/{brand_b.vendor_code.pk}/").status_code == 404
    assert api.get(f"/api/v1/vendor-codes/{brand_a.vendor_code.pk}/").status_code == 200


def test_products_are_scoped(api_for, brand_manager, catalog):
    api = api_for(brand_manager)
    assert _asins(api) == ["B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA3", "B0AAAAAAA4"]
    response = api.get(f"/api/v1/products/{catalog['theirs'].pk}/")
    assert response.status_code == 404
    assert "message" in response.json()
    assert _asins(api, search="Garden") == []
    assert _asins(api, asin="B0BBBBBBB1") == []


def test_filtering_by_another_brands_ids_is_a_400_like_a_missing_id(api_for, brand_manager, catalog, brand_b):
    api = api_for(brand_manager)
    theirs = api.get("/api/v1/products/", {"brand": brand_b.brand.pk})
    missing = api.get("/api/v1/products/", {"brand": 999999})
    assert theirs.status_code == missing.status_code == 400
    assert theirs.json()["message"] == "Validation error"
    assert "brand" in theirs.json()["extra"]["fields"]
    # same words either way: the answer never confirms that brand B exists
    assert theirs.json()["extra"]["fields"]["brand"][0].replace(str(brand_b.brand.pk), "N") == missing.json()["extra"][
        "fields"
    ]["brand"][0].replace("999999", "N")
    assert api.get("/api/v1/products/", {"vendor_code": brand_b.vendor_code.pk}).status_code == 400


def test_member_of_two_brands_sees_both(api_for, brand_manager, catalog, brand_b):
    MembershipFactory.create(user=brand_manager, brand=brand_b.brand, role="viewer")
    assert "B0BBBBBBB1" in _asins(api_for(brand_manager))


def test_marketplaces_are_reference_data_for_everyone(api_for, outsider):
    body = api_for(outsider).get("/api/v1/marketplaces/").json()
    assert body["count"] == len(MARKETPLACES)
    us = api_for(outsider).get("/api/v1/marketplaces/", {"amazon_marketplace_id": "ATVPDKIKX0DER"}).json()
    assert us["results"] == [
        {
            "id": us_marketplace().pk,
            "amazon_marketplace_id": "ATVPDKIKX0DER",
            "country_code": "US",
            "country": "United States",
            "domain": "amazon.com",
            "region": "NA",
            "currency": "USD",
            "timezone": "America/Los_Angeles",
        }
    ]


def test_the_api_is_read_only(api_for, brand_manager, catalog):
    api = api_for(brand_manager)
    response = api.post("/api/v1/products/", {"asin": "B0NEW00001"}, format="json")
    assert response.status_code == 405
    assert response.json()["message"] == 'Method "POST" not allowed.'
    assert api.delete(f"/api/v1/products/{catalog['anc'].pk}/").status_code == 405
    assert Product.objects.filter(pk=catalog["anc"].pk).exists()


# --- filters, ordering, pagination ------------------------------------------------------------------


def test_product_detail_payload(api_for, brand_manager, catalog):
    body = api_for(brand_manager).get(f"/api/v1/products/{catalog['anc'].pk}/").json()
    assert body["asin"] == "B0AAAAAAA1"
    assert body["gtin"] == "036000291452"
    assert body["cost_price"] == "55.00"  # money as a decimal string, never a float
    assert body["currency"] == "USD"
    assert body["vendor_code_code"] == "ACMEU"
    assert body["amazon_marketplace_id"] == "ATVPDKIKX0DER"
    assert body["lifecycle"] == "CORE"


def test_product_filters(api_for, brand_manager, catalog, brand_a):
    api = api_for(brand_manager)
    assert _asins(api, brand=brand_a.brand.pk) == ["B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA3", "B0AAAAAAA4"]
    assert _asins(api, vendor_code=catalog["de"].vendor_code_id) == ["B0AAAAAAA4"]
    assert _asins(api, marketplace=de_marketplace().pk) == ["B0AAAAAAA4"]
    assert _asins(api, amazon_marketplace_id="A1PA6795UKMFR9") == ["B0AAAAAAA4"]
    assert _asins(api, category="Speakers") == ["B0AAAAAAA3"]
    assert _asins(api, lifecycle="LAUNCH") == ["B0AAAAAAA2"]
    assert _asins(api, asin="b0aaaaaaa3") == ["B0AAAAAAA3"]
    assert _asins(api, aplus_content="true") == ["B0AAAAAAA3"]
    assert _asins(api, search="earbuds") == ["B0AAAAAAA2"]
    assert _asins(api, search="036000291452") == ["B0AAAAAAA1"]
    assert _asins(api, category="Headphones", amazon_marketplace_id="ATVPDKIKX0DER") == ["B0AAAAAAA1", "B0AAAAAAA2"]


def test_an_invalid_choice_is_a_400_naming_the_field(api_for, brand_manager, catalog):
    response = api_for(brand_manager).get("/api/v1/products/", {"lifecycle": "SOMETIMES"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation error"
    assert "SOMETIMES" in body["extra"]["fields"]["lifecycle"][0]


def test_product_ordering(api_for, brand_manager, catalog):
    api = api_for(brand_manager)
    assert _asins(api, ordering="-cost_price")[:3] == ["B0AAAAAAA1", "B0AAAAAAA4", "B0AAAAAAA2"]
    assert _asins(api, ordering="title") == ["B0AAAAAAA3", "B0AAAAAAA4", "B0AAAAAAA1", "B0AAAAAAA2"]
    # unknown ordering fields are ignored, not a server error
    assert _asins(api, ordering="brand__memberships__user__password") == _asins(api)


def test_pagination(api_for, brand_manager, brand_a):
    ProductFactory.create_batch(120, vendor_code=brand_a.vendor_code)
    api = api_for(brand_manager)

    first = api.get("/api/v1/products/").json()
    assert first["count"] == 120
    assert len(first["results"]) == 50  # core.api.DefaultPagination
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/products/?page=2")

    small = api.get("/api/v1/products/", {"page_size": 30, "page": 4, "lifecycle": "CORE"}).json()
    assert len(small["results"]) == 30
    assert small["next"] is None
    assert "lifecycle=CORE" in small["previous"]

    capped = api.get("/api/v1/products/", {"page_size": 10_000}).json()
    assert len(capped["results"]) == 120  # under the 500 cap

    seen = set()
    for n in (1, 2, 3):
        seen |= {row["id"] for row in api.get("/api/v1/products/", {"page": n}).json()["results"]}
    assert len(seen) == 120

    out_of_range = api.get("/api/v1/products/", {"page": 99})
    assert out_of_range.status_code == 404
    assert out_of_range.json()["message"] == "Invalid page."


def test_cost_prices_are_scoped_and_filtered(api_for, brand_manager, catalog):
    CostPriceFactory.create(product=catalog["anc"], effective_from="2025-01-01", cost=Decimal("50.00"))
    CostPriceFactory.create(product=catalog["anc"], effective_from="2025-07-01", cost=Decimal("55.00"))
    CostPriceFactory.create(product=catalog["buds"], effective_from="2025-03-01", cost=Decimal("20.00"))
    theirs = CostPriceFactory.create(product=catalog["theirs"], effective_from="2025-03-01")
    api = api_for(brand_manager)

    body = api.get("/api/v1/cost-prices/").json()
    assert [(r["asin"], r["effective_from"], r["cost"]) for r in body["results"]] == [
        ("B0AAAAAAA1", "2025-07-01", "55.00"),
        ("B0AAAAAAA2", "2025-03-01", "20.00"),
        ("B0AAAAAAA1", "2025-01-01", "50.00"),
    ]
    assert api.get(f"/api/v1/cost-prices/{theirs.pk}/").status_code == 404
    by_asin = api.get("/api/v1/cost-prices/", {"asin": "B0AAAAAAA1", "effective_from_after": "2025-02-01"}).json()
    assert [r["cost"] for r in by_asin["results"]] == ["55.00"]
    by_product = api.get("/api/v1/cost-prices/", {"product": catalog["buds"].pk}).json()
    assert [r["asin"] for r in by_product["results"]] == ["B0AAAAAAA2"]
    assert api.get("/api/v1/cost-prices/", {"product": catalog["theirs"].pk}).status_code == 400


# --- query budgets ----------------------------------------------------------------------------------


def test_products_api_query_count_does_not_grow_with_rows(api_for, brand_manager, brand_a):
    api = api_for(brand_manager)
    ProductFactory.create_batch(5, vendor_code=brand_a.vendor_code)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/products/")
    ProductFactory.create_batch(55, vendor_code=brand_a.vendor_code)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/v1/products/")
    assert len(response.json()["results"]) == 50
    assert len(many) == len(few)


def test_list_api_query_budgets(api_for, brand_manager, brand_a, django_assert_max_num_queries):
    products = ProductFactory.create_batch(60, vendor_code=brand_a.vendor_code)
    for p in products[:30]:
        CostPriceFactory.create(product=p)
    api = api_for(brand_manager)
    # count + page; force_authenticate skips the session and user queries
    for url in ["/api/v1/products/", "/api/v1/cost-prices/", "/api/v1/vendor-codes/", "/api/v1/brands/"]:
        with django_assert_max_num_queries(2):
            assert api.get(url, {"page_size": 100}).status_code == 200


# --- schema and docs --------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    # --fail-on-warn turns every drf-spectacular warning (unresolvable field, missing serializer, ...) into an error
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ["/api/v1/auth/token/", "/api/v1/products/", "/api/v1/cost-prices/", "/api/v1/marketplaces/"]:
        assert f"  {path}:" in schema, path


def test_schema_and_docs_are_served_without_a_cdn(client_for, brand_manager):
    client = client_for(brand_manager)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/products/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
