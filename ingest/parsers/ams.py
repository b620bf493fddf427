"""Amazon Marketing Stream: decoding deliveries and turning dataset messages into `ams_hourly` facts.

Pure functions, no database: the stream receiver (ingest/views, ingest/services) stores the raw
delivery first, answers Firehose within its 3-minute budget, and calls these from a task.

Ways messages arrive (NOTES.md §3):
- Amazon Data Firehose HTTP-endpoint delivery: `{"requestId", "timestamp", "records": [{"data": <base64>}]}`,
  optionally gzip-compressed. A record's data holds one JSON message or several, newline-delimited
  (or simply concatenated) — both are handled by `decode_firehose_body`.
- SNS envelopes relayed from the SQS queue: `{"Type": "Notification", "Message": "<json string>"}`; the
  first envelope of a subscription is a `SubscriptionConfirmation` (`decode_sns_envelope`).

Traffic and conversion messages are hourly *deltas*, delivered at least once: `ams_messages_to_frame`
drops repeated `idempotency_id`s, and `sum_hourly` adds the deltas up per entity and hour (invalidated
clicks arrive up to 72 h later as negative deltas, so the sum is the only correct reading) and joins
traffic to conversion.

Field names and types are Amazon's (ams_stream_datasets_catalog.json); they are copied into
`DATASET_FIELDS` so that a message can be validated without the shared catalog at run time.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

import pandas as pd

from ingest.parsers.base import GZIP_MAGIC
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from ingest.parsers.values import fact_frame

FACT_TABLE = "ams_hourly"

# Catalog types: S = String, L = Long, D = Double. Only the metric fields are listed per type; every
# other field of the dataset is a String.
_SP_CONVERSION_LONG = [
    f"attributed_{metric}_{days}d{suffix}"
    for metric in ("conversions", "units_ordered")
    for suffix in ("", "_same_sku")
    for days in (1, 7, 14, 30)
]
_SP_CONVERSION_DOUBLE = [f"attributed_sales_{days}d{suffix}" for suffix in ("", "_same_sku") for days in (1, 7, 14, 30)]

DATASET_FIELDS: dict[str, dict[str, str]] = {
    "sp-traffic": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "currency",
                "advertiser_id",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "keyword_id",
                "keyword_text",
                "match_type",
                "placement",
                "time_window_start",
            ],
            "S",
        ),
        **dict.fromkeys(["clicks", "impressions"], "L"),
        "cost": "D",
    },
    "sp-conversion": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "currency",
                "advertiser_id",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "keyword_id",
                "placement",
                "time_window_start",
            ],
            "S",
        ),
        **dict.fromkeys(_SP_CONVERSION_LONG, "L"),
        **dict.fromkeys(_SP_CONVERSION_DOUBLE, "D"),
    },
    "sb-traffic": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "time_window_start",
                "campaign_id",
                "ad_id",
                "ad_group_id",
                "advertiser_id",
                "keyword_id",
                "keyword_text",
                "keyword_type",
                "placement_type",
                "currency",
            ],
            "S",
        ),
        **dict.fromkeys(["clicks", "impressions", "viewable_impressions"], "L"),
        "cost": "D",
    },
    "sb-conversion": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "time_window_start",
                "campaign_id",
                "ad_id",
                "ad_group_id",
                "advertiser_id",
                "keyword_id",
                "keyword_text",
                "keyword_type",
                "placement_type",
                "currency",
            ],
            "S",
        ),
        **dict.fromkeys(
            [
                "view_attributed_conversions_14d",
                "attributed_conversions_14d_same_sku",
                "view_attributed_orders_new_to_brand_14d",
                "view_attributed_units_ordered_14d",
                "view_attributed_units_ordered_new_to_brand_14d",
                "attributed_conversions_14d",
                "attributed_orders_new_to_brand_14d",
                "attributed_units_ordered_new_to_brand_14d",
                "attributed_units_ordered_14d",
            ],
            "L",
        ),
        **dict.fromkeys(
            [
                "view_attributed_sales_14d",
                "attributed_sales_14d_same_sku",
                "view_attributed_sales_new_to_brand_14d",
                "attributed_sales_14d",
                "attributed_sales_new_to_brand_14d",
            ],
            "D",
        ),
    },
    "sd-traffic": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "currency",
                "advertiser_id",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "target_id",
                "targeting_text",
                "time_window_start",
            ],
            "S",
        ),
        **dict.fromkeys(["clicks", "impressions", "view_impressions"], "L"),
        "cost": "D",
    },
    "sd-conversion": {
        **dict.fromkeys(
            [
                "idempotency_id",
                "dataset_id",
                "marketplace_id",
                "currency",
                "advertiser_id",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "target_id",
                "time_window_start",
            ],
            "S",
        ),
        **dict.fromkeys(
            [
                "attributed_conversions_1d",
                "attributed_conversions_7d",
                "attributed_conversions_14d",
                "view_attributed_conversions_14d",
                "attributed_conversions_30d",
                "attributed_conversions_1d_same_sku",
                "attributed_conversions_7d_same_sku",
                "attributed_conversions_14d_same_sku",
                "attributed_conversions_30d_same_sku",
                "attributed_units_ordered_1d",
                "attributed_units_ordered_7d",
                "attributed_units_ordered_14d",
                "view_attributed_units_ordered_14d",
                "attributed_units_ordered_30d",
                "attributed_orders_new_to_brand_14d",
                "attributed_units_ordered_new_to_brand_14d",
                "view_attributed_orders_new_to_brand_14d",
                "view_attributed_units_ordered_new_to_brand_14d",
            ],
            "L",
        ),
        **dict.fromkeys(
            [
                "attributed_sales_1d",
                "attributed_sales_7d",
                "attributed_sales_14d",
                "view_attributed_sales_14d",
                "attributed_sales_30d",
                "attributed_sales_1d_same_sku",
                "attributed_sales_7d_same_sku",
                "attributed_sales_14d_same_sku",
                "attributed_sales_30d_same_sku",
                "attributed_sales_new_to_brand_14d",
                "view_attributed_sales_new_to_brand_14d",
            ],
            "D",
        ),
    },
    "budget-usage": {
        **dict.fromkeys(
            [
                "advertiser_id",
                "marketplace_id",
                "dataset_id",
                "budget_scope_id",
                "budget_scope_type",
                "advertising_product_type",
                "usage_updated_timestamp",
            ],
            "S",
        ),
        **dict.fromkeys(["budget", "budget_usage_percentage"], "D"),
    },
}

HOURLY_DATASETS = ("sp-traffic", "sp-conversion", "sb-traffic", "sb-conversion", "sd-traffic", "sd-conversion")
# Datasets Amazon streams that are not hourly performance deltas: recognised and counted, not loaded here
# (budget-usage has `budget_usage_rows`; the entity datasets describe campaigns, not performance).
OTHER_KNOWN_DATASETS = (
    "budget-usage",
    "sb-clickstream",
    "sb-rich-media",
    "campaigns",
    "adgroups",
    "ads",
    "targets",
)
# Without these a delta cannot be placed on an entity and an hour.
REQUIRED_FIELDS = (
    "idempotency_id",
    "dataset_id",
    "advertiser_id",
    "marketplace_id",
    "time_window_start",
    "campaign_id",
)
_ID_FIELDS = ("campaign_id", "ad_group_id", "ad_id", "keyword_id", "target_id", "budget_scope_id")

# ams_hourly metric column <- dataset field (the same name in every dataset that has it).
_TRAFFIC_METRICS = ("impressions", "clicks", "cost")
_CONVERSION_METRICS = (
    "attributed_sales_1d",
    "attributed_sales_7d",
    "attributed_sales_14d",
    "attributed_sales_30d",
    "attributed_conversions_14d",
    "attributed_units_ordered_14d",
)
_DECIMAL_METRICS = frozenset(
    {"cost", "attributed_sales_1d", "attributed_sales_7d", "attributed_sales_14d", "attributed_sales_30d"}
)
# The grain at which deltas add up (NOTES.md §3): target_id is keyword_id for SP/SB and target_id for SD.
HOURLY_KEY = (
    "advertiser_id",
    "marketplace_id",
    "time_window_start",
    "ad_product",
    "campaign_id",
    "ad_group_id",
    "ad_id",
    "target_id",
    "placement",
)


# --------------------------------------------------------------------------------------------------
# Delivery envelopes


def decode_firehose_body(body: bytes, content_encoding: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The requestId and the dataset messages of one Firehose HTTP-endpoint delivery.

    Gzip is decided by the magic bytes (the header is only quoted in errors): a proxy may already have
    decompressed a body that still says `Content-Encoding: gzip`. Any undecodable record fails the whole
    delivery with a ParseError, so the receiver answers with an error and Firehose retries (and finally
    backs the batch up to S3) instead of the data being dropped silently.
    """
    label = "Firehose delivery"
    document = _json_document(_gunzip(body, label, f"Content-Encoding {content_encoding or 'identity'}"), label)
    if not isinstance(document, dict):
        raise _parse_error(label, None, None, _snippet(document), "a JSON object with requestId and records")
    request_id = document.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise _parse_error(label, None, "requestId", _snippet(request_id), "the delivery's requestId (a string)")
    label = f"Firehose delivery {request_id}"
    records = document.get("records")
    if not isinstance(records, list):
        raise _parse_error(label, None, "records", _snippet(records), "a list of records")
    messages: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=0):
        data = record.get("data") if isinstance(record, dict) else None
        if not isinstance(data, str):
            raise _parse_error(label, number, "records[].data", _snippet(record), "a record with base64 data")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _parse_error(label, number, "records[].data", _snippet(data), "base64-encoded JSON") from None
        raw = _gunzip(raw, label, "record data", row=number)
        for message in _json_messages(raw, label, number):
            messages.append(_unwrap_sns(message, label, number))
    return request_id, messages


