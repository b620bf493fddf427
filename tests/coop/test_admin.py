"""Django admin for co-op models: pages render for staff; audit and approvals cannot be changed there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from coop.models import Accrual
from coop.models import AuditRecord
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from coop.models import Dispute
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.models import Remittance
from coop.services.accruals import accrual_recompute
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit
from coop.services.disputes import dispute_open
from coop.services.invoices import DeductionInput
from coop.services.invoices import remittance_record
from tests.coop.factories import ChargebackFactory
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import CoopInvoiceFactory
from tests.coop.factories import inventory_fact

pytestmark = pytest.mark.django_db
MODELS = [CoopAgreement, Accrual, FundAllocation, FundAllocationApproval, AuditRecord, CoopInvoice, Remittance]
MODELS += [Chargeback, Dispute]


@pytest.fixture
def data(brand_a, brand_manager, finance_approver, vendor_ops):
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code)
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="1000.00")
    accrual_recompute(agreement=agreement, month=date(2026, 1, 1))
    allocation = allocation_create(
        brand=brand_a.brand,
        user=brand_manager,
        title="Admin split",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        currency="USD",
        total_amount=Decimal("10.00"),
        lines=[LineInput("ADS", Decimal("10.00"), Decimal("50"))],
    )
    allocation_submit(allocation=allocation, user=brand_manager)
    allocation_approve(allocation=allocation, user=finance_approver)
    invoice = CoopInvoiceFactory.create(vendor_code=brand_a.vendor_code, status="VARIANCE_FLAGGED")
    dispute_open(user=vendor_ops, invoice=invoice, amount_claimed=Decimal("1.00"))
    ChargebackFactory.create(vendor_code=brand_a.vendor_code)
    remittance_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        remittance_id="REM-ADMIN",
        payment_date=date(2026, 3, 1),
        paid_amount=Decimal("100.00"),
        currency="USD",
        deductions=[DeductionInput("SHORTAGE", "PO-1", Decimal("5.00"))],
    )
    return allocation


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_pages_render(admin_client, data, model) -> None:
    meta = model._meta
    response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200
    obj = model.objects.earliest("pk")
    response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_audit_and_allocations_cannot_be_changed_in_admin(admin_client, data) -> None:
    record = AuditRecord.objects.earliest("pk")
    url = reverse("admin:coop_auditrecord_change", args=[record.pk])
    response = admin_client.post(url, {"comment": "edited"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:coop_auditrecord_add")).status_code == 403
    delete = admin_client.post(reverse("admin:coop_fundallocation_delete", args=[data.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert FundAllocation.objects.filter(pk=data.pk).exists()
    assert AuditRecord.objects.get(pk=record.pk).comment == record.comment
