"""Top-down allocation of a JBP total across periods. Pure functions, no ORM.

A brand manager types a quarter total (say 1,000,000.00 of shipped COGS) and spreads it across the
quarter's months by last year's mix or by seasonal weights. The parts must add up to the total
exactly, to the cent, so that the grid's row total shows what was typed: naive rounding of each part
drifts by a cent or two. We use the largest-remainder method (Hamilton): every part gets the floor
of its exact share in whole quanta, then the quanta still missing go one each to the parts with the
largest fractional remainders (ties to the earlier period, so the result is deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR
from decimal import Decimal
from decimal import localcontext

CENT = Decimal("0.01")
UNIT = Decimal("1")


class AllocationError(ValueError):
    """The total or the weights cannot be allocated (the message says why)."""


def allocate(total: Decimal, weights: Sequence[Decimal], *, quantum: Decimal = CENT) -> list[Decimal]:
    """Split `total` into len(weights) parts proportional to `weights`, summing exactly to `total`.

    `quantum` is the smallest unit of a part: 0.01 for money, 1 for units. The total must be a whole
    number of quanta. Weights must be non-negative with a positive sum; a zero weight gets zero.
    A negative total (a planned decline) is split like its absolute value and negated.
    """
    if not weights:
        raise AllocationError("there is no period to allocate to")
    if any(weight < 0 for weight in weights):
        raise AllocationError("weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0:
        raise AllocationError("weights must not all be zero")
    quanta_total = total / quantum
    if quanta_total != quanta_total.to_integral_value():
        raise AllocationError(f"{total} is not a whole number of {quantum}")

    sign = -1 if total < 0 else 1
    whole = int(abs(quanta_total))
    # Enough precision that exact shares of even very large totals keep their fractional part.
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [Decimal(whole) * weight / weight_sum for weight in weights]
        floors = [int(share.to_integral_value(rounding=ROUND_FLOOR)) for share in exact]
        remainders = [share - floor for share, floor in zip(exact, floors, strict=True)]
    missing = whole - sum(floors)
    # Largest remainders first; among equal remainders the earlier period wins (stable sort).
    order = sorted(range(len(weights)), key=lambda index: remainders[index], reverse=True)
    for index in order[:missing]:
        floors[index] += 1
    return [(sign * quanta) * quantum for quanta in floors]


def even_weights(count: int) -> list[Decimal]:
    return [Decimal(1)] * count


def weights_or_fallback(primary: Sequence[Decimal | None], fallback: Sequence[Decimal]) -> tuple[list[Decimal], bool]:
    """`primary` when it has a positive sum (missing values count as 0), else `fallback`.

    Returns the weights and whether the fallback was used, so the page can say
    "no sales last year for this row: spread by seasonal weights instead".
    """
    cleaned = [value if value is not None and value > 0 else Decimal(0) for value in primary]
    if sum(cleaned, Decimal(0)) > 0:
        return cleaned, False
    return list(fallback), True
