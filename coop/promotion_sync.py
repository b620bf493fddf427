"""Keeping promotions in step with what Amazon reports (services called by the import listener).

- `promotion_sync_from_reports`: promotion and coupon performance facts -> Amazon-side statuses,
  Amazon ids and funding agreement ids on our promotions. Promotions Amazon reports that the app does
  not know (created by the account team, FULL-SERVICE, or in Vendor Central directly) are added so the
  calendar and the results are complete.
- `price_observations_refresh`: daily retail sales -> one IMPORTED price per ASIN and day (ordered
  revenue / ordered units), the input of the "lowest price of the past 90 days" rules.
- `promotion_performance_refresh`: stored results (units, revenue, vendor cost, lift, ROI, halo).

Everything is idempotent: running it twice on the same facts changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coop.calculations import promotion_funding
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPerformance
from coop.promotion_models import PromotionTransition
from coop.promotion_models import PromotionType
from coop.promotion_results import MAX_LOOKBACK_WEEKS
from coop.promotion_results import DailySales
from coop.promotion_results import halo_against_baseline
from coop.promotion_results import lift_against_baseline
from coop.promotion_results import roi
from core.money import round2
from ingest.models import CouponResultFact
from ingest.models import PromotionResultFact
from ingest.models import RetailSalesFact
from planning.models import Product
from planning.models import VendorCode

logger = logging.getLogger(__name__)

Status = Promotion.Status
ZERO = Decimal("0")

# Our statuses that Amazon's report must not overwrite: people or finance recorded them after the fact.
_FINAL = frozenset(
    {Status.INVOICED, Status.RECONCILED, Status.SUPPRESSED, Status.APPROVED_DID_NOT_RUN, Status.REJECTED}
)
_AMAZON_STATUS = {
    "PENDING_APPROVAL": Status.PENDING_APPROVAL,
    "NEEDS_YOUR_ATTENTION": Status.NEEDS_YOUR_ATTENTION,
    "CANCELED": Status.CANCELED,
    "CANCELLED": Status.CANCELED,
    "REJECTED": Status.REJECTED,
    "SUPPRESSED": Status.SUPPRESSED,
}


def status_from_amazon(
    amazon_status: str, *, start_at: datetime | None, end_at: datetime | None, now: datetime
) -> str | None:
    """Our status for Amazon's: APPROVED becomes RUNNING or ENDED by the clock; unknown -> None."""
    value = (amazon_status or "").strip().upper()
    if value == "APPROVED":
        if end_at is not None and now >= end_at:
            return Status.ENDED
        if start_at is not None and now >= start_at:
            return Status.RUNNING
        return Status.APPROVED
    return _AMAZON_STATUS.get(value)


@dataclass
class SyncOutcome:
    updated: int = 0
    created: int = 0
    linked: int = 0
    touched: set[int] | None = None  # promotion ids whose results should be recomputed

    def __post_init__(self) -> None:
        if self.touched is None:
            self.touched = set()


def _set_status(
    promotion: Promotion,
    new_status: str,
    *,
    note: str,
    now: datetime,
    source: str = PromotionTransition.Source.IMPORT,
) -> bool:
    if new_status == promotion.status or promotion.status in _FINAL:
        return False
    old = promotion.status
    promotion.status = new_status
    PromotionTransition.objects.create(
        promotion=promotion,
        from_status=old,
        to_status=new_status,
        actor=None,
        source=source,
        note=note,
        at=now,
    )
    return True


def _channel(value: str | None) -> str:
    text = (value or "").strip().upper().replace("_", "-")
    return text if text in Promotion.CreationChannel.values else Promotion.CreationChannel.MANUAL


def _type(value: str | None) -> str | None:
    text = (value or "").strip().upper()
    return text if text in PromotionType.values else None


