"""JBP pages: tenant isolation, the workflow through the page, tracking, grid endpoints, budgets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.jbp_actuals import ActualsRequest
from planning.jbp_actuals import ActualsResponse
from planning.jbp_actuals import actuals_provider
from planning.jbp_actuals import register_actuals_provider
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_services import jbp_targets_upsert
from planning.jbp_tracking import jbp_plan_tracking
from planning.services import jbp_plan_create
from planning.services import jbp_plan_transition
from tests.factories import ProductFactory
from tests.factories import us_marketplace
from tests.planning.jbp_factories import JBPPlanFactory

pytestmark = pytest.mark.django_db
D = Decimal


class FakeActuals:
    """A provider as reviews will register one: fixed values keyed by metric, dimension and period."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, date, date], Decimal] = {}
        self.forecast: dict[tuple[str, str, date, date], Decimal] = {}
        self.as_of: date | None = None
        self.requests: list[ActualsRequest] = []

    def __call__(self, request: ActualsRequest) -> ActualsResponse | None:
        self.requests.append(request)
        found = {
            (value, start, end): self.values[(request.metric, value, start, end)]
            for value in request.dimension_values
            for start, end in request.periods
            if (request.metric, value, start, end) in self.values
        }
        forecast = {
            (value, start, end): self.forecast[(request.metric, value, start, end)]
            for value in request.dimension_values
            for start, end in request.periods
            if (request.metric, value, start, end) in self.forecast
        }
        return ActualsResponse(values=found, as_of=self.as_of, source="test facts", forecast=forecast)


@pytest.fixture
def actuals() -> Iterator[FakeActuals]:
    previous = actuals_provider()
    fake = FakeActuals()
    register_actuals_provider(fake)
    yield fake
    register_actuals_provider(previous)


@pytest.fixture
def no_actuals() -> Iterator[None]:
    previous = actuals_provider()
    register_actuals_provider(None)
    yield
    register_actuals_provider(previous)


@pytest.fixture
def plan(brand_a, brand_manager) -> JBPPlan:
    ProductFactory(vendor_code=brand_a.vendor_code, category="Headphones")
    ProductFactory(vendor_code=brand_a.vendor_code, category="Speakers")
    return jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        vendor_codes=[brand_a.vendor_code],
    )


def _cogs(plan: JBPPlan, user, category: str, month: int, value: str) -> None:
    jbp_targets_upsert(
        plan=plan,
        user=user,
        rows=[
            {
                "metric": "SHIPPED_COGS",
                "dimension_type": "CATEGORY",
                "dimension_value": category,
                "period_start": date(2026, month, 1),
                "target_value": value,
            }
        ],
    )


# --- tenant isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["plan-detail", "plan-edit", "plan-grid", "plan-compare", "plan-history", "plan-grid-xlsx"]
)
def test_another_brands_plan_pages_are_404(client_for, outsider, plan, name) -> None:
    assert client_for(outsider).get(reverse(name, args=[plan.pk])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "plan-transition",
        "plan-new-version",
        "plan-grid-save",
        "plan-grid-paste",
        "plan-grid-allocate",
        "plan-grid-upload",
        "plan-investment-add",
        "plan-initiative-add",
        "plan-launch-add",
    ],
)
def test_another_brands_plan_posts_are_404_and_change_nothing(client_for, outsider, plan, name) -> None:
    response = client_for(outsider).post(
        reverse(name, args=[plan.pk]),
        {"action": "submit_for_review", "metric": "SHIPPED_COGS", "dim": "CATEGORY", "cells": "[]"},
    )
    assert response.status_code == 404
    assert JBPPlan.objects.get(pk=plan.pk).status == JBPPlan.Status.DRAFT
    assert not plan.investments.exists() and not plan.initiatives.exists()


def test_plan_list_shows_only_my_brands(client_for, brand_manager, outsider, plan, brand_b) -> None:
    other = JBPPlanFactory.create(brand=brand_b.brand, title="Bloom secret plan")
    body = client_for(brand_manager).get(reverse("plan-list")).content.decode()
    assert f'data-plan="{plan.pk}"' in body
    assert "Bloom secret plan" not in body
    body = client_for(outsider).get(reverse("plan-list")).content.decode()
    assert f'data-plan="{other.pk}"' in body and f'data-plan="{plan.pk}"' not in body


