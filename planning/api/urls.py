from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import path
from rest_framework.routers import SimpleRouter

from planning.api import jbp_views
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
    # Joint Business Plans
    path("plans/", jbp_views.PlanListCreateApi.as_view(), name="api-plan-list"),
    path("plans/<int:pk>/", jbp_views.PlanDetailApi.as_view(), name="api-plan-detail"),
    path("plans/<int:pk>/targets/", jbp_views.PlanTargetsApi.as_view(), name="api-plan-targets"),
    path("plans/<int:pk>/transitions/", jbp_views.PlanTransitionApi.as_view(), name="api-plan-transition"),
    path("plans/<int:pk>/new-version/", jbp_views.PlanNewVersionApi.as_view(), name="api-plan-new-version"),
    path("plans/<int:pk>/diff/", jbp_views.PlanDiffApi.as_view(), name="api-plan-diff"),
]
