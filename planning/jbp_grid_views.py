"""The JBP target grid pages: the month grid, its htmx autosave, the server's reading of pasted blocks,
top-down allocation, and the XLSX template round trip (download, upload, preview, confirm).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from planning import jbp_grid as grid_sel
from planning.exports import XLSX_CONTENT_TYPE
from planning.jbp_forms import UploadForm
from planning.jbp_models import METRIC_INFO
from planning.jbp_models import RATIO
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPTarget
from planning.jbp_models import Metric
from planning.jbp_models import metric_kind
from planning.jbp_paste import detect_decimal_separator
from planning.jbp_paste import parse_block
from planning.jbp_paste import parse_number
from planning.jbp_services import jbp_targets_upsert
from planning.jbp_views import attempt
from planning.jbp_views import form_errors
from planning.jbp_views import plan_or_404
from planning.jbp_views import roles_in
from planning.jbp_xlsx import read_targets_workbook
from planning.jbp_xlsx import write_targets_workbook
from planning.services import EDITOR_ROLES

Dim = JBPTarget.DimensionType
UPLOAD_SALT = "planning.jbp.upload"
GRID_DIMENSIONS = (Dim.CATEGORY, Dim.ASIN, Dim.VENDOR_CODE, Dim.TOTAL)


# --- the target grid ----------------------------------------------------------------------------------


def _grid_params(request: HttpRequest, plan: JBPPlan) -> tuple[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    metric = source.get("metric") or Metric.SHIPPED_COGS
    dimension = source.get("dim") or ""
    if metric not in METRIC_INFO:
        raise Http404("Unknown metric")
    if not dimension:
        # Open the grid on the dimension the plan already uses for this metric, else categories.
        used = plan.targets.filter(metric=metric, period_type=JBPTarget.PeriodType.MONTH).values_list(
            "dimension_type", flat=True
        )
        dimension = used.first() or Dim.CATEGORY
    if dimension not in Dim.values:
        raise Http404("Unknown dimension")
    return metric, dimension


def _cell_text(value: Decimal | None, metric: str) -> str:
    """How a cell shows in the grid input: grouped thousands, cents for money, plain percent for ratios."""
    if value is None:
        return ""
    kind = metric_kind(metric)
    if kind == RATIO:
        return f"{value.normalize():f}"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


@login_required
def plan_grid(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    metric, dimension = _grid_params(request, plan)
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    can_edit = grid.editable and bool(roles_in(request, plan) & EDITOR_ROLES)
    rows = [
        {
            "row": row,
            "cells": [
                (column, _cell_text(value, metric)) for column, value in zip(grid.columns, row.cells, strict=True)
            ],
            "total": _cell_text(row.total, metric) if grid.additive else "",
        }
        for row in grid.rows
    ]
    quarters = [(label, cols[0].start, cols[-1].start) for label, cols in grid.quarters]
    metric_counts = dict(plan.targets.values_list("metric").order_by().annotate(n=Count("id")))
    config = {
        "metric": metric,
        "dim": dimension,
        "kind": metric_kind(metric),
        "additive": grid.additive,
        "editable": can_edit,
        "columns": [column.key for column in grid.columns],
        "rows": [row.key for row in grid.rows],
        "urls": {
            "paste": reverse("plan-grid-paste", args=[plan.pk]),
            "allocate": reverse("plan-grid-allocate", args=[plan.pk]),
        },
    }
    return render(
        request,
        "planning/jbp/plan_grid.html",
        {
            "plan": plan,
            "grid": grid,
            "rows": rows,
            "column_totals": [_cell_text(v, metric) for v in grid.column_totals] if grid.additive else [],
            "grand_total": _cell_text(grid.grand_total, metric) if grid.additive else "",
            "metric": metric,
            "metric_label": Metric(metric).label,
            "dimension": dimension,
            "metrics": [(m, label, metric_counts.get(m, 0)) for m, label in Metric.choices],
            "dimensions": [(d, Dim(d).label) for d in GRID_DIMENSIONS],
            "quarters": quarters,
            "whole_period": (grid.columns[0].start, grid.columns[-1].start) if grid.columns else None,
            "dimension_label": Dim(dimension).label,
            "methods": grid_sel.ALLOCATION_METHODS.items(),
            "can_edit": can_edit,
            "config": config,
            "upload_form": UploadForm(),
        },
    )


def _parse_cell(raw: str) -> Decimal | None:
    value, _percent = parse_number(raw, detect_decimal_separator([raw]))
    return value


@login_required
@require_POST
def plan_grid_save(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx autosave of the changed cells; answers with the status line and, in HX-Trigger, which cells
    were saved and which were refused (with the reason) so the grid can mark them."""
    plan = plan_or_404(request, pk)
    metric, dimension = _grid_params(request, plan)
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    try:
        posted = json.loads(request.POST.get("cells") or "[]")
    except json.JSONDecodeError:
        posted = None
    if not isinstance(posted, list):
        return HttpResponse("Could not read the changed cells.", status=400)
    errors: list[dict[str, str]] = []
    cells: list[tuple[str, str, Decimal | None]] = []
    for item in posted:
        row, col, raw = str(item.get("row", "")), str(item.get("col", "")), str(item.get("value", ""))
        try:
            cells.append((row, col, _parse_cell(raw)))
        except ValueError as exc:
            errors.append({"row": row, "col": col, "message": str(exc)})
    saved: list[dict[str, str]] = []
    status = 200
    try:
        result = jbp_targets_upsert(
            plan=plan, user=request.user, rows=grid_sel.grid_rows_for_service(grid, cells), atomic=False
        )
    except (ApplicationError, PermissionRefused) as exc:
        message = exc.message
        status = 403 if isinstance(exc, PermissionRefused) else 409
        errors.extend({"row": r, "col": c, "message": message} for r, c, _ in cells)
        result = None
    if result is not None:
        refused = {e.row for e in result.errors}
        for index, (row, col, value) in enumerate(cells):
            if index in refused:
                message = "; ".join(e.message for e in result.errors if e.row == index)
                errors.append({"row": row, "col": col, "message": message})
            else:
                saved.append({"row": row, "col": col, "value": _cell_text(value, metric)})
    response = render(
        request,
        "planning/jbp/partials/save_status.html",
        {"saved_at": timezone.now(), "saved": saved, "errors": errors},
        status=status,
    )
    response["HX-Trigger"] = json.dumps({"jbpSaved": {"saved": saved, "errors": errors}})
    return response


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