def test_plan_list_query_budget_does_not_grow_with_plans(client_for, brand_manager, brand_a) -> None:
    client = client_for(brand_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plan-list")).status_code == 200
        return len(ctx.captured_queries)

    for quarter, start, end in ((1, date(2026, 1, 1), date(2026, 3, 31)), (4, date(2026, 10, 1), date(2026, 12, 31))):
        JBPPlanFactory(brand=brand_a.brand, series=f"Q{quarter}", period_start=start, period_end=end)
    few = count()
    for year in range(2027, 2033):
        JBPPlanFactory(
            brand=brand_a.brand,
            plan_year=year,
            series="Q1",
            period_start=date(year, 1, 1),
            period_end=date(year, 3, 31),
        )
    assert count() == few
    assert few <= 12


# --- workflow through the pages -----------------------------------------------------------------------


def test_create_plan_through_the_form(client_for, brand_manager, brand_a) -> None:
    response = client_for(brand_manager).post(
        reverse("plan-create"),
        {
            "brand": brand_a.brand.pk,
            "marketplace": us_marketplace().pk,
            "horizon": "QUARTERLY",
            "period_start": "2026-10-01",
            "period_end": "",
            "title": "",
            "amazon_counterpart": "Jordan (VM)",
            "notes": "",
        },
    )
    plan = JBPPlan.objects.get(brand=brand_a.brand)
    assert response.status_code == 302 and response["Location"] == reverse("plan-grid", args=[plan.pk])
    assert (plan.series, plan.period_end, plan.amazon_counterpart) == ("Q4", date(2026, 12, 31), "Jordan (VM)")
    assert list(plan.vendor_codes.all()) == [brand_a.vendor_code]


def test_create_form_rejects_a_wrong_quarter(client_for, brand_manager, brand_a) -> None:
    response = client_for(brand_manager).post(
        reverse("plan-create"),
        {
            "brand": brand_a.brand.pk,
            "marketplace": us_marketplace().pk,
            "horizon": "QUARTERLY",
            "period_start": "2026-10-15",
            "period_end": "2027-01-14",
        },
        follow=True,
    )
    assert "one calendar quarter" in response.content.decode()
    assert not JBPPlan.objects.exists()


def test_submitter_sees_why_they_cannot_review_and_reviewer_sends_on(client_for, brand_manager, reviewer, plan):
    _cogs(plan, brand_manager, "Headphones", 7, "1000")
    bm = client_for(brand_manager)
    bm.post(reverse("plan-transition", args=[plan.pk]), {"action": "submit_for_review"})
    body = bm.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "another member of the brand must review it" in body
    response = bm.post(reverse("plan-transition", args=[plan.pk]), {"action": "send_to_amazon"}, follow=True)
    assert "another member" in response.content.decode()
    assert JBPPlan.objects.get(pk=plan.pk).status == JBPPlan.Status.INTERNAL_REVIEW
    response = client_for(reviewer).post(
        reverse("plan-transition", args=[plan.pk]), {"action": "send_to_amazon", "comment": "ok"}, follow=True
    )
    assert "is now Submitted to Amazon" in response.content.decode()
    assert JBPPlan.objects.get(pk=plan.pk).status == JBPPlan.Status.SUBMITTED_TO_AMAZON


def test_compare_page_highlights_changes(client_for, brand_manager, reviewer, plan) -> None:
    _cogs(plan, brand_manager, "Headphones", 7, "1000")
    _cogs(plan, brand_manager, "Speakers", 7, "500")
    for action, user in (
        ("submit_for_review", brand_manager),
        ("send_to_amazon", reviewer),
        ("start_negotiation", brand_manager),
    ):
        jbp_plan_transition(plan=plan, user=user, action=action)
    client = client_for(brand_manager)
    response = client.post(reverse("plan-new-version", args=[plan.pk]), {"comment": "counter"})
    v2 = JBPPlan.objects.get(previous_version=plan)
    assert response["Location"] == reverse("plan-detail", args=[v2.pk])
    _cogs(v2, brand_manager, "Headphones", 7, "1200")
    _cogs(v2, brand_manager, "Speakers", 8, "700")
    body = client.get(reverse("plan-compare", args=[v2.pk])).content.decode()
    assert body.count('data-change="changed"') == 1 and body.count('data-change="added"') == 1
    assert "1,000.00" in body and "1,200.00" in body and "+200.00" in body and "(+20.0 %)" in body


def test_history_page_names_who_changed_a_target(client_for, brand_manager, plan) -> None:
    _cogs(plan, brand_manager, "Headphones", 7, "1000")
    _cogs(plan, brand_manager, "Headphones", 7, "1500")
    body = client_for(brand_manager).get(reverse("plan-history", args=[plan.pk])).content.decode()
    assert "Target Shipped COGS · Headphones · Jul 2026" in body
    assert "1000" in body and "1500" in body and "bm" in body


# --- tracking -----------------------------------------------------------------------------------------


@pytest.fixture
def q2_plan(brand_a, brand_manager) -> JBPPlan:
    plan = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
    )
    jbp_targets_upsert(
        plan=plan,
        user=brand_manager,
        rows=[
            {"metric": "SHIPPED_COGS", "period_type": "PLAN", "period_start": "2026-04-01", "target_value": "1500000"}
        ],
    )
    return plan


