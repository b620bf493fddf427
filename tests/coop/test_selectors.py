"""Scoped reads: tenant isolation of every list and getter, the approval inbox, the growth tracker."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from coop.calculations import Tier
from coop.models import AgreementTier
from coop.models import CoopAgreement
from coop.selectors import agreements as agreement_selectors
from coop.selectors import allocations as allocation_selectors
from coop.selectors import disputes as dispute_selectors
from coop.selectors import invoices as invoice_selectors
from coop.services.accruals import accrual_recompute
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit
from coop.services.disputes import dispute_open
from planning.models import Membership
from tests.coop.factories import ChargebackFactory
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import CoopInvoiceFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute
from tests.coop.factories import sales_fact
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
D = Decimal
JAN = date(2026, 1, 1)


@pytest.fixture
def two_brands(brand_a, brand_b, vendor_ops, outsider):
    """The same kind of data in both brands (with a member in each)."""
    objects = {}
    for key, tenant in (("a", brand_a), ("b", brand_b)):
        agreement = CoopAgreementFactory.create(vendor_code=tenant.vendor_code, amazon_agreement_id=f"MDF-{key}")
        inventory_fact(tenant.vendor_code, JAN, net_received="1000.00")
        accrual = accrual_recompute(agreement=agreement, month=JAN)
        invoice = CoopInvoiceFactory.create(vendor_code=tenant.vendor_code, status="VARIANCE_FLAGGED")
        chargeback = ChargebackFactory.create(vendor_code=tenant.vendor_code)
        objects[key] = {"agreement": agreement, "accrual": accrual, "invoice": invoice, "chargeback": chargeback}
    return objects


def test_lists_are_scoped_to_the_users_brands(two_brands, vendor_ops, outsider, finance_approver) -> None:
    a, b = two_brands["a"], two_brands["b"]
    assert list(agreement_selectors.agreement_list(user=vendor_ops)) == [a["agreement"]]
    assert list(agreement_selectors.agreement_list(user=outsider)) == [b["agreement"]]
    assert list(agreement_selectors.accrual_list(user=vendor_ops)) == [a["accrual"]]
    assert list(invoice_selectors.invoice_list(user=vendor_ops)) == [a["invoice"]]
    assert list(invoice_selectors.chargeback_list(user=outsider)) == [b["chargeback"]]
    assert list(dispute_selectors.dispute_list(user=vendor_ops)) == []


def test_getters_404_for_another_brand(two_brands, vendor_ops) -> None:
    b = two_brands["b"]
    with pytest.raises(Http404):
        agreement_selectors.agreement_get(user=vendor_ops, pk=b["agreement"].pk)
    with pytest.raises(Http404):
        invoice_selectors.invoice_get(user=vendor_ops, pk=b["invoice"].pk)
    assert agreement_selectors.agreement_get(user=vendor_ops, pk=two_brands["a"]["agreement"].pk)


def test_dispute_getter_and_deadline_list_are_scoped(two_brands, brand_b, vendor_ops, outsider) -> None:
    MembershipFactory.create(user=outsider, brand=brand_b.brand, role=Membership.Role.VENDOR_OPS)
    dispute = dispute_open(user=outsider, invoice=two_brands["b"]["invoice"], amount_claimed=D("1.00"))
    with pytest.raises(Http404):
        dispute_selectors.dispute_get(user=vendor_ops, pk=dispute.pk)
    assert dispute_selectors.dispute_deadline_list(user=vendor_ops) == []
    assert [d for d, _ in dispute_selectors.dispute_deadline_list(user=outsider)] == [dispute]


def test_agreement_list_totals(two_brands, vendor_ops) -> None:
    row = agreement_selectors.agreement_list(user=vendor_ops).get()
    totals = (row.expected_total, row.accrual_count, row.review_count)  # type: ignore[attr-defined]
    assert totals == (D("80.00"), 1, 0)


def _pending(brand, requester, title: str):
    allocation = allocation_create(
        brand=brand,
        user=requester,
        title=title,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="USD",
        total_amount=D("100.00"),
        lines=[LineInput("ADS", D("100.00"), D("50"))],
    )
    return allocation_submit(allocation=allocation, user=requester)


def test_approval_inbox_shows_what_this_approver_may_decide(
    brand_a, brand_b, brand_manager, finance_approver, second_approver, outsider
) -> None:
    theirs = _pending(brand_a.brand, brand_manager, "Manager's split")
    own = _pending(brand_a.brand, finance_approver, "Approver's own split")
    _pending(brand_b.brand, outsider, "Other brand")

    assert list(allocation_selectors.approval_inbox(user=finance_approver)) == [theirs]
    assert list(allocation_selectors.approval_inbox(user=second_approver)) == [theirs, own]
    assert list(allocation_selectors.approval_inbox(user=brand_manager)) == []  # not an approver
    allocation_approve(allocation=theirs, user=second_approver)
    assert list(allocation_selectors.approval_inbox(user=finance_approver)) == []
    with pytest.raises(Http404):
        allocation_selectors.allocation_get(user=outsider, pk=theirs.pk)


def _growth_agreement(vc, **kw) -> CoopAgreement:
    agreement = CoopAgreementFactory.create(
        vendor_code=vc,
        agreement_type=CoopAgreement.Type.GROWTH_INCENTIVE,
        calc_basis="",
        rate_pct=None,
        tier_mode="ALL_UNITS_RETROACTIVE",
        measured_metric="SHIPPED_COGS",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 6, 30),
        **kw,
    )
    for threshold, rate in (("0.05", "0.01"), ("0.10", "0.02"), ("0.15", "0.03")):
        AgreementTier.objects.create(agreement=agreement, threshold_growth_pct=D(threshold), rate_pct=D(rate))
    return agreement


def test_growth_tracker_against_a_baseline_period(brand_a, vendor_ops) -> None:
    vc = brand_a.vendor_code
    agreement = _growth_agreement(vc, baseline_period_start=date(2025, 1, 1), baseline_period_end=date(2025, 6, 30))
    for month in range(1, 7):
        sales_fact(vc, date(2025, month, 1), shipped_cogs="100000.00", shipped_units=10000)
    for month in range(1, 4):  # Q1 2026 imported so far: +8 % on the same months last year
        sales_fact(vc, date(2026, month, 1), shipped_cogs="108000.00", shipped_units=10800)

    tracker = agreement_selectors.growth_tracker(user=vendor_ops, agreement_id=agreement.pk, today=date(2026, 4, 10))
    assert tracker.through == date(2026, 3, 31)
    assert (tracker.elapsed_days, tracker.total_days) == (90, 181)
    assert tracker.actual_to_date == D("324000.00")
    assert tracker.baseline_to_date == D("300000.00")
    assert tracker.baseline_full_period == D("600000.00")
    assert tracker.projection.growth_to_date == D("0.08")
    # run rate 324,000 x 181 / 90 = 651,600 -> +8.6 %: 1 % tier; the 2 % tier needs 660,000
    assert tracker.projection.projected_amount == D("651600.00")
    assert tracker.projection.next_tier == Tier(D("0.10"), D("0.02"))
    assert tracker.projection.gap_to_next_tier == D("8400.00")
    assert tracker.gap_units == 840  # at 10.00 per unit
    assert tracker.projection.amount_at_stake == D("13200.00") - D("6516.00")


def test_growth_tracker_without_baseline_has_no_growth(brand_a, vendor_ops, outsider) -> None:
    agreement = _growth_agreement(brand_a.vendor_code, baseline_amount=D("0"))
    sales_fact(brand_a.vendor_code, date(2026, 1, 1), shipped_cogs="5000.00")
    tracker = agreement_selectors.growth_tracker(user=vendor_ops, agreement_id=agreement.pk, today=date(2026, 2, 1))
    assert tracker.projection.growth_to_date is None
    assert tracker.projection.projected_growth is None
    assert tracker.projection.current_tier is None
    assert tracker.projection.gap_to_next_tier is None
    with pytest.raises(Http404):
        agreement_selectors.growth_tracker(user=outsider, agreement_id=agreement.pk)


def test_accrual_projection_from_jbp_targets(brand_a) -> None:
    from planning.jbp_models import JBPTarget
    from tests.planning.jbp_factories import JBPPlanFactory

    vc = brand_a.vendor_code
    plan = JBPPlanFactory.create(brand=brand_a.brand)  # Q3 2026
    for month, value in ((7, "100000"), (8, "120000"), (9, "150000")):
        JBPTarget.objects.create(
            plan=plan,
            metric="SHIPPED_COGS",
            dimension_type="TOTAL",
            period_type="MONTH",
            period_start=date(2026, month, 1),
            period_end=date(2026, month, 30 if month == 9 else 31),
            target_value=D(value),
        )
    JBPTarget.objects.create(  # a quarter roll-up of the same numbers must not be added again
        plan=plan,
        metric="SHIPPED_COGS",
        period_type="QUARTER",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        target_value=D("370000"),
    )
    agreement = CoopAgreementFactory.create(vendor_code=vc, jbp=plan, calc_basis="SHIPPED_COGS", rate_pct=D("0.03"))
    sales_fact(vc, date(2026, 7, 1), shipped_cogs="90000.00")
    recompute(agreement, date(2026, 7, 1))  # July is already accrued from facts

    projection = agreement_selectors.accrual_projection(agreement=agreement, today=date(2026, 7, 20))
    assert [(r.period_start, r.target_basis, r.projected_amount) for r in projection.rows] == [
        (date(2026, 8, 1), D("120000.00"), D("3600.00")),
        (date(2026, 9, 1), D("150000.00"), D("4500.00")),
    ]
    assert projection.total == D("8100.00")
    assert projection.proxy is False

    net_receipts = CoopAgreementFactory.create(vendor_code=vc, jbp=plan, rate_pct=D("0.08"))
    proxied = agreement_selectors.accrual_projection(agreement=net_receipts, today=date(2026, 9, 2))
    assert proxied.proxy is True
    assert [(r.period_start, r.projected_amount) for r in proxied.rows] == [(date(2026, 9, 1), D("12000.00"))]
    unlinked = agreement_selectors.accrual_projection(agreement=CoopAgreementFactory.create(vendor_code=vc))
    assert unlinked.rows == []


def test_growth_tracker_refuses_a_partly_imported_baseline(brand_a, vendor_ops) -> None:
    vc = brand_a.vendor_code
    agreement = _growth_agreement(vc, baseline_period_start=date(2025, 1, 1), baseline_period_end=date(2025, 6, 30))
    for month in (5, 6):  # only two of the six baseline months were imported
        sales_fact(vc, date(2025, month, 1), shipped_cogs="100000.00")
    sales_fact(vc, date(2026, 1, 1), shipped_cogs="250000.00")
    tracker = agreement_selectors.growth_tracker(user=vendor_ops, agreement_id=agreement.pk, today=date(2026, 2, 3))
    assert tracker.baseline_full_period is None
    assert tracker.projection.growth_to_date is None  # never a +500 % growth from a missing baseline
    assert tracker.notes == [
        "The baseline facts cover 61 of 181 days (01 Jan 2025 to 30 Jun 2025); growth stays undefined until "
        "they are imported."
    ]