@login_required
@require_POST
def plan_grid_paste(request: HttpRequest, pk: int) -> JsonResponse:
    """The server's reading of a pasted block: values placed from the anchor cell, errors per cell."""
    plan = plan_or_404(request, pk)
    body = _json_body(request)
    metric = str(body.get("metric", ""))
    dimension = str(body.get("dim", ""))
    if metric not in METRIC_INFO or dimension not in Dim.values:
        return JsonResponse({"message": "Unknown metric or dimension."}, status=400)
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    row_keys = [row.key for row in grid.rows]
    col_keys = [column.key for column in grid.columns]
    try:
        first_row = row_keys.index(str(body.get("row", "")))
        first_col = col_keys.index(str(body.get("col", "")))
    except ValueError:
        return JsonResponse({"message": "Click the cell where the block should start, then paste."}, status=400)
    result = parse_block(str(body.get("text", ""))[:200_000], default_decimal=str(body.get("decimal") or "."))
    kind = metric_kind(metric)
    # When the block carries its own row labels and every one names a row of the grid (the user copied
    # the category or ASIN column too), rows land by name whatever their order; otherwise by position.
    by_label = {row.label.casefold(): index for index, row in enumerate(grid.rows)}
    by_label.update({row.key.casefold(): index for index, row in enumerate(grid.rows)})
    labels = [label.casefold() for label in result.row_labels]
    use_labels = bool(labels) and all(label in by_label for label in labels if label)

    def row_index(r: int) -> int:
        if use_labels and r < len(labels) and labels[r]:
            return by_label[labels[r]]
        return first_row + r

    cells: list[dict[str, str]] = []
    errors = [
        {
            **error.as_dict(),
            "target_row": _at(row_keys, row_index(error.row - result.first_row)),
            "target_col": _at(col_keys, first_col + error.column - result.first_column),
        }
        for error in result.errors
    ]
    refused = {(e.row - result.first_row, e.column - result.first_column) for e in result.errors}
    outside = 0
    for r, values in enumerate(result.values):
        for c, value in enumerate(values):
            if (r, c) in refused:
                continue
            row_i, col_i = row_index(r), first_col + c
            if row_i >= len(row_keys) or col_i >= len(col_keys):
                outside += value is not None
                continue
            row_key, col_key = row_keys[row_i], col_keys[col_i]
            problem = ""
            if value is not None and kind == "count" and value != value.to_integral_value():
                problem = "expected whole units"
            elif value is not None and kind == "money" and value != value.quantize(Decimal("0.01")):
                problem = "expected at most 2 decimals (cents)"
            if problem:
                errors.append(
                    {
                        "row": result.first_row + r,
                        "column": result.first_column + c,
                        "value": str(value),
                        "message": problem,
                        "target_row": row_key,
                        "target_col": col_key,
                    }
                )
                continue
            cells.append({"row": row_key, "col": col_key, "value": _cell_text(value, metric)})
    notes = list(result.notes)
    if use_labels:
        notes.append("Rows were matched by their names.")
    if outside:
        notes.append(f"{outside} pasted value{'s' if outside != 1 else ''} fell outside the grid and were left out.")
    if result.percent_cells and kind != RATIO:
        notes.append("Some cells were percentages; they were read as plain numbers.")
    return JsonResponse({"cells": cells, "errors": errors, "notes": notes, "decimal": result.decimal_separator})