def test_plan_page_shows_the_domain_worked_example(client_for, brand_manager, q2_plan, actuals) -> None:
    # DOMAIN.md §4.3 worked example: 1,500,000 over 91 days, day 45 (15 May) actual 620,000 →
    # raw 41.3 %, pace 83.6 %; not flagged at 70 %.
    actuals.values[("SHIPPED_COGS", "", date(2026, 4, 1), date(2026, 6, 30))] = D(620000)
    actuals.as_of = date(2026, 5, 15)
    with time_machine.travel(date(2026, 5, 17)):
        body = client_for(brand_manager).get(reverse("plan-detail", args=[q2_plan.pk])).content.decode()
    assert "41.3 %" in body and "83.6 %" in body
    assert "880,000.00" in body  # gap to target
    assert 'id="flag-count"' not in body
    assert "No actuals yet" not in body
    assert actuals.requests[0].marketplace_id == "ATVPDKIKX0DER" and actuals.requests[0].currency == "USD"


def test_plan_page_without_provider_says_no_actuals_yet(client_for, brand_manager, q2_plan, no_actuals) -> None:
    body = client_for(brand_manager).get(reverse("plan-detail", args=[q2_plan.pk])).content.decode()
    assert "No actuals yet" in body
    assert "1,500,000.00" in body


