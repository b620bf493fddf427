"""Forms of the Imports pages: the upload form and the history filters."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django import forms

from ingest.models import AdsProfile
from ingest.models import ReportImport
from ingest.models import StreamSubscription
from ingest.parsers.ams import HOURLY_DATASETS
from ingest.parsers.ams import OTHER_KNOWN_DATASETS
from ingest.selectors import importable_brands
from ingest.selectors import importable_vendor_codes
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


class ImportUploadForm(forms.Form):
    """Which brand and vendor code the uploaded files belong to (the files come from request.FILES)."""

    vendor_code = forms.ModelChoiceField(
        queryset=VendorCode.objects.none(),
        required=False,
        empty_label="Named in the file",
        help_text="SP-API retail reports do not name their vendor code: choose it for them.",
    )
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), required=False, empty_label="Choose a brand")
    ads_profile = forms.ModelChoiceField(
        queryset=AdsProfile.objects.none(),
        required=False,
        empty_label="Not an Ads report",
        help_text="Amazon Ads report bodies name neither their profile nor their marketplace.",
    )

    def __init__(
        self, *args: Any, user: AbstractBaseUser | AnonymousUser, current_brand: Brand | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current_brand = current_brand
        self.fields["vendor_code"].queryset = importable_vendor_codes(user=user, brand=current_brand)  # type: ignore[attr-defined]
        self.fields["brand"].queryset = importable_brands(user=user)  # type: ignore[attr-defined]
        profiles = AdsProfile.objects.filter(brand__in=importable_brands(user=user)).select_related("marketplace")
        if current_brand is not None:
            profiles = profiles.filter(brand=current_brand)
        self.fields["ads_profile"].queryset = profiles.order_by("profile_id")  # type: ignore[attr-defined]

    def import_options(self) -> dict[str, str]:
        """The options the chosen Ads profile gives files that do not name it."""
        profile: AdsProfile | None = self.cleaned_data.get("ads_profile")
        if profile is None:
            return {}
        options = {"profile_id": profile.profile_id}
        if profile.marketplace is not None:
            options["marketplace_id"] = profile.marketplace.amazon_marketplace_id
        return options

    @property
    def needs_brand_choice(self) -> bool:
        """True when neither the brand switcher nor a single brand decides where files go."""
        return self.current_brand is None and self.fields["brand"].queryset.count() > 1  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        vendor_code: VendorCode | None = data.get("vendor_code")
        brand: Brand | None = data.get("brand")
        profile: AdsProfile | None = data.get("ads_profile")
        if profile is not None and brand is None and vendor_code is None:
            brand = profile.brand
        if profile is not None and brand is not None and profile.brand_id != brand.pk:
            raise forms.ValidationError(f"Ads profile {profile.profile_id} belongs to {profile.brand.name}.")
        brands = self.fields["brand"].queryset  # type: ignore[attr-defined]
        if vendor_code is not None:
            if brand is not None and brand.pk != vendor_code.brand_id:
                raise forms.ValidationError(f"Vendor code {vendor_code.code} belongs to {vendor_code.brand.name}.")
            brand = vendor_code.brand
        if brand is None and self.current_brand is not None and brands.filter(pk=self.current_brand.pk).exists():
            brand = self.current_brand
        if brand is None and brands.count() == 1:
            brand = brands.first()
        if brand is None:
            if not brands.exists():
                raise forms.ValidationError(
                    "You need the brand manager, vendor ops or finance role in a brand to import files."
                )
            raise forms.ValidationError("Choose the brand these files belong to (or pick a vendor code).")
        data["brand"] = brand
        return data


class ImportFilterForm(forms.Form):
    """The history's query string; an invalid value counts as empty rather than failing the page."""

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ReportImport.Status.choices])
    report_type = forms.CharField(required=False, max_length=80)
    created_from = forms.DateField(required=False)
    created_to = forms.DateField(required=False)
    q = forms.CharField(required=False, max_length=200, strip=True)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "report_type": data.get("report_type") or "",
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
            "search": data.get("q") or "",
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.filters().values())


class StreamSubscriptionForm(forms.Form):
    """A new Marketing Stream receiver endpoint."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none())
    dataset = forms.ChoiceField(choices=[(d, d) for d in (*HOURLY_DATASETS, *OTHER_KNOWN_DATASETS)])
    destination = forms.ChoiceField(choices=StreamSubscription.Destination.choices)
    advertiser_id = forms.CharField(required=False, max_length=64)
    marketplace = forms.ModelChoiceField(queryset=Marketplace.objects.all(), required=False)
    name = forms.CharField(required=False, max_length=120)

    def __init__(self, *args: Any, user: AbstractBaseUser | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = importable_brands(user=user)  # type: ignore[attr-defined]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
