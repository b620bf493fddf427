"""Alert pages: the inbox, one alert (first response, evidence, history, actions), rule settings with
benchmarks, and the digest preferences. Lifecycle steps are htmx posts that return the refreshed row or
panel; without htmx they redirect. Every read is scoped to the user's brands (another brand's alert is a
404); every step is checked again by the service (roles)."""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from planning.models import Brand
from planning.roles import user_roles
from reviews import alert_selectors as selectors
from reviews import alert_services as services
from reviews.alert_forms import AssignForm
from reviews.alert_forms import BenchmarkForm
from reviews.alert_forms import NoteForm
from reviews.alert_forms import PreferenceForm
from reviews.alert_forms import ResolveForm
from reviews.alert_forms import RuleForm
from reviews.alert_guidance import guidance_for
from reviews.alert_models import Alert
from reviews.alert_models import Benchmark
from reviews.alert_rules import SPECS
from reviews.alert_rules import RuleCode
from reviews.alert_rules import Severity

PAGE_SIZE = 50
STATUS_FILTERS = [
    (selectors.ACTIVE, "Not resolved"),
    *Alert.Status.choices,
    (selectors.ALL, "All"),
]


def _user_brands(request: HttpRequest) -> list[Brand]:
    return list(Brand.objects.for_user(request.user).order_by("name"))


def _brand_filter(request: HttpRequest, brands: list[Brand]) -> Brand | None:
    """The brand of ?brand= (one of the user's), else the brand switcher's choice, else all."""
    raw = request.GET.get("brand")
    if raw is not None:
        return next((b for b in brands if str(b.pk) == raw), None)
    return getattr(request, "brand", None)


def _can_act(request: HttpRequest, alert: Alert) -> bool:
    return bool(user_roles(request.user, alert.brand_id) & set(services.ACT_ROLES))


# ------------------------------------------------------------------------------------------------- inbox


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    brands = _user_brands(request)
    brand = _brand_filter(request, brands)
    status = params.get("status", selectors.ACTIVE)
    alerts = selectors.alert_list(
        user=request.user,
        brand=brand,
        severity=params.get("severity", ""),
        code=params.get("type", ""),
        status=status,
        assigned=params.get("assigned", ""),
        search=params.get("q", "").strip(),
    )
    page = Paginator(alerts, PAGE_SIZE).get_page(params.get("page"))
    acting_brands = (
        {b.pk for b in brands if user_roles(request.user, b.pk) & set(services.ACT_ROLES)} if brands else set()
    )
    context = {
        "page": page,
        "brands": brands,
        "brand": brand,
        "counts": selectors.alert_counts(user=request.user, brand=brand),
        "severities": list(reversed(Severity.choices)),
        "types": RuleCode.choices,
        "statuses": STATUS_FILTERS,
        "filters": {
            "brand": str(brand.pk) if brand else "",
            "severity": params.get("severity", ""),
            "type": params.get("type", ""),
            "status": status,
            "assigned": params.get("assigned", ""),
            "q": params.get("q", ""),
        },
        "acting_brands": acting_brands,
    }
    if request.htmx and request.GET.get("partial") == "table":  # type: ignore[attr-defined]
        return render(request, "reviews/alerts/partials/inbox_table.html", context)
    return render(request, "reviews/alerts/list.html", context)


# ------------------------------------------------------------------------------------------------ detail