def test_monthly_targets_pace_by_their_own_phasing_and_flag_under_70(brand_manager, plan, actuals) -> None:
    for category, values in (("Headphones", ("400000", "500000", "600000")), ("Speakers", ("100", "100", "100"))):
        for month, value in zip((7, 8, 9), values, strict=True):
            _cogs(plan, brand_manager, category, month, value)
    months = [(date(2026, 7, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2026, 8, 31))]
    actuals.values[("SHIPPED_COGS", "Headphones", *months[0])] = D(380000)
    actuals.values[("SHIPPED_COGS", "Headphones", *months[1])] = D(200000)
    actuals.values[("SHIPPED_COGS", "Speakers", *months[0])] = D(50)
    actuals.values[("SHIPPED_UNITS", "Headphones", *months[0])] = D(3800)
    actuals.values[("SHIPPED_UNITS", "Headphones", *months[1])] = D(2000)
    actuals.as_of = date(2026, 8, 15)
    # Amazon's own forecast, when imported, is shown next to the run rate (summed over the months).
    actuals.forecast[("SHIPPED_COGS", "Headphones", *months[0])] = D(390000)
    actuals.forecast[("SHIPPED_COGS", "Headphones", *months[1])] = D(450000)
    tracking = jbp_plan_tracking(plan=plan, today=date(2026, 8, 20))
    rows = {row.label: row for row in tracking.rows}
    head = rows["Headphones"].progress
    # Expected by 15 Aug: all of July (400,000) + 15/31 of August's 500,000.
    assert head.expected_to_date == D(400000) + D(500000) * D(15) / D(31)
    assert head.actual == D(580000) and head.target == D(1500000)
    assert head.pace_attainment is not None and head.expected_to_date is not None
    assert round(head.pace_attainment, 4) == round(D(580000) / (D(400000) + D(500000) * 15 / 31), 4)
    assert head.flagged is False
    # 920,000 still to deliver at 100 per unit ≈ 9,200 units.
    assert rows["Headphones"].units_gap == 9200
    assert rows["Headphones"].amazon_forecast == D(840000)
    # Run rate: 580,000 delivered for a seasonal weight of (400,000 + 500,000 x 15/31) / 1,500,000.
    assert head.forecast == D(580000) / head.elapsed_weight
    speakers = rows["Speakers"].progress
    assert speakers.pace_attainment is not None and speakers.pace_attainment < D("0.70") and speakers.flagged
    summary = rows["All categories"].progress
    assert summary.target == D(1500300) and summary.actual == D(580050)
    assert speakers.expected_to_date is not None
    assert summary.expected_to_date == head.expected_to_date + speakers.expected_to_date
    assert [r.label for r in tracking.flagged] == ["Speakers"]


def test_a_failing_provider_degrades_to_no_actuals(brand_manager, q2_plan) -> None:
    previous = actuals_provider()

    def broken(request: ActualsRequest) -> ActualsResponse:
        raise RuntimeError("warehouse down")

    register_actuals_provider(broken)
    try:
        tracking = jbp_plan_tracking(plan=q2_plan, today=date(2026, 5, 1))
    finally:
        register_actuals_provider(previous)
    assert tracking.has_actuals is False and tracking.rows[0].progress.actual is None


# --- the grid endpoints -------------------------------------------------------------------------------


def _save(client, plan, cells, metric="SHIPPED_COGS", dim="CATEGORY"):
    return client.post(
        reverse("plan-grid-save", args=[plan.pk]),
        {"metric": metric, "dim": dim, "cells": json.dumps(cells)},
        HTTP_HX_REQUEST="true",
    )


def test_grid_page_lists_categories_and_months(client_for, brand_manager, plan) -> None:
    _cogs(plan, brand_manager, "Headphones", 8, "1234.5")
    body = client_for(brand_manager).get(reverse("plan-grid", args=[plan.pk])).content.decode()
    assert 'data-row="Headphones"' in body and 'data-row="Speakers"' in body
    assert body.count('class="grid-cell"') == 6
    assert 'value="1,234.50"' in body and "Jul 2026" in body and "Sep 2026" in body


def test_autosave_saves_changed_cells_and_reports_refused_ones(client_for, brand_manager, plan) -> None:
    response = _save(
        client_for(brand_manager),
        plan,
        [
            {"row": "Headphones", "col": "2026-07-01", "value": "1,234.56"},
            {"row": "Speakers", "col": "2026-08-01", "value": "1.000,5"},
            {"row": "Speakers", "col": "2026-09-01", "value": "12.345"},  # 3 decimals of money
            {"row": "Headphones", "col": "2026-09-01", "value": "abc"},
        ],
    )
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])["jbpSaved"]
    assert [(c["row"], c["col"], c["value"]) for c in trigger["saved"]] == [
        ("Headphones", "2026-07-01", "1,234.56"),
        ("Speakers", "2026-08-01", "1,000.50"),
    ]
    assert {(e["row"], e["col"]) for e in trigger["errors"]} == {
        ("Speakers", "2026-09-01"),
        ("Headphones", "2026-09-01"),
    }
    assert "Saved at" in response.content.decode() and "2 cells not saved" in response.content.decode()
    saved = dict(plan.targets.values_list("dimension_value", "target_value"))
    assert saved == {"Headphones": D("1234.56"), "Speakers": D("1000.50")}
    # A blank cell clears the target.
    _save(client_for(brand_manager), plan, [{"row": "Headphones", "col": "2026-07-01", "value": ""}])
    assert list(plan.targets.values_list("dimension_value", flat=True)) == ["Speakers"]


