"""Catalog pages, the home dashboard and the brand switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from planning import selectors
from planning.middleware import SESSION_KEY
from planning.models import Brand
from planning.models import Product
from planning.scoping import get_for_user_or_404


@login_required
def home(request: HttpRequest) -> HttpResponse:
    brands = selectors.brand_list(user=request.user)
    vendor_codes = selectors.vendor_code_list(user=request.user, brand=request.brand)  # type: ignore[attr-defined]
    return render(request, "planning/home.html", {"brands": brands, "vendor_codes": vendor_codes})


@login_required
@require_POST
def brand_switch(request: HttpRequest) -> HttpResponse:
    brand_id = request.POST.get("brand", "")
    if brand_id:
        brand = get_for_user_or_404(Brand.objects.all(), request.user, pk=brand_id)
        request.session[SESSION_KEY] = brand.pk
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    sort = params.get("sort", "asin")
    products = selectors.product_list(
        user=request.user,
        brand=request.brand,  # type: ignore[attr-defined]
        search=params.get("q", "").strip(),
        category=params.get("category", ""),
        marketplace=params.get("marketplace", ""),
        lifecycle=params.get("lifecycle", ""),
        sort=sort,
    )
    page = Paginator(products, 50).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "planning/product_list.html",
        {
            "page": page,
            "sort": sort,
            "querystring": query.urlencode(),
            "categories": selectors.product_categories(user=request.user, brand=request.brand),  # type: ignore[attr-defined]
            "marketplaces": selectors.vendor_code_list(user=request.user).values_list(
                "marketplace__amazon_marketplace_id", "marketplace__domain"
            ).distinct(),
            "lifecycles": Product.Lifecycle.choices,
            "filters": params,
        },
    )


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_for_user_or_404(
        Product.objects.select_related("brand", "vendor_code", "marketplace"), request.user, pk=pk
    )
    return render(
        request,
        "planning/product_detail.html",
        {"product": product, "cost_prices": product.cost_prices.order_by("-effective_from")[:24]},
    )


@login_required
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "coming_soon.html", {"section": section})
