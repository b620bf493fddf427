"""factory_boy factories for the catalog and access models. App-specific factories live in
tests/<app>/factories.py and build on these."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.validators import gtin_check_digit

User = get_user_model()


def us_marketplace() -> Marketplace:
    return Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")


def de_marketplace() -> Marketplace:
    return Marketplace.objects.get(amazon_marketplace_id="A1PA6795UKMFR9")


class UserFactory(DjangoModelFactory[User]):  # type: ignore[valid-type]
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BrandFactory(DjangoModelFactory[Brand]):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    legal_entity = factory.LazyAttribute(lambda b: f"{b.name} Inc.")
    default_currency = "USD"


class VendorCodeFactory(DjangoModelFactory[VendorCode]):
    class Meta:
        model = VendorCode

    code = factory.Sequence(lambda n: f"VC{n:04d}")
    brand = factory.SubFactory(BrandFactory)
    marketplace = factory.LazyFunction(us_marketplace)


def _gtin(n: int) -> str:
    body = f"{400000000000 + n:012d}"
    return body + str(gtin_check_digit(body))


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    asin = factory.Sequence(lambda n: f"B0{n:08d}")
    vendor_code = factory.SubFactory(VendorCodeFactory)
    brand = factory.SelfAttribute("vendor_code.brand")
    marketplace = factory.SelfAttribute("vendor_code.marketplace")
    title = factory.Sequence(lambda n: f"Product {n}")
    category = "Headphones"
    subcategory = "Over-ear"
    gtin = factory.Sequence(_gtin)
    cost_price = Decimal("12.50")
    currency = factory.SelfAttribute("marketplace.currency")


class CostPriceFactory(DjangoModelFactory[CostPriceHistory]):
    class Meta:
        model = CostPriceHistory

    product = factory.SubFactory(ProductFactory)
    effective_from = factory.Faker("date_object")
    cost = Decimal("12.50")
    currency = "USD"


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    brand = factory.SubFactory(BrandFactory)
    role = Membership.Role.BRAND_MANAGER
