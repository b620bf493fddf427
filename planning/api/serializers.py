"""Output serializers for the catalog API (read-only lookup tables)."""

from __future__ import annotations

from rest_framework import serializers

from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode


class BrandSerializer(serializers.ModelSerializer[Brand]):
    class Meta:
        model = Brand
        fields = ("id", "name", "legal_entity", "default_currency", "owner_team", "created_at", "updated_at")


class MarketplaceSerializer(serializers.ModelSerializer[Marketplace]):
    class Meta:
        model = Marketplace
        fields = ("id", "amazon_marketplace_id", "country_code", "country", "domain", "region", "currency", "timezone")


class VendorCodeSerializer(serializers.ModelSerializer[VendorCode]):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    amazon_marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True)

    class Meta:
        model = VendorCode
        fields = (
            "id",
            "code",
            "brand",
            "brand_name",
            "marketplace",
            "amazon_marketplace_id",
            "freight_terms",
            "payment_terms_days",
            "settlement_discount_pct",
            "is_active",
            "created_at",
            "updated_at",
        )


class ProductSerializer(serializers.ModelSerializer[Product]):
    vendor_code_code = serializers.CharField(source="vendor_code.code", read_only=True)
    amazon_marketplace_id = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True)

    class Meta:
        model = Product
        fields = (
            "id",
            "asin",
            "brand",
            "vendor_code",
            "vendor_code_code",
            "marketplace",
            "amazon_marketplace_id",
            "title",
            "category",
            "subcategory",
            "gtin",
            "cost_price",
            "currency",
            "lifecycle",
            "aplus_content",
            "video_on_detail_page",
            "content_score",
            "content_updated_at",
            "created_at",
            "updated_at",
        )


class CostPriceSerializer(serializers.ModelSerializer[CostPriceHistory]):
    asin = serializers.CharField(source="product.asin", read_only=True)

    class Meta:
        model = CostPriceHistory
        fields = ("id", "product", "asin", "effective_from", "cost", "currency", "created_at")
