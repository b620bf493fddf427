"""Forms of the promotion pages. They validate and shape input; services decide.

Dates and times are typed in the marketplace's time zone (how Vendor Central shows them) and turned
into aware datetimes here, with the vendor code's marketplace deciding the zone.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator

from coop.models import CoopAgreement
from coop.promotion_models import EventCalendar
from coop.promotion_models import Promotion
from coop.promotion_models import PromotionItem
from coop.promotion_models import PromotionType
from coop.promotion_rules import ItemInfo
from coop.promotion_rules import PromotionInfo
from coop.promotion_selectors import event_info
from coop.promotion_services import ItemInput
from coop.promotion_services import PromotionInput
from planning.models import Brand
from planning.models import JBPPlan
from planning.models import VendorCode

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})
_TIME = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M")
_MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _sm(widget: forms.Widget) -> forms.Widget:
    css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
    widget.attrs.setdefault("class", css)
    return widget


class PromotionForm(forms.Form):
    vendor_code = forms.ModelChoiceField(queryset=VendorCode.objects.none(), empty_label=None)
    name = forms.CharField(max_length=200)
    promotion_type = forms.ChoiceField(label="Type", choices=PromotionType.choices)
    event = forms.ModelChoiceField(
        queryset=EventCalendar.objects.none(), required=False, empty_label="No event", help_text="Prime Day, BFCM, ..."
    )
    start_date = forms.DateField(widget=_DATE)
    start_time = forms.TimeField(widget=_TIME, initial=time(0, 0))
    end_date = forms.DateField(widget=_DATE)
    end_time = forms.TimeField(widget=_TIME, initial=time(23, 59))
    funding_method = forms.ChoiceField(choices=Promotion.FundingMethod.choices)
    merchandising_fee = forms.DecimalField(initial=Decimal("0.00"), **_MONEY)  # type: ignore[arg-type]
    max_units = forms.IntegerField(required=False, min_value=1)
    coupon_budget = forms.DecimalField(required=False, **_MONEY)  # type: ignore[arg-type]
    coupon_fee_per_redemption = forms.DecimalField(initial=Decimal("0.60"), **_MONEY)  # type: ignore[arg-type]
    brand_funding_share_pct = forms.DecimalField(
        label="Brand's share of the vendor cost (%)",
        initial=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    jbp_plan = forms.ModelChoiceField(
        label="JBP plan", queryset=JBPPlan.objects.none(), required=False, empty_label="No JBP plan"
    )
    funding_agreement = forms.ModelChoiceField(
        queryset=CoopAgreement.objects.none(), required=False, empty_label="No funding agreement yet"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: AbstractBaseUser | AnonymousUser, brand: Brand | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = VendorCode.objects.for_user(user).filter(is_active=True).select_related("brand", "marketplace")
        plans = JBPPlan.objects.for_user(user).select_related("marketplace")
        agreements = CoopAgreement.objects.for_user(user).filter(
            agreement_type=CoopAgreement.Type.VENDOR_FUNDED_SALES_DISCOUNT
        )
        if brand is not None:
            codes = codes.filter(brand=brand)
            plans = plans.filter(brand=brand)
            agreements = agreements.filter(vendor_code__brand=brand)
        fields = self.fields
        fields["vendor_code"].queryset = codes.order_by("brand__name", "code")  # type: ignore[attr-defined]
        fields["vendor_code"].label_from_instance = lambda vc: f"{vc.code} · {vc.marketplace.domain} ({vc.brand.name})"  # type: ignore[attr-defined]
        fields["event"].queryset = EventCalendar.objects.select_related("marketplace").order_by("-start_date")  # type: ignore[attr-defined]
        fields["jbp_plan"].queryset = plans.exclude(status="SUPERSEDED").order_by("-plan_year", "-version")  # type: ignore[attr-defined]
        fields["funding_agreement"].queryset = agreements.order_by("-start_date")  # type: ignore[attr-defined]
        for field in fields.values():
            if field.widget.__class__ in (forms.DateInput, forms.TimeInput):
                continue
            _sm(field.widget)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        vendor_code: VendorCode | None = data.get("vendor_code")
        if vendor_code is None:
            return data
        tz = ZoneInfo(vendor_code.marketplace.timezone)
        start, end = self._instant("start", tz), self._instant("end", tz)
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", "The promotion must end after it starts.")
        data["start_at"], data["end_at"] = start, end
        event: EventCalendar | None = data.get("event")
        if event is not None and event.marketplace_id not in (None, vendor_code.marketplace_id):
            self.add_error("event", f"{event} is an event of another marketplace.")
        return data

    def _instant(self, prefix: str, tz: ZoneInfo) -> datetime | None:
        day: date | None = self.cleaned_data.get(f"{prefix}_date")
        clock: time | None = self.cleaned_data.get(f"{prefix}_time")
        if day is None or clock is None:
            return None
        return datetime.combine(day, clock, tzinfo=tz)

    def to_input(self, items: list[ItemInput]) -> PromotionInput:
        d = self.cleaned_data
        return PromotionInput(
            vendor_code=d["vendor_code"],
            name=d["name"],
            promotion_type=d["promotion_type"],
            start_at=d["start_at"],
            end_at=d["end_at"],
            event=d.get("event"),
            funding_method=d["funding_method"],
            merchandising_fee=d["merchandising_fee"],
            max_units=d.get("max_units"),
            coupon_budget=d.get("coupon_budget"),
            coupon_fee_per_redemption=d["coupon_fee_per_redemption"],
            brand_funding_share_pct=d["brand_funding_share_pct"],
            jbp_plan=d.get("jbp_plan"),
            funding_agreement=d.get("funding_agreement"),
            notes=d.get("notes", ""),
            items=items,
        )

    def to_info(self, items: list[ItemInput], *, promotion_id: int | None) -> PromotionInfo | None:
        """The rules engine's view of the form as typed, or None while dates or the vendor code are missing."""
        d = self.cleaned_data
        vendor_code: VendorCode | None = d.get("vendor_code")
        if vendor_code is None or d.get("start_at") is None or d.get("end_at") is None or not d.get("promotion_type"):
            return None
        return PromotionInfo(
            promotion_type=d["promotion_type"],
            marketplace=vendor_code.marketplace.domain,
            tz=ZoneInfo(vendor_code.marketplace.timezone),
            start_at=d["start_at"],
            end_at=d["end_at"],
            currency=vendor_code.marketplace.currency,
            items=tuple(
                ItemInfo(i.asin, i.reference_price, i.promo_price, i.discount_type, i.discount_amount) for i in items
            ),
            merchandising_fee=d.get("merchandising_fee") or Decimal("0"),
            coupon_budget=d.get("coupon_budget"),
            event=event_info(d.get("event")),
            id=promotion_id,
        )

    @staticmethod
    def initial_for(promotion: Promotion) -> dict[str, Any]:
        start, end = promotion.local_start, promotion.local_end
        return {
            "vendor_code": promotion.vendor_code_id,
            "name": promotion.name,
            "promotion_type": promotion.promotion_type,
            "event": promotion.event_id,
            "start_date": start.date(),
            "start_time": start.time(),
            "end_date": end.date(),
            "end_time": end.time(),
            "funding_method": promotion.funding_method,
            "merchandising_fee": promotion.merchandising_fee,
            "max_units": promotion.max_units,
            "coupon_budget": promotion.coupon_budget,
            "coupon_fee_per_redemption": promotion.coupon_fee_per_redemption,
            "brand_funding_share_pct": promotion.brand_funding_share_pct,
            "jbp_plan": promotion.jbp_plan_id,
            "funding_agreement": promotion.funding_agreement_id,
            "notes": promotion.notes,
        }


