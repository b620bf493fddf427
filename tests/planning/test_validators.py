from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from planning.validators import gtin_check_digit
from planning.validators import is_valid_gtin
from planning.validators import validate_asin
from planning.validators import validate_gtin


@pytest.mark.parametrize("asin", ["B07XJ8C8F5", "B000000001", "0123456789", "1234567890"])
def test_validate_asin_accepts_ten_upper_case_alphanumerics(asin: str) -> None:
    validate_asin(asin)


@pytest.mark.parametrize(
    "asin",
    ["b07xj8c8f5", "B07XJ8C8F", "B07XJ8C8F55", "B07XJ8C8F-", "B07XJ 8C8F", "", "B07XJ8C8FÄ"],
)
def test_validate_asin_refuses_anything_else(asin: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_asin(asin)
    assert "10 upper-case letters or digits" in str(excinfo.value)


@pytest.mark.parametrize(
    "gtin",
    [
        "036000291452",  # UPC-A (GS1's own textbook example)
        "4006381333931",  # EAN-13
        "96385074",  # EAN-8
        "10012345678902",  # GTIN-14
        "0840012000014",  # EAN-13 with a leading zero
    ],
)
def test_valid_gtins(gtin: str) -> None:
    validate_gtin(gtin)
    assert is_valid_gtin(gtin)


def test_gtin_with_wrong_check_digit_names_the_expected_digit() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_gtin("036000291453")
    assert excinfo.value.code == "invalid_gtin_check_digit"
    assert "expected 2" in str(excinfo.value)


@pytest.mark.parametrize("gtin", ["12345", "0360002914521", "03600029145A", "", "123456789012345"])
def test_gtin_with_wrong_length_or_characters(gtin: str) -> None:
    assert not is_valid_gtin(gtin) or len(gtin) == 13
    if len(gtin) == 13 and gtin.isdigit():
        with pytest.raises(ValidationError) as excinfo:
            validate_gtin(gtin)
        assert excinfo.value.code == "invalid_gtin_check_digit"
    else:
        with pytest.raises(ValidationError) as excinfo:
            validate_gtin(gtin)
        assert excinfo.value.code == "invalid_gtin_length"


def test_check_digit_algorithm() -> None:
    # 03600029145 -> 2 (UPC-A), 400638133393 -> 1 (EAN-13)
    assert gtin_check_digit("03600029145") == 2
    assert gtin_check_digit("400638133393") == 1
