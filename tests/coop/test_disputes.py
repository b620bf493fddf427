"""Disputes: windows per type, filing rules, decisions, re-disputes and the deadline list (§3.4, §5.5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from coop.models import AuditRecord
from coop.models import CoopInvoice
from coop.models import Dispute
from coop.models import DisputeEvidence
from coop.models import Remittance
from coop.selectors.disputes import dispute_deadline_list
from coop.selectors.disputes import disputes_due_for_alert
from coop.services.disputes import dispute_add_evidence
from coop.services.disputes import dispute_close
from coop.services.disputes import dispute_escalate
from coop.services.disputes import dispute_open
from coop.services.disputes import dispute_record_decision
from coop.services.disputes import dispute_redispute
from coop.services.disputes import dispute_submit
from coop.services.invoices import DeductionInput
from coop.services.invoices import remittance_record
from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from tests.coop.factories import ChargebackFactory
from tests.coop.factories import CoopInvoiceFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = Dispute.Status


@pytest.fixture
def flagged_invoice(brand_a) -> CoopInvoice:
    return CoopInvoiceFactory.create(
        vendor_code=brand_a.vendor_code,
        amazon_invoice_id="INV-FLAG",
        invoice_date=date(2026, 2, 10),
        amount=D("24000.00"),
        status=CoopInvoice.Status.VARIANCE_FLAGGED,
    )


@pytest.fixture
def shortage(brand_a, vendor_ops):
    remittance = remittance_record(
        vendor_code=brand_a.vendor_code,
        user=vendor_ops,
        remittance_id="REM-1",
        payment_date=date(2026, 2, 20),
        paid_amount=D("50000.00"),
        currency="USD",
        deductions=[DeductionInput("SHORTAGE", "PO-123", D("312.40"), invoice_date=date(2026, 2, 1))],
    )
    return remittance.deductions.get()


def test_coop_dispute_full_cycle_with_redispute(flagged_invoice, vendor_ops) -> None:
    dispute = dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("4800.00"), reason="8 % not 10 %")
    # DOMAIN.md §3.4: co-op disputes up to 2 years from the invoice date
    assert (dispute.dispute_type, dispute.status, dispute.attempt_no) == ("COOP", S.DRAFT, 1)
    assert (dispute.base_date, dispute.earliest_filing_date, dispute.deadline) == (
        date(2026, 2, 10),
        date(2026, 2, 10),
        date(2028, 2, 10),
    )

    with time_machine.travel(date(2026, 3, 1), tick=False):
        dispute_submit(dispute=dispute, user=vendor_ops, amazon_dispute_id="D-555")
    assert CoopInvoice.objects.get(pk=flagged_invoice.pk).status == CoopInvoice.Status.DISPUTED
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.amazon_dispute_id, stored.filed_by) == (S.SUBMITTED, "D-555", vendor_ops)

    dispute_record_decision(
        dispute=dispute, user=vendor_ops, decision="PARTIALLY_APPROVED", amount_approved=D("2000.00")
    )
    assert CoopInvoice.objects.get(pk=flagged_invoice.pk).status == CoopInvoice.Status.RESOLVED_PARTIAL

    with time_machine.travel(date(2026, 5, 1), tick=False):
        second = dispute_redispute(dispute=dispute, user=vendor_ops, reason="backup shows 8 %")
        assert Dispute.objects.get(pk=dispute.pk).status == S.REDISPUTED
        assert (second.attempt_no, second.parent, second.amount_claimed, second.deadline) == (
            2,
            stored,
            D("2800.00"),
            date(2028, 2, 10),
        )
        dispute_submit(dispute=second, user=vendor_ops)
    assert CoopInvoice.objects.get(pk=flagged_invoice.pk).status == CoopInvoice.Status.REDISPUTED

    dispute_record_decision(dispute=second, user=vendor_ops, decision="APPROVED")
    dispute_close(dispute=second, user=vendor_ops)
    assert CoopInvoice.objects.get(pk=flagged_invoice.pk).status == CoopInvoice.Status.CLOSED
    assert Dispute.objects.get(pk=second.pk).amount_approved == D("2800.00")
    actions = list(
        AuditRecord.objects.filter(object_id=dispute.pk, action__startswith="dispute.")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["dispute.open", "dispute.submit", "dispute.decision", "dispute.redispute"]


def test_shortage_cannot_be_filed_in_the_35_day_holding_period(shortage, vendor_ops) -> None:
    dispute = dispute_open(user=vendor_ops, deduction=shortage, amount_claimed=D("312.40"))
    # 2 years from the deduction; no filing in the first 35 days after the PO invoice (1 Feb + 35 = 8 Mar)
    assert (dispute.dispute_type, dispute.earliest_filing_date, dispute.deadline) == (
        "SHORTAGE",
        date(2026, 3, 8),
        date(2028, 2, 20),
    )
    with (
        time_machine.travel(date(2026, 3, 1), tick=False),
        pytest.raises(ApplicationError, match=r"not accept this dispute before 2026-03-08 \(7 days from now\)"),
    ):
        dispute_submit(dispute=dispute, user=vendor_ops)
    assert Dispute.objects.get(pk=dispute.pk).status == S.DRAFT
    with time_machine.travel(date(2026, 3, 8), tick=False):
        assert dispute_submit(dispute=dispute, user=vendor_ops).status == S.SUBMITTED


def test_chargeback_window_and_two_attempts(brand_a, vendor_ops) -> None:
    chargeback = ChargebackFactory.create(
        vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, 2), amount=D("250.00")
    )
    dispute = dispute_open(user=vendor_ops, chargeback=chargeback, amount_claimed=D("250.00"))
    assert dispute.deadline == date(2026, 4, 1)  # 30 days from notification

    with time_machine.travel(date(2026, 3, 10), tick=False):
        dispute_submit(dispute=dispute, user=vendor_ops)
        dispute_record_decision(dispute=dispute, user=vendor_ops, decision="DENIED")
        second = dispute_redispute(dispute=dispute, user=vendor_ops)
        dispute_submit(dispute=second, user=vendor_ops)
        dispute_record_decision(dispute=second, user=vendor_ops, decision="DENIED")
        with pytest.raises(ApplicationError, match="at most 2 attempts"):
            dispute_redispute(dispute=second, user=vendor_ops)
    assert Dispute.objects.filter(chargeback=chargeback).count() == 2


def test_filing_after_the_deadline_is_refused_and_can_be_escalated(brand_a, vendor_ops) -> None:
    chargeback = ChargebackFactory.create(vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, 2))
    dispute = dispute_open(user=vendor_ops, chargeback=chargeback, amount_claimed=D("100.00"))
    with time_machine.travel(date(2026, 4, 1), tick=False):
        assert dispute_submit(dispute=dispute, user=vendor_ops).status == S.SUBMITTED  # the last day counts
    late = dispute_open(
        user=vendor_ops,
        chargeback=ChargebackFactory.create(vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, 2)),
        amount_claimed=D("100.00"),
    )
    with (
        time_machine.travel(date(2026, 4, 2), tick=False),
        pytest.raises(ApplicationError, match="window closed on 2026-04-01; escalate"),
    ):
        dispute_submit(dispute=late, user=vendor_ops)
    assert dispute_escalate(dispute=late, user=vendor_ops, note="case 123").status == S.ESCALATED_CASE


def test_windows_are_configurable(settings, brand_a, vendor_ops) -> None:
    settings.COOPDESK_DISPUTE_WINDOWS = {"CHARGEBACK": {"days": 45}}
    chargeback = ChargebackFactory.create(vendor_code=brand_a.vendor_code, notified_at=date(2026, 3, 2))
    assert dispute_open(user=vendor_ops, chargeback=chargeback, amount_claimed=D("1")).deadline == date(2026, 4, 16)
    settings.COOPDESK_DISPUTE_WINDOWS = {"REFUND": {"days": 1}}
    with pytest.raises(ImproperlyConfigured, match="unknown dispute type 'REFUND'"):
        dispute_open(
            user=vendor_ops, chargeback=ChargebackFactory.create(vendor_code=brand_a.vendor_code), amount_claimed=D("1")
        )


def test_open_rules(flagged_invoice, vendor_ops, viewer) -> None:
    with pytest.raises(PermissionRefused):
        dispute_open(user=viewer, invoice=flagged_invoice, amount_claimed=D("1.00"))
    with pytest.raises(ApplicationError, match=r"at most 24,000\.00"):
        dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("24000.01"))
    dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("4800.00"))
    with pytest.raises(ApplicationError, match="already an open dispute"):
        dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("4800.00"))
    assert Dispute.objects.count() == 1


def test_transitions_outside_the_state_machine_are_refused(flagged_invoice, vendor_ops) -> None:
    dispute = dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("10.00"))
    with pytest.raises(ApplicationError, match="draft dispute cannot become closed"):
        dispute_close(dispute=dispute, user=vendor_ops)
    with pytest.raises(ApplicationError, match=r"partial approval needs an amount between 0 and 10\.00"):
        with time_machine.travel(date(2026, 3, 1), tick=False):
            dispute_submit(dispute=dispute, user=vendor_ops)
        dispute_record_decision(
            dispute=dispute, user=vendor_ops, decision="PARTIALLY_APPROVED", amount_approved=D("10")
        )


def test_evidence_is_stored_and_audited(flagged_invoice, vendor_ops, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    dispute = dispute_open(user=vendor_ops, invoice=flagged_invoice, amount_claimed=D("10.00"))
    evidence = dispute_add_evidence(
        dispute=dispute,
        user=vendor_ops,
        file=SimpleUploadedFile("backup.csv", b"po,asin,qty\n1,B0,3\n", content_type="text/csv"),
        description="Backup report",
    )
    stored = DisputeEvidence.objects.get(pk=evidence.pk)
    assert stored.file.read() == b"po,asin,qty\n1,B0,3\n"
    assert AuditRecord.objects.filter(object_id=dispute.pk, action="dispute.evidence").count() == 1


def test_deadline_list_is_ordered_by_urgency(brand_a, brand_b, vendor_ops, outsider) -> None:
    vc = brand_a.vendor_code
    soon = dispute_open(
        user=vendor_ops,
        chargeback=ChargebackFactory.create(vendor_code=vc, notified_at=date(2026, 3, 2)),
        amount_claimed=D("1"),
    )  # deadline 2026-04-01
    overdue = dispute_open(
        user=vendor_ops,
        chargeback=ChargebackFactory.create(vendor_code=vc, notified_at=date(2026, 2, 1)),
        amount_claimed=D("1"),
    )  # deadline 2026-03-03
    later = dispute_open(
        user=vendor_ops,
        invoice=CoopInvoiceFactory.create(vendor_code=vc, invoice_date=date(2026, 1, 5), status="VARIANCE_FLAGGED"),
        amount_claimed=D("1"),
    )  # deadline 2028-01-05
    filed = dispute_open(
        user=vendor_ops,
        chargeback=ChargebackFactory.create(vendor_code=vc, notified_at=date(2026, 3, 20)),
        amount_claimed=D("1"),
    )
    with time_machine.travel(date(2026, 3, 25), tick=False):
        dispute_submit(dispute=filed, user=vendor_ops)
    ChargebackFactory.create(vendor_code=brand_b.vendor_code)  # other brand: never listed for brand A users

    with time_machine.travel(date(2026, 3, 25), tick=False):
        rows = dispute_deadline_list(user=vendor_ops)
        due = list(disputes_due_for_alert(brand_id=brand_a.brand.pk, today=date(2026, 3, 25)))
    assert [(d.pk, days) for d, days in rows] == [(overdue.pk, -22), (soon.pk, 7), (later.pk, 651)]
    assert due == [overdue, soon]  # DISPUTE_DEADLINE: drafts within 7 days
    assert dispute_deadline_list(user=outsider) == []
    assert Remittance.objects.count() == 0
