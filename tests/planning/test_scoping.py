"""The one tenant-scoping mechanism (planning/scoping.py) and the brand chosen in the switcher."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from planning.middleware import SESSION_KEY
from planning.middleware import CurrentBrandMiddleware
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.scoping import BrandScopedQuerySet
from planning.scoping import get_for_user_or_404
from tests.factories import CostPriceFactory
from tests.factories import MembershipFactory
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_catalogs(brand_a, brand_b):
    mine = ProductFactory.create(vendor_code=brand_a.vendor_code)
    theirs = ProductFactory.create(vendor_code=brand_b.vendor_code)
    return {
        "mine": mine,
        "theirs": theirs,
        "my_cost": CostPriceFactory.create(product=mine),
        "their_cost": CostPriceFactory.create(product=theirs),
    }


def test_for_user_limits_every_brand_owned_model(brand_manager, brand_a, brand_b, outsider, two_catalogs):
    assert list(Brand.objects.for_user(brand_manager)) == [brand_a.brand]
    assert list(VendorCode.objects.for_user(brand_manager)) == [brand_a.vendor_code]
    assert list(Product.objects.for_user(brand_manager)) == [two_catalogs["mine"]]
    assert list(CostPriceHistory.objects.for_user(brand_manager)) == [two_catalogs["my_cost"]]
    assert {m.brand_id for m in Membership.objects.for_user(brand_manager)} == {brand_a.brand.pk}
    assert list(Product.objects.for_user(outsider)) == [two_catalogs["theirs"]]


def test_anonymous_users_see_nothing(two_catalogs):
    anonymous = AnonymousUser()
    assert not Brand.objects.for_user(anonymous).exists()
    assert not Product.objects.for_user(anonymous).exists()
    assert not CostPriceHistory.objects.for_user(anonymous).exists()


def test_a_user_without_memberships_sees_nothing(django_user_model, two_catalogs):
    loner = django_user_model.objects.create_user("loner")
    assert not Product.objects.for_user(loner).exists()


def test_several_roles_in_one_brand_do_not_duplicate_rows(brand_manager, brand_a, two_catalogs):
    MembershipFactory.create(user=brand_manager, brand=brand_a.brand, role=Membership.Role.FINANCE)
    assert list(Product.objects.for_user(brand_manager)) == [two_catalogs["mine"]]
    assert Brand.objects.for_user(brand_manager).count() == 1


def test_a_new_membership_takes_effect_and_removal_revokes(brand_manager, brand_b, two_catalogs):
    membership = MembershipFactory.create(user=brand_manager, brand=brand_b.brand, role=Membership.Role.VIEWER)
    assert two_catalogs["theirs"] in Product.objects.for_user(brand_manager)
    membership.delete()
    assert two_catalogs["theirs"] not in Product.objects.for_user(brand_manager)


def test_get_for_user_or_404_hides_other_brands_and_missing_rows_alike(brand_manager, two_catalogs):
    assert get_for_user_or_404(Product.objects.get_queryset(), brand_manager, pk=two_catalogs["mine"].pk)
    with pytest.raises(Http404) as theirs:
        get_for_user_or_404(Product.objects.get_queryset(), brand_manager, pk=two_catalogs["theirs"].pk)
    with pytest.raises(Http404) as missing:
        get_for_user_or_404(Product.objects.get_queryset(), brand_manager, pk=10**9)
    assert str(theirs.value) == str(missing.value) == "No product matches the given query."


def test_for_brand_filters_by_one_brand(brand_a, two_catalogs):
    assert list(CostPriceHistory.objects.for_brand(brand_a.brand.pk)) == [two_catalogs["my_cost"]]


def test_a_model_without_brand_lookup_cannot_be_scoped(brand_manager):
    with pytest.raises(TypeError, match="Marketplace must define brand_lookup"):
        BrandScopedQuerySet(Marketplace).for_user(brand_manager)


# --- the brand switcher's middleware ----------------------------------------------------------------


def _request_with_session_brand(user, brand_id):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {SESSION_KEY: brand_id}  # type: ignore[assignment]
    CurrentBrandMiddleware(lambda r: None)(request)  # type: ignore[arg-type,return-value]
    return request


def test_middleware_puts_the_chosen_own_brand_on_the_request(brand_manager, brand_a):
    assert _request_with_session_brand(brand_manager, brand_a.brand.pk).brand == brand_a.brand


def test_middleware_ignores_a_forged_brand_id(brand_manager, brand_b):
    assert _request_with_session_brand(brand_manager, brand_b.brand.pk).brand is None


def test_middleware_ignores_the_session_of_an_anonymous_user(brand_a):
    assert _request_with_session_brand(AnonymousUser(), brand_a.brand.pk).brand is None
