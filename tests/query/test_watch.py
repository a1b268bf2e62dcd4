"""`Connection.watch` against a real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import queue
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError, UnavailableError
from streamvis.query import Connection, EventStream
from streamvis.testing import ServerProcess

from .conftest import World


class Reader:
    """Reads an EventStream on a thread, so that a test can wait with a timeout."""

    def __init__(self, events: EventStream) -> None:
        self.events = events
        self.queue: queue.Queue[ev.Event] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for event in self.events:
            self.queue.put(event)

    def take(self, n: int, timeout: float = 10.0) -> list[ev.Event]:
        try:
            return [self.queue.get(timeout=timeout) for _ in range(n)]
        except queue.Empty:
            raise AssertionError(f"fewer than {n} events within {timeout} s") from None

    def close(self) -> None:
        self.events.close()
        self.thread.join(10)
        assert not self.thread.is_alive(), "closing the stream did not end the iteration"


@pytest.fixture(scope="module")
def live(client: Client, world: World) -> str:  # noqa: ARG001 - after the world's fields
    """A series of its own, so that appends here leave the world's series alone."""
    client.create_series("live", ["step"])
    return "live"


@pytest.fixture
def reader(sv: Connection) -> Iterator[Reader]:
    r = Reader(sv.watch())
    yield r
    r.close()


def test_watch_yields_every_change_made_after_it_returns(
    client: Client, live: str, reader: Reader
):
    run = client.create_run(tags=["live"])
    result = client.append(run.handle, live, {"step": np.arange(3)})
    client.delete_run(run.handle)
    assert reader.take(3) == [
        ev.RunCreated(run), ev.RowsAppended(run.handle, live, result.sequence, 3),
        ev.RunDeleted(run.handle),
    ]


def test_watch_after_a_sequence_replays_the_chunks_stored_since(sv: Connection, world: World):
    _, after, _ = world.chunks[2]
    with sv.watch(after_sequence=after) as events:
        first = [next(events), next(events)]
    assert [(e.run, e.series, e.sequence, e.rows) for e in first] == [  # type: ignore[union-attr]
        (world.runs[name].handle, "train", seq, rows) for name, seq, rows in world.chunks[3:]
    ]


@pytest.mark.usefixtures("world")
def test_leaving_a_for_loop_ends_the_stream(sv: Connection):
    seen = []
    for event in sv.watch(after_sequence=0):
        seen.append(event)
        break
    assert isinstance(seen[0], ev.RowsAppended)
    assert sv.fetch("train", ["step"]).num_rows == 12


def test_close_from_another_thread_ends_a_blocked_iteration(sv: Connection):
    reader = Reader(sv.watch())
    time.sleep(0.2)  # the reader is blocked waiting for an event
    reader.close()
    assert reader.queue.empty()
    assert list(reader.events) == []


def test_closing_the_connection_ends_its_streams(server: ServerProcess):
    sv = streamvis.connect(server.uri)
    events = sv.watch()
    sv.close()
    assert list(events) == []
    events.close()


def test_watch_refuses_a_bad_resume_point_and_an_absent_server(sv: Connection):
    with pytest.raises(InvalidArgumentError, match="after_sequence"):
        sv.watch(after_sequence="5")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="after_sequence"):
        sv.watch(after_sequence=-1)
    with streamvis.connect("127.0.0.1:1") as nowhere, pytest.raises(UnavailableError):
        nowhere.watch()


def test_fetch_streams_with_bounded_memory(client: Client, sv: Connection, live: str):
    """Iterating batches holds about one chunk, not the whole result."""

    run = client.create_run()
    chunks, rows = 12, 100_000
    for k in range(chunks):
        client.append(run.handle, live, {"step": np.arange(k * rows, (k + 1) * rows)})
    per_chunk = rows * (8 + 36 + 4)  # step, the run handle and its offsets
    # This also warms up: pyarrow imports pandas at its first numpy conversion.
    assert sv.fetch(live, runs=[run, uuid.uuid4()]).num_rows == chunks * rows
    tracemalloc.start()
    try:
        total = 0
        with sv.iter_batches(live, runs=run) as stream:
            for batch in stream:
                total += batch.num_rows
                del batch
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == chunks * rows
    assert peak < 3 * per_chunk, f"peak {peak} bytes for chunks of {per_chunk}"
