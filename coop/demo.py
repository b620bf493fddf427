"""Demo co-op money for `seed_demo`: agreements, accruals, fund splits in every state, invoices with a
few variances, a remittance, chargebacks and disputes, a backup report with one quantity Amazon did not
receive (and, listing three ASINs only, not adding up to its invoice) and a waived period charged anyway
(all flagged by the §3.4 audit). The disputed invoices are chosen by their Amazon ids (February's MDF at
last year's rate, the MDF charged for December), never as "the first flagged ones", so a new audit check
never changes what seeding disputes. Registered from CoopConfig.ready() with
planning.demo.register_demo_seeder("coop.money", seed_coop_demo, order=40), after the plans (10) and
any facts seeder, so accruals are computed from whatever facts exist; where a vendor code has no
receipts facts yet, monthly net-receipt rows are added so the pages have numbers.

Everything goes through the services (audit trail, maker-checker) and is idempotent: agreements,
invoices and remittances are keyed on Amazon's ids, splits on (brand, title), disputes on their target.
"""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from coop.calculations import Tier
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.models import Dispute
from coop.models import FundAllocation
from coop.selectors.facts import received_by_asin
from coop.services.accruals import accruals_recompute_agreement
from coop.services.agreements import agreement_accept
from coop.services.agreements import agreement_create
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_amend
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_close
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_reject
from coop.services.allocations import allocation_submit
from coop.services.backup import BackupLineInput
from coop.services.backup import backup_lines_record
from coop.services.backup import waiver_record
from coop.services.disputes import dispute_open
from coop.services.disputes import dispute_record_decision
from coop.services.disputes import dispute_submit
from coop.services.invoices import DeductionInput
from coop.services.invoices import chargeback_record
from coop.services.invoices import invoice_record
from coop.services.invoices import remittance_record
from core.money import round2
from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from core.periods import months_between
from core.periods import quarter_end
from core.periods import quarter_start
from ingest.models import RetailInventoryFact
from planning.demo import DemoContext
from planning.models import Brand
from planning.models import Product
from planning.models import VendorCode

D = Decimal


def seed_coop_demo(ctx: DemoContext) -> None:
    """The seed_demo hook: co-op data for every demo vendor code and fund splits for every brand."""
    users = ctx.users
    for (brand_name, marketplace_id), vendor_code in sorted(ctx.vendor_codes.items()):
        rng = ctx.rng(f"coop:{brand_name}:{marketplace_id}")
        _ensure_receipts(vendor_code, ctx.today, rng)
        agreements = _agreements(vendor_code, ctx.today, users)
        invoices = _invoices(vendor_code, agreements, ctx.today, users, rng)
        # The backup and waiver findings come before the remittance and the disputes: they go on the latest
        # open invoices, which the remittance then leaves alone (it deducts OK invoices only), and they
        # never land on an invoice the demo disputes for another reason.
        _backup_and_waiver(vendor_code, agreements, users, rng)
        _money_back(vendor_code, invoices, ctx.today, users)
        ctx.log(f"{brand_name} {marketplace_id}: {len(agreements)} agreements, {len(invoices)} invoices")
    for brand in ctx.brands.values():
        count = _allocations(brand, ctx.today, users)
        ctx.log(f"{brand.name}: {count} fund splits")


def _ensure_receipts(vendor_code: VendorCode, today: date, rng: random.Random) -> None:
    """Monthly SOURCING net receipts from January last year to last month (about 8 % growth year on year),
    only when the vendor code has none."""
    facts = RetailInventoryFact.objects.filter(vendor_code=vendor_code, distributor_view="SOURCING")
    if facts.filter(net_received_inventory_cost__isnull=False).exists():
        return
    level = D(rng.randrange(150_000, 320_000))
    first = date(today.year - 1, 1, 1)
    for start in months_between(first, add_months(month_start(today), -1)):
        growth = D("1.08") if start.year == today.year else D("1")
        # One month of heavy returns shows a negative basis (a credit flagged for review).
        back = (today.year - start.year) * 12 + today.month - start.month
        value = -D("4200.00") if back == 5 else round2(level * growth * D(str(rng.uniform(0.9, 1.1))))
        RetailInventoryFact.objects.update_or_create(
            brand=vendor_code.brand,
            marketplace=vendor_code.marketplace,
            vendor_code=vendor_code,
            distributor_view="SOURCING",
            selling_program="RETAIL",
            period_grain="MONTH",
            period_start=start,
            period_end=month_end(start),
            asin="",
            defaults={"currency": vendor_code.marketplace.currency, "net_received_inventory_cost": value},
        )


