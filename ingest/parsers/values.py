"""Reading the values people and Amazon put in report cells: money, counts, percentages, dates, headers.

Vendor Central's web exports write numbers the way the user's locale displays them:
`₹3,05,148.87` (Indian lakh grouping), `$1,234.56`, `1.234,56 €` (de_DE), `-₹379.04` (the minus
before the symbol), `12.5%`, and leave a measure out with a blank, `—`, `-` or `N/A`. Dates follow
the banner's `Locale=[..]`: en_US writes m/d/yy, en_GB and en_IN dd/mm/yy, en_AE dd/mm/yyyy,
de_DE dd.mm.yyyy. Each parser here returns None for a missing marker and raises `BadValue` with
what was expected otherwise, so the caller can build a RowError naming file, row and column.

`fact_frame` builds a chunk for the loader with the dtypes of ingest.parsers.facts: "int" columns
are pandas Int64, every other column holds Python objects (str, Decimal, date, aware datetime) with
None for "not reported".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

import pandas as pd

from core.periods import month_end
from core.periods import quarter_end
from core.periods import quarter_start
from core.periods import week_start
from ingest.parsers.facts import FACT_COLUMNS


class BadValue(ValueError):
    """A cell that is not missing and cannot be read; `expected` says what would have been accepted."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


# Markers Amazon's exports use for "not reported". "0.00" is NOT one: it is a real zero.
MISSING_MARKERS = frozenset({"", "\u2014", "\u2013", "-", "--", "n/a", "na", "null", "none"})  # em/en dash


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in MISSING_MARKERS
    return False


# ---------------------------------------------------------------------------------------------
# Numbers


@dataclass(frozen=True)
class NumberFormat:
    """How a locale writes numbers: the decimal mark and the digit-grouping marks it accepts."""

    decimal: str
    groups: tuple[str, ...]
    example_money: str
    example_int: str
    example_percent: str


_POINT = NumberFormat(".", (",",), "1,234.56", "1,234", "12.5%")
_COMMA = NumberFormat(",", (".", " ", "\u00a0", "\u202f"), "1.234,56", "1.234", "12,5%")
# Languages whose locales write 1.234,56 (de_DE, fr_FR, es_ES, it_IT, nl_NL, pl_PL, sv_SE, tr_TR, pt_BR).
_COMMA_DECIMAL_LANGUAGES = frozenset({"de", "fr", "es", "it", "nl", "pl", "sv", "tr", "pt"})


def number_format_for(locale: str | None) -> NumberFormat:
    """The number format of a locale like 'de_DE' or 'en-IN'; English (1,234.56) when unknown."""
    language = (locale or "en").replace("-", "_").split("_")[0].lower()
    return _COMMA if language in _COMMA_DECIMAL_LANGUAGES else _POINT


_CURRENCY_WORD = re.compile(r"^(?:[A-Z]{3}|[A-Z]{1,2}\$|\$[A-Z]{1,2}|Rs\.?|zł|kr|Kč|Ft|lei|د\.إ|ر\.س|ج\.م)$")
_SIGN_CHARS = {"-": -1, "\u2212": -1, "+": 1}


def _is_currency_marker(text: str) -> bool:
    if not text:
        return True
    if all(unicodedata.category(ch) == "Sc" for ch in text):  # $, ₹, €, £, ¥, ₺ ...
        return True
    return bool(_CURRENCY_WORD.match(text))


def _grouping_pattern(fmt: NumberFormat) -> re.Pattern[str]:
    groups = "".join(re.escape(g) for g in fmt.groups)
    dec = re.escape(fmt.decimal)
    western = rf"\d{{1,3}}(?:[{groups}]\d{{3}})+"
    # Indian lakh/crore grouping: the last group has three digits, the ones before it two (3,05,148).
    indian = rf"\d{{1,2}}(?:[{groups}]\d{{2}})*[{groups}]\d{{3}}" if "," in fmt.groups else western
    return re.compile(rf"^(?:\d+|{western}|{indian})?(?:{dec}\d+)?$")


_PATTERNS = {id(_POINT): _grouping_pattern(_POINT), id(_COMMA): _grouping_pattern(_COMMA)}


def _split_sign_and_symbols(text: str) -> tuple[int, str, str, str]:
    """(sign, prefix, digits, suffix) of e.g. '-₹3,05,148.87' -> (-1, '₹', '3,05,148.87', '')."""
    s = text.strip()
    sign = 1
    if s.startswith("(") and s.endswith(")"):  # accounting negative: (1,234.56)
        sign, s = -1, s[1:-1].strip()
    match = re.match(r"^(\D*?)([\d.,\s\u00a0\u202f]*\d(?:[.,]\d*)?|[.,]\d+)(\D*)$", s)
    if not match:
        raise BadValue("a number")
    prefix, digits, suffix = match.group(1).strip(), match.group(2).strip(), match.group(3).strip()
    # The minus can stand before or after the symbol ('-₹379.04', '₹-379.04') or trail ('379.04-').
    for part_name in ("prefix", "suffix"):
        part = prefix if part_name == "prefix" else suffix
        cleaned = part
        for ch, value in _SIGN_CHARS.items():
            if ch in cleaned:
                if cleaned.count(ch) > 1:
                    raise BadValue("a number with at most one sign")
                cleaned = cleaned.replace(ch, "").strip()
                sign *= value
        if part_name == "prefix":
            prefix = cleaned
        else:
            suffix = cleaned
    return sign, prefix, digits, suffix


