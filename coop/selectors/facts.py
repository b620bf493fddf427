"""Reads of ingest's fact tables that co-op amounts are computed from (DOMAIN.md §3.2).

These are system reads used by services and tasks (the accrual of an agreement does not depend on
who looks at it), so they take a VendorCode rather than a user; pages reach them only through
scoped selectors.

Retail Analytics facts come in several grains (DAY, WEEK, MONTH, ...) and as aggregate rows
(asin '') or per-ASIN rows. Summing across grains or across aggregate and ASIN rows would count
the same receipts twice, so for one window exactly one grain is used, and per period the aggregate
row wins over the sum of its ASIN rows. Never across distributor views or selling programs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField
from django.db.models import ExpressionWrapper
from django.db.models import F
from django.db.models import Max
from django.db.models import Q
from django.db.models import Sum

from coop.calculations import PeriodAmount
from coop.calculations import basis_in_window
from core.money import round2
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailSalesFact
from planning.models import CostPriceHistory
from planning.models import VendorCode

SOURCING = "SOURCING"
MANUFACTURING = "MANUFACTURING"
# Finer grains first: on a tie in coverage the finer grain is the more exact one.
GRAIN_ORDER = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]

# calc basis -> (fact model, distributor view, amount field, units field)
_RETAIL_BASES: dict[str, tuple[Any, str, str | None, str | None]] = {
    "NET_RECEIPTS": (RetailInventoryFact, SOURCING, "net_received_inventory_cost", "net_received_inventory_units"),
    "SHIPPED_COGS": (RetailSalesFact, SOURCING, "shipped_cogs", "shipped_units"),
    "ORDERED_REVENUE": (RetailSalesFact, MANUFACTURING, "ordered_revenue", "ordered_units"),
    "UNITS_SOLD": (RetailSalesFact, SOURCING, None, "shipped_units"),
}


@dataclass(frozen=True)
class FactBasis:
    """A basis read from the facts for one window, with enough provenance to explain it."""

    amount: Decimal
    units: int | None
    currencies: frozenset[str]
    rows: int
    prorated: bool
    grain: str | None
    covered_through: date | None  # last day of the window the facts reach
    covered_days: int  # days of the window that some fact row covers
    window_days: int
    source_import_id: int | None
    source: str  # human description: table, view, program

    @property
    def found(self) -> bool:
        return self.rows > 0

    @property
    def complete(self) -> bool:
        """Every day of the window is covered: the amount is the window's, not part of it."""
        return self.found and self.covered_days >= self.window_days

    def as_details(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "grain": self.grain,
            "rows": self.rows,
            "prorated": self.prorated,
            "units": self.units,
            "covered_through": self.covered_through.isoformat() if self.covered_through else None,
            "covered_days": self.covered_days,
            "window_days": self.window_days,
            "currencies": sorted(self.currencies),
        }


def _empty(source: str, window_start: date, window_end: date) -> FactBasis:
    return FactBasis(
        amount=round2(Decimal("0")),
        units=None,
        currencies=frozenset(),
        rows=0,
        prorated=False,
        grain=None,
        covered_through=None,
        covered_days=0,
        window_days=(window_end - window_start).days + 1,
        source_import_id=None,
        source=source,
    )


def _collapse_asin_rows(rows: list[dict[str, Any]], field: str) -> list[PeriodAmount]:
    """One amount per period: the aggregate row when present, else the sum of the ASIN rows."""
    aggregate: dict[tuple[date, date], Decimal] = {}
    by_asin: dict[tuple[date, date], Decimal] = defaultdict(Decimal)
    for row in rows:
        value = row[field]
        if value is None:
            continue
        key = (row["period_start"], row["period_end"])
        if row["asin"] == "":
            aggregate[key] = Decimal(value)
        else:
            by_asin[key] += Decimal(value)
    periods = {**by_asin, **aggregate}
    return [PeriodAmount(start, end, amount) for (start, end), amount in sorted(periods.items())]


