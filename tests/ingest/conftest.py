"""Fixtures of the ingest tests: a private media root, uploads, and running imports the way production does."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ingest import listeners


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    """Every test stores its raw files in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def upload() -> Callable[[str, bytes], SimpleUploadedFile]:
    def make(name: str, content: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/octet-stream")

    return make


@pytest.fixture
def facts_changed() -> Iterator[list[listeners.FactsChanged]]:
    """The FactsChanged events announced during the test (a listener registered like coop/reviews do)."""
    events: list[listeners.FactsChanged] = []
    listeners.register_listener("tests.ingest", events.append)
    yield events
    listeners._listeners.pop("tests.ingest", None)
