"""`serve --read-only`: the HTTP API refuses every change with a clear message and says
so in `/api/info`, on a real server process (the UI side is in tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from streamvis.client import Client
from streamvis.testing import ServerProcess

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