def _covered_days(rows: list[dict[str, Any]], window_start: date, window_end: date) -> int:
    days: set[int] = set()
    for row in rows:
        start = max(row["period_start"], window_start)
        end = min(row["period_end"], window_end)
        days.update(range(start.toordinal(), end.toordinal() + 1))
    return len(days)


def retail_basis(
    *,
    vendor_code: VendorCode,
    calc_basis: str,
    window_start: date,
    window_end: date,
    selling_program: str = "RETAIL",
) -> FactBasis:
    """Σ of the basis field over the window from Retail Analytics facts of the vendor code."""
    model, view, amount_field, units_field = _RETAIL_BASES[calc_basis]
    measure = (amount_field or units_field or "").replace("_", " ")
    source = f"{measure}, {view.lower()} view" + ("" if selling_program == "RETAIL" else f", {selling_program.lower()}")
    fields = [f for f in (amount_field, units_field) if f]
    rows = list(
        model.objects.filter(
            vendor_code=vendor_code,
            marketplace_id=vendor_code.marketplace_id,
            distributor_view=view,
            selling_program=selling_program,
            period_start__lte=window_end,
            period_end__gte=window_start,
        )
        .exclude(**{f"{fields[0]}__isnull": True})
        .values("period_grain", "period_start", "period_end", "asin", "currency", "last_import_id", *fields)
    )
    if not rows:
        return _empty(source, window_start, window_end)
    by_grain: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_grain[row["period_grain"]].append(row)

    def score(grain: str) -> tuple[int, bool, int]:
        grain_rows = by_grain[grain]
        whole = all(window_start <= r["period_start"] and r["period_end"] <= window_end for r in grain_rows)
        finesse = -GRAIN_ORDER.index(grain) if grain in GRAIN_ORDER else -len(GRAIN_ORDER)
        return (_covered_days(grain_rows, window_start, window_end), whole, finesse)

    grain = max(by_grain, key=score)
    chosen = by_grain[grain]
    amount = Decimal("0")
    prorated = False
    if amount_field:
        result = basis_in_window(
            _collapse_asin_rows(chosen, amount_field), window_start=window_start, window_end=window_end
        )
        amount, prorated = result.amount, result.prorated
    units: int | None = None
    if units_field:
        unit_result = basis_in_window(
            _collapse_asin_rows(chosen, units_field), window_start=window_start, window_end=window_end
        )
        units = int(unit_result.amount.to_integral_value())
        prorated = prorated or unit_result.prorated
    imports = [r["last_import_id"] for r in chosen if r["last_import_id"]]
    return FactBasis(
        amount=round2(amount),
        units=units,
        currencies=frozenset(r["currency"] for r in chosen if r["currency"]),
        rows=len(chosen),
        prorated=prorated,
        grain=grain,
        covered_through=min(max(r["period_end"] for r in chosen), window_end),
        covered_days=_covered_days(chosen, window_start, window_end),
        window_days=(window_end - window_start).days + 1,
        source_import_id=max(imports) if imports else None,
        source=source,
    )


