"""Pure co-op arithmetic against DOMAIN.md's worked numbers (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop import calculations as calc
from coop.calculations import Tier
from coop.calculations import TierMode

D = Decimal

# DOMAIN.md §3.2 growth example: >=5 % -> 1 %, >=10 % -> 2 %, >=15 % -> 3 %
TIERS = [Tier(D("0.05"), D("0.01")), Tier(D("0.10"), D("0.02")), Tier(D("0.15"), D("0.03"))]


def test_january_accrual_worked_example() -> None:
    # DOMAIN.md §3.2 worked example: 250,000 received, 10,000 returned -> basis 240,000
    basis = calc.net_receipts(received_cost=D("250000.00"), returned_cost=D("10000.00"))
    assert basis == D("240000.00")
    mdf = calc.percentage_accrual(basis=basis, rate=D("0.08"))
    freight = calc.percentage_accrual(basis=basis, rate=D("0.03"))
    damage = calc.percentage_accrual(basis=basis, rate=D("0.025"))
    assert (mdf, freight, damage) == (D("19200.00"), D("7200.00"), D("6000.00"))
    assert mdf + freight + damage == D("32400.00")


def test_negative_basis_gives_a_credit_not_zero() -> None:
    basis = calc.net_receipts(received_cost=D("1000.00"), returned_cost=D("6000.00"))
    assert calc.percentage_accrual(basis=basis, rate=D("0.08")) == D("-400.00")


def test_per_unit_accrual_rounds_to_cents() -> None:
    assert calc.per_unit_accrual(units=333, per_unit_amount=D("0.125")) == D("41.63")


def test_provisional_true_up_worked_example() -> None:
    # DOMAIN.md §3.2: provisional 10 % on 240,000 = 24,000; negotiated 8 % = 19,200 -> credit 4,800.00
    provisional = calc.percentage_accrual(basis=D("240000.00"), rate=D("0.10"))
    negotiated = calc.percentage_accrual(basis=D("240000.00"), rate=D("0.08"))
    assert calc.provisional_true_up(provisional_charged=provisional, negotiated_expected=negotiated) == D("4800.00")


def test_basis_in_window_counts_whole_rows_and_prorates_straddling_weeks() -> None:
    rows = [
        calc.PeriodAmount(date(2025, 12, 28), date(2026, 1, 3), D("700.00")),  # 3 of 7 days in January
        calc.PeriodAmount(date(2026, 1, 4), date(2026, 1, 10), D("1000.00")),
        calc.PeriodAmount(date(2026, 2, 1), date(2026, 2, 7), D("999.00")),  # outside
    ]
    result = calc.basis_in_window(rows, window_start=date(2026, 1, 1), window_end=date(2026, 1, 31))
    assert result.amount == D("1300.00")
    assert result.prorated is True
    assert result.rows == 2


def test_basis_in_window_excludes_charges_outside_agreement_dates() -> None:
    # DOMAIN.md §3.2: only count receipts dated inside [agreement.start, agreement.end]
    rows = [calc.PeriodAmount(date(2026, 1, d), date(2026, 1, d), D("100.00")) for d in range(1, 32)]
    result = calc.basis_in_window(rows, window_start=date(2026, 1, 15), window_end=date(2026, 1, 31))
    assert result.amount == D("1700.00")
    assert result.prorated is False


def test_growth_rate_18_percent() -> None:
    assert calc.growth_rate(actual=D("2360000"), baseline=D("2000000")) == D("0.18")


@pytest.mark.parametrize("baseline", [None, D("0"), D("-5")])
def test_growth_with_zero_or_missing_baseline_is_none_and_no_tier(baseline: Decimal | None) -> None:
    assert calc.growth_rate(actual=D("100"), baseline=baseline) is None
    assert calc.reached_tier(None, TIERS) is None
    for mode in TierMode:
        assert calc.growth_rebate(actual=D("100"), baseline=baseline, tiers=TIERS, mode=mode) is None


def test_growth_tiers_all_units_retroactive_70800() -> None:
    # DOMAIN.md §3.2: highest tier (3 %) on everything: 3 % x 2,360,000 = 70,800
    rebate = calc.growth_rebate(
        actual=D("2360000"), baseline=D("2000000"), tiers=TIERS, mode=TierMode.ALL_UNITS_RETROACTIVE
    )
    assert rebate == D("70800.00")


def test_growth_tiers_incremental_bands_4800() -> None:
    # DOMAIN.md §3.2: 1,000 + 2,000 + 1,800 = 4,800
    rebate = calc.growth_rebate(
        actual=D("2360000"), baseline=D("2000000"), tiers=list(reversed(TIERS)), mode=TierMode.INCREMENTAL_BANDS
    )
    assert rebate == D("4800.00")


@pytest.mark.parametrize("mode", list(TierMode))
def test_growth_below_first_threshold_is_zero(mode: TierMode) -> None:
    assert calc.growth_rebate(actual=D("2080000"), baseline=D("2000000"), tiers=TIERS, mode=mode) == D("0.00")


def test_thresholds_are_inclusive_at_the_lower_bound() -> None:
    # exactly +10 % reaches the 2 % tier
    assert calc.reached_tier(D("0.10"), TIERS) == TIERS[1]
    assert calc.growth_rebate(
        actual=D("2200000"), baseline=D("2000000"), tiers=TIERS, mode=TierMode.ALL_UNITS_RETROACTIVE
    ) == D("44000.00")
    # incremental: the 5-10 % band is full (1 % x 100,000), the 10 % band has no slice yet
    assert calc.growth_rebate(
        actual=D("2200000"), baseline=D("2000000"), tiers=TIERS, mode=TierMode.INCREMENTAL_BANDS
    ) == D("1000.00")


def test_duplicate_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="share the threshold"):
        calc.sorted_tiers([Tier(D("0.05"), D("0.01")), Tier(D("0.05"), D("0.02"))])


def test_growth_projection_run_rate_gap_and_amount_at_stake() -> None:
    # Half the year gone: 1,080,000 against a 1,000,000 half-year baseline (+8 %). Run rate -> 2,160,000
    # for the year (+8 % on 2,000,000): 1 % tier reached; the 10 % tier needs 2,200,000.
    projection = calc.growth_projection(
        actual_to_date=D("1080000"),
        baseline_to_date=D("1000000"),
        baseline_full_period=D("2000000"),
        elapsed_days=182,
        total_days=364,
        tiers=TIERS,
        mode=TierMode.ALL_UNITS_RETROACTIVE,
    )
    assert projection.growth_to_date == D("0.08")
    assert projection.projected_amount == D("2160000.00")
    assert projection.projected_growth == D("0.08")
    assert projection.current_tier == TIERS[0]
    assert projection.next_tier == TIERS[1]
    assert projection.amount_for_next_tier == D("2200000.00")
    assert projection.gap_to_next_tier == D("40000.00")
    assert projection.projected_rebate == D("21600.00")
    assert projection.rebate_at_next_tier == D("44000.00")
    assert projection.amount_at_stake == D("22400.00")


def test_growth_projection_without_baseline_has_no_tier_and_no_gap() -> None:
    projection = calc.growth_projection(
        actual_to_date=D("500"),
        baseline_to_date=None,
        baseline_full_period=D("0"),
        elapsed_days=10,
        total_days=100,
        tiers=TIERS,
        mode=TierMode.INCREMENTAL_BANDS,
    )
    assert projection.growth_to_date is None
    assert projection.projected_amount == D("5000.00")
    assert projection.projected_growth is None
    assert projection.current_tier is None
    assert projection.next_tier is None
    assert projection.gap_to_next_tier is None
    assert projection.amount_at_stake is None


def test_growth_projection_before_the_period_starts_has_no_projection() -> None:
    projection = calc.growth_projection(
        actual_to_date=D("0"),
        baseline_to_date=D("0"),
        baseline_full_period=D("2000000"),
        elapsed_days=0,
        total_days=365,
        tiers=TIERS,
        mode=TierMode.ALL_UNITS_RETROACTIVE,
    )
    assert projection.projected_amount is None
    assert projection.projected_growth is None
    assert projection.gap_to_next_tier is None


def test_price_protection_worked_example() -> None:
    # DOMAIN.md §3.3: 10.00 -> 8.00 with 5,000 units on hand -> 10,000.00
    claim = calc.price_protection_claim(old_cost=D("10.00"), new_cost=D("8.00"), on_hand_units=5000)
    assert claim == D("10000.00")


@pytest.mark.parametrize(("new_cost", "units"), [(D("11.00"), 5000), (D("10.00"), 5000), (D("8.00"), -20)])
def test_price_protection_cost_increase_or_no_stock_is_zero(new_cost: Decimal, units: int) -> None:
    assert calc.price_protection_claim(old_cost=D("10.00"), new_cost=new_cost, on_hand_units=units) == D("0.00")


@pytest.mark.parametrize(
    ("invoiced", "expected", "flagged", "tolerance"),
    [
        (D("19250.00"), D("19200.00"), False, D("192.00")),  # within 1 %
        (D("19392.01"), D("19200.00"), True, D("192.00")),  # 1 % + 0.01
        (D("19008.00"), D("19200.00"), False, D("192.00")),  # exactly 1 % under: not strictly greater
        (D("1050.00"), D("1000.00"), False, D("50.00")),  # the 50.00 floor applies to small invoices
        (D("1050.01"), D("1000.00"), True, D("50.00")),
        (D("60.00"), D("0.00"), True, D("50.00")),
    ],
)
def test_invoice_variance_rule(invoiced: Decimal, expected: Decimal, flagged: bool, tolerance: Decimal) -> None:
    # DOMAIN.md §3.4: |invoice - expected| > max(1 % of expected, 50.00)
    check = calc.invoice_variance(invoiced=invoiced, expected=expected)
    assert check.flagged is flagged
    assert check.tolerance == tolerance
    assert check.variance == invoiced - expected


def test_invoice_variance_thresholds_are_configurable() -> None:
    check = calc.invoice_variance(
        invoiced=D("1020.00"), expected=D("1000.00"), tolerance_pct=D("0.005"), tolerance_min=D("10")
    )
    assert check.flagged is True
    assert check.tolerance == D("10")


def test_implied_rate() -> None:
    assert calc.implied_rate(invoiced=D("24000.00"), basis=D("240000.00")) == D("0.1")
    assert calc.implied_rate(invoiced=D("24000.00"), basis=D("0")) is None


def test_dispute_dates_per_type() -> None:
    windows = calc.DEFAULT_DISPUTE_WINDOWS
    coop = calc.dispute_dates(base_date=date(2026, 2, 10), window=windows["COOP"])
    assert coop == calc.DisputeDates(earliest_filing_date=date(2026, 2, 10), deadline=date(2028, 2, 10))
    shortage = calc.dispute_dates(
        base_date=date(2026, 3, 1), window=windows["SHORTAGE"], holding_base_date=date(2026, 2, 1)
    )
    assert shortage.deadline == date(2028, 3, 1)
    assert shortage.earliest_filing_date == date(2026, 3, 8)  # invoice + 35 days
    chargeback = calc.dispute_dates(base_date=date(2026, 1, 20), window=windows["CHARGEBACK"])
    assert chargeback.deadline == date(2026, 2, 19)
    assert windows["CHARGEBACK"].max_attempts == 2
    # 29 Feb + 2 years clamps to 28 Feb
    assert calc.dispute_dates(base_date=date(2028, 2, 29), window=windows["COOP"]).deadline == date(2030, 2, 28)


def test_days_left() -> None:
    assert calc.days_left(deadline=date(2026, 1, 10), today=date(2026, 1, 3)) == 7
    assert calc.days_left(deadline=date(2026, 1, 10), today=date(2026, 1, 11)) == -1


def test_promotion_funding_worked_example() -> None:
    # DOMAIN.md §3.5: reference 100, vendor funds 20, Amazon prices at 75, 300 units, fee 500
    funding = calc.promotion_funding(
        reference_price=D("100.00"),
        promo_price=D("75.00"),
        vendor_funding_per_unit=D("20.00"),
        units_sold=300,
        merchandising_fee=D("500.00"),
    )
    assert funding.customer_discount_per_unit == D("25.00")
    assert funding.amazon_invest_per_unit == D("5.00")
    assert funding.vendor_share == D("0.8")
    assert funding.vendor_cost == D("6500.00")


def test_promotion_funding_without_discount_has_no_share() -> None:
    funding = calc.promotion_funding(
        reference_price=D("50.00"), promo_price=D("50.00"), vendor_funding_per_unit=D("5.00"), units_sold=10
    )
    assert funding.vendor_share is None
    assert funding.amazon_invest_per_unit == D("0")
    assert funding.vendor_cost == D("50.00")


def test_coupon_budget_draw_worked_example() -> None:
    # DOMAIN.md §5.3: 4.00 off, 50 redemptions, 0.60 fee -> 230.00
    draw = calc.coupon_budget_draw(discount_per_redemption=D("4.00"), redemptions=50, fee_per_redemption=D("0.60"))
    assert draw == D("230.00")


def test_coupon_discount_per_unit() -> None:
    assert calc.coupon_discount_per_unit(
        discount_type="PERCENT_OFF_LIST_PRICE", discount_amount=D("15"), list_price=D("39.99")
    ) == D("6.00")
    assert calc.coupon_discount_per_unit(
        discount_type="AMOUNT_OFF_LIST_PRICE", discount_amount=D("4.00"), list_price=D("39.99")
    ) == D("4.00")
    with pytest.raises(ValueError, match="unknown coupon discount type"):
        calc.coupon_discount_per_unit(discount_type="BOGO", discount_amount=D("1"), list_price=D("1"))


def test_share_split_adds_up_exactly() -> None:
    assert calc.share_split(amount=D("1000.00"), brand_share_pct=D("60")) == (D("600.00"), D("400.00"))
    brand, amazon = calc.share_split(amount=D("100.01"), brand_share_pct=D("33.33"))
    assert brand + amazon == D("100.01")
    with pytest.raises(ValueError, match="between 0 and 100"):
        calc.share_split(amount=D("1"), brand_share_pct=D("101"))


def test_approvals_required_strictly_above_threshold() -> None:
    assert calc.approvals_required(total_amount=D("50000.00"), second_approval_above=D("50000.00")) == 1
    assert calc.approvals_required(total_amount=D("50000.01"), second_approval_above=D("50000.00")) == 2


def test_amount_at_stake_is_not_lost_to_rounding_at_the_threshold() -> None:
    # baseline x 1.05 rounded to cents falls a hair below +5 %; the next tier is still reached exactly there.
    projection = calc.growth_projection(
        actual_to_date=D("100000"),
        baseline_to_date=D("110000"),
        baseline_full_period=D("1234567.89"),
        elapsed_days=30,
        total_days=365,
        tiers=TIERS,
        mode=TierMode.ALL_UNITS_RETROACTIVE,
    )
    assert projection.amount_for_next_tier == D("1296296.28")
    assert projection.rebate_at_next_tier == D("12962.96")
    assert projection.amount_at_stake == D("12962.96")
