"""Imports pages: upload (with the per-file progress partial), history filters, detail, errors CSV, re-run."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from ingest.services import report_import_create
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import sales_report

pytestmark = pytest.mark.django_db

Status = ReportImport.Status
W1, W1_END = date(2024, 3, 3), date(2024, 3, 9)


def _document(cogs: str = "60.00") -> bytes:
    rows = [
        SalesRow(W1, W1_END, "", Decimal("300"), 30, Decimal("180"), Decimal("270"), 27, 3),
        SalesRow(W1, W1_END, "B0AAAAAAA1", Decimal("100"), 10, Decimal(cogs), Decimal("90"), 9, 1),
    ]
    return encode(sales_report(rows, start=W1, end=W1_END))


def _bad_document() -> bytes:
    document = sales_report(
        [SalesRow(W1, W1_END, "B0AAAAAAA1"), SalesRow(W1, W1_END, "B0AAAAAAA2")], start=W1, end=W1_END
    )
    document["salesByAsin"][0]["shippedUnits"] = "=HYPERLINK(1)"
    document["salesByAsin"][1]["shippedUnits"] = "nine"
    return encode(document)


@pytest.fixture
def imported(brand_a, django_capture_on_commit_callbacks, upload):
    def make(name: str, content: bytes, **kwargs) -> ReportImport:
        with django_capture_on_commit_callbacks(execute=True):
            report_import = report_import_create(
                brand=brand_a.brand, uploaded_file=upload(name, content), vendor_code=brand_a.vendor_code, **kwargs
            )
        report_import.refresh_from_db()
        return report_import

    return make


def test_imports_page_shows_drop_zone_and_history(client_for, brand_manager, imported) -> None:
    imported("sales-week10.json", _document())

    response = client_for(brand_manager).get(reverse("import-list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="drop-zone"' in page and 'name="file"' in page and "multiple" in page
    assert "js/imports.js" in page
    assert "sales-week10.json" in page
    assert "GET_VENDOR_SALES_REPORT" in page
    assert "ACMEU" in page  # the vendor code choice and the history's account column


def test_history_filters_by_status_and_report_type(client_for, brand_manager, imported) -> None:
    imported("good.json", _document())
    imported("bad.json", _bad_document())
    client = client_for(brand_manager)

    failed = client.get(reverse("import-list"), {"status": "FAILED"}).content.decode()
    succeeded = client.get(reverse("import-list"), {"status": "SUCCEEDED"}).content.decode()
    by_type = client.get(reverse("import-list"), {"report_type": "GET_VENDOR_INVENTORY_REPORT"}).content.decode()

    assert "bad.json" in failed and "good.json" not in failed
    assert "good.json" in succeeded and "bad.json" not in succeeded
    assert "No import matches these filters." in by_type


def test_upload_from_the_page_answers_with_a_polling_progress_partial(
    client_for, brand_manager, brand_a, upload, django_capture_on_commit_callbacks
) -> None:
    client = client_for(brand_manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("import-upload"),
            {"file": upload("sales.json", _document()), "vendor_code": brand_a.vendor_code.pk},
            headers={"X-Requested-With": "fetch"},
        )

    assert response.status_code == 201
    report_import = ReportImport.objects.get()
    partial = response.content.decode()
    assert f'hx-get="{reverse("import-progress", args=[report_import.pk])}"' in partial
    assert 'hx-trigger="every 1s"' in partial
    assert report_import.status == Status.PENDING and report_import.created_by == brand_manager
    assert len(callbacks) == 1  # the task is enqueued on commit

    callbacks[0]()
    finished = client.get(reverse("import-progress", args=[report_import.pk])).content.decode()
    assert "hx-trigger" not in finished  # polling stops once the import is finished
    assert 'data-status="SUCCEEDED"' in finished
    assert "2 rows: 2 new" in finished
    assert RetailSalesFact.objects.count() == 2


def test_upload_of_several_files_without_javascript(client_for, brand_manager, brand_a, upload) -> None:
    response = client_for(brand_manager).post(
        reverse("import-upload"),
        {
            "file": [upload("a.json", _document()), upload("b.json", _document("61"))],
            "vendor_code": brand_a.vendor_code.pk,
        },
    )

    assert response.status_code == 302
    assert sorted(ReportImport.objects.values_list("original_name", flat=True)) == ["a.json", "b.json"]


def test_upload_over_the_limit_is_refused_from_content_length(client_for, brand_manager, upload, settings) -> None:
    settings.COOPDESK_MAX_UPLOAD_BYTES = 10
    response = client_for(brand_manager).post(
        reverse("import-upload"),
        {"file": upload("huge.json", b"x" * 100_000)},
        headers={"X-Requested-With": "fetch"},
    )

    assert response.status_code == 413
    assert "refused before being read" in response.content.decode()
    assert not ReportImport.objects.exists()


def test_viewer_cannot_upload(client_for, viewer, upload) -> None:
    response = client_for(viewer).post(
        reverse("import-upload"), {"file": upload("a.json", _document())}, headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 400
    assert "brand manager, vendor ops or finance role" in response.content.decode()
    assert not ReportImport.objects.exists()


def test_detail_page_lists_row_errors_and_offers_the_csv(client_for, brand_manager, imported) -> None:
    report_import = imported("bad.json", _bad_document())
    client = client_for(brand_manager)

    page = client.get(reverse("import-detail", args=[report_import.pk])).content.decode()
    csv_response = client.get(reverse("import-errors-csv", args=[report_import.pk]))

    assert report_import.status == Status.FAILED and report_import.error_count == 2
    assert 'id="error-table"' in page
    assert "nine" in page and "bad.json" in page
    assert reverse("import-errors-csv", args=[report_import.pk]) in page
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert [r["value"] for r in rows] == ["'=HYPERLINK(1)", "nine"]  # a formula stays text in Excel
    assert rows[1]["file"] == "bad.json" and rows[1]["row"] == "1"
    assert rows[1]["column"].endswith("shippedUnits") and rows[1]["expected"]


def test_rerun_creates_a_new_import_from_the_same_file(
    client_for, brand_manager, imported, django_capture_on_commit_callbacks
) -> None:
    original = imported("sales.json", _document())

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(brand_manager).post(reverse("import-rerun", args=[original.pk]))

    rerun = ReportImport.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("import-detail", args=[rerun.pk])
    assert rerun.rerun_of == original and rerun.file.name == original.file.name
    assert rerun.status == Status.SUCCEEDED and rerun.rows_unchanged == 2


def test_raw_file_download_is_the_uploaded_bytes(client_for, brand_manager, imported) -> None:
    report_import = imported("sales.json", _document())

    response = client_for(brand_manager).get(reverse("import-raw-file", args=[report_import.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _document()


@pytest.mark.parametrize("name", ["import-detail", "import-progress", "import-errors-csv", "import-raw-file"])
def test_another_brands_import_is_a_404(client_for, outsider, imported, name) -> None:
    report_import = imported("sales.json", _document())

    response = client_for(outsider).get(reverse(name, args=[report_import.pk]))

    assert response.status_code == 404


def test_another_brands_import_cannot_be_rerun(client_for, outsider, imported) -> None:
    report_import = imported("sales.json", _document())

    response = client_for(outsider).post(reverse("import-rerun", args=[report_import.pk]))

    assert response.status_code == 404
    assert ReportImport.objects.count() == 1


def test_history_shows_only_the_users_brands(client_for, outsider, imported) -> None:
    imported("acme-sales.json", _document())

    page = client_for(outsider).get(reverse("import-list")).content.decode()

    assert "acme-sales.json" not in page
    assert "No imports yet" in page


def test_history_page_query_count_does_not_grow_with_rows(
    client_for, brand_manager, imported, django_assert_max_num_queries
) -> None:
    for n in range(6):
        imported(f"s{n}.json", _document(str(60 + n)))
    client = client_for(brand_manager)

    with django_assert_max_num_queries(14):
        client.get(reverse("import-list"))


def test_upload_still_needs_the_csrf_token(brand_manager, brand_a, upload) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(brand_manager)

    response = client.post(reverse("import-upload"), {"file": upload("a.json", _document())})

    assert response.status_code == 403
    assert not ReportImport.objects.exists()


def test_oversize_upload_is_refused_before_the_csrf_check_reads_it(brand_manager, upload, settings) -> None:
    from django.test import Client

    settings.COOPDESK_MAX_UPLOAD_BYTES = 10
    client = Client(enforce_csrf_checks=True)
    client.force_login(brand_manager)

    response = client.post(
        reverse("import-upload"), {"file": upload("huge.json", b"x" * 100_000)}, headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 413
    assert not ReportImport.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/ingest/reportimport/",
        "/admin/ingest/adsprofile/",
        "/admin/ingest/streamsubscription/",
        "/admin/ingest/streamsubscription/add/",
        "/admin/ingest/streamdelivery/",
    ],
)
def test_admin_pages_render(admin_client, imported, url) -> None:
    imported("sales.json", _document())

    assert admin_client.get(url).status_code == 200


def test_admin_creates_a_subscription_and_shows_its_key_once(admin_client, brand_a) -> None:
    from ingest.models import StreamSubscription

    response = admin_client.post(
        "/admin/ingest/streamsubscription/add/",
        {
            "brand": brand_a.brand.pk,
            "dataset": "sp-traffic",
            "destination": "FIREHOSE",
            "status": "PENDING_CONFIRMATION",
            "dataset_states-TOTAL_FORMS": "0",
            "dataset_states-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    subscription = StreamSubscription.objects.get()
    assert len(subscription.access_key_sha256) == 64
    assert "Access key (shown once" in response.content.decode()


def test_upload_with_an_ads_profile_passes_it_as_options(
    client_for, brand_manager, brand_a, upload, django_capture_on_commit_callbacks
) -> None:
    from ingest.models import AdsProfile
    from planning.models import Marketplace

    profile = AdsProfile.objects.create(
        profile_id="3243723479236502",
        brand=brand_a.brand,
        marketplace=Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER"),
    )
    client = client_for(brand_manager)
    assert "3243723479236502" in client.get(reverse("import-list")).content.decode()

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("import-upload"),
            {"file": upload("report.json", b"[]"), "ads_profile": profile.pk},
            headers={"X-Requested-With": "fetch"},
        )

    assert response.status_code == 201
    report_import = ReportImport.objects.get()
    assert report_import.brand == brand_a.brand
    assert report_import.import_options == {"profile_id": "3243723479236502", "marketplace_id": "ATVPDKIKX0DER"}
