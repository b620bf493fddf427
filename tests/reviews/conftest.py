"""Fixtures of the reviews tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Live MBR pages are cached per brand and rollup version; the database rolls back between tests but
    the local-memory cache does not, so every test starts with an empty one."""
    cache.clear()
    yield
    cache.clear()