def po_basis(*, vendor_code: VendorCode, calc_basis: str, window_start: date, window_end: date) -> FactBasis:
    """PO_COST: Σ accepted (confirmed) units x net cost of POs dated in the window.
    GROSS_RECEIPTS: Σ received units x net cost of lines last received in the window (an approximation:
    the PO feed has no per-receipt dates, so a line received over several days counts on its last one)."""
    if calc_basis == "PO_COST":
        units_field, date_field = "accepted_units", "po_date"
    else:
        units_field, date_field = "received_units", "last_receive_date"
    source = f"PO lines: {units_field.replace('_', ' ')} x net cost, by {date_field.replace('_', ' ')}"
    qs = PurchaseOrderLineFact.objects.filter(
        vendor_code=vendor_code,
        **{f"{date_field}__date__gte": window_start, f"{date_field}__date__lte": window_end},
    ).filter(Q(**{f"{units_field}__isnull": False}) & Q(net_cost__isnull=False))
    totals = qs.aggregate(
        amount=Sum(
            ExpressionWrapper(
                F(units_field) * F("net_cost"), output_field=DecimalField(max_digits=24, decimal_places=4)
            )
        ),
        units=Sum(units_field),
        last_import=Max("last_import_id"),
        last_date=Max(date_field),
    )
    rows = qs.count()
    if not rows:
        return _empty(source, window_start, window_end)
    return FactBasis(
        amount=round2(Decimal(totals["amount"] or 0)),
        units=int(totals["units"] or 0),
        currencies=frozenset(c for c in qs.values_list("currency", flat=True).distinct() if c),
        rows=rows,
        prorated=False,
        grain="PO_LINE",
        covered_through=totals["last_date"].date() if totals["last_date"] else None,
        # PO lines are events, not periods: a window with PO lines counts as covered.
        covered_days=(window_end - window_start).days + 1,
        window_days=(window_end - window_start).days + 1,
        source_import_id=totals["last_import"],
        source=source,
    )


def fact_basis(
    *,
    vendor_code: VendorCode,
    calc_basis: str,
    window_start: date,
    window_end: date,
    selling_program: str = "RETAIL",
) -> FactBasis:
    """The basis of one calc basis over [window_start, window_end] for a vendor code."""
    if calc_basis in _RETAIL_BASES:
        return retail_basis(
            vendor_code=vendor_code,
            calc_basis=calc_basis,
            window_start=window_start,
            window_end=window_end,
            selling_program=selling_program,
        )
    if calc_basis in ("PO_COST", "GROSS_RECEIPTS"):
        return po_basis(
            vendor_code=vendor_code, calc_basis=calc_basis, window_start=window_start, window_end=window_end
        )
    raise ValueError(f"unknown calc basis {calc_basis!r}")


@dataclass(frozen=True)
class CostDecrease:
    asin: str
    effective_from: date
    old_cost: Decimal
    new_cost: Decimal
    currency: str
    on_hand_units: int | None  # None when no inventory snapshot at or before the date was imported
    snapshot_date: date | None


def cost_decreases(
    *, vendor_code: VendorCode, window_start: date, window_end: date, selling_program: str = "RETAIL"
) -> list[CostDecrease]:
    """Cost-price decreases effective in the window, with the sellable units on hand at that date
    (the latest SOURCING inventory snapshot ending on or before it) for price protection (§3.3)."""
    changes = (
        CostPriceHistory.objects.filter(
            product__vendor_code=vendor_code, effective_from__gte=window_start, effective_from__lte=window_end
        )
        .select_related("product")
        .order_by("product__asin", "effective_from")
    )
    result: list[CostDecrease] = []
    for change in changes:
        previous = (
            CostPriceHistory.objects.filter(product=change.product, effective_from__lt=change.effective_from)
            .order_by("-effective_from")
            .first()
        )
        if previous is None or change.cost >= previous.cost:
            continue
        snapshot = (
            RetailInventoryFact.objects.filter(
                vendor_code=vendor_code,
                marketplace_id=vendor_code.marketplace_id,
                distributor_view=SOURCING,
                selling_program=selling_program,
                asin=change.product.asin,
                period_end__lte=change.effective_from,
                sellable_on_hand_inventory_units__isnull=False,
            )
            .order_by("-period_end", "-period_start")
            .values("sellable_on_hand_inventory_units", "period_end")
            .first()
        )
        result.append(
            CostDecrease(
                asin=change.product.asin,
                effective_from=change.effective_from,
                old_cost=previous.cost,
                new_cost=change.cost,
                currency=change.currency,
                on_hand_units=snapshot["sellable_on_hand_inventory_units"] if snapshot else None,
                snapshot_date=snapshot["period_end"] if snapshot else None,
            )
        )
    return result


