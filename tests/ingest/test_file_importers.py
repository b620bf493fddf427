"""The hook for importers of files that are not fact reports (ingest/file_importers.py).

A real importer is registered here, the way coop registers its own in AppConfig.ready(): it reads a
small CSV of Ads profile ids and records them as AdsProfile rows (an ingest table, so this test needs no
app above ingest). The pipeline around it is ingest's: the task path, the identical-file no-op, the one
transaction, the status, the errors and their CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from ingest import file_importers
from ingest import selectors
from ingest.file_importers import FileImportOutcome
from ingest.models import AdsProfile
from ingest.models import ReportImport
from ingest.parsers.base import RowError
from ingest.services import report_import_create
from ingest.services import report_import_rerun
from planning.models import Membership

pytestmark = pytest.mark.django_db
SOURCE = ReportImport.Source.AMS  # any Source value; the test registers its importer for it
Status = ReportImport.Status


class ProfileListImporter:
    """profile_id per line; 'ask' asks for input, 'boom' makes a service refuse, a non-number is a row error
    found only after the rows before it were written (so the rollback is what keeps nothing)."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.finished: list[tuple[int, str]] = []

    def __call__(self, report_import: ReportImport, raw: BinaryIO) -> FileImportOutcome:
        self.calls.append(report_import.pk)
        rows = list(csv.reader(io.StringIO(raw.read().decode())))
        created = unchanged = 0
        for number, (value,) in enumerate(rows[1:], start=2):
            if value == "ask":
                return FileImportOutcome.needing_input(
                    "Say which marketplace these profiles are in.",
                    action_url="/somewhere/",
                    action_label="Choose it",
                    headers=rows[0],
                )
            if value == "boom":
                raise ApplicationError("A service refused.")
            if not value.isdigit():
                return FileImportOutcome.failing(
                    [RowError(report_import.original_name, number, "profile_id", value, "a number")],
                    rows_total=len(rows) - 1,
                )
            _, is_new = AdsProfile.objects.get_or_create(profile_id=value, defaults={"brand": report_import.brand})
            created += is_new
            unchanged += not is_new
        return FileImportOutcome(rows_total=len(rows) - 1, created=created, unchanged=unchanged)

    def on_finished(self, report_import: ReportImport) -> None:
        self.finished.append((report_import.pk, report_import.status))


@pytest.fixture
def importer() -> Iterator[ProfileListImporter]:
    registered = ProfileListImporter()
    file_importers.register_file_importer(SOURCE, registered, on_finished=registered.on_finished)
    yield registered
    file_importers.unregister_file_importer(SOURCE)


@pytest.fixture
def run(django_capture_on_commit_callbacks, upload):
    """Create an import with a named source and let its on-commit Celery task run (eager in tests)."""

    def run_import(brand, content: bytes, name: str = "profiles.csv", **kwargs) -> ReportImport:
        with django_capture_on_commit_callbacks(execute=True):
            report_import = report_import_create(
                brand=brand, uploaded_file=upload(name, content), source=SOURCE, **kwargs
            )
        report_import.refresh_from_db()
        return report_import

    return run_import


def test_the_registered_importer_runs_instead_of_detection(brand_a, brand_manager, importer, run) -> None:
    report_import = run(brand_a.brand, b"profile_id\n111\n222\n", user=brand_manager)

    assert report_import.status == Status.SUCCEEDED
    assert report_import.celery_task_id  # it went through report_import_run_task
    assert (report_import.rows_total, report_import.rows_inserted, report_import.rows_unchanged) == (2, 2, 0)
    assert report_import.message == "2 rows: 2 new, 0 updated, 0 unchanged."
    assert report_import.report_type == "Marketing Stream"  # the source's label: what the Imports page shows
    assert (report_import.detected_format, report_import.progress_pct) == ("", 100)
    assert sorted(AdsProfile.objects.values_list("profile_id", "brand_id")) == [
        ("111", brand_a.brand.pk),
        ("222", brand_a.brand.pk),
    ]
    assert importer.calls == [report_import.pk]
    assert importer.finished == [(report_import.pk, Status.SUCCEEDED)]


def test_a_row_error_rolls_back_what_the_importer_wrote(brand_a, importer, run, client_for, brand_manager) -> None:
    report_import = run(brand_a.brand, b"profile_id\n111\n222\nx9\n")

    assert report_import.status == Status.FAILED
    assert AdsProfile.objects.count() == 0  # 111 and 222 were written, then rolled back
    assert report_import.errors == [
        {"file": "profiles.csv", "row": 4, "column": "profile_id", "value": "x9", "expected": "a number"}
    ]
    assert report_import.error_count == 1
    assert report_import.rows_total == 3
    assert report_import.message == (
        "1 error; nothing was loaded. profiles.csv, row 4, column 'profile_id': got 'x9'; expected a number"
    )
    assert selectors.report_import_errors_csv(report_import).splitlines()[1:] == [
        "profiles.csv,4,profile_id,x9,a number"
    ]
    assert importer.finished == [(report_import.pk, Status.FAILED)]


def test_needs_input_fails_with_the_message_and_the_link(brand_a, brand_manager, importer, run, client_for) -> None:
    report_import = run(brand_a.brand, b"profile_id\n111\nask\n", user=brand_manager)

    assert report_import.status == Status.FAILED
    assert AdsProfile.objects.count() == 0
    assert report_import.message == "Say which marketplace these profiles are in. Nothing was loaded."
    assert report_import.options == {
        "headers": ["profile_id"],
        "needs_input": True,
        "action_url": "/somewhere/",
        "action_label": "Choose it",
    }
    page = client_for(brand_manager).get(reverse("import-detail", args=[report_import.pk])).content.decode()
    assert '<a class="alert-link import-action" href="/somewhere/">Choose it</a>' in page


