"""SP-API vendor report documents: detection, streaming parse, Amazon's conventions and bad input.

Documents come from Amazon's own examples (../shared/formats/spapi_vendor_reports_assembled_examples.json)
and from tests/ingest/docgen.py, whose output is validated against Amazon's JSON schemas here.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import jsonschema
import pandas as pd
import pytest

from ingest.parsers import registry
from ingest.parsers import spapi_reports
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.base import sniff
from ingest.parsers.facts import FACT_COLUMNS
from tests.fixtures import AMAZON_FORMATS
from tests.ingest import docgen

FORMATS = AMAZON_FORMATS
EXAMPLES = json.loads((FORMATS / "spapi_vendor_reports_assembled_examples.json").read_text())["documents"]
US = "ATVPDKIKX0DER"

SCHEMAS = {
    "GET_VENDOR_SALES_REPORT": "spapi_vendorSalesReport",
    "GET_VENDOR_INVENTORY_REPORT": "spapi_vendorInventoryReport",
    "GET_VENDOR_TRAFFIC_REPORT": "spapi_vendorTrafficReport",
    "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT": "spapi_vendorNetPureProductMarginReport",
    "GET_VENDOR_FORECASTING_REPORT": "spapi_vendorForecastingReport",
    "GET_VENDOR_REAL_TIME_SALES_REPORT": "spapi_vendorRealTimeSalesReport",
    "GET_VENDOR_REAL_TIME_INVENTORY_REPORT": "spapi_vendorRealTimeInventoryReport",
    "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT": "spapi_vendorRealTimeTrafficReport",
    "GET_PROMOTION_PERFORMANCE_REPORT": "spapi_promotionReport",
    "GET_COUPON_PERFORMANCE_REPORT": "spapi_vendorCouponReport",
}


def example(name: str) -> bytes:
    """One of Amazon's example documents as bytes, numbers kept exactly as written (no floats)."""
    text = (FORMATS / "spapi_vendor_reports_assembled_examples.json").read_text()
    documents = json.loads(text, parse_float=Decimal)["documents"]
    return docgen.dumps(documents[name])


def parse(raw: bytes, name: str = "report.json") -> tuple[str, ParsedReport, pd.DataFrame]:
    """What the pipeline does: gunzip by magic bytes, detect from the head, parse, read every chunk."""
    stream = open_maybe_gzip(io.BytesIO(raw))
    spec = registry.detect(sniff(stream))
    assert spec is not None, "format not detected"
    report = spec.parser(stream, name)
    chunks = list(report.chunks)
    for chunk in chunks:
        assert list(chunk.columns) == [column for column, _ in FACT_COLUMNS[report.fact_table]]
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return spec.name, report, frame


def schema_errors(raw: bytes, report_type: str) -> list[str]:
    schema = json.loads((FORMATS / f"{SCHEMAS[report_type]}.schema.json").read_text())
    document = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document))


def rows_by_asin(frame: pd.DataFrame) -> dict[str, dict[Any, Any]]:
    return {str(row["asin"]): row for row in frame.to_dict("records")}


# ---------------------------------------------------------------------------------------------
# Amazon's example documents


def test_sales_example_parses_to_exact_decimals_with_the_aggregate_keyed_by_empty_asin() -> None:
    name, report, frame = parse(example("vendorSalesReport"))
    assert name == "GET_VENDOR_SALES_REPORT"
    assert (report.report_type, report.source, report.fact_table) == (name, "SP_API_REPORT", "retail_sales")
    assert report.marketplace_id == US
    assert report.vendor_code is None  # the retail documents do not name the vendor code
    assert (report.data_start, report.data_end) == (date(2021, 6, 6), date(2021, 6, 19))
    assert report.amazon_last_updated == date(2021, 6, 20)
    assert report.options == {
        "reportPeriod": "WEEK",
        "distributorView": "MANUFACTURING",
        "sellingProgram": "RETAIL",
        "currencyCode": "USD",
    }
    assert report.replaces_window is True
    assert report.errors == []
    rows = rows_by_asin(frame)
    assert set(rows) == {"", "B123456789"}
    aggregate, asin = rows[""], rows["B123456789"]
    assert aggregate["ordered_revenue"] == Decimal("1500")
    assert aggregate["shipped_cogs"] == Decimal("90.0")
    assert aggregate["shipped_units"] == 10
    assert asin["ordered_revenue"] == Decimal("1000.0")
    assert asin["ordered_units"] == 25
    assert asin["shipped_cogs"] == Decimal("50.0")
    assert asin["shipped_revenue"] == Decimal("150.0")
    assert asin["customer_returns"] == 0  # a reported zero stays zero
    for row in rows.values():
        assert isinstance(row["shipped_cogs"], Decimal)
        assert (row["period_grain"], row["period_start"], row["period_end"]) == (
            "WEEK",
            date(2021, 6, 6),
            date(2021, 6, 12),
        )
        assert (row["distributor_view"], row["selling_program"], row["currency"]) == ("MANUFACTURING", "RETAIL", "USD")
        assert (row["marketplace_id"], row["vendor_code"]) == (US, "")


