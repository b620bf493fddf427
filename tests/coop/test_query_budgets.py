"""Co-op list pages read a fixed number of queries however many rows they list (no N+1): each page is
measured with one set of rows, then with four, and must stay flat and within its budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop.models import FundAllocationLine
from coop.models.imports import FileKind
from coop.services.allocations import LineInput
from coop.services.allocations import allocation_create
from coop.services.disputes import dispute_open
from coop.services.imports import coop_upload_create
from coop.services.invoices import invoice_record
from tests.coop.factories import CoopAgreementFactory
from tests.coop.factories import inventory_fact
from tests.coop.factories import recompute

pytestmark = pytest.mark.django_db

# The brief's budgets: "list pages and APIs have query-count budgets".
BUDGETS = {
    "coop-home": 20,
    "coop-ledger": 20,
    "coop-approvals": 16,
    "coop-allocation-list": 16,
    "coop-agreement-list": 16,
    "coop-invoice-list": 16,
    "coop-dispute-list": 16,
    "coop-import-list": 16,
}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def add_rows(
    brand_a: Any, vendor_ops: Any, brand_manager: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Callable[[int], None]:
    """n more agreements (with an accrual), flagged invoices with a dispute each, fund splits and co-op files."""
    made = {"n": 0}

    def add(n: int) -> None:
        vc = brand_a.vendor_code
        for _ in range(n):
            i = made["n"] = made["n"] + 1
            month = date(2026, i, 1)
            agreement = CoopAgreementFactory.create(vendor_code=vc, amazon_agreement_id=f"MDF-{i}")
            inventory_fact(vc, month, net_received="100000.00")
            recompute(agreement, month)
            invoice, _ = invoice_record(
                vendor_code=vc,
                user=vendor_ops,
                amazon_invoice_id=f"INV-{i}",
                invoice_date=date(2026, i, 20),
                amount=Decimal("9999.00"),
                currency="USD",
                amazon_agreement_id=f"MDF-{i}",
                service_period_start=month,
                service_period_end=date(2026, i, 28),
            )
            dispute_open(user=vendor_ops, invoice=invoice, amount_claimed=Decimal("100.00"))
            allocation_create(
                brand=brand_a.brand,
                user=brand_manager,
                title=f"Split {i}",
                period_start=month,
                period_end=date(2026, i, 28),
                currency="USD",
                total_amount=Decimal("1000.00"),
                lines=[
                    LineInput(
                        bucket=FundAllocationLine.Bucket.ADS, amount=Decimal("1000.00"), brand_share_pct=Decimal("60")
                    )
                ],
            )
            with django_capture_on_commit_callbacks(execute=True):
                coop_upload_create(
                    vendor_code=vc,
                    user=vendor_ops,
                    kind=FileKind.INVOICES,
                    file=SimpleUploadedFile(
                        f"invoices-{i}.csv", f"Invoice,Date,Amount\nX-{i},2026-01-02,1.00\n".encode()
                    ),
                )

    return add


def _queries(client: Any, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200, name
    return len(captured)


def test_co_op_list_pages_stay_flat_as_rows_grow(
    client_for: Callable[[Any], Any], vendor_ops: Any, add_rows: Callable[[int], None]
) -> None:
    client = client_for(vendor_ops)
    add_rows(1)
    for name in BUDGETS:  # warm-up: sessions, content types and other per-process caches
        _queries(client, name)
    few = {name: _queries(client, name) for name in BUDGETS}
    add_rows(3)
    many = {name: _queries(client, name) for name in BUDGETS}
    # The pages really list the new rows (a flat count over empty pages would prove nothing).
    pages = {name: client.get(reverse(name)).content.decode() for name in BUDGETS}
    assert all(f"INV-{i}" in pages["coop-invoice-list"] for i in range(1, 5))
    assert all(f"MDF-{i}" in pages["coop-agreement-list"] for i in range(1, 5))
    assert all(f"Split {i}" in pages["coop-allocation-list"] for i in range(1, 5))
    assert all(f"invoices-{i}.csv" in pages["coop-import-list"] for i in range(1, 5))
    assert pages["coop-dispute-list"].count("data-dispute=") == 4
    assert many == few
    over = {name: count for name, count in many.items() if count > BUDGETS[name]}
    assert over == {}, f"pages over their query budget: {over}"
