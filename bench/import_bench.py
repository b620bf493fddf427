"""Import benchmark (issue 3, ../shared/PERF.md "Loading 1M rows").

A 1,000,000-row daily GET_VENDOR_SALES_REPORT (2,000 ASINs x 500 days, plus the 500 aggregate rows) is
imported end to end (store + sha256, detect, parse, validate, stage with COPY, upsert) into PostgreSQL
whose fact table already holds a year of facts, then re-imported unchanged. The anchor, measured in the
same run: a raw `psql \\copy` of the same rows (as CSV) into an empty table of the same shape (LIKE the
fact table INCLUDING ALL: same columns, identity key and natural-key unique index). Medians of --runs.
Peak memory is each measured step's own peak RSS (every step runs in a fresh process).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdesk_bench .venv/bin/python bench/import_bench.py
        [--runs 3] [--asins 2000] [--days 500] [--keep-files] [--no-write]

The database named in DATABASE_URL is dropped and recreated. The result is appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_DAY = date(2023, 1, 1)
HISTORY_START = date(2022, 1, 1)  # the year of facts already in the table
VENDOR_CODE = "BENCHUS"
BRAND = "Bench Brand"
MARKETPLACE = "ATVPDKIKX0DER"
FACT_COLUMNS = (
    "brand_id",
    "marketplace_id",
    "vendor_code_id",
    "distributor_view",
    "selling_program",
    "period_grain",
    "period_start",
    "period_end",
    "asin",
    "currency",
    "ordered_revenue",
    "ordered_units",
    "shipped_cogs",
    "shipped_revenue",
    "shipped_units",
    "customer_returns",
)


# -- steps run in child processes ---------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def step_setup(workdir: Path, asins: int, days: int) -> dict[str, object]:
    """Migrate, register the vendor code, load a year of facts, write the JSON report and the anchor CSV."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from planning.models import Brand
    from planning.models import Marketplace
    from planning.models import VendorCode

    call_command("migrate", verbosity=0)
    brand = Brand.objects.create(name=BRAND, legal_entity="Bench Brand Inc.")
    marketplace = Marketplace.objects.get(amazon_marketplace_id=MARKETPLACE)
    vendor_code = VendorCode.objects.create(code=VENDOR_CODE, brand=brand, marketplace=marketplace)
    with connection.cursor() as cursor:
        # A year of daily facts for the same ASINs, before the report's window.
        cursor.execute(
            """
            INSERT INTO ingest_retailsalesfact (brand_id, marketplace_id, vendor_code_id, distributor_view,
                selling_program, period_grain, period_start, period_end, asin, currency, ordered_revenue,
                ordered_units, shipped_cogs, shipped_revenue, shipped_units, customer_returns)
            SELECT %s, %s, %s, 'MANUFACTURING', 'RETAIL', 'DAY', d, d, 'B0' || lpad(a::text, 8, '0'), 'USD',
                   mod(a, 97) * 3.25, mod(a, 41), mod(a, 89) * 1.75, mod(a, 97) * 2.5, mod(a, 37), mod(a, 3)
            FROM generate_series(1, %s) AS a, generate_series(%s::date, %s::date, '1 day') AS d
            """,
            [brand.pk, marketplace.pk, vendor_code.pk, asins, HISTORY_START, HISTORY_START + timedelta(days=364)],
        )
        cursor.execute("VACUUM ANALYZE ingest_retailsalesfact")
        cursor.execute("SELECT count(*) FROM ingest_retailsalesfact")
        history_rows = int(cursor.fetchone()[0])
    ids = {"brand": brand.pk, "marketplace": marketplace.pk, "vendor_code": vendor_code.pk}
    rows = _write_files(workdir, asins, days, ids)
    return {"history_rows": history_rows, "report_rows": rows, **ids}


