from __future__ import annotations

import pytest

from planning.models import Marketplace

pytestmark = pytest.mark.django_db


def test_data_migration_loads_amazons_marketplaces() -> None:
    assert Marketplace.objects.count() == 23
    us = Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")
    assert (us.country_code, us.domain, us.currency, us.timezone, us.region) == (
        "US",
        "amazon.com",
        "USD",
        "America/Los_Angeles",
        "NA",
    )
    de = Marketplace.objects.get(amazon_marketplace_id="A1PA6795UKMFR9")
    assert (de.country_code, de.currency, de.timezone, de.region) == ("DE", "EUR", "Europe/Berlin", "EU")
    jp = Marketplace.objects.get(amazon_marketplace_id="A1VC38T7YXB528")
    assert (jp.currency, jp.region) == ("JPY", "FE")
    india = Marketplace.objects.get(country_code="IN")
    assert (india.amazon_marketplace_id, india.currency, india.timezone) == (
        "A21TJRUUN4KGV",
        "INR",
        "Asia/Kolkata",
    )


def test_every_marketplace_has_a_valid_time_zone_and_currency() -> None:
    from zoneinfo import ZoneInfo

    for marketplace in Marketplace.objects.all():
        ZoneInfo(marketplace.timezone)  # raises for an unknown zone
        assert len(marketplace.currency) == 3 and marketplace.currency.isupper()
        assert marketplace.region in {"NA", "EU", "FE"}
