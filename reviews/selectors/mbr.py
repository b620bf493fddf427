"""The monthly business review's numbers (DOMAIN.md §5.6 agenda), read from rollup tables only.

`mbr_data` returns an MbrData whose `sections` and `charts` are plain JSON (numbers as decimal
strings), so the page, the XLSX export and the frozen snapshot all use the same structure: a frozen
review renders `metrics_snapshot` instead of the live numbers. Action items and open alerts are live
state and always read fresh.

Reads: reviews' rollups (never the raw facts), planning's JBP targets and catalog (content health),
coop's accruals, invoices, chargebacks, shortage deductions, disputes and promotion results.
MoM and YoY are computed here on read from the stored months (cheap: a few dozen rows).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.db.models import Avg
from django.db.models import Case
from django.db.models import Count
from django.db.models import DecimalField
from django.db.models import F
from django.db.models import Q
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.periods import add_months
from core.periods import month_end
from core.periods import month_start
from planning.jbp_models import METRIC_INFO
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode
from reviews.metrics import acos
from reviews.metrics import attainment_frame
from reviews.metrics import cpc
from reviews.metrics import ctr
from reviews.metrics import metric_label
from reviews.metrics import pct_change
from reviews.metrics import pp_change
from reviews.metrics import ratio
from reviews.metrics import roas
from reviews.models import BusinessReview
from reviews.models import Dimension
from reviews.models import FxRate
from reviews.models import Grain
from reviews.models import Rollup
from reviews.selectors.rollups import FX_COLUMNS
from reviews.selectors.rollups import FxNote
from reviews.selectors.rollups import add_up
from reviews.selectors.rollups import ads_values
from reviews.selectors.rollups import choose_view
from reviews.selectors.rollups import combine
from reviews.selectors.rollups import derive
from reviews.selectors.rollups import rollup_values
from reviews.selectors.rollups import to_currency

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

TREND_MONTHS = 13
TEXT_PLACES = 10
MONEY, COUNT, RATIO, NUMBER = "money", "count", "ratio", "number"
# KPI direction: is an increase good? (ACoS up is bad; PPOOS up is bad)
GOOD_UP, GOOD_DOWN, NEUTRAL = "up", "down", "neutral"

# key -> (label, kind, direction)
KPI_SPECS: dict[str, tuple[str, str, str]] = {
    "shipped_cogs": ("Shipped COGS", MONEY, GOOD_UP),
    "ordered_revenue": ("Ordered revenue", MONEY, GOOD_UP),
    "shipped_units": ("Shipped units", COUNT, GOOD_UP),
    "ordered_units": ("Ordered units", COUNT, GOOD_UP),
    "shipped_revenue": ("Shipped revenue", MONEY, GOOD_UP),
    "customer_returns": ("Customer returns", COUNT, GOOD_DOWN),
    "return_rate": ("Return rate", RATIO, GOOD_DOWN),
    "net_ppm": ("Net PPM", RATIO, GOOD_UP),
    "ppoos_rate": ("PPOOS (glance-view weighted)", RATIO, GOOD_DOWN),
    "vendor_confirmation_rate": ("Confirmation rate", RATIO, GOOD_UP),
    "receive_fill_rate": ("Receive fill rate", RATIO, GOOD_UP),
    "po_on_time_rate": ("PO on-time (confirmed units)", RATIO, GOOD_UP),
    "asn_on_time_rate": ("ASN on-time", RATIO, GOOD_UP),
    "asn_accuracy": ("ASN accuracy", RATIO, GOOD_UP),
    "weeks_of_cover": ("Weeks of cover", NUMBER, NEUTRAL),
    "aged_share": ("Aged 90+ share", RATIO, GOOD_DOWN),
    "sell_through": ("Sell-through", RATIO, GOOD_UP),
    "sellable_on_hand_inventory_units": ("Sellable on hand (units)", COUNT, NEUTRAL),
    "glance_views": ("Glance views", COUNT, GOOD_UP),
    "conversion": ("Conversion (units / glance views)", RATIO, GOOD_UP),
    "ad_spend": ("Ad spend", MONEY, NEUTRAL),
    "ad_sales": ("Ad sales", MONEY, GOOD_UP),
    "acos": ("ACoS", RATIO, GOOD_DOWN),
    "roas": ("ROAS", NUMBER, GOOD_UP),
    "tacos": ("TACoS (÷ ordered revenue)", RATIO, GOOD_DOWN),
    "cpc": ("CPC", MONEY, GOOD_DOWN),
    "ctr": ("CTR", RATIO, GOOD_UP),
    "cvr": ("Ad CVR (orders / clicks)", RATIO, GOOD_UP),
}
SECTION_KPIS: dict[str, tuple[str, ...]] = {
    "headline": ("shipped_cogs", "ordered_revenue", "shipped_units", "ordered_units"),
    "profitability": ("net_ppm", "shipped_revenue", "return_rate"),
    "availability": (
        "ppoos_rate",
        "vendor_confirmation_rate",
        "receive_fill_rate",
        "po_on_time_rate",
        "asn_on_time_rate",
        "asn_accuracy",
        "weeks_of_cover",
        "aged_share",
        "sell_through",
        "sellable_on_hand_inventory_units",
    ),
    "traffic": ("glance_views", "conversion"),
    "advertising": ("ad_spend", "ad_sales", "acos", "roas", "tacos", "cpc", "ctr", "cvr"),
}
SECTION_TITLES = {
    "headline": "Headline vs plan and last year",
    "profitability": "Profitability",
    "availability": "Availability",
    "traffic": "Traffic and conversion",
    "advertising": "Advertising",
    "promotions": "Promotions",
    "content": "Content health",
}
# JBP metric -> frame column
TARGET_COLUMNS = {
    "SHIPPED_COGS": "shipped_cogs",
    "ORDERED_REVENUE": "ordered_revenue",
    "SHIPPED_UNITS": "shipped_units",
    "ORDERED_UNITS": "ordered_units",
    "NET_PPM": "net_ppm",
    "PPOOS_RATE": "ppoos_rate",
    "VENDOR_CONFIRMATION_RATE": "vendor_confirmation_rate",
    "RECEIVE_FILL_RATE": "receive_fill_rate",
    "PO_ON_TIME_RATE": "po_on_time_rate",
    "ACOS": "acos",
    "TACOS": "tacos",
    "AD_SPEND": "ad_spend",
    "GLANCE_VIEWS": "glance_views",
    "CONVERSION": "conversion",
    "SELL_THROUGH": "sell_through",
}
PLAN_STATUSES = (JBPPlan.Status.AGREED, JBPPlan.Status.ACTIVE, JBPPlan.Status.CLOSED)
STALE_CONTENT_DAYS = 180
MOVERS = 10


def text(value: Any) -> str | None:
    """A JSON-safe decimal string (None stays None); integers without a fraction."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (hasattr(value, "is_integer") and not isinstance(value, Decimal)):
        return str(int(value))  # Python and numpy integers (Int64 cells come out as numpy ints)
    if isinstance(value, Decimal):
        # At most 10 decimal places (ratios divide to 28 digits; money has 4), without trailing zeros.
        if value.as_tuple().exponent < -TEXT_PLACES:  # type: ignore[operator]
            value = value.quantize(Decimal(1).scaleb(-TEXT_PLACES))
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def _value(row: dict[str, Any] | None, column: str) -> Any:
    if row is None:
        return None
    value = row.get(column)
    # pandas writes None in a mostly-text or mostly-number column as NA or NaN: both are "not reported".
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


