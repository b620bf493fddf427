"""The `metrics` command (ARCHITECTURE.md contract), the JBP actuals provider and the demo seeder."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from planning.demo import DemoContext
from planning.jbp_actuals import ActualsRequest
from planning.jbp_actuals import actuals_provider
from reviews.actuals import rollup_actuals
from reviews.demo import seed_reviews_demo
from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.models import Rollup
from reviews.services.rollups import rollups_recompute
from tests.factories import ProductFactory
from tests.reviews import factories as f
from tests.reviews.scenario import build_scenario

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "shipped_cogs",
    "shipped_revenue",
    "shipped_units",
    "ordered_revenue",
    "ordered_units",
    "customer_returns",
    "glance_views",
    "ad_spend",
    "ad_sales",
    "acos",
    "roas",
    "return_rate",
    "conversion",
}


@pytest.fixture
def march(brand_a: Any) -> Any:
    vc = brand_a.vendor_code
    # DOMAIN.md §4.1 worked example week, with its retail ordered revenue of 20,000.00
    f.ads(
        vc,
        date(2026, 3, 3),
        impressions=180_000,
        clicks=1276,
        cost=Decimal("1250.00"),
        sales_14d=Decimal("5000.00"),
        purchases_14d=64,
    )
    f.sales(
        vc,
        "B000000001",
        date(2026, 3, 3),
        ordered_revenue=Decimal("20000.00"),
        ordered_units=400,
        shipped_units=380,
        shipped_revenue=Decimal("19000.00"),
        shipped_cogs=Decimal("14250.50"),
        customer_returns=19,
    )
    f.traffic(vc, "B000000001", date(2026, 3, 3), glance_views=8000)
    return vc


def test_metrics_command_prints_the_contract_json(march: Any) -> None:
    out = StringIO()
    call_command("metrics", "--vendor-code", "ACMEU", "--month", "2026-03", "--json", "--recompute", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) >= CONTRACT_KEYS
    assert result["shipped_cogs"] == "14250.5"
    assert result["shipped_revenue"] == "19000"
    assert result["ordered_revenue"] == "20000"
    assert (result["shipped_units"], result["ordered_units"], result["customer_returns"]) == (380, 400, 19)
    assert result["glance_views"] == 8000
    assert (result["ad_spend"], result["ad_sales"]) == ("1250", "5000")
    assert (result["acos"], result["roas"]) == ("0.25", "4")  # DOMAIN.md §4.1: ACoS 25 %, ROAS 4.00
    assert result["tacos"] == "0.0625"
    assert result["return_rate"] == "0.05"
    assert result["conversion"] == "0.05"
    assert result["ppoos_rate"] is None and result["net_ppm"] is None  # undefined: null, never 0
    assert (result["distributor_view"], result["attribution_window"], result["currency"]) == (
        "MANUFACTURING",
        "14d",
        "USD",
    )


def test_metrics_command_errors(march: Any) -> None:
    with pytest.raises(CommandError, match="Unknown vendor code 'NOPE'"):
        call_command("metrics", "--vendor-code", "NOPE", "--month", "2026-03")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("metrics", "--vendor-code", "ACMEU", "--month", "March")
    out, err = StringIO(), StringIO()
    call_command("metrics", "--vendor-code", "ACMEU", "--month", "2025-01", "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["shipped_cogs"] is None
    assert "No rollups for ACMEU in 2025-01" in err.getvalue()


def test_jbp_actuals_come_from_monthly_rollups(brand_a: Any) -> None:
    assert actuals_provider() is rollup_actuals
    vc = brand_a.vendor_code
    ProductFactory(vendor_code=vc, asin="B000000001", category="Headphones")
    for day in (date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)):
        f.sales(vc, "B000000001", day, shipped_cogs=Decimal("1000.00"), shipped_units=10)
    rollups_recompute(vendor_code_ids=[vc.pk], period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    request = ActualsRequest(
        brand_id=brand_a.brand.pk,
        marketplace_id="ATVPDKIKX0DER",
        vendor_codes=(),
        currency="USD",
        metric="SHIPPED_COGS",
        dimension_type="CATEGORY",
        dimension_values=("Headphones", "Speakers"),
        periods=(
            (date(2026, 1, 1), date(2026, 3, 31)),
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 3, 1), date(2026, 3, 15)),
        ),
    )
    response = rollup_actuals(request)
    assert response is not None
    assert response.values == {
        ("Headphones", date(2026, 1, 1), date(2026, 3, 31)): Decimal("3000.00"),
        ("Headphones", date(2026, 3, 1), date(2026, 3, 31)): Decimal("1000.00"),
    }  # half a month is not made of whole months; Speakers has no data: left out, not 0
    assert response.as_of == date(2026, 3, 10)
    assert "Monthly rollups" in response.source


def test_demo_seeder_recomputes_rollups_and_opens_the_reviews(
    brand_a: Any, brand_manager: Any, vendor_ops: Any
) -> None:
    vc = brand_a.vendor_code
    build_scenario(vc, last_day=date(2026, 4, 8), months=3)
    ctx = DemoContext(seed=1, today=date(2026, 4, 9), password="x")
    ctx.brands = {"Acme Audio": brand_a.brand}
    ctx.vendor_codes = {("Acme Audio", "ATVPDKIKX0DER"): vc}
    ctx.users = {"brand.manager": brand_manager, "vendor.ops": vendor_ops}
    ctx.log = lambda message: None

    seed_reviews_demo(ctx)
    seed_reviews_demo(ctx)  # idempotent

    assert Rollup.objects.filter(vendor_code=vc, grain="MONTH", period_start=date(2026, 3, 1)).exists()
    reviews = {(r.month, r.marketplace_id, r.status) for r in BusinessReview.objects.all()}
    home = vc.marketplace_id
    assert reviews == {
        (date(2026, 3, 1), home, "DATA_FROZEN"),
        (date(2026, 3, 1), None, "DATA_FROZEN"),
        (date(2026, 4, 1), home, "SCHEDULED"),
        (date(2026, 4, 1), None, "SCHEDULED"),
    }
    frozen = BusinessReview.objects.get(status="DATA_FROZEN", marketplace_id=home)
    assert frozen.metrics_snapshot["meta"]["month"] == "2026-03-01"
    assert ActionItem.objects.filter(review=frozen).count() == 3
    from reviews.models import FxRate

    assert FxRate.objects.filter(month=date(2026, 3, 1), from_currency="EUR", to_currency="USD").count() == 1
