from __future__ import annotations

from django.urls import path

from planning import jbp_grid_views
from planning import jbp_views
from planning import views

urlpatterns = [
    path("", views.home, name="home"),
    path("brand/switch/", views.brand_switch, name="brand-switch"),
    path("catalog/", views.product_list, name="product-list"),
    path("catalog/export.xlsx", views.product_export, name="product-export"),
    path("catalog/<int:pk>/", views.product_detail, name="product-detail"),
    path("vendor-codes/<int:pk>/", views.vendor_code_detail, name="vendor-code-detail"),
    # Joint Business Plans
    path("plans/", jbp_views.plan_list, name="plan-list"),
    path("plans/new/", jbp_views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", jbp_views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", jbp_views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/transition/", jbp_views.plan_transition, name="plan-transition"),
    path("plans/<int:pk>/new-version/", jbp_views.plan_new_version, name="plan-new-version"),
    path("plans/<int:pk>/compare/", jbp_views.plan_compare, name="plan-compare"),
    path("plans/<int:pk>/history/", jbp_views.plan_history, name="plan-history"),
    path("plans/<int:pk>/targets/", jbp_grid_views.plan_grid, name="plan-grid"),
    path("plans/<int:pk>/targets/save/", jbp_grid_views.plan_grid_save, name="plan-grid-save"),
    path("plans/<int:pk>/targets/paste/", jbp_grid_views.plan_grid_paste, name="plan-grid-paste"),
    path("plans/<int:pk>/targets/allocate/", jbp_grid_views.plan_grid_allocate, name="plan-grid-allocate"),
    path("plans/<int:pk>/targets.xlsx", jbp_grid_views.plan_grid_xlsx, name="plan-grid-xlsx"),
    path("plans/<int:pk>/targets/upload/", jbp_grid_views.plan_grid_upload, name="plan-grid-upload"),
    path("plans/<int:pk>/investments/add/", jbp_views.investment_add, name="plan-investment-add"),
    path("plans/<int:pk>/investments/<int:item>/delete/", jbp_views.investment_delete, name="plan-investment-delete"),
    path("plans/<int:pk>/initiatives/add/", jbp_views.initiative_add, name="plan-initiative-add"),
    path("plans/<int:pk>/initiatives/<int:item>/status/", jbp_views.initiative_status, name="plan-initiative-status"),
    path("plans/<int:pk>/initiatives/<int:item>/delete/", jbp_views.initiative_delete, name="plan-initiative-delete"),
    path("plans/<int:pk>/launches/add/", jbp_views.launch_add, name="plan-launch-add"),
    path("plans/<int:pk>/launches/<int:item>/readiness/", jbp_views.launch_readiness, name="plan-launch-readiness"),
    path("plans/<int:pk>/launches/<int:item>/delete/", jbp_views.launch_delete, name="plan-launch-delete"),
    path("plans/<int:pk>/launches/<int:item>/certificates/", jbp_views.certificate_add, name="plan-certificate-add"),
    path(
        "plans/<int:pk>/certificates/<int:item>/delete/", jbp_views.certificate_delete, name="plan-certificate-delete"
    ),
]