def test_autosave_on_a_locked_plan_is_refused(client_for, brand_manager, reviewer, plan) -> None:
    _cogs(plan, brand_manager, "Headphones", 7, "1000")
    jbp_plan_transition(plan=plan, user=brand_manager, action="submit_for_review")
    response = _save(client_for(brand_manager), plan, [{"row": "Headphones", "col": "2026-07-01", "value": "9"}])
    assert response.status_code == 409
    assert json.loads(response["HX-Trigger"])["jbpSaved"]["errors"][0]["message"].endswith(
        "only drafts can be changed."
    )
    assert plan.targets.get().target_value == D("1000")


def test_viewer_cannot_save(client_for, viewer, plan) -> None:
    response = _save(client_for(viewer), plan, [{"row": "Headphones", "col": "2026-07-01", "value": "9"}])
    assert response.status_code == 403 and not plan.targets.exists()


def test_paste_endpoint_places_the_block_at_the_anchor(client_for, brand_manager, plan) -> None:
    text = (
        "Category\tJul\tAug\tSep\tTotal\nHeadphones\t1,000\t$2,000.50\t\t3,000.50\nTotal\t1,000\t2,000.50\t\t3,000.50\n"
    )
    response = client_for(brand_manager).post(
        reverse("plan-grid-paste", args=[plan.pk]),
        {"text": text, "metric": "SHIPPED_COGS", "dim": "CATEGORY", "row": "Speakers", "col": "2026-07-01"},
        content_type="application/json",
    )
    data = response.json()
    # The block names its row: it lands on Headphones although the cursor was on Speakers.
    assert data["cells"] == [
        {"row": "Headphones", "col": "2026-07-01", "value": "1,000.00"},
        {"row": "Headphones", "col": "2026-08-01", "value": "2,000.50"},
        {"row": "Headphones", "col": "2026-09-01", "value": ""},
    ]
    assert "Ignored the trailing total row." in data["notes"] and "Rows were matched by their names." in data["notes"]
    assert not plan.targets.exists()  # pasting only fills the grid; the autosave writes


def test_paste_errors_point_at_grid_cells(client_for, brand_manager, plan) -> None:
    data = (
        client_for(brand_manager)
        .post(
            reverse("plan-grid-paste", args=[plan.pk]),
            {
                "text": "1\tx\n2\t3\n",
                "metric": "SHIPPED_COGS",
                "dim": "CATEGORY",
                "row": "Headphones",
                "col": "2026-08-01",
            },
            content_type="application/json",
        )
        .json()
    )
    assert [(e["target_row"], e["target_col"], e["value"]) for e in data["errors"]] == [
        ("Headphones", "2026-09-01", "x")
    ]
    # The refused cell is not placed (it must not clear what the grid holds there).
    assert [(c["row"], c["col"], c["value"]) for c in data["cells"]] == [
        ("Headphones", "2026-08-01", "1.00"),
        ("Speakers", "2026-08-01", "2.00"),
        ("Speakers", "2026-09-01", "3.00"),
    ]


def test_allocate_spreads_exactly_by_seasonal_weights(client_for, brand_manager, plan, no_actuals) -> None:
    plan.seasonal_weights = {"7": "3", "8": "3", "9": "4"}
    plan.save()
    data = (
        client_for(brand_manager)
        .post(
            reverse("plan-grid-allocate", args=[plan.pk]),
            {
                "metric": "SHIPPED_COGS",
                "dim": "CATEGORY",
                "row": "Headphones",
                "first": "2026-07-01",
                "last": "2026-09-01",
                "total": "1,000,000.01",
                "method": "last_year",
            },
            content_type="application/json",
        )
        .json()
    )
    values = [D(c["value"].replace(",", "")) for c in data["cells"]]
    # Exact shares 300,000.003 / 300,000.003 / 400,000.004: the spare cent goes to the largest remainder.
    assert values == [D("300000.00"), D("300000.00"), D("400000.01")] and sum(values) == D("1000000.01")
    assert "no actuals are connected yet" in data["note"] and data["method"] == "Seasonal weights"


