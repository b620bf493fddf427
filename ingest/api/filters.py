"""django-filter FilterSets of the imports API."""

from __future__ import annotations

import django_filters

from ingest.models import ReportImport


class ReportImportFilter(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ReportImport
        fields = ("status", "report_type", "source", "fact_table", "brand", "vendor_code")
