"""Reads for the catalog. Every function takes the user and scopes through planning.scoping."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet

from core.money import safe_ratio
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def brand_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[Brand]:
    """The user's brands (or only `brand` when the switcher picked one) with vendor-code and product counts."""
    qs = Brand.objects.for_user(user)
    if brand is not None:
        qs = qs.filter(pk=brand.pk)
    return qs.annotate(
        vendor_code_count=Count("vendor_codes", distinct=True),
        product_count=Count("products", distinct=True),
    ).order_by("name")


def vendor_code_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[VendorCode]:
    """The user's vendor codes with brand and marketplace joined and `product_count` annotated."""
    qs = (
        VendorCode.objects.for_user(user)
        .select_related("brand", "marketplace")
        .annotate(product_count=Count("products"))
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.order_by("brand__name", "code")


def vendor_code_options(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[VendorCode]:
    """The user's vendor codes for a filter drop-down (no counts, so no join over products)."""
    qs = VendorCode.objects.for_user(user).select_related("marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.order_by("code")


def vendor_code_lifecycle_counts(*, vendor_code: VendorCode) -> dict[str, int]:
    """Product counts per lifecycle value for one (already scoped) vendor code."""
    rows = vendor_code.products.order_by().values_list("lifecycle").annotate(n=Count("pk"))
    counts = dict.fromkeys(Product.Lifecycle.values, 0)
    counts.update(dict(rows))
    return counts


def marketplace_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[Marketplace]:
    """Marketplaces where the user's brands (or `brand`) have a vendor code: the catalog filter's options."""
    codes = VendorCode.objects.for_user(user)
    if brand is not None:
        codes = codes.filter(brand=brand)
    return Marketplace.objects.filter(pk__in=codes.values("marketplace_id")).order_by("country_code")


# Public sort keys (what the URL says) mapped to ORM orderings; anything else falls back to ASIN.
PRODUCT_SORTS: dict[str, str] = {
    "asin": "asin",
    "title": "title",
    "category": "category",
    "vendor_code": "vendor_code__code",
    "marketplace": "marketplace__country_code",
    "lifecycle": "lifecycle",
    "cost": "cost_price",
    "score": "content_score",
}


def product_sort_ordering(sort: str) -> str:
    """The ORM ordering for a public sort key such as "title" or "-cost" (unknown keys sort by ASIN)."""
    descending = sort.startswith("-")
    field = PRODUCT_SORTS.get(sort.lstrip("-"))
    if field is None:
        return "asin"
    return f"-{field}" if descending else field


@dataclass(frozen=True)
class ProductFilters:
    """What the catalog list can be narrowed by; every field empty means "everything"."""

    search: str = ""
    category: str = ""
    marketplace: str = ""  # Amazon's marketplace id, e.g. ATVPDKIKX0DER
    lifecycle: str = ""
    vendor_code_id: int | None = None
    missing_aplus: bool = False
    missing_video: bool = False


def product_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    filters: ProductFilters | None = None,
    sort: str = "asin",
) -> QuerySet[Product]:
    """Products of the user's brands, searchable by ASIN, title or GTIN, filtered and sorted."""
    f = filters or ProductFilters()
    qs = Product.objects.for_user(user).select_related("brand", "vendor_code", "marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    if f.search:
        qs = qs.filter(Q(asin__icontains=f.search) | Q(title__icontains=f.search) | Q(gtin=f.search))
    if f.category:
        qs = qs.filter(category=f.category)
    if f.marketplace:
        qs = qs.filter(marketplace__amazon_marketplace_id=f.marketplace)
    if f.lifecycle:
        qs = qs.filter(lifecycle=f.lifecycle)
    if f.vendor_code_id is not None:
        qs = qs.filter(vendor_code_id=f.vendor_code_id)
    if f.missing_aplus:
        qs = qs.filter(aplus_content=False)
    if f.missing_video:
        qs = qs.filter(video_on_detail_page=False)
    # pk breaks ties so pagination is stable when many rows share a sort value.
    return qs.order_by(product_sort_ordering(sort), "pk")


def product_categories(*, user: AnyUser, brand: Brand | None = None) -> list[str]:
    """Distinct categories of the user's products, for the catalog filter."""
    qs = Product.objects.for_user(user)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return list(qs.order_by("category").values_list("category", flat=True).distinct())


def product_content_gaps(*, user: AnyUser, brand: Brand | None = None) -> dict[str, int]:
    """How many of the user's products lack A+ content or a detail-page video (home dashboard)."""
    qs = Product.objects.for_user(user)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.aggregate(
        products=Count("pk"),
        missing_aplus=Count("pk", filter=Q(aplus_content=False)),
        missing_video=Count("pk", filter=Q(video_on_detail_page=False)),
    )


@dataclass(frozen=True)
class CostPriceRow:
    """One cost-price entry and its change against the entry before it (None when there is none
    or the currency changed: amounts in two currencies are never compared)."""

    entry: CostPriceHistory
    change: Decimal | None
    change_ratio: Decimal | None


def cost_price_history(*, product: Product, limit: int = 24) -> list[CostPriceRow]:
    """The latest `limit` cost prices of one (already scoped) product, newest first, with their changes."""
    # One extra (older) row so the oldest shown entry still gets its change.
    entries = list(product.cost_prices.order_by("-effective_from")[: limit + 1])
    rows = []
    for newer, older in zip(entries[:limit], [*entries[1:], None], strict=False):
        if older is None or older.currency != newer.currency:
            rows.append(CostPriceRow(entry=newer, change=None, change_ratio=None))
            continue
        change = newer.cost - older.cost
        rows.append(CostPriceRow(entry=newer, change=change, change_ratio=safe_ratio(change, older.cost)))
    return rows
