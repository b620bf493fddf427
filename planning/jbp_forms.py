"""Forms of the JBP pages. They parse and check input shape; the services decide and write."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.periods import add_months
from core.periods import quarter_end
from core.periods import quarter_start
from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import LaunchCertificate
from planning.models import Brand
from planning.models import Marketplace
from planning.models import Membership
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ONE_DAY = timedelta(days=1)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def _default_quarter(today: date) -> date:
    """The next calendar quarter: JBPs are planned ahead."""
    return quarter_start(add_months(quarter_start(today), 3))


class PlanCreateForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none())
    marketplace = forms.ModelChoiceField(queryset=Marketplace.objects.none())
    horizon = forms.ChoiceField(choices=JBPPlan.Horizon.choices, initial=JBPPlan.Horizon.QUARTERLY)
    period_start = forms.DateField(widget=DATE_WIDGET, help_text="A quarter's first day for quarterly plans.")
    period_end = forms.DateField(
        widget=DATE_WIDGET, required=False, help_text="Filled in for quarters and years; required for custom windows."
    )
    vendor_codes = forms.ModelMultipleChoiceField(
        queryset=VendorCode.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked = every vendor code of the brand in the marketplace.",
    )
    title = forms.CharField(max_length=120, required=False)
    amazon_counterpart = forms.CharField(label="Amazon counterpart", max_length=120, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: AnyUser, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managed = Membership.objects.filter(user_id=user.pk or 0, role=Membership.Role.BRAND_MANAGER).values("brand_id")
        brands = Brand.objects.for_user(user).filter(pk__in=managed).order_by("name")
        codes = VendorCode.objects.filter(brand__in=brands, is_active=True).select_related("marketplace", "brand")
        field_brand: Any = self.fields["brand"]
        field_brand.queryset = brands
        field_market: Any = self.fields["marketplace"]
        field_market.queryset = Marketplace.objects.filter(vendor_codes__in=codes).distinct()
        field_codes: Any = self.fields["vendor_codes"]
        field_codes.queryset = codes.order_by("brand__name", "code")
        field_codes.label_from_instance = lambda vc: f"{vc.code} · {vc.marketplace.domain} ({vc.brand.name})"
        if brands.count() == 1:
            self.fields["brand"].initial = brands.first()
        start = _default_quarter(today)
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = quarter_end(start)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        horizon, start, end = data.get("horizon"), data.get("period_start"), data.get("period_end")
        if start and not end:
            if horizon == JBPPlan.Horizon.QUARTERLY:
                data["period_end"] = quarter_end(start)
            elif horizon == JBPPlan.Horizon.ANNUAL:
                data["period_end"] = add_months(start, 12) - _ONE_DAY
            elif horizon == JBPPlan.Horizon.THREE_YEAR:
                data["period_end"] = add_months(start, 36) - _ONE_DAY
            else:
                self.add_error("period_end", "A custom window needs its last day.")
        brand, market = data.get("brand"), data.get("marketplace")
        codes = list(data.get("vendor_codes") or [])
        if brand and market:
            if not codes:
                codes = list(VendorCode.objects.filter(brand=brand, marketplace=market, is_active=True))
            if not codes:
                self.add_error("marketplace", f"{brand.name} has no vendor code on {market.domain}.")
            data["vendor_codes"] = codes
        return data


class PlanEditForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    amazon_counterpart = forms.CharField(label="Amazon counterpart", max_length=120, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    vendor_codes = forms.ModelMultipleChoiceField(
        queryset=VendorCode.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    baseline_start = forms.DateField(widget=DATE_WIDGET, required=False, label="Baseline from")
    baseline_end = forms.DateField(widget=DATE_WIDGET, required=False, label="Baseline to")

    def __init__(self, *args: Any, plan: JBPPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        field_codes: Any = self.fields["vendor_codes"]
        field_codes.queryset = VendorCode.objects.filter(brand_id=plan.brand_id, marketplace_id=plan.marketplace_id)
        weights = plan.seasonal_weights or {}
        for month, name in enumerate(MONTH_NAMES, start=1):
            self.fields[f"w{month}"] = forms.DecimalField(
                label=name,
                required=False,
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=4,
                initial=weights.get(str(month)),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control form-control-sm px-2"}),
            )
        if not self.is_bound:
            self.initial.update(
                {
                    "title": plan.title,
                    "amazon_counterpart": plan.amazon_counterpart,
                    "notes": plan.notes,
                    "vendor_codes": list(plan.vendor_codes.all()),
                    "baseline_start": plan.baseline_start,
                    "baseline_end": plan.baseline_end,
                }
            )
        _bootstrap(self)

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w{month}"] for month in range(1, 13)]

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ("title", "amazon_counterpart", "notes", "vendor_codes")}
        data["baseline_start"] = self.cleaned_data["baseline_start"]
        data["baseline_end"] = self.cleaned_data["baseline_end"]
        weights = {str(m): self.cleaned_data[f"w{m}"] for m in range(1, 13) if self.cleaned_data.get(f"w{m}")}
        data["seasonal_weights"] = weights
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(f"w{m}") for m in range(1, 13)) and not all(
            data.get(f"w{m}") is not None for m in range(1, 13)
        ):
            raise ValidationError("Give a seasonal weight for every month (0 is fine), or leave them all empty.")
        return data


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=40)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InvestmentForm(forms.ModelForm):
    class Meta:
        model = JBPInvestment
        fields = ("type", "committed_amount", "period_start", "period_end", "amazon_agreement_id", "conditions")
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "conditions": forms.TextInput(),
        }
        labels = {"amazon_agreement_id": "Co-op agreement id"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = JBPInitiative
        fields = ("title", "owner_side", "owner_name", "due_date", "kpi_metric")
        widgets = {"due_date": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class LaunchForm(forms.Form):
    asin = forms.CharField(label="ASIN", max_length=10, required=False, help_text="If Amazon already assigned one")
    planned_sku = forms.CharField(label="Planned SKU", max_length=60, required=False)
    title = forms.CharField(max_length=200, required=False)
    gtin = forms.CharField(label="UPC/EAN", max_length=14, required=False)
    launch_week = forms.DateField(widget=DATE_WIDGET, help_text="The Sunday that starts the launch week")
    forecast_units = forms.IntegerField(min_value=0, initial=0)
    required_certificates = forms.MultipleChoiceField(
        choices=LaunchCertificate.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("asin") and not data.get("planned_sku"):
            raise ValidationError("Give the ASIN or a planned SKU.")
        if not data.get("asin") and not data.get("title"):
            self.add_error("title", "A planned product needs a title.")
        return data


class CertificateForm(forms.ModelForm):
    class Meta:
        model = LaunchCertificate
        fields = ("kind", "reference", "issued_on", "expires_on")
        widgets = {"issued_on": DATE_WIDGET, "expires_on": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class UploadForm(forms.Form):
    file = forms.FileField(help_text="The .xlsx template downloaded from this grid")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
