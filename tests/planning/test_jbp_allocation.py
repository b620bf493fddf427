"""Top-down allocation: parts are proportional and always sum to the total exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.jbp_allocation import UNIT
from planning.jbp_allocation import AllocationError
from planning.jbp_allocation import allocate
from planning.jbp_allocation import weights_or_fallback


def test_allocate_even_thirds_gives_the_odd_cent_to_the_first_month() -> None:
    assert allocate(Decimal("100.00"), [Decimal(1)] * 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_allocate_by_last_years_mix() -> None:
    # Last year: 200k, 300k, 500k → a 1,000,000.00 quarter splits 20/30/50.
    parts = allocate(Decimal("1000000.00"), [Decimal(200000), Decimal(300000), Decimal(500000)])
    assert parts == [Decimal("200000.00"), Decimal("300000.00"), Decimal("500000.00")]


def test_allocate_largest_remainder_goes_to_largest_fraction() -> None:
    # Exact shares 0.0166.., 0.0333.., 0.05 of 0.10 → floors 1, 3, 5 cents, one cent missing; the
    # largest remainder (0.666.. of the first) gets it.
    parts = allocate(Decimal("0.10"), [Decimal(1), Decimal(2), Decimal(3)])
    assert parts == [Decimal("0.02"), Decimal("0.03"), Decimal("0.05")]
    assert sum(parts) == Decimal("0.10")


def test_allocate_units_in_whole_units() -> None:
    assert allocate(Decimal(10), [Decimal(1)] * 3, quantum=UNIT) == [Decimal(4), Decimal(3), Decimal(3)]


def test_allocate_zero_weight_gets_nothing_and_negative_total_is_mirrored() -> None:
    assert allocate(Decimal("-10.01"), [Decimal(0), Decimal(1), Decimal(1)]) == [
        Decimal("0.00"),
        Decimal("-5.01"),
        Decimal("-5.00"),
    ]


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (Decimal("1.005"), [Decimal(1)], "not a whole number of 0.01"),
        (Decimal("1"), [], "no period"),
        (Decimal("1"), [Decimal(0), Decimal(0)], "all be zero"),
        (Decimal("1"), [Decimal(-1), Decimal(2)], "negative"),
    ],
)
def test_allocate_refuses_what_cannot_be_split(total: Decimal, weights: list[Decimal], message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate(total, weights)


def test_weights_fall_back_when_last_year_is_empty() -> None:
    seasonal = [Decimal("0.3"), Decimal("0.3"), Decimal("0.4")]
    assert weights_or_fallback([None, Decimal(0), Decimal(-5)], seasonal) == (seasonal, True)
    assert weights_or_fallback([None, Decimal(2), Decimal(1)], seasonal) == (
        [Decimal(0), Decimal(2), Decimal(1)],
        False,
    )


cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda n: Decimal(n) / 100)
weight_lists = st.lists(
    st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=4),
    min_size=1,
    max_size=36,
).filter(lambda ws: sum(ws) > 0)


@given(total=cents, weights=weight_lists)
def test_allocate_parts_always_sum_to_the_total_to_the_cent(total: Decimal, weights: list[Decimal]) -> None:
    parts = allocate(total, weights)
    assert sum(parts, Decimal(0)) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # Each part is within one cent of its exact share, and zero weights get exactly zero.
        assert abs(part - total * weight / weight_sum) < Decimal("0.01")
        if weight == 0:
            assert part == 0
