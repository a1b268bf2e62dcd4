"""Concurrent writers and a live reader: sequence numbers follow commit order."""

from __future__ import annotations

import random
import threading

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.events import Event, RowsAppended
from streamvis.model.schema import RunFilter
from streamvis.store import Store

WRITERS = 4
APPENDS = 25


@pytest.mark.usefixtures("schema")
def test_live_readers_see_every_chunk_once(store: Store) -> None:
    runs = [store.create_run() for _ in range(WRITERS)]
    published: list[int] = []

    def on_event(event: Event) -> None:
        if isinstance(event, RowsAppended):
            published.append(event.sequence)

    store.events.subscribe(on_event)
    done = threading.Event()
    errors: list[BaseException] = []
    via_chunks_after: list[int] = []
    via_query: list[int] = []

    def write(index: int) -> None:
        rng = random.Random(index)
        try:
            for i in range(APPENDS):
                # Blobs of very different sizes make slow and fast transactions overlap.
                n = rng.choice((1, 10, 5000, 50_000))
                steps = np.full(n, i, dtype=np.int64)
                store.append(
                    runs[index].handle,
                    "train",
                    {"step": pa.array(steps), "loss": pa.array(steps * 0.5)},
                )
        except BaseException as exc:  # noqa: BLE001 -- checked by the test
            errors.append(exc)

    def poll_chunks_after() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for info in store.chunks_after(cursor, limit=7):
                assert info.sequence > cursor
                cursor = info.sequence
                via_chunks_after.append(cursor)
            if finished and not store.chunks_after(cursor):
                return

    def poll_query() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for chunk in store.query(RunFilter(), "train", ["step"], after_sequence=cursor):
                assert chunk.sequence > cursor
                cursor = chunk.sequence
                via_query.append(cursor)
            if finished and cursor == store.last_sequence():
                return

    def guarded(body: object) -> threading.Thread:
        def run() -> None:
            try:
                body()  # type: ignore[operator]
            except BaseException as exc:  # noqa: BLE001 -- checked by the test
                errors.append(exc)

        return threading.Thread(target=run)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    readers = [guarded(poll_chunks_after), guarded(poll_query)]
    for t in [*readers, *writers]:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in readers:
        t.join(timeout=60)
    assert errors == []
    committed = [c.sequence for c in store.chunks_after(0)]
    assert len(committed) == WRITERS * APPENDS
    assert committed == sorted(set(committed))
    assert via_chunks_after == committed
    assert via_query == committed
    assert published == committed  # events too come in commit order
