"""Co-op REST API. Lists and details read through the scoped selectors; every write and workflow
step is an explicit action calling a service, so the API keeps the same rules as the pages
(maker-checker, roles, windows). Another brand's object is a 404; refusals are 400/403 JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from typing import TypeVar
from typing import cast

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coop.api import serializers as s
from coop.calculations import Tier
from coop.models import Accrual
from coop.models import Chargeback
from coop.models import CoopAgreement
from coop.models import CoopInvoice
from coop.models import Deduction
from coop.models import Dispute
from coop.models import FundAllocation
from coop.models import Remittance
from coop.selectors import agreements as agreement_selectors
from coop.selectors import allocations as allocation_selectors
from coop.selectors import disputes as dispute_selectors
from coop.selectors import invoices as invoice_selectors
from coop.selectors.ledger import coop_ledger
from coop.services import agreements as agreement_services
from coop.services import allocations as allocation_services
from coop.services import disputes as dispute_services
from coop.services import invoices as invoice_services
from core.periods import quarter_end
from core.periods import quarter_start
from planning.models import Brand
from planning.models import JBPPlan
from planning.models import VendorCode

_M = TypeVar("_M", bound=models.Model)


def _scoped(model: type[_M], request: Request, pk: int | None, field: str) -> _M | None:
    """A referenced object of the user's brands, or a 400 naming the field (never another brand's)."""
    if pk is None:
        return None
    found = model.objects.for_user(request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise serializers.ValidationError({field: [f"No {model._meta.verbose_name} {pk} among your brands."]})
    return cast(_M, found)


def _user(request: Request) -> Any:
    return request.user


def _data(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


# ---------------------------------------------------------------------------------------- agreements


@extend_schema(tags=["coop"])
class AgreementViewSet(_ReadViewSet):
    """Co-op agreements of the caller's brands. Filters: status, type, vendor_code_id, search."""

    serializer_class = s.AgreementSerializer
    queryset = CoopAgreement.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        vendor_code = params.get("vendor_code_id")
        return agreement_selectors.agreement_list(
            user=self.request.user,
            status=params.get("status", ""),
            agreement_type=params.get("type", ""),
            vendor_code_id=int(vendor_code) if vendor_code and vendor_code.isdigit() else None,
            search=params.get("search", ""),
        ).prefetch_related("tiers")

    def _get(self, pk: Any) -> CoopAgreement:
        return agreement_selectors.agreement_get(user=self.request.user, pk=int(pk))

    @extend_schema(request=s.AgreementInputSerializer, responses={201: s.AgreementSerializer})
    def create(self, request: Request) -> Response:
        data = _data(s.AgreementInputSerializer, request)
        vendor_code = _scoped(VendorCode, request, data.pop("vendor_code_id"), "vendor_code_id")
        terms = self._terms(request, data)
        tiers = [Tier(t["threshold"], t["rate"]) for t in data.pop("tiers", [])]
        agreement = agreement_services.agreement_create(
            vendor_code=cast(VendorCode, vendor_code), user=_user(request), tiers=tiers, **terms, **data
        )
        return Response(s.AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    def _terms(self, request: Request, data: dict[str, Any]) -> dict[str, Any]:
        terms: dict[str, Any] = {}
        if "supersedes_id" in data:
            terms["supersedes"] = _scoped(CoopAgreement, request, data.pop("supersedes_id"), "supersedes_id")
        if "jbp_id" in data:
            terms["jbp"] = _scoped(JBPPlan, request, data.pop("jbp_id"), "jbp_id")
        return terms

    @extend_schema(request=s.AgreementUpdateSerializer, responses=s.AgreementSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        agreement = self._get(pk)
        serializer = s.AgreementUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("vendor_code_id", None)
        terms = self._terms(request, data)
        tiers = [Tier(t["threshold"], t["rate"]) for t in data.pop("tiers")] if "tiers" in data else None
        updated = agreement_services.agreement_update(
            agreement=agreement, user=_user(request), tiers=tiers, **terms, **data
        )
        return Response(s.AgreementSerializer(updated).data)

    @extend_schema(request=None, responses=s.AgreementSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        agreement = agreement_services.agreement_accept(agreement=self._get(pk), user=_user(request))
        return Response(s.AgreementSerializer(agreement).data)

    @extend_schema(request=s.CommentInputSerializer, responses=s.AgreementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.CommentInputSerializer, request)
        agreement = agreement_services.agreement_reject(
            agreement=self._get(pk), user=_user(request), comment=data.get("comment", "")
        )
        return Response(s.AgreementSerializer(agreement).data)

    @extend_schema(request=None, responses=s.AccrualSerializer(many=True))
    @action(detail=True, methods=["post"])
    def recompute(self, request: Request, pk: Any = None) -> Response:
        agreement = self._get(pk)
        agreement_services.agreement_recompute(agreement=agreement, user=_user(request))
        accruals = agreement_selectors.accrual_list(user=request.user, agreement=agreement)
        return Response(s.AccrualSerializer(accruals, many=True).data)

    @extend_schema(responses=s.AccrualSerializer(many=True))
    @action(detail=True, methods=["get"])
    def accruals(self, request: Request, pk: Any = None) -> Response:
        accruals = agreement_selectors.accrual_list(user=request.user, agreement=self._get(pk))
        return Response(s.AccrualSerializer(accruals, many=True).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def growth(self, request: Request, pk: Any = None) -> Response:
        """The growth rebate tracker (growth incentives only): growth to date, run-rate projection,
        gap to the next tier in money and units, amount at stake. Ratios are fractions or null."""
        tracker = agreement_selectors.growth_tracker(user=request.user, agreement_id=int(pk))
        p = tracker.projection

        def tier(t: Tier | None) -> dict[str, str] | None:
            return {"threshold": str(t.threshold), "rate": str(t.rate)} if t else None

        return Response(
            {
                "agreement": tracker.agreement.pk,
                "currency": tracker.currency,
                "through": tracker.through,
                "elapsed_days": tracker.elapsed_days,
                "total_days": tracker.total_days,
                "actual_to_date": tracker.actual_to_date,
                "baseline_to_date": tracker.baseline_to_date,
                "baseline_full_period": tracker.baseline_full_period,
                "growth_to_date": p.growth_to_date,
                "projected_amount": p.projected_amount,
                "projected_growth": p.projected_growth,
                "current_tier": tier(p.current_tier),
                "next_tier": tier(p.next_tier),
                "amount_for_next_tier": p.amount_for_next_tier,
                "gap_to_next_tier": p.gap_to_next_tier,
                "gap_units": tracker.gap_units,
                "projected_rebate": p.projected_rebate,
                "rebate_at_next_tier": p.rebate_at_next_tier,
                "amount_at_stake": p.amount_at_stake,
            }
        )

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"], url_path="true-up")
    def true_up(self, request: Request, pk: Any = None) -> Response:
        rows = agreement_selectors.agreement_true_up(agreement=self._get(pk))
        return Response(
            {
                "total_credit_to_vendor": agreement_selectors.true_up_total(rows),
                "months": [
                    {
                        "period_start": r.period_start,
                        "provisional_expected": r.provisional_expected,
                        "negotiated_expected": r.negotiated_expected,
                        "credit_to_vendor": r.credit_to_vendor,
                        "currency": r.currency,
                    }
                    for r in rows
                ],
            }
        )

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def projection(self, request: Request, pk: Any = None) -> Response:
        projection = agreement_selectors.accrual_projection(agreement=self._get(pk))
        return Response(
            {
                "metric": projection.metric,
                "proxy": projection.proxy,
                "note": projection.note,
                "total": projection.total,
                "months": [
                    {
                        "period_start": r.period_start,
                        "target_basis": r.target_basis,
                        "projected_amount": r.projected_amount,
                    }
                    for r in projection.rows
                ],
            }
        )


@extend_schema(tags=["coop"])
class AccrualViewSet(_ReadViewSet):
    """Accruals of the caller's brands. Filters: agreement, needs_review (true/false), from, to (YYYY-MM-DD)."""

    serializer_class = s.AccrualSerializer
    queryset = Accrual.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = agreement_selectors.accrual_list(
            user=self.request.user,
            needs_review={"true": True, "false": False}.get(params.get("needs_review", "")),
            period_start=_date_param(params.get("from")),
            period_end=_date_param(params.get("to")),
        )
        agreement = params.get("agreement")
        return qs.filter(agreement_id=int(agreement)) if agreement and agreement.isdigit() else qs


def _date_param(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise serializers.ValidationError({"date": [f"Expected YYYY-MM-DD, got {value!r}."]}) from exc


# --------------------------------------------------------------------------------------- allocations


@extend_schema(tags=["coop"])
class AllocationViewSet(_ReadViewSet):
    """Fund allocations (co-op / marketing splits) and their finance approval (maker-checker)."""

    serializer_class = s.AllocationSerializer
    queryset = FundAllocation.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return allocation_selectors.allocation_list(
            user=self.request.user, status=params.get("status", ""), search=params.get("search", "")
        ).prefetch_related("lines", "approvals__approver")

    def _get(self, pk: Any) -> FundAllocation:
        return allocation_selectors.allocation_get(user=self.request.user, pk=int(pk))

    def _out(self, allocation: FundAllocation) -> Response:
        return Response(s.AllocationSerializer(self._get(allocation.pk)).data)

    @extend_schema(request=s.AllocationInputSerializer, responses={201: s.AllocationSerializer})
    def create(self, request: Request) -> Response:
        data = _data(s.AllocationInputSerializer, request)
        brand = cast(Brand, _scoped(Brand, request, data["brand_id"], "brand_id"))
        plan = _scoped(JBPPlan, request, data.get("plan_id"), "plan_id")
        allocation = allocation_services.allocation_create(
            brand=brand,
            user=_user(request),
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            currency=data["currency"],
            total_amount=data["total_amount"],
            lines=[allocation_services.LineInput(**line) for line in data.get("lines", [])],
            notes=data.get("notes", ""),
            plan=plan,
        )
        response = self._out(allocation)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=s.AllocationUpdateSerializer, responses=s.AllocationSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.AllocationUpdateSerializer, request)
        lines = data.pop("lines", None)
        allocation = allocation_services.allocation_update(
            allocation=self._get(pk),
            user=_user(request),
            lines=[allocation_services.LineInput(**line) for line in lines] if lines is not None else None,
            **data,
        )
        return self._out(allocation)

    @extend_schema(request=None, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._out(allocation_services.allocation_submit(allocation=self._get(pk), user=_user(request)))

    @extend_schema(request=s.CommentInputSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        comment = _data(s.CommentInputSerializer, request).get("comment", "")
        return self._out(
            allocation_services.allocation_approve(allocation=self._get(pk), user=_user(request), comment=comment)
        )

    @extend_schema(request=s.CommentInputSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        comment = _data(s.CommentInputSerializer, request).get("comment", "")
        return self._out(
            allocation_services.allocation_reject(allocation=self._get(pk), user=_user(request), comment=comment)
        )

    @extend_schema(request=s.CommentInputSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: Any = None) -> Response:
        reason = _data(s.CommentInputSerializer, request).get("comment", "")
        return self._out(
            allocation_services.allocation_amend(allocation=self._get(pk), user=_user(request), reason=reason)
        )

    @extend_schema(request=None, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._out(allocation_services.allocation_close(allocation=self._get(pk), user=_user(request)))

    @extend_schema(responses=s.AuditRecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response:
        records = allocation_selectors.allocation_history(allocation=self._get(pk))
        return Response(s.AuditRecordSerializer(records, many=True).data)

    @extend_schema(responses=s.AllocationSerializer(many=True))
    @action(detail=False, methods=["get"])
    def inbox(self, request: Request) -> Response:
        """Allocations waiting for the caller's finance decision."""
        waiting = allocation_selectors.approval_inbox(user=request.user).prefetch_related(
            "lines", "approvals__approver"
        )
        return Response(s.AllocationSerializer(waiting, many=True).data)


# ------------------------------------------------------------------------------ invoices and money


@extend_schema(tags=["coop"])
class InvoiceViewSet(_ReadViewSet):
    """Co-op invoices with their reconciliation. Filters: status, flagged (true), agreement, search."""

    serializer_class = s.InvoiceSerializer
    queryset = CoopInvoice.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        agreement = params.get("agreement")
        return invoice_selectors.invoice_list(
            user=self.request.user,
            status=params.get("status", ""),
            flagged_only=params.get("flagged") == "true",
            agreement_id=int(agreement) if agreement and agreement.isdigit() else None,
            search=params.get("search", ""),
        )

    def _get(self, pk: Any) -> CoopInvoice:
        return invoice_selectors.invoice_get(user=self.request.user, pk=int(pk))

    @extend_schema(request=s.InvoiceInputSerializer, responses={201: s.InvoiceSerializer, 200: s.InvoiceSerializer})
    def create(self, request: Request) -> Response:
        """Record (or refresh, by Amazon invoice id) an invoice and reconcile it."""
        data = _data(s.InvoiceInputSerializer, request)
        vendor_code = cast(VendorCode, _scoped(VendorCode, request, data.pop("vendor_code_id"), "vendor_code_id"))
        invoice, created = invoice_services.invoice_record(vendor_code=vendor_code, user=_user(request), **data)
        return Response(
            s.InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=None, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def reconcile(self, request: Request, pk: Any = None) -> Response:
        invoice = invoice_services.invoice_reconcile(invoice=self._get(pk), user=_user(request))
        return Response(s.InvoiceSerializer(invoice).data)

    @extend_schema(request=s.CommentInputSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="accept-variance")
    def accept_variance(self, request: Request, pk: Any = None) -> Response:
        comment = _data(s.CommentInputSerializer, request).get("comment", "")
        invoice = invoice_services.invoice_accept_variance(invoice=self._get(pk), user=_user(request), comment=comment)
        return Response(s.InvoiceSerializer(invoice).data)

    @extend_schema(request=None, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return Response(
            s.InvoiceSerializer(invoice_services.invoice_close(invoice=self._get(pk), user=_user(request))).data
        )

    @extend_schema(responses=s.AuditRecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response:
        records = invoice_selectors.invoice_history(invoice=self._get(pk))
        return Response(s.AuditRecordSerializer(records, many=True).data)


@extend_schema(tags=["coop"])
class RemittanceViewSet(_ReadViewSet):
    """Remittances and their deductions; POST records one (idempotent on the remittance id)."""

    serializer_class = s.RemittanceSerializer
    queryset = Remittance.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return invoice_selectors.remittance_list(user=self.request.user).prefetch_related("deductions")

    @extend_schema(request=s.RemittanceInputSerializer, responses={201: s.RemittanceSerializer})
    def create(self, request: Request) -> Response:
        data = _data(s.RemittanceInputSerializer, request)
        vendor_code = cast(VendorCode, _scoped(VendorCode, request, data.pop("vendor_code_id"), "vendor_code_id"))
        deductions = [invoice_services.DeductionInput(**d) for d in data.pop("deductions")]
        remittance = invoice_services.remittance_record(
            vendor_code=vendor_code, user=_user(request), deductions=deductions, **data
        )
        return Response(s.RemittanceSerializer(remittance).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["coop"])
class ChargebackViewSet(_ReadViewSet):
    serializer_class = s.ChargebackSerializer
    queryset = Chargeback.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return invoice_selectors.chargeback_list(user=self.request.user)

    @extend_schema(request=s.ChargebackInputSerializer, responses={201: s.ChargebackSerializer})
    def create(self, request: Request) -> Response:
        data = _data(s.ChargebackInputSerializer, request)
        vendor_code = cast(VendorCode, _scoped(VendorCode, request, data.pop("vendor_code_id"), "vendor_code_id"))
        chargeback, created = invoice_services.chargeback_record(vendor_code=vendor_code, user=_user(request), **data)
        return Response(
            s.ChargebackSerializer(chargeback).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# ------------------------------------------------------------------------------------------ disputes


@extend_schema(tags=["coop"])
class DisputeViewSet(_ReadViewSet):
    """Disputes and their §5.5 workflow. Filters: status, type."""

    serializer_class = s.DisputeSerializer
    queryset = Dispute.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return dispute_selectors.dispute_list(
            user=self.request.user, status=params.get("status", ""), dispute_type=params.get("type", "")
        ).prefetch_related("evidence")

    def _get(self, pk: Any) -> Dispute:
        return dispute_selectors.dispute_get(user=self.request.user, pk=int(pk))

    def _out(self, dispute: Dispute) -> Response:
        return Response(s.DisputeSerializer(self._get(dispute.pk)).data)

    @extend_schema(request=s.DisputeOpenSerializer, responses={201: s.DisputeSerializer})
    def create(self, request: Request) -> Response:
        data = _data(s.DisputeOpenSerializer, request)
        dispute = dispute_services.dispute_open(
            user=_user(request),
            amount_claimed=data["amount_claimed"],
            invoice=_scoped(CoopInvoice, request, data.get("invoice_id"), "invoice_id"),
            chargeback=_scoped(Chargeback, request, data.get("chargeback_id"), "chargeback_id"),
            deduction=_scoped(Deduction, request, data.get("deduction_id"), "deduction_id"),
            reason=data.get("reason", ""),
        )
        response = self._out(dispute)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        responses=s.DisputeSerializer(many=True),
        parameters=[OpenApiParameter("today", str, description="YYYY-MM-DD, defaults to today")],
    )
    @action(detail=False, methods=["get"])
    def deadlines(self, request: Request) -> Response:
        """Disputes whose deadline still matters, most urgent first."""
        today = _date_param(request.query_params.get("today")) or timezone.localdate()
        rows = dispute_selectors.dispute_deadline_list(user=request.user, today=today)
        return Response([{**s.DisputeSerializer(d).data, "days_left": days} for d, days in rows])

    @extend_schema(request=s.DisputeFileSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.DisputeFileSerializer, request)
        return self._out(
            dispute_services.dispute_submit(
                dispute=self._get(pk), user=_user(request), amazon_dispute_id=data.get("amazon_dispute_id", "")
            )
        )

    @extend_schema(request=s.DisputeFileSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def pending(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.DisputeFileSerializer, request)
        return self._out(
            dispute_services.dispute_mark_pending(
                dispute=self._get(pk), user=_user(request), amazon_dispute_id=data.get("amazon_dispute_id", "")
            )
        )

    @extend_schema(request=s.DisputeDecisionSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.DisputeDecisionSerializer, request)
        return self._out(
            dispute_services.dispute_record_decision(
                dispute=self._get(pk),
                user=_user(request),
                decision=data["decision"],
                amount_approved=data.get("amount_approved"),
                note=data.get("note", ""),
            )
        )

    @extend_schema(request=s.DisputeNoteSerializer, responses={201: s.DisputeSerializer})
    @action(detail=True, methods=["post"])
    def redispute(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.DisputeNoteSerializer, request)
        child = dispute_services.dispute_redispute(
            dispute=self._get(pk),
            user=_user(request),
            amount_claimed=data.get("amount_claimed"),
            reason=data.get("note", ""),
        )
        response = self._out(child)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=s.DisputeNoteSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.DisputeNoteSerializer, request).get("note", "")
        return self._out(dispute_services.dispute_cancel(dispute=self._get(pk), user=_user(request), reason=note))

    @extend_schema(request=s.CancelOutcomeSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-outcome")
    def cancel_outcome(self, request: Request, pk: Any = None) -> Response:
        data = _data(s.CancelOutcomeSerializer, request)
        return self._out(
            dispute_services.dispute_cancel_outcome(
                dispute=self._get(pk), user=_user(request), accepted=data["accepted"], note=data.get("note", "")
            )
        )

    @extend_schema(request=s.DisputeNoteSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.DisputeNoteSerializer, request).get("note", "")
        return self._out(dispute_services.dispute_escalate(dispute=self._get(pk), user=_user(request), note=note))

    @extend_schema(request=s.DisputeNoteSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        note = _data(s.DisputeNoteSerializer, request).get("note", "")
        return self._out(dispute_services.dispute_close(dispute=self._get(pk), user=_user(request), note=note))


@extend_schema(
    tags=["coop"],
    parameters=[
        OpenApiParameter("brand", int, required=True),
        OpenApiParameter("start", str, description="YYYY-MM-DD, default: this quarter"),
        OpenApiParameter("end", str, description="YYYY-MM-DD"),
    ],
    responses=dict,
)
class LedgerApi(APIView):
    """Budget -> committed -> accrued -> invoiced -> deducted and the ad spend split, per currency."""

    def get(self, request: Request) -> Response:
        brand_id = request.query_params.get("brand", "")
        if not brand_id.isdigit():
            raise serializers.ValidationError({"brand": ["Give the brand id."]})
        brand = get_object_or_404(Brand.objects.for_user(request.user), pk=int(brand_id))
        today = timezone.localdate()
        start = _date_param(request.query_params.get("start")) or quarter_start(today)
        end = _date_param(request.query_params.get("end")) or quarter_end(today)
        rows = coop_ledger(user=request.user, brand=brand, period_start=start, period_end=end)
        return Response(
            {
                "brand": brand.pk,
                "start": start,
                "end": end,
                "rows": [
                    {
                        "currency": r.currency,
                        "budget": r.budget,
                        "committed": r.committed,
                        "accrued": r.accrued,
                        "invoiced": r.invoiced,
                        "deducted": r.deducted,
                        "ad_spend": r.ad_spend,
                        "ads_budget_brand_share": r.ads_budget_brand_share,
                        "ad_spend_brand": r.ad_spend_brand,
                        "ad_spend_amazon": r.ad_spend_amazon,
                        "notes": r.notes,
                    }
                    for r in rows
                ],
            }
        )
