"""Two web apps on one PostgreSQL database each see the other's writes, live."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pyarrow as pa
import pytest
from websockets.sync.client import connect

from streamvis.model import events as ev
from streamvis.model.schema import Field, FieldType, Run
from streamvis.store import Store, open_store
from streamvis.web.pg_notify import MAX_PAYLOAD, event_from, payload
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


def test_payloads_carry_ids_only_and_round_trip(sqlite_store):
    sqlite_store.create_field("step", FieldType.INT)
    run = sqlite_store.create_run(tags=["t" * 100] * 1, attributes={})
    field = sqlite_store.list_fields()[0]
    cases: list[ev.Event] = [
        ev.RowsAppended(run.handle, "s" * 128, 42, 7),
        ev.RunCreated(run), ev.RunReplaced(run), ev.TagsChanged(run),
        ev.AttributesChanged(run), ev.RunDeleted(run.handle), ev.FieldChanged(field),
        ev.SeriesDeleted("gone"), ev.PlotChanged("p", deleted=True),
        ev.DashboardChanged("d" * 128, deleted=False),
    ]
    for event in cases:
        text = payload(event, "me")
        assert text is not None and len(text.encode()) <= MAX_PAYLOAD
        body = json.loads(text)
        assert body["o"] == "me"
        assert event_from(body, sqlite_store) == event
    # A run that is gone by the time the notification arrives: nothing to publish.
    gone = Run(uuid.uuid4(), 0.0)
    assert event_from(json.loads(payload(ev.TagsChanged(gone), "x") or ""), sqlite_store) is None
    unknown = Field(uuid.uuid4(), "nope", FieldType.INT)
    assert event_from(json.loads(payload(ev.FieldChanged(unknown), "x") or ""),
                      sqlite_store) is None
    assert event_from({"t": "rows", "r": "not-a-uuid"}, sqlite_store) is None