def _write_files(workdir: Path, asins: int, days: int, ids: dict[str, int]) -> int:
    """The report as Amazon sends it (JSON) and the same rows as CSV for the anchor, written as a stream."""
    last_day = FIRST_DAY + timedelta(days=days - 1)
    asin_names = [f"B0{n:08d}" for n in range(1, asins + 1)]
    prefix = f"{ids['brand']},{ids['marketplace']},{ids['vendor_code']},MANUFACTURING,RETAIL,DAY,"
    rows = 0
    with (workdir / "sales.json").open("w") as doc, (workdir / "sales.csv").open("w") as csv:
        spec = {
            "reportType": "GET_VENDOR_SALES_REPORT",
            "reportOptions": {"distributorView": "MANUFACTURING", "reportPeriod": "DAY", "sellingProgram": "RETAIL"},
            "lastUpdatedDate": last_day.isoformat(),
            "dataStartTime": FIRST_DAY.isoformat(),
            "dataEndTime": last_day.isoformat(),
            "marketplaceIds": [MARKETPLACE],
        }
        doc.write('{"reportSpecification": ' + json.dumps(spec) + ', "salesAggregate": [')
        for d in range(days):
            day = (FIRST_DAY + timedelta(days=d)).isoformat()
            sep = "," if d else ""
            doc.write(
                f'{sep}{{"startDate":"{day}","endDate":"{day}","customerReturns":{d % 50},'
                f'"orderedRevenue":{{"amount":{100000 + d}.5,"currencyCode":"USD"}},"orderedUnits":{5000 + d},'
                f'"shippedCogs":{{"amount":{60000 + d}.25,"currencyCode":"USD"}},'
                f'"shippedRevenue":{{"amount":{90000 + d}.75,"currencyCode":"USD"}},"shippedUnits":{4500 + d}}}'
            )
            money = f"{100000 + d}.5,{5000 + d},{60000 + d}.25,{90000 + d}.75,{4500 + d},{d % 50}"
            csv.write(f'{prefix}{day},{day},"",USD,{money}\n')
            rows += 1
        doc.write('], "salesByAsin": [')
        first = True
        for d in range(days):
            day = (FIRST_DAY + timedelta(days=d)).isoformat()
            parts = []
            lines = []
            for a, asin in enumerate(asin_names):
                units = (a * 7 + d) % 23
                revenue = f"{units * 19}.{(a + d) % 100:02d}"
                cogs = f"{units * 11}.{(a * 3 + d) % 100:02d}"
                shipped = f"{units * 17}.{(a * 5 + d) % 100:02d}"
                returns = (a + d) % 3
                parts.append(
                    f'{{"startDate":"{day}","endDate":"{day}","asin":"{asin}","customerReturns":{returns},'
                    f'"orderedRevenue":{{"amount":{revenue},"currencyCode":"USD"}},"orderedUnits":{units},'
                    f'"shippedCogs":{{"amount":{cogs},"currencyCode":"USD"}},'
                    f'"shippedRevenue":{{"amount":{shipped},"currencyCode":"USD"}},"shippedUnits":{units}}}'
                )
                lines.append(f"{prefix}{day},{day},{asin},USD,{revenue},{units},{cogs},{shipped},{units},{returns}\n")
            doc.write(("" if first else ",") + ",".join(parts))
            csv.write("".join(lines))
            first = False
            rows += len(parts)
        doc.write("]}")
    return rows


def step_anchor(workdir: Path, database_url: str) -> dict[str, object]:
    """Raw `psql \\copy` of the same rows into an empty table shaped like the fact table."""
    url = urlparse(database_url)
    env = {**os.environ, "PGHOST": url.hostname or "", "PGPORT": str(url.port or 5432), "PGUSER": url.username or ""}
    if url.password:
        env["PGPASSWORD"] = url.password
    database = url.path.lstrip("/")
    subprocess.run(
        [
            "psql",
            "-q",
            "-d",
            database,
            "-c",
            "DROP TABLE IF EXISTS bench_anchor; CREATE TABLE bench_anchor (LIKE ingest_retailsalesfact INCLUDING ALL);",
        ],
        env=env,
        check=True,
    )
    started = time.perf_counter()
    subprocess.run(
        [
            "psql",
            "-q",
            "-d",
            database,
            "-c",
            f"\\copy bench_anchor ({', '.join(FACT_COLUMNS)}) FROM '{workdir / 'sales.csv'}' WITH (FORMAT csv)",
        ],
        env=env,
        check=True,
    )
    seconds = time.perf_counter() - started
    subprocess.run(["psql", "-q", "-d", database, "-c", "DROP TABLE bench_anchor;"], env=env, check=True)
    return {"seconds": seconds}


def step_import(workdir: Path) -> dict[str, object]:
    """The full import as production runs it: store + hash, then the task's service."""
    _django()
    from ingest.models import ReportImport
    from ingest.services import report_import_create
    from ingest.services import report_import_run
    from planning.models import Brand
    from planning.models import VendorCode

    brand = Brand.objects.get(name=BRAND)
    vendor_code = VendorCode.objects.get(code=VENDOR_CODE)
    started = time.perf_counter()
    report_import = report_import_create(
        brand=brand, path=workdir / "sales.json", vendor_code=vendor_code, enqueue=False
    )
    stored = time.perf_counter()
    report_import_run(report_import.pk)
    seconds = time.perf_counter() - started
    report_import = ReportImport.objects.get(pk=report_import.pk)
    return _outcome(report_import, seconds, store_seconds=stored - started)


