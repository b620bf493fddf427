"""The alerts demo: real rules over the demo catalog and money, the stream and settings it adds, a mix of
states, and idempotent."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from coop.demo import seed_coop_demo
from ingest.models import StreamSubscription
from planning.demo import DemoContext
from planning.demo import seed_catalog
from reviews.alert_demo import seed_alerts_demo
from reviews.alert_models import Alert
from reviews.alert_models import AlertEvent
from reviews.alert_models import AlertRule
from reviews.alert_models import Benchmark

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviews.alert_urlconf")]


@time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), tick=False)
def test_demo_raises_a_realistic_mix_and_is_idempotent() -> None:
    ctx = DemoContext(seed=42, today=date(2026, 11, 26), password="demo-pass", log=lambda _: None)
    seed_catalog(ctx)
    seed_coop_demo(ctx)
    seed_alerts_demo(ctx)

    acme, verdant = ctx.brands["Acme Audio"], ctx.brands["Verdant Home"]
    assert Benchmark.objects.get(category="Headphones", brand__isnull=True).value == Decimal("0.12")
    assert AlertRule.objects.get(code="CONTENT_STALE", brand=verdant).enabled is False
    assert AlertRule.objects.get(code="OOS_RISK", brand=verdant).parameters["safety_weeks"] == "0.5"
    assert AlertRule.objects.get(code="ACOS_ABOVE_TARGET", brand=acme).parameters["final_after_days"] == 7
    assert StreamSubscription.objects.filter(brand__in=[acme, verdant]).count() == 3
    streams = set(Alert.objects.filter(code="STREAM_GAP").values_list("brand__name", "period_key"))
    assert streams == {("Acme Audio", "GAP"), ("Verdant Home", "PENDING")}
    codes = set(Alert.objects.values_list("code", flat=True))
    assert {"STREAM_GAP", "CONTENT_STALE", "COOP_VARIANCE", "DISPUTE_DEADLINE"} <= codes
    # Content is judged on A+ only in the demo brands: no alert says "no video".
    assert not Alert.objects.filter(code="CONTENT_STALE", title__contains="no video").exists()
    # States: the co-op variance of Acme Audio is assigned to finance.
    assert Alert.objects.filter(brand=acme, code="COOP_VARIANCE", assigned_to=ctx.users["finance"]).count() == 1
    assert mail.outbox == []  # nothing is emailed while seeding

    before = (Alert.objects.count(), AlertEvent.objects.count(), StreamSubscription.objects.count())
    seed_alerts_demo(ctx)
    after = (Alert.objects.count(), AlertEvent.objects.count(), StreamSubscription.objects.count())
    assert after == before
