"""Imports REST API: multipart upload, list with filters, status, errors as JSON and CSV, tenant scoping."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import sales_report

pytestmark = pytest.mark.django_db

Status = ReportImport.Status
W1, W1_END = date(2024, 3, 3), date(2024, 3, 9)


def _document() -> bytes:
    rows = [
        SalesRow(W1, W1_END, "", Decimal("300"), 30, Decimal("180"), Decimal("270"), 27, 3),
        SalesRow(W1, W1_END, "B0AAAAAAA1", Decimal("100"), 10, Decimal("60"), Decimal("90"), 9, 1),
    ]
    return encode(sales_report(rows, start=W1, end=W1_END))


def _bad_document() -> bytes:
    document = sales_report([SalesRow(W1, W1_END, "B0AAAAAAA1")], start=W1, end=W1_END)
    document["salesByAsin"][0]["shippedCogs"] = {"amount": "lots", "currencyCode": "USD"}
    return encode(document)


@pytest.fixture
def post_file(api_for, upload, django_capture_on_commit_callbacks):
    def post(user, name: str, content: bytes, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return api_for(user).post("/api/v1/imports/", {"file": upload(name, content), **data}, format="multipart")

    return post


def test_upload_returns_the_import_and_runs_it(post_file, brand_manager, brand_a) -> None:
    response = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["original_name"] == "sales.json"
    assert body["brand"] == brand_a.brand.pk and body["vendor_code"] == "ACMEU"
    assert body["url"] == f"/api/v1/imports/{body['id']}/"
    assert body["status"] in ("PENDING", "SUCCEEDED")  # eager tasks may already have run it
    report_import = ReportImport.objects.get(pk=body["id"])
    assert report_import.status == Status.SUCCEEDED
    assert RetailSalesFact.objects.count() == 2


def test_status_endpoint_reports_progress_and_counts(post_file, api_for, brand_manager) -> None:
    created = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU").json()

    body = api_for(brand_manager).get(f"/api/v1/imports/{created['id']}/").json()

    assert body["status"] == "SUCCEEDED"
    assert body["progress_pct"] == 100
    assert (body["rows_total"], body["rows_inserted"], body["rows_updated"], body["rows_unchanged"]) == (2, 2, 0, 0)
    assert body["report_type"] == "GET_VENDOR_SALES_REPORT"
    assert body["marketplace"] == "ATVPDKIKX0DER"
    assert body["changed_nothing"] is False
    assert body["errors_url"] == f"/api/v1/imports/{created['id']}/errors/"


def test_same_file_twice_through_the_api_says_nothing_changed(post_file, api_for, brand_manager) -> None:
    first = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU").json()
    second = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU").json()

    body = api_for(brand_manager).get(f"/api/v1/imports/{second['id']}/").json()

    assert body["identical_to"] == first["id"]
    assert body["changed_nothing"] is True
    assert body["message"] == f"Identical to import #{first['id']}: nothing changed."


def test_errors_as_json_and_csv(post_file, api_for, brand_manager) -> None:
    created = post_file(brand_manager, "bad.json", _bad_document(), vendor_code="ACMEU").json()
    client = api_for(brand_manager)

    as_json = client.get(f"/api/v1/imports/{created['id']}/errors/")
    as_csv = client.get(f"/api/v1/imports/{created['id']}/errors/?format=csv")

    assert as_json.status_code == 200
    body = as_json.json()
    assert body["status"] == "FAILED" and body["error_count"] == 1 and body["truncated"] is False
    [error] = body["errors"]
    assert error["file"] == "bad.json" and error["row"] == 0
    assert "shippedCogs" in error["column"] and error["value"] == "lots" and error["expected"]
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert row["value"] == "lots" and row["file"] == "bad.json"
    assert not RetailSalesFact.objects.exists()


def test_list_filters_by_status_and_report_type(post_file, api_for, brand_manager) -> None:
    good = post_file(brand_manager, "good.json", _document(), vendor_code="ACMEU").json()
    bad = post_file(brand_manager, "bad.json", _bad_document(), vendor_code="ACMEU").json()
    client = api_for(brand_manager)

    failed = client.get("/api/v1/imports/", {"status": "FAILED"}).json()
    sales = client.get("/api/v1/imports/", {"report_type": "GET_VENDOR_SALES_REPORT"}).json()
    everything = client.get("/api/v1/imports/").json()

    assert [r["id"] for r in failed["results"]] == [bad["id"]]
    assert {r["id"] for r in sales["results"]} == {good["id"], bad["id"]}
    assert [r["id"] for r in everything["results"]] == [bad["id"], good["id"]]  # newest first


def test_another_brands_import_is_a_404(post_file, api_for, brand_manager, outsider) -> None:
    created = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU").json()
    client = api_for(outsider)

    assert client.get(f"/api/v1/imports/{created['id']}/").status_code == 404
    assert client.get(f"/api/v1/imports/{created['id']}/errors/").status_code == 404
    assert client.post(f"/api/v1/imports/{created['id']}/rerun/").status_code == 404
    assert client.get("/api/v1/imports/").json()["results"] == []


def test_vendor_code_of_another_brand_is_unknown(post_file, brand_manager, brand_b) -> None:
    response = post_file(brand_manager, "sales.json", _document(), vendor_code="BLOOM")

    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["vendor_code"] == ["Unknown vendor code 'BLOOM'."]
    assert not ReportImport.objects.exists()


def test_viewer_is_refused_with_403(post_file, viewer, brand_a) -> None:
    response = post_file(viewer, "sales.json", _document(), vendor_code="ACMEU")

    assert response.status_code == 403
    assert "brand_manager" in response.json()["message"]
    assert not ReportImport.objects.exists()


def test_oversize_upload_is_refused_from_its_content_length(post_file, brand_manager, settings) -> None:
    settings.COOPDESK_MAX_UPLOAD_BYTES = 10

    response = post_file(brand_manager, "huge.json", b"x" * 100_000, vendor_code="ACMEU")

    assert response.status_code == 413
    assert response.json()["extra"]["limit"] == 10
    assert not ReportImport.objects.exists()


def test_rerun_through_the_api(post_file, api_for, brand_manager, django_capture_on_commit_callbacks) -> None:
    created = post_file(brand_manager, "sales.json", _document(), vendor_code="ACMEU").json()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(brand_manager).post(f"/api/v1/imports/{created['id']}/rerun/")

    assert response.status_code == 201
    assert response.json()["rerun_of"] == created["id"]
    rerun = ReportImport.objects.get(pk=response.json()["id"])
    assert rerun.status == Status.SUCCEEDED and rerun.rows_unchanged == 2


def test_anonymous_requests_are_refused(client) -> None:
    assert client.get("/api/v1/imports/").status_code in (401, 403)


def test_oversize_upload_is_refused_even_before_authentication(client, upload, settings) -> None:
    settings.COOPDESK_MAX_UPLOAD_BYTES = 10

    response = client.post("/api/v1/imports/", {"file": upload("huge.json", b"x" * 100_000)})

    assert response.status_code == 413
    assert not ReportImport.objects.exists()
