"""Reads for the catalog. Every function takes the user and scopes through planning.scoping."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet

from planning.models import Brand
from planning.models import Product
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def brand_list(*, user: AnyUser) -> QuerySet[Brand]:
    """The user's brands with their vendor-code and product counts."""
    return (
        Brand.objects.for_user(user)
        .annotate(
            vendor_code_count=Count("vendor_codes", distinct=True),
            product_count=Count("products", distinct=True),
        )
        .order_by("name")
    )


def vendor_code_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[VendorCode]:
    qs = VendorCode.objects.for_user(user).select_related("brand", "marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.order_by("brand__name", "code")


PRODUCT_SORTS = {
    "asin": "asin",
    "-asin": "-asin",
    "title": "title",
    "-title": "-title",
    "category": "category",
    "-category": "-category",
    "cost": "cost_price",
    "-cost": "-cost_price",
}


def product_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    search: str = "",
    category: str = "",
    marketplace: str = "",
    lifecycle: str = "",
    sort: str = "asin",
) -> QuerySet[Product]:
    """Products of the user's brands, searchable by ASIN, title or GTIN and filterable."""
    qs = Product.objects.for_user(user).select_related("brand", "vendor_code", "marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    if search:
        qs = qs.filter(Q(asin__icontains=search) | Q(title__icontains=search) | Q(gtin=search))
    if category:
        qs = qs.filter(category=category)
    if marketplace:
        qs = qs.filter(marketplace__amazon_marketplace_id=marketplace)
    if lifecycle:
        qs = qs.filter(lifecycle=lifecycle)
    return qs.order_by(PRODUCT_SORTS.get(sort, "asin"), "pk")


def product_categories(*, user: AnyUser, brand: Brand | None = None) -> list[str]:
    qs = Product.objects.for_user(user)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return list(qs.order_by("category").values_list("category", flat=True).distinct())