def _agreement(vendor_code: VendorCode, user: Any, approver: Any, amazon_id: str, **terms: Any) -> CoopAgreement:
    existing = CoopAgreement.objects.filter(vendor_code=vendor_code, amazon_agreement_id=amazon_id).first()
    if existing is not None:
        return existing
    accept = terms.pop("accept", True)
    accept_on = terms.pop("accept_on", None)
    agreement = agreement_create(vendor_code=vendor_code, user=user, amazon_agreement_id=amazon_id, **terms)
    if accept:
        agreement = agreement_accept(agreement=agreement, user=approver, today=accept_on)
    return agreement


def _agreements(vendor_code: VendorCode, today: date, users: dict[str, Any]) -> list[CoopAgreement]:
    ops, approver = users["vendor.ops"], users["finance.approver"]
    currency = vendor_code.marketplace.currency
    year_start = date(today.year, 1, 1)
    last_year = date(today.year - 1, 1, 1)
    code = vendor_code.code
    made: list[CoopAgreement] = []
    base = {"vendor_code": vendor_code, "user": ops, "approver": approver}
    # Last year's provisional MDF at 10 %, replaced in March by the negotiated 8 %: a true-up credit.
    provisional = _agreement(
        **base,
        amazon_id=f"{code}-PROV-MDF",
        title="Provisional MDF (default rate)",
        agreement_type="BASE_ACCRUAL_MDF",
        calc_basis="NET_RECEIPTS",
        rate_pct=D("0.10"),
        currency=currency,
        start_date=last_year,
        status="PROVISIONAL",
        accept=False,
    )
    accruals_recompute_agreement(agreement=provisional, today=today)
    made.append(provisional)
    made.append(
        _agreement(
            **base,
            amazon_id=f"{code}-MDF-{last_year.year}",
            title=f"Base accrual (MDF) {last_year.year}",
            agreement_type="BASE_ACCRUAL_MDF",
            calc_basis="NET_RECEIPTS",
            rate_pct=D("0.08"),
            currency=currency,
            start_date=last_year,
            end_date=date(last_year.year, 12, 31),
            supersedes=provisional,
            accept_on=date(last_year.year, 3, 10),
        )
    )
    for kind, rate, title in (
        ("BASE_ACCRUAL_MDF", "0.085", "Base accrual (MDF)"),
        ("FREIGHT_ALLOWANCE", "0.03", "Freight allowance"),
        ("DAMAGE_ALLOWANCE", "0.025", "Damage allowance"),
    ):
        made.append(
            _agreement(
                **base,
                amazon_id=_yearly_agreement_id(vendor_code, kind, today.year),
                title=f"{title} {today.year}",
                agreement_type=kind,
                calc_basis="NET_RECEIPTS",
                rate_pct=D(rate),
                currency=currency,
                start_date=year_start,
                end_date=date(today.year, 12, 31),
            )
        )
    made.append(
        _agreement(
            **base,
            amazon_id=f"{code}-SP-{today.year}-Q",
            title="Prime Day marketing package",
            agreement_type="STRAIGHT_PAYMENT",
            fixed_amount=D("15000.00"),
            billing_frequency="ONE_TIME",
            currency=currency,
            start_date=quarter_start(today),
            end_date=quarter_end(today),
        )
    )
    made.append(
        _agreement(
            **base,
            amazon_id=f"{code}-VIR-{today.year}",
            title=f"Volume incentive rebate {today.year}",
            agreement_type="GROWTH_INCENTIVE",
            measured_metric="NET_RECEIPTS",
            tier_mode="ALL_UNITS_RETROACTIVE",
            baseline_period_start=last_year,
            baseline_period_end=date(last_year.year, 12, 31),
            currency=currency,
            start_date=year_start,
            end_date=date(today.year, 12, 31),
            tiers=[Tier(D("0.05"), D("0.01")), Tier(D("0.10"), D("0.02")), Tier(D("0.15"), D("0.03"))],
        )
    )
    made.append(
        _agreement(
            **base,
            amazon_id=f"{code}-AVS-{today.year}",
            title="Vendor services program fee (proposed)",
            agreement_type="PROGRAM_FEE",
            calc_basis="NET_RECEIPTS",
            rate_pct=D("0.015"),
            currency=currency,
            start_date=add_months(month_start(today), 1),
            accept=False,
        )
    )
    return made