def test_a_service_refusal_fails_the_import_and_keeps_nothing(brand_a, importer, run) -> None:
    report_import = run(brand_a.brand, b"profile_id\n111\nboom\n")

    assert report_import.status == Status.FAILED
    assert report_import.message == "Nothing was loaded: A service refused."
    assert AdsProfile.objects.count() == 0


def test_the_same_file_twice_is_a_no_op_without_calling_the_importer(brand_a, importer, run) -> None:
    first = run(brand_a.brand, b"profile_id\n111\n")
    second = run(brand_a.brand, b"profile_id\n111\n", name="profiles-again.csv")

    assert second.status == Status.SUCCEEDED
    assert second.identical_to_id == first.pk
    assert second.message == f"Identical to import #{first.pk}: nothing changed."
    assert (second.rows_inserted, second.rows_unchanged) == (0, 1)
    assert importer.calls == [first.pk]  # the importer never saw the second file
    assert importer.finished == [(first.pk, Status.SUCCEEDED), (second.pk, Status.SUCCEEDED)]  # the app is told
    assert AdsProfile.objects.count() == 1


def test_a_rerun_runs_the_importer_again(brand_a, importer, run, django_capture_on_commit_callbacks) -> None:
    first = run(brand_a.brand, b"profile_id\n111\n")
    with django_capture_on_commit_callbacks(execute=True):
        rerun = report_import_rerun(report_import=first)
    rerun.refresh_from_db()

    assert (rerun.source, rerun.status, rerun.rerun_of_id) == (SOURCE, Status.SUCCEEDED, first.pk)
    assert (rerun.rows_inserted, rerun.rows_unchanged) == (0, 1)
    assert importer.calls == [first.pk, rerun.pk]


def test_a_source_without_an_importer_is_refused_before_storing(brand_a, upload) -> None:
    with pytest.raises(ApplicationError, match="No importer is registered for source 'VC_CSV_UPLOAD'"):
        report_import_create(
            brand=brand_a.brand,
            uploaded_file=upload("x.csv", b"a\n1\n"),
            source=ReportImport.Source.VC_CSV_UPLOAD,
        )
    assert not ReportImport.objects.exists()


# -- roles an importer declares -------------------------------------------------------------------------


@pytest.fixture
def finance_importer() -> Iterator[ProfileListImporter]:
    """The same importer, declaring that only finance roles may load its files (as coop does for its own)."""
    registered = ProfileListImporter()
    file_importers.register_file_importer(
        SOURCE, registered, roles=(Membership.Role.FINANCE, Membership.Role.FINANCE_APPROVER)
    )
    yield registered
    file_importers.unregister_file_importer(SOURCE)


def test_declared_roles_decide_who_creates_imports_of_the_source(
    brand_a, brand_manager, finance, finance_importer, run
) -> None:
    with pytest.raises(PermissionRefused, match="to import marketing streams: finance, finance_approver"):
        run(brand_a.brand, b"profile_id\n111\n", user=brand_manager)
    assert not ReportImport.objects.exists()

    report_import = run(brand_a.brand, b"profile_id\n111\n", user=finance)

    assert (report_import.status, report_import.created_by) == (Status.SUCCEEDED, finance)
    assert finance_importer.calls == [report_import.pk]


def test_declared_roles_decide_who_reruns_and_who_sees_the_button(
    brand_a, brand_manager, finance, finance_importer, run, client_for, django_capture_on_commit_callbacks
) -> None:
    first = run(brand_a.brand, b"profile_id\n111\n")
    detail = reverse("import-detail", args=[first.pk])

    # A brand manager may re-run ingest's own imports, not these: no button, and the service refuses.
    assert 'id="rerun-button"' not in client_for(brand_manager).get(detail).content.decode()
    with pytest.raises(PermissionRefused, match="to re-run marketing stream imports: finance, finance_approver"):
        report_import_rerun(report_import=first, user=brand_manager)
    refused = client_for(brand_manager).post(reverse("import-rerun", args=[first.pk]), follow=True)
    assert "You need one of these roles to re-run marketing stream imports" in refused.content.decode()
    assert ReportImport.objects.count() == 1

    assert 'id="rerun-button"' in client_for(finance).get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post(reverse("import-rerun", args=[first.pk]))
    rerun = ReportImport.objects.get(rerun_of=first)
    assert (rerun.status, rerun.created_by) == (Status.SUCCEEDED, finance)
    assert finance_importer.calls == [first.pk, rerun.pk]


def test_without_declared_roles_ingests_import_roles_apply(brand_a, brand_manager, importer, run, client_for) -> None:
    first = run(brand_a.brand, b"profile_id\n111\n", user=brand_manager)
    assert file_importers.roles_for(SOURCE) is None
    assert (
        'id="rerun-button"' in client_for(brand_manager).get(reverse("import-detail", args=[first.pk])).content.decode()
    )


def test_declaring_no_role_at_all_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="declares no role"):
        file_importers.register_file_importer(SOURCE, ProfileListImporter(), roles=())
    assert not file_importers.has_file_importer(SOURCE)


def test_registering_an_unknown_source_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"unknown ReportImport\.Source 'NOPE'"):
        file_importers.register_file_importer("NOPE", ProfileListImporter())
