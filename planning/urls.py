from __future__ import annotations

from django.urls import path

from planning import views

urlpatterns = [
    path("", views.home, name="home"),
    path("brand/switch/", views.brand_switch, name="brand-switch"),
    path("catalog/", views.product_list, name="product-list"),
    path("catalog/<int:pk>/", views.product_detail, name="product-detail"),
    path("plans/", views.coming_soon, {"section": "Plans"}, name="plan-list"),
]
