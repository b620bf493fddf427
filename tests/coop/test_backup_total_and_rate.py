"""The backup audit checks BACKUP_TOTAL_MISMATCH (the lines' charges add up to the invoice) and
BACKUP_RATE_MISMATCH (each line's rate is the agreement's rate in force for its period), at their
boundaries, and a re-imported backup that fixes them clearing the flags on re-audit.

The invoice is DOMAIN.md §3.2's January worked example: 8 % MDF on 240,000.00 net receipts = 19,200.00,
invoiced as such. Its backup: B0AAAAAAA1 150,000.00 at 8 % = 12,000.00 and B0AAAAAAA2 90,000.00 at 8 % =
7,200.00, together 19,200.00. No per-ASIN receipts are imported, so the received-data check only notes
"not checked" (information) and the invoice is OK unless a check here flags it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop.models import AuditRecord
from coop.models import ColumnMapping
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from coop.services.backup import BackupLineInput
from coop.services.backup import backup_lines_record
from coop.services.imports import coop_upload_create
from coop.services.invoices import invoice_record
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db
D = Decimal
S = CoopInvoice.Status
JAN, JAN_END = date(2026, 1, 1), date(2026, 1, 31)
A1, A2 = "B0AAAAAAA1", "B0AAAAAAA2"


@pytest.fixture
def mdf(brand_a) -> CoopAgreement:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    recompute(agreement, JAN)
    return agreement


def _invoice(vendor_code, invoice_id: str = "INV-1", agreement_id: str = "MDF-2026", **kw) -> CoopInvoice:
    values = {
        "invoice_date": date(2026, 2, 10),
        "amount": D("19200.00"),
        "service_period_start": JAN,
        "service_period_end": JAN_END,
        **kw,
    }
    invoice, _ = invoice_record(
        vendor_code=vendor_code,
        user=None,
        amazon_invoice_id=invoice_id,
        currency="USD",
        amazon_agreement_id=agreement_id,
        **values,
    )
    return invoice


def _line(
    asin: str,
    charge: str,
    basis: str,
    rate: str | None = "0.08",
    currency: str = "USD",
    invoice_id: str = "INV-1",
    period_start: date | None = None,
) -> BackupLineInput:
    return BackupLineInput(
        amazon_invoice_id=invoice_id,
        asin=asin,
        quantity=1000,
        basis_amount=D(basis),
        charge_amount=D(charge),
        currency=currency,
        rate_pct=None if rate is None else D(rate),
        period_start=period_start,
        period_end=None,
    )


def _backup(vendor_code, *lines: BackupLineInput):
    return backup_lines_record(vendor_code=vendor_code, user=None, lines=list(lines))


def _flags(invoice: CoopInvoice) -> dict[str, str]:
    return {flag["code"]: flag["message"] for flag in CoopInvoice.objects.get(pk=invoice.pk).audit_flags}


def _status(invoice: CoopInvoice) -> str:
    return CoopInvoice.objects.get(pk=invoice.pk).status


# -- BACKUP_TOTAL_MISMATCH ------------------------------------------------------------------------------


def test_a_backup_that_adds_up_to_the_invoice_leaves_it_ok(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, "7200.00", "90000.00"))

    assert _status(invoice) == S.OK
    flags = _flags(invoice)
    assert "BACKUP_TOTAL_MISMATCH" not in flags and "BACKUP_RATE_MISMATCH" not in flags
    assert set(flags) == {"BACKUP_NOT_CHECKED"}  # information only: no per-ASIN receipts imported


@pytest.mark.parametrize(
    ("second_charge", "flagged"),
    [("7200.01", False), ("7200.02", True), ("7199.99", False), ("7199.98", True)],
    ids=["+0.01 at tolerance", "+0.02 over", "-0.01 at tolerance", "-0.02 over"],
)
def test_total_tolerance_is_one_cent(brand_a, mdf, second_charge: str, flagged: bool) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, second_charge, "90000.00"))

    assert _status(invoice) == (S.VARIANCE_FLAGGED if flagged else S.OK)
    assert ("BACKUP_TOTAL_MISMATCH" in _flags(invoice)) is flagged


def test_the_total_flag_says_both_totals_and_the_difference(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, "7200.02", "90000.00"))

    assert _flags(invoice)["BACKUP_TOTAL_MISMATCH"] == (
        "The backup lines' charges add up to 19,200.02 USD but the invoice is 19,200.00 USD: a difference of "
        "+0.02, more than the tolerance of 0.01."
    )


@pytest.mark.parametrize(("second_charge", "flagged"), [("7205.00", False), ("7205.01", True)])
def test_total_tolerance_is_configurable(brand_a, mdf, settings, second_charge: str, flagged: bool) -> None:
    settings.COOPDESK_BACKUP_TOTAL_TOLERANCE = "5.00"
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, second_charge, "90000.00"))

    assert ("BACKUP_TOTAL_MISMATCH" in _flags(invoice)) is flagged


def test_lines_in_another_currency_are_a_mismatch(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, "7200.00", "90000.00", currency="EUR"))

    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert _flags(invoice)["BACKUP_TOTAL_MISMATCH"] == (
        "1 backup line is in EUR, not the invoice's USD, so it cannot add up to it: line 2 (ASIN B0AAAAAAA2, "
        "7,200.00 EUR); the USD lines' charges add up to 12,000.00 USD but the invoice is 19,200.00 USD: "
        "a difference of -7,200.00, more than the tolerance of 0.01."
    )


def test_a_foreign_currency_line_is_flagged_even_when_the_rest_adds_up(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(
        brand_a.vendor_code,
        _line(A1, "12000.00", "150000.00"),
        _line(A2, "7200.00", "90000.00"),
        _line("B0AAAAAAA3", "0.00", "0.00", currency="EUR"),
    )

    assert _flags(invoice)["BACKUP_TOTAL_MISMATCH"] == (
        "1 backup line is in EUR, not the invoice's USD, so it cannot add up to it: line 3 (ASIN B0AAAAAAA3, 0.00 EUR)."
    )


def test_a_reimported_backup_that_adds_up_clears_the_flag(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, "7150.00", "90000.00"))
    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert "-50.00" in _flags(invoice)["BACKUP_TOTAL_MISMATCH"]

    result = _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00"), _line(A2, "7200.00", "90000.00"))

    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 1, 1, 0)
    stored = CoopInvoice.objects.get(pk=invoice.pk)
    assert stored.status == S.OK
    assert "BACKUP_TOTAL_MISMATCH" not in stored.flag_codes
    last = AuditRecord.objects.filter(action="invoice.reconcile", object_id=invoice.pk).order_by("at", "id")
    assert (last.last().from_status, last.last().to_status) == (S.VARIANCE_FLAGGED, S.OK)


# -- BACKUP_RATE_MISMATCH -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "flagged"),
    [("0.08", False), ("0.08005", False), ("0.07995", False), ("0.0801", True), ("0.0799", True)],
    ids=["8 %", "+half a basis point", "-half a basis point", "8.01 %", "7.99 %"],
)
def test_rate_tolerance_is_half_a_basis_point(brand_a, mdf, rate: str, flagged: bool) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(brand_a.vendor_code, _line(A1, "12000.00", "150000.00", rate=rate), _line(A2, "7200.00", "90000.00"))

    assert _status(invoice) == (S.VARIANCE_FLAGGED if flagged else S.OK)
    assert ("BACKUP_RATE_MISMATCH" in _flags(invoice)) is flagged


def test_last_years_rate_on_lines_is_flagged_with_the_lines_and_both_rates(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(
        brand_a.vendor_code,
        _line(A1, "12000.00", "150000.00", rate="0.10"),
        _line(A2, "7200.00", "90000.00", rate="0.10"),
        _line("B0AAAAAAA3", "0.00", "0.00", rate="0.08"),
        _line("B0AAAAAAA4", "0.00", "0.00", rate="0.095"),
    )

    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert _flags(invoice)["BACKUP_RATE_MISMATCH"] == (
        "The backup charges another rate than agreed: 2 lines at 10.00% where agreement MDF-2026's rate is 8.00%: "
        "line 1 (ASIN B0AAAAAAA1), line 2 (ASIN B0AAAAAAA2); 1 line at 9.50% where agreement MDF-2026's rate is "
        "8.00%: line 4 (ASIN B0AAAAAAA4)."
    )


def test_lines_without_a_rate_or_outside_every_agreement_are_not_judged(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)

    _backup(
        brand_a.vendor_code,
        _line(A1, "12000.00", "150000.00", rate=None),
        # December 2025: before MDF-2026, and no agreement it replaced covers it.
        _line(A2, "7200.00", "90000.00", rate="0.05", period_start=date(2025, 12, 1)),
    )

    assert _status(invoice) == S.OK
    assert "BACKUP_RATE_MISMATCH" not in _flags(invoice)


def test_per_unit_agreements_are_not_judged_on_rate(brand_a) -> None:
    CoopAgreementFactory.create(
        vendor_code=brand_a.vendor_code,
        amazon_agreement_id="VFSD-1",
        agreement_type=CoopAgreement.Type.VENDOR_FUNDED_SALES_DISCOUNT,
        calc_basis=CoopAgreement.CalcBasis.UNITS_SOLD,
        rate_pct=None,
        per_unit_amount=D("2.00"),
    )
    invoice = _invoice(brand_a.vendor_code, agreement_id="VFSD-1", amount=D("2000.00"))

    _backup(brand_a.vendor_code, _line(A1, "2000.00", "20000.00", rate="0.10"))

    assert "BACKUP_RATE_MISMATCH" not in _flags(invoice)
    assert "BACKUP_TOTAL_MISMATCH" not in _flags(invoice)


def test_the_rate_in_force_follows_supersession(brand_a) -> None:
    """DOMAIN.md §3.2's provisional true-up: provisional MDF 10 % until the negotiated 8 % was accepted on
    10 March 2025 (it applies from 1 January). A February backup under the provisional agreement at 10 %
    is right; an April one is after the provisional agreement ended: the negotiated 8 % was in force."""
    provisional = CoopAgreementFactory.create(
        vendor_code=brand_a.vendor_code,
        amazon_agreement_id="PROV-MDF",
        rate_pct=D("0.10"),
        start_date=date(2025, 1, 1),
        end_date=date(2025, 3, 10),
        status=CoopAgreement.Status.SUPERSEDED,
    )
    CoopAgreementFactory.create(
        vendor_code=brand_a.vendor_code,
        amazon_agreement_id="MDF-2025",
        rate_pct=D("0.08"),
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
        supersedes=provisional,
    )
    feb = _invoice(
        brand_a.vendor_code,
        "PROV-FEB",
        "PROV-MDF",
        invoice_date=date(2025, 3, 5),
        amount=D("24000.00"),
        service_period_start=date(2025, 2, 1),
        service_period_end=date(2025, 2, 28),
    )
    apr = _invoice(
        brand_a.vendor_code,
        "PROV-APR",
        "PROV-MDF",
        invoice_date=date(2025, 5, 5),
        amount=D("24000.00"),
        service_period_start=date(2025, 4, 1),
        service_period_end=date(2025, 4, 30),
    )

    _backup(
        brand_a.vendor_code,
        _line(A1, "24000.00", "240000.00", rate="0.10", invoice_id="PROV-FEB"),
        _line(A1, "12000.00", "120000.00", rate="0.10", invoice_id="PROV-APR"),
        # A line stating its own period (February) is judged by that period, not the invoice's.
        _line(A2, "12000.00", "120000.00", rate="0.10", invoice_id="PROV-APR", period_start=date(2025, 2, 1)),
    )

    assert "BACKUP_RATE_MISMATCH" not in _flags(feb)
    assert _flags(apr)["BACKUP_RATE_MISMATCH"] == (
        "The backup charges another rate than agreed: 1 line at 10.00% where the rate in force for their period "
        "is 8.00% (agreement MDF-2025, 2025-01-01 to 2025-12-31): line 1 (ASIN B0AAAAAAA1)."
    )
    assert "OUTSIDE_AGREEMENT_DATES" in _flags(apr)


# -- both, through the file pipeline, and on the invoice page ---------------------------------------------


def test_a_reimported_backup_file_that_fixes_total_and_rate_clears_both_flags(
    brand_a, mdf, vendor_ops, finance, settings, tmp_path, client_for, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = tmp_path
    invoice = _invoice(brand_a.vendor_code)
    ColumnMapping.objects.create(
        vendor_code=brand_a.vendor_code,
        kind="BACKUP",
        columns={
            "amazon_invoice_id": "Invoice",
            "asin": "ASIN",
            "quantity": "Units",
            "basis_amount": "Basis",
            "rate_pct": "Rate",
            "charge_amount": "Co-op",
        },
    )

    def upload(name: str, text: str):
        with django_capture_on_commit_callbacks(execute=True):
            created = coop_upload_create(
                vendor_code=brand_a.vendor_code,
                user=vendor_ops,
                kind="BACKUP",
                file=SimpleUploadedFile(name, text.encode()),
            )
        created.refresh_from_db()
        return created

    header = "Invoice,ASIN,Units,Basis,Rate,Co-op\n"
    wrong = upload(
        "backup.csv", header + f"INV-1,{A1},10000,150000.00,10%,12000.00\nINV-1,{A2},4500,90000.00,8%,7150.00\n"
    )

    assert wrong.status == "SUCCEEDED", wrong.message
    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert {"BACKUP_TOTAL_MISMATCH", "BACKUP_RATE_MISMATCH"} <= set(_flags(invoice))
    page = client_for(finance).get(reverse("coop-invoice-detail", args=[invoice.pk])).content.decode()
    assert 'data-flag="BACKUP_TOTAL_MISMATCH"' in page and "Backup does not add up to the invoice" in page
    assert 'data-flag="BACKUP_RATE_MISMATCH"' in page and "Backup rate differs from the agreement" in page
    assert "1 line at 10.00% where agreement MDF-2026&#x27;s rate is 8.00%: line 1 (ASIN B0AAAAAAA1)" in page

    fixed = upload(
        "backup-v2.csv", header + f"INV-1,{A1},10000,150000.00,8%,12000.00\nINV-1,{A2},4500,90000.00,8%,7200.00\n"
    )

    assert fixed.status == "SUCCEEDED", fixed.message
    assert fixed.message == "2 backup lines of 1 invoice: 0 new, 2 changed, 0 unchanged, 0 removed."
    stored = CoopInvoice.objects.get(pk=invoice.pk)
    assert stored.status == S.OK
    assert not {"BACKUP_TOTAL_MISMATCH", "BACKUP_RATE_MISMATCH"} & set(stored.flag_codes)