def decode_sns_envelope(body: bytes) -> dict[str, Any]:
    """The dataset message of an SNS `Notification`, or a description of a (un)subscription confirmation.

    A confirmation comes back as `{"sns_type": "SubscriptionConfirmation" | "UnsubscribeConfirmation",
    "topic_arn", "subscribe_url", "token", "message_id", "timestamp", "message"}`; dataset messages never
    carry an `sns_type` key, which is how the caller tells the two apart. The SNS signature is not checked
    here (that needs Amazon's certificate over the network): the receiver authenticates the relay.
    """
    label = "SNS envelope"
    document = _json_document(_gunzip(body, label, "body"), label)
    if not isinstance(document, dict) or "Type" not in document:
        raise _parse_error(label, None, "Type", _snippet(document), "an SNS envelope with a Type")
    sns_type = document["Type"]
    if sns_type == "Notification":
        return _sns_message(document, label, None)
    if sns_type in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return {
            "sns_type": sns_type,
            "topic_arn": document.get("TopicArn"),
            "subscribe_url": document.get("SubscribeURL"),
            "token": document.get("Token"),
            "message_id": document.get("MessageId"),
            "timestamp": document.get("Timestamp"),
            "message": document.get("Message"),
        }
    raise _parse_error(
        label, None, "Type", _snippet(sns_type), "Notification, SubscriptionConfirmation or UnsubscribeConfirmation"
    )


