"""Two web apps on one PostgreSQL database each see the other's writes, live (through
the store's replica relay, store/pg_relay.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pyarrow as pa
import pytest
from websockets.sync.client import connect

from streamvis.store import Store, open_store
from streamvis.web.serving import ThreadedWebServer, WebServer

from .helpers import append_train


@pytest.fixture
def replica(location: str, store: Store) -> Iterator[tuple[Store, WebServer]]:  # noqa: ARG001
    """A second store object on the same database, with its own web app (the 'other
    server'); the test's `store` plays the first server, with a bridge of its own."""
    with open_store(location) as other, ThreadedWebServer(other, pg_dsn=location) as web:
        yield other, web


@pytest.fixture
def writer_web(location: str, store: Store) -> Iterator[WebServer]:
    with ThreadedWebServer(store, pg_dsn=location) as web:
        yield web


@pytest.mark.postgres
@pytest.mark.parametrize("location", ["postgres"], indirect=True)
@pytest.mark.usefixtures("schema", "writer_web")
def test_writes_through_one_replica_reach_the_other_live(store, replica):
    _, web_b = replica
    with connect(f"ws://127.0.0.1:{web_b.port}/api/events", open_timeout=10) as ws:
        run = store.create_run(tags=["x"])
        message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "run_created" and message["run"]["handle"] == str(run.handle)
        seqs = [append_train(store, run.handle, [i, i + 1]) for i in range(3)]
        got = [json.loads(ws.recv(timeout=10)) for _ in range(3)]
        assert [m["sequence"] for m in got] == seqs
        assert all(m["type"] == "rows_appended" and m["rows"] == 2 for m in got)
        store.add_run_tag(run.handle, "y")
        message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "tags_changed" and message["run"]["tags"] == ["x", "y"]
        with httpx.Client(base_url=web_b.url, timeout=30) as http:
            body = {"series": "train", "kind": "line", "x": "step", "y": "loss"}
            t = pa.ipc.open_stream(http.post("/api/data", json=body).content).read_all()
            assert t.num_rows == 6
            # A replacement made through the first server empties the second's cache.
            store.replace_run(run.handle)
            assert json.loads(ws.recv(timeout=10))["type"] == "run_replaced"
            t = pa.ipc.open_stream(http.post("/api/data", json=body).content).read_all()
            assert t.num_rows == 0
        store.delete_run(run.handle)
        assert json.loads(ws.recv(timeout=10)) == {"type": "run_deleted",
                                                   "handle": str(run.handle)}


@pytest.mark.postgres
@pytest.mark.parametrize("location", ["postgres"], indirect=True)
@pytest.mark.usefixtures("writer_web")
def test_saved_plots_and_dashboards_reach_the_other_replica_live(store, replica):
    other, web_b = replica
    with connect(f"ws://127.0.0.1:{web_b.port}/api/events", open_timeout=10) as ws:
        store.save_plot("loss", {"name": "loss", "kind": "line"})
        assert json.loads(ws.recv(timeout=10)) == {"type": "plot_changed", "name": "loss",
                                                   "deleted": False}
        store.save_dashboard("overview", {"layout": "rows=loss", "plots": ["loss"]})
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed",
                                                   "name": "overview", "deleted": False}
        assert other.get_dashboard("overview")["plots"] == ["loss"]
        store.delete_dashboard("overview")
        assert json.loads(ws.recv(timeout=10)) == {"type": "dashboard_changed",
                                                   "name": "overview", "deleted": True}
