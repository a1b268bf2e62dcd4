"""`serve --base-url /sv` behind a real reverse proxy (tests/web/proxy.py): the API, the
UI's index and assets, the live WebSocket and the login flow all stay under the prefix.
The browser side is tests/browser/test_base_url.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .proxy import running_proxy

PREFIX = "/sv"
TOKEN = "prefix-token-0123456789abcdef"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("base-url")),
                       extra_args=["--base-url", PREFIX]) as proc:
        yield proc


def _origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url)
    assert match
    return match[1]


@pytest.mark.parametrize("strip", [True, False], ids=["proxy-strips", "proxy-passes"])
def test_the_app_works_through_a_proxy(server: ServerProcess, strip: bool) -> None:
    assert server.web_url.endswith(f"{PREFIX}/")
    with running_proxy(_origin(server.web_url), PREFIX, strip=strip) as url, \
            httpx.Client(base_url=url, timeout=30) as http:
        index = http.get(url)
        assert index.status_code == 200
        assert f'<base href="{PREFIX}/">' in index.text
        assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', index.text)
        assert assets, "the built index.html should refer to its assets relatively"
        for asset in assets:
            assert http.get(url + asset).status_code == 200, asset
        assert http.get(url + "runs").text == index.text  # an app route gets the UI
        assert http.get(url + "api/info").json()["base_url"] == PREFIX
        ws_url = url.replace("http://", "ws://") + "api/events"
        with connect(ws_url, open_timeout=10) as ws, Client(server.uri) as client:
            client.create_run(tags=["through-the-proxy"])
            message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "run_created"
        assert message["run"]["tags"] == ["through-the-proxy"]


def test_login_stays_under_the_prefix(tmp_path_factory: pytest.TempPathFactory) -> None:
    with ServerProcess(str(tmp_path_factory.mktemp("base-url-auth")),
                       extra_args=["--base-url", PREFIX, "--token", TOKEN]) as server, \
            running_proxy(_origin(server.web_url), PREFIX) as url, \
            httpx.Client(timeout=30) as http:
        page = http.get(url + "runs")
        assert page.status_code == 303
        assert page.headers["location"] == f"{PREFIX}/login?next=%2Fsv%2Fruns"
        login = http.post(url + "login", data={"token": TOKEN, "next": f"{PREFIX}/runs"})
        assert login.status_code == 303
        assert login.headers["location"] == f"{PREFIX}/runs"
        assert f"Path={PREFIX}" in login.headers["set-cookie"]
        assert http.get(url + "api/runs").status_code == 200
