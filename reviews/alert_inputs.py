"""System reads that feed the alert rules: one function per rule, returning the rule's plain input records.

Not user-scoped: the alert engine runs per brand (and, after an import, per vendor code); pages that
show alerts scope them with `for_user`. Reads rollups where they hold what a rule needs, facts where
they do not (vendor lead time, ASN lines), and the apps below (co-op, promotions, JBP tracking) through
their own selectors. Retail rows of different distributor views are never added together: each ASIN is
read in one view, MANUFACTURING when it has one, otherwise SOURCING.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.db.models import F
from django.db.models import Max
from django.db.models import Q
from django.db.models import Sum
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone

from core.periods import week_start
from ingest.models import AdsDailyFact
from ingest.models import PurchaseOrderLineFact
from ingest.models import ReportImport
from ingest.models import RetailInventoryFact
from ingest.models import RetailNetPpmFact
from ingest.models import RetailSalesFact
from ingest.models import RetailTrafficFact
from ingest.models import ShipmentLineFact
from ingest.models import StreamSubscription
from planning.models import Brand
from planning.models import JBPPlan
from planning.models import JBPTarget
from planning.models import Product
from planning.models import VendorCode
from reviews.alert_models import Benchmark
from reviews.alert_rules import EntityRef
from reviews.alert_rules import Link
from reviews.alert_rules.ads import AcosWeek
from reviews.alert_rules.ads import settled_week_end
from reviews.alert_rules.content import ContentState
from reviews.alert_rules.feeds import REPORT_LABELS
from reviews.alert_rules.feeds import ReportFreshness
from reviews.alert_rules.feeds import StreamState
from reviews.alert_rules.jbp import TargetPace
from reviews.alert_rules.money import DisputeDue
from reviews.alert_rules.money import InvoiceCheck
from reviews.alert_rules.promotions import PromoRisk
from reviews.alert_rules.retail import SellThroughSeries
from reviews.alert_rules.retail import StockPosition
from reviews.alert_rules.supply import AsnReceipt
from reviews.alert_rules.supply import AsnReceiptLine
from reviews.alert_rules.supply import AsnShipment
from reviews.alert_rules.supply import PoOnTime
from reviews.alert_rules.supply import PoWeek
from reviews.metrics import sell_through
from reviews.models import AdsRollup
from reviews.models import Dimension
from reviews.models import Grain
from reviews.models import Rollup

# Preferred distributor view, then selling program: never summed across, one is picked per ASIN.
_VIEW_ORDER = {"MANUFACTURING": 0, "SOURCING": 1}
_PROGRAM_ORDER = {"RETAIL": 0, "BUSINESS": 1, "FRESH": 2}


# --------------------------------------------------------------------------------------------- links


def url(name: str, *args: Any) -> str:
    """A page's path, or "" when the page is not wired (a link is evidence, never a crash)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def vendor_code_ref(vc: VendorCode) -> EntityRef:
    return EntityRef(
        "planning.vendorcode",
        str(vc.pk),
        f"{vc.code} · {vc.marketplace.country_code}",
        url("vendor-code-detail", vc.pk),
    )


def product_ref(pk: int, asin: str, title: str) -> EntityRef:
    short = title if len(title) <= 48 else title[:47] + "…"
    return EntityRef("planning.product", str(pk), f"{asin} {short}".strip(), url("product-detail", pk))


def brand_ref(brand: Brand) -> EntityRef:
    return EntityRef("planning.brand", str(brand.pk), brand.name, "")


def import_link(import_id: int | None, label: str = "") -> Link | None:
    if not import_id:
        return None
    return Link(label or f"Import #{import_id}", url("import-detail", import_id), "import")


def _links(*links: Link | None) -> tuple[Link, ...]:
    return tuple(link for link in links if link is not None and link.url)


def _vendor_codes(brand_id: int, vendor_code_ids: Sequence[int] | None) -> list[VendorCode]:
    qs = VendorCode.objects.filter(brand_id=brand_id).select_related("marketplace").order_by("pk")
    if vendor_code_ids is not None:
        qs = qs.filter(pk__in=vendor_code_ids)
    return list(qs)


def _complete_weeks_end(today: date) -> date:
    """The Saturday ending the latest retail week that is over (yesterday or earlier)."""
    return week_start(today) - timedelta(days=1)


@dataclass(frozen=True)
class _Row:
    """A weekly retail rollup row reduced to the fields the rules read."""

    vendor_code_id: int
    key: str  # ASIN or category
    view: str
    program: str
    week: date
    values: dict[str, Any]


