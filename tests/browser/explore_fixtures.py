"""The site of the run search, builder and hybrid plot tests: a real `streamvis serve`
on a seeded sweep (explore_data.py), shared by a test module. The browser and its page
are conftest.py's `browser` and `page`."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from streamvis.testing import ServerProcess

from .explore_data import Sweep, seed


class Site:
    """The server under test, its seeded sweep, and an HTTP client for its API."""

    def __init__(self, server: ServerProcess, sweep: Sweep) -> None:
        self.server = server
        self.sweep = sweep
        self.url = server.web_url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=30)


@pytest.fixture(scope="module", name="site")
def site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("explore") / "data"
    sweep = seed(data, runs=300)
    with ServerProcess(str(data)) as server:
        s = Site(server, sweep)
        yield s
        s.http.close()


def open_saved_plot(page: Any, server: ServerProcess, plot: str) -> list[str]:
    """Open the dashboard of saved plot `plot` and wait until a plot says it loaded; the
    dialogs raised meanwhile and later (a test that must raise none checks the list)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(server.web_url + f"?rows={urllib.parse.quote(plot)}")
    wait_until(page, "document.querySelector('[data-loaded=\"true\"]') !== null")
    return dialogs


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is truthy.

    Not `page.wait_for_function`: that evaluates its predicate with `eval` inside the
    page, which the app's Content-Security-Policy (script-src 'self') forbids.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {expression}")
        time.sleep(0.05)
