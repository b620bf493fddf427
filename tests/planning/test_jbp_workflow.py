"""JBP workflow (DOMAIN.md §5.1): each step, who may take it, locking and versions."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.jbp_services import jbp_investment_save
from planning.jbp_services import jbp_targets_upsert
from planning.services import jbp_plan_create
from planning.services import jbp_plan_new_version
from planning.services import jbp_plan_transition
from planning.services import jbp_plan_update
from tests.factories import us_marketplace
from tests.planning.jbp_factories import JBPTargetFactory

pytestmark = pytest.mark.django_db
S = JBPPlan.Status
JULY = {
    "metric": "SHIPPED_COGS",
    "dimension_type": "CATEGORY",
    "dimension_value": "Headphones",
    "period_type": "MONTH",
    "period_start": "2026-07-01",
}


@pytest.fixture
def plan(brand_a, brand_manager) -> JBPPlan:
    plan = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon=JBPPlan.Horizon.QUARTERLY,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        vendor_codes=[brand_a.vendor_code],
        amazon_counterpart="Jordan (VM)",
    )
    jbp_targets_upsert(plan=plan, user=brand_manager, rows=[{**JULY, "target_value": "100000.00"}])
    return plan


def _walk(plan: JBPPlan, brand_manager, reviewer, until: str) -> JBPPlan:
    steps = [
        ("submit_for_review", brand_manager),
        ("send_to_amazon", reviewer),
        ("start_negotiation", brand_manager),
        ("agree", brand_manager),
    ]
    for action, user in steps:
        if plan.status == until:
            break
        plan = jbp_plan_transition(plan=plan, user=user, action=action)
    assert plan.status == until
    return plan


def test_create_makes_a_version_1_draft_with_a_log_entry(plan, brand_manager, brand_a) -> None:
    assert (plan.status, plan.version, plan.series, plan.plan_year, plan.currency) == (S.DRAFT, 1, "Q3", 2026, "USD")
    assert list(plan.vendor_codes.all()) == [brand_a.vendor_code]
    # YoY baseline defaults to the same quarter last year.
    assert (plan.baseline_start, plan.baseline_end) == (date(2025, 7, 1), date(2025, 9, 30))
    log = list(JBPPlanTransition.objects.filter(plan=plan).values_list("from_status", "to_status", "actor"))
    assert log == [("", S.DRAFT, brand_manager.pk)]


@pytest.mark.parametrize("persona", ["vendor_ops", "viewer", "finance", "outsider"])
def test_only_brand_managers_create_plans(request, brand_a, persona) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionRefused):
        jbp_plan_create(
            user=user,
            brand=brand_a.brand,
            marketplace=us_marketplace(),
            horizon="QUARTERLY",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
        )
    assert not JBPPlan.objects.exists()


@pytest.mark.parametrize(
    ("horizon", "start", "end", "message"),
    [
        ("QUARTERLY", date(2026, 7, 15), date(2026, 10, 14), "one calendar quarter"),
        ("CUSTOM", date(2026, 7, 1), date(2026, 9, 27), "is 89 days"),
        ("CUSTOM", date(2026, 7, 1), date(2026, 12, 28), "is 181 days"),
        ("ANNUAL", date(2026, 1, 1), date(2026, 12, 30), "ends 2026-12-31"),
    ],
)
def test_period_must_fit_the_horizon(brand_a, brand_manager, horizon, start, end, message) -> None:
    with pytest.raises(ValidationError, match=message):
        jbp_plan_create(
            user=brand_manager,
            brand=brand_a.brand,
            marketplace=us_marketplace(),
            horizon=horizon,
            period_start=start,
            period_end=end,
        )


def test_custom_window_and_several_plans_a_year(plan, brand_a, brand_manager) -> None:
    custom = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="CUSTOM",
        period_start=date(2026, 7, 15),
        period_end=date(2026, 11, 11),
    )
    q4 = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
    )
    assert (custom.series, q4.series) == ("C0715", "Q4")
    with pytest.raises(ApplicationError, match="already exists"):
        jbp_plan_create(
            user=brand_manager,
            brand=brand_a.brand,
            marketplace=us_marketplace(),
            horizon="QUARTERLY",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
        )


def test_vendor_codes_must_be_the_brands(brand_a, brand_b, brand_manager) -> None:
    with pytest.raises(ValidationError, match="BLOOM"):
        jbp_plan_create(
            user=brand_manager,
            brand=brand_a.brand,
            marketplace=us_marketplace(),
            horizon="QUARTERLY",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
            vendor_codes=[brand_b.vendor_code],
        )


def test_submit_needs_a_brand_manager_and_targets(brand_a, brand_manager, vendor_ops) -> None:
    empty = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )
    with pytest.raises(ApplicationError, match="at least one target"):
        jbp_plan_transition(plan=empty, user=brand_manager, action="submit_for_review")
    JBPTargetFactory(plan=empty, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31))
    with pytest.raises(PermissionRefused, match="brand_manager"):
        jbp_plan_transition(plan=empty, user=vendor_ops, action="submit_for_review")
    plan = jbp_plan_transition(plan=empty, user=brand_manager, action="submit_for_review")
    assert plan.status == S.INTERNAL_REVIEW
    assert JBPPlan.objects.get(pk=plan.pk).status == S.INTERNAL_REVIEW


@pytest.mark.parametrize("action", ["send_to_amazon", "request_changes"])
def test_the_submitter_cannot_review_their_own_plan(plan, brand_manager, action) -> None:
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    with pytest.raises(PermissionRefused, match="another member"):
        jbp_plan_transition(plan=plan, user=brand_manager, action=action, comment="looks fine")
    assert JBPPlan.objects.get(pk=plan.pk).status == S.INTERNAL_REVIEW


@pytest.mark.parametrize("persona", ["reviewer", "vendor_ops"])
def test_another_member_sends_it_on(request, plan, brand_manager, persona) -> None:
    user = request.getfixturevalue(persona)
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    plan = jbp_plan_transition(plan=plan, user=user, action="send_to_amazon", comment="Numbers checked")
    assert plan.status == S.SUBMITTED_TO_AMAZON
    last = JBPPlanTransition.objects.filter(plan=plan).last()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor_id, last.comment) == (
        S.INTERNAL_REVIEW,
        S.SUBMITTED_TO_AMAZON,
        user.pk,
        "Numbers checked",
    )


@pytest.mark.parametrize("persona", ["viewer", "finance", "outsider"])
def test_viewers_finance_and_outsiders_cannot_review(request, plan, brand_manager, persona) -> None:
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    with pytest.raises(PermissionRefused):
        jbp_plan_transition(plan=plan, user=request.getfixturevalue(persona), action="send_to_amazon")


def test_request_changes_needs_a_comment_and_returns_to_draft(plan, brand_manager, reviewer) -> None:
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    with pytest.raises(ApplicationError, match="comment is required"):
        jbp_plan_transition(plan=plan, user=reviewer, action="request_changes", comment="  ")
    plan = jbp_plan_transition(plan=plan, user=reviewer, action="request_changes", comment="Raise August")
    assert plan.status == S.DRAFT
    # Back in draft the brand manager can edit again, and resubmit; the reviewer then reviews.
    jbp_targets_upsert(plan=plan, user=brand_manager, rows=[{**JULY, "target_value": "120000"}])
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    plan = jbp_plan_transition(plan=plan, user=reviewer, action="send_to_amazon")
    assert plan.status == S.SUBMITTED_TO_AMAZON


def test_a_reviewer_who_resubmits_cannot_then_review(plan, brand_manager, reviewer) -> None:
    # bm2 submits the second round: now bm2 is the submitter and bm is the reviewer.
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    jbp_plan_transition(plan=plan, user=reviewer, action="request_changes", comment="fix")
    jbp_plan_transition(plan=plan, user=reviewer, action="submit_for_review")
    with pytest.raises(PermissionRefused):
        jbp_plan_transition(plan=plan, user=reviewer, action="send_to_amazon")
    assert jbp_plan_transition(plan=plan, user=brand_manager, action="send_to_amazon").status == S.SUBMITTED_TO_AMAZON


def test_full_path_to_closed_and_the_log(plan, brand_manager, reviewer, vendor_ops) -> None:
    plan = _walk(plan, brand_manager, reviewer, S.NEGOTIATING)
    with pytest.raises(PermissionRefused, match="mark agreed"):
        jbp_plan_transition(plan=plan, user=vendor_ops, action="agree")
    plan = jbp_plan_transition(plan=plan, user=brand_manager, action="agree")
    with pytest.raises(ApplicationError, match="activated from that day"):
        jbp_plan_transition(plan=plan, user=vendor_ops, action="activate", today=date(2026, 6, 30))
    plan = jbp_plan_transition(plan=plan, user=vendor_ops, action="activate", today=date(2026, 7, 1))
    with pytest.raises(ApplicationError, match="closed after that day"):
        jbp_plan_transition(plan=plan, user=vendor_ops, action="close", today=date(2026, 9, 30))
    plan = jbp_plan_transition(plan=plan, user=vendor_ops, action="close", today=date(2026, 10, 1))
    assert plan.status == S.CLOSED
    log = list(JBPPlanTransition.objects.filter(plan=plan).values_list("from_status", "to_status", "actor__username"))
    assert log == [
        ("", S.DRAFT, "bm"),
        (S.DRAFT, S.INTERNAL_REVIEW, "bm"),
        (S.INTERNAL_REVIEW, S.SUBMITTED_TO_AMAZON, "bm2"),
        (S.SUBMITTED_TO_AMAZON, S.NEGOTIATING, "bm"),
        (S.NEGOTIATING, S.AGREED, "bm"),
        (S.AGREED, S.ACTIVE, "ops"),
        (S.ACTIVE, S.CLOSED, "ops"),
    ]


def test_wrong_status_is_refused(plan, brand_manager) -> None:
    with pytest.raises(ApplicationError, match="needs it to be Negotiating"):
        jbp_plan_transition(plan=plan, user=brand_manager, action="agree")
    with pytest.raises(ApplicationError, match="Unknown action"):
        jbp_plan_transition(plan=plan, user=brand_manager, action="approve")


@pytest.mark.parametrize("status", [S.INTERNAL_REVIEW, S.SUBMITTED_TO_AMAZON, S.NEGOTIATING, S.AGREED])
def test_only_drafts_can_be_edited(plan, brand_manager, reviewer, status) -> None:
    plan = _walk(plan, brand_manager, reviewer, status)
    with pytest.raises(ApplicationError, match="only drafts can be changed"):
        jbp_targets_upsert(plan=plan, user=brand_manager, rows=[{**JULY, "target_value": "1"}])
    with pytest.raises(ApplicationError, match="only drafts"):
        jbp_investment_save(plan=plan, user=brand_manager, data={"type": "COOP_MDF", "committed_amount": Decimal(1)})
    with pytest.raises(ApplicationError, match="only drafts"):
        jbp_plan_update(plan=plan, user=brand_manager, data={"notes": "x"})
    assert JBPTarget.objects.get(plan=plan).target_value == Decimal("100000.00")


def test_new_version_of_an_agreed_plan_copies_everything(plan, brand_manager, reviewer, vendor_ops) -> None:
    jbp_investment_save(plan=plan, user=brand_manager, data={"type": "COOP_MDF", "committed_amount": Decimal(25000)})
    plan = _walk(plan, brand_manager, reviewer, S.AGREED)
    with pytest.raises(PermissionRefused):
        jbp_plan_new_version(plan=plan, user=vendor_ops)
    v2 = jbp_plan_new_version(plan=plan, user=brand_manager, comment="Amazon asked for more in August")
    assert (v2.version, v2.status, v2.previous_version_id, v2.series) == (2, S.DRAFT, plan.pk, "Q3")
    assert list(v2.targets.values_list("metric", "dimension_value", "period_start", "target_value")) == [
        ("SHIPPED_COGS", "Headphones", date(2026, 7, 1), Decimal("100000.0000"))
    ]
    assert v2.investments.get().committed_amount == Decimal("25000.00")
    assert list(v2.vendor_codes.all()) == list(plan.vendor_codes.all())
    # The agreed version stays in force (and locked) until v2 is agreed.
    assert JBPPlan.objects.get(pk=plan.pk).status == S.AGREED
    with pytest.raises(ApplicationError, match="already has a newer version"):
        jbp_plan_new_version(plan=plan, user=brand_manager)
    jbp_targets_upsert(plan=v2, user=brand_manager, rows=[{**JULY, "target_value": "130000"}])
    assert JBPTarget.objects.get(plan=plan).target_value == Decimal("100000.00")
    v2 = _walk(v2, brand_manager, reviewer, S.AGREED)
    assert JBPPlan.objects.get(pk=plan.pk).status == S.SUPERSEDED
    assert JBPPlanTransition.objects.filter(plan=plan, to_status=S.SUPERSEDED, comment="v2 agreed").exists()


def test_negotiating_to_draft_is_a_new_version(plan, brand_manager, reviewer, vendor_ops) -> None:
    plan = _walk(plan, brand_manager, reviewer, S.NEGOTIATING)
    v2 = jbp_plan_new_version(plan=plan, user=brand_manager, comment="counter-offer")
    assert v2.status == S.DRAFT and v2.version == 2
    old = JBPPlan.objects.get(pk=plan.pk)
    assert old.status == S.SUPERSEDED
    assert JBPPlanTransition.objects.filter(
        plan=old, from_status=S.NEGOTIATING, to_status=S.SUPERSEDED, comment="Replaced by v2. counter-offer"
    ).exists()
    # The new version goes through internal review again.
    jbp_plan_transition(plan=v2, user=brand_manager, action="submit_for_review")
    assert jbp_plan_transition(plan=v2, user=reviewer, action="send_to_amazon").status == S.SUBMITTED_TO_AMAZON


def test_new_version_is_refused_for_a_draft(plan, brand_manager) -> None:
    with pytest.raises(ApplicationError, match="A draft can simply be edited"):
        jbp_plan_new_version(plan=plan, user=brand_manager)


def test_history_records_who_changed_a_target(plan, brand_manager) -> None:
    jbp_targets_upsert(plan=plan, user=brand_manager, rows=[{**JULY, "target_value": "110000"}])
    target = JBPTarget.objects.get(plan=plan)
    records = list(target.history.order_by("history_date").values_list("history_type", "target_value", "history_user"))
    assert records == [
        ("+", Decimal("100000.0000"), brand_manager.pk),
        ("~", Decimal("110000.0000"), brand_manager.pk),
    ]


def test_period_moves_only_on_version_1(plan, brand_manager) -> None:
    with pytest.raises(ApplicationError, match="fall outside"):
        jbp_plan_update(
            plan=plan, user=brand_manager, data={"period_start": date(2026, 10, 1), "period_end": date(2026, 12, 31)}
        )
    JBPTarget.objects.filter(plan=plan).delete()
    plan = jbp_plan_update(
        plan=plan, user=brand_manager, data={"period_start": date(2026, 10, 1), "period_end": date(2026, 12, 31)}
    )
    assert JBPPlan.objects.get(pk=plan.pk).series == "Q4"


def test_activate_due_activates_agreed_plans_once_their_period_starts(plan, brand_manager, reviewer) -> None:
    from planning.services import jbp_plans_activate_due

    plan = _walk(plan, brand_manager, reviewer, S.AGREED)
    assert jbp_plans_activate_due(user=brand_manager, today=date(2026, 6, 30)) == []
    assert JBPPlan.objects.get(pk=plan.pk).status == S.AGREED
    activated = jbp_plans_activate_due(user=brand_manager, today=date(2026, 7, 1))
    assert [p.pk for p in activated] == [plan.pk]
    assert JBPPlan.objects.get(pk=plan.pk).status == S.ACTIVE
    assert jbp_plans_activate_due(user=brand_manager, today=date(2026, 7, 2)) == []


def test_the_daily_job_activates_agreed_plans_of_every_brand_once_their_period_starts(
    plan, brand_manager, reviewer
) -> None:
    from planning.tasks import jbp_plans_activate_by_clock_task

    plan = _walk(plan, brand_manager, reviewer, S.AGREED)
    with time_machine.travel(datetime(2026, 6, 30, 23, 0, tzinfo=UTC), tick=False):
        assert jbp_plans_activate_by_clock_task.apply().get() == 0
    assert JBPPlan.objects.get(pk=plan.pk).status == S.AGREED
    with time_machine.travel(datetime(2026, 7, 1, 0, 10, tzinfo=UTC), tick=False):
        assert jbp_plans_activate_by_clock_task.apply().get() == 1
        assert jbp_plans_activate_by_clock_task.apply().get() == 0  # idempotent
    assert JBPPlan.objects.get(pk=plan.pk).status == S.ACTIVE
    step = JBPPlanTransition.objects.get(plan=plan, to_status=S.ACTIVE)
    assert (step.from_status, step.to_status, step.actor_id) == (S.AGREED, S.ACTIVE, None)
    assert "Activated automatically on 2026-07-01" in step.comment
    # simple-history records the change without a person.
    assert JBPPlan.objects.get(pk=plan.pk).history.get(status=S.ACTIVE).history_user is None


def test_the_daily_job_leaves_plans_that_are_not_agreed_alone(plan, brand_manager, reviewer) -> None:
    from planning.services import jbp_plans_activate_by_clock

    plan = _walk(plan, brand_manager, reviewer, S.NEGOTIATING)
    assert jbp_plans_activate_by_clock(today=date(2026, 8, 1)) == []
    assert JBPPlan.objects.get(pk=plan.pk).status == S.NEGOTIATING
