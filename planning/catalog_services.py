"""Writes for the catalog (brands and vendor codes). JBP services live in planning/services.py."""

from __future__ import annotations

import re

from django.db import transaction

from core.exceptions import ApplicationError
from planning.models import Brand
from planning.models import Marketplace
from planning.models import VendorCode

VENDOR_CODE_RE = re.compile(r"^[A-Z0-9]{3,12}$")


@transaction.atomic
def vendor_code_register(*, code: str, brand_name: str, marketplace_id: str) -> tuple[VendorCode, bool]:
    """Register `code` in the marketplace for the brand (created when missing). Idempotent.

    Returns (vendor_code, created). Refuses an unknown marketplace, a malformed code, and a code
    that the marketplace already has under another brand (one vendor account, one owner).
    """
    code = code.strip().upper()
    if not VENDOR_CODE_RE.fullmatch(code):
        raise ApplicationError(f"{code!r} is not a vendor code: expected 3-12 letters or digits, e.g. ABCDE.")
    marketplace = Marketplace.objects.filter(amazon_marketplace_id=marketplace_id).first()
    if marketplace is None:
        known = ", ".join(
            f"{m.amazon_marketplace_id} ({m.country_code})" for m in Marketplace.objects.order_by("country_code")
        )
        raise ApplicationError(f"Unknown marketplace id {marketplace_id!r}. Known marketplaces: {known}.")
    brand_name = brand_name.strip()
    if not brand_name:
        raise ApplicationError("A brand name is required.")
    brand, _ = Brand.objects.get_or_create(
        name=brand_name, defaults={"legal_entity": brand_name, "default_currency": marketplace.currency}
    )
    existing = VendorCode.objects.filter(marketplace=marketplace, code=code).select_related("brand").first()
    if existing is not None:
        if existing.brand_id != brand.pk:
            raise ApplicationError(
                f"Vendor code {code} on {marketplace.domain} already belongs to brand {existing.brand.name!r}."
            )
        return existing, False
    return VendorCode.objects.create(code=code, brand=brand, marketplace=marketplace), True
