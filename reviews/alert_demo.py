"""Demo alerts for `seed_demo`: the real rules run over the demo data, plus the few things only alerts
need (benchmarks, Marketing Stream subscriptions, brand settings), then a realistic mix of states.

Register from ReviewsConfig.ready(), after the rollups of the reviews seeder (order 90):
`register_demo_seeder("alerts", seed_alerts_demo, order=95)`.

What it does, idempotently (everything keyed on natural keys; state changes only where not made yet):
1. Shared sell-through benchmarks per demo category (sources named), so SELL_THROUGH_BELOW_BENCHMARK
   has something to compare with.
2. Brand settings that show per-brand parameters: Acme Audio accepts ads data once restated at 7 days
   (ACOS_ABOVE_TARGET `final_after_days` 7, target 30 % where the plan has none), so the demo ACoS spike
   is judged, and judges content on A+ only, after two years; Verdant Home keeps half a week of safety
   stock (OOS_RISK) and has turned CONTENT_STALE off.
3. Marketing Stream subscriptions: Acme Audio's SP traffic stream silent for 7 hours while campaigns
   run (STREAM_GAP), Verdant Home's budget-usage stream waiting for confirmation for 30 hours.
4. Every rule, every demo brand, as of now (stock-out ASINs, the ACoS spike, Speakers behind plan,
   late ASNs, co-op variances, dispute deadlines, promotion lead times, stale ads reports... as the
   data has them).
5. States: one stock-out alert acknowledged by vendor.ops (buyer meeting booked), another left
   unacknowledged past its 24 h deadline and escalated to the brand managers, a co-op variance assigned
   to finance, an ASN alert resolved by hand with a note.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from planning.demo import DemoContext

# Category -> (weekly sell-through benchmark, source). The rule compares each complete week's sell-through
# with it; the demo catalog turns its stock at ~15-20 % a week, so these flag the laggards.
DEMO_BENCHMARKS: dict[str, tuple[str, str]] = {
    "Headphones": ("0.12", "Demo: agency study of weekly sell-through, consumer electronics 2025"),
    "Speakers": ("0.10", "Demo: agency study of weekly sell-through, consumer electronics 2025"),
    "Chargers & Cables": ("0.12", "Demo: agency study of weekly sell-through, accessories 2025"),
    "Computer Accessories": ("0.12", "Demo: agency study of weekly sell-through, accessories 2025"),
    "Smart Home": ("0.10", "Demo: agency study of weekly sell-through, smart home 2025"),
    "Garden Tools": ("0.10", "Demo: garden retail panel, weekly sell-through 2025"),
    "Planters": ("0.10", "Demo: garden retail panel, weekly sell-through 2025"),
    "Outdoor Lighting": ("0.10", "Demo: garden retail panel, weekly sell-through 2025"),
    "Watering": ("0.10", "Demo: garden retail panel, weekly sell-through 2025"),
    "Kitchen Storage": ("0.12", "Demo: home goods panel, weekly sell-through 2025"),
}


def seed_alerts_demo(ctx: DemoContext) -> None:
    from django.utils import timezone

    from reviews.alert_models import Alert
    from reviews.alert_services import alerts_evaluate

    _benchmarks(ctx)
    _brand_settings(ctx)
    _streams(ctx)
    now = timezone.now()
    for name, brand in sorted(ctx.brands.items()):
        result = alerts_evaluate(brand_id=brand.pk, now=now)
        total = result.total
        failed = f", failed: {', '.join(result.failed)}" if result.failed else ""
        ctx.log(
            f"alerts {name}: {total.opened} opened, {total.refreshed} still open, {total.resolved} resolved{failed}"
        )
    _states(ctx)
    counts = {
        severity: Alert.objects.filter(
            brand__in=ctx.brands.values(), status__in=Alert.ACTIVE_STATUSES, severity=severity
        ).count()
        for severity in ("critical", "high", "medium", "low")
    }
    ctx.log("open alerts: " + ", ".join(f"{n} {s}" for s, n in counts.items()))


def _benchmarks(ctx: DemoContext) -> None:
    from reviews.alert_models import Benchmark

    as_of = date(ctx.today.year, 1, 1)
    for category, (value, source) in DEMO_BENCHMARKS.items():
        # Shared rows (brand and marketplace empty): the natural key includes NULLs, so look them up by hand.
        row = Benchmark.objects.filter(
            brand__isnull=True, metric=Benchmark.Metric.SELL_THROUGH, category=category, marketplace__isnull=True
        ).first() or Benchmark(brand=None, metric=Benchmark.Metric.SELL_THROUGH, category=category, marketplace=None)
        row.value = Decimal(value)
        row.source = source
        row.as_of = as_of
        row.save()


def _brand_settings(ctx: DemoContext) -> None:
    from reviews.alert_models import AlertRule
    from reviews.alert_rules import SPECS
    from reviews.alert_rules import validate_parameters
    from reviews.alert_services import alert_rule_update

    settings: dict[str, dict[str, dict[str, Any]]] = {
        "Acme Audio": {
            "ACOS_ABOVE_TARGET": {"final_after_days": 7, "target_acos": "0.30"},
            "CONTENT_STALE": {"require_video": False, "max_age_days": 730},
        },
        "Verdant Home": {
            # A reliable supplier and short lead times: half a week of safety stock is enough.
            "OOS_RISK": {"safety_weeks": "0.5"},
            # The content team works from its own tracker: the rule is off for the brand.
            "CONTENT_STALE": {"enabled": False},
        },
    }
    manager: Any = ctx.users.get("brand.manager")
    if manager is None:
        return
    for brand_name, rules in settings.items():
        brand = ctx.brands.get(brand_name)
        if brand is None:
            continue
        for code, overrides in rules.items():
            default = AlertRule.objects.get(code=code, brand__isnull=True)
            parameters = validate_parameters(
                SPECS[code], {**default.parameters, **{k: v for k, v in overrides.items() if k != "enabled"}}
            )
            enabled = bool(overrides.get("enabled", True))
            own = AlertRule.objects.filter(code=code, brand=brand).first()
            if own is not None and (own.parameters, own.enabled) == (parameters, enabled):
                continue  # already set: no new history row
            # Through the service, as a brand manager would: validated, kept in the rule's history, and a
            # rule turned off resolves its open alerts.
            alert_rule_update(
                brand=brand,
                code=code,
                user=manager,
                parameters=parameters,
                severity=default.severity,
                enabled=enabled,
            )


def _streams(ctx: DemoContext) -> None:
    from django.utils import timezone

    from ingest.models import StreamSubscription
    from ingest.stream import stream_subscription_create
    from planning.models import Marketplace

    now = timezone.now()
    us = Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")
    specs = [
        (
            "Acme Audio",
            "SP traffic (US)",
            "sp-traffic",
            StreamSubscription.Status.ACTIVE,
            now - timedelta(hours=7),
            now - timedelta(days=60),
        ),
        (
            "Acme Audio",
            "SP conversion (US)",
            "sp-conversion",
            StreamSubscription.Status.ACTIVE,
            now - timedelta(minutes=20),
            now - timedelta(days=60),
        ),
        (
            "Verdant Home",
            "Budget usage (US)",
            "budget-usage",
            StreamSubscription.Status.PENDING_CONFIRMATION,
            None,
            now - timedelta(hours=30),
        ),
    ]
    for brand_name, name, dataset, status, last_message_at, created_at in specs:
        brand = ctx.brands.get(brand_name)
        if brand is None:
            continue
        sub = StreamSubscription.objects.filter(brand=brand, name=name).first()
        if sub is None:
            sub, _key = stream_subscription_create(
                brand=brand,
                dataset=dataset,
                marketplace=us,
                name=name,
                destination=StreamSubscription.Destination.SQS_RELAY,
                destination_arn=f"arn:aws:sqs:us-east-1:123456789012:coopdesk-{dataset}",
            )
        # The stream's state is what a receiver would have recorded; refreshed on every seed.
        StreamSubscription.objects.filter(pk=sub.pk).update(
            status=status, last_message_at=last_message_at, created_at=created_at
        )


def _states(ctx: DemoContext) -> None:
    from django.core.mail import get_connection
    from django.utils import timezone

    from reviews import alert_services as services
    from reviews.alert_models import Alert

    users = ctx.users
    ops: Any = users.get("vendor.ops")
    finance: Any = users.get("finance")
    brand = ctx.brands.get("Acme Audio")
    if brand is None or ops is None or finance is None:
        return
    active = Alert.objects.filter(brand=brand, status__in=Alert.ACTIVE_STATUSES)
    stock_outs = list(active.filter(code="OOS_RISK").order_by("entity_label"))
    if stock_outs and not Alert.objects.filter(brand=brand, code="OOS_RISK", acknowledged_at__isnull=False).exists():
        services.alert_acknowledge(
            alert=stock_outs[0], user=ops, note="Buyer meeting booked for tomorrow 10:00; rush PO proposed."
        )
    overdue = [a for a in stock_outs[1:] if a.status == Alert.Status.OPEN]
    if overdue and not Alert.objects.filter(brand=brand, status=Alert.Status.ESCALATED).exists():
        alert = overdue[0]
        # Triggered 30 hours ago and nobody acknowledged: the 24 h deadline has passed.
        earlier = timezone.now() - timedelta(hours=30)
        Alert.objects.filter(pk=alert.pk).update(triggered_at=earlier, escalation_due_at=earlier + timedelta(hours=24))
        # The demo's escalation emails go nowhere (the console backend would print them into the seed log).
        services.alerts_escalate_due(connection=get_connection("django.core.mail.backends.locmem.EmailBackend"))
    variance = active.filter(code="COOP_VARIANCE", assigned_to__isnull=True).order_by("pk").first()
    if (
        variance is not None
        and not Alert.objects.filter(brand=brand, code="COOP_VARIANCE", assigned_to=finance).exists()
    ):
        services.alert_assign(alert=variance, user=ops, assignee=finance, note="Please check the backup report.")
    asn = active.filter(code="ASN_LATE", period_key__startswith="ASN ").order_by("pk").first()
    if asn is not None and not Alert.objects.filter(brand=brand, code="ASN_LATE", resolution="MANUAL").exists():
        services.alert_acknowledge(alert=asn, user=ops)
        services.alert_resolve(
            alert=asn,
            user=ops,
            note="Carrier scanned late; EDI log shows the ASN 20 min after pickup. Chargeback disputed.",
        )
