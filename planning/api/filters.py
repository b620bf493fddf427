"""django-filter FilterSets for the catalog API. Choice filters for brand-owned rows only offer the
user's own rows, so another brand's id is "not a valid choice" exactly like an id that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django.db.models import Q
from django.db.models import QuerySet

from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.http import HttpRequest


def _user_brands(request: HttpRequest | None) -> QuerySet[Brand]:
    # request is None while drf-spectacular builds the schema.
    if request is None:
        return Brand.objects.none()
    return Brand.objects.for_user(request.user)


def _user_vendor_codes(request: HttpRequest | None) -> QuerySet[VendorCode]:
    if request is None:
        return VendorCode.objects.none()
    return VendorCode.objects.for_user(request.user)


def _user_products(request: HttpRequest | None) -> QuerySet[Product]:
    if request is None:
        return Product.objects.none()
    return Product.objects.for_user(request.user)


class VendorCodeFilter(django_filters.FilterSet):
    brand = django_filters.ModelChoiceFilter(queryset=_user_brands, help_text="Brand id")
    marketplace = django_filters.ModelChoiceFilter(queryset=Marketplace.objects.all(), help_text="Marketplace id")
    amazon_marketplace_id = django_filters.CharFilter(
        field_name="marketplace__amazon_marketplace_id", help_text="Amazon's marketplace id, e.g. ATVPDKIKX0DER"
    )
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = VendorCode
        fields = ("brand", "marketplace", "amazon_marketplace_id", "code", "is_active", "freight_terms")


class ProductFilter(django_filters.FilterSet):
    brand = django_filters.ModelChoiceFilter(queryset=_user_brands, help_text="Brand id")
    vendor_code = django_filters.ModelChoiceFilter(queryset=_user_vendor_codes, help_text="Vendor code id")
    marketplace = django_filters.ModelChoiceFilter(queryset=Marketplace.objects.all(), help_text="Marketplace id")
    amazon_marketplace_id = django_filters.CharFilter(
        field_name="marketplace__amazon_marketplace_id", help_text="Amazon's marketplace id, e.g. ATVPDKIKX0DER"
    )
    asin = django_filters.CharFilter(lookup_expr="iexact", help_text="Exact ASIN")
    category = django_filters.CharFilter(help_text="Exact category")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the ASIN or title, or the full GTIN")

    class Meta:
        model = Product
        fields = (
            "brand",
            "vendor_code",
            "marketplace",
            "amazon_marketplace_id",
            "asin",
            "category",
            "lifecycle",
            "aplus_content",
            "video_on_detail_page",
            "search",
        )

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(asin__icontains=value) | Q(title__icontains=value) | Q(gtin=value))


class CostPriceFilter(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(queryset=_user_products, help_text="Product id")
    brand = django_filters.ModelChoiceFilter(field_name="product__brand", queryset=_user_brands, help_text="Brand id")
    asin = django_filters.CharFilter(field_name="product__asin", lookup_expr="iexact", help_text="Exact ASIN")
    effective_from = django_filters.DateFromToRangeFilter(
        help_text="effective_from_after / effective_from_before (YYYY-MM-DD, inclusive)"
    )

    class Meta:
        model = CostPriceHistory
        fields = ("product", "brand", "asin", "currency", "effective_from")