def test_inventory_example_keeps_every_metric() -> None:
    _, report, frame = parse(example("vendorInventoryReport"))
    assert report.fact_table == "retail_inventory"
    row = rows_by_asin(frame)["B123456789"]
    assert row["net_received_inventory_cost"] == Decimal("2345.5")
    assert row["sellable_on_hand_inventory_units"] == 5490
    assert row["average_vendor_lead_time_days"] == Decimal("10.2")
    assert row["sell_through_rate"] == Decimal("0.88")  # already a fraction
    assert row["vendor_confirmation_rate"] == Decimal("0.88")
    assert row["unhealthy_inventory_cost"] == Decimal("123.45")
    assert row["procurable_product_out_of_stock_rate"] is None  # not reported at ASIN level
    assert row["receive_fill_rate"] is None


def test_traffic_and_net_ppm_examples_have_no_view_or_program_in_the_key() -> None:
    _, traffic, traffic_frame = parse(example("vendorTrafficReport"))
    assert traffic.options == {"reportPeriod": "WEEK"}
    assert traffic_frame["glance_views"].tolist() == [100, 100]
    assert set(traffic_frame["distributor_view"]) == {""}
    assert set(traffic_frame["selling_program"]) == {""}

    _, ppm, ppm_frame = parse(example("vendorNetPureProductMarginReport"))
    # Amazon's own example leaves `asin` out of its ByAsin element although the schema requires it:
    # that element is refused with its index and field; the aggregate row still reads.
    assert [(e.row, e.column, e.expected) for e in ppm.errors] == [
        (0, "netPureProductMarginByAsin.asin", "the required field asin")
    ]
    assert ppm_frame["asin"].tolist() == [""]
    assert ppm_frame["net_pure_product_margin"].tolist() == [Decimal("0.1234")]


def test_forecast_example_window_comes_from_its_rows() -> None:
    name, report, frame = parse(example("vendorForecastingReport"))
    assert name == "GET_VENDOR_FORECASTING_REPORT"
    assert (report.data_start, report.data_end) == (date(2021, 6, 6), date(2021, 6, 12))
    assert report.replaces_window is False
    row = frame.iloc[0]
    assert row["forecast_generation_date"] == date(2021, 6, 6)
    assert row["selling_program"] == "RETAIL"
    assert [
        row[c] for c in ("mean_forecast_units", "p70_forecast_units", "p80_forecast_units", "p90_forecast_units")
    ] == [
        Decimal("3.1"),
        Decimal("3.7"),
        Decimal("30.2"),
        Decimal("300.8"),
    ]


@pytest.mark.parametrize(
    ("document", "report_type", "metric", "value"),
    [
        ("vendorRealTimeSalesReport", "GET_VENDOR_REAL_TIME_SALES_REPORT", "ordered_revenue", Decimal("20.0")),
        ("vendorRealTimeInventoryReport", "GET_VENDOR_REAL_TIME_INVENTORY_REPORT", "highly_available_inventory", 75),
        ("vendorRealTimeTrafficReport", "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT", "glance_views", 75),
    ],
)
def test_real_time_examples_are_detected_by_their_keys(
    document: str, report_type: str, metric: str, value: Any
) -> None:
    # Amazon's examples say "reportType": null, so detection falls back on the fields only that report has.
    name, report, frame = parse(example(document))
    assert name == report_type
    assert report.replaces_window is False
    assert frame[metric].tolist() == [value]
    assert frame["start_time"].tolist() == [datetime(2022, 4, 20, 20, tzinfo=UTC)]
    assert frame["end_time"].tolist() == [datetime(2022, 4, 20, 21, tzinfo=UTC)]


