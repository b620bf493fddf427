"""Co-op browser journeys reuse the Playwright harness of tests/browser (Debian's Chromium, live_server)."""

from __future__ import annotations

from tests.browser.conftest import browser  # noqa: F401
from tests.browser.conftest import login  # noqa: F401
from tests.browser.conftest import page  # noqa: F401
from tests.browser.conftest import screenshot  # noqa: F401
