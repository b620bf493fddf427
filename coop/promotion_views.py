"""Promotion pages: list, calendar, detail, create/edit with the live rule panel, results.

Views orchestrate: they read through coop/promotion_selectors.py and write through
coop/promotion_services.py; every object lookup is scoped to the user's brands (another brand's
promotion is a 404).
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from coop import promotion_selectors as selectors
from coop.promotion_forms import ItemForm
from coop.promotion_forms import ItemFormSet
from coop.promotion_forms import MoveForm
from coop.promotion_forms import PriceObservationForm
from coop.promotion_forms import PromotionForm
from coop.promotion_forms import TransitionForm
from coop.promotion_forms import items_from
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionType
from coop.promotion_services import ACTIONS
from coop.promotion_services import RulesFailed
from coop.promotion_services import available_actions
from coop.promotion_services import finance_threshold
from coop.promotion_services import price_observation_enter
from coop.promotion_services import promotion_create
from coop.promotion_services import promotion_move
from coop.promotion_services import promotion_transition
from coop.promotion_services import promotion_update
from core.exceptions import ApplicationError
from core.periods import add_months
from core.periods import month_start
from core.periods import parse_month
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.roles import user_roles
from planning.scoping import get_for_user_or_404

PER_PAGE = 50
Role = Membership.Role
EDITORS = {Role.BRAND_MANAGER, Role.VENDOR_OPS}


def _brand(request: HttpRequest) -> Any:
    return request.brand  # type: ignore[attr-defined]


def _promotion_or_404(request: HttpRequest, pk: int) -> Promotion:
    promotion = selectors.promotion_for_page(user=request.user, pk=pk)
    if promotion is None:
        raise Http404("No promotion matches the given query.")
    return promotion


def _can_edit(request: HttpRequest, brand_id: int) -> bool:
    return bool(user_roles(request.user, brand_id) & EDITORS)


def _can_plan(request: HttpRequest) -> bool:
    brand = _brand(request)
    memberships = Membership.objects.filter(user_id=request.user.pk or 0, role__in=EDITORS)
    if brand is not None:
        memberships = memberships.filter(brand=brand)
    return memberships.exists()


def _filters(request: HttpRequest) -> selectors.PromotionFilters:
    g = request.GET
    vendor_code = g.get("vendor_code", "")
    return selectors.PromotionFilters(
        marketplace=g.get("marketplace", ""),
        vendor_code=int(vendor_code) if vendor_code.isdigit() else None,
        promotion_type=g.get("type", "") if g.get("type", "") in PromotionType.values else "",
        status=g.get("status", "") if g.get("status", "") in Promotion.Status.values else "",
        category=g.get("category", ""),
        q=g.get("q", "").strip(),
    )


# --------------------------------------------------------------------------------------------------
# List


@login_required
@require_GET
def promotion_list(request: HttpRequest) -> HttpResponse:
    brand = _brand(request)
    filters = _filters(request)
    page = Paginator(selectors.promotion_list(user=request.user, brand=brand, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    results = selectors.rule_results_for([p for p in rows if p.status in selectors.PLANNING_STATUSES])
    table = [
        {
            "promotion": p,
            "forecast": selectors.promotion_cost_forecast(p),
            "failures": [r for r in results.get(p.pk, []) if not r.passed],
            "checked": p.pk in results,
            "performance": selectors.promotion_performance(promotion=p),
        }
        for p in rows
    ]
    return render(
        request,
        "coop/promotions/list.html",
        {
            "page": page,
            "table": table,
            "filters": filters,
            "is_filtered": any(
                [filters.marketplace, filters.promotion_type, filters.status, filters.category, filters.q]
            ),
            "marketplaces": selectors.promotion_marketplaces(user=request.user, brand=brand),
            "categories": selectors.promotion_categories(user=request.user, brand=brand),
            "types": PromotionType.choices,
            "statuses": Promotion.Status.choices,
            "can_plan": _can_plan(request),
        },
    )


# --------------------------------------------------------------------------------------------------
# Calendar


def _calendar_context(request: HttpRequest, params: Any) -> dict[str, Any]:
    brand = _brand(request)
    view = "quarter" if params.get("view") == "quarter" else "month"
    try:
        anchor = parse_month(params.get("start", "")) if params.get("start") else month_start(timezone.localdate())
    except ValueError:
        anchor = month_start(timezone.localdate())
    marketplaces = selectors.promotion_marketplaces(user=request.user, brand=brand)
    marketplace_id = params.get("marketplace", "")
    marketplace = next((m for m in marketplaces if m.amazon_marketplace_id == marketplace_id), None)
    category = params.get("category", "")
    promotion_type = params.get("type", "") if params.get("type", "") in PromotionType.values else ""
    status = params.get("status", "") if params.get("status", "") in Promotion.Status.values else ""
    data = selectors.promotion_calendar(
        user=request.user,
        brand=brand,
        view=view,
        anchor=anchor,
        marketplace=marketplace,
        category=category,
        promotion_type=promotion_type,
        status=status,
    )
    query = {
        "view": view,
        "marketplace": marketplace.amazon_marketplace_id if marketplace else "",
        "category": category,
        "type": promotion_type,
        "status": status,
    }
    return {
        "cal": data,
        "query": query,
        "marketplaces": marketplaces,
        "marketplace": marketplace,
        "categories": selectors.promotion_categories(user=request.user, brand=brand),
        "types": PromotionType.choices,
        "statuses": Promotion.Status.choices,
        "today": timezone.localdate(),
        "can_plan": _can_plan(request),
    }


@login_required
@require_GET
def promotion_calendar(request: HttpRequest) -> HttpResponse:
    context = _calendar_context(request, request.GET)
    template = "coop/promotions/partials/calendar_grid.html" if request.headers.get("HX-Request") else None
    return render(request, template or "coop/promotions/calendar.html", context)


@login_required
@require_POST
def promotion_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the calendar (or the arrow keys on a focused bar): shift a DRAFT by whole days,
    re-check the rules and answer with the re-rendered calendar grid and what the rules say now."""
    promotion = get_for_user_or_404(Promotion.objects.all(), request.user, pk=pk)
    form = MoveForm(request.POST)
    moved: Promotion | None = None
    error = ""
    if not form.is_valid():
        error = "Could not read the move: " + "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
    else:
        try:
            days = form.cleaned_data.get("days") or 0
            moved = promotion_move(promotion=promotion, user=request.user, days=days)  # type: ignore[arg-type]
        except ApplicationError as exc:
            error = exc.message
    context = _calendar_context(request, request.POST)
    bar = next((b for b in context["cal"].bars if b.promotion.pk == pk), None)
    context.update({"moved": moved, "moved_bar": bar, "move_error": error, "moved_id": pk})
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(
            reverse("promotion-calendar") + "?" + _query(context["query"], context["cal"].start)
        )
    return render(request, "coop/promotions/partials/calendar_grid.html", context, status=400 if error else 200)


