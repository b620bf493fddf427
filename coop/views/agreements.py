"""Agreement pages: the list, and a detail with terms, tiers, the accrual table, the growth tracker,
the provisional true-up and the projection from the JBP targets."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from coop.forms import CommentForm
from coop.forms import WaiverForm
from coop.models import CoopAgreement
from coop.selectors import agreements as selectors
from coop.selectors.invoices import invoice_list
from coop.services import agreements as services
from coop.services import backup as backup_services
from coop.services.invoices import RECORD_ROLES
from coop.views.common import current_brand
from coop.views.common import run_service
from planning.models import Membership
from planning.roles import user_roles


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    agreements = selectors.agreement_list(
        user=request.user,
        brand=current_brand(request),
        status=params.get("status", ""),
        agreement_type=params.get("type", ""),
        search=params.get("q", "").strip(),
    )
    page = Paginator(agreements, 50).get_page(params.get("page"))
    return render(
        request,
        "coop/agreement_list.html",
        {
            "page": page,
            "statuses": CoopAgreement.Status.choices,
            "types": CoopAgreement.Type.choices,
            "filters": params,
            "trackers": selectors.growth_tracker_list(user=request.user, brand=current_brand(request)),
        },
    )


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    accruals = selectors.accrual_list(user=request.user, agreement=agreement)
    context: dict[str, Any] = {
        "agreement": agreement,
        "tiers": list(agreement.tiers.all()),
        "accruals": accruals,
        "accrual_total": accruals.aggregate(total=Sum("expected_amount"))["total"],
        "invoices": invoice_list(user=request.user, agreement_id=agreement.pk)[:50],
        "history": _history(agreement),
        "roles": user_roles(request.user, agreement.vendor_code.brand_id),
        "comment_form": CommentForm(),
        "waivers": agreement.waivers.select_related("created_by", "withdrawn_by").order_by("period_start", "id"),
        "waiver_form": WaiverForm(),
    }
    if agreement.is_growth and agreement.end_date:
        context["tracker"] = selectors.growth_tracker(user=request.user, agreement_id=agreement.pk)
    if agreement.supersedes_id:
        rows = selectors.agreement_true_up(agreement=agreement)
        context["true_up"] = rows
        context["true_up_total"] = selectors.true_up_total(rows)
    if agreement.jbp_id:
        context["projection"] = selectors.accrual_projection(agreement=agreement)
    roles = context["roles"]
    context["can_accept"] = (
        Membership.Role.FINANCE_APPROVER in roles and agreement.status == CoopAgreement.Status.PENDING_ACCEPTANCE
    )
    context["can_recompute"] = bool(roles - {Membership.Role.VIEWER})
    context["can_waive"] = bool(roles & set(RECORD_ROLES))
    return render(request, "coop/agreement_detail.html", context)


def _history(agreement: CoopAgreement) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from coop.models import AuditRecord

    return (
        AuditRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(CoopAgreement), object_id=agreement.pk
        )
        .select_related("actor")
        .order_by("at", "id")
    )


@login_required
@require_POST
def agreement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    user = cast(Any, request.user)
    comment = request.POST.get("comment", "").strip()
    if action == "accept":
        run_service(request, lambda: services.agreement_accept(agreement=agreement, user=user), success="Accepted.")
    elif action == "reject":
        run_service(
            request,
            lambda: services.agreement_reject(agreement=agreement, user=user, comment=comment),
            success="Rejected.",
        )
    elif action == "recompute":
        run_service(
            request,
            lambda: services.agreement_recompute(agreement=agreement, user=user),
            success="Accruals recomputed from the imported facts.",
        )
    elif action == "waive":
        form = WaiverForm(request.POST)
        if form.is_valid():
            run_service(
                request,
                lambda: backup_services.waiver_record(agreement=agreement, user=user, **form.cleaned_data),
                success="Waiver recorded; the agreement's invoices were checked again.",
            )
        else:
            messages.error(request, "Give the waived period's dates and who agreed it.")
    elif action == "withdraw-waiver":
        waiver = get_object_or_404(agreement.waivers.all(), pk=request.POST.get("waiver"))
        run_service(
            request,
            lambda: backup_services.waiver_withdraw(waiver=waiver, user=user, reason=comment),
            success="Waiver withdrawn; the agreement's invoices were checked again.",
        )
    else:
        raise Http404("Unknown action.")
    return redirect("coop-agreement-detail", pk=pk)
