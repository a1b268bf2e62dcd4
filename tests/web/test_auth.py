"""The token on the web app: login page and cookie, bearer header, WebSocket upgrade,
rate limiting; against a real `streamvis serve --token` process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.model.errors import UnauthenticatedError
from streamvis.model.limits import AUTH_FAILURE_BURST
from streamvis.testing import ServerProcess

TOKEN = "web-token-0123456789abcdef"  # noqa: S105 - a test token
BEARER = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("web-auth")),
                       extra_args=["--token", TOKEN]) as proc:
        yield proc


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.web_url, timeout=30) as client:
        yield client


def _ws_url(server: ServerProcess) -> str:
    return server.web_url.replace("http://", "ws://") + "api/events"


def test_the_api_needs_the_token(http: httpx.Client) -> None:
    refused = http.get("/api/runs")
    assert refused.status_code == 401
    assert refused.json()["error"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in refused.json()["message"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    wrong = http.get("/api/runs", headers={"authorization": "Bearer " + "n" * 26})
    assert wrong.status_code == 401
    assert "wrong" in wrong.json()["message"]
    assert http.get("/api/runs", headers=BEARER).status_code == 200
    assert http.delete("/api/runs/00000000-0000-0000-0000-000000000009").status_code == 401


def test_a_page_without_a_login_redirects_to_the_login_page(http: httpx.Client) -> None:
    page = http.get("/runs?tag=a")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fruns%3Ftag%3Da"
    login = http.get(page.headers["location"])
    assert login.status_code == 200
    assert '<form method="post" action="login">' in login.text
    assert 'value="/runs?tag=a"' in login.text
    assert "<script" not in login.text


def test_logging_in_sets_a_strict_http_only_cookie(http: httpx.Client) -> None:
    wrong = http.post("/login", data={"token": "nope" * 5, "next": "/runs"})
    assert wrong.status_code == 401
    assert "not the right one" in wrong.text
    assert not http.cookies
    ok = http.post("/login", data={"token": TOKEN, "next": "/runs"})
    assert ok.status_code == 303
    assert ok.headers["location"] == "/runs"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # no TLS here; tests/test_tls.py checks the Secure flag
    assert TOKEN not in cookie, "the cookie must not carry the token itself"
    assert http.get("/api/runs").status_code == 200
    assert http.get("/runs").status_code == 200
    http.get("/logout")
    assert http.get("/api/runs").status_code == 401


def test_login_redirects_only_within_the_app(http: httpx.Client) -> None:
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        ok = http.post("/login", data={"token": TOKEN, "next": evil})
        assert ok.headers["location"] == "/", evil


def test_the_websocket_is_checked_at_the_upgrade(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(_ws_url(server), open_timeout=10).close()
    assert refused.value.response.status_code == 401
    with connect(_ws_url(server), additional_headers=BEARER, open_timeout=10) as ws:
        ws.ping().wait(10)
    with httpx.Client(base_url=server.web_url) as http:
        http.post("/login", data={"token": TOKEN, "next": "/"})
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    with connect(_ws_url(server), additional_headers={"cookie": cookie}, open_timeout=10) as ws:
        ws.ping().wait(10)


def test_wrong_tokens_are_rate_limited_per_address(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as server, \
            httpx.Client(base_url=server.web_url, timeout=30) as http:
        for _ in range(AUTH_FAILURE_BURST):
            assert http.post("/login", data={"token": "guess" * 4}).status_code == 401
        guess = {"authorization": f"Bearer {'guess' * 4}"}
        limited = http.get("/api/runs", headers=guess)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "RESOURCE_EXHAUSTED"
        assert http.post("/login", data={"token": "guess" * 4}).status_code == 429
        # The right token is never locked out (issue 11), by header or login form.
        assert http.get("/api/runs", headers=BEARER).status_code == 200
        assert http.post("/login", data={"token": TOKEN}).status_code == 303
        log = server.stderr()
    assert "refused the login page from 127.0.0.1: wrong token" in log
    assert "too many failed token attempts" in log


def test_distinct_guesses_are_limited_and_never_lock_out_the_token(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as server, \
            httpx.Client(base_url=server.web_url, timeout=30) as http:
        statuses = [http.get("/api/runs", headers={"authorization": f"Bearer guess-{i:04d}"})
                    .status_code for i in range(AUTH_FAILURE_BURST + 1)]
        assert statuses == [401] * AUTH_FAILURE_BURST + [429]
        login = http.post("/login", data={"token": "another-guess-0000"})
        assert login.status_code == 429 and int(login.headers["retry-after"]) >= 1
        assert http.get("/api/runs", headers=BEARER).status_code == 200
        # gRPC counts its own attempts: HTTP guesses do not lock out a wrong gRPC client
        # any sooner, nor the right one ever.
        with Client(server.uri, token="grpc-guess-" + "0" * 6) as wrong, \
                pytest.raises(UnauthenticatedError):
            wrong.fields()
        with Client(server.uri, token=TOKEN) as right:
            right.fields()
