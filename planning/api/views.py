"""Catalog API: read-only lookup tables, every queryset scoped to the user's brands.

Mixin-based viewsets are fine here (STYLE.md §2.5: plain lookup tables); writes with rules will get
explicit APIs calling services.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from planning.api.filters import CostPriceFilter
from planning.api.filters import ProductFilter
from planning.api.filters import VendorCodeFilter
from planning.api.serializers import BrandSerializer
from planning.api.serializers import CostPriceSerializer
from planning.api.serializers import MarketplaceSerializer
from planning.api.serializers import ProductSerializer
from planning.api.serializers import VendorCodeSerializer
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode


class _ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


@extend_schema(tags=["catalog"])
class BrandViewSet(_ReadOnlyViewSet):
    """The brands the caller is a member of."""

    queryset = Brand.objects.all()
    serializer_class = BrandSerializer
    ordering_fields = ("name", "created_at")
    ordering = ("name",)

    def get_queryset(self) -> QuerySet[Brand]:
        return Brand.objects.for_user(self.request.user).order_by("name")


@extend_schema(tags=["catalog"])
class MarketplaceViewSet(_ReadOnlyViewSet):
    """Amazon's marketplaces (reference data, the same for every user)."""

    queryset = Marketplace.objects.order_by("country_code")
    serializer_class = MarketplaceSerializer
    filterset_fields = ("region", "currency", "country_code", "amazon_marketplace_id")
    ordering_fields = ("country_code", "domain")
    ordering = ("country_code",)


@extend_schema(tags=["catalog"])
class VendorCodeViewSet(_ReadOnlyViewSet):
    """The vendor codes of the caller's brands."""

    queryset = VendorCode.objects.all()
    serializer_class = VendorCodeSerializer
    filterset_class = VendorCodeFilter
    ordering_fields = ("code", "brand__name", "payment_terms_days", "created_at")
    ordering = ("code",)

    def get_queryset(self) -> QuerySet[VendorCode]:
        return VendorCode.objects.for_user(self.request.user).select_related("brand", "marketplace")


@extend_schema(tags=["catalog"])
class ProductViewSet(_ReadOnlyViewSet):
    """The products (ASINs) of the caller's brands."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    ordering_fields = ("asin", "title", "category", "cost_price", "content_score", "created_at", "updated_at")
    ordering = ("asin",)

    def get_queryset(self) -> QuerySet[Product]:
        return (
            Product.objects.for_user(self.request.user)
            .select_related("vendor_code", "marketplace")
            .order_by("asin", "pk")
        )


@extend_schema(tags=["catalog"])
class CostPriceViewSet(_ReadOnlyViewSet):
    """Cost price history of the caller's products, newest first."""

    queryset = CostPriceHistory.objects.all()
    serializer_class = CostPriceSerializer
    filterset_class = CostPriceFilter
    ordering_fields = ("effective_from", "cost")
    ordering = ("-effective_from",)

    def get_queryset(self) -> QuerySet[CostPriceHistory]:
        return CostPriceHistory.objects.for_user(self.request.user).select_related("product")


class TokenObtainThrottle(AnonRateThrottle):
    """At most 10 token requests a minute per client address (cache-backed, so per cache)."""

    scope = "api-token"
    rate = "10/min"


@extend_schema(
    tags=["auth"],
    summary="Obtain an API token",
    description=(
        "Exchange a username and password for the user's API token (created on first use). "
        "Send it on every request as the header `Authorization: Token <token>`."
    ),
    responses={
        200: inline_serializer("AuthToken", fields={"token": serializers.CharField(read_only=True)}),
        400: OpenApiResponse(description='Wrong username or password: {"message": ..., "extra": {...}}'),
        429: OpenApiResponse(description="Too many attempts; retry after the Retry-After header's seconds."),
    },
)
class TokenObtainView(ObtainAuthToken):
    # Credentials are in the body; an existing session must not make this POST subject to CSRF checks.
    authentication_classes = ()
    # DRF leaves this endpoint unthrottled; password guessing should be slow.
    throttle_classes = (TokenObtainThrottle,)
