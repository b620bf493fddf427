"""Co-op API under /api/v1/coop/."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path
from rest_framework.routers import SimpleRouter

from coop.api import views

router = SimpleRouter()
router.register("coop/agreements", views.AgreementViewSet, basename="coop-agreement")
router.register("coop/accruals", views.AccrualViewSet, basename="coop-accrual")
router.register("coop/allocations", views.AllocationViewSet, basename="coop-allocation")
router.register("coop/invoices", views.InvoiceViewSet, basename="coop-invoice")
router.register("coop/remittances", views.RemittanceViewSet, basename="coop-remittance")
router.register("coop/chargebacks", views.ChargebackViewSet, basename="coop-chargeback")
router.register("coop/disputes", views.DisputeViewSet, basename="coop-dispute")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("coop/ledger/", views.LedgerApi.as_view(), name="api-coop-ledger"),
    path("", include("coop.api.promotion_urls")),
]
