"""Writes of the import pipeline: create an import from a file, run it, re-run it.

ARCHITECTURE.md "Data flow": the raw file is kept and a PENDING ReportImport created, the task is
enqueued on commit; the worker claims the import, detects the format from content, parses in chunks,
validates, stages and upserts in one transaction, and tells the listeners what changed.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
import logging
import time
import zlib
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError
from django.db import OperationalError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError
from ingest import file_importers
from ingest import listeners
from ingest.file_importers import FileImporter
from ingest.file_importers import FileImportOutcome
from ingest.loader import ErrorCollector
from ingest.loader import FactLoader
from ingest.loader import LoadError
from ingest.models import FACT_MODELS
from ingest.models import AdsProfile
from ingest.models import ReportImport
from ingest.models.imports import import_upload_to
from ingest.parsers import registry
from ingest.parsers.base import ParsedReport
from ingest.parsers.base import ParseError
from ingest.parsers.base import RowError
from ingest.parsers.base import open_maybe_gzip
from ingest.parsers.base import sniff
from ingest.storage import store_path
from ingest.storage import store_upload
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.models import VendorCode
from planning.roles import has_role
from planning.roles import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

logger = logging.getLogger(__name__)

Status = ReportImport.Status
IMPORT_ROLES = (Membership.Role.BRAND_MANAGER, Membership.Role.VENDOR_OPS, Membership.Role.FINANCE)
# Share of the progress bar for reading and staging the file; the upsert takes the rest.
_STAGE_SHARE = 80
_PROGRESS_EVERY_S = 0.5


def can_import(*, user: AnyUser, brand_id: int) -> bool:
    """Whether the user may import files (and re-run imports) for the brand."""
    return has_role(user, brand_id, IMPORT_ROLES)


def import_roles(source: str) -> tuple[str, ...]:
    """Who may create and re-run imports of a source: the roles its registered importer declared
    (ingest.file_importers), else IMPORT_ROLES."""
    return file_importers.roles_for(source) or IMPORT_ROLES


def can_rerun(*, user: AnyUser, report_import: ReportImport) -> bool:
    """Whether the Re-run button is offered: a finished import, and a role that may run its source."""
    return report_import.is_finished and has_role(user, report_import.brand_id, import_roles(report_import.source))


# -- create -------------------------------------------------------------------------------------------


def report_import_create(
    *,
    brand: Brand,
    uploaded_file: UploadedFile | None = None,
    path: Path | str | None = None,
    vendor_code: VendorCode | None = None,
    user: AnyUser | None = None,
    options: dict[str, Any] | None = None,
    source: str = "",
    enqueue: bool = True,
) -> ReportImport:
    """Keep the raw file, record a PENDING import and enqueue its run once the transaction commits.

    `user` is None for the CLI and the demo seeder (operators); a person needs an importing role.
    `options` tell parsers what a file does not say itself (Ads report bodies: profile_id,
    marketplace_id); parsers that take no options ignore them.
    `source` says what the file is when its content cannot (co-op files have no public format): it
    must be a Source with a registered file importer (ingest.file_importers), which then runs instead
    of format detection. Empty = detect the format from the content.
    The size is checked before the file is read: an upload over COOPDESK_MAX_UPLOAD_BYTES is refused.
    """
    if user is not None:
        require_role(user, brand.pk, import_roles(source), action=_import_action(source, "import"))
    if (uploaded_file is None) == (path is None):
        raise ValueError("pass exactly one of uploaded_file or path")
    if source and not file_importers.has_file_importer(source):
        known = ", ".join(file_importers.registered_sources()) or "none registered"
        raise ApplicationError(
            f"No importer is registered for source {str(source)!r} (files of other sources are recognised from "
            f"their content; leave the source empty). Sources with an importer: {known}.",
            extra={"source": source},
        )
    if vendor_code is not None and vendor_code.brand_id != brand.pk:
        raise ApplicationError(
            f"Vendor code {vendor_code.code} does not belong to {brand.name}.", extra={"vendor_code": vendor_code.code}
        )
    original = Path(uploaded_file.name or "upload").name if uploaded_file is not None else Path(str(path)).name
    upload_to = import_upload_to(ReportImport(), original)
    if uploaded_file is not None:
        stored = store_upload(uploaded_file, upload_to)
    else:
        stored = store_path(Path(str(path)), upload_to)
    with transaction.atomic():
        report_import = ReportImport.objects.create(
            brand=brand,
            vendor_code=vendor_code,
            marketplace=vendor_code.marketplace if vendor_code is not None else None,
            file=stored.name,
            original_name=stored.original_name,
            size=stored.size,
            file_sha256=stored.sha256,
            import_options=_jsonable(options or {}),
            source=source,
            report_type=_file_report_type(source),
            created_by=_author(user),
        )
        if enqueue:
            _enqueue_on_commit(report_import.pk)
    return report_import


def report_import_rerun(
    *, report_import: ReportImport, user: AnyUser | None = None, enqueue: bool = True
) -> ReportImport:
    """A new import of the same kept raw file (after a mapping fix, or to retry a failure)."""
    if user is not None:
        require_role(
            user,
            report_import.brand_id,
            import_roles(report_import.source),
            action=_import_action(report_import.source, "re-run"),
        )
    if not report_import.is_finished:
        raise ApplicationError(f"Import #{report_import.pk} is still {report_import.get_status_display().lower()}.")
    with transaction.atomic():
        rerun = ReportImport.objects.create(
            brand_id=report_import.brand_id,
            vendor_code_id=report_import.vendor_code_id,
            marketplace_id=report_import.marketplace_id,
            file=report_import.file.name,
            original_name=report_import.original_name,
            size=report_import.size,
            file_sha256=report_import.file_sha256,
            import_options=report_import.import_options,
            # A file whose source the uploader named is run by the same importer again; detected
            # formats are detected again (the source is re-learnt from the content).
            source=report_import.source if file_importers.has_file_importer(report_import.source) else "",
            report_type=_file_report_type(report_import.source),
            rerun_of=report_import,
            created_by=_author(user),
        )
        if enqueue:
            _enqueue_on_commit(rerun.pk)
    return rerun


def _import_action(source: str, verb: str) -> str:
    """What a refusal says the user tried: "import reports", or for a source whose importer declared its
    own roles "re-run co-op backup report imports"."""
    if file_importers.roles_for(source) is None:
        return f"{verb} reports" if verb == "import" else f"{verb} imports"
    label = str(ReportImport.Source(source).label).lower()
    return f"{verb} {label}s" if verb == "import" else f"{verb} {label} imports"


def _author(user: AnyUser | None) -> Any:
    """The created_by value: people only (the CLI and the seeder import as nobody)."""
    return user if user is not None and user.is_authenticated else None


def _enqueue(import_id: int) -> bool:
    """Send the import's task to the broker. A broker that cannot be reached leaves the import PENDING
    (the file is kept and the upload succeeded): report_imports_requeue_stuck sends it again later."""
    from ingest.tasks import report_import_run_task  # tasks import this module

    try:
        result = report_import_run_task.apply_async(args=(import_id,))
    except Exception:  # kombu raises its own OperationalError family; any failure here means "not queued"
        logger.exception("could not queue import %s; it stays pending until the sweeper queues it again", import_id)
        return False
    if result.id:
        ReportImport.objects.filter(pk=import_id, celery_task_id="").update(celery_task_id=str(result.id))
    return True


def _enqueue_on_commit(import_id: int) -> None:
    transaction.on_commit(lambda: _enqueue(import_id))


# A pending import older than this lost its task (broker down when it was queued, broker restarted
# without persistence): the sweeper queues it again. A duplicate delivery is harmless: only one claims it.
PENDING_REQUEUE_AFTER = timedelta(minutes=15)


def report_imports_requeue_stuck(*, now: datetime | None = None) -> list[int]:
    """Queue again the imports nobody will finish otherwise: PENDING ones older than
    PENDING_REQUEUE_AFTER, and RUNNING ones older than the task's hard time limit (their worker died;
    the claim takes them over). Returns the ids queued; at most 500 per run."""
    now = now or timezone.now()
    running_limit = timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 2100)) + 60)
    stuck = (
        ReportImport.objects.filter(
            Q(status=Status.PENDING, created_at__lt=now - PENDING_REQUEUE_AFTER)
            | Q(status=Status.RUNNING, started_at__lt=now - running_limit)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    queued = [pk for pk in stuck if _enqueue(pk)]
    if queued:
        logger.warning("queued %s stuck import(s) again: %s", len(queued), queued)
    return queued


# -- run ----------------------------------------------------------------------------------------------


def report_import_run(import_id: int) -> ReportImport | None:
    """Run one import to SUCCEEDED or FAILED. Safe to call twice: only the caller that claims it runs it.

    Returns None when someone else holds the import (or it is already finished).
    """
    if not _claim(import_id):
        logger.info("import %s is not pending (already running or finished); nothing to do", import_id)
        return None
    report_import = ReportImport.objects.select_related("brand", "vendor_code__marketplace").get(pk=import_id)
    try:
        _run(report_import)
    except (OperationalError, InterfaceError):
        # A transient database error: hand the import back so the task's retry can claim it again.
        _release(import_id)
        raise
    except Exception as exc:
        logger.exception("import %s failed unexpectedly", import_id)
        _finish_failed(
            report_import,
            message=f"Coopdesk could not finish this import ({type(exc).__name__}: {exc}). "
            "The file is kept: re-run it once the problem is fixed.",
        )
    report_import.refresh_from_db()
    if file_importers.has_file_importer(report_import.source):
        file_importers.announce_finished(report_import)
    return report_import


def _claim(import_id: int) -> bool:
    """PENDING → RUNNING in one conditional UPDATE. A RUNNING import older than the task hard time limit
    is taken over too: its worker died (acks_late redelivered the task) and nobody else will finish it."""
    now = timezone.now()
    stale = now - timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 2100)) + 60)
    claimed = (
        ReportImport.objects.filter(pk=import_id)
        .filter(Q(status=Status.PENDING) | Q(status=Status.RUNNING, started_at__lt=stale))
        .update(status=Status.RUNNING, started_at=now, finished_at=None, progress_pct=1)
    )
    return claimed == 1


def _release(import_id: int) -> None:
    try:
        ReportImport.objects.filter(pk=import_id, status=Status.RUNNING).update(status=Status.PENDING, progress_pct=0)
    except (OperationalError, InterfaceError):
        logger.warning("could not release import %s; the stale-claim rule will recover it", import_id)


def _run(report_import: ReportImport) -> None:
    if report_import.rerun_of_id is None:
        previous = _identical_previous_import(report_import)
        if previous is not None:
            _finish_identical(report_import, previous)
            return
    importer = file_importers.file_importer_for(report_import.source)
    with report_import.file.open("rb") as raw:
        if importer is not None:
            _run_file_importer(report_import, raw, importer)  # type: ignore[arg-type]
        else:
            _run_file(report_import, raw)  # type: ignore[arg-type]


def _file_report_type(source: str) -> str:
    """What the Imports page shows as the type of a file whose source the uploader named."""
    if not file_importers.has_file_importer(source):
        return ""
    return str(ReportImport.Source(source).label)


class _RollBack(Exception):
    """Leaves the importer's transaction without keeping its writes."""

    def __init__(self, outcome: FileImportOutcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def _run_file_importer(report_import: ReportImport, raw: BinaryIO, importer: FileImporter) -> None:
    """Run a registered importer in ONE transaction: all its writes are kept, or none are."""
    _set_progress(report_import.pk, 10)
    try:
        with transaction.atomic():
            outcome = importer(report_import, raw)
            if outcome.failed:
                raise _RollBack(outcome)
            report_import.options = _jsonable(outcome.details)
            _finish_succeeded(
                report_import,
                rows_total=outcome.rows_total,
                inserted=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                deleted=outcome.deleted,
                message=outcome.message,
            )
    except _RollBack as rollback:
        failed = rollback.outcome
        report_import.options = _jsonable(
            {
                **failed.details,
                **(
                    {"needs_input": True, "action_url": failed.action_url, "action_label": failed.action_label}
                    if failed.needs_input
                    else {}
                ),
            }
        )
        message = failed.message
        if failed.needs_input and not failed.errors:
            message = f"{message} Nothing was loaded.".strip()
        _finish_failed(
            report_import,
            errors=failed.errors,
            error_count=failed.error_count,
            message=message,
            rows_total=failed.rows_total,
        )
    except ApplicationError as exc:
        # A service the importer called refused (a role, a rule): its message says why.
        _finish_failed(report_import, message=f"Nothing was loaded: {exc.message}")


def _set_progress(import_id: int, pct: int) -> None:
    ReportImport.objects.filter(pk=import_id, status=Status.RUNNING).update(progress_pct=pct)


def _run_file(report_import: ReportImport, raw: BinaryIO) -> None:
    name = report_import.original_name
    try:
        stream = open_maybe_gzip(raw)
        head = sniff(stream)
    except (EOFError, OSError, zlib.error) as exc:
        _finish_failed(report_import, errors=[_corrupt_gzip_error(name, exc)])
        return
    if not head.strip():
        _finish_failed(
            report_import,
            errors=[
                RowError(file=name, row=None, column=None, value=None, expected="a report; the file has no content")
            ],
        )
        return
    spec = registry.detect(head)
    if spec is None:
        supported = ", ".join(f.name for f in registry.formats()) or "none registered"
        _finish_failed(
            report_import,
            errors=[
                RowError(
                    file=name,
                    row=None,
                    column=None,
                    value=_printable_head(head),
                    expected=f"one of the supported formats: {supported}",
                )
            ],
            message="Coopdesk does not recognise this file's format (detection looks at the content, not the name).",
        )
        return
    report_import.detected_format = spec.name
    kwargs: dict[str, Any] = {}
    if report_import.import_options and _takes_options(spec.parser):
        kwargs["options"] = dict(report_import.import_options)
    try:
        parsed = spec.parser(stream, name, **kwargs)
    except ParseError as exc:
        _finish_parse_error(report_import, exc)
        return
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        _finish_failed(report_import, errors=[_corrupt_gzip_error(name, exc)])
        return
    _describe(report_import, parsed)
    _load(report_import, parsed, raw)


def _takes_options(parser: Callable[..., ParsedReport]) -> bool:
    try:
        return "options" in inspect.signature(parser).parameters
    except (TypeError, ValueError):  # builtins and some callables have no signature
        return False


def _describe(report_import: ReportImport, parsed: ParsedReport) -> None:
    """Copy what the parser learnt about the file onto the import record (visible while it runs)."""
    report_import.source = parsed.source
    report_import.report_type = parsed.report_type
    report_import.fact_table = parsed.fact_table
    report_import.options = _jsonable(parsed.options)
    report_import.data_start = parsed.data_start
    report_import.data_end = parsed.data_end
    report_import.amazon_last_updated = parsed.amazon_last_updated
    report_import.save(
        update_fields=[
            "detected_format",
            "source",
            "report_type",
            "fact_table",
            "options",
            "data_start",
            "data_end",
            "amazon_last_updated",
            "updated_at",
        ]
    )


def _load(report_import: ReportImport, parsed: ParsedReport, raw: BinaryIO) -> None:
    name = report_import.original_name
    model = FACT_MODELS.get(parsed.fact_table)
    if model is None:
        raise ValueError(f"parser returned unknown fact table {parsed.fact_table!r}")
    collector = ErrorCollector()
    marketplace, vendor_code = _resolve_account(report_import, parsed, collector)
    if collector:
        _finish_failed(report_import, errors=collector.kept, error_count=collector.count)
        return
    loader = FactLoader(
        model=model,
        brand=report_import.brand,
        import_id=report_import.pk,
        file_name=name,
        errors=collector,
        default_vendor_code=vendor_code,
        default_marketplace=marketplace,
        provided_columns=parsed.provided_columns,
        missing_vendor_code_hint=(
            f"{parsed.report_type} files do not name their vendor code: choose it when uploading (CLI: --vendor-code)"
        ),
    )
    progress = _ProgressReporter(report_import.pk, raw, report_import.size)
    try:
        try:
            summary = loader.stage(parsed.chunks, on_chunk=progress)
        except ParseError as exc:
            _finish_parse_error(report_import, exc)
            return
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            _finish_failed(report_import, errors=[_corrupt_gzip_error(name, exc)])
            return
        collector.extend(parsed.errors)
        if parsed.fact_table == "ads_daily":
            _check_ads_profiles(report_import.brand, summary.profile_ids, name, collector)
        if collector:
            _finish_failed(
                report_import,
                errors=collector.kept,
                error_count=collector.count,
                rows_total=summary.rows + collector.count,
            )
            return
        progress.set(_STAGE_SHARE)
        # Streaming parsers (Amazon Ads report bodies) know the file's first and last day only once every
        # row was read: record them now, so freshness and restatement windows see them.
        report_import.data_start = report_import.data_start or parsed.data_start
        report_import.data_end = report_import.data_end or parsed.data_end
        report_import.marketplace = marketplace or _single_marketplace(summary.marketplace_ids)
        report_import.vendor_code = vendor_code or _single_vendor_code(summary.vendor_code_ids)
        report_import.window_key = _window_key(report_import, parsed)
        try:
            with transaction.atomic():
                counts = loader.apply(
                    replaces_window=parsed.replaces_window, data_start=parsed.data_start, data_end=parsed.data_end
                )
                if parsed.fact_table == "ads_daily":
                    _register_ads_profiles(report_import.brand, summary.profile_ids, report_import.marketplace)
                changed = counts.inserted + counts.updated + counts.deleted
                _finish_succeeded(
                    report_import,
                    rows_total=summary.rows,
                    inserted=counts.inserted,
                    updated=counts.updated,
                    unchanged=counts.unchanged,
                    deleted=counts.deleted,
                )
                if parsed.replaces_window and report_import.window_key:
                    ReportImport.objects.filter(
                        brand_id=report_import.brand_id, window_key=report_import.window_key, status=Status.SUCCEEDED
                    ).exclude(pk=report_import.pk).update(status=Status.SUPERSEDED)
                if changed:
                    period_start, period_end = _period(loader, parsed)
                    event = listeners.FactsChanged(
                        import_id=report_import.pk,
                        fact_table=parsed.fact_table,
                        vendor_code_ids=tuple(sorted(summary.vendor_code_ids)),
                        marketplace_ids=tuple(sorted(summary.marketplace_ids)),
                        period_start=period_start,
                        period_end=period_end,
                    )
                    transaction.on_commit(lambda: listeners.announce(event))
        except LoadError as exc:
            _finish_failed(report_import, errors=exc.errors, rows_total=summary.rows)
    finally:
        loader.drop_stage()


def _resolve_account(
    report_import: ReportImport, parsed: ParsedReport, collector: ErrorCollector
) -> tuple[Marketplace | None, VendorCode | None]:
    """The marketplace and vendor code the file is for: named by the file, given by the uploader, or both
    (then they must agree). The vendor code must belong to the import's brand and the file's marketplace."""
    name = report_import.original_name
    given = report_import.vendor_code
    marketplace: Marketplace | None = None
    if parsed.marketplace_id:
        marketplace = Marketplace.objects.filter(amazon_marketplace_id=parsed.marketplace_id).first()
        if marketplace is None:
            collector.add(
                RowError(
                    file=name,
                    row=None,
                    column="marketplaceId",
                    value=parsed.marketplace_id,
                    expected="a known Amazon marketplace id such as ATVPDKIKX0DER",
                )
            )
            return None, None
    vendor_code = given
    if parsed.vendor_code:
        if given is not None and given.code != parsed.vendor_code:
            collector.add(
                RowError(
                    file=name,
                    row=None,
                    column="vendorCode",
                    value=parsed.vendor_code,
                    expected=f"vendor code {given.code}, the one chosen for this import (the file is for another)",
                )
            )
            return marketplace, None
        if given is None:
            candidates = VendorCode.objects.filter(brand=report_import.brand, code=parsed.vendor_code)
            if marketplace is not None:
                candidates = candidates.filter(marketplace=marketplace)
            found = list(candidates.select_related("marketplace")[:2])
            if len(found) != 1:
                collector.add(
                    RowError(
                        file=name,
                        row=None,
                        column="vendorCode",
                        value=parsed.vendor_code,
                        expected=(
                            f"a vendor code registered for {report_import.brand.name}"
                            + (f" in {marketplace.domain}" if marketplace else "")
                            + (" (register it with add_vendor_code)" if not found else "; choose one when importing")
                        ),
                    )
                )
                return marketplace, None
            vendor_code = found[0]
    if vendor_code is not None and marketplace is not None and vendor_code.marketplace_id != marketplace.pk:
        collector.add(
            RowError(
                file=name,
                row=None,
                column="marketplaceId",
                value=marketplace.amazon_marketplace_id,
                expected=(
                    f"marketplace {vendor_code.marketplace.amazon_marketplace_id} of vendor code {vendor_code.code} "
                    f"({vendor_code.marketplace.domain})"
                ),
            )
        )
        return marketplace, None
    if marketplace is None and vendor_code is not None:
        marketplace = vendor_code.marketplace
    return marketplace, vendor_code


def _identical_previous_import(report_import: ReportImport) -> ReportImport | None:
    """A successful import of the very same bytes whose facts nothing has overwritten since."""
    previous = (
        ReportImport.objects.filter(
            brand_id=report_import.brand_id, file_sha256=report_import.file_sha256, status=Status.SUCCEEDED
        )
        .exclude(pk=report_import.pk)
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .first()
    )
    if previous is None:
        return None
    if report_import.vendor_code_id is not None and previous.vendor_code_id != report_import.vendor_code_id:
        return None
    if previous.import_options != report_import.import_options:
        return None  # the same bytes said to be another profile or marketplace are not the same import
    named_source = file_importers.has_file_importer(report_import.source)
    if (named_source or file_importers.has_file_importer(previous.source)) and previous.source != report_import.source:
        return None  # the same bytes said to be another kind of file are not the same import
    later_changes = ReportImport.objects.filter(
        brand_id=report_import.brand_id,
        status__in=(Status.SUCCEEDED, Status.SUPERSEDED),
        finished_at__gt=previous.finished_at,
    ).filter(Q(rows_inserted__gt=0) | Q(rows_updated__gt=0) | Q(rows_deleted__gt=0))
    # Files a registered importer ran change that importer's rows, not fact tables.
    later_changes = (
        later_changes.filter(source=previous.source)
        if named_source
        else later_changes.filter(fact_table=previous.fact_table)
    )
    if previous.data_start and previous.data_end:
        later_changes = later_changes.filter(
            Q(data_start=None)
            | Q(data_end=None)
            | Q(data_start__lte=previous.data_end, data_end__gte=previous.data_start)
        )
    if later_changes.exists():
        return None  # a later file restated some of these facts: load this one again for real
    return previous


def _finish_identical(report_import: ReportImport, previous: ReportImport) -> None:
    for attr in (
        "source",
        "report_type",
        "detected_format",
        "fact_table",
        "options",
        "data_start",
        "data_end",
        "amazon_last_updated",
        "marketplace_id",
        "vendor_code_id",
        "window_key",
    ):
        setattr(report_import, attr, getattr(previous, attr))
    report_import.status = Status.SUCCEEDED
    report_import.identical_to = previous
    report_import.progress_pct = 100
    report_import.rows_total = previous.rows_total
    report_import.rows_unchanged = previous.rows_total
    report_import.rows_inserted = report_import.rows_updated = report_import.rows_deleted = 0
    report_import.message = f"Identical to import #{previous.pk}: nothing changed."
    report_import.finished_at = timezone.now()
    report_import.save()


def _finish_succeeded(
    report_import: ReportImport,
    *,
    rows_total: int,
    inserted: int,
    updated: int,
    unchanged: int,
    deleted: int,
    message: str = "",
) -> None:
    """Record a successful load (inside the caller's transaction); `message` "" = one from the counts."""
    report_import.status = Status.SUCCEEDED
    report_import.progress_pct = 100
    report_import.rows_total = rows_total
    report_import.rows_inserted = inserted
    report_import.rows_updated = updated
    report_import.rows_unchanged = unchanged
    report_import.rows_deleted = deleted
    report_import.error_count = 0
    report_import.errors = []
    report_import.message = message or _success_message(rows_total, inserted, updated, deleted, unchanged)
    report_import.finished_at = timezone.now()
    report_import.save()


def _finish_failed(
    report_import: ReportImport,
    *,
    errors: list[RowError] | None = None,
    error_count: int | None = None,
    message: str = "",
    rows_total: int | None = None,
) -> None:
    # File-level errors first, then in row order, whatever order the checks found them in.
    errors = sorted(errors or [], key=lambda e: (e.row is not None, e.row or 0))
    count = error_count if error_count is not None else len(errors)
    if not message:
        first = str(errors[0]) if errors else ""
        noun = "error" if count == 1 else "errors"
        message = f"{count:,} {noun}; nothing was loaded. {first}".strip()
    report_import.status = Status.FAILED
    report_import.errors = [e.as_dict() for e in errors[: _kept_limit()]]
    report_import.error_count = count
    report_import.message = message
    report_import.rows_inserted = report_import.rows_updated = report_import.rows_deleted = 0
    report_import.rows_unchanged = 0
    if rows_total is not None:
        report_import.rows_total = rows_total
    report_import.finished_at = timezone.now()
    report_import.save()


def _finish_parse_error(report_import: ReportImport, exc: ParseError) -> None:
    error = exc.error
    message = ""
    if error.column == "errorDetails" and error.value:
        # A FATAL report document: Amazon's own explanation is the most useful thing to show.
        message = f"Amazon could not produce this report (processing status FATAL): {error.value}"
        report_import.source = report_import.source or ReportImport.Source.SP_API_REPORT
    _finish_failed(report_import, errors=[error], message=message)


def _kept_limit() -> int:
    from ingest.models.imports import MAX_KEPT_ERRORS

    return MAX_KEPT_ERRORS


def _corrupt_gzip_error(name: str, exc: BaseException) -> RowError:
    return RowError(
        file=name,
        row=None,
        column=None,
        value=str(exc)[:200] or type(exc).__name__,
        expected="a complete gzip archive (the file is truncated or corrupt; download it again)",
    )


def _printable_head(head: bytes) -> str:
    text = head[:80].decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() else "·" for ch in text)


