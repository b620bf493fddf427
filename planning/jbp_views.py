"""JBP pages: the plan list, creating and editing plans, the plan page with tracking and workflow,
version comparison, history, and the plan's investments, initiatives and launches. The target grid's
pages are in jbp_grid_views.py.

Views orchestrate: they fetch through planning.scoping (another brand's plan is a 404), call a
selector or a service, and render. Business-rule refusals from services become messages or JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from planning import jbp_selectors as sel
from planning.jbp_forms import CertificateForm
from planning.jbp_forms import InitiativeForm
from planning.jbp_forms import InvestmentForm
from planning.jbp_forms import LaunchForm
from planning.jbp_forms import PlanCreateForm
from planning.jbp_forms import PlanEditForm
from planning.jbp_forms import TransitionForm
from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import LaunchCertificate
from planning.jbp_models import LaunchPlan
from planning.jbp_models import Metric
from planning.jbp_services import jbp_certificate_add
from planning.jbp_services import jbp_certificate_delete
from planning.jbp_services import jbp_initiative_delete
from planning.jbp_services import jbp_initiative_save
from planning.jbp_services import jbp_initiative_set_status
from planning.jbp_services import jbp_investment_delete
from planning.jbp_services import jbp_investment_save
from planning.jbp_services import jbp_launch_delete
from planning.jbp_services import jbp_launch_save
from planning.jbp_services import jbp_launch_set_readiness
from planning.jbp_tracking import jbp_plan_tracking
from planning.models import Membership
from planning.roles import user_roles
from planning.scoping import get_for_user_or_404
from planning.services import EDITOR_ROLES
from planning.services import OPERATOR_ROLES
from planning.services import jbp_plan_create
from planning.services import jbp_plan_new_version
from planning.services import jbp_plan_transition
from planning.services import jbp_plan_update

Status = JBPPlan.Status
_T = TypeVar("_T")


def plan_or_404(request: HttpRequest, pk: int) -> JBPPlan:
    return get_for_user_or_404(
        JBPPlan.objects.select_related("brand", "marketplace", "created_by"), request.user, pk=pk
    )


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        rows = exc.extra.get("rows") or []
        details = "; ".join(f"{r['field'] or 'row'} {r['value']!r}: {r['message']}" for r in rows[:10])
        return f"{exc.message} {details}".strip()
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return " ".join(
                f"{'' if k == '__all__' else k.replace('_', ' ') + ': '}{' '.join(v)}"
                for k, v in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)


def attempt(request: HttpRequest, action: Callable[[], _T], success: str) -> _T | None:
    """Run a service call; a refusal becomes an error message instead of a 500."""
    try:
        result = action()
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _refusal_text(exc))
        return None
    if success:
        messages.success(request, success)
    return result


def roles_in(request: HttpRequest, plan: JBPPlan) -> set[str]:
    return user_roles(request.user, plan.brand_id)


# --- plans --------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    year = params.get("year", "")
    plans = sel.jbp_plan_list(
        user=request.user,
        brand=request.brand,  # type: ignore[attr-defined]
        status=params.get("status", ""),
        year=int(year) if year.isdigit() else None,
        search=params.get("q", "").strip(),
        include_superseded=params.get("superseded") == "on",
    )
    page = Paginator(plans, 50).get_page(params.get("page"))
    can_create = Membership.objects.filter(user_id=request.user.pk or 0, role=Membership.Role.BRAND_MANAGER).exists()
    years = JBPPlan.objects.for_user(request.user).order_by("-plan_year").values_list("plan_year", flat=True).distinct()
    return render(
        request,
        "planning/jbp/plan_list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "years": list(years),
            "filters": params,
            "can_create": can_create,
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanCreateForm(request.POST or None, user=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = attempt(
            request,
            lambda: jbp_plan_create(
                user=request.user,
                brand=data["brand"],
                marketplace=data["marketplace"],
                horizon=data["horizon"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                vendor_codes=data["vendor_codes"],
                title=data["title"],
                amazon_counterpart=data["amazon_counterpart"],
                notes=data["notes"],
            ),
            "Plan created. Fill in its targets.",
        )
        if plan is not None:
            return HttpResponseRedirect(reverse("plan-grid", args=[plan.pk]))
    return render(request, "planning/jbp/plan_form.html", {"form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    roles = roles_in(request, plan)
    tracking = jbp_plan_tracking(plan=plan)
    launches = list(plan.launches.select_related("product").prefetch_related("certificates"))
    target_counts = {
        row["metric"]: row["n"] for row in plan.targets.values("metric").order_by().annotate(n=Count("id"))
    }
    versions = sel.jbp_plan_versions(plan=plan)
    return render(
        request,
        "planning/jbp/plan_detail.html",
        {
            "plan": plan,
            "actions": sel.jbp_available_actions(plan=plan, user=request.user),
            "tracking": tracking,
            "target_counts": [(Metric(m).label, m, n) for m, n in sorted(target_counts.items())],
            "investments": list(plan.investments.all()),
            "initiatives": list(plan.initiatives.all()),
            "launches": [(launch, sel.jbp_launch_readiness(launch)) for launch in launches],
            "transitions": sel.jbp_transition_log(plan=plan),
            "steps": _steps(plan),
            "versions": versions,
            "vendor_codes": list(plan.vendor_codes.all()),
            "can_edit": plan.is_editable and bool(roles & EDITOR_ROLES),
            "can_track": plan.status in JBPPlan.TRACKABLE_STATUSES and bool(roles & OPERATOR_ROLES),
            "can_new_version": plan.status in {Status.NEGOTIATING, Status.AGREED, Status.ACTIVE}
            and bool(roles & EDITOR_ROLES)
            and not JBPPlan.objects.filter(previous_version=plan).exists(),
            "investment_form": InvestmentForm(
                initial={"period_start": plan.period_start, "period_end": plan.period_end}
            ),
            "initiative_form": InitiativeForm(),
            "launch_form": LaunchForm(),
            "certificate_form": CertificateForm(),
            "initiative_statuses": JBPInitiative.Status.choices,
        },
    )


def _steps(plan: JBPPlan) -> list[tuple[str, str]]:
    """The §5.1 path with each step marked done, current or to come (superseded plans: all done)."""
    order = [value for value in Status.values if value != Status.SUPERSEDED]
    current = order.index(plan.status) if plan.status in order else len(order)
    return [
        (Status(value).label, "done" if index < current else "current" if index == current else "todo")
        for index, value in enumerate(order)
    ]


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    form = PlanEditForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request, lambda: jbp_plan_update(plan=plan, user=request.user, data=form.service_data()), "Plan saved."
        )
        if saved is not None:
            return HttpResponseRedirect(reverse("plan-detail", args=[plan.pk]))
    return render(request, "planning/jbp/plan_edit.html", {"plan": plan, "form": form})


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        done = attempt(
            request,
            lambda: jbp_plan_transition(
                plan=plan, user=request.user, action=action, comment=form.cleaned_data["comment"]
            ),
            "",
        )
        if done is not None:
            messages.success(request, f"{done.display_title} v{done.version} is now {done.get_status_display()}.")
    return HttpResponseRedirect(reverse("plan-detail", args=[plan.pk]))


@login_required
@require_POST
def plan_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    new = attempt(
        request,
        lambda: jbp_plan_new_version(plan=plan, user=request.user, comment=request.POST.get("comment", "")),
        "New version started as a draft; the previous version is kept for comparison.",
    )
    return HttpResponseRedirect(reverse("plan-detail", args=[(new or plan).pk]))


@login_required
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    versions = sel.jbp_plan_versions(plan=plan)
    other_id = request.GET.get("with", "")
    if other_id.isdigit():
        other = plan_or_404(request, int(other_id))
    elif plan.previous_version_id:
        other = plan_or_404(request, plan.previous_version_id)
    else:
        other = None
    if other is not None and (other.brand_id, other.marketplace_id, other.series, other.plan_year) != (
        plan.brand_id,
        plan.marketplace_id,
        plan.series,
        plan.plan_year,
    ):
        raise Http404("Only versions of the same plan can be compared.")
    diff = None
    if other is not None:
        old, new = (other, plan) if other.version < plan.version else (plan, other)
        diff = sel.jbp_version_diff(old=old, new=new)
    return render(
        request,
        "planning/jbp/plan_compare.html",
        {
            "plan": plan,
            "versions": versions,
            "diff": diff,
            "show_all": request.GET.get("all") == "1",
        },
    )


@login_required
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    return render(
        request,
        "planning/jbp/plan_history.html",
        {"plan": plan, "entries": sel.jbp_plan_history(plan=plan), "transitions": sel.jbp_transition_log(plan=plan)},
    )


# --- plan contents ------------------------------------------------------------------------------------


def _back(plan: JBPPlan, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("plan-detail", args=[plan.pk]) + f"#{anchor}")


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{form.fields[field].label or field}: "
        messages.error(request, f"{label}{' '.join(errors)}")


@login_required
@require_POST
def investment_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    form = InvestmentForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: jbp_investment_save(plan=plan, user=request.user, data=form.cleaned_data),
            "Investment added.",
        )
    else:
        form_errors(request, form)
    return _back(plan, "investments")


@login_required
@require_POST
def investment_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    investment = get_for_user_or_404(JBPInvestment.objects.filter(plan=plan), request.user, pk=item)
    attempt(request, lambda: jbp_investment_delete(investment=investment, user=request.user), "Investment removed.")
    return _back(plan, "investments")


@login_required
@require_POST
def initiative_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: jbp_initiative_save(plan=plan, user=request.user, data=form.cleaned_data),
            "Initiative added.",
        )
    else:
        form_errors(request, form)
    return _back(plan, "initiatives")


@login_required
@require_POST
def initiative_status(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    initiative = get_for_user_or_404(JBPInitiative.objects.filter(plan=plan), request.user, pk=item)
    attempt(
        request,
        lambda: jbp_initiative_set_status(
            initiative=initiative, user=request.user, status=request.POST.get("status", "")
        ),
        "Initiative updated.",
    )
    return _back(plan, "initiatives")


@login_required
@require_POST
def initiative_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    initiative = get_for_user_or_404(JBPInitiative.objects.filter(plan=plan), request.user, pk=item)
    attempt(request, lambda: jbp_initiative_delete(initiative=initiative, user=request.user), "Initiative removed.")
    return _back(plan, "initiatives")


@login_required
@require_POST
def launch_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    form = LaunchForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: jbp_launch_save(plan=plan, user=request.user, data=form.cleaned_data), "Launch added.")
    else:
        form_errors(request, form)
    return _back(plan, "launches")


@login_required
@require_POST
def launch_readiness(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    launch = get_for_user_or_404(LaunchPlan.objects.filter(plan=plan), request.user, pk=item)
    data = {
        "aplus_ready": request.POST.get("aplus_ready") == "on",
        "video_ready": request.POST.get("video_ready") == "on",
    }
    attempt(request, lambda: jbp_launch_set_readiness(launch=launch, user=request.user, data=data), "Launch updated.")
    return _back(plan, f"launch-{launch.pk}")


@login_required
@require_POST
def launch_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    launch = get_for_user_or_404(LaunchPlan.objects.filter(plan=plan), request.user, pk=item)
    attempt(request, lambda: jbp_launch_delete(launch=launch, user=request.user), "Launch removed.")
    return _back(plan, "launches")


@login_required
@require_POST
def certificate_add(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    launch = get_for_user_or_404(LaunchPlan.objects.filter(plan=plan), request.user, pk=item)
    form = CertificateForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: jbp_certificate_add(launch=launch, user=request.user, data=form.cleaned_data),
            "Certificate recorded.",
        )
    else:
        form_errors(request, form)
    return _back(plan, f"launch-{launch.pk}")


@login_required
@require_POST
def certificate_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    certificate = get_for_user_or_404(
        LaunchCertificate.objects.filter(launch__plan=plan).select_related("launch__plan"),
        request.user,
        pk=item,
    )
    attempt(request, lambda: jbp_certificate_delete(certificate=certificate, user=request.user), "Certificate removed.")
    return _back(plan, f"launch-{certificate.launch_id}")