def test_promotion_example_gives_a_total_row_and_a_row_per_product() -> None:
    name, report, frame = parse(example("promotionReport"))
    assert name == "GET_PROMOTION_PERFORMANCE_REPORT"
    assert report.vendor_code == "ABCDE"  # promotion documents do name it
    assert (report.data_start, report.data_end) == (date(2020, 11, 23), date(2020, 12, 6))
    rows = rows_by_asin(frame)
    total, product = rows[""], rows["B08755Z2ND"]
    assert total["revenue"] == Decimal("32917.01")
    assert total["amount_spent"] == Decimal("9338.2")
    assert total["units_sold"] == 121
    assert total["glance_views"] == 41084
    assert total["funding_agreement_id"] == "58985408"  # the link to the co-op agreement
    assert product["revenue"] == Decimal("16371.85")
    assert product["units_sold"] == 20
    assert product["product_name"] == "Save on BrandX Product Name"
    for row in rows.values():
        assert (row["promotion_id"], row["currency"], row["promotion_type"]) == ("16913551269", "USD", "BEST_DEAL")
        assert row["start_at"] == datetime(2020, 11, 23, 12, 34, 56, tzinfo=UTC)


def test_coupon_example_budget_percentage_is_stored_as_a_fraction() -> None:
    _, report, frame = parse(example("vendorCouponReport"))
    assert report.vendor_code == "ABCDE"
    row = frame.iloc[0]
    assert (row["campaign_id"], row["coupon_id"]) == ("AMZHYHN65T7OH", "A2NW32V27GZS2T")
    assert row["budget_spent"] == Decimal("42.29")
    assert row["budget"] == Decimal("10000.00")
    # Amazon writes percentage points: 42.29 spent of 10,000 is 0.42 %, which its example rounds to 0.4.
    assert row["budget_percentage_used"] == Decimal("0.004")
    assert (row["clips"], row["redemptions"]) == (13, 1)


def test_shared_examples_against_amazons_schemas() -> None:
    # The example documents are Amazon's; two of them break Amazon's own schemas, which is why the
    # parser detects real-time reports by their keys and refuses the ASIN row without an asin.
    problems = {
        name: schema_errors(example(key), name)
        for key, name in [
            ("vendorSalesReport", "GET_VENDOR_SALES_REPORT"),
            ("vendorInventoryReport", "GET_VENDOR_INVENTORY_REPORT"),
            ("vendorTrafficReport", "GET_VENDOR_TRAFFIC_REPORT"),
            ("vendorNetPureProductMarginReport", "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"),
            ("vendorForecastingReport", "GET_VENDOR_FORECASTING_REPORT"),
            ("vendorRealTimeTrafficReport", "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT"),
            ("promotionReport", "GET_PROMOTION_PERFORMANCE_REPORT"),
            ("vendorCouponReport", "GET_COUPON_PERFORMANCE_REPORT"),
        ]
    }
    assert problems["GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"] == [
        "netPureProductMarginByAsin/0: 'asin' is a required property"
    ]
    assert problems["GET_VENDOR_REAL_TIME_TRAFFIC_REPORT"] == [
        "reportSpecification/reportType: None is not of type 'string'",
        "reportSpecification/reportType: None is not one of ['GET_VENDOR_REAL_TIME_TRAFFIC_REPORT']",
    ]
    assert all(not errors for name, errors in problems.items() if "NET_PURE" not in name and "REAL_TIME" not in name)


# ---------------------------------------------------------------------------------------------
# Generated documents: every report type, grain, view and program


