"""Marketing Stream: Firehose and SNS decoding, ams_hourly rows, de-duplication and hourly sums (NOTES.md §3)."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC
from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest

from ingest.parsers.ams import DATASET_FIELDS
from ingest.parsers.ams import ams_messages_to_frame
from ingest.parsers.ams import budget_usage_rows
from ingest.parsers.ams import decode_firehose_body
from ingest.parsers.ams import decode_sns_envelope
from ingest.parsers.ams import sum_hourly
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from tests.ingest import adsgen


def _frame(messages: list[dict], label: str = "stream batch") -> tuple[pd.DataFrame, ParsedReport]:
    report = ams_messages_to_frame(messages, file_label=label)
    chunks = list(report.chunks)
    assert len(chunks) == 1
    return chunks[0], report


# --------------------------------------------------------------------------------------------------
# Firehose


def test_firehose_body_yields_request_id_and_every_message_of_every_record() -> None:
    first, second, third = adsgen.sp_traffic(), adsgen.sp_traffic(clicks=-1), adsgen.sp_conversion()
    body = adsgen.firehose_body([[first, second], [third]], request_id="req-1")

    request_id, messages = decode_firehose_body(body, None)

    assert request_id == "req-1"
    assert messages == [first, second, third]  # newline-delimited messages in one record are split


def test_firehose_gzip_is_decided_by_magic_bytes_not_by_the_header() -> None:
    message = adsgen.sp_traffic()
    compressed = adsgen.firehose_body([[message]], compress=True)
    plain = adsgen.firehose_body([[message]])

    assert compressed[:2] == b"\x1f\x8b"
    assert decode_firehose_body(compressed, "gzip")[1] == [message]
    assert decode_firehose_body(compressed, None)[1] == [message]  # header missing: still gzip
    assert decode_firehose_body(plain, "gzip")[1] == [message]  # a proxy already inflated it


def test_firehose_record_with_concatenated_messages_and_a_wrapped_sns_envelope() -> None:
    traffic, conversion = adsgen.sp_traffic(), adsgen.sp_conversion()
    concatenated = (json.dumps(traffic) + json.dumps(conversion)).encode()  # no newline between them
    envelope = adsgen.sns_notification(traffic)

    _, messages = decode_firehose_body(adsgen.firehose_body([concatenated, envelope]), None)

    assert messages == [traffic, conversion, traffic]


def test_invalid_base64_names_request_record_column_and_expectation() -> None:
    body = json.dumps(
        {
            "requestId": "req-9",
            "timestamp": 1,
            "records": [{"data": base64.b64encode(b"{}").decode()}, {"data": "not base64!!"}],
        }
    ).encode()

    with pytest.raises(ParseError) as caught:
        decode_firehose_body(body, None)

    assert caught.value.error == RowError(
        "Firehose delivery req-9", 1, "records[].data", "not base64!!", "base64-encoded JSON"
    )


def test_record_holding_invalid_json_is_a_parse_error_naming_the_record() -> None:
    body = adsgen.firehose_body([[adsgen.sp_traffic()], b'{"idempotency_id": "x", '])

    with pytest.raises(ParseError) as caught:
        decode_firehose_body(body, None)

    error = caught.value.error
    assert (error.file, error.row, error.column) == (
        "Firehose delivery ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
        1,
        "records[].data",
    )
    assert error.value == '{"idempotency_id": "x", '
    assert error.expected.startswith("valid JSON messages")


def test_truncated_gzip_body_and_missing_request_id_are_parse_errors() -> None:
    truncated = adsgen.firehose_body([[adsgen.sp_traffic()]], compress=True)[:-12]
    with pytest.raises(ParseError, match="complete gzip stream"):
        decode_firehose_body(truncated, "gzip")

    with pytest.raises(ParseError) as caught:
        decode_firehose_body(json.dumps({"records": []}).encode(), None)
    assert caught.value.error.column == "requestId"

    with pytest.raises(ParseError, match="valid JSON"):
        decode_firehose_body(b"<html>502</html>", None)


# --------------------------------------------------------------------------------------------------
# SNS


def test_sns_notification_returns_the_dataset_message() -> None:
    message = adsgen.sp_conversion()
    assert decode_sns_envelope(adsgen.sns_notification(message)) == message
    assert decode_sns_envelope(gzip.compress(adsgen.sns_notification(message))) == message


@pytest.mark.parametrize("kind", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_sns_confirmations_are_described_not_parsed_as_data(kind: str) -> None:
    described = decode_sns_envelope(adsgen.sns_subscription_confirmation(kind))

    assert described["sns_type"] == kind
    assert described["topic_arn"] == adsgen.SNS_TOPIC
    assert described["subscribe_url"].startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")
    assert described["token"].startswith("2336412f37")


def test_sns_envelope_errors_are_clear() -> None:
    with pytest.raises(ParseError) as caught:
        decode_sns_envelope(json.dumps({"Type": "Weird"}).encode())
    assert caught.value.error.column == "Type"
    assert caught.value.error.value == "Weird"
    assert "Notification, SubscriptionConfirmation or UnsubscribeConfirmation" in caught.value.error.expected

    with pytest.raises(ParseError) as caught:
        decode_sns_envelope(json.dumps({"Type": "Notification", "Message": "{not json"}).encode())
    assert (caught.value.error.column, caught.value.error.value) == ("Message", "{not json")

    with pytest.raises(ParseError, match="SNS envelope with a Type"):
        decode_sns_envelope(json.dumps(adsgen.sp_traffic()).encode())  # a bare message is not an envelope


# --------------------------------------------------------------------------------------------------
# Messages -> ams_hourly


def test_sp_traffic_row_keeps_ids_as_strings_and_the_hour_in_utc() -> None:
    message = adsgen.sp_traffic("2026-11-03T05:00:00-08:00", idempotency_id="a1", cost=2.37)

    frame, report = _frame([message])

    assert list(frame.columns) == [name for name, _ in FACT_COLUMNS["ams_hourly"]]
    row = frame.iloc[0]
    assert row["campaign_id"] == "158410630682987"
    assert row["ad_group_id"] == "72320882861500"
    assert row["target_id"] == "430021876512933"  # SP keyword_id
    assert row["placement"] == "Top of Search on-Amazon"
    assert row["time_window_start"] == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)
    assert row["cost"] == Decimal("2.37")  # the digits sent, not the float's binary expansion
    assert (row["impressions"], row["clicks"]) == (120, 3)
    assert row["attributed_sales_14d"] is None  # a traffic message reports no sales: not 0
    assert report.marketplace_id == "ATVPDKIKX0DER"
    assert report.data_start == report.data_end == datetime(2026, 11, 3).date()
    assert report.options["latest_time_window_start"] == {"sp-traffic": "2026-11-03T13:00:00+00:00"}


def test_numeric_ids_from_a_relay_stay_exact() -> None:
    message = adsgen.sp_traffic(campaign_id=158410630682987)  # type: ignore[arg-type]
    frame, report = _frame([message])
    assert report.errors == []
    assert frame.iloc[0]["campaign_id"] == "158410630682987"


def test_duplicate_idempotency_ids_are_collapsed_within_a_batch() -> None:
    delivery = adsgen.sp_traffic(idempotency_id="dup", clicks=5)
    frame, report = _frame([delivery, dict(delivery), adsgen.sp_traffic(idempotency_id="other", clicks=1)])

    assert list(frame["idempotency_id"]) == ["dup", "other"]
    assert report.options["duplicates_dropped"] == 1
    assert report.options["datasets"] == {"sp-traffic": 2}


def test_sb_and_sd_messages_map_keyword_target_and_placement() -> None:
    frame, report = _frame([adsgen.sb_traffic(), adsgen.sb_conversion(), adsgen.sd_traffic(), adsgen.sd_conversion()])

    assert report.errors == []
    by_dataset = {row["dataset_id"]: row for row in frame.to_dict("records")}
    assert by_dataset["sb-traffic"]["target_id"] == "55512873402"
    assert by_dataset["sb-traffic"]["placement"] == "Top of Search"  # placement_type
    assert by_dataset["sb-conversion"]["attributed_sales_14d"] == Decimal("129.99")
    assert by_dataset["sd-traffic"]["target_id"] == "299810462337190"
    assert by_dataset["sd-traffic"]["placement"] == ""  # SD has no placement
    assert by_dataset["sd-conversion"]["attributed_units_ordered_14d"] == 1


def test_other_known_datasets_are_counted_and_skipped_unknown_ones_are_errors() -> None:
    messages = [adsgen.budget_usage(), adsgen.sp_traffic(), {**adsgen.sp_traffic(), "dataset_id": "sp-mystery"}]

    frame, report = _frame(messages, "delivery req-4")

    assert len(frame) == 1
    assert report.options["skipped_datasets"] == {"budget-usage": 1}
    assert report.errors == [
        RowError(
            "delivery req-4",
            2,
            "dataset_id",
            "sp-mystery",
            "one of the Marketing Stream datasets sp-traffic, sp-conversion, sb-traffic, sb-conversion, sd-traffic, "
            "sd-conversion, budget-usage, sb-clickstream, sb-rich-media, campaigns, adgroups, ads, targets",
        )
    ]


def test_invalid_fields_are_row_errors_naming_file_row_column_value_expected() -> None:
    missing = adsgen.sp_traffic()
    del missing["advertiser_id"]
    messages = [
        adsgen.sp_traffic(clicks="many"),  # type: ignore[arg-type]
        adsgen.sp_traffic(cost="1,5"),  # type: ignore[arg-type]
        adsgen.sp_traffic("2026-11-03T05:00:00"),  # no offset: the hour cannot be placed
        missing,
        adsgen.sp_traffic(),
    ]

    frame, report = _frame(messages, "batch.json")

    assert len(frame) == 1
    assert report.errors == [
        RowError("batch.json", 0, "clicks", "many", "a whole number (Long)"),
        RowError("batch.json", 1, "cost", "1,5", "a number (Double)"),
        RowError(
            "batch.json", 2, "time_window_start", "2026-11-03T05:00:00", "an ISO-8601 date-time with a UTC offset"
        ),
        RowError("batch.json", 3, "advertiser_id", None, "a value (required field)"),
    ]


def test_fields_newer_than_the_catalog_are_ignored_and_listed() -> None:
    _, report = _frame([adsgen.sp_traffic(new_metric_2027=4)])
    assert report.errors == []
    assert report.options["unknown_fields"] == ["sp-traffic.new_metric_2027"]


def test_embedded_field_types_match_the_shared_catalog() -> None:
    catalog = adsgen.shared_json("ams_stream_datasets_catalog.json")["datasets"]
    for dataset, fields in DATASET_FIELDS.items():
        expected = {field["name"]: field["type"][0] for field in catalog[dataset]["fields"]}
        assert fields == expected, dataset


# --------------------------------------------------------------------------------------------------
# Hourly sums


def test_sum_hourly_adds_deltas_including_negative_adjustments_and_joins_conversion() -> None:
    hour = "2026-11-03T05:00:00-08:00"
    messages = [
        adsgen.sp_traffic(hour, idempotency_id="t1", clicks=3, impressions=120, cost=2.37),
        adsgen.sp_traffic(hour, idempotency_id="t1", clicks=3, impressions=120, cost=2.37),  # redelivered
        adsgen.sp_traffic(hour, idempotency_id="t2", clicks=-1, impressions=0, cost=-0.79),  # invalidated click
        adsgen.sp_conversion(hour, idempotency_id="c1", sales14=59.98, conversions14=2, units14=3),
        adsgen.sp_traffic("2026-11-03T06:00:00-08:00", idempotency_id="t3", clicks=1, impressions=40, cost=0.5),
    ]
    frame, _ = _frame(messages)

    summed = sum_hourly(frame)

    assert len(summed) == 2
    first = summed.iloc[0]
    assert first["time_window_start"] == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)
    assert first["ad_product"] == "SP"
    assert (first["clicks"], first["impressions"]) == (2, 120)
    assert first["cost"] == Decimal("1.58")  # 2.37 - 0.79, exact
    assert first["attributed_sales_14d"] == Decimal("59.98")
    assert (first["attributed_conversions_14d"], first["attributed_units_ordered_14d"]) == (2, 3)
    assert (first["traffic_messages"], first["conversion_messages"]) == (2, 1)
    second = summed.iloc[1]
    assert second["clicks"] == 1
    assert second["attributed_sales_14d"] is None  # no conversion message yet: not reported, not 0
    assert pd.isna(second["attributed_conversions_14d"])


def test_sum_hourly_drops_a_delta_seen_in_two_batches() -> None:
    message = adsgen.sp_traffic(idempotency_id="same", clicks=4, cost=1.0)
    first, _ = _frame([message])
    second, _ = _frame([dict(message)])

    summed = sum_hourly(pd.concat([first, second], ignore_index=True))

    assert summed.iloc[0]["clicks"] == 4
    assert summed.iloc[0]["traffic_messages"] == 1


def test_sum_hourly_of_nothing_is_an_empty_frame_with_the_columns() -> None:
    frame, _ = _frame([])
    summed = sum_hourly(frame)
    assert summed.empty
    assert "attributed_sales_14d" in summed.columns


# --------------------------------------------------------------------------------------------------
# budget-usage


def test_budget_usage_rows_keep_the_percentage_as_sent_and_drop_exact_repeats() -> None:
    usage = adsgen.budget_usage(percentage=45.5, budget=500.0)
    rows = budget_usage_rows([usage, dict(usage), adsgen.sp_traffic(), adsgen.budget_usage(percentage=50.0)])

    assert len(rows) == 2
    assert rows[0] == {
        "advertiser_id": adsgen.ADVERTISER_ID,
        "marketplace_id": "ATVPDKIKX0DER",
        "budget_scope_id": "158410630682987",
        "budget_scope_type": "CAMPAIGN",
        "advertising_product_type": "sp",
        "budget": Decimal("500.0"),
        "budget_usage_percentage": Decimal("45.5"),
        "usage_updated_at": datetime(2026, 11, 3, 13, 20, 11, tzinfo=UTC),
    }


def test_invalid_budget_usage_raises_or_is_collected() -> None:
    broken = adsgen.budget_usage()
    del broken["budget_scope_id"]
    with pytest.raises(ParseError) as caught:
        budget_usage_rows([broken], file_label="delivery 7")
    assert caught.value.error == RowError("delivery 7", 0, "budget_scope_id", None, "a value (required field)")

    errors: list[RowError] = []
    rows = budget_usage_rows([broken, adsgen.budget_usage(budget="lots")], errors=errors)  # type: ignore[arg-type]
    assert rows == []
    assert [(e.row, e.column) for e in errors] == [(0, "budget_scope_id"), (1, "budget")]
