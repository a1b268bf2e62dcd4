"""Hostile HTTP input that once got a 500, against a real `streamvis serve`: JSON
nested past MAX_JSON_DEPTH, paths the file system refuses (a NUL, a segment over 255
bytes), and pages of another origin on the same host. Each is a 4xx that names no
server path, and the store is unchanged."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

import streamvis
from streamvis.client import Client
from streamvis.model.limits import MAX_JSON_DEPTH
from streamvis.testing import ServerProcess
from streamvis.web.http import on_unexpected_error

#: The install directory no answer may show.
INSTALL = str(Path(streamvis.__file__).resolve().parent)
DEEP = "[" * 3000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("hostile"))) as srv:
        yield srv


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.web_url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[Client]:
    with Client(server.uri, timeout=30) as c:
        c.create_field("step", "int")
        c.create_series("train", ["step"])
        c.create_run(tags=["kept"])
        yield c


def snapshot(http: httpx.Client) -> object:
    return [http.get(p).json() for p in ("/api/runs", "/api/tags", "/api/plots",
                                         "/api/dashboards", "/api/fields")]


def refused(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] != "INTERNAL", body
    assert INSTALL not in response.text
    return str(body["message"])


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


DEEP_REQUESTS = [
    ("GET", "/api/runs", "filter"), ("GET", "/api/tags", "filter"),
    ("GET", "/api/common-series", "filter"), ("POST", "/api/data", "body"),
    ("POST", "/api/dataset-summary", "body"), ("PUT", "/api/plots/x", "body"),
    ("PUT", "/api/dashboards/x", "body"),
]


@pytest.mark.parametrize("text", [DEEP, DEEP + "]" * 3000, "{" + '"a":' * 1 + "{" * 3000,
                                  _nested(MAX_JSON_DEPTH + 1)],
                         ids=["open", "closed", "objects", "one-past-the-limit"])
@pytest.mark.parametrize("probe", DEEP_REQUESTS, ids=[f"{m} {p}" for m, p, _ in DEEP_REQUESTS])
@pytest.mark.usefixtures("client")  # the store has something to keep
def test_deeply_nested_json_is_400(http: httpx.Client, server: ServerProcess,
                                   probe: tuple[str, str, str], text: str):
    method, path, where = probe
    before = snapshot(http)
    if where == "filter":
        response = http.request(method, path, params={"filter": text})
    else:
        response = http.request(method, path, content=text.encode(),
                                headers={"content-type": "application/json"})
    assert f"more than {MAX_JSON_DEPTH} levels" in refused(response)
    assert snapshot(http) == before
    assert "RecursionError" not in server.stderr()


def test_nesting_at_the_limit_is_parsed(http: httpx.Client):
    # Read and checked like any filter: an array is not an object.
    message = refused(http.get("/api/runs", params={"filter": _nested(MAX_JSON_DEPTH)}))
    assert "must be a JSON object" in message
    quoted = json.dumps({"tags_any": ["[" * 500]})  # brackets in a string do not nest
    assert http.get("/api/runs", params={"filter": quoted}).status_code == 200


@pytest.mark.parametrize("path", ["/%00", "/assets/%00", "/a%00b.js", "/runs%00",
                                  "/" + "a" * 256, "/assets/" + "b" * 300 + ".js",
                                  "/" + "\u00e9" * 200])
def test_paths_the_file_system_refuses_are_404_without_server_paths(
    http: httpx.Client, server: ServerProcess, path: str,
):
    for method in ("GET", "HEAD"):
        response = http.request(method, path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert INSTALL not in response.text and "static" not in response.text
    assert "Traceback" not in server.stderr()


def test_a_path_too_long_in_all_is_an_app_route(http: httpx.Client):
    # Each segment is a possible file name; the whole is past PATH_MAX, so it is no
    # file, and (like any other path that is no file) the UI answers it.
    response = http.get("/" + "/".join(["c" * 250] * 20))
    assert response.status_code == 200 and INSTALL not in response.text


def test_a_bug_answered_with_500_shows_no_exception_text():
    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": []})
    exc = OSError(36, "File name too long", f"{INSTALL}/web/static/xxx")
    response = asyncio.run(on_unexpected_error(request, exc))
    assert response.status_code == 500
    assert b"OSError" in response.body and INSTALL.encode() not in response.body


def _port(server: ServerProcess) -> int:
    return int(server.web_url.rstrip("/").rsplit(":", 1)[1])


def test_pages_of_other_ports_and_schemes_on_localhost_are_refused(
    server: ServerProcess, client: Client, http: httpx.Client,
):
    port = _port(server)
    run = client.create_run(tags=["origin"])
    url = f"/api/runs/{run.handle}/tags"
    for origin in (f"http://localhost:{port + 1}", "http://localhost:9999", "http://localhost",
                   f"https://localhost:{port}", f"http://127.0.0.1:{port + 1}",
                   f"http://[::1]:{port + 1}", f"http://localhost:{port}0"):
        response = http.post(url, json={"tag": "pwned"}, headers={"origin": origin})
        assert "may not change data" in refused(response, 403), origin
        with pytest.raises(InvalidStatus) as socket_refused, connect(
            server.web_url.replace("http://", "ws://") + "api/events",
            origin=Origin(origin), open_timeout=10,
        ):
            pass
        assert socket_refused.value.response.status_code == 403, origin
    assert http.get(f"/api/runs/{run.handle}").json()["tags"] == ["origin"]
    # The server's own origin, under any loopback name at its port, may.
    for origin in (f"http://localhost:{port}", f"http://127.0.0.1:{port}",
                   f"http://[::1]:{port}"):
        ok = http.post(url, json={"tag": "ours"}, headers={"origin": origin})
        assert ok.status_code == 200, (origin, ok.text)
