"""Writes of the Marketing Stream side: subscriptions, storing deliveries, processing them into facts.

The receiver views only authenticate and store (`stream_delivery_receive`); Firehose waits at most three
minutes for an answer, so decoding and loading happen in `stream_delivery_process`, run by a task.
Delivery is at least once: a retried request id is stored once, and facts are upserted on
idempotency_id, so a message delivered twice is counted once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.exceptions import ApplicationError
from ingest import listeners
from ingest.loader import ErrorCollector
from ingest.loader import FactLoader
from ingest.loader import LoadError
from ingest.models import AdsBudgetUsage
from ingest.models import AmsHourlyFact
from ingest.models import StreamDatasetState
from ingest.models import StreamDelivery
from ingest.models import StreamSubscription
from ingest.parsers import ams
from ingest.parsers.base import ParseError
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

SUBSCRIPTION_ROLES = (Membership.Role.BRAND_MANAGER, Membership.Role.VENDOR_OPS)


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_access_key() -> tuple[str, str]:
    """A fresh access key and the digest that is all we store of it."""
    key = secrets.token_urlsafe(32)
    return key, _key_digest(key)


def stream_subscription_create(
    *,
    brand: Brand,
    dataset: str,
    destination: str = StreamSubscription.Destination.FIREHOSE,
    advertiser_id: str = "",
    marketplace: Marketplace | None = None,
    name: str = "",
    destination_arn: str = "",
    user: AbstractBaseUser | AnonymousUser | None = None,
) -> tuple[StreamSubscription, str]:
    """A new receiver endpoint and its access key. The key is returned once and stored only as a hash."""
    if user is not None:
        require_role(user, brand.pk, SUBSCRIPTION_ROLES, action="set up Marketing Stream subscriptions")
    key, digest = new_access_key()
    subscription = StreamSubscription.objects.create(
        brand=brand,
        dataset=dataset,
        destination=destination,
        advertiser_id=advertiser_id,
        marketplace=marketplace,
        name=name,
        destination_arn=destination_arn,
        access_key_sha256=digest,
        created_by=user if user is not None and user.is_authenticated else None,  # type: ignore[misc]
    )
    return subscription, key


def stream_subscription_rotate_key(
    *, subscription: StreamSubscription, user: AbstractBaseUser | AnonymousUser | None = None
) -> str:
    """Replace the access key (configure the new one on the Firehose stream right after)."""
    if user is not None:
        require_role(user, subscription.brand_id, SUBSCRIPTION_ROLES, action="rotate stream access keys")
    key, digest = new_access_key()
    StreamSubscription.objects.filter(pk=subscription.pk).update(access_key_sha256=digest, updated_at=timezone.now())
    subscription.access_key_sha256 = digest
    return key


def access_key_matches(subscription: StreamSubscription, presented: str | None) -> bool:
    """Constant-time comparison of the presented key's hash with the stored hash."""
    if not presented:
        return False
    return hmac.compare_digest(_key_digest(presented), subscription.access_key_sha256)


def stream_delivery_receive(
    *, subscription: StreamSubscription, kind: str, request_id: str, body: bytes, content_encoding: str = ""
) -> tuple[StreamDelivery, bool]:
    """Store a delivery before anything else; a retry of the same request id is stored once.

    Returns (delivery, created). Processing is enqueued on commit for new deliveries and for retries of
    deliveries not processed yet (the first processing attempt may have failed).
    """
    try:
        with transaction.atomic():
            delivery = StreamDelivery.objects.create(
                subscription=subscription,
                kind=kind,
                request_id=request_id,
                body=body,
                content_encoding=content_encoding[:20],
            )
            created = True
    except IntegrityError:
        delivery = StreamDelivery.objects.get(subscription=subscription, request_id=request_id)
        StreamDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
        created = False
    if created or not delivery.processed:
        delivery_id = delivery.pk

        def enqueue() -> None:
            from ingest.tasks import stream_delivery_process_task  # tasks import this module

            stream_delivery_process_task.delay(delivery_id)

        transaction.on_commit(enqueue)
    return delivery, created


