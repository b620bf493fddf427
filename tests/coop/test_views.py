"""Co-op pages: render with real data, post through the services, stay inside the user's brands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from coop.models import CoopInvoice
from coop.models import Dispute
from coop.models import FundAllocation
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit
from coop.services.disputes import dispute_open
from coop.services.invoices import invoice_record
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db
D = Decimal


def _pending(brand, requester, total: str = "1000.00") -> FundAllocation:
    allocation = allocation_create(
        brand=brand,
        user=requester,
        title="Q3 split",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="USD",
        total_amount=D(total),
        lines=[LineInput("ADS", D(total), D("60"), "Sponsored Products")],
    )
    return allocation_submit(allocation=allocation, user=requester)


def test_brand_manager_requests_a_split_through_the_form(client_for, brand_a, brand_manager) -> None:
    client = client_for(brand_manager)
    form_page = client.get(reverse("coop-allocation-create"))
    assert form_page.status_code == 200
    response = client.post(
        reverse("coop-allocation-create"),
        {
            "brand": brand_a.brand.pk,
            "title": "Prime Day split",
            "period_start": "2026-07-01",
            "period_end": "2026-07-31",
            "currency": "usd",
            "total_amount": "9000.00",
            "notes": "",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-bucket": "ADS",
            "lines-0-amount": "6000.00",
            "lines-0-brand_share_pct": "60",
            "lines-1-bucket": "PROMO_FUNDING",
            "lines-1-amount": "3000.00",
            "lines-1-brand_share_pct": "80",
            "lines-2-bucket": "",
            "lines-2-amount": "",
            "lines-2-brand_share_pct": "",
        },
    )
    allocation = FundAllocation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coop-allocation-detail", args=[allocation.pk])
    assert (allocation.title, allocation.currency, allocation.requested_by) == ("Prime Day split", "USD", brand_manager)
    assert list(allocation.lines.values_list("bucket", "amount")) == [
        ("ADS", D("6000.00")),
        ("PROMO_FUNDING", D("3000.00")),
    ]


def test_form_shows_the_service_refusal_when_lines_do_not_add_up(client_for, brand_a, brand_manager) -> None:
    response = client_for(brand_manager).post(
        reverse("coop-allocation-create"),
        {
            "brand": brand_a.brand.pk,
            "title": "Off by 10",
            "period_start": "2026-07-01",
            "period_end": "2026-07-31",
            "currency": "USD",
            "total_amount": "100.00",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-bucket": "ADS",
            "lines-0-amount": "90.00",
            "lines-0-brand_share_pct": "50",
        },
    )
    assert response.status_code == 200
    assert "The lines add up to 90.00 but the allocation total is 100.00" in response.content.decode()
    assert not FundAllocation.objects.exists()


def test_approver_approves_through_htmx(client_for, brand_a, brand_manager, finance_approver) -> None:
    allocation = _pending(brand_a.brand, brand_manager)
    client = client_for(finance_approver)
    detail = client.get(reverse("coop-allocation-detail", args=[allocation.pk]))
    assert 'id="approve-button"' in detail.content.decode()
    response = client.post(
        reverse("coop-allocation-action", args=[allocation.pk, "approve"]),
        {"comment": "ok"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="allocation-body"' in body and "<html" not in body
    assert 'data-status="APPROVED"' in body
    assert "Approval recorded." in body
    assert FundAllocation.objects.get(pk=allocation.pk).status == FundAllocation.Status.APPROVED


def test_requester_sees_why_they_cannot_approve_and_a_forged_post_is_refused(
    client_for, brand_a, brand_manager
) -> None:
    from planning.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory.create(user=brand_manager, brand=brand_a.brand, role=Membership.Role.FINANCE_APPROVER)
    allocation = _pending(brand_a.brand, brand_manager)
    client = client_for(brand_manager)
    page = client.get(reverse("coop-allocation-detail", args=[allocation.pk])).content.decode()
    assert 'id="approve-button"' not in page
    assert "You requested or submitted this split; another finance approver must decide." in page
    response = client.post(reverse("coop-allocation-action", args=[allocation.pk, "approve"]), follow=True)
    assert "cannot approve or reject it" in response.content.decode()
    assert FundAllocation.objects.get(pk=allocation.pk).status == FundAllocation.Status.PENDING_FINANCE_APPROVAL


def test_inbox_lists_only_what_the_user_may_decide(client_for, brand_a, brand_manager, finance_approver) -> None:
    allocation = _pending(brand_a.brand, brand_manager)
    page = client_for(finance_approver).get(reverse("coop-approvals")).content.decode()
    assert f'data-allocation="{allocation.pk}"' in page
    own = client_for(brand_manager).get(reverse("coop-approvals")).content.decode()
    assert 'id="inbox-empty"' in own


@pytest.fixture
def coop_data(brand_a, vendor_ops):
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    flagged, _ = invoice_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        amazon_invoice_id="INV-77",
        invoice_date=date(2026, 2, 10),
        amount=D("24000.00"),
        currency="USD",
        amazon_agreement_id="MDF-2026",
        service_period_start=date(2026, 1, 1),
        service_period_end=date(2026, 1, 31),
    )
    dispute = dispute_open(user=vendor_ops, invoice=flagged, amount_claimed=D("4800.00"))
    return {"agreement": agreement, "invoice": flagged, "dispute": dispute}


def test_agreement_pages_show_the_accrual_table(client_for, vendor_ops, coop_data) -> None:
    client = client_for(vendor_ops)
    listing = client.get(reverse("coop-agreement-list")).content.decode()
    assert "MDF-2026" in listing and "19,200.00" in listing
    detail = client.get(reverse("coop-agreement-detail", args=[coop_data["agreement"].pk])).content.decode()
    assert 'data-month="2026-01"' in detail
    assert "240,000.00" in detail and "8.00 %" in detail and "19,200.00" in detail


def test_invoice_pages_show_variance_badges_and_flags(client_for, vendor_ops, coop_data) -> None:
    client = client_for(vendor_ops)
    listing = client.get(reverse("coop-invoice-list") + "?flagged=1").content.decode()
    assert "INV-77" in listing and "+4,800.00" in listing and "Variance" in listing
    detail = client.get(reverse("coop-invoice-detail", args=[coop_data["invoice"].pk])).content.decode()
    assert 'data-flag="VARIANCE"' in detail and 'data-flag="WRONG_RATE"' in detail


def test_dispute_pages_and_deadline_list(client_for, vendor_ops, coop_data) -> None:
    client = client_for(vendor_ops)
    listing = client.get(reverse("coop-dispute-list")).content.decode()
    assert f'data-dispute="{coop_data["dispute"].pk}"' in listing
    assert "10 Feb 2028" in listing
    detail = client.get(reverse("coop-dispute-detail", args=[coop_data["dispute"].pk]))
    assert detail.status_code == 200
    assert 'id="submit-dispute"' in detail.content.decode()


def test_opening_a_dispute_from_the_invoice_page(client_for, brand_a, vendor_ops) -> None:
    CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="X-1")
    invoice, _ = invoice_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        amazon_invoice_id="INV-9",
        invoice_date=date(2026, 2, 10),
        amount=D("500.00"),
        currency="USD",
        amazon_agreement_id="X-1",
        service_period_start=date(2025, 12, 1),
        service_period_end=date(2025, 12, 31),
    )
    assert invoice.status == CoopInvoice.Status.VARIANCE_FLAGGED
    response = client_for(vendor_ops).post(
        reverse("coop-invoice-action", args=[invoice.pk, "dispute"]), {"amount_claimed": "500.00", "reason": "outside"}
    )
    dispute = Dispute.objects.get()
    assert response["Location"] == reverse("coop-dispute-detail", args=[dispute.pk])
    assert (dispute.invoice, dispute.amount_claimed, dispute.deadline) == (invoice, D("500.00"), date(2028, 2, 10))


def test_home_and_ledger_render(client_for, vendor_ops, coop_data) -> None:
    client = client_for(vendor_ops)
    home = client.get(reverse("coop-home")).content.decode()
    assert 'id="kpi-flagged"' in home and "INV-77" in home
    ledger = client.get(reverse("coop-ledger") + "?start=2026-01-01&end=2026-03-31").content.decode()
    assert "19,200.00" in ledger and "24,000.00" in ledger


def test_other_brands_objects_are_404(client_for, outsider, brand_a, brand_manager, coop_data) -> None:
    client = client_for(outsider)
    allocation = _pending(brand_a.brand, brand_manager)
    for name, pk in (
        ("coop-allocation-detail", allocation.pk),
        ("coop-agreement-detail", coop_data["agreement"].pk),
        ("coop-invoice-detail", coop_data["invoice"].pk),
        ("coop-dispute-detail", coop_data["dispute"].pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse("coop-allocation-action", args=[allocation.pk, "approve"])).status_code == 404
    assert "INV-77" not in client.get(reverse("coop-invoice-list")).content.decode()


def test_list_pages_have_a_query_budget(client_for, vendor_ops, coop_data, django_assert_max_num_queries) -> None:
    client = client_for(vendor_ops)
    for name in ("coop-agreement-list", "coop-invoice-list", "coop-dispute-list", "coop-allocation-list"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
