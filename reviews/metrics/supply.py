"""Supply-chain metrics (DOMAIN.md §4.3 and the §4.4 chargeback rate card): scalars."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from reviews.metrics.base import MetricInputError
from reviews.metrics.base import ratio
from reviews.metrics.base import to_decimal

# DOMAIN.md §4.3 (S21): in time = within 30 min after the truck leaves, or >= 6 h before arrival,
# and always before arrival.
ASN_AFTER_DEPARTURE_GRACE = timedelta(minutes=30)
ASN_BEFORE_ARRIVAL_LEAD = timedelta(hours=6)

# DOMAIN.md §4.4 (S22) defaults; the rate card is data, these are only the documented defaults.
PO_ON_TIME_WAIVER_THRESHOLD = Decimal("0.90")
PO_NOT_ON_TIME_CHARGE_PCT = Decimal("0.03")


def confirmation_rate(confirmed_units: object, requested_units: object) -> Decimal | None:
    """Vendor confirmation rate = confirmed ÷ requested units; may exceed 1; requested 0 → None."""
    return ratio(confirmed_units, requested_units)


def receive_fill_rate(received_units: object, confirmed_units: object) -> Decimal | None:
    """Receive fill rate = received ÷ confirmed units; confirmed 0 → None."""
    return ratio(received_units, confirmed_units)


def asn_submitted_in_time(
    *, submitted_at: datetime | None, departed_at: datetime | None, arrived_at: datetime | None
) -> bool | None:
    """Whether an ASN was on time; None while the arrival is unknown (cannot be judged yet).

    In time = submitted before arrival AND (within 30 min after departure OR >= 6 h before
    arrival). No ASN at arrival is late. Unknown departure: only the 6-hour rule can apply.
    """
    for name, value in (("submitted_at", submitted_at), ("departed_at", departed_at), ("arrived_at", arrived_at)):
        if value is not None and value.tzinfo is None:
            raise MetricInputError("naive datetime", column=name, value=value, expected="an aware datetime")
    if arrived_at is None:
        return None
    if submitted_at is None or submitted_at >= arrived_at:
        return False
    if departed_at is not None and submitted_at <= departed_at + ASN_AFTER_DEPARTURE_GRACE:
        return True
    return submitted_at <= arrived_at - ASN_BEFORE_ARRIVAL_LEAD


def asn_on_time(asns_in_time: object, asns_judged: object) -> Decimal | None:
    """ASN on-time rate = ASNs submitted in time ÷ ASNs judged; none judged → None."""
    return ratio(asns_in_time, asns_judged)


def asn_accuracy(shipments_accurate: object, shipments_checked: object) -> Decimal | None:
    """ASN accuracy = shipments whose ASN matched the receipt ÷ shipments checked; 0 checked → None."""
    return ratio(shipments_accurate, shipments_checked)


def po_on_time_rate(on_time_units: object, confirmed_units: object) -> Decimal | None:
    """PO on-time rate = confirmed units arriving inside the window ÷ confirmed units (incl. backorders).

    Over a trailing window (4 weeks by default) pass the window's sums, not the mean of weekly rates.
    """
    return ratio(on_time_units, confirmed_units)


def po_on_time_chargeback(
    *,
    trailing_on_time_rate: object,
    late_units: object,
    unit_cost: object,
    charge_pct: Decimal = PO_NOT_ON_TIME_CHARGE_PCT,
    waiver_threshold: Decimal = PO_ON_TIME_WAIVER_THRESHOLD,
) -> Decimal:
    """Estimated "PO not on time" chargeback for a week: late units * unit cost * charge %.

    Waived (0) when the trailing 4-week on-time rate is ABOVE the threshold (90 % by default; exactly
    90 % is charged). An unknown trailing rate is not a waiver: the estimate errs towards the cost.
    Unrounded; round with core.money.round2 where it becomes an amount to show or book.
    """
    rate = to_decimal(trailing_on_time_rate, column="trailing_on_time_rate")
    if rate is not None and rate > waiver_threshold:
        return Decimal(0)
    units = to_decimal(late_units, column="late_units")
    cost = to_decimal(unit_cost, column="unit_cost")
    if units is None or units <= 0:
        return Decimal(0)
    if cost is None:
        raise MetricInputError("unit cost missing for late units", column="unit_cost", expected="a Decimal")
    return units * cost * charge_pct
