"""Watch: live events of every kind, and resuming with after_sequence."""

from __future__ import annotations

import asyncio
import threading
import uuid

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.errors import (
    AlreadyExistsError,
    NotFoundError,
    ResourceExhaustedError,
    UnavailableError,
)
from streamvis.service.streams import EventBuffer, _EndedError


def append(client: Client, run: uuid.UUID, series: str, field: str, rows: int = 2) -> int:
    return client.append(run, series, {field: np.ones(rows)}).sequence


@pytest.fixture
def series(client: Client, unique) -> tuple[str, str]:
    field = unique("x")
    client.create_field(field, "float")
    name = unique("series")
    client.create_series(name, [field])
    return name, field


def test_every_kind_of_change_is_an_event_in_commit_order(client: Client, watch, unique):
    stream = watch(client)
    field = client.create_field(unique("x"), "float")
    renamed = client.update_field(field.handle, new_name=unique("y"), description="d")
    series = unique("series")
    created_series = client.create_series(series, [renamed.name])
    run = client.create_run(tags=["a"])
    tagged = client.add_tag(run.handle, "b")
    untagged = client.remove_tag(run.handle, "a")
    attributed = client.set_attributes(run.handle, {renamed.name: 0.5})
    sequence = append(client, run.handle, series, renamed.name, rows=3)
    replaced = client.replace_run(run.handle, tags=["c"])
    client.delete_run(run.handle)
    client.delete_empty_series(series)

    assert stream.take(11) == [
        ev.FieldChanged(field),
        ev.FieldChanged(renamed),
        ev.SeriesCreated(created_series),
        ev.RunCreated(run),
        ev.TagsChanged(tagged),
        ev.TagsChanged(untagged),
        ev.AttributesChanged(attributed),
        ev.RowsAppended(run.handle, series, sequence, 3),
        ev.RunReplaced(replaced),
        ev.RunDeleted(run.handle),
        ev.SeriesDeleted(series),
    ]
    assert stream.quiet()


def test_rejected_requests_publish_nothing(client: Client, watch, series):
    name, field = series
    stream = watch(client)
    with pytest.raises(NotFoundError):
        client.append(uuid.uuid4(), name, {field: np.ones(2)})
    with pytest.raises(AlreadyExistsError):
        client.create_series(name, [field])
    marker = client.create_run()
    assert stream.next() == ev.RunCreated(marker)


def test_every_watcher_gets_every_event(client: Client, watch):
    streams = [watch(client) for _ in range(3)]
    runs = [client.create_run() for _ in range(5)]
    for stream in streams:
        assert stream.take(5) == [ev.RunCreated(r) for r in runs]


def test_reconnecting_with_after_sequence_replays_exactly_what_was_missed(
    client: Client, watch, series
):
    name, field = series
    run = client.create_run().handle
    first = watch(client)
    seen = [append(client, run, name, field) for _ in range(2)]
    got = [e for e in first.take(2) if isinstance(e, ev.RowsAppended)]
    assert [e.sequence for e in got] == seen
    first.close()

    missed = [append(client, run, name, field, rows=k + 1) for k in range(3)]
    second = watch(client, after_sequence=seen[-1])
    assert second.take(3) == [ev.RowsAppended(run, name, s, k + 1) for k, s in enumerate(missed)]
    live = append(client, run, name, field, rows=9)
    assert second.next() == ev.RowsAppended(run, name, live, 9)
    assert second.quiet()


def test_replay_and_live_events_meet_without_gap_or_repeat(client: Client, watch, series):
    """Chunks committed while a watcher replays show up once: either replayed or live."""
    name, field = series
    run = client.create_run().handle
    start = append(client, run, name, field)
    stop = threading.Event()

    def write() -> None:
        with Client(client.uri) as writer:
            for _ in range(300):
                append(writer, run, name, field)
                if stop.is_set():
                    break

    writer = threading.Thread(target=write)
    writer.start()
    try:
        streams = [watch(client, after_sequence=start) for _ in range(3)]
    finally:
        writer.join()
    stored = [c.sequence for c in client.query(name) if c.sequence > start]
    assert len(stored) == 300
    for stream in streams:
        got = [e.sequence for e in stream.take(300) if isinstance(e, ev.RowsAppended)]
        assert got == stored
        assert stream.quiet()


def test_replay_pages_through_many_chunks(client: Client, watch, series):
    name, field = series
    run = client.create_run().handle
    before = append(client, run, name, field)
    # More than one page of replay (REPLAY_PAGE is 1000).
    sequences = [append(client, run, name, field, rows=1) for _ in range(1_050)]
    stream = watch(client, after_sequence=before)
    got = [e.sequence for e in stream.take(1_050) if isinstance(e, ev.RowsAppended)]
    assert got == sequences


def test_client_watch_iterates_replayed_events(client: Client, series):
    name, field = series
    run = client.create_run().handle
    before = append(client, run, name, field)
    sequence = append(client, run, name, field, rows=5)
    events = client.watch(after_sequence=before)
    assert next(iter(events)) == ev.RowsAppended(run, name, sequence, 5)
    events.close()  # type: ignore[attr-defined]


def test_a_watcher_that_falls_behind_is_told_where_to_resume():
    async def scenario() -> None:
        buffer = EventBuffer(asyncio.get_running_loop(), capacity=3)
        run = uuid.uuid4()
        for seq in range(1, 6):  # two more than fit
            buffer.put(ev.RowsAppended(run, "s", seq, 1))
        assert [e.sequence for e in await buffer.take()] == [1, 2, 3]  # type: ignore[union-attr]
        with pytest.raises(_EndedError) as info:
            await buffer.take()
        error = info.value.error(3)
        assert isinstance(error, ResourceExhaustedError)
        assert "after_sequence=3" in str(error)

    asyncio.run(scenario())


def test_a_closed_buffer_tells_the_watcher_the_server_stops():
    async def scenario() -> None:
        buffer = EventBuffer(asyncio.get_running_loop(), capacity=3)
        buffer.put(ev.RunDeleted(uuid.uuid4()))
        buffer.close()
        with pytest.raises(_EndedError) as info:
            await buffer.take()
        error = info.value.error(7)
        assert isinstance(error, UnavailableError)
        assert "after_sequence=7" in str(error)

    asyncio.run(scenario())