@transaction.atomic
def promotion_sync_from_reports(
    *, vendor_code_ids: Sequence[int], import_id: int | None = None, now: datetime | None = None
) -> SyncOutcome:
    """Apply imported promotion and coupon performance facts of these vendor codes to our promotions."""
    now = now or timezone.now()
    outcome = SyncOutcome()
    source = f" (import #{import_id})" if import_id else ""
    codes = {
        vc.pk: vc for vc in VendorCode.objects.filter(pk__in=vendor_code_ids).select_related("marketplace", "brand")
    }
    facts = list(PromotionResultFact.objects.filter(vendor_code_id__in=codes).order_by("promotion_id", "asin"))
    by_promotion: dict[tuple[int, str], list[PromotionResultFact]] = defaultdict(list)
    for fact in facts:
        by_promotion[(fact.vendor_code_id, fact.promotion_id)].append(fact)
    known = {
        (p.marketplace_id, p.amazon_promotion_id): p
        for p in Promotion.objects.filter(vendor_code_id__in=codes).exclude(amazon_promotion_id="")
    }
    for (vendor_code_id, promotion_id), rows in by_promotion.items():
        vendor_code = codes[vendor_code_id]
        head = next((r for r in rows if r.asin == ""), rows[0])
        asin_rows = [r for r in rows if r.asin]
        promotion = known.get((vendor_code.marketplace_id, promotion_id))
        if promotion is None:
            promotion = _link_planned(vendor_code, head, asin_rows)
            if promotion is not None:
                outcome.linked += 1
        if promotion is None:
            promotion = _create_from_report(vendor_code, head, asin_rows, now=now, source=source)
            if promotion is None:
                continue
            outcome.created += 1
        changed = _apply_head(promotion, head, now=now, source=source)
        outcome.updated += int(changed)
        outcome.touched.add(promotion.pk)  # type: ignore[union-attr]
    outcome_coupons = _sync_coupons(codes, now=now, source=source)
    outcome.created += outcome_coupons.created
    outcome.updated += outcome_coupons.updated
    outcome.touched |= outcome_coupons.touched or set()  # type: ignore[operator]
    return outcome


def _apply_head(promotion: Promotion, head: PromotionResultFact, *, now: datetime, source: str) -> bool:
    fields: list[str] = []
    if head.status and head.status != promotion.amazon_status:
        promotion.amazon_status = head.status
        promotion.amazon_status_at = head.last_updated_at or now
        fields += ["amazon_status", "amazon_status_at"]
    if head.funding_agreement_id and head.funding_agreement_id != promotion.amazon_funding_agreement_id:
        promotion.amazon_funding_agreement_id = head.funding_agreement_id
        fields.append("amazon_funding_agreement_id")
        agreement = _agreement_for(promotion, head.funding_agreement_id)
        if agreement is not None and promotion.funding_agreement_id != agreement:
            promotion.funding_agreement_id = agreement
            fields.append("funding_agreement")
    new_status = status_from_amazon(head.status or "", start_at=promotion.start_at, end_at=promotion.end_at, now=now)
    if new_status is not None and _set_status(
        promotion,
        new_status,
        note=f"Amazon reports {head.status} in the promotion performance report{source}.",
        now=now,
    ):
        fields.append("status")
    if fields:
        promotion.save(update_fields=[*fields, "updated_at"])
    return bool(fields)


def _agreement_for(promotion: Promotion, amazon_agreement_id: str) -> int | None:
    from coop.models import CoopAgreement

    return (
        CoopAgreement.objects.filter(vendor_code_id=promotion.vendor_code_id, amazon_agreement_id=amazon_agreement_id)
        .values_list("pk", flat=True)
        .first()
    )


def _link_planned(
    vendor_code: VendorCode, head: PromotionResultFact, asin_rows: list[PromotionResultFact]
) -> Promotion | None:
    """A promotion planned here and submitted without its Amazon id: same type, start, end and ASINs."""
    if head.start_at is None or head.end_at is None:
        return None
    tolerance = timedelta(minutes=1)
    candidates = Promotion.objects.filter(
        vendor_code=vendor_code,
        amazon_promotion_id="",
        promotion_type=_type(head.promotion_type) or "",
        start_at__range=(head.start_at - tolerance, head.start_at + tolerance),
        end_at__range=(head.end_at - tolerance, head.end_at + tolerance),
    ).prefetch_related("items")
    asins = {r.asin for r in asin_rows}
    for candidate in candidates:
        if not asins or {i.asin for i in candidate.items.all()} == asins:
            candidate.amazon_promotion_id = head.promotion_id
            candidate.save(update_fields=["amazon_promotion_id", "updated_at"])
            return candidate
    return None


