"""Marketing Stream receiver: Amazon Data Firehose's HTTP endpoint contract, SNS envelopes from a relay,
storage before processing, idempotent retries, de-duplication on idempotency_id, gap-detection state.

Firehose request and response format: AWS "HTTP endpoint delivery request and response specifications"
(summarised in ../shared/formats/NOTES.md "Receiving Marketing Stream through Amazon Data Firehose").
"""

from __future__ import annotations

import gzip
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ingest.models import AdsBudgetUsage
from ingest.models import AmsHourlyFact
from ingest.models import StreamDatasetState
from ingest.models import StreamDelivery
from ingest.models import StreamSubscription
from ingest.stream import stream_delivery_process
from ingest.stream import stream_subscription_create
from tests.ingest import adsgen

pytestmark = pytest.mark.django_db

REQUEST_ID = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"


@pytest.fixture
def subscription(brand_a):
    subscription, key = stream_subscription_create(brand=brand_a.brand, dataset="sp-traffic")
    subscription.key = key  # type: ignore[attr-defined]
    return subscription


def _post_firehose(
    client: Client, subscription, body: bytes, *, key: str | None = None, request_id: str = REQUEST_ID, **headers
):
    all_headers = {
        "X-Amz-Firehose-Protocol-Version": "1.0",
        "X-Amz-Firehose-Request-Id": request_id,
        "X-Amz-Firehose-Source-Arn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/ams-sp-traffic",
        "X-Amz-Firehose-Access-Key": subscription.key if key is None else key,
        **headers,
    }
    return client.post(
        reverse("stream-firehose", args=[subscription.pk]), body, content_type="application/json", headers=all_headers
    )


def test_firehose_delivery_is_stored_answered_and_loaded(
    subscription, brand_a, django_capture_on_commit_callbacks, facts_changed
) -> None:
    messages = [
        adsgen.sp_traffic(idempotency_id="a-1", clicks=3, cost=2.37),
        adsgen.sp_traffic(idempotency_id="a-2", clicks=1, cost=0.5),
    ]
    body = adsgen.firehose_body([messages], request_id=REQUEST_ID)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_firehose(Client(enforce_csrf_checks=True), subscription, body)

    # The response contract: 200, JSON, the same requestId and a timestamp in epoch milliseconds.
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["requestId"] == REQUEST_ID
    assert isinstance(answer["timestamp"], int) and answer["timestamp"] > 1_600_000_000_000
    delivery = StreamDelivery.objects.get()
    assert bytes(delivery.body) == body  # the raw body, exactly as received
    assert delivery.processed and delivery.error == ""
    assert (delivery.record_count, delivery.rows_inserted) == (2, 2)
    facts = AmsHourlyFact.objects.order_by("idempotency_id")
    assert [f.idempotency_id for f in facts] == ["a-1", "a-2"]
    assert facts[0].brand_id == brand_a.brand.pk
    assert (facts[0].clicks, facts[0].cost, facts[0].dataset_id) == (3, Decimal("2.3700"), "sp-traffic")
    assert facts_changed[-1].fact_table == "ams_hourly" and facts_changed[-1].import_id is None
    subscription.refresh_from_db()
    assert subscription.status == StreamSubscription.Status.ACTIVE  # data arriving proves the subscription
    assert subscription.last_message_at == delivery.received_at


