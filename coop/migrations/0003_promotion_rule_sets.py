"""Seed Amazon's promotion rules from DOMAIN.md §5.3 as editable data (one default rule set per type).

Values and their sources:
- Price Discount: submit >= 24 h ahead, runs up to 12 months, no merchandising fee [S17,S39].
- Lightning Deal: submit >= 4 weeks ahead, runs 4-12 hours, no overlapping promotion on the ASIN and
  none within 7 days, >= 3 stars [S16,S40,S41]. "One product (variations allowed)" is not enforced:
  the catalog does not model variation families yet.
- Best Deal: about 2 weeks on the deals page, historically >= 20 % below the lowest price of the
  past 90 days [S16].
- Prime Exclusive Best Deal (Prime Day 2025): >= 15 % off the reference price, match or beat the
  lowest price of the trailing 30 days, >= 5 % below the 90-day typical price, 4+ stars [S42]. The
  "5 % below the non-Prime price" rule is not checked: the app has no non-Prime price.
- Coupon: budget required. The 5-80 % discount bounds are Vendor Central's coupon form limits, not
  in DOMAIN.md's sources: verify them and edit here.
- Prime Exclusive Discount, Deal of the Day, Sales Discount, Promo code: no public rule found, so the
  rule sets exist (to be filled in by an administrator) but check nothing.
Existing rows are left alone, so re-running never overwrites an administrator's edits.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

RULES: list[dict[str, object]] = [
    {
        "promotion_type": "PRICE_DISCOUNT",
        "lead_time_hours": 24,
        "max_duration_hours": Decimal("8784"),  # 366 days
        "fee_allowed": False,
        "source": "S17,S39",
        "notes": "Any catalog ASINs; per-unit funding x units sold, no fee and no budget cap.",
    },
    {
        "promotion_type": "LIGHTNING_DEAL",
        "lead_time_hours": 672,
        "min_duration_hours": Decimal("4"),
        "max_duration_hours": Decimal("12"),
        "no_overlap": True,
        "back_to_back_days": 7,
        "min_rating": Decimal("3.0"),
        "source": "S16,S40,S41",
        "notes": "One product (variations allowed) per deal; a projected demand threshold also applies. "
        "The merchandising fee is charged only when the deal goes live.",
    },
    {
        "promotion_type": "BEST_DEAL",
        "max_duration_hours": Decimal("336"),
        "min_discount_vs_lowest_90d_pct": Decimal("20"),
        "source": "S16",
        "notes": "Created via the vendor manager or approved accounts; about two weeks on the deals page.",
    },
    {
        "promotion_type": "PRIME_EXCLUSIVE_BEST_DEAL",
        "min_discount_vs_reference_pct": Decimal("15"),
        "min_discount_vs_lowest_30d_pct": Decimal("0"),
        "min_discount_vs_typical_90d_pct": Decimal("5"),
        "min_rating": Decimal("4.0"),
        "source": "S42",
        "notes": "Prime Day 2025 rules; submitted by the VM/CSM. Must also be >= 5 % below the non-Prime price "
        "(not checked). The event's submission deadline lives on the event.",
    },
    {
        "promotion_type": "COUPON",
        "requires_budget": True,
        "coupon_min_discount_pct": Decimal("5"),
        "coupon_max_discount_pct": Decimal("80"),
        "source": "S3,S43",
        "notes": "Goes offline at 80 % of budget with ~30 min grace. Discount bounds are the Vendor Central "
        "form's limits (verify).",
    },
    {"promotion_type": "PRIME_EXCLUSIVE_DISCOUNT", "notes": "No public rule found; add rules here."},
    {"promotion_type": "DEAL_OF_THE_DAY", "notes": "No public rule found; add rules here."},
    {"promotion_type": "SALES_DISCOUNT", "notes": "No public rule found; add rules here."},
    {"promotion_type": "PROMO_CODE", "notes": "No public rule found; add rules here."},
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule_set = apps.get_model("coop", "PromotionRuleSet")
    for values in RULES:
        defaults = dict(values)
        promotion_type = defaults.pop("promotion_type")
        rule_set.objects.get_or_create(promotion_type=promotion_type, event=None, defaults=defaults)


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule_set = apps.get_model("coop", "PromotionRuleSet")
    rule_set.objects.filter(event=None, promotion_type__in=[r["promotion_type"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("coop", "0002_promotions")]

    operations = [migrations.RunPython(seed, unseed)]
