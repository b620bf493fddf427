"""Dispute pages: the deadline list ordered by urgency, all disputes, and a detail with the
workflow steps and evidence."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coop.forms import DisputeDecisionForm
from coop.forms import EvidenceForm
from coop.models import Dispute
from coop.selectors import disputes as selectors
from coop.services import disputes as services
from coop.views.common import current_brand
from coop.views.common import run_service
from core.exceptions import ApplicationError
from planning.roles import user_roles


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    disputes = selectors.dispute_list(
        user=request.user,
        brand=current_brand(request),
        status=params.get("status", ""),
        dispute_type=params.get("type", ""),
    )
    page = Paginator(disputes, 50).get_page(params.get("page"))
    return render(
        request,
        "coop/dispute_list.html",
        {
            "deadlines": selectors.dispute_deadline_list(user=request.user, brand=current_brand(request)),
            "page": page,
            "statuses": Dispute.Status.choices,
            "types": Dispute.Type.choices,
            "filters": params,
        },
    )


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    today = timezone.localdate()
    roles = user_roles(request.user, dispute.vendor_code.brand_id)
    allowed = services.TRANSITIONS[dispute.status]
    return render(
        request,
        "coop/dispute_detail.html",
        {
            "dispute": dispute,
            "days_left": (dispute.deadline - today).days,
            "deadline_matters": dispute.status in Dispute.ACTIONABLE_STATUSES,
            "filing_opens_in": (dispute.earliest_filing_date - today).days,
            "can_act": bool(roles & set(services.DISPUTE_ROLES)),
            "allowed": dict.fromkeys(allowed, True),
            "evidence": list(dispute.evidence.all()),
            "attempts": _attempts(dispute),
            "history": selectors.dispute_history(dispute=dispute),
            "decision_form": DisputeDecisionForm(),
            "evidence_form": EvidenceForm(),
        },
    )


def _attempts(dispute: Dispute) -> list[Dispute]:
    """Every attempt of the same claim, first to last."""
    first = dispute
    while first.parent_id:
        first = first.parent  # type: ignore[assignment]
    chain = [first]
    while True:
        nxt = Dispute.objects.filter(parent=chain[-1]).first()
        if nxt is None:
            return chain
        chain.append(nxt)


@login_required
@require_POST
def dispute_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    dispute = selectors.dispute_get(user=request.user, pk=pk)
    user = cast(Any, request.user)
    post = request.POST
    note = post.get("note", "").strip()
    target = pk
    if action == "submit":
        run_service(
            request,
            lambda: services.dispute_submit(
                dispute=dispute, user=user, amazon_dispute_id=post.get("amazon_dispute_id", "").strip()
            ),
            success="Marked as filed in Vendor Central.",
        )
    elif action == "pending":
        run_service(
            request,
            lambda: services.dispute_mark_pending(
                dispute=dispute, user=user, amazon_dispute_id=post.get("amazon_dispute_id", "").strip()
            ),
            success="Amazon is reviewing it.",
        )
    elif action == "decision":
        form = DisputeDecisionForm(post)
        if form.is_valid():
            data = form.cleaned_data
            run_service(
                request,
                lambda: services.dispute_record_decision(
                    dispute=dispute,
                    user=user,
                    decision=data["decision"],
                    amount_approved=data["amount_approved"],
                    note=data["note"],
                ),
                success="Amazon's decision recorded.",
            )
        else:
            run_service(request, lambda: _refuse("Choose a decision and a valid amount."), success="")
    elif action == "redispute":
        child = run_service(
            request,
            lambda: services.dispute_redispute(dispute=dispute, user=user, reason=note),
            success="Re-dispute drafted as the next attempt.",
        )
        if child is not None:
            target = child.pk
    elif action == "cancel":
        run_service(request, lambda: services.dispute_cancel(dispute=dispute, user=user, reason=note), success="Done.")
    elif action in ("cancel-accepted", "cancel-refused"):
        run_service(
            request,
            lambda: services.dispute_cancel_outcome(
                dispute=dispute, user=user, accepted=action == "cancel-accepted", note=note
            ),
            success="Cancellation outcome recorded.",
        )
    elif action == "escalate":
        run_service(
            request, lambda: services.dispute_escalate(dispute=dispute, user=user, note=note), success="Escalated."
        )
    elif action == "close":
        run_service(request, lambda: services.dispute_close(dispute=dispute, user=user, note=note), success="Closed.")
    elif action == "evidence":
        upload = EvidenceForm(post, request.FILES)
        if upload.is_valid():
            run_service(
                request,
                lambda: services.dispute_add_evidence(
                    dispute=dispute,
                    user=user,
                    file=upload.cleaned_data["file"],
                    description=upload.cleaned_data["description"],
                ),
                success="Evidence added.",
            )
        else:
            run_service(request, lambda: _refuse("Choose a file to upload."), success="")
    else:
        raise Http404("Unknown action.")
    return redirect("coop-dispute-detail", pk=target)


def _refuse(message: str) -> None:
    raise ApplicationError(message)