def _weekly_rows(
    vcs: Sequence[VendorCode],
    dimension: str,
    first_week: date,
    last_week: date,
    fields: Iterable[str],
    *,
    require: str,
) -> dict[tuple[int, str], dict[date, _Row]]:
    """Weekly rows per (vendor code, dimension value) in ONE view and program, keyed by week: the preferred
    one among those that report `require` in the window (inventory often comes in SOURCING only, while
    sales come in both views)."""
    names = list(fields)
    rows = (
        Rollup.objects.filter(
            vendor_code_id__in=[vc.pk for vc in vcs],
            grain=Grain.WEEK,
            dimension=dimension,
            period_start__gte=first_week,
            period_start__lte=last_week,
        )
        .exclude(distributor_view="")
        .values("vendor_code_id", "dimension_value", "distributor_view", "selling_program", "period_start", *names)
    )
    grouped: dict[tuple[int, str], dict[tuple[str, str], dict[date, _Row]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        row = _Row(
            r["vendor_code_id"],
            r["dimension_value"],
            r["distributor_view"],
            r["selling_program"],
            r["period_start"],
            {n: r[n] for n in names},
        )
        grouped[(row.vendor_code_id, row.key)][(row.view, row.program)][row.week] = row
    picked: dict[tuple[int, str], dict[date, _Row]] = {}
    for key, views in grouped.items():
        reporting = [vp for vp, weeks in views.items() if any(r.values[require] is not None for r in weeks.values())]
        if not reporting:
            continue
        best = min(reporting, key=lambda vp: (_VIEW_ORDER.get(vp[0], 9), _PROGRAM_ORDER.get(vp[1], 9), vp))
        picked[key] = views[best]
    return picked


# ------------------------------------------------------------------------------------------- OOS_RISK


def oos_positions(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, today: date, trailing_weeks: int
) -> list[StockPosition]:
    """Each ASIN's latest complete week of inventory (weekly ASIN rollups), trailing shipments and the vendor
    lead time Amazon reported for it (inventory facts: the rollups do not keep it)."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    if not vcs:
        return []
    last_week = week_start(_complete_weeks_end(today))
    first_week = last_week - timedelta(weeks=trailing_weeks + 8)
    series = _weekly_rows(
        vcs,
        Dimension.ASIN,
        first_week,
        last_week,
        [
            "sellable_on_hand_inventory_units",
            "unfilled_customer_ordered_units",
            "shipped_units",
            "shipped_days",
            "oos_glance_views",
            "ppoos_glance_views",
        ],
        require="sellable_on_hand_inventory_units",
    )
    # The latest complete week with inventory, per vendor code: ASINs not reported that week are not judged.
    latest: dict[int, date] = {}
    for (vc_id, _), weeks in series.items():
        for week, row in weeks.items():
            if row.values["sellable_on_hand_inventory_units"] is not None:
                latest[vc_id] = max(latest.get(vc_id, week), week)
    if not latest:
        return []
    asins = {asin for (vc_id, asin) in series if vc_id in latest}
    lead_times, inventory_imports = _lead_times(vcs, asins, min(latest.values()), max(latest.values()))
    products = _products(vcs, asins)
    by_pk = {vc.pk: vc for vc in vcs}
    positions: list[StockPosition] = []
    for (vc_id, asin), weeks in sorted(series.items()):
        if vc_id not in latest or latest[vc_id] not in weeks:
            continue
        week = latest[vc_id]
        row = weeks[week]
        if row.values["sellable_on_hand_inventory_units"] is None:
            continue
        window = [weeks[w] for w in weeks if week - timedelta(weeks=trailing_weeks - 1) <= w <= week]
        shipped = [r.values["shipped_units"] for r in window if r.values["shipped_units"] is not None]
        days = sum(r.values["shipped_days"] or 0 for r in window if r.values["shipped_units"] is not None)
        product = products.get((by_pk[vc_id].marketplace_id, asin))
        entity = product_ref(*product) if product else EntityRef("planning.vendorcode", str(vc_id), asin, "")
        import_id = inventory_imports.get((vc_id, asin))
        positions.append(
            StockPosition(
                product=entity,
                vendor_code_id=vc_id,
                week_start=week,
                on_hand_units=row.values["sellable_on_hand_inventory_units"],
                unfilled_units=row.values["unfilled_customer_ordered_units"],
                trailing_shipped_units=sum(shipped) if shipped else None,
                trailing_days=days,
                lead_time_days=lead_times.get((vc_id, asin)),
                oos_glance_views=row.values["oos_glance_views"],
                glance_views=row.values["ppoos_glance_views"],
                distributor_view=row.view,
                links=_links(
                    Link(f"ASIN {asin}", entity.url, "asin") if product else None,
                    import_link(import_id, "Inventory report import"),
                ),
            )
        )
    return positions


def _lead_times(
    vcs: Sequence[VendorCode], asins: set[str], first_week: date, last_week: date
) -> tuple[dict[tuple[int, str], Decimal], dict[tuple[int, str], int]]:
    """Average vendor lead time (days) and the import of the latest inventory fact per (vendor code, ASIN)."""
    rows = (
        RetailInventoryFact.objects.filter(
            vendor_code_id__in=[vc.pk for vc in vcs],
            asin__in=asins,
            period_end__gte=first_week - timedelta(days=28),
            period_end__lte=last_week + timedelta(days=6),
        )
        .values_list(
            "vendor_code_id",
            "asin",
            "distributor_view",
            "period_end",
            "average_vendor_lead_time_days",
            "last_import_id",
        )
        .order_by("period_end")
    )
    lead: dict[tuple[int, str], tuple[int, Decimal]] = {}
    imports: dict[tuple[int, str], int] = {}
    for vc_id, asin, view, _end, lead_days, import_id in rows:
        key = (vc_id, asin)
        rank = _VIEW_ORDER.get(view, 9)
        if lead_days is not None and (key not in lead or rank <= lead[key][0]):
            lead[key] = (rank, lead_days)
        if import_id:
            imports[key] = import_id
    return {k: v for k, (_, v) in lead.items()}, imports


def _products(vcs: Sequence[VendorCode], asins: set[str]) -> dict[tuple[int, str], tuple[int, str, str]]:
    rows = Product.objects.filter(marketplace_id__in={vc.marketplace_id for vc in vcs}, asin__in=asins).values_list(
        "marketplace_id", "asin", "pk", "title"
    )
    return {(m, a): (pk, a, title) for m, a, pk, title in rows}


# ---------------------------------------------------------------------- SELL_THROUGH_BELOW_BENCHMARK


def sell_through_series(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, today: date, weeks: int, dimension: str
) -> list[SellThroughSeries]:
    """Weekly sell-through of each ASIN (or category) over the last complete weeks, oldest first, with
    the benchmark that applies to it. Amazon's reported rate is used when one row spans the week;
    otherwise it is recomputed (start on-hand = the previous week's ending sellable on-hand)."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    if not vcs:
        return []
    last_week = week_start(_complete_weeks_end(today))
    first_week = last_week - timedelta(weeks=weeks)  # one more week: its on-hand starts the first one
    series = _weekly_rows(
        vcs,
        Dimension.ASIN if dimension == "ASIN" else Dimension.CATEGORY,
        first_week,
        last_week,
        [
            "shipped_units",
            "customer_returns",
            "net_received_inventory_units",
            "sellable_on_hand_inventory_units",
            "sell_through_reported",
        ],
        require="sellable_on_hand_inventory_units",
    )
    by_pk = {vc.pk: vc for vc in vcs}
    products = _products(vcs, {key for (_, key) in series}) if dimension == "ASIN" else {}
    categories = _categories(vcs, {key for (_, key) in series}) if dimension == "ASIN" else {}
    benchmarks = BenchmarkBook(brand_id)
    out: list[SellThroughSeries] = []
    for (vc_id, key), rows in sorted(series.items()):
        vc = by_pk[vc_id]
        rates: list[tuple[date, Decimal | None]] = []
        for week in sorted(rows):
            if week == first_week:
                continue
            row = rows[week].values
            previous = rows.get(week - timedelta(weeks=1))
            rates.append(
                (
                    week,
                    sell_through(
                        shipped_units=row["shipped_units"],
                        customer_returns=row["customer_returns"] if row["customer_returns"] is not None else 0,
                        start_on_hand_units=previous.values["sellable_on_hand_inventory_units"] if previous else None,
                        received_units=row["net_received_inventory_units"],
                        reported=row["sell_through_reported"],
                    ),
                )
            )
        category = categories.get((vc.marketplace_id, key), "") if dimension == "ASIN" else key
        benchmark = benchmarks.find(Benchmark.Metric.SELL_THROUGH, category, vc.marketplace_id)
        product = products.get((vc.marketplace_id, key))
        if dimension == "ASIN" and product:
            entity, period_key = product_ref(*product), ""
        else:
            entity = vendor_code_ref(vc)
            entity = EntityRef(entity.model, entity.pk, f"{key or 'Uncategorised'} · {entity.label}", entity.url)
            period_key = f"{'category' if dimension == 'CATEGORY' else 'asin'}:{key}"
        out.append(
            SellThroughSeries(
                entity=entity,
                period_key=period_key,
                vendor_code_id=vc_id,
                category=category,
                weeks=tuple(rates),
                benchmark=benchmark.value if benchmark else None,
                benchmark_source=f"{benchmark.source} (as of {benchmark.as_of:%d %b %Y})" if benchmark else "",
                links=_links(Link(f"ASIN {key}", entity.url, "asin") if product and dimension == "ASIN" else None),
            )
        )
    return out


def _categories(vcs: Sequence[VendorCode], asins: set[str]) -> dict[tuple[int, str], str]:
    rows = Product.objects.filter(marketplace_id__in={vc.marketplace_id for vc in vcs}, asin__in=asins).values_list(
        "marketplace_id", "asin", "category"
    )
    return {(m, a): c for m, a, c in rows}


class BenchmarkBook:
    """The benchmarks a brand sees (its own and the shared ones), most specific first."""

    def __init__(self, brand_id: int) -> None:
        self.rows = list(Benchmark.objects.filter(Q(brand_id=brand_id) | Q(brand__isnull=True)))

    def find(self, metric: str, category: str, marketplace_id: int | None) -> Benchmark | None:
        candidates = [
            b
            for b in self.rows
            if b.metric == metric
            and b.category in ("", category)
            and (b.marketplace_id is None or b.marketplace_id == marketplace_id)
        ]
        if not candidates:
            return None
        # Own before shared, category before all categories, marketplace before any marketplace.
        return min(candidates, key=lambda b: (b.brand_id is None, b.category == "", b.marketplace_id is None))


# ------------------------------------------------------------------------------------- PO_ON_TIME_LOW


def po_on_time_series(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, today: date, trailing_weeks: int, settle_weeks: int
) -> list[PoOnTime]:
    """Complete weeks of PO confirmations and on-time units (weekly total rollups, view-less rows, by PO
    date), leaving out the `settle_weeks` most recent weeks whose POs are still inside their windows."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    if not vcs:
        return []
    last_week = week_start(_complete_weeks_end(today)) - timedelta(weeks=settle_weeks)
    first_week = last_week - timedelta(weeks=trailing_weeks - 1)
    rows = Rollup.objects.filter(
        vendor_code_id__in=[vc.pk for vc in vcs],
        grain=Grain.WEEK,
        dimension=Dimension.TOTAL,
        distributor_view="",
        selling_program="",
        period_start__gte=first_week,
        period_start__lte=last_week,
        confirmed_units__isnull=False,
    ).values_list("vendor_code_id", "period_start", "confirmed_units", "on_time_units", "currency")
    weeks: dict[int, list[PoWeek]] = defaultdict(list)
    currency: dict[int, str] = {}
    for vc_id, start, confirmed, on_time, cur in rows.order_by("period_start"):
        weeks[vc_id].append(PoWeek(start, confirmed, on_time))
        currency[vc_id] = cur
    costs = _latest_unit_costs(
        [vc for vc in vcs if vc.pk in weeks], {vc_id: w[-1].week_start for vc_id, w in weeks.items()}
    )
    out = []
    for vc in vcs:
        if vc.pk not in weeks:
            continue
        ref = vendor_code_ref(vc)
        out.append(
            PoOnTime(
                vendor_code=ref,
                vendor_code_id=vc.pk,
                weeks=tuple(weeks[vc.pk]),
                currency=currency.get(vc.pk, ""),
                latest_unit_cost=costs.get(vc.pk),
                links=_links(Link(ref.label, ref.url, "vendor_code")),
            )
        )
    return out


def _latest_unit_costs(vcs: Sequence[VendorCode], latest_week: dict[int, date]) -> dict[int, Decimal]:
    """Confirmed-unit-weighted net cost of the PO lines issued in each vendor code's latest week."""
    out: dict[int, Decimal] = {}
    for vc in vcs:
        start = latest_week[vc.pk]
        first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
        totals = PurchaseOrderLineFact.objects.filter(
            vendor_code_id=vc.pk, po_date__gte=first, po_date__lt=first + timedelta(days=7), net_cost__isnull=False
        ).aggregate(cost=Sum(F("net_cost") * F("accepted_units")), units=Sum("accepted_units"))
        if totals["units"]:
            out[vc.pk] = Decimal(totals["cost"]) / Decimal(totals["units"])
    return out


# --------------------------------------------------------------------------------- ASN_LATE / ACCURACY


def _shipment_lines(vcs: Sequence[VendorCode], now: datetime, lookback_days: int) -> list[dict[str, Any]]:
    since = now - timedelta(days=lookback_days)
    rows = (
        ShipmentLineFact.objects.filter(vendor_code_id__in=[vc.pk for vc in vcs])
        .filter(Q(delivered_at__gte=since) | Q(delivered_at__isnull=True, shipped_at__gte=since))
        .values(
            "vendor_code_id",
            "shipment_id",
            "po_number",
            "asin",
            "confirmed_at",
            "shipped_at",
            "delivered_at",
            "shipped_units",
            "last_import_id",
        )
        .order_by("vendor_code_id", "shipment_id", "po_number", "item_sequence")
    )
    return [dict(row) for row in rows]


def asn_shipments(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, now: datetime, lookback_days: int
) -> list[AsnShipment]:
    """Shipments that arrived (or left) within the look-back: ASN submission, departure and arrival times."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    refs = {vc.pk: vendor_code_ref(vc) for vc in vcs}
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for line in _shipment_lines(vcs, now, lookback_days):
        grouped[(line["vendor_code_id"], line["shipment_id"])].append(line)
    out = []
    for (vc_id, shipment_id), lines in grouped.items():
        units = [ln["shipped_units"] for ln in lines if ln["shipped_units"] is not None]
        out.append(
            AsnShipment(
                vendor_code=refs[vc_id],
                vendor_code_id=vc_id,
                shipment_id=shipment_id,
                submitted_at=_first(ln["confirmed_at"] for ln in lines),
                departed_at=_first(ln["shipped_at"] for ln in lines),
                arrived_at=_first(ln["delivered_at"] for ln in lines),
                units=sum(units) if units else None,
                po_numbers=tuple(sorted({ln["po_number"] for ln in lines})),
                links=_links(
                    Link(refs[vc_id].label, refs[vc_id].url, "vendor_code"),
                    import_link(max((ln["last_import_id"] or 0) for ln in lines), "Shipment import"),
                ),
            )
        )
    return out


def _first(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def asn_receipts(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, now: datetime, lookback_days: int
) -> list[AsnReceipt]:
    """Per shipment of the look-back: for each PO and ASIN it carries, the units on ALL ASNs of that PO and
    ASIN against the units Amazon received for it (the same comparison the ASN accuracy rollup makes)."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    refs = {vc.pk: vendor_code_ref(vc) for vc in vcs}
    lines = _shipment_lines(vcs, now, lookback_days)
    pos = {ln["po_number"] for ln in lines}
    shipped = {
        (r["vendor_code_id"], r["po_number"], r["asin"] or ""): r["units"]
        for r in ShipmentLineFact.objects.filter(vendor_code_id__in=refs, po_number__in=pos)
        .values("vendor_code_id", "po_number", "asin")
        .annotate(units=Sum("shipped_units"))
    }
    received: dict[tuple[int, str, str], int | None] = {}
    for r in (
        PurchaseOrderLineFact.objects.filter(vendor_code_id__in=refs, po_number__in=pos)
        .values("vendor_code_id", "po_number", "asin")
        .annotate(units=Sum("received_units"), known=Count("received_units"), n=Count("id"))
    ):
        # Every line of the PO/ASIN must report its receipt, or the comparison waits.
        received[(r["vendor_code_id"], r["po_number"], r["asin"] or "")] = r["units"] if r["known"] == r["n"] else None
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        grouped[(line["vendor_code_id"], line["shipment_id"])].append(line)
    out = []
    for (vc_id, shipment_id), group in grouped.items():
        keys = sorted({(ln["po_number"], ln["asin"] or "") for ln in group})
        out.append(
            AsnReceipt(
                vendor_code=refs[vc_id],
                vendor_code_id=vc_id,
                shipment_id=shipment_id,
                arrived_at=_first(ln["delivered_at"] for ln in group),
                lines=tuple(
                    AsnReceiptLine(po, asin, shipped.get((vc_id, po, asin)), received.get((vc_id, po, asin)))
                    for po, asin in keys
                ),
                links=_links(
                    Link(refs[vc_id].label, refs[vc_id].url, "vendor_code"),
                    import_link(max((ln["last_import_id"] or 0) for ln in group), "Shipment import"),
                ),
            )
        )
    return out


# ----------------------------------------------------------------------------------------- STREAM_GAP


def stream_states(*, brand_id: int, now: datetime, live_lookback_days: int) -> list[StreamState]:
    """Every subscription of the brand that is not archived, with the days of recent ad spend in its
    marketplace (the "campaigns are live" evidence of the daily ads reports)."""
    subs = list(
        StreamSubscription.objects.filter(brand_id=brand_id)
        .exclude(status=StreamSubscription.Status.ARCHIVED)
        .select_related("marketplace")
        .order_by("dataset", "pk")
    )
    if not subs:
        return []
    since = timezone.localdate(now) - timedelta(days=live_lookback_days)
    spend_days: dict[str, int] = defaultdict(int)
    for spend_market, spend_count in (
        AdsDailyFact.objects.filter(brand_id=brand_id, date__gte=since, cost__gt=0)
        .values("marketplace_id")
        .annotate(days=Count("date", distinct=True))
        .values_list("marketplace_id", "days")
    ):
        spend_days[spend_market] += spend_count
    link = url("stream-subscription-list")
    out = []
    for sub in subs:
        market = sub.marketplace.amazon_marketplace_id if sub.marketplace else None
        # A subscription without a marketplace: any marketplace's spend counts.
        days = spend_days.get(market, 0) if market else max(spend_days.values(), default=0)
        label = sub.name or f"{sub.dataset} stream"
        out.append(
            StreamState(
                subscription=EntityRef("ingest.streamsubscription", str(sub.pk), label, link),
                status=sub.status,
                dataset=sub.dataset,
                created_at=sub.created_at,
                last_message_at=sub.last_message_at,
                recent_ad_spend_days=days,
                links=_links(Link("Marketing Stream subscriptions", link, "subscription")),
            )
        )
    return out


# --------------------------------------------------------------------------------------- REPORT_STALE


_RETAIL_FACTS: dict[str, Any] = {
    "retail_sales": RetailSalesFact,
    "retail_inventory": RetailInventoryFact,
    "retail_traffic": RetailTrafficFact,
    "retail_net_ppm": RetailNetPpmFact,
}


def _fact_ends(brand_id: int, tables: set[str]) -> tuple[dict[tuple[int, str], date], date | None]:
    """The last day of data per (vendor code, retail table), and of the brand's daily ads facts.

    Facts only come from successful imports, so this is the latest data imported, also for files whose
    import could not record its own dates (Amazon Ads report bodies carry the dates in their rows)."""
    ends: dict[tuple[int, str], date] = {}
    for table in tables & set(_RETAIL_FACTS):
        rows = (
            _RETAIL_FACTS[table]
            .objects.filter(brand_id=brand_id)
            .values("vendor_code_id")
            .annotate(end=Max("period_end"))
            .values_list("vendor_code_id", "end")
        )
        ends.update({(vc_id, table): end for vc_id, end in rows})
    ads_end = None
    if "ads_daily" in tables:
        ads_end = AdsDailyFact.objects.filter(brand_id=brand_id).aggregate(end=Max("date"))["end"]
    return ends, ads_end


def report_freshness(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, fact_tables: Sequence[str]
) -> list[ReportFreshness]:
    """The latest data of each watched report per vendor code (brand-wide where imports name no vendor
    code). A report is watched for a vendor code once it was imported for it at all. The latest data is the
    later of the successful imports' recorded end and the facts' last day (ads: brand-wide, since ads facts
    are per advertiser profile, not per vendor code)."""
    brand = Brand.objects.get(pk=brand_id)
    imports = ReportImport.objects.filter(brand_id=brand_id, fact_table__in=fact_tables)
    if vendor_code_ids is not None:
        imports = imports.filter(Q(vendor_code_id__in=vendor_code_ids) | Q(vendor_code__isnull=True))
    watched = set(imports.values_list("vendor_code_id", "fact_table").distinct())
    ok = imports.filter(status__in=[ReportImport.Status.SUCCEEDED, ReportImport.Status.SUPERSEDED])
    latest: dict[tuple[int | None, str], date] = {
        (r["vendor_code_id"], r["fact_table"]): r["end"]
        for r in ok.filter(data_end__isnull=False).values("vendor_code_id", "fact_table").annotate(end=Max("data_end"))
    }
    # The newest successful import per key is the one linked as evidence.
    latest_import: dict[tuple[int | None, str], int] = {}
    for vc_id, table, pk in ok.values_list("vendor_code_id", "fact_table", "pk").order_by("finished_at", "pk"):
        latest_import[(vc_id, table)] = pk
    fact_ends, ads_end = _fact_ends(brand_id, {table for _, table in watched})
    vcs = {
        vc.pk: vc
        for vc in VendorCode.objects.filter(pk__in={vc for vc, _ in watched if vc}).select_related("marketplace")
    }
    out = []
    for vc_id, table in sorted(watched, key=lambda k: (k[0] or 0, k[1])):
        entity = vendor_code_ref(vcs[vc_id]) if vc_id else brand_ref(brand)
        facts_end = ads_end if table == "ads_daily" else fact_ends.get((vc_id, table)) if vc_id else None
        ends = [d for d in (latest.get((vc_id, table)), facts_end) if d is not None]
        out.append(
            ReportFreshness(
                entity=entity,
                vendor_code_id=vc_id,
                fact_table=table,
                latest_data_end=max(ends) if ends else None,
                latest_import=import_link(
                    latest_import.get((vc_id, table)), f"Latest {REPORT_LABELS.get(table, table)} import"
                ),
            )
        )
    return out


# -------------------------------------------------------------------------------------- COOP_VARIANCE


def coop_invoice_checks(*, brand_id: int, vendor_code_ids: Sequence[int] | None) -> list[InvoiceCheck]:
    """Invoices the co-op audit flagged (VARIANCE_FLAGGED: not disputed, not accepted by finance yet)."""
    from coop.selectors.invoices import flagged_invoices_for_brand

    qs = flagged_invoices_for_brand(brand_id=brand_id)
    if vendor_code_ids is not None:
        qs = qs.filter(vendor_code_id__in=vendor_code_ids)
    out = []
    for inv in qs.select_related("agreement"):
        flags = [f for f in inv.audit_flags or [] if f.get("blocking", True)]
        agreement = inv.agreement
        out.append(
            InvoiceCheck(
                invoice=EntityRef(
                    "coop.coopinvoice",
                    str(inv.pk),
                    f"Invoice {inv.amazon_invoice_id}",
                    url("coop-invoice-detail", inv.pk),
                ),
                vendor_code_id=inv.vendor_code_id,
                amount=inv.amount,
                expected=inv.expected_amount,
                currency=inv.currency,
                flag_codes=tuple(f.get("code", "") for f in flags),
                flag_messages=tuple(f.get("message", "") for f in flags),
                links=_links(
                    Link(f"Invoice {inv.amazon_invoice_id}", url("coop-invoice-detail", inv.pk), "invoice"),
                    Link(
                        f"Agreement {agreement.amazon_agreement_id}",
                        url("coop-agreement-detail", agreement.pk),
                        "agreement",
                    )
                    if agreement
                    else None,
                    import_link(inv.source_import_id, "Invoice import"),
                ),
            )
        )
    return out


# ----------------------------------------------------------------------------------- DISPUTE_DEADLINE


def disputes_due(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, today: date, within_days: int
) -> list[DisputeDue]:
    """Unfiled (draft) disputes whose deadline is within the window, overdue ones included."""
    from coop.selectors.disputes import disputes_due_for_alert

    qs = disputes_due_for_alert(brand_id=brand_id, today=today, within_days=within_days).select_related(
        "invoice", "chargeback", "deduction"
    )
    if vendor_code_ids is not None:
        qs = qs.filter(vendor_code_id__in=vendor_code_ids)
    out = []
    for d in qs:
        target = d.target
        target_link = (
            Link(f"Invoice {d.invoice.amazon_invoice_id}", url("coop-invoice-detail", d.invoice_id), "invoice")
            if d.invoice_id and d.invoice
            else Link(str(target), "", "")
            if target
            else None
        )
        label = f"{d.get_dispute_type_display()} dispute #{d.pk}"
        out.append(
            DisputeDue(
                dispute=EntityRef("coop.dispute", str(d.pk), label, url("coop-dispute-detail", d.pk)),
                vendor_code_id=d.vendor_code_id,
                dispute_type=d.get_dispute_type_display(),
                status=d.status,
                deadline=d.deadline,
                amount_claimed=d.amount_claimed,
                currency=d.currency,
                filed=d.filed_at is not None,
                links=_links(Link(label, url("coop-dispute-detail", d.pk), "dispute"), target_link),
            )
        )
    return out


# ------------------------------------------------------------------------------------ PROMO_LEAD_TIME


def promotion_risks(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, now: datetime, pending_window_days: int
) -> list[PromoRisk]:
    """The promotions app's lead-time verdicts for the brand's promotions that are not with Amazon yet."""
    from coop.promotion_selectors import promotion_lead_time_risks

    ids = [vc.pk for vc in _vendor_codes(brand_id, vendor_code_ids)]
    out = []
    for risk in promotion_lead_time_risks(vendor_code_ids=ids, now=now, pending_window_days=pending_window_days):
        p = risk.promotion
        days = None
        if p.event is not None and p.event.submission_deadline is not None:
            days = (p.event.submission_deadline - timezone.localtime(now, p.tz).date()).days
        link = url("promotion-detail", p.pk)
        out.append(
            PromoRisk(
                promotion=EntityRef("coop.promotion", str(p.pk), p.name, link),
                vendor_code_id=p.vendor_code_id,
                reason=risk.reason,
                message=risk.message,
                promotion_type=p.get_promotion_type_display(),
                status=p.get_status_display(),
                start_at=p.start_at,
                days_to_deadline=days,
                links=_links(Link(p.name, link, "promotion")),
            )
        )
    return out


# ---------------------------------------------------------------------------------- ACOS_ABOVE_TARGET


def acos_weeks(
    *, brand_id: int, vendor_code_ids: Sequence[int] | None, today: date, final_after_days: int
) -> list[AcosWeek]:
    """The latest settled complete week of ads per vendor code and attribution window (weekly total ads
    rollups), with the ACoS target of the active JBP covering it."""
    vcs = _vendor_codes(brand_id, vendor_code_ids)
    if not vcs:
        return []
    saturday = settled_week_end(today, final_after_days)
    sunday = week_start(saturday)
    rows = (
        AdsRollup.objects.filter(
            vendor_code_id__in=[vc.pk for vc in vcs], grain=Grain.WEEK, dimension=Dimension.TOTAL, period_start=sunday
        )
        .values("vendor_code_id", "attribution_window", "currency")
        .annotate(spend=Sum("ad_spend"), sales=Sum("ad_sales"))
        .order_by("vendor_code_id", "attribution_window")
    )
    targets = _acos_targets(brand_id, saturday)
    by_pk = {vc.pk: vc for vc in vcs}
    out = []
    for r in rows:
        vc = by_pk[r["vendor_code_id"]]
        target = targets.get((vc.marketplace_id, vc.code)) or targets.get((vc.marketplace_id, ""))
        ref = vendor_code_ref(vc)
        out.append(
            AcosWeek(
                vendor_code=ref,
                vendor_code_id=vc.pk,
                week_start=sunday,
                attribution_window=r["attribution_window"],
                ad_spend=r["spend"],
                ad_sales=r["sales"],
                currency=r["currency"],
                jbp_target=target[0] if target else None,
                target_source=target[1] if target else "",
                links=_links(Link(ref.label, ref.url, "vendor_code"), target[2] if target else None),
            )
        )
    return out


def _acos_targets(brand_id: int, day: date) -> dict[tuple[int, str], tuple[Decimal, str, Link]]:
    """ACoS targets of active plans covering `day`, by (marketplace, vendor code or '' for the total)."""
    targets = (
        JBPTarget.objects.filter(
            plan__brand_id=brand_id,
            plan__status=JBPPlan.Status.ACTIVE,
            metric="ACOS",
            dimension_type__in=[JBPTarget.DimensionType.TOTAL, JBPTarget.DimensionType.VENDOR_CODE],
            period_start__lte=day,
            period_end__gte=day,
        )
        .select_related("plan")
        .order_by("period_end", "period_start")
    )
    out: dict[tuple[int, str], tuple[Decimal, str, Link]] = {}
    for t in targets:
        key = (
            t.plan.marketplace_id,
            t.dimension_value if t.dimension_type == JBPTarget.DimensionType.VENDOR_CODE else "",
        )
        if key in out:
            continue  # the shortest period (earliest end) covering the day wins
        label = f"JBP {t.plan.title or t.plan.plan_year} ({t.period_start:%d %b} to {t.period_end:%d %b %Y})"
        out[key] = (t.target_value, label, Link(label, url("plan-detail", t.plan_id), "plan"))
    return out


# --------------------------------------------------------------------------------- JBP_ATTAINMENT_LOW


def jbp_target_paces(*, brand_id: int, today: date) -> list[TargetPace]:
    """Attainment of every target of the brand's active plans, from planning's tracking (which reads the
    actuals provider reviews registers)."""
    from planning.jbp_tracking import jbp_plan_tracking

    plans = JBPPlan.objects.filter(brand_id=brand_id, status=JBPPlan.Status.ACTIVE).select_related("marketplace")
    out: list[TargetPace] = []
    for plan in plans:
        tracking = jbp_plan_tracking(plan=plan, today=today)
        ref = EntityRef("planning.jbpplan", str(plan.pk), str(plan), url("plan-detail", plan.pk))
        for row in tracking.rows:
            if row.is_summary:
                continue
            p = row.progress
            unit = {"money": "money", "count": "units"}.get(row.kind, "ratio")
            out.append(
                TargetPace(
                    plan=ref,
                    target_key=f"{row.metric}|{row.dimension_type}|{row.dimension_value}|{row.start}|{row.end}",
                    metric=row.metric,
                    metric_label=row.metric_label,
                    dimension_label=row.label,
                    period_label=row.period_label,
                    direction=row.direction,
                    start=row.start,
                    end=row.end,
                    as_of=tracking.as_of,
                    actual=p.actual,
                    target=p.target,
                    expected_to_date=p.expected_to_date,
                    raw_attainment=p.raw_attainment,
                    pace_attainment=p.pace_attainment,
                    unit=unit,
                    currency=plan.currency if unit == "money" else "",
                )
            )
    return out


# -------------------------------------------------------------------------------------- CONTENT_STALE


def content_states(*, brand_id: int, vendor_code_ids: Sequence[int] | None) -> list[ContentState]:
    qs = Product.objects.filter(brand_id=brand_id).exclude(lifecycle=Product.Lifecycle.EXIT)
    if vendor_code_ids is not None:
        qs = qs.filter(vendor_code_id__in=vendor_code_ids)
    out = []
    for pk, asin, title, vc_id, lifecycle, aplus, video, updated in qs.values_list(
        "pk",
        "asin",
        "title",
        "vendor_code_id",
        "lifecycle",
        "aplus_content",
        "video_on_detail_page",
        "content_updated_at",
    ).order_by("asin"):
        ref = product_ref(pk, asin, title)
        out.append(
            ContentState(
                product=ref,
                vendor_code_id=vc_id,
                lifecycle=lifecycle,
                aplus=aplus,
                video=video,
                content_updated_at=updated,
                links=_links(Link(f"ASIN {asin}", ref.url, "asin")),
            )
        )
    return out


__all__ = [
    "BenchmarkBook",
    "acos_weeks",
    "asn_receipts",
    "asn_shipments",
    "content_states",
    "coop_invoice_checks",
    "disputes_due",
    "jbp_target_paces",
    "oos_positions",
    "po_on_time_series",
    "promotion_risks",
    "report_freshness",
    "sell_through_series",
    "stream_states",
]
