"""The co-op ledger of one brand and period: budget -> committed -> accrued -> invoiced -> deducted,
with the actual ad spend from the ads facts split into the brand's and Amazon's shares.

One row per currency: amounts of different currencies are never added. Definitions:
- budget: totals of approved (or closed) fund allocations whose period overlaps the window;
- committed: JBP investments of the brand's agreed, active or closed plans overlapping the window;
- accrued: Σ accruals of the brand's agreements for months inside the window (credits negative);
- invoiced: Σ co-op invoices whose service period (or invoice date) falls in the window;
- deducted: Σ deductions on remittances paid in the window.
Overlapping allocations and investments count in full, not prorated: they are budgets, not spend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F
from django.db.models import Q
from django.db.models import Sum

from coop.calculations import HUNDRED
from coop.models import Accrual
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import FundAllocation
from coop.models import FundAllocationLine
from core.money import round2
from core.money import safe_ratio
from ingest.models import AdsDailyFact
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.models import Brand

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

ZERO = Decimal("0")
# Only plans agreed with Amazon commit money; drafts and superseded versions do not.
COMMITTED_PLAN_STATUSES = (JBPPlan.Status.AGREED, JBPPlan.Status.ACTIVE, JBPPlan.Status.CLOSED)


@dataclass
class LedgerRow:
    currency: str
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    accrued: Decimal = ZERO
    invoiced: Decimal = ZERO
    deducted: Decimal = ZERO
    ad_spend: Decimal = ZERO
    ads_budget_brand_share: Decimal | None = None  # weighted brand share of approved ADS lines (fraction)
    ad_spend_brand: Decimal | None = None
    ad_spend_amazon: Decimal | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def invoiced_vs_accrued(self) -> Decimal:
        return self.invoiced - self.accrued

    @property
    def budget_remaining(self) -> Decimal:
        return self.budget - self.invoiced


def _ad_spend(brand_id: int, start: date, end: date) -> dict[str, Decimal]:
    """Ad cost per currency. Per ad product one report type is used (the campaign-level one when
    imported), because the reports of different types restate the same spend (ingest.parsers.ads_reports)."""
    rows = (
        AdsDailyFact.objects.for_brand(brand_id)
        .filter(date__gte=start, date__lte=end, cost__isnull=False)
        .values("ad_product", "report_type", "currency")
        .annotate(cost=Sum("cost"))
    )
    by_product: dict[str, dict[str, list[tuple[str, Decimal]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_product[row["ad_product"]][row["report_type"]].append((row["currency"] or "", row["cost"]))
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for report_types in by_product.values():
        campaign_level = sorted(t for t in report_types if t.endswith("Campaigns"))
        chosen = campaign_level[0] if campaign_level else sorted(report_types)[0]
        for currency, cost in report_types[chosen]:
            spend[currency] += cost
    return spend


def coop_ledger(*, user: AnyUser, brand: Brand, period_start: date, period_end: date) -> list[LedgerRow]:
    """The ledger rows of one of the user's brands (PermissionError-free: a brand the user cannot see
    gives no rows)."""
    if not Brand.objects.for_user(user).filter(pk=brand.pk).exists():
        return []
    rows: dict[str, LedgerRow] = {}

    def row(currency: str) -> LedgerRow:
        return rows.setdefault(currency, LedgerRow(currency=currency))

    approved = FundAllocation.objects.filter(
        brand=brand,
        status__in=[
            FundAllocation.Status.APPROVED,
            FundAllocation.Status.CLOSED,
            FundAllocation.Status.AMENDMENT_DRAFT,
        ],
        period_start__lte=period_end,
        period_end__gte=period_start,
    )
    for item in approved.values("currency").annotate(total=Sum("total_amount")):
        row(item["currency"]).budget += item["total"]
    ads_lines = FundAllocationLine.objects.filter(allocation__in=approved, bucket=FundAllocationLine.Bucket.ADS)
    ads_share = {
        item["allocation__currency"]: safe_ratio(item["weighted_total"], item["line_total"] * HUNDRED)
        for item in ads_lines.values("allocation__currency").annotate(
            line_total=Sum("amount"), weighted_total=Sum(F("amount") * F("brand_share_pct"))
        )
    }

    investments = JBPInvestment.objects.filter(
        plan__brand=brand,
        plan__status__in=COMMITTED_PLAN_STATUSES,
        period_start__lte=period_end,
        period_end__gte=period_start,
    )
    for item in investments.values("currency").annotate(total=Sum("committed_amount")):
        row(item["currency"]).committed += item["total"]

    accruals = Accrual.objects.filter(
        agreement__vendor_code__brand=brand, period_start__gte=period_start, period_start__lte=period_end
    )
    for item in accruals.values("currency").annotate(total=Sum("expected_amount")):
        row(item["currency"]).accrued += item["total"]

    invoices = CoopInvoice.objects.filter(vendor_code__brand=brand).filter(
        Q(service_period_start__gte=period_start, service_period_start__lte=period_end)
        | Q(service_period_start__isnull=True, invoice_date__gte=period_start, invoice_date__lte=period_end)
    )
    for item in invoices.values("currency").annotate(total=Sum("amount")):
        row(item["currency"]).invoiced += item["total"]

    deductions = Deduction.objects.filter(
        remittance__vendor_code__brand=brand,
        remittance__payment_date__gte=period_start,
        remittance__payment_date__lte=period_end,
    )
    for deducted in deductions.values("remittance__currency").annotate(total=Sum("amount")):
        row(deducted["remittance__currency"]).deducted += deducted["total"]

    for currency, spend in _ad_spend(brand.pk, period_start, period_end).items():
        ledger = row(currency or brand.default_currency)
        ledger.ad_spend += round2(spend)
    for ledger in rows.values():
        share = ads_share.get(ledger.currency)
        ledger.ads_budget_brand_share = share
        if ledger.ad_spend and share is not None:
            ledger.ad_spend_brand = round2(ledger.ad_spend * share)
            ledger.ad_spend_amazon = ledger.ad_spend - ledger.ad_spend_brand
        elif ledger.ad_spend:
            ledger.notes.append("No approved ADS line in this period, so the spend cannot be split.")
    return sorted(rows.values(), key=lambda r: r.currency)
