"""django-filter FilterSets of the reviews API."""

from __future__ import annotations

import django_filters

from planning.models import Marketplace
from planning.models import VendorCode
from reviews.models import ActionItem
from reviews.models import AdsRollup
from reviews.models import BusinessReview
from reviews.models import Dimension
from reviews.models import Grain
from reviews.models import Rollup


class _RollupFilter(django_filters.FilterSet):
    vendor_code = django_filters.CharFilter(method="filter_vendor_code", help_text="Vendor code, e.g. ACMEU")
    vendor_code_id = django_filters.NumberFilter(field_name="vendor_code_id")
    marketplace = django_filters.CharFilter(
        method="filter_marketplace", help_text="Amazon marketplace id, e.g. ATVPDKIKX0DER"
    )
    grain = django_filters.ChoiceFilter(choices=Grain.choices)
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices)
    dimension_value = django_filters.CharFilter()
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    # Codes and marketplace ids become id lists first: a join in a million-row filter (and its COUNT)
    # keeps PostgreSQL from using the vendor-code indexes.
    def filter_vendor_code(self, queryset, name, value):  # type: ignore[no-untyped-def]
        ids = list(VendorCode.objects.filter(code=value).values_list("pk", flat=True))
        return queryset.filter(vendor_code_id__in=ids)

    def filter_marketplace(self, queryset, name, value):  # type: ignore[no-untyped-def]
        ids = list(Marketplace.objects.filter(amazon_marketplace_id=value).values_list("pk", flat=True))
        return queryset.filter(marketplace_id__in=ids)


class RollupFilter(_RollupFilter):
    distributor_view = django_filters.CharFilter(help_text="MANUFACTURING, SOURCING or '' (the view-less row)")
    selling_program = django_filters.CharFilter()

    class Meta:
        model = Rollup
        fields = ("brand",)


class AdsRollupFilter(_RollupFilter):
    ad_product = django_filters.CharFilter()

    class Meta:
        model = AdsRollup
        fields = ("brand",)


class BusinessReviewFilter(django_filters.FilterSet):
    month_after = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = BusinessReview
        fields = ("brand", "marketplace", "review_type", "status")


class ActionItemFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = ActionItem
        fields = ("review", "owner", "status")

    def filter_open(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return (
            queryset.filter(status__in=ActionItem.OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=ActionItem.OPEN_STATUSES)
        )
