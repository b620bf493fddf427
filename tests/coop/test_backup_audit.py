"""The two §3.4 audit checks that need more than the invoice: "backup quantities/costs != received
data" and "waived period charged anyway", at their boundaries, and backup lines replacing (not
doubling) on re-import.

The invoice is DOMAIN.md's January worked example: 8 % MDF on 240,000.00 net receipts = 19,200.00,
invoiced as such, so it reconciles OK unless one of these checks flags it. Received per ASIN in
January: B0AAAAAAA1 100 units / 1,500.00, B0AAAAAAA2 4 units / 40.00 (SOURCING view, month rows).
Default tolerances: 0 units; cost max(0.5 % of received, 1.00).

The backups here list two ASINs of that 240,000.00 month, so their charges cannot add up to the invoice:
the total check (BACKUP_TOTAL_MISMATCH, tested in test_backup_total_and_rate.py) is set wide for this
module so each test sees only the check it is about.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop.models import AgreementWaiver
from coop.models import AuditRecord
from coop.models import ColumnMapping
from coop.models import CoopBackupLine
from coop.models import CoopInvoice
from coop.services.backup import BackupLineInput
from coop.services.backup import backup_lines_record
from coop.services.backup import waiver_record
from coop.services.backup import waiver_withdraw
from coop.services.imports import coop_upload_create
from coop.services.invoices import invoice_record
from coop.services.invoices import invoice_set_status
from core.exceptions import PermissionRefused
from ingest.models import PurchaseOrderLineFact
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db
D = Decimal
S = CoopInvoice.Status
JAN, JAN_END = date(2026, 1, 1), date(2026, 1, 31)
A1, A2 = "B0AAAAAAA1", "B0AAAAAAA2"


@pytest.fixture(autouse=True)
def _partial_backups(settings) -> None:
    settings.COOPDESK_BACKUP_TOTAL_TOLERANCE = "1000000.00"


@pytest.fixture
def mdf(brand_a):
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    recompute(agreement, JAN)
    return agreement


@pytest.fixture
def received(brand_a, mdf) -> None:
    for asin, units, cost in ((A1, 100, "1500.00"), (A2, 4, "40.00")):
        row = inventory_fact(brand_a.vendor_code, JAN, net_received=cost, asin=asin)
        row.net_received_inventory_units = units
        row.save()


def _invoice(vendor_code, invoice_id: str = "INV-1", amount: str = "19200.00", **kw) -> CoopInvoice:
    values = {"service_period_start": JAN, "service_period_end": JAN_END, **kw}
    invoice, _ = invoice_record(
        vendor_code=vendor_code,
        user=None,
        amazon_invoice_id=invoice_id,
        invoice_date=date(2026, 2, 10),
        amount=D(amount),
        currency="USD",
        amazon_agreement_id="MDF-2026",
        **values,
    )
    return invoice


def _line(asin: str, quantity: int, basis: str, invoice_id: str = "INV-1", po: str = "") -> BackupLineInput:
    return BackupLineInput(
        amazon_invoice_id=invoice_id,
        asin=asin,
        quantity=quantity,
        basis_amount=D(basis),
        charge_amount=(D(basis) * D("0.08")).quantize(D("0.01")),
        currency="USD",
        po_number=po,
        rate_pct=D("0.08"),
    )


def _backup(vendor_code, *lines: BackupLineInput):
    return backup_lines_record(vendor_code=vendor_code, user=None, lines=list(lines))


def _flags(invoice: CoopInvoice) -> dict[str, str]:
    fresh = CoopInvoice.objects.get(pk=invoice.pk)
    return {flag["code"]: flag["message"] for flag in fresh.audit_flags}


def _status(invoice: CoopInvoice) -> str:
    return CoopInvoice.objects.get(pk=invoice.pk).status


# -- backup quantities/costs vs received ------------------------------------------------------------


def test_a_backup_that_matches_the_receipts_leaves_the_invoice_ok(brand_a, received) -> None:
    invoice = _invoice(brand_a.vendor_code)
    assert _status(invoice) == S.OK

    result = _backup(brand_a.vendor_code, _line(A1, 100, "1500.00"), _line(A2, 4, "40.00"))

    assert (result.created, result.invoices_found, result.invoices_waiting) == (2, 1, 0)
    assert _status(invoice) == S.OK
    assert not {"BACKUP_MISMATCH", "BACKUP_NOT_CHECKED"} & set(_flags(invoice))
    assert list(CoopBackupLine.objects.values_list("line_no", "asin", "invoice_id")) == [
        (1, A1, invoice.pk),
        (2, A2, invoice.pk),
    ]


@pytest.mark.parametrize(
    ("basis", "flagged"),
    [("1507.50", False), ("1507.51", True), ("1492.50", False), ("1492.49", True)],
    ids=["+7.50 at tolerance", "+7.51 over", "-7.50 at tolerance", "-7.51 over"],
)
def test_cost_tolerance_is_half_a_percent_of_received(brand_a, received, basis: str, flagged: bool) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, 100, basis))
    assert _status(invoice) == (S.VARIANCE_FLAGGED if flagged else S.OK)
    assert ("BACKUP_MISMATCH" in _flags(invoice)) is flagged


@pytest.mark.parametrize(("basis", "flagged"), [("41.00", False), ("41.01", True)])
def test_cost_tolerance_is_at_least_one_unit_of_money(brand_a, received, basis: str, flagged: bool) -> None:
    # 0.5 % of 40.00 is 0.20: the 1.00 minimum applies.
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A2, 4, basis))
    assert ("BACKUP_MISMATCH" in _flags(invoice)) is flagged


def test_one_unit_more_than_received_is_flagged_with_the_numbers(brand_a, received) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, 101, "1500.00"), _line(A2, 4, "40.00"))

    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert _flags(invoice)["BACKUP_MISMATCH"] == (
        "The backup report differs from what Amazon received (tolerance 0 units and max(0.50% of received cost, "
        "1.00)): ASIN B0AAAAAAA1: backup 101 units, 1,500.00 USD; received 100 units, 1,500.00."
    )


@pytest.mark.parametrize(("quantity", "flagged"), [(101, False), (99, False), (102, True)])
def test_units_tolerance_is_configurable(brand_a, received, settings, quantity: int, flagged: bool) -> None:
    settings.COOPDESK_BACKUP_UNITS_TOLERANCE = 1
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, quantity, "1500.00"))
    assert ("BACKUP_MISMATCH" in _flags(invoice)) is flagged


def test_an_asin_amazon_did_not_receive_is_flagged(brand_a, received) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line("B0ZZZZZZZ9", 10, "100.00"))
    assert "ASIN B0ZZZZZZZ9: backup 10 units, 100.00 USD; received 0 units, 0.00" in _flags(invoice)["BACKUP_MISMATCH"]


def test_lines_naming_an_imported_po_are_checked_against_its_received_units(brand_a, received) -> None:
    PurchaseOrderLineFact.objects.create(
        brand=brand_a.brand,
        vendor_code=brand_a.vendor_code,
        po_number="4Q7TZ2XK",
        item_sequence="1",
        asin=A1,
        po_date=datetime(2026, 1, 5, 12, tzinfo=UTC),
        net_cost=D("12.00"),
        accepted_units=60,
        received_units=50,
        currency="USD",
    )
    invoice = _invoice(brand_a.vendor_code)
    # 50 x 12.00 = 600.00 received on the PO; the backup bills 60 units. The second line names a PO that
    # was never imported: it is checked per ASIN over the period instead (4 units / 40.00: it matches).
    _backup(brand_a.vendor_code, _line(A1, 60, "720.00", po="4Q7TZ2XK"), _line(A2, 4, "40.00", po="NOTLOADED"))

    assert _flags(invoice)["BACKUP_MISMATCH"].endswith(
        ": PO 4Q7TZ2XK ASIN B0AAAAAAA1: backup 60 units, 720.00 USD; received 50 units, 600.00."
    )
    assert _status(invoice) == S.VARIANCE_FLAGGED

    _backup(brand_a.vendor_code, _line(A1, 50, "600.00", po="4Q7TZ2XK"), _line(A2, 4, "40.00", po="NOTLOADED"))
    assert _status(invoice) == S.OK


def test_without_received_data_per_asin_the_backup_is_not_checked_and_not_flagged(brand_a, mdf) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, 100, "1500.00"))
    assert _status(invoice) == S.OK
    assert _flags(invoice)["BACKUP_NOT_CHECKED"] == (
        "1 ASIN of the backup could not be checked: no complete received inventory per ASIN for 2026-01-01 to "
        "2026-01-31 is imported."
    )


def test_a_backup_before_its_invoice_is_checked_when_the_invoice_arrives(brand_a, received) -> None:
    result = _backup(brand_a.vendor_code, _line(A1, 120, "1800.00", invoice_id="INV-7"))
    assert (result.invoices_found, result.invoices_waiting) == (0, 1)
    assert CoopBackupLine.objects.get().invoice is None

    invoice = _invoice(brand_a.vendor_code, invoice_id="INV-7")

    assert CoopBackupLine.objects.get().invoice == invoice
    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert (
        "ASIN B0AAAAAAA1: backup 120 units, 1,800.00 USD; received 100 units, 1,500.00"
        in (_flags(invoice)["BACKUP_MISMATCH"])
    )


def test_a_reimported_backup_replaces_the_invoices_lines(brand_a, received) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, 101, "1500.00"), _line(A2, 4, "40.00"))
    assert _status(invoice) == S.VARIANCE_FLAGGED

    result = _backup(brand_a.vendor_code, _line(A1, 100, "1500.00"))

    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 1, 0, 1)
    assert list(CoopBackupLine.objects.values_list("line_no", "asin", "quantity")) == [(1, A1, 100)]
    assert _status(invoice) == S.OK
    again = _backup(brand_a.vendor_code, _line(A1, 100, "1500.00"))
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 1, 0)
    assert CoopBackupLine.objects.count() == 1


def _statements(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries.captured_queries)


def test_backup_lines_are_written_in_bulk(brand_a, received) -> None:
    """A backup write costs a few dozen statements, not one or more per line: for 200 lines of two
    invoices, a first import, an unchanged re-import and one that changes every line each stay under 40
    statements (most are the re-audit of the two invoices), a handful more than for 20 lines (SQLite
    splits a bulk insert every 58 rows: 999 parameters)."""
    for number in (1, 2):
        _invoice(brand_a.vendor_code, invoice_id=f"INV-{number}")

    def report(count: int, quantity: int) -> list[BackupLineInput]:
        return [_line(f"B0{n:08d}", quantity, "10.00", invoice_id=f"INV-{1 + n % 2}") for n in range(count)]

    def costs(count: int) -> tuple[int, int, int]:
        CoopBackupLine.objects.all().delete()
        first = _statements(lambda: _backup(brand_a.vendor_code, *report(count, 1)))
        again = _statements(lambda: _backup(brand_a.vendor_code, *report(count, 1)))
        changed = _statements(lambda: _backup(brand_a.vendor_code, *report(count, 2)))
        assert CoopBackupLine.objects.filter(quantity=2).count() == count
        return first, again, changed

    few, many = costs(20), costs(200)
    assert max(many) < 40
    assert all(0 <= more - less <= 5 for less, more in zip(few, many, strict=True))
    result = _backup(brand_a.vendor_code, *report(150, 3))
    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 150, 0, 50)
    assert CoopBackupLine.objects.count() == 150


def test_the_backup_of_a_disputed_invoice_is_kept(brand_a, received) -> None:
    invoice = _invoice(brand_a.vendor_code)
    _backup(brand_a.vendor_code, _line(A1, 100, "1500.00"))
    invoice_set_status(invoice=invoice, status=S.DISPUTED, actor=None, action="test.dispute")

    result = _backup(brand_a.vendor_code, _line(A1, 999, "1.00"))

    assert result.kept_in_dispute == 1
    assert CoopBackupLine.objects.get().quantity == 100


def test_a_backup_file_runs_through_the_pipeline(
    brand_a, received, vendor_ops, settings, tmp_path, django_capture_on_commit_callbacks
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
            "unit_cost": "Unit Cost",
            "charge_amount": "Co-op",
        },
    )
    text = f"Invoice,ASIN,Units,Unit Cost,Co-op\nINV-1,{A1},112,15.00,134.40\nINV-1,{A2},4,10.00,3.20\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload = coop_upload_create(
            vendor_code=brand_a.vendor_code,
            user=vendor_ops,
            kind="BACKUP",
            file=SimpleUploadedFile("backup-jan.csv", text.encode()),
        )
    upload.refresh_from_db()

    assert upload.status == "SUCCEEDED", (upload.message, upload.errors)
    assert upload.message == "2 backup lines of 1 invoice: 2 new, 0 changed, 0 unchanged, 0 removed."
    assert CoopBackupLine.objects.get(asin=A1).basis_amount == D("1680.00")  # 112 x 15.00
    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert (
        "ASIN B0AAAAAAA1: backup 112 units, 1,680.00 USD; received 100 units, 1,500.00"
        in (_flags(invoice)["BACKUP_MISMATCH"])
    )


# -- waived period charged anyway -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "flagged"),
    [
        (date(2025, 12, 1), date(2025, 12, 31), False),  # ends the day before the service period
        (date(2025, 12, 15), date(2026, 1, 1), True),  # overlaps its first day
        (date(2026, 1, 31), date(2026, 2, 10), True),  # overlaps its last day
        (date(2026, 2, 1), date(2026, 2, 28), False),  # starts the day after
    ],
)
def test_waiver_overlap_boundaries(brand_a, mdf, finance, start: date, end: date, flagged: bool) -> None:
    waiver_record(agreement=mdf, user=finance, period_start=start, period_end=end, reason="VM email")
    invoice = _invoice(brand_a.vendor_code)
    assert _status(invoice) == (S.VARIANCE_FLAGGED if flagged else S.OK)
    assert ("WAIVED_PERIOD_CHARGED" in _flags(invoice)) is flagged


def test_a_waiver_recorded_later_flags_the_invoice_and_withdrawing_it_clears_the_flag(
    brand_a, mdf, finance, vendor_ops
) -> None:
    invoice = _invoice(brand_a.vendor_code)
    assert _status(invoice) == S.OK

    waiver = waiver_record(
        agreement=mdf,
        user=finance,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        reason="No MDF in January (VM email of 12 Dec)",
    )

    assert _status(invoice) == S.VARIANCE_FLAGGED
    assert _flags(invoice)["WAIVED_PERIOD_CHARGED"] == (
        "Charged for 2026-01-01 to 2026-01-31, but agreement MDF-2026 was waived from 2026-01-01 to 2026-01-31 "
        f"(No MDF in January (VM email of 12 Dec); recorded by fin on {waiver.created_at:%Y-%m-%d})."
    )

    waiver_withdraw(waiver=waiver, user=vendor_ops, reason="Recorded on the wrong agreement")

    assert _status(invoice) == S.OK
    waiver.refresh_from_db()
    assert (waiver.withdrawn_by, waiver.withdrawal_reason) == (vendor_ops, "Recorded on the wrong agreement")
    assert list(
        AuditRecord.objects.filter(action__startswith="agreement.waiver")
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == [
        "agreement.waiver",
        "agreement.waiver_withdrawn",
    ]


def test_a_credit_in_a_waived_period_is_not_flagged(brand_a, mdf, finance) -> None:
    waiver_record(agreement=mdf, user=finance, period_start=JAN, period_end=JAN_END, reason="VM email")
    invoice = _invoice(brand_a.vendor_code, amount="-150.00")
    assert "WAIVED_PERIOD_CHARGED" not in _flags(invoice)


def test_waivers_need_a_co_op_role_and_a_reason(brand_a, mdf, viewer, finance) -> None:
    with pytest.raises(PermissionRefused):
        waiver_record(agreement=mdf, user=viewer, period_start=JAN, period_end=JAN_END, reason="x")
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="Say who at Amazon agreed"):
        waiver_record(agreement=mdf, user=finance, period_start=JAN, period_end=JAN_END, reason="  ")
    with pytest.raises(ApplicationError, match="ends before it starts"):
        waiver_record(agreement=mdf, user=finance, period_start=JAN_END, period_end=JAN, reason="x")
    assert not AgreementWaiver.objects.exists()


def test_waiver_form_on_the_agreement_page(brand_a, mdf, finance, viewer, outsider, client_for) -> None:
    invoice = _invoice(brand_a.vendor_code)
    url = reverse("coop-agreement-action", args=[mdf.pk, "waive"])
    form = {"period_start": "2026-01-01", "period_end": "2026-01-31", "reason": "VM email of 12 Dec"}

    assert client_for(outsider).post(url, form).status_code == 404
    client_for(viewer).post(url, form)
    assert not AgreementWaiver.objects.exists()
    viewer_page = client_for(viewer).get(reverse("coop-agreement-detail", args=[mdf.pk])).content.decode()
    assert 'id="waiver-form"' not in viewer_page

    page = client_for(finance).post(url, form, follow=True).content.decode()

    assert "Waiver recorded; the agreement&#x27;s invoices were checked again." in page
    assert 'id="waiver-table"' in page and "VM email of 12 Dec" in page
    assert AgreementWaiver.objects.get().created_by == finance
    invoice_page = client_for(finance).get(reverse("coop-invoice-detail", args=[invoice.pk])).content.decode()
    assert 'data-flag="WAIVED_PERIOD_CHARGED"' in invoice_page and "Waived period charged" in invoice_page
