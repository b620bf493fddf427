"""Two finance approvers racing on one allocation, on PostgreSQL where row locks are real.

Each thread has its own database connection (Django gives every thread one). A barrier releases
both approvals at the same instant; the row lock in allocation_approve must serialise them.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db import connections

from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_submit
from core.exceptions import ApplicationError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"),
]


def _race(allocation_id: int, approvers: list) -> list[object]:
    """Run allocation_approve for each approver in its own thread, all released together."""
    barrier = threading.Barrier(len(approvers))
    results: list[object] = [None] * len(approvers)

    def work(index: int, approver) -> None:
        try:
            allocation = FundAllocation.objects.get(pk=allocation_id)
            barrier.wait(timeout=10)
            results[index] = allocation_approve(allocation=allocation, user=approver)
        except ApplicationError as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(approvers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _pending(brand, requester, total: str) -> FundAllocation:
    allocation = allocation_create(
        brand=brand,
        user=requester,
        title="Race",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        currency="USD",
        total_amount=Decimal(total),
        lines=[LineInput("ADS", Decimal(total), Decimal("50"))],
    )
    return allocation_submit(allocation=allocation, user=requester)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_approvals_one_applies_the_other_is_told_why(
    brand_a, brand_manager, finance_approver, second_approver
) -> None:
    allocation = _pending(brand_a.brand, brand_manager, "1000.00")
    results = _race(allocation.pk, [finance_approver, second_approver])

    applied = [r for r in results if isinstance(r, FundAllocation)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(applied) == 1
    assert len(refused) == 1
    assert "no longer waiting for approval: it is Approved by" in refused[0].message
    assert FundAllocation.objects.get(pk=allocation.pk).status == FundAllocation.Status.APPROVED
    assert FundAllocationApproval.objects.filter(allocation=allocation).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_approvals_above_threshold_both_count(
    brand_a, brand_manager, finance_approver, second_approver
) -> None:
    allocation = _pending(brand_a.brand, brand_manager, "75000.00")
    assert allocation.approvals_required == 2
    results = _race(allocation.pk, [finance_approver, second_approver])

    assert all(isinstance(r, FundAllocation) for r in results), results
    stored = FundAllocation.objects.get(pk=allocation.pk)
    # Without the lock both would count one approval each and the allocation would stay pending.
    assert stored.status == FundAllocation.Status.APPROVED
    assert FundAllocationApproval.objects.filter(allocation=allocation, round_no=1).count() == 2