def _at(keys: list[str], index: int) -> str:
    return keys[index] if 0 <= index < len(keys) else ""


@login_required
@require_POST
def plan_grid_allocate(request: HttpRequest, pk: int) -> JsonResponse:
    """Spread a total over months by last year's mix, seasonal weights or evenly; exact to the cent."""
    plan = plan_or_404(request, pk)
    body = _json_body(request)
    metric, dimension = str(body.get("metric", "")), str(body.get("dim", ""))
    if metric not in METRIC_INFO or dimension not in Dim.values:
        return JsonResponse({"message": "Unknown metric or dimension."}, status=400)
    try:
        total = _parse_cell(str(body.get("total", "")))
        first = date.fromisoformat(str(body.get("first", "")))
        last = date.fromisoformat(str(body.get("last", "")))
    except ValueError as exc:
        return JsonResponse({"message": f"Total: {exc}" if "number" in str(exc) else "Pick the months."}, status=400)
    if total is None:
        return JsonResponse({"message": "Type the total to spread."}, status=400)
    try:
        result = grid_sel.jbp_allocation(
            plan=plan,
            metric=metric,
            dimension_type=dimension,
            dimension_value=str(body.get("row", "")),
            first=first,
            last=last,
            total=total,
            method=str(body.get("method", "")),
        )
    except ApplicationError as exc:
        return JsonResponse({"message": exc.message}, status=400)
    row = str(body.get("row", ""))
    return JsonResponse(
        {
            "cells": [
                {"row": row, "col": column.key, "value": _cell_text(value, metric)}
                for column, value in zip(result.columns, result.values, strict=True)
            ],
            "method": grid_sel.ALLOCATION_METHODS[result.method],
            "note": result.note,
        }
    )


