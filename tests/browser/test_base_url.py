"""The UI behind a reverse proxy at /sv (`serve --base-url /sv`), in headless Chromium:
pages, links, API calls and the live WebSocket all stay under the prefix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess
from tests.web.proxy import running_proxy

from .explore_fixtures import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

PREFIX = "/sv"
LIVE = ("document.querySelector('.live') && "
        "document.querySelector('.live').textContent.trim() === 'live'")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    with ServerProcess(str(tmp_path_factory.mktemp("prefix")),
                       extra_args=["--base-url", PREFIX]) as server:
        origin = server.web_url.split(PREFIX)[0]
        with running_proxy(origin, PREFIX) as url:
            yield server, url


def test_the_ui_works_under_the_prefix(proxied: tuple[ServerProcess, str], page: Page) -> None:
    server, url = proxied
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    with Client(server.uri) as client:
        client.create_run(tags=["behind-proxy"])
    page.goto(url)
    page.click("nav a:has-text('Run search')")
    page.wait_for_selector(".body .row")
    assert page.url == url + "runs"
    wait_until(page, LIVE)  # the WebSocket connected through the proxy
    assert "behind-proxy" in page.inner_text(".body")
    # A run created now arrives over the live socket.
    with Client(server.uri) as client:
        client.create_run(tags=["arrived-live"])
    wait_until(page, "document.querySelector('.body').innerText.includes('arrived-live')")
    page.reload()  # the URL under the prefix is a real page
    page.wait_for_selector(".body .row")
    outside = [r for r in requests if r.startswith("http") and PREFIX + "/" not in r
               and not r.endswith("/favicon.ico")]  # the browser's own, at the root
    assert not outside, f"requests left the prefix: {outside}"
