"""Models of the reviews app: metric rollups, FX rates, the recompute queue and business reviews.

Explicit re-exports (no star imports) so `from reviews.models import Rollup` works whichever module
a model lives in.
"""

from __future__ import annotations

from reviews.models.business import ActionItem
from reviews.models.business import BusinessReview
from reviews.models.business import BusinessReviewTransition
from reviews.models.rollups import AdsRollup
from reviews.models.rollups import Dimension
from reviews.models.rollups import FxRate
from reviews.models.rollups import Grain
from reviews.models.rollups import Rollup
from reviews.models.rollups import RollupPending
from reviews.models.rollups import RollupSchedule

__all__ = [
    "ActionItem",
    "AdsRollup",
    "BusinessReview",
    "BusinessReviewTransition",
    "Dimension",
    "FxRate",
    "Grain",
    "Rollup",
    "RollupPending",
    "RollupSchedule",
]

# Alerts live in their own module; importing it registers them with the reviews app (alerts helper).
import reviews.alert_models  # noqa: F401
