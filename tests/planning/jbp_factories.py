"""factory_boy factories for JBP plans and their contents (build on tests/factories.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchPlan
from tests.factories import BrandFactory
from tests.factories import us_marketplace


class JBPPlanFactory(DjangoModelFactory[JBPPlan]):
    """A Q3 2026 quarterly draft on amazon.com."""

    class Meta:
        model = JBPPlan

    brand = factory.SubFactory(BrandFactory)
    marketplace = factory.LazyFunction(us_marketplace)
    horizon = JBPPlan.Horizon.QUARTERLY
    period_start = date(2026, 7, 1)
    period_end = date(2026, 9, 30)
    plan_year = 2026
    series = "Q3"
    version = 1
    status = JBPPlan.Status.DRAFT
    currency = "USD"
    amazon_counterpart = "Jordan (VM)"


class JBPTargetFactory(DjangoModelFactory[JBPTarget]):
    """A July shipped-COGS target for one category."""

    class Meta:
        model = JBPTarget

    plan = factory.SubFactory(JBPPlanFactory)
    metric = "SHIPPED_COGS"
    dimension_type = JBPTarget.DimensionType.CATEGORY
    dimension_value = "Headphones"
    period_type = JBPTarget.PeriodType.MONTH
    period_start = date(2026, 7, 1)
    period_end = date(2026, 7, 31)
    target_value = Decimal("100000.00")


class JBPInvestmentFactory(DjangoModelFactory[JBPInvestment]):
    class Meta:
        model = JBPInvestment

    plan = factory.SubFactory(JBPPlanFactory)
    type = JBPInvestment.Type.COOP_MDF
    committed_amount = Decimal("25000.00")
    currency = "USD"
    period_start = factory.SelfAttribute("plan.period_start")
    period_end = factory.SelfAttribute("plan.period_end")


class LaunchPlanFactory(DjangoModelFactory[LaunchPlan]):
    class Meta:
        model = LaunchPlan

    plan = factory.SubFactory(JBPPlanFactory)
    planned_sku = factory.Sequence(lambda n: f"SKU-{n:03d}")
    title = "Wireless earbuds gen 2"
    launch_week = date(2026, 8, 2)  # a Sunday
    forecast_units = 1200
