"""Co-op file import pages: upload an invoice list, backup report or remittance file (it runs through
ingest's pipeline; the page polls its status), map its columns once per vendor code, see what was
imported or which cells were wrong."""

from __future__ import annotations

from typing import Any
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from coop import importers
from coop.models import ColumnMapping
from coop.models import CoopFileUpload
from coop.models.imports import KIND_BY_SOURCE
from coop.models.imports import DateFormat
from coop.models.imports import FileKind
from coop.services import imports as services
from coop.services.invoices import RECORD_ROLES
from coop.views.common import current_brand
from coop.views.common import run_service
from ingest.models import ReportImport
from planning.models import Membership
from planning.models import VendorCode
from planning.scoping import get_for_user_or_404


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
            success="File received: it is being imported.",
        )
        if upload is not None:
            return redirect("coop-import-detail", pk=upload.pk)
    uploads = CoopFileUpload.objects.for_user(request.user).select_related(
        "vendor_code", "created_by", "report_import"
    )[:50]
    return render(
        request,
        "coop/import_list.html",
        {
            "form": form,
            "uploads": uploads,
            "fields": [(label, importers.field_specs(kind)) for kind, label in FileKind.choices],
        },
    )


def _upload_or_404(request: HttpRequest, pk: int) -> CoopFileUpload:
    upload = get_for_user_or_404(
        CoopFileUpload.objects.select_related("vendor_code", "report_import"), request.user, pk=pk
    )
    if upload.status == CoopFileUpload.Status.QUEUED and upload.report_import and upload.report_import.is_finished:
        # The worker finished but its on_finished hook did not get through: catch up now.
        upload = services.coop_upload_sync(report_import=upload.report_import) or upload
    return upload


@login_required
def upload_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The polling partial (hx-trigger every 1s) while the file waits for or runs in the pipeline; the
    page reloads once it finished (the mapping screen, the counts and the errors come with the page)."""
    upload = _upload_or_404(request, pk)
    response = render(request, "coop/partials/upload_status.html", {"upload": upload})
    if not upload.is_waiting and request.GET.get("detail") == "1":
        response["HX-Refresh"] = "true"
    return response


@login_required
def upload_for_report(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Where a co-op import's "map the columns" link leads: the upload of that file (CLI imports get one
    when they finish)."""
    report_import = get_for_user_or_404(ReportImport.objects.all(), request.user, pk=import_pk)
    if report_import.source not in KIND_BY_SOURCE:
        raise Http404("Not a co-op file.")
    upload = services.coop_upload_for_import(report_import) or services.coop_upload_sync(report_import=report_import)
    if upload is None:
        raise Http404("This import has no co-op file to map (no vendor code was given).")
    return redirect("coop-import-detail", pk=upload.pk)


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_or_404(request, pk)
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
                "specs": [
                    (spec, importers.group_label(upload.kind, spec)) for spec in importers.field_specs(upload.kind)
                ],
                "proposal": proposal,
                "date_format": date_format,
                "date_formats": DateFormat.choices,
                "saved_mapping": ColumnMapping.objects.filter(
                    vendor_code=upload.vendor_code, kind=upload.kind
                ).exists(),
                "headers": upload.headers,
                "sample_rows": sample_rows,
            }
        )
    return render(request, "coop/import_detail.html", context)


@login_required
@require_POST
def upload_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_or_404(request, pk)
    columns = {spec.name: request.POST.get(f"col_{spec.name}", "") for spec in importers.field_specs(upload.kind)}
    run_service(
        request,
        lambda: services.column_mapping_save(
            upload=upload,
            user=cast(Any, request.user),
            columns=columns,
            date_format=request.POST.get("date_format", "ISO"),
        ),
        success="Mapping saved for this vendor code; the file is being imported again.",
    )
    return redirect("coop-import-detail", pk=pk)
