"""Fixtures of the browser tests: the real app under uvicorn, Debian's Chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from api.app import create_app
from copilot.runtime import Copilot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 20
UI_TIMEOUT_MS = 15_000  # the first question also warms the retrieval caches


def require_chromium() -> None:
    """Skip the calling test module when Debian's Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
            allow_module_level=True,
        )


@pytest.fixture(scope="module")
def base_url(sqlite_copilot: Copilot) -> Iterator[str]:
    """The real app on a free localhost port, served by uvicorn in a background thread."""
    from tests.api.browser_sessions import serve

    with serve(create_app(copilot=sqlite_copilot), lifespan="on", ws="none") as url:
        yield url


@pytest.fixture(scope="module")
def chromium_args() -> list[str]:
    """Chromium's command-line flags; a test module overrides this to add its own."""
    return CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser(chromium_args: list[str]) -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=chromium_args)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; any uncaught script error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    yield new_page
    context.close()
    assert not errors, f"script errors on the page: {errors}"