def _create_from_report(
    vendor_code: VendorCode,
    head: PromotionResultFact,
    asin_rows: list[PromotionResultFact],
    *,
    now: datetime,
    source: str,
) -> Promotion | None:
    promotion_type = _type(head.promotion_type)
    if promotion_type is None or head.start_at is None or head.end_at is None or head.end_at <= head.start_at:
        logger.warning(
            "promotion %s of %s not added: type %r or dates %s-%s unusable",
            head.promotion_id,
            vendor_code.code,
            head.promotion_type,
            head.start_at,
            head.end_at,
        )
        return None
    promotion = Promotion.objects.create(
        brand_id=vendor_code.brand_id,
        vendor_code=vendor_code,
        marketplace_id=vendor_code.marketplace_id,
        name=(head.promotion_name or f"Amazon promotion {head.promotion_id}")[:200],
        promotion_type=promotion_type,
        start_at=head.start_at,
        end_at=head.end_at,
        creation_channel=_channel(head.creation_channel),
        status=Status.SUBMITTED,
        amazon_promotion_id=head.promotion_id,
        currency=head.currency or vendor_code.marketplace.currency,
        submitted_at=head.created_at_amazon,
        notes="Added from Amazon's promotion performance report.",
    )
    PromotionTransition.objects.create(
        promotion=promotion,
        from_status="",
        to_status=Status.SUBMITTED,
        source=PromotionTransition.Source.IMPORT,
        note=f"Found in the promotion performance report{source}; created in Vendor Central "
        f"({promotion.get_creation_channel_display().lower()}).",
        at=now,
    )
    products = {
        p.asin: p
        for p in Product.objects.filter(
            marketplace_id=vendor_code.marketplace_id,
            brand_id=vendor_code.brand_id,
            asin__in=[r.asin for r in asin_rows],
        )
    }
    PromotionItem.objects.bulk_create(
        PromotionItem(promotion=promotion, asin=r.asin, product=products.get(r.asin)) for r in asin_rows
    )
    return promotion


def _sync_coupons(codes: dict[int, VendorCode], *, now: datetime, source: str) -> SyncOutcome:
    outcome = SyncOutcome()
    rows = list(CouponResultFact.objects.filter(vendor_code_id__in=codes).order_by("campaign_id", "coupon_id"))
    if not rows:
        return outcome
    known = {
        (p.marketplace_id, p.amazon_promotion_id): p
        for p in Promotion.objects.filter(vendor_code_id__in=codes, promotion_type=PromotionType.COUPON).exclude(
            amazon_promotion_id=""
        )
    }
    for row in rows:
        vendor_code = codes[row.vendor_code_id]
        promotion = known.get((vendor_code.marketplace_id, row.coupon_id))
        if promotion is None:
            if row.start_at is None or row.end_at is None or row.end_at <= row.start_at:
                continue
            promotion = Promotion.objects.create(
                brand_id=vendor_code.brand_id,
                vendor_code=vendor_code,
                marketplace_id=vendor_code.marketplace_id,
                name=(row.campaign_name or f"Coupon {row.coupon_id}")[:200],
                promotion_type=PromotionType.COUPON,
                start_at=row.start_at,
                end_at=row.end_at,
                creation_channel=Promotion.CreationChannel.MANUAL,
                status=Status.APPROVED,
                amazon_promotion_id=row.coupon_id,
                amazon_campaign_id=row.campaign_id,
                currency=row.currency or vendor_code.marketplace.currency,
                coupon_budget=row.budget,
                notes="Added from Amazon's coupon performance report.",
            )
            PromotionTransition.objects.create(
                promotion=promotion,
                from_status="",
                to_status=Status.APPROVED,
                source=PromotionTransition.Source.IMPORT,
                note=f"Found in the coupon performance report{source}.",
                at=now,
            )
            known[(vendor_code.marketplace_id, row.coupon_id)] = promotion
            outcome.created += 1
        # The coupon report has no status: a coupon in it was approved; the clock says the rest.
        clock = status_from_amazon("APPROVED", start_at=promotion.start_at, end_at=promotion.end_at, now=now)
        if (
            clock is not None
            and promotion.status in (Status.SUBMITTED, Status.PENDING_APPROVAL, Status.APPROVED, Status.RUNNING)
            and _set_status(promotion, clock, note=f"Coupon reported by Amazon{source}.", now=now)
        ):
            promotion.save(update_fields=["status", "updated_at"])
            outcome.updated += 1
        outcome.touched.add(promotion.pk)  # type: ignore[union-attr]
    return outcome