def parse_number(
    text: str | int | float | Decimal | None,
    fmt: NumberFormat = _POINT,
    *,
    allow_currency: bool = False,
    allow_percent: bool = False,
    expected: str = "a number like 1,234.56",
) -> tuple[Decimal, bool] | None:
    """(value, had_percent_sign) of a cell, or None when it is a missing marker."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise BadValue(expected)
    if isinstance(text, int):
        return Decimal(text), False
    if isinstance(text, float):
        # Spreadsheet cells come back as floats; repr is the shortest text that round-trips, which
        # is exactly what the cell showed for any amount with up to 15 significant digits.
        if text != text or text in (float("inf"), float("-inf")):
            raise BadValue(expected)
        return Decimal(repr(text)), False
    if isinstance(text, Decimal):
        return text, False
    if is_missing(text):
        return None
    try:
        sign, prefix, digits, suffix = _split_sign_and_symbols(text)
    except BadValue:
        raise BadValue(expected) from None
    had_percent = False
    if suffix.endswith("%"):
        had_percent, suffix = True, suffix[:-1].strip()
    elif prefix.endswith("%"):
        had_percent, prefix = True, prefix[:-1].strip()
    if had_percent and not allow_percent:
        raise BadValue(expected)
    for marker in (prefix, suffix):
        if marker and not (allow_currency and _is_currency_marker(marker)):
            raise BadValue(expected)
    if prefix and suffix:
        raise BadValue(expected)
    compact = digits
    if not _PATTERNS[id(fmt)].match(compact) or not any(ch.isdigit() for ch in compact):
        raise BadValue(expected)
    for group in fmt.groups:
        compact = compact.replace(group, "")
    compact = compact.replace(fmt.decimal, ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise BadValue(expected) from None
    return (value if sign > 0 else -value), had_percent


def parse_money(text: str | int | float | Decimal | None, fmt: NumberFormat = _POINT) -> Decimal | None:
    """'₹3,05,148.87' -> Decimal('305148.87'); '-₹379.04' -> Decimal('-379.04'); '1.234,56 €' (de)."""
    parsed = parse_number(text, fmt, allow_currency=True, expected=f"a money amount like {fmt.example_money}")
    return None if parsed is None else parsed[0]


def parse_decimal(text: str | int | float | Decimal | None, fmt: NumberFormat = _POINT) -> Decimal | None:
    parsed = parse_number(text, fmt, expected=f"a number like {fmt.example_money}")
    return None if parsed is None else parsed[0]


def parse_int(text: str | int | float | Decimal | None, fmt: NumberFormat = _POINT) -> int | None:
    """'1,234' -> 1234 (en) / '1.234' -> 1234 (de); '-2' -> -2. A fraction is refused."""
    expected = f"a whole number like {fmt.example_int}"
    parsed = parse_number(text, fmt, expected=expected)
    if parsed is None:
        return None
    value = parsed[0]
    if value != value.to_integral_value():
        raise BadValue(expected)
    return int(value)


def parse_percent(
    text: str | int | float | Decimal | None, fmt: NumberFormat = _POINT, *, cell_is_fraction: bool = False
) -> Decimal | None:
    """A percentage cell as a fraction: '12.5%' -> Decimal('0.125').

    Web exports show rates as percentages (0-100), with or without the '%' sign, so a bare '12.5'
    in a percent column is 12.5 %. A spreadsheet cell formatted as a percentage already stores the
    fraction (0.125): pass cell_is_fraction=True for those.
    """
    parsed = parse_number(text, fmt, allow_percent=True, expected=f"a percentage like {fmt.example_percent}")
    if parsed is None:
        return None
    value, _had_percent = parsed
    if cell_is_fraction and not isinstance(text, str):
        return value
    return value / 100


# ---------------------------------------------------------------------------------------------
# Dates

# Date field order by locale. Most of the world writes day first; the US writes month first; East
# Asian locales and Canada's ISO-style exports write the year first.
_MONTH_FIRST_COUNTRIES = frozenset({"US", "PH"})
_YEAR_FIRST_LANGUAGES = frozenset({"ja", "zh", "ko"})


def date_order_for(locale: str | None) -> str:
    """'MDY', 'DMY' or 'YMD' for a locale like 'en_US'; en_US when no locale is given."""
    parts = (locale or "en_US").replace("-", "_").split("_")
    language = parts[0].lower()
    country = parts[1].upper() if len(parts) > 1 else ""
    if language in _YEAR_FIRST_LANGUAGES:
        return "YMD"
    if country in _MONTH_FIRST_COUNTRIES or (not country and language == "en"):
        return "MDY"
    return "DMY"


_DATE_EXAMPLES = {"MDY": "7/31/26 (m/d/yy)", "DMY": "31/07/26 (dd/mm/yy)", "YMD": "2026/07/31 (yyyy/mm/dd)"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LOCAL_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})\.?$")


def _expand_year(year: int, digits: int) -> int:
    # Two-digit years in Amazon's exports are this century's (the data reaches back about 4 years).
    return 2000 + year if digits <= 2 else year


def parse_date(text: str | date | None, locale: str | None) -> date | None:
    """A date written the way `locale` writes it ('31/07/26' en_IN, '7/31/26' en_US, '31.07.2026' de_DE).

    ISO dates (2026-07-31) are accepted in every locale. A day-first date is never guessed as
    month-first: '01/07/26' in en_IN is 1 July, in en_US 7 January.
    """
    if text is None:
        return None
    if isinstance(text, date):
        return text
    s = text.strip()
    if is_missing(s):
        return None
    order = date_order_for(locale)
    expected = f"a date like {_DATE_EXAMPLES[order]} for locale {locale or 'en_US'}"
    iso = _ISO_DATE.match(s)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    else:
        match = _LOCAL_DATE.match(s)
        if not match:
            raise BadValue(expected)
        a, b, c = match.group(1), match.group(2), match.group(3)
        if order == "YMD":
            year, month, day = _expand_year(int(a), len(a)), int(b), int(c)
        elif len(a) > 2:
            raise BadValue(expected)
        elif order == "MDY":
            year, month, day = _expand_year(int(c), len(c)), int(a), int(b)
        else:
            year, month, day = _expand_year(int(c), len(c)), int(b), int(a)
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(expected) from None


# ---------------------------------------------------------------------------------------------
# Periods

GRAINS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")


def period_problem(grain: str, start: date, end: date) -> str | None:
    """What (start, end) should have been to be one whole period of `grain` (DAY..YEAR), or None."""
    if grain == "DAY":
        ok = start == end
        shape = "a single day (start equal to end)"
    elif grain == "WEEK":
        ok = start == week_start(start) and end == start + timedelta(days=6)
        shape = "a week running Sunday to Saturday"
    elif grain == "MONTH":
        ok = start.day == 1 and end == month_end(start)
        shape = "a calendar month (first to last day)"
    elif grain == "QUARTER":
        ok = start == quarter_start(start) and end == quarter_end(start)
        shape = "a calendar quarter"
    else:
        ok = (start.month, start.day) == (1, 1) and end == date(start.year, 12, 31)
        shape = "a calendar year"
    return None if ok else f"a {grain} period: {shape}"


# ---------------------------------------------------------------------------------------------
# Headers

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


def normalise_header(text: object) -> str:
    """A header in a comparable form: lower case, one kind of dash, single spaces, '%' spaced.

    'Sellable On-Hand Units' and 'Sellable On Hand Units' both become 'sellable on hand units';
    'Shipped COGS \u2013 Prior Period' (en dash) becomes 'shipped cogs - prior period'; 'Net PPM (%)' and
    'Net PPM  %' become 'net ppm %'.
    """
    s = str(text or "").replace("\ufeff", "").translate(_DASHES).lower()
    s = s.replace("\u00a0", " ")
    s = re.sub(r"(?<=\w)-(?=\w)", " ", s)  # word-joining hyphens: on-hand, sell-through, in-transit
    s = s.replace("(%)", "%")
    s = re.sub(r"\s*%", " %", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s


# ---------------------------------------------------------------------------------------------
# Frames


def fact_frame(fact_table: str, columns: Mapping[str, Sequence[Any] | Any], length: int) -> pd.DataFrame:
    """A chunk with exactly the columns of FACT_COLUMNS[fact_table], in order.

    `columns` maps a column to a list of `length` values or to one value repeated on every row.
    "int" columns become pandas Int64; the others hold Python objects (None = not reported).
    """
    data: dict[str, Any] = {}
    for name, kind in FACT_COLUMNS[fact_table]:
        values = columns.get(name)
        if values is None or isinstance(values, str | int | Decimal | date):
            values = [values] * length
        elif len(values) != length:
            raise ValueError(f"column {name} has {len(values)} values, expected {length}")
        if kind == "int":
            data[name] = pd.array(list(values), dtype="Int64")
        else:
            data[name] = pd.Series(list(values), dtype=object)
    return pd.DataFrame(data, copy=False)
