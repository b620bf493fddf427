"""Rollup recompute: the set-based SQL of reviews.rollup_sql, run for some vendor codes and days.

`rollups_recompute` rewrites every weekly and monthly bucket that touches [period_start, period_end]
for the given vendor codes, in one transaction (delete + insert of the touched buckets): running it
twice gives the same rows, and a restatement that removed an ASIN removes its rows.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from django.db import connection
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.periods import month_end
from core.periods import month_start
from core.periods import week_end
from core.periods import week_start
from ingest.models import AdsDailyFact
from ingest.models import AdsProfile
from planning.models import VendorCode
from reviews import rollup_sql
from reviews.hooks import run_after_rollup
from reviews.models import AdsRollup
from reviews.models import Grain
from reviews.models import Rollup
from reviews.models import RollupPending
from reviews.models import RollupSchedule
from reviews.rollup_sql import Statement
from reviews.rollup_sql import Window

logger = logging.getLogger(__name__)
WORK_MEM = "128MB"
_CREATE_TEMP = re.compile(r"^CREATE TEMP TABLE (\w+) AS ")


@dataclass
class RecomputeResult:
    vendor_code_ids: list[int]
    window: Window
    rollup_rows: int = 0
    ads_rows: int = 0
    seconds: float = 0.0
    # (profile id, marketplace id) of ads rows no vendor code could be found for: not in any rollup.
    unmatched_ads_profiles: list[tuple[str, str]] = field(default_factory=list)


def rollup_window(period_start: date, period_end: date) -> Window:
    """The weeks and months touching [period_start, period_end] and the fact days they span."""
    if period_end < period_start:
        raise ApplicationError(
            f"The recompute window ends ({period_end:%Y-%m-%d}) before it starts ({period_start:%Y-%m-%d})."
        )
    return Window(
        week_first=week_start(period_start),
        week_last=week_start(period_end),
        month_first=month_start(period_start),
        month_last=month_start(period_end),
        day_first=min(week_start(period_start), month_start(period_start)),
        day_last=max(week_end(period_end), month_end(period_end)),
    )


def _run(cursor: Any, statements: Iterable[Statement], *, analyze: bool) -> None:
    for sql, params in statements:
        cursor.execute(sql, params)
        created = _CREATE_TEMP.match(sql)
        if analyze and created:
            # Temporary tables have no statistics: without them PostgreSQL guesses join sizes badly.
            cursor.execute(f"ANALYZE {created.group(1)}")


def _ads_mapping(
    vendor_codes: Sequence[VendorCode], window: Window
) -> tuple[list[tuple[int, str, str, int]], list[tuple[str, str]]]:
    """(brand, profile id, marketplace id, vendor code) for the ads rows of the window, and the unmatched.

    An advertiser profile linked to a vendor code goes to it; otherwise the brand's only vendor code in
    the row's (or the profile's) marketplace. Ads of a profile that matches no single vendor code stay
    out of the rollups and are reported, never guessed.
    """
    brand_ids = sorted({vc.brand_id for vc in vendor_codes})
    wanted = {vc.pk for vc in vendor_codes}
    codes_by_market: dict[tuple[int, str], list[int]] = {}
    for vc_id, brand_id, market in VendorCode.objects.filter(brand_id__in=brand_ids).values_list(
        "pk", "brand_id", "marketplace__amazon_marketplace_id"
    ):
        codes_by_market.setdefault((brand_id, market), []).append(vc_id)
    profiles = {
        p.profile_id: p for p in AdsProfile.objects.filter(brand_id__in=brand_ids).select_related("marketplace")
    }
    seen = (
        AdsDailyFact.objects.filter(brand_id__in=brand_ids, date__gte=window.day_first, date__lte=window.day_last)
        .values_list("brand_id", "profile_id", "marketplace_id")
        .distinct()
    )
    mapping: list[tuple[int, str, str, int]] = []
    unmatched: list[tuple[str, str]] = []
    for brand_id, profile_id, market in seen:
        profile = profiles.get(profile_id)
        target: int | None = None
        if profile is not None and profile.brand_id == brand_id and profile.vendor_code_id:
            target = profile.vendor_code_id
        else:
            market_id = market or (profile.marketplace.amazon_marketplace_id if profile and profile.marketplace else "")
            candidates = codes_by_market.get((brand_id, market_id), [])
            target = candidates[0] if len(candidates) == 1 else None
        if target is None:
            unmatched.append((profile_id, market))
        elif target in wanted:
            mapping.append((brand_id, profile_id, market, target))
    return mapping, unmatched


LOCK_NAMESPACE = 0x52564557  # "RVEW": the advisory-lock namespace of rollup recomputes


def _lock(cursor: Any, vendor_code_ids: Sequence[int]) -> None:
    """Serialise recomputes of the same vendor code (PostgreSQL: transaction-scoped advisory locks, in id
    order so two recomputes never deadlock). SQLite allows one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    for vendor_code_id in sorted(vendor_code_ids):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, vendor_code_id])


