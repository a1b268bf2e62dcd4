"""The plot grammar as the server serves and applies it: `GET /api/info` lists it (and
the front end's test copy of it is the same), a kind added through the registry alone
is accepted over HTTP and gRPC and served by `/api/data`, and a role the kind does not
draw is refused with a reason."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from streamvis.checks.grammar import GRAMMAR, REDUCTIONS, Kind
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.service.server import build_server
from streamvis.service.servicer import Servicer
from streamvis.store import Store
from streamvis.web.api_data import REDUCERS
from streamvis.web.http import WebConfig

from .helpers import SQLITE_ONLY, append_train, error, meta, table

ROOT = Path(__file__).resolve().parents[2]
#: What the front end's unit tests load as the server's grammar (vite.config.ts).
FRONTEND_COPY = ROOT / "frontend" / "src" / "lib" / "api" / "grammar.fixture.json"


@pytest.fixture
def dots() -> Iterator[Kind]:
    """A throwaway kind, made of the scatter's reduction and painter, in the registry only."""
    kind = GRAMMAR.register_kind(Kind(
        "dots", "Dots", "a test's kind", ("x", "y", "color"), ("x", "y"),
        reduction="density", painter="scatter"))
    try:
        yield kind
    finally:
        GRAMMAR.unregister_kind("dots")


@contextmanager
def grpc_service(store: Store) -> Iterator[str]:
    """The gRPC service of `store` in this process (so it sees this test's registry)."""
    loop = asyncio.new_event_loop()
    servicer = Servicer(store)
    bound: list[int] = []
    started = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        server, port = build_server(store, servicer=servicer)
        await server.start()
        bound.append(port)
        started.set()
        await stop.wait()
        await server.stop(None)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10), "the gRPC server did not start"
    try:
        yield f"127.0.0.1:{bound[0]}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        servicer.join()
        loop.close()


def test_every_reduction_has_a_reducer():
    assert set(REDUCERS) == set(REDUCTIONS)


@SQLITE_ONLY
def test_info_serves_the_grammar_and_the_front_end_copy_is_the_same(http):
    served = http.get("/api/info").json()["grammar"]
    assert served == GRAMMAR.as_json()
    assert [k["id"] for k in served["kinds"]] == [
        "line", "scatter", "histogram", "heatmap", "bar", "box", "stem", "area", "band",
        "text", "table", "media", "scatter3d", "surface", "contour", "quiver", "mesh",
        "parallel"]
    copy = json.loads(FRONTEND_COPY.read_text(encoding="utf-8"))
    assert copy == served, (
        f"{FRONTEND_COPY.relative_to(ROOT)} is not the grammar the server serves: run "
        "scripts/gen-grammar")


@SQLITE_ONLY
@pytest.mark.parametrize("web_config", [WebConfig(max_points=1000)])
@pytest.mark.usefixtures("schema")
def test_a_kind_added_to_the_registry_is_accepted_listed_and_served(http, store, dots):  # noqa: ARG001
    spec = {"kind": "dots", "datasets": [{"series": "train",
                                          "bindings": {"x": "step", "y": "loss"}}]}
    assert http.put("/api/plots/cloud", json=spec).json() == {**spec, "name": "cloud"}
    kinds = http.get("/api/info").json()["grammar"]["kinds"]
    assert {"id": "dots", "label": "Dots", "hint": "a test's kind", "roles": ["x", "y", "color"],
            "required": ["x", "y"], "reduction": "density", "painter": "scatter",
            "one_of": [], "scales": ["x", "y", "x2", "y2"]} in kinds
    # Its data are thinned as a scatter's are.
    run = store.create_run()
    loss = np.random.default_rng(0).normal(0, 1e-3, 5000)
    loss[17] = 50.0  # an outlier, alone in its screen cell, as in the scatter's test
    append_train(store, run.handle, np.arange(5000), loss)
    body = {"series": "train", "kind": "dots", "x": "step", "y": "loss"}
    reply = table(http.post("/api/data", json=body))
    assert meta(reply)["reduced"] == "density" and 500 < reply.num_rows <= 1100
    assert 50.0 in reply.column("loss").to_pylist()
    assert '"x" and "y"' in error(http.post("/api/data", json={**body, "y": None}), 400)
    # It draws no group: a binding to it is refused, naming the roles it has.
    grouped = {"kind": "dots", "datasets": [{"series": "train", "bindings": {
        "x": "step", "y": "loss", "group": "run"}}]}
    assert ("a dots plot does not draw group (line, scatter, stem, area, band plots draw it); a "
            "dots plot's roles are x, y, color") in error(
                http.put("/api/plots/g", json=grouped), 400)
    with grpc_service(store) as uri, Client(uri) as client:
        assert client.save_plot("cloud2", spec)["kind"] == "dots"
        with pytest.raises(InvalidArgumentError, match="a dots plot does not draw group"):
            client.save_plot("g", grouped)
    assert sorted(p["name"] for p in http.get("/api/plots").json()) == ["cloud", "cloud2"]


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_a_role_the_kind_does_not_draw_is_refused_naming_the_kinds_that_do(http):
    spec = {"kind": "line", "datasets": [{"series": "train", "bindings": {
        "x": "step", "y": "loss", "z": "lr"}}]}
    assert ("datasets[0].bindings.z: a line plot does not draw z (scatter3d, surface, contour, "
            "mesh plots draw it)"
            in error(http.put("/api/plots/p", json=spec), 400))
    sized = {"kind": "line", "datasets": [{"series": "train", "bindings": {
        "x": "step", "y": "loss", "size": "lr"}}]}
    assert "a line plot does not draw size (scatter, scatter3d plots draw it)" in error(
        http.put("/api/plots/p", json=sized), 400)
    assert http.get("/api/plots").json() == []
    assert "kind 'dots' is not one of line, scatter, histogram" in error(
        http.post("/api/data", json={"series": "train", "kind": "dots"}), 400)