@pytest.mark.parametrize(
    ("report_type", "raw"),
    [
        ("GET_VENDOR_SALES_REPORT", docgen.sales_report_json(3, 2, grain="WEEK")),
        ("GET_VENDOR_SALES_REPORT", docgen.sales_report_json(3, 2, grain="DAY", view="SOURCING", program="FRESH")),
        ("GET_VENDOR_INVENTORY_REPORT", docgen.inventory_report_json(3, 2, grain="DAY")),
        ("GET_VENDOR_INVENTORY_REPORT", docgen.inventory_report_json(3, 2, grain="QUARTER", view="SOURCING")),
        ("GET_VENDOR_TRAFFIC_REPORT", docgen.traffic_report_json(3, 2, grain="MONTH")),
        ("GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT", docgen.netppm_report_json(3, 2, grain="YEAR")),
        ("GET_VENDOR_FORECASTING_REPORT", docgen.forecast_report_json(3, 4)),
        ("GET_VENDOR_REAL_TIME_SALES_REPORT", docgen.realtime_report_json("sales", 3, 5)),
        ("GET_VENDOR_REAL_TIME_INVENTORY_REPORT", docgen.realtime_report_json("inventory", 3, 5)),
        ("GET_VENDOR_REAL_TIME_TRAFFIC_REPORT", docgen.realtime_report_json("traffic", 3, 5)),
        ("GET_PROMOTION_PERFORMANCE_REPORT", docgen.promotion_report_json(3, 2)),
        ("GET_COUPON_PERFORMANCE_REPORT", docgen.coupon_report_json(2, 3)),
    ],
)
def test_generated_documents_follow_amazons_schemas_and_parse_cleanly(report_type: str, raw: bytes) -> None:
    assert schema_errors(raw, report_type) == []
    name, report, frame = parse(raw)
    assert name == report_type
    assert report.errors == []
    assert len(frame) > 0


