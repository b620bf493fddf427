"""Writes for promotions: create, edit, move, the §5.3 workflow, and updates from Amazon's reports.

Workflow (DOMAIN.md §5.3):
DRAFT -> INTERNAL_APPROVAL -> READY -> SUBMITTED -> PENDING_APPROVAL -> APPROVED | NEEDS_YOUR_ATTENTION
| REJECTED | CANCELED; APPROVED -> RUNNING -> ENDED -> INVOICED -> RECONCILED; APPROVED ->
APPROVED_DID_NOT_RUN; RUNNING -> SUPPRESSED.

- Asking for approval and submitting are refused while any Amazon rule fails; the refusal lists
  every failure in plain words.
- Internal approval: the requester never approves their own promotion. Above the brand's
  threshold (PromotionPolicy, else settings.COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE, default 5,000.00)
  only a finance approver may approve; below it another brand manager may.
- Every status change appends a PromotionTransition (who or which import, when, from, to, why).
Role checks live here, not in views. Each transition locks the row and re-reads its status, so two
people clicking at once end with one change applied and the other refused with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPolicy
from coop.promotion_models import PromotionTransition
from coop.promotion_models import PromotionType
from coop.promotion_rules import RuleResult
from coop.promotion_rules import failures
from coop.promotion_rules import fmt_money
from coop.promotion_selectors import promotion_cost_forecast
from coop.promotion_selectors import promotion_rule_results
from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.roles import has_role
from planning.roles import require_role
from planning.roles import user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from coop.models import CoopAgreement
    from planning.models import JBPPlan

Role = Membership.Role
Status = Promotion.Status

EDITOR_ROLES = (Role.BRAND_MANAGER, Role.VENDOR_OPS)
FINANCE_ROLES = (Role.FINANCE, Role.FINANCE_APPROVER)
DEFAULT_FINANCE_THRESHOLD = "5000.00"


class RulesFailed(ApplicationError):
    """Amazon's rules refuse the step; `results` holds every failed rule."""

    def __init__(self, message: str, results: Sequence[RuleResult]) -> None:
        super().__init__(
            message, extra={"rule_failures": [{"code": r.code, "asin": r.asin, "message": r.message} for r in results]}
        )
        self.results = list(results)


# --------------------------------------------------------------------------------------------------
# Configuration


def finance_threshold(*, brand_id: int, currency: str) -> Decimal:
    """Forecast vendor cost above which a finance approver must approve (brand policy, else settings)."""
    policy = PromotionPolicy.objects.filter(brand_id=brand_id, currency=currency).first()
    if policy is not None:
        return policy.finance_approval_threshold
    raw = getattr(settings, "COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE", DEFAULT_FINANCE_THRESHOLD)
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(
            f"COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE must be a decimal number, got {raw!r}"
        ) from exc


# --------------------------------------------------------------------------------------------------
# Create and edit


@dataclass(frozen=True)
class ItemInput:
    asin: str
    reference_price: Decimal | None = None
    promo_price: Decimal | None = None
    per_unit_funding: Decimal = Decimal("0")
    units_forecast: int = 0
    discount_type: str = ""
    discount_amount: Decimal | None = None


@dataclass(frozen=True)
class PromotionInput:
    vendor_code: VendorCode
    name: str
    promotion_type: str
    start_at: datetime
    end_at: datetime
    event: EventCalendar | None = None
    funding_method: str = Promotion.FundingMethod.PER_UNIT_FUNDING
    merchandising_fee: Decimal = Decimal("0")
    max_units: int | None = None
    coupon_budget: Decimal | None = None
    coupon_fee_per_redemption: Decimal = Decimal("0.60")
    brand_funding_share_pct: Decimal = Decimal("100")
    creation_channel: str = Promotion.CreationChannel.SELF_SERVICE
    jbp_plan: JBPPlan | None = None
    funding_agreement: CoopAgreement | None = None
    notes: str = ""
    items: Sequence[ItemInput] = field(default_factory=tuple)


_HEADER_FIELDS = (
    "name",
    "promotion_type",
    "start_at",
    "end_at",
    "event",
    "funding_method",
    "merchandising_fee",
    "max_units",
    "coupon_budget",
    "coupon_fee_per_redemption",
    "brand_funding_share_pct",
    "creation_channel",
    "jbp_plan",
    "funding_agreement",
    "notes",
)


