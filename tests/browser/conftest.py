"""Browser journeys: Playwright drives Debian's own headless Chromium against pytest-django's live_server.

No browser is ever downloaded: we launch /usr/bin/chromium through `executable_path`. Every test in
this package gets the `browser` marker. Fixtures for journeys:

- `page`: a fresh browser context and page whose `base_url` is the live server (so `page.goto("/")` works);
  the database is transactional (the server thread must see committed rows) with serialized rollback,
  so Amazon's marketplaces loaded by the data migration survive the flush between tests.
- `login(page, username, password)`: logs in through the real login form and waits for the dashboard.
- `screenshot(page, name)`: saves var/screenshots/<test name>-<nn>-<name>.png and returns the path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import Page
    from playwright.sync_api import ViewportSize

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM calls
# made by fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup: None, django_db_blocker: Any) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser journeys")
    from playwright.sync_api import sync_playwright

    # While Playwright's event loop runs in this thread, Django (asgiref's Local) hands out *new*
    # connection objects from context-local storage. The snapshot of migration data that serialized
    # rollback restores lives on the original connection, so carry it over or the marketplaces loaded
    # by the data migration would be gone after the first browser test's flush.
    snapshots = {
        alias: connections[alias]._test_serialized_contents  # type: ignore[attr-defined]
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot  # type: ignore[attr-defined]
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # Close the loop-local connections too, or PostgreSQL refuses to drop the test database.
            with django_db_blocker.unblock():
                connections.close_all()


@pytest.fixture
def page(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    django_db_serialized_rollback: None,
) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture
def login() -> Callable[[Page, str, str], None]:
    """login(page, username, password): the real login form, then the dashboard."""

    def do_login(page: Page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/$"))

    return do_login


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """screenshot(page, name): a full-page PNG under var/screenshots/, numbered in the order taken."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
