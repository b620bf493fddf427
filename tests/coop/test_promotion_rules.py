# ruff: noqa: RUF001  (the messages use typographic dashes and quotes on purpose)
"""Amazon's deal rules (DOMAIN.md §5.3): every rule passing and failing at its boundary, overlaps
compared as instants across time zones, and the wording people read. Pure: no database."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coop.promotion_rules import EventInfo
from coop.promotion_rules import ItemInfo
from coop.promotion_rules import OtherPromotion
from coop.promotion_rules import PricePoint
from coop.promotion_rules import PromotionInfo
from coop.promotion_rules import RuleContext
from coop.promotion_rules import RuleResult
from coop.promotion_rules import Rules
from coop.promotion_rules import evaluate
from coop.promotion_rules import failures
from coop.promotion_rules import fmt_hours
from coop.promotion_rules import merge_rules

UTC = ZoneInfo("UTC")
SEATTLE = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal

# The §5.3 table as seeded (coop/migrations data migration); tests use the same values.
LIGHTNING = Rules(
    "LIGHTNING_DEAL",
    lead_time_hours=672,
    min_duration_hours=D(4),
    max_duration_hours=D(12),
    no_overlap=True,
    back_to_back_days=7,
    min_rating=D("3.0"),
)
BEST_DEAL = Rules("BEST_DEAL", max_duration_hours=D(336), min_discount_vs_lowest_90d_pct=D(20))
PRIME_BEST = Rules(
    "PRIME_EXCLUSIVE_BEST_DEAL",
    min_discount_vs_reference_pct=D(15),
    min_discount_vs_lowest_30d_pct=D(0),
    min_discount_vs_typical_90d_pct=D(5),
    min_rating=D("4.0"),
)
PRICE_DISCOUNT = Rules("PRICE_DISCOUNT", lead_time_hours=24, max_duration_hours=D(8784), fee_allowed=False)
COUPON = Rules("COUPON", requires_budget=True, coupon_min_discount_pct=D(5), coupon_max_discount_pct=D(80))

NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


def promo(
    rules: Rules,
    *,
    start: datetime,
    hours: float = 6,
    items: tuple[ItemInfo, ...] = (ItemInfo("B0AAAAAAA1", D("100.00"), D("75.00")),),
    tz: ZoneInfo = SEATTLE,
    marketplace: str = "amazon.com",
    **kwargs: object,
) -> PromotionInfo:
    return PromotionInfo(
        promotion_type=rules.promotion_type,
        marketplace=marketplace,
        tz=tz,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        currency="USD",
        items=items,
        **kwargs,  # type: ignore[arg-type]
    )


def result(results: list[RuleResult], code: str) -> list[RuleResult]:
    return [r for r in results if r.code == code]


def one(results: list[RuleResult], code: str) -> RuleResult:
    found = result(results, code)
    assert len(found) == 1, found
    return found[0]


# -- lead time ------------------------------------------------------------------------------------


def test_lightning_deal_inside_lead_time_is_explained_in_plain_words() -> None:
    start = datetime(2026, 12, 12, 9, 0, tzinfo=SEATTLE)  # 9 days after NOW (09:00 in Seattle)
    results = evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, ratings={"B0AAAAAAA1": D("4.5")}))
    lead = one(results, "LEAD_TIME")
    assert not lead.passed
    assert lead.message == (
        "Lightning Deals must be submitted at least 4 weeks before they start; this one starts in 9 days "
        "(on 12 Dec 2026 in amazon.com's time zone)."
    )
    assert [r.code for r in failures(results)] == ["LEAD_TIME"]


def test_lead_time_boundary_exactly_four_weeks_passes_one_second_less_fails() -> None:
    start = NOW + timedelta(weeks=4)
    ok = one(evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW)), "LEAD_TIME")
    assert ok.passed
    assert ok.message.startswith("Lead time met: Lightning Deals need 4 weeks; it starts in 28 days")
    late = one(
        evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW + timedelta(seconds=1))), "LEAD_TIME"
    )
    assert not late.passed
    assert "starts in 27 days" in late.message


def test_price_discount_lead_time_is_24_hours_and_uses_submission_time_once_submitted() -> None:
    start = datetime(2026, 12, 10, 0, 0, tzinfo=SEATTLE)
    submitted = start - timedelta(hours=23)
    late = one(
        evaluate(promo(PRICE_DISCOUNT, start=start, submitted_at=submitted), PRICE_DISCOUNT, RuleContext(now=NOW)),
        "LEAD_TIME",
    )
    assert not late.passed
    assert late.message == (
        "Price Discounts must be submitted at least 24 hours before they start; this one was submitted "
        "23 hours before it started (on 10 Dec 2026 in amazon.com's time zone)."
    )
    on_time = promo(PRICE_DISCOUNT, start=start, submitted_at=start - timedelta(hours=24))
    assert one(evaluate(on_time, PRICE_DISCOUNT, RuleContext(now=NOW)), "LEAD_TIME").passed


def test_lead_time_of_a_draft_that_already_started() -> None:
    start = NOW - timedelta(hours=2)
    lead = one(evaluate(promo(PRICE_DISCOUNT, start=start), PRICE_DISCOUNT, RuleContext(now=NOW)), "LEAD_TIME")
    assert not lead.passed
    assert lead.message.endswith("this one has already started (on 3 Dec 2026 in amazon.com's time zone).")


def test_lead_time_date_is_shown_in_the_marketplace_time_zone() -> None:
    # 07:00 UTC on 12 Dec is still 11 Dec in Seattle.
    start = datetime(2026, 12, 12, 7, 0, tzinfo=UTC)
    lead = one(evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW)), "LEAD_TIME")
    assert "(on 11 Dec 2026 in amazon.com's time zone)" in lead.message


# -- duration -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "passed", "text"),
    [
        (4, True, "Runs 4 hours, within what Lightning Deals allow."),
        (12, True, "Runs 12 hours, within what Lightning Deals allow."),
        (12.5, False, "Lightning Deals can run at most 12 hours; this one runs 12.5 hours."),
        (3.5, False, "Lightning Deals must run at least 4 hours; this one runs 3.5 hours."),
    ],
)
def test_lightning_deal_duration_boundaries(hours: float, passed: bool, text: str) -> None:
    start = NOW + timedelta(weeks=5)
    check = one(evaluate(promo(LIGHTNING, start=start, hours=hours), LIGHTNING, RuleContext(now=NOW)), "DURATION")
    assert (check.passed, check.message) == (passed, text)


def test_best_deal_may_run_two_weeks() -> None:
    start = NOW + timedelta(days=30)
    ok = one(evaluate(promo(BEST_DEAL, start=start, hours=336), BEST_DEAL, RuleContext(now=NOW)), "DURATION")
    too_long = one(evaluate(promo(BEST_DEAL, start=start, hours=337), BEST_DEAL, RuleContext(now=NOW)), "DURATION")
    assert ok.passed
    assert not too_long.passed
    assert too_long.message == "Best Deals can run at most 2 weeks; this one runs 337 hours."


def test_hours_are_worded_the_way_people_say_them() -> None:
    assert [fmt_hours(h) for h in (672, 168, 48, 24, 1, D("6.5"))] == [
        "4 weeks",
        "1 week",
        "2 days",
        "24 hours",
        "1 hour",
        "6.5 hours",
    ]


# -- discounts against reference and past prices -------------------------------------------------


def test_min_discount_vs_reference_boundary() -> None:
    start = NOW + timedelta(days=10)
    exact = (ItemInfo("B0AAAAAAA1", D("100.00"), D("85.00")),)  # exactly 15 % off
    short = (ItemInfo("B0AAAAAAA1", D("100.00"), D("85.01")),)
    assert one(
        evaluate(promo(PRIME_BEST, start=start, items=exact), PRIME_BEST, RuleContext(now=NOW)), "MIN_DISCOUNT"
    ).passed
    fail = one(evaluate(promo(PRIME_BEST, start=start, items=short), PRIME_BEST, RuleContext(now=NOW)), "MIN_DISCOUNT")
    assert not fail.passed
    assert fail.asin == "B0AAAAAAA1"
    assert fail.message == (
        "B0AAAAAAA1: Prime Exclusive Best Deals need at least 15 % off the reference price (85.00 USD or less); "
        "the deal price 85.01 USD is 15.0 % off 100.00 USD."
    )


def test_min_discount_needs_both_prices() -> None:
    items = (ItemInfo("B0AAAAAAA1", None, D("80.00")),)
    check = one(
        evaluate(promo(PRIME_BEST, start=NOW + timedelta(days=9), items=items), PRIME_BEST, RuleContext(now=NOW)),
        "MIN_DISCOUNT",
    )
    assert not check.passed
    assert "give the reference price and the deal price" in check.message


def _history(asin: str, start: date, prices: dict[int, str]) -> dict[str, list[PricePoint]]:
    """Prices keyed by days before the start date."""
    return {asin: [PricePoint(start - timedelta(days=back), D(p)) for back, p in prices.items()]}


def test_best_deal_20_percent_below_lowest_price_of_past_90_days_boundary() -> None:
    start = datetime(2026, 12, 20, 0, 0, tzinfo=SEATTLE)
    prices = _history("B0AAAAAAA1", date(2026, 12, 20), {1: "45.00", 40: "40.00", 90: "50.00", 91: "30.00"})
    # 91 days back is outside the window, so the lowest is 40.00 and the ceiling is 32.00.
    at_ceiling = (ItemInfo("B0AAAAAAA1", D("60.00"), D("32.00")),)
    above = (ItemInfo("B0AAAAAAA1", D("60.00"), D("32.01")),)
    ctx = RuleContext(now=NOW, prices=prices)
    assert one(evaluate(promo(BEST_DEAL, start=start, items=at_ceiling, hours=48), BEST_DEAL, ctx), "LOWEST_90D").passed
    fail = one(evaluate(promo(BEST_DEAL, start=start, items=above, hours=48), BEST_DEAL, ctx), "LOWEST_90D")
    assert not fail.passed
    assert fail.message == (
        "B0AAAAAAA1: Best Deals must be at least 20 % below the lowest price of the 90 days before the start "
        "(40.00 USD on 10 Nov 2026), so 32.00 USD or less; the deal price is 32.01 USD."
    )


def test_price_rule_without_any_recorded_price_is_unknown_not_failed() -> None:
    check = one(
        evaluate(promo(BEST_DEAL, start=NOW + timedelta(days=9)), BEST_DEAL, RuleContext(now=NOW)), "LOWEST_90D"
    )
    assert check.passed and check.unknown and check.level == "unknown"
    assert "no price recorded in the 90 days before the start" in check.message


def test_prime_exclusive_must_match_the_30_day_low_and_beat_the_typical_price_by_5_percent() -> None:
    start = datetime(2026, 12, 20, 0, 0, tzinfo=SEATTLE)
    # Daily lowest prices: median of (50, 48, 52, 47) is 49.00 -> 5 % below is 46.55. The 30-day low is 47.00.
    prices = _history("B0AAAAAAA1", date(2026, 12, 20), {5: "47.00", 20: "52.00", 45: "48.00", 60: "50.00"})
    # A second observation on 30 Nov (20 days back) counts once: the day keeps its lowest price.
    prices["B0AAAAAAA1"].append(PricePoint(date(2026, 11, 30), D("55.00")))
    ctx = RuleContext(now=NOW, prices=prices, ratings={"B0AAAAAAA1": D("4.0")})
    ok = (ItemInfo("B0AAAAAAA1", D("60.00"), D("46.55")),)
    results = evaluate(promo(PRIME_BEST, start=start, items=ok, hours=48), PRIME_BEST, ctx)
    assert failures(results) == []
    assert one(results, "LOWEST_30D").message == "All deal prices match or beat the lowest price of the past 30 days."
    bad = (ItemInfo("B0AAAAAAA1", D("60.00"), D("46.56")),)
    typical = one(evaluate(promo(PRIME_BEST, start=start, items=bad, hours=48), PRIME_BEST, ctx), "TYPICAL_90D")
    assert not typical.passed
    assert "typical price of the 90 days before the start (median of the daily prices, 49.00 USD)" in typical.message
    above_low = (ItemInfo("B0AAAAAAA1", D("60.00"), D("47.01")),)
    low = one(evaluate(promo(PRIME_BEST, start=start, items=above_low, hours=48), PRIME_BEST, ctx), "LOWEST_30D")
    assert not low.passed
    assert "must match or beat the lowest price of the 30 days before the start (47.00 USD" in low.message


def test_coupon_price_for_price_rules_is_reference_minus_the_coupon() -> None:
    start = datetime(2026, 12, 20, 0, 0, tzinfo=SEATTLE)
    rules = Rules("COUPON", min_discount_vs_lowest_90d_pct=D(0))
    prices = _history("B0AAAAAAA1", date(2026, 12, 20), {3: "45.00"})
    item = ItemInfo("B0AAAAAAA1", D("50.00"), None, "PERCENT_OFF_LIST_PRICE", D("10"))  # customer pays 45.00
    check = one(
        evaluate(promo(rules, start=start, items=(item,)), rules, RuleContext(now=NOW, prices=prices)), "LOWEST_90D"
    )
    assert check.passed


# -- coupon bounds, fees and budgets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("discount_type", "amount", "passed"),
    [
        ("PERCENT_OFF_LIST_PRICE", "5", True),
        ("PERCENT_OFF_LIST_PRICE", "4.99", False),
        ("PERCENT_OFF_LIST_PRICE", "80", True),
        ("PERCENT_OFF_LIST_PRICE", "80.01", False),
        ("AMOUNT_OFF_LIST_PRICE", "5.00", True),  # 5 % of 100.00
        ("AMOUNT_OFF_LIST_PRICE", "4.00", False),
        ("AMOUNT_OFF_LIST_PRICE", "80.00", True),
        ("AMOUNT_OFF_LIST_PRICE", "80.50", False),
    ],
)
def test_coupon_discount_bounds(discount_type: str, amount: str, passed: bool) -> None:
    item = ItemInfo("B0AAAAAAA1", D("100.00"), None, discount_type, D(amount))
    check = one(
        evaluate(
            promo(COUPON, start=NOW + timedelta(days=3), items=(item,), coupon_budget=D("500")),
            COUPON,
            RuleContext(now=NOW),
        ),
        "COUPON_DISCOUNT",
    )
    assert check.passed is passed


def test_coupon_bound_failure_wording_for_an_amount_off() -> None:
    item = ItemInfo("B0AAAAAAA1", D("100.00"), None, "AMOUNT_OFF_LIST_PRICE", D("4.00"))
    check = one(
        evaluate(promo(COUPON, start=NOW + timedelta(days=3), items=(item,)), COUPON, RuleContext(now=NOW)),
        "COUPON_DISCOUNT",
    )
    assert check.message == (
        "B0AAAAAAA1: coupon discounts must be between 5 % and 80 % of the price; 4.00 USD off 100.00 USD is 4 %."
    )


def test_coupon_budget_is_required() -> None:
    item = ItemInfo("B0AAAAAAA1", D("100.00"), None, "PERCENT_OFF_LIST_PRICE", D("10"))
    missing = one(
        evaluate(promo(COUPON, start=NOW + timedelta(days=3), items=(item,)), COUPON, RuleContext(now=NOW)), "BUDGET"
    )
    assert not missing.passed
    assert missing.message == "Coupons need a budget; enter how much Amazon may draw."
    given = promo(COUPON, start=NOW + timedelta(days=3), items=(item,), coupon_budget=D("1000.00"))
    assert one(evaluate(given, COUPON, RuleContext(now=NOW)), "BUDGET").message == "Budget 1,000.00 USD."


def test_price_discounts_carry_no_fee() -> None:
    start = NOW + timedelta(days=3)
    with_fee = promo(PRICE_DISCOUNT, start=start, merchandising_fee=D("500.00"))
    check = one(evaluate(with_fee, PRICE_DISCOUNT, RuleContext(now=NOW)), "NO_FEE")
    assert not check.passed
    assert check.message == "Price Discounts carry no merchandising fee; remove the 500.00 USD fee."
    assert one(evaluate(promo(PRICE_DISCOUNT, start=start), PRICE_DISCOUNT, RuleContext(now=NOW)), "NO_FEE").passed


# -- rating ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rating", "passed"), [("3.0", True), ("2.9", False), ("4.8", True)])
def test_lightning_deal_needs_three_stars(rating: str, passed: bool) -> None:
    ctx = RuleContext(now=NOW, ratings={"B0AAAAAAA1": D(rating)})
    check = one(evaluate(promo(LIGHTNING, start=NOW + timedelta(weeks=5)), LIGHTNING, ctx), "MIN_RATING")
    assert check.passed is passed
    if not passed:
        assert check.message == "B0AAAAAAA1: Lightning Deals need a rating of at least 3.0 stars; it is rated 2.9."


def test_missing_rating_is_unknown() -> None:
    check = one(
        evaluate(promo(LIGHTNING, start=NOW + timedelta(weeks=5)), LIGHTNING, RuleContext(now=NOW)), "MIN_RATING"
    )
    assert check.unknown and check.passed


# -- items ------------------------------------------------------------------------------------------


def test_a_promotion_without_items_fails() -> None:
    results = evaluate(
        promo(PRICE_DISCOUNT, start=NOW + timedelta(days=3), items=()), PRICE_DISCOUNT, RuleContext(now=NOW)
    )
    assert one(results, "ITEMS").message == "Add at least one ASIN to the promotion."


def test_max_items_boundary() -> None:
    rules = Rules("LIGHTNING_DEAL", max_items=1)
    two = (ItemInfo("B0AAAAAAA1", D("10"), D("8")), ItemInfo("B0AAAAAAA2", D("10"), D("8")))
    assert one(evaluate(promo(rules, start=NOW + timedelta(days=40)), rules, RuleContext(now=NOW)), "MAX_ITEMS").passed
    fail = one(
        evaluate(promo(rules, start=NOW + timedelta(days=40), items=two), rules, RuleContext(now=NOW)), "MAX_ITEMS"
    )
    assert fail.message == "Lightning Deals take at most 1 ASIN; this one has 2."


# -- overlaps and back-to-back, as instants ---------------------------------------------------------


def other(start: datetime, end: datetime, asins: tuple[str, ...] = ("B0AAAAAAA1",), pk: int = 7) -> OtherPromotion:
    return OtherPromotion(pk, "Winter Coupon", "Coupon", start, end, frozenset(asins))


def test_overlap_is_judged_on_instants_not_local_dates() -> None:
    # This deal runs 17:00-23:00 on 10 Jan in Seattle = 01:00-07:00 UTC on 11 Jan.
    start = datetime(2027, 1, 10, 17, 0, tzinfo=SEATTLE)
    # An imported promotion stored in UTC starting 06:00 UTC on 11 Jan: local dates differ (10 vs 11 Jan
    # in UTC terms) but the instants overlap by one hour.
    clash = other(datetime(2027, 1, 11, 6, 0, tzinfo=UTC), datetime(2027, 1, 12, 6, 0, tzinfo=UTC))
    results = evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, others=[clash]))
    overlap = one(results, "NO_OVERLAP")
    assert not overlap.passed
    assert overlap.conflict_with == 7
    assert overlap.message == (
        "B0AAAAAAA1: overlaps “Winter Coupon” (Coupon, 10–11 Jan 2027) on the same ASIN; Lightning Deals allow "
        "no other promotion on the ASIN at the same time."
    )


def test_same_wall_clock_in_two_time_zones_does_not_overlap() -> None:
    # 09:00-15:00 in Berlin is 08:00-14:00 UTC; a promotion from 14:00 UTC touches but does not overlap.
    start = datetime(2027, 1, 10, 9, 0, tzinfo=BERLIN)
    touching = other(datetime(2027, 1, 10, 14, 0, tzinfo=UTC), datetime(2027, 1, 10, 20, 0, tzinfo=UTC))
    rules = Rules("LIGHTNING_DEAL", no_overlap=True)
    results = evaluate(
        promo(rules, start=start, tz=BERLIN, marketplace="amazon.de"), rules, RuleContext(now=NOW, others=[touching])
    )
    assert one(results, "NO_OVERLAP").passed
    # One minute earlier, it overlaps.
    earlier = other(datetime(2027, 1, 10, 13, 59, tzinfo=UTC), datetime(2027, 1, 10, 20, 0, tzinfo=UTC))
    results = evaluate(
        promo(rules, start=start, tz=BERLIN, marketplace="amazon.de"), rules, RuleContext(now=NOW, others=[earlier])
    )
    assert not one(results, "NO_OVERLAP").passed


def test_overlap_across_the_daylight_saving_change() -> None:
    # Europe switches to summer time at 01:00 UTC on 28 Mar 2027: 00:00-06:00 local that night lasts 5 hours.
    start = datetime(2027, 3, 28, 0, 0, tzinfo=BERLIN)
    deal = promo(Rules("LIGHTNING_DEAL", no_overlap=True), start=start, tz=BERLIN, marketplace="amazon.de")
    deal = PromotionInfo(**{**deal.__dict__, "end_at": datetime(2027, 3, 28, 6, 0, tzinfo=BERLIN)})
    assert deal.end_at - deal.start_at == timedelta(hours=5)
    # Another one starting at 04:30 UTC: 06:30 local, after the end (04:00 UTC).
    after = other(datetime(2027, 3, 28, 4, 30, tzinfo=UTC), datetime(2027, 3, 28, 9, 0, tzinfo=UTC))
    rules = Rules("LIGHTNING_DEAL", no_overlap=True)
    assert one(evaluate(deal, rules, RuleContext(now=NOW, others=[after])), "NO_OVERLAP").passed
    # Naive wall-clock arithmetic (start + 6 h = 06:00 = 04:00 UTC) would agree here, but 03:30 UTC is inside.
    inside = other(datetime(2027, 3, 28, 3, 30, tzinfo=UTC), datetime(2027, 3, 28, 9, 0, tzinfo=UTC))
    assert not one(evaluate(deal, rules, RuleContext(now=NOW, others=[inside])), "NO_OVERLAP").passed


def test_back_to_back_boundary_is_exactly_seven_days() -> None:
    start = datetime(2027, 1, 20, 8, 0, tzinfo=SEATTLE)
    ctx_ratings = {"B0AAAAAAA1": D("4.2")}
    before_end = start - timedelta(days=7)
    seven = other(before_end - timedelta(days=3), before_end)
    result_ok = evaluate(
        promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, others=[seven], ratings=ctx_ratings)
    )
    assert one(result_ok, "BACK_TO_BACK").passed
    assert one(result_ok, "NO_OVERLAP").passed
    short = other(before_end - timedelta(days=3), before_end + timedelta(minutes=1))
    check = one(
        evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, others=[short], ratings=ctx_ratings)),
        "BACK_TO_BACK",
    )
    assert not check.passed
    assert check.message == (
        "B0AAAAAAA1: starts 6 days 23 hours after “Winter Coupon” (Coupon, 10–13 Jan 2027) ends; Lightning Deals "
        "need 7 days between promotions on the same ASIN."
    )


def test_back_to_back_with_a_later_promotion_and_other_asins_ignored() -> None:
    start = datetime(2027, 1, 20, 8, 0, tzinfo=SEATTLE)
    later = other(start + timedelta(hours=6, days=2), start + timedelta(days=4))
    unrelated = other(start, start + timedelta(hours=3), asins=("B0ZZZZZZZ9",), pk=8)
    results = evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, others=[later, unrelated]))
    check = one(results, "BACK_TO_BACK")
    assert not check.passed
    assert "ends 2 days before “Winter Coupon”" in check.message
    assert one(results, "NO_OVERLAP").passed  # the overlapping one is on another ASIN


def test_the_promotion_never_conflicts_with_itself() -> None:
    start = datetime(2027, 1, 20, 8, 0, tzinfo=SEATTLE)
    me = promo(LIGHTNING, start=start, id=7)
    same = other(start, start + timedelta(hours=6), pk=7)
    assert one(evaluate(me, LIGHTNING, RuleContext(now=NOW, others=[same])), "NO_OVERLAP").passed


# -- events ---------------------------------------------------------------------------------------


PRIME_DAY = EventInfo("Prime Day 2027", date(2027, 7, 13), date(2027, 7, 14), submission_deadline=date(2027, 5, 7))


def test_event_deadline_is_the_end_of_the_day_in_the_marketplace() -> None:
    start = datetime(2027, 7, 13, 3, 0, tzinfo=SEATTLE)
    deal = promo(PRIME_BEST, start=start, hours=12, event=PRIME_DAY)
    last_minute = datetime(2027, 5, 7, 23, 59, tzinfo=SEATTLE)
    assert one(evaluate(deal, PRIME_BEST, RuleContext(now=last_minute)), "EVENT_DEADLINE").passed
    too_late = one(
        evaluate(deal, PRIME_BEST, RuleContext(now=datetime(2027, 5, 8, 0, 0, tzinfo=SEATTLE))), "EVENT_DEADLINE"
    )
    assert not too_late.passed
    assert too_late.message == (
        "Deals for Prime Day 2027 had to be submitted by the end of 7 May 2027 (amazon.com's time zone); "
        "it is now 8 May 2027."
    )


def test_event_window_in_local_time() -> None:
    inside = promo(PRIME_BEST, start=datetime(2027, 7, 14, 12, 0, tzinfo=SEATTLE), hours=12, event=PRIME_DAY)
    assert one(evaluate(inside, PRIME_BEST, RuleContext(now=NOW)), "EVENT_WINDOW").passed
    # Ends 00:00 on 15 Jul in Seattle = the end of the event: still inside. One hour more is outside.
    spill = promo(PRIME_BEST, start=datetime(2027, 7, 14, 13, 0, tzinfo=SEATTLE), hours=12, event=PRIME_DAY)
    check = one(evaluate(spill, PRIME_BEST, RuleContext(now=NOW)), "EVENT_WINDOW")
    assert not check.passed
    assert check.message == (
        "This promotion is linked to Prime Day 2027 (13–14 Jul 2027) but runs 14–15 Jul 2027 in amazon.com's "
        "time zone; move it inside the event or unlink the event."
    )


def test_event_overrides_merge_into_the_rules() -> None:
    merged = merge_rules(PRIME_BEST, {"min_discount_vs_reference_pct": "20", "lead_time_hours": "48"})
    assert merged.min_discount_vs_reference_pct == D(20)
    assert merged.lead_time_hours == 48
    assert merged.min_rating == D("4.0")
    with pytest.raises(ValueError, match="unknown rule 'colour'"):
        merge_rules(PRIME_BEST, {"colour": "red"})


def test_a_promotion_that_meets_every_rule_has_no_failures() -> None:
    start = datetime(2027, 1, 20, 8, 0, tzinfo=SEATTLE)
    results = evaluate(promo(LIGHTNING, start=start), LIGHTNING, RuleContext(now=NOW, ratings={"B0AAAAAAA1": D("4.6")}))
    assert failures(results) == []
    assert {r.code for r in results} == {"LEAD_TIME", "DURATION", "MIN_RATING", "NO_OVERLAP", "BACK_TO_BACK"}