@pytest.mark.parametrize(
    ("grain", "first", "last"),
    [
        ("DAY", date(2025, 1, 5), date(2025, 1, 5)),
        ("WEEK", date(2025, 1, 5), date(2025, 1, 11)),  # Sunday to Saturday
        ("MONTH", date(2025, 1, 1), date(2025, 1, 31)),
        ("QUARTER", date(2025, 1, 1), date(2025, 3, 31)),
        ("YEAR", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_sales_report_of_every_grain(grain: str, first: date, last: date) -> None:
    _, report, frame = parse(docgen.sales_report_json(4, 3, grain=grain))
    assert report.errors == []
    assert report.options["reportPeriod"] == grain
    assert set(frame["period_grain"]) == {grain}
    assert len(frame) == 4 * 3 + 3  # ASIN rows plus one aggregate row per period
    first_period = frame[frame["period_start"] == first]
    assert set(first_period["period_end"]) == {last}
    assert report.data_start == first
    # The aggregate row of each period is the sum of its ASIN rows (docgen writes it that way).
    for start, rows in frame.groupby("period_start"):
        aggregate = rows[rows["asin"] == ""].iloc[0]
        by_asin = rows[rows["asin"] != ""]
        assert aggregate["shipped_cogs"] == sum(by_asin["shipped_cogs"], Decimal(0)), start
        assert aggregate["shipped_units"] == by_asin["shipped_units"].sum()


def test_sourcing_view_leaves_ordered_figures_unreported_not_zero() -> None:
    _, report, frame = parse(docgen.sales_report_json(3, 2, grain="WEEK", view="SOURCING", program="BUSINESS"))
    assert report.options["distributorView"] == "SOURCING"
    assert set(frame["distributor_view"]) == {"SOURCING"}
    assert set(frame["selling_program"]) == {"BUSINESS"}
    assert frame["ordered_revenue"].tolist() == [None] * len(frame)  # orderedRevenue: MANUFACTURING only
    assert frame["ordered_units"].isna().all()
    assert frame["customer_returns"].notna().all()  # Business reports returns
    assert all(isinstance(v, Decimal) for v in frame["shipped_cogs"])


def test_fresh_program_has_no_customer_returns() -> None:
    _, _, frame = parse(docgen.sales_report_json(2, 2, program="FRESH"))
    assert set(frame["selling_program"]) == {"FRESH"}
    assert frame["customer_returns"].isna().all()  # customerReturns: RETAIL and BUSINESS only
    assert frame["ordered_units"].notna().all()


def test_views_and_programs_stay_apart_in_the_key() -> None:
    frames = [
        parse(docgen.sales_report_json(["B000000001"], 1, view=view, program=program))[2]
        for view in ("MANUFACTURING", "SOURCING")
        for program in ("RETAIL", "BUSINESS", "FRESH")
    ]
    keys = pd.concat(frames)[["distributor_view", "selling_program", "period_start", "asin"]]
    assert not keys.duplicated().any()  # six views x programs, never one summed row


def test_null_metrics_stay_none() -> None:
    # Amazon sends required metrics as null (selling-partner-api-models#647): keep "not reported".
    raw = docgen.sales_report_json(8, 1, grain="WEEK", nulls=True)
    _, report, frame = parse(raw)
    assert report.errors == []
    row = rows_by_asin(frame)[docgen.asin_list(8)[3]]
    assert row["shipped_cogs"] is None
    assert pd.isna(row["customer_returns"])
    assert row["shipped_units"] is not None


def test_inventory_day_report_keeps_unhealthy_inventory_unreported() -> None:
    _, report, frame = parse(docgen.inventory_report_json(8, 2, grain="DAY", nulls=True))
    assert report.errors == []
    assert frame["unhealthy_inventory_cost"].tolist() == [None] * len(frame)  # always null for DAY (#4809)
    aggregate = frame[frame["asin"] == ""].iloc[0]
    assert aggregate["receive_fill_rate"] == Decimal("0.94")  # aggregate-only metrics
    assert aggregate["uft"] == Decimal("0.19")
    row = rows_by_asin(frame[frame["period_start"] == date(2025, 1, 5)])[docgen.asin_list(8)[3]]
    assert row["sellable_on_hand_inventory_units"] is pd.NA or pd.isna(row["sellable_on_hand_inventory_units"])
    assert row["sellable_on_hand_inventory_cost"] is None
    assert (frame["sell_through_rate"].dropna() < 0).any()  # sell-through can be negative


def test_forecast_and_real_time_values() -> None:
    _, forecast, forecast_frame = parse(docgen.forecast_report_json(2, 3, program="FRESH"))
    assert forecast.options == {"sellingProgram": "FRESH"}
    assert (forecast.data_start, forecast.data_end) == (date(2025, 6, 8), date(2025, 6, 28))
    assert len(forecast_frame) == 6
    assert all(isinstance(v, Decimal) for v in forecast_frame["p90_forecast_units"])

    _, realtime, realtime_frame = parse(docgen.realtime_report_json("sales", 2, 3, currency="EUR"))
    assert realtime.options == {"currencyCode": "EUR"}
    assert set(realtime_frame["currency"]) == {"EUR"}
    assert (realtime_frame["ordered_units"] < 0).any()  # cancellations can outnumber orders
    assert realtime_frame["start_time"].min() == datetime(2025, 6, 1, tzinfo=UTC)
    assert len(realtime_frame) == 6


def test_coupon_without_currency_uses_the_marketplace_currency() -> None:
    _, report, frame = parse(docgen.coupon_report_json(1, 2, currency=None, marketplace_id="A1PA6795UKMFR9"))
    assert report.errors == []
    assert set(frame["currency"]) == {"EUR"}
    assert set(frame["marketplace_id"]) == {"A1PA6795UKMFR9"}


def test_aggregate_after_the_asin_rows_reads_the_same() -> None:
    first = parse(docgen.sales_report_json(3, 2))[2]
    last = parse(docgen.sales_report_json(3, 2, aggregate_last=True))[2]
    key = ["period_start", "asin"]
    pd.testing.assert_frame_equal(
        first.sort_values(key).reset_index(drop=True), last.sort_values(key).reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# Gzip by magic bytes, streaming


def test_gzip_is_decided_by_magic_bytes_not_the_name() -> None:
    plain = docgen.sales_report_json(3, 2)
    zipped = docgen.sales_report_json(3, 2, gzip=True)
    assert zipped[:2] == b"\x1f\x8b"
    _, report_zipped, frame_zipped = parse(zipped, "GET_VENDOR_SALES_REPORT.json")  # gzip named .json
    _, report_plain, frame_plain = parse(plain, "report.json.gz")  # plain named .gz (#2618)
    pd.testing.assert_frame_equal(frame_zipped, frame_plain)
    assert report_zipped.options == report_plain.options
    # Handed the compressed bytes directly, the parser still decides by the magic bytes.
    direct = spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(zipped), "x.json")
    pd.testing.assert_frame_equal(pd.concat(list(direct.chunks), ignore_index=True), frame_plain)


def test_chunks_are_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spapi_reports, "CHUNK_ROWS", 100)
    raw = docgen.sales_report_json(50, 20)  # 1,000 ASIN rows + 20 aggregates
    # Cut the document inside the ASIN array: the first chunks still come out before the error,
    # which shows rows are yielded as they are read, not after loading the whole document.
    truncated = raw[: int(len(raw) * 0.8)]
    report = spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(truncated), "cut.json")
    sizes = []
    with pytest.raises(ParseError) as caught:
        for chunk in report.chunks:
            sizes.append(len(chunk))
    assert sizes and all(size < 100 + 256 for size in sizes)  # chunks close on the first batch past 100
    assert caught.value.error.expected == "a complete JSON document: it ends early (was the download cut off?)"

    full = spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(raw), "full.json")
    sizes = [len(chunk) for chunk in full.chunks]
    assert sum(sizes) == 1020
    assert len(sizes) >= 3


