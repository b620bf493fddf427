"""The co-op overview and the ledger page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models import Sum
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coop.models import Accrual
from coop.models import CoopInvoice
from coop.selectors.agreements import growth_tracker_list
from coop.selectors.allocations import approval_inbox
from coop.selectors.disputes import dispute_deadline_list
from coop.selectors.invoices import invoice_list
from coop.selectors.ledger import coop_ledger
from coop.views.common import current_brand
from core.periods import quarter_end
from core.periods import quarter_start
from planning.models import Brand


@login_required
def coop_home(request: HttpRequest) -> HttpResponse:
    brand = current_brand(request)
    today = timezone.localdate()
    year_start = date(today.year, 1, 1)
    accruals = Accrual.objects.for_user(request.user).filter(period_start__gte=year_start)
    flagged = invoice_list(user=request.user, brand=brand, status=CoopInvoice.Status.VARIANCE_FLAGGED)
    if brand is not None:
        accruals = accruals.filter(agreement__vendor_code__brand=brand)
    deadlines = dispute_deadline_list(user=request.user, brand=brand, today=today)
    context: dict[str, Any] = {
        "inbox": list(approval_inbox(user=request.user, brand=brand)[:5]),
        "inbox_count": approval_inbox(user=request.user, brand=brand).count(),
        "flagged": list(flagged[:8]),
        "flagged_count": flagged.count(),
        "flagged_by_currency": list(
            flagged.order_by().values("currency").annotate(total=Sum("variance_amount"), n=Count("id"))
        ),
        "accrued_by_currency": list(
            accruals.order_by().values("currency").annotate(total=Sum("expected_amount"), n=Count("id"))
        ),
        "review_count": accruals.filter(needs_review=True).count(),
        "deadlines": deadlines[:6],
        "due_soon": sum(1 for _, days in deadlines if days <= 7),
        "trackers": growth_tracker_list(user=request.user, brand=brand, today=today),
        "year": today.year,
    }
    return render(request, "coop/home.html", context)


def _parse_date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = _parse_date(request.GET.get("start"), quarter_start(today))
    end = _parse_date(request.GET.get("end"), quarter_end(today))
    if end < start:
        start, end = end, start
    brands = Brand.objects.for_user(request.user).order_by("name")
    chosen = current_brand(request)
    selected = [chosen] if chosen is not None else list(brands)
    sections = [
        (brand, coop_ledger(user=request.user, brand=brand, period_start=start, period_end=end)) for brand in selected
    ]
    return render(
        request,
        "coop/ledger.html",
        {"sections": sections, "start": start, "end": end, "zero": Decimal("0")},
    )