@dataclass
class MbrFilters:
    brand: Brand
    month: date
    marketplace: Marketplace | None = None
    category: str = ""
    view: tuple[str, str] | None = None


@dataclass
class MbrData:
    """Everything the MBR page shows (except live action items and alerts), JSON-able."""

    meta: dict[str, Any]
    sections: list[dict[str, Any]]
    charts: dict[str, Any]
    movers: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def as_snapshot(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "sections": self.sections,
            "charts": self.charts,
            "movers": self.movers,
            "warnings": self.warnings,
            "version": 1,
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> MbrData:
        return cls(
            meta=snapshot["meta"],
            sections=snapshot["sections"],
            charts=snapshot["charts"],
            movers=snapshot["movers"],
            warnings=snapshot.get("warnings", []),
        )

    def section(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.sections if s["key"] == key), None)

    def headline_values(self) -> dict[str, str | None]:
        """The KPI values a restatement is checked against (frozen vs live)."""
        out: dict[str, str | None] = {}
        for section in self.sections:
            for kpi in section.get("kpis", []):
                out[kpi["key"]] = kpi["value"]
        return out


# --- scope -----------------------------------------------------------------------------------------


def scope_vendor_codes(brand: Brand, marketplace: Marketplace | None) -> list[VendorCode]:
    codes = VendorCode.objects.filter(brand=brand).select_related("marketplace").order_by("marketplace__country_code")
    if marketplace is not None:
        codes = codes.filter(marketplace=marketplace)
    return list(codes)


def _currency(brand: Brand, marketplace: Marketplace | None, codes: Sequence[VendorCode]) -> str:
    if marketplace is not None:
        return marketplace.currency
    currencies = {vc.marketplace.currency for vc in codes}
    return currencies.pop() if len(currencies) == 1 else brand.default_currency


# --- the monthly series --------------------------------------------------------------------------------


def monthly_series(
    *,
    vendor_code_ids: Sequence[int],
    first: date,
    last: date,
    dimension: str,
    values: Sequence[str] | None,
    view: tuple[str, str] | None,
    currency: str,
    note: FxNote,
    by_value: bool = False,
    grain: str = Grain.MONTH,
) -> tuple[dict[Any, dict[str, Any]], tuple[str, str]]:
    """Derived rows of the scope per period: {period_start: row} (or {(value, period_start): row}).

    Vendor codes are added up per period (after conversion to `currency`); ratios derived after adding.
    Weekly rows get weeks of cover from the trailing 4 weeks of shipments (DOMAIN.md §4.3); monthly rows
    from the month's own shipments (about 4.3 weeks).
    """
    rows = rollup_values(
        vendor_code_ids=vendor_code_ids,
        grain=grain,
        dimension=dimension,
        first=first,
        last=last,
        dimension_values=values,
    )
    ads = ads_values(
        vendor_code_ids=vendor_code_ids,
        grain=grain,
        dimension=dimension,
        first=first,
        last=last,
        dimension_values=values,
    )
    chosen = choose_view(((r["distributor_view"], r["selling_program"]) for r in rows), view)
    combined = to_currency(combine(rows, ads, view=chosen), currency, note)
    keys = ["dimension_value", "period_start"] if by_value else ["period_start"]
    periods = sorted(add_up(combined, keys=keys), key=lambda r: tuple(r[k] for k in keys))
    for row in periods:
        row["currency"] = currency
    index = {tuple(r[k] for k in keys): r for r in periods}

    def shifted(row: dict[str, Any], back: int) -> dict[str, Any] | None:
        start = (
            add_months(row["period_start"], -back)
            if grain == Grain.MONTH
            else row["period_start"] - timedelta(weeks=back)
        )
        return index.get((row["dimension_value"], start) if by_value else (start,))

    start_on_hand = {i: _value(shifted(row, 1), "sellable_on_hand_inventory_units") for i, row in enumerate(periods)}
    if grain == Grain.WEEK:
        for row in periods:
            window = [w for w in (row, *(shifted(row, k) for k in (1, 2, 3))) if w is not None]
            units = [w["shipped_units"] for w in window if w.get("shipped_units") is not None]
            days_ = sum(w.get("shipped_days") or 0 for w in window if w.get("shipped_units") is not None)
            row["_trailing_units"], row["_trailing_days"] = (sum(units), days_) if units else (None, None)
        for row in periods:
            row["shipped_units_period"], row["shipped_days_period"] = row["shipped_units"], row["shipped_days"]
    frame = derive(periods, start_on_hand=start_on_hand)
    if grain == Grain.WEEK and not frame.empty:
        from reviews.metrics import weeks_of_cover

        averages = [
            None if u is None or not d else Decimal(int(u) * 7) / Decimal(int(d))
            for u, d in zip(frame["_trailing_units"], frame["_trailing_days"], strict=True)
        ]
        frame["avg_weekly_shipped_units"] = pd.Series(averages, index=frame.index, dtype=object)
        covers = [
            weeks_of_cover(None if on_hand is None or on_hand is pd.NA else int(on_hand), average)
            for on_hand, average in zip(frame["sellable_on_hand_inventory_units"], averages, strict=True)
        ]
        frame["weeks_of_cover"] = pd.Series(covers, index=frame.index, dtype=object)
    out: dict[Any, dict[str, Any]] = {}
    records: list[dict[str, Any]] = frame.to_dict("records") if not frame.empty else []  # type: ignore[assignment]
    for record in records:
        key = (record["dimension_value"], record["period_start"]) if by_value else record["period_start"]
        out[key] = record
    return out, chosen


