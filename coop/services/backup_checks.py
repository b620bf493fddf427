"""The §3.4 audit checks of an invoice's backup report (its CoopBackupLine rows), run by
invoices.invoice_reconcile on every matched invoice:

- BACKUP_MISMATCH: quantities/costs differ from what Amazon received (PO lines or received inventory);
- BACKUP_TOTAL_MISMATCH: the lines' charges do not add up to the invoice (or some are in another currency);
- BACKUP_RATE_MISMATCH: a line charges another rate than the agreement in force for its period.

Each returns flags (coop.services.invoice_flags.Flag) with a message in plain words naming the lines;
an invoice without backup lines gets none of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from coop import conf
from coop.models import CoopAgreement
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.selectors import facts as fact_selectors
from coop.services.invoice_flags import RATE_TOLERANCE
from coop.services.invoice_flags import Flag
from core.text import counted

# At most this many differing PO/ASIN pairs (or lines) are spelled out in a flag; the rest are counted.
_SHOWN = 5
# Agreements that are (or were) charged under: the rate of one of these can be "in force" for a period.
_CHARGED_STATUSES = frozenset(
    {
        CoopAgreement.Status.PROVISIONAL,
        CoopAgreement.Status.ACCEPTED,
        CoopAgreement.Status.EXPIRED,
        CoopAgreement.Status.SUPERSEDED,
    }
)


def backup_lines_of(invoice: CoopInvoice) -> list[CoopBackupLine]:
    """The invoice's backup lines in file order (keyed on Amazon's invoice id: they may predate the row)."""
    return list(
        CoopBackupLine.objects.filter(
            vendor_code_id=invoice.vendor_code_id, amazon_invoice_id=invoice.amazon_invoice_id
        ).order_by("line_no")
    )


def _listed(items: list[str]) -> str:
    """The first few items, then how many more."""
    shown = ", ".join(items[:_SHOWN])
    more = len(items) - _SHOWN
    return shown + (f" and {more:,} more" if more > 0 else "")


# -- backup quantities/costs vs received data ----------------------------------------------------------


def received_flags(invoice: CoopInvoice, lines: list[CoopBackupLine], start: date, end: date) -> list[Flag]:
    """§3.4 "backup quantities/costs != received data": each backup line's quantity and cost against
    what Amazon received: per PO and ASIN from the PO lines when the backup names a PO that was
    imported, else per ASIN from the received inventory over the invoice's service period."""
    if not lines:
        return []
    vendor_code = invoice.vendor_code
    po_received = fact_selectors.received_by_po(
        vendor_code=vendor_code, po_numbers={line.po_number for line in lines if line.po_number}
    )
    known_pos = {po for po, _ in po_received}
    by_po: dict[tuple[str, str], list[Decimal]] = {}
    by_asin: dict[str, list[Decimal]] = {}
    for line in lines:
        bucket: list[Decimal]
        if line.po_number and line.po_number in known_pos:
            bucket = by_po.setdefault((line.po_number, line.asin), [Decimal("0"), Decimal("0")])
        else:
            bucket = by_asin.setdefault(line.asin, [Decimal("0"), Decimal("0")])
        bucket[0] += line.quantity
        bucket[1] += line.basis_amount
    units_tolerance = conf.backup_units_tolerance()
    cost_pct, cost_min = conf.backup_cost_tolerance_pct(), conf.backup_cost_tolerance_min()
    zero = fact_selectors.Received(units=0, cost=Decimal("0.00"))
    differences: list[str] = []
    flags: list[Flag] = []

    def compare(label: str, billed: list[Decimal], received: fact_selectors.Received) -> None:
        units, cost = int(billed[0]), billed[1]
        cost_tolerance = max(abs(received.cost) * cost_pct, cost_min)
        if abs(units - received.units) > units_tolerance or abs(cost - received.cost) > cost_tolerance:
            differences.append(
                f"{label}: backup {units:,} units, {cost:,.2f} {invoice.currency}; "
                f"received {received.units:,} units, {received.cost:,.2f}"
            )

    for (po_number, asin), billed in sorted(by_po.items()):
        compare(f"PO {po_number} ASIN {asin}", billed, po_received.get((po_number, asin), zero))
    if by_asin:
        received = fact_selectors.received_by_asin(
            vendor_code=vendor_code, asins=set(by_asin), window_start=start, window_end=end
        )
        if not received.complete:
            covered = f" (they cover {received.covered_days} of {received.window_days} days)" if received.rows else ""
            flags.append(
                Flag(
                    "BACKUP_NOT_CHECKED",
                    f"{len(by_asin)} ASIN{'s' if len(by_asin) != 1 else ''} of the backup could not be checked: "
                    f"no complete received inventory per ASIN for {start:%Y-%m-%d} to {end:%Y-%m-%d} is "
                    f"imported{covered}.",
                    blocking=False,
                )
            )
        else:
            for asin, billed in sorted(by_asin.items()):
                compare(f"ASIN {asin}", billed, received.by_asin.get(asin, zero))
    if differences:
        shown = "; ".join(differences[:_SHOWN])
        more = len(differences) - _SHOWN
        tolerance = f"tolerance {units_tolerance} units and max({cost_pct:.2%} of received cost, {cost_min:,.2f})"
        flags.append(
            Flag(
                "BACKUP_MISMATCH",
                f"The backup report differs from what Amazon received ({tolerance}): {shown}"
                + (f"; and {more} more." if more > 0 else "."),
            )
        )
    return flags


# -- the backup adds up to the invoice ------------------------------------------------------------------


