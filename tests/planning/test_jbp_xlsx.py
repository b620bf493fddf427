"""The target grid's XLSX template: download, upload, preview of differences, confirm."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from planning.jbp_models import JBPPlan
from planning.jbp_services import jbp_targets_upsert
from planning.services import jbp_plan_create
from tests.factories import ProductFactory
from tests.factories import us_marketplace

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plan(brand_a, brand_manager) -> JBPPlan:
    for category in ("Headphones", "Speakers", "=cmd|' /C calc'!A0"):
        ProductFactory(vendor_code=brand_a.vendor_code, category=category)
    plan = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )
    rows = [
        {
            "metric": "SHIPPED_COGS",
            "dimension_type": "CATEGORY",
            "dimension_value": category,
            "period_start": date(2026, month, 1),
            "target_value": value,
        }
        for category, month, value in (
            ("Headphones", 7, "100000.10"),
            ("Headphones", 8, "110000"),
            ("Speakers", 9, "0.01"),
            ("=cmd|' /C calc'!A0", 7, "5"),
        )
    ]
    jbp_targets_upsert(plan=plan, user=brand_manager, rows=rows)
    return plan


def _download(client, plan, **params) -> bytes:
    response = client.get(
        reverse("plan-grid-xlsx", args=[plan.pk]), {"metric": "SHIPPED_COGS", "dim": "CATEGORY", **params}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _upload(client, plan, content: bytes, name: str = "targets.xlsx"):
    return client.post(reverse("plan-grid-upload", args=[plan.pk]), {"file": SimpleUploadedFile(name, content)})


def _token(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, "no confirm form on the preview"
    return match.group(1)


def test_template_layout(client_for, brand_manager, plan) -> None:
    wb = load_workbook(BytesIO(_download(client_for(brand_manager), plan)))
    assert wb.sheetnames == ["Targets", "Instructions"]
    ws = wb["Targets"]
    assert ws["A1"].value == f"coopdesk-jbp-targets:{plan.pk}:SHIPPED_COGS:CATEGORY"
    assert ws.column_dimensions["A"].hidden and ws.row_dimensions[2].hidden
    assert ws.protection.sheet is True
    assert [ws.cell(row=1, column=c).value for c in range(3, 7)] == ["Jul 2026", "Aug 2026", "Sep 2026", "Total"]
    assert [ws.cell(row=2, column=c).value for c in range(3, 6)] == ["2026-07-01", "2026-08-01", "2026-09-01"]
    labels = [ws.cell(row=r, column=2).value for r in range(3, 7)]
    assert labels == ["'=cmd|' /C calc'!A0", "Headphones", "Speakers", "Total"]  # formula text neutralised
    assert ws["C4"].value == 100000.1 and ws["C4"].number_format == "#,##0.00"
    assert ws["C4"].protection.locked is False and ws["B4"].protection.locked is True
    assert ws["F4"].value == "=SUM(C4:E4)"
    assert "Upload the file on the plan's target grid" in " ".join(str(c.value) for c in wb["Instructions"]["A"])


def test_round_trip_unchanged_has_no_differences(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    body = _upload(client, plan, _download(client, plan)).content.decode()
    assert "No differences" in body
    assert "data-change=" not in body


def test_a_changed_cell_is_one_difference_and_confirm_applies_it(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    wb = load_workbook(BytesIO(_download(client, plan)))
    wb["Targets"]["D4"] = 125000.5  # Headphones, August
    buffer = BytesIO()
    wb.save(buffer)
    body = _upload(client, plan, buffer.getvalue()).content.decode()
    assert body.count("data-change=") == 1
    assert "110,000.00" in body and "125,000.50" in body
    assert plan.targets.get(dimension_value="Headphones", period_start=date(2026, 8, 1)).target_value == D("110000")
    response = client.post(reverse("plan-grid-upload", args=[plan.pk]), {"confirm": "1", "token": _token(body)})
    assert response.status_code == 302
    assert plan.targets.get(dimension_value="Headphones", period_start=date(2026, 8, 1)).target_value == D("125000.50")
    assert plan.targets.count() == 4


def test_cleared_and_added_rows(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    wb = load_workbook(BytesIO(_download(client, plan)))
    ws = wb["Targets"]
    ws["E5"] = None  # Speakers, September: cleared
    ws.insert_rows(6)
    ws["B6"] = "Smart Home"  # a row typed by the user, no key
    ws["C6"] = "1.234,50"  # text in the German convention
    buffer = BytesIO()
    wb.save(buffer)
    body = _upload(client, plan, buffer.getvalue()).content.decode()
    assert body.count('data-change="removed"') == 1 and body.count('data-change="added"') == 1
    client.post(reverse("plan-grid-upload", args=[plan.pk]), {"confirm": "1", "token": _token(body)})
    values = dict(plan.targets.values_list("dimension_value", "target_value"))
    assert values.get("Smart Home") == D("1234.50") and "Speakers" not in values


def test_bad_cells_name_the_file_cell_value_and_rule(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    wb = load_workbook(BytesIO(_download(client, plan)))
    wb["Targets"]["C5"] = "lots"
    buffer = BytesIO()
    wb.save(buffer)
    body = _upload(client, plan, buffer.getvalue(), name="q3.xlsx").content.decode()
    assert "q3.xlsx Targets!C5: expected a number" in body and "lots" in body
    assert 'name="token"' not in body  # nothing to confirm


def test_not_an_xlsx_and_another_plans_template(client_for, brand_manager, plan, brand_a) -> None:
    client = client_for(brand_manager)
    body = _upload(client, plan, b"a,b\n1,2\n", name="targets.csv").content.decode()
    assert "targets.csv" in body and "not an Excel .xlsx workbook" in body
    other = jbp_plan_create(
        user=brand_manager,
        brand=brand_a.brand,
        marketplace=us_marketplace(),
        horizon="QUARTERLY",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
    )
    body = _upload(client, other, _download(client, plan)).content.decode()
    assert f"belongs to plan #{plan.pk}, not #{other.pk}" in body


def test_confirm_refuses_a_stale_or_tampered_preview(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    wb = load_workbook(BytesIO(_download(client, plan)))
    wb["Targets"]["D4"] = 1
    buffer = BytesIO()
    wb.save(buffer)
    token = _token(_upload(client, plan, buffer.getvalue()).content.decode())
    bad = client.post(reverse("plan-grid-upload", args=[plan.pk]), {"confirm": "1", "token": token + "x"}, follow=True)
    assert "expired or was altered" in bad.content.decode()
    jbp_targets_upsert(
        plan=plan,
        user=brand_manager,
        rows=[
            {
                "metric": "SHIPPED_COGS",
                "dimension_type": "CATEGORY",
                "dimension_value": "Headphones",
                "period_start": "2026-08-01",
                "target_value": "7",
            }
        ],
    )
    stale = client.post(reverse("plan-grid-upload", args=[plan.pk]), {"confirm": "1", "token": token}, follow=True)
    assert "Targets changed since the preview" in stale.content.decode()
    assert plan.targets.get(dimension_value="Headphones", period_start=date(2026, 8, 1)).target_value == D("7")


def test_ratio_metric_round_trips_as_percent_cells(client_for, brand_manager, plan) -> None:
    jbp_targets_upsert(
        plan=plan,
        user=brand_manager,
        rows=[{"metric": "ACOS", "dimension_type": "TOTAL", "period_start": "2026-07-01", "target_value": "0.225"}],
    )
    client = client_for(brand_manager)
    content = _download(client, plan, metric="ACOS", dim="TOTAL")
    ws = load_workbook(BytesIO(content))["Targets"]
    assert ws["C3"].value == 0.225 and ws["C3"].number_format == "0.00%"
    assert "No differences" in _upload(client, plan, content).content.decode()


def test_a_formula_nobody_computed_is_refused_not_read_as_blank(client_for, brand_manager, plan) -> None:
    client = client_for(brand_manager)
    wb = load_workbook(BytesIO(_download(client, plan)))
    wb["Targets"]["D4"] = "=110000*1.1"  # written by a script: no value cached by Excel
    buffer = BytesIO()
    wb.save(buffer)
    body = _upload(client, plan, buffer.getvalue()).content.decode()
    assert "Targets!D4: a formula without a computed value" in body
    assert 'name="token"' not in body
