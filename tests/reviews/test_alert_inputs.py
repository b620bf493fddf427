"""Each rule end to end: data written where the apps write it (facts, rollups, imports, co-op, promotions,
plans), then `alerts_evaluate`, then the alerts and their evidence links. Time is frozen on Tuesday
10 March 2026 (the last complete retail week is Sun 1 - Sat 7 March)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from coop.models import CoopInvoice
from coop.models import Dispute
from coop.promotion_models import Promotion
from ingest.models import ReportImport
from ingest.models import StreamSubscription
from planning.models import JBPPlan
from planning.models import JBPTarget
from reviews.alert_models import Alert
from reviews.alert_models import Benchmark
from reviews.alert_rules import RuleCode
from reviews.alert_services import alert_rule_update
from reviews.alert_services import alerts_evaluate
from reviews.services.rollups import rollups_recompute
from tests.conftest import Tenant
from tests.coop.factories import CoopInvoiceFactory
from tests.coop.promotion_factories import PromotionFactory
from tests.factories import ProductFactory
from tests.planning.jbp_factories import JBPPlanFactory
from tests.planning.jbp_factories import JBPTargetFactory
from tests.reviews import factories as facts

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _evaluate(tenant: Tenant, code: str) -> list[Alert]:
    result = alerts_evaluate(brand_id=tenant.brand.pk, codes=[code])
    assert result.failed == {}
    return list(Alert.objects.filter(code=code, status__in=Alert.ACTIVE_STATUSES).order_by("period_key", "pk"))


def _links(alert: Alert) -> dict[str, str]:
    return {link["kind"]: link["url"] for link in alert.evidence["links"]}


# ---------------------------------------------------------------------------------------- ASN rules


def _asn(
    tenant: Tenant,
    shipment: str,
    po: str,
    *,
    submitted: datetime | None,
    arrived: datetime | None,
    units: int = 100,
    received: int | None = 100,
) -> None:
    vc = tenant.vendor_code
    facts.po_line(
        vc, po, "B0ASN00001", facts.utc(2026, 2, 20), ordered_units=units, accepted_units=units, received_units=received
    )
    facts.shipment_line(
        vc,
        shipment,
        po,
        "B0ASN00001",
        confirmed_at=submitted,
        shipped_at=facts.utc(2026, 3, 2, 8),
        delivered_at=arrived,
        shipped_units=units,
    )


def test_asn_late_and_inaccurate_from_shipment_lines(brand_a: Tenant) -> None:
    arrived = facts.utc(2026, 3, 4, 12)
    _asn(brand_a, "SHIP-OK", "PO1", submitted=facts.utc(2026, 3, 2, 8, 20), arrived=arrived)
    _asn(brand_a, "SHIP-LATE", "PO2", submitted=facts.utc(2026, 3, 4, 9), arrived=arrived, received=96)
    _asn(brand_a, "SHIP-NOT-THERE", "PO3", submitted=None, arrived=None)

    late = _evaluate(brand_a, RuleCode.ASN_LATE)
    # One late shipment (3 h before arrival) and the week at 1 of 2 judged = 50 % < 95 %.
    assert [(a.period_key, a.severity) for a in late] == [("ASN SHIP-LATE", "medium"), ("week 2026-03-01", "high")]
    assert late[0].measured_value == D("3.00")
    assert late[0].entity == brand_a.vendor_code
    assert _links(late[0])["vendor_code"] == f"/vendor-codes/{brand_a.vendor_code.pk}/"

    [inaccurate] = _evaluate(brand_a, RuleCode.ASN_INACCURATE)
    assert inaccurate.period_key == "ASN SHIP-LATE"
    assert inaccurate.measured_value == D(4)
    assert inaccurate.evidence["numbers"][0] == {
        "label": "PO PO2 · B0ASN00001",
        "value": "ASN 100 vs received 96",
        "unit": "",
        "currency": "",
    }


def test_old_asn_alerts_are_left_alone_when_they_leave_the_look_back(brand_a: Tenant) -> None:
    _asn(brand_a, "SHIP-LATE", "PO2", submitted=None, arrived=facts.utc(2026, 3, 4, 12))
    _evaluate(brand_a, RuleCode.ASN_LATE)
    # 40 days later the shipment is outside the 28-day look-back: two checks do not "clear" it.
    for days in (40, 41):
        with time_machine.travel(NOW + timedelta(days=days), tick=False):
            alerts = _evaluate(brand_a, RuleCode.ASN_LATE)
    assert [(a.period_key, a.status, a.clear_since) for a in alerts] == [
        ("ASN SHIP-LATE", "OPEN", None),
        ("week 2026-03-01", "OPEN", None),
    ]


# ------------------------------------------------------------------------------------ PO_ON_TIME_LOW


def test_po_on_time_from_weekly_rollups_domain_example(brand_a: Tenant) -> None:
    # DOMAIN.md §4.3/§4.4: 8,700 of 10,000 confirmed units on time over 4 weeks = 87 %; the latest week's
    # 300 late units x 12.00 x 3 % = 108.00. With the default 2 settle weeks the window is the 4 weeks
    # from Sun 25 Jan to Sat 21 Feb (POs of the last two weeks are still inside their windows).
    vc = brand_a.vendor_code
    weeks = [date(2026, 1, 25), date(2026, 2, 1), date(2026, 2, 8), date(2026, 2, 15)]
    late_units = [300, 400, 300, 300]
    for i, (week, late) in enumerate(zip(weeks, late_units, strict=True)):
        po_day = datetime(week.year, week.month, week.day, 12, tzinfo=UTC)
        window_end = po_day + timedelta(days=7)
        for tag, units, shipped in (
            ("A", 2500 - late, window_end - timedelta(days=1)),
            ("B", late, window_end + timedelta(days=2)),
        ):
            po = f"PO{i}{tag}"
            facts.po_line(
                vc,
                po,
                "B0PO000001",
                po_day,
                ordered_units=units,
                accepted_units=units,
                received_units=units,
                ship_window_end=window_end,
                net_cost=D("12.00"),
            )
            facts.shipment_line(vc, f"S{po}", po, "B0PO000001", shipped_at=shipped, shipped_units=units)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=weeks[0], period_end=date(2026, 3, 7))
    [alert] = _evaluate(brand_a, RuleCode.PO_ON_TIME_LOW)
    assert alert.measured_value == D("0.87")
    assert alert.severity == "high"
    numbers = {n["label"]: n["value"] for n in alert.evidence["numbers"]}
    assert numbers["Confirmed units"] == 10000
    assert numbers["On-time units"] == 8700
    assert numbers["Late units, week of 15 Feb 2026"] == 300
    assert numbers["Estimated chargeback this week"] == "108.00"


# -------------------------------------------------------------------------------------------- streams


def _subscription(tenant: Tenant, status: str, **fields: Any) -> StreamSubscription:
    sub = StreamSubscription.objects.create(
        brand=tenant.brand, dataset="sp-traffic", status=status, access_key_sha256="0" * 64, **fields
    )
    if "created_at" in fields:
        StreamSubscription.objects.filter(pk=sub.pk).update(created_at=fields["created_at"])
    return sub


def test_stream_gap_pending_and_failed_subscriptions(brand_a: Tenant) -> None:
    gap = _subscription(brand_a, "ACTIVE", name="SP traffic US", last_message_at=NOW - timedelta(hours=4))
    _subscription(brand_a, "ACTIVE", name="SP conversion", last_message_at=NOW - timedelta(hours=2))
    pending = _subscription(brand_a, "PENDING_CONFIRMATION", name="Budget usage")
    StreamSubscription.objects.filter(pk=pending.pk).update(created_at=NOW - timedelta(hours=30))
    _subscription(brand_a, "FAILED_PROVISIONING", name="SD traffic")
    _subscription(brand_a, "ARCHIVED", name="Old")
    alerts = _evaluate(brand_a, RuleCode.STREAM_GAP)
    assert sorted((a.entity_label, a.period_key) for a in alerts) == [
        ("Budget usage", "PENDING"),
        ("SD traffic", "FAILED"),
        ("SP traffic US", "GAP"),
    ]
    by_key = {a.period_key: a for a in alerts}
    assert by_key["GAP"].object_id == str(gap.pk)  # UUID primary keys are kept as text
    assert by_key["GAP"].measured_value == D("4.00")
    assert _links(by_key["GAP"])["subscription"] == "/imports/streams/"


def test_stream_silent_for_days_without_ad_spend_is_not_a_gap_but_with_spend_it_is(brand_a: Tenant) -> None:
    _subscription(brand_a, "ACTIVE", last_message_at=NOW - timedelta(days=5))
    assert _evaluate(brand_a, RuleCode.STREAM_GAP) == []
    facts.ads(brand_a.vendor_code, date(2026, 3, 9), impressions=1000, clicks=10, cost=D("25.00"), sales_14d=D("0"))
    [alert] = _evaluate(brand_a, RuleCode.STREAM_GAP)
    numbers = {n["label"]: n["value"] for n in alert.evidence["numbers"]}
    assert numbers["Days with ad spend in the look-back"] == 1


# ------------------------------------------------------------------------------------------ imports


def _import(
    tenant: Tenant, table: str, data_end: date, status: str = "SUCCEEDED", vendor_code: Any = "default"
) -> ReportImport:
    return ReportImport.objects.create(
        brand=tenant.brand,
        vendor_code=tenant.vendor_code if vendor_code == "default" else vendor_code,
        fact_table=table,
        status=status,
        data_start=data_end - timedelta(days=6),
        data_end=data_end,
        file=f"imports/test/{table}.json",
        original_name=f"{table}.json",
        size=10,
        file_sha256="a" * 64,
    )


def test_report_stale_per_vendor_code_and_brand_wide_ads(brand_a: Tenant) -> None:
    # Tue 10 Mar 15:00 UTC: the week ending Sat 28 Feb was due Wed 4 Mar; the week ending 7 Mar is due
    # Wed 11 Mar. Ads: 8 Mar was due 10 Mar 12:00 (36 h after midnight into 9 Mar).
    _import(brand_a, "retail_sales", date(2026, 2, 21))
    fresh = _import(brand_a, "retail_sales", date(2026, 2, 28), status="FAILED")
    _import(brand_a, "retail_traffic", date(2026, 2, 28))
    _import(brand_a, "ads_daily", date(2026, 3, 7), vendor_code=None)
    alerts = _evaluate(brand_a, RuleCode.REPORT_STALE)
    assert [(a.entity_label, a.period_key, a.measured_value) for a in alerts] == [
        ("Acme Audio", "ads_daily", D(1)),
        (alerts[1].entity_label, "retail_sales", D(7)),
    ]
    assert alerts[1].entity == brand_a.vendor_code
    assert fresh.pk != int(_links(alerts[1])["import"].rstrip("/").split("/")[-1])  # the latest SUCCESSFUL import


# -------------------------------------------------------------------------------------------- co-op


def test_coop_variance_for_flagged_invoices_only(brand_a: Tenant) -> None:
    flagged = CoopInvoiceFactory(
        vendor_code=brand_a.vendor_code,
        amazon_invoice_id="INV-77",
        amount=D("10100.01"),
        expected_amount=D("10000.00"),
        status=CoopInvoice.Status.VARIANCE_FLAGGED,
        audit_flags=[{"code": "VARIANCE", "message": "Invoiced 10,100.01 vs expected 10,000.00", "blocking": True}],
    )
    CoopInvoiceFactory(
        vendor_code=brand_a.vendor_code,
        amazon_invoice_id="INV-78",
        amount=D("12000.00"),
        expected_amount=D("10000.00"),
        status=CoopInvoice.Status.OK,  # finance accepted the variance
    )
    [alert] = _evaluate(brand_a, RuleCode.COOP_VARIANCE)
    assert alert.entity == flagged
    assert (alert.measured_value, alert.threshold, alert.currency) == (D("100.01"), D("100.00"), flagged.currency)
    assert _links(alert)["invoice"] == f"/coop/invoices/{flagged.pk}/"

    CoopInvoice.objects.filter(pk=flagged.pk).update(status=CoopInvoice.Status.DISPUTED)
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[RuleCode.COOP_VARIANCE])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        alerts_evaluate(brand_id=brand_a.brand.pk, codes=[RuleCode.COOP_VARIANCE])
    assert Alert.objects.get(pk=alert.pk).status == "RESOLVED"  # a dispute is the answer


def test_dispute_deadline_for_unfiled_drafts(brand_a: Tenant) -> None:
    invoice = CoopInvoiceFactory(vendor_code=brand_a.vendor_code, amazon_invoice_id="INV-9")

    def dispute(deadline: date, status: str = Dispute.Status.DRAFT) -> Dispute:
        return Dispute.objects.create(
            vendor_code=brand_a.vendor_code,
            dispute_type=Dispute.Type.COOP,
            invoice=invoice,
            amount_claimed=D("250.00"),
            currency="USD",
            base_date=date(2025, 3, 1),
            earliest_filing_date=date(2025, 3, 1),
            deadline=deadline,
            status=status,
        )

    due = dispute(date(2026, 3, 17))  # 7 days left
    dispute(date(2026, 3, 18))  # 8 days left
    dispute(date(2026, 3, 12), Dispute.Status.SUBMITTED)
    [alert] = _evaluate(brand_a, RuleCode.DISPUTE_DEADLINE)
    assert alert.entity == due
    assert (alert.measured_value, alert.severity) == (D(7), "high")
    assert _links(alert)["dispute"] == f"/coop/disputes/{due.pk}/"


# -------------------------------------------------------------------------------------------- promotions


def test_promo_inside_its_lead_time(brand_a: Tenant) -> None:
    # A Lightning Deal must be submitted 4 weeks ahead (DOMAIN.md §5.3).
    close = PromotionFactory(
        vendor_code=brand_a.vendor_code,
        name="Spring LD",
        promotion_type=Promotion.Type.LIGHTNING_DEAL,
        start_at=NOW + timedelta(days=20),
        end_at=NOW + timedelta(days=20, hours=6),
    )
    PromotionFactory(
        vendor_code=brand_a.vendor_code,
        name="Summer LD",
        promotion_type=Promotion.Type.LIGHTNING_DEAL,
        start_at=NOW + timedelta(days=60),
        end_at=NOW + timedelta(days=60, hours=6),
    )
    [alert] = _evaluate(brand_a, RuleCode.PROMO_LEAD_TIME)
    assert (alert.entity, alert.period_key) == (close, "LEAD_TIME")
    assert _links(alert)["promotion"] == f"/promotions/{close.pk}/"


# ----------------------------------------------------------------------------------------------- ads


def test_acos_on_the_settled_week_against_the_active_jbp_target(brand_a: Tenant) -> None:
    # 42 days before 10 Mar is 27 Jan: the settled week is Sun 18 - Sat 24 Jan 2026.
    vc = brand_a.vendor_code
    for offset, (cost, sales) in enumerate([("700.00", "2000.00"), ("551.00", "3000.00")]):
        facts.ads(vc, date(2026, 1, 19 + offset), impressions=90000, clicks=600, cost=D(cost), sales_14d=D(sales))
    facts.ads(vc, date(2026, 2, 20), impressions=1, clicks=1, cost=D("9999"), sales_14d=D("1"))  # not settled yet
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 1, 18), period_end=date(2026, 2, 28))
    plan = JBPPlanFactory(
        brand=brand_a.brand,
        status=JBPPlan.Status.ACTIVE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        series="Q1",
    )
    JBPTargetFactory(
        plan=plan,
        metric="ACOS",
        dimension_type=JBPTarget.DimensionType.TOTAL,
        dimension_value="",
        period_type=JBPTarget.PeriodType.QUARTER,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        target_value=D("0.25"),
        direction="LOWER_IS_BETTER",
    )
    [alert] = _evaluate(brand_a, RuleCode.ACOS_ABOVE_TARGET)
    # 1,251.00 / 5,000.00 = 25.02 % > 25 % (DOMAIN.md §4.1's 1,250 / 5,000 would be exactly on target).
    assert alert.measured_value == D("0.2502")
    assert alert.threshold == D("0.25")
    assert alert.severity == "low"
    assert _links(alert)["plan"] == f"/plans/{plan.pk}/"


def test_acos_uses_the_brand_target_when_no_plan_has_one(brand_a: Tenant, brand_manager: Any) -> None:
    vc = brand_a.vendor_code
    facts.ads(vc, date(2026, 1, 20), impressions=1000, clicks=60, cost=D("400.00"), sales_14d=D("1000.00"))
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 1, 18), period_end=date(2026, 1, 24))
    assert _evaluate(brand_a, RuleCode.ACOS_ABOVE_TARGET) == []
    alert_rule_update(
        brand=brand_a.brand,
        code=RuleCode.ACOS_ABOVE_TARGET,
        user=brand_manager,
        parameters={"target_acos": "0.30"},
        severity="low",
        enabled=True,
    )
    [alert] = _evaluate(brand_a, RuleCode.ACOS_ABOVE_TARGET)
    assert (alert.measured_value, alert.severity) == (D("0.4"), "medium")  # 40 % > 30 % x 1.25


# ------------------------------------------------------------------------------------------- sell-through


def test_sell_through_below_the_category_benchmark_for_three_weeks(brand_a: Tenant) -> None:
    vc = brand_a.vendor_code
    slow = ProductFactory(vendor_code=vc, asin="B0SLOW0001", category="Headphones")
    fine = ProductFactory(vendor_code=vc, asin="B0FINE0001", category="Headphones")
    Benchmark.objects.create(
        metric="SELL_THROUGH",
        category="Headphones",
        value=D("0.30"),
        source="Agency study 2025",
        as_of=date(2026, 1, 1),
    )
    for week, slow_rate in zip(
        [date(2026, 2, 15), date(2026, 2, 22), date(2026, 3, 1)], ["0.25", "0.20", "0.29"], strict=True
    ):
        end = week + timedelta(days=6)
        facts.inventory(
            vc, slow.asin, week, end, grain="WEEK", sell_through_rate=D(slow_rate), sellable_on_hand_inventory_units=900
        )
        facts.inventory(
            vc, fine.asin, week, end, grain="WEEK", sell_through_rate=D("0.30"), sellable_on_hand_inventory_units=900
        )
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 2, 15), period_end=date(2026, 3, 7))
    [alert] = _evaluate(brand_a, RuleCode.SELL_THROUGH_BELOW_BENCHMARK)
    assert alert.entity == slow
    assert (alert.measured_value, alert.threshold) == (D("0.29"), D("0.30"))
    numbers = {n["label"]: n["value"] for n in alert.evidence["numbers"]}
    assert numbers["Benchmark source"] == "Agency study 2025 (as of 01 Jan 2026)"


# --------------------------------------------------------------------------------------------------- JBP


def test_jbp_attainment_below_pace_from_the_monthly_rollups(brand_a: Tenant) -> None:
    # Q1 target 1,500,000 shipped COGS; January and February 300,000 each, 1-8 March 10,000 a day: 680,000.
    # As of 8 March (the data's last day) pace expects 1,500,000 x 67/90 = 1,116,667: attainment 60.9 % < 70 %
    # (DOMAIN.md §4.3 pace formula; the checkpoint of 28 February has passed, so the target is judged).
    vc = brand_a.vendor_code
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        facts.sales(vc, "B0JBP00001", month, end, grain="MONTH", shipped_cogs=D("300000.00"), shipped_units=1000)
    for day in facts.days(date(2026, 3, 1), 8):
        facts.sales(vc, "B0JBP00001", day, shipped_cogs=D("10000.00"), shipped_units=30)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 1, 1), period_end=date(2026, 3, 8))
    plan = JBPPlanFactory(
        brand=brand_a.brand,
        status=JBPPlan.Status.ACTIVE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        series="Q1",
    )
    plan.vendor_codes.add(vc)
    JBPTargetFactory(
        plan=plan,
        metric="SHIPPED_COGS",
        dimension_type=JBPTarget.DimensionType.TOTAL,
        dimension_value="",
        period_type=JBPTarget.PeriodType.QUARTER,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        target_value=D("1500000.00"),
    )
    [alert] = _evaluate(brand_a, RuleCode.JBP_ATTAINMENT_LOW)
    assert alert.entity == plan
    assert alert.severity == "high"
    assert alert.evidence["mbr_agenda"] is True
    assert alert.measured_value == (D(680000) / (D(1500000) * 67 / 90)).quantize(D("0.00000001"))
    assert _links(alert)["plan"] == f"/plans/{plan.pk}/"


def test_report_stale_reads_the_facts_when_an_import_could_not_record_its_dates(brand_a: Tenant) -> None:
    # Amazon Ads report bodies carry their dates in the rows: the import has no data_end, the facts do.
    ads_import = _import(brand_a, "ads_daily", date(2026, 3, 1))
    ReportImport.objects.filter(pk=ads_import.pk).update(data_start=None, data_end=None)
    facts.ads(brand_a.vendor_code, date(2026, 3, 7), impressions=10, clicks=1, cost=D("1.00"), sales_14d=D("0"))
    [stale] = _evaluate(brand_a, RuleCode.REPORT_STALE)
    assert stale.measured_value == D(1)  # 8 March was due; the facts reach 7 March
    assert _links(stale)["import"] == f"/imports/{ads_import.pk}/"
    facts.ads(brand_a.vendor_code, date(2026, 3, 8), impressions=10, clicks=1, cost=D("1.00"), sales_14d=D("0"))
    alerts_evaluate(brand_id=brand_a.brand.pk, codes=[RuleCode.REPORT_STALE])
    assert Alert.objects.get(pk=stale.pk).clear_since == NOW