def step_parse(workdir: Path) -> dict[str, object]:
    """The parser alone (detect + read every chunk), for the share of the import it accounts for."""
    _django()
    from ingest.parsers import registry
    from ingest.parsers.base import open_maybe_gzip
    from ingest.parsers.base import sniff

    started = time.perf_counter()
    with (workdir / "sales.json").open("rb") as raw:
        stream = open_maybe_gzip(raw)
        spec = registry.detect(sniff(stream))
        assert spec is not None
        rows = sum(len(chunk) for chunk in spec.parser(stream, "sales.json").chunks)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def step_reimport() -> dict[str, object]:
    """Re-import of the same file (a re-run, so the sha256 short-cut is bypassed and the upsert does the work)."""
    _django()
    from ingest.models import ReportImport
    from ingest.services import report_import_rerun
    from ingest.services import report_import_run

    latest = ReportImport.objects.filter(status__in=["SUCCEEDED", "SUPERSEDED"]).order_by("-pk").first()
    assert latest is not None
    started = time.perf_counter()
    rerun = report_import_rerun(report_import=latest, enqueue=False)
    report_import_run(rerun.pk)
    seconds = time.perf_counter() - started
    return _outcome(ReportImport.objects.get(pk=rerun.pk), seconds)


def step_reset() -> dict[str, object]:
    """Back to "a year of facts": remove the report's rows so the next run imports into the same state."""
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ingest_retailsalesfact WHERE period_start >= %s", [FIRST_DAY])
        cursor.execute("UPDATE ingest_reportimport SET status = 'SUPERSEDED' WHERE status = 'SUCCEEDED'")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ingest_retailsalesfact")
    return {}


def _outcome(report_import: object, seconds: float, **extra: float) -> dict[str, object]:
    ri = report_import
    return {
        "seconds": seconds,
        "status": ri.status,  # type: ignore[attr-defined]
        "message": ri.message,  # type: ignore[attr-defined]
        "rows": ri.rows_total,  # type: ignore[attr-defined]
        "inserted": ri.rows_inserted,  # type: ignore[attr-defined]
        "updated": ri.rows_updated,  # type: ignore[attr-defined]
        "unchanged": ri.rows_unchanged,  # type: ignore[attr-defined]
        "peak_rss_mb": _peak_rss_mb(),
        **extra,
    }


# -- orchestration ------------------------------------------------------------------------------------


def _child(step: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, "--step", step, *args], cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _recreate_database(database_url: str) -> None:
    url = urlparse(database_url)
    name = url.path.lstrip("/")
    env = {**os.environ, "PGHOST": url.hostname or "", "PGPORT": str(url.port or 5432), "PGUSER": url.username or ""}
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)
    subprocess.run(["createdb", name], env=env, check=True)