# --------------------------------------------------------------------------------------------------
# Messages -> facts


def ams_messages_to_frame(messages: list[dict[str, Any]], *, file_label: str) -> ParsedReport:
    """`ams_hourly` rows for the hourly performance datasets, de-duplicated on idempotency_id.

    Messages of the other known datasets (budget-usage, clickstream, entity datasets) are counted in
    `options["skipped_datasets"]` and left out; an unknown dataset or an invalid field is a RowError whose
    row is the message's index in `messages` (from 0, like every JSON array). Fields Amazon added after
    our catalog are ignored and listed in `options["unknown_fields"]`.
    """
    errors: list[RowError] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    duplicates = 0
    per_dataset: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    unknown_fields: set[str] = set()
    latest: dict[str, datetime] = {}
    for number, message in enumerate(messages, start=0):
        dataset = message.get("dataset_id") if isinstance(message, dict) else None
        if dataset in OTHER_KNOWN_DATASETS:
            skipped[str(dataset)] += 1
            continue
        if dataset not in HOURLY_DATASETS:
            errors.append(
                RowError(
                    file_label,
                    number,
                    "dataset_id",
                    _snippet(dataset),
                    "one of the Marketing Stream datasets " + ", ".join(HOURLY_DATASETS + OTHER_KNOWN_DATASETS),
                )
            )
            continue
        assert isinstance(message, dict)  # narrowed by the dataset check above
        values = _typed_fields(message, str(dataset), file_label, number, errors, unknown_fields)
        if values is None:
            continue
        idempotency_id = values["idempotency_id"]
        if idempotency_id in seen:
            duplicates += 1
            continue
        seen.add(idempotency_id)
        per_dataset[str(dataset)] += 1
        hour = values["time_window_start"]
        if dataset not in latest or hour > latest[dataset]:
            latest[str(dataset)] = hour
        rows.append(_hourly_row(str(dataset), values))

    frame = _frame(rows)
    marketplaces = {row["marketplace_id"] for row in rows}
    hours = [row["time_window_start"] for row in rows]
    options: dict[str, Any] = {
        "datasets": dict(sorted(per_dataset.items())),
        "duplicates_dropped": duplicates,
        "latest_time_window_start": {name: value.isoformat() for name, value in sorted(latest.items())},
    }
    if skipped:
        options["skipped_datasets"] = dict(sorted(skipped.items()))
    if unknown_fields:
        options["unknown_fields"] = sorted(unknown_fields)
    return ParsedReport(
        report_type="AMS_HOURLY",
        source="AMS",
        fact_table=FACT_TABLE,
        chunks=iter([frame]),
        errors=errors,
        marketplace_id=marketplaces.pop() if len(marketplaces) == 1 else None,
        data_start=min(hours).date() if hours else None,
        data_end=max(hours).date() if hours else None,
        options=options,
    )


