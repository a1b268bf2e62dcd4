"""Live events over the WebSocket: every kind arrives, reconnecting misses nothing."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from streamvis.model.schema import FieldType
from streamvis.web.live import Client
from streamvis.web.serving import WebServer

from .helpers import SQLITE_ONLY, append_train


@contextmanager
def events(web: WebServer, after: int | None = None) -> Iterator[ClientConnection]:
    query = "" if after is None else f"?after_sequence={after}"
    with connect(f"ws://127.0.0.1:{web.port}/api/events{query}", open_timeout=10) as ws:
        yield ws


def receive(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return message


@pytest.mark.usefixtures("schema")
def test_every_kind_of_event_arrives_in_commit_order(web, store):
    with events(web) as ws:
        run = store.create_run(tags=["a"], attributes={"lr": 0.5})
        got = receive(ws)
        assert got == {"type": "run_created", "run": {
            "handle": str(run.handle), "started_at": run.started_at, "tags": ["a"],
            "attributes": {"lr": 0.5}}}
        seq = append_train(store, run.handle, [1, 2, 3])
        assert receive(ws) == {"type": "rows_appended", "run": str(run.handle),
                               "series": "train", "sequence": seq, "rows": 3}
        store.add_run_tag(run.handle, "b")
        assert receive(ws)["type"] == "tags_changed"
        store.set_run_attributes(run.handle, {"lr": 0.25})
        got = receive(ws)
        assert got["type"] == "attributes_changed" and got["run"]["attributes"] == {"lr": 0.25}
        store.replace_run(run.handle)
        assert receive(ws)["type"] == "run_replaced"
        store.delete_run(run.handle)
        assert receive(ws) == {"type": "run_deleted", "handle": str(run.handle)}
        store.update_field("lr", description="learning rate")
        got = receive(ws)
        assert got["type"] == "field_changed" and got["field"]["description"] == "learning rate"
        store.create_field("extra", FieldType.INT)
        assert receive(ws)["type"] == "field_changed"
        store.create_series("extra_s", ["extra"], x="extra")
        assert receive(ws) == {"type": "series_created",
                               "series": {"name": "extra_s", "fields": ["extra"], "x": "extra"}}
        store.delete_empty_series("extra_s")
        assert receive(ws) == {"type": "series_deleted", "name": "extra_s"}


@pytest.mark.usefixtures("schema")
def test_reconnecting_with_after_sequence_misses_nothing(web, store):
    run = store.create_run()
    seen: list[int] = []
    with events(web) as ws:
        for i in range(3):
            append_train(store, run.handle, [i])
        while len(seen) < 3:
            message = receive(ws)
            if message["type"] == "rows_appended":
                seen.append(message["sequence"])
    # Written while no one listens.
    for i in range(3, 8):
        append_train(store, run.handle, [i])
    with events(web, after=seen[-1]) as ws:
        seen.extend(receive(ws)["sequence"] for _ in range(5))
        append_train(store, run.handle, [8])
        seen.append(receive(ws)["sequence"])
    assert seen == [c.sequence for c in store.chunks_after(0)]


@pytest.mark.usefixtures("schema")
def test_reconnects_during_a_stream_of_appends_see_every_chunk_once(web, store):
    run = store.create_run()
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(60):
                if stop.is_set():
                    return
                append_train(store, run.handle, [i])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    writer = threading.Thread(target=write)
    seen: list[int] = []
    after = store.last_sequence()
    writer.start()
    try:
        # Six short connections, each resuming where the last one stopped.
        for _ in range(6):
            with events(web, after=after) as ws:
                for _ in range(5):
                    message = receive(ws)
                    assert message["type"] == "rows_appended"
                    seen.append(message["sequence"])
            after = seen[-1]
    finally:
        writer.join(60)
        stop.set()
    assert not failures
    with events(web, after=after) as ws:
        while after < store.last_sequence():
            after = receive(ws)["sequence"]
            seen.append(after)
    assert seen == [c.sequence for c in store.chunks_after(0)]


@pytest.mark.usefixtures("schema")
def test_with_no_page_open_appends_do_not_read_the_chunk_log(web, store, monkeypatch):
    """An idle server does not read the log an append; the next client starts at its
    end (no backlog in a burst), one resuming gets every row since, and the log is read
    again while a client is connected."""
    reads: list[int] = []
    chunks_after = store.chunks_after

    def counted(after: int, limit: int | None = None) -> Any:
        reads.append(after)
        return chunks_after(after) if limit is None else chunks_after(after, limit)

    monkeypatch.setattr(store, "chunks_after", counted)
    run = store.create_run()
    with events(web):  # the feed is running; then no one is connected
        pass
    before = store.last_sequence()
    for i in range(20):
        append_train(store, run.handle, [i])
    time.sleep(0.3)  # the feed is woken by the appends meanwhile
    assert reads == []
    with events(web) as ws:
        seq = append_train(store, run.handle, [20])
        assert receive(ws) == {"type": "rows_appended", "run": str(run.handle),
                               "series": "train", "sequence": seq, "rows": 1}
    assert reads and min(reads) >= before + 20  # started at the log's end, not before
    with events(web, after=before) as ws:
        replayed = [receive(ws)["sequence"] for _ in range(21)]
    assert replayed == [c.sequence for c in store.chunks_after(before)]


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_a_client_that_falls_behind_is_told_where_to_resume(web, store):
    run = store.create_run()
    with events(web) as ws:
        seq = append_train(store, run.handle, [1])
        assert receive(ws)["sequence"] == seq
        feed = web.app.state.streamvis_feed
        loop = web.loop
        # What the feed does when a client's queue overflows.
        loop.call_soon_threadsafe(lambda: [c.end() for c in list(feed.clients)])
        message = receive(ws)
        assert message["type"] == "reconnect" and message["after_sequence"] == seq
        assert f"after_sequence={seq}" in message["message"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_a_bad_after_sequence_is_refused_with_a_message(web):
    with events(web) as ws:
        pass
    with connect(f"ws://127.0.0.1:{web.port}/api/events?after_sequence=x") as ws:
        message = receive(ws)
        assert message["type"] == "error" and "after_sequence='x'" in message["message"]
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)


def test_queue_overflow_ends_the_client_once():
    async def scenario() -> list[tuple[int, str]]:
        client = Client(asyncio.Queue(maxsize=2))
        for i in range(5):
            client.offer(i + 1, "m")
        items = []
        while not client.queue.empty():
            items.append(client.queue.get_nowait())
        return items

    # Only the end marker is left: the client reconnects and replays the rest.
    assert asyncio.run(scenario()) == [(-1, "")]