def _has_rows(cursor: Any, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 -- our own temporary table names
    return cursor.fetchone() is not None


def _net_ppm_exists(cursor: Any, vendor_codes: Sequence[VendorCode], window: Window) -> bool:
    """Whether any net PPM fact could join the sales of the window (skip the join when none can)."""
    for vc in vendor_codes:
        cursor.execute(
            "SELECT 1 FROM ingest_retailnetppmfact WHERE brand_id = %s AND marketplace_id = %s AND vendor_code_id = %s "
            "AND period_start BETWEEN %s AND %s LIMIT 1",
            [vc.brand_id, vc.marketplace_id, vc.pk, window.day_first, window.day_last],
        )
        if cursor.fetchone() is not None:
            return True
    return False


def _retail(
    cursor: Any, dialect: rollup_sql.Dialect, window: Window, vendor_codes: Sequence[VendorCode], *, analyze: bool
) -> dict[str, bool]:
    """Bucket every retail fact table (rv_<t>_b); returns which tables had rows."""
    ids = [vc.pk for vc in vendor_codes]
    rows: dict[str, bool] = {}
    for table in rollup_sql.RETAIL_TABLES:
        if table is rollup_sql.SALES:
            peers = _net_ppm_exists(cursor, vendor_codes, window)
        elif table is rollup_sql.INVENTORY:
            peers = rows[rollup_sql.TRAFFIC.name]
        else:
            peers = False
        _run(cursor, [rollup_sql.native_statement(dialect, window, table, ids, peers=peers)], analyze=False)
        has_native = _has_rows(cursor, f"rv_{table.name}_n")
        # Fragments need statistics: without them PostgreSQL expects a few hundred rows and sorts the
        # bucket GROUP BY (seconds at 1M facts) instead of hashing it.
        hash_peers = peers and connection.vendor == "postgresql"
        if hash_peers:
            # The peer tables (traffic for PPOOS weights, net PPM for margins) join one row per fact row.
            # PostgreSQL's estimate favours a million index lookups (10 s at 1M inventory rows) over
            # hashing the peer rows once (about 1 s); the lookups never pay off, not even for one week.
            cursor.execute("SET LOCAL enable_nestloop = off")
        _run(cursor, [rollup_sql.fragment_statement(dialect, window, table, ids, peers=peers)], analyze=analyze)
        if hash_peers:
            cursor.execute("SET LOCAL enable_nestloop = on")
        _run(cursor, rollup_sql.level_fixup_statement(dialect, table), analyze=False)
        _run(cursor, [rollup_sql.bucket_statement(dialect, window, table, has_native=has_native)], analyze=analyze)
        rows[table.name] = _has_rows(cursor, f"rv_{table.name}_b")
    return rows


def rollups_recompute(*, vendor_code_ids: Sequence[int], period_start: date, period_end: date) -> RecomputeResult:
    """Recompute the weekly and monthly rollups (retail, supply, ads) of vendor codes for the touched buckets.

    Reads the fact tables of ingest and planning's catalog (for categories); writes reviews_rollup and
    reviews_adsrollup. Idempotent. Returns the row counts written and the ads profiles left unmatched.
    """
    ids = sorted({int(i) for i in vendor_code_ids})
    window = rollup_window(period_start, period_end)
    result = RecomputeResult(vendor_code_ids=ids, window=window)
    if not ids:
        return result
    vendor_codes = list(VendorCode.objects.filter(pk__in=ids))
    missing = set(ids) - {vc.pk for vc in vendor_codes}
    if missing:
        raise ApplicationError(f"Unknown vendor code ids: {', '.join(map(str, sorted(missing)))}.")
    dialect = rollup_sql.dialect_for(connection.vendor)
    postgres = connection.vendor == "postgresql"
    computed_at = timezone.now()
    started = time.perf_counter()
    mapping, result.unmatched_ads_profiles = _ads_mapping(vendor_codes, window)
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # A recompute is a few big set operations: JIT compilation costs more than it saves here,
            # and the hash aggregates need memory to stay off disk. SET LOCAL ends with the transaction.
            cursor.execute("SET LOCAL jit = off")
            # Parallel hash aggregation gathers one partial group per worker and key (the facts are not
            # partitioned by ASIN), which made the big GROUP BY slower, not faster, on a busy server.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        _lock(cursor, ids)
        _run(cursor, rollup_sql.drop_temp_tables(), analyze=False)
        _run(cursor, rollup_sql.vendor_code_table(ids), analyze=False)
        rows = _retail(cursor, dialect, window, vendor_codes, analyze=postgres)
        _run(cursor, rollup_sql.stack_table(dialect), analyze=False)
        for table in rollup_sql.RETAIL_TABLES:
            if rows[table.name]:
                _run(cursor, rollup_sql.dimension_statements(table), analyze=False)
        _run(cursor, rollup_sql.supply_statements(dialect, window), analyze=False)
        rows["po"] = _has_rows(cursor, "rv_po")
        rows["asn"] = _has_rows(cursor, "rv_asn")
        rows["gv"] = False
        asin_tables = [t for t in rollup_sql.RETAIL_TABLES if rows[t.name]]
        if rows["trf"] and (rows["sales"] or rows["inv"]):
            _run(cursor, rollup_sql.glance_view_copy(asin_tables), analyze=False)
            rows["gv"] = cursor.rowcount != 0
        # Rows of several sources sharing a key must be added up; otherwise each stack row is a whole key.
        merge = sum(map(bool, (rows["sales"], rows["inv"], rows["gv"]))) > 1 or (
            sum(map(bool, (rows["trf"], rows["po"], rows["asn"]))) > 1
        )
        _run(cursor, [rollup_sql.delete_rollups(Rollup._meta.db_table, ids, window)], analyze=False)
        _run(
            cursor,
            [rollup_sql.insert_rollups(dialect, computed_at, merge=merge, asin_tables=asin_tables)],
            analyze=False,
        )
        result.rollup_rows = max(cursor.rowcount, 0)
        cursor.execute(
            "CREATE TEMP TABLE rv_adsmap "
            "(brand_id bigint, profile_id varchar(32), mkt varchar(20), vendor_code_id bigint)"
        )
        if mapping:
            cursor.executemany("INSERT INTO rv_adsmap VALUES (%s, %s, %s, %s)", mapping)
        _run(cursor, [rollup_sql.delete_rollups(AdsRollup._meta.db_table, ids, window)], analyze=False)
        ads_rows = 0
        if mapping:
            for sql, params in rollup_sql.ads_statements(dialect, window, computed_at):
                cursor.execute(sql, params)  # type: ignore[arg-type]
                if sql.startswith("INSERT"):
                    ads_rows += max(cursor.rowcount, 0)
        result.ads_rows = ads_rows
        _run(cursor, rollup_sql.drop_temp_tables(), analyze=False)
    result.seconds = time.perf_counter() - started
    # Alert rules and other readers of rollups run once the new rows are visible.
    brand_ids = sorted({vc.brand_id for vc in vendor_codes})

    def after_commit() -> None:
        from reviews.selectors.mbr import rollups_changed

        rollups_changed(brand_ids)  # cached live MBR pages of these brands are outdated
        run_after_rollup(ids, window.day_first, window.day_last)

    transaction.on_commit(after_commit)
    logger.info(
        "rollups recomputed for vendor codes %s, %s..%s: %s rows, %s ads rows in %.2f s",
        ids,
        window.day_first,
        window.day_last,
        result.rollup_rows,
        result.ads_rows,
        result.seconds,
    )
    return result


# Pending buckets of one vendor code closer than this are recomputed in one window.
MERGE_GAP_DAYS = 35


def _windows(periods: list[tuple[str, date]]) -> list[tuple[date, date]]:
    """Day windows covering queued (grain, period start) buckets, merging those close together."""
    spans = sorted((start, week_end(start) if grain == Grain.WEEK else month_end(start)) for grain, start in periods)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and (start - merged[-1][1]).days <= MERGE_GAP_DAYS:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def rollups_drain() -> int:
    """Recompute every queued rollup bucket; returns how many recomputes ran.

    The schedule flag is released first, so facts changing while this runs schedule a fresh run, and
    the queued rows are claimed (deleted) before the facts are read, so none is lost: an import that
    commits later queues its rows again. A failed recompute puts its rows back before raising.
    """
    now = timezone.now()
    RollupSchedule.objects.get_or_create(pk=1)
    RollupSchedule.objects.filter(pk=1).update(scheduled=False, last_run_at=now)
    with transaction.atomic():
        pending = list(
            RollupPending.objects.select_for_update().values_list("pk", "vendor_code_id", "grain", "period_start")
        )
        RollupPending.objects.filter(pk__in=[p[0] for p in pending]).delete()
    by_vendor_code: dict[int, list[tuple[str, date]]] = {}
    for _, vendor_code_id, grain, start in pending:
        by_vendor_code.setdefault(vendor_code_id, []).append((grain, start))
    # Vendor codes with the same windows share one recompute.
    jobs: dict[tuple[tuple[date, date], ...], list[int]] = {}
    for vendor_code_id, periods in by_vendor_code.items():
        jobs.setdefault(tuple(_windows(periods)), []).append(vendor_code_id)
    runs = 0
    existing = set(VendorCode.objects.filter(pk__in=by_vendor_code).values_list("pk", flat=True))
    for windows, vendor_code_ids in jobs.items():
        ids = [i for i in vendor_code_ids if i in existing]  # a vendor code deleted meanwhile
        for start, end in windows:
            if not ids:
                continue
            try:
                rollups_recompute(vendor_code_ids=ids, period_start=start, period_end=end)
            except Exception:
                RollupPending.objects.bulk_create(
                    [
                        RollupPending(vendor_code_id=vc, grain=grain, period_start=period)
                        for vc in ids
                        for grain, period in by_vendor_code[vc]
                    ],
                    ignore_conflicts=True,
                )
                raise
            runs += 1
    RollupSchedule.objects.filter(pk=1).update(last_run_periods=len(pending))
    return runs
