"""Co-op backup report benchmark (issue 6 follow-ups: backup lines written in bulk).

A backup report of --lines lines for --invoices invoices (100 lines each by default) of one vendor code
goes through ingest's pipeline the way an upload does (store + sha256, the co-op importer with the saved
column mapping, backup_lines_record, the re-audit of every invoice it names, the upload's bookkeeping):

- first import: the file into an empty backup table (every line created);
- re-import: the Re-run of that import (the same bytes, every line unchanged);
- changed re-import: another file with every line's quantity and amounts changed (every line updated).

Before each run the backup lines, uploads and imports of the vendor code are deleted, so every run is a
first import. Medians of --runs; the SQL statement count of the median run's step is printed beside it.
There is no PERF.md anchor for this: it compares the code before and after a change, run on the same
machine in turn (for the "before" numbers, run this script from an export of the earlier commit:
`git archive <commit> | tar -x -C /tmp/before`, then `cd /tmp/before` and the same command). SQLite is
measured as in development (no REDIS_URL: local-memory cache), PostgreSQL with REDIS_URL set, as in
production: every row saved one by one also bumps the MBR page cache version in Redis on commit.

    DATABASE_URL=sqlite:////tmp/coopdesk_backup_bench.sqlite3 .venv/bin/python bench/coop_backup_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdesk_coopfix_bench .venv/bin/python bench/coop_backup_bench.py
        [--runs 3] [--invoices 50] [--lines 5000] [--json]

The database named in DATABASE_URL is dropped and recreated (a PostgreSQL name must start with coopdesk_
and contain 'bench'; a SQLite file is deleted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
JAN, JAN_END = date(2026, 1, 1), date(2026, 1, 31)
RATE = Decimal("0.08")
UNIT_COST = Decimal("15.00")
COLUMNS = {
    "amazon_invoice_id": "Invoice",
    "po_number": "PO",
    "asin": "ASIN",
    "quantity": "Units",
    "unit_cost": "Unit Cost",
    "basis_amount": "Basis",
    "rate_pct": "Rate",
    "charge_amount": "Co-op",
    "currency": "Currency",
    "period_start": "Period Start",
    "period_end": "Period End",
}


def _recreate_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        Path(parsed.path).unlink(missing_ok=True)
        return
    name = parsed.path.lstrip("/")
    if not name.startswith("coopdesk_") or "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: use a database whose name starts with coopdesk_ and contains 'bench'")
    admin = ["psql", "-h", parsed.hostname or "127.0.0.1", "-U", parsed.username or "postgres", "-d", "postgres", "-q"]
    subprocess.run([*admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, "-c", f'CREATE DATABASE "{name}"'], check=True)


def _django(media_root: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    from django.conf import settings

    settings.MEDIA_ROOT = media_root
    django.setup()


def _csv(invoices: int, lines: int, bump: int) -> bytes:
    """The backup report: lines spread evenly over the invoices; `bump` units more on every line."""
    per_invoice = lines // invoices
    rows = ["Invoice,PO,ASIN,Units,Unit Cost,Basis,Rate,Co-op,Currency,Period Start,Period End"]
    for number in range(1, invoices + 1):
        for line in range(per_invoice):
            units = 10 + line % 7 + bump
            basis = UNIT_COST * units
            charge = (basis * RATE).quantize(Decimal("0.01"))
            rows.append(
                f"INV-{number:04d},PO{number:04d}{line % 5},B0{number:04d}{line:04d},{units},{UNIT_COST},{basis},"
                f"8%,{charge},USD,{JAN:%Y-%m-%d},{JAN_END:%Y-%m-%d}"
            )
    return ("\n".join(rows) + "\n").encode()


def _setup(invoices: int, lines: int) -> Any:
    from django.core.management import call_command

    from coop.models import ColumnMapping
    from coop.services.accruals import accrual_recompute
    from coop.services.invoices import invoice_record
    from tests.coop.factories import CoopAgreementFactory
    from tests.coop.factories import inventory_fact
    from tests.factories import VendorCodeFactory

    call_command("migrate", verbosity=0)
    vendor_code = VendorCodeFactory.create(code="BENCHBK")
    agreement = CoopAgreementFactory.create(vendor_code=vendor_code, amazon_agreement_id="MDF-2026")
    inventory_fact(vendor_code, JAN, net_received="240000.00")
    accrual_recompute(agreement=agreement, month=JAN)
    ColumnMapping.objects.create(vendor_code=vendor_code, kind="BACKUP", columns=COLUMNS)
    first = _csv(invoices, lines, 0).decode().splitlines()[1:]
    totals: dict[str, Decimal] = {}
    for row in first:
        cells = row.split(",")
        totals[cells[0]] = totals.get(cells[0], Decimal("0")) + Decimal(cells[7])
    for invoice_id, amount in sorted(totals.items()):
        invoice_record(
            vendor_code=vendor_code,
            user=None,
            amazon_invoice_id=invoice_id,
            invoice_date=date(2026, 2, 10),
            amount=amount,
            currency="USD",
            amazon_agreement_id="MDF-2026",
            service_period_start=JAN,
            service_period_end=JAN_END,
        )
    return vendor_code


def _timed(fn: Any) -> tuple[float, int, Any]:
    from django.db import connection

    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    # A wrapper counts every statement (the debug query log keeps only the last 9,000).
    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return seconds, count, result


def _one_run(vendor_code: Any, files: dict[str, Path]) -> dict[str, tuple[float, int]]:
    from coop.models import CoopBackupLine
    from coop.models import CoopFileUpload
    from ingest.models import ReportImport
    from ingest.services import report_import_create
    from ingest.services import report_import_rerun
    from ingest.services import report_import_run

    CoopFileUpload.objects.filter(vendor_code=vendor_code).delete()
    CoopBackupLine.objects.filter(vendor_code=vendor_code).delete()
    ReportImport.objects.filter(vendor_code=vendor_code).delete()

    def run_file(path: Path) -> ReportImport:
        created = report_import_create(
            brand=vendor_code.brand, path=path, vendor_code=vendor_code, source="COOP_BACKUP_FILE", enqueue=False
        )
        report_import_run(created.pk)
        return ReportImport.objects.get(pk=created.pk)

    def rerun(previous: ReportImport) -> ReportImport:
        again = report_import_rerun(report_import=previous, enqueue=False)
        report_import_run(again.pk)
        return ReportImport.objects.get(pk=again.pk)

    results: dict[str, tuple[float, int]] = {}
    seconds, count, first = _timed(lambda: run_file(files["first"]))
    _check(first, inserted=True)
    results["first import"] = (seconds, count)
    seconds, count, again = _timed(lambda: rerun(first))
    _check(again, unchanged=True)
    results["re-import (re-run, unchanged)"] = (seconds, count)
    seconds, count, changed = _timed(lambda: run_file(files["changed"]))
    _check(changed, updated=True)
    results["re-import (every line changed)"] = (seconds, count)
    return results


def _check(report_import: Any, *, inserted: bool = False, unchanged: bool = False, updated: bool = False) -> None:
    """The step did what it is timed for (a failed import would be fast and wrong)."""
    if report_import.status != "SUCCEEDED":
        sys.exit(f"import #{report_import.pk} {report_import.status}: {report_import.message}")
    rows = report_import.rows_total
    counts = (report_import.rows_inserted, report_import.rows_updated, report_import.rows_unchanged)
    wanted = (rows if inserted else 0, rows if updated else 0, rows if unchanged else 0)
    if counts != wanted:
        sys.exit(f"import #{report_import.pk}: inserted/updated/unchanged {counts}, expected {wanted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--invoices", type=int, default=50)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL (sqlite:////tmp/....sqlite3 or postgres://.../coopdesk_..._bench)")
    _recreate_database(url)
    with tempfile.TemporaryDirectory(prefix="coop-backup-bench-") as media:
        _django(media)
        from django.db import connection

        vendor_code = _setup(args.invoices, args.lines)
        files = {"first": Path(media) / "backup.csv", "changed": Path(media) / "backup-changed.csv"}
        files["first"].write_bytes(_csv(args.invoices, args.lines, 0))
        files["changed"].write_bytes(_csv(args.invoices, args.lines, 1))
        runs = [_one_run(vendor_code, files) for _ in range(args.runs)]
        summary: dict[str, Any] = {
            "database": connection.vendor,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "load_average": round(os.getloadavg()[0], 1),
            "lines": args.lines,
            "invoices": args.invoices,
            "runs": args.runs,
            "steps": {},
        }
        for step in runs[0]:
            times = [run[step][0] for run in runs]
            median = statistics.median(times)
            queries = min(runs, key=lambda run, step=step: abs(run[step][0] - median))[step][1]
            summary["steps"][step] = {
                "median_s": round(median, 2),
                "times_s": [round(t, 2) for t in times],
                "queries": queries,
            }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"{summary['database']}: {args.lines:,} backup lines of {args.invoices} invoices, {summary['machine']}")
    for step, numbers in summary["steps"].items():
        print(f"  {step}: {numbers['median_s']:.2f} s ({numbers['queries']:,} SQL statements) {numbers['times_s']}")


if __name__ == "__main__":
    main()
