"""Plan contents: investments, initiatives, launches with their readiness checklist, and the demo seeder."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning.jbp_demo import seed_jbp_demo
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_selectors import jbp_launch_readiness
from planning.jbp_selectors import jbp_version_diff
from planning.jbp_services import jbp_certificate_add
from planning.jbp_services import jbp_initiative_save
from planning.jbp_services import jbp_initiative_set_status
from planning.jbp_services import jbp_investment_save
from planning.jbp_services import jbp_launch_save
from planning.jbp_services import jbp_launch_set_readiness
from planning.services import jbp_plan_create
from planning.services import jbp_plan_transition
from tests.factories import ProductFactory
from tests.factories import us_marketplace

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(brand_a, brand_manager) -> JBPPlan:
    return jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )


def _agree(plan, bm, reviewer) -> JBPPlan:
    from planning.jbp_services import jbp_targets_upsert

    jbp_targets_upsert(
        plan=plan, user=bm, rows=[{"metric": "SHIPPED_UNITS", "period_start": "2026-07-01", "target_value": "10"}]
    )
    for action, user in (
        ("submit_for_review", bm),
        ("send_to_amazon", reviewer),
        ("start_negotiation", bm),
        ("agree", bm),
    ):
        plan = jbp_plan_transition(plan=plan, user=user, action=action)
    return plan


def test_investment_defaults_to_the_plan_period_and_stays_inside_it(plan, brand_manager) -> None:
    inv = jbp_investment_save(
        plan=plan, user=brand_manager, data={"type": "COOP_MDF", "committed_amount": Decimal("25000.00")}
    )
    assert (inv.period_start, inv.period_end, inv.currency) == (date(2026, 7, 1), date(2026, 9, 30), "USD")
    with pytest.raises(ValidationError, match="inside the plan's 2026-07-01 to 2026-09-30"):
        jbp_investment_save(
            plan=plan,
            user=brand_manager,
            data={
                "type": "AD_SPEND",
                "committed_amount": Decimal(1),
                "period_start": date(2026, 6, 1),
                "period_end": date(2026, 7, 31),
            },
        )
    with pytest.raises(ValidationError):
        jbp_investment_save(plan=plan, user=brand_manager, data={"type": "AD_SPEND", "committed_amount": Decimal(-1)})
    assert plan.investments.count() == 1


def test_initiative_progress_is_tracked_after_agreement(plan, brand_manager, reviewer, vendor_ops, viewer) -> None:
    initiative = jbp_initiative_save(
        plan=plan,
        user=brand_manager,
        data={
            "title": "A+ on top 20 ASINs",
            "owner_side": "BRAND",
            "due_date": date(2026, 8, 1),
            "kpi_metric": "APLUS_COVERAGE",
        },
    )
    plan = _agree(plan, brand_manager, reviewer)
    with pytest.raises(ApplicationError, match="only drafts"):
        jbp_initiative_save(plan=plan, user=brand_manager, initiative=initiative, data={"title": "changed"})
    with pytest.raises(PermissionRefused):
        jbp_initiative_set_status(initiative=initiative, user=viewer, status="DONE")
    jbp_initiative_set_status(initiative=initiative, user=vendor_ops, status="DONE")
    initiative.refresh_from_db()
    assert (initiative.status, initiative.title) == ("DONE", "A+ on top 20 ASINs")


def test_launch_checks_week_gtin_and_certificates(plan, brand_manager, reviewer, vendor_ops) -> None:
    with pytest.raises(ValidationError) as excinfo:
        jbp_launch_save(
            plan=plan,
            user=brand_manager,
            data={"planned_sku": "NEW-1", "title": "Earbuds", "launch_week": date(2026, 8, 5), "gtin": "036000291453"},
        )
    errors = excinfo.value.message_dict
    assert "2026-08-05 is a Wednesday" in errors["launch_week"][0] and "(2026-08-02)" in errors["launch_week"][0]
    assert "wrong check digit: expected 2" in errors["gtin"][0]

    launch = jbp_launch_save(
        plan=plan,
        user=brand_manager,
        data={
            "planned_sku": "NEW-1",
            "title": "Earbuds",
            "launch_week": date(2026, 8, 2),
            "gtin": "036000291452",
            "forecast_units": 1200,
            "required_certificates": "fcc, CE, CPC",
        },
    )
    assert launch.required_certificates == ["FCC", "CE", "CPC"]
    plan = _agree(plan, brand_manager, reviewer)
    # Readiness is tracked after the agreement, by vendor ops too.
    jbp_certificate_add(
        launch=launch,
        user=vendor_ops,
        data={"kind": "FCC", "reference": "FCC-1", "issued_on": date(2025, 1, 1), "expires_on": date(2027, 1, 1)},
    )
    jbp_certificate_add(
        launch=launch,
        user=vendor_ops,
        data={"kind": "CE", "reference": "CE-old", "issued_on": date(2023, 1, 1), "expires_on": date(2026, 7, 31)},
    )
    jbp_launch_set_readiness(launch=launch, user=vendor_ops, data={"aplus_ready": True})
    items = {item.label: item for item in jbp_launch_readiness(launch, today=date(2026, 7, 15))}
    assert items["GTIN valid"].ok
    assert items["FCC certificate"].ok and "expires 2027-01-01" in items["FCC certificate"].detail
    assert not items["CE certificate"].ok and "expired" in items["CE certificate"].detail  # expires before launch
    assert not items["CPC certificate"].ok and items["CPC certificate"].detail == "missing"
    assert items["A+ content"].ok and not items["Video"].ok
    with pytest.raises(ValidationError, match="expires before it was issued"):
        jbp_certificate_add(
            launch=launch,
            user=vendor_ops,
            data={"kind": "CPC", "issued_on": date(2026, 5, 1), "expires_on": date(2026, 4, 1)},
        )


def test_launch_by_asin_must_be_the_brands_product(plan, brand_manager, brand_b) -> None:
    other = ProductFactory(vendor_code=brand_b.vendor_code)
    with pytest.raises(ValidationError, match=f"{other.asin} is not a product of Acme Audio"):
        jbp_launch_save(plan=plan, user=brand_manager, data={"asin": other.asin, "launch_week": date(2026, 8, 2)})


def test_seed_jbp_demo_creates_every_state_once(brand_a, brand_manager, reviewer) -> None:
    for category in ("Headphones", "Speakers"):
        ProductFactory(vendor_code=brand_a.vendor_code, category=category)
    users = {"brand_manager": brand_manager, "reviewer": reviewer}
    created = seed_jbp_demo(
        brand=brand_a.brand, marketplace=us_marketplace(), users=users, rng=random.Random(1), today=date(2026, 11, 26)
    )
    states = sorted((p.series, p.plan_year, p.version, p.status) for p in created)
    assert states == [
        ("FY", 2027, 1, "DRAFT"),
        ("Q1", 2027, 1, "SUPERSEDED"),
        ("Q1", 2027, 2, "AGREED"),
        ("Q2", 2027, 1, "INTERNAL_REVIEW"),
        ("Q3", 2026, 1, "CLOSED"),
        ("Q4", 2026, 1, "ACTIVE"),
    ]
    active = JBPPlan.objects.get(series="Q4")
    assert active.targets.filter(metric="SHIPPED_COGS", dimension_type="CATEGORY").count() == 6  # 2 categories x 3
    assert active.investments.count() == 4 and active.initiatives.count() == 3 and active.launches.count() == 1
    assert JBPPlanTransition.objects.filter(plan=active, to_status="ACTIVE", actor=brand_manager).exists()
    v1, v2 = JBPPlan.objects.filter(series="Q1").order_by("version")
    assert jbp_version_diff(old=v1, new=v2).counts["changed"] == 2  # +8 % in the first month, per category
    again = seed_jbp_demo(
        brand=brand_a.brand, marketplace=us_marketplace(), users=users, rng=random.Random(1), today=date(2026, 11, 26)
    )
    assert again == [] and JBPPlan.objects.count() == 6


def test_seed_demo_hook_covers_every_demo_brand_and_marketplace(db) -> None:
    from planning.demo import DemoContext
    from planning.demo import seed_catalog
    from planning.jbp_demo import seed_jbp_demo_for_context

    ctx = DemoContext(seed=42, today=date(2026, 11, 26), password="pass-1234", log=lambda message: None)
    seed_catalog(ctx)
    seed_jbp_demo_for_context(ctx)
    assert JBPPlan.objects.count() == 6 * len(ctx.vendor_codes)
    assert set(JBPPlan.objects.values_list("currency", flat=True)) == {"USD", "EUR"}  # marketplace currencies
    seed_jbp_demo_for_context(ctx)
    assert JBPPlan.objects.count() == 6 * len(ctx.vendor_codes)
