"""Forms of the review pages: they validate input; the services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from planning.models import Brand
from planning.models import Marketplace
from reviews.models import ActionItem
from reviews.models import BusinessReview


class MonthField(forms.CharField):
    """<input type="month"> (YYYY-MM) -> the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(part) for part in str(text).split("-")[:2])
            return date(year, month, 1)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(f"Expected a month as YYYY-MM, got {text!r}.") from exc


class ReviewCreateForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none())
    month = MonthField()
    marketplace = forms.ModelChoiceField(
        queryset=Marketplace.objects.none(), required=False, empty_label="All marketplaces (brand currency)"
    )
    review_type = forms.ChoiceField(choices=BusinessReview.ReviewType.choices, initial=BusinessReview.ReviewType.MBR)
    meeting_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, brand: Brand | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brands = Brand.objects.for_user(user)
        self.fields["brand"].queryset = brands  # type: ignore[attr-defined]
        if brand is not None:
            self.fields["brand"].initial = brand.pk
        elif brands.count() == 1:
            self.fields["brand"].initial = brands.get().pk
        self.fields["marketplace"].queryset = Marketplace.objects.filter(  # type: ignore[attr-defined]
            vendor_codes__brand__in=brands
        ).distinct()
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, review: BusinessReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(memberships__brand_id=review.brand_id).distinct().order_by("username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)
