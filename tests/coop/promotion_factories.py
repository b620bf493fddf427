"""factory_boy factories for promotions (build on tests/factories.py)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from ingest.models import PromotionResultFact
from ingest.models import RetailSalesFact
from planning.models import Product
from planning.models import VendorCode
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory


class PromotionFactory(DjangoModelFactory[Promotion]):
    """A DRAFT Price Discount on amazon.com, a week long, starting well ahead of any lead time."""

    class Meta:
        model = Promotion

    vendor_code = factory.SubFactory(VendorCodeFactory)
    brand = factory.SelfAttribute("vendor_code.brand")
    marketplace = factory.SelfAttribute("vendor_code.marketplace")
    name = factory.Sequence(lambda n: f"Promotion {n}")
    promotion_type = Promotion.Type.PRICE_DISCOUNT
    start_at = factory.LazyFunction(lambda: datetime(2027, 3, 1, 8, 0, tzinfo=UTC))
    end_at = factory.LazyAttribute(lambda p: p.start_at + timedelta(days=7))
    currency = factory.SelfAttribute("marketplace.currency")
    status = Promotion.Status.DRAFT


class PromotionItemFactory(DjangoModelFactory[PromotionItem]):
    class Meta:
        model = PromotionItem

    promotion = factory.SubFactory(PromotionFactory)
    product = factory.SubFactory(
        ProductFactory,
        vendor_code=factory.SelfAttribute("..promotion.vendor_code"),
    )
    asin = factory.SelfAttribute("product.asin")
    reference_price = Decimal("100.00")
    promo_price = Decimal("75.00")
    per_unit_funding = Decimal("20.00")
    units_forecast = 300


class EventFactory(DjangoModelFactory[EventCalendar]):
    class Meta:
        model = EventCalendar

    name = factory.Sequence(lambda n: f"Prime Day {2027 + n}")
    kind = EventCalendar.Kind.PRIME_DAY
    start_date = date(2027, 7, 13)
    end_date = date(2027, 7, 14)
    submission_deadline = date(2027, 5, 7)


class PriceObservationFactory(DjangoModelFactory[PriceObservation]):
    class Meta:
        model = PriceObservation

    brand = factory.SelfAttribute("product.brand")
    marketplace = factory.SelfAttribute("product.marketplace")
    asin = factory.SelfAttribute("product.asin")
    observed_on = date(2027, 2, 1)
    price = Decimal("90.00")
    currency = "USD"
    source = PriceObservation.Source.ENTERED

    class Params:
        product = factory.SubFactory(ProductFactory)


def product_for(vendor_code: VendorCode, asin: str, category: str = "Headphones") -> Product:
    existing = Product.objects.filter(marketplace=vendor_code.marketplace, asin=asin).first()
    return existing or ProductFactory.create(asin=asin, vendor_code=vendor_code, category=category)


def daily_sales(
    vendor_code: VendorCode, asin: str, day: date, units: int | None, revenue: str | Decimal | None
) -> RetailSalesFact:
    """One DAY / MANUFACTURING / RETAIL sales row, the grain promotion results read."""
    return RetailSalesFact.objects.create(
        brand=vendor_code.brand,
        marketplace=vendor_code.marketplace,
        vendor_code=vendor_code,
        distributor_view="MANUFACTURING",
        selling_program="RETAIL",
        period_grain="DAY",
        period_start=day,
        period_end=day,
        asin=asin,
        currency=vendor_code.marketplace.currency,
        ordered_units=units,
        ordered_revenue=None if revenue is None else Decimal(revenue),
    )


def promotion_fact(vendor_code: VendorCode, promotion_id: str, asin: str = "", **values: object) -> PromotionResultFact:
    defaults: dict[str, object] = {
        "promotion_name": "Spring deal",
        "promotion_type": "LIGHTNING_DEAL",
        "status": "APPROVED",
        "creation_channel": "SELF-SERVICE",
        "currency": vendor_code.marketplace.currency,
    }
    defaults.update(values)
    return PromotionResultFact.objects.create(
        brand=vendor_code.brand,
        marketplace=vendor_code.marketplace,
        vendor_code=vendor_code,
        promotion_id=promotion_id,
        asin=asin,
        **defaults,
    )