def _invoices(
    vendor_code: VendorCode, agreements: list[CoopAgreement], today: date, users: dict[str, Any], rng: random.Random
) -> list[CoopInvoice]:
    """Last months' invoices of the current MDF/freight agreements: mostly as expected, a few not."""
    ops = users["vendor.ops"]
    rated = [a for a in agreements if a.status == "ACCEPTED" and a.calc_basis and a.start_date.year == today.year]
    invoices: list[CoopInvoice] = []
    for agreement in rated:
        for accrual in agreement.accruals.filter(period_start__lt=month_start(today)).order_by("period_start"):
            month_no = accrual.period_start.month
            amount = accrual.expected_amount
            if agreement.agreement_type == "BASE_ACCRUAL_MDF" and month_no == 2:
                amount = round2(accrual.basis_amount * D("0.10"))  # last year's rate: wrong rate + variance
            elif agreement.agreement_type == "FREIGHT_ALLOWANCE" and month_no == 3:
                amount = accrual.expected_amount + D("35.00")  # small difference, inside the tolerance
            invoice, _ = invoice_record(
                vendor_code=vendor_code,
                user=ops,
                amazon_invoice_id=_monthly_invoice_id(agreement.amazon_agreement_id, accrual.period_start),
                invoice_date=accrual.period_end + timedelta(days=rng.randint(6, 14)),
                amount=amount,
                currency=accrual.currency,
                amazon_agreement_id=agreement.amazon_agreement_id,
                agreement_title=agreement.title,
                service_period_start=accrual.period_start,
                service_period_end=accrual.period_end,
            )
            invoices.append(invoice)
    # Charged for December under this year's agreement: outside its dates.
    mdf = next((a for a in rated if a.agreement_type == "BASE_ACCRUAL_MDF"), None)
    if mdf is not None:
        december = date(today.year - 1, 12, 1)
        invoice, _ = invoice_record(
            vendor_code=vendor_code,
            user=ops,
            amazon_invoice_id=_outside_dates_invoice_id(mdf.amazon_agreement_id),
            invoice_date=date(today.year, 1, 9),
            amount=D("18650.00"),
            currency=mdf.currency,
            amazon_agreement_id=mdf.amazon_agreement_id,
            service_period_start=december,
            service_period_end=month_end(december),
        )
        invoices.append(invoice)
    return invoices


# The demo's Amazon ids follow patterns, so later steps (and re-seeding) find rows by what they are.
def _yearly_agreement_id(vendor_code: VendorCode, agreement_type: str, year: int) -> str:
    return f"{vendor_code.code}-{agreement_type.split('_')[0][:4]}-{year}"


def _monthly_invoice_id(amazon_agreement_id: str, month: date) -> str:
    return f"{amazon_agreement_id}-{month:%Y%m}"


def _outside_dates_invoice_id(amazon_agreement_id: str) -> str:
    return f"{amazon_agreement_id}-OUT"


