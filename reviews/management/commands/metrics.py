"""`python manage.py metrics --vendor-code CODE --month YYYY-MM [--json]` (ARCHITECTURE.md contract).

The month's rollup for one vendor code (all ASINs): raw sums and the derived ratios, null where
undefined. With --json one object: money as decimal strings, counts as integers, ratios as decimal
fraction strings (0.25 = 25 %). The distributor view is MANUFACTURING / RETAIL when it has data
(ordered revenue exists only there), and the object says which view and which ad attribution window
it used. --recompute rebuilds the month's rollups from the facts first.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from core.periods import add_months
from core.periods import month_end
from core.periods import parse_month
from planning.models import VendorCode
from reviews.models import Dimension
from reviews.selectors.mbr import monthly_series
from reviews.selectors.mbr import text
from reviews.selectors.rollups import FxNote

MONEY_KEYS = (
    "shipped_cogs",
    "shipped_revenue",
    "ordered_revenue",
    "ad_spend",
    "ad_sales",
    "net_received_inventory_cost",
)
COUNT_KEYS = (
    "shipped_units",
    "ordered_units",
    "customer_returns",
    "glance_views",
    "sellable_on_hand_inventory_units",
    "impressions",
    "clicks",
    "ad_orders",
)
RATIO_KEYS = (
    "acos",
    "roas",
    "tacos",
    "return_rate",
    "conversion",
    "ppoos_rate",
    "net_ppm",
    "sell_through",
    "vendor_confirmation_rate",
    "receive_fill_rate",
    "po_on_time_rate",
    "ctr",
    "cpc",
)


class Command(BaseCommand):
    help = "Print one vendor code's monthly rollup: sums and ratios (null where undefined)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vendor-code", required=True, help="the vendor code, e.g. ACMEU")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--marketplace", default="", help="Amazon marketplace id, when the code exists in several marketplaces"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--recompute", action="store_true", help="recompute the month's rollups first")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        codes = VendorCode.objects.filter(code=options["vendor_code"]).select_related("marketplace")
        if options["marketplace"]:
            codes = codes.filter(marketplace__amazon_marketplace_id=options["marketplace"])
        found = list(codes)
        if not found:
            raise CommandError(f"Unknown vendor code {options['vendor_code']!r}.")
        if len(found) > 1:
            markets = ", ".join(vc.marketplace.amazon_marketplace_id for vc in found)
            raise CommandError(
                f"Vendor code {options['vendor_code']!r} exists in several marketplaces ({markets}): add --marketplace."
            )
        vendor_code = found[0]
        if options["recompute"]:
            from reviews.services.rollups import rollups_recompute

            rollups_recompute(vendor_code_ids=[vendor_code.pk], period_start=month, period_end=month_end(month))
        currency = vendor_code.marketplace.currency
        series, view = monthly_series(
            vendor_code_ids=[vendor_code.pk],
            first=add_months(month, -1),
            last=month,
            dimension=Dimension.TOTAL,
            values=None,
            view=None,
            currency=currency,
            note=FxNote(to_currency=currency),
        )
        row = series.get(month) or {}

        def value(key: str) -> Any:
            raw = row.get(key)
            return None if raw is None or str(raw) == "<NA>" else raw

        result: dict[str, Any] = {
            "vendor_code": vendor_code.code,
            "marketplace": vendor_code.marketplace.amazon_marketplace_id,
            "month": f"{month:%Y-%m}",
            "currency": currency,
            "distributor_view": view[0] or None,
            "selling_program": view[1] or None,
            "attribution_window": value("attribution_window"),
            "data_through": value("data_through").isoformat() if value("data_through") else None,
        }
        for key in MONEY_KEYS:
            result[key] = text(value(key))
        for key in COUNT_KEYS:
            result[key] = None if value(key) is None else int(value(key))
        for key in RATIO_KEYS:
            result[key] = text(value(key))
        result["tacos_denominator"] = "ordered_revenue"
        if not row:
            self.stderr.write(
                f"No rollups for {vendor_code.code} in {month:%Y-%m}: import its reports, or run with --recompute."
            )
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        width = max(len(k) for k in result)
        for key, item in result.items():
            self.stdout.write(f"{key:<{width}}  {'null' if item is None else item}")
