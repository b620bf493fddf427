"""The promotions demo: a year of promotions in every state, idempotent, with the cases people try first."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from coop.promotion_demo import seed_promotions_demo
from coop.promotion_models import EventCalendar
from coop.promotion_models import PriceObservation
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionPerformance
from coop.promotion_models import PromotionTransition
from coop.promotion_selectors import rule_results_for
from planning.demo import DemoContext
from planning.demo import seed_catalog

pytestmark = pytest.mark.django_db


def _ctx() -> DemoContext:
    ctx = DemoContext(seed=42, today=date(2026, 11, 26), password="demo-pass", log=lambda _: None)
    seed_catalog(ctx)
    return ctx


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Promotion,
            PromotionItem,
            PromotionTransition,
            EventCalendar,
            PriceObservation,
            PromotionPerformance,
        )
    )


def test_demo_covers_every_status_and_is_idempotent() -> None:
    ctx = _ctx()
    seed_promotions_demo(ctx)
    first = _counts()
    assert first[0] == 4 * 24  # 4 vendor codes x 24 planned promotions
    assert set(Promotion.objects.values_list("status", flat=True)) == set(Promotion.Status.values)
    assert set(Promotion.objects.values_list("promotion_type", flat=True)) >= {
        "LIGHTNING_DEAL",
        "BEST_DEAL",
        "PRIME_EXCLUSIVE_BEST_DEAL",
        "PRICE_DISCOUNT",
        "PRIME_EXCLUSIVE_DISCOUNT",
        "COUPON",
        "DEAL_OF_THE_DAY",
    }
    seed_promotions_demo(_ctx())
    assert _counts() == first


def test_demo_has_a_draft_inside_its_lead_time_and_a_conflict() -> None:
    seed_promotions_demo(_ctx())
    drafts = list(
        Promotion.objects.filter(vendor_code__code="ACMEU", status="DRAFT")
        .select_related("marketplace", "event")
        .prefetch_related("items")
    )
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    results = rule_results_for(drafts, now=now)
    failing = {p.name.split(" · ")[0]: {r.code for r in results[p.pk] if not r.passed} for p in drafts}
    assert failing["Lightning Deal (too soon)"] == {"LEAD_TIME"}
    assert failing["February Lightning Deal"] == {"BACK_TO_BACK"}
    assert failing["Spring Prime Exclusive Discount"] == set()


def test_demo_results_for_promotions_that_ran() -> None:
    seed_promotions_demo(_ctx())
    ended = Promotion.objects.get(vendor_code__code="ACMEU", name__startswith="April Lightning Deal")
    performance = PromotionPerformance.objects.get(promotion=ended)
    assert performance.units_sold and performance.units_sold > 0
    assert performance.vendor_cost is not None and performance.vendor_cost > 500
    assert ended.transitions.filter(to_status="INVOICED").exists()
