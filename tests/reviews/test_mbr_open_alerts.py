"""The MBR's "open alerts" agenda item lists the brand's alerts through reviews.mbr_hooks (issue 8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from reviews.alert_models import Alert
from tests.reviews.alert_factories import make_alert

pytestmark = pytest.mark.django_db


def test_mbr_lists_open_alerts_of_its_brand_only(client_for, vendor_ops, brand_a, brand_b) -> None:
    today = timezone.localdate()
    month = date(today.year, today.month, 1)
    ours = make_alert(brand_a.brand, title="Stock-out risk on B0TESTOOS1")
    resolved_long_ago = make_alert(
        brand_a.brand,
        code="CONTENT_STALE",
        severity="low",
        title="Old content alert",
        status=Alert.Status.RESOLVED,
        triggered_at=timezone.now().replace(year=today.year - 1),
        resolved_at=timezone.now().replace(year=today.year - 1),
    )
    theirs = make_alert(brand_b.brand, title="Bloom alert that must not show")

    response = client_for(vendor_ops).get(f"/reviews/mbr/{brand_a.brand.pk}/{month:%Y-%m}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Stock-out risk on B0TESTOOS1" in body
    assert f"/alerts/{ours.pk}/" in body
    assert resolved_long_ago.title not in body
    assert theirs.title not in body
    assert "Alerts are not connected yet" not in body
