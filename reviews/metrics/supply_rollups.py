"""Supply-chain rollups: PO confirmation and fill, ASN on-time and accuracy per week or month.

Same output layout and dtype policy as reviews.metrics.rollups: group keys, grain, period_start,
period_end, Int64 counts, then the ratios of derive_ratios (Decimal or None).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from reviews.metrics.base import MetricInputError
from reviews.metrics.base import check_grain
from reviews.metrics.base import date_series
from reviews.metrics.base import is_missing
from reviews.metrics.base import require_columns
from reviews.metrics.derive import derive_ratios
from reviews.metrics.rollups import add_buckets
from reviews.metrics.rollups import count_column
from reviews.metrics.rollups import finish_rollup
from reviews.metrics.rollups import rollup_group_keys
from reviews.metrics.rollups import sum_by
from reviews.metrics.supply import asn_submitted_in_time


def rollup_purchase_orders(
    lines: pd.DataFrame,
    *,
    grain: str,
    dims: Sequence[str] = (),
    keys: Sequence[str] = ("vendor_code",),
    date_column: str = "po_date",
) -> pd.DataFrame:
    """Confirmation and fill per week or month of `date_column` (UTC date of an aware datetime).

    Input: purchase_order_line rows (ingest/parsers/facts.py): `keys`, `dims`, `date_column`,
    ordered_units (requested), accepted_units (confirmed, backorders included), received_units, and
    optionally on_time_units (confirmed units that arrived inside their window, decided upstream
    because prepaid and collect POs use different reference dates).
    Output: keys, dims, grain, period_start, period_end, requested_units, confirmed_units,
    received_units, on_time_units (Int64; the last only when given), then vendor_confirmation_rate,
    receive_fill_rate and po_on_time_rate (when on_time_units is given).
    """
    grain_ = check_grain(grain)
    require_columns(lines, [*keys, *dims, date_column], what="rollup_purchase_orders")
    group_keys = rollup_group_keys(lines, keys, dims, ())
    natural_key = [c for c in ("vendor_code", "po_number", "item_sequence") if c in lines.columns]
    if len(natural_key) == 3 and lines.duplicated(natural_key).any():
        label = lines.index[lines.duplicated(natural_key)][0]
        raise MetricInputError("PO line listed twice", row=label, expected="one row per " + ", ".join(natural_key))
    work = lines[group_keys].copy()
    add_buckets(work, date_series(lines[date_column], column=date_column), grain_)
    renames = {
        "ordered_units": "requested_units",
        "accepted_units": "confirmed_units",
        "received_units": "received_units",
    }
    for source, target in renames.items():
        work[target] = count_column(lines, source)
    counts = list(renames.values())
    if "on_time_units" in lines.columns:
        work["on_time_units"] = count_column(lines, "on_time_units")
        counts.append("on_time_units")
    sums = sum_by(work, [*group_keys, "_bstart", "_bend"], (), counts)
    return derive_ratios(finish_rollup(sums, group_keys, grain_))


def rollup_shipments(
    lines: pd.DataFrame,
    *,
    grain: str,
    dims: Sequence[str] = (),
    keys: Sequence[str] = ("vendor_code",),
    date_column: str = "shipped_at",
) -> pd.DataFrame:
    """ASN on-time and accuracy per week or month of the shipment's `date_column` (UTC date).

    Input: shipment_line rows: `keys`, `dims`, shipment_id, confirmed_at (ASN submitted),
    shipped_at (truck left), delivered_at (arrived), all aware datetimes or None, and optionally
    asn_accurate (bool or None: ASN units, ARN/PRO/BOL, expiry dates and structure matched the
    receipt, decided upstream). A shipment counts once per group (once per dim value it carries).
    Output: keys, dims, grain, period_start, period_end, asns (shipments), asns_judged (arrived, so
    on-time can be judged), asns_in_time, shipments_checked and shipments_accurate (Int64; only
    with asn_accurate), then asn_on_time_rate and asn_accuracy.
    """
    grain_ = check_grain(grain)
    columns = [*keys, *dims, "shipment_id", "confirmed_at", "shipped_at", "delivered_at", date_column]
    require_columns(lines, list(dict.fromkeys(columns)), what="rollup_shipments")
    group_keys = rollup_group_keys(lines, keys, dims, ())
    per_shipment = [*group_keys, "shipment_id"]
    for column in ("confirmed_at", "shipped_at", "delivered_at", date_column):
        spread = lines.groupby(per_shipment, dropna=False)[column].nunique(dropna=False)
        if (spread > 1).any():
            raise MetricInputError(
                "lines of one shipment disagree",
                column=column,
                value=spread[spread > 1].index[0],
                expected="the same value on every line of a shipment",
            )
    with_accuracy = "asn_accurate" in lines.columns
    shipments = lines.drop_duplicates(per_shipment).copy()
    work = shipments[group_keys].copy()
    add_buckets(work, date_series(shipments[date_column], column=date_column), grain_)
    verdicts = [
        asn_submitted_in_time(submitted_at=_dt(s), departed_at=_dt(d), arrived_at=_dt(a))
        for s, d, a in zip(
            shipments["confirmed_at"].to_numpy(dtype=object),
            shipments["shipped_at"].to_numpy(dtype=object),
            shipments["delivered_at"].to_numpy(dtype=object),
            strict=True,
        )
    ]
    work["asns"] = pd.array([1] * len(work), dtype="Int64")
    work["asns_judged"] = pd.array([int(v is not None) for v in verdicts], dtype="Int64")
    work["asns_in_time"] = pd.array([int(v is True) for v in verdicts], dtype="Int64")
    counts = ["asns", "asns_judged", "asns_in_time"]
    if with_accuracy:
        # A shipment is a defect when any line mismatched, accurate when every line matched, and
        # unchecked otherwise (some line not compared with the receipt yet).
        values = lines["asn_accurate"].to_numpy(dtype=object)
        flags = lines[per_shipment].assign(
            _defect=[not is_missing(v) and not bool(v) for v in values],
            _unknown=[is_missing(v) for v in values],
        )
        per = flags.groupby(per_shipment, dropna=False)[["_defect", "_unknown"]].sum().reset_index()
        judged = shipments[per_shipment].merge(per, on=per_shipment, how="left", validate="one_to_one")
        checked = (judged["_defect"] > 0) | (judged["_unknown"] == 0)
        accurate = (judged["_defect"] == 0) & (judged["_unknown"] == 0)
        work["shipments_checked"] = pd.array(checked.astype("int64").to_numpy(), dtype="Int64")
        work["shipments_accurate"] = pd.array(accurate.astype("int64").to_numpy(), dtype="Int64")
        counts += ["shipments_checked", "shipments_accurate"]
    sums = sum_by(work, [*group_keys, "_bstart", "_bend"], (), counts)
    return derive_ratios(finish_rollup(sums, group_keys, grain_))


def _dt(value: object) -> datetime | None:
    if is_missing(value):
        return None
    if not isinstance(value, datetime):
        raise MetricInputError("not a datetime", value=value, expected="an aware datetime")
    return value