def budget_usage_rows(
    messages: Iterable[dict[str, Any]],
    *,
    file_label: str = "Marketing Stream budget-usage",
    errors: list[RowError] | None = None,
) -> list[dict[str, Any]]:
    """Plain dicts for the budget-usage messages among `messages` (others are ignored).

    `budget_usage_percentage` is kept exactly as sent: Amazon does not say whether it is 0-100 or 0-1
    (NOTES.md §3), so the receiver must not rescale it before checking a real message. Exact repeats
    (budget-usage can fire twice for the same step) are dropped. An invalid message raises ParseError,
    or, when `errors` is given, is appended there and skipped.
    """
    rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for number, message in enumerate(messages, start=0):
        if not isinstance(message, dict) or message.get("dataset_id") != "budget-usage":
            continue
        local_errors: list[RowError] = []
        values = _typed_fields(message, "budget-usage", file_label, number, local_errors, set())
        required = ("advertiser_id", "marketplace_id", "budget_scope_id", "usage_updated_timestamp")
        for name in required:
            if values is not None and values.get(name) in (None, ""):
                local_errors.append(RowError(file_label, number, name, None, "a value (required field)"))
        if local_errors or values is None:
            if errors is None:
                raise ParseError(local_errors[0])
            errors.extend(local_errors)
            continue
        row = {
            "advertiser_id": values["advertiser_id"],
            "marketplace_id": values["marketplace_id"],
            "budget_scope_id": values["budget_scope_id"],
            "budget_scope_type": values.get("budget_scope_type"),
            "advertising_product_type": values.get("advertising_product_type"),
            "budget": values.get("budget"),
            "budget_usage_percentage": values.get("budget_usage_percentage"),
            "usage_updated_at": values["usage_updated_timestamp"],
        }
        identity = tuple(row.values())
        if identity in seen:
            continue
        seen.add(identity)
        rows.append(row)
    return rows


