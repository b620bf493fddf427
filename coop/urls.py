"""Co-op pages under /coop/ and the promotion pages under /promotions/."""

from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path

from coop.views import agreements
from coop.views import allocations
from coop.views import disputes
from coop.views import home
from coop.views import imports
from coop.views import invoices

urlpatterns: list[URLPattern | URLResolver] = [
    path("coop/", home.coop_home, name="coop-home"),
    path("coop/ledger/", home.ledger, name="coop-ledger"),
    path("coop/approvals/", allocations.approval_inbox, name="coop-approvals"),
    path("coop/allocations/", allocations.allocation_list, name="coop-allocation-list"),
    path("coop/allocations/new/", allocations.allocation_create, name="coop-allocation-create"),
    path("coop/allocations/<int:pk>/", allocations.allocation_detail, name="coop-allocation-detail"),
    path("coop/allocations/<int:pk>/edit/", allocations.allocation_edit, name="coop-allocation-edit"),
    path("coop/allocations/<int:pk>/<slug:action>/", allocations.allocation_action, name="coop-allocation-action"),
    path("coop/agreements/", agreements.agreement_list, name="coop-agreement-list"),
    path("coop/agreements/<int:pk>/", agreements.agreement_detail, name="coop-agreement-detail"),
    path("coop/agreements/<int:pk>/<slug:action>/", agreements.agreement_action, name="coop-agreement-action"),
    path("coop/invoices/", invoices.invoice_list, name="coop-invoice-list"),
    path("coop/invoices/<int:pk>/", invoices.invoice_detail, name="coop-invoice-detail"),
    path("coop/invoices/<int:pk>/<slug:action>/", invoices.invoice_action, name="coop-invoice-action"),
    path("coop/imports/", imports.upload_list, name="coop-import-list"),
    path("coop/imports/<int:pk>/", imports.upload_detail, name="coop-import-detail"),
    path("coop/imports/<int:pk>/mapping/", imports.upload_mapping, name="coop-import-mapping"),
    path("coop/imports/<int:pk>/status/", imports.upload_status, name="coop-import-status"),
    path("coop/imports/report/<int:import_pk>/", imports.upload_for_report, name="coop-import-for-report"),
    path("coop/disputes/", disputes.dispute_list, name="coop-dispute-list"),
    path("coop/disputes/<int:pk>/", disputes.dispute_detail, name="coop-dispute-detail"),
    path("coop/disputes/<int:pk>/<slug:action>/", disputes.dispute_action, name="coop-dispute-action"),
]

urlpatterns.append(path("promotions/", include("coop.promotion_urls")))
