"""Co-op invoice pages: the list with variance badges and a detail with the audit flags, deductions,
disputes and history; actions call the invoice and dispute services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from coop.forms import CommentForm
from coop.forms import DisputeOpenForm
from coop.models import CoopInvoice
from coop.models import Dispute
from coop.selectors import invoices as selectors
from coop.services import disputes as dispute_services
from coop.services import invoices as services
from coop.views.common import current_brand
from coop.views.common import run_service
from planning.roles import user_roles


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    invoices = selectors.invoice_list(
        user=request.user,
        brand=current_brand(request),
        status=params.get("status", ""),
        flagged_only=params.get("flagged") == "1",
        search=params.get("q", "").strip(),
    )
    page = Paginator(invoices, 50).get_page(params.get("page"))
    return render(
        request,
        "coop/invoice_list.html",
        {"page": page, "statuses": CoopInvoice.Status.choices, "filters": params},
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    roles = user_roles(request.user, invoice.vendor_code.brand_id)
    suggested = abs(invoice.variance_amount) if invoice.variance_amount else abs(invoice.amount)
    return render(
        request,
        "coop/invoice_detail.html",
        {
            "invoice": invoice,
            "deductions": list(invoice.deductions.all()),
            "disputes": list(invoice.disputes.order_by("attempt_no")),
            "history": selectors.invoice_history(invoice=invoice),
            "can_record": bool(roles & set(services.RECORD_ROLES)),
            "can_decide": bool(roles & set(services.DECIDE_ROLES)),
            "can_dispute": bool(roles & set(dispute_services.DISPUTE_ROLES))
            and invoice.status in dispute_services.DISPUTABLE_INVOICE_STATUSES
            and not invoice.disputes.filter(status__in=Dispute.OPEN_STATUSES).exists(),
            "dispute_form": DisputeOpenForm(initial={"amount_claimed": suggested.quantize(Decimal("0.01"))}),
            "comment_form": CommentForm(),
        },
    )


@login_required
@require_POST
def invoice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    user = cast(Any, request.user)
    comment = request.POST.get("comment", "").strip()
    if action == "reconcile":
        run_service(
            request,
            lambda: services.invoice_reconcile(invoice=invoice, user=user),
            success="Matched and checked again.",
        )
    elif action == "accept":
        run_service(
            request,
            lambda: services.invoice_accept_variance(invoice=invoice, user=user, comment=comment),
            success="Variance accepted; the invoice is OK.",
        )
    elif action == "close":
        run_service(request, lambda: services.invoice_close(invoice=invoice, user=user), success="Closed.")
    elif action == "dispute":
        form = DisputeOpenForm(request.POST)
        if form.is_valid():
            dispute = run_service(
                request,
                lambda: dispute_services.dispute_open(
                    user=user,
                    invoice=invoice,
                    amount_claimed=form.cleaned_data["amount_claimed"],
                    reason=form.cleaned_data["reason"],
                ),
                success="Dispute drafted. Add evidence, then file it in Vendor Central and mark it submitted.",
            )
            if dispute is not None:
                return redirect("coop-dispute-detail", pk=dispute.pk)
        else:
            run_service(request, lambda: _invalid(form), success="")
    else:
        raise Http404("Unknown action.")
    return redirect("coop-invoice-detail", pk=pk)


def _invalid(form: DisputeOpenForm) -> None:
    from core.exceptions import ApplicationError

    errors = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items())
    raise ApplicationError(f"The dispute was not opened: {errors}")
