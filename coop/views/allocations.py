"""Fund allocation pages: the finance approval inbox, list, request/edit form and detail with
approve/reject through htmx (the services enforce maker-checker; the page only explains)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coop.forms import AllocationForm
from coop.forms import AllocationLineFormSet
from coop.forms import CommentForm
from coop.forms import lines_from_formset
from coop.models import FundAllocation
from coop.selectors import allocations as selectors
from coop.services import allocations as services
from coop.views.common import current_brand
from coop.views.common import run_service
from planning.models import Brand
from planning.models import JBPPlan
from planning.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ACTIONS = {"submit", "approve", "reject", "amend", "close"}


@login_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    waiting = selectors.approval_inbox(user=request.user, brand=current_brand(request))
    return render(request, "coop/approval_inbox.html", {"allocations": waiting})


@login_required
def allocation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    allocations = selectors.allocation_list(
        user=request.user, brand=current_brand(request), status=status, search=request.GET.get("q", "").strip()
    )
    page = Paginator(allocations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "coop/allocation_list.html",
        {"page": page, "statuses": FundAllocation.Status.choices, "filters": request.GET},
    )


def _maker_brands(request: HttpRequest) -> QuerySet[Brand]:
    roles = [role.value for role in services.MAKER_ROLES]
    ids = Membership.objects.filter(user_id=cast(int, request.user.pk), role__in=roles).values("brand_id")
    return Brand.objects.filter(pk__in=ids).order_by("name")


def _plans(request: HttpRequest) -> QuerySet[JBPPlan]:
    return JBPPlan.objects.for_user(request.user).exclude(status=JBPPlan.Status.SUPERSEDED).order_by("-period_start")


@login_required
def allocation_create(request: HttpRequest) -> HttpResponse:
    brands = _maker_brands(request)
    brand = current_brand(request)
    if brand is None and brands.count() == 1:  # one brand to choose from: choose it
        brand = brands.get()
    initial = {"brand": brand, "currency": brand.default_currency if brand else "USD"}
    form = AllocationForm(request.POST or None, brands=brands, plans=_plans(request), initial=initial)
    formset = AllocationLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        allocation = run_service(
            request,
            lambda: services.allocation_create(
                brand=data["brand"],
                user=request.user,  # type: ignore[arg-type]
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                currency=data["currency"],
                total_amount=data["total_amount"],
                lines=lines_from_formset(formset),
                notes=data["notes"],
                plan=data["plan"],
            ),
            success="Draft saved. Send it for finance approval when the lines are final.",
        )
        if allocation is not None:
            return redirect("coop-allocation-detail", pk=allocation.pk)
    return render(request, "coop/allocation_form.html", {"form": form, "formset": formset, "allocation": None})


@login_required
def allocation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = selectors.allocation_get(user=request.user, pk=pk)
    if not allocation.is_editable:
        raise Http404("Only drafts and amendment drafts can be edited.")
    initial = {
        "brand": allocation.brand,
        "title": allocation.title,
        "plan": allocation.plan,
        "period_start": allocation.period_start,
        "period_end": allocation.period_end,
        "currency": allocation.currency,
        "total_amount": allocation.total_amount,
        "notes": allocation.notes,
    }
    lines = [
        {
            "bucket": line.bucket,
            "description": line.description,
            "amount": line.amount,
            "brand_share_pct": line.brand_share_pct,
        }
        for line in allocation.lines.all()
    ]
    form = AllocationForm(
        request.POST or None,
        brands=Brand.objects.filter(pk=allocation.brand_id),
        plans=_plans(request),
        initial=initial,
    )
    form.fields["brand"].disabled = True
    form.fields["currency"].disabled = True
    formset = AllocationLineFormSet(request.POST or None, prefix="lines", initial=lines)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        updated = run_service(
            request,
            lambda: services.allocation_update(
                allocation=allocation,
                user=request.user,  # type: ignore[arg-type]
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                total_amount=data["total_amount"],
                notes=data["notes"],
                lines=lines_from_formset(formset),
            ),
            success="Changes saved.",
        )
        if updated is not None:
            return redirect("coop-allocation-detail", pk=allocation.pk)
    return render(request, "coop/allocation_form.html", {"form": form, "formset": formset, "allocation": allocation})


def _detail_context(request: HttpRequest, allocation: FundAllocation) -> dict[str, object]:
    lines = list(allocation.lines.all())
    brand_total = sum((line.brand_amount for line in lines), Decimal("0"))
    return {
        "allocation": allocation,
        "lines": lines,
        "brand_total": brand_total,
        "amazon_total": allocation.total_amount - brand_total if lines else None,
        "lines_total": sum((line.amount for line in lines), Decimal("0")),
        "actions": {
            option.action: option for option in selectors.allocation_actions(allocation=allocation, user=request.user)
        },
        "approvals": list(allocation.approvals.all()),
        "round_approvals": [a for a in allocation.approvals.all() if a.round_no == allocation.round_no],
        "history": selectors.allocation_history(allocation=allocation),
        "comment_form": CommentForm(),
    }


@login_required
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = selectors.allocation_get(user=request.user, pk=pk)
    return render(request, "coop/allocation_detail.html", _detail_context(request, allocation))


@login_required
@require_POST
def allocation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow step. htmx requests get the refreshed body back; plain posts are redirected."""
    if action not in ACTIONS:
        raise Http404("Unknown action.")
    allocation = selectors.allocation_get(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    comment = form.data.get("comment", "").strip() if form.is_valid() else ""
    user = cast("User", request.user)
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "submit": (lambda: services.allocation_submit(allocation=allocation, user=user), "Sent for finance approval."),
        "approve": (
            lambda: services.allocation_approve(allocation=allocation, user=user, comment=comment),
            "Approval recorded.",
        ),
        "reject": (lambda: services.allocation_reject(allocation=allocation, user=user, comment=comment), "Rejected."),
        "amend": (
            lambda: services.allocation_amend(allocation=allocation, user=user, reason=comment),
            "Amendment started: edit the lines, then send it for approval again.",
        ),
        "close": (lambda: services.allocation_close(allocation=allocation, user=user), "Closed."),
    }
    call, success = calls[action]
    run_service(request, call, success=success)
    if request.htmx:  # type: ignore[attr-defined]
        refreshed = selectors.allocation_get(user=request.user, pk=pk)
        return render(request, "coop/partials/allocation_body.html", _detail_context(request, refreshed))
    if action == "amend":
        return redirect("coop-allocation-edit", pk=pk)
    return redirect(reverse("coop-allocation-detail", args=[pk]))