def _kpi(
    key: str,
    current: dict[str, Any] | None,
    prior: dict[str, Any] | None,
    year_ago: dict[str, Any] | None,
    currency: str,
    window: str | None = None,
) -> dict[str, Any]:
    label, kind, direction = KPI_SPECS[key]
    value, before, last_year = _value(current, key), _value(prior, key), _value(year_ago, key)
    change = pp_change if kind == RATIO else pct_change
    if key in ("acos", "roas", "cvr", "ad_sales") and window:
        label = metric_label(key, attribution_window=window) if key != "roas" else f"ROAS ({window})"
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "direction": direction,
        "currency": currency if kind == MONEY else None,
        "value": text(value),
        "mom_prior": text(before),
        "mom": text(change(value, before)) if value is not None and before is not None else None,
        "yoy_prior": text(last_year),
        "yoy": text(change(value, last_year)) if value is not None and last_year is not None else None,
        "change_kind": "pp" if kind == RATIO else "pct",
        "target": None,
        "attainment": None,
        "pace": None,
        "flag": "spend_without_sales" if key == "acos" and current and current.get("spend_without_sales") else None,
    }


# --- JBP targets -----------------------------------------------------------------------------------------


def _targets(
    brand: Brand, marketplace: Marketplace | None, month: date, currency: str, note: FxNote
) -> list[dict[str, Any]]:
    """Month targets (TOTAL and CATEGORY) of the agreed plans covering the month, in `currency`."""
    qs = JBPTarget.objects.filter(
        plan__brand=brand,
        plan__status__in=PLAN_STATUSES,
        period_type=JBPTarget.PeriodType.MONTH,
        period_start=month,
        dimension_type__in=(JBPTarget.DimensionType.TOTAL, JBPTarget.DimensionType.CATEGORY),
    ).values(
        "metric",
        "dimension_type",
        "dimension_value",
        "target_value",
        "direction",
        "phasing",
        "plan__currency",
        "plan__marketplace_id",
        "period_start",
        "period_end",
    )
    if marketplace is not None:
        qs = qs.filter(plan__marketplace=marketplace)
    targets = list(qs)
    foreign = {t["plan__currency"] for t in targets if t["plan__currency"] != currency}
    rates = (
        {
            r.from_currency: r.rate
            for r in FxRate.objects.filter(month=month, from_currency__in=foreign, to_currency=currency)
        }
        if foreign
        else {}
    )
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for t in targets:
        kind = METRIC_INFO.get(t["metric"], ("ratio", "HIGHER_IS_BETTER"))[0]
        value = t["target_value"]
        if kind == "money" and t["plan__currency"] != currency:
            rate = rates.get(t["plan__currency"])
            if rate is None:
                note.missing.append(f"{t['plan__currency']}→{currency} {month:%Y-%m} (plan targets)")
                continue
            value = value * rate
        key = (t["metric"], t["dimension_type"], t["dimension_value"])
        if key in merged:
            if kind == "ratio":
                merged[key]["ambiguous"] = True  # two plans' ratio targets do not add up
            else:
                merged[key]["target_value"] += value
        else:
            merged[key] = {**t, "target_value": value, "kind": kind}
    return [t for t in merged.values() if not t.get("ambiguous")]


