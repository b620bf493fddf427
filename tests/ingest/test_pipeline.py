"""The import pipeline end to end with SP-API GET_VENDOR_SALES_REPORT documents: detection, vendor code
resolution, upsert counts, idempotency, restatement, failures that load nothing, claims and listeners."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from ingest import services
from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from ingest.services import report_import_create
from ingest.services import report_import_rerun
from ingest.services import report_import_run
from ingest.storage import UploadTooLarge
from planning.models import Marketplace
from tests.factories import VendorCodeFactory
from tests.fixtures import AMAZON_FORMATS
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import fatal_document
from tests.ingest.documents import sales_report

pytestmark = pytest.mark.django_db

Status = ReportImport.Status
SHARED = AMAZON_FORMATS

# Two retail weeks (Sunday to Saturday) of 2024.
W1, W1_END = date(2024, 3, 3), date(2024, 3, 9)
W2, W2_END = date(2024, 3, 10), date(2024, 3, 16)


def _two_weeks(**overrides: object) -> list[SalesRow]:
    rows = []
    for start, end in ((W1, W1_END), (W2, W2_END)):
        rows.append(SalesRow(start, end, "", Decimal("300.00"), 30, Decimal("180.00"), Decimal("270.00"), 27, 3))
        rows.append(SalesRow(start, end, "B0AAAAAAA1", Decimal("100.00"), 10, Decimal("60.00"), Decimal("90.00"), 9, 1))
        rows.append(
            SalesRow(start, end, "B0AAAAAAA2", Decimal("200.00"), 20, Decimal("120.00"), Decimal("180.00"), 18, 2)
        )
    return rows


def _document(rows: list[SalesRow] | None = None, **kwargs: object) -> bytes:
    return encode(sales_report(rows if rows is not None else _two_weeks(), start=W1, end=W2_END, **kwargs))  # type: ignore[arg-type]


def _facts() -> list[tuple[str, date, Decimal | None, int | None, int]]:
    return list(
        RetailSalesFact.objects.order_by("period_start", "asin").values_list(
            "asin", "period_start", "shipped_cogs", "ordered_units", "last_import_id"
        )
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks, upload):
    """Create an import the way the page does and let its on-commit task run (eager in tests)."""

    def run_import(brand, name: str, content: bytes, **kwargs) -> ReportImport:
        with django_capture_on_commit_callbacks(execute=True):
            report_import = report_import_create(brand=brand, uploaded_file=upload(name, content), **kwargs)
        report_import.refresh_from_db()
        return report_import

    return run_import


def test_sales_report_loads_facts_with_the_vendor_code_given(brand_a, brand_manager, run, facts_changed) -> None:
    report_import = run(brand_a.brand, "sales.json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    assert report_import.report_type == "GET_VENDOR_SALES_REPORT"
    assert report_import.source == "SP_API_REPORT"
    assert report_import.fact_table == "retail_sales"
    assert report_import.options["distributorView"] == "MANUFACTURING"
    assert (report_import.options["reportPeriod"], report_import.options["sellingProgram"]) == ("WEEK", "RETAIL")
    assert (report_import.data_start, report_import.data_end) == (W1, W2_END)
    assert report_import.marketplace.amazon_marketplace_id == "ATVPDKIKX0DER"
    assert (report_import.rows_total, report_import.rows_inserted, report_import.rows_updated) == (6, 6, 0)
    assert report_import.progress_pct == 100
    assert report_import.started_at is not None and report_import.finished_at is not None
    assert report_import.created_by == brand_manager
    assert len(report_import.file_sha256) == 64

    fact = RetailSalesFact.objects.get(asin="B0AAAAAAA1", period_start=W1)
    assert fact.brand_id == brand_a.brand.pk
    assert fact.vendor_code_id == brand_a.vendor_code.pk
    assert (fact.distributor_view, fact.selling_program, fact.period_grain) == ("MANUFACTURING", "RETAIL", "WEEK")
    assert (fact.period_end, fact.currency) == (W1_END, "USD")
    assert (fact.ordered_revenue, fact.shipped_cogs, fact.shipped_revenue) == (
        Decimal("100.0000"),
        Decimal("60.0000"),
        Decimal("90.0000"),
    )
    assert (fact.ordered_units, fact.shipped_units, fact.customer_returns) == (10, 9, 1)
    aggregate = RetailSalesFact.objects.get(asin="", period_start=W2)
    assert aggregate.shipped_cogs == Decimal("180.0000")

    # Listeners hear once, after commit, which vendor codes and periods changed.
    assert len(facts_changed) == 1
    event = facts_changed[0]
    assert event.import_id == report_import.pk
    assert event.fact_table == "retail_sales"
    assert event.vendor_code_ids == (brand_a.vendor_code.pk,)
    assert event.marketplace_ids == ("ATVPDKIKX0DER",)
    assert (event.period_start, event.period_end) == (W1, W2_END)


def test_gzip_is_decided_by_magic_bytes_not_the_name(brand_a, brand_manager, run) -> None:
    report_import = run(
        brand_a.brand, "sales.json", gzip.compress(_document()), vendor_code=brand_a.vendor_code, user=brand_manager
    )

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    assert RetailSalesFact.objects.count() == 6
    # The raw file is kept exactly as uploaded (still compressed).
    with default_storage.open(report_import.file.name, "rb") as handle:
        assert handle.read(2) == b"\x1f\x8b"


def test_not_reported_metrics_stay_null_not_zero(brand_a, brand_manager, run) -> None:
    rows = [SalesRow(W1, W1_END, "B0AAAAAAA1", None, None, Decimal("60"), Decimal("90"), 9, None)]

    report_import = run(
        brand_a.brand, "s.json", encode(sales_report(rows, start=W1, end=W1_END)), vendor_code=brand_a.vendor_code
    )

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    fact = RetailSalesFact.objects.get()
    assert fact.ordered_revenue is None and fact.ordered_units is None and fact.customer_returns is None
    assert fact.shipped_units == 9


def test_same_file_twice_is_a_no_op_that_says_so(brand_a, brand_manager, run, facts_changed) -> None:
    first = run(brand_a.brand, "sales.json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)
    before = _facts()

    second = run(brand_a.brand, "sales (1).json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)

    assert second.status == Status.SUCCEEDED
    assert second.identical_to == first
    assert second.message == f"Identical to import #{first.pk}: nothing changed."
    assert (second.rows_inserted, second.rows_updated, second.rows_deleted) == (0, 0, 0)
    assert second.rows_unchanged == second.rows_total == 6
    assert second.changed_nothing
    assert second.report_type == "GET_VENDOR_SALES_REPORT"
    assert _facts() == before  # last_import still points at the first import
    assert len(facts_changed) == 1  # only the first import announced a change
    first.refresh_from_db()
    assert first.status == Status.SUCCEEDED


def test_rerun_of_the_same_file_loads_again_and_changes_nothing(
    brand_a, brand_manager, run, django_capture_on_commit_callbacks
) -> None:
    """Without the sha256 short-cut the upsert itself must leave every row alone (IS DISTINCT FROM)."""
    first = run(brand_a.brand, "sales.json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)
    before = _facts()

    with django_capture_on_commit_callbacks(execute=True):
        rerun = report_import_rerun(report_import=first, user=brand_manager)
    rerun.refresh_from_db()

    assert rerun.status == Status.SUCCEEDED, rerun.errors
    assert rerun.identical_to is None
    assert rerun.rerun_of == first
    assert (rerun.rows_total, rerun.rows_inserted, rerun.rows_updated, rerun.rows_unchanged) == (6, 0, 0, 6)
    assert rerun.message == "No changes: all 6 rows were already loaded."
    assert rerun.file.name == first.file.name  # the same kept raw file
    assert _facts() == before
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED  # the rerun is now the import of record for that window


def test_restatement_replaces_values_and_removes_asins_no_longer_reported(brand_a, brand_manager, run) -> None:
    first = run(brand_a.brand, "w.json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)
    # Amazon restates week 2: ASIN 1's shipped COGS changes and ASIN 2 is no longer in the report.
    restated = [r for r in _two_weeks() if not (r.start == W2 and r.asin == "B0AAAAAAA2")]
    restated = [
        SalesRow(
            r.start,
            r.end,
            r.asin,
            r.ordered_revenue,
            r.ordered_units,
            Decimal("66.00"),
            r.shipped_revenue,
            r.shipped_units,
            r.customer_returns,
        )
        if (r.start, r.asin) == (W2, "B0AAAAAAA1")
        else r
        for r in restated
    ]

    second = run(
        brand_a.brand, "w-restated.json", _document(restated), vendor_code=brand_a.vendor_code, user=brand_manager
    )

    assert second.status == Status.SUCCEEDED, second.errors
    assert (second.rows_total, second.rows_inserted, second.rows_updated) == (5, 0, 1)
    assert (second.rows_unchanged, second.rows_deleted) == (4, 1)
    assert "1 no longer in the restated window and removed" in second.message
    assert RetailSalesFact.objects.get(asin="B0AAAAAAA1", period_start=W2).shipped_cogs == Decimal("66.0000")
    assert RetailSalesFact.objects.get(asin="B0AAAAAAA1", period_start=W2).last_import_id == second.pk
    assert RetailSalesFact.objects.get(asin="B0AAAAAAA1", period_start=W1).last_import_id == first.pk
    assert not RetailSalesFact.objects.filter(asin="B0AAAAAAA2", period_start=W2).exists()
    assert RetailSalesFact.objects.filter(asin="B0AAAAAAA2", period_start=W1).exists()  # week 1 untouched
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED


def test_restatement_never_touches_another_view_or_program(brand_a, brand_manager, run) -> None:
    """Manufacturing and Sourcing are different facts: never summed, never restated by each other."""
    run(brand_a.brand, "m.json", _document(), vendor_code=brand_a.vendor_code, user=brand_manager)

    sourcing = run(
        brand_a.brand, "s.json", _document(_two_weeks()[:1], view="SOURCING"), vendor_code=brand_a.vendor_code
    )

    assert sourcing.status == Status.SUCCEEDED, sourcing.errors
    assert (sourcing.rows_inserted, sourcing.rows_deleted) == (1, 0)
    assert RetailSalesFact.objects.filter(distributor_view="MANUFACTURING").count() == 6
    assert RetailSalesFact.objects.filter(distributor_view="SOURCING").count() == 1


def test_old_file_after_a_restatement_is_loaded_again_not_short_cut(brand_a, brand_manager, run) -> None:
    run(brand_a.brand, "old.json", _document(), vendor_code=brand_a.vendor_code)
    changed = [SalesRow(W1, W1_END, "", Decimal("1"), 1, Decimal("1"), Decimal("1"), 1, 0)]
    run(brand_a.brand, "new.json", _document(changed), vendor_code=brand_a.vendor_code)

    again = run(brand_a.brand, "old.json", _document(), vendor_code=brand_a.vendor_code)

    assert again.identical_to is None  # a later file changed these facts: the old one is loaded for real
    assert again.status == Status.SUCCEEDED
    assert RetailSalesFact.objects.count() == 6
    assert RetailSalesFact.objects.get(asin="", period_start=W1).shipped_cogs == Decimal("180.0000")


def test_sp_api_retail_report_without_a_vendor_code_fails_clearly(brand_a, brand_manager, run) -> None:
    report_import = run(brand_a.brand, "sales.json", _document(), user=brand_manager)

    assert report_import.status == Status.FAILED
    assert report_import.error_count == 6  # one per row, reported once
    [error] = report_import.errors
    assert error["column"] == "vendor_code"
    assert "GET_VENDOR_SALES_REPORT files do not name their vendor code" in error["expected"]
    assert "--vendor-code" in error["expected"]
    assert report_import.report_type == "GET_VENDOR_SALES_REPORT"  # what was detected is still recorded
    assert not RetailSalesFact.objects.exists()


def test_vendor_code_of_another_marketplace_is_refused(brand_a, brand_manager, run) -> None:
    germany = Marketplace.objects.get(amazon_marketplace_id="A1PA6795UKMFR9")
    german_code = VendorCodeFactory(code="ACMEDE", brand=brand_a.brand, marketplace=germany)

    report_import = run(brand_a.brand, "sales.json", _document(), vendor_code=german_code, user=brand_manager)

    assert report_import.status == Status.FAILED
    [error] = report_import.errors
    assert error["column"] == "marketplaceId"
    assert error["value"] == "ATVPDKIKX0DER"
    assert "ACMEDE" in error["expected"] and "A1PA6795UKMFR9" in error["expected"]
    assert not RetailSalesFact.objects.exists()


def test_vendor_code_of_another_brand_is_refused_before_storing(brand_a, brand_b, brand_manager, upload) -> None:
    with pytest.raises(ApplicationError, match="does not belong to Acme Audio"):
        report_import_create(
            brand=brand_a.brand, uploaded_file=upload("s.json", _document()), vendor_code=brand_b.vendor_code
        )
    assert not ReportImport.objects.exists()


def test_viewer_may_not_import(brand_a, viewer, upload) -> None:
    with pytest.raises(PermissionRefused):
        report_import_create(brand=brand_a.brand, uploaded_file=upload("s.json", _document()), user=viewer)
    assert not ReportImport.objects.exists()


def test_an_unparseable_number_fails_the_import_and_loads_nothing(brand_a, brand_manager, run) -> None:
    run(brand_a.brand, "good.json", _document(), vendor_code=brand_a.vendor_code)
    before = _facts()
    document = sales_report(_two_weeks(), start=W1, end=W2_END)
    document["salesByAsin"][1]["shippedUnits"] = "12x"
    # A valid change elsewhere in the same file must not be loaded either.
    document["salesByAsin"][0]["shippedCogs"]["amount"] = 61.0

    report_import = run(brand_a.brand, "bad.json", encode(document), vendor_code=brand_a.vendor_code)

    assert report_import.status == Status.FAILED
    assert report_import.error_count == 1
    [error] = report_import.errors
    assert error["file"] == "bad.json"
    assert error["row"] == 1  # the element's index in salesByAsin (salesByAsin[1])
    assert "shippedUnits" in error["column"]
    assert error["value"] == "12x"
    assert error["expected"]
    assert "nothing was loaded" in report_import.message
    assert (report_import.rows_inserted, report_import.rows_updated) == (0, 0)
    assert _facts() == before


def test_invalid_json_fails_with_a_clear_error(brand_a, brand_manager, run) -> None:
    content = _document()[:-40]  # cut inside the salesByAsin array

    report_import = run(brand_a.brand, "cut.json", content, vendor_code=brand_a.vendor_code)

    assert report_import.status == Status.FAILED
    assert report_import.errors[0]["file"] == "cut.json"
    assert report_import.errors[0]["expected"]
    assert not RetailSalesFact.objects.exists()


def test_truncated_gzip_fails_with_a_clear_error(brand_a, brand_manager, run) -> None:
    compressed = gzip.compress(_document() * 1)
    report_import = run(
        brand_a.brand, "cut.json.gz", compressed[: len(compressed) // 2], vendor_code=brand_a.vendor_code
    )

    assert report_import.status == Status.FAILED
    assert report_import.errors[0]["file"] == "cut.json.gz"
    assert "gzip" in json.dumps(report_import.errors[0]).lower() or "truncated" in report_import.message.lower()
    assert not RetailSalesFact.objects.exists()


def test_fatal_document_is_a_failed_import_carrying_amazons_message(brand_a, brand_manager, run) -> None:
    amazon_says = "The request for the WEEK period must start on a Sunday and end on a Saturday."

    report_import = run(brand_a.brand, "fatal.json", fatal_document(amazon_says), vendor_code=brand_a.vendor_code)

    assert report_import.status == Status.FAILED
    assert amazon_says in report_import.message
    assert report_import.errors[0]["column"] == "errorDetails"
    assert report_import.errors[0]["value"] == amazon_says


def test_unknown_format_lists_the_supported_ones(brand_a, brand_manager, run) -> None:
    report_import = run(brand_a.brand, "notes.txt", b"Dear vendor, please find attached...\n", user=brand_manager)

    assert report_import.status == Status.FAILED
    assert "does not recognise this file's format" in report_import.message
    [error] = report_import.errors
    assert "GET_VENDOR_SALES_REPORT" in error["expected"]
    assert error["value"].startswith("Dear vendor")
    assert report_import.detected_format == ""


def test_empty_file_is_refused_and_empty_gzip_fails(brand_a, brand_manager, upload, run) -> None:
    with pytest.raises(ApplicationError, match="is empty"):
        report_import_create(brand=brand_a.brand, uploaded_file=upload("empty.json", b""))
    assert not ReportImport.objects.exists()

    report_import = run(brand_a.brand, "empty.json.gz", gzip.compress(b""))
    assert report_import.status == Status.FAILED
    assert "no content" in report_import.errors[0]["expected"]


class _UnreadableUpload(SimpleUploadedFile):
    """An upload that fails the test if anything reads it."""

    def read(self, *args: object, **kwargs: object) -> bytes:
        raise AssertionError("the oversize upload was read")

    def chunks(self, chunk_size: int | None = None):
        raise AssertionError("the oversize upload was read")


def test_oversize_upload_is_refused_before_it_is_read(brand_a, brand_manager, settings) -> None:
    settings.COOPDESK_MAX_UPLOAD_BYTES = 1000
    big = _UnreadableUpload("huge.json", b"x" * 1001)

    with pytest.raises(
        UploadTooLarge, match=re.escape("huge.json is 1,001 bytes; the largest file Coopdesk accepts is 1,000 bytes")
    ):
        report_import_create(brand=brand_a.brand, uploaded_file=big, user=brand_manager)

    assert not ReportImport.objects.exists()
    assert not default_storage.exists("imports")


def test_upload_is_enqueued_only_on_commit(brand_a, brand_manager, upload, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_import = report_import_create(
            brand=brand_a.brand, uploaded_file=upload("s.json", _document()), vendor_code=brand_a.vendor_code
        )
        report_import.refresh_from_db()
        assert report_import.status == Status.PENDING  # nothing ran inside the transaction

    assert len(callbacks) == 1
    callbacks[0]()
    report_import.refresh_from_db()
    assert report_import.status == Status.SUCCEEDED
    assert report_import.celery_task_id
    assert RetailSalesFact.objects.count() == 6


def test_a_claimed_import_is_run_once(brand_a, upload) -> None:
    report_import = report_import_create(
        brand=brand_a.brand, uploaded_file=upload("s.json", _document()), vendor_code=brand_a.vendor_code, enqueue=False
    )

    assert report_import_run(report_import.pk) is not None
    assert report_import_run(report_import.pk) is None  # a redelivered task finds it finished

    report_import.refresh_from_db()
    assert report_import.status == Status.SUCCEEDED
    assert RetailSalesFact.objects.count() == 6


def test_a_running_import_is_left_alone_unless_its_worker_is_long_gone(brand_a, upload, settings) -> None:
    report_import = report_import_create(
        brand=brand_a.brand, uploaded_file=upload("s.json", _document()), vendor_code=brand_a.vendor_code, enqueue=False
    )
    ReportImport.objects.filter(pk=report_import.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert report_import_run(report_import.pk) is None

    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    ReportImport.objects.filter(pk=report_import.pk).update(started_at=long_ago)
    finished = report_import_run(report_import.pk)

    assert finished is not None and finished.status == Status.SUCCEEDED


def test_tenant_isolation_same_file_in_two_brands(brand_a, brand_b, run) -> None:
    a = run(brand_a.brand, "sales.json", _document(), vendor_code=brand_a.vendor_code)

    b = run(brand_b.brand, "sales.json", _document(), vendor_code=brand_b.vendor_code)

    assert b.status == Status.SUCCEEDED
    assert b.identical_to is None  # identical-file detection is per brand
    assert b.rows_inserted == 6
    assert RetailSalesFact.objects.for_brand(brand_a.brand.pk).count() == 6
    assert RetailSalesFact.objects.for_brand(brand_b.brand.pk).count() == 6
    assert set(RetailSalesFact.objects.for_brand(brand_a.brand.pk).values_list("last_import_id", flat=True)) == {a.pk}


def test_duplicate_rows_for_one_key_fail_the_import(brand_a, run) -> None:
    rows = _two_weeks()
    rows.append(rows[1])  # ASIN 1, week 1 twice

    report_import = run(brand_a.brand, "dup.json", _document(rows), vendor_code=brand_a.vendor_code)

    assert report_import.status == Status.FAILED
    [error] = report_import.errors
    assert "B0AAAAAAA1" in error["value"] and "2024-03-03" in error["value"]
    assert "appears 2 times" in error["expected"]
    assert not RetailSalesFact.objects.exists()


def test_the_shared_sample_document_loads(brand_a, brand_manager, run) -> None:
    """Amazon's own example document (selling-partner-api-models, assembled in ../shared/formats)."""
    examples = json.loads((SHARED / "spapi_vendor_reports_assembled_examples.json").read_text())
    content = json.dumps(examples["documents"]["vendorSalesReport"]).encode()

    report_import = run(brand_a.brand, "example.json", content, vendor_code=brand_a.vendor_code, user=brand_manager)

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    assert report_import.rows_total == 2
    fact = RetailSalesFact.objects.get(asin="B123456789")
    assert (fact.ordered_revenue, fact.ordered_units, fact.shipped_cogs) == (
        Decimal("1000.0000"),
        25,
        Decimal("50.0000"),
    )


def test_progress_reporter_moves_with_bytes_read(brand_a, upload) -> None:
    report_import = report_import_create(
        brand=brand_a.brand, uploaded_file=upload("s.json", _document()), vendor_code=brand_a.vendor_code, enqueue=False
    )
    ReportImport.objects.filter(pk=report_import.pk).update(status=Status.RUNNING)

    class Raw:
        position = 0

        def tell(self) -> int:
            return self.position

    raw = Raw()
    reporter = services._ProgressReporter(report_import.pk, raw, size=1000)  # type: ignore[arg-type]
    now = [100.0]
    reporter._clock = lambda: now[0]
    raw.position = 500
    reporter()
    report_import.refresh_from_db()
    assert report_import.progress_pct == 40  # half the bytes = half of the 80 % reading share
    raw.position = 1000
    reporter()  # within half a second: not written
    report_import.refresh_from_db()
    assert report_import.progress_pct == 40
    now[0] += 1
    reporter()
    report_import.refresh_from_db()
    assert report_import.progress_pct == 79