def _roles_text(user: User | None, brand_id: int) -> str:
    if user is None:
        return ""
    return ", ".join(sorted(user_roles(user, brand_id)))[:200]


def _log(
    promotion: Promotion,
    *,
    from_status: str,
    to_status: str,
    actor: User | None,
    note: str = "",
    source: str = PromotionTransition.Source.USER,
) -> PromotionTransition:
    return PromotionTransition.objects.create(
        promotion=promotion,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_roles=_roles_text(actor, promotion.brand_id),
        source=source,
        note=note,
    )


def _validate_items(promotion: Promotion, items: Sequence[ItemInput]) -> list[PromotionItem]:
    """Item rows for the promotion; an ASIN must be in the brand's catalog in that marketplace."""
    seen: set[str] = set()
    asins = [item.asin.strip().upper() for item in items]
    products = {
        p.asin: p
        for p in Product.objects.filter(
            brand_id=promotion.brand_id, marketplace_id=promotion.marketplace_id, asin__in=asins
        )
    }
    rows: list[PromotionItem] = []
    for index, (asin, item) in enumerate(zip(asins, items, strict=True), start=1):
        if asin in seen:
            raise ApplicationError(f"Item {index}: {asin} is listed twice.", extra={"item": index, "field": "asin"})
        seen.add(asin)
        product = products.get(asin)
        if product is None:
            raise ApplicationError(
                f"Item {index}: {asin or '(empty)'} is not an ASIN of {promotion.brand} on "
                f"{promotion.marketplace.domain}; expected one from the catalog.",
                extra={"item": index, "field": "asin", "value": asin},
            )
        if promotion.is_coupon and not item.discount_type:
            raise ApplicationError(
                f"Item {index} ({asin}): a coupon needs a discount type (percent or amount off).",
                extra={"item": index, "field": "discount_type"},
            )
        row = PromotionItem(
            promotion=promotion,
            product=product,
            asin=asin,
            reference_price=item.reference_price,
            promo_price=item.promo_price,
            per_unit_funding=item.per_unit_funding,
            units_forecast=item.units_forecast,
            discount_type=item.discount_type if promotion.is_coupon else "",
            discount_amount=item.discount_amount if promotion.is_coupon else None,
        )
        try:
            row.full_clean(exclude=["promotion"])
        except ValidationError as exc:
            details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
            raise ApplicationError(f"Item {index} ({asin}): {details}", extra={"item": index}) from exc
        rows.append(row)
    return rows


def _clean(promotion: Promotion) -> None:
    try:
        promotion.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        details = " ".join(f"{' '.join(msgs)}" for msgs in exc.message_dict.values())
        raise ApplicationError(details, extra={"fields": exc.message_dict}) from exc


@transaction.atomic
def promotion_create(*, user: User, data: PromotionInput) -> Promotion:
    """A new DRAFT promotion with its items. Brand managers and vendor ops plan promotions."""
    vendor_code = data.vendor_code
    require_role(user, vendor_code.brand_id, EDITOR_ROLES, action="plan promotions")
    promotion = Promotion(
        brand_id=vendor_code.brand_id,
        vendor_code=vendor_code,
        marketplace_id=vendor_code.marketplace_id,
        currency=vendor_code.marketplace.currency,
        status=Status.DRAFT,
        created_by=user,
    )
    for name in _HEADER_FIELDS:
        setattr(promotion, name, getattr(data, name))
    _clean(promotion)
    rows = _validate_items(promotion, data.items)
    promotion.save()
    for row in rows:
        row.promotion = promotion
    PromotionItem.objects.bulk_create(rows)
    _log(promotion, from_status="", to_status=Status.DRAFT, actor=user, note="Created.")
    return promotion


def _lock(promotion: Promotion) -> Promotion:
    # of=("self",): lock only the promotion row; PostgreSQL refuses FOR UPDATE on the nullable event join.
    return (
        Promotion.objects.select_for_update(of=("self",))
        .select_related("marketplace", "event", "brand")
        .get(pk=promotion.pk)
    )


