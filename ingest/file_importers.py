"""Importers that apps above ingest register for files that are not Amazon fact reports.

Co-op invoice lists, their backup reports and remittance files have no public format, so they
cannot be detected from content: the uploader says what the file is (`report_import_create(source=...)`)
and the app that owns the data registers, in its AppConfig.ready(), the importer for that
`ReportImport.Source` value (ARCHITECTURE.md: "coop registers the co-op invoice importer").

The pipeline keeps everything that is not the file's meaning: the claim, the identical-file no-op,
ONE transaction around the importer's writes (rolled back when the outcome has errors or needs
input, so nothing is half-written), the status, the kept RowErrors and their CSV, progress and the
Celery task. The importer reads the raw stream, writes its rows and says what happened.

`on_finished` (optional) is told after every run of that source has finished, whatever the outcome
(including "identical to an earlier import", which never calls the importer), outside the import's
transaction: the owning app keeps its own records in step there. Like listeners, it must not raise;
an error is logged.

`roles` (optional) are the membership roles that may create and re-run imports of that source, when
they are not ingest's own IMPORT_ROLES: the owning app's rules decide who may load its data (co-op
files are recorded by vendor ops and finance, not brand managers). ingest's services check them and
its pages show the Re-run button by them, so nobody starts a run the importer would then refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

from ingest.parsers.base import RowError

if TYPE_CHECKING:
    from ingest.models import ReportImport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileImportOutcome:
    """What an importer did with one file.

    Success: the row counts and a message ("" = ingest writes one from the counts).
    Failure: `errors` (RowErrors naming file, row, column, value and what was expected); the import
    finishes FAILED and the importer's writes are rolled back. `error_count` is the total when more
    errors were found than are listed.
    Needs input: `needs_input=True` with a message saying what is missing and, when a page can supply
    it, `action_url` / `action_label`; the import finishes FAILED (nothing written) and says so.
    `details` are kept on the import (ReportImport.options) for pages and the owning app, e.g. the
    file's column headers.
    """

    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int | None = None
    message: str = ""
    needs_input: bool = False
    action_url: str = ""
    action_label: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.needs_input or bool(self.error_count)

    @classmethod
    def needing_input(
        cls, message: str, *, action_url: str = "", action_label: str = "", **details: Any
    ) -> FileImportOutcome:
        return cls(needs_input=True, message=message, action_url=action_url, action_label=action_label, details=details)

    @classmethod
    def failing(cls, errors: list[RowError], *, message: str = "", rows_total: int = 0) -> FileImportOutcome:
        return cls(errors=list(errors), message=message, rows_total=rows_total)


FileImporter = Callable[["ReportImport", BinaryIO], FileImportOutcome]
FinishedHook = Callable[["ReportImport"], None]


@dataclass(frozen=True)
class _Registration:
    importer: FileImporter
    on_finished: FinishedHook | None
    roles: tuple[str, ...] | None


_importers: dict[str, _Registration] = {}


def register_file_importer(
    source: str,
    importer: FileImporter,
    *,
    on_finished: FinishedHook | None = None,
    roles: Iterable[str] | None = None,
) -> None:
    """Register (or replace, so ready() running twice is harmless) the importer of one Source value.
    `roles`: who may create and re-run its imports (None = ingest's IMPORT_ROLES)."""
    from ingest.models import ReportImport

    if source not in ReportImport.Source.values:
        raise ValueError(f"unknown ReportImport.Source {str(source)!r}; add it to ReportImport.Source first")
    declared = tuple(str(role) for role in roles) if roles is not None else None
    if declared is not None and not declared:
        raise ValueError(f"the importer of {str(source)!r} declares no role: nobody could import its files")
    _importers[str(source)] = _Registration(importer=importer, on_finished=on_finished, roles=declared)


def unregister_file_importer(source: str) -> None:
    _importers.pop(source, None)


def file_importer_for(source: str) -> FileImporter | None:
    registration = _importers.get(source) if source else None
    return registration.importer if registration else None


def roles_for(source: str) -> tuple[str, ...] | None:
    """The roles the source's importer declared, or None (ingest's own IMPORT_ROLES apply)."""
    registration = _importers.get(source) if source else None
    return registration.roles if registration else None


def has_file_importer(source: str) -> bool:
    return bool(source) and source in _importers


def registered_sources() -> list[str]:
    return sorted(_importers)


def announce_finished(report_import: ReportImport) -> None:
    """Tell the owning app that an import of its source finished (any outcome)."""
    registration = _importers.get(report_import.source)
    if registration is None or registration.on_finished is None:
        return
    try:
        registration.on_finished(report_import)
    except Exception:  # the import's outcome stands; the app's bookkeeping error is only logged
        logger.exception("on_finished hook of %s failed for import %s", report_import.source, report_import.pk)
