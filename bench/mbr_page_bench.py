"""MBR page benchmark (issue 4: "the MBR page served in under 150 ms at the 95th percentile (server time)
with 5,000 ASINs x 3 years of facts").

Data, written straight into PostgreSQL with generate_series: one vendor code with 5,000 ASINs in 5
categories, 3 years of DAY facts for retail sales and traffic (2 x 5,475,000 rows) and daily Sponsored
Products campaign spend; then every rollup is recomputed through reviews.services.rollups (timed), a
JBP plan with month targets is added and an MBR is scheduled.

Measured: server time of the live MBR page (no frozen snapshot: the page computes everything from the
rollup tables), the ASIN page and a 500-row page of the rollup API, through Django's test client in
this process (request -> response bytes; no network). --runs requests each after 3 warm-up requests;
p50 and p95 reported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdesk_mbr_pagebench .venv/bin/python bench/mbr_page_bench.py
        [--asins 5000] [--years 3] [--runs 60] [--reuse] [--no-write]

The database named in DATABASE_URL is dropped and recreated unless --reuse. Results are appended to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
from rollup_bench import _recreate_database  # noqa: E402

CATEGORIES = ("Headphones", "Speakers", "Chargers & Cables", "Computer Accessories", "Smart Home")
LAST_DAY = date(2026, 3, 31)
MONTH = date(2026, 3, 1)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    import django

    django.setup()


def setup(asins: int, years: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from planning.jbp_models import JBPPlan
    from planning.jbp_models import JBPTarget
    from planning.models import Brand
    from planning.models import Marketplace
    from planning.models import Membership
    from planning.models import Product
    from planning.models import VendorCode
    from reviews.services.business_reviews import review_create
    from reviews.services.rollups import rollups_recompute

    call_command("migrate", verbosity=0)
    brand = Brand.objects.create(name="Bench Brand", legal_entity="Bench Brand Inc.")
    market = Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")
    vc = VendorCode.objects.create(code="BENCHUS", brand=brand, marketplace=market)
    user = get_user_model().objects.create_user("bench", password="bench-pass")
    Membership.objects.create(user=user, brand=brand, role=Membership.Role.VENDOR_OPS)
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
                aplus_content=i % 3 == 0,
            )
            for i in range(asins)
        ],
        batch_size=5000,
    )
    first = LAST_DAY - timedelta(days=365 * years - 1)
    series = (
        f"FROM generate_series(0, {asins - 1}) a, "
        f"generate_series(DATE '{first}', DATE '{LAST_DAY}', interval '1 day') d"
    )
    key = (
        "brand_id, marketplace_id, vendor_code_id, distributor_view, selling_program, period_grain, period_start, "
        "period_end, asin"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ingest_retailsalesfact ({key}, currency, ordered_revenue, ordered_units, shipped_cogs, "
            "shipped_revenue, shipped_units, customer_returns) "
            f"SELECT {brand.pk}, {market.pk}, {vc.pk}, 'MANUFACTURING', 'RETAIL', 'DAY', d::date, d::date, "
            "'B0' || lpad(a::text, 8, '0'), 'USD', ((a * 37 + extract(doy FROM d)::int * 11) % 5000) / 100.0 + 10, "
            "(a + extract(doy FROM d)::int) % 17, ((a * 13 + extract(doy FROM d)::int * 7) % 4000) / 100.0 + 5, "
            "((a * 37 + extract(doy FROM d)::int * 11) % 5000) / 100.0 + 9, (a + extract(doy FROM d)::int) % 15, "
            f"(a + extract(doy FROM d)::int) % 3 {series}"
        )
        cursor.execute(
            f"INSERT INTO ingest_retailtrafficfact ({key}, glance_views) "
            f"SELECT {brand.pk}, {market.pk}, {vc.pk}, '', '', 'DAY', d::date, d::date, 'B0' || lpad(a::text, 8, '0'), "
            f"50 + (a * 3 + extract(doy FROM d)::int) % 400 {series}"
        )
        cursor.execute(
            "INSERT INTO ingest_adsdailyfact (brand_id, profile_id, marketplace_id, ad_product, report_type, date, "
            "campaign_id, ad_group_id, ad_id, asin, currency, impressions, clicks, cost, sales_14d, purchases_14d) "
            f"SELECT {brand.pk}, '', 'ATVPDKIKX0DER', 'SP', 'spCampaigns', d::date, 1, 0, 0, '', 'USD', 900000, 5000, "
            f"5000 + extract(doy FROM d)::int, 21000, 500 FROM generate_series(DATE '{first}', DATE '{LAST_DAY}', "
            "interval '1 day') d"
        )
        cursor.execute("VACUUM ANALYZE ingest_retailsalesfact")
        cursor.execute("VACUUM ANALYZE ingest_retailtrafficfact")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    result = rollups_recompute(vendor_code_ids=[vc.pk], period_start=first, period_end=LAST_DAY)
    recompute = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reviews_rollup")
        cursor.execute("VACUUM ANALYZE reviews_adsrollup")
    plan = JBPPlan.objects.create(
        brand=brand,
        marketplace=market,
        plan_year=2026,
        series="FY",
        horizon=JBPPlan.Horizon.ANNUAL,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        status=JBPPlan.Status.ACTIVE,
        currency="USD",
    )
    for category in CATEGORIES:
        JBPTarget.objects.create(
            plan=plan,
            metric="SHIPPED_COGS",
            dimension_type="CATEGORY",
            dimension_value=category,
            period_type="MONTH",
            period_start=MONTH,
            period_end=date(2026, 3, 31),
            target_value=5_000_000,
        )
    review_create(user=None, brand=brand, month=MONTH)
    return {"load_s": loaded, "recompute_s": recompute, "rollup_rows": result.rollup_rows}


def _timed(client: object, url: str, runs: int, *, cold: bool = False) -> tuple[float, float]:
    from django.core.cache import cache

    for _ in range(3):
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()  # every request computes the page from the rollup tables
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asins", type=int, default=5000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its data from the last run")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is dropped and recreated)")
    if not args.reuse:
        _recreate_database(url)
    _django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from reviews.models import BusinessReview
    from reviews.models import Rollup

    settings.ALLOWED_HOSTS = ["*"]
    info: dict[str, float] = {}
    if not args.reuse:
        info = setup(args.asins, args.years)
        print(
            f"facts loaded in {info['load_s']:.0f} s; rollups recomputed in {info['recompute_s']:.1f} s "
            f"({info['rollup_rows']:,} rows)",
            flush=True,
        )
    client = Client()
    client.login(username="bench", password="bench-pass")
    review = BusinessReview.objects.get(month=MONTH)
    frozen = BusinessReview.objects.filter(month=date(2026, 2, 1)).first()
    if frozen is None:
        from django.contrib.auth import get_user_model

        from reviews.services.business_reviews import review_create
        from reviews.services.business_reviews import review_transition

        bench_user = get_user_model().objects.get(username="bench")
        frozen = review_create(user=None, brand=review.brand, month=date(2026, 2, 1))
        frozen = review_transition(review=frozen, user=bench_user, to_status="DATA_FROZEN")
    rows = Rollup.objects.count()
    pages = {
        "MBR page (live, computed every request)": f"/reviews/{review.pk}/",
        "MBR page (live, cached until the next recompute)": f"/reviews/{review.pk}/",
        "MBR page (frozen snapshot, restatement check)": f"/reviews/{frozen.pk}/",
        "MBR page, one category (computed every request)": f"/reviews/{review.pk}/?category=Speakers",
        "ASIN page (24 months + 26 weeks)": (
            f"/reviews/asin/{review.brand.vendor_codes.get().pk}/B000000042/?month=2026-03"
        ),
        "rollup API, 500 rows of a year of ASIN months": (
            "/api/v1/rollups/?vendor_code=BENCHUS&grain=MONTH&dimension=ASIN&period_start_after=2025-04-01&page_size=500"
        ),
    }
    machine = f"{platform.machine()}, {os.cpu_count()} cores, PostgreSQL {connection.pg_version // 10000}"
    size = f"{args.asins:,} ASINs x {args.years} years of daily sales and traffic facts; {rows:,} rollup rows"
    lines = []
    for label, path in pages.items():
        p50, p95 = _timed(client, path, args.runs, cold="computed every request" in label)
        print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
        target = "p95 < 150 ms" if label.startswith("MBR page (") else "—"
        lines.append(
            f"| {label} | bench/mbr_page_bench.py | {machine} | {size} | p50 {p50:.0f} ms, p95 {p95:.0f} ms "
            f"(server time, Django test client, {args.runs} requests) | — | — | {target} | {date.today()} |"
        )
    if info:
        lines.append(
            f"| rollups: full recompute at page-bench size | bench/mbr_page_bench.py | {machine} | {size} | "
            f"{info['recompute_s']:.1f} s | — | — | — | {date.today()} |"
        )
    print("\n".join(lines))
    if not args.no_write:
        with (BASE_DIR / "docs" / "benchmarks.md").open("a") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
