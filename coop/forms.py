"""Co-op page forms: they check shape and types; business rules stay in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator

from coop.models import Dispute
from coop.models import FundAllocationLine
from coop.services.allocations import LineInput
from planning.models import Brand
from planning.models import JBPPlan

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
_SMALL = {"class": "form-control form-control-sm"}


class AllocationForm(forms.Form):
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.none(), widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs=_SMALL))
    plan = forms.ModelChoiceField(
        queryset=JBPPlan.objects.none(),
        required=False,
        label="JBP plan",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    period_start = forms.DateField(widget=_DATE)
    period_end = forms.DateField(widget=_DATE)
    currency = forms.CharField(max_length=3, min_length=3, widget=forms.TextInput(attrs=_SMALL))
    total_amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={**_SMALL, "step": "0.01"}),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={**_SMALL, "rows": 2}))

    def __init__(self, *args: Any, brands: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()


class AllocationLineForm(forms.Form):
    # A blank first choice: an untouched extra row must submit as unchanged, not as an "ADS" line.
    bucket = forms.ChoiceField(
        choices=[("", "—"), *FundAllocationLine.Bucket.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    description = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs=_SMALL))
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={**_SMALL, "step": "0.01"}),
    )
    brand_share_pct = forms.DecimalField(
        label="Brand share %",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        widget=forms.NumberInput(attrs={**_SMALL, "step": "0.01", "min": "0", "max": "100"}),
    )


AllocationLineFormSet = forms.formset_factory(AllocationLineForm, extra=1, can_delete=True)


def lines_from_formset(formset: Any) -> list[LineInput]:
    """The lines a (valid) formset describes, skipping deleted and empty extra rows."""
    lines = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        lines.append(
            LineInput(
                bucket=data["bucket"],
                amount=data["amount"],
                brand_share_pct=data["brand_share_pct"],
                description=data.get("description", ""),
            )
        )
    return lines


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={**_SMALL, "rows": 2}))


class DisputeOpenForm(forms.Form):
    amount_claimed = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={**_SMALL, "step": "0.01"}),
    )
    reason = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={**_SMALL, "rows": 3}))


class DisputeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Dispute.Status.APPROVED, "Approved in full"),
            (Dispute.Status.PARTIALLY_APPROVED, "Partially approved"),
            (Dispute.Status.DENIED, "Denied"),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    amount_approved = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={**_SMALL, "step": "0.01"}),
    )
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={**_SMALL, "rows": 2}))


class EvidenceForm(forms.Form):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))
    description = forms.CharField(required=False, max_length=200, widget=forms.TextInput(attrs=_SMALL))


class WaiverForm(forms.Form):
    """A period of an agreement Amazon agreed not to charge (the service checks roles and dates)."""

    period_start = forms.DateField(label="Waived from", widget=_DATE)
    period_end = forms.DateField(label="Waived to", widget=_DATE)
    reason = forms.CharField(
        max_length=1000,
        label="Who agreed, where it is written",
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "e.g. VM email of 3 March: no MDF for April"}),
    )
