"""Each limit of streamvis.model.limits: refused the same way over gRPC and HTTP
(RESOURCE_EXHAUSTED, HTTP 413), the boundary value accepted, and the docs' table in
step with the module."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from streamvis.checks.plot_specs import spec_json
from streamvis.client import Client
from streamvis.model.errors import ResourceExhaustedError
from streamvis.model.limits import (
    MAX_DATASETS,
    MAX_DESCRIPTION_LENGTH,
    MAX_FACET_COLUMNS,
    MAX_PIXELS,
    MAX_SPEC_BYTES,
)
from streamvis.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, httpx.Client]]:
    """The two ways into one server: its gRPC client and its HTTP API."""
    with ServerProcess(str(tmp_path_factory.mktemp("limits"))) as server, \
            Client(server.uri) as client, \
            httpx.Client(base_url=server.web_url, timeout=30) as http:
        yield client, http


def _dataset() -> dict[str, Any]:
    return {"series": "train", "bindings": {"x": "step", "y": "loss"}}


def _plot(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "line", "datasets": [_dataset()], **extra}


def _padded(
    spec: dict[str, Any], name: str, size: int, what: str = "plot spec",
) -> dict[str, Any]:
    """`spec` with a "note" that makes its stored JSON exactly `size` bytes."""
    base = len(spec_json({**spec, "note": ""}, name, what).encode())
    return {**spec, "note": "x" * (size - base)}


def _board(name: str) -> dict[str, Any]:
    return {"name": name, "layout": "rows=a", "plots": ["a"]}


# (what, name -> spec at the limit, name -> spec one past it)
PLOTS: list[tuple[str, Callable[[str], dict[str, Any]], Callable[[str], dict[str, Any]]]] = [
    ("spec bytes", lambda n: _padded(_plot(n), n, MAX_SPEC_BYTES),
     lambda n: _padded(_plot(n), n, MAX_SPEC_BYTES + 1)),
    ("datasets", lambda n: _plot(n, datasets=[_dataset()] * MAX_DATASETS),
     lambda n: _plot(n, datasets=[_dataset()] * (MAX_DATASETS + 1))),
    ("facet columns", lambda n: _plot(n, facet={"columns": MAX_FACET_COLUMNS}),
     lambda n: _plot(n, facet={"columns": MAX_FACET_COLUMNS + 1})),
]


@pytest.mark.parametrize(("what", "at_limit", "over"), PLOTS, ids=[p[0] for p in PLOTS])
def test_plot_limits_are_one_rule_over_grpc_and_http(ways, what, at_limit, over):
    del what
    client, http = ways
    assert client.save_plot("g-ok", at_limit("g-ok"))["name"] == "g-ok"
    assert http.put("/api/plots/h-ok", json=at_limit("h-ok")).status_code == 200
    with pytest.raises(ResourceExhaustedError, match="at most"):
        client.save_plot("g-big", over("g-big"))
    response = http.put("/api/plots/h-big", json=over("h-big"))
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "RESOURCE_EXHAUSTED"
    saved = {p["name"] for p in client.plots()}
    assert {"g-ok", "h-ok"} <= saved and not {"g-big", "h-big"} & saved


def test_dashboard_size_is_the_same_rule_over_grpc_and_http(ways):
    client, http = ways

    def board(name: str, size: int) -> dict[str, Any]:
        return _padded(_board(name), name, size, "dashboard")

    assert client.save_dashboard("g-ok", board("g-ok", MAX_SPEC_BYTES))["name"] == "g-ok"
    assert http.put("/api/dashboards/h-ok", json=board("h-ok", MAX_SPEC_BYTES)).status_code == 200
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_SPEC_BYTES}"):
        client.save_dashboard("g-big", board("g-big", MAX_SPEC_BYTES + 1))
    response = http.put("/api/dashboards/h-big", json=board("h-big", MAX_SPEC_BYTES + 1))
    assert response.status_code == 413 and response.json()["error"] == "RESOURCE_EXHAUSTED"
    saved = {d["name"] for d in client.dashboards()}
    assert {"g-ok", "h-ok"} <= saved and not {"g-big", "h-big"} & saved


def test_description_has_one_limit(ways):
    client, _ = ways
    # Fields are declared over gRPC only; the store refuses past the one limit.
    client.create_field("at-limit", "int", "d" * MAX_DESCRIPTION_LENGTH)
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_DESCRIPTION_LENGTH}"):
        client.create_field("over", "int", "d" * (MAX_DESCRIPTION_LENGTH + 1))
    with pytest.raises(ResourceExhaustedError, match=f"at most {MAX_DESCRIPTION_LENGTH}"):
        client.update_field("at-limit", description="d" * (MAX_DESCRIPTION_LENGTH + 1))
    assert {f.name: f.description for f in client.fields()}["at-limit"] == (
        "d" * MAX_DESCRIPTION_LENGTH)


def test_pixels_past_the_limit_are_413(ways):
    client, http = ways
    client.create_field("step", "int")
    client.create_field("loss", "float")
    client.create_series("train", ["step", "loss"])
    body = {"series": "train", "kind": "line", "x": "step", "y": "loss"}
    assert http.post("/api/data", json={**body, "pixels": MAX_PIXELS}).status_code == 200
    response = http.post("/api/data", json={**body, "pixels": MAX_PIXELS + 1})
    assert response.status_code == 413 and response.json()["error"] == "RESOURCE_EXHAUSTED"


def test_the_security_page_lists_every_limit():
    result = subprocess.run(
        [str(ROOT / "scripts" / "gen-limits-docs"), "--check"], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "PYTHON": sys.executable}, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
