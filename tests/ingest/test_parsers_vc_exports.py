"""Vendor Central Retail Analytics web exports (CSV and XLSX): banner, locales, drift, legacy, bad cells.

The en_IN file is the reconstructed sample in ../shared/formats; the others come from
tests/ingest/docgen.py, written the way the sample and the header catalog describe.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from ingest.parsers import registry
from ingest.parsers import vc_exports
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.base import sniff
from ingest.parsers.facts import FACT_COLUMNS
from tests.fixtures import AMAZON_FORMATS
from tests.ingest import docgen

FORMATS = AMAZON_FORMATS
SAMPLE = (FORMATS / "ara_sales_manufacturing_en_IN.reconstructed.csv").read_bytes()
INDIA = "A21TJRUUN4KGV"
JULY_2026 = (date(2026, 7, 1), date(2026, 7, 31))
WEEK = (date(2026, 7, 5), date(2026, 7, 11))  # Sunday to Saturday


def parse(raw: bytes, name: str = "export.csv") -> tuple[str, ParsedReport, pd.DataFrame]:
    """What the pipeline does: detect from the head, parse, read every chunk."""
    stream = open_maybe_gzip(io.BytesIO(raw))
    spec = registry.detect(sniff(stream))
    assert spec is not None, "format not detected"
    report = spec.parser(stream, name)
    chunks = list(report.chunks)
    for chunk in chunks:
        assert list(chunk.columns) == [column for column, _ in FACT_COLUMNS[report.fact_table]]
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return spec.name, report, frame


def parse_error(raw: bytes, name: str = "export.csv") -> Any:
    with pytest.raises(ParseError) as caught:
        parse(raw, name)
    return caught.value.error


def records(frame: pd.DataFrame) -> dict[str, dict[Any, Any]]:
    return {str(row["asin"]): row for row in frame.to_dict("records")}


def value(cell: Any) -> Any:
    return None if cell is None or cell is pd.NA else cell


# ---------------------------------------------------------------------------------------------
# The en_IN sample


def test_en_in_sample_parses_to_exact_values() -> None:
    name, report, frame = parse(SAMPLE, "sales_en_IN.csv")
    assert name == "VC_RETAIL_ANALYTICS_CSV"
    assert (report.report_type, report.source, report.fact_table) == (
        "VC_RETAIL_ANALYTICS_SALES",
        "VC_CSV_UPLOAD",
        "retail_sales",
    )
    assert report.errors == []
    assert report.marketplace_id == INDIA
    assert report.vendor_code is None
    # Viewing Range=[01/07/26 - 31/07/26] is July (day first in en_IN), not 7 January to ...
    assert (report.data_start, report.data_end) == JULY_2026
    assert report.amazon_last_updated == date(2026, 9, 4)  # Report Updated=[04/09/26]: 4 September
    assert report.replaces_window is True
    assert report.options["reportPeriod"] == "MONTH"
    assert report.options["currencyCode"] == "INR"
    assert report.options["locale"] == "en_IN"
    assert report.options["business"] == "HIVEFY LIFESTYLE PRIVATE LIMITED -Gujarat -MVR"
    assert report.options["ignored_columns"] == ["Product Title", "Brand"]
    assert report.provided_columns is not None and "shipped_cogs" in report.provided_columns

    rows = records(frame)
    assert list(rows) == ["B0B8ZZ22JQ", "B0CPFP8NNB", "B0D9L6CXL1", "B0F6C3LLKB"]
    first = rows["B0B8ZZ22JQ"]
    assert first["ordered_revenue"] == Decimal("305148.87")  # ₹3,05,148.87, lakh grouping
    assert first["ordered_units"] == 818
    assert first["shipped_revenue"] == Decimal("0.00")
    assert first["shipped_cogs"] == Decimal("0.00")  # a zero, not "missing"
    assert (first["shipped_units"], first["customer_returns"]) == (844, 41)
    assert rows["B0CPFP8NNB"]["ordered_revenue"] == Decimal("284875.79")
    negative = rows["B0D9L6CXL1"]
    assert negative["ordered_revenue"] == Decimal("-379.04")  # -₹379.04: minus before the symbol
    assert negative["ordered_units"] == -2
    blank = rows["B0F6C3LLKB"]
    assert blank["ordered_revenue"] == Decimal("0.00")
    assert blank["ordered_units"] == 0
    assert [value(blank[c]) for c in ("shipped_revenue", "shipped_cogs", "shipped_units", "customer_returns")] == [
        None,
        None,
        None,
        None,
    ]
    for row in rows.values():
        assert (row["marketplace_id"], row["vendor_code"], row["currency"]) == (INDIA, "", "INR")
        assert (row["distributor_view"], row["selling_program"], row["period_grain"]) == (
            "MANUFACTURING",
            "RETAIL",
            "MONTH",
        )
        assert (row["period_start"], row["period_end"]) == JULY_2026
        assert isinstance(row["ordered_revenue"], Decimal)


# ---------------------------------------------------------------------------------------------
# Locales


@pytest.mark.parametrize(
    ("locale", "country", "currency", "marketplace", "viewing_text"),
    [
        ("en_US", "US", "USD", "ATVPDKIKX0DER", "7/5/26 - 7/11/26"),  # m/d/yy
        ("en_GB", "GB", "GBP", "A1F83G8C2ARO7P", "05/07/26 - 11/07/26"),  # dd/mm/yy
        ("en_AE", "AE", "AED", "A2VIGQ35RCS4UG", "05/07/2026 - 11/07/2026"),  # dd/mm/yyyy
        ("de_DE", "DE", "EUR", "A1PA6795UKMFR9", "05.07.2026 - 11.07.2026"),  # 1.234,56 €
    ],
)
def test_each_locale_reads_its_own_dates_and_numbers(
    locale: str, country: str, currency: str, marketplace: str, viewing_text: str
) -> None:
    rows = [
        {"asin": "B0B8ZZ22JQ", "ordered_revenue": Decimal("1234567.89"), "ordered_units": 12345,
         "shipped_revenue": Decimal("1234.56"), "shipped_cogs": Decimal("-379.04"), "shipped_units": 1234,
         "customer_returns": 0},
    ]  # fmt: skip
    raw = docgen.vc_export_csv("sales", locale, rows, reporting_range="Weekly", viewing=WEEK)
    assert viewing_text.encode() in raw
    _, report, frame = parse(raw)
    assert report.errors == []
    assert (report.marketplace_id, report.options["currencyCode"], report.options["locale"]) == (
        marketplace,
        currency,
        locale,
    )
    assert (report.data_start, report.data_end, report.options["reportPeriod"]) == (*WEEK, "WEEK")
    row = records(frame)["B0B8ZZ22JQ"]
    assert row["ordered_revenue"] == Decimal("1234567.89")
    assert row["ordered_units"] == 12345
    assert row["shipped_revenue"] == Decimal("1234.56")
    assert row["shipped_cogs"] == Decimal("-379.04")
    assert row["currency"] == currency


def test_german_export_writes_and_reads_1234_comma_56() -> None:
    rows = [{"asin": "B0B8ZZ22JQ", "shipped_cogs": Decimal("1234.56"), "shipped_units": 1234}]
    raw = docgen.vc_export_csv("sales", "de_DE", rows, reporting_range="Monthly")
    assert "1.234,56 €".encode() in raw
    _, _, frame = parse(raw)
    assert frame["shipped_cogs"].tolist() == [Decimal("1234.56")]
    assert frame["shipped_units"].tolist() == [1234]


def test_same_banner_dates_mean_different_months_in_different_locales() -> None:
    # 01/07/26 - 31/07/26 in en_IN is July; m/d/yy cannot read 31/07/26, so en_US refuses it
    # rather than filing the month in January.
    us = SAMPLE.replace(b"Locale=[en_IN]", b"Locale=[en_US]")
    error = parse_error(us)
    assert (error.row, error.column, error.value) == (1, "Viewing Range", "01/07/26 - 31/07/26")
    assert error.expected == "a date range like 7/1/26 - 7/31/26 (dates as locale en_US writes them)"


# ---------------------------------------------------------------------------------------------
# Report kinds, header drift, legacy


def test_inventory_export_stores_percentages_as_fractions() -> None:
    raw = docgen.vc_export_csv(
        "inventory", "en_US", docgen.vc_rows("inventory", 3), reporting_range="Weekly", viewing=WEEK
    )
    _, report, frame = parse(raw)
    assert report.report_type == "VC_RETAIL_ANALYTICS_INVENTORY"
    assert report.errors == []
    first, negative, blank = (records(frame)[a] for a in docgen.asin_list(3))
    assert first["sell_through_rate"] == Decimal("0.386")  # DOMAIN.md section 4.3 worked example, 38.6 %
    assert first["vendor_confirmation_rate"] == Decimal("0.883")
    assert first["receive_fill_rate"] == Decimal("0.94")
    assert first["procurable_product_out_of_stock_rate"] == Decimal("0")
    assert first["average_vendor_lead_time_days"] == Decimal("10.20")
    assert first["unhealthy_inventory_cost"] is None  # blank = not reported
    assert negative["sellable_on_hand_inventory_units"] == -4  # backorders count negative
    assert negative["net_received_inventory_cost"] < 0
    assert all(value(blank[c]) is None for c in ("sell_through_rate", "sellable_on_hand_inventory_units"))
    assert set(frame["distributor_view"]) == {"MANUFACTURING"}
    assert "Confirmed Units" in report.options["ignored_columns"]


def test_header_drift_reads_the_same_as_the_current_spelling() -> None:
    rows = docgen.vc_rows("inventory", 3)
    plain = parse(docgen.vc_export_csv("inventory", "en_GB", rows))[2]
    drifted_raw = docgen.vc_export_csv("inventory", "en_GB", rows, drift=True)
    assert b"Sellable On-Hand Units" in drifted_raw and b"Receive Fill Rate %" in drifted_raw
    drifted = parse(drifted_raw)[2]
    pd.testing.assert_frame_equal(plain, drifted)


def test_comparison_columns_with_en_dashes_are_ignored() -> None:
    rows = docgen.vc_rows("sales", 3)
    raw = docgen.vc_export_csv("sales", "en_US", rows, en_dash=True, drift=True)
    assert "Shipped COGS \u2013 Prior Period".encode() in raw
    _, report, frame = parse(raw)
    assert "Shipped COGS \u2013 Same Period Last Year" in report.options["ignored_columns"]
    assert frame["shipped_cogs"].tolist()[0] == rows[0]["shipped_cogs"]  # 'Shipped Cogs' drift maps too
    assert report.errors == []


def test_traffic_and_net_ppm_exports_are_keyed_without_view_or_program() -> None:
    _, traffic, traffic_frame = parse(docgen.vc_export_csv("traffic", "en_US", docgen.vc_rows("traffic", 2)))
    assert traffic.fact_table == "retail_traffic"
    assert traffic_frame["glance_views"].tolist() == [12000, 12100]
    assert set(traffic_frame["distributor_view"]) == {""} and set(traffic_frame["selling_program"]) == {""}
    assert traffic.options["bannerDistributorView"] == "Manufacturing"  # kept for the record only
    assert "Glance Views - Prior Period" in traffic.options["ignored_columns"]

    _, ppm, ppm_frame = parse(docgen.vc_export_csv("netppm", "en_US", docgen.vc_rows("netppm", 2), drift=True))
    assert ppm.fact_table == "retail_net_ppm"
    assert ppm_frame["net_pure_product_margin"].tolist() == [Decimal("0.27"), Decimal("-0.052")]
    assert ppm.provided_columns is not None and "currency" not in ppm.provided_columns


def test_legacy_sales_diagnostic_export() -> None:
    rows = docgen.vc_rows("sales", 3)
    raw = docgen.vc_export_csv(
        "sales", "en_US", rows, layout="legacy", reporting_range="Weekly", viewing=(date(2021, 6, 6), date(2021, 6, 12))
    )
    assert b"Viewing=[6/6/21 - 6/12/21]" in raw and b"Program=[Amazon Retail]" in raw
    _, report, frame = parse(raw, "Sales Diagnostic_Detail View_US.csv")
    assert report.errors == []
    assert report.options["layout"] == "legacy"
    assert report.options["country_from"] == "file name"
    assert report.marketplace_id == "ATVPDKIKX0DER"
    assert (report.data_start, report.data_end, report.options["reportPeriod"]) == (
        date(2021, 6, 6),
        date(2021, 6, 12),
        "WEEK",
    )
    assert set(frame["selling_program"]) == {"RETAIL"}
    # The legacy layout has no revenue columns: they are not provided (so not wiped), and None here.
    assert report.provided_columns is not None
    assert "shipped_revenue" not in report.provided_columns and "ordered_revenue" not in report.provided_columns
    assert frame["shipped_revenue"].tolist() == [None] * 3
    assert frame["shipped_cogs"].tolist()[0] == rows[0]["shipped_cogs"]
    assert frame["ordered_units"].tolist()[1] == -2
    ignored = report.options["ignored_columns"]
    assert {"Glance Views", "Rep OOS", "Shipped COGS - % of Total", "LBB (Price)"} <= set(ignored)


def test_legacy_export_without_a_country_leaves_the_marketplace_to_the_vendor_code() -> None:
    raw = docgen.vc_export_csv("sales", "en_US", layout="legacy", reporting_range="Monthly")
    _, report, frame = parse(raw, "renamed.csv")
    assert report.marketplace_id is None
    assert set(frame["marketplace_id"]) == {""}
    assert set(frame["currency"]) == {None}


def test_missing_markers_are_not_reported() -> None:
    rows = docgen.vc_rows("sales", 3)
    for marker in ("\u2014", "N/A", "-"):
        raw = docgen.vc_export_csv("sales", "en_US", rows, missing=marker)
        _, report, frame = parse(raw)
        assert report.errors == []
        last = records(frame)[rows[-1]["asin"]]
        assert last["shipped_cogs"] is None and value(last["customer_returns"]) is None, marker


def test_custom_reporting_range_takes_the_period_from_the_viewing_range() -> None:
    raw = docgen.vc_export_csv("sales", "en_US", reporting_range="Custom", viewing=WEEK)
    _, report, frame = parse(raw)
    assert report.options["reportPeriod"] == "WEEK"
    assert set(frame["period_grain"]) == {"WEEK"}


def test_semicolon_csv_without_bom() -> None:
    raw = docgen.vc_export_csv("sales", "de_DE", docgen.vc_rows("sales", 2), bom=False, delimiter=";")
    _, report, frame = parse(raw)
    assert report.errors == []
    assert len(frame) == 2


# ---------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_export_with_number_cells_matches_the_csv() -> None:
    rows = docgen.vc_rows("inventory", 3)
    name, report, frame = parse(docgen.vc_export_xlsx("inventory", "en_IN", rows), "inventory.xlsx")
    assert name == "VC_RETAIL_ANALYTICS_XLSX"
    assert report.errors == []
    csv_frame = parse(docgen.vc_export_csv("inventory", "en_IN", rows))[2]
    first = records(frame)[rows[0]["asin"]]
    assert first["sell_through_rate"] == Decimal("0.386")  # a cell formatted 0.00% stores the fraction
    assert (
        first["sellable_on_hand_inventory_cost"]
        == records(csv_frame)[rows[0]["asin"]]["sellable_on_hand_inventory_cost"]
    )
    for column in ("sellable_on_hand_inventory_units", "sell_through_rate", "net_received_inventory_cost"):
        assert [value(v) for v in frame[column]] == [value(v) for v in csv_frame[column]], column


def test_xlsx_with_text_cells() -> None:
    rows = docgen.vc_rows("sales", 3)
    _, report, frame = parse(docgen.vc_export_xlsx("sales", "en_IN", rows, as_text=True), "sales.xlsx")
    assert report.errors == []
    assert frame["ordered_revenue"].tolist()[1] == Decimal("-379.04")


@pytest.mark.parametrize("streamed", [False, True])
def test_excel_style_workbook_with_shared_strings(streamed: bool) -> None:
    # Excel keeps text in xl/sharedStrings.xml after the sheet; streaming writers put each entry's
    # sizes after its data. Detection inflates what the first bytes hold in both cases.
    rows = docgen.vc_rows("sales", 5)
    raw = docgen.excel_style_xlsx(docgen.vc_table("sales", "en_IN", rows), streamed=streamed)
    name, report, frame = parse(raw, "sales.xlsx")
    assert name == "VC_RETAIL_ANALYTICS_XLSX"
    assert report.errors == []
    assert report.marketplace_id == INDIA
    assert frame["ordered_revenue"].tolist()[:2] == [rows[0]["ordered_revenue"], Decimal("-379.04")]


def test_xlsx_formula_cell_is_refused() -> None:
    rows = docgen.vc_rows("sales", 3)
    raw = docgen.vc_export_xlsx("sales", "en_US", rows, formula=(1, "Shipped COGS", "=F4*0.6"))
    _, report, frame = parse(raw, "edited.xlsx")
    assert [e.as_dict() for e in report.errors] == [
        {
            "file": "edited.xlsx",
            "row": 4,  # banner row 1, header row 2, first ASIN row 3
            "column": "Shipped COGS",
            "value": "=F4*0.6",
            "expected": "a value, not a formula (paste the values only, or download the export again)",
        }
    ]
    assert rows[1]["asin"] not in set(frame["asin"])


# ---------------------------------------------------------------------------------------------
# Bad input


def test_unreadable_cells_name_file_row_column_value_and_expectation() -> None:
    raw = SAMPLE.replace("₹2,84,875.79".encode(), b"2,84,87x.79").replace(b",974,", b",9.5,")
    _, report, frame = parse(raw, "sales_en_IN.csv")
    assert [e.as_dict() for e in report.errors] == [
        {
            "file": "sales_en_IN.csv",
            "row": 4,
            "column": "Ordered Revenue",
            "value": "2,84,87x.79",
            "expected": "a money amount like 1,234.56",
        },
        {
            "file": "sales_en_IN.csv",
            "row": 4,
            "column": "Ordered Units",
            "value": "9.5",
            "expected": "a whole number like 1,234",
        },
    ]
    assert "B0CPFP8NNB" not in set(frame["asin"])
    assert len(frame) == 3


def test_bad_and_duplicate_asins_are_row_errors() -> None:
    raw = SAMPLE.replace(b"B0CPFP8NNB", b"B0B8ZZ22JQ").replace(b"B0F6C3LLKB", b"TOTAL")
    _, report, _ = parse(raw, "s.csv")
    assert [(e.row, e.column, e.value, e.expected) for e in report.errors] == [
        (4, "ASIN", "B0B8ZZ22JQ", "each ASIN once (also on row 3)"),
        (6, "ASIN", "TOTAL", "an ASIN like B0B8ZZ22JQ (10 letters and digits)"),
    ]


def test_missing_required_column_is_a_parse_error() -> None:
    raw = SAMPLE.replace(b",Shipped Units,", b",Units Shipped,")
    error = parse_error(raw)
    assert (error.row, error.column) == (2, "Shipped Units")
    assert error.expected == "a 'Shipped Units' column in a VC_RETAIL_ANALYTICS_SALES export"


@pytest.mark.parametrize(
    ("old", "new", "column", "expected"),
    [
        (
            b"Reporting Range=[Month]",
            b"Reporting Range=[Week]",
            "Viewing Range",
            "a WEEK period: a week running Sunday to Saturday, as Reporting Range=[Week] says "
            "(download one period per file)",
        ),
        (b"Countries=[IN]", b'"Countries=[IN, AE]"', "Countries", None),
        (b"Distributor View=[Manufacturing]", b"Distributor View=[Both]", "Distributor View", None),
        (b"Programme=[Retail]", b"Programme=[Prime]", "Programme", "a Program of Retail, Business or Fresh"),
        (b"View By=[ASIN]", b"View By=[Brand]", "View By", "an export with View By=[ASIN] (one row per ASIN)"),
    ],
)
def test_banner_problems_are_parse_errors(old: bytes, new: bytes, column: str, expected: str | None) -> None:
    error = parse_error(SAMPLE.replace(old, new))
    assert (error.row, error.column) == (1, column)
    if expected:
        assert error.expected == expected


def test_weekly_pivot_net_ppm_is_refused() -> None:
    raw = docgen.vc_export_csv("netppm", "en_US").replace(b"Net PPM %", b"Net PPM (%) (Week 6)(%)")
    error = parse_error(raw)
    assert error.expected == "one Net PPM column (this export is a weekly pivot: download one period per file)"


def test_files_without_the_banner_are_not_taken() -> None:
    plain = b"ASIN,Shipped COGS,Shipped Units\r\nB0B8ZZ22JQ,1.00,1\r\n"
    assert not vc_exports.detect_csv(plain)
    assert not vc_exports.detect_csv(b"Campaign Name,Impressions,Clicks\r\nx,1,2\r\n")
    assert vc_exports.detect_csv(SAMPLE)
    assert vc_exports.detect_xlsx(docgen.vc_export_xlsx("sales", "en_US"))
    assert not vc_exports.detect_xlsx(docgen.vc_export_csv("sales", "en_US"))
