"""Imports API: upload, list, status and errors, every queryset scoped to the caller's brands."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from ingest import selectors
from ingest import services
from ingest.api.filters import ReportImportFilter
from ingest.api.serializers import ReportImportSerializer
from ingest.api.serializers import ReportImportUploadSerializer
from ingest.api.serializers import RowErrorSerializer
from ingest.models import ReportImport
from ingest.storage import max_upload_bytes
from ingest.views import MULTIPART_OVERHEAD
from planning.models import Brand
from planning.models import VendorCode


class UploadRefused(Exception):
    def __init__(self, length: int) -> None:
        super().__init__(f"upload of {length} bytes refused")
        self.length = length


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` pick the CSV body the errors view builds itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode("utf-8") if isinstance(data, str) else b""


@extend_schema(tags=["imports"])
class ImportListCreateApi(generics.ListAPIView):
    """GET: the caller's imports (filters: status, report_type, source, fact_table, brand, created_after,
    created_before). POST (multipart): upload one file; answers 201 with the PENDING import."""

    serializer_class = ReportImportSerializer
    filterset_class = ReportImportFilter
    parser_classes = (MultiPartParser, FormParser)
    ordering_fields = ("created_at", "finished_at", "rows_total")
    ordering = ("-created_at",)
    search_fields = ("original_name",)

    def get_queryset(self) -> QuerySet[ReportImport]:
        return selectors.report_import_list(user=self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: session authentication's CSRF check would parse (read) the body.
        if request.method == "POST":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > max_upload_bytes() + MULTIPART_OVERHEAD:
                raise UploadRefused(length)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, UploadRefused):
            return Response(
                {
                    "message": f"The upload is larger than the limit of {max_upload_bytes():,} bytes; "
                    "it was refused before being read.",
                    "extra": {"limit": max_upload_bytes(), "content_length": exc.length},
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return super().handle_exception(exc)

    @extend_schema(request=ReportImportUploadSerializer, responses={201: ReportImportSerializer})
    def post(self, request: Request) -> Response:
        serializer = ReportImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        brand, vendor_code = _brand_and_vendor_code(request, data)
        report_import = services.report_import_create(
            brand=brand,
            uploaded_file=data["file"],
            vendor_code=vendor_code,
            options=data.get("options") or None,
            user=request.user,
        )
        report_import.refresh_from_db()
        return Response(ReportImportSerializer(report_import).data, status=status.HTTP_201_CREATED)


def _brand_and_vendor_code(request: Request, data: dict[str, Any]) -> tuple[Brand, VendorCode | None]:
    brands = Brand.objects.for_user(request.user)
    brand: Brand | None = None
    if data.get("brand") is not None:
        brand = brands.filter(pk=data["brand"]).first()
        if brand is None:
            raise ValidationError({"brand": ["Unknown brand."]})
    vendor_code: VendorCode | None = None
    if data.get("vendor_code"):
        codes = VendorCode.objects.for_user(request.user).filter(code=data["vendor_code"]).select_related("brand")
        if brand is not None:
            codes = codes.filter(brand=brand)
        if data.get("marketplace"):
            codes = codes.filter(marketplace__amazon_marketplace_id=data["marketplace"])
        found = list(codes[:2])
        if not found:
            raise ValidationError({"vendor_code": [f"Unknown vendor code {data['vendor_code']!r}."]})
        if len(found) > 1:
            raise ValidationError({"vendor_code": ["This code exists in several marketplaces: add marketplace."]})
        vendor_code = found[0]
        brand = brand or vendor_code.brand
    if brand is None:
        importable = selectors.importable_brands(user=request.user)
        if importable.count() != 1:
            raise ApplicationError("Say which brand the file belongs to: brand (id) or vendor_code.")
        brand = importable.get()
    return brand, vendor_code


@extend_schema(tags=["imports"])
class ImportDetailApi(generics.RetrieveAPIView):
    """One import: status, progress_pct, counts and message."""

    serializer_class = ReportImportSerializer

    def get_queryset(self) -> QuerySet[ReportImport]:
        return selectors.report_import_list(user=self.request.user)


@extend_schema(tags=["imports"])
class ImportErrorsApi(APIView):
    """The import's row errors (file, row, column, value, expected) as JSON, or CSV with ?format=csv."""

    renderer_classes = (JSONRenderer, CSVRenderer)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={200: RowErrorSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        report_import = selectors.report_import_get(user=request.user, pk=pk)
        if request.accepted_renderer.format == "csv":
            response = Response(selectors.report_import_errors_csv(report_import))
            response["Content-Disposition"] = f'attachment; filename="import-{report_import.pk}-errors.csv"'
            return response
        return Response(
            {
                "import": report_import.pk,
                "status": report_import.status,
                "error_count": report_import.error_count,
                "truncated": report_import.errors_truncated,
                "errors": RowErrorSerializer(report_import.errors or [], many=True).data,
            }
        )


@extend_schema(tags=["imports"])
class ImportRerunApi(APIView):
    """Re-run a finished import from its kept raw file; answers 201 with the new import."""

    @extend_schema(request=None, responses={201: ReportImportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        report_import = selectors.report_import_get(user=request.user, pk=pk)
        rerun = services.report_import_rerun(report_import=report_import, user=request.user)
        rerun.refresh_from_db()
        return Response(ReportImportSerializer(rerun).data, status=status.HTTP_201_CREATED)
