"""Pages of the reviews app: review list, the MBR page (live or frozen), its XLSX export, action items
(htmx partials), and the ASIN trend page. Views orchestrate; services write, selectors read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models import Q
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.periods import add_months
from core.periods import month_start
from core.periods import parse_month
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.roles import has_role
from planning.scoping import get_for_user_or_404
from reviews import mbr_hooks
from reviews.exports import mbr_workbook
from reviews.forms import ActionItemForm
from reviews.forms import ActionItemStatusForm
from reviews.forms import ReviewCreateForm
from reviews.models import ActionItem
from reviews.models import BusinessReview
from reviews.models import Dimension
from reviews.models import Grain
from reviews.models import Rollup
from reviews.selectors.asin import asin_trend_data
from reviews.selectors.mbr import MbrData
from reviews.selectors.mbr import MbrFilters
from reviews.selectors.mbr import _disputes
from reviews.selectors.mbr import cached_mbr_data
from reviews.selectors.mbr import mbr_data
from reviews.selectors.mbr import restatements
from reviews.services.business_reviews import ACTION_ROLES
from reviews.services.business_reviews import REVIEW_ROLES
from reviews.services.business_reviews import action_item_create
from reviews.services.business_reviews import action_item_update
from reviews.services.business_reviews import review_create
from reviews.services.business_reviews import review_transition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _last_complete_month(today: date) -> date:
    return add_months(month_start(today), -1)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    brand: Brand | None = getattr(request, "brand", None)
    reviews = (
        BusinessReview.objects.for_user(request.user)
        .select_related("brand", "marketplace")
        .annotate(open_actions=Count("action_items", filter=Q(action_items__status__in=ActionItem.OPEN_STATUSES)))
        .order_by("-month", "brand__name", "review_type")
    )
    if brand is not None:
        reviews = reviews.filter(brand=brand)
    form = ReviewCreateForm(request.POST or None, user=request.user, brand=brand)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_create(
                user=request.user,
                brand=form.cleaned_data["brand"],
                month=form.cleaned_data["month"],
                marketplace=form.cleaned_data["marketplace"],
                review_type=form.cleaned_data["review_type"],
                meeting_date=form.cleaned_data["meeting_date"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{review} scheduled.")
            return redirect("review-detail", pk=review.pk)
    brands = list(Brand.objects.for_user(request.user).order_by("name")) if brand is None else [brand]
    last_month = _last_complete_month(timezone.localdate())
    context = {
        "reviews": list(reviews[:200]),
        "form": form,
        "quick_links": [
            {"brand": b, "url": reverse("mbr-live", args=[b.pk, f"{last_month:%Y-%m}"]), "month": last_month}
            for b in brands
        ],
        "can_schedule": any(has_role(request.user, b.pk, REVIEW_ROLES) for b in brands),
    }
    return render(request, "reviews/review_list.html", context)


def _views_available(vendor_code_ids: list[int], month: date) -> list[tuple[str, str]]:
    pairs = (
        Rollup.objects.filter(
            vendor_code_id__in=vendor_code_ids, grain=Grain.MONTH, dimension=Dimension.TOTAL, period_start=month
        )
        .exclude(distributor_view="", selling_program="")
        .values_list("distributor_view", "selling_program")
        .distinct()
    )
    return sorted(set(pairs))


def _categories(vendor_code_ids: list[int], month: date) -> list[str]:
    values = (
        Rollup.objects.filter(
            vendor_code_id__in=vendor_code_ids, grain=Grain.MONTH, dimension=Dimension.CATEGORY, period_start=month
        )
        .values_list("dimension_value", flat=True)
        .distinct()
    )
    return sorted(v for v in set(values) if v)


def _parse_view(text: str) -> tuple[str, str] | None:
    if ":" not in text:
        return None
    view, program = text.split(":", 1)
    return (view, program)


def _actions(
    brand: Brand, review: BusinessReview | None, marketplace: Marketplace | None
) -> tuple[list[ActionItem], list[ActionItem]]:
    """The review's own action items, and open ones carried from earlier reviews of the same scope."""
    if review is None:
        return [], []
    items = list(
        ActionItem.objects.filter(
            Q(review=review)
            | Q(
                review__brand=brand,
                review__marketplace=marketplace,
                review__month__lt=review.month,
                status__in=ActionItem.OPEN_STATUSES,
            )
        )
        .select_related("owner", "review")
        .order_by("due_date", "pk")
    )
    own = [i for i in items if i.review_id == review.pk]
    carried = [i for i in items if i.review_id != review.pk]
    return own, carried


