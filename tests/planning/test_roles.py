from __future__ import annotations

import pytest

from core.exceptions import PermissionRefused
from planning.roles import has_role
from planning.roles import require_role
from planning.roles import user_roles

pytestmark = pytest.mark.django_db


def test_roles_are_per_brand(brand_a, brand_b, finance_approver, outsider) -> None:
    assert user_roles(finance_approver, brand_a.brand.pk) == {"finance_approver"}
    assert user_roles(finance_approver, brand_b.brand.pk) == set()
    assert has_role(outsider, brand_b.brand.pk, ["brand_manager"])
    assert not has_role(outsider, brand_a.brand.pk, ["brand_manager", "viewer"])


def test_require_role_refuses_with_the_roles_needed(brand_a, viewer) -> None:
    with pytest.raises(PermissionRefused) as excinfo:
        require_role(viewer, brand_a.brand.pk, ["finance_approver"], action="approve a fund split")
    assert "approve a fund split" in excinfo.value.message
    assert excinfo.value.extra == {"roles": ["finance_approver"]}


def test_require_role_passes_for_a_member_with_the_role(brand_a, finance_approver) -> None:
    require_role(finance_approver, brand_a.brand.pk, ["finance_approver"], action="approve")