def test_gzip_firehose_body_is_accepted(subscription, django_capture_on_commit_callbacks) -> None:
    body = adsgen.firehose_body([[adsgen.sp_traffic(idempotency_id="g-1")]], compress=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_firehose(Client(), subscription, body, **{"Content-Encoding": "gzip"})

    assert response.status_code == 200
    assert gzip.decompress(bytes(StreamDelivery.objects.get().body))  # stored still compressed
    assert AmsHourlyFact.objects.filter(idempotency_id="g-1").exists()


@pytest.mark.parametrize("key", ["", "wrong-key"])
def test_wrong_or_missing_access_key_is_refused_with_json(subscription, key) -> None:
    body = adsgen.firehose_body([[adsgen.sp_traffic()]])

    response = _post_firehose(Client(), subscription, body, key=key)

    assert response.status_code == 401
    answer = response.json()
    assert answer["requestId"] == REQUEST_ID
    assert "access key" in answer["errorMessage"]
    assert isinstance(answer["timestamp"], int)
    assert not StreamDelivery.objects.exists()


def test_another_subscriptions_key_does_not_open_this_one(subscription, brand_b) -> None:
    _other, other_key = stream_subscription_create(brand=brand_b.brand, dataset="sp-traffic")

    response = _post_firehose(Client(), subscription, adsgen.firehose_body([[adsgen.sp_traffic()]]), key=other_key)

    assert response.status_code == 401
    assert not StreamDelivery.objects.exists()


def test_unknown_subscription_is_a_json_404() -> None:
    response = Client().post(
        "/stream/firehose/6c1f1f7e-0000-4000-8000-000000000000/",
        b"{}",
        content_type="application/json",
        headers={"X-Amz-Firehose-Request-Id": REQUEST_ID, "X-Amz-Firehose-Access-Key": "x"},
    )

    assert response.status_code == 404
    assert response.json()["requestId"] == REQUEST_ID


def test_retry_with_the_same_request_id_is_stored_once(subscription, django_capture_on_commit_callbacks) -> None:
    body = adsgen.firehose_body([[adsgen.sp_traffic(idempotency_id="r-1")]])
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        first = _post_firehose(client, subscription, body)
        second = _post_firehose(client, subscription, body)

    assert first.status_code == second.status_code == 200
    assert second.json()["requestId"] == REQUEST_ID
    delivery = StreamDelivery.objects.get()
    assert delivery.attempts == 2
    assert AmsHourlyFact.objects.count() == 1


def test_message_delivered_twice_in_different_requests_is_counted_once(
    subscription, django_capture_on_commit_callbacks
) -> None:
    """At-least-once delivery: dedupe on idempotency_id across deliveries."""
    message = adsgen.sp_traffic(idempotency_id="dup-1", clicks=5)
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        _post_firehose(client, subscription, adsgen.firehose_body([[message]]), request_id="req-1")
        _post_firehose(client, subscription, adsgen.firehose_body([[message, message]]), request_id="req-2")

    assert AmsHourlyFact.objects.count() == 1
    assert AmsHourlyFact.objects.get().clicks == 5
    second = StreamDelivery.objects.get(request_id="req-2")
    assert (second.rows_inserted, second.rows_unchanged) == (0, 1)


def test_dataset_state_keeps_the_last_message_for_gap_detection(
    subscription, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _post_firehose(
            client,
            subscription,
            adsgen.firehose_body(
                [
                    [
                        adsgen.sp_traffic("2026-11-03T05:00:00-08:00", idempotency_id="h5"),
                        adsgen.sp_conversion("2026-11-03T04:00:00-08:00", idempotency_id="c4"),
                    ]
                ]
            ),
            request_id="req-1",
        )
        _post_firehose(
            client,
            subscription,
            adsgen.firehose_body([[adsgen.sp_traffic("2026-11-03T06:00:00-08:00", idempotency_id="h6")]]),
            request_id="req-2",
        )

    states = {s.dataset_id: s for s in StreamDatasetState.objects.all()}
    assert set(states) == {"sp-traffic", "sp-conversion"}
    assert states["sp-traffic"].messages_total == 2
    assert str(states["sp-traffic"].last_time_window_start) == "2026-11-03 14:00:00+00:00"
    assert str(states["sp-conversion"].last_time_window_start) == "2026-11-03 12:00:00+00:00"
    last = StreamDelivery.objects.get(request_id="req-2")
    assert states["sp-traffic"].last_message_at == last.received_at


def test_budget_usage_messages_are_kept(subscription, django_capture_on_commit_callbacks) -> None:
    usage = adsgen.budget_usage(percentage=45.5)
    with django_capture_on_commit_callbacks(execute=True):
        _post_firehose(Client(), subscription, adsgen.firehose_body([[usage, usage]]))

    row = AdsBudgetUsage.objects.get()
    assert row.budget_usage_percentage == Decimal("45.500000")  # as sent, not rescaled
    assert row.budget == Decimal("500.0000")
    assert StreamDatasetState.objects.get().dataset_id == "budget-usage"


def test_undecodable_delivery_is_kept_with_its_error(subscription, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_firehose(Client(), subscription, b'{"requestId": "x", "records": [{"data": "not base64!"}]}')

    assert response.status_code == 200  # stored: nothing Amazon sent is lost
    delivery = StreamDelivery.objects.get()
    assert delivery.processed and "base64" in delivery.error
    assert not AmsHourlyFact.objects.exists()


def test_processing_a_delivery_twice_changes_nothing(subscription, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post_firehose(Client(), subscription, adsgen.firehose_body([[adsgen.sp_traffic(idempotency_id="p-1")]]))
    delivery = StreamDelivery.objects.get()

    assert stream_delivery_process(delivery.pk) is None  # already processed: the task does nothing
    assert AmsHourlyFact.objects.count() == 1


def test_archived_subscription_refuses_deliveries(subscription) -> None:
    StreamSubscription.objects.filter(pk=subscription.pk).update(status=StreamSubscription.Status.ARCHIVED)

    response = _post_firehose(Client(), subscription, adsgen.firehose_body([[adsgen.sp_traffic()]]))

    assert response.status_code == 403
    assert response.json()["requestId"] == REQUEST_ID


def test_get_is_not_allowed(subscription) -> None:
    assert Client().get(reverse("stream-firehose", args=[subscription.pk])).status_code == 405


# -- SNS envelopes relayed from SQS ---------------------------------------------------------------------


def _post_sns(client: Client, subscription, body: bytes, key: str | None = None):
    return client.post(
        reverse("stream-sns", args=[subscription.pk]),
        body,
        content_type="text/plain",
        headers={"X-Coopdesk-Access-Key": subscription.key if key is None else key},
    )


def test_sns_notification_is_loaded(subscription, django_capture_on_commit_callbacks) -> None:
    body = adsgen.sns_notification(adsgen.sp_traffic(idempotency_id="sns-1", clicks=7), message_id="m-1")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_sns(Client(enforce_csrf_checks=True), subscription, body)

    assert response.status_code == 200
    assert response.json()["messageId"] == "m-1" and response.json()["stored"] is True
    assert AmsHourlyFact.objects.get().clicks == 7


def test_sns_retry_of_the_same_message_is_stored_once(subscription, django_capture_on_commit_callbacks) -> None:
    body = adsgen.sns_notification(adsgen.sp_traffic(idempotency_id="sns-1"), message_id="m-1")
    with django_capture_on_commit_callbacks(execute=True):
        _post_sns(Client(), subscription, body)
        again = _post_sns(Client(), subscription, body)

    assert again.json()["stored"] is False
    assert StreamDelivery.objects.get().attempts == 2
    assert AmsHourlyFact.objects.count() == 1


def test_sns_subscription_confirmation_is_recorded_not_fetched(
    subscription, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_sns(Client(), subscription, adsgen.sns_subscription_confirmation())

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmation_url.startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")
    assert subscription.status == StreamSubscription.Status.PENDING_CONFIRMATION  # an operator confirms it
    assert StreamDelivery.objects.get().processed


def test_sns_wrong_key_and_non_envelopes_are_refused(subscription) -> None:
    assert _post_sns(Client(), subscription, adsgen.sns_subscription_confirmation(), key="nope").status_code == 401
    refused = _post_sns(Client(), subscription, b"not json")
    assert refused.status_code == 400 and "SNS envelope" in refused.json()["errorMessage"]
    assert not StreamDelivery.objects.exists()


def test_subscription_page_shows_the_key_once_and_the_receiver_url(client_for, brand_manager, brand_a) -> None:
    client = client_for(brand_manager)

    created = client.post(
        reverse("stream-subscription-list"),
        {"brand": brand_a.brand.pk, "dataset": "sp-traffic", "destination": "FIREHOSE"},
    )

    subscription = StreamSubscription.objects.get()
    page = created.content.decode()
    assert 'id="new-key"' in page
    assert reverse("stream-firehose", args=[subscription.pk]) in page
    assert subscription.access_key_sha256 and subscription.access_key_sha256 not in page
    later = client.get(reverse("stream-subscription-list")).content.decode()
    assert 'id="new-key"' not in later  # shown once


def test_other_brands_do_not_see_the_subscription(client_for, outsider, subscription) -> None:
    page = client_for(outsider).get(reverse("stream-subscription-list")).content.decode()

    assert str(subscription.pk) not in page