@transaction.atomic
def promotion_update(*, promotion: Promotion, user: User, data: PromotionInput) -> Promotion:
    """Change a DRAFT's header and replace its items. Once asked for approval it is frozen."""
    require_role(user, promotion.brand_id, EDITOR_ROLES, action="edit promotions")
    locked = _lock(promotion)
    if locked.status not in Promotion.EDITABLE_STATUSES:
        raise ApplicationError(
            f"Only drafts can be edited; this promotion is {locked.get_status_display().lower()}."
            " Send it back to draft first.",
            extra={"status": locked.status},
        )
    if data.vendor_code.pk != locked.vendor_code_id:
        raise ApplicationError("The vendor code of a promotion cannot change; create a new promotion instead.")
    for name in _HEADER_FIELDS:
        setattr(locked, name, getattr(data, name))
    _clean(locked)
    rows = _validate_items(locked, data.items)
    locked.save()
    locked.items.all().delete()
    for row in rows:
        row.promotion = locked
    PromotionItem.objects.bulk_create(rows)
    return locked


@transaction.atomic
def promotion_move(*, promotion: Promotion, user: User, days: int = 0, start_at: datetime | None = None) -> Promotion:
    """Move a DRAFT on the calendar: by whole days (drag and drop), or to a new start keeping its length.

    Days are local days of the marketplace, so a deal at 09:00 in Seattle stays at 09:00 across a
    daylight-saving change.
    """
    require_role(user, promotion.brand_id, EDITOR_ROLES, action="move promotions")
    locked = _lock(promotion)
    if locked.status != Status.DRAFT:
        raise ApplicationError(
            f"Only drafts can be moved; this promotion is {locked.get_status_display().lower()}.",
            extra={"status": locked.status},
        )
    tz = locked.tz
    # Work on the local wall clock, then attach the zone: a deal at 09:00 stays at 09:00.
    local_start = timezone.localtime(locked.start_at, tz).replace(tzinfo=None)
    local_end = timezone.localtime(locked.end_at, tz).replace(tzinfo=None)
    if start_at is not None:
        new_start_naive = timezone.localtime(start_at, tz).replace(tzinfo=None)
        new_end_naive = new_start_naive + (local_end - local_start)
    else:
        if not -400 <= days <= 400:
            raise ApplicationError(f"A move of {days} days is out of range; expected at most 400 days either way.")
        new_start_naive = local_start + timedelta(days=days)
        new_end_naive = local_end + timedelta(days=days)
    locked.start_at = new_start_naive.replace(tzinfo=tz)
    locked.end_at = new_end_naive.replace(tzinfo=tz)
    _clean(locked)
    locked.save(update_fields=["start_at", "end_at", "updated_at"])
    return locked


# --------------------------------------------------------------------------------------------------
# Workflow


@dataclass(frozen=True)
class Action:
    label: str
    sources: frozenset[str]
    target: str
    roles: tuple[str, ...]
    check_rules: bool = False
    note_required: bool = False
    danger: bool = False


