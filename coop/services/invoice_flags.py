"""What an invoice audit check reports (a flag with its code and a plain-words message), shared by the
checks of coop.services.invoices and coop.services.backup_checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Half a basis point: backup reports and invoices print rates to 2 decimals of a percent (8.33 % of an
# agreed 1/12 is the same rate).
RATE_TOLERANCE = Decimal("0.00005")


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    blocking: bool = True  # False = information, does not flag the invoice

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "blocking": self.blocking}