class ItemForm(forms.Form):
    asin = forms.CharField(
        max_length=10, required=False, widget=forms.TextInput(attrs={"list": "asin-options", "autocomplete": "off"})
    )
    reference_price = forms.DecimalField(required=False, **_MONEY)  # type: ignore[arg-type]
    promo_price = forms.DecimalField(label="Deal price", required=False, **_MONEY)  # type: ignore[arg-type]
    per_unit_funding = forms.DecimalField(initial=Decimal("0.00"), required=False, **_MONEY)  # type: ignore[arg-type]
    units_forecast = forms.IntegerField(label="Units forecast", min_value=0, required=False, initial=0)
    discount_type = forms.ChoiceField(
        label="Coupon discount",
        choices=[("", "—"), *PromotionItem.DiscountType.choices],
        required=False,
    )
    discount_amount = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=Decimal("0"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _sm(field.widget)

    def to_input(self) -> ItemInput | None:
        d = self.cleaned_data
        asin = (d.get("asin") or "").strip().upper()
        if not asin or d.get("DELETE"):
            return None
        return ItemInput(
            asin=asin,
            reference_price=d.get("reference_price"),
            promo_price=d.get("promo_price"),
            per_unit_funding=d.get("per_unit_funding") or Decimal("0"),
            units_forecast=d.get("units_forecast") or 0,
            discount_type=d.get("discount_type") or "",
            discount_amount=d.get("discount_amount"),
        )

    @staticmethod
    def initial_for(item: PromotionItem) -> dict[str, Any]:
        return {
            "asin": item.asin,
            "reference_price": item.reference_price,
            "promo_price": item.promo_price,
            "per_unit_funding": item.per_unit_funding,
            "units_forecast": item.units_forecast,
            "discount_type": item.discount_type,
            "discount_amount": item.discount_amount,
        }


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True, max_num=200, validate_max=True)


def items_from(formset: Any) -> list[ItemInput]:
    """Item inputs of a valid formset, in order, empty and deleted rows left out."""
    out: list[ItemInput] = []
    for form in formset.forms:
        item = form.to_input() if form.is_valid() else None
        if item is not None:
            out.append(item)
    return out


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=40)
    note = forms.CharField(required=False, max_length=2000)
    amazon_promotion_id = forms.CharField(required=False, max_length=64)


class MoveForm(forms.Form):
    days = forms.IntegerField(min_value=-400, max_value=400, required=False)
    start_date = forms.DateField(required=False)


class PriceObservationForm(forms.Form):
    asin = forms.CharField(max_length=10)
    observed_on = forms.DateField(label="Date", widget=_DATE)
    price = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=Decimal("0"))
    rating = forms.DecimalField(
        required=False, max_digits=2, decimal_places=1, min_value=Decimal("0"), max_value=Decimal("5")
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.DateInput):
                _sm(field.widget)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("price") is None and data.get("rating") is None:
            raise forms.ValidationError("Enter a price, a star rating, or both.")
        return data
