"""Parsing blocks pasted from spreadsheets into the JBP grid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from planning.jbp_paste import parse_block
from planning.jbp_paste import parse_number
from planning.jbp_paste import split_clipboard

D = Decimal


def test_tab_separated_block_from_excel() -> None:
    result = parse_block("1200\t1300\t1400\r\n2200\t2300\t2400\r\n")
    assert result.values == [[D(1200), D(1300), D(1400)], [D(2200), D(2300), D(2400)]]
    assert result.errors == []
    assert result.notes == []


def test_us_thousands_separators_and_currency_symbols() -> None:
    result = parse_block("$1,234.56\t$12,000\n(1,000.00)\tUSD 7,500.5")
    assert result.decimal_separator == "."
    assert result.values == [[D("1234.56"), D("12000")], [D("-1000.00"), D("7500.5")]]


def test_european_thousands_separators() -> None:
    result = parse_block("1.234,56 €\t12.000\n1 000,5\t7.500,00")
    assert result.decimal_separator == ","
    assert result.values == [[D("1234.56"), D("12000")], [D("1000.5"), D("7500.00")]]


def test_ambiguous_block_uses_the_default_convention() -> None:
    assert parse_block("1,234\t5,678").values == [[D(1234), D(5678)]]
    assert parse_block("1,234\t5,678", default_decimal=",").values == [[D("1.234"), D("5.678")]]


def test_blanks_are_none_and_ragged_rows_are_padded() -> None:
    result = parse_block("100\t\t300\n\t200")
    assert result.values == [[D(100), None, D(300)], [None, D(200), None]]
    assert result.errors == []


def test_trailing_total_row_and_column_with_labels_are_ignored() -> None:
    text = (
        "Category\tJul 2026\tAug 2026\tSep 2026\tTotal\n"
        "Headphones\t100,000\t110,000\t120,000\t330,000\n"
        "Speakers\t50,000\t55,000\t60,000\t165,000\n"
        "Total\t150,000\t165,000\t180,000\t495,000\n"
    )
    result = parse_block(text)
    assert result.values == [[D(100000), D(110000), D(120000)], [D(50000), D(55000), D(60000)]]
    assert result.row_labels == ["Headphones", "Speakers"]
    assert result.column_labels == ["Jul 2026", "Aug 2026", "Sep 2026"]
    assert (result.first_row, result.first_column) == (2, 2)
    assert "Ignored the trailing total row." in result.notes
    assert "Ignored the trailing total column." in result.notes


def test_unlabelled_total_row_equal_to_the_sum_is_ignored() -> None:
    result = parse_block("10\t20\n30\t40\n40\t60\n")
    assert result.values == [[D(10), D(20)], [D(30), D(40)]]
    assert any("sum of the rows above" in note for note in result.notes)


def test_a_row_that_is_not_the_sum_is_kept() -> None:
    result = parse_block("10\t20\n30\t40\n41\t60\n")
    assert len(result.values) == 3


def test_errors_name_the_cell_and_the_value() -> None:
    result = parse_block("100\tabc\n1,23,4\t5")
    assert [(e.row, e.column, e.value) for e in result.errors] == [(1, 2, "abc"), (2, 1, "1,23,4")]
    assert "expected a number" in result.errors[0].message
    assert "groups of three digits" in result.errors[1].message
    assert result.values == [[D(100), None], [None, D(5)]]


def test_percent_and_accounting_dash() -> None:
    assert parse_number("12.5 %") == (D("12.5"), True)
    assert parse_number("$ -   ") == (D(0), False)
    assert parse_number("1.234,56-", ",") == (D("-1234.56"), False)


@pytest.mark.parametrize("text", ["", "\n", "\t\n"])
def test_empty_paste(text: str) -> None:
    assert parse_block(text).values == []


def test_quoted_cells_may_hold_tabs_and_newlines() -> None:
    assert split_clipboard('"Head\tphones"\t1\n"multi\nline"\t2\n') == [["Head\tphones", "1"], ["multi\nline", "2"]]