ACTIONS: dict[str, Action] = {
    "request_approval": Action(
        "Ask for internal approval", frozenset({Status.DRAFT}), Status.INTERNAL_APPROVAL, EDITOR_ROLES, check_rules=True
    ),
    "approve": Action(
        "Approve", frozenset({Status.INTERNAL_APPROVAL}), Status.READY, (Role.BRAND_MANAGER, Role.FINANCE_APPROVER)
    ),
    "send_back": Action(
        "Send back to draft",
        frozenset({Status.INTERNAL_APPROVAL, Status.READY}),
        Status.DRAFT,
        (Role.BRAND_MANAGER, Role.FINANCE_APPROVER, Role.VENDOR_OPS),
        note_required=True,
    ),
    "submit": Action(
        "Mark as submitted to Amazon", frozenset({Status.READY}), Status.SUBMITTED, EDITOR_ROLES, check_rules=True
    ),
    "mark_pending": Action(
        "Amazon: pending approval", frozenset({Status.SUBMITTED}), Status.PENDING_APPROVAL, EDITOR_ROLES
    ),
    "mark_approved": Action(
        "Amazon: approved",
        frozenset({Status.SUBMITTED, Status.PENDING_APPROVAL, Status.NEEDS_YOUR_ATTENTION}),
        Status.APPROVED,
        EDITOR_ROLES,
    ),
    "mark_needs_attention": Action(
        "Amazon: needs your attention",
        frozenset({Status.SUBMITTED, Status.PENDING_APPROVAL}),
        Status.NEEDS_YOUR_ATTENTION,
        EDITOR_ROLES,
        note_required=True,
    ),
    "mark_rejected": Action(
        "Amazon: rejected",
        frozenset({Status.SUBMITTED, Status.PENDING_APPROVAL, Status.NEEDS_YOUR_ATTENTION}),
        Status.REJECTED,
        EDITOR_ROLES,
        note_required=True,
        danger=True,
    ),
    "reopen": Action(
        "Reopen as draft",
        frozenset({Status.NEEDS_YOUR_ATTENTION, Status.REJECTED}),
        Status.DRAFT,
        EDITOR_ROLES,
    ),
    "cancel": Action(
        "Cancel",
        frozenset(
            {
                Status.DRAFT,
                Status.INTERNAL_APPROVAL,
                Status.READY,
                Status.SUBMITTED,
                Status.PENDING_APPROVAL,
                Status.APPROVED,
                Status.NEEDS_YOUR_ATTENTION,
            }
        ),
        Status.CANCELED,
        EDITOR_ROLES,
        note_required=True,
        danger=True,
    ),
    "mark_running": Action("Running", frozenset({Status.APPROVED}), Status.RUNNING, EDITOR_ROLES),
    "mark_did_not_run": Action(
        "Approved but did not run",
        frozenset({Status.APPROVED}),
        Status.APPROVED_DID_NOT_RUN,
        EDITOR_ROLES,
        note_required=True,
    ),
    "mark_suppressed": Action(
        "Suppressed", frozenset({Status.RUNNING}), Status.SUPPRESSED, EDITOR_ROLES, note_required=True
    ),
    "mark_ended": Action("Ended", frozenset({Status.RUNNING}), Status.ENDED, EDITOR_ROLES),
    "mark_invoiced": Action("Invoiced", frozenset({Status.ENDED, Status.SUPPRESSED}), Status.INVOICED, FINANCE_ROLES),
    "mark_reconciled": Action("Reconciled", frozenset({Status.INVOICED}), Status.RECONCILED, FINANCE_ROLES),
}


def available_actions(*, promotion: Promotion, user: User) -> list[tuple[str, Action]]:
    """Actions the user may try from the promotion's status (buttons; services still decide)."""
    roles = user_roles(user, promotion.brand_id)
    out: list[tuple[str, Action]] = []
    for name, action in ACTIONS.items():
        if promotion.status not in action.sources or not roles & set(action.roles):
            continue
        if name == "approve":
            if promotion.requested_by_id == user.pk:
                continue
            if promotion.needs_finance_approval and Role.FINANCE_APPROVER not in roles:
                continue
        out.append((name, action))
    return out


def _refuse_on_failures(promotion: Promotion, *, step: str, now: datetime | None) -> None:
    failed = failures(promotion_rule_results(promotion=promotion, now=now))
    if failed:
        count = len(failed)
        raise RulesFailed(
            f"Amazon's rules refuse {step}: {count} rule{'s' if count != 1 else ''} "
            f"fail{'s' if count == 1 else ''}. " + " ".join(r.message for r in failed),
            failed,
        )