def _success_message(rows: int, inserted: int, updated: int, deleted: int, unchanged: int) -> str:
    if rows == 0 and deleted == 0:
        return "The file holds no rows: nothing changed."
    if inserted + updated + deleted == 0:
        return f"No changes: all {rows:,} rows were already loaded."
    parts = [f"{rows:,} rows: {inserted:,} new, {updated:,} updated, {unchanged:,} unchanged"]
    if deleted:
        parts.append(f"{deleted:,} no longer in the restated window and removed")
    return "; ".join(parts) + "."


def _window_key(report_import: ReportImport, parsed: ParsedReport) -> str:
    if not (parsed.data_start and parsed.data_end):
        return ""
    payload = json.dumps(
        [
            parsed.fact_table,
            parsed.report_type,
            report_import.marketplace_id,
            report_import.vendor_code_id,
            _jsonable(parsed.options),
            parsed.data_start.isoformat(),
            parsed.data_end.isoformat(),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _period(loader: FactLoader, parsed: ParsedReport) -> tuple[date | None, date | None]:
    low, high = loader.period
    if parsed.data_start and (low is None or parsed.data_start < low):
        low = parsed.data_start
    if parsed.data_end and (high is None or parsed.data_end > high):
        high = parsed.data_end
    return low, high


def _single_marketplace(amazon_ids: set[str]) -> Marketplace | None:
    if len(amazon_ids) != 1:
        return None
    return Marketplace.objects.filter(amazon_marketplace_id=next(iter(amazon_ids))).first()


def _single_vendor_code(ids: set[int]) -> VendorCode | None:
    if len(ids) != 1:
        return None
    return VendorCode.objects.filter(pk=next(iter(ids))).first()


def _check_ads_profiles(brand: Brand, profile_ids: set[str], name: str, collector: ErrorCollector) -> None:
    """An Ads profile belongs to one brand: another brand's profile in this file is an error, not a merge."""
    if not profile_ids:
        return
    foreign = AdsProfile.objects.filter(profile_id__in=profile_ids).exclude(brand=brand)
    for profile_id in sorted(foreign.values_list("profile_id", flat=True)):
        collector.add(
            RowError(
                file=name,
                row=None,
                column="profile_id",
                value=profile_id,
                expected=f"an Amazon Ads profile of {brand.name} (this profile is registered to another brand)",
            )
        )


def _register_ads_profiles(brand: Brand, profile_ids: set[str], marketplace: Marketplace | None) -> None:
    known = set(AdsProfile.objects.filter(profile_id__in=profile_ids).values_list("profile_id", flat=True))
    AdsProfile.objects.bulk_create(
        [AdsProfile(profile_id=p, brand=brand, marketplace=marketplace) for p in sorted(profile_ids - known)]
    )


class _ProgressReporter:
    """Moves progress_pct with the bytes read from the raw file, in autocommitted single-row UPDATEs.

    Staging runs outside any transaction, so each update is visible to the polling page at once. At most
    one UPDATE every half second: a million-row file must not spend its time reporting progress.
    """

    def __init__(self, import_id: int, raw: BinaryIO, size: int) -> None:
        self._import_id = import_id
        self._raw = raw
        self._size = max(size, 1)
        self._last_pct = 1
        self._last_at = 0.0
        self._clock: Callable[[], float] = time.monotonic

    def __call__(self) -> None:
        try:
            position = self._raw.tell()
        except (OSError, ValueError):
            return
        pct = min(_STAGE_SHARE - 1, max(1, int(position * _STAGE_SHARE / self._size)))
        now = self._clock()
        if pct > self._last_pct and now - self._last_at >= _PROGRESS_EVERY_S:
            self.set(pct)
            self._last_at = now

    def set(self, pct: int) -> None:
        self._last_pct = pct
        _set_progress(self._import_id, pct)