def _backup_and_waiver(
    vendor_code: VendorCode, agreements: list[CoopAgreement], users: dict[str, Any], rng: random.Random
) -> None:
    """The two audit checks that need more than the invoice, each flagging one invoice:
    - the latest MDF invoice gets a backup report whose first ASIN bills 12 units more than Amazon
      received (the other lines match the received inventory per ASIN); its three lines are a fraction
      of the invoice, so it does not add up to it either (BACKUP_TOTAL_MISMATCH);
    - the freight allowance is waived for the month of its latest open invoice, which is charged anyway."""
    ops = users["vendor.ops"]
    mdf = _latest_invoiced(agreements, "BASE_ACCRUAL_MDF")
    freight = _latest_invoiced(agreements, "FREIGHT_ALLOWANCE")
    # Once per agreement: a second seeding finds the backup and the waiver and leaves them.
    if mdf is not None and not CoopBackupLine.objects.filter(invoice__agreement=mdf).exists():
        invoice = (
            CoopInvoice.objects.filter(agreement=mdf, status__in=("OK", "VARIANCE_FLAGGED"))
            .exclude(service_period_start=None)
            .order_by("-service_period_start")
            .first()
        )
        if invoice is not None and invoice.service_period_start and invoice.service_period_end:
            lines = _received_lines(vendor_code, invoice.service_period_start, invoice.service_period_end, rng)
            if lines:
                asin, units, cost = lines[0]
                unit_cost = (cost / units).quantize(D("0.0001")) if units else D("10.00")
                lines[0] = (asin, units + 12, round2(unit_cost * (units + 12)))
                backup_lines_record(
                    vendor_code=vendor_code,
                    user=ops,
                    lines=[
                        BackupLineInput(
                            amazon_invoice_id=invoice.amazon_invoice_id,
                            asin=line_asin,
                            quantity=quantity,
                            basis_amount=basis,
                            charge_amount=round2(basis * (mdf.rate_pct or D("0"))),
                            currency=invoice.currency,
                            rate_pct=mdf.rate_pct,
                            period_start=invoice.service_period_start,
                            period_end=invoice.service_period_end,
                        )
                        for line_asin, quantity, basis in lines
                    ],
                )
    if freight is not None and not freight.waivers.exists():
        charged = (
            # Not a deducted one: those are settled and no longer re-audited.
            CoopInvoice.objects.filter(agreement=freight, status__in=("OK", "VARIANCE_FLAGGED"))
            .exclude(service_period_start=None)
            .order_by("-service_period_start")
            .first()
        )
        if charged is not None and charged.service_period_start and charged.service_period_end:
            waiver_record(
                agreement=freight,
                user=ops,
                period_start=charged.service_period_start,
                period_end=charged.service_period_end,
                reason="Freight allowance waived while the new DC ramped up (VM email, ticket 4471)",
            )


def _latest_invoiced(agreements: list[CoopAgreement], agreement_type: str) -> CoopAgreement | None:
    """The most recent accepted agreement of the type that has invoices (this year's, or last year's in
    January)."""
    candidates = [
        a for a in agreements if a.agreement_type == agreement_type and a.status == "ACCEPTED" and a.invoices.exists()
    ]
    return max(candidates, key=lambda a: a.start_date, default=None)