def stream_delivery_process(delivery_id: int) -> StreamDelivery | None:
    """Decode one stored delivery and upsert its hourly rows; idempotent (processed deliveries are skipped)."""
    delivery = (
        StreamDelivery.objects.select_related("subscription__brand").filter(pk=delivery_id, processed=False).first()
    )
    if delivery is None:
        return None
    subscription = delivery.subscription
    label = f"{delivery.get_kind_display()} {delivery.request_id}"
    body = bytes(delivery.body)
    try:
        if delivery.kind == StreamDelivery.Kind.FIREHOSE:
            _request_id, messages = ams.decode_firehose_body(body, delivery.content_encoding or None)
        else:
            envelope = ams.decode_sns_envelope(body)
            if "sns_type" in envelope:
                _record_sns_control(delivery, envelope)
                return delivery
            messages = [envelope]
    except ParseError as exc:
        _finish(delivery, error=str(exc.error))
        return delivery
    parsed = ams.ams_messages_to_frame(messages, file_label=label)
    collector = ErrorCollector()
    budget_rows = ams.budget_usage_rows(messages, file_label=label, errors=parsed.errors)
    loader = FactLoader(
        model=AmsHourlyFact,
        brand=subscription.brand,
        import_id=None,
        file_name=label,
        errors=collector,
        stage_suffix=f"d{delivery.pk}",
    )
    try:
        summary = loader.stage(parsed.chunks)
        collector.extend(parsed.errors)
        with transaction.atomic():
            counts = loader.apply(replaces_window=False, data_start=None, data_end=None)
            # Unlike a file import, valid messages are kept even when some are not: a stream cannot be
            # downloaded again, and the raw body stays here for reprocessing.
            error = "; ".join(str(e) for e in collector.kept[:20])
            if collector.count > 20:
                error += f"; and {collector.count - 20} more"
            _finish(
                delivery,
                error=error,
                record_count=len(messages),
                inserted=counts.inserted + counts.updated,
                unchanged=counts.unchanged,
            )
            _store_budget_usage(subscription, delivery, budget_rows)
            _record_datasets(subscription, delivery, parsed.options)
            if counts.inserted + counts.updated:
                event = listeners.FactsChanged(
                    import_id=None,
                    fact_table=AmsHourlyFact.fact_table,
                    vendor_code_ids=(),
                    marketplace_ids=tuple(sorted(summary.marketplace_ids)),
                    period_start=parsed.data_start,
                    period_end=parsed.data_end,
                )
                transaction.on_commit(lambda: listeners.announce(event))
    except LoadError as exc:
        _finish(delivery, error="; ".join(str(e) for e in exc.errors[:20]))
    finally:
        loader.drop_stage()
    return delivery


def _finish(
    delivery: StreamDelivery, *, error: str = "", record_count: int = 0, inserted: int = 0, unchanged: int = 0
) -> None:
    delivery.processed = True
    delivery.processed_at = timezone.now()
    delivery.error = error
    delivery.record_count = record_count
    delivery.rows_inserted = inserted
    delivery.rows_unchanged = unchanged
    delivery.save(
        update_fields=["processed", "processed_at", "error", "record_count", "rows_inserted", "rows_unchanged"]
    )


def _store_budget_usage(subscription: StreamSubscription, delivery: StreamDelivery, rows: list[dict[str, Any]]) -> None:
    """budget-usage events, once each (the same step can be sent twice)."""
    AdsBudgetUsage.objects.bulk_create(
        [AdsBudgetUsage(brand_id=subscription.brand_id, delivery=delivery, **row) for row in rows],
        ignore_conflicts=True,
    )


def _record_sns_control(delivery: StreamDelivery, envelope: dict[str, Any]) -> None:
    """An SNS (un)subscribe confirmation: recorded for an operator, never fetched by us (no outbound calls)."""
    subscription = delivery.subscription
    if envelope.get("sns_type") == "SubscriptionConfirmation" and envelope.get("subscribe_url"):
        subscription.confirmation_url = str(envelope["subscribe_url"])[:1000]
        subscription.save(update_fields=["confirmation_url", "updated_at"])
    _finish(delivery, record_count=0)


def _record_datasets(subscription: StreamSubscription, delivery: StreamDelivery, options: dict[str, Any]) -> None:
    """Keep the last message time per subscription and dataset, for gap detection."""
    received = delivery.received_at
    counts: dict[str, int] = dict(options.get("datasets") or {})
    for dataset, count in (options.get("skipped_datasets") or {}).items():
        counts[dataset] = counts.get(dataset, 0) + int(count)  # budget-usage and others: gaps matter too
    latest: dict[str, str] = dict(options.get("latest_time_window_start") or {})
    for dataset, count in counts.items():
        window: datetime | None = parse_datetime(latest[dataset]) if dataset in latest else None
        state, created = StreamDatasetState.objects.get_or_create(
            subscription=subscription,
            dataset_id=dataset,
            defaults={"last_message_at": received, "last_time_window_start": window, "messages_total": count},
        )
        if not created:
            state.last_message_at = max(state.last_message_at, received)
            if window is not None and (state.last_time_window_start is None or window > state.last_time_window_start):
                state.last_time_window_start = window
            state.messages_total = F("messages_total") + count
            state.save(update_fields=["last_message_at", "last_time_window_start", "messages_total"])
    fields = []
    if subscription.last_message_at is None or received > subscription.last_message_at:
        subscription.last_message_at = received
        fields.append("last_message_at")
    if counts and subscription.status == StreamSubscription.Status.PENDING_CONFIRMATION:
        # Data arriving is the proof that Amazon's side of the subscription works.
        subscription.status = StreamSubscription.Status.ACTIVE
        fields.append("status")
    if fields:
        subscription.save(update_fields=[*fields, "updated_at"])


def ensure_active(subscription: StreamSubscription) -> None:
    if subscription.status == StreamSubscription.Status.ARCHIVED:
        raise ApplicationError("This Marketing Stream subscription is archived and no longer accepts deliveries.")