def total_flags(invoice: CoopInvoice, lines: list[CoopBackupLine]) -> list[Flag]:
    """BACKUP_TOTAL_MISMATCH: the charges of the backup lines differ from the invoice amount by more than
    COOPDESK_BACKUP_TOTAL_TOLERANCE, or some lines are in another currency than the invoice (they cannot
    be added to it, whatever they amount to)."""
    if not lines:
        return []
    currency = invoice.currency
    tolerance = conf.backup_total_tolerance()
    same = [line for line in lines if line.currency == currency]
    others: dict[str, list[CoopBackupLine]] = defaultdict(list)
    for line in lines:
        if line.currency != currency:
            others[line.currency].append(line)
    problems: list[str] = []
    for other, other_lines in sorted(others.items()):
        problems.append(
            f"{counted(len(other_lines), 'backup line')} {'is' if len(other_lines) == 1 else 'are'} in {other}, "
            f"not the invoice's {currency}, so {'it' if len(other_lines) == 1 else 'they'} cannot add up to it: "
            + _listed(
                [f"line {line.line_no} (ASIN {line.asin}, {line.charge_amount:,.2f} {other})" for line in other_lines]
            )
        )
    if same:
        total = sum((line.charge_amount for line in same), Decimal("0"))
        difference = total - invoice.amount
        if abs(difference) > tolerance:
            which = f"{currency} lines'" if others else "backup lines'"
            problems.append(
                f"the {which} charges add up to {total:,.2f} {currency} but the invoice is "
                f"{invoice.amount:,.2f} {currency}: a difference of {difference:+,.2f}, more than the tolerance "
                f"of {tolerance:,.2f}"
            )
    if not problems:
        return []
    message = "; ".join(problems)
    return [Flag("BACKUP_TOTAL_MISMATCH", message[0].upper() + message[1:] + ".")]


# -- the rate of each line ----------------------------------------------------------------------------


def _is_percentage(agreement: CoopAgreement) -> bool:
    return (
        agreement.rate_pct is not None
        and bool(agreement.calc_basis)
        and agreement.calc_basis != CoopAgreement.CalcBasis.UNITS_SOLD
        and not agreement.is_growth
    )


def _supersession_chain(agreement: CoopAgreement) -> list[CoopAgreement]:
    """The agreement with the ones it replaced and the ones that replaced it, oldest first (a provisional
    agreement, then the negotiated one that superseded it)."""
    chain = [agreement]
    seen = {agreement.pk}
    older = agreement
    while older.supersedes_id is not None and older.supersedes_id not in seen:
        older = CoopAgreement.objects.get(pk=older.supersedes_id)
        seen.add(older.pk)
        chain.insert(0, older)
    newer: CoopAgreement | None = agreement
    while newer is not None:
        newer = CoopAgreement.objects.filter(supersedes=newer).exclude(pk__in=seen).order_by("start_date", "pk").first()
        if newer is not None:
            seen.add(newer.pk)
            chain.append(newer)
    return chain


def _in_force(agreement: CoopAgreement, chain: Callable[[], list[CoopAgreement]], day: date) -> CoopAgreement | None:
    """The agreement whose rate applies on `day`: the invoice's own agreement when its dates cover the
    day; otherwise the newest of its supersession chain that was charged under and covers the day (a
    negotiated agreement applies back over its provisional one); None when no such agreement exists."""
    if agreement.covers(day):
        return agreement
    for candidate in reversed(chain()):
        if candidate.pk != agreement.pk and candidate.status in _CHARGED_STATUSES and candidate.covers(day):
            return candidate
    return None


def rate_flags(invoice: CoopInvoice, agreement: CoopAgreement, lines: list[CoopBackupLine], start: date) -> list[Flag]:
    """BACKUP_RATE_MISMATCH: lines whose rate differs (by more than half a basis point) from the rate of
    the agreement in force for the line's period (its own period start, else the invoice's service
    period). Only percentage agreements are judged, and only lines that state a rate."""
    if not _is_percentage(agreement) or all(line.rate_pct is None for line in lines):
        return []
    chain_cache: list[CoopAgreement] = []

    def chain() -> list[CoopAgreement]:
        # Only read when a line's period is outside the invoice's agreement (rare): no query otherwise.
        if not chain_cache:
            chain_cache.extend(_supersession_chain(agreement))
        return chain_cache

    groups: dict[tuple[Decimal, int], tuple[CoopAgreement, list[CoopBackupLine]]] = {}
    for line in lines:
        line_rate = line.rate_pct
        if line_rate is None:
            continue  # a line without a rate is not judged
        in_force = _in_force(agreement, chain, line.period_start or line.period_end or start)
        if in_force is None or in_force.rate_pct is None or not _is_percentage(in_force):
            continue  # no percentage agreement of the chain covers the line's period: nothing to compare with
        if abs(line_rate - in_force.rate_pct) > RATE_TOLERANCE:
            groups.setdefault((line_rate.normalize(), in_force.pk), (in_force, []))[1].append(line)
    if not groups:
        return []
    parts = []
    for (line_rate, _), (in_force, group) in sorted(groups.items(), key=lambda item: item[1][1][0].line_no):
        if in_force.pk == agreement.pk:
            whose = f"agreement {agreement.amazon_agreement_id}'s rate is {agreement.rate_pct:.2%}"
        else:
            until = f"{in_force.end_date:%Y-%m-%d}" if in_force.end_date else "open end"
            whose = (
                f"the rate in force for their period is {in_force.rate_pct:.2%} (agreement "
                f"{in_force.amazon_agreement_id}, {in_force.start_date:%Y-%m-%d} to {until})"
            )
        parts.append(
            f"{counted(len(group), 'line')} at {line_rate:.2%} where {whose}: "
            + _listed([f"line {line.line_no} (ASIN {line.asin})" for line in group])
        )
    return [Flag("BACKUP_RATE_MISMATCH", "The backup charges another rate than agreed: " + "; ".join(parts) + ".")]