def _received_lines(
    vendor_code: VendorCode, start: date, end: date, rng: random.Random
) -> list[tuple[str, int, Decimal]]:
    """(ASIN, units, cost) Amazon received in the month for up to three ASINs: from the per-ASIN inventory
    facts when they cover the month, else monthly per-ASIN rows are added (the aggregate row, which the
    accruals read, is left alone)."""
    asins = list(Product.objects.filter(vendor_code=vendor_code).order_by("asin").values_list("asin", flat=True)[:3])
    if not asins:
        asins = [f"B0{vendor_code.code[:5]:0<5}{n:03d}"[:10] for n in range(1, 4)]
    received = received_by_asin(vendor_code=vendor_code, asins=set(asins), window_start=start, window_end=end)
    if not (received.complete and all(asin in received.by_asin for asin in asins)):
        for asin in asins:
            units = rng.randrange(80, 400)
            RetailInventoryFact.objects.update_or_create(
                brand=vendor_code.brand,
                marketplace=vendor_code.marketplace,
                vendor_code=vendor_code,
                distributor_view="SOURCING",
                selling_program="RETAIL",
                period_grain="MONTH",
                period_start=start,
                period_end=end,
                asin=asin,
                defaults={
                    "currency": vendor_code.marketplace.currency,
                    "net_received_inventory_cost": round2(D(units) * D(rng.randrange(800, 4000)) / 100),
                    "net_received_inventory_units": units,
                },
            )
        # Read back what the facts now say (another grain may still cover the month better).
        received = received_by_asin(vendor_code=vendor_code, asins=set(asins), window_start=start, window_end=end)
        if not received.complete:
            return []
    return [
        (asin, received.by_asin[asin].units, received.by_asin[asin].cost) for asin in asins if asin in received.by_asin
    ]


def _money_back(vendor_code: VendorCode, invoices: list[CoopInvoice], today: date, users: dict[str, Any]) -> None:
    """A remittance deducting the OK invoices, a chargeback, and disputes in a few states."""
    ops = users["vendor.ops"]
    # Statuses as they are now: the backup and waiver findings flagged some invoices since _invoices.
    status = dict(CoopInvoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list("pk", "status"))
    ok = [i for i in invoices if status[i.pk] in ("OK", "DEDUCTED")][:4]
    remittance_record(
        vendor_code=vendor_code,
        user=ops,
        remittance_id=f"{vendor_code.code}-PAY-{today:%Y%m}",
        payment_date=month_start(today),
        paid_amount=D("148320.55"),
        currency=vendor_code.marketplace.currency,
        deductions=[
            *(DeductionInput("COOP", i.amazon_invoice_id, i.amount) for i in ok),
            DeductionInput(
                "SHORTAGE", f"{vendor_code.code}-SC-1", D("412.80"), invoice_date=today - timedelta(days=20)
            ),
        ],
    )
    chargeback, _ = chargeback_record(
        vendor_code=vendor_code,
        user=ops,
        amazon_id=f"{vendor_code.code}-CB-1",
        chargeback_type=Chargeback.Type.ASN_ON_TIME,
        notified_at=today - timedelta(days=26),
        amount=D("265.00"),
        currency=vendor_code.marketplace.currency,
        po_number="4Q7TZ2XK",
    )
    if not Dispute.objects.filter(chargeback=chargeback).exists():
        dispute_open(user=ops, chargeback=chargeback, amount_claimed=D("265.00"), reason="ASN sent 2 h before arrival")
    # Disputes are opened on two invoices chosen by what they are, never by "the first flagged ones", so
    # another check flagging another invoice never changes what (re-)seeding disputes: this year's MDF
    # invoice for February charged at last year's rate (WRONG_RATE; submitted, then partly approved) and
    # the MDF invoice charged for December, before the agreement starts (OUTSIDE_AGREEMENT_DATES; a draft).
    # The backup and waiver findings (_backup_and_waiver) stay open flags for the demo, not disputes.
    for invoice, flag_code, decided in _dispute_targets(vendor_code, today):
        if Dispute.objects.filter(invoice=invoice).exists():
            continue  # opened by an earlier seeding
        if invoice.status != "VARIANCE_FLAGGED" or flag_code not in invoice.flag_codes:
            continue  # the data did not produce the finding this dispute is about: nothing to dispute
        claim = abs(invoice.variance_amount or invoice.amount)
        dispute = dispute_open(user=ops, invoice=invoice, amount_claimed=claim, reason=_DISPUTE_REASONS[flag_code])
        if decided:
            dispute_submit(dispute=dispute, user=ops, amazon_dispute_id=f"D-{invoice.pk:06d}", today=today)
            dispute_record_decision(
                dispute=dispute, user=ops, decision="PARTIALLY_APPROVED", amount_approved=round2(claim / 2)
            )