# ---------------------------------------------------------------------------------------------
# Failures: FATAL, malformed, invalid rows


def test_fatal_document_raises_with_amazons_message() -> None:
    raw = docgen.fatal_report_json("Report FATAL: reportPeriod WEEK requires dataStartTime on a Sunday")
    stream = open_maybe_gzip(io.BytesIO(raw))
    spec = registry.detect(sniff(stream))
    assert spec is not None and spec.name == "SP_API_REPORT_FATAL"
    with pytest.raises(ParseError) as caught:
        spec.parser(stream, "fatal.json")
    error = caught.value.error
    assert error.value == "Report FATAL: reportPeriod WEEK requires dataStartTime on a Sunday"
    assert error.column == "errorDetails"
    assert "FATAL" in error.expected
    assert error.file == "fatal.json"


def test_truncated_gzip_is_a_clear_parse_error() -> None:
    zipped = docgen.sales_report_json(30, 5, gzip=True)
    with pytest.raises(ParseError) as caught:
        report = spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(zipped[: len(zipped) // 2]), "cut.gz")
        list(report.chunks)
    assert caught.value.error.expected == "a complete gzip file: it ends early (was the download cut off?)"
    assert caught.value.error.file == "cut.gz"


def test_invalid_json_is_a_clear_parse_error() -> None:
    raw = b'{"reportSpecification": {"reportType": "GET_VENDOR_SALES_REPORT", oops}'
    assert spapi_reports.identify_report_type(raw) == "GET_VENDOR_SALES_REPORT"
    with pytest.raises(ParseError) as caught:
        spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(raw), "bad.json")
    assert caught.value.error.expected == "a valid JSON document"
    assert caught.value.error.value  # ijson's description of where it broke


def _mutated_sales(change: Any) -> bytes:
    document = json.loads(example("vendorSalesReport"), parse_float=Decimal)
    change(document)
    return docgen.dumps(document)


def test_missing_required_field_is_a_row_error_and_the_row_is_left_out() -> None:
    raw = _mutated_sales(lambda d: d["salesByAsin"][0].pop("shippedUnits"))
    _, report, frame = parse(raw, "missing.json")
    assert [e.as_dict() for e in report.errors] == [
        {
            "file": "missing.json",
            "row": 0,
            "column": "salesByAsin.shippedUnits",
            "value": None,
            "expected": "the required field shippedUnits",
        }
    ]
    assert frame["asin"].tolist() == [""]


@pytest.mark.parametrize(
    ("change", "column", "value", "expected"),
    [
        (lambda r: r.update(shippedUnits="12"), "salesByAsin.shippedUnits", "12", "a whole number"),
        (lambda r: r.update(shippedUnits=1.5), "salesByAsin.shippedUnits", "1.5", "a whole number"),
        (
            lambda r: r["shippedCogs"].update(amount="1,234.00"),
            "salesByAsin.shippedCogs.amount",
            "1,234.00",
            "a number",
        ),
        (
            lambda r: r.update(shippedCogs=50),
            "salesByAsin.shippedCogs",
            "50",
            'an amount object like {"amount": 12.34, "currencyCode": "USD"}',
        ),
        (
            lambda r: r["shippedRevenue"].update(currencyCode="EUR"),
            "salesByAsin.shippedRevenue.currencyCode",
            "EUR",
            "USD, the currency of the rest of the document",
        ),
        (lambda r: r.update(startDate="06/06/2021"), "salesByAsin.startDate", "06/06/2021", "a date like 2024-06-30"),
        (lambda r: r.update(asin=None), "salesByAsin.asin", "null", "a value for asin (null is not allowed)"),
        (
            lambda r: r.update(startDate="2021-06-07", endDate="2021-06-13"),
            "salesByAsin.startDate",
            "2021-06-07 to 2021-06-13",
            "a WEEK period: a week running Sunday to Saturday",
        ),
    ],
)
def test_unreadable_values_are_row_errors(change: Any, column: str, value: str, expected: str) -> None:
    raw = _mutated_sales(lambda d: change(d["salesByAsin"][0]))
    _, report, frame = parse(raw, "bad.json")
    assert [(e.row, e.column, e.value, e.expected) for e in report.errors] == [(0, column, value, expected)]
    assert "B123456789" not in set(frame["asin"])


def test_errors_stop_after_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spapi_reports, "MAX_ERRORS", 5)
    raw = docgen.sales_report_json(20, 1).replace(b'"shippedUnits":', b'"shippedUnits":"x","was":')
    _, report, _ = parse(raw)
    assert len(report.errors) == 6
    assert report.errors[-1].expected == "at most 5 errors: reading stopped here"


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [
        (
            lambda s: s.update(reportOptions=[{"reportPeriod": "WEEK"}]),
            "reportSpecification.reportOptions",
            "an object of report options",
        ),
        (
            lambda s: s["reportOptions"].update(reportPeriod="FORTNIGHT"),
            "reportSpecification.reportOptions.reportPeriod",
            "one of DAY, WEEK, MONTH, QUARTER, YEAR",
        ),
        (
            lambda s: s["reportOptions"].update(sellingProgram="PRIME"),
            "reportSpecification.reportOptions.sellingProgram",
            "one of RETAIL, BUSINESS, FRESH",
        ),
        (
            lambda s: s.update(marketplaceIds=[US, "A2EUQ1WTGCTBG2"]),
            "reportSpecification.marketplaceIds",
            "a list with exactly one marketplace id",
        ),
    ],
)
def test_bad_report_specification_is_a_parse_error(change: Any, column: str, expected: str) -> None:
    raw = _mutated_sales(lambda d: change(d["reportSpecification"]))
    with pytest.raises(ParseError) as caught:
        spapi_reports.parse("GET_VENDOR_SALES_REPORT", io.BytesIO(raw), "spec.json")
    assert (caught.value.error.column, caught.value.error.expected) == (column, expected)


