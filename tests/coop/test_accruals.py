"""Accruals computed from the imported facts (DOMAIN.md §3.2), true-ups, and the facts-changed listener."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from coop.calculations import Tier
from coop.models import Accrual
from coop.models import AuditRecord
from coop.models import CoopAgreement
from coop.selectors.agreements import agreement_true_up
from coop.selectors.agreements import true_up_total
from coop.services.accruals import accrual_recompute
from coop.services.accruals import accruals_recompute_agreement
from coop.services.agreements import agreement_accept
from coop.services.agreements import agreement_create
from coop.tasks import dirty_key
from ingest.listeners import FactsChanged
from ingest.listeners import announce
from ingest.listeners import registered_listeners
from planning.models import CostPriceHistory
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import po_line
from tests.coop.factories import recompute
from tests.coop.factories import sales_fact
from tests.factories import ProductFactory
from tests.factories import VendorCodeFactory

pytestmark = pytest.mark.django_db
D = Decimal
JAN = date(2026, 1, 1)
T = CoopAgreement.Type
B = CoopAgreement.CalcBasis


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vc(brand_a):
    return brand_a.vendor_code


def _standard_set(vc) -> list[CoopAgreement]:
    return [
        CoopAgreementFactory.create(vendor_code=vc, agreement_type=T.BASE_ACCRUAL_MDF, rate_pct=D("0.08")),
        CoopAgreementFactory.create(vendor_code=vc, agreement_type=T.FREIGHT_ALLOWANCE, rate_pct=D("0.03")),
        CoopAgreementFactory.create(vendor_code=vc, agreement_type=T.DAMAGE_ALLOWANCE, rate_pct=D("0.025")),
    ]


def test_january_accrual_worked_example(vc) -> None:
    # DOMAIN.md §3.2 worked example: received 250,000 - returned 10,000 = net receipts 240,000
    inventory_fact(vc, JAN, net_received="240000.00")
    accruals = [recompute(agreement=a, month=JAN) for a in _standard_set(vc)]

    assert [a.expected_amount for a in accruals] == [D("19200.00"), D("7200.00"), D("6000.00")]
    assert sum(a.expected_amount for a in accruals) == D("32400.00")
    stored = Accrual.objects.filter(period_start=JAN).order_by("expected_amount")
    assert stored.count() == 3
    mdf = stored.get(agreement__agreement_type=T.BASE_ACCRUAL_MDF)
    assert (mdf.basis_amount, mdf.rate_or_unit, mdf.period_end, mdf.currency) == (
        D("240000.00"),
        D("0.080000"),
        date(2026, 1, 31),
        "USD",
    )
    assert mdf.needs_review is False
    assert mdf.details["grain"] == "MONTH"


def test_recompute_is_idempotent_and_follows_restated_facts(vc) -> None:
    fact = inventory_fact(vc, JAN, net_received="240000.00")
    agreement = CoopAgreementFactory.create(vendor_code=vc)
    first = recompute(agreement=agreement, month=JAN)
    accrual_recompute(agreement=agreement, month=JAN)
    assert Accrual.objects.count() == 1
    fact.net_received_inventory_cost = D("250000.00")
    fact.save()
    again = recompute(agreement=agreement, month=JAN)
    assert again.pk == first.pk
    assert Accrual.objects.get().expected_amount == D("20000.00")


def test_asin_rows_sum_and_aggregate_rows_win(vc) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="140000.00", asin="B000000001")
    inventory_fact(vc, JAN, net_received="100000.00", asin="B000000002")
    assert recompute(agreement=agreement, month=JAN).basis_amount == D("240000.00")
    # An aggregate row for the same period replaces the ASIN sum instead of adding to it.
    inventory_fact(vc, JAN, net_received="241000.00")
    assert recompute(agreement=agreement, month=JAN).basis_amount == D("241000.00")


def test_one_grain_only_and_other_views_programs_and_codes_ignored(vc, brand_a) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="240000.00")  # MONTH
    for week_start in (date(2026, 1, 4), date(2026, 1, 11), date(2026, 1, 18)):
        inventory_fact(vc, week_start, date(week_start.year, 1, week_start.day + 6), net_received="1.00", grain="WEEK")
    inventory_fact(vc, JAN, net_received="999999.00", view="MANUFACTURING")
    inventory_fact(vc, JAN, net_received="999999.00", program="FRESH")
    inventory_fact(VendorCodeFactory.create(brand=brand_a.brand, code="OTHER"), JAN, net_received="999999.00")
    accrual = recompute(agreement=agreement, month=JAN)
    assert accrual.basis_amount == D("240000.00")
    assert accrual.details["grain"] == "MONTH"


def test_charges_outside_agreement_dates_are_excluded(vc) -> None:
    # DOMAIN.md §3.2: only receipts inside [agreement.start, agreement.end] count.
    agreement = CoopAgreementFactory.create(vendor_code=vc, start_date=date(2026, 1, 15), end_date=date(2026, 1, 31))
    for day in range(1, 32):
        inventory_fact(vc, date(2026, 1, day), date(2026, 1, day), net_received="100.00", grain="DAY")
    inventory_fact(vc, date(2026, 2, 1), net_received="50000.00")

    accrual = recompute(agreement=agreement, month=JAN)
    assert accrual.basis_amount == D("1700.00")  # 17 days from the 15th
    assert accrual.expected_amount == D("136.00")
    assert accrual.details["window"] == ["2026-01-15", "2026-01-31"]
    assert accrual_recompute(agreement=agreement, month=date(2026, 2, 1)) is None
    assert not Accrual.objects.filter(period_start=date(2026, 2, 1)).exists()


def test_month_fact_is_prorated_when_the_agreement_starts_mid_month(vc) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=vc, start_date=date(2026, 1, 16))
    inventory_fact(vc, JAN, net_received="31000.00")
    accrual = recompute(agreement=agreement, month=JAN)
    assert accrual.basis_amount == D("16000.00")
    assert accrual.details["prorated"] is True


def test_negative_basis_is_a_credit_flagged_for_review(vc) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="-5000.00")
    accrual = recompute(agreement=agreement, month=JAN)
    assert accrual.expected_amount == D("-400.00")
    assert accrual.is_credit
    stored = Accrual.objects.get(pk=accrual.pk)
    assert stored.needs_review is True
    assert "Negative basis -5,000.00" in stored.review_reasons[0]


def test_no_facts_no_accrual(vc) -> None:
    assert accrual_recompute(agreement=CoopAgreementFactory.create(vendor_code=vc), month=JAN) is None
    assert not Accrual.objects.exists()


def test_pending_agreement_does_not_accrue(vc) -> None:
    inventory_fact(vc, JAN, net_received="240000.00")
    agreement = CoopAgreementFactory.create(vendor_code=vc, status=CoopAgreement.Status.PENDING_ACCEPTANCE)
    assert accrual_recompute(agreement=agreement, month=JAN) is None


def test_currency_mismatch_is_flagged(vc) -> None:
    inventory_fact(vc, JAN, net_received="1000.00", currency="EUR")
    accrual = recompute(agreement=CoopAgreementFactory.create(vendor_code=vc), month=JAN)
    assert accrual.needs_review
    assert "EUR" in accrual.review_reasons[0]


def test_provisional_true_up_credit_4800(vc, finance_approver, vendor_ops) -> None:
    # DOMAIN.md §3.2: provisional 10 % on 240,000 = 24,000; negotiated 8 % accepted in March -> 4,800.00 credit
    inventory_fact(vc, JAN, net_received="240000.00")
    provisional = agreement_create(
        vendor_code=vc,
        user=vendor_ops,
        amazon_agreement_id="PROV-MDF",
        title="Provisional MDF",
        agreement_type=T.BASE_ACCRUAL_MDF,
        calc_basis=B.NET_RECEIPTS,
        rate_pct=D("0.10"),
        currency="USD",
        start_date=JAN,
        status=CoopAgreement.Status.PROVISIONAL,
    )
    accruals_recompute_agreement(agreement=provisional, today=date(2026, 3, 10))
    assert Accrual.objects.get(agreement=provisional, period_start=JAN).expected_amount == D("24000.00")

    negotiated = agreement_create(
        vendor_code=vc,
        user=vendor_ops,
        amazon_agreement_id="NEG-MDF-2026",
        title="Negotiated MDF 2026",
        agreement_type=T.BASE_ACCRUAL_MDF,
        calc_basis=B.NET_RECEIPTS,
        rate_pct=D("0.08"),
        currency="USD",
        start_date=JAN,
        end_date=date(2026, 12, 31),
        supersedes=provisional,
    )
    agreement_accept(agreement=negotiated, user=finance_approver, today=date(2026, 3, 10))

    provisional.refresh_from_db()
    assert provisional.status == CoopAgreement.Status.SUPERSEDED
    assert provisional.end_date == date(2026, 3, 10)
    rows = agreement_true_up(agreement=negotiated)
    assert [(r.period_start, r.provisional_expected, r.negotiated_expected, r.credit_to_vendor) for r in rows] == [
        (JAN, D("24000.00"), D("19200.00"), D("4800.00"))
    ]
    assert true_up_total(rows) == D("4800.00")
    assert list(
        AuditRecord.objects.filter(action__in=["agreement.accept", "agreement.supersede"])
        .order_by("pk")
        .values_list("action", "to_status")
    ) == [("agreement.accept", "ACCEPTED"), ("agreement.supersede", "SUPERSEDED")]


def test_accept_needs_finance_approver(vc, finance) -> None:
    from core.exceptions import PermissionRefused

    agreement = CoopAgreementFactory.create(vendor_code=vc, status=CoopAgreement.Status.PENDING_ACCEPTANCE)
    with pytest.raises(PermissionRefused):
        agreement_accept(agreement=agreement, user=finance)
    assert CoopAgreement.objects.get(pk=agreement.pk).status == CoopAgreement.Status.PENDING_ACCEPTANCE


def _growth(vc, user, *, mode: str, payer: str = "VENDOR") -> CoopAgreement:
    return agreement_create(
        vendor_code=vc,
        user=user,
        amazon_agreement_id=f"GROWTH-{mode[:3]}-{payer}",
        title="Growth incentive 2026",
        agreement_type=T.GROWTH_INCENTIVE,
        currency="USD",
        start_date=JAN,
        end_date=date(2026, 12, 31),
        tier_mode=mode,
        measured_metric="SHIPPED_COGS",
        baseline_amount=D("2000000"),
        payer=payer,
        tiers=[Tier(D("0.05"), D("0.01")), Tier(D("0.10"), D("0.02")), Tier(D("0.15"), D("0.03"))],
    )


def test_growth_rebate_accrues_at_period_end_in_both_modes(vc, vendor_ops, finance_approver) -> None:
    # DOMAIN.md §3.2: 2,360,000 vs 2,000,000 (+18 %): retroactive 70,800, incremental bands 4,800
    for month in range(1, 12):
        sales_fact(vc, date(2026, month, 1), shipped_cogs="196000.00")
    sales_fact(vc, date(2026, 12, 1), shipped_cogs="204000.00")
    retro = _growth(vc, vendor_ops, mode="ALL_UNITS_RETROACTIVE")
    bands = _growth(vc, vendor_ops, mode="INCREMENTAL_BANDS", payer="AMAZON")
    for agreement in (retro, bands):
        agreement_accept(agreement=agreement, user=finance_approver, today=date(2027, 1, 5))

    retro_accrual = Accrual.objects.get(agreement=retro)
    assert retro_accrual.period_start == date(2026, 12, 1)
    assert retro_accrual.basis_amount == D("2360000.00")
    assert retro_accrual.expected_amount == D("70800.00")
    assert retro_accrual.details["growth"] == "0.18"
    # Amazon pays this one: a credit to the vendor.
    assert Accrual.objects.get(agreement=bands).expected_amount == D("-4800.00")
    assert Accrual.objects.filter(agreement__in=[retro, bands]).count() == 2


def test_growth_without_baseline_accrues_nothing_and_asks_for_review(vc, vendor_ops) -> None:
    sales_fact(vc, date(2026, 12, 1), shipped_cogs="1000.00")
    agreement = CoopAgreementFactory.create(
        vendor_code=vc,
        agreement_type=T.GROWTH_INCENTIVE,
        calc_basis="",
        rate_pct=None,
        tier_mode="ALL_UNITS_RETROACTIVE",
        measured_metric="SHIPPED_COGS",
        baseline_amount=D("0"),
    )
    accrual = recompute(agreement=agreement, month=date(2026, 12, 1))
    assert accrual.expected_amount == D("0.00")
    assert accrual.needs_review
    assert "baseline is zero, missing or not fully imported" in accrual.review_reasons[0]


def test_per_unit_agreement(vc) -> None:
    agreement = CoopAgreementFactory.create(
        vendor_code=vc,
        agreement_type=T.VENDOR_FUNDED_SALES_DISCOUNT,
        calc_basis=B.UNITS_SOLD,
        rate_pct=None,
        per_unit_amount=D("0.50"),
    )
    sales_fact(vc, JAN, shipped_units=1000, shipped_cogs="9000.00")
    accrual = recompute(agreement=agreement, month=JAN)
    assert (accrual.basis_units, accrual.expected_amount) == (1000, D("500.00"))


def test_po_cost_basis(vc) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=vc, calc_basis=B.PO_COST, rate_pct=D("0.02"))
    po_line(vc, "PO1", po_date=date(2026, 1, 5), accepted_units=100, net_cost="12.50")
    po_line(vc, "PO2", po_date=date(2026, 1, 31), accepted_units=40, net_cost="10.00")
    po_line(vc, "PO3", po_date=date(2026, 2, 1), accepted_units=999, net_cost="10.00")
    accrual = recompute(agreement=agreement, month=JAN)
    assert accrual.basis_amount == D("1650.00")
    assert accrual.expected_amount == D("33.00")


def test_one_time_straight_payment_accrues_in_its_start_month(vc) -> None:
    agreement = CoopAgreementFactory.create(
        vendor_code=vc,
        agreement_type=T.STRAIGHT_PAYMENT,
        calc_basis="",
        rate_pct=None,
        fixed_amount=D("15000.00"),
        billing_frequency="ONE_TIME",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 31),
    )
    accruals = accruals_recompute_agreement(agreement=agreement, today=date(2026, 6, 1))
    assert [(a.period_start, a.expected_amount) for a in accruals] == [(date(2026, 3, 1), D("15000.00"))]


def test_price_protection_claim_from_cost_decrease(vc) -> None:
    # DOMAIN.md §3.3: 10.00 -> 8.00 with 5,000 units on hand -> 10,000.00
    product = ProductFactory.create(vendor_code=vc, asin="B0PRICE001")
    CostPriceHistory.objects.create(product=product, effective_from=date(2025, 12, 1), cost=D("10.00"), currency="USD")
    CostPriceHistory.objects.create(product=product, effective_from=date(2026, 3, 5), cost=D("8.00"), currency="USD")
    up = ProductFactory.create(vendor_code=vc, asin="B0PRICE002")
    CostPriceHistory.objects.create(product=up, effective_from=date(2025, 12, 1), cost=D("10.00"), currency="USD")
    CostPriceHistory.objects.create(product=up, effective_from=date(2026, 3, 5), cost=D("11.00"), currency="USD")
    inventory_fact(
        vc, date(2026, 2, 22), date(2026, 2, 28), net_received=None, grain="WEEK", asin="B0PRICE001", on_hand_units=5000
    )
    agreement = CoopAgreementFactory.create(
        vendor_code=vc, agreement_type=T.PRICE_PROTECTION, calc_basis="", rate_pct=None, start_date=JAN
    )
    accrual = recompute(agreement=agreement, month=date(2026, 3, 1))
    assert accrual.expected_amount == D("10000.00")
    assert [c["asin"] for c in accrual.details["claims"]] == ["B0PRICE001"]  # the increase claims nothing


def test_listener_is_registered_and_recomputes_touched_months(vc) -> None:
    assert "coop.accruals" in registered_listeners()
    agreement = CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="240000.00")
    event = FactsChanged(
        import_id=None,
        fact_table="retail_inventory",
        vendor_code_ids=(vc.pk,),
        marketplace_ids=("ATVPDKIKX0DER",),
        period_start=date(2026, 1, 4),
        period_end=date(2026, 1, 31),
    )
    announce(event)  # tasks run eagerly in tests
    assert Accrual.objects.get(agreement=agreement).expected_amount == D("19200.00")
    assert cache.get(dirty_key(vc.pk, JAN)) is None  # the task cleared its marker


def test_listener_debounces_pairs_already_waiting(vc) -> None:
    CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="240000.00")
    cache.set(dirty_key(vc.pk, JAN), 1)  # a run for this vendor code and month is already queued
    announce(FactsChanged(None, "retail_inventory", (vc.pk,), ("ATVPDKIKX0DER",), date(2026, 1, 1), date(2026, 1, 31)))
    assert not Accrual.objects.exists()


def test_listener_ignores_tables_accruals_do_not_read(vc) -> None:
    CoopAgreementFactory.create(vendor_code=vc)
    inventory_fact(vc, JAN, net_received="240000.00")
    announce(FactsChanged(None, "retail_traffic", (vc.pk,), ("ATVPDKIKX0DER",), JAN, date(2026, 1, 31)))
    assert not Accrual.objects.exists()


def test_true_up_re_rates_a_partial_provisional_month(vc, finance_approver, vendor_ops) -> None:
    inventory_fact(vc, JAN, net_received="240000.00")
    inventory_fact(vc, date(2026, 3, 1), net_received="310000.00")  # 10 of 31 days provisional = 100,000
    provisional = CoopAgreementFactory.create(
        vendor_code=vc, rate_pct=D("0.10"), end_date=None, status=CoopAgreement.Status.PROVISIONAL
    )
    negotiated = CoopAgreementFactory.create(
        vendor_code=vc, supersedes=provisional, status=CoopAgreement.Status.PENDING_ACCEPTANCE
    )
    agreement_accept(agreement=negotiated, user=finance_approver, today=date(2026, 3, 10))
    rows = agreement_true_up(agreement=negotiated)
    assert [(r.period_start, r.provisional_expected, r.negotiated_expected, r.credit_to_vendor) for r in rows] == [
        (JAN, D("24000.00"), D("19200.00"), D("4800.00")),
        (date(2026, 3, 1), D("10000.00"), D("8000.00"), D("2000.00")),
    ]
    assert true_up_total(rows) == D("6800.00")


def test_growth_rebate_waits_for_facts_to_reach_the_period_end(vc, vendor_ops) -> None:
    for month in range(1, 11):  # January to October imported
        sales_fact(vc, date(2026, month, 1), shipped_cogs="230000.00")
    agreement = _growth(vc, vendor_ops, mode="ALL_UNITS_RETROACTIVE")
    agreement.status = CoopAgreement.Status.ACCEPTED
    agreement.save()
    assert accrual_recompute(agreement=agreement, month=date(2026, 12, 1)) is None
    assert not Accrual.objects.filter(agreement=agreement).exists()
