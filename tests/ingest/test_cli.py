"""`manage.py import_report` (ARCHITECTURE.md "Command-line contract"): --sync, --json and exit codes."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ingest.models import ReportImport
from ingest.models import RetailSalesFact
from tests.ingest.documents import SalesRow
from tests.ingest.documents import encode
from tests.ingest.documents import purchase_orders
from tests.ingest.documents import sales_report

pytestmark = pytest.mark.django_db

W1, W1_END = date(2024, 3, 3), date(2024, 3, 9)


def _sales(path: Path, compress: bool = False) -> Path:
    rows = [
        SalesRow(W1, W1_END, "", Decimal("300"), 30, Decimal("180"), Decimal("270"), 27, 3),
        SalesRow(W1, W1_END, "B0AAAAAAA1", Decimal("100"), 10, Decimal("60"), Decimal("90"), 9, 1),
    ]
    content = encode(sales_report(rows, start=W1, end=W1_END))
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def _run(*args: str) -> tuple[int, list[dict], str]:
    out = io.StringIO()
    try:
        call_command("import_report", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    text = out.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return code, lines, text


def test_sync_json_prints_one_object_per_file_and_exits_0(brand_a, tmp_path) -> None:
    sales = _sales(tmp_path / "sales.json")
    zipped = _sales(tmp_path / "sales-copy.json.gz", compress=True)

    code, lines, _ = _run(str(sales), str(zipped), "--vendor-code", "ACMEU", "--sync", "--json")

    assert code == 0
    assert [line["file"] for line in lines] == [str(sales), str(zipped)]
    first, second = lines
    assert {"file", "status", "report_type", "rows", "errors"} <= set(first)
    assert (first["status"], first["report_type"], first["rows"], first["errors"]) == (
        "SUCCEEDED",
        "GET_VENDOR_SALES_REPORT",
        2,
        [],
    )
    assert first["inserted"] == 2
    # The gzip copy holds the same rows: it loads and changes nothing.
    assert (second["status"], second["rows"], second["inserted"], second["unchanged"]) == ("SUCCEEDED", 2, 0, 2)
    assert RetailSalesFact.objects.count() == 2
    assert ReportImport.objects.get(pk=first["import_id"]).created_by is None


def test_exit_status_1_when_any_file_fails(brand_a, tmp_path) -> None:
    good = _sales(tmp_path / "good.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"reportSpecification": {"reportType": "GET_VENDOR_SALES_REPORT"')

    code, lines, _ = _run(str(good), str(bad), "--vendor-code", "ACMEU", "--sync", "--json")

    assert code == 1
    assert [line["status"] for line in lines] == ["SUCCEEDED", "FAILED"]
    failed = lines[1]
    assert failed["errors"] and failed["errors"][0]["file"] == "bad.json"
    assert failed["errors"][0]["expected"]


def test_missing_vendor_code_for_a_retail_report_fails_clearly(brand_a, tmp_path) -> None:
    code, lines, _ = _run(str(_sales(tmp_path / "sales.json")), "--brand", "Acme Audio", "--sync", "--json")

    assert code == 1
    [line] = lines
    assert line["status"] == "FAILED"
    assert "--vendor-code" in line["errors"][0]["expected"]
    assert not RetailSalesFact.objects.exists()


def test_a_file_that_names_its_vendor_code_needs_no_option(brand_a, tmp_path) -> None:
    po = tmp_path / "po.json"
    po.write_bytes(purchase_orders("ACMEU", lines=[("1", "B07DFVDRAB", 12)]))

    code, lines, _ = _run(str(po), "--brand", "Acme Audio", "--sync", "--json")

    assert code == 0
    assert lines[0]["status"] == "SUCCEEDED" and lines[0]["report_type"]


def test_missing_file_is_reported_and_fails(brand_a, tmp_path) -> None:
    code, lines, _ = _run(str(tmp_path / "nope.json"), "--vendor-code", "ACMEU", "--sync", "--json")

    assert code == 1
    assert lines[0]["status"] == "FAILED" and "no such file" in lines[0]["message"]


def test_without_sync_the_imports_are_queued_and_their_ids_printed(
    brand_a, tmp_path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        code, lines, _ = _run(str(_sales(tmp_path / "sales.json")), "--vendor-code", "ACMEU", "--json")

    report_import = ReportImport.objects.get()
    assert code == 0
    assert lines == [
        {
            "file": str(tmp_path / "sales.json"),
            "import_id": report_import.pk,
            "status": "PENDING",
            "report_type": "",
            "rows": 0,
            "inserted": 0,
            "updated": 0,
            "unchanged": 0,
            "deleted": 0,
            "identical_to": None,
            "message": "",
            "needs_input": False,
            "action_url": "",
            "error_count": 0,
            "errors": [],
        }
    ]
    assert len(callbacks) == 1  # the worker's task, enqueued on commit


def test_unknown_vendor_code_is_a_command_error(brand_a, tmp_path) -> None:
    with pytest.raises(CommandError, match="Unknown vendor code 'NOPE'"):
        call_command("import_report", str(_sales(tmp_path / "s.json")), "--vendor-code", "NOPE", "--sync")


def test_brand_is_required_when_several_exist(brand_a, brand_b, tmp_path) -> None:
    with pytest.raises(CommandError, match="--brand NAME or --vendor-code CODE"):
        call_command("import_report", str(_sales(tmp_path / "s.json")), "--sync")
