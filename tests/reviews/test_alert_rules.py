"""Every rule of DOMAIN.md §6 as a pure function, at its threshold: just below, at, just above.

No database: rules take plain records and parameters. Worked numbers of DOMAIN.md §4 are cited.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from reviews.alert_rules import SPECS
from reviews.alert_rules import EntityRef
from reviews.alert_rules import RuleCode
from reviews.alert_rules import ads
from reviews.alert_rules import content
from reviews.alert_rules import feeds
from reviews.alert_rules import jbp
from reviews.alert_rules import money
from reviews.alert_rules import promotions
from reviews.alert_rules import retail
from reviews.alert_rules import supply
from reviews.alert_rules import validate_parameters

D = Decimal
ASIN = EntityRef("planning.product", "7", "B0TESTASIN", "/catalog/7/")
VC = EntityRef("planning.vendorcode", "3", "ACMEU · US", "/vendor-codes/3/")


def params(code: str, **overrides: object) -> dict[str, object]:
    return validate_parameters(SPECS[code], overrides)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ------------------------------------------------------------------------------------------ parameters


def test_every_rule_code_has_a_spec_whose_defaults_validate() -> None:
    assert set(SPECS) == set(RuleCode.values)
    for code, spec in SPECS.items():
        assert validate_parameters(spec, {}) == dict(spec.defaults), code


def test_parameters_are_refused_with_name_value_and_expectation() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_parameters(SPECS[RuleCode.OOS_RISK], {"safety_weeks": "lots", "trailing_weeks": 0, "typo": 1})
    messages = " | ".join(exc.value.messages)
    assert "safety_weeks: got 'lots', expected a number" in messages
    assert "trailing_weeks: got 0" in messages
    assert "typo" in messages and "known:" in messages


def test_decimal_parameters_are_bounded() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_parameters(SPECS[RuleCode.OOS_RISK], {"ppoos_threshold": "1.5"})
    assert exc.value.messages == ["ppoos_threshold: got 1.5, expected at most 1"]


# -------------------------------------------------------------------------------- JBP_ATTAINMENT_LOW


def _pace(pace: str | None, raw: str = "0.40", *, as_of: date = date(2026, 2, 14), direction: str = "HIGHER_IS_BETTER"):  # type: ignore[no-untyped-def]
    return jbp.TargetPace(
        plan=EntityRef("planning.jbpplan", "1", "Q1 2026", "/plans/1/"),
        target_key="SHIPPED_COGS|TOTAL||2026-01-01|2026-03-31",
        metric="SHIPPED_COGS",
        metric_label="Shipped COGS",
        dimension_label="Total",
        period_label="Q1 2026",
        direction=direction,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        as_of=as_of,
        actual=D("620000"),
        target=D("1500000"),
        expected_to_date=D("741758"),
        raw_attainment=D(raw),
        pace_attainment=D(pace) if pace is not None else None,
        unit="money",
        currency="USD",
    )


def test_jbp_attainment_domain_worked_example_is_no_alert() -> None:
    # DOMAIN.md §4.3: day 45 of a 91-day quarter, pace attainment 83.6 % → no alert at 70 %.
    assert jbp.evaluate([_pace("0.836")], params(RuleCode.JBP_ATTAINMENT_LOW)) == []


@pytest.mark.parametrize(("pace", "alerts"), [("0.6999", 1), ("0.70", 0), ("0.7001", 0)])
def test_jbp_attainment_boundary(pace: str, alerts: int) -> None:
    findings = jbp.evaluate([_pace(pace)], params(RuleCode.JBP_ATTAINMENT_LOW))
    assert len(findings) == alerts
    if findings:
        assert findings[0].measured_value == D(pace)
        assert findings[0].threshold == D("0.70")
        assert findings[0].period_key == "SHIPPED_COGS|TOTAL||2026-01-01|2026-03-31"
        assert findings[0].facts["mbr_agenda"] is True


def test_jbp_attainment_waits_for_the_first_month_end_checkpoint() -> None:
    p = params(RuleCode.JBP_ATTAINMENT_LOW)
    assert jbp.evaluate([_pace("0.30", as_of=date(2026, 1, 30))], p) == []
    assert len(jbp.evaluate([_pace("0.30", as_of=date(2026, 1, 31))], p)) == 1


def test_jbp_attainment_uses_raw_attainment_at_period_end_and_ignores_lower_is_better() -> None:
    p = params(RuleCode.JBP_ATTAINMENT_LOW)
    ended = _pace("0.95", raw="0.69", as_of=date(2026, 3, 31))
    [finding] = jbp.evaluate([ended], p)
    assert finding.measured_value == D("0.69")
    assert jbp.evaluate([_pace("0.95", raw="0.71", as_of=date(2026, 4, 2))], p) == []
    assert jbp.evaluate([_pace("0.10", direction="LOWER_IS_BETTER")], p) == []


# -------------------------------------------------------------------------------------------- OOS_RISK


def _stock(on_hand: int, *, lead_days: str | None = "21", unfilled: int = 0, oos_gv: str = "0", gv: int = 12000):  # type: ignore[no-untyped-def]
    # Trailing 4 weeks of 300 units a week (DOMAIN.md §4.3 weeks-of-cover example).
    return retail.StockPosition(
        product=ASIN,
        vendor_code_id=3,
        week_start=date(2026, 3, 1),
        on_hand_units=on_hand,
        unfilled_units=unfilled,
        trailing_shipped_units=1200,
        trailing_days=28,
        lead_time_days=D(lead_days) if lead_days is not None else None,
        oos_glance_views=D(oos_gv),
        glance_views=gv,
    )


@pytest.mark.parametrize(("on_hand", "alerts"), [(1199, 1), (1200, 0), (1201, 0)])
def test_oos_cover_boundary(on_hand: int, alerts: int) -> None:
    # DOMAIN.md §4.3: 1,200 on hand at 300/week = 4.0 weeks; lead time 21 days (3 weeks) + 1 safety = 4.
    findings = retail.evaluate_oos([_stock(on_hand)], params(RuleCode.OOS_RISK))
    assert len(findings) == alerts
    if findings:
        assert findings[0].measured_value == D(1199) / 300
        assert findings[0].threshold == D(4)
        assert findings[0].unit == "weeks"
        assert findings[0].facts["reasons"] == ["COVER"]


def test_oos_stockout_with_unfilled_orders_without_a_lead_time() -> None:
    p = params(RuleCode.OOS_RISK)
    assert retail.evaluate_oos([_stock(0, lead_days=None, unfilled=0)], p) == []
    [finding] = retail.evaluate_oos([_stock(0, lead_days=None, unfilled=1)], p)
    assert finding.facts["reasons"] == ["STOCKOUT_WITH_ORDERS"]
    assert (finding.measured_value, finding.unit) == (D(1), "units")  # customer orders waiting
    # With a lead time the cover is 0 weeks too; the headline stays the waiting orders.
    [both] = retail.evaluate_oos([_stock(0, unfilled=40)], p)
    assert both.facts["reasons"] == ["COVER", "STOCKOUT_WITH_ORDERS"]
    assert both.title.endswith("out of stock with 40 customer orders unfilled")


@pytest.mark.parametrize(("oos_gv", "alerts"), [("599", 0), ("600", 0), ("601", 1), ("900", 1)])
def test_oos_ppoos_boundary(oos_gv: str, alerts: int) -> None:
    # DOMAIN.md §4.3: 900 of 12,000 GVs out of stock = 7.5 % > 5 %; 600 is exactly 5 %, not above.
    findings = retail.evaluate_oos([_stock(5000, oos_gv=oos_gv)], params(RuleCode.OOS_RISK))
    assert len(findings) == alerts
    if findings:
        assert findings[0].facts["reasons"] == ["PPOOS"]
        assert findings[0].measured_value == D(oos_gv) / 12000


def test_oos_safety_weeks_parameter_moves_the_threshold() -> None:
    p = params(RuleCode.OOS_RISK, safety_weeks="0.5")
    assert retail.evaluate_oos([_stock(1100)], p) == []  # 3.67 weeks ≥ 3.5
    assert len(retail.evaluate_oos([_stock(1049)], p)) == 1  # 3.497 < 3.5


# ---------------------------------------------------------------------- SELL_THROUGH_BELOW_BENCHMARK


def _series(rates: list[str | None], benchmark: str | None = "0.30"):  # type: ignore[no-untyped-def]
    first = date(2026, 2, 1)
    return retail.SellThroughSeries(
        entity=ASIN,
        period_key="",
        vendor_code_id=3,
        category="Headphones",
        weeks=tuple((first + timedelta(weeks=i), D(r) if r is not None else None) for i, r in enumerate(rates)),
        benchmark=D(benchmark) if benchmark is not None else None,
        benchmark_source="Agency study",
    )


@pytest.mark.parametrize(
    ("rates", "alerts"),
    [
        (["0.29", "0.29", "0.2999"], 1),
        (["0.29", "0.29", "0.30"], 0),  # at the benchmark is not below it
        (["0.29", "0.29", "0.3001"], 0),
        (["0.40", "0.29", "0.29"], 0),  # only 2 weeks running
        (["0.29", None, "0.29"], 0),  # a week without data breaks the run
    ],
)
def test_sell_through_needs_n_consecutive_weeks_below(rates: list[str | None], alerts: int) -> None:
    # DOMAIN.md §4.3 sell-through example: 540 / 1,400 = 38.6 % would pass a 30 % benchmark.
    findings = retail.evaluate_sell_through([_series(rates)], params(RuleCode.SELL_THROUGH_BELOW_BENCHMARK))
    assert len(findings) == alerts


def test_sell_through_without_a_benchmark_is_not_judged() -> None:
    assert (
        retail.evaluate_sell_through(
            [_series(["0.01"] * 3, benchmark=None)], params(RuleCode.SELL_THROUGH_BELOW_BENCHMARK)
        )
        == []
    )


def test_sell_through_weeks_must_be_consecutive_calendar_weeks() -> None:
    series = _series(["0.1", "0.1", "0.1"])
    gap = retail.SellThroughSeries(
        **{
            **series.__dict__,
            "weeks": (series.weeks[0], series.weeks[1], (series.weeks[1][0] + timedelta(weeks=2), D("0.1"))),
        }
    )
    assert retail.evaluate_sell_through([gap], params(RuleCode.SELL_THROUGH_BELOW_BENCHMARK)) == []


# ------------------------------------------------------------------------------------- ASN_LATE


ARRIVED = utc(2026, 3, 4, 12)


def _shipment(shipment_id: str, submitted: datetime | None, *, arrived: datetime = ARRIVED):  # type: ignore[no-untyped-def]
    return supply.AsnShipment(
        vendor_code=VC,
        vendor_code_id=3,
        shipment_id=shipment_id,
        submitted_at=submitted,
        departed_at=utc(2026, 3, 3, 8),
        arrived_at=arrived,
        units=100,
    )


@pytest.mark.parametrize(
    ("submitted", "late"),
    [
        (utc(2026, 3, 3, 8, 30), False),  # exactly 30 min after departure: in time
        (utc(2026, 3, 3, 8, 31), False),  # later, but still ≥ 6 h before arrival
        (utc(2026, 3, 4, 6, 0), False),  # exactly 6 h before arrival
        (utc(2026, 3, 4, 6, 1), True),  # 5 h 59 before arrival, 22 h after departure
        (None, True),  # missing at arrival
    ],
)
def test_asn_late_per_shipment(submitted: datetime | None, late: bool) -> None:
    findings = supply.evaluate_asn_late(
        [_shipment("S1", submitted)], params(RuleCode.ASN_LATE, weekly_on_time_threshold="0")
    )
    assert [f.period_key for f in findings] == (["ASN S1"] if late else [])


def test_asn_not_arrived_is_not_judged() -> None:
    shipment = supply.AsnShipment(VC, 3, "S9", None, utc(2026, 3, 3, 8), None, 10)
    assert supply.evaluate_asn_late([shipment], params(RuleCode.ASN_LATE)) == []


@pytest.mark.parametrize(("late", "weekly_alert"), [(0, False), (1, False), (2, True)])
def test_asn_weekly_on_time_rate_boundary_is_high(late: int, weekly_alert: bool) -> None:
    # 20 ASNs in the week: 19/20 = 95 % is not under 95 %; 18/20 = 90 % is.
    on_time = utc(2026, 3, 3, 8, 10)
    shipments = [_shipment(f"S{i}", utc(2026, 3, 4, 11) if i < late else on_time) for i in range(20)]
    findings = supply.evaluate_asn_late(shipments, params(RuleCode.ASN_LATE))
    weekly = [f for f in findings if f.period_key.startswith("week ")]
    assert len([f for f in findings if f.period_key.startswith("ASN ")]) == late
    assert bool(weekly) is weekly_alert
    if weekly:
        assert weekly[0].severity == "high"
        assert weekly[0].measured_value == D("0.9")
        assert weekly[0].period_key == "week 2026-03-01"


# ----------------------------------------------------------------------------------- ASN_INACCURATE


def _receipt(asn_units: int | None, received: int | None, *, arrived: datetime | None = ARRIVED):  # type: ignore[no-untyped-def]
    return supply.AsnReceipt(VC, 3, "S1", arrived, (supply.AsnReceiptLine("PO1", "B0TESTASIN", asn_units, received),))


@pytest.mark.parametrize(("received", "alerts"), [(99, 1), (100, 0), (101, 1)])
def test_asn_inaccurate_tolerance_zero(received: int, alerts: int) -> None:
    findings = supply.evaluate_asn_inaccurate([_receipt(100, received)], params(RuleCode.ASN_INACCURATE))
    assert len(findings) == alerts
    if findings:
        assert findings[0].measured_value == D(1)


def test_asn_inaccurate_tolerance_parameter_and_unknown_receipts() -> None:
    p = params(RuleCode.ASN_INACCURATE, tolerance_units=2)
    assert supply.evaluate_asn_inaccurate([_receipt(100, 98)], p) == []
    assert len(supply.evaluate_asn_inaccurate([_receipt(100, 97)], p)) == 1
    assert supply.evaluate_asn_inaccurate([_receipt(100, None)], p) == []  # receipt not reported yet
    assert supply.evaluate_asn_inaccurate([_receipt(100, 0, arrived=None)], p) == []


# ------------------------------------------------------------------------------------ PO_ON_TIME_LOW


def _po(on_time_units: list[int], confirmed: int = 2500, cost: str | None = "12.00"):  # type: ignore[no-untyped-def]
    first = date(2026, 2, 1)
    weeks = tuple(supply.PoWeek(first + timedelta(weeks=i), confirmed, u) for i, u in enumerate(on_time_units))
    return supply.PoOnTime(VC, 3, weeks, "USD", D(cost) if cost else None)


def test_po_on_time_domain_worked_example() -> None:
    # DOMAIN.md §4.3/§4.4: 8,700 of 10,000 confirmed units on time = 87 % (< 90 %); this week's 300 late
    # units x 12.00 x 3 % = 108.00 chargeback.
    [finding] = supply.evaluate_po_on_time([_po([2200, 2100, 2200, 2200])], params(RuleCode.PO_ON_TIME_LOW))
    assert finding.measured_value == D("0.87")
    numbers = {n.label: n.value for n in finding.numbers}
    assert numbers["Late units, week of 22 Feb 2026"] == 300
    assert numbers["Estimated chargeback this week"] == D("108.00")


@pytest.mark.parametrize(("on_time", "alerts"), [(8999, 1), (9000, 0), (9001, 0)])
def test_po_on_time_boundary(on_time: int, alerts: int) -> None:
    weeks = [2250, 2250, 2250, on_time - 6750]
    assert len(supply.evaluate_po_on_time([_po(weeks)], params(RuleCode.PO_ON_TIME_LOW))) == alerts


def test_po_on_time_uses_only_the_trailing_weeks() -> None:
    series = _po([0, 2500, 2500, 2500, 2500])  # a terrible week five weeks ago no longer counts
    assert supply.evaluate_po_on_time([series], params(RuleCode.PO_ON_TIME_LOW)) == []


# ---------------------------------------------------------------------------------------- STREAM_GAP

NOW = utc(2026, 3, 10, 12)


LONG_AGO = utc(2026, 1, 1)


def _stream(status: str = "ACTIVE", *, last: datetime | None, created: datetime = LONG_AGO, spend_days: int = 0):  # type: ignore[no-untyped-def]
    return feeds.StreamState(
        subscription=EntityRef("ingest.streamsubscription", "u-1", "sp-traffic stream", "/imports/streams/"),
        status=status,
        dataset="sp-traffic",
        created_at=created,
        last_message_at=last,
        recent_ad_spend_days=spend_days,
    )


@pytest.mark.parametrize(
    ("silence", "alerts"),
    [(timedelta(hours=3) - timedelta(seconds=1), 0), (timedelta(hours=3), 0), (timedelta(hours=3, seconds=1), 1)],
)
def test_stream_gap_silence_boundary(silence: timedelta, alerts: int) -> None:
    findings = feeds.evaluate_stream_gap([_stream(last=NOW - silence)], params(RuleCode.STREAM_GAP), now=NOW)
    assert len(findings) == alerts
    if findings:
        assert findings[0].period_key == "GAP"
        assert findings[0].unit == "hours"


def test_stream_gap_needs_live_campaigns() -> None:
    p = params(RuleCode.STREAM_GAP)
    # Silent for 4 days and no ad spend in the 3-day look-back: campaigns are not live.
    assert feeds.evaluate_stream_gap([_stream(last=NOW - timedelta(days=4))], p, now=NOW) == []
    # The same silence with ad spend in the daily reports: it is a gap.
    assert len(feeds.evaluate_stream_gap([_stream(last=NOW - timedelta(days=4), spend_days=2)], p, now=NOW)) == 1
    # Never received anything since it was activated, while ads spend.
    assert (
        len(feeds.evaluate_stream_gap([_stream(last=None, created=NOW - timedelta(hours=5), spend_days=1)], p, now=NOW))
        == 1
    )


@pytest.mark.parametrize(("waited", "alerts"), [(timedelta(hours=24), 0), (timedelta(hours=24, seconds=1), 1)])
def test_stream_pending_confirmation_boundary(waited: timedelta, alerts: int) -> None:
    state = _stream("PENDING_CONFIRMATION", last=None, created=NOW - waited)
    findings = feeds.evaluate_stream_gap([state], params(RuleCode.STREAM_GAP), now=NOW)
    assert [f.period_key for f in findings] == (["PENDING"] if alerts else [])


def test_stream_failed_alerts_at_once_and_archived_never() -> None:
    p = params(RuleCode.STREAM_GAP)
    failed = feeds.evaluate_stream_gap([_stream("FAILED_CONFIRMATION", last=None, created=NOW)], p, now=NOW)
    assert [f.period_key for f in failed] == ["FAILED"]
    assert (
        feeds.evaluate_stream_gap([_stream("ARCHIVED", last=None, created=utc(2020, 1, 1), spend_days=3)], p, now=NOW)
        == []
    )


# -------------------------------------------------------------------------------------- REPORT_STALE

NEW_YORK = ZoneInfo("America/New_York")


def _report(table: str, end: date | None) -> feeds.ReportFreshness:
    return feeds.ReportFreshness(VC, 3, table, end)


def test_report_stale_weekly_ara_is_due_three_days_after_the_week() -> None:
    # Week Sun 1 - Sat 7 Mar 2026 ends at midnight into Sunday 8 Mar; due 72 h later: Wed 11 Mar 00:00.
    p = params(RuleCode.REPORT_STALE)
    due = datetime(2026, 3, 11, 0, 0, tzinfo=NEW_YORK)
    reports = [_report("retail_sales", date(2026, 2, 28))]
    assert feeds.evaluate_report_stale(reports, p, now=due - timedelta(seconds=1), tz=NEW_YORK) == []
    [finding] = feeds.evaluate_report_stale(reports, p, now=due, tz=NEW_YORK)
    assert finding.period_key == "retail_sales"
    assert finding.measured_value == D(7)
    assert finding.facts["expected_end"] == "2026-03-07"
    assert feeds.evaluate_report_stale([_report("retail_sales", date(2026, 3, 7))], p, now=due, tz=NEW_YORK) == []


def test_report_stale_daily_ads_is_due_36_hours_after_the_day() -> None:
    # Day 9 Mar ends at 10 Mar 00:00; due 36 h later: 11 Mar 12:00.
    p = params(RuleCode.REPORT_STALE)
    due = datetime(2026, 3, 11, 12, 0, tzinfo=NEW_YORK)
    reports = [_report("ads_daily", date(2026, 3, 8))]
    assert feeds.evaluate_report_stale(reports, p, now=due - timedelta(seconds=1), tz=NEW_YORK) == []
    [finding] = feeds.evaluate_report_stale(reports, p, now=due, tz=NEW_YORK)
    assert finding.measured_value == D(1)


def test_report_stale_only_watched_tables_and_never_imported_successfully() -> None:
    p = params(RuleCode.REPORT_STALE, reports=[{"fact_table": "ads_daily", "cadence": "DAY", "grace_hours": 36}])
    assert feeds.evaluate_report_stale([_report("retail_sales", None)], p, now=NOW, tz=UTC) == []
    [finding] = feeds.evaluate_report_stale([_report("ads_daily", None)], p, now=NOW, tz=UTC)
    assert finding.measured_value is None
    assert "no successful import" in finding.title


# ------------------------------------------------------------------------------------- COOP_VARIANCE


def _invoice(amount: str, expected: str | None = "10000.00", flags: tuple[str, ...] = ("VARIANCE",)):  # type: ignore[no-untyped-def]
    ref = EntityRef("coop.coopinvoice", "5", "Invoice INV-1", "/coop/invoices/5/")
    return money.InvoiceCheck(ref, 3, D(amount), D(expected) if expected else None, "USD", flags)


@pytest.mark.parametrize(("amount", "alerts"), [("10100.00", 0), ("10100.01", 1), ("9899.99", 1), ("9900.00", 0)])
def test_coop_variance_boundary(amount: str, alerts: int) -> None:
    # DOMAIN.md §3.4: |invoice - expected| > max(1 % of 10,000.00, 50.00) = 100.00.
    findings = money.evaluate_coop_variance([_invoice(amount)], params(RuleCode.COOP_VARIANCE))
    assert len(findings) == alerts
    if findings:
        assert findings[0].threshold == D("100.00")
        assert findings[0].unit == "money"


def test_coop_variance_minimum_applies_to_small_invoices_and_outside_dates_always_alerts() -> None:
    p = params(RuleCode.COOP_VARIANCE)
    assert money.evaluate_coop_variance([_invoice("1050.00", "1000.00")], p) == []  # 50.00 is not above 50.00
    assert len(money.evaluate_coop_variance([_invoice("1050.01", "1000.00")], p)) == 1
    [outside] = money.evaluate_coop_variance([_invoice("500.00", None, ("OUTSIDE_AGREEMENT_DATES",))], p)
    assert outside.measured_value is None
    assert outside.facts["outside_agreement_dates"] is True


# ---------------------------------------------------------------------------------- DISPUTE_DEADLINE

TODAY = date(2026, 3, 10)


def _dispute(deadline: date, status: str = "DRAFT", filed: bool = False) -> money.DisputeDue:
    ref = EntityRef("coop.dispute", "9", "Co-op dispute #9", "/coop/disputes/9/")
    return money.DisputeDue(ref, 3, "Co-op", status, deadline, D("250.00"), "USD", filed)


@pytest.mark.parametrize(("days", "alerts"), [(8, 0), (7, 1), (6, 1), (0, 1), (-2, 1)])
def test_dispute_deadline_boundary(days: int, alerts: int) -> None:
    findings = money.evaluate_dispute_deadline(
        [_dispute(TODAY + timedelta(days=days))], params(RuleCode.DISPUTE_DEADLINE), today=TODAY
    )
    assert len(findings) == alerts
    if findings:
        assert findings[0].measured_value == D(days)


def test_dispute_deadline_ignores_filed_disputes() -> None:
    p = params(RuleCode.DISPUTE_DEADLINE)
    assert money.evaluate_dispute_deadline([_dispute(TODAY, "SUBMITTED")], p, today=TODAY) == []
    assert money.evaluate_dispute_deadline([_dispute(TODAY, filed=True)], p, today=TODAY) == []


# ----------------------------------------------------------------------------------- PROMO_LEAD_TIME


def _risk(reason: str, days: int | None = None) -> promotions.PromoRisk:
    ref = EntityRef("coop.promotion", "4", "Spring lightning deal", "/promotions/4/")
    return promotions.PromoRisk(ref, 3, reason, "Submit 4 weeks ahead.", "Lightning Deal", "Draft", NOW, days)


@pytest.mark.parametrize(("days", "alerts"), [(8, 0), (7, 1), (0, 1), (-1, 0)])
def test_promo_pending_near_deadline_window(days: int, alerts: int) -> None:
    findings = promotions.evaluate([_risk("PENDING_NEAR_DEADLINE", days)], params(RuleCode.PROMO_LEAD_TIME))
    assert len(findings) == alerts


def test_promo_lead_time_verdicts_become_findings_keyed_by_reason() -> None:
    findings = promotions.evaluate([_risk("LEAD_TIME"), _risk("EVENT_DEADLINE")], params(RuleCode.PROMO_LEAD_TIME))
    assert [f.period_key for f in findings] == ["LEAD_TIME", "EVENT_DEADLINE"]


# --------------------------------------------------------------------------------- ACOS_ABOVE_TARGET


def _acos_week(spend: str, sales: str, target: str | None = "0.25") -> ads.AcosWeek:
    return ads.AcosWeek(
        VC, 3, date(2026, 1, 18), "14d", D(spend), D(sales), "USD", D(target) if target else None, "JBP Q1"
    )


@pytest.mark.parametrize(("spend", "alerts"), [("1249.99", 0), ("1250.00", 0), ("1250.01", 1)])
def test_acos_boundary(spend: str, alerts: int) -> None:
    # DOMAIN.md §4.1 worked example: cost 1,250.00, sales14d 5,000.00 → ACoS 25.0 %, at the 25 % target.
    findings = ads.evaluate([_acos_week(spend, "5000.00")], params(RuleCode.ACOS_ABOVE_TARGET))
    assert len(findings) == alerts
    if findings:
        assert findings[0].severity is None  # low: the rule's own severity


def test_acos_far_above_target_or_spend_without_sales_is_medium() -> None:
    p = params(RuleCode.ACOS_ABOVE_TARGET)
    [far] = ads.evaluate([_acos_week("1600.00", "5000.00")], p)  # 32 % > 25 % x 1.25 = 31.25 %
    assert far.severity == "medium"
    [none] = ads.evaluate([_acos_week("300.00", "0")], p)
    assert none.measured_value is None
    assert none.facts["spend_without_sales"] is True


def test_acos_falls_back_to_the_brand_target_and_skips_without_any() -> None:
    assert ads.evaluate([_acos_week("2000", "5000", target=None)], params(RuleCode.ACOS_ABOVE_TARGET)) == []
    [finding] = ads.evaluate(
        [_acos_week("2000", "5000", target=None)], params(RuleCode.ACOS_ABOVE_TARGET, target_acos="0.30")
    )
    assert finding.threshold == D("0.30")


def test_settled_week_is_the_latest_complete_week_old_enough() -> None:
    # 42 days before Tue 10 Mar 2026 is Tue 27 Jan: the latest Saturday on or before it is 24 Jan.
    assert ads.settled_week_end(date(2026, 3, 10), 42) == date(2026, 1, 24)
    # 42 days before Sat 7 Mar is Sat 24 Jan itself.
    assert ads.settled_week_end(date(2026, 3, 7), 42) == date(2026, 1, 24)


# ------------------------------------------------------------------------------------- CONTENT_STALE


def _content(
    aplus: bool = True, video: bool = True, updated: date | None = TODAY, lifecycle: str = "CORE"
) -> content.ContentState:
    return content.ContentState(ASIN, 3, lifecycle, aplus, video, updated)


@pytest.mark.parametrize(("age", "alerts"), [(179, 0), (180, 0), (181, 1)])
def test_content_age_boundary(age: int, alerts: int) -> None:
    findings = content.evaluate(
        [_content(updated=TODAY - timedelta(days=age))], params(RuleCode.CONTENT_STALE), today=TODAY
    )
    assert len(findings) == alerts


def test_content_missing_aplus_or_video_and_exit_products() -> None:
    p = params(RuleCode.CONTENT_STALE)
    [finding] = content.evaluate([_content(aplus=False, video=False, updated=None)], p, today=TODAY)
    assert finding.facts["reasons"] == ["NO_APLUS", "NO_VIDEO"]
    assert (finding.measured_value, finding.threshold) == (None, None)  # no age to measure
    [old] = content.evaluate([_content(updated=TODAY - timedelta(days=200))], p, today=TODAY)
    assert (old.measured_value, old.threshold, old.unit) == (D(200), D(180), "days")
    assert content.evaluate([_content(aplus=False, lifecycle="EXIT")], p, today=TODAY) == []
    assert (
        content.evaluate([_content(video=False)], params(RuleCode.CONTENT_STALE, require_video=False), today=TODAY)
        == []
    )