def _render_mbr(
    request: HttpRequest,
    *,
    brand: Brand,
    month: date,
    marketplace: Marketplace | None,
    review: BusinessReview | None,
) -> HttpResponse:
    category = request.GET.get("category", "").strip()
    view = _parse_view(request.GET.get("view", ""))
    filtered = bool(category or view)
    changed: list[dict[str, Any]] = []
    if review is not None and review.is_frozen and not filtered:
        data = MbrData.from_snapshot(review.metrics_snapshot or {})
        source = "snapshot"
        changed = restatements(review)
    else:
        data = cached_mbr_data(
            filters=MbrFilters(brand=brand, month=month, marketplace=marketplace, category=category, view=view),
            user=request.user,
        )
        source = "live"
    codes = list(VendorCode.objects.filter(brand=brand).select_related("marketplace"))
    scope_ids = [vc.pk for vc in codes if marketplace is None or vc.marketplace_id == marketplace.pk]
    own, carried = _actions(brand, review, marketplace)
    can_act = has_role(request.user, brand.pk, ACTION_ROLES)
    can_move = has_role(request.user, brand.pk, REVIEW_ROLES)
    base_url = (
        reverse("review-detail", args=[review.pk]) if review else reverse("mbr-live", args=[brand.pk, f"{month:%Y-%m}"])
    )
    query = request.GET.urlencode()
    context = {
        "brand": brand,
        "month": month,
        "marketplace": marketplace,
        "review": review,
        "data": data,
        "sections": {s["key"]: s for s in data.sections},
        "source": source,
        "changed": changed,
        "category": category,
        "view_param": request.GET.get("view", ""),
        "categories": _categories(scope_ids, month),
        "views": _views_available(scope_ids, month),
        "marketplaces": sorted({vc.marketplace for vc in codes}, key=lambda m: m.country_code),
        "own_actions": own,
        "carried_actions": carried,
        "action_form": ActionItemForm(review=review) if review and can_act else None,
        "status_choices": ActionItem.Status.choices,
        "can_act": can_act,
        "can_move": can_move,
        "alerts": mbr_hooks.open_alerts(brand.pk, marketplace.pk if marketplace else None, month),
        "disputes": _disputes([vc for vc in codes if vc.pk in scope_ids], timezone.localdate()),
        "transitions": list(review.transitions.select_related("actor")) if review else [],
        "existing_review": None,
        "base_url": base_url,
        "export_url": f"{base_url}export.xlsx" + (f"?{query}" if query else ""),
        "prev_url": reverse("mbr-live", args=[brand.pk, f"{add_months(month, -1):%Y-%m}"]),
        "next_url": reverse("mbr-live", args=[brand.pk, f"{add_months(month, 1):%Y-%m}"]),
        "chart_data": data.charts,
        "today": timezone.localdate(),
    }
    if review is None:
        context["existing_review"] = (
            BusinessReview.objects.filter(brand=brand, month=month, marketplace=marketplace)
            .order_by("review_type")
            .first()
        )
    return render(request, "reviews/mbr.html", context)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_user_or_404(BusinessReview.objects.select_related("brand", "marketplace"), request.user, pk=pk)
    return _render_mbr(request, brand=review.brand, month=review.month, marketplace=review.marketplace, review=review)


def _live_scope(request: HttpRequest, brand_id: int, month_text: str) -> tuple[Brand, date, Marketplace | None]:
    brand = get_for_user_or_404(Brand.objects.all(), request.user, pk=brand_id)
    try:
        month = parse_month(month_text)
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    marketplace = None
    market = request.GET.get("marketplace", "")
    if market:
        marketplace = Marketplace.objects.filter(pk=market, vendor_codes__brand=brand).distinct().first()
        if marketplace is None:
            raise Http404("The brand has no vendor code in that marketplace.")
    return brand, month, marketplace


@login_required
def mbr_live(request: HttpRequest, brand_id: int, month: str) -> HttpResponse:
    brand, month_date, marketplace = _live_scope(request, brand_id, month)
    return _render_mbr(request, brand=brand, month=month_date, marketplace=marketplace, review=None)