@transaction.atomic
def promotion_transition(
    *,
    promotion: Promotion,
    user: User,
    action: str,
    note: str = "",
    amazon_promotion_id: str = "",
    now: datetime | None = None,
) -> Promotion:
    """Apply one workflow action (a key of ACTIONS) after checking roles, status and rules."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ApplicationError(
            f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}.", extra={"action": action}
        )
    require_role(user, promotion.brand_id, spec.roles, action=spec.label.lower())
    locked = _lock(promotion)
    if locked.status not in spec.sources:
        allowed = ", ".join(sorted(Status(s).label.lower() for s in spec.sources))
        raise ApplicationError(
            f"“{spec.label}” is not possible: the promotion is {locked.get_status_display().lower()} "
            f"(expected {allowed}).",
            extra={"status": locked.status, "action": action},
        )
    note = note.strip()
    if spec.note_required and not note:
        raise ApplicationError(f"Say why (“{spec.label}” needs a note).", extra={"field": "note"})
    if spec.check_rules:
        step = "the request for approval" if action == "request_approval" else "the submission"
        _refuse_on_failures(locked, step=step, now=now)
    moment = now or timezone.now()
    from_status = locked.status
    update = ["status", "updated_at"]
    if action == "request_approval":
        forecast = promotion_cost_forecast(locked)
        threshold = finance_threshold(brand_id=locked.brand_id, currency=locked.currency)
        locked.needs_finance_approval = forecast.vendor_cost > threshold
        locked.approval_vendor_cost = forecast.vendor_cost
        locked.requested_by, locked.requested_at = user, moment
        locked.approved_by, locked.approved_at = None, None
        update += [
            "needs_finance_approval",
            "approval_vendor_cost",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
        ]
        who = "a finance approver" if locked.needs_finance_approval else "another brand manager or a finance approver"
        cost = fmt_money(forecast.vendor_cost, locked.currency)
        relation = "above" if locked.needs_finance_approval else "within"
        limit = fmt_money(threshold, locked.currency)
        note = (
            f"{note} " if note else ""
        ) + f"Forecast vendor cost {cost} is {relation} the {limit} threshold: {who} approves."
    elif action == "approve":
        _check_approver(locked, user)
        locked.approved_by, locked.approved_at = user, moment
        update += ["approved_by", "approved_at"]
    elif action in ("send_back", "reopen"):
        locked.approved_by, locked.approved_at = None, None
        locked.needs_finance_approval = False
        update += ["approved_by", "approved_at", "needs_finance_approval"]
    elif action == "submit":
        locked.submitted_by, locked.submitted_at = user, moment
        update += ["submitted_by", "submitted_at"]
        if amazon_promotion_id.strip():
            locked.amazon_promotion_id = amazon_promotion_id.strip()
            update.append("amazon_promotion_id")
    locked.status = spec.target
    locked.save(update_fields=update)
    _log(locked, from_status=from_status, to_status=spec.target, actor=user, note=note)
    return locked


def _check_approver(promotion: Promotion, user: User) -> None:
    """Maker-checker: never the requester; a finance approver above the threshold."""
    if promotion.requested_by_id == user.pk:
        raise PermissionRefused(
            "You asked for this approval, so someone else must approve it.", extra={"rule": "requester_never_approves"}
        )
    if promotion.needs_finance_approval and not has_role(user, promotion.brand_id, [Role.FINANCE_APPROVER]):
        cost = fmt_money(promotion.approval_vendor_cost or Decimal("0"), promotion.currency)
        raise PermissionRefused(
            f"The forecast vendor cost of {cost} is above the finance threshold, so a finance approver must approve.",
            extra={"roles": [Role.FINANCE_APPROVER], "rule": "finance_above_threshold"},
        )


def promotion_type_label(value: str) -> str:
    return PromotionType(value).label


# --------------------------------------------------------------------------------------------------
# Prices and ratings typed in by people


@transaction.atomic
def price_observation_enter(
    *,
    user: User,
    vendor_code: VendorCode,
    asin: str,
    observed_on: date,
    price: Decimal | None,
    rating: Decimal | None,
    note: str = "",
) -> PriceObservation:
    """Record (or correct) the price and/or star rating seen for an ASIN on a day."""
    require_role(user, vendor_code.brand_id, EDITOR_ROLES, action="record prices")
    asin = asin.strip().upper()
    if not Product.objects.filter(
        brand_id=vendor_code.brand_id, marketplace_id=vendor_code.marketplace_id, asin=asin
    ).exists():
        raise ApplicationError(
            f"{asin or '(empty)'} is not an ASIN of {vendor_code.brand} on {vendor_code.marketplace.domain}.",
            extra={"field": "asin", "value": asin},
        )
    if price is None and rating is None:
        raise ApplicationError("Enter a price, a star rating, or both.")
    observation, _ = PriceObservation.objects.update_or_create(
        brand_id=vendor_code.brand_id,
        marketplace_id=vendor_code.marketplace_id,
        asin=asin,
        observed_on=observed_on,
        source=PriceObservation.Source.ENTERED,
        defaults={
            "price": price,
            "rating": rating,
            "currency": vendor_code.marketplace.currency,
            "note": note[:200],
            "entered_by": user,
        },
    )
    return observation
