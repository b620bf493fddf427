"""Identifier validators: ASIN and GTIN (UPC-A, EAN-8, EAN-13, GTIN-14)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

ASIN_RE = re.compile(r"^[A-Z0-9]{10}$")
GTIN_LENGTHS = (8, 12, 13, 14)


def validate_asin(value: str) -> None:
    if not ASIN_RE.fullmatch(value or ""):
        raise ValidationError(
            "%(value)s is not an ASIN: expected 10 upper-case letters or digits.",
            code="invalid_asin",
            params={"value": value},
        )


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it: weights 3,1,3,... from the right."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(value: str) -> bool:
    if not value.isdigit() or len(value) not in GTIN_LENGTHS:
        return False
    return gtin_check_digit(value[:-1]) == int(value[-1])


def validate_gtin(value: str) -> None:
    if not value.isdigit() or len(value) not in GTIN_LENGTHS:
        raise ValidationError(
            "%(value)s is not a GTIN: expected 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14).",
            code="invalid_gtin_length",
            params={"value": value},
        )
    expected = gtin_check_digit(value[:-1])
    if expected != int(value[-1]):
        raise ValidationError(
            "%(value)s has a wrong check digit: expected %(expected)s.",
            code="invalid_gtin_check_digit",
            params={"value": value, "expected": expected},
        )
