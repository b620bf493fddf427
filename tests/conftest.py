"""Shared fixtures: two brands with one member per role, so every test can check tenant isolation.

Personas (one per role of ARCHITECTURE.md's access model) belong to brand A; `outsider` is a
brand manager of brand B only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from planning.models import Brand
from planning.models import Membership
from planning.models import VendorCode
from tests.factories import BrandFactory
from tests.factories import MembershipFactory
from tests.factories import UserFactory
from tests.factories import VendorCodeFactory

Role = Membership.Role


@dataclass
class Tenant:
    brand: Brand
    vendor_code: VendorCode


@pytest.fixture
def brand_a(db: None) -> Tenant:
    brand = BrandFactory(name="Acme Audio")
    return Tenant(brand=brand, vendor_code=VendorCodeFactory(code="ACMEU", brand=brand))


@pytest.fixture
def brand_b(db: None) -> Tenant:
    brand = BrandFactory(name="Bloom Garden")
    return Tenant(brand=brand, vendor_code=VendorCodeFactory(code="BLOOM", brand=brand))


def _member(username: str, brand: Brand, role: str):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username)
    MembershipFactory(user=user, brand=brand, role=role)
    return user


@pytest.fixture
def brand_manager(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("bm", brand_a.brand, Role.BRAND_MANAGER)


@pytest.fixture
def reviewer(brand_a: Tenant):  # type: ignore[no-untyped-def]
    """A second brand manager of brand A (the JBP's internal reviewer)."""
    return _member("bm2", brand_a.brand, Role.BRAND_MANAGER)


@pytest.fixture
def vendor_ops(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("ops", brand_a.brand, Role.VENDOR_OPS)


@pytest.fixture
def finance(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("fin", brand_a.brand, Role.FINANCE)


@pytest.fixture
def finance_approver(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("approver", brand_a.brand, Role.FINANCE_APPROVER)


@pytest.fixture
def second_approver(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("approver2", brand_a.brand, Role.FINANCE_APPROVER)


@pytest.fixture
def viewer(brand_a: Tenant):  # type: ignore[no-untyped-def]
    return _member("viewer", brand_a.brand, Role.VIEWER)


@pytest.fixture
def outsider(brand_b: Tenant):  # type: ignore[no-untyped-def]
    return _member("outsider", brand_b.brand, Role.BRAND_MANAGER)


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """A logged-in Django test client for a user: client_for(user)."""

    def make(user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():  # type: ignore[no-untyped-def]
    """An authenticated DRF client for a user: api_for(user)."""

    def make(user) -> APIClient:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
