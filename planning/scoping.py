"""The one tenant-scoping mechanism: every brand-owned queryset is filtered to the user's brands.

Each brand-owned model names the path from itself to Brand in `brand_lookup` and uses
`BrandScopedManager`. Pages, API views and selectors call `.for_user(user)`; an object of another
brand is therefore simply not found (404), never a 403 that would confirm it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_M = TypeVar("_M", bound=models.Model)


def user_brand_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Any]:
    """A subquery of the brand ids the user is a member of (empty for anonymous users)."""
    from planning.models import Membership

    if not user.is_authenticated:
        return Membership.objects.none().values("brand_id")
    return Membership.objects.filter(user_id=user.pk).values("brand_id")


_QS = TypeVar("_QS", bound=models.QuerySet[Any])


def scope_to_user(queryset: _QS, user: AbstractBaseUser | AnonymousUser) -> _QS:
    """Any queryset of a brand-owned model, narrowed to the brands the user belongs to (any role)."""
    lookup = getattr(queryset.model, "brand_lookup", None)
    if lookup is None:
        raise TypeError(f"{queryset.model.__name__} must define brand_lookup to be brand-scoped")
    return queryset.filter(**{f"{lookup}__in": user_brand_ids(user)})


class BrandScopedQuerySet(models.QuerySet[_M]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> BrandScopedQuerySet[_M]:
        """Rows of brands the user belongs to, through any role."""
        return scope_to_user(self, user)

    def for_brand(self, brand_id: int) -> BrandScopedQuerySet[_M]:
        lookup = self.model.brand_lookup  # type: ignore[attr-defined]
        return self.filter(**{lookup: brand_id})


class BrandScopedManager(models.Manager[_M]):
    def get_queryset(self) -> BrandScopedQuerySet[_M]:
        return BrandScopedQuerySet(self.model, using=self._db)

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> BrandScopedQuerySet[_M]:
        return self.get_queryset().for_user(user)

    def for_brand(self, brand_id: int) -> BrandScopedQuerySet[_M]:
        return self.get_queryset().for_brand(brand_id)


def get_for_user_or_404(queryset: models.QuerySet[_M], user: AbstractBaseUser | AnonymousUser, **lookup: Any) -> _M:
    """One object of the user's brands, or Http404 whether it is missing or belongs to another brand."""
    try:
        return scope_to_user(queryset, user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc
