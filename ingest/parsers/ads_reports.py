"""Amazon Ads reports -> `ads_daily` facts: API v3 GZIP_JSON bodies and the console's CSV/XLSX downloads.

API v3 bodies (NOTES.md §2) are a JSON array of flat rows whose keys are the requested columns. The
body does not name its report type, so it is read from the column set (`detect_report_type`):

1. `purchasedAsin`: spPurchasedProduct when SP-only columns are present (advertisedAsin, keywordId,
   sales1d/7d/30d, purchasesNd, ...), sbPurchasedProduct when SB-only ones are (orders14d,
   attributionType, productName, newToBrandSales14d, ...).
2. `promotedAsin`: sdAdvertisedProduct (sdPurchasedProduct, with its brand-halo columns, is refused).
3. `advertisedAsin`: spAdvertisedProduct.
4. Otherwise the ad product comes from columns only one product has: SP's windowed metrics
   (sales7d, purchases14d, unitsSoldClicks30d, attributedSalesSameSku14d, ...) or SP-only columns;
   SB-only columns (salesPromoted, video5SecondViews, keywordText, viewableImpressions, ...);
   SD-only columns (salesPromotedClicks, impressionsViews, cumulativeReach, matchedTargetAsin, ...).
   Then the grain: searchTerm -> *SearchTerm; keyword/targeting columns -> *Targeting; adId -> sbAds /
   spAdvertisedProduct / sdAdvertisedProduct; placementClassification -> sbCampaignPlacement (SP keeps
   spCampaigns, summed over placements); adGroupId -> sbAdGroup / sdAdGroup / spCampaigns grouped by
   ad group ("spCampaigns.adGroup"); else *Campaigns.

Ambiguity: SB and SD share every unsuffixed metric (sales, purchases, unitsSold, ...). A body with only
those, or with only impressions/clicks/cost, cannot be placed; it is refused with a ParseError asking
for the `report_type` option, which the caller (who created the report) knows: the parser accepts it
in `options["report_type"]` and then only checks that no column contradicts it.

Grain and keys: ads_daily is keyed on (profile, marketplace, report_type, date, campaign, ad group, ad,
ASIN). Reports finer than that (placements, keywords, targets, search terms, matched targets, purchased
product rows per keyword or attribution type) are summed to it, so the rows of one report_type never
overlap and a day's total for an ad product is the sum of one report_type. spCampaigns grouped by ad
group is stored as "spCampaigns.adGroup" so it never double-counts with campaign-level spCampaigns.

Attribution windows: sales1d/7d/14d/30d, purchasesNd, unitsSoldClicksNd and attributedSalesSameSkuNd
go to the *_Nd column of the same N (those that have a column); SB/SD's unsuffixed metrics are 14-day
and go to *_14d. `options["attribution_windows"]` lists the windows the file carried per metric
family ({"sales": [7, 14], "purchases": [1, 7, 14, 30], ...}); columns with no fact column are listed
in `options["ignored_columns"]`.

Dates: DAILY reports carry `date`. A SUMMARY row (startDate/endDate) is accepted when it covers one day
(date = startDate); a longer summary cannot be put on days and is a RowError asking for a DAILY report.
When the rows carry no date column at all, `options["start_date"] == options["end_date"]` (from the
report request) supplies it.

Ids: campaignId, adGroupId and adId exceed 32 bits; ijson yields them as exact Python ints (never
float). A report without campaignId but with campaignName (the sbPurchasedProduct example requests
names only) gets a synthetic id: a stable negative 63-bit hash of the ad product and name, which can
never collide with Amazon's positive ids (`options["synthetic_ids"]`). The console downloads have no
ids at all and always use them.

The profile and marketplace are not in the body: they come from `options["profile_id"]` and
`options["marketplace_id"]` ('' when not given); the currency from campaignBudgetCurrencyCode or
`options["currency"]`.

Console downloads (CSV or XLSX, Title-Case headers such as `Date, Portfolio name, Currency, Campaign
Name, Impressions, Clicks, Click-Thru Rate (CTR), Spend, Cost Per Click (CPC), 7 Day Total Sales, ...`):
mapped to the same columns under report_type "console:<type>". CTR, CPC, ACOS, ROAS and conversion
rates are derived values and are not stored (ratios are recomputed from sums); ACOS is cross-checked
against spend / sales on every row and mismatches are counted in `options["acos_mismatches"]`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import BinaryIO

import ijson
import openpyxl
import pandas as pd

from ingest.parsers.base import CHUNK_ROWS
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.facts import FACT_COLUMNS
from ingest.parsers.registry import register_format
from ingest.parsers.values import BadValue
from ingest.parsers.values import NumberFormat
from ingest.parsers.values import fact_frame
from ingest.parsers.values import is_missing
from ingest.parsers.values import normalise_header
from ingest.parsers.values import number_format_for
from ingest.parsers.values import parse_date
from ingest.parsers.values import parse_int
from ingest.parsers.values import parse_money
from ingest.parsers.values import parse_percent
from ingest.parsers.vc_exports import zip_head_texts

FACT_TABLE = "ads_daily"
SOURCE_API = "ADS_API_REPORT"
SOURCE_CONSOLE = "ADS_CONSOLE_EXPORT"
_COLUMNS = FACT_COLUMNS[FACT_TABLE]
_COLUMN_NAMES = [name for name, _ in _COLUMNS]
_KEY = ("profile_id", "marketplace_id", "report_type", "date", "campaign_id", "ad_group_id", "ad_id", "asin")
_METRICS = [
    name for name, _ in _COLUMNS if name not in _KEY and name not in ("ad_product", "campaign_name", "currency")
]
_INT_METRICS = frozenset(name for name, kind in _COLUMNS if kind == "int")
_MAX_BIGINT = 2**63 - 1
_PEEK_ROWS = 1000
_ASIN = re.compile(r"[A-Z0-9]{10}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_INTEGER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class ReportType:
    """What the parser needs to know about one v3 report type."""

    ad_product: str  # SP | SB | SD
    asin_column: str | None = None  # advertisedAsin / purchasedAsin / promotedAsin
    rolls_up: bool = False  # rows are finer than the ads_daily key: summed to it


REPORT_TYPES: dict[str, ReportType] = {
    "spCampaigns": ReportType("SP"),
    "spAdvertisedProduct": ReportType("SP", asin_column="advertisedAsin"),
    "spPurchasedProduct": ReportType("SP", asin_column="purchasedAsin", rolls_up=True),
    "spTargeting": ReportType("SP", rolls_up=True),
    "spSearchTerm": ReportType("SP", rolls_up=True),
    "sbCampaigns": ReportType("SB"),
    "sbAdGroup": ReportType("SB"),
    "sbAds": ReportType("SB"),
    "sbTargeting": ReportType("SB", rolls_up=True),
    "sbSearchTerm": ReportType("SB", rolls_up=True),
    "sbCampaignPlacement": ReportType("SB", rolls_up=True),
    "sbPurchasedProduct": ReportType("SB", asin_column="purchasedAsin", rolls_up=True),
    "sdCampaigns": ReportType("SD"),
    "sdAdGroup": ReportType("SD"),
    "sdAdvertisedProduct": ReportType("SD", asin_column="promotedAsin"),
    "sdTargeting": ReportType("SD", rolls_up=True),
}
# Grouped by ad group, spCampaigns rows are at another grain than the campaign-level ones.
SP_CAMPAIGNS_BY_AD_GROUP = "spCampaigns.adGroup"
UNSUPPORTED_REPORT_TYPES = {
    "sdPurchasedProduct": "its rows are brand-halo purchases without delivery metrics",
    "spAudiences": "its audience segments overlap, so they cannot be summed to campaigns",
    "sbAudiences": "its audience segments overlap, so they cannot be summed to campaigns",
}

# Columns only one ad product has (computed from ads_v3_report_columns_catalog.json; the tests check it).
SP_ONLY_COLUMNS = frozenset(
    {
        "acosClicks14d",
        "acosClicks7d",
        "advertisedAsin",
        "advertisedSku",
        "campaignApplicableBudgetRuleId",
        "campaignApplicableBudgetRuleName",
        "campaignBiddingStrategy",
        "campaignRuleBasedBudgetAmount",
        "keyword",
        "portfolioId",
        "roasClicks14d",
        "roasClicks7d",
        "targeting",
    }
)
SB_ONLY_COLUMNS = frozenset(
    {
        "attributionType",
        "campaignPriceTypeCode",
        "keywordText",
        "newToBrandDetailPageViewsClicks",
        "newToBrandPurchases14d",
        "newToBrandPurchasesPercentage",
        "newToBrandPurchasesPercentage14d",
        "newToBrandPurchasesRate",
        "newToBrandSales14d",
        "newToBrandSalesPercentage",
        "newToBrandSalesPercentage14d",
        "newToBrandUnitsSold14d",
        "newToBrandUnitsSoldPercentage",
        "newToBrandUnitsSoldPercentage14d",
        "orders14d",
        "ordersClicks14d",
        "productCategory",
        "productName",
        "purchasesPromoted",
        "salesClicks14d",
        "salesPromoted",
        "targetingType",
        "unitsSold14d",
        "video5SecondViewRate",
        "video5SecondViews",
        "viewableImpressions",
    }
)
SD_ONLY_COLUMNS = frozenset(
    {
        "addToCartViews",
        "addToListFromViews",
        "asinBrandHalo",
        "bidOptimization",
        "brandedSearchRate",
        "brandedSearchesViews",
        "conversionsBrandHalo",
        "conversionsBrandHaloClicks",
        "cumulativeReach",
        "eCPBrandSearch",
        "impressionsFrequencyAverage",
        "impressionsViews",
        "matchedTargetAsin",
        "newToBrandDetailPageViewClicks",
        "newToBrandDetailPageViewViews",
        "promotedAsin",
        "promotedSku",
        "purchasesPromotedClicks",
        "qualifiedBorrowsFromViews",
        "royaltyQualifiedBorrowsFromViews",
        "salesBrandHalo",
        "salesBrandHaloClicks",
        "salesPromotedClicks",
        "unitsSoldBrandHalo",
        "unitsSoldBrandHaloClicks",
    }
)
# SP's click-attribution metrics carry their window as a suffix (only SP has them for every window).
_SP_WINDOWED = re.compile(
    r"^(sales|purchases|unitsSoldClicks|attributedSalesSameSku|purchasesSameSku|unitsSoldSameSku|"
    r"salesOtherSku|unitsSoldOtherSku|purchasesOtherSku)(1|7|14|30)d$"
)
_ANY_WINDOWED = re.compile(r"^([a-zA-Z]+?)(1|7|14|30)d$")
# SB/SD attribution metrics without a suffix use a 14-day window (NOTES.md §2).
_UNSUFFIXED_14D = frozenset(
    {
        "sales",
        "purchases",
        "unitsSold",
        "salesClicks",
        "purchasesClicks",
        "unitsSoldClicks",
        "salesPromoted",
        "purchasesPromoted",
        "salesPromotedClicks",
        "purchasesPromotedClicks",
        "newToBrandSales",
        "newToBrandPurchases",
        "newToBrandUnitsSold",
        "newToBrandSalesClicks",
        "newToBrandPurchasesClicks",
        "newToBrandUnitsSoldClicks",
        "detailPageViews",
        "brandedSearches",
    }
)
_KEYWORD_COLUMNS = frozenset({"keywordId", "keyword", "keywordText", "targeting", "matchType", "keywordType"})
# Dimensions finer than the ads_daily key that a report of any type may be grouped by.
_ROLLED_UP_DIMENSIONS = frozenset({"placementClassification", "matchedTargetAsin", "searchTerm", "keywordId"})
_TARGET_COLUMNS = frozenset({"targetingId", "targetingText", "targetingExpression", "targetingType"})

# v3 column -> ads_daily column, per ad product.
_DELIVERY = {"impressions": "impressions", "clicks": "clicks", "cost": "cost"}
_SP_MAP = {
    **_DELIVERY,
    **{f"sales{n}d": f"sales_{n}d" for n in (1, 7, 14, 30)},
    **{f"purchases{n}d": f"purchases_{n}d" for n in (1, 7, 14, 30)},
    **{f"unitsSoldClicks{n}d": f"units_sold_{n}d" for n in (7, 14)},
    **{f"attributedSalesSameSku{n}d": f"same_sku_sales_{n}d" for n in (7, 14)},
}
_SB_SD_MAP = {
    **_DELIVERY,
    "sales": "sales_14d",
    "purchases": "purchases_14d",
    "unitsSold": "units_sold_14d",
    "newToBrandSales": "new_to_brand_sales_14d",
}
_SB_PURCHASED_MAP = {
    "sales14d": "sales_14d",
    "orders14d": "purchases_14d",
    "unitsSold14d": "units_sold_14d",
    "newToBrandSales14d": "new_to_brand_sales_14d",
}
# Identity and descriptive columns the parser reads itself (never "ignored").
_IDENTITY_COLUMNS = frozenset(
    {
        "date",
        "startDate",
        "endDate",
        "campaignId",
        "campaignName",
        "adGroupId",
        "adGroupName",
        "adId",
        "advertisedAsin",
        "purchasedAsin",
        "promotedAsin",
        "campaignBudgetCurrencyCode",
        "spend",
    }
)


def metric_map(report_type: str) -> dict[str, str]:
    """v3 column -> ads_daily column for one report type."""
    if report_type == "sbPurchasedProduct":
        return _SB_PURCHASED_MAP
    if report_type.startswith("sp"):
        return _SP_MAP
    return _SB_SD_MAP


# --------------------------------------------------------------------------------------------------
# Detection


class AmbiguousReport(ValueError):
    """The columns fit more than one report type (or none): the caller must name it."""


def detect_report_type(columns: Iterable[str]) -> str:
    """The v3 report type a set of columns belongs to (rules in the module docstring)."""
    cols = set(columns)
    if cols & {"segmentName", "segmentClassCode"}:
        raise AmbiguousReport("an audiences report (spAudiences/sbAudiences), which is not supported")
    signals = _product_signals(cols)
    if "purchasedAsin" in cols:
        if signals == {"SP"}:
            return "spPurchasedProduct"
        if signals == {"SB"}:
            return "sbPurchasedProduct"
        raise AmbiguousReport("purchasedAsin rows that fit both spPurchasedProduct and sbPurchasedProduct")
    if "promotedAsin" in cols:
        if cols & {"asinBrandHalo", "salesBrandHalo", "conversionsBrandHalo", "unitsSoldBrandHalo"}:
            raise AmbiguousReport("an sdPurchasedProduct report, which is not supported")
        return "sdAdvertisedProduct"
    if "advertisedAsin" in cols:
        return "spAdvertisedProduct"
    products = sorted(signals)
    if len(products) != 1:
        which = " and ".join(products) if products else "no ad product in particular (SP, SB and SD share them)"
        raise AmbiguousReport(f"columns of {which}")
    product = products[0]
    if product == "SP":
        if "searchTerm" in cols:
            return "spSearchTerm"
        if cols & _KEYWORD_COLUMNS:
            return "spTargeting"
        if "adId" in cols:
            return "spAdvertisedProduct"
        return "spCampaigns"
    if product == "SB":
        if "searchTerm" in cols:
            return "sbSearchTerm"
        if cols & (_KEYWORD_COLUMNS | _TARGET_COLUMNS):
            return "sbTargeting"
        if "adId" in cols:
            return "sbAds"
        if "placementClassification" in cols:
            return "sbCampaignPlacement"
        if "adGroupId" in cols:
            return "sbAdGroup"
        return "sbCampaigns"
    if cols & _TARGET_COLUMNS:
        return "sdTargeting"
    if "adId" in cols:
        return "sdAdvertisedProduct"
    if "adGroupId" in cols:
        return "sdAdGroup"
    return "sdCampaigns"


def _product_signals(cols: set[str]) -> set[str]:
    signals = set()
    # sales14d and unitsSoldClicks14d are also sbPurchasedProduct columns.
    windowed = [c for c in cols if _SP_WINDOWED.match(c) and ("purchasedAsin" not in cols or not c.endswith("14d"))]
    if cols & SP_ONLY_COLUMNS or windowed:
        signals.add("SP")
    if cols & SB_ONLY_COLUMNS:
        signals.add("SB")
    if cols & SD_ONLY_COLUMNS:
        signals.add("SD")
    return signals


_JSON_OPENING = re.compile(rb"^(\xef\xbb\xbf)?\s*\[\s*(\{|\])")
_ADS_KEY = re.compile(
    rb'"(campaignId|adGroupId|adId|campaignName|impressions|clicks|cost|advertisedAsin|purchasedAsin|'
    rb'promotedAsin|campaignBudgetCurrencyCode)"\s*:'
)


def detect_api_report(head: bytes) -> bool:
    """A JSON array whose first row has Ads report columns (two of them, to stay clear of other arrays)."""
    if not _JSON_OPENING.match(head):
        return False
    first_row = head.split(b"}", 1)[0]
    return len(set(_ADS_KEY.findall(first_row))) >= 2


# --------------------------------------------------------------------------------------------------
# API v3 JSON


def parse_api_report(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    """Parse a (gunzipped) v3 report body; rows are streamed with ijson and yielded in chunks.

    data_start/data_end, errors and the row-dependent options are complete once `chunks` is exhausted.
    """
    options = dict(options or {})
    head = stream.read(64)
    stream.seek(0)
    if not _JSON_OPENING.match(head):
        raise ParseError(RowError(file_name, None, None, head[:40].decode("utf-8", "replace"), "a JSON array of rows"))
    rows = _json_rows(stream, file_name)
    peeked = list(itertools.islice(rows, _PEEK_ROWS))
    columns: set[str] = set()
    for row in peeked:
        if isinstance(row, dict):
            columns.update(row)
    report_type = _resolve_report_type(columns, options, file_name, has_rows=bool(peeked))
    reader = _RowReader(file_name, report_type, options, console=False)
    reader.note_columns(columns)
    report = reader.report(source=SOURCE_API)
    report.chunks = reader.chunks(itertools.chain(peeked, rows), report)
    return report


def _json_rows(stream: BinaryIO, file_name: str) -> Iterator[Any]:
    try:
        yield from ijson.items(stream, "item")
    except ijson.JSONError as exc:
        raise ParseError(RowError(file_name, None, None, None, f"a complete, valid JSON array ({exc})")) from None


def _resolve_report_type(columns: set[str], options: dict[str, Any], file_name: str, *, has_rows: bool) -> str:
    given = options.get("report_type")
    if given:
        given = str(given).removeprefix("console:")
        if given in UNSUPPORTED_REPORT_TYPES:
            raise ParseError(
                RowError(
                    file_name,
                    None,
                    None,
                    given,
                    f"a supported report type: {given} is not, as {UNSUPPORTED_REPORT_TYPES[given]}",
                )
            )
        base = given.split(".", 1)[0]
        if base not in REPORT_TYPES:
            raise ParseError(
                RowError(file_name, None, "report_type", given, "one of " + ", ".join(sorted(REPORT_TYPES)))
            )
        conflicting = _product_signals(columns) - {REPORT_TYPES[base].ad_product}
        if conflicting:
            raise ParseError(
                RowError(
                    file_name,
                    None,
                    "report_type",
                    given,
                    f"a report type matching the columns, which belong to {', '.join(sorted(conflicting))}",
                )
            )
        report_type = base
    else:
        if not has_rows:
            raise ParseError(
                RowError(file_name, None, None, "[]", "a report with at least one row, or the report_type option")
            )
        try:
            report_type = detect_report_type(columns)
        except AmbiguousReport as exc:
            raise ParseError(
                RowError(
                    file_name,
                    None,
                    None,
                    ", ".join(sorted(columns))[:200],
                    f"columns that identify the Ads report type; these are {exc}: "
                    "import it again with the report_type option (e.g. sbCampaigns)",
                )
            ) from None
    if report_type == "spCampaigns" and "adGroupId" in columns:
        return SP_CAMPAIGNS_BY_AD_GROUP
    return report_type


class _RowReader:
    """Turns report rows (dicts of v3 column names) into ads_daily rows, checking every value."""

    def __init__(self, file_name: str, report_type: str, options: dict[str, Any], *, console: bool) -> None:
        self.file = file_name
        self.base_type = report_type.split(".", 1)[0]
        self.spec = REPORT_TYPES[self.base_type]
        self.report_type = f"console:{report_type}" if console else report_type
        self.options = options
        self.console = console
        self.metric_map = metric_map(self.base_type)
        self.profile_id = str(options.get("profile_id") or "")
        self.marketplace_id = str(options.get("marketplace_id") or "")
        self.default_currency = options.get("currency") or None
        self.errors: list[RowError] = []
        self.synthetic_ids = False
        self.report_options: dict[str, Any] = {"report_type_detected": report_type, "ad_product": self.spec.ad_product}
        self.summary_fallback = _single_day(options.get("start_date"), options.get("end_date"))
        self.cross_checks: dict[str, int] = {}
        self.rolls_up = self.spec.rolls_up

    # -- metadata ------------------------------------------------------------------------------

    def note_columns(self, columns: Iterable[str]) -> None:
        columns = set(columns)
        if columns & _ROLLED_UP_DIMENSIONS:
            self.rolls_up = True  # e.g. spCampaigns grouped by campaignPlacement: summed to campaigns
        windows: dict[str, set[int]] = {}
        ignored: list[str] = []
        mapped: dict[str, str] = {}
        for column in sorted(columns):
            match = _ANY_WINDOWED.match(column)
            if match:
                windows.setdefault(match.group(1), set()).add(int(match.group(2)))
            elif column in _UNSUFFIXED_14D:
                windows.setdefault(column, set()).add(14)
            if column in self.metric_map:
                mapped[column] = self.metric_map[column]
            elif column not in _IDENTITY_COLUMNS and column != self.spec.asin_column:
                ignored.append(column)
        self.report_options["attribution_windows"] = {name: sorted(days) for name, days in sorted(windows.items())}
        self.report_options["column_map"] = mapped
        self.report_options["ignored_columns"] = ignored

    def report(self, *, source: str) -> ParsedReport:
        return ParsedReport(
            report_type=self.report_type,
            source=source,
            fact_table=FACT_TABLE,
            chunks=iter(()),
            errors=self.errors,
            marketplace_id=self.marketplace_id or None,
            options=self.report_options,
            # A report is the whole picture of its (profile, marketplace, report_type) over its days: a
            # restatement that drops an entity-day (all its clicks invalidated) must remove the old row.
            # The loader only deletes when the profile is known.
            replaces_window=True,
        )

    # -- rows ----------------------------------------------------------------------------------

    def chunks(self, rows: Iterable[Any], report: ParsedReport) -> Iterator[pd.DataFrame]:
        first: date | None = None
        last: date | None = None
        pending: list[dict[str, Any]] = []
        totals: dict[tuple[Any, ...], dict[str, Any]] = {}
        seen: set[int] = set()
        emitted = False
        for position, raw in enumerate(rows, start=0):
            if raw is _SKIP:
                continue  # a console row whose cells were already reported
            number = raw.pop("_row_number", position) if isinstance(raw, dict) else position
            row = self.convert(number, raw)
            if row is None:
                continue
            first = row["date"] if first is None or row["date"] < first else first
            last = row["date"] if last is None or row["date"] > last else last
            key = tuple(row[name] for name in _KEY)
            if self.rolls_up:
                _add_into(totals, key, row)
                continue
            fingerprint = hash(key)
            if fingerprint in seen:
                self.errors.append(
                    RowError(
                        self.file,
                        number,
                        None,
                        f"{row['date']} campaign {row['campaign_id']} ad group {row['ad_group_id']} "
                        f"ad {row['ad_id']} ASIN {row['asin'] or '-'}",
                        "one row per date and entity (this one repeats an earlier row)",
                    )
                )
                continue
            seen.add(fingerprint)
            pending.append(row)
            if len(pending) >= CHUNK_ROWS:
                yield _frame(pending)
                emitted = True
                pending = []
        if totals:
            pending.extend(totals.values())
        report.data_start, report.data_end = first, last
        self.report_options["synthetic_ids"] = self.synthetic_ids
        for name, value in self.cross_checks.items():
            self.report_options[name] = value
        for start in range(0, len(pending), CHUNK_ROWS):
            yield _frame(pending[start : start + CHUNK_ROWS])
            emitted = True
        if not emitted:
            yield _frame([])  # one (empty) chunk, so readers always see the columns

    def convert(self, number: int, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.errors.append(RowError(self.file, number, None, repr(raw)[:80], "a report row (a JSON object)"))
            return None
        errors_before = len(self.errors)
        day = self._day(number, raw)
        campaign_name = _text_or_none(raw.get("campaignName"))
        row: dict[str, Any] = {
            "profile_id": self.profile_id,
            "marketplace_id": self.marketplace_id,
            "ad_product": self.spec.ad_product,
            "report_type": self.report_type,
            "date": day,
            "campaign_id": self._id(number, raw, "campaignId", "campaignName", required=True),
            "ad_group_id": self._id(number, raw, "adGroupId", "adGroupName"),
            "ad_id": self._id(number, raw, "adId", None),
            "asin": self._asin(number, raw),
            "campaign_name": campaign_name,
            "currency": self._currency(number, raw),
        }
        for name in _METRICS:
            row[name] = None
        for column, target in self.metric_map.items():
            if column not in raw:
                continue
            value = raw[column]
            converted = (
                self._whole(number, column, value) if target in _INT_METRICS else self._money(number, column, value)
            )
            row[target] = converted
        if row["cost"] is None and "spend" in raw and "cost" not in raw:
            row["cost"] = self._money(number, "spend", raw["spend"])  # SP's duplicate of cost
        if len(self.errors) > errors_before or day is None:
            return None
        return row

    def _day(self, number: int, raw: dict[str, Any]) -> date | None:
        if "date" in raw:
            return self._date(number, "date", raw["date"])
        if "startDate" in raw or "endDate" in raw:
            start = self._date(number, "startDate", raw.get("startDate"))
            end = self._date(number, "endDate", raw.get("endDate"))
            if start is None or end is None:
                return None
            if start != end:
                self.errors.append(
                    RowError(
                        self.file,
                        number,
                        "startDate",
                        f"{start.isoformat()} to {end.isoformat()}",
                        "a DAILY report (timeUnit DAILY), or a SUMMARY covering a single day",
                    )
                )
                return None
            return start
        if self.summary_fallback is not None:
            return self.summary_fallback
        self.errors.append(
            RowError(
                self.file,
                number,
                "date",
                None,
                "a date column (request the report with timeUnit DAILY and the date column)",
            )
        )
        return None

    def _date(self, number: int, column: str, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        parsed = _iso_date(value)
        if parsed is None:
            expected = "a date such as Nov 03, 2026" if self.console else "a date as YYYY-MM-DD"
            self.errors.append(RowError(self.file, number, column, _shown(value), expected))
        return parsed

    def _id(
        self, number: int, raw: dict[str, Any], column: str, name_column: str | None, *, required: bool = False
    ) -> int:
        value = raw.get(column)
        if value is None or value == "":
            name = _text_or_none(raw.get(name_column)) if name_column else None
            if name is not None:
                self.synthetic_ids = True
                scope = raw.get("campaignName") if column == "adGroupId" else ""
                return synthetic_id(self.spec.ad_product, column, f"{scope}\x1f{name}")
            if required:
                self.errors.append(
                    RowError(self.file, number, column, None, f"{column} (or {name_column}) on every row")
                )
            return 0
        number_value = _exact_int(value)
        if number_value is None or not 0 < number_value <= _MAX_BIGINT:
            self.errors.append(RowError(self.file, number, column, _shown(value), "a positive 64-bit integer id"))
            return 0
        return number_value

    def _asin(self, number: int, raw: dict[str, Any]) -> str:
        column = self.spec.asin_column
        if column is None:
            return ""
        value = raw.get(column)
        text = _text_or_none(value)
        if text is None:
            return ""  # Amazon leaves the purchased ASIN empty on some rows; '' keeps the key complete
        text = text.upper()
        if not _ASIN.fullmatch(text):
            self.errors.append(RowError(self.file, number, column, _shown(value), "a 10-character ASIN"))
            return ""
        return text

    def _currency(self, number: int, raw: dict[str, Any]) -> str | None:
        column = "campaignBudgetCurrencyCode" if "campaignBudgetCurrencyCode" in raw else "currency"
        value = raw.get(column)
        if value in (None, ""):
            return self.default_currency
        text = str(value).strip().upper()
        if not _CURRENCY.fullmatch(text):
            self.errors.append(RowError(self.file, number, column, _shown(value), "an ISO 4217 currency code"))
            return None
        return text

    def _whole(self, number: int, column: str, value: Any) -> int | None:
        if value is None or value == "":
            return None
        whole = _exact_int(value)
        if whole is None:
            self.errors.append(RowError(self.file, number, column, _shown(value), "a whole number"))
        return whole

    def _money(self, number: int, column: str, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        amount = _exact_decimal(value)
        if amount is None:
            self.errors.append(RowError(self.file, number, column, _shown(value), "a number"))
        return amount


def _add_into(totals: dict[tuple[Any, ...], dict[str, Any]], key: tuple[Any, ...], row: dict[str, Any]) -> None:
    """Sum a finer-grained row into its ads_daily row; None + None stays None ("not reported")."""
    total = totals.get(key)
    if total is None:
        totals[key] = dict(row)
        return
    for name in _METRICS:
        value = row[name]
        if value is not None:
            total[name] = value if total[name] is None else total[name] + value
    if total["campaign_name"] is None:
        total["campaign_name"] = row["campaign_name"]
    if total["currency"] is None:
        total["currency"] = row["currency"]


def synthetic_id(ad_product: str, column: str, name: str) -> int:
    """A stable negative id for an entity known only by name (never equal to one of Amazon's positive ids)."""
    digest = hashlib.blake2b(f"{ad_product}\x1f{column}\x1f{name}".encode(), digest_size=8).digest()
    return -((int.from_bytes(digest, "big") & _MAX_BIGINT) or 1)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return fact_frame(FACT_TABLE, {name: [row[name] for row in rows] for name in _COLUMN_NAMES}, len(rows))


def _exact_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        return int(text) if _INTEGER.fullmatch(text) else None
    number = _exact_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _exact_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))  # shortest round-trip text: the digits that were written
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _single_day(start: Any, end: Any) -> date | None:
    first = start if isinstance(start, date) else _iso_date(start)
    last = end if isinstance(end, date) else _iso_date(end)
    return first if first is not None and first == last else None


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


# --------------------------------------------------------------------------------------------------
# Console downloads (CSV / XLSX)

_CONSOLE_IDENTITY = {
    "date": "date",
    "start date": "startDate",
    "end date": "endDate",
    "currency": "currency",
    "campaign name": "campaignName",
    "campaign id": "campaignId",
    "ad group name": "adGroupName",
    "ad group id": "adGroupId",
    "ad id": "adId",
    "advertised asin": "advertisedAsin",
    "purchased asin": "purchasedAsin",
    "impressions": "impressions",
    "clicks": "clicks",
    "spend": "cost",
    "cost": "cost",
}
_CONSOLE_WINDOWED = [
    (re.compile(r"^(\d+) day total sales$"), "sales_{n}d"),
    (re.compile(r"^(\d+) day total orders \(#\)$"), "purchases_{n}d"),
    (re.compile(r"^(\d+) day total units \(#\)$"), "units_sold_{n}d"),
    (re.compile(r"^(\d+) day advertised sku sales$"), "same_sku_sales_{n}d"),
    (re.compile(r"^(\d+) day new to brand sales$"), "new_to_brand_sales_{n}d"),
]
# Ratios the console prints: derived from sums, so never stored (ACOS is cross-checked).
_CONSOLE_DERIVED = re.compile(
    r"^(click thru rate \(ctr\)|cost per click \(cpc\)|total advertising cost of sales \(acos\)"
    r"|total return on advertising spend \(roas\)|\d+ day conversion rate)( - \(click\))?$"
)
_CONSOLE_ACOS = "total advertising cost of sales (acos)"
_CONSOLE_TARGETING = ("targeting", "match type", "keyword", "keyword text")
_CONSOLE_SEARCH_TERM = ("customer search term", "search term")
_CONSOLE_PLACEMENT = ("placement", "placement type")


@dataclass(frozen=True)
class _ConsoleLayout:
    header_row: int  # 1-based row number of the header in the file
    headers: list[str]  # as written
    normalised: list[str]


def console_report_type(normalised: Iterable[str]) -> str:
    """The v3 report type a console download corresponds to, from its (normalised) headers.

    SP: advertised/other SKU columns, or any attribution window but 14 days (SB and SD print 14-day
    columns only). SD: the "- (Click)" variants of its view-and-click metrics, VCPM or bid optimization.
    SB: video, 5-second view, ad format or landing page columns. Anything else is ambiguous.
    """
    cols = set(normalised)
    sp = any(
        "advertised sku" in c or "other sku" in c or c in ("advertised asin", "purchased asin") for c in cols
    ) or any(re.match(r"^(1|7|30) day ", c) for c in cols)
    sd = any(c.endswith("- (click)") or "(vcpm)" in c or c == "bid optimization" for c in cols)
    sb = any(
        "video" in c or "5 second" in c or c in ("ad format", "landing page url", "landing page type") for c in cols
    )
    products = [name for name, flag in (("SP", sp), ("SB", sb), ("SD", sd)) if flag]
    if len(products) != 1:
        which = " and ".join(products) if products else "no ad product in particular"
        raise AmbiguousReport(f"console columns of {which}")
    product = products[0].lower()
    if "advertised asin" in cols and product == "sp":
        return "spAdvertisedProduct"
    if "purchased asin" in cols and product == "sp":
        return "spPurchasedProduct"
    if cols & set(_CONSOLE_SEARCH_TERM):
        return f"{product}SearchTerm" if product != "sd" else "sdTargeting"
    if cols & set(_CONSOLE_TARGETING):
        return f"{product}Targeting"
    if "ad group name" in cols or "ad group id" in cols:
        return SP_CAMPAIGNS_BY_AD_GROUP if product == "sp" else f"{product}AdGroup"
    return f"{product}Campaigns"


