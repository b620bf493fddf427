from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.core.management import call_command

from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.validators import is_valid_gtin
from planning.validators import validate_asin

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "brands": Brand.objects.count(),
        "vendor_codes": VendorCode.objects.count(),
        "products": Product.objects.count(),
        "cost_prices": CostPriceHistory.objects.count(),
        "memberships": Membership.objects.count(),
        "users": get_user_model().objects.count(),
    }


def test_seed_demo_catalog_is_realistic_and_idempotent() -> None:
    out = StringIO()
    call_command("seed_demo", "--catalog-only", stdout=out)
    first = _counts()
    assert first["brands"] == 2
    assert first["vendor_codes"] == 4  # each brand in the US and in Germany
    assert first["products"] == 400
    assert first["cost_prices"] == 800
    assert set(VendorCode.objects.values_list("marketplace__country_code", flat=True)) == {"US", "DE"}
    for product in Product.objects.all()[:50]:
        validate_asin(product.asin)
        assert is_valid_gtin(product.gtin)
        assert product.cost_price is not None and product.cost_price > 0
        assert product.currency == product.marketplace.currency
    # one user per role, logins printed
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Membership.Role}
    assert "brand.manager" in out.getvalue() and "coopdesk-demo" in out.getvalue()

    titles_before = list(Product.objects.order_by("asin").values_list("asin", "title", "cost_price"))
    call_command("seed_demo", "--catalog-only", stdout=StringIO())
    assert _counts() == first
    assert list(Product.objects.order_by("asin").values_list("asin", "title", "cost_price")) == titles_before


def test_seed_demo_user_can_log_in(client) -> None:
    call_command("seed_demo", "--catalog-only", stdout=StringIO())
    assert client.login(username="brand.manager", password="coopdesk-demo")


def test_add_vendor_code_creates_brand_and_is_idempotent() -> None:
    out = StringIO()
    call_command("add_vendor_code", "abcde", "--brand", "Nova Kitchen", "--marketplace", "ATVPDKIKX0DER", stdout=out)
    assert "Created vendor code ABCDE for Nova Kitchen" in out.getvalue()
    vendor_code = VendorCode.objects.get(code="ABCDE")
    assert vendor_code.brand.name == "Nova Kitchen"
    assert vendor_code.brand.default_currency == "USD"
    assert vendor_code.marketplace.country_code == "US"

    out = StringIO()
    call_command("add_vendor_code", "ABCDE", "--brand", "Nova Kitchen", "--marketplace", "ATVPDKIKX0DER", stdout=out)
    assert "Already registered" in out.getvalue()
    assert VendorCode.objects.filter(code="ABCDE").count() == 1
    assert Brand.objects.filter(name="Nova Kitchen").count() == 1


def test_add_vendor_code_unknown_marketplace_is_a_clear_error() -> None:
    with pytest.raises(CommandError) as excinfo:
        call_command("add_vendor_code", "ABCDE", "--brand", "Nova", "--marketplace", "XX123")
    message = str(excinfo.value)
    assert "Unknown marketplace id 'XX123'" in message
    assert "ATVPDKIKX0DER (US)" in message
    assert not Brand.objects.filter(name="Nova").exists()


def test_add_vendor_code_refuses_a_code_owned_by_another_brand() -> None:
    call_command("add_vendor_code", "ABCDE", "--brand", "First", "--marketplace", "ATVPDKIKX0DER", stdout=StringIO())
    with pytest.raises(CommandError, match="already belongs to brand 'First'"):
        call_command("add_vendor_code", "ABCDE", "--brand", "Second", "--marketplace", "ATVPDKIKX0DER")
    # The same code in another marketplace is another vendor account: allowed.
    call_command("add_vendor_code", "ABCDE", "--brand", "Second", "--marketplace", "A1PA6795UKMFR9", stdout=StringIO())
    assert VendorCode.objects.filter(code="ABCDE").count() == 2