def _query(query: dict[str, str], start: date) -> str:
    from urllib.parse import urlencode

    return urlencode({**{k: v for k, v in query.items() if v}, "start": start.strftime("%Y-%m")})


# --------------------------------------------------------------------------------------------------
# Detail and workflow


@login_required
@require_GET
def promotion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = _promotion_or_404(request, pk)
    results = selectors.sorted_results(selectors.promotion_rule_results(promotion=promotion))
    forecast = selectors.promotion_cost_forecast(promotion)
    actions = available_actions(promotion=promotion, user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "coop/promotions/detail.html",
        {
            "promotion": promotion,
            "results": results,
            "failures": [r for r in results if not r.passed],
            "unknown_count": sum(1 for r in results if r.unknown),
            "forecast": forecast,
            "other_share_pct": 100 - promotion.brand_funding_share_pct,
            "label_span": 5 if promotion.is_coupon else 8,
            # cost_items() keeps the prefetch order, so items and forecast lines pair up.
            "item_lines": list(zip(promotion.items.all(), forecast.items, strict=True)),
            "threshold": finance_threshold(brand_id=promotion.brand_id, currency=promotion.currency),
            "actions": actions,
            "transitions": selectors.promotion_transitions(promotion=promotion),
            "performance": selectors.promotion_performance(promotion=promotion),
            "can_edit": promotion.is_editable and _can_edit(request, promotion.brand_id),
            "can_record_prices": _can_edit(request, promotion.brand_id),
            "price_form": PriceObservationForm(initial={"observed_on": timezone.localdate()}),
            "is_planning": promotion.status in selectors.PLANNING_STATUSES,
        },
    )


