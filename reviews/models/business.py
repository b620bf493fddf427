"""Business reviews (WBR/MBR/QBR, DOMAIN.md §5.6) and their action items.

A review moves SCHEDULED -> DATA_FROZEN -> PRESENTED -> ACTIONS_ASSIGNED -> CLOSED; every step is
written to the append-only `BusinessReviewTransition` log by reviews.services.business_reviews.
At DATA_FROZEN the page's numbers are stored in `metrics_snapshot`, so later restatements never
rewrite what was presented. Open action items of earlier reviews carry into the next review of the
same brand and scope (they are listed there until done or dropped; nothing is copied).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.models import AuthoredModel
from planning.models import Brand
from planning.models import Marketplace
from planning.scoping import BrandScopedManager


class BusinessReview(AuthoredModel):
    class ReviewType(models.TextChoices):
        WBR = "WBR", "Weekly business review"
        MBR = "MBR", "Monthly business review"
        QBR = "QBR", "Quarterly business review"

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", "Scheduled"
        DATA_FROZEN = "DATA_FROZEN", "Data frozen"
        PRESENTED = "PRESENTED", "Presented"
        ACTIONS_ASSIGNED = "ACTIONS_ASSIGNED", "Actions assigned"
        CLOSED = "CLOSED", "Closed"

    # The only forward steps (DOMAIN.md §5.6); services refuse anything else.
    NEXT_STATUS: ClassVar[dict[str, str]] = {
        Status.SCHEDULED: Status.DATA_FROZEN,
        Status.DATA_FROZEN: Status.PRESENTED,
        Status.PRESENTED: Status.ACTIONS_ASSIGNED,
        Status.ACTIONS_ASSIGNED: Status.CLOSED,
    }

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="business_reviews")
    month = models.DateField(help_text="First day of the reviewed month (a QBR: of the quarter's first month).")
    marketplace = models.ForeignKey(
        Marketplace,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty = all of the brand's marketplaces, converted to the brand currency.",
    )
    review_type = models.CharField(max_length=3, choices=ReviewType.choices, default=ReviewType.MBR)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    meeting_date = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    metrics_snapshot = models.JSONField(null=True, blank=True, help_text="The page's numbers at DATA_FROZEN.")
    frozen_at = models.DateTimeField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["BusinessReview"]()

    class Meta:
        ordering = ["-month", "brand", "review_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "month", "marketplace", "review_type"],
                condition=Q(marketplace__isnull=False),
                name="reviews_review_unique_marketplace",
            ),
            models.UniqueConstraint(
                fields=["brand", "month", "review_type"],
                condition=Q(marketplace__isnull=True),
                name="reviews_review_unique_all",
            ),
        ]

    def __str__(self) -> str:
        scope = self.marketplace.country_code if self.marketplace_id and self.marketplace else "all marketplaces"
        return f"{self.review_type} {self.month:%b %Y} · {self.brand} · {scope}"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.SCHEDULED and self.metrics_snapshot is not None

    @property
    def next_status(self) -> str | None:
        return self.NEXT_STATUS.get(self.status)


class BusinessReviewTransition(models.Model):
    """Append-only: who moved a review from which status to which, when."""

    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=BusinessReview.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=BusinessReview.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comment = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "review__brand"
    objects = BrandScopedManager["BusinessReviewTransition"]()

    class Meta:
        ordering = ["review", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Review transition log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Review transition log entries are append-only.")


class ActionItem(AuthoredModel):
    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"
        DROPPED = "DROPPED", "Dropped"

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.OPEN, Status.IN_PROGRESS)

    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    notes = models.TextField(blank=True)
    # Optional links. Alerts belong to reviews' alerts module (a later issue): kept as an id until then.
    alert_id = models.BigIntegerField(null=True, blank=True, help_text="The alert this action answers, if any.")
    initiative = models.ForeignKey(
        "planning.JBPInitiative", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "review__brand"
    objects = BrandScopedManager["ActionItem"]()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()}, due {self.due_date})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
