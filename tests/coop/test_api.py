"""Co-op REST API: workflow actions call the services (same rules as the pages), JSON errors,
tenant isolation, numbers as decimal strings and nulls where undefined."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop.models import CoopInvoice
from coop.models import Dispute
from coop.models import FundAllocation
from tests.coop.factories import ChargebackFactory
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db
D = Decimal
BASE = "/api/v1/coop"


def _allocation_payload(brand_id: int, total: str = "10000.00") -> dict:
    return {
        "brand_id": brand_id,
        "title": "Q3 split",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "currency": "USD",
        "total_amount": total,
        "lines": [
            {"bucket": "ADS", "amount": "6000.00", "brand_share_pct": "60", "description": "SP"},
            {"bucket": "PROMO_FUNDING", "amount": str(D(total) - D("6000.00")), "brand_share_pct": "80"},
        ],
    }


def test_allocation_maker_checker_through_the_api(api_for, brand_a, brand_manager, finance_approver, viewer) -> None:
    maker = api_for(brand_manager)
    created = maker.post(f"{BASE}/allocations/", _allocation_payload(brand_a.brand.pk), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "DRAFT"
    assert body["lines"][0]["brand_amount"] == "3600.00"
    pk = body["id"]
    assert maker.post(f"{BASE}/allocations/{pk}/submit/").json()["status"] == "PENDING_FINANCE_APPROVAL"

    own = maker.post(f"{BASE}/allocations/{pk}/approve/", {"comment": "mine"}, format="json")
    assert own.status_code == 403
    assert own.json()["extra"]["rule"] == "requester_cannot_approve"
    assert api_for(viewer).post(f"{BASE}/allocations/{pk}/approve/").status_code == 403
    inbox = api_for(finance_approver).get(f"{BASE}/allocations/inbox/").json()
    assert [a["id"] for a in inbox] == [pk]

    approved = api_for(finance_approver).post(f"{BASE}/allocations/{pk}/approve/", {"comment": "ok"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "APPROVED"
    assert approved.json()["approvals"][0]["approver"] == "approver"
    history = maker.get(f"{BASE}/allocations/{pk}/history/").json()
    assert [h["action"] for h in history] == ["allocation.create", "allocation.submit", "allocation.approve"]
    assert history[-1]["before"]["status"] == "PENDING_FINANCE_APPROVAL"


def test_same_approver_twice_above_threshold_is_a_400(api_for, brand_a, brand_manager, finance_approver) -> None:
    maker = api_for(brand_manager)
    pk = maker.post(f"{BASE}/allocations/", _allocation_payload(brand_a.brand.pk, "75000.00"), format="json").json()[
        "id"
    ]
    maker.post(f"{BASE}/allocations/{pk}/submit/")
    approver = api_for(finance_approver)
    assert approver.post(f"{BASE}/allocations/{pk}/approve/").json()["status"] == "PENDING_FINANCE_APPROVAL"
    again = approver.post(f"{BASE}/allocations/{pk}/approve/")
    assert again.status_code == 400
    assert "second, different finance approver" in again.json()["message"]


def test_lines_not_matching_the_total_is_a_400(api_for, brand_a, brand_manager) -> None:
    payload = _allocation_payload(brand_a.brand.pk)
    payload["total_amount"] = "12000.00"
    response = api_for(brand_manager).post(f"{BASE}/allocations/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["extra"]["difference"] == "2000.00"
    assert not FundAllocation.objects.exists()


def test_other_brand_is_invisible(api_for, brand_a, brand_b, brand_manager, outsider) -> None:
    pk = (
        api_for(brand_manager)
        .post(f"{BASE}/allocations/", _allocation_payload(brand_a.brand.pk), format="json")
        .json()["id"]
    )
    stranger = api_for(outsider)
    assert stranger.get(f"{BASE}/allocations/{pk}/").status_code == 404
    assert stranger.post(f"{BASE}/allocations/{pk}/approve/").status_code == 404
    assert stranger.get(f"{BASE}/allocations/").json()["count"] == 0
    foreign = stranger.post(f"{BASE}/allocations/", _allocation_payload(brand_a.brand.pk), format="json")
    assert foreign.status_code == 400
    assert "brand_id" in foreign.json()["extra"]["fields"]


def test_agreements_accruals_and_growth(api_for, brand_a, vendor_ops) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    client = api_for(vendor_ops)
    listing = client.get(f"{BASE}/agreements/").json()
    assert [a["amazon_agreement_id"] for a in listing["results"]] == ["MDF-2026"]
    accruals = client.get(f"{BASE}/agreements/{agreement.pk}/accruals/").json()
    assert [(a["period_start"], a["basis_amount"], a["expected_amount"]) for a in accruals] == [
        ("2026-01-01", "240000.00", "19200.00")
    ]
    assert client.get(f"{BASE}/accruals/?needs_review=false").json()["count"] == 1

    growth = CoopAgreementFactory.create(
        vendor_code=brand_a.vendor_code,
        agreement_type="GROWTH_INCENTIVE",
        calc_basis="",
        rate_pct=None,
        tier_mode="INCREMENTAL_BANDS",
        measured_metric="SHIPPED_COGS",
        baseline_amount=D("0"),
    )
    tracker = client.get(f"{BASE}/agreements/{growth.pk}/growth/").json()
    assert tracker["growth_to_date"] is None and tracker["current_tier"] is None
    assert client.get(f"{BASE}/agreements/{agreement.pk}/growth/").status_code == 404  # not a growth agreement


def test_create_agreement_and_accept(api_for, brand_a, brand_b, vendor_ops, finance_approver) -> None:
    payload = {
        "vendor_code_id": brand_a.vendor_code.pk,
        "amazon_agreement_id": "FRT-1",
        "title": "Freight 3 %",
        "agreement_type": "FREIGHT_ALLOWANCE",
        "calc_basis": "NET_RECEIPTS",
        "rate_pct": "0.03",
        "currency": "USD",
        "start_date": "2026-01-01",
    }
    created = api_for(vendor_ops).post(f"{BASE}/agreements/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "PENDING_ACCEPTANCE"
    accepted = api_for(finance_approver).post(f"{BASE}/agreements/{created.json()['id']}/accept/")
    assert accepted.json()["status"] == "ACCEPTED"
    foreign = api_for(vendor_ops).post(
        f"{BASE}/agreements/", {**payload, "vendor_code_id": brand_b.vendor_code.pk}, format="json"
    )
    assert foreign.status_code == 400
    missing_rate = api_for(vendor_ops).post(
        f"{BASE}/agreements/", {**payload, "amazon_agreement_id": "FRT-2", "rate_pct": None}, format="json"
    )
    assert missing_rate.status_code == 400
    assert "rate_pct" in missing_rate.json()["extra"]["fields"]


def test_invoice_record_flags_and_dispute_deadlines(api_for, brand_a, vendor_ops, finance) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    client = api_for(vendor_ops)
    invoice = client.post(
        f"{BASE}/invoices/",
        {
            "vendor_code_id": brand_a.vendor_code.pk,
            "amazon_invoice_id": "INV-1",
            "amazon_agreement_id": "MDF-2026",
            "invoice_date": "2026-02-10",
            "service_period_start": "2026-01-01",
            "service_period_end": "2026-01-31",
            "amount": "24000.00",
            "currency": "USD",
        },
        format="json",
    )
    assert invoice.status_code == 201
    body = invoice.json()
    assert (body["status"], body["expected_amount"], body["variance_amount"]) == (
        "VARIANCE_FLAGGED",
        "19200.00",
        "4800.00",
    )
    assert [f["code"] for f in body["audit_flags"]] == ["VARIANCE", "WRONG_RATE"]
    assert client.post(f"{BASE}/invoices/{body['id']}/accept-variance/", {"comment": "x"}).status_code == 403

    dispute = client.post(f"{BASE}/disputes/", {"invoice_id": body["id"], "amount_claimed": "4800.00"}, format="json")
    assert dispute.status_code == 201
    assert dispute.json()["deadline"] == "2028-02-10"
    deadlines = client.get(f"{BASE}/disputes/deadlines/?today=2028-02-03").json()
    assert [(d["id"], d["days_left"]) for d in deadlines] == [(dispute.json()["id"], 7)]
    filed = client.post(f"{BASE}/disputes/{dispute.json()['id']}/submit/", {"amazon_dispute_id": "D-1"}, format="json")
    assert filed.json()["status"] == "SUBMITTED"
    assert CoopInvoice.objects.get(pk=body["id"]).status == "DISPUTED"


def test_chargeback_dispute_window_refusal_is_a_400(api_for, brand_a, vendor_ops) -> None:
    chargeback = ChargebackFactory.create(vendor_code=brand_a.vendor_code, notified_at=date(2020, 1, 1))
    client = api_for(vendor_ops)
    dispute = client.post(
        f"{BASE}/disputes/", {"chargeback_id": chargeback.pk, "amount_claimed": "10.00"}, format="json"
    )
    refused = client.post(f"{BASE}/disputes/{dispute.json()['id']}/submit/")
    assert refused.status_code == 400
    assert refused.json()["extra"]["rule"] == "past_deadline"
    assert Dispute.objects.get().status == "DRAFT"


def test_ledger_endpoint(api_for, brand_a, brand_b, finance) -> None:
    response = api_for(finance).get(f"{BASE}/ledger/?brand={brand_a.brand.pk}&start=2026-01-01&end=2026-03-31")
    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert api_for(finance).get(f"{BASE}/ledger/?brand={brand_b.brand.pk}").status_code == 404


def test_schema_lists_the_coop_endpoints(api_for, finance) -> None:
    schema = api_for(finance).get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in (
        "/api/v1/coop/allocations/{id}/approve/",
        "/api/v1/coop/disputes/deadlines/",
        "/api/v1/coop/agreements/{id}/growth/",
    ):
        assert expected in paths
