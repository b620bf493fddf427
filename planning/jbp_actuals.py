"""Where JBP attainment gets its actuals from, without planning importing the apps above it.

planning sits below ingest and reviews (ARCHITECTURE.md), yet the plan page must compare targets with
what Amazon reports. So the higher app registers a provider here from its AppConfig.ready() (reviews
will serve its monthly rollups; until then ingest's retail facts can), and planning asks through
`fetch_actuals`. With no provider registered, or for a metric the provider does not know, the answer
is None and the page says "no actuals yet" rather than showing zeros.

A provider is a callable taking an ActualsRequest and returning ActualsResponse or None. It must:
- return each metric the way DOMAIN.md §4 defines it, for the whole requested period (ratio metrics
  as the ratio of the period's sums, never a mean of daily ratios);
- return money in the plan's currency (ActualsRequest.currency) and never mix currencies;
- map ASINs to categories through planning's Product.category when dimension_type is CATEGORY;
- leave a (dimension value, period) out of `values` when there is no data, rather than report 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planning.jbp_models import JBPPlan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActualsRequest:
    brand_id: int
    marketplace_id: str  # Amazon's marketplace id, e.g. ATVPDKIKX0DER
    vendor_codes: tuple[str, ...]  # the plan's vendor codes (all of the brand's in the marketplace if empty)
    currency: str
    metric: str  # a planning.jbp_models.Metric value
    dimension_type: str  # TOTAL | CATEGORY | ASIN | VENDOR_CODE
    dimension_values: tuple[str, ...]  # ('',) for TOTAL
    periods: tuple[tuple[date, date], ...]  # inclusive windows, e.g. the plan's months


@dataclass(frozen=True)
class ActualsResponse:
    # (dimension value, period start, period end) -> actual for that whole window up to `as_of`.
    values: dict[tuple[str, date, date], Decimal]
    as_of: date | None  # the last day the data covers; attainment paces up to it
    source: str  # shown on the page, e.g. "Retail Analytics sales (MANUFACTURING)"
    # Amazon's own forecast for the same keys when one was imported (units or money per metric).
    forecast: dict[tuple[str, date, date], Decimal] = field(default_factory=dict)


ActualsProvider = Callable[[ActualsRequest], "ActualsResponse | None"]
_provider: ActualsProvider | None = None


def register_actuals_provider(provider: ActualsProvider | None) -> None:
    """Install (or replace, so ready() running twice is harmless) the provider; None removes it."""
    global _provider
    _provider = provider


def actuals_provider() -> ActualsProvider | None:
    return _provider


def fetch_actuals(request: ActualsRequest) -> ActualsResponse | None:
    """The registered provider's answer, or None when there is no provider or it failed.

    A broken provider must not take the plan page down with it: the error is logged and the page
    shows the targets without actuals.
    """
    if _provider is None:
        return None
    try:
        return _provider(request)
    except Exception:  # any provider bug degrades to "no actuals", never a 500 on the plan page
        logger.exception("JBP actuals provider failed for %s", request)
        return None


def actuals_request_for(
    plan: JBPPlan,
    metric: str,
    dimension_type: str,
    values: tuple[str, ...],
    periods: tuple[tuple[date, date], ...],
) -> ActualsRequest:
    """The request for one metric and dimension of `plan` (its brand, marketplace, vendor codes, currency)."""
    return ActualsRequest(
        brand_id=plan.brand_id,
        marketplace_id=plan.marketplace.amazon_marketplace_id,
        vendor_codes=tuple(sorted(vc.code for vc in plan.vendor_codes.all())),
        currency=plan.currency,
        metric=metric,
        dimension_type=dimension_type,
        dimension_values=values,
        periods=periods,
    )