@login_required
@require_POST
def promotion_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_for_user_or_404(Promotion.objects.all(), request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in ACTIONS:
        messages.error(request, "Unknown action.")
        return HttpResponseRedirect(reverse("promotion-detail", args=[pk]))
    action = form.cleaned_data["action"]
    try:
        promotion_transition(
            promotion=promotion,
            user=request.user,  # type: ignore[arg-type]
            action=action,
            note=form.cleaned_data["note"],
            amazon_promotion_id=form.cleaned_data["amazon_promotion_id"],
        )
    except RulesFailed as exc:
        count = len(exc.results)
        messages.error(
            request,
            f"Not sent: {count} of Amazon's rules fail{'s' if count == 1 else ''}. "
            "Fix what the rule check below lists.",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        promotion.refresh_from_db()
        messages.success(
            request, f"{ACTIONS[action].label}: the promotion is now {promotion.get_status_display().lower()}."
        )
    return HttpResponseRedirect(reverse("promotion-detail", args=[pk]))


@login_required
@require_POST
def price_observation_create(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_for_user_or_404(Promotion.objects.select_related("vendor_code"), request.user, pk=pk)
    form = PriceObservationForm(request.POST)
    if form.is_valid():
        try:
            price_observation_enter(
                user=request.user,  # type: ignore[arg-type]
                vendor_code=promotion.vendor_code,
                asin=form.cleaned_data["asin"],
                observed_on=form.cleaned_data["observed_on"],
                price=form.cleaned_data["price"],
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Recorded for {form.cleaned_data['asin'].upper()}; the rule check is updated.")
    else:
        messages.error(request, " ".join(" ".join(map(str, errs)) for errs in form.errors.values()))
    return HttpResponseRedirect(reverse("promotion-detail", args=[pk]) + "#rules")


# --------------------------------------------------------------------------------------------------
# Create and edit


def _asin_options(request: HttpRequest) -> list[Product]:
    brand = _brand(request)
    qs = Product.objects.for_user(request.user).select_related("marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    return list(qs.order_by("asin")[:1000])


def _form_page(request: HttpRequest, promotion: Promotion | None) -> HttpResponse:
    brand = _brand(request) if promotion is None else promotion.brand
    if request.method == "POST":
        form = PromotionForm(request.POST, user=request.user, brand=brand)
        formset = ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            data = form.to_input(items_from(formset))
            try:
                with transaction.atomic():
                    if promotion is None:
                        saved = promotion_create(user=request.user, data=data)  # type: ignore[arg-type]
                    else:
                        saved = promotion_update(promotion=promotion, user=request.user, data=data)  # type: ignore[arg-type]
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Saved “{saved.name}”.")
                return HttpResponseRedirect(reverse("promotion-detail", args=[saved.pk]))
    elif promotion is not None:
        form = PromotionForm(initial=PromotionForm.initial_for(promotion), user=request.user, brand=brand)
        formset = ItemFormSet(initial=[ItemForm.initial_for(i) for i in promotion.items.all()], prefix="items")
    else:
        initial: dict[str, Any] = {}
        for key in ("promotion_type", "start_date", "vendor_code"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        if "start_date" in initial:
            initial.setdefault("end_date", initial["start_date"])
        form = PromotionForm(initial=initial, user=request.user, brand=brand)
        formset = ItemFormSet(prefix="items")
    return render(
        request,
        "coop/promotions/form.html",
        {"form": form, "formset": formset, "promotion": promotion, "asin_options": _asin_options(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def promotion_create_view(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def promotion_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = _promotion_or_404(request, pk)
    if not promotion.is_editable:
        messages.info(
            request, f"This promotion is {promotion.get_status_display().lower()}: only drafts can be edited."
        )
        return HttpResponseRedirect(reverse("promotion-detail", args=[pk]))
    return _form_page(request, promotion)


@login_required
@require_POST
def promotion_check_view(request: HttpRequest) -> HttpResponse:
    """The live rule panel of the form (htmx): the rules against the form as typed, nothing saved."""
    pk = request.POST.get("promotion_id", "")
    promotion = get_for_user_or_404(Promotion.objects.all(), request.user, pk=int(pk)) if pk.isdigit() else None
    brand = promotion.brand if promotion else _brand(request)
    form = PromotionForm(request.POST, user=request.user, brand=brand)
    formset = ItemFormSet(request.POST, prefix="items")
    form.is_valid()
    formset.is_valid()
    items = items_from(formset)
    info = (
        form.to_info(items, promotion_id=promotion.pk if promotion else None)
        if not form.errors.get("vendor_code")
        else None
    )
    results = []
    if info is not None:
        vendor_code = form.cleaned_data["vendor_code"]
        results = selectors.sorted_results(
            selectors.unsaved_rule_results(
                info=info,
                brand_id=vendor_code.brand_id,
                marketplace_id=vendor_code.marketplace_id,
                event=form.cleaned_data.get("event"),
            )
        )
    return render(
        request,
        "coop/promotions/partials/rule_panel.html",
        {
            "results": results,
            "failures": [r for r in results if not r.passed],
            "unknown_count": sum(1 for r in results if r.unknown),
            "incomplete": info is None,
            "live": True,
        },
    )


# --------------------------------------------------------------------------------------------------
# Results (post-event summary)


@login_required
@require_GET
def promotion_results(request: HttpRequest) -> HttpResponse:
    brand = _brand(request)
    today = timezone.localdate()
    default_end = month_start(today) - timedelta(days=1)
    try:
        first = (
            date.fromisoformat(request.GET["from"])
            if request.GET.get("from")
            else add_months(default_end, -2).replace(day=1)
        )
        last = date.fromisoformat(request.GET["to"]) if request.GET.get("to") else default_end
    except ValueError:
        first, last = add_months(default_end, -2).replace(day=1), default_end
    marketplace_id = request.GET.get("marketplace", "")
    marketplace = Marketplace.objects.filter(amazon_marketplace_id=marketplace_id).first() if marketplace_id else None
    summary = selectors.promotion_post_event_summary(
        user=request.user, brand=brand, start=first, end=last, marketplace=marketplace
    )
    return render(
        request,
        "coop/promotions/results.html",
        {
            "summary": summary,
            "marketplaces": selectors.promotion_marketplaces(user=request.user, brand=brand),
            "marketplace": marketplace,
        },
    )
