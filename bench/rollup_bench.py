"""Rollup benchmark (issue 4, ../shared/PERF.md "Rollups").

Data: 1,000,000 daily retail_sales fact rows (2,000 ASINs x 500 days, MANUFACTURING / RETAIL) of one
vendor code, written straight into PostgreSQL with generate_series. With --full, the inventory and
traffic tables get the same 2,000 x 500 daily rows too (3,000,000 fact rows in all).

Measured, medians of --runs, all in the same run:
- anchor: ONE SQL GROUP BY monthly per ASIN over the 1M sales rows (CREATE TEMP TABLE ... AS SELECT
  asin, month, sums ... GROUP BY 1, 2: the grouped rows stay on the server, like a rollup would), as
  ../shared/PERF.md measures it: 34,000 groups;
- equivalent: the single SQL GROUP BY that yields the same groups the rollups hold (GROUPING SETS of
  ASIN, category and total x week and month, per vendor code, marketplace, view and program, with the
  same sums, shipped days and last day), into a temporary table. It runs with the recompute's session
  settings and again with 512 MB of work_mem so it never spills; the faster of the two is the anchor;
- full: rollups_recompute over every day of the data (weekly and monthly x ASIN, CATEGORY and TOTAL),
  into an empty rollup table, then again replacing the rows it wrote;
- incremental: one week's facts restated (the 14,000 rows of that week updated, as an import would),
  then rollups_recompute for that week only (its week and month buckets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdesk_mbr_bench .venv/bin/python bench/rollup_bench.py
        [--runs 3] [--asins 2000] [--days 500] [--full] [--no-write]

The database named in DATABASE_URL is dropped and recreated. The result is appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_DAY = date(2024, 1, 7)  # a Sunday
CATEGORIES = ("Headphones", "Speakers", "Chargers & Cables", "Computer Accessories", "Smart Home")


def _recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("coopdesk_") or "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: use a database whose name starts with coopdesk_ and contains 'bench'")
    admin = ["psql", "-h", parsed.hostname or "127.0.0.1", "-U", parsed.username or "postgres", "-d", "postgres", "-q"]
    subprocess.run([*admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, "-c", f'CREATE DATABASE "{name}"'], check=True)


def _django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _median(fn: Callable[[], None], runs: int, before: Callable[[], None] | None = None) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def setup(asins: int, days: int, full: bool) -> dict[str, int]:
    from django.core.management import call_command
    from django.db import connection

    from planning.models import Brand
    from planning.models import Marketplace
    from planning.models import Product
    from planning.models import VendorCode

    call_command("migrate", verbosity=0)
    brand = Brand.objects.create(name="Bench Brand", legal_entity="Bench Brand Inc.")
    market = Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")
    vc = VendorCode.objects.create(code="BENCHUS", brand=brand, marketplace=market)
    Product.objects.bulk_create(
        [
            Product(
                asin=f"B0{i:08d}",
                brand=brand,
                vendor_code=vc,
                marketplace=market,
                title=f"Bench product {i}",
                category=CATEGORIES[i % len(CATEGORIES)],
                currency="USD",
            )
            for i in range(asins)
        ],
        batch_size=5000,
    )
    key = (
        "brand_id, last_import_id, marketplace_id, vendor_code_id, distributor_view, selling_program, period_grain, "
        "period_start, period_end, asin"
    )

    def key_values(view: str = "MANUFACTURING", program: str = "RETAIL") -> str:
        return (
            f"{brand.pk}, NULL, {market.pk}, {vc.pk}, '{view}', '{program}', 'DAY', d::date, d::date, "
            "'B0' || lpad(a::text, 8, '0')"
        )

    series = (
        f"FROM generate_series(0, {asins - 1}) a, "
        f"generate_series(DATE '{FIRST_DAY}', DATE '{FIRST_DAY + timedelta(days=days - 1)}', interval '1 day') d"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ingest_retailsalesfact ({key}, currency, ordered_revenue, ordered_units, shipped_cogs, "
            "shipped_revenue, shipped_units, customer_returns) "
            f"SELECT {key_values()}, 'USD', ((a * 37 + extract(doy FROM d)::int * 11) % 5000) / 100.0 + 10, "
            "(a + extract(doy FROM d)::int) % 17, ((a * 13 + extract(doy FROM d)::int * 7) % 4000) / 100.0 + 5, "
            "((a * 37 + extract(doy FROM d)::int * 11) % 5000) / 100.0 + 9, (a + extract(doy FROM d)::int) % 15, "
            f"(a + extract(doy FROM d)::int) % 3 {series}"
        )
        if full:
            cursor.execute(
                f"INSERT INTO ingest_retailinventoryfact ({key}, currency, net_received_inventory_units, "
                "net_received_inventory_cost, sellable_on_hand_inventory_units, sellable_on_hand_inventory_cost, "
                "aged_90_plus_days_sellable_inventory_units, procurable_product_out_of_stock_rate) "
                f"SELECT {key_values()}, 'USD', (a + extract(doy FROM d)::int) % 40, "
                "((a + extract(doy FROM d)::int) % 40) * 12.5, 200 + (a * 7 + extract(doy FROM d)::int) % 300, "
                "(200 + (a * 7 + extract(doy FROM d)::int) % 300) * 12.5, (a + extract(doy FROM d)::int) % 20, "
                f"((a + extract(doy FROM d)::int) % 10) / 100.0 {series}"
            )
            cursor.execute(
                f"INSERT INTO ingest_retailtrafficfact ({key}, glance_views) "
                f"SELECT {key_values('', '')}, "
                f"50 + (a * 3 + extract(doy FROM d)::int) % 400 {series}"
            )
        for table in ("ingest_retailsalesfact", "ingest_retailinventoryfact", "ingest_retailtrafficfact"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM ingest_retailsalesfact")
        rows = cursor.fetchone()[0]
    return {"vendor_code_id": vc.pk, "sales_rows": rows}


def anchor() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_anchor")
        cursor.execute(
            "CREATE TEMP TABLE bench_anchor AS SELECT asin, date_trunc('month', period_start) AS month, "
            "SUM(ordered_revenue) AS ordered_revenue, SUM(ordered_units) AS ordered_units, SUM(shipped_cogs) AS "
            "shipped_cogs, SUM(shipped_revenue) AS shipped_revenue, SUM(shipped_units) AS shipped_units, "
            "SUM(customer_returns) AS customer_returns FROM ingest_retailsalesfact GROUP BY 1, 2"
        )


def equivalent(work_mem: str) -> Callable[[], None]:
    """The single GROUP BY producing every (ASIN | category | total) x (week | month) group of the rollups."""
    from django.db import connection
    from django.db import transaction

    def run() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
            cursor.execute("DROP TABLE IF EXISTS bench_equivalent")
            cursor.execute(
                "CREATE TEMP TABLE bench_equivalent AS SELECT f.brand_id, f.vendor_code_id, f.marketplace_id, "
                "f.distributor_view, f.selling_program, f.asin, p.category, "
                "(f.period_start - CAST(EXTRACT(DOW FROM f.period_start) AS integer)) AS wk, "
                "(f.period_start - CAST(EXTRACT(DAY FROM f.period_start) AS integer) + 1) AS mo, "
                "MAX(f.period_end) AS last_day, SUM(f.ordered_revenue) AS ordered_revenue, "
                "SUM(f.shipped_cogs) AS shipped_cogs, SUM(f.shipped_revenue) AS shipped_revenue, "
                "SUM(f.ordered_units) AS ordered_units, SUM(f.shipped_units) AS shipped_units, "
                "SUM(f.customer_returns) AS customer_returns, COUNT(f.shipped_units) AS shipped_days "
                "FROM ingest_retailsalesfact f LEFT JOIN planning_product p ON p.marketplace_id = f.marketplace_id "
                "AND p.asin = f.asin WHERE f.period_grain = 'DAY' GROUP BY f.brand_id, f.vendor_code_id, "
                "f.marketplace_id, f.distributor_view, f.selling_program, GROUPING SETS ((f.asin, 8), (f.asin, 9), "
                "(p.category, 8), (p.category, 9), (8), (9))"
            )

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--asins", type=int, default=2000)
    parser.add_argument("--days", type=int, default=500)
    parser.add_argument("--full", action="store_true", help="inventory and traffic facts as well (3M rows)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not append to docs/benchmarks.md")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its facts from the last run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is dropped and recreated)")
    if not args.reuse:
        _recreate_database(url)
    _django()
    from django.db import connection

    from planning.models import VendorCode
    from reviews.models import Rollup
    from reviews.services.rollups import rollups_recompute

    started = time.perf_counter()
    if args.reuse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM ingest_retailsalesfact")
            info = {"vendor_code_id": VendorCode.objects.get(code="BENCHUS").pk, "sales_rows": cursor.fetchone()[0]}
    else:
        info = setup(args.asins, args.days, args.full)
    print(f"setup: {info['sales_rows']:,} sales rows in {time.perf_counter() - started:.1f} s", flush=True)
    vc_id = info["vendor_code_id"]
    last_day = FIRST_DAY + timedelta(days=args.days - 1)

    anchor_s, anchor_all = _median(anchor, args.runs)
    print(f"anchor GROUP BY monthly per ASIN: {anchor_s:.2f} s {anchor_all}", flush=True)
    from reviews.services.rollups import WORK_MEM

    equivalent_same_s, same_all = _median(equivalent(WORK_MEM), args.runs)
    equivalent_big_s, big_all = _median(equivalent("512MB"), args.runs)
    equivalent_s = min(equivalent_same_s, equivalent_big_s)
    print(
        f"equivalent single GROUP BY (grouping sets): {equivalent_same_s:.2f} s at {WORK_MEM} {same_all}, "
        f"{equivalent_big_s:.2f} s at 512MB {big_all}",
        flush=True,
    )

    def full() -> None:
        rollups_recompute(vendor_code_ids=[vc_id], period_start=FIRST_DAY, period_end=last_day)

    def empty() -> None:
        Rollup.objects.all().delete()

    empty_s, empty_all = _median(full, args.runs, before=empty)
    print(f"full recompute, empty rollup table: {empty_s:.2f} s {empty_all}", flush=True)
    replace_s, replace_all = _median(full, args.runs)
    print(f"full recompute, replacing its rows: {replace_s:.2f} s {replace_all}", flush=True)
    rollup_rows = Rollup.objects.count()

    week = FIRST_DAY + timedelta(weeks=40)

    def restate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ingest_retailsalesfact SET shipped_units = shipped_units + 1 "
                "WHERE period_start BETWEEN %s AND %s",
                [week, week + timedelta(days=6)],
            )

    def incremental() -> None:
        rollups_recompute(vendor_code_ids=[vc_id], period_start=week, period_end=week + timedelta(days=6))

    incremental_s, incremental_all = _median(incremental, args.runs, before=restate)
    print(f"incremental recompute of one week: {incremental_s:.2f} s {incremental_all}", flush=True)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, PostgreSQL {connection.pg_version // 10000}"
    size = f"{info['sales_rows']:,} daily sales rows" + (" + inventory and traffic (3M)" if args.full else "")
    equivalent_text = f"equivalent single GROUP BY (grouping sets, same {rollup_rows:,} groups) {equivalent_s:.2f} s"
    empty_ratio, replace_ratio = f"{empty_s / equivalent_s:.2f}", f"{replace_s / equivalent_s:.2f}"
    if args.full:
        # The equivalent statement covers the sales table; with inventory and traffic too it is not the
        # same work, so no ratio is claimed for --full.
        equivalent_text = f"— (the equivalent GROUP BY covers sales only: {equivalent_s:.2f} s)"
        empty_ratio = replace_ratio = "—"
    lines = [
        f"| rollups: full recompute (empty table) | bench/rollup_bench.py | {machine} | {size}; {rollup_rows:,} "
        f"rollup rows | {empty_s:.2f} s | {equivalent_text} | {empty_ratio} | "
        f"≤ 2 | {date.today()} |",
        f"| rollups: full recompute (replacing) | bench/rollup_bench.py | {machine} | {size} | {replace_s:.2f} s | "
        f"{equivalent_text} | {replace_ratio} | ≤ 2 | {date.today()} |",
        f"| rollups: full recompute (replacing), against PERF.md's anchor | bench/rollup_bench.py | {machine} | "
        f"{size} | {replace_s:.2f} s | GROUP BY monthly per ASIN (34,000 groups) {anchor_s:.2f} s | "
        f"{replace_s / anchor_s:.2f} | — (the rollups hold 5x the groups and are written with their indexes) | "
        f"{date.today()} |",
        f"| rollups: incremental, one week restated | bench/rollup_bench.py | {machine} | {size} | "
        f"{incremental_s:.2f} s | — | — | < 2 s | {date.today()} |",
    ]
    print("\n".join(lines))
    if not args.no_write:
        with (BASE_DIR / "docs" / "benchmarks.md").open("a") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
