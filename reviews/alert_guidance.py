"""First response per rule: what to check first and whom to contact (DOMAIN.md §6, mapped to Vendor
Central's areas from the source article [S31]).

Every alert starts with Vendor Central's own alerts and inbox: Amazon often already says what is wrong.
Then each family has its channel: fulfilment problems go to a Vendor Central support case for the
fulfilment/receiving team; payment disagreements to Dispute Management (an accounts-receivable case once
past the dispute window); ad data failures to the AWS IAM and SQS policies of the Marketing Stream
subscription, then the Ads API credentials; stock-out risk to a meeting with the buyer within 24 hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviews.alert_rules import RuleCode

VC_INBOX = (
    "Vendor Central: the Alerts panel on the home page and Support → Inbox (Amazon may already say what is wrong)."
)


@dataclass(frozen=True)
class Guidance:
    check_first: tuple[str, ...]
    contact: str
    channel: str
    next_steps: tuple[str, ...] = ()


_FULFILMENT_CASE = (
    "Vendor Central: Support → Contact us → Fulfilment (inbound / receiving), with the shipment id, PO numbers "
    "and your carrier's timestamps."
)
_DISPUTE = (
    "Vendor Central: Payments → Dispute Management (co-op: Payments → Co-op → the invoice); past the dispute "
    "window, an accounts-receivable case under Support → Contact us → Payments."
)

_GUIDANCE: dict[str, Guidance] = {
    RuleCode.OOS_RISK: Guidance(
        check_first=(
            VC_INBOX,
            "Open purchase orders for the ASIN (Orders → Purchase orders): are they confirmed in full and shipped?",
            "Your own stock and production: how many units can ship this week?",
        ),
        contact="The buyer (vendor manager): hold a meeting within 24 hours.",
        channel="Meeting or Vendor Central: Support → Contact us → your vendor manager.",
        next_steps=(
            "Agree on replenishment quantities and dates with the buyer; confirm the open POs.",
            "Pause or lower advertising on the ASIN until stock is back: ads should not send shoppers to an "
            "out-of-stock page.",
            "Acknowledge this alert once the meeting is booked; unacknowledged, it escalates to the brand managers.",
        ),
    ),
    RuleCode.SELL_THROUGH_BELOW_BENCHMARK: Guidance(
        check_first=(
            VC_INBOX,
            "Price, deal and Buy Box on the detail page: is the ASIN priced above the category or suppressed?",
            "Content and reviews of the ASIN; aged and unhealthy inventory in Retail Analytics → Inventory.",
        ),
        contact="The buyer (vendor manager), with a proposal: promotion, price change or lower replenishment.",
        channel="MBR agenda, or Vendor Central: Support → Contact us → your vendor manager.",
        next_steps=("Plan a promotion or advertising push; review the order forecast to avoid aged inventory.",),
    ),
    RuleCode.ASN_LATE: Guidance(
        check_first=(
            VC_INBOX,
            "Your EDI 856 / ASN submission log and the carrier's pickup time for the shipment.",
            "Chargebacks (Payments → Chargebacks) for ASN on-time defects on these shipments.",
        ),
        contact="The fulfilment (receiving) team at Amazon, and your logistics provider.",
        channel=_FULFILMENT_CASE,
        next_steps=(
            "Send ASNs within 30 minutes of the truck leaving; dispute a chargeback within 30 days if the ASN "
            "was on time.",
        ),
    ),
    RuleCode.ASN_INACCURATE: Guidance(
        check_first=(
            VC_INBOX,
            "The ASN against the packing list and the receipt: units, cartons, ARN/PRO/BOL and expiry dates.",
            "Whether the receipt is still in progress (received units can lag the delivery).",
        ),
        contact="The fulfilment (receiving) team at Amazon.",
        channel=_FULFILMENT_CASE,
        next_steps=("Open a shortage dispute if Amazon received fewer units than shipped (after its 35-day hold).",),
    ),
    RuleCode.PO_ON_TIME_LOW: Guidance(
        check_first=(
            VC_INBOX,
            "Late POs of the trailing weeks: ship windows (collect) or delivery windows (prepaid) against the "
            "actual dates.",
            "Carrier booking lead times for collect freight (Amazon's routing requests).",
        ),
        contact="The fulfilment team at Amazon, and your logistics provider; chargebacks apply below 90 %.",
        channel=_FULFILMENT_CASE,
        next_steps=("Dispute PO on-time chargebacks caused by Amazon-side delays within 30 days of notification.",),
    ),
    RuleCode.STREAM_GAP: Guidance(
        check_first=(
            "The AWS IAM role and the SQS queue policy of the Marketing Stream subscription (they must allow Amazon's "
            "SNS topic to deliver).",
            "Then the Ads API credentials: refresh tokens are tied to the email that created the subscription.",
            "A subscription pending confirmation: confirm the SNS subscription within 2 days, or it fails.",
        ),
        contact="Your AWS administrator, then whoever owns the Amazon Ads API app.",
        channel="AWS console (IAM, SQS), then the Amazon Ads API console; the subscription list under Imports.",
        next_steps=("Once messages arrive again, re-pull the daily ads reports for the gap.",),
    ),
    RuleCode.REPORT_STALE: Guidance(
        check_first=(
            "The import list: did the last import fail, and with which message?",
            "The SP-API report request (or the Vendor Central download) for the missing period.",
            "For ads reports: the Ads API credentials and the report schedule.",
        ),
        contact="Whoever runs your report pulls (data team); Amazon only when the report itself is missing.",
        channel="Imports in Coopdesk; Vendor Central: Reports → Retail Analytics; Amazon Ads console → Reports.",
    ),
    RuleCode.COOP_VARIANCE: Guidance(
        check_first=(
            VC_INBOX,
            "The invoice's backup report against the agreement (rate, basis, dates) and your received data.",
        ),
        contact="Amazon accounts receivable (co-op): open a dispute with the backup report and your numbers.",
        channel=_DISPUTE,
        next_steps=("Open a dispute from the invoice page, or accept the variance there with a reason (finance).",),
    ),
    RuleCode.DISPUTE_DEADLINE: Guidance(
        check_first=(
            "The dispute's evidence: is everything attached to file it today?",
            "The deadline: past it, a dispute becomes an accounts-receivable case.",
        ),
        contact="Amazon accounts receivable: file the dispute now.",
        channel=_DISPUTE,
        next_steps=("Mark the dispute as filed in Coopdesk once submitted, with Amazon's dispute id.",),
    ),
    RuleCode.PROMO_LEAD_TIME: Guidance(
        check_first=(
            VC_INBOX,
            "The promotion's dates against its type's lead time (Lightning Deal 4 weeks, Price Discount 24 h) and the "
            "event's submission deadline.",
        ),
        contact="Your vendor manager for event deals; otherwise move the start date or change the promotion type.",
        channel="Vendor Central: Advertising → Promotions (or Deals); Support → Contact us → your vendor manager.",
    ),
    RuleCode.ACOS_ABOVE_TARGET: Guidance(
        check_first=(
            "The search term report of the week: spend on terms without sales, and bids above the target CPC.",
            "Availability and price of the advertised ASINs in that week (out of stock or suppressed Buy Box).",
        ),
        contact="Whoever manages the campaigns (ads team or agency).",
        channel="Amazon Ads console → Campaign manager and Reports.",
        next_steps=("Add negative keywords, lower bids, or move budget to campaigns under the target.",),
    ),
    RuleCode.JBP_ATTAINMENT_LOW: Guidance(
        check_first=(
            "The target's levers: availability (PPOOS, confirmation), traffic (glance views) and advertising.",
            "Whether the plan's phasing still matches the season.",
        ),
        contact="The buyer (vendor manager): put it on the MBR agenda with a recovery plan.",
        channel="MBR agenda; Vendor Central: Support → Contact us → your vendor manager.",
    ),
    RuleCode.CONTENT_STALE: Guidance(
        check_first=(
            "A+ content and video status of the ASIN in Vendor Central (Merchandising → A+ content manager).",
        ),
        contact="Your content team or agency.",
        channel="Vendor Central: Merchandising → A+ content manager; Catalog → Upload images and video.",
    ),
}


def guidance_for(code: str, evidence: Mapping[str, Any] | None = None) -> Guidance:
    """The first response for a rule. A stream alert that is only pending confirmation gets that step first."""
    guidance = _GUIDANCE[code]
    if code == RuleCode.STREAM_GAP and (evidence or {}).get("reason") == "PENDING":
        steps = guidance.check_first
        return Guidance((steps[2], steps[0], steps[1]), guidance.contact, guidance.channel, guidance.next_steps)
    return guidance


def all_guidance() -> dict[str, Guidance]:
    return dict(_GUIDANCE)
