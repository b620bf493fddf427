"""Serializers of the imports API: input and output kept apart (STYLE.md §2.5)."""

from __future__ import annotations

import json

from django.urls import reverse
from rest_framework import serializers

from ingest.models import ReportImport


class ReportImportSerializer(serializers.ModelSerializer):
    """An import's status, progress and outcome."""

    brand_name = serializers.CharField(source="brand.name", read_only=True)
    vendor_code = serializers.CharField(source="vendor_code.code", read_only=True, default=None)
    marketplace = serializers.CharField(source="marketplace.amazon_marketplace_id", read_only=True, default=None)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default=None)
    changed_nothing = serializers.BooleanField(read_only=True)
    errors_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportImport
        fields = (
            "id",
            "url",
            "brand",
            "brand_name",
            "vendor_code",
            "marketplace",
            "source",
            "report_type",
            "detected_format",
            "fact_table",
            "options",
            "import_options",
            "data_start",
            "data_end",
            "amazon_last_updated",
            "original_name",
            "size",
            "file_sha256",
            "status",
            "progress_pct",
            "rows_total",
            "rows_inserted",
            "rows_updated",
            "rows_unchanged",
            "rows_deleted",
            "changed_nothing",
            "identical_to",
            "rerun_of",
            "error_count",
            "errors_url",
            "message",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

    def get_url(self, obj: ReportImport) -> str:
        return reverse("api-import-detail", args=[obj.pk])

    def get_errors_url(self, obj: ReportImport) -> str:
        return reverse("api-import-errors", args=[obj.pk])


class ReportImportUploadSerializer(serializers.Serializer):
    """A multipart upload: the file, and the vendor code when the file does not name one."""

    file = serializers.FileField(allow_empty_file=False, use_url=False)
    vendor_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    marketplace = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="Amazon marketplace id, when the vendor code exists in several.",
    )
    brand = serializers.IntegerField(required=False, help_text="Brand id; derived from the vendor code when omitted.")
    options = serializers.JSONField(
        required=False,
        help_text='What the file does not say itself, e.g. {"profile_id": "...", "marketplace_id": "ATVPDKIKX0DER"} '
        "for Amazon Ads report bodies.",
    )

    def validate_options(self, value: object) -> dict[str, object]:
        if isinstance(value, str):  # multipart sends it as text
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError("Expected a JSON object.") from exc
        if not isinstance(value, dict):
            raise serializers.ValidationError("Expected a JSON object.")
        return value


class RowErrorSerializer(serializers.Serializer):
    file = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    expected = serializers.CharField()
