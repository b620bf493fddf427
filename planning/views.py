"""Catalog pages, the home dashboard and the brand switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from planning import selectors
from planning.exports import PRODUCT_COLUMNS
from planning.exports import build_workbook
from planning.exports import product_rows
from planning.exports import xlsx_response
from planning.forms import ProductFilterForm
from planning.middleware import SESSION_KEY
from planning.models import Brand
from planning.models import Product
from planning.models import VendorCode
from planning.scoping import get_for_user_or_404

PRODUCTS_PER_PAGE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    brand = request.brand  # type: ignore[attr-defined]
    brands = list(selectors.brand_list(user=request.user, brand=brand))
    vendor_codes = list(selectors.vendor_code_list(user=request.user, brand=brand))
    codes_by_brand: dict[int, list[VendorCode]] = {}
    for vc in vendor_codes:
        codes_by_brand.setdefault(vc.brand_id, []).append(vc)
    for b in brands:
        b.codes = codes_by_brand.get(b.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "planning/home.html",
        {
            "brands": brands,
            "vendor_code_count": len(vendor_codes),
            "content": selectors.product_content_gaps(user=request.user, brand=brand),
        },
    )


@login_required
@require_POST
def brand_switch(request: HttpRequest) -> HttpResponse:
    brand_id = request.POST.get("brand", "")
    if brand_id:
        if not brand_id.isdigit():
            brand_id = "0"  # never matches, so a forged value is the same 404 as another brand's id
        brand = get_for_user_or_404(Brand.objects.all(), request.user, pk=int(brand_id))
        request.session[SESSION_KEY] = brand.pk
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)


# (sort key, header, extra CSS class) for the catalog table's sortable headers.
_SORT_COLUMNS = [
    ("asin", "ASIN", ""),
    ("title", "Title", ""),
    ("vendor_code", "Vendor code", ""),
    ("marketplace", "Marketplace", ""),
    ("category", "Category", ""),
    ("lifecycle", "Lifecycle", ""),
    ("cost", "Cost price", "num"),
    ("score", "Content score", "num"),
]


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    brand = request.brand  # type: ignore[attr-defined]
    form = ProductFilterForm(request.GET)
    sort = form.sort_key()
    products = selectors.product_list(user=request.user, brand=brand, filters=form.filters(), sort=sort)
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "sort": sort,
        "is_filtered": form.is_filtered(),
        "sort_columns": _SORT_COLUMNS,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        # Filters, sort headers and pager links swap only the results; the filter options stay as they are.
        response = render(request, "planning/partials/product_results.html", context)
    else:
        context |= {
            "categories": selectors.product_categories(user=request.user, brand=brand),
            "marketplaces": selectors.marketplace_list(user=request.user, brand=brand),
            "vendor_codes": selectors.vendor_code_options(user=request.user, brand=brand),
            "lifecycles": Product.Lifecycle.choices,
        }
        response = render(request, "planning/product_list.html", context)
    # The same URL answers a whole page or a fragment depending on this header; caches must not mix them.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def product_export(request: HttpRequest) -> HttpResponse:
    """The catalog list as filtered and sorted on screen, all pages, as an Excel workbook."""
    form = ProductFilterForm(request.GET)
    products = selectors.product_list(
        user=request.user,
        brand=request.brand,  # type: ignore[attr-defined]
        filters=form.filters(),
        sort=form.sort_key(),
    )
    content = build_workbook(
        title="Products", columns=PRODUCT_COLUMNS, rows=product_rows(products.iterator(chunk_size=2000))
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(content=content, filename=f"coopdesk-products-{stamp}.xlsx")


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_for_user_or_404(
        Product.objects.select_related("brand", "vendor_code", "marketplace"), request.user, pk=pk
    )
    return render(
        request,
        "planning/product_detail.html",
        {"product": product, "cost_prices": selectors.cost_price_history(product=product)},
    )


@login_required
@require_GET
def vendor_code_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vendor_code = get_for_user_or_404(VendorCode.objects.select_related("brand", "marketplace"), request.user, pk=pk)
    lifecycle_counts = selectors.vendor_code_lifecycle_counts(vendor_code=vendor_code)
    return render(
        request,
        "planning/vendor_code_detail.html",
        {
            "vendor_code": vendor_code,
            "lifecycle_counts": [(value, label, lifecycle_counts[value]) for value, label in Product.Lifecycle.choices],
            "product_count": sum(lifecycle_counts.values()),
        },
    )


@login_required
@require_GET
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    return render(request, "coming_soon.html", {"section": section})
