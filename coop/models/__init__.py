"""Co-op models, one module per sub-domain; import them from here."""

from __future__ import annotations

from coop.models.agreements import Accrual
from coop.models.agreements import AgreementTier
from coop.models.agreements import CoopAgreement
from coop.models.allocations import FundAllocation
from coop.models.allocations import FundAllocationApproval
from coop.models.allocations import FundAllocationLine
from coop.models.audit import AuditRecord
from coop.models.audit import ImmutableRecordError
from coop.models.backup import AgreementWaiver
from coop.models.backup import CoopBackupLine
from coop.models.disputes import Dispute
from coop.models.disputes import DisputeEvidence
from coop.models.imports import ColumnMapping
from coop.models.imports import CoopFileUpload
from coop.models.invoices import Chargeback
from coop.models.invoices import CoopInvoice
from coop.models.invoices import Deduction
from coop.models.invoices import Remittance

__all__ = [
    "Accrual",
    "AgreementTier",
    "AgreementWaiver",
    "AuditRecord",
    "Chargeback",
    "ColumnMapping",
    "CoopAgreement",
    "CoopBackupLine",
    "CoopFileUpload",
    "CoopInvoice",
    "Deduction",
    "Dispute",
    "DisputeEvidence",
    "FundAllocation",
    "FundAllocationApproval",
    "FundAllocationLine",
    "ImmutableRecordError",
    "Remittance",
]

# Promotions live in their own module; importing it registers them with the coop app (promo helper).
import coop.promotion_models  # noqa: F401
