"""Fixtures of the browser tests: headless Debian Chromium driven by Playwright, and a
real `streamvis serve` process for it to load pages from.

Chromium comes from the system (`/usr/bin/chromium`, or STREAMVIS_CHROMIUM), never
from `playwright install`. Where it or the playwright package is missing, browser
tests skip on a developer's machine but fail under CI=true, so CI never passes
without having driven a browser. WebGL runs on SwiftShader (software), the same
renderer on every machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from streamvis.testing import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader", "--disable-gpu",
]
#: Generous for a 2-core machine running SwiftShader; a passing test never waits this long.
PAGE_TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None where there is none."""
    given = os.environ.get("STREAMVIS_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def web_static_built() -> bool:
    from streamvis.web import static_files  # noqa: PLC0415 - only where a test needs it

    return (Path(static_files.__file__).parent / "static" / "index.html").exists()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all browser tests (starting one costs about a second).

    Package scope, not session: Playwright's sync API keeps an asyncio loop running in
    the main thread while it is open, which would break `asyncio.run` in later tests.
    """
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional dev tool
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[dev]'")
    executable = chromium_path()
    if executable is None:
        _missing(
            "Chromium is not installed: apt-get install chromium (or set STREAMVIS_CHROMIUM "
            "to a Chromium executable)"
        )
    if not web_static_built():
        _missing("the web UI is not built: run `cd frontend && npm run build`")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no shared storage), failing on page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield new_page
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `streamvis serve` on an empty embedded store; `.web_url` is its web app."""
    with ServerProcess(str(tmp_path / "data")) as proc:
        yield proc


def plots_state(page: Page) -> list[dict[str, Any]]:
    """What the dashboard's plots show now (frontend/src/lib/testHook.ts)."""
    state: list[dict[str, Any]] = page.evaluate(
        "() => window.__streamvis ? window.__streamvis.plots() : []"
    )
    return state
