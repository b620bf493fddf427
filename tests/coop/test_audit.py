"""The audit trail and the approvals are append-only: no edit, no delete, by any route."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop.models import AuditRecord
from coop.models import FundAllocationApproval
from coop.models import ImmutableRecordError
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(brand_a, brand_manager, finance_approver):
    allocation = allocation_create(
        brand=brand_a.brand,
        user=brand_manager,
        title="Split",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        currency="USD",
        total_amount=Decimal("500.00"),
        lines=[LineInput("ADS", Decimal("500.00"), Decimal("50"))],
    )
    allocation_submit(allocation=allocation, user=brand_manager)
    return allocation_approve(allocation=allocation, user=finance_approver)


def test_audit_record_cannot_be_edited(approved) -> None:
    record = AuditRecord.objects.filter(action="allocation.approve").get()
    record.comment = "rewritten history"
    with pytest.raises(ImmutableRecordError, match="append-only"):
        record.save()
    assert AuditRecord.objects.get(pk=record.pk).comment == "approval 1 of 1"


def test_audit_record_cannot_be_deleted(approved) -> None:
    count = AuditRecord.objects.count()
    record = AuditRecord.objects.earliest("pk")
    with pytest.raises(ImmutableRecordError):
        record.delete()
    with pytest.raises(ImmutableRecordError):
        AuditRecord.objects.all().delete()
    with pytest.raises(ImmutableRecordError):
        AuditRecord.objects.filter(pk=record.pk).update(comment="x")
    assert AuditRecord.objects.count() == count == 3


def test_hand_set_primary_key_cannot_overwrite_a_record(approved) -> None:
    from django.db import IntegrityError
    from django.db import transaction

    original = AuditRecord.objects.earliest("pk")
    forged = AuditRecord(
        pk=original.pk,
        brand_id=original.brand_id,
        content_type_id=original.content_type_id,
        object_id=original.object_id,
        object_repr="forged",
        action="allocation.approve",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditRecord.objects.get(pk=original.pk).object_repr == original.object_repr


def test_approvals_are_append_only(approved) -> None:
    approval = FundAllocationApproval.objects.get()
    approval.decision = "REJECTED"
    with pytest.raises(ImmutableRecordError):
        approval.save()
    with pytest.raises(ImmutableRecordError):
        approval.delete()
    with pytest.raises(ImmutableRecordError):
        FundAllocationApproval.objects.update(decision="REJECTED")
    assert FundAllocationApproval.objects.get().decision == "APPROVED"


def test_allocation_with_history_cannot_be_deleted(approved) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        approved.delete()
