"""A loopback server without a token answers only to loopback names (DNS rebinding) and
refuses changes and live feeds asked for by pages of other sites (the Origin header)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.security import ServeSecurity, normalize_host_names
from streamvis.testing import ServerProcess

TOKEN = "host-check-token-0123456789"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("hosts")),
                       extra_args=["--allowed-host", "Streamvis.Example.org"]) as srv:
        yield srv


def _port(server: ServerProcess) -> int:
    return int(server.web_url.rstrip("/").rsplit(":", 1)[1])


def _socket_url(server: ServerProcess) -> str:
    return server.web_url.replace("http://", "ws://") + "api/events"


def test_loopback_names_and_allowed_hosts_are_answered(server: ServerProcess) -> None:
    port = _port(server)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}",
                 "streamvis.example.org"):
        response = httpx.get(server.web_url + "api/runs", headers={"host": host})
        assert response.status_code == 200, (host, response.text)


def test_other_names_are_refused_with_the_way_out(server: ServerProcess) -> None:
    for host in ("evil.example:8080", "127.0.0.1.evil.example", "", "[::1"):
        response = httpx.get(server.web_url + "runs", headers={"host": host})
        assert response.status_code == 403, host
        body = response.json()
        assert body["error"] == "PERMISSION_DENIED"
        assert "DNS rebinding" in body["message"]
        assert "--allowed-host" in body["message"]
        assert response.headers["x-frame-options"] == "DENY"  # refusals are secured too


def test_changes_from_another_sites_page_are_refused_and_change_nothing(
    server: ServerProcess,
) -> None:
    with Client(server.uri) as client:
        run = client.create_run()
    url = f"{server.web_url}api/runs/{run.handle}/tags"
    for origin in ("http://evil.example", "null", "http://[bad"):
        refused = httpx.post(url, json={"tag": "pwned"}, headers={"origin": origin})
        assert refused.status_code == 403, origin
        assert "may not change data" in refused.json()["message"]
    # Reading is not a change: a cross-site GET cannot read the answer anyway (no CORS).
    assert httpx.get(server.web_url + "api/runs",
                     headers={"origin": "http://evil.example"}).status_code == 200
    assert httpx.get(f"{server.web_url}api/runs/{run.handle}").json()["tags"] == []
    ours = httpx.post(url, json={"tag": "ours"},
                      headers={"origin": f"http://localhost:{_port(server)}"})
    assert ours.status_code == 200, ours.text
    assert ours.json()["tags"] == ["ours"]


def test_the_live_feed_refuses_pages_of_other_sites(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused, \
            connect(_socket_url(server), origin=Origin("http://evil.example"), open_timeout=10):
        pass
    assert refused.value.response.status_code == 403
    assert b"open the live feed" in refused.value.response.body
    # The UI's own page, and scripts (which send no Origin), are let in.
    with connect(_socket_url(server), origin=Origin(server.web_url.rstrip("/")),
                 open_timeout=10) as socket:
        assert socket.protocol.state.name == "OPEN"
    with connect(_socket_url(server), open_timeout=10) as socket:
        assert socket.protocol.state.name == "OPEN"


def test_a_server_with_a_token_answers_any_name(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as srv:
        response = httpx.get(srv.web_url + "api/runs", headers={
            "host": "streamvis.internal", "authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text


def test_which_names_a_server_answers_to() -> None:
    open_laptop = ServeSecurity(allowed_hosts=("proxy.example",))
    assert open_laptop.web_hosts("127.0.0.1") == frozenset(
        {"localhost", "127.0.0.1", "::1", "proxy.example"})
    assert ServeSecurity(token=TOKEN).web_hosts("127.0.0.1") is None
    assert ServeSecurity(no_auth=True).web_hosts("0.0.0.0") is None  # noqa: S104
    assert ServeSecurity(token=TOKEN, allowed_hosts=("a.example",)).web_hosts(
        "0.0.0.0") == frozenset({"a.example"})  # noqa: S104


def test_allowed_host_names_are_checked() -> None:
    assert normalize_host_names([" Proxy.Example.org ", "[::1]"]) == ("proxy.example.org", "::1")
    for bad in ("", "http://x.org", "x.org/path", "a b"):
        with pytest.raises(InvalidArgumentError, match="--allowed-host"):
            normalize_host_names([bad])