def sum_hourly(frame: pd.DataFrame) -> pd.DataFrame:
    """Deltas summed per (advertiser, marketplace, hour, ad product, campaign, ad group, ad, target,
    placement), traffic joined to conversion.

    Takes `ams_hourly` rows (from `ams_messages_to_frame` or read back from the facts) and drops repeated
    idempotency ids again, so the same delta is never counted twice whichever way it came. Sums stay exact
    (Decimal money, int counts); a metric is None when no message of its side reported it, so an hour with
    clicks but no conversion message yet reads "sales not reported", not 0. Output columns: HOURLY_KEY,
    currency, the traffic and conversion metrics, and traffic_messages / conversion_messages (how many
    deltas were added up).
    """
    metrics = _TRAFFIC_METRICS + _CONVERSION_METRICS
    columns = [*HOURLY_KEY, "currency", *metrics, "traffic_messages", "conversion_messages"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    unique = frame.drop_duplicates(subset="idempotency_id", keep="first")
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in unique.to_dict("records"):
        dataset = str(record["dataset_id"])
        record["ad_product"] = dataset.split("-", 1)[0].upper()
        key = tuple(_key_value(record[name]) for name in HOURLY_KEY)
        total = totals.get(key)
        if total is None:
            total = dict(zip(HOURLY_KEY, key, strict=True))
            total.update(dict.fromkeys(metrics))
            total.update(currency=None, traffic_messages=0, conversion_messages=0)
            totals[key] = total
        is_traffic = dataset.endswith("-traffic")
        total["traffic_messages" if is_traffic else "conversion_messages"] += 1
        if total["currency"] is None and _present(record.get("currency")):
            total["currency"] = record["currency"]
        for name in _TRAFFIC_METRICS if is_traffic else _CONVERSION_METRICS:
            raw: Any = record.get(name)
            if not _present(raw):
                continue
            value = _decimal(raw) if name in _DECIMAL_METRICS else int(raw)
            total[name] = value if total[name] is None else total[name] + value
    result = pd.DataFrame(list(totals.values()), columns=columns, dtype=object)
    for name in metrics:
        if name not in _DECIMAL_METRICS:
            result[name] = result[name].astype("Int64")
    for name in ("traffic_messages", "conversion_messages"):
        result[name] = result[name].astype("int64")
    return result.sort_values(list(HOURLY_KEY), kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------------------------
# Helpers


def _typed_fields(
    message: dict[str, Any],
    dataset: str,
    file_label: str,
    number: int,
    errors: list[RowError],
    unknown_fields: set[str],
) -> dict[str, Any] | None:
    """The message's fields converted by their catalog type, or None after recording RowErrors."""
    catalog = DATASET_FIELDS[dataset]
    values: dict[str, Any] = {}
    problems: list[RowError] = []
    for name, raw in message.items():
        kind = catalog.get(name)
        if kind is None:
            unknown_fields.add(f"{dataset}.{name}")
            continue
        if raw is None:
            values[name] = None
            continue
        if kind == "S":
            if name == "time_window_start" or name == "usage_updated_timestamp":
                moment = _aware_utc(raw)
                if moment is None:
                    problems.append(
                        RowError(file_label, number, name, _snippet(raw), "an ISO-8601 date-time with a UTC offset")
                    )
                values[name] = moment
            elif isinstance(raw, str):
                values[name] = raw
            elif name in _ID_FIELDS and isinstance(raw, int) and not isinstance(raw, bool):
                # Amazon documents ids as strings; a relay that re-serialised them as numbers keeps them exact.
                values[name] = str(raw)
            else:
                problems.append(RowError(file_label, number, name, _snippet(raw), "a string"))
        elif kind == "L":
            whole = _whole(raw)
            if whole is None:
                problems.append(RowError(file_label, number, name, _snippet(raw), "a whole number (Long)"))
            values[name] = whole
        else:
            number_value = _decimal(raw)
            if number_value is None:
                problems.append(RowError(file_label, number, name, _snippet(raw), "a number (Double)"))
            values[name] = number_value
    if dataset in HOURLY_DATASETS:
        for name in REQUIRED_FIELDS:
            if values.get(name) in (None, "") and not any(p.column == name for p in problems):
                problems.append(RowError(file_label, number, name, None, "a value (required field)"))
    if problems:
        errors.extend(problems)
        return None
    return values


def _hourly_row(dataset: str, values: dict[str, Any]) -> dict[str, Any]:
    target = values.get("target_id") if dataset.startswith("sd-") else values.get("keyword_id")
    placement = values.get("placement_type") if dataset.startswith("sb-") else values.get("placement")
    row: dict[str, Any] = {
        "idempotency_id": values["idempotency_id"],
        "dataset_id": dataset,
        "advertiser_id": values["advertiser_id"],
        "marketplace_id": values["marketplace_id"],
        "time_window_start": values["time_window_start"],
        "campaign_id": values["campaign_id"],
        # Grouping columns hold '' rather than None when the dataset has no such level (SD has no
        # placement; SB campaign-level rows have no ad group), so sums never drop a NULL group.
        "ad_group_id": values.get("ad_group_id") or "",
        "ad_id": values.get("ad_id") or "",
        "target_id": target or "",
        "placement": placement or "",
        "currency": values.get("currency"),
    }
    for name in _TRAFFIC_METRICS + _CONVERSION_METRICS:
        row[name] = values.get(name)
    return row


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    names = [name for name, _ in FACT_COLUMNS[FACT_TABLE]]
    return fact_frame(FACT_TABLE, {name: [row[name] for row in rows] for name in names}, len(rows))


def _aware_utc(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # an hour without its offset cannot be placed: the advertiser's zone is not known here
    return moment.astimezone(UTC)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text that round-trips, i.e. the digits Amazon sent (0.52, not 0.5200000000000000177…)
        number = Decimal(repr(value))
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    number = _decimal(value) if isinstance(value, float | Decimal) else None
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NA


def _key_value(value: Any) -> Any:
    return "" if not _present(value) else value


def _gunzip(data: bytes, label: str, what: str, row: int | None = None) -> bytes:
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise _parse_error(label, row, None, what, "a complete gzip stream (it is truncated or corrupt)") from None


def _json_document(data: bytes, label: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _parse_error(label, None, None, _snippet(data), f"valid JSON ({exc})") from None


def _json_messages(raw: bytes, label: str, number: int) -> list[dict[str, Any]]:
    """Every JSON object in a record: one, several newline-delimited, or a JSON array of them."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _parse_error(label, number, "records[].data", _snippet(raw), "UTF-8 JSON after base64") from None
    decoder = json.JSONDecoder()
    messages: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _parse_error(
                label, number, "records[].data", _snippet(text[position:]), f"valid JSON messages ({exc.msg})"
            ) from None
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                raise _parse_error(label, number, "records[].data", _snippet(item), "a JSON object per message")
            messages.append(item)
    if not messages:
        raise _parse_error(label, number, "records[].data", "", "at least one JSON message")
    return messages


def _unwrap_sns(message: dict[str, Any], label: str, number: int) -> dict[str, Any]:
    # Some set-ups put the SNS envelope itself on the stream; unwrap it so callers see the dataset message.
    if message.get("Type") == "Notification" and "Message" in message:
        return _sns_message(message, label, number)
    return message


def _sns_message(envelope: dict[str, Any], label: str, number: int | None) -> dict[str, Any]:
    payload = envelope.get("Message")
    if not isinstance(payload, str):
        raise _parse_error(label, number, "Message", _snippet(payload), "the dataset message as a JSON string")
    try:
        message = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise _parse_error(label, number, "Message", _snippet(payload), f"valid JSON ({exc.msg})") from None
    if not isinstance(message, dict):
        raise _parse_error(label, number, "Message", _snippet(payload), "a JSON object")
    return message


def _parse_error(file: str, row: int | None, column: str | None, value: str | None, expected: str) -> ParseError:
    return ParseError(RowError(file, row, column, value, expected))


def _snippet(value: Any, limit: int = 80) -> str:
    if isinstance(value, bytes):
        text = value[:limit].decode("utf-8", "replace")
    else:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
