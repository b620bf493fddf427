"""Role checks used by services. Views may hide buttons, but only these checks decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from core.exceptions import PermissionRefused
from planning.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

Role = Membership.Role


def user_roles(user: AbstractBaseUser | AnonymousUser, brand_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user_id=user.pk, brand_id=brand_id).values_list("role", flat=True))


def has_role(user: AbstractBaseUser | AnonymousUser, brand_id: int, roles: Iterable[str]) -> bool:
    return bool(user_roles(user, brand_id) & set(roles))


def require_role(user: AbstractBaseUser | AnonymousUser, brand_id: int, roles: Iterable[str], *, action: str) -> None:
    """Raise PermissionRefused unless the user holds one of `roles` in the brand."""
    wanted = set(roles)
    if not user_roles(user, brand_id) & wanted:
        names = ", ".join(sorted(wanted))
        raise PermissionRefused(f"You need one of these roles to {action}: {names}.", extra={"roles": sorted(wanted)})
