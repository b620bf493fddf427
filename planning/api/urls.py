from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path
from rest_framework.routers import SimpleRouter

from planning.api import views

router = SimpleRouter()
router.register("brands", views.BrandViewSet, basename="brand")
router.register("marketplaces", views.MarketplaceViewSet, basename="marketplace")
router.register("vendor-codes", views.VendorCodeViewSet, basename="vendorcode")
router.register("products", views.ProductViewSet, basename="product")
router.register("cost-prices", views.CostPriceViewSet, basename="costprice")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token"),
    *router.urls,
]