# --------------------------------------------------------------------------------------------------
# Prices from daily sales


def _daily_sales_rows(
    *, brand_id: int, marketplace_id: int, first: date, last: date, asins: Iterable[str] | None = None
) -> Any:
    """(asin, day, ordered units, ordered revenue, currency) of DAY / MANUFACTURING / RETAIL rows."""
    qs = RetailSalesFact.objects.filter(
        brand_id=brand_id,
        marketplace_id=marketplace_id,
        period_grain="DAY",
        distributor_view="MANUFACTURING",
        selling_program="RETAIL",
        period_start__gte=first,
        period_start__lte=last,
    ).exclude(asin="")
    if asins is not None:
        qs = qs.filter(asin__in=list(asins))
    return qs.values_list("asin", "period_start", "ordered_units", "ordered_revenue", "currency")


@transaction.atomic
def price_observations_refresh(*, vendor_code_ids: Sequence[int], first: date, last: date) -> int:
    """IMPORTED daily prices (ordered revenue / ordered units) for the vendor codes' ASINs; returns rows written."""
    written = 0
    for vendor_code in VendorCode.objects.filter(pk__in=vendor_code_ids):
        batch: list[PriceObservation] = []
        for asin, day, units, revenue, currency in _daily_sales_rows(
            brand_id=vendor_code.brand_id, marketplace_id=vendor_code.marketplace_id, first=first, last=last
        ):
            if not units or units <= 0 or revenue is None or revenue <= 0:
                continue  # no sale that day: no price to learn (not a price of 0)
            batch.append(
                PriceObservation(
                    brand_id=vendor_code.brand_id,
                    marketplace_id=vendor_code.marketplace_id,
                    asin=asin,
                    observed_on=day,
                    price=round2(Decimal(revenue) / Decimal(units)),
                    currency=currency or "",
                    source=PriceObservation.Source.IMPORTED,
                )
            )
        if batch:
            PriceObservation.objects.bulk_create(
                batch,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["brand", "marketplace", "asin", "observed_on", "source"],
                update_fields=["price", "currency", "updated_at"],
            )
            written += len(batch)
    return written


# --------------------------------------------------------------------------------------------------
# Results


