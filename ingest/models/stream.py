"""Amazon Ads side: advertiser profiles and Marketing Stream subscriptions and deliveries (DOMAIN.md §2.5)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

from django.db import models
from django.utils import timezone

from core.models import AuthoredModel
from core.models import TimeStampedModel
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode
from planning.scoping import BrandScopedManager

# Marketing Stream delivers hourly, in bursts: three quiet hours on a dataset suggest a broken subscription.
STREAM_QUIET_AFTER = timedelta(hours=3)


class AdsProfile(TimeStampedModel):
    """An Amazon Ads advertiser profile; ties ads facts of one account to a brand."""

    class AccountType(models.TextChoices):
        VENDOR = "vendor", "Vendor"
        SELLER = "seller", "Seller"
        AGENCY = "agency", "Agency"

    profile_id = models.CharField(max_length=32, unique=True, help_text="64-bit id, kept as text.")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="ads_profiles")
    marketplace = models.ForeignKey(
        Marketplace, null=True, blank=True, on_delete=models.PROTECT, related_name="ads_profiles"
    )
    vendor_code = models.ForeignKey(
        VendorCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="ads_profiles"
    )
    account_type = models.CharField(max_length=10, choices=AccountType.choices, default=AccountType.VENDOR)
    name = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=40, blank=True, help_text="Ads report dates are in this time zone.")
    currency = models.CharField(max_length=3, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["AdsProfile"]()

    class Meta:
        ordering = ["profile_id"]

    def __str__(self) -> str:
        return f"Ads profile {self.profile_id}"


class StreamSubscription(AuthoredModel):
    """One Marketing Stream subscription and the receiver URL its deliveries are posted to.

    The id in the URL is a random UUID; the access key is stored only as its sha256 (it is shown once,
    when created) and compared in constant time.
    """

    class Destination(models.TextChoices):
        FIREHOSE = "FIREHOSE", "Amazon Data Firehose (HTTP endpoint)"
        SQS_RELAY = "SQS_RELAY", "SQS / SNS relay"

    class Status(models.TextChoices):
        # The values of Amazon's subscription status (DOMAIN.md §2.5).
        PENDING_CONFIRMATION = "PENDING_CONFIRMATION", "Pending confirmation"
        ACTIVE = "ACTIVE", "Active"
        FAILED_CONFIRMATION = "FAILED_CONFIRMATION", "Failed confirmation"
        FAILED_PROVISIONING = "FAILED_PROVISIONING", "Failed provisioning"
        ARCHIVED = "ARCHIVED", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="stream_subscriptions")
    name = models.CharField(max_length=120, blank=True)
    dataset = models.CharField(max_length=40, help_text="sp-traffic, sp-conversion, budget-usage, ...")
    advertiser_id = models.CharField(max_length=64, blank=True)
    marketplace = models.ForeignKey(
        Marketplace, null=True, blank=True, on_delete=models.PROTECT, related_name="stream_subscriptions"
    )
    amazon_subscription_id = models.CharField(max_length=120, blank=True)
    destination = models.CharField(max_length=12, choices=Destination.choices, default=Destination.FIREHOSE)
    destination_arn = models.CharField(max_length=255, blank=True, help_text="Firehose stream or SQS queue ARN.")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING_CONFIRMATION)
    access_key_sha256 = models.CharField(max_length=64)
    # An SNS SubscriptionConfirmation's URL, recorded for an operator to visit (never fetched by us).
    confirmation_url = models.URLField(max_length=1000, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["StreamSubscription"]()

    class Meta:
        ordering = ["brand", "dataset"]

    def __str__(self) -> str:
        return f"{self.dataset} → {self.get_destination_display()} ({self.status})"


class StreamDelivery(models.Model):
    """One POST to the receiver, stored before it is processed so nothing Amazon sent is ever lost.

    `request_id` (Firehose's X-Amz-Firehose-Request-Id, or the SNS MessageId) is the same on every retry
    of one delivery: unique per subscription, so a retry is stored once.
    """

    class Kind(models.TextChoices):
        FIREHOSE = "FIREHOSE", "Firehose delivery"
        SNS = "SNS", "SNS envelope"

    subscription = models.ForeignKey(StreamSubscription, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    request_id = models.CharField(max_length=128)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    body = models.BinaryField(help_text="The raw request body as received (gzip bodies stay gzipped).")
    content_encoding = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveIntegerField(default=1, help_text="How many times the sender posted it.")
    processed = models.BooleanField(default=False, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    brand_lookup: ClassVar[str] = "subscription__brand"
    objects = BrandScopedManager["StreamDelivery"]()

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "stream deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "request_id"], name="ingest_stream_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.request_id}"


class StreamDatasetState(models.Model):
    """The last message seen per subscription and dataset: a gap here means Amazon stopped sending."""

    subscription = models.ForeignKey(StreamSubscription, on_delete=models.CASCADE, related_name="dataset_states")
    dataset_id = models.CharField(max_length=40)
    last_message_at = models.DateTimeField()
    last_time_window_start = models.DateTimeField(null=True, blank=True)
    messages_total = models.BigIntegerField(default=0)

    brand_lookup: ClassVar[str] = "subscription__brand"
    objects = BrandScopedManager["StreamDatasetState"]()

    class Meta:
        ordering = ["subscription", "dataset_id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "dataset_id"], name="ingest_stream_state_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} last at {self.last_message_at:%Y-%m-%d %H:%M}"

    @property
    def is_quiet(self) -> bool:
        """No message for longer than hourly delivery explains: worth a look (DOMAIN.md §5 ad data failures)."""
        return timezone.now() - self.last_message_at > STREAM_QUIET_AFTER


class AdsBudgetUsage(models.Model):
    """Marketing Stream budget-usage events: how much of a campaign or portfolio budget is spent, when.

    `budget_usage_percentage` is kept exactly as Amazon sends it: whether it is 0-100 or 0-1 is not
    documented (NOTES.md §3), so nothing rescales it before a real message has been checked.
    """

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")
    advertiser_id = models.CharField(max_length=64)
    marketplace_id = models.CharField(max_length=20)
    budget_scope_id = models.CharField(max_length=64)
    budget_scope_type = models.CharField(max_length=20, null=True, blank=True)
    advertising_product_type = models.CharField(max_length=10, null=True, blank=True)
    budget = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    budget_usage_percentage = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    usage_updated_at = models.DateTimeField()
    delivery = models.ForeignKey(StreamDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    brand_lookup: ClassVar[str] = "brand"
    objects = BrandScopedManager["AdsBudgetUsage"]()

    class Meta:
        ordering = ["-usage_updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "advertiser_id", "marketplace_id", "budget_scope_id", "usage_updated_at"],
                name="ingest_budget_usage_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_scope_type} {self.budget_scope_id} at {self.budget_usage_percentage}"