def test_allocate_by_last_years_mix(client_for, brand_manager, plan, actuals) -> None:
    for month, value in ((7, 200), (8, 300), (9, 500)):
        actuals.values[
            ("SHIPPED_COGS", "Headphones", date(2025, month, 1), date(2025, month, 30 if month == 9 else 31))
        ] = D(value)
    data = (
        client_for(brand_manager)
        .post(
            reverse("plan-grid-allocate", args=[plan.pk]),
            {
                "metric": "SHIPPED_COGS",
                "dim": "CATEGORY",
                "row": "Headphones",
                "first": "2026-07-01",
                "last": "2026-09-01",
                "total": "999.99",
                "method": "last_year",
            },
            content_type="application/json",
        )
        .json()
    )
    assert [c["value"] for c in data["cells"]] == ["200.00", "300.00", "499.99"]
    assert data["method"] == "Last year's mix" and data["note"] == ""


def test_allocate_refuses_ratio_metrics(client_for, brand_manager, plan) -> None:
    response = client_for(brand_manager).post(
        reverse("plan-grid-allocate", args=[plan.pk]),
        {
            "metric": "ACOS",
            "dim": "TOTAL",
            "row": "",
            "first": "2026-07-01",
            "last": "2026-09-01",
            "total": "25",
            "method": "even",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "ratio" in response.json()["message"]


def test_ratio_grid_is_in_percent(client_for, brand_manager, plan) -> None:
    _save(
        client_for(brand_manager), plan, [{"row": "", "col": "2026-07-01", "value": "22.5"}], metric="ACOS", dim="TOTAL"
    )
    target = JBPTarget.objects.get(plan=plan, metric="ACOS")
    assert target.target_value == D("0.225") and target.direction == "LOWER_IS_BETTER"
    body = client_for(brand_manager).get(reverse("plan-grid", args=[plan.pk]), {"metric": "ACOS", "dim": "TOTAL"})
    assert 'value="22.5"' in body.content.decode()


def test_plan_page_query_budget_does_not_grow_with_targets(client_for, brand_manager, plan, actuals) -> None:
    client = client_for(brand_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 200
        return len(ctx.captured_queries)

    _cogs(plan, brand_manager, "Headphones", 7, "1000")
    few = count()
    rows = [
        {
            "metric": metric,
            "dimension_type": "CATEGORY",
            "dimension_value": category,
            "period_start": date(2026, month, 1),
            "target_value": "10",
        }
        for metric in ("SHIPPED_COGS", "SHIPPED_UNITS", "ORDERED_REVENUE", "GLANCE_VIEWS")
        for category in ("Headphones", "Speakers", "Smart Home")
        for month in (7, 8, 9)
    ]
    jbp_targets_upsert(plan=plan, user=brand_manager, rows=rows)
    assert count() == few <= 25


def test_edit_page_saves_header_and_seasonal_profile(client_for, brand_manager, plan) -> None:
    weights = {f"w{m}": str(m) for m in range(1, 13)}
    response = client_for(brand_manager).post(
        reverse("plan-edit", args=[plan.pk]),
        {
            "title": "Q3 push",
            "amazon_counterpart": "Priya (VM)",
            "notes": "n",
            "baseline_start": "2025-07-01",
            "baseline_end": "2025-09-30",
            **weights,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.amazon_counterpart) == ("Q3 push", "Priya (VM)")
    assert plan.seasonal_weights == {str(m): str(m) for m in range(1, 13)}
    body = (
        client_for(brand_manager)
        .post(reverse("plan-edit", args=[plan.pk]), {"title": "x", "w1": "1", "w2": "2"})
        .content.decode()
    )
    assert "Give a seasonal weight for every month" in body
    assert JBPPlan.objects.get(pk=plan.pk).title == "Q3 push"
