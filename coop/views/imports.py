"""Co-op file import pages: upload an invoice list or remittance file, map its columns once per
vendor code, see what was imported or which cells were wrong."""

from __future__ import annotations

from typing import Any
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from coop import importers
from coop.models import CoopFileUpload
from coop.models.imports import DateFormat
from coop.models.imports import FileKind
from coop.services import imports as services
from coop.services.invoices import RECORD_ROLES
from coop.views.common import current_brand
from coop.views.common import run_service
from planning.models import Membership
from planning.models import VendorCode


class UploadForm(forms.Form):
    vendor_code = forms.ModelChoiceField(
        queryset=VendorCode.objects.none(), widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    kind = forms.ChoiceField(
        choices=FileKind.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    file = forms.FileField(
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control form-control-sm", "accept": ".csv,.txt,.xlsx,.gz"}
        )
    )

    def __init__(self, *args: Any, vendor_codes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor_code"].queryset = vendor_codes  # type: ignore[attr-defined]


def _vendor_codes(request: HttpRequest) -> Any:
    brands = Membership.objects.filter(user_id=cast(int, request.user.pk), role__in=list(RECORD_ROLES)).values(
        "brand_id"
    )
    codes = VendorCode.objects.filter(brand_id__in=brands).select_related("marketplace").order_by("code")
    brand = current_brand(request)
    return codes.filter(brand=brand) if brand is not None else codes


@login_required
def upload_list(request: HttpRequest) -> HttpResponse:
    codes = _vendor_codes(request)
    form = UploadForm(
        request.POST or None, request.FILES or None, vendor_codes=codes, initial={"vendor_code": codes.first()}
    )
    if request.method == "POST" and form.is_valid():
        upload = run_service(
            request,
            lambda: services.coop_upload_create(
                vendor_code=form.cleaned_data["vendor_code"],
                user=cast(Any, request.user),
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
            ),
            success="File received.",
        )
        if upload is not None:
            return redirect("coop-import-detail", pk=upload.pk)
    uploads = CoopFileUpload.objects.for_user(request.user).select_related("vendor_code", "created_by")[:50]
    return render(
        request,
        "coop/import_list.html",
        {"form": form, "uploads": uploads, "fields": {kind: importers.field_specs(kind) for kind in FileKind.values}},
    )


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(CoopFileUpload.objects.for_user(request.user).select_related("vendor_code"), pk=pk)
    context: dict[str, Any] = {"upload": upload}
    if upload.status == CoopFileUpload.Status.NEEDS_MAPPING:
        proposal, date_format = services.proposed_mapping(upload=upload)
        try:
            table = services.upload_table(upload)
            samples = table.rows[:3]
        except ValueError:
            samples = []
        width = len(upload.headers)
        sample_rows = [[row[i] if i < len(row) else "" for i in range(width)] for row in samples]
        context.update(
            {
                "specs": importers.field_specs(upload.kind),
                "proposal": proposal,
                "date_format": date_format,
                "date_formats": DateFormat.choices,
                "headers": upload.headers,
                "sample_rows": sample_rows,
            }
        )
    return render(request, "coop/import_detail.html", context)


@login_required
@require_POST
def upload_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(CoopFileUpload.objects.for_user(request.user).select_related("vendor_code"), pk=pk)
    columns = {spec.name: request.POST.get(f"col_{spec.name}", "") for spec in importers.field_specs(upload.kind)}
    run_service(
        request,
        lambda: services.column_mapping_save(
            upload=upload,
            user=cast(Any, request.user),
            columns=columns,
            date_format=request.POST.get("date_format", "ISO"),
        ),
        success="Mapping saved for this vendor code.",
    )
    return redirect("coop-import-detail", pk=pk)
