"""The PostgreSQL replica relay (store/pg_relay.py): payloads, and replicas that hear
each other through it whether or not they serve the web app."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.schema import Field, FieldType, NewRun, Run
from streamvis.store import Store, open_store
from streamvis.store.pg_relay import MAX_PAYLOAD, ReplicaRelay, event_from, payload
from streamvis.testing import ServerProcess


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "data")) as s:
        yield s


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


@pytest.mark.postgres
def test_watch_on_a_replica_without_web_app_hears_another_replicas_writes(pg_dsn: str):
    """Replica B serves gRPC only (--no-web); rows appended through replica A reach a
    Watch on B, because the relay belongs to the store, not to the web app."""
    with ServerProcess(pg_dsn) as a, ServerProcess(pg_dsn, extra_args=["--no-web"]) as b:
        assert b.web_url == ""
        with Client(a.uri) as client, streamvis.connect(b.uri) as sv:
            client.create_field("step", "int")
            client.create_series("train", ["step"])
            events: queue.Queue[ev.Event] = queue.Queue()
            stream = sv.watch()

            def read() -> None:
                for event in stream:
                    events.put(event)

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            try:
                run = client.create_run(tags=["a"])
                sequence = client.append(run.handle, "train", {"step": np.arange(3)}).sequence
                # The declarations' own notifications may still be on their way.
                seen: list[ev.Event] = []
                while len(seen) < 2:
                    event = events.get(timeout=15)
                    if isinstance(event, ev.RunCreated | ev.RowsAppended):
                        seen.append(event)
            finally:
                stream.close()
                reader.join(10)
    assert seen == [ev.RunCreated(run), ev.RowsAppended(run.handle, "train", sequence, 3)]


def test_queued_payloads_go_out_together_none_twice_in_one_statement(sqlite_store):
    """What is queued goes out in one NOTIFY statement, in order; a repeated payload
    starts the next one (PostgreSQL would deliver it once per transaction)."""
    relay = ReplicaRelay(sqlite_store, "unused")
    for text in ["a", "b", "a", "c", "d", None]:
        relay._outbox.put(text)
    assert relay._drain() == (["a", "b"], False)
    assert relay._drain() == (["a", "c", "d"], True)
    relay._outbox.put("e")
    assert relay._drain() == (["e"], False)


def test_a_replica_republishes_others_notifications_and_skips_its_own(sqlite_store):
    """Its own, heard back, are known by how they begin and not parsed (decision 0047)."""
    run = sqlite_store.create_run(tags=["t"])
    relay, other = ReplicaRelay(sqlite_store, "unused"), ReplicaRelay(sqlite_store, "unused")
    heard: list[ev.Event] = []
    sqlite_store.events.subscribe(heard.append)
    relay._on_remote(payload(ev.TagsChanged(run), relay.origin) or "")
    assert heard == []
    relay._on_remote(payload(ev.TagsChanged(run), other.origin) or "")
    assert heard == [ev.TagsChanged(run)]


def test_a_batch_of_runs_reaches_another_replica_whole(pg_dsn: str):
    """5,000 RunCreated notifications sent together all reach the other replica."""
    store_a, store_b = open_store(pg_dsn), open_store(pg_dsn)
    a, b = ReplicaRelay(store_a, pg_dsn), ReplicaRelay(store_b, pg_dsn)
    heard: queue.Queue[ev.Event] = queue.Queue()
    store_b.events.subscribe(heard.put)
    a.start()
    b.start()
    try:
        made = store_a.create_runs([NewRun(tags=["batch"]) for _ in range(5000)])
        got = [heard.get(timeout=30) for _ in made]
        assert [e.run.handle for e in got if isinstance(e, ev.RunCreated)] == [
            r.handle for r in made]
    finally:
        a.stop()
        b.stop()
        store_a.close()
        store_b.close()
