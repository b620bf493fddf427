"""Business reviews: the §5.6 workflow with its log, the frozen snapshot surviving a restatement (and the
page flagging it), roles, action items carried into the next month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from ingest.models import RetailSalesFact
from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.models import BusinessReviewTransition
from reviews.services.business_reviews import action_item_create
from reviews.services.business_reviews import action_item_update
from reviews.services.business_reviews import review_create
from reviews.services.business_reviews import review_transition
from reviews.services.rollups import rollups_recompute
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
Status = BusinessReview.Status


@pytest.fixture
def sales_march(brand_a: Any) -> Any:
    vc = brand_a.vendor_code
    fact = f.sales(
        vc,
        "B000000001",
        date(2026, 3, 10),
        shipped_cogs=Decimal("1200.00"),
        shipped_units=40,
        ordered_revenue=Decimal("2000.00"),
        ordered_units=50,
    )
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=MARCH, period_end=date(2026, 3, 31))
    return fact


def _kpi(snapshot: dict[str, Any], key: str) -> dict[str, Any]:
    return next(k for s in snapshot["sections"] for k in s["kpis"] if k["key"] == key)


def test_workflow_moves_one_step_at_a_time_and_logs_each(
    brand_a: Any, brand_manager: Any, vendor_ops: Any, sales_march: Any
) -> None:
    review = review_create(user=brand_manager, brand=brand_a.brand, month=date(2026, 3, 17))
    assert (review.month, review.status) == (MARCH, Status.SCHEDULED)

    with pytest.raises(ApplicationError, match="moves to data frozen, not PRESENTED"):
        review_transition(review=review, user=brand_manager, to_status=Status.PRESENTED)
    review = review_transition(review=review, user=brand_manager, to_status=Status.DATA_FROZEN, comment="numbers in")
    review = review_transition(review=review, user=vendor_ops, to_status=Status.PRESENTED)
    with pytest.raises(ApplicationError, match="at least one action item"):
        review_transition(review=review, user=brand_manager, to_status=Status.ACTIONS_ASSIGNED)
    action_item_create(review=review, user=vendor_ops, title="Rush PO", owner=vendor_ops, due_date=date(2026, 4, 15))
    review = review_transition(review=review, user=brand_manager, to_status=Status.ACTIONS_ASSIGNED)
    review = review_transition(review=review, user=brand_manager, to_status=Status.CLOSED)
    with pytest.raises(ApplicationError, match="no further step"):
        review_transition(review=review, user=brand_manager, to_status=Status.CLOSED)

    log = list(
        BusinessReviewTransition.objects.filter(review=review).values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert log == [
        ("", "SCHEDULED", "bm"),
        ("SCHEDULED", "DATA_FROZEN", "bm"),
        ("DATA_FROZEN", "PRESENTED", "ops"),
        ("PRESENTED", "ACTIONS_ASSIGNED", "bm"),
        ("ACTIONS_ASSIGNED", "CLOSED", "bm"),
    ]
    entry = BusinessReviewTransition.objects.filter(review=review).first()
    with pytest.raises(ValidationError):
        entry.save()  # append-only
    with pytest.raises(ApplicationError, match="closed"):
        action_item_create(review=review, user=vendor_ops, title="Late", owner=vendor_ops, due_date=date(2026, 5, 1))


def test_viewers_and_finance_cannot_move_reviews(brand_a: Any, viewer: Any, finance: Any) -> None:
    with pytest.raises(PermissionRefused):
        review_create(user=viewer, brand=brand_a.brand, month=MARCH)
    review = review_create(user=None, brand=brand_a.brand, month=MARCH)
    with pytest.raises(PermissionRefused):
        review_transition(review=review, user=finance, to_status=Status.DATA_FROZEN)
    assert BusinessReview.objects.get(pk=review.pk).status == Status.SCHEDULED


def test_one_review_per_brand_month_scope_and_type(brand_a: Any, brand_manager: Any) -> None:
    review_create(user=brand_manager, brand=brand_a.brand, month=MARCH)
    with pytest.raises(ApplicationError, match="exists already"):
        review_create(user=brand_manager, brand=brand_a.brand, month=date(2026, 3, 31))
    review_create(user=brand_manager, brand=brand_a.brand, month=MARCH, marketplace=brand_a.vendor_code.marketplace)
    assert BusinessReview.objects.count() == 2


def test_freezing_keeps_the_snapshot_after_a_restatement_and_the_page_flags_it(
    brand_a: Any, brand_manager: Any, client_for: Any, sales_march: Any
) -> None:
    review = review_create(user=brand_manager, brand=brand_a.brand, month=MARCH)
    review = review_transition(review=review, user=brand_manager, to_status=Status.DATA_FROZEN)
    assert review.frozen_at is not None
    assert _kpi(review.metrics_snapshot, "shipped_cogs")["value"] == "1200"

    # Amazon restates March: the import updates the fact and the rollups are recomputed.
    RetailSalesFact.objects.filter(pk=sales_march.pk).update(shipped_cogs=Decimal("1150.00"))
    rollups_recompute(vendor_code_ids=[brand_a.vendor_code.pk], period_start=MARCH, period_end=MARCH)

    review.refresh_from_db()
    assert _kpi(review.metrics_snapshot, "shipped_cogs")["value"] == "1200"  # what was presented stays
    response = client_for(brand_manager).get(reverse("review-detail", args=[review.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="frozen-banner"' in page
    assert 'id="restated-banner"' in page
    assert "Shipped COGS: frozen 1,200.00 → live 1,150.00" in page
    assert "1,200.00" in page  # the KPI card shows the frozen number


def test_open_action_items_carry_into_the_next_months_review(
    brand_a: Any, brand_manager: Any, vendor_ops: Any, client_for: Any
) -> None:
    february = review_create(user=brand_manager, brand=brand_a.brand, month=date(2026, 2, 1))
    open_item = action_item_create(
        review=february,
        user=brand_manager,
        title="Fix the soundbar A+ page",
        owner=vendor_ops,
        due_date=date(2026, 3, 15),
    )
    done = action_item_create(
        review=february,
        user=brand_manager,
        title="Send the promo calendar",
        owner=vendor_ops,
        due_date=date(2026, 3, 1),
    )
    action_item_update(item=done, user=vendor_ops, status=ActionItem.Status.DONE)
    assert ActionItem.objects.get(pk=done.pk).completed_at is not None
    march = review_create(user=brand_manager, brand=brand_a.brand, month=MARCH)

    page = client_for(vendor_ops).get(reverse("review-detail", args=[march.pk])).content.decode()
    assert "Fix the soundbar A+ page" in page
    assert "carried from Feb 2026" in page
    assert "Send the promo calendar" not in page  # done items stay with their own review
    assert open_item.review_id == february.pk  # carried by listing, not copied


def test_action_item_owner_must_belong_to_the_brand(brand_a: Any, brand_manager: Any, outsider: Any) -> None:
    review = review_create(user=brand_manager, brand=brand_a.brand, month=MARCH)
    with pytest.raises(ApplicationError, match="member of the brand"):
        action_item_create(review=review, user=brand_manager, title="x", owner=outsider, due_date=MARCH)
    assert not ActionItem.objects.exists()
