"""Value parsing shared by the report parsers: money, counts, percentages, dates, headers, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.parsers.facts import FACT_COLUMNS
from ingest.parsers.values import BadValue
from ingest.parsers.values import fact_frame
from ingest.parsers.values import is_missing
from ingest.parsers.values import normalise_header
from ingest.parsers.values import number_format_for
from ingest.parsers.values import parse_date
from ingest.parsers.values import parse_decimal
from ingest.parsers.values import parse_int
from ingest.parsers.values import parse_money
from ingest.parsers.values import parse_percent
from ingest.parsers.values import period_problem
from tests.ingest.docgen import format_date
from tests.ingest.docgen import format_money

EN = number_format_for("en_US")
IN = number_format_for("en_IN")
DE = number_format_for("de_DE")


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("₹3,05,148.87", IN, Decimal("305148.87")),  # Indian lakh grouping (NOTES.md section 4)
        ("₹2,84,875.79", IN, Decimal("284875.79")),
        ("-₹379.04", IN, Decimal("-379.04")),  # the minus before the symbol
        ("₹-379.04", IN, Decimal("-379.04")),
        ("₹0.00", IN, Decimal("0.00")),  # a real zero, not "missing"
        ("INR 1,00,00,000.50", IN, Decimal("10000000.50")),  # crore
        ("$1,234.56", EN, Decimal("1234.56")),
        ("($1,234.56)", EN, Decimal("-1234.56")),  # accounting negative
        ("US$12", EN, Decimal("12")),
        ("1234.5", EN, Decimal("1234.5")),
        ("AED 1,234.56", EN, Decimal("1234.56")),
        ("£0.99", EN, Decimal("0.99")),
        ("1.234,56 €", DE, Decimal("1234.56")),
        ("-1.234,56 €", DE, Decimal("-1234.56")),
        ("1 234,56 €", DE, Decimal("1234.56")),
        ("12,5", DE, Decimal("12.5")),
        (305148.87, IN, Decimal("305148.87")),  # an XLSX number cell: its shortest repr, exactly
        (818, EN, Decimal("818")),
    ],
)
def test_parse_money_reads_symbols_grouping_and_signs(text: object, fmt: object, expected: Decimal) -> None:
    value = parse_money(text, fmt)  # type: ignore[arg-type]
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize("marker", ["", "  ", "\u2014", "\u2013", "-", "N/A", "n/a", None])  # em/en dash
def test_missing_markers_are_none_not_zero(marker: str | None) -> None:
    assert is_missing(marker)
    assert parse_money(marker) is None
    assert parse_int(marker) is None
    assert parse_percent(marker) is None
    assert parse_date(marker, "en_IN") is None


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("1,5", EN, "a money amount like 1,234.56"),  # a comma that is not a thousands separator
        ("12,34,5", EN, "a money amount like 1,234.56"),
        ("1.2.3", EN, "a money amount like 1,234.56"),
        ("5 apples", EN, "a money amount like 1,234.56"),
        ("12%", EN, "a money amount like 1,234.56"),
        ("1,234.56", DE, "a money amount like 1.234,56"),  # en grouping in a de_DE file
        ("--5", EN, "a money amount like 1,234.56"),
    ],
)
def test_parse_money_refuses_what_it_cannot_read(text: str, fmt: object, expected: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_money(text, fmt)  # type: ignore[arg-type]
    assert caught.value.expected == expected


def test_parse_int_reads_grouped_and_negative_counts_and_refuses_fractions() -> None:
    assert parse_int("1,234") == 1234
    assert parse_int("-2") == -2  # negative units are legitimate (returns > orders)
    assert parse_int("1.234", DE) == 1234
    assert parse_int(818.0) == 818  # XLSX stores counts as floats
    assert parse_int("12,34,567", IN) == 1234567
    for text in ("1.5", "$12", "12%"):
        with pytest.raises(BadValue) as caught:
            parse_int(text)
        assert caught.value.expected == "a whole number like 1,234"


def test_parse_decimal_reads_plain_numbers() -> None:
    assert parse_decimal("10.2") == Decimal("10.2")
    assert parse_decimal("10,2", DE) == Decimal("10.2")
    with pytest.raises(BadValue):
        parse_decimal("$10")


def test_parse_percent_stores_fractions() -> None:
    assert parse_percent("12.5%") == Decimal("0.125")
    assert parse_percent("38.6%") == Decimal("0.386")  # DOMAIN.md section 4.3: 540 / 1,400 = 38.6 %
    assert parse_percent("-5.2%") == Decimal("-0.052")
    assert parse_percent("12,5 %", DE) == Decimal("0.125")
    assert parse_percent("12.5") == Decimal("0.125")  # a bare number in a percent column is percent points
    assert parse_percent(0.125, cell_is_fraction=True) == Decimal("0.125")  # an XLSX cell formatted as %
    assert parse_percent(12.5) == Decimal("0.125")
    with pytest.raises(BadValue) as caught:
        parse_percent("twelve")
    assert caught.value.expected == "a percentage like 12.5%"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("01/07/26", "en_IN", date(2026, 7, 1)),  # 1 July, not 7 January (NOTES.md section 4 gotcha)
        ("31/07/26", "en_IN", date(2026, 7, 31)),
        ("01/07/26", "en_US", date(2026, 1, 7)),  # the same text in the US is 7 January
        ("7/31/26", "en_US", date(2026, 7, 31)),  # m/d/yy
        ("31/07/26", "en_GB", date(2026, 7, 31)),
        ("31/07/2026", "en_AE", date(2026, 7, 31)),  # dd/mm/yyyy
        ("31.07.2026", "de_DE", date(2026, 7, 31)),
        ("31.07.26", "de_DE", date(2026, 7, 31)),
        ("2026-07-31", "en_US", date(2026, 7, 31)),  # ISO in any locale
        ("2026/07/31", "ja_JP", date(2026, 7, 31)),
        ("6/6/21", None, date(2021, 6, 6)),  # legacy exports: no locale, m/d/yy
    ],
)
def test_parse_date_follows_the_locale(text: str, locale: str | None, expected: date) -> None:
    assert parse_date(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("31/07/26", "en_US", "a date like 7/31/26 (m/d/yy) for locale en_US"),
        ("31/02/26", "en_IN", "a date like 31/07/26 (dd/mm/yy) for locale en_IN"),
        ("July 31", "en_GB", "a date like 31/07/26 (dd/mm/yy) for locale en_GB"),
    ],
)
def test_parse_date_refuses_impossible_dates(text: str, locale: str, expected: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_date(text, locale)
    assert caught.value.expected == expected


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("Sellable On-Hand Units", "sellable on hand units"),
        ("Sellable On Hand Units", "sellable on hand units"),
        ("Shipped COGS \u2013 Prior Period", "shipped cogs - prior period"),  # en dash
        ("Shipped COGS - Prior Period", "shipped cogs - prior period"),
        ("Net PPM (%)", "net ppm %"),
        ("Net PPM  %", "net ppm %"),
        ("Receive Fill Rate%", "receive fill rate %"),
        ("\ufeffASIN", "asin"),
        ("Sell-Through Rate", "sell through rate"),
        ("  Overall Vendor Lead Time (days) ", "overall vendor lead time (days)"),
    ],
)
def test_normalise_header_folds_spelling_drift(header: str, normalised: str) -> None:
    assert normalise_header(header) == normalised


@pytest.mark.parametrize(
    ("grain", "start", "end", "ok"),
    [
        ("DAY", date(2026, 7, 1), date(2026, 7, 1), True),
        ("DAY", date(2026, 7, 1), date(2026, 7, 2), False),
        ("WEEK", date(2021, 6, 6), date(2021, 6, 12), True),  # Sunday to Saturday
        ("WEEK", date(2021, 6, 7), date(2021, 6, 13), False),  # Monday to Sunday
        ("MONTH", date(2024, 2, 1), date(2024, 2, 29), True),
        ("MONTH", date(2024, 2, 1), date(2024, 2, 28), False),
        ("QUARTER", date(2026, 4, 1), date(2026, 6, 30), True),
        ("QUARTER", date(2026, 5, 1), date(2026, 7, 31), False),
        ("YEAR", date(2025, 1, 1), date(2025, 12, 31), True),
        ("YEAR", date(2025, 7, 1), date(2026, 6, 30), False),
    ],
)
def test_period_problem_checks_whole_periods(grain: str, start: date, end: date, ok: bool) -> None:
    problem = period_problem(grain, start, end)
    assert (problem is None) is ok
    if grain == "WEEK" and not ok:
        assert problem == "a WEEK period: a week running Sunday to Saturday"


def test_fact_frame_has_the_fact_columns_in_order_with_loader_dtypes() -> None:
    frame = fact_frame(
        "retail_traffic",
        {
            "marketplace_id": "ATVPDKIKX0DER",
            "vendor_code": "",
            "distributor_view": "",
            "selling_program": "",
            "period_grain": "DAY",
            "period_start": [date(2026, 7, 1), date(2026, 7, 1)],
            "period_end": [date(2026, 7, 1), date(2026, 7, 1)],
            "asin": ["", "B0B8ZZ22JQ"],
            "glance_views": [120, None],
        },
        2,
    )
    assert list(frame.columns) == [name for name, _ in FACT_COLUMNS["retail_traffic"]]
    assert frame["glance_views"].dtype == pd.Int64Dtype()
    assert frame["glance_views"].isna().tolist() == [False, True]  # None stays "not reported"
    assert frame["period_start"].tolist() == [date(2026, 7, 1)] * 2
    assert frame["marketplace_id"].tolist() == ["ATVPDKIKX0DER"] * 2


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12),
    locale=st.sampled_from(["en_US", "en_IN", "en_GB", "en_AE", "de_DE"]),
)
def test_money_written_by_any_locale_reads_back_exactly(cents: int, locale: str) -> None:
    value = Decimal(cents) / 100
    currency = {"en_US": "USD", "en_IN": "INR", "en_GB": "GBP", "en_AE": "AED", "de_DE": "EUR"}[locale]
    text = format_money(value, locale, currency)
    assert parse_money(text, number_format_for(locale)) == value


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    locale=st.sampled_from(["en_US", "en_IN", "en_GB", "en_AE", "de_DE"]),
)
def test_dates_written_by_any_locale_read_back_exactly(day: date, locale: str) -> None:
    assert parse_date(format_date(day, locale), locale) == day
