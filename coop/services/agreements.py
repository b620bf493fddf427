"""Co-op agreements: recording them, their tiers, and the acceptance that makes Amazon's charges due.

Acceptance moves money (it commits the brand to the rates), so it checks the finance_approver role
here and writes an audit record. Accepting a negotiated agreement that supersedes a provisional one
ends the provisional one at the acceptance date and recomputes both, so the true-up can be read
(selectors.agreements.agreement_true_up).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.utils import timezone

from coop.calculations import Tier
from coop.calculations import sorted_tiers
from coop.models import AgreementTier
from coop.models import CoopAgreement
from coop.services.accruals import accruals_recompute_agreement
from coop.services.audit import audit_record
from coop.services.audit import model_snapshot
from core.exceptions import ApplicationError
from planning.models import Membership
from planning.models import VendorCode
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
Status = CoopAgreement.Status

EDITOR_ROLES = (Role.VENDOR_OPS, Role.FINANCE, Role.FINANCE_APPROVER)
ACCEPT_ROLES = (Role.FINANCE_APPROVER,)
# Terms can change only before acceptance; an accepted agreement is changed by a new one that supersedes it.
EDITABLE_STATUSES = frozenset({Status.PROVISIONAL, Status.PENDING_ACCEPTANCE})
TERM_FIELDS = (
    "amazon_agreement_id",
    "title",
    "agreement_type",
    "calc_basis",
    "rate_pct",
    "per_unit_amount",
    "fixed_amount",
    "currency",
    "start_date",
    "end_date",
    "billing_frequency",
    "payer",
    "selling_program",
    "tier_mode",
    "measured_metric",
    "baseline_amount",
    "baseline_period_start",
    "baseline_period_end",
    "supersedes",
)
ALWAYS_EDITABLE = ("title", "notes", "jbp")


def agreement_snapshot(agreement: CoopAgreement) -> dict[str, Any]:
    data = model_snapshot(agreement, [*TERM_FIELDS, "status", "notes", "jbp"])
    data["tiers"] = [{"threshold": str(t.threshold_growth_pct), "rate": str(t.rate_pct)} for t in agreement.tiers.all()]
    return data


def _save_tiers(agreement: CoopAgreement, tiers: Sequence[Tier]) -> None:
    try:
        ordered = sorted_tiers(tiers)
    except ValueError as exc:
        raise ApplicationError(f"Tiers: {exc}.", extra={"field": "tiers"}) from exc
    for tier in ordered:
        if not Decimal("0") <= tier.rate <= Decimal("1"):
            raise ApplicationError(
                f"Tier from {tier.threshold:.2%}: the rate {tier.rate} must be a fraction between 0 and 1.",
                extra={"field": "tiers"},
            )
    agreement.tiers.all().delete()
    AgreementTier.objects.bulk_create(
        AgreementTier(agreement=agreement, threshold_growth_pct=t.threshold, rate_pct=t.rate) for t in ordered
    )


def _check_growth_tiers(agreement: CoopAgreement) -> None:
    if agreement.is_growth and not agreement.tiers.exists():
        raise ApplicationError("A growth incentive needs at least one tier.", extra={"field": "tiers"})


def agreement_create(
    *,
    vendor_code: VendorCode,
    user: User | None,
    amazon_agreement_id: str,
    title: str,
    agreement_type: str,
    currency: str,
    start_date: date,
    tiers: Sequence[Tier] = (),
    **terms: Any,
) -> CoopAgreement:
    """Record an agreement as PENDING_ACCEPTANCE (or PROVISIONAL); `terms` are other TERM_FIELDS and notes."""
    if user is not None:
        require_role(user, vendor_code.brand_id, EDITOR_ROLES, action="record co-op agreements")
    unknown = set(terms) - set(TERM_FIELDS) - {"notes", "status", "jbp"}
    if unknown:
        raise TypeError(f"unknown agreement fields: {', '.join(sorted(unknown))}")
    status = terms.pop("status", Status.PENDING_ACCEPTANCE)
    if status not in EDITABLE_STATUSES:
        raise ApplicationError(
            "A new agreement starts as provisional or pending acceptance; accept it afterwards.",
            extra={"field": "status"},
        )
    with transaction.atomic():
        agreement = CoopAgreement(
            vendor_code=vendor_code,
            amazon_agreement_id=amazon_agreement_id.strip(),
            title=title,
            agreement_type=agreement_type,
            currency=currency.upper(),
            start_date=start_date,
            status=status,
            created_by=user,
            **terms,
        )
        agreement.full_clean()
        agreement.save()
        _save_tiers(agreement, tiers)
        _check_growth_tiers(agreement)
        audit_record(
            target=agreement,
            brand_id=vendor_code.brand_id,
            action="agreement.create",
            actor=user,
            to_status=agreement.status,
            after=agreement_snapshot(agreement),
        )
        if agreement.status == Status.PROVISIONAL:
            transaction.on_commit(lambda: accruals_recompute_agreement(agreement=agreement))
    return agreement


def agreement_update(
    *, agreement: CoopAgreement, user: User, tiers: Sequence[Tier] | None = None, **changes: Any
) -> CoopAgreement:
    """Change terms before acceptance; afterwards only the title and notes."""
    require_role(user, agreement.vendor_code.brand_id, EDITOR_ROLES, action="edit co-op agreements")
    with transaction.atomic():
        locked = (
            CoopAgreement.objects.select_for_update(of=("self",)).select_related("vendor_code").get(pk=agreement.pk)
        )
        allowed = (
            set(TERM_FIELDS) | set(ALWAYS_EDITABLE) if locked.status in EDITABLE_STATUSES else set(ALWAYS_EDITABLE)
        )
        refused = set(changes) - allowed
        if refused or (tiers is not None and locked.status not in EDITABLE_STATUSES):
            names = ", ".join(sorted(refused | ({"tiers"} if tiers is not None else set())))
            raise ApplicationError(
                f"An {locked.get_status_display().lower()} agreement's terms cannot change ({names}); "
                "record a new agreement that supersedes it.",
                extra={"status": locked.status, "fields": sorted(refused)},
            )
        before = agreement_snapshot(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save()
        if tiers is not None:
            _save_tiers(locked, tiers)
        _check_growth_tiers(locked)
        audit_record(
            target=locked,
            brand_id=locked.vendor_code.brand_id,
            action="agreement.update",
            actor=user,
            from_status=locked.status,
            to_status=locked.status,
            before=before,
            after=agreement_snapshot(locked),
        )
        if locked.status == Status.PROVISIONAL:
            transaction.on_commit(lambda: accruals_recompute_agreement(agreement=locked))
    return locked


def agreement_accept(*, agreement: CoopAgreement, user: User, today: date | None = None) -> CoopAgreement:
    """PENDING_ACCEPTANCE -> ACCEPTED. A superseded provisional agreement ends at the acceptance date
    and becomes SUPERSEDED; both are recomputed so the retroactive true-up shows."""
    require_role(user, agreement.vendor_code.brand_id, ACCEPT_ROLES, action="accept a co-op agreement")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            CoopAgreement.objects.select_for_update(of=("self",)).select_related("vendor_code").get(pk=agreement.pk)
        )
        if locked.status != Status.PENDING_ACCEPTANCE:
            raise ApplicationError(
                f"Only an agreement pending acceptance can be accepted; this one is "
                f"{locked.get_status_display().lower()}.",
                extra={"status": locked.status},
            )
        _check_growth_tiers(locked)
        before = agreement_snapshot(locked)
        locked.status = Status.ACCEPTED
        locked.accepted_at = timezone.now()
        locked.save()
        audit_record(
            target=locked,
            brand_id=locked.vendor_code.brand_id,
            action="agreement.accept",
            actor=user,
            from_status=Status.PENDING_ACCEPTANCE,
            to_status=Status.ACCEPTED,
            before=before,
            after=agreement_snapshot(locked),
        )
        superseded = None
        if locked.supersedes_id:
            superseded = CoopAgreement.objects.select_for_update().get(pk=locked.supersedes_id)
            if superseded.status in (Status.PROVISIONAL, Status.ACCEPTED):
                old = agreement_snapshot(superseded)
                from_status = superseded.status
                superseded.status = Status.SUPERSEDED
                if superseded.end_date is None or superseded.end_date > today:
                    superseded.end_date = max(today, superseded.start_date)
                superseded.save()
                audit_record(
                    target=superseded,
                    brand_id=superseded.vendor_code.brand_id,
                    action="agreement.supersede",
                    actor=user,
                    from_status=from_status,
                    to_status=Status.SUPERSEDED,
                    before=old,
                    after=agreement_snapshot(superseded),
                    comment=f"Superseded by {locked.amazon_agreement_id}.",
                )
    accruals_recompute_agreement(agreement=locked, today=today)
    if superseded is not None:
        accruals_recompute_agreement(agreement=superseded, today=today)
    return locked


def agreement_reject(*, agreement: CoopAgreement, user: User, comment: str) -> CoopAgreement:
    require_role(user, agreement.vendor_code.brand_id, ACCEPT_ROLES, action="reject a co-op agreement")
    if not comment.strip():
        raise ApplicationError("Say why the agreement is rejected.", extra={"field": "comment"})
    with transaction.atomic():
        locked = (
            CoopAgreement.objects.select_for_update(of=("self",)).select_related("vendor_code").get(pk=agreement.pk)
        )
        if locked.status != Status.PENDING_ACCEPTANCE:
            raise ApplicationError(
                f"Only an agreement pending acceptance can be rejected; this one is "
                f"{locked.get_status_display().lower()}.",
                extra={"status": locked.status},
            )
        before = agreement_snapshot(locked)
        locked.status = Status.REJECTED
        locked.save()
        locked.accruals.all().delete()
        audit_record(
            target=locked,
            brand_id=locked.vendor_code.brand_id,
            action="agreement.reject",
            actor=user,
            from_status=Status.PENDING_ACCEPTANCE,
            to_status=Status.REJECTED,
            before=before,
            after=agreement_snapshot(locked),
            comment=comment,
        )
    return locked


def agreements_expire(*, today: date | None = None) -> int:
    """ACCEPTED agreements whose end date has passed become EXPIRED (their accruals stay)."""
    today = today or timezone.localdate()
    expired = 0
    for agreement_id in CoopAgreement.objects.filter(status=Status.ACCEPTED, end_date__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = (
                CoopAgreement.objects.select_for_update(of=("self",))
                .select_related("vendor_code")
                .filter(pk=agreement_id, status=Status.ACCEPTED)
                .first()
            )
            if locked is None:
                continue  # changed meanwhile
            locked.status = Status.EXPIRED
            locked.save()  # save(), not update(): the agreement's history must see the change
            audit_record(
                target=locked,
                brand_id=locked.vendor_code.brand_id,
                action="agreement.expire",
                actor=None,
                from_status=Status.ACCEPTED,
                to_status=Status.EXPIRED,
            )
            expired += 1
    return expired


def agreement_recompute(*, agreement: CoopAgreement, user: User) -> int:
    """Recompute every month's accrual of one agreement on request (the facts may have been fixed)."""
    require_role(user, agreement.vendor_code.brand_id, (*EDITOR_ROLES, Role.BRAND_MANAGER), action="recompute accruals")
    return len(accruals_recompute_agreement(agreement=agreement))
