"""Business reviews and action items: creation, the §5.6 workflow with its log, the frozen snapshot.

Who may do what (checked here, not only in views):
- brand managers and vendor ops schedule reviews, move them through the workflow and manage action
  items; finance may manage action items too; viewers only read.
- SCHEDULED -> DATA_FROZEN stores the page's numbers (metrics_snapshot) and frozen_at; later imports
  never rewrite them. PRESENTED -> ACTIONS_ASSIGNED needs at least one action item on the review.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.periods import month_start
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.roles import require_role
from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.models import BusinessReviewTransition

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

Role = Membership.Role
REVIEW_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS)
ACTION_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)


def _person(user: AnyUser | None) -> Any:
    """The user to record as author or actor: people only (the CLI and the demo seeder act as nobody)."""
    return user if user is not None and user.is_authenticated else None


def _log(review: BusinessReview, from_status: str, to_status: str, user: AnyUser | None, comment: str = "") -> None:
    BusinessReviewTransition.objects.create(
        review=review, from_status=from_status, to_status=to_status, actor=_person(user), comment=comment
    )


@transaction.atomic
def review_create(
    *,
    user: AnyUser | None,
    brand: Brand,
    month: date,
    marketplace: Marketplace | None = None,
    review_type: str = BusinessReview.ReviewType.MBR,
    meeting_date: date | None = None,
    attendees: str = "",
    notes: str = "",
) -> BusinessReview:
    """Schedule a review of a brand's month (one marketplace, or all of them when marketplace is None)."""
    if user is not None:
        require_role(user, brand.pk, REVIEW_ROLES, action="schedule a business review")
    if marketplace is not None and not brand.vendor_codes.filter(marketplace=marketplace).exists():
        raise ApplicationError(f"{brand} has no vendor code in {marketplace.domain}.")
    review = BusinessReview(
        brand=brand,
        month=month_start(month),
        marketplace=marketplace,
        review_type=review_type,
        meeting_date=meeting_date,
        attendees=attendees,
        notes=notes,
        created_by=_person(user),
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        scope = marketplace.domain if marketplace else "all marketplaces"
        raise ApplicationError(
            f"A {review_type} of {brand} for {review.month:%B %Y} ({scope}) exists already.",
            extra={"field": "month"},
        ) from exc
    _log(review, "", review.status, user)
    return review


def review_get_or_create(
    *, brand: Brand, month: date, marketplace: Marketplace | None, user: AnyUser | None
) -> BusinessReview:
    """The brand's MBR of that month and scope, scheduled if missing (demo seeding and the MBR page)."""
    existing = BusinessReview.objects.filter(
        brand=brand, month=month_start(month), marketplace=marketplace, review_type=BusinessReview.ReviewType.MBR
    ).first()
    if existing is not None:
        return existing
    return review_create(user=None, brand=brand, month=month, marketplace=marketplace)


@transaction.atomic
def review_transition(
    *, review: BusinessReview, user: AnyUser | None, to_status: str, comment: str = ""
) -> BusinessReview:
    """Move a review one step along §5.6; DATA_FROZEN stores the snapshot of the page's numbers."""
    if user is not None:
        require_role(user, review.brand_id, REVIEW_ROLES, action="move a business review")
    locked = BusinessReview.objects.select_for_update().get(pk=review.pk)
    expected = locked.next_status
    if expected is None:
        raise ApplicationError(f"The review is {locked.get_status_display().lower()}: no further step.")
    if to_status != expected:
        raise ApplicationError(
            f"A {locked.get_status_display().lower()} review moves to "
            f"{BusinessReview.Status(expected).label.lower()}, not {to_status}.",
            extra={"status": locked.status, "expected": expected},
        )
    if to_status == BusinessReview.Status.ACTIONS_ASSIGNED and not locked.action_items.exists():
        raise ApplicationError("Add at least one action item (owner and due date) before marking actions assigned.")
    from_status = locked.status
    locked.status = to_status
    if to_status == BusinessReview.Status.DATA_FROZEN:
        from reviews.selectors.mbr import mbr_data

        locked.metrics_snapshot = mbr_data(review=locked, user=user).as_snapshot()
        locked.frozen_at = timezone.now()
    locked.save()
    _log(locked, from_status, to_status, user, comment)
    return locked


def _check_owner(review: BusinessReview, owner: Any) -> None:
    if owner is None or not Membership.objects.filter(user=owner, brand_id=review.brand_id).exists():
        raise ApplicationError("The owner must be a member of the brand.", extra={"field": "owner"})


@transaction.atomic
def action_item_create(
    *,
    review: BusinessReview,
    user: AnyUser | None,
    title: str,
    owner: Any,
    due_date: date,
    status: str = ActionItem.Status.OPEN,
    notes: str = "",
    alert_id: int | None = None,
    initiative_id: int | None = None,
) -> ActionItem:
    if user is not None:
        require_role(user, review.brand_id, ACTION_ROLES, action="add action items")
    if review.status == BusinessReview.Status.CLOSED:
        raise ApplicationError("The review is closed: add the action to the next month's review.")
    title = title.strip()
    if not title:
        raise ApplicationError("Give the action a title.", extra={"field": "title"})
    _check_owner(review, owner)
    if initiative_id is not None:
        from planning.jbp_models import JBPInitiative

        if not JBPInitiative.objects.filter(pk=initiative_id, plan__brand_id=review.brand_id).exists():
            raise ApplicationError("Unknown initiative for this brand.", extra={"field": "initiative"})
    item = ActionItem.objects.create(
        review=review,
        title=title,
        owner=owner,
        due_date=due_date,
        status=status,
        notes=notes,
        alert_id=alert_id,
        initiative_id=initiative_id,
        completed_at=timezone.now() if status == ActionItem.Status.DONE else None,
        created_by=_person(user),
    )
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, user: AnyUser | None, **changes: Any) -> ActionItem:
    """Change title, owner, due date, status or notes; DONE records when, reopening clears it."""
    if user is not None:
        require_role(user, item.review.brand_id, ACTION_ROLES, action="change action items")
    allowed = {"title", "owner", "due_date", "status", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))} of an action item.")
    if "owner" in changes:
        _check_owner(item.review, changes["owner"])
    if "title" in changes and not str(changes["title"]).strip():
        raise ApplicationError("Give the action a title.", extra={"field": "title"})
    if "status" in changes and changes["status"] not in ActionItem.Status.values:
        raise ApplicationError(f"Unknown status {changes['status']!r}.", extra={"field": "status"})
    for name, value in changes.items():
        setattr(item, name, value.strip() if name == "title" else value)
    if "status" in changes:
        item.completed_at = timezone.now() if item.status == ActionItem.Status.DONE else None
    item.save()
    return item
