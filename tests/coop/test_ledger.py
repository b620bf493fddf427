"""The co-op ledger: budget -> committed -> accrued -> invoiced -> deducted, and the ad spend split."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop.selectors.ledger import coop_ledger
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit
from coop.services.invoices import DeductionInput
from coop.services.invoices import invoice_record
from coop.services.invoices import remittance_record
from ingest.models import AdsDailyFact
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute
from tests.planning.jbp_factories import JBPPlanFactory

pytestmark = pytest.mark.django_db
D = Decimal
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def _ads(brand, report_type: str, day: date, cost: str) -> None:
    AdsDailyFact.objects.create(
        brand=brand,
        profile_id="1",
        marketplace_id="ATVPDKIKX0DER",
        ad_product="SP",
        report_type=report_type,
        date=day,
        campaign_id=42,
        currency="USD",
        cost=D(cost),
    )


def test_ledger_rows(brand_a, brand_b, brand_manager, finance_approver, vendor_ops, outsider) -> None:
    brand = brand_a.brand
    allocation = allocation_create(
        brand=brand,
        user=brand_manager,
        title="Q1",
        period_start=Q1[0],
        period_end=Q1[1],
        currency="USD",
        total_amount=D("10000.00"),
        lines=[LineInput("ADS", D("8000.00"), D("60")), LineInput("CONTENT", D("2000.00"), D("100"))],
    )
    allocation_submit(allocation=allocation, user=brand_manager)
    allocation_approve(allocation=allocation, user=finance_approver)
    plan = JBPPlanFactory.create(
        brand=brand, status=JBPPlan.Status.AGREED, period_start=Q1[0], period_end=Q1[1], series="Q1"
    )
    JBPInvestment.objects.create(
        plan=plan, type="COOP_MDF", committed_amount=D("25000.00"), currency="USD", period_start=Q1[0], period_end=Q1[1]
    )
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF")
    inventory_fact(brand_a.vendor_code, date(2026, 1, 1), net_received="240000.00")
    recompute(agreement, date(2026, 1, 1))
    invoice_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        amazon_invoice_id="INV-1",
        invoice_date=date(2026, 2, 10),
        amount=D("19300.00"),
        currency="USD",
        amazon_agreement_id="MDF",
        service_period_start=date(2026, 1, 1),
        service_period_end=date(2026, 1, 31),
    )
    remittance_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        remittance_id="R1",
        payment_date=date(2026, 3, 5),
        paid_amount=D("1.00"),
        currency="USD",
        deductions=[DeductionInput("COOP", "INV-1", D("19300.00"))],
    )
    # The same day's spend arrives in two report types: counted once, from the campaign report.
    _ads(brand, "spCampaigns", date(2026, 2, 1), "1000.00")
    _ads(brand, "spAdvertisedProduct", date(2026, 2, 1), "1000.00")
    _ads(brand, "spCampaigns", date(2026, 4, 1), "999.00")  # outside the window

    [row] = coop_ledger(user=finance_approver, brand=brand, period_start=Q1[0], period_end=Q1[1])
    assert row.currency == "USD"
    assert (row.budget, row.committed, row.accrued, row.invoiced, row.deducted) == (
        D("10000.00"),
        D("25000.00"),
        D("19200.00"),
        D("19300.00"),
        D("19300.00"),
    )
    assert row.invoiced_vs_accrued == D("100.00")
    assert row.ad_spend == D("1000.00")
    assert row.ads_budget_brand_share == D("0.6")
    assert (row.ad_spend_brand, row.ad_spend_amazon) == (D("600.00"), D("400.00"))
    assert coop_ledger(user=outsider, brand=brand, period_start=Q1[0], period_end=Q1[1]) == []