def detect_console_csv(head: bytes) -> bool:
    """A CSV whose header (within the first lines) has Campaign Name and a delivery metric."""
    if head.startswith(b"PK\x03\x04") or not head.strip():
        return False
    text = _decode(head, None)
    for line in text.splitlines()[:10]:
        cells = {normalise_header(cell.strip().strip('"')) for cell in re.split(r"[,;\t]", line)}
        if "campaign name" in cells and cells & {"impressions", "spend", "clicks"}:
            return True
    return False


def detect_console_xlsx(head: bytes) -> bool:
    """An XLSX whose shared strings (or first sheet) within the first bytes name Campaign Name and Impressions.

    Only the head of the file is available to a detector, so this reads the zip's local entries that
    start inside it and inflates what it can; an XLSX whose strings lie further in is not recognised here.
    """
    if not head.startswith(b"PK\x03\x04"):
        return False
    text = " ".join(zip_head_texts(head, ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"))).lower()
    return "campaign name" in text and ("impressions" in text or "spend" in text)


def parse_console_csv(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    data = stream.read()
    text = _decode(data, file_name)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _parse_console(((number, list(row)) for number, row in enumerate(rows, start=1)), file_name, options)


def parse_console_xlsx(stream: BinaryIO, file_name: str, *, options: dict[str, Any] | None = None) -> ParsedReport:
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ParseError(RowError(file_name, None, None, str(exc)[:80], "a readable XLSX workbook")) from None
    return _parse_console(_sheet_rows(workbook), file_name, options)


def _sheet_rows(workbook: Any) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _parse_console(
    rows: Iterator[tuple[int, list[Any]]], file_name: str, options: dict[str, Any] | None
) -> ParsedReport:
    options = dict(options or {})
    layout = None
    for number, cells in rows:
        normalised = [normalise_header(cell) for cell in cells]
        if "campaign name" in normalised:
            layout = _ConsoleLayout(number, [str(cell or "") for cell in cells], normalised)
            break
        if number >= 10:
            break
    if layout is None:
        raise ParseError(RowError(file_name, 1, None, None, "a header row with 'Campaign Name' in the first 10 rows"))
    given = options.get("report_type")
    if given:
        report_type = str(given).removeprefix("console:")
        if report_type.split(".", 1)[0] not in REPORT_TYPES:
            raise ParseError(
                RowError(file_name, None, "report_type", str(given), "one of " + ", ".join(sorted(REPORT_TYPES)))
            )
    else:
        try:
            report_type = console_report_type(layout.normalised)
        except AmbiguousReport as exc:
            raise ParseError(
                RowError(
                    file_name,
                    layout.header_row,
                    None,
                    ", ".join(layout.headers)[:200],
                    f"headers that identify the Ads console report; these are {exc}: "
                    "import it again with the report_type option (e.g. console:sbCampaigns)",
                )
            ) from None
    mapping, ignored, derived = _console_mapping(layout, report_type)
    reader = _RowReader(file_name, report_type, options, console=True)
    reader.metric_map = {target: target for target in mapping.values() if target in _METRICS}
    reader.rolls_up = reader.rolls_up or bool(
        set(layout.normalised) & set(_CONSOLE_TARGETING + _CONSOLE_SEARCH_TERM + _CONSOLE_PLACEMENT)
    )
    windows: dict[str, set[int]] = {}
    for target in mapping.values():
        match = re.match(r"^(.*)_(\d+)d$", target)
        if match:
            windows.setdefault(match.group(1), set()).add(int(match.group(2)))
    reader.report_options.update(
        {
            "attribution_windows": {name: sorted(days) for name, days in sorted(windows.items())},
            "column_map": {layout.headers[i]: target for i, target in sorted(mapping.items())},
            "ignored_columns": ignored,
            "derived_columns_not_stored": [layout.headers[i] for i in derived],
            "header_row": layout.header_row,
        }
    )
    number_format = number_format_for(options.get("locale"))
    acos_index = next((i for i in derived if layout.normalised[i] == _CONSOLE_ACOS), None)
    report = reader.report(source=SOURCE_CONSOLE)
    converted = _console_rows(rows, layout, mapping, reader, number_format, options.get("locale"), acos_index)
    report.chunks = reader.chunks(converted, report)
    return report


def _console_mapping(layout: _ConsoleLayout, report_type: str) -> tuple[dict[int, str], list[str], list[int]]:
    """Column index -> ads_daily column or identity name; the ignored headers; the derived-ratio columns."""
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    derived: list[int] = []
    asin_column = REPORT_TYPES[report_type.split(".", 1)[0]].asin_column
    for index, name in enumerate(layout.normalised):
        if not name:
            continue
        if name in _CONSOLE_IDENTITY:
            target = _CONSOLE_IDENTITY[name]
            if target in ("advertisedAsin", "purchasedAsin", "promotedAsin") and target != asin_column:
                ignored.append(layout.headers[index])
                continue
            mapping[index] = target
            continue
        if _CONSOLE_DERIVED.match(name):
            derived.append(index)
            continue
        for pattern, template in _CONSOLE_WINDOWED:
            match = pattern.match(name)
            if match and template.format(n=match.group(1)) in _METRICS:
                mapping[index] = template.format(n=match.group(1))
                break
        else:
            ignored.append(layout.headers[index])
    return mapping, ignored, derived


def _console_rows(
    rows: Iterator[tuple[int, list[Any]]],
    layout: _ConsoleLayout,
    mapping: dict[int, str],
    reader: _RowReader,
    number_format: NumberFormat,
    locale: str | None,
    acos_index: int | None,
) -> Iterator[dict[str, Any] | None]:
    """Console rows rewritten as dicts of typed values keyed like v3 rows, for `_RowReader.convert`.

    A cell that cannot be read is reported here and its row is replaced by `_SKIP`, which the reader
    passes over; `_row_number` carries the file's row number into the reader's own errors.
    """
    mismatches = 0
    for number, cells in rows:
        if not any(cell not in (None, "") for cell in cells):
            continue  # blank lines between blocks and at the end
        if _is_total_row(cells):
            continue
        record: dict[str, Any] = {}
        bad = False
        for index, target in mapping.items():
            cell = cells[index] if index < len(cells) else None
            header = layout.headers[index]
            if isinstance(cell, str) and cell.startswith("="):
                reader.errors.append(RowError(reader.file, number, header, cell, "a value, not a formula"))
                bad = True
                continue
            try:
                record[target] = _console_value(target, cell, number_format, locale)
            except BadValue as exc:
                reader.errors.append(RowError(reader.file, number, header, _shown(cell), exc.expected))
                bad = True
        if bad:
            yield _SKIP
            continue
        if acos_index is not None and acos_index < len(cells):
            mismatches += _acos_mismatch(cells[acos_index], record, number_format)
        record["_row_number"] = number
        yield record
    reader.cross_checks["acos_mismatches"] = mismatches


_SKIP: dict[str, Any] = {"_skip": True}


def _console_value(target: str, cell: Any, number_format: NumberFormat, locale: str | None) -> Any:
    if target in ("date", "startDate", "endDate"):
        return _console_date(cell, locale)
    if target in ("campaignName", "adGroupName", "currency", "advertisedAsin", "purchasedAsin"):
        return None if is_missing(cell) else str(cell).strip()
    if target in ("campaignId", "adGroupId", "adId"):
        return None if is_missing(cell) else parse_int(cell, number_format)
    if target in _INT_METRICS or target in ("impressions", "clicks"):
        return parse_int(cell, number_format)
    return parse_money(cell, number_format)


_MONTH_NAME_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%d-%b-%Y", "%d-%b-%y")


def _console_date(cell: Any, locale: str | None) -> date | None:
    """'Nov 03, 2026', '2026-11-03', a spreadsheet date, or the locale's numeric form (values.parse_date)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if is_missing(cell):
        return None
    text = re.sub(r"\s+", " ", str(cell).strip())
    if re.search(r"[A-Za-z]", text):
        for pattern in _MONTH_NAME_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
            except ValueError:
                continue
        raise BadValue("a date such as Nov 03, 2026 or 2026-11-03")
    return parse_date(text, locale)


def _acos_mismatch(cell: Any, record: dict[str, Any], number_format: NumberFormat) -> int:
    """1 when the printed ACOS matches spend / sales of none of the file's windows within half a point.

    The console does not say which window its ACOS uses (7 days for sellers, 14 for vendors), so any
    window that agrees is accepted. Amazon prints 0 when sales are 0, which is undefined, not 0 %: such
    rows are not compared.
    """
    try:
        printed = parse_percent(cell, number_format)
    except BadValue:
        return 1
    cost = record.get("cost")
    sales = [record[name] for name in ("sales_1d", "sales_7d", "sales_14d", "sales_30d") if record.get(name)]
    if printed is None or cost is None or not sales:
        return 0
    return int(all(abs(cost / amount - printed) > Decimal("0.005") for amount in sales))


def _is_total_row(cells: list[Any]) -> bool:
    first = next((cell for cell in cells if cell not in (None, "")), None)
    return isinstance(first, str) and first.strip().lower() in ("total", "totals", "grand total")


def _decode(data: bytes, file_name: str | None) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which decodes almost any byte; a detector (no
    file name) gets a lenient UTF-8 reading instead of an error."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if file_name is not None:
        raise ParseError(RowError(file_name, None, None, None, "a CSV in UTF-8 or Windows-1252"))
    return data.decode("utf-8", "replace")


register_format("ADS_CONSOLE_CSV", detector=detect_console_csv, parser=parse_console_csv, priority=70)
register_format("ADS_CONSOLE_XLSX", detector=detect_console_xlsx, parser=parse_console_xlsx, priority=70)
register_format("ADS_V3_REPORT", detector=detect_api_report, parser=parse_api_report, priority=60)
