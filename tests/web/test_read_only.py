"""`serve --read-only`: the HTTP API refuses every change with a clear message and says
so in `/api/info`, on a real server process (the UI side is in tests/browser)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from starlette.routing import Route

from streamvis.client import Client
from streamvis.store import open_store
from streamvis.testing import ServerProcess
from streamvis.web.app import create_app

RUN = "00000000-0000-0000-0000-000000000001"
PLOT = {"name": "p", "kind": "line",
        "datasets": [{"series": "s", "bindings": {"x": "x", "y": "x"}}]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    location = str(tmp_path_factory.mktemp("read-only"))
    with ServerProcess(location) as seed, Client(seed.uri) as client, \
            httpx.Client(base_url=seed.web_url) as http:
        client.create_field("x", "float")
        client.create_series("s", ["x"])
        client.create_run(RUN, tags=["keep"])
        client.append(RUN, "s", {"x": np.arange(1000.0)})
        client.save_plot("p", PLOT)
        assert http.put("/api/dashboards/d", json={
            "name": "d", "layout": "rows=p", "plots": ["p"]}).status_code == 200
    with ServerProcess(location, extra_args=["--read-only"]) as proc:
        yield proc


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.web_url, timeout=30) as client:
        yield client


def test_info_says_read_only(http: httpx.Client) -> None:
    info = http.get("/api/info").json()
    assert info["read_only"] is True
    assert info["auth"] is False
    assert info["limits"]["max_string_length"] > 0


@pytest.mark.parametrize(("method", "path", "body"), [
    ("DELETE", f"/api/runs/{RUN}", None),
    ("POST", f"/api/runs/{RUN}/tags", {"tag": "new"}),
    ("DELETE", f"/api/runs/{RUN}/tags/keep", None),
    ("PUT", "/api/plots/p", PLOT),
    ("PUT", "/api/plots/q", {**PLOT, "name": "q"}),
    ("DELETE", "/api/plots/p", None),
    ("PUT", "/api/dashboards/d2", {"name": "d2", "layout": "rows=p", "plots": ["p"]}),
    ("DELETE", "/api/dashboards/d", None),
])
def test_every_change_is_refused(
    http: httpx.Client, method: str, path: str, body: object
) -> None:
    response = http.request(method, path, json=body)
    assert response.status_code == 403
    assert response.json()["error"] == "PERMISSION_DENIED"
    assert "read-only" in response.json()["message"]


def test_nothing_changed_and_reads_work(http: httpx.Client) -> None:
    runs = http.get("/api/runs").json()
    assert [(r["handle"], r["tags"]) for r in runs] == [(RUN, ["keep"])]
    assert [p["name"] for p in http.get("/api/plots").json()] == ["p"]
    assert [d["name"] for d in http.get("/api/dashboards").json()] == ["d"]


def test_a_writable_server_says_so(tmp_path_factory: pytest.TempPathFactory) -> None:
    with ServerProcess(str(tmp_path_factory.mktemp("rw"))) as proc, \
            httpx.Client(base_url=proc.web_url) as http:
        assert http.get("/api/info").json()["read_only"] is False


#: Routes that take a POST to read (the query is too large for a URL).
READS_BY_POST = {"/api/data", "/api/dataset-summary", "/api/media"}


def _filler(names: dict[str, str]) -> Callable[[re.Match[str]], str]:
    # A parameter of a route added later gets a name the store holds ("s").
    def fill(match: re.Match[str]) -> str:
        return names.get(match[1], "s")
    return fill


def mutating_routes(tmp_path: Path) -> list[tuple[str, str]]:
    """(method, path) of every route of the app's route table that is not a GET or HEAD,
    with its path parameters pointing at what the seeded store holds."""
    with open_store(str(tmp_path / "routes")) as store:
        app = create_app(store)
    values = {"handle": RUN, "tag": "keep", "name": "p"}
    out = []
    for route in app.routes:
        if not isinstance(route, Route) or "{rest:path}" in route.path:
            continue
        for method in sorted((route.methods or set()) - {"GET", "HEAD"}):
            names = {**values, "name": "d" if "dashboards" in route.path else "p"}
            out.append((method, re.sub(r"\{(\w+)(:\w+)?\}", _filler(names), route.path)))
    return out


def snapshot(http: httpx.Client) -> list[Any]:
    data = http.post("/api/data", json={"series": "s"})
    assert data.status_code == 200, data.text
    return [http.get(p).json() for p in
            ("/api/runs", "/api/fields", "/api/series", "/api/plots", "/api/dashboards",
             "/api/tags")] + [data.content]


def test_every_mutating_route_is_refused_and_changes_nothing(
    http: httpx.Client, tmp_path: Path,
) -> None:
    routes = mutating_routes(tmp_path)
    assert ("DELETE", f"/api/runs/{RUN}") in routes
    before = snapshot(http)
    for method, path in routes:
        response = http.request(method, path, json={"tag": "added", **PLOT, "name": "q"})
        if path in READS_BY_POST:
            assert response.status_code != 403, (method, path)
            continue
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] == "PERMISSION_DENIED"
        assert "read-only" in response.json()["message"]
        assert snapshot(http) == before, (method, path)