@login_required
def plan_grid_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    metric, dimension = _grid_params(request, plan)
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    content = write_targets_workbook(grid)
    name = f"jbp-{plan.brand.name}-{plan.series}-{plan.plan_year}-v{plan.version}-{metric.lower()}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name.replace(" ", "_")}"'
    return response


@login_required
def plan_grid_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled template: first a preview of every difference, then (confirm) apply them."""
    plan = plan_or_404(request, pk)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("plan-grid", args=[plan.pk]))
    if request.POST.get("confirm"):
        return _apply_upload(request, plan)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return HttpResponseRedirect(reverse("plan-grid", args=[plan.pk]))
    upload = form.cleaned_data["file"]
    read = read_targets_workbook(upload, filename=upload.name)
    errors = [f"{upload.name} {e.cell}: {e.message}" + (f" (got {e.value!r})" if e.value else "") for e in read.errors]
    if read.plan_id is not None and read.plan_id != plan.pk:
        errors.append(f"{upload.name}: this template belongs to plan #{read.plan_id}, not #{plan.pk}.")
    metric = read.metric if read.metric in METRIC_INFO else Metric.SHIPPED_COGS
    dimension = read.dimension_type if read.dimension_type in Dim.values else Dim.CATEGORY
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    known_columns = {column.key for column in grid.columns}
    stray = sorted({col for _, col in read.cells} - known_columns)
    if stray:
        errors.append(f"{upload.name}: months {', '.join(stray)} are outside this plan's period.")
    changes = [] if errors else grid_sel.jbp_grid_changes(grid, read.cells, read.labels)
    token = signing.dumps(
        {
            "plan": plan.pk,
            "metric": metric,
            "dim": dimension,
            "changes": [[c.row_key, c.column.key, _num(c.old), _num(c.new)] for c in changes],
        },
        salt=UPLOAD_SALT,
    )
    return render(
        request,
        "planning/jbp/upload_preview.html",
        {
            "plan": plan,
            "grid": grid,
            "metric_label": Metric(metric).label,
            "filename": upload.name,
            "errors": errors,
            "changes": changes,
            "token": token,
            "can_edit": plan.is_editable and bool(roles_in(request, plan) & EDITOR_ROLES),
        },
    )


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _apply_upload(request: HttpRequest, plan: JBPPlan) -> HttpResponse:
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=UPLOAD_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "The preview expired or was altered; upload the file again.")
        return HttpResponseRedirect(reverse("plan-grid", args=[plan.pk]))
    if payload.get("plan") != plan.pk:
        raise Http404("Preview of another plan")
    metric, dimension = payload["metric"], payload["dim"]
    grid = grid_sel.jbp_grid(plan=plan, metric=metric, dimension_type=dimension)
    grid_url = reverse("plan-grid", args=[plan.pk]) + f"?metric={metric}&dim={dimension}"
    current = {
        (row.key, col.key): value for row in grid.rows for col, value in zip(grid.columns, row.cells, strict=True)
    }
    stale = [
        (row, col)
        for row, col, old, _new in payload["changes"]
        if (current.get((row, col)) is None) != (old is None)
        or (old is not None and current.get((row, col)) != Decimal(old))
    ]
    if stale:
        messages.error(request, "Targets changed since the preview; upload the file again to see the new differences.")
        return HttpResponseRedirect(grid_url)
    cells = [(row, col, None if new is None else Decimal(new)) for row, col, _old, new in payload["changes"]]
    result = attempt(
        request,
        lambda: jbp_targets_upsert(plan=plan, user=request.user, rows=grid_sel.grid_rows_for_service(grid, cells)),
        "",
    )
    if result is not None:
        messages.success(
            request,
            f"Applied {len(cells)} change{'s' if len(cells) != 1 else ''} from the upload "
            f"({result.created} added, {result.updated} changed, {result.deleted} cleared).",
        )
    return HttpResponseRedirect(grid_url)
