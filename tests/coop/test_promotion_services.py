"""Promotion services: creating, editing, moving, the §5.3 workflow with its maker-checker rules,
and the rule check that refuses submission. Assert the returned object and the database."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from coop.promotion_models import Promotion
from coop.promotion_models import PromotionPolicy
from coop.promotion_models import PromotionTransition
from coop.promotion_services import ItemInput
from coop.promotion_services import PromotionInput
from coop.promotion_services import RulesFailed
from coop.promotion_services import available_actions
from coop.promotion_services import promotion_create
from coop.promotion_services import promotion_move
from coop.promotion_services import promotion_transition
from coop.promotion_services import promotion_update
from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from tests.coop.promotion_factories import product_for

pytestmark = pytest.mark.django_db

SEATTLE = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
D = Decimal
Status = Promotion.Status


def deal_input(tenant, *, start: datetime, hours: int = 6, units: int = 300, **overrides) -> PromotionInput:
    product_for(tenant.vendor_code, "B0DEAL0001")
    values = {
        "vendor_code": tenant.vendor_code,
        "name": "Headphones Lightning Deal",
        "promotion_type": Promotion.Type.LIGHTNING_DEAL,
        "start_at": start,
        "end_at": start + timedelta(hours=hours),
        "merchandising_fee": D("500.00"),
        "brand_funding_share_pct": D("60"),
        "items": [ItemInput("B0DEAL0001", D("100.00"), D("75.00"), D("20.00"), units)],
    }
    values.update(overrides)
    return PromotionInput(**values)


def statuses(promotion: Promotion) -> list[tuple[str, str]]:
    return list(promotion.transitions.values_list("from_status", "to_status"))


# -- create / edit ---------------------------------------------------------------------------------


def test_brand_manager_creates_a_draft_with_items_and_a_log_row(brand_a, brand_manager) -> None:
    start = datetime(2027, 3, 10, 9, 0, tzinfo=SEATTLE)
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=start))
    promotion.refresh_from_db()
    assert promotion.status == Status.DRAFT
    assert promotion.brand == brand_a.brand
    assert promotion.marketplace == brand_a.vendor_code.marketplace
    assert promotion.currency == "USD"
    assert promotion.start_at == datetime(2027, 3, 10, 17, 0, tzinfo=UTC)  # stored in UTC
    assert list(promotion.items.values_list("asin", "per_unit_funding", "units_forecast")) == [
        ("B0DEAL0001", D("20.00"), 300)
    ]
    assert promotion.items.values_list("product__asin", flat=True).get() == "B0DEAL0001"
    assert statuses(promotion) == [("", "DRAFT")]
    assert promotion.transitions.get().actor == brand_manager


def test_viewer_and_finance_cannot_plan_promotions(brand_a, viewer, finance) -> None:
    start = datetime(2027, 3, 10, 9, 0, tzinfo=SEATTLE)
    for user in (viewer, finance):
        with pytest.raises(PermissionRefused, match="plan promotions"):
            promotion_create(user=user, data=deal_input(brand_a, start=start))
    assert Promotion.objects.count() == 0


def test_another_brand_cannot_plan_on_my_vendor_code(brand_a, outsider) -> None:
    with pytest.raises(PermissionRefused):
        promotion_create(user=outsider, data=deal_input(brand_a, start=datetime(2027, 3, 10, tzinfo=UTC)))
    assert Promotion.objects.count() == 0


def test_unknown_asin_is_refused_with_item_and_value(brand_a, brand_manager) -> None:
    data = deal_input(brand_a, start=datetime(2027, 3, 10, tzinfo=UTC))
    data = PromotionInput(**{**data.__dict__, "items": [ItemInput("B0NOTMINE1", D("10"), D("8"), D("1"), 1)]})
    with pytest.raises(ApplicationError) as caught:
        promotion_create(user=brand_manager, data=data)
    assert caught.value.message == (
        "Item 1: B0NOTMINE1 is not an ASIN of Acme Audio on amazon.com; expected one from the catalog."
    )
    assert caught.value.extra == {"item": 1, "field": "asin", "value": "B0NOTMINE1"}
    assert Promotion.objects.count() == 0


def test_brand_share_must_be_0_to_100(brand_a, brand_manager) -> None:
    data = deal_input(brand_a, start=datetime(2027, 3, 10, tzinfo=UTC), brand_funding_share_pct=D("100.01"))
    with pytest.raises(ApplicationError, match="100"):
        promotion_create(user=brand_manager, data=data)
    assert Promotion.objects.count() == 0


def test_only_drafts_can_be_edited(brand_a, brand_manager) -> None:
    start = datetime(2027, 3, 10, 9, 0, tzinfo=SEATTLE)
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=start))
    changed = promotion_update(promotion=promotion, user=brand_manager, data=deal_input(brand_a, start=start, units=10))
    assert changed.items.get().units_forecast == 10
    Promotion.objects.filter(pk=promotion.pk).update(status=Status.READY)
    with pytest.raises(ApplicationError, match="Only drafts can be edited; this promotion is ready to submit"):
        promotion_update(promotion=promotion, user=brand_manager, data=deal_input(brand_a, start=start, units=99))
    assert promotion.items.get().units_forecast == 10


# -- moving ----------------------------------------------------------------------------------------


def test_moving_a_draft_keeps_local_wall_clock_across_daylight_saving(brand_a, brand_manager) -> None:
    # 09:00-15:00 on 6 Mar 2027 in Seattle (PST); US daylight saving starts on 14 Mar.
    start = datetime(2027, 3, 6, 9, 0, tzinfo=SEATTLE)
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=start))
    moved = promotion_move(promotion=promotion, user=brand_manager, days=14)
    moved.refresh_from_db()
    assert moved.local_start.replace(tzinfo=None) == datetime(2027, 3, 20, 9, 0)
    assert moved.local_end.replace(tzinfo=None) == datetime(2027, 3, 20, 15, 0)
    assert moved.start_at == datetime(2027, 3, 20, 16, 0, tzinfo=UTC)  # PDT is UTC-7


def test_only_drafts_move(brand_a, brand_manager) -> None:
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 3, 6, tzinfo=UTC)))
    Promotion.objects.filter(pk=promotion.pk).update(status=Status.SUBMITTED)
    with pytest.raises(ApplicationError, match=r"Only drafts can be moved; this promotion is submitted\."):
        promotion_move(promotion=promotion, user=brand_manager, days=1)


# -- approval: rules first --------------------------------------------------------------------------


def test_request_for_approval_is_refused_while_a_rule_fails_and_says_why(brand_a, brand_manager) -> None:
    start = datetime(2026, 12, 12, 9, 0, tzinfo=SEATTLE)  # 9 days after NOW: inside the 4-week lead time
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=start))
    with pytest.raises(RulesFailed) as caught:
        promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    assert caught.value.message == (
        "Amazon's rules refuse the request for approval: 1 rule fails. Lightning Deals must be submitted at least "
        "4 weeks before they start; this one starts in 9 days (on 12 Dec 2026 in amazon.com's time zone)."
    )
    assert [f["code"] for f in caught.value.extra["rule_failures"]] == ["LEAD_TIME"]
    promotion.refresh_from_db()
    assert promotion.status == Status.DRAFT
    assert statuses(promotion) == [("", "DRAFT")]
    # Moved five weeks later, it passes.
    promotion_move(promotion=promotion, user=brand_manager, days=35)
    asked = promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    assert asked.status == Status.INTERNAL_APPROVAL


def test_above_the_threshold_only_a_finance_approver_approves_and_never_the_requester(
    brand_a, brand_manager, reviewer, finance_approver, second_approver
) -> None:
    # DOMAIN.md §3.5: 300 units x 20.00 + 500.00 fee = 6,500.00 > the 5,000.00 default threshold.
    promotion = promotion_create(
        user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC))
    )
    asked = promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    assert asked.needs_finance_approval is True
    assert asked.approval_vendor_cost == D("6500.00")
    assert asked.requested_by == brand_manager
    log = asked.transitions.latest("at", "id")
    assert log.note == (
        "Forecast vendor cost 6,500.00 USD is above the 5,000.00 USD threshold: a finance approver approves."
    )
    with pytest.raises(PermissionRefused, match="a finance approver must approve"):
        promotion_transition(promotion=promotion, user=reviewer, action="approve")
    with pytest.raises(PermissionRefused, match="You asked for this approval"):
        promotion_transition(promotion=promotion, user=brand_manager, action="approve")
    assert [name for name, _ in available_actions(promotion=asked, user=reviewer)] == ["send_back", "cancel"]
    approved = promotion_transition(promotion=promotion, user=finance_approver, action="approve", note="Budget OK")
    assert approved.status == Status.READY
    assert approved.approved_by == finance_approver
    assert statuses(approved) == [("", "DRAFT"), ("DRAFT", "INTERNAL_APPROVAL"), ("INTERNAL_APPROVAL", "READY")]
    last = approved.transitions.latest("at", "id")
    assert (last.actor, last.actor_roles, last.note) == (finance_approver, "finance_approver", "Budget OK")


def test_a_finance_approver_who_requested_cannot_approve_their_own(brand_a, finance_approver) -> None:
    from planning.models import Membership

    Membership.objects.create(user=finance_approver, brand=brand_a.brand, role=Membership.Role.BRAND_MANAGER)
    promotion = promotion_create(
        user=finance_approver, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC))
    )
    promotion_transition(promotion=promotion, user=finance_approver, action="request_approval", now=NOW)
    with pytest.raises(PermissionRefused, match="someone else must approve"):
        promotion_transition(promotion=promotion, user=finance_approver, action="approve")
    promotion.refresh_from_db()
    assert promotion.status == Status.INTERNAL_APPROVAL


def test_below_the_threshold_another_brand_manager_approves(brand_a, brand_manager, reviewer) -> None:
    data = deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC), units=100)  # 2,000 + 500 = 2,500
    promotion = promotion_create(user=brand_manager, data=data)
    asked = promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    assert asked.needs_finance_approval is False
    approved = promotion_transition(promotion=promotion, user=reviewer, action="approve")
    assert approved.status == Status.READY


def test_threshold_is_exclusive_and_configurable_per_brand_and_currency(brand_a, brand_manager, reviewer) -> None:
    PromotionPolicy.objects.create(brand=brand_a.brand, currency="USD", finance_approval_threshold=D("6500.00"))
    promotion = promotion_create(
        user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC))
    )
    asked = promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    assert asked.needs_finance_approval is False  # 6,500.00 is not above 6,500.00
    assert promotion_transition(promotion=promotion, user=reviewer, action="approve").status == Status.READY


@override_settings(COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE="100.00")
def test_threshold_default_comes_from_settings(brand_a, brand_manager) -> None:
    data = deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC), units=1)  # 20 + 500 = 520
    promotion = promotion_create(user=brand_manager, data=data)
    assert promotion_transition(
        promotion=promotion, user=brand_manager, action="request_approval", now=NOW
    ).needs_finance_approval


def test_submission_rechecks_the_rules_at_submission_time(brand_a, brand_manager, reviewer) -> None:
    start = datetime(2027, 1, 10, 9, 0, tzinfo=SEATTLE)  # 38 days after NOW
    promotion = promotion_create(user=brand_manager, data=deal_input(brand_a, start=start, units=100))
    promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    promotion_transition(promotion=promotion, user=reviewer, action="approve")
    # Approval took two weeks: now only 24 days are left.
    later = NOW + timedelta(days=14)
    with pytest.raises(RulesFailed, match="refuse the submission"):
        promotion_transition(promotion=promotion, user=brand_manager, action="submit", now=later)
    promotion.refresh_from_db()
    assert promotion.status == Status.READY
    submitted = promotion_transition(
        promotion=promotion,
        user=brand_manager,
        action="submit",
        amazon_promotion_id="PRM-123",
        now=NOW + timedelta(days=1),
    )
    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_at == NOW + timedelta(days=1)
    assert submitted.amazon_promotion_id == "PRM-123"


def test_amazon_side_statuses_and_finance_closing(brand_a, brand_manager, reviewer, finance) -> None:
    promotion = promotion_create(
        user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC), units=10)
    )
    for user, action in (
        (brand_manager, "request_approval"),
        (reviewer, "approve"),
        (brand_manager, "submit"),
        (brand_manager, "mark_pending"),
        (brand_manager, "mark_approved"),
        (brand_manager, "mark_running"),
        (brand_manager, "mark_ended"),
    ):
        promotion_transition(promotion=promotion, user=user, action=action, now=NOW)
    with pytest.raises(PermissionRefused, match="invoiced"):
        promotion_transition(promotion=promotion, user=brand_manager, action="mark_invoiced")
    promotion_transition(promotion=promotion, user=finance, action="mark_invoiced")
    done = promotion_transition(promotion=promotion, user=finance, action="mark_reconciled")
    assert done.status == Status.RECONCILED
    assert [t for _, t in statuses(done)] == [
        "DRAFT",
        "INTERNAL_APPROVAL",
        "READY",
        "SUBMITTED",
        "PENDING_APPROVAL",
        "APPROVED",
        "RUNNING",
        "ENDED",
        "INVOICED",
        "RECONCILED",
    ]


def test_impossible_steps_and_missing_notes_are_refused(brand_a, brand_manager) -> None:
    promotion = promotion_create(
        user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC))
    )
    with pytest.raises(ApplicationError, match="“Mark as submitted to Amazon” is not possible: the promotion is draft"):
        promotion_transition(promotion=promotion, user=brand_manager, action="submit")
    with pytest.raises(ApplicationError, match="needs a note"):
        promotion_transition(promotion=promotion, user=brand_manager, action="cancel")
    with pytest.raises(ApplicationError, match="Unknown action 'fly'"):
        promotion_transition(promotion=promotion, user=brand_manager, action="fly")
    canceled = promotion_transition(promotion=promotion, user=brand_manager, action="cancel", note="Budget moved to Q3")
    assert canceled.status == Status.CANCELED
    assert PromotionTransition.objects.filter(
        promotion=promotion, to_status="CANCELED", note="Budget moved to Q3"
    ).exists()


def test_send_back_returns_to_draft_and_clears_the_approval(brand_a, brand_manager, finance_approver) -> None:
    promotion = promotion_create(
        user=brand_manager, data=deal_input(brand_a, start=datetime(2027, 2, 1, 17, tzinfo=UTC))
    )
    promotion_transition(promotion=promotion, user=brand_manager, action="request_approval", now=NOW)
    back = promotion_transition(promotion=promotion, user=finance_approver, action="send_back", note="Fewer units")
    assert (back.status, back.needs_finance_approval, back.approved_by) == (Status.DRAFT, False, None)


def test_lead_time_risks_for_the_alert(brand_a) -> None:
    from coop.promotion_selectors import promotion_lead_time_risks
    from tests.coop.promotion_factories import EventFactory
    from tests.coop.promotion_factories import PromotionFactory
    from tests.coop.promotion_factories import PromotionItemFactory

    late = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        promotion_type="LIGHTNING_DEAL",
        start_at=NOW + timedelta(days=9),
        end_at=NOW + timedelta(days=9, hours=6),
    )
    PromotionItemFactory.create(promotion=late)
    ahead = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        promotion_type="LIGHTNING_DEAL",
        start_at=NOW + timedelta(days=40),
        end_at=NOW + timedelta(days=40, hours=6),
    )
    PromotionItemFactory.create(promotion=ahead)
    event = EventFactory.create(
        name="Holiday Deals",
        start_date=datetime(2026, 12, 20).date(),
        end_date=datetime(2026, 12, 21).date(),
        submission_deadline=datetime(2026, 12, 8).date(),
    )
    pending = PromotionFactory.create(
        vendor_code=brand_a.vendor_code,
        status=Status.PENDING_APPROVAL,
        event=event,
        start_at=datetime(2026, 12, 20, 10, tzinfo=UTC),
        end_at=datetime(2026, 12, 20, 16, tzinfo=UTC),
    )
    risks = promotion_lead_time_risks(vendor_code_ids=[brand_a.vendor_code.pk], now=NOW)
    assert [(r.promotion.pk, r.reason) for r in risks] == [
        (late.pk, "LEAD_TIME"),
        (pending.pk, "PENDING_NEAR_DEADLINE"),
    ]
    assert risks[1].message.startswith(
        "Still pending Amazon's approval 5 days before the Holiday Deals deadline (8 Dec 2026)"
    )
