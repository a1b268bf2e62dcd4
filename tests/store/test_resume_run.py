"""Resuming a run: the run and its rows are kept and added to, on both backends."""

from __future__ import annotations

import uuid

import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.events import AttributesChanged, Event, RunCreated, TagsChanged
from streamvis.model.schema import RunFilter
from streamvis.store import Store

from .helpers import state, train_columns


def _steps(store: Store, handle: uuid.UUID) -> list[int]:
    out: list[int] = []
    for chunk in store.query(RunFilter(handles=(handle,)), "train", ["step"]):
        out.extend(chunk.batch.column("step").to_pylist())
    return out


@pytest.mark.usefixtures("schema")
def test_resume_keeps_rows_merges_tags_and_sets_attributes(
    store: Store, events: list[Event]
) -> None:
    run = store.create_run(tags=["a", "first"], attributes={"seed": 1, "lr": 0.1},
                           started_at=100.0)
    store.append(run.handle, "train", train_columns([0, 1]), idempotency_key="k")
    events.clear()
    resumed = store.resume_run(run.handle, tags=["a", "second"], attributes={"lr": 0.2},
                               started_at=200.0)
    # The run's own start stays; tags are the union; a given attribute replaces its value.
    assert (resumed.handle, resumed.started_at, resumed.tags) == (
        run.handle, 100.0, ("a", "first", "second"),
    )
    assert resumed.attributes == {"lr": 0.2, "seed": 1}
    assert events == [TagsChanged(resumed), AttributesChanged(resumed)]
    store.append(run.handle, "train", train_columns([2, 3]))
    # The idempotency key of the first append is still known: a resend stores nothing.
    assert store.append(run.handle, "train", train_columns([0, 1]), idempotency_key="k").duplicate
    assert _steps(store, run.handle) == [0, 1, 2, 3]
    assert store.list_runs(RunFilter()) == [store.get_run(run.handle)]


@pytest.mark.usefixtures("schema")
def test_resume_with_nothing_new_publishes_nothing(store: Store, events: list[Event]) -> None:
    run = store.create_run(tags=["a"])
    events.clear()
    assert store.resume_run(run.handle, tags=["a"]) == run
    assert events == []


@pytest.mark.usefixtures("schema")
def test_resume_of_an_absent_run_creates_it(store: Store, events: list[Event]) -> None:
    handle = uuid.uuid4()
    run = store.resume_run(handle, tags=["new"], attributes={"seed": 3}, started_at=5.0)
    assert (run.handle, run.tags, run.attributes, run.started_at) == (
        handle, ("new",), {"seed": 3}, 5.0,
    )
    assert events == [RunCreated(run)]
    assert store.get_run(handle) == run


@pytest.mark.usefixtures("schema")
def test_refused_resume_changes_nothing(store: Store) -> None:
    run = store.create_run(tags=["old"], attributes={"seed": 1})
    store.append(run.handle, "train", train_columns([1]))
    before = state(store)
    with pytest.raises(InvalidArgumentError):
        store.resume_run(run.handle, tags=["new"], attributes={"seed": "one"})
    with pytest.raises(NotFoundError):
        store.resume_run(run.handle, tags=["new"], attributes={"nope": 1})
    with pytest.raises(InvalidArgumentError):
        store.resume_run(run.handle, tags=[" bad"])
    assert state(store) == before
