"""Cached live MBR pages get a new version when anything they show changes, not only the rollups:
co-op money rows (here a chargeback), and FX rates for every brand (reviews.mbr_cache)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from coop.models import Chargeback
from reviews.mbr_cache import brand_id_of
from reviews.models import FxRate
from reviews.selectors.mbr import MbrFilters
from reviews.selectors.mbr import cached_mbr_data
from tests.coop.factories import ChargebackFactory

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def _coop_rows(data: Any) -> list[Any]:
    """The chargeback totals of the profitability section's co-op table (one per currency)."""
    section = next(s for s in data.sections if s["key"] == "profitability")
    table = next(t for t in section["tables"] if t["key"] == "coop")
    return [row["chargebacks"] for row in table["rows"]]


def test_a_chargeback_recorded_after_the_page_was_cached_shows_on_the_next_request(
    brand_a: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    filters = MbrFilters(brand=brand_a.brand, month=MARCH)
    assert _coop_rows(cached_mbr_data(filters=filters, user=None)) == []

    # As a service records it: in its own atomic block.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ChargebackFactory(vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, 2), amount=Decimal("250.00"))

    assert [Decimal(v) for v in _coop_rows(cached_mbr_data(filters=filters, user=None))] == [Decimal("250.00")]


def test_without_a_committed_change_the_cached_page_is_served(brand_a: Any) -> None:
    filters = MbrFilters(brand=brand_a.brand, month=MARCH)
    assert _coop_rows(cached_mbr_data(filters=filters, user=None)) == []
    # Written behind the signals' back (no commit callbacks run): the cached page still answers.
    Chargeback.objects.bulk_create(
        [
            Chargeback(
                vendor_code=brand_a.vendor_code,
                amazon_id="CB-X",
                notified_at=date(2026, 3, 3),
                chargeback_type=Chargeback.Type.ASN_ON_TIME,
                amount=Decimal("10.00"),
                currency="USD",
            )
        ]
    )
    assert _coop_rows(cached_mbr_data(filters=filters, user=None)) == []


def test_a_new_fx_rate_gives_every_brand_a_new_version(
    brand_a: Any, brand_b: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from django.core.cache import cache

    before = cache.get("reviews:fx-version")
    with django_capture_on_commit_callbacks(execute=True):
        FxRate.objects.create(month=MARCH, from_currency="EUR", to_currency="USD", rate=Decimal("1.08"))
    after = cache.get("reviews:fx-version")
    assert after is not None and after != before


def test_brand_of_a_row_follows_its_brand_lookup(brand_a: Any) -> None:
    chargeback = ChargebackFactory(vendor_code=brand_a.vendor_code)
    assert brand_id_of(chargeback) == brand_a.brand.pk
    assert brand_id_of(brand_a.brand) == brand_a.brand.pk
    assert brand_id_of(FxRate(month=MARCH, from_currency="EUR", to_currency="USD", rate=1)) is None


def test_many_rows_of_one_brand_in_one_transaction_bump_its_version_once(
    brand_a: Any, brand_b: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for day in (2, 3, 4):
            ChargebackFactory(vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, day))
        ChargebackFactory(vendor_code=brand_b.vendor_code, notified_at=date(2026, 3, 5))
    bumps = [c for c in callbacks if type(c).__name__ == "_BrandChanged"]
    assert sorted(c.brand_id for c in bumps) == sorted([brand_a.brand.pk, brand_b.brand.pk])
    assert cache.get(f"reviews:rollups-version:{brand_a.brand.pk}") is not None
