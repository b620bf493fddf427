from __future__ import annotations

from django.urls import path

from planning import views

urlpatterns = [
    path("", views.home, name="home"),
    path("brand/switch/", views.brand_switch, name="brand-switch"),
    path("catalog/", views.product_list, name="product-list"),
    path("catalog/export.xlsx", views.product_export, name="product-export"),
    path("catalog/<int:pk>/", views.product_detail, name="product-detail"),
    path("vendor-codes/<int:pk>/", views.vendor_code_detail, name="vendor-code-detail"),
    path("plans/", views.coming_soon, {"section": "Plans"}, name="plan-list"),
]