_DISPUTE_REASONS = {
    "WRONG_RATE": "Charged at last year's provisional rate instead of the agreed rate",
    "OUTSIDE_AGREEMENT_DATES": "Charged for a month before the agreement started",
}


def _dispute_targets(vendor_code: VendorCode, today: date) -> list[tuple[CoopInvoice, str, bool]]:
    """(invoice, the flag code it is disputed for, whether Amazon already decided) for the demo's two
    disputes, found by the Amazon invoice ids _invoices gives them."""
    mdf_id = _yearly_agreement_id(vendor_code, "BASE_ACCRUAL_MDF", today.year)
    wanted = [
        (_monthly_invoice_id(mdf_id, date(today.year, 2, 1)), "WRONG_RATE", True),
        (_outside_dates_invoice_id(mdf_id), "OUTSIDE_AGREEMENT_DATES", False),
    ]
    found = {
        invoice.amazon_invoice_id: invoice
        for invoice in CoopInvoice.objects.filter(
            vendor_code=vendor_code, amazon_invoice_id__in=[invoice_id for invoice_id, _, _ in wanted]
        )
    }
    return [(found[invoice_id], code, decided) for invoice_id, code, decided in wanted if invoice_id in found]


def _allocations(brand: Brand, today: date, users: dict[str, Any]) -> int:
    """One fund split in every state of §5.2."""
    maker, approver, approver2 = users["brand.manager"], users["finance.approver"], users["finance.approver2"]
    currency = brand.default_currency
    this_q, last_q, next_q = (
        quarter_start(today),
        add_months(quarter_start(today), -3),
        add_months(quarter_start(today), 3),
    )

    def lines(total: Decimal) -> list[LineInput]:
        ads = round2(total * D("0.6"))
        promo = round2(total * D("0.3"))
        return [
            LineInput("ADS", ads, D("60"), "Sponsored Products and Brands"),
            LineInput("PROMO_FUNDING", promo, D("80"), "Deals and coupons"),
            LineInput("CONTENT", total - ads - promo, D("100"), "A+ and video"),
        ]

    plans = [
        ("Last quarter co-op split", last_q, "CLOSED", D("42000.00")),
        ("This quarter co-op split", this_q, "APPROVED", D("48000.00")),
        ("This quarter content top-up", this_q, "AMENDMENT_DRAFT", D("12000.00")),
        ("Next quarter co-op split", next_q, "PENDING_FINANCE_APPROVAL", D("65000.00")),
        ("Prime Day extra media", next_q, "PENDING_FINANCE_APPROVAL", D("18000.00")),
        ("Holiday media (draft)", add_months(next_q, 3), "DRAFT", D("90000.00")),
        ("Influencer test", this_q, "REJECTED", D("25000.00")),
    ]
    created = 0
    for title, start, target, total in plans:
        if FundAllocation.objects.filter(brand=brand, title=title).exists():
            continue
        created += 1
        allocation = allocation_create(
            brand=brand,
            user=maker,
            title=title,
            period_start=start,
            period_end=quarter_end(start),
            currency=currency,
            total_amount=total,
            lines=lines(total),
        )
        if target == "DRAFT":
            continue
        allocation = allocation_submit(allocation=allocation, user=maker)
        if target == "PENDING_FINANCE_APPROVAL":
            if allocation.approvals_required > 1:
                allocation_approve(allocation=allocation, user=approver, comment="First approval")
            continue
        if target == "REJECTED":
            allocation_reject(allocation=allocation, user=approver, comment="Not in this year's JBP")
            continue
        allocation = allocation_approve(allocation=allocation, user=approver, comment="Within budget")
        if allocation.status != "APPROVED":
            allocation = allocation_approve(allocation=allocation, user=approver2, comment="Second approval")
        if target == "AMENDMENT_DRAFT":
            allocation_amend(allocation=allocation, user=maker, reason="Move budget to video")
        elif target == "CLOSED":
            allocation_close(allocation=allocation, user=users["finance"], today=today)
    return created
