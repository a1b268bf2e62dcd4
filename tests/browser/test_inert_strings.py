"""User strings are shown as text, never run: names, tags, attributes, titles and string
values holding script and HTML payloads, on every page, in headless Chromium under the
app's Content-Security-Policy. Also: the UI runs under that policy without a single
violation, the login page works in a browser, and a read-only server's UI turns its
change controls off."""

from __future__ import annotations

import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .conftest import plots_state
from .explore_fixtures import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

#: Each sets window.__xss if it ever runs; none may.
PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "\"><svg onload=\"window.__xss='svg'\">",
]
FIELD = PAYLOADS[1]  # a string field, its name a payload
SERIES = PAYLOADS[2]
TAG = PAYLOADS[0]
PLOT = "xss-plot"
TOKEN = "browser-token-0123456789abcdef"  # noqa: S105 - a test token

#: Recorded before any page script runs (init scripts are not subject to the CSP).
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""
#: Elements a payload would have created had it been parsed as markup.
INJECTED = ("document.querySelectorAll('img[onerror], svg[onload], [onload], "
            "script:not([src])').length")


def seed(client: Client) -> uuid.UUID:
    client.create_field("step", "int")
    client.create_field("loss", "float")
    client.create_field(FIELD, "string", PAYLOADS[0])
    client.create_series(SERIES, ["step", "loss", FIELD])
    run = client.create_run(tags=[TAG, "plain"], attributes={FIELD: PAYLOADS[2]})
    n = 30
    client.append(run.handle, SERIES, {
        "step": np.arange(n), "loss": np.linspace(1, 0, n),
        FIELD: np.array([PAYLOADS[i % 3] for i in range(n)], dtype=object),
    })
    client.save_plot(PLOT, {
        "kind": "line", "title": PAYLOADS[1],
        "datasets": [{"series": SERIES, "bindings": {"x": "step", "y": "loss", "group": FIELD}}],
    })
    return run.handle


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("xss"))) as proc, Client(proc.uri) as client:
        seed(client)
        yield proc


def _open(page: Page, url: str) -> list[str]:
    """Open `url`; the dialogs it raised (any is a failure)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.context.add_init_script(WATCH)
    page.goto(url)
    return dialogs


def _assert_inert(page: Page, dialogs: list[str]) -> None:
    time.sleep(0.5)  # let late renders (plots, legends) happen
    assert page.evaluate("window.__xss") is None, "a payload ran"
    assert not dialogs
    assert page.evaluate(INJECTED) == 0, "a payload was parsed as markup"
    assert page.evaluate("window.__violations") == [], "the page broke the CSP"


def test_run_search_shows_payloads_as_text(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server.web_url + "runs")
    page.wait_for_selector(".body .row")
    wait_until(page, f"document.body.innerText.includes({TAG!r})")
    text = page.inner_text("body")
    assert TAG in text  # the tag, literally
    assert PAYLOADS[2] in text or FIELD in text  # the attribute (or its column heading)
    _assert_inert(page, dialogs)


def test_builder_shows_payload_names_as_text(server: ServerProcess, page: Page) -> None:
    query = urllib.parse.urlencode({"plot": PLOT})
    dialogs = _open(page, server.web_url + f"build?{query}")
    wait_until(page, f"document.body.innerText.includes({SERIES!r})")
    assert SERIES in page.inner_text("body")
    _assert_inert(page, dialogs)


def test_dashboard_and_lists_show_payloads_as_text(server: ServerProcess, page: Page) -> None:
    dialogs = _open(page, server.web_url + f"?rows={urllib.parse.quote(PLOT)}")
    deadline = time.monotonic() + 15
    while sum(d["points"] for p in plots_state(page) for d in p["datasets"]) < 30:
        assert time.monotonic() < deadline, f"the plot shows no data: {plots_state(page)}"
        time.sleep(0.1)
    assert plots_state(page)[0]["problem"] is None
    _assert_inert(page, dialogs)
    page.goto(server.web_url)
    wait_until(page, f"document.body.innerText.includes({PAYLOADS[1]!r})")  # the plot title
    _assert_inert(page, dialogs)
    page.goto(server.web_url + "dashboards")
    wait_until(page, f"document.body.innerText.includes({PLOT!r})")
    _assert_inert(page, dialogs)


def test_login_in_the_browser(tmp_path: Path, page: Page) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as proc:
        with Client(proc.uri, token=TOKEN) as client:
            seed(client)
        dialogs = _open(page, proc.web_url + "runs")
        page.wait_for_selector("form input[name=token]")
        assert "/login?next=" in page.url
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_selector(".body .row")
        assert page.url == proc.web_url + "runs"
        wait_until(page, "document.querySelector('.live') && "
                         "document.querySelector('.live').textContent.trim() === 'live'")
        _assert_inert(page, dialogs)


def test_a_read_only_server_turns_change_controls_off(tmp_path: Path, page: Page) -> None:
    with ServerProcess(str(tmp_path)) as proc, Client(proc.uri) as client:
        seed(client)
    with ServerProcess(str(tmp_path), extra_args=["--read-only"]) as proc:
        _open(page, proc.web_url + "runs")
        page.wait_for_selector(".read-only")
        page.wait_for_selector(".body .row")
        page.check(".body .row input[type=checkbox]")
        page.fill("input[aria-label='tag to add or remove']", "x")
        for label in ("Add tag", "Remove tag", "Delete…"):
            assert page.is_disabled(f"button:has-text('{label}')"), label
