"""factory_boy factories and fact helpers for co-op tests (build on tests/factories.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from coop.models import Accrual
from coop.models import AgreementTier
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from core.periods import month_end
from ingest.models import PurchaseOrderLineFact
from ingest.models import RetailInventoryFact
from ingest.models import RetailSalesFact
from planning.models import VendorCode
from tests.factories import VendorCodeFactory


class CoopAgreementFactory(DjangoModelFactory[CoopAgreement]):
    """An accepted 8 % MDF on net receipts for 2026."""

    class Meta:
        model = CoopAgreement

    amazon_agreement_id = factory.Sequence(lambda n: f"AGR-{n:05d}")
    vendor_code = factory.SubFactory(VendorCodeFactory)
    title = "Base accrual 2026"
    agreement_type = CoopAgreement.Type.BASE_ACCRUAL_MDF
    calc_basis = CoopAgreement.CalcBasis.NET_RECEIPTS
    rate_pct = Decimal("0.08")
    currency = "USD"
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)
    status = CoopAgreement.Status.ACCEPTED


class AgreementTierFactory(DjangoModelFactory[AgreementTier]):
    class Meta:
        model = AgreementTier

    agreement = factory.SubFactory(CoopAgreementFactory)
    threshold_growth_pct = Decimal("0.05")
    rate_pct = Decimal("0.01")


class CoopInvoiceFactory(DjangoModelFactory[CoopInvoice]):
    class Meta:
        model = CoopInvoice

    vendor_code = factory.SubFactory(VendorCodeFactory)
    amazon_invoice_id = factory.Sequence(lambda n: f"INV-{n:06d}")
    invoice_date = date(2026, 2, 10)
    service_period_start = date(2026, 1, 1)
    service_period_end = date(2026, 1, 31)
    amount = Decimal("19200.00")
    currency = "USD"


class ChargebackFactory(DjangoModelFactory[Chargeback]):
    class Meta:
        model = Chargeback

    vendor_code = factory.SubFactory(VendorCodeFactory)
    amazon_id = factory.Sequence(lambda n: f"CB-{n:06d}")
    chargeback_type = Chargeback.Type.ASN_ON_TIME
    notified_at = date(2026, 3, 2)
    amount = Decimal("250.00")
    currency = "USD"


def inventory_fact(
    vendor_code: VendorCode,
    start: date,
    end: date | None = None,
    *,
    net_received: Decimal | str | None,
    grain: str = "MONTH",
    asin: str = "",
    view: str = "SOURCING",
    program: str = "RETAIL",
    on_hand_units: int | None = None,
    currency: str = "USD",
) -> RetailInventoryFact:
    """One Retail Analytics inventory row (net received inventory cost) for the vendor code."""
    return RetailInventoryFact.objects.create(
        brand=vendor_code.brand,
        marketplace=vendor_code.marketplace,
        vendor_code=vendor_code,
        distributor_view=view,
        selling_program=program,
        period_grain=grain,
        period_start=start,
        period_end=end or month_end(start),
        asin=asin,
        currency=currency,
        net_received_inventory_cost=None if net_received is None else Decimal(net_received),
        sellable_on_hand_inventory_units=on_hand_units,
    )


def sales_fact(
    vendor_code: VendorCode,
    start: date,
    end: date | None = None,
    *,
    shipped_cogs: Decimal | str | None = None,
    shipped_units: int | None = None,
    ordered_revenue: Decimal | str | None = None,
    grain: str = "MONTH",
    asin: str = "",
    view: str = "SOURCING",
    program: str = "RETAIL",
    currency: str = "USD",
) -> RetailSalesFact:
    return RetailSalesFact.objects.create(
        brand=vendor_code.brand,
        marketplace=vendor_code.marketplace,
        vendor_code=vendor_code,
        distributor_view=view,
        selling_program=program,
        period_grain=grain,
        period_start=start,
        period_end=end or month_end(start),
        asin=asin,
        currency=currency,
        shipped_cogs=None if shipped_cogs is None else Decimal(shipped_cogs),
        shipped_units=shipped_units,
        ordered_revenue=None if ordered_revenue is None else Decimal(ordered_revenue),
    )


def po_line(
    vendor_code: VendorCode, po_number: str, *, po_date: date, accepted_units: int, net_cost: str, seq: str = "1"
) -> PurchaseOrderLineFact:
    from datetime import UTC
    from datetime import datetime

    return PurchaseOrderLineFact.objects.create(
        brand=vendor_code.brand,
        vendor_code=vendor_code,
        po_number=po_number,
        item_sequence=seq,
        po_date=datetime(po_date.year, po_date.month, po_date.day, 12, tzinfo=UTC),
        accepted_units=accepted_units,
        net_cost=Decimal(net_cost),
        currency="USD",
    )


def recompute(agreement: CoopAgreement, month: date) -> Accrual:
    """accrual_recompute for a month the test expects to accrue."""
    from coop.services.accruals import accrual_recompute

    accrual = accrual_recompute(agreement=agreement, month=month)
    assert accrual is not None, f"no accrual for {agreement} in {month:%Y-%m}"
    return accrual
