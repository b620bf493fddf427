"""Forms for the catalog pages. The filter form parses the query string; bad values are ignored, not fatal."""

from __future__ import annotations

from typing import Any

from django import forms

from planning.models import Product
from planning.selectors import ProductFilters


class ProductFilterForm(forms.Form):
    """The catalog's query string: search, filters and sort (shared by the list page and its XLSX export)."""

    q = forms.CharField(required=False, max_length=300, strip=True)
    category = forms.CharField(required=False, max_length=100)
    marketplace = forms.CharField(required=False, max_length=20)
    lifecycle = forms.ChoiceField(required=False, choices=[("", "Any"), *Product.Lifecycle.choices])
    vendor_code = forms.IntegerField(required=False, min_value=1)
    missing_aplus = forms.BooleanField(required=False)
    missing_video = forms.BooleanField(required=False)
    sort = forms.CharField(required=False, max_length=30)

    def filters(self) -> ProductFilters:
        """The valid part of the query string as selector filters; an invalid field counts as empty."""
        data = self._valid_data()
        vendor_code = data.get("vendor_code")
        return ProductFilters(
            search=str(data.get("q") or ""),
            category=str(data.get("category") or ""),
            marketplace=str(data.get("marketplace") or ""),
            lifecycle=str(data.get("lifecycle") or ""),
            vendor_code_id=vendor_code if isinstance(vendor_code, int) else None,
            missing_aplus=bool(data.get("missing_aplus")),
            missing_video=bool(data.get("missing_video")),
        )

    def sort_key(self) -> str:
        return str(self._valid_data().get("sort") or "asin")

    def is_filtered(self) -> bool:
        """True when anything narrows the list (drives the "clear filters" link and the empty-state text)."""
        f = self.filters()
        return any(
            [f.search, f.category, f.marketplace, f.lifecycle, f.vendor_code_id, f.missing_aplus, f.missing_video]
        )

    def _valid_data(self) -> dict[str, Any]:
        # Django drops a field that fails validation from cleaned_data, so a hand-edited URL with one
        # bad value (e.g. vendor_code=abc) still honours the rest of the query string.
        self.is_valid()
        return self.cleaned_data