def _detail_context(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    users = selectors.assignable_users(brand_id=alert.brand_id)
    return {
        "alert": alert,
        "guidance": guidance_for(alert.code, alert.evidence),
        "spec": SPECS[alert.code],
        "events": selectors.alert_events(alert=alert),
        "can_act": _can_act(request, alert),
        "assign_form": AssignForm(initial={"assigned_to": alert.assigned_to_id}, users=users),
        "resolve_form": ResolveForm(),
        "note_form": NoteForm(),
    }


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    return render(request, "reviews/alerts/detail.html", _detail_context(request, alert))


@login_required
@require_POST
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """acknowledge | assign | resolve | escalate | note. htmx: returns the refreshed inbox row (when posted
    from the inbox, target=row) or the detail page's status panel; otherwise redirects back."""
    alert = selectors.alert_get(user=request.user, pk=pk)
    user = cast(Any, request.user)
    post = request.POST
    error: str | None = None
    done = ""
    try:
        if action == "acknowledge":
            services.alert_acknowledge(alert=alert, user=user, note=post.get("note", ""))
            done = "Acknowledged: you own the first response."
        elif action == "assign":
            form = AssignForm(post, users=selectors.assignable_users(brand_id=alert.brand_id))
            if not form.is_valid():
                raise ApplicationError("Pick a member of the brand.")
            assignee = form.assignee()
            services.alert_assign(alert=alert, user=user, assignee=assignee)
            done = f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."
        elif action == "resolve":
            services.alert_resolve(alert=alert, user=user, note=post.get("note", ""))
            done = "Resolved."
        elif action == "escalate":
            services.alert_escalate(alert=alert, user=user, note=post.get("note", ""))
            done = "Escalated: the brand managers were emailed."
        elif action == "note":
            services.alert_add_note(alert=alert, user=user, note=post.get("note", ""))
            done = "Note added."
        else:
            raise Http404("Unknown action.")
    except ApplicationError as exc:  # PermissionRefused included: the message names the roles needed
        error = exc.message
    alert = selectors.alert_get(user=request.user, pk=pk)
    if request.htmx:  # type: ignore[attr-defined]
        if post.get("target") == "row":
            response = render(
                request,
                "reviews/alerts/partials/inbox_row.html",
                {"alert": alert, "row_error": error, "row_done": done, "can_act": _can_act(request, alert)},
            )
        else:
            context = _detail_context(request, alert)
            context.update({"panel_error": error, "panel_done": done})
            response = render(request, "reviews/alerts/partials/detail_panel.html", context)
        return response
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    back = post.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("alert-detail", pk=pk)


# ----------------------------------------------------------------------------------------------- settings


def _settings_brand(request: HttpRequest) -> tuple[Brand | None, list[Brand]]:
    brands = _user_brands(request)
    brand = _brand_filter(request, brands)
    if brand is None and len(brands) == 1:
        brand = brands[0]
    return brand, brands


@login_required
def alert_rules(request: HttpRequest) -> HttpResponse:
    brand, brands = _settings_brand(request)
    roles = user_roles(request.user, brand.pk) if brand else set()
    return render(
        request,
        "reviews/alerts/rules.html",
        {
            "brand": brand,
            "brands": brands,
            "settings": selectors.rule_settings(brand=brand) if brand else [],
            "benchmarks": selectors.benchmark_list(user=request.user, brand=brand),
            "can_edit": bool(roles & set(services.SETTINGS_ROLES)),
            "benchmark_form": BenchmarkForm(),
        },
    )


def _scoped_brand_or_404(request: HttpRequest, raw: str | None) -> Brand:
    brand = next((b for b in _user_brands(request) if str(b.pk) == (raw or "")), None)
    if brand is None:
        raise Http404("Pick one of your brands.")
    return brand


@login_required
def alert_rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    if code not in SPECS:
        raise Http404("Unknown rule.")
    brand = _scoped_brand_or_404(request, request.GET.get("brand") or request.POST.get("brand"))
    setting = next(s for s in selectors.rule_settings(brand=brand) if s.spec.code == code)
    initial = {"severity": setting.rule.severity, "enabled": setting.rule.enabled}
    form = RuleForm(request.POST or None, spec=setting.spec, parameters=setting.parameters, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_rule_update(
                brand=brand,
                code=code,
                user=request.user,
                parameters=form.parameters(),
                severity=form.cleaned_data["severity"],
                enabled=form.cleaned_data["enabled"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{setting.spec.label}: saved for {brand}.")
            return redirect(f"{reverse('alert-rules')}?brand={brand.pk}#rule-{code}")
    roles = user_roles(request.user, brand.pk)
    return render(
        request,
        "reviews/alerts/rule_edit.html",
        {
            "brand": brand,
            "setting": setting,
            "form": form,
            "can_edit": bool(roles & set(services.SETTINGS_ROLES)),
        },
    )


@login_required
@require_POST
def alert_rule_reset(request: HttpRequest, code: str) -> HttpResponse:
    brand = _scoped_brand_or_404(request, request.POST.get("brand"))
    try:
        services.alert_rule_reset(brand=brand, code=code, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{RuleCode(code).label}: back to the defaults for {brand}.")
    return redirect(f"{reverse('alert-rules')}?brand={brand.pk}#rule-{code}")


@login_required
def benchmark_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    benchmark = selectors.benchmark_get(user=request.user, pk=pk) if pk else None
    brand = (
        benchmark.brand
        if benchmark
        else _scoped_brand_or_404(request, request.GET.get("brand") or request.POST.get("brand"))
    )
    form = BenchmarkForm(request.POST or None, instance=benchmark)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.benchmark_save(
                user=request.user,
                brand=brand,
                metric=data["metric"],
                category=data["category"],
                marketplace=data["marketplace"],
                value=data["value"],
                source=data["source"],
                as_of=data["as_of"],
                benchmark=benchmark,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Benchmark saved.")
            return redirect(f"{reverse('alert-rules')}?brand={brand.pk if brand else ''}#benchmarks")
    return render(request, "reviews/alerts/benchmark_form.html", {"form": form, "benchmark": benchmark, "brand": brand})


@login_required
@require_POST
def benchmark_delete(request: HttpRequest, pk: int) -> HttpResponse:
    benchmark: Benchmark = selectors.benchmark_get(user=request.user, pk=pk)
    brand_id = benchmark.brand_id
    try:
        services.benchmark_delete(user=request.user, benchmark=benchmark)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Benchmark deleted.")
    return redirect(f"{reverse('alert-rules')}?brand={brand_id or ''}#benchmarks")


# -------------------------------------------------------------------------------------------- preferences


@login_required
def alert_preferences(request: HttpRequest) -> HttpResponse:
    pref = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST":
        if request.POST.get("send_now"):
            sent = services.digest_send(user=request.user)
            if sent:
                messages.success(request, f"A digest is on its way to {cast(Any, request.user).email}.")
            elif not cast(Any, request.user).email:
                messages.error(request, "Your account has no email address; ask an administrator to add one.")
            else:
                messages.info(request, "Nothing open at your severity: no digest to send.")
            return redirect("alert-preferences")
        if form.is_valid():
            services.preference_update(
                user=request.user,
                frequency=form.cleaned_data["frequency"],
                min_severity=form.cleaned_data["min_severity"],
            )
            messages.success(request, "Digest settings saved.")
            return redirect("alert-preferences")
    return render(request, "reviews/alerts/preferences.html", {"form": form, "preference": pref})
