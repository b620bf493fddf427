"""Models of the ingest app: import runs, the fact tables they fill, and the Marketing Stream side.

Explicit re-exports (no star imports) so `from ingest.models import RetailSalesFact` keeps working
whichever module a model lives in.
"""

from __future__ import annotations

from ingest.models.facts import FACT_MODELS
from ingest.models.facts import AdsDailyFact
from ingest.models.facts import AmsHourlyFact
from ingest.models.facts import CouponResultFact
from ingest.models.facts import FactModel
from ingest.models.facts import PromotionResultFact
from ingest.models.facts import PurchaseOrderLineFact
from ingest.models.facts import RealtimeInventoryFact
from ingest.models.facts import RealtimeSalesFact
from ingest.models.facts import RealtimeTrafficFact
from ingest.models.facts import RetailForecastFact
from ingest.models.facts import RetailInventoryFact
from ingest.models.facts import RetailNetPpmFact
from ingest.models.facts import RetailSalesFact
from ingest.models.facts import RetailTrafficFact
from ingest.models.facts import ShipmentLineFact
from ingest.models.imports import ReportImport
from ingest.models.stream import AdsBudgetUsage
from ingest.models.stream import AdsProfile
from ingest.models.stream import StreamDatasetState
from ingest.models.stream import StreamDelivery
from ingest.models.stream import StreamSubscription

__all__ = [
    "FACT_MODELS",
    "AdsBudgetUsage",
    "AdsDailyFact",
    "AdsProfile",
    "AmsHourlyFact",
    "CouponResultFact",
    "FactModel",
    "PromotionResultFact",
    "PurchaseOrderLineFact",
    "RealtimeInventoryFact",
    "RealtimeSalesFact",
    "RealtimeTrafficFact",
    "ReportImport",
    "RetailForecastFact",
    "RetailInventoryFact",
    "RetailNetPpmFact",
    "RetailSalesFact",
    "RetailTrafficFact",
    "ShipmentLineFact",
    "StreamDatasetState",
    "StreamDelivery",
    "StreamSubscription",
]