def _machine() -> str:
    cpus = os.cpu_count() or 0
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    load = os.getloadavg()[1]
    return (
        f"{cpus} cores, {mem_kb / 1024 / 1024:.0f} GB, Python {platform.python_version()}, PostgreSQL (stock); "
        f"load average {load:.1f} (shared machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--asins", type=int, default=2000)
    parser.add_argument("--days", type=int, default=500)
    parser.add_argument("--keep-files", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not append to docs/benchmarks.md")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.step:
        workdir = Path(options.workdir) if options.workdir else Path()
        steps = {
            "setup": lambda: step_setup(workdir, options.asins, options.days),
            "anchor": lambda: step_anchor(workdir, os.environ["DATABASE_URL"]),
            "import": lambda: step_import(workdir),
            "parse": lambda: step_parse(workdir),
            "reimport": step_reimport,
            "reset": step_reset,
        }
        print(json.dumps(steps[options.step](), default=str))
        return

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database this benchmark may drop and recreate.")
    workdir = Path(tempfile.mkdtemp(prefix="coopdesk-import-bench-"))
    media = workdir / "media"
    os.environ["MEDIA_ROOT"] = str(media)
    try:
        _recreate_database(database_url)
        setup = _child("setup", "--workdir", str(workdir), "--asins", str(options.asins), "--days", str(options.days))
        size_mb = (workdir / "sales.json").stat().st_size / 1e6
        print(
            f"setup: {setup['history_rows']:,} facts already in the table; report of {setup['report_rows']:,} rows, "
            f"{size_mb:,.0f} MB JSON",
            flush=True,
        )
        # The machine may be shared: an anchor is measured right before and after each measured step,
        # and each step's ratio uses the mean of its two neighbouring anchors.
        anchors, imports, reimports, parses = [], [], [], []
        import_ratios, reimport_ratios, parse_ratios = [], [], []
        for run in range(options.runs):
            before = float(_child("anchor", "--workdir", str(workdir))["seconds"])  # type: ignore[arg-type]
            parse = _child("parse", "--workdir", str(workdir))
            first = _child("import", "--workdir", str(workdir))
            between = float(_child("anchor", "--workdir", str(workdir))["seconds"])  # type: ignore[arg-type]
            again = _child("reimport")
            after = float(_child("anchor", "--workdir", str(workdir))["seconds"])  # type: ignore[arg-type]
            for result in (first, again):
                if result["status"] not in ("SUCCEEDED", "SUPERSEDED"):
                    raise SystemExit(f"import failed: {result}")
            anchors.extend([before, between, after])
            imports.append(first)
            reimports.append(again)
            parses.append(parse)
            import_ratios.append(float(first["seconds"]) / ((before + between) / 2))  # type: ignore[arg-type]
            reimport_ratios.append(float(again["seconds"]) / ((between + after) / 2))  # type: ignore[arg-type]
            parse_ratios.append(float(parse["seconds"]) / before)  # type: ignore[arg-type]
            print(
                f"run {run + 1}: \\copy {before:.2f} / {between:.2f} / {after:.2f} s "
                f"| parse only {parse['seconds']:.2f} s "
                f"| import {first['seconds']:.2f} s = {import_ratios[-1]:.2f}x "
                f"(store+hash {first['store_seconds']:.2f} s; {first['inserted']:,} new; "
                f"peak {first['peak_rss_mb']:.0f} MB) "
                f"| unchanged re-import {again['seconds']:.2f} s = {reimport_ratios[-1]:.2f}x "
                f"({again['unchanged']:,} unchanged; peak {again['peak_rss_mb']:.0f} MB)",
                flush=True,
            )
            if run + 1 < options.runs:
                _child("reset")
        anchor_s = statistics.median(anchors)
        import_s = statistics.median(r["seconds"] for r in imports)  # type: ignore[misc]
        reimport_s = statistics.median(r["seconds"] for r in reimports)  # type: ignore[misc]
        parse_s = statistics.median(r["seconds"] for r in parses)  # type: ignore[misc]
        import_x = statistics.median(import_ratios)
        reimport_x = statistics.median(reimport_ratios)
        parse_x = statistics.median(parse_ratios)
        peak = max(float(r["peak_rss_mb"]) for r in imports + reimports)  # type: ignore[arg-type]
        summary = (
            f"import {import_s:.2f} s = {import_x:.2f}x; unchanged re-import {reimport_s:.2f} s = "
            f"{reimport_x:.2f}x; raw \\copy {anchor_s:.2f} s; parser alone {parse_s:.2f} s = "
            f"{parse_x:.2f}x; peak RSS {peak:.0f} MB (medians of {options.runs} runs)"
        )
        print(summary)
        if not options.no_write:
            _append_row(
                rows=int(setup["report_rows"]),  # type: ignore[call-overload]
                history=int(setup["history_rows"]),  # type: ignore[call-overload]
                size_mb=size_mb,
                import_s=import_s,
                reimport_s=reimport_s,
                anchor_s=anchor_s,
                parse_s=parse_s,
                ratios=(import_x, reimport_x, parse_x),
                peak=peak,
                runs=options.runs,
            )
    finally:
        if options.keep_files:
            print(f"files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _append_row(
    *,
    rows: int,
    history: int,
    size_mb: float,
    import_s: float,
    reimport_s: float,
    anchor_s: float,
    parse_s: float,
    ratios: tuple[float, float, float],
    peak: float,
    runs: int,
) -> None:
    import_x, reimport_x, parse_x = ratios
    path = BASE_DIR / "docs" / "benchmarks.md"
    today = date.today().isoformat()
    data = f"{rows:,} daily sales rows ({size_mb:,.0f} MB JSON) into {history:,} existing facts"
    when = f"{today} (median of {runs})"
    anchor = f"raw psql \\copy {anchor_s:.2f} s (measured around each step)"
    lines = [
        f"| import: GET_VENDOR_SALES_REPORT end to end (store, detect, parse, validate, COPY to staging, upsert) "
        f"| bench/import_bench.py | {_machine()} | {data} | {import_s:.2f} s, peak RSS {peak:.0f} MB "
        f"| {anchor} | {import_x:.2f}x | <= 3x, < 600 MB | {when} |",
        f"| import: the SP-API JSON parser alone (ijson), part of the line above "
        f"| bench/import_bench.py | {_machine()} | {data} | {parse_s:.2f} s "
        f"| {anchor} | {parse_x:.2f}x | (share of the 3x) | {when} |",
        f"| import: same file re-imported unchanged (re-run: upsert skips identical rows) "
        f"| bench/import_bench.py | {_machine()} | {data} | {reimport_s:.2f} s, peak RSS {peak:.0f} MB "
        f"| {anchor} | {reimport_x:.2f}x | <= 3x, < 600 MB | {when} |",
    ]
    text = path.read_text() if path.exists() else ""
    if not text:
        text = (
            "# Benchmarks\n\n| benchmark | script | machine | data size | result | anchor (same run) | ratio "
            "| target | date |\n|---|---|---|---|---|---|---|---|---|\n"
        )
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
