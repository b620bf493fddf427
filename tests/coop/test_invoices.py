"""Co-op invoice reconciliation: matching, the §3.4 audit checks and the variance rule; remittances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop.models import AuditRecord
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.selectors.invoices import invoice_list
from coop.services.accruals import accrual_recompute
from coop.services.invoices import DeductionInput
from coop.services.invoices import invoice_accept_variance
from coop.services.invoices import invoice_record
from coop.services.invoices import remittance_record
from core.exceptions import PermissionRefused
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.factories import VendorCodeFactory

pytestmark = pytest.mark.django_db
D = Decimal
JAN = date(2026, 1, 1)
S = CoopInvoice.Status


@pytest.fixture
def mdf(brand_a) -> CoopAgreement:
    """The January worked example: 8 % MDF on 240,000.00 net receipts -> 19,200.00 expected."""
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    accrual_recompute(agreement=agreement, month=JAN)
    return agreement


def _invoice(vc, user, amount: str, *, invoice_id: str = "INV-1", agreement_id: str = "MDF-2026", **kw):
    values = {"service_period_start": JAN, "service_period_end": date(2026, 1, 31), **kw}
    invoice, _ = invoice_record(
        vendor_code=vc,
        user=user,
        amazon_invoice_id=invoice_id,
        invoice_date=date(2026, 2, 10),
        amount=D(amount),
        currency="USD",
        amazon_agreement_id=agreement_id,
        **values,
    )
    return invoice


def _codes(invoice: CoopInvoice) -> list[str]:
    return CoopInvoice.objects.get(pk=invoice.pk).flag_codes


def test_matching_invoice_is_ok(brand_a, mdf, vendor_ops) -> None:
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "19200.00")
    stored = CoopInvoice.objects.get(pk=invoice.pk)
    assert stored.status == S.OK
    assert stored.agreement == mdf
    assert stored.matched_accrual is not None
    assert stored.matched_accrual.period_start == JAN
    assert (stored.expected_amount, stored.variance_amount) == (D("19200.00"), D("0.00"))
    assert stored.audit_flags == []
    assert list(
        AuditRecord.objects.filter(object_id=invoice.pk, action__startswith="invoice.")
        .order_by("pk")
        .values_list("action", "to_status")
    ) == [("invoice.import", "IMPORTED"), ("invoice.reconcile", "OK")]


def test_variance_within_tolerance_is_ok(brand_a, mdf, vendor_ops) -> None:
    # 1 % of 19,200 = 192.00 > 50.00: a 100.00 difference passes
    assert _invoice(brand_a.vendor_code, vendor_ops, "19300.00").status == S.OK


def test_variance_above_tolerance_is_flagged_with_the_wrong_rate(brand_a, mdf, vendor_ops) -> None:
    CoopAgreementFactory.create(
        vendor_code=brand_a.vendor_code,
        amazon_agreement_id="MDF-2025",
        title="MDF 2025",
        rate_pct=D("0.10"),
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
        status=CoopAgreement.Status.EXPIRED,
    )
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "24000.00")
    stored = CoopInvoice.objects.get(pk=invoice.pk)
    assert stored.status == S.VARIANCE_FLAGGED
    assert stored.variance_amount == D("4800.00")
    assert stored.flag_codes == ["VARIANCE", "WRONG_RATE"]
    assert "difference +4,800.00 exceeds the tolerance of 192.00" in stored.audit_flags[0]["message"]
    assert "implies a rate of 10.00 %" in stored.audit_flags[1]["message"].replace("10.00%", "10.00 %")
    assert "agreement MDF-2025 (MDF 2025)" in stored.audit_flags[1]["message"]


def test_variance_rule_is_configurable(settings, brand_a, mdf, vendor_ops) -> None:
    settings.COOPDESK_COOP_VARIANCE_PCT = "0.001"
    settings.COOPDESK_COOP_VARIANCE_MIN = "10.00"
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "19250.00")  # 50.00 > max(19.20, 10.00)
    assert invoice.status == S.VARIANCE_FLAGGED
    assert _codes(invoice) == ["VARIANCE"]


def test_charge_outside_agreement_dates_is_flagged(brand_a, mdf, vendor_ops) -> None:
    invoice = _invoice(
        brand_a.vendor_code,
        vendor_ops,
        "800.00",
        service_period_start=date(2025, 12, 1),
        service_period_end=date(2025, 12, 31),
    )
    assert invoice.status == S.VARIANCE_FLAGGED
    assert "OUTSIDE_AGREEMENT_DATES" in _codes(invoice)
    assert "outside the agreement's dates 2026-01-01 to 2026-12-31" in invoice.audit_flags[0]["message"]


def test_duplicate_invoice_is_flagged(brand_a, mdf, vendor_ops) -> None:
    first = _invoice(brand_a.vendor_code, vendor_ops, "19200.00", invoice_id="INV-1")
    second = _invoice(brand_a.vendor_code, vendor_ops, "19200.00", invoice_id="INV-2")
    assert first.status == S.OK
    assert second.status == S.VARIANCE_FLAGGED
    assert _codes(second) == ["DUPLICATE_INVOICE"]
    assert "invoice INV-1" in second.audit_flags[0]["message"]


def test_unknown_agreement_is_unmatched(brand_a, mdf, vendor_ops) -> None:
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "100.00", agreement_id="NOPE")
    assert invoice.status == S.UNMATCHED
    assert invoice.agreement is None


def test_another_brands_agreement_is_never_matched(brand_a, brand_b, vendor_ops) -> None:
    CoopAgreementFactory.create(vendor_code=brand_b.vendor_code, amazon_agreement_id="SHARED-ID")
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "100.00", agreement_id="SHARED-ID")
    assert invoice.status == S.UNMATCHED


def test_wrong_vendor_code_is_flagged(brand_a, mdf, vendor_ops) -> None:
    other = VendorCodeFactory.create(brand=brand_a.brand, code="ACMEX")
    invoice = _invoice(other, vendor_ops, "19200.00", invoice_id="INV-X")
    assert invoice.status == S.VARIANCE_FLAGGED
    assert "WRONG_VENDOR_CODE" in _codes(invoice)


def test_invoice_waits_for_facts_then_reconciles_itself(brand_a, vendor_ops) -> None:
    agreement = CoopAgreementFactory.create(vendor_code=brand_a.vendor_code, amazon_agreement_id="MDF-2026")
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "19200.00")
    assert invoice.status == S.MATCHED
    assert _codes(invoice) == ["NO_EXPECTED_AMOUNT"]

    inventory_fact(brand_a.vendor_code, JAN, net_received="240000.00")
    accrual_recompute(agreement=agreement, month=JAN)
    assert CoopInvoice.objects.get(pk=invoice.pk).status == S.OK


def test_missing_service_period_assumes_the_previous_month(brand_a, mdf, vendor_ops) -> None:
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "19200.00", service_period_start=None, service_period_end=None)
    assert invoice.status == S.OK
    assert _codes(invoice) == ["SERVICE_PERIOD_ASSUMED"]


def test_reimport_is_idempotent(brand_a, mdf, vendor_ops) -> None:
    _invoice(brand_a.vendor_code, vendor_ops, "19200.00")
    _, created = invoice_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        amazon_invoice_id="INV-1",
        invoice_date=date(2026, 2, 10),
        amount=D("19200.00"),
        currency="USD",
        amazon_agreement_id="MDF-2026",
        service_period_start=JAN,
        service_period_end=date(2026, 1, 31),
    )
    assert created is False
    assert CoopInvoice.objects.count() == 1


def test_finance_accepts_an_explained_variance(brand_a, mdf, vendor_ops, finance) -> None:
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "24000.00")
    with pytest.raises(PermissionRefused):
        invoice_accept_variance(invoice=invoice, user=vendor_ops, comment="fine")
    accepted = invoice_accept_variance(invoice=invoice, user=finance, comment="Q1 rate agreed by email")
    assert CoopInvoice.objects.get(pk=accepted.pk).status == S.OK
    record = AuditRecord.objects.filter(object_id=invoice.pk, action="invoice.accept").get()
    assert (record.from_status, record.to_status, record.comment) == (
        "VARIANCE_FLAGGED",
        "OK",
        "Q1 rate agreed by email",
    )


def test_remittance_deducts_invoices_idempotently(brand_a, mdf, vendor_ops) -> None:
    invoice = _invoice(brand_a.vendor_code, vendor_ops, "19200.00")
    lines = [
        DeductionInput("COOP", "INV-1", D("19200.00")),
        DeductionInput("SHORTAGE", "PO-778", D("312.40"), invoice_date=date(2026, 2, 1)),
    ]
    for _ in range(2):
        remittance_record(
            vendor_code=brand_a.vendor_code,
            user=vendor_ops,
            remittance_id="REM-9",
            payment_date=date(2026, 3, 15),
            paid_amount=D("80000.00"),
            currency="USD",
            deductions=lines,
        )
    assert Deduction.objects.count() == 2
    assert Deduction.objects.get(reference_type="COOP").invoice == invoice
    listed = invoice_list(user=vendor_ops).get(pk=invoice.pk)
    assert listed.status == S.DEDUCTED
    assert listed.deducted_total == D("19200.00")  # type: ignore[attr-defined]