def test_promotion_product_in_another_currency_is_refused() -> None:
    document = json.loads(docgen.promotion_report_json(2, 2), parse_float=Decimal)
    document["promotions"][1]["includedProducts"][0]["productRevenueCurrencyCode"] = "CAD"
    _, report, frame = parse(docgen.dumps(document), "promo.json")
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (1, "promotions.includedProducts[0].productRevenueCurrencyCode", "CAD")
    ]
    assert set(frame["promotion_id"]) == {"16913551269"}  # the whole promotion is left out


# ---------------------------------------------------------------------------------------------
# Detection


def test_detection_is_by_content_only() -> None:
    assert spapi_reports.identify_report_type(b"[]") is None  # an Ads v3 report body is an array
    assert spapi_reports.identify_report_type(b'{"payload": {"orders": []}}') is None
    assert spapi_reports.identify_report_type(b'{"reportSpecification": {"reportType": "GET_OTHER"}}') is None
    for report_type in spapi_reports.REPORT_TYPES:
        head = b'\xef\xbb\xbf  {"reportSpecification": {"reportType": "' + report_type.encode() + b'"'
        assert spapi_reports.identify_report_type(head) == report_type
    assert spapi_reports.identify_report_type(b'{"salesByAsin": [{"asin": "B0"}]}') == "GET_VENDOR_SALES_REPORT"
    assert spapi_reports.is_fatal_document(b'{"errorDetails": "x"}')
    assert not spapi_reports.is_fatal_document(docgen.sales_report_json(1, 1))
