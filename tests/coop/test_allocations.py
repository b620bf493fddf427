"""Fund allocation workflow and maker-checker rules, enforced at the service level (DOMAIN.md §5.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coop.models import AuditRecord
from coop.models import FundAllocation
from coop.models import FundAllocationApproval
from coop.selectors.allocations import allocation_history
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_amend
from coop.services.allocations import allocation_approve
from coop.services.allocations import allocation_close
from coop.services.allocations import allocation_create
from coop.services.allocations import allocation_reject
from coop.services.allocations import allocation_submit
from coop.services.allocations import allocation_update
from coop.services.allocations import allocations_close_ended
from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
S = FundAllocation.Status
D = Decimal

LINES = [
    LineInput("ADS", D("6000.00"), D("60"), "Sponsored Products Q3"),
    LineInput("PROMO_FUNDING", D("3000.00"), D("80"), "Prime Day deals"),
    LineInput("CONTENT", D("1000.00"), D("100"), "A+ refresh"),
]


def _create(user, brand, *, total: str = "10000.00", lines=LINES) -> FundAllocation:
    return allocation_create(
        brand=brand,
        user=user,
        title="Q3 co-op split",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="USD",
        total_amount=D(total),
        lines=lines,
    )


@pytest.fixture
def pending(brand_a, brand_manager) -> FundAllocation:
    allocation = _create(brand_manager, brand_a.brand)
    return allocation_submit(allocation=allocation, user=brand_manager)


def test_requested_split_is_approved_by_a_finance_approver(pending, finance_approver) -> None:
    assert pending.status == S.PENDING_FINANCE_APPROVAL
    assert pending.approvals_required == 1
    approved = allocation_approve(allocation=pending, user=finance_approver, comment="fits the JBP")

    assert approved.status == S.APPROVED
    stored = FundAllocation.objects.get(pk=pending.pk)
    assert stored.status == S.APPROVED
    assert stored.approved_at is not None
    snapshot = stored.approved_snapshot or {}
    assert snapshot["total_amount"] == "10000.00"
    assert [line["bucket"] for line in snapshot["lines"]] == ["ADS", "PROMO_FUNDING", "CONTENT"]
    approval = FundAllocationApproval.objects.get(allocation=stored)
    assert (approval.approver, approval.round_no, approval.decision) == (finance_approver, 1, "APPROVED")
    actions = list(allocation_history(allocation=stored).values_list("action", "from_status", "to_status"))
    assert actions == [
        ("allocation.create", "", S.DRAFT),
        ("allocation.submit", S.DRAFT, S.PENDING_FINANCE_APPROVAL),
        ("allocation.approve", S.PENDING_FINANCE_APPROVAL, S.APPROVED),
    ]
    last = allocation_history(allocation=stored).latest("at", "id")
    assert last.actor == finance_approver
    assert (last.before or {})["status"] == S.PENDING_FINANCE_APPROVAL
    assert (last.after or {})["status"] == S.APPROVED
    assert last.actor_roles == "finance_approver"


def test_line_split_between_brand_and_amazon(pending) -> None:
    ads = pending.lines.get(bucket="ADS")
    assert (ads.brand_amount, ads.amazon_amount) == (D("3600.00"), D("2400.00"))


def test_requester_never_approves_even_as_finance_approver(brand_a, brand_manager) -> None:
    MembershipFactory.create(user=brand_manager, brand=brand_a.brand, role=Membership.Role.FINANCE_APPROVER)
    allocation = allocation_submit(allocation=_create(brand_manager, brand_a.brand), user=brand_manager)

    with pytest.raises(PermissionRefused, match="cannot approve or reject it"):
        allocation_approve(allocation=allocation, user=brand_manager)
    with pytest.raises(PermissionRefused, match="cannot approve or reject it"):
        allocation_reject(allocation=allocation, user=brand_manager, comment="no")
    assert FundAllocation.objects.get(pk=allocation.pk).status == S.PENDING_FINANCE_APPROVAL
    assert not FundAllocationApproval.objects.filter(allocation=allocation).exists()


def test_whoever_submitted_the_round_cannot_approve_it(brand_a, brand_manager, finance_approver, second_approver):
    draft = _create(brand_manager, brand_a.brand)
    allocation_submit(allocation=draft, user=finance_approver)  # finance approver sends the manager's draft

    with pytest.raises(PermissionRefused):
        allocation_approve(allocation=draft, user=finance_approver)
    assert allocation_approve(allocation=draft, user=second_approver).status == S.APPROVED


@pytest.mark.parametrize("persona", ["finance", "vendor_ops", "viewer", "reviewer"])
def test_approval_needs_the_finance_approver_role(request, pending, persona: str) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionRefused, match="finance_approver"):
        allocation_approve(allocation=pending, user=user)
    assert FundAllocation.objects.get(pk=pending.pk).status == S.PENDING_FINANCE_APPROVAL
    assert not FundAllocationApproval.objects.exists()


def test_approver_of_another_brand_is_refused(pending, brand_b) -> None:
    from tests.factories import UserFactory

    foreign_approver = UserFactory.create(username="b-approver")
    MembershipFactory.create(user=foreign_approver, brand=brand_b.brand, role=Membership.Role.FINANCE_APPROVER)
    with pytest.raises(PermissionRefused):
        allocation_approve(allocation=pending, user=foreign_approver)


def test_above_threshold_needs_two_distinct_approvers(brand_a, brand_manager, finance_approver, second_approver):
    lines = [LineInput("ADS", D("60000.00"), D("50"))]
    allocation = allocation_submit(
        allocation=_create(brand_manager, brand_a.brand, total="60000.00", lines=lines), user=brand_manager
    )
    assert allocation.approvals_required == 2  # default COOPDESK_SECOND_APPROVAL_ABOVE = 50,000.00

    first = allocation_approve(allocation=allocation, user=finance_approver)
    assert first.status == S.PENDING_FINANCE_APPROVAL
    with pytest.raises(ApplicationError, match="second, different finance approver"):
        allocation_approve(allocation=allocation, user=finance_approver)
    assert FundAllocationApproval.objects.filter(allocation=allocation).count() == 1

    second = allocation_approve(allocation=allocation, user=second_approver)
    assert second.status == S.APPROVED
    assert list(
        allocation_history(allocation=second).filter(action__startswith="allocation.approve").values_list("action")
    ) == [("allocation.approve_partial",), ("allocation.approve",)]


def test_threshold_is_configurable_and_exclusive(settings, brand_a, brand_manager) -> None:
    settings.COOPDESK_SECOND_APPROVAL_ABOVE = "9999.99"
    assert (
        allocation_submit(allocation=_create(brand_manager, brand_a.brand), user=brand_manager).approvals_required == 2
    )
    settings.COOPDESK_SECOND_APPROVAL_ABOVE = "10000.00"
    assert (
        allocation_submit(allocation=_create(brand_manager, brand_a.brand), user=brand_manager).approvals_required == 1
    )


def test_lines_must_equal_the_header(brand_a, brand_manager) -> None:
    with pytest.raises(ApplicationError, match=r"lines add up to 10,000.00 but the allocation total is 12,000.00"):
        _create(brand_manager, brand_a.brand, total="12000.00")
    assert not FundAllocation.objects.exists()


def test_brand_share_must_be_0_to_100(brand_a, brand_manager) -> None:
    with pytest.raises(ApplicationError, match=r"Line 1: the brand share 101 % is outside 0-100 %"):
        _create(brand_manager, brand_a.brand, total="100.00", lines=[LineInput("ADS", D("100.00"), D("101"))])


def test_submit_needs_lines(brand_a, brand_manager) -> None:
    draft = _create(brand_manager, brand_a.brand, lines=[])
    with pytest.raises(ApplicationError, match="at least one line"):
        allocation_submit(allocation=draft, user=brand_manager)
    assert FundAllocation.objects.get(pk=draft.pk).status == S.DRAFT


def test_viewer_cannot_request(brand_a, viewer) -> None:
    with pytest.raises(PermissionRefused):
        _create(viewer, brand_a.brand)


def test_pending_allocation_cannot_be_edited(pending, brand_manager) -> None:
    with pytest.raises(ApplicationError, match="Cannot edit"):
        allocation_update(allocation=pending, user=brand_manager, title="changed")


def test_amendment_must_be_approved_again(pending, brand_manager, finance_approver, second_approver) -> None:
    allocation_approve(allocation=pending, user=finance_approver)
    amended = allocation_amend(allocation=pending, user=brand_manager, reason="move budget to deals")
    assert amended.status == S.AMENDMENT_DRAFT
    assert amended.amendment_no == 1

    new_lines = [LineInput("ADS", D("4000.00"), D("60")), LineInput("PROMO_FUNDING", D("6000.00"), D("80"))]
    allocation_update(allocation=amended, user=brand_manager, lines=new_lines)
    resubmitted = allocation_submit(allocation=amended, user=brand_manager)
    assert resubmitted.status == S.PENDING_FINANCE_APPROVAL
    assert resubmitted.round_no == 2
    # The first round's approval does not carry over: the same approver decides again, in round 2.
    approved = allocation_approve(allocation=resubmitted, user=finance_approver)
    assert approved.status == S.APPROVED
    assert (approved.approved_snapshot or {})["lines"][1]["amount"] == "6000.00"
    assert list(approved.approvals.values_list("round_no", flat=True)) == [1, 2]
    actions = [a for (a,) in allocation_history(allocation=approved).values_list("action")]
    assert actions[-4:] == ["allocation.amend", "allocation.update", "allocation.submit", "allocation.approve"]


def test_rejected_amendment_restores_the_approved_split(pending, brand_manager, finance_approver) -> None:
    allocation_approve(allocation=pending, user=finance_approver)
    amended = allocation_amend(allocation=pending, user=brand_manager)
    allocation_update(
        allocation=amended,
        user=brand_manager,
        total_amount=D("20000.00"),
        lines=[LineInput("ADS", D("20000.00"), D("0"))],
    )
    allocation_submit(allocation=amended, user=brand_manager)

    result = allocation_reject(allocation=amended, user=finance_approver, comment="Amazon should not get it all")
    assert result.status == S.APPROVED
    stored = FundAllocation.objects.get(pk=pending.pk)
    assert stored.total_amount == D("10000.00")
    assert list(stored.lines.values_list("bucket", "amount")) == [
        ("ADS", D("6000.00")),
        ("PROMO_FUNDING", D("3000.00")),
        ("CONTENT", D("1000.00")),
    ]
    record = allocation_history(allocation=stored).latest("at", "id")
    assert record.action == "allocation.reject_amendment"
    assert (record.before or {})["total_amount"] == "20000.00"
    assert (record.after or {})["total_amount"] == "10000.00"


def test_reject_needs_a_reason_and_ends_a_first_request(pending, finance_approver) -> None:
    with pytest.raises(ApplicationError, match="Say why"):
        allocation_reject(allocation=pending, user=finance_approver, comment=" ")
    rejected = allocation_reject(allocation=pending, user=finance_approver, comment="over budget")
    assert rejected.status == S.REJECTED
    assert FundAllocationApproval.objects.get(allocation=pending).decision == "REJECTED"


def test_late_approver_is_told_who_decided(pending, finance_approver, second_approver) -> None:
    allocation_approve(allocation=pending, user=finance_approver)
    with pytest.raises(ApplicationError, match=r"no longer waiting for approval: it is Approved by approver at"):
        allocation_approve(allocation=pending, user=second_approver)
    assert FundAllocationApproval.objects.filter(allocation=pending).count() == 1


def test_close_only_after_period_end(pending, finance_approver, finance) -> None:
    allocation_approve(allocation=pending, user=finance_approver)
    with pytest.raises(ApplicationError, match="runs until 2026-09-30"):
        allocation_close(allocation=pending, user=finance, today=date(2026, 9, 15))
    closed = allocation_close(allocation=pending, user=finance, today=date(2026, 9, 30))
    assert FundAllocation.objects.get(pk=closed.pk).status == S.CLOSED


def test_scheduled_close_of_ended_allocations(pending, finance_approver) -> None:
    allocation_approve(allocation=pending, user=finance_approver)
    assert allocations_close_ended(today=date(2026, 9, 30)) == 0
    assert allocations_close_ended(today=date(2026, 10, 1)) == 1
    assert FundAllocation.objects.get(pk=pending.pk).status == S.CLOSED
    record = AuditRecord.objects.filter(action="allocation.close").get()
    assert record.actor is None
    assert record.actor_roles == "system"


def test_allocation_can_fund_a_plan_of_its_own_brand_only(brand_a, brand_b, brand_manager) -> None:
    from django.core.exceptions import ValidationError

    from tests.planning.jbp_factories import JBPPlanFactory

    plan = JBPPlanFactory.create(brand=brand_a.brand)
    linked = allocation_create(
        brand=brand_a.brand,
        user=brand_manager,
        title="Q3 plan split",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="USD",
        total_amount=D("0.00"),
        plan=plan,
    )
    assert FundAllocation.objects.get(pk=linked.pk).plan == plan
    with pytest.raises(ValidationError, match="another brand"):
        allocation_create(
            brand=brand_a.brand,
            user=brand_manager,
            title="Wrong plan",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
            currency="USD",
            total_amount=D("0.00"),
            plan=JBPPlanFactory.create(brand=brand_b.brand),
        )