def _workbook_response(data: MbrData, name: str, review: BusinessReview | None = None) -> HttpResponse:
    items: list[dict[str, Any]] = []
    if review is not None:
        own, carried = _actions(review.brand, review, review.marketplace)
        items = [
            {
                "title": item.title,
                "owner": item.owner.get_full_name() or item.owner.get_username(),
                "due_date": item.due_date.isoformat(),
                "status": item.get_status_display() + ("" if item.review_id == review.pk else " (carried over)"),
            }
            for item in (*own, *carried)
        ]
    response = HttpResponse(mbr_workbook(data, items), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_name(data: MbrData) -> str:
    brand = "".join(c if c.isalnum() else "-" for c in data.meta["brand"]).strip("-")
    scope = "all" if data.meta.get("marketplace_id") is None else data.meta["marketplace"].split(".")[-1]
    return f"MBR-{brand}-{data.meta['month'][:7]}-{scope}.xlsx"


@login_required
def review_export(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_user_or_404(BusinessReview.objects.select_related("brand", "marketplace"), request.user, pk=pk)
    category = request.GET.get("category", "").strip()
    view = _parse_view(request.GET.get("view", ""))
    if review.is_frozen and not (category or view):
        data = MbrData.from_snapshot(review.metrics_snapshot or {})
    else:
        data = mbr_data(
            filters=MbrFilters(
                brand=review.brand, month=review.month, marketplace=review.marketplace, category=category, view=view
            ),
            user=request.user,
        )
    return _workbook_response(data, _export_name(data), review)


@login_required
def mbr_live_export(request: HttpRequest, brand_id: int, month: str) -> HttpResponse:
    brand, month_date, marketplace = _live_scope(request, brand_id, month)
    data = mbr_data(
        filters=MbrFilters(
            brand=brand,
            month=month_date,
            marketplace=marketplace,
            category=request.GET.get("category", "").strip(),
            view=_parse_view(request.GET.get("view", "")),
        ),
        user=request.user,
    )
    return _workbook_response(data, _export_name(data))


@login_required
@require_POST
def review_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_user_or_404(BusinessReview.objects.all(), request.user, pk=pk)
    try:
        review = review_transition(
            review=review,
            user=request.user,
            to_status=request.POST.get("to_status", ""),
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Review moved to {review.get_status_display().lower()}.")
    return redirect("review-detail", pk=pk)


def _actions_partial(request: HttpRequest, review: BusinessReview, form: ActionItemForm | None = None) -> HttpResponse:
    own, carried = _actions(review.brand, review, review.marketplace)
    can_act = has_role(request.user, review.brand_id, ACTION_ROLES)
    return render(
        request,
        "reviews/partials/action_items.html",
        {
            "review": review,
            "own_actions": own,
            "carried_actions": carried,
            "action_form": form or (ActionItemForm(review=review) if can_act else None),
            "status_choices": ActionItem.Status.choices,
            "can_act": can_act,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_user_or_404(BusinessReview.objects.select_related("brand", "marketplace"), request.user, pk=pk)
    form = ActionItemForm(request.POST, review=review)
    if form.is_valid():
        try:
            action_item_create(
                review=review,
                user=request.user,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            form = None  # type: ignore[assignment]
    if request.headers.get("HX-Request"):
        return _actions_partial(request, review, form)
    if form is not None and form.errors:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('review-detail', args=[pk])}#actions")


@login_required
@require_POST
def action_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user_or_404(
        ActionItem.objects.select_related("review__brand", "review__marketplace"), request.user, pk=pk
    )
    form = ActionItemStatusForm(request.POST)
    review_id = int(request.POST.get("review") or item.review_id)
    review = get_for_user_or_404(
        BusinessReview.objects.select_related("brand", "marketplace"), request.user, pk=review_id
    )
    if form.is_valid():
        try:
            action_item_update(item=item, user=request.user, status=form.cleaned_data["status"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
    if request.headers.get("HX-Request"):
        return _actions_partial(request, review)
    return redirect(f"{reverse('review-detail', args=[review.pk])}#actions")


@login_required
def asin_trend(request: HttpRequest, vendor_code_id: int, asin: str) -> HttpResponse:
    vendor_code = get_for_user_or_404(
        VendorCode.objects.select_related("marketplace", "brand"), request.user, pk=vendor_code_id
    )
    month_text = request.GET.get("month", "")
    try:
        month = parse_month(month_text) if month_text else None
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    data = asin_trend_data(vendor_code=vendor_code, asin=asin, month=month)
    if data is None:
        raise Http404("No rollups for this ASIN.")
    product = Product.objects.filter(marketplace=vendor_code.marketplace, asin=asin).first()
    back = request.GET.get("back", "")
    context = {
        "vendor_code": vendor_code,
        "asin": asin,
        "product": product,
        "data": data,
        "chart_data": data["charts"],
        "back_url": back if back.startswith("/reviews/") else reverse("review-list"),
        "members": Membership.objects.none(),
    }
    return render(request, "reviews/asin.html", context)