# --------------------------------------------------------------------------------------------------
# What Amazon received, to check co-op backup reports against (§3.4)


@dataclass(frozen=True)
class Received:
    units: int
    cost: Decimal


@dataclass(frozen=True)
class ReceivedByAsin:
    """Net received units and cost per ASIN over a window (SOURCING view, one grain)."""

    by_asin: dict[str, Received]
    rows: int
    grain: str | None
    covered_days: int
    window_days: int

    @property
    def complete(self) -> bool:
        return self.rows > 0 and self.covered_days >= self.window_days


def received_by_asin(
    *, vendor_code: VendorCode, asins: set[str], window_start: date, window_end: date, selling_program: str = "RETAIL"
) -> ReceivedByAsin:
    """Σ net_received_inventory_units / _cost per ASIN over the window from the per-ASIN Retail Analytics
    inventory rows; like retail_basis, one grain only (the best covering one), rows straddling the
    window's edges count by their share of days."""
    window_days = (window_end - window_start).days + 1
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in RetailInventoryFact.objects.filter(
            vendor_code=vendor_code,
            marketplace_id=vendor_code.marketplace_id,
            distributor_view=SOURCING,
            selling_program=selling_program,
            period_start__lte=window_end,
            period_end__gte=window_start,
        )
        .exclude(asin="")
        .filter(Q(net_received_inventory_units__isnull=False) | Q(net_received_inventory_cost__isnull=False))
        .values(
            "period_grain",
            "period_start",
            "period_end",
            "asin",
            "net_received_inventory_units",
            "net_received_inventory_cost",
        )
    ]
    if not rows:
        return ReceivedByAsin(by_asin={}, rows=0, grain=None, covered_days=0, window_days=window_days)
    by_grain: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_grain[row["period_grain"]].append(row)

    def score(grain: str) -> tuple[int, int]:
        finesse = -GRAIN_ORDER.index(grain) if grain in GRAIN_ORDER else -len(GRAIN_ORDER)
        return (_covered_days(by_grain[grain], window_start, window_end), finesse)

    grain = max(by_grain, key=score)
    chosen = by_grain[grain]
    per_asin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in chosen:
        if row["asin"] in asins:
            per_asin[row["asin"]].append(row)

    def in_window(asin_rows: list[dict[str, Any]], column: str) -> Decimal:
        amounts = [PeriodAmount(r["period_start"], r["period_end"], Decimal(r[column] or 0)) for r in asin_rows]
        return basis_in_window(amounts, window_start=window_start, window_end=window_end).amount

    result: dict[str, Received] = {}
    for asin, asin_rows in per_asin.items():
        units = in_window(asin_rows, "net_received_inventory_units")
        cost = in_window(asin_rows, "net_received_inventory_cost")
        result[asin] = Received(units=int(units.to_integral_value()), cost=round2(cost))
    return ReceivedByAsin(
        by_asin=result,
        rows=len(chosen),
        grain=grain,
        covered_days=_covered_days(chosen, window_start, window_end),
        window_days=window_days,
    )


def received_by_po(*, vendor_code: VendorCode, po_numbers: set[str]) -> dict[tuple[str, str], Received]:
    """Received units and cost (received units x net cost) per (PO number, ASIN) of the named POs.
    POs absent from the result are not in the imported PO data; a known PO line not received yet
    counts 0 units."""
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    lines = PurchaseOrderLineFact.objects.filter(vendor_code=vendor_code, po_number__in=sorted(po_numbers)).values(
        "po_number", "asin", "received_units", "net_cost"
    )
    for line in lines:
        units = Decimal(line["received_units"] or 0)
        key = (line["po_number"], line["asin"] or "")
        totals[key][0] += units
        totals[key][1] += units * Decimal(line["net_cost"] or 0)
    return {key: Received(units=int(units), cost=round2(cost)) for key, (units, cost) in totals.items()}
