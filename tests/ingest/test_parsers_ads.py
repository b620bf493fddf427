"""Amazon Ads v3 report bodies and console downloads -> ads_daily (NOTES.md §2, DOMAIN.md §4.1)."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from ingest.parsers import ads_reports
from ingest.parsers import registry
from ingest.parsers.ads_reports import AmbiguousReport
from ingest.parsers.ads_reports import detect_report_type
from ingest.parsers.ads_reports import parse_api_report
from ingest.parsers.ads_reports import parse_console_csv
from ingest.parsers.ads_reports import parse_console_xlsx
from ingest.parsers.ads_reports import synthetic_id
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.base import sniff
from ingest.parsers.facts import FACT_COLUMNS
from tests.ingest import adsgen

DAY = date(2026, 11, 3)
COLUMNS = [name for name, _ in FACT_COLUMNS["ads_daily"]]


def _read(body: bytes, name: str = "report.json.gz", **options: Any) -> tuple[ParsedReport, pd.DataFrame]:
    """Like the pipeline: gzip by magic bytes, then the parser; chunks concatenated."""
    stream = open_maybe_gzip(io.BytesIO(body))
    report = parse_api_report(stream, name, options=options)
    chunks = list(report.chunks)
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=COLUMNS)
    assert list(frame.columns) == COLUMNS
    return report, frame


def _catalog() -> dict[str, Any]:
    return adsgen.shared_json("ads_v3_report_columns_catalog.json")["reportTypes"]


def _catalog_columns(spec: dict[str, Any], *group_bys: str) -> set[str]:
    columns = set(spec["baseColumns"])
    for name, group in spec["groupBy"].items():
        if not group_bys or name in group_bys:
            columns |= set(group["additionalColumns"])
    return columns


# --------------------------------------------------------------------------------------------------
# Amazon's sample body


def test_shared_sample_is_a_multi_day_summary_and_is_refused_row_by_row() -> None:
    body = adsgen.shared_path("ads_v3_spCampaigns_report_sample.json").read_bytes()

    report, frame = _read(gzip.compress(body), "spCampaigns.json.gz")

    assert report.report_type == "spCampaigns.adGroup"  # spCampaigns grouped by ad group
    assert frame.empty  # nothing of a 6-day summary can be put on days
    assert report.errors == [
        RowError(
            "spCampaigns.json.gz",
            row,
            "startDate",
            "2022-07-05 to 2022-07-10",
            "a DAILY report (timeUnit DAILY), or a SUMMARY covering a single day",
        )
        for row in (0, 1)  # JSON rows are array indices, from 0
    ]


def test_shared_sample_as_daily_rows_keeps_64_bit_ids_exact_and_records_windows() -> None:
    rows = adsgen.shared_json("ads_v3_spCampaigns_report_sample.json")
    for row in rows:
        del row["startDate"], row["endDate"]
        row["date"] = "2022-07-05"
    body = gzip.compress(json.dumps(rows).encode())

    report, frame = _read(body, profile_id="3302648562112301", marketplace_id="ATVPDKIKX0DER", currency="USD")

    assert report.errors == []
    assert list(frame["campaign_id"]) == [158410630682987, 158410630682987]
    assert list(frame["ad_group_id"]) == [72320882861500, 55720282058882]
    first = frame.iloc[0]
    assert first["date"] == date(2022, 7, 5)
    assert first["cost"] == Decimal("14.5")
    assert (first["impressions"], first["clicks"]) == (2216, 13)
    assert [first[f"purchases_{n}d"] for n in (1, 7, 14, 30)] == [1, 2, 3, 3]
    assert first["sales_14d"] is None  # not requested: not reported, never 0
    assert (first["profile_id"], first["marketplace_id"], first["currency"]) == (
        "3302648562112301",
        "ATVPDKIKX0DER",
        "USD",
    )
    assert report.options["attribution_windows"] == {"purchases": [1, 7, 14, 30]}
    assert report.marketplace_id == "ATVPDKIKX0DER"
    assert (report.data_start, report.data_end) == (date(2022, 7, 5), date(2022, 7, 5))


def test_single_day_summary_loads_on_its_day() -> None:
    rows = [{**adsgen.sp_campaign_row(DAY), "startDate": "2026-11-03", "endDate": "2026-11-03"}]
    del rows[0]["date"]

    report, frame = _read(adsgen.ads_report_body(rows))

    assert report.errors == []
    assert frame.iloc[0]["date"] == DAY


def test_registry_detects_a_gzipped_body_by_content() -> None:
    body = adsgen.ads_report_body([adsgen.sp_campaign_row(DAY)])
    head = sniff(open_maybe_gzip(io.BytesIO(body)))

    spec = registry.detect(head)

    assert spec is not None and spec.name == "ADS_V3_REPORT"


# --------------------------------------------------------------------------------------------------
# Detection rules, checked against Amazon's column catalog


@pytest.mark.parametrize(
    ("report_type", "group_bys", "expected"),
    [
        ("spCampaigns", ("campaign",), "spCampaigns"),
        ("spCampaigns", ("campaign", "adGroup"), "spCampaigns"),
        ("spCampaigns", ("campaignPlacement",), "spCampaigns"),
        ("spAdvertisedProduct", (), "spAdvertisedProduct"),
        ("spPurchasedProduct", (), "spPurchasedProduct"),
        ("spTargeting", (), "spTargeting"),
        ("spSearchTerm", (), "spSearchTerm"),
        ("sbCampaigns", (), "sbCampaigns"),
        ("sbAdGroup", (), "sbAdGroup"),
        ("sbAds", (), "sbAds"),
        ("sbTargeting", (), "sbTargeting"),
        ("sbSearchTerm", (), "sbSearchTerm"),
        ("sbCampaignPlacement", (), "sbCampaignPlacement"),
        ("sbPurchasedProduct", (), "sbPurchasedProduct"),
        ("sdCampaigns", ("campaign",), "sdCampaigns"),
        ("sdCampaigns", ("matchedTarget",), "sdCampaigns"),
        ("sdAdGroup", (), "sdAdGroup"),
        ("sdAdvertisedProduct", (), "sdAdvertisedProduct"),
        ("sdTargeting", (), "sdTargeting"),
    ],
)
def test_every_catalog_report_type_is_detected_from_its_columns(
    report_type: str, group_bys: tuple[str, ...], expected: str
) -> None:
    columns = _catalog_columns(_catalog()[report_type], *group_bys)
    assert detect_report_type(columns) == expected


@pytest.mark.parametrize("report_type", ["sdPurchasedProduct", "spAudiences", "sbAudiences"])
def test_unsupported_catalog_report_types_are_refused(report_type: str) -> None:
    with pytest.raises(AmbiguousReport, match="not supported"):
        detect_report_type(_catalog_columns(_catalog()[report_type]))


def test_product_only_column_sets_match_the_catalog() -> None:
    by_product: dict[str, set[str]] = {"sp": set(), "sb": set(), "sd": set()}
    for name, spec in _catalog().items():
        by_product[name[:2]] |= _catalog_columns(spec)
    only = {
        product: columns - set().union(*(other for key, other in by_product.items() if key != product))
        for product, columns in by_product.items()
    }
    assert only["sb"] == ads_reports.SB_ONLY_COLUMNS
    assert only["sd"] == ads_reports.SD_ONLY_COLUMNS
    windowed = {column for column in only["sp"] if ads_reports._SP_WINDOWED.match(column)}
    assert only["sp"] - windowed == ads_reports.SP_ONLY_COLUMNS


def test_sb_or_sd_columns_alone_are_ambiguous_until_the_caller_names_the_type() -> None:
    row = {"date": "2026-11-03", "campaignId": 522893482741, "impressions": 10, "clicks": 1, "cost": 0.5, "sales": 9.99}
    body = adsgen.ads_report_body([row])

    with pytest.raises(ParseError) as caught:
        _read(body, "sb.json.gz")
    assert "report_type option" in caught.value.error.expected
    assert "SP, SB and SD share them" in caught.value.error.expected

    report, frame = _read(body, "sb.json.gz", report_type="sbCampaigns")
    assert report.report_type == "sbCampaigns"
    assert frame.iloc[0]["ad_product"] == "SB"
    assert frame.iloc[0]["sales_14d"] == Decimal("9.99")

    with pytest.raises(ParseError, match="belong to SP"):
        _read(adsgen.ads_report_body([adsgen.sp_campaign_row(DAY)]), report_type="sdCampaigns")


# --------------------------------------------------------------------------------------------------
# Report types


def test_domain_worked_week_sums_to_the_published_ratios() -> None:
    """DOMAIN.md §4.1 worked example (one week, vendor SP): impressions 180,000; clicks 1,276; cost 1,250.00;
    sales14d 5,000.00; orders 64 -> CTR 0.709 %, CPC 0.98, CVR 5.02 %, ACoS 25.0 %, ROAS 4.00."""
    split = [
        (25_000, 180, "175.00", "700.00", 9),
        (26_000, 182, "180.00", "710.00", 9),
        (24_000, 170, "170.00", "690.00", 8),
        (27_000, 190, "185.00", "740.00", 10),
        (26_500, 184, "180.00", "720.00", 9),
        (25_500, 185, "180.00", "720.00", 9),
        (26_000, 185, "180.00", "720.00", 10),
    ]
    rows = [
        adsgen.sp_campaign_row(
            DAY + timedelta(days=offset),
            impressions=impressions,
            clicks=clicks,
            cost=Decimal(cost),
            sales={14: Decimal(sales)},
            purchases={14: orders},
        )
        for offset, (impressions, clicks, cost, sales, orders) in enumerate(split)
    ]

    report, frame = _read(adsgen.ads_report_body(rows))

    impressions, clicks = int(frame["impressions"].sum()), int(frame["clicks"].sum())
    cost, sales = sum(frame["cost"]), sum(frame["sales_14d"])
    orders = int(frame["purchases_14d"].sum())
    assert (impressions, clicks, cost, sales, orders) == (180_000, 1_276, Decimal("1250.00"), Decimal("5000.00"), 64)
    assert round(Decimal(clicks) / impressions * 100, 3) == Decimal("0.709")
    assert round(cost / clicks, 2) == Decimal("0.98")
    assert round(Decimal(orders) / clicks * 100, 2) == Decimal("5.02")
    assert cost / sales == Decimal("0.25")
    assert sales / cost == Decimal("4")
    assert report.report_type == "spCampaigns"
    assert set(frame["ad_group_id"]) == {0} and set(frame["asin"]) == {""}


def test_sp_advertised_product_maps_each_window_to_its_column() -> None:
    row = adsgen.sp_advertised_product_row(DAY, ad_id=283473247364512)

    report, frame = _read(adsgen.ads_report_body([row]))

    line = frame.iloc[0]
    assert report.report_type == "spAdvertisedProduct"
    assert (line["asin"], line["ad_id"], line["ad_group_id"]) == ("B07DFVDRAB", 283473247364512, 72320882861500)
    assert (line["sales_7d"], line["sales_14d"]) == (Decimal("59.98"), Decimal("89.97"))
    assert (line["purchases_14d"], line["units_sold_14d"]) == (3, 3)
    assert line["same_sku_sales_14d"] == Decimal("59.98")
    assert line["campaign_name"] == "Brand - Exact"
    assert report.options["attribution_windows"] == {
        "acosClicks": [14],
        "attributedSalesSameSku": [14],
        "purchases": [14],
        "roasClicks": [14],
        "sales": [7, 14],
        "unitsSoldClicks": [14],
    }
    assert {"acosClicks14d", "roasClicks14d", "costPerClick", "clickThroughRate"} <= set(
        report.options["ignored_columns"]
    )


def test_sb_campaigns_unsuffixed_metrics_are_14_day() -> None:
    report, frame = _read(adsgen.ads_report_body([adsgen.sb_campaign_row(DAY)]))

    line = frame.iloc[0]
    assert (report.report_type, line["ad_product"]) == ("sbCampaigns", "SB")
    assert line["sales_14d"] == Decimal("812.40")
    assert (line["purchases_14d"], line["units_sold_14d"]) == (17, 19)
    assert line["new_to_brand_sales_14d"] == Decimal("301.10")
    assert line["sales_7d"] is None
    assert report.options["attribution_windows"]["sales"] == [14]
    assert report.options["column_map"]["sales"] == "sales_14d"


def test_sd_campaigns_and_advertised_product() -> None:
    report, frame = _read(adsgen.ads_report_body([adsgen.sd_campaign_row(DAY)]))
    assert report.report_type == "sdCampaigns"
    assert frame.iloc[0]["sales_14d"] == Decimal("410.50")

    report, frame = _read(adsgen.ads_report_body([adsgen.sd_advertised_product_row(DAY)]))
    assert report.report_type == "sdAdvertisedProduct"
    line = frame.iloc[0]
    assert (line["asin"], line["ad_id"], line["ad_product"]) == ("B07MC84QAB", 577129443211873, "SD")
    assert (line["purchases_14d"], line["new_to_brand_sales_14d"]) == (2, Decimal("49.90"))


def test_purchased_product_rows_are_summed_to_the_ads_daily_key() -> None:
    rows = [
        adsgen.sp_purchased_product_row(
            DAY, purchased="B0HALO0001", keyword_id=1, sales14d=Decimal("20.00"), purchases14d=1
        ),
        adsgen.sp_purchased_product_row(
            DAY, purchased="B0HALO0001", keyword_id=2, sales14d=Decimal("35.50"), purchases14d=2
        ),
        adsgen.sp_purchased_product_row(
            DAY, purchased="B0HALO0002", keyword_id=2, sales14d=Decimal("9.99"), purchases14d=1
        ),
    ]

    report, frame = _read(adsgen.ads_report_body(rows))

    assert report.report_type == "spPurchasedProduct"
    by_asin = {line["asin"]: line for line in frame.to_dict("records")}
    assert by_asin["B0HALO0001"]["sales_14d"] == Decimal("55.50")
    assert by_asin["B0HALO0001"]["purchases_14d"] == 3
    assert by_asin["B0HALO0002"]["sales_14d"] == Decimal("9.99")
    assert by_asin["B0HALO0001"]["sales_7d"] is None  # None + None stays "not reported"


def test_placement_rows_are_summed_to_campaigns() -> None:
    rows = [
        adsgen.sp_campaign_row(DAY, impressions=100, clicks=3, cost=Decimal("2.10"), placementClassification=place)
        for place in ("Top of Search on-Amazon", "Detail Page on-Amazon", "Other on-Amazon")
    ]

    report, frame = _read(adsgen.ads_report_body(rows))

    assert report.report_type == "spCampaigns"
    assert len(frame) == 1
    assert (frame.iloc[0]["impressions"], frame.iloc[0]["clicks"], frame.iloc[0]["cost"]) == (300, 9, Decimal("6.30"))


def test_a_repeated_row_in_a_report_is_an_error() -> None:
    row = adsgen.sp_campaign_row(DAY)
    report, frame = _read(adsgen.ads_report_body([row, row]), "twice.json")

    assert len(frame) == 1
    assert report.errors == [
        RowError(
            "twice.json",
            1,
            None,
            "2026-11-03 campaign 158410630682987 ad group 0 ad 0 ASIN -",
            "one row per date and entity (this one repeats an earlier row)",
        )
    ]


def test_reports_without_campaign_ids_get_stable_synthetic_ids() -> None:
    """The sbPurchasedProduct example requests names only (campaignName, adGroupName)."""
    row = {
        "date": "2026-11-03",
        "campaignName": "SB - Headline",
        "adGroupName": "Hero",
        "purchasedAsin": "B07DFVDRAB",
        "productName": "Trail shoe",
        "sales14d": 129.99,
        "orders14d": 1,
    }

    report, frame = _read(adsgen.ads_report_body([row]))

    assert report.report_type == "sbPurchasedProduct"
    line = frame.iloc[0]
    assert line["campaign_id"] == synthetic_id("SB", "campaignId", "\x1fSB - Headline") < 0
    assert line["ad_group_id"] < 0
    assert (line["sales_14d"], line["purchases_14d"]) == (Decimal("129.99"), 1)
    assert report.options["synthetic_ids"] is True


def test_random_month_round_trips_exactly_in_chunks() -> None:
    rows = adsgen.random_ads_rows("spAdvertisedProduct", date(2026, 10, 1), 31, campaigns=7)

    report, frame = _read(adsgen.ads_report_body(rows))

    assert report.errors == []
    assert len(frame) == 31 * 7
    assert sum(frame["cost"]) == sum(row["cost"] for row in rows)
    assert sum(frame["sales_14d"]) == sum(row["sales14d"] for row in rows)
    assert set(frame["campaign_id"]) == {row["campaignId"] for row in rows}
    assert (report.data_start, report.data_end) == (date(2026, 10, 1), date(2026, 10, 31))


# --------------------------------------------------------------------------------------------------
# Malformed input


def test_malformed_values_are_row_errors_naming_file_row_column_value_and_expectation() -> None:
    rows = [
        adsgen.sp_campaign_row(DAY, cost="abc"),  # type: ignore[arg-type]
        adsgen.sp_campaign_row(DAY, campaign_id=2, impressions=Decimal("12.5")),  # type: ignore[arg-type]
        adsgen.sp_campaign_row(DAY, campaign_id="C-9"),  # type: ignore[arg-type]
        {**adsgen.sp_campaign_row(DAY, campaign_id=4), "date": "03/11/2026"},
        {k: v for k, v in adsgen.sp_campaign_row(DAY).items() if k not in ("campaignId", "campaignName")},
        adsgen.sp_campaign_row(DAY, campaign_id=6),
    ]

    report, frame = _read(adsgen.ads_report_body(rows), "bad.json.gz")

    assert list(frame["campaign_id"]) == [6]  # only the clean row; the pipeline loads nothing anyway
    assert report.errors == [
        RowError("bad.json.gz", 0, "cost", "abc", "a number"),
        RowError("bad.json.gz", 1, "impressions", "Decimal('12.5')", "a whole number"),
        RowError("bad.json.gz", 2, "campaignId", "C-9", "a positive 64-bit integer id"),
        RowError("bad.json.gz", 3, "date", "03/11/2026", "a date as YYYY-MM-DD"),
        RowError("bad.json.gz", 4, "campaignId", None, "campaignId (or campaignName) on every row"),
    ]


def test_truncated_or_invalid_bodies_are_parse_errors() -> None:
    body = adsgen.ads_report_body([adsgen.sp_campaign_row(DAY), adsgen.sp_campaign_row(DAY + timedelta(days=1))])
    truncated = gzip.compress(gzip.decompress(body)[:-30])
    with pytest.raises(ParseError) as caught:
        _read(truncated, "cut.json.gz")
    assert caught.value.error.file == "cut.json.gz"
    assert caught.value.error.expected.startswith("a complete, valid JSON array")

    with pytest.raises(ParseError, match="a JSON array of rows"):
        _read(b'{"code": "401", "details": "Not authorized"}', "error.json")

    with pytest.raises(ParseError, match="at least one row"):
        _read(b"[]", "empty.json")


# --------------------------------------------------------------------------------------------------
# Console downloads


def _console_rows() -> list[list[str]]:
    return [
        adsgen.console_sp_row(
            DAY,
            "Brand - Exact",
            impressions=12_000,
            clicks=150,
            spend=Decimal("187.50"),
            sales7=Decimal("1000.00"),
            sales14=Decimal("1250.00"),
            orders7=20,
            orders14=24,
            units7=22,
            same_sku7=Decimal("900.00"),
        ),
        adsgen.console_sp_row(
            DAY,
            "Generic - Auto",
            impressions=800,
            clicks=4,
            spend=Decimal("3.10"),
            sales7=Decimal("0"),
            sales14=Decimal("0"),
            orders7=0,
            orders14=0,
            units7=0,
            same_sku7=Decimal("0"),
            date_text="2026-11-03",
        ),
    ]


def _console(
    data: bytes, name: str, parser: Any = parse_console_csv, **options: Any
) -> tuple[ParsedReport, pd.DataFrame]:
    report = parser(io.BytesIO(data), name, options=options)
    frame = pd.concat(list(report.chunks), ignore_index=True)
    assert list(frame.columns) == COLUMNS
    return report, frame


def test_console_csv_maps_title_case_headers_and_skips_derived_ratios() -> None:
    data = adsgen.console_csv(adsgen.CONSOLE_SP_HEADERS, _console_rows())
    assert registry.detect(data[:65536]).name == "ADS_CONSOLE_CSV"  # type: ignore[union-attr]

    report, frame = _console(data, "Sponsored_Products_Campaign_report.csv")

    assert report.errors == []
    assert (report.report_type, report.source) == ("console:spCampaigns", "ADS_CONSOLE_EXPORT")
    by_name = {line["campaign_name"]: line for line in frame.to_dict("records")}
    exact = by_name["Brand - Exact"]
    assert exact["date"] == DAY
    assert (exact["impressions"], exact["clicks"]) == (12_000, 150)
    assert exact["cost"] == Decimal("187.50")
    assert (exact["sales_7d"], exact["sales_14d"]) == (Decimal("1000.00"), Decimal("1250.00"))
    assert (exact["purchases_7d"], exact["purchases_14d"], exact["units_sold_7d"]) == (20, 24, 22)
    assert exact["same_sku_sales_7d"] == Decimal("900.00")
    assert exact["currency"] == "USD"
    assert exact["campaign_id"] == synthetic_id("SP", "campaignId", "\x1fBrand - Exact")
    assert by_name["Generic - Auto"]["date"] == DAY  # ISO dates too
    assert report.options["derived_columns_not_stored"] == [
        "Click-Thru Rate (CTR)",
        "Cost Per Click (CPC)",
        "Total Advertising Cost of Sales (ACOS)",
        "Total Return on Advertising Spend (ROAS)",
    ]
    assert report.options["acos_mismatches"] == 0  # 187.50 / 1,250.00 = 15.00 % as printed
    assert report.options["attribution_windows"] == {
        "purchases": [7, 14],
        "same_sku_sales": [7],
        "sales": [7, 14],
        "units_sold": [7],
    }


def test_console_acos_that_matches_no_window_is_counted() -> None:
    rows = _console_rows()
    rows[0][15] = "42.00%"
    report, _ = _console(adsgen.console_csv(adsgen.CONSOLE_SP_HEADERS, rows), "c.csv")
    assert report.options["acos_mismatches"] == 1


def test_console_xlsx_with_numbers_and_dates_in_cells() -> None:
    headers = [
        "Date",
        "Currency",
        "Campaign Name",
        "Impressions",
        "Clicks",
        "Spend",
        "7 Day Total Sales",
        "7 Day Total Orders (#)",
    ]
    rows: list[list[Any]] = [
        [datetime(2026, 11, 3), "USD", "Brand - Exact", 12000, 150, 187.5, 1000.0, 20],
        ["Total", None, None, 12000, 150, 187.5, 1000.0, 20],
    ]
    data = adsgen.console_xlsx(headers, rows)
    assert registry.detect(data[:65536]).name == "ADS_CONSOLE_XLSX"  # type: ignore[union-attr]

    report, frame = _console(data, "report.xlsx", parse_console_xlsx)

    assert report.errors == []
    assert len(frame) == 1  # the Total row is not data
    line = frame.iloc[0]
    assert (line["date"], line["cost"], line["sales_7d"], line["purchases_7d"]) == (
        DAY,
        Decimal("187.5"),
        Decimal("1000.0"),
        20,
    )


def test_console_xlsx_formula_cell_is_an_error() -> None:
    headers = ["Date", "Campaign Name", "Impressions", "Clicks", "Spend", "7 Day Total Sales"]
    data = adsgen.console_xlsx(headers, [[datetime(2026, 11, 3), "Brand", 100, 2, "=1+1", 10.0]])

    report, frame = _console(data, "formula.xlsx", parse_console_xlsx)

    assert frame.empty
    assert report.errors == [RowError("formula.xlsx", 2, "Spend", "=1+1", "a value, not a formula")]


def test_console_malformed_cells_name_the_row_and_header() -> None:
    rows = _console_rows()
    rows[1][7] = "three dollars"
    rows[0][0] = "Smarch 40, 2026"

    report, _ = _console(adsgen.console_csv(adsgen.CONSOLE_SP_HEADERS, rows), "c.csv")

    assert report.errors == [
        RowError("c.csv", 2, "Date", "Smarch 40, 2026", "a date such as Nov 03, 2026 or 2026-11-03"),
        RowError("c.csv", 3, "Spend", "three dollars", "a money amount like 1,234.56"),
    ]


def test_console_sb_download_needs_the_report_type_when_headers_do_not_say() -> None:
    headers = [
        "Date",
        "Currency",
        "Campaign Name",
        "Impressions",
        "Clicks",
        "Spend",
        "14 Day Total Sales",
        "14 Day New-to-brand Sales",
    ]
    data = adsgen.console_csv(
        headers, [["Nov 03, 2026", "EUR", "SB Hero", "1.200", "30", "€45,10", "€310,00", "€120,00"]]
    )

    with pytest.raises(ParseError, match="console:sbCampaigns"):
        _console(data, "sb.csv")

    report, frame = _console(data, "sb.csv", report_type="console:sbCampaigns", locale="de_DE")
    assert report.report_type == "console:sbCampaigns"
    line = frame.iloc[0]
    assert (line["impressions"], line["cost"], line["sales_14d"]) == (1200, Decimal("45.10"), Decimal("310.00"))
    assert line["new_to_brand_sales_14d"] == Decimal("120.00")
    assert line["currency"] == "EUR"


# --------------------------------------------------------------------------------------------------
# Through the import pipeline (database state)


def _import(brand: Any, name: str, content: bytes, capture: Any, **kwargs: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ingest.services import report_import_create

    with capture(execute=True):
        report_import = report_import_create(brand=brand, uploaded_file=SimpleUploadedFile(name, content), **kwargs)
    report_import.refresh_from_db()
    return report_import


@pytest.mark.django_db
def test_ads_report_lands_in_ads_daily_with_exact_ids_and_a_second_import_changes_nothing(
    brand_a: Any, brand_manager: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    from ingest.models import AdsDailyFact
    from ingest.models import ReportImport

    settings.MEDIA_ROOT = tmp_path
    rows = [adsgen.sp_advertised_product_row(DAY), adsgen.sp_advertised_product_row(DAY + timedelta(days=1))]
    body = adsgen.ads_report_body(rows)

    first = _import(
        brand_a.brand, "sp-advertised.json.gz", body, django_capture_on_commit_callbacks, user=brand_manager
    )

    assert first.status == ReportImport.Status.SUCCEEDED, first.errors
    assert (first.source, first.report_type, first.fact_table) == ("ADS_API_REPORT", "spAdvertisedProduct", "ads_daily")
    assert first.options["attribution_windows"]["sales"] == [7, 14]
    facts = list(
        AdsDailyFact.objects.order_by("date").values("date", "campaign_id", "ad_id", "asin", "cost", "sales_14d")
    )
    assert facts == [
        {
            "date": day,
            "campaign_id": 158410630682987,
            "ad_id": 283473247364512,
            "asin": "B07DFVDRAB",
            "cost": Decimal("14.5000"),
            "sales_14d": Decimal("89.9700"),
        }
        for day in (DAY, DAY + timedelta(days=1))
    ]

    second = _import(brand_a.brand, "again.json.gz", body, django_capture_on_commit_callbacks, user=brand_manager)

    assert second.status == ReportImport.Status.SUCCEEDED
    assert second.rows_inserted + second.rows_updated == 0
    assert AdsDailyFact.objects.count() == 2


@pytest.mark.django_db
def test_ads_report_with_a_bad_value_loads_nothing(
    brand_a: Any, brand_manager: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    from ingest.models import AdsDailyFact
    from ingest.models import ReportImport

    settings.MEDIA_ROOT = tmp_path
    body = adsgen.ads_report_body([adsgen.sp_campaign_row(DAY), adsgen.sp_campaign_row(DAY, campaign_id=9, clicks="x")])  # type: ignore[arg-type]

    report_import = _import(brand_a.brand, "bad.json.gz", body, django_capture_on_commit_callbacks, user=brand_manager)

    assert report_import.status == ReportImport.Status.FAILED
    assert report_import.errors == [
        {"file": "bad.json.gz", "row": 1, "column": "clicks", "value": "x", "expected": "a whole number"}
    ]
    assert AdsDailyFact.objects.count() == 0


def test_ads_and_order_detectors_leave_the_other_formats_alone() -> None:
    from ingest.parsers.orders import detect_kind

    heads = [
        json.dumps(document).encode()[:65536]
        for document in adsgen.shared_json("spapi_vendor_reports_assembled_examples.json")["documents"].values()
    ]
    heads.append(adsgen.shared_path("ara_sales_manufacturing_en_IN.reconstructed.csv").read_bytes()[:65536])
    assert len(heads) == 11
    for head in heads:
        assert not ads_reports.detect_api_report(head)
        assert not ads_reports.detect_console_csv(head)
        assert not ads_reports.detect_console_xlsx(head)
        assert detect_kind(head) is None