def _attain(
    targets: list[dict[str, Any]], actuals: dict[tuple[str, str], Any], as_of: date
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(metric, dimension type, value) -> {target, attainment (raw), pace} via reviews.metrics.attainment_frame."""
    rows = []
    for t in targets:
        column = TARGET_COLUMNS.get(t["metric"])
        if column is None:
            continue
        actual = actuals.get((t["dimension_value"], column))
        if actual is not None and not isinstance(actual, Decimal):
            actual = Decimal(int(actual))
        rows.append(
            {
                "metric": t["metric"],
                "dimension_type": t["dimension_type"],
                "dimension_value": t["dimension_value"],
                "direction": t["direction"],
                "phasing": "LINEAR",
                "period_start": t["period_start"],
                "period_end": t["period_end"],
                "target_value": Decimal(t["target_value"]),
                "actual": actual,
            }
        )
    if not rows:
        return {}
    frame = attainment_frame(pd.DataFrame(rows), as_of=as_of)
    return {
        (r["metric"], r["dimension_type"], r["dimension_value"]): {
            "target": text(r["target_value"]),
            "attainment": text(r["attainment_raw"]),
            "pace": text(r["attainment_pace"]),
        }
        for r in frame.to_dict("records")
    }


# --- the other apps' numbers -------------------------------------------------------------------------------


def _profitability_tables(codes: Sequence[VendorCode], month: date) -> tuple[list[dict[str, Any]], list[str]]:
    from coop.models import Accrual
    from coop.models import Chargeback
    from coop.models import CoopInvoice
    from coop.models import Deduction

    ids = [vc.pk for vc in codes]
    first, last = month, month_end(month)
    money = DecimalField(max_digits=16, decimal_places=2)
    rows: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in (
        Accrual.objects.filter(agreement__vendor_code_id__in=ids, period_start__gte=first, period_start__lte=last)
        .values("currency")
        .annotate(total=Sum("expected_amount"), n=Count("id"))
    ):
        rows[r["currency"]]["accrued"] = r["total"]
    invoices = CoopInvoice.objects.filter(vendor_code_id__in=ids).filter(
        Q(service_period_start__gte=first, service_period_start__lte=last)
        | Q(service_period_start__isnull=True, invoice_date__gte=first, invoice_date__lte=last)
    )
    invoice_totals: Any = invoices.values("currency").annotate(
        total=Sum("amount"), variance=Coalesce(Sum("variance_amount"), Value(Decimal(0)), output_field=money)
    )
    for r in invoice_totals:
        rows[r["currency"]]["invoiced"] = r["total"]
        rows[r["currency"]]["variance"] = r["variance"]
    for r in (
        Chargeback.objects.filter(vendor_code_id__in=ids, notified_at__gte=first, notified_at__lte=last)
        .values("currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    ):
        rows[r["currency"]]["chargebacks"] = r["total"]
        rows[r["currency"]]["chargeback_count"] = r["n"]
    shortages: Any = (
        Deduction.objects.filter(
            remittance__vendor_code_id__in=ids,
            reference_type=Deduction.ReferenceType.SHORTAGE,
            remittance__payment_date__gte=first,
            remittance__payment_date__lte=last,
        )
        .values("remittance__currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    for r in shortages:
        rows[r["remittance__currency"]]["shortages"] = r["total"]
        rows[r["remittance__currency"]]["shortage_count"] = r["n"]
    out = [
        {
            "currency": currency,
            "accrued": text(v.get("accrued")),
            "invoiced": text(v.get("invoiced")),
            "invoiced_vs_accrued": text(v["invoiced"] - v["accrued"])
            if v.get("invoiced") is not None and v.get("accrued") is not None
            else None,
            "chargebacks": text(v.get("chargebacks")),
            "chargeback_count": v.get("chargeback_count", 0),
            "shortages": text(v.get("shortages")),
            "shortage_count": v.get("shortage_count", 0),
        }
        for currency, v in sorted(rows.items())
    ]
    missing = []
    if not out:
        missing.append("No co-op accruals, invoices, chargebacks or shortage deductions recorded for this month.")
    return out, missing


def _promotions(
    user: AnyUser | None, brand: Brand, marketplace: Marketplace | None, codes: Sequence[VendorCode], month: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    if user is None:
        return [], [], ["Promotion results are read with a member's access; open the review to see them."]
    from coop.promotion_selectors import promotion_post_event_summary

    summary = promotion_post_event_summary(
        user=user,
        brand=brand,
        start=month,
        end=month_end(month),
        marketplace=marketplace,
        vendor_code_ids=[vc.pk for vc in codes],
    )
    rows = []
    for p in summary.rows:
        perf = getattr(p, "performance", None)
        rows.append(
            {
                "name": p.name,
                "type": p.get_promotion_type_display(),
                "start": p.start_at.date().isoformat(),
                "end": p.end_at.date().isoformat(),
                "currency": p.currency,
                "units_sold": text(getattr(perf, "units_sold", None)),
                "revenue": text(getattr(perf, "revenue", None)),
                "vendor_cost": text(getattr(perf, "vendor_cost", None)),
                "incremental_revenue": text(getattr(perf, "incremental_revenue", None)),
                "roi": text(getattr(perf, "roi", None)),
                "has_results": perf is not None,
            }
        )
    totals = [
        {
            "currency": t.currency,
            "promotions": t.promotions,
            "units_sold": text(t.units_sold),
            "revenue": text(t.revenue),
            "vendor_cost": text(t.vendor_cost),
            "incremental_revenue": text(t.incremental_revenue),
            "roi": text(t.roi),
        }
        for t in summary.totals
    ]
    missing = [] if rows else ["No promotion ended this month."]
    if rows and not any(r["has_results"] for r in rows):
        missing.append("Promotion performance reports for these promotions are not imported yet.")
    return rows, totals, missing


def _content(
    brand: Brand, marketplace: Marketplace | None, category: str, today: date
) -> tuple[list[dict[str, Any]], list[str]]:
    products = Product.objects.filter(brand=brand).exclude(lifecycle=Product.Lifecycle.EXIT)
    if marketplace is not None:
        products = products.filter(marketplace=marketplace)
    if category:
        products = products.filter(category=category)
    stale_before = today - timedelta(days=STALE_CONTENT_DAYS)
    stats = products.aggregate(
        asins=Count("id"),
        aplus=Count("id", filter=Q(aplus_content=True)),
        video=Count("id", filter=Q(video_on_detail_page=True)),
        score=Avg("content_score"),
        stale=Count("id", filter=Q(content_updated_at__lt=stale_before) | Q(content_updated_at__isnull=True)),
    )
    if not stats["asins"]:
        return [], ["No active products in the catalog for this scope."]
    asins = stats["asins"]
    kpis = [
        {
            "key": "aplus_coverage",
            "label": "A+ coverage",
            "kind": RATIO,
            "direction": GOOD_UP,
            "value": text(Decimal(stats["aplus"]) / asins),
            "detail": f"{stats['aplus']} of {asins} ASINs",
        },
        {
            "key": "video_coverage",
            "label": "Video coverage",
            "kind": RATIO,
            "direction": GOOD_UP,
            "value": text(Decimal(stats["video"]) / asins),
            "detail": f"{stats['video']} of {asins} ASINs",
        },
        {
            "key": "content_score",
            "label": "Average content score",
            "kind": NUMBER,
            "direction": GOOD_UP,
            "value": text(Decimal(str(round(stats["score"], 1))) if stats["score"] is not None else None),
            "detail": "0-100",
        },
        {
            "key": "stale_content",
            "label": f"Content older than {STALE_CONTENT_DAYS} days",
            "kind": COUNT,
            "direction": GOOD_DOWN,
            "value": text(stats["stale"]),
            "detail": f"of {asins} ASINs",
        },
    ]
    return kpis, []


def _disputes(codes: Sequence[VendorCode], today: date) -> list[dict[str, Any]]:
    from coop.models import Dispute

    rows = (
        Dispute.objects.filter(vendor_code_id__in=[vc.pk for vc in codes], status__in=Dispute.OPEN_STATUSES)
        .order_by("deadline")
        .values("pk", "dispute_type", "amount_claimed", "currency", "deadline", "status")[:10]
    )
    return [
        {
            "id": r["pk"],
            "type": r["dispute_type"],
            "amount": text(r["amount_claimed"]),
            "currency": r["currency"],
            "deadline": r["deadline"].isoformat(),
            "days_left": (r["deadline"] - today).days,
            "status": r["status"],
        }
        for r in rows
    ]


def _ad_products(ad_rows: Sequence[dict[str, Any]], currency: str, note: FxNote) -> dict[str, dict[str, Any]]:
    """Month totals per ad product (SP, SB, SD), converted to `currency`; each keeps its window."""
    measures = ("ad_spend", "ad_sales", "impressions", "clicks", "ad_orders")
    padded = [{**dict.fromkeys(FX_COLUMNS), **a} for a in ad_rows]
    out: dict[str, dict[str, Any]] = {}
    for ad in to_currency(padded, currency, note):
        target = out.setdefault(
            ad["ad_product"],
            {
                "ad_product": ad["ad_product"],
                "attribution_window": ad["attribution_window"],
                "report_types": ad["report_types"],
                **dict.fromkeys(measures),
            },
        )
        for column in measures:
            if ad[column] is not None:
                target[column] = ad[column] if target[column] is None else target[column] + ad[column]
    return out


# --- ASIN tables -----------------------------------------------------------------------------------------


def _movers(
    codes: Sequence[VendorCode], month: date, view: tuple[str, str], currency: str, category: str, metric: str
) -> dict[str, Any]:
    """Top ASINs moving up and down month on month, ranked in SQL (5,000 ASINs never leave the database)."""
    prior = add_months(month, -1)
    rates: dict[int, Decimal] = {}
    for vc in codes:
        if vc.marketplace.currency == currency:
            rates[vc.pk] = Decimal(1)
    foreign = {vc.marketplace.currency for vc in codes if vc.pk not in rates}
    if foreign:
        fx = {
            (r.month, r.from_currency): r.rate
            for r in FxRate.objects.filter(month__in=[month, prior], from_currency__in=foreign, to_currency=currency)
        }
        for vc in codes:
            if vc.pk in rates:
                continue
            now_rate, then_rate = fx.get((month, vc.marketplace.currency)), fx.get((prior, vc.marketplace.currency))
            if now_rate is not None and now_rate == then_rate:
                rates[vc.pk] = now_rate
            elif now_rate is not None and then_rate is not None:
                rates[vc.pk] = now_rate  # deltas use this month's rate for both months (a constant-currency view)
    money = DecimalField(max_digits=24, decimal_places=6)
    rate_case = Case(
        *[When(vendor_code_id=k, then=Value(v)) for k, v in rates.items()], default=Value(None), output_field=money
    )
    qs = Rollup.objects.filter(
        vendor_code_id__in=list(rates),
        grain=Grain.MONTH,
        dimension=Dimension.ASIN,
        period_start__in=[prior, month],
        distributor_view=view[0],
        selling_program=view[1],
    )
    if category:
        qs = qs.filter(dimension_value__in=Product.objects.filter(category=category).values("asin"))
    base = (
        qs.values("vendor_code_id", "dimension_value")
        .annotate(
            current=Coalesce(
                Sum(Case(When(period_start=month, then=F(metric) * rate_case), output_field=money)),
                Value(Decimal(0)),
                output_field=money,
            ),
            before=Coalesce(
                Sum(Case(When(period_start=prior, then=F(metric) * rate_case), output_field=money)),
                Value(Decimal(0)),
                output_field=money,
            ),
        )
        .annotate(delta=F("current") - F("before"))
    )
    up: list[Any] = list(base.filter(delta__gt=0).order_by("-delta", "dimension_value")[:MOVERS])
    down: list[Any] = list(base.filter(delta__lt=0).order_by("delta", "dimension_value")[:MOVERS])
    asins = {r["dimension_value"] for r in (*up, *down)}
    titles = {
        (p["marketplace_id"], p["asin"]): (p["title"], p["category"])
        for p in Product.objects.filter(asin__in=asins).values("marketplace_id", "asin", "title", "category")
    }
    market_of = {vc.pk: vc.marketplace_id for vc in codes}
    code_of = {vc.pk: vc.code for vc in codes}

    def shape(r: dict[str, Any]) -> dict[str, Any]:
        title, cat = titles.get((market_of[r["vendor_code_id"]], r["dimension_value"]), ("", ""))
        return {
            "asin": r["dimension_value"],
            "vendor_code_id": r["vendor_code_id"],
            "vendor_code": code_of[r["vendor_code_id"]],
            "title": title,
            "category": cat,
            "current": text(r["current"]),
            "before": text(r["before"]),
            "delta": text(r["delta"]),
            "change": text(pct_change(r["current"], r["before"])),
        }

    missing = [vc.code for vc in codes if vc.pk not in rates]
    return {
        "metric": metric,
        "label": KPI_SPECS[metric][0],
        "currency": currency,
        "up": [shape(r) for r in up],
        "down": [shape(r) for r in down],
        "excluded_vendor_codes": missing,
    }


def _stock_outs(codes: Sequence[VendorCode], month: date, view: tuple[str, str], category: str) -> list[dict[str, Any]]:
    """ASINs out of stock this month: the most out-of-stock glance views (PPOOS weight) first, then those
    with unfilled customer orders (when Amazon reports PPOOS only in total)."""
    qs = Rollup.objects.filter(
        vendor_code_id__in=[vc.pk for vc in codes],
        grain=Grain.MONTH,
        dimension=Dimension.ASIN,
        period_start=month,
        distributor_view=view[0],
        selling_program=view[1],
    ).filter(
        Q(oos_glance_views__gt=0)
        | Q(sellable_on_hand_inventory_units__lte=0)
        | Q(unfilled_customer_ordered_units__gt=0)
    )
    if category:
        qs = qs.filter(dimension_value__in=Product.objects.filter(category=category).values("asin"))
    rows = list(
        qs.order_by(
            F("oos_glance_views").desc(nulls_last=True),
            F("unfilled_customer_ordered_units").desc(nulls_last=True),
            "dimension_value",
        ).values(
            "vendor_code_id",
            "dimension_value",
            "oos_glance_views",
            "ppoos_glance_views",
            "sellable_on_hand_inventory_units",
            "unfilled_customer_ordered_units",
        )[:10]
    )
    titles = dict(Product.objects.filter(asin__in=[r["dimension_value"] for r in rows]).values_list("asin", "title"))
    return [
        {
            "asin": r["dimension_value"],
            "vendor_code_id": r["vendor_code_id"],
            "title": titles.get(r["dimension_value"], ""),
            "oos_glance_views": text(
                r["oos_glance_views"].quantize(Decimal(1)) if r["oos_glance_views"] is not None else None
            ),
            "ppoos_rate": text(ratio(r["oos_glance_views"], r["ppoos_glance_views"])),
            "sellable_on_hand_units": text(r["sellable_on_hand_inventory_units"]),
            "unfilled_units": text(r["unfilled_customer_ordered_units"]),
        }
        for r in rows
    ]


# --- assembling the page -----------------------------------------------------------------------------------


def mbr_data(
    *,
    review: BusinessReview | None = None,
    filters: MbrFilters | None = None,
    user: AnyUser | None = None,
    today: date | None = None,
) -> MbrData:
    """The live numbers of a brand's month (from a review, or from filters for ad-hoc views)."""
    from reviews import charts

    if filters is None:
        if review is None:
            raise ValueError("mbr_data needs a review or filters")
        filters = MbrFilters(brand=review.brand, month=review.month, marketplace=review.marketplace)
    today = today or timezone.localdate()
    brand, month, marketplace, category = (
        filters.brand,
        month_start(filters.month),
        filters.marketplace,
        filters.category,
    )
    codes = scope_vendor_codes(brand, marketplace)
    currency = _currency(brand, marketplace, codes)
    note = FxNote(to_currency=currency)
    warnings: list[str] = []
    ids = [vc.pk for vc in codes]
    first = add_months(month, -(TREND_MONTHS + 1))  # 13 months shown, one more for YoY/stock at the start
    dimension = Dimension.CATEGORY if category else Dimension.TOTAL
    values = [category] if category else None
    series, view = monthly_series(
        vendor_code_ids=ids,
        first=first,
        last=month,
        dimension=dimension,
        values=values,
        view=filters.view,
        currency=currency,
        note=note,
        by_value=bool(category),
    )
    if category:
        series = {k[1]: v for k, v in series.items()}
    current, prior, year_ago = series.get(month), series.get(add_months(month, -1)), series.get(add_months(month, -12))
    window = _value(current, "attribution_window")
    data_through = _value(current, "data_through")
    as_of = min(data_through or month_end(month), month_end(month))

    # Category breakdown (headline table and plan by category)
    category_rows: dict[Any, dict[str, Any]] = {}
    if not category:
        category_rows, _ = monthly_series(
            vendor_code_ids=ids,
            first=add_months(month, -12),
            last=month,
            dimension=Dimension.CATEGORY,
            values=None,
            view=view,
            currency=currency,
            note=note,
            by_value=True,
        )
    targets = _targets(brand, marketplace, month, currency, note)
    actuals: dict[tuple[str, str], Any] = {}
    for column in set(TARGET_COLUMNS.values()):
        actuals[("", column)] = _value(current, column)
        for (value, start), row in category_rows.items():
            if start == month:
                actuals[(value, column)] = _value(row, column)
    if category:
        for column in set(TARGET_COLUMNS.values()):
            actuals[(category, column)] = _value(current, column)
    attained = _attain(targets, actuals, as_of)

    sections: list[dict[str, Any]] = []
    for key in ("headline", "profitability", "availability", "traffic", "advertising"):
        kpis = [_kpi(k, current, prior, year_ago, currency, window) for k in SECTION_KPIS[key]]
        for kpi in kpis:
            metric = next((m for m, c in TARGET_COLUMNS.items() if c == kpi["key"]), None)
            hit = attained.get((metric, "CATEGORY" if category else "TOTAL", category)) if metric else None
            if hit:
                kpi.update(hit)
        sections.append(
            {"key": key, "title": SECTION_TITLES[key], "kpis": kpis, "tables": [], "missing": [], "notes": []}
        )
    by_key = {s["key"]: s for s in sections}

    if current is None:
        by_key["headline"]["missing"].append(
            f"No rollups for {month:%B %Y}: import the Retail Analytics sales report for this month."
        )
    else:
        if _value(current, "ordered_revenue") is None:
            by_key["headline"]["missing"].append(
                "Ordered revenue exists only in the MANUFACTURING view: not in the data shown."
            )
        if data_through and data_through < month_end(month):
            by_key["headline"]["notes"].append(f"Data through {data_through:%d %b %Y}: the month is not complete.")
    if category_rows:
        table = []
        for (value, start), row in sorted(category_rows.items()):
            if start != month:
                continue
            last_year = category_rows.get((value, add_months(month, -12)))
            plan = attained.get(("SHIPPED_COGS", "CATEGORY", value)) or {}
            revenue_plan = attained.get(("ORDERED_REVENUE", "CATEGORY", value)) or {}
            table.append(
                {
                    "category": value or "Not in the catalog",
                    "shipped_cogs": text(_value(row, "shipped_cogs")),
                    "shipped_cogs_yoy": text(
                        pct_change(_value(row, "shipped_cogs"), _value(last_year, "shipped_cogs"))
                    ),
                    "shipped_cogs_target": plan.get("target"),
                    "shipped_cogs_pace": plan.get("pace"),
                    "ordered_revenue": text(_value(row, "ordered_revenue")),
                    "ordered_revenue_yoy": text(
                        pct_change(_value(row, "ordered_revenue"), _value(last_year, "ordered_revenue"))
                    ),
                    "ordered_revenue_target": revenue_plan.get("target"),
                    "ordered_revenue_pace": revenue_plan.get("pace"),
                    "shipped_units": text(_value(row, "shipped_units")),
                    "ppoos_rate": text(_value(row, "ppoos_rate")),
                    "acos": None,
                }
            )
        by_key["headline"]["tables"].append(
            {"key": "categories", "title": "By category", "rows": table, "currency": currency}
        )
    if not targets:
        by_key["headline"]["missing"].append(
            "No agreed JBP plan has month targets for this scope: attainment is not shown."
        )

    # Profitability: coop money next to net PPM
    coop_rows, coop_missing = _profitability_tables(codes, month)
    by_key["profitability"]["tables"].append(
        {"key": "coop", "title": "Co-op, chargebacks and shortages", "rows": coop_rows}
    )
    by_key["profitability"]["missing"].extend(coop_missing)
    if _value(current, "net_ppm") is None:
        by_key["profitability"]["missing"].append("Net PPM needs the Net Pure Product Margin report for this month.")

    # Availability
    inventory_pair: tuple[str, str] = view
    if _value(current, "inventory_view"):
        first_view, _, program = str(_value(current, "inventory_view")).partition(" / ")
        inventory_pair = (first_view, program)
    stock_outs = _stock_outs(codes, month, inventory_pair, category) if current is not None else []
    by_key["availability"]["tables"].append(
        {
            "key": "stock_outs",
            "title": "Out of stock: lost glance views, empty shelves, unfilled orders",
            "rows": stock_outs,
        }
    )
    if _value(current, "ppoos_rate") is None:
        by_key["availability"]["missing"].append("PPOOS needs the inventory and traffic reports for this month.")
    if _value(current, "vendor_confirmation_rate") is None:
        by_key["availability"]["missing"].append(
            "Confirmation and fill need purchase orders (vendorOrders) for this month."
        )
    if _value(current, "asn_on_time_rate") is None:
        by_key["availability"]["missing"].append(
            "ASN on-time and accuracy need shipment confirmations (ASNs) for this month."
        )
    by_key["availability"]["notes"].append(
        "PO on-time counts confirmed units received in the delivery window (prepaid) or shipped in the ship "
        "window (collect); open windows count as not yet on time."
    )
    if inventory_view := _value(current, "inventory_view"):
        by_key["availability"]["notes"].append(
            f"Inventory from the {inventory_view} view (no {' / '.join(view)} inventory report imported); "
            "weeks of cover and sell-through divide it by the shipments of the view shown."
        )
    by_key["availability"]["missing"].append("SoROOS and average vendor lead time are not in the rollups yet.")

    # Traffic
    by_key["traffic"]["missing"].append(
        "Search click and conversion shares need Brand Analytics Search Terms reports (not imported)."
    )
    if _value(current, "glance_views") is None:
        by_key["traffic"]["missing"].append("Glance views need the traffic report for this month.")

    # Advertising by ad product
    ad_rows = ads_values(
        vendor_code_ids=ids, grain=Grain.MONTH, dimension=dimension, first=month, last=month, dimension_values=values
    )
    per_product = _ad_products(ad_rows, currency, note)
    by_key["advertising"]["tables"].append(
        {
            "key": "ad_products",
            "title": "By ad product",
            "currency": currency,
            "rows": [
                {
                    "ad_product": p["ad_product"],
                    "window": p["attribution_window"],
                    "source": p["report_types"],
                    "ad_spend": text(p["ad_spend"]),
                    "ad_sales": text(p["ad_sales"]),
                    "acos": text(acos(p["ad_spend"], p["ad_sales"])),
                    "roas": text(roas(p["ad_sales"], p["ad_spend"])),
                    "cpc": text(cpc(p["ad_spend"], p["clicks"])),
                    "ctr": text(ctr(p["clicks"], p["impressions"])),
                    "clicks": text(p["clicks"]),
                }
                for _, p in sorted(per_product.items())
            ],
        }
    )
    if not ad_rows:
        by_key["advertising"]["missing"].append("No Amazon Ads reports (campaign level) for this month.")
    by_key["advertising"]["notes"].append(
        "Spend per ad product from one report type (campaign reports) so spend is never counted twice; "
        "TACoS divides all ad spend by ordered revenue (MANUFACTURING view)."
    )

    # Promotions, content, alerts and disputes
    promo_rows, promo_totals, promo_missing = _promotions(user, brand, marketplace, codes, month)
    sections.append(
        {
            "key": "promotions",
            "title": SECTION_TITLES["promotions"],
            "kpis": [],
            "tables": [
                {"key": "promotions", "title": "Promotions that ended this month", "rows": promo_rows},
                {"key": "promotion_totals", "title": "Totals (per currency)", "rows": promo_totals},
            ],
            "missing": promo_missing,
            "notes": [],
        }
    )
    content_kpis, content_missing = _content(brand, marketplace, category, today)
    sections.append(
        {
            "key": "content",
            "title": SECTION_TITLES["content"],
            "kpis": content_kpis,
            "tables": [],
            "missing": content_missing,
            "notes": ["From the catalog today (content is not kept per month)."],
        }
    )

    movers = (
        _movers(
            codes,
            month,
            view,
            currency,
            category,
            "ordered_revenue" if _value(current, "ordered_revenue") is not None else "shipped_cogs",
        )
        if current is not None
        else {
            "metric": "ordered_revenue",
            "label": "Ordered revenue",
            "currency": currency,
            "up": [],
            "down": [],
            "excluded_vendor_codes": [],
        }
    )
    months = [add_months(month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    trend = [series.get(m) for m in months]
    trend_ly = [series.get(add_months(m, -12)) for m in months]
    chart_data = {
        "sales": charts.sales_trend(months, trend, trend_ly, currency),
        "availability": charts.availability_trend(months, trend),
        "traffic": charts.traffic_trend(months, trend),
        "advertising": charts.advertising_trend(months, trend, currency),
    }
    if note.missing:
        warnings.append(
            "No FX rate for " + ", ".join(sorted(set(note.missing))) + ": those amounts are left out of the totals "
            "(add the rates under Administration → FX rates)."
        )
    meta = {
        "brand": brand.name,
        "brand_id": brand.pk,
        "month": month.isoformat(),
        "marketplace": marketplace.domain if marketplace else "All marketplaces",
        "marketplace_id": marketplace.pk if marketplace else None,
        "vendor_codes": [vc.code for vc in codes],
        "category": category,
        "currency": currency,
        "view": list(view),
        "view_label": " / ".join(v for v in view if v) or "no distributor view",
        "attribution_window": window,
        "data_through": data_through.isoformat() if data_through else None,
        "fx_rates": [
            {
                "month": r["month"].isoformat() if hasattr(r["month"], "isoformat") else str(r["month"]),
                "from": r["from_currency"],
                "to": r["to_currency"],
                "rate": text(r["rate"]),
            }
            for r in {
                (str(r["month"]), r["from_currency"]): r for r in note.rates if r["from_currency"] != r["to_currency"]
            }.values()
        ],
        "generated_at": timezone.now().isoformat(),
    }
    return MbrData(meta=meta, sections=sections, charts=chart_data, movers=movers, warnings=warnings)


# --- caching of live pages ------------------------------------------------------------------------------

LIVE_CACHE_SECONDS = 600


def _version_key(brand_id: int) -> str:
    return f"reviews:rollups-version:{brand_id}"


_FX_VERSION_KEY = "reviews:fx-version"


def rollups_changed(brand_ids: Sequence[int]) -> None:
    """Called after a recompute (or a change to anything else the page shows, reviews.mbr_cache)
    committed: cached live MBR pages of these brands are outdated."""
    for brand_id in set(brand_ids):
        cache.set(_version_key(brand_id), uuid.uuid4().hex, None)


def fx_rates_changed() -> None:
    """A rate was added, edited or deleted: every brand's cached pages may convert differently."""
    cache.set(_FX_VERSION_KEY, uuid.uuid4().hex, None)


def _current_version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or ""
    return str(version)


def cached_mbr_data(*, filters: MbrFilters, user: AnyUser | None) -> MbrData:
    """mbr_data, cached for LIVE_CACHE_SECONDS under the brand's rollup version: every recompute of the
    brand's rollups, and every committed change to the co-op, promotion, plan, catalog and alert rows the
    page shows (reviews.mbr_cache), makes a new version, so a cached page is never stale."""
    version = f"{_current_version(_version_key(filters.brand.pk))}:{_current_version(_FX_VERSION_KEY)}"
    view = ":".join(filters.view) if filters.view else ""
    market = filters.marketplace.pk if filters.marketplace else "all"
    key = f"reviews:mbr:{filters.brand.pk}:{filters.month:%Y-%m}:{market}:{view}:{version}:{filters.category}"
    key = f"reviews:mbr:{hashlib.sha256(key.encode()).hexdigest()}"
    snapshot = cache.get(key)
    if snapshot is not None:
        return MbrData.from_snapshot(snapshot)
    data = mbr_data(filters=filters, user=user)
    cache.set(key, data.as_snapshot(), LIVE_CACHE_SECONDS)
    return data


def live_headline(review: BusinessReview) -> dict[str, str | None]:
    """The live KPI values of a frozen review's scope, to compare with its snapshot (restatements)."""
    snapshot = review.metrics_snapshot or {}
    meta = snapshot.get("meta", {})
    view = tuple(meta.get("view") or ()) or None
    brand = review.brand
    codes = scope_vendor_codes(brand, review.marketplace)
    currency = meta.get("currency") or _currency(brand, review.marketplace, codes)
    note = FxNote(to_currency=currency)
    series, _ = monthly_series(
        vendor_code_ids=[vc.pk for vc in codes],
        first=review.month,
        last=review.month,
        dimension=Dimension.TOTAL,
        values=None,
        view=view if view and len(view) == 2 else None,
        currency=currency,
        note=note,
    )
    current = series.get(review.month)
    out: dict[str, str | None] = {}
    for key in (
        "shipped_cogs",
        "ordered_revenue",
        "shipped_units",
        "ordered_units",
        "glance_views",
        "ad_spend",
        "ad_sales",
    ):
        out[key] = text(_value(current, key))
    return out


def restatements(review: BusinessReview) -> list[dict[str, Any]]:
    """KPIs whose live value differs from the frozen snapshot (sums only: ratios follow them)."""
    if not review.is_frozen:
        return []
    frozen = MbrData.from_snapshot(review.metrics_snapshot or {}).headline_values()
    live = live_headline(review)
    changed = []
    for key, value in live.items():
        before = frozen.get(key)
        if key not in frozen:
            continue
        if (before is None) != (value is None) or (
            before is not None and value is not None and Decimal(before) != Decimal(value)
        ):
            changed.append(
                {"key": key, "label": KPI_SPECS[key][0], "frozen": before, "live": value, "kind": KPI_SPECS[key][1]}
            )
    return changed