def _promotion_days(promotion: Promotion) -> list[date]:
    first = promotion.local_start.date()
    last = (promotion.local_end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _busy_days(*, brand_id: int, marketplace_id: int, first: date, last: date) -> dict[str, set[date]]:
    """Local days each ASIN of the brand had a live promotion, in [first, last]."""
    busy: dict[str, set[date]] = defaultdict(set)
    window_start = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    window_end = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    promotions = (
        Promotion.objects.filter(
            brand_id=brand_id, marketplace_id=marketplace_id, start_at__lt=window_end, end_at__gt=window_start
        )
        .exclude(status__in=Promotion.DEAD_STATUSES | {Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY})
        .select_related("marketplace")
        .prefetch_related("items")
    )
    for promotion in promotions:
        days = set(_promotion_days(promotion))
        for item in promotion.items.all():
            busy[item.asin] |= days
    return busy


@transaction.atomic
def promotion_performance_refresh(*, promotion: Promotion, now: datetime | None = None) -> PromotionPerformance | None:
    """Recompute and store one promotion's results; None (and nothing stored) before it starts."""
    now = now or timezone.now()
    promotion = Promotion.objects.select_related("marketplace").prefetch_related("items").get(pk=promotion.pk)
    if promotion.start_at > now or promotion.status in Promotion.DEAD_STATUSES:
        PromotionPerformance.objects.filter(promotion=promotion).delete()
        return None
    items = list(promotion.items.all())
    values: dict[str, object] = {"currency": promotion.currency, "computed_at": now}
    reported = _reported(promotion)
    asin_units = reported.pop("_asin_units", {})
    values.update(reported)
    vendor_cost = _actual_vendor_cost(promotion, items, reported, asin_units)
    values["vendor_cost"] = vendor_cost
    days = _promotion_days(promotion)
    first, last = days[0] - timedelta(weeks=MAX_LOOKBACK_WEEKS), days[-1]
    busy = _busy_days(brand_id=promotion.brand_id, marketplace_id=promotion.marketplace_id, first=first, last=last)
    for asin in (i.asin for i in items):  # the measured promotion's own days, even while it is a draft elsewhere
        busy[asin] |= set(days)
    sales = [
        DailySales(asin, day, None if units is None else int(units), revenue)
        for asin, day, units, revenue, _ in _daily_sales_rows(
            brand_id=promotion.brand_id, marketplace_id=promotion.marketplace_id, first=first, last=last
        )
    ]
    promoted = {i.asin for i in items}
    lift = lift_against_baseline(sales=sales, asins=promoted, days=days, busy_days=busy)
    other_asins = {s.asin for s in sales} - promoted
    halo = halo_against_baseline(sales=sales, other_asins=other_asins, days=days, busy_days=busy)
    values.update(
        sales_units=lift.actual_units if lift.asin_days else None,
        sales_revenue=lift.actual_revenue if lift.asin_days else None,
        baseline_units=lift.baseline_units,
        baseline_revenue=lift.baseline_revenue,
        lift=lift.lift,
        incremental_units=lift.incremental_units,
        incremental_revenue=lift.incremental_revenue,
        roi=roi(incremental_revenue=lift.incremental_revenue, vendor_cost=vendor_cost),
        halo_revenue=halo.actual_revenue if halo.asin_days else None,
        halo_baseline_revenue=halo.baseline_revenue,
        halo_incremental_revenue=halo.incremental_revenue,
        halo_lift=halo.revenue_lift,
        baseline_note=lift.note[:300],
    )
    performance, _ = PromotionPerformance.objects.update_or_create(promotion=promotion, defaults=values)
    return performance


def _reported(promotion: Promotion) -> dict[str, object]:
    """What Amazon's performance reports say about the promotion (None where not reported)."""
    out: dict[str, object] = {
        "units_sold": None,
        "revenue": None,
        "glance_views": None,
        "amount_spent": None,
        "clips": None,
        "redemptions": None,
        "budget_spent": None,
        "report_updated_at": None,
    }
    if not promotion.amazon_promotion_id:
        return out
    if promotion.is_coupon:
        rows = list(
            CouponResultFact.objects.filter(
                brand_id=promotion.brand_id,
                marketplace_id=promotion.marketplace_id,
                coupon_id=promotion.amazon_promotion_id,
            )
        )
        if rows:
            out["clips"] = _sum_int(r.clips for r in rows)
            out["redemptions"] = _sum_int(r.redemptions for r in rows)
            out["units_sold"] = out["redemptions"]
            out["budget_spent"] = _sum_money(r.budget_spent for r in rows)
            out["amount_spent"] = out["budget_spent"]
        return out
    facts = list(
        PromotionResultFact.objects.filter(
            brand_id=promotion.brand_id,
            marketplace_id=promotion.marketplace_id,
            promotion_id=promotion.amazon_promotion_id,
        )
    )
    head = next((f for f in facts if f.asin == ""), None)
    parts = [f for f in facts if f.asin]
    source = [head] if head is not None else parts
    if source:
        out["units_sold"] = _sum_int(f.units_sold for f in source)
        out["revenue"] = _sum_money(f.revenue for f in source)
        out["glance_views"] = _sum_int(f.glance_views for f in source)
        out["amount_spent"] = _sum_money(f.amount_spent for f in source)
        stamps = [f.last_updated_at for f in facts if f.last_updated_at]
        out["report_updated_at"] = max(stamps) if stamps else None
    out["_asin_units"] = {f.asin: f.units_sold for f in parts}
    return out


def _sum_int(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _sum_money(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return round2(sum(present, ZERO)) if present else None


def _actual_vendor_cost(
    promotion: Promotion, items: list[PromotionItem], reported: dict[str, object], asin_units: object
) -> Decimal | None:
    """Amazon's reported funding (+ the fee), else per-ASIN units x agreed funding (+ the fee).

    The fee is charged only when a deal went live (§5.3), i.e. when any unit sold.
    """
    spent = reported.get("amount_spent")
    units_sold = reported.get("units_sold")
    went_live = bool(units_sold)
    fee = promotion.merchandising_fee if went_live and not promotion.is_coupon else ZERO
    if isinstance(spent, Decimal):
        return round2(spent + fee)
    if isinstance(asin_units, dict) and asin_units:
        total = ZERO
        funding = {i.asin: i for i in items}
        for asin, units in asin_units.items():
            item = funding.get(asin)
            if item is None or units is None:
                continue
            if item.reference_price is not None and item.promo_price is not None:
                total += promotion_funding(
                    reference_price=item.reference_price,
                    promo_price=item.promo_price,
                    vendor_funding_per_unit=item.per_unit_funding,
                    units_sold=units,
                ).vendor_cost
            else:
                total += round2(Decimal(units) * item.per_unit_funding)
        return round2(total + fee)
    if isinstance(units_sold, int) and len(items) == 1:
        return round2(Decimal(units_sold) * items[0].per_unit_funding + fee)
    return None


def promotions_needing_results(*, vendor_code_ids: Sequence[int], first: date | None, last: date | None) -> list[int]:
    """Promotions whose results depend on daily sales in [first, last] (their days or baseline weeks)."""
    qs = Promotion.objects.filter(vendor_code_id__in=vendor_code_ids).exclude(
        status__in=Promotion.DEAD_STATUSES | {Status.DRAFT, Status.INTERNAL_APPROVAL, Status.READY}
    )
    if first is not None and last is not None:
        window_start = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        window_end = datetime.combine(
            last + timedelta(days=2) + timedelta(weeks=MAX_LOOKBACK_WEEKS), datetime.min.time(), tzinfo=UTC
        )
        qs = qs.filter(Q(start_at__lt=window_end) & Q(end_at__gt=window_start))
    return list(qs.values_list("pk", flat=True))


@transaction.atomic
def promotions_advance_by_clock(*, now: datetime | None = None) -> int:
    """APPROVED promotions whose start has passed become RUNNING; RUNNING ones past their end ENDED.

    Between two promotion reports nothing else would move them; a report that says otherwise
    (CANCELED, NEEDS_YOUR_ATTENTION) still wins when it arrives.
    """
    now = now or timezone.now()
    changed = 0
    due = Promotion.objects.select_for_update().filter(
        Q(status=Status.APPROVED, start_at__lte=now) | Q(status=Status.RUNNING, end_at__lte=now)
    )
    for promotion in due:
        target = Status.ENDED if promotion.end_at <= now else Status.RUNNING
        note = "By the clock: the promotion's start or end time has passed."
        if _set_status(promotion, target, note=note, now=now, source=PromotionTransition.Source.SYSTEM):
            promotion.save(update_fields=["status", "updated_at"])
            changed += 1
    return changed
