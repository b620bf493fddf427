"""Reads of the ingest app. Every function takes the user and scopes through planning.scoping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ingest.models import ReportImport
from ingest.models import StreamSubscription
from planning.models import Brand
from planning.models import Membership
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

ERROR_CSV_COLUMNS = ("file", "row", "column", "value", "expected")


def report_import_list(
    *,
    user: AnyUser,
    brand: Brand | None = None,
    status: str = "",
    report_type: str = "",
    source: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
    search: str = "",
) -> QuerySet[ReportImport]:
    """The user's imports, newest first, with brand, vendor code, marketplace and author joined."""
    qs = ReportImport.objects.for_user(user).select_related(
        "brand", "vendor_code", "marketplace", "created_by", "identical_to"
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    if status:
        qs = qs.filter(status=status)
    if report_type:
        qs = qs.filter(report_type=report_type)
    if source:
        qs = qs.filter(source=source)
    if created_from:
        qs = qs.filter(created_at__gte=_day_start(created_from))
    if created_to:
        qs = qs.filter(created_at__lt=_day_start(created_to) + timedelta(days=1))
    if search:
        qs = qs.filter(original_name__icontains=search)
    return qs.order_by("-created_at", "-id")


def report_import_get(*, user: AnyUser, pk: int) -> ReportImport:
    """One import of the user's brands, or Http404 (also for another brand's import)."""
    qs = ReportImport.objects.for_user(user).select_related(
        "brand", "vendor_code__marketplace", "marketplace", "created_by", "identical_to", "rerun_of"
    )
    try:
        return qs.get(pk=pk)
    except ReportImport.DoesNotExist as exc:
        raise Http404("No such import.") from exc


def report_imports_by_ids(*, user: AnyUser, ids: Iterable[int]) -> QuerySet[ReportImport]:
    return ReportImport.objects.for_user(user).filter(pk__in=list(ids)).order_by("-created_at", "-id")


def report_type_choices(*, user: AnyUser, brand: Brand | None = None) -> list[str]:
    """The report types the user's imports have had, for the history filter."""
    qs = ReportImport.objects.for_user(user).exclude(report_type="")
    if brand is not None:
        qs = qs.filter(brand=brand)
    return sorted(set(qs.values_list("report_type", flat=True).distinct()))


def importable_vendor_codes(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[VendorCode]:
    """Vendor codes of the brands where the user may import (brand manager, vendor ops, finance)."""
    from ingest.services import IMPORT_ROLES

    qs = VendorCode.objects.for_user(user).filter(
        brand__memberships__user_id=int(user.pk or 0), brand__memberships__role__in=IMPORT_ROLES
    )
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.select_related("brand", "marketplace").distinct().order_by("brand__name", "code")


def importable_brands(*, user: AnyUser) -> QuerySet[Brand]:
    from ingest.services import IMPORT_ROLES

    if not user.is_authenticated:
        return Brand.objects.none()
    ids = Membership.objects.filter(user_id=user.pk, role__in=IMPORT_ROLES).values("brand_id")
    return Brand.objects.filter(pk__in=ids).order_by("name")


def report_import_errors_csv(report_import: ReportImport) -> str:
    """The kept row errors as CSV (file, row, column, value, expected)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ERROR_CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for error in report_import.errors or []:
        writer.writerow({key: _csv_cell(error.get(key)) for key in ERROR_CSV_COLUMNS})
    return buffer.getvalue()


def stream_subscription_list(*, user: AnyUser, brand: Brand | None = None) -> QuerySet[StreamSubscription]:
    qs = StreamSubscription.objects.for_user(user).select_related("brand", "marketplace")
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.prefetch_related("dataset_states").order_by("brand__name", "dataset")


def _csv_cell(value: Any) -> Any:
    # A value starting with = + - @ would run as a formula in Excel: prefix it so it stays text
    # (a plain negative number is left alone).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return "" if value is None else value


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return True


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
