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
from reviews.models import AdsRollup
from reviews.models import Rollup
from reviews.rollup_sql import Statement
from reviews.rollup_sql import Window

logger = logging.getLogger(__name__)
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


def _run(cursor: object, statements: Iterable[Statement], *, analyze: bool) -> None:
    for sql, params in statements:
        cursor.execute(sql, params)  # type: ignore[attr-defined]
        created = _CREATE_TEMP.match(sql)
        if analyze and created:
            # Temporary tables have no statistics: without them PostgreSQL guesses join sizes badly.
            cursor.execute(f"ANALYZE {created.group(1)}")  # type: ignore[attr-defined]


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
    analyze = connection.vendor == "postgresql"
    computed_at = timezone.now()
    started = time.perf_counter()
    mapping, result.unmatched_ads_profiles = _ads_mapping(vendor_codes, window)
    with transaction.atomic(), connection.cursor() as cursor:
        _run(cursor, rollup_sql.drop_temp_tables(), analyze=False)
        _run(cursor, rollup_sql.vendor_code_table(ids), analyze=analyze)
        _run(cursor, rollup_sql.retail_statements(dialect, window), analyze=analyze)
        _run(cursor, rollup_sql.stack_table(dialect), analyze=False)
        _run(cursor, rollup_sql.retail_stack_statements(), analyze=False)
        _run(cursor, rollup_sql.supply_statements(dialect, window), analyze=analyze)
        _run(cursor, rollup_sql.glance_view_copy(), analyze=False)
        _run(cursor, [rollup_sql.delete_rollups(Rollup._meta.db_table, ids, window)], analyze=False)
        _run(cursor, [rollup_sql.insert_rollups(dialect, computed_at)], analyze=False)
        result.rollup_rows = max(cursor.rowcount, 0)
        cursor.execute(
            "CREATE TEMP TABLE rv_adsmap "
            "(brand_id bigint, profile_id varchar(32), mkt varchar(20), vendor_code_id bigint)"
        )
        if mapping:
            cursor.executemany("INSERT INTO rv_adsmap VALUES (%s, %s, %s, %s)", mapping)
        _run(cursor, [rollup_sql.delete_rollups(AdsRollup._meta.db_table, ids, window)], analyze=False)
        ads_rows = 0
        for sql, params in rollup_sql.ads_statements(dialect, window, computed_at):
            cursor.execute(sql, params)
            if sql.startswith("INSERT"):
                ads_rows += max(cursor.rowcount, 0)
        result.ads_rows = ads_rows
        _run(cursor, rollup_sql.drop_temp_tables(), analyze=False)
    result.seconds = time.perf_counter() - started
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
