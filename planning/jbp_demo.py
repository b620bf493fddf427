"""Demo JBP plans for `seed_demo`: one brand and marketplace's plans in every interesting state.

Called by the seed_demo command (or a registered demo seeder) as
`seed_jbp_demo(brand=..., marketplace=..., users={"brand_manager": u1, "reviewer": u2}, rng=random.Random(n))`.
Everything goes through the services, so the transition log, history and locks are what a real plan
would have. Idempotent: a plan series that already exists for the brand, marketplace and year is left
alone, so running it twice creates nothing new.

What it creates, relative to `today`:
- last quarter: CLOSED;
- this quarter: ACTIVE, with monthly shipped COGS and unit targets by category, ratio targets
  (ACoS, PPOOS, net PPM), investments, initiatives and a launch with certificates;
- next quarter: v1 SUPERSEDED in negotiation and v2 AGREED, so the version comparison has content;
- the quarter after: INTERNAL_REVIEW (submitted by the brand manager, waiting for the reviewer);
- next year's annual plan: DRAFT.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.periods import add_months
from core.periods import quarter_end
from core.periods import quarter_start
from core.periods import week_start
from planning.demo import DemoContext
from planning.jbp_models import JBPPlan
from planning.jbp_models import month_periods
from planning.jbp_models import series_for
from planning.jbp_services import jbp_certificate_add
from planning.jbp_services import jbp_initiative_save
from planning.jbp_services import jbp_investment_save
from planning.jbp_services import jbp_launch_save
from planning.jbp_services import jbp_targets_upsert
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Product
from planning.models import VendorCode
from planning.services import jbp_plan_create
from planning.services import jbp_plan_new_version
from planning.services import jbp_plan_transition
from planning.services import jbp_plan_update

# A typical consumer-electronics/home curve: Prime Day in July, BFCM in November, holidays in December.
SEASONAL_PROFILE = {
    "1": "0.070", "2": "0.065", "3": "0.075", "4": "0.075", "5": "0.080", "6": "0.080",
    "7": "0.095", "8": "0.075", "9": "0.075", "10": "0.085", "11": "0.120", "12": "0.130",
}  # fmt: skip
COUNTERPARTS = ["Jordan Ellis (VM)", "Priya Raman (VM)", "Lukas Becker (VM)", "Sofia Marino (VM)"]


def seed_jbp_demo(
    *,
    brand: Brand,
    marketplace: Marketplace,
    users: Mapping[str, Any],
    rng: random.Random,
    today: date | None = None,
) -> list[JBPPlan]:
    """Create the demo plans (see the module docstring); returns the plans created this time.

    `users` needs "brand_manager" and "reviewer": two different members of the brand who are brand
    managers (the reviewer may be vendor ops); they must already have their memberships.
    """
    today = today or timezone.localdate()
    manager, reviewer = users["brand_manager"], users["reviewer"]
    this_q = quarter_start(today)
    created: list[JBPPlan] = []
    vendor_codes = list(VendorCode.objects.filter(brand=brand, marketplace=marketplace, is_active=True))
    if not vendor_codes:
        return created
    categories = list(
        Product.objects.filter(brand=brand, marketplace=marketplace)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )[:6]
    scale = Decimal(rng.randint(60, 140)) / 100

    def make(start: date, horizon: str, end: date) -> JBPPlan | None:
        if JBPPlan.objects.filter(
            brand=brand, marketplace=marketplace, plan_year=start.year, series=series_for(horizon, start)
        ).exists():
            return None
        plan = jbp_plan_create(
            user=manager,
            brand=brand,
            marketplace=marketplace,
            horizon=horizon,
            period_start=start,
            period_end=end,
            vendor_codes=vendor_codes,
            amazon_counterpart=rng.choice(COUNTERPARTS),
            notes="Focus: grow shipped COGS in the top categories, keep PPOOS under 5 %, fund Prime Day and BFCM.",
            seasonal_weights=SEASONAL_PROFILE,
        )
        _targets(plan, manager, categories, rng, scale)
        created.append(plan)
        return plan

    def step(plan: JBPPlan, *actions: tuple[str, Any]) -> JBPPlan:
        for action, user in actions:
            plan = jbp_plan_transition(plan=plan, user=user, action=action, today=today, comment=_comment(action))
        return plan

    review = (("submit_for_review", manager), ("send_to_amazon", reviewer))
    agree = (("start_negotiation", manager), ("agree", manager))

    with transaction.atomic():
        last_q = quarter_start(add_months(this_q, -3))
        plan = make(last_q, JBPPlan.Horizon.QUARTERLY, quarter_end(last_q))
        if plan:
            step(plan, *review, *agree, ("activate", manager), ("close", manager))

        plan = make(this_q, JBPPlan.Horizon.QUARTERLY, quarter_end(this_q))
        if plan:
            _contents(plan, manager, brand, marketplace, rng, today)
            step(plan, *review, *agree, ("activate", manager))

        next_q = quarter_start(add_months(this_q, 3))
        plan = make(next_q, JBPPlan.Horizon.QUARTERLY, quarter_end(next_q))
        if plan:
            plan = step(plan, *review, ("start_negotiation", manager))
            v2 = jbp_plan_new_version(plan=plan, user=manager, comment="Amazon asked for +8 % in the first month")
            first_month = month_periods(v2.period_start, v2.period_end)[0][0]
            rows = [
                {
                    "metric": t.metric,
                    "dimension_type": t.dimension_type,
                    "dimension_value": t.dimension_value,
                    "period_type": t.period_type,
                    "period_start": t.period_start,
                    "period_end": t.period_end,
                    "target_value": (t.target_value * Decimal("1.08")).quantize(Decimal("0.01"))
                    if t.metric == "SHIPPED_COGS"
                    else t.target_value,
                }
                for t in v2.targets.filter(period_start=first_month)
            ]
            jbp_targets_upsert(plan=v2, user=manager, rows=rows)
            jbp_plan_update(plan=v2, user=manager, data={"notes": v2.notes + " v2: +8 % shipped COGS in month 1."})
            created.append(v2)
            step(v2, *review, *agree)

        after = quarter_start(add_months(this_q, 6))
        plan = make(after, JBPPlan.Horizon.QUARTERLY, quarter_end(after))
        if plan:
            step(plan, ("submit_for_review", manager))

        next_year = date(today.year + 1, 1, 1)
        make(next_year, JBPPlan.Horizon.ANNUAL, date(today.year + 1, 12, 31))
    return list(JBPPlan.objects.filter(pk__in=[p.pk for p in created]).order_by("period_start", "version"))


def _comment(action: str) -> str:
    return {
        "send_to_amazon": "Checked against last year's run rate; good to go.",
        "start_negotiation": "VM replied with a counter-proposal.",
        "agree": "Signed off in the JBP meeting.",
    }.get(action, "")


def _targets(plan: JBPPlan, user: Any, categories: list[str], rng: random.Random, scale: Decimal) -> None:
    rows: list[dict[str, Any]] = []
    months = month_periods(plan.period_start, plan.period_end)
    dims = [("CATEGORY", c) for c in categories] or [("TOTAL", "")]
    for dimension_type, value in dims:
        base = Decimal(rng.randint(40, 260)) * 1000 * scale
        unit_cost = Decimal(rng.randint(12, 45))
        for start, end in months:
            weight = Decimal(SEASONAL_PROFILE[str(start.month)]) * 12
            cogs = (base * weight * Decimal(rng.uniform(0.92, 1.08))).quantize(Decimal("100"))
            rows.append(_row(plan, "SHIPPED_COGS", dimension_type, value, start, end, cogs))
            rows.append(_row(plan, "SHIPPED_UNITS", dimension_type, value, start, end, (cogs / unit_cost).quantize(1)))
    for metric, target in (("ACOS", "0.2200"), ("PPOOS_RATE", "0.0500"), ("NET_PPM", "0.2800")):
        row = _row(plan, metric, "TOTAL", "", plan.period_start, plan.period_end, Decimal(target))
        row["period_type"] = "PLAN"
        rows.append(row)
    jbp_targets_upsert(plan=plan, user=user, rows=rows)


def _row(
    plan: JBPPlan, metric: str, dimension_type: str, value: str, start: date, end: date, target: Decimal
) -> dict[str, Any]:
    return {
        "metric": metric,
        "dimension_type": dimension_type,
        "dimension_value": value,
        "period_type": "MONTH",
        "period_start": start,
        "period_end": end,
        "target_value": target,
    }


def _contents(
    plan: JBPPlan, user: Any, brand: Brand, marketplace: Marketplace, rng: random.Random, today: date
) -> None:
    for kind, amount, conditions in (
        ("COOP_MDF", 48000, "10 % of net receipts, capped"),
        ("PROMO_FUNDING", 22500, "Prime Day and one Lightning Deal per category"),
        ("AD_SPEND", 60000, "Sponsored Products and Brands, always on"),
        ("CONTENT", 8000, "A+ Premium for the top 20 ASINs"),
    ):
        jbp_investment_save(
            plan=plan,
            user=user,
            data={
                "type": kind,
                "committed_amount": Decimal(amount + rng.randint(0, 20) * 100),
                "conditions": conditions,
            },
        )
    for title, side, due_days, metric in (
        ("A+ content on the top 20 ASINs", "BRAND", 30, "APLUS_COVERAGE"),
        ("Fix chronic out-of-stocks on the top sellers", "JOINT", 45, "PPOOS_RATE"),
        ("Add the brand to the holiday gift guide", "AMAZON", 60, "ORDERED_REVENUE"),
    ):
        jbp_initiative_save(
            plan=plan,
            user=user,
            data={
                "title": title,
                "owner_side": side,
                "due_date": min(plan.period_start + timedelta(days=due_days), plan.period_end),
                "kpi_metric": metric,
                "status": "IN_PROGRESS" if side == "BRAND" else "PLANNED",
            },
        )
    product = (
        Product.objects.filter(brand=brand, marketplace=marketplace, lifecycle=Product.Lifecycle.LAUNCH)
        .order_by("asin")
        .first()
    )
    launch_day = week_start(min(plan.period_start + timedelta(days=40), plan.period_end))
    launch = jbp_launch_save(
        plan=plan,
        user=user,
        data={
            "asin": product.asin if product else "",
            "planned_sku": "" if product else "NEW-001",
            "title": product.title[:200] if product else "New flagship product",
            "launch_week": launch_day,
            "forecast_units": rng.randint(8, 30) * 100,
            "required_certificates": ["FCC", "CE"],
            "aplus_ready": True,
        },
    )
    jbp_certificate_add(
        launch=launch,
        user=user,
        data={
            "kind": "FCC",
            "reference": f"FCC-{rng.randint(100000, 999999)}",
            "issued_on": today - timedelta(days=200),
            "expires_on": today + timedelta(days=500),
        },
    )


def seed_jbp_demo_for_context(ctx: DemoContext) -> None:
    """The seed_demo hook: demo plans for every demo brand and marketplace (see planning.demo).

    Register it from planning's AppConfig.ready():
    `register_demo_seeder("jbp", seed_jbp_demo_for_context, order=10)`.
    """
    users = {"brand_manager": ctx.users["brand.manager"], "reviewer": ctx.users["brand.reviewer"]}
    for (brand_name, marketplace_id), vendor_code in sorted(ctx.vendor_codes.items()):
        created = seed_jbp_demo(
            brand=ctx.brands[brand_name],
            marketplace=vendor_code.marketplace,
            users=users,
            rng=ctx.rng(f"jbp:{brand_name}:{marketplace_id}"),
            today=ctx.today,
        )
        ctx.log(f"{brand_name} {marketplace_id}: {len(created)} JBP plan versions")
