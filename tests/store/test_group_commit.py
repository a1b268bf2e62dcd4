"""Group commit on both stores: appends that arrive while a commit is in flight share
the next transaction; each is acknowledged only once that commit is done; one
member's failure never reaches another.

A commit is held in flight by holding the store's commit lock, which every write
transaction takes before COMMIT (and, on SQLite, before BEGIN): the first append's
transaction cannot finish, and the appends that arrive meanwhile queue for the next.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from streamvis.model.chunks import AppendResult
from streamvis.model.errors import NotFoundError
from streamvis.model.schema import RunFilter
from streamvis.store import Store

from .helpers import train_columns


class Call(threading.Thread):
    """One append on a thread of its own; its result or its error."""

    def __init__(self, fn: Callable[[], AppendResult]) -> None:
        super().__init__(daemon=True)
        self.fn = fn
        self.result: AppendResult | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # noqa: BLE001 -- looked at by the test
            self.error = exc


def committer(store: Store) -> Any:
    return store._group_commit  # type: ignore[attr-defined]


def queued(store: Store) -> int:
    gc = committer(store)
    with gc._changed:
        return len(gc._queue)


def wait_until(what: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not what():
        assert time.monotonic() < deadline, "the appends never queued"
        time.sleep(0.005)


@contextmanager
def commit_in_flight(store: Store, first: Callable[[int], Callable[[], AppendResult]]
                     ) -> Iterator[list[Call]]:
    """Start as many appends `first(i)` as there may be groups in flight (one on
    SQLite) and keep their commits from finishing until the block ends; the appends
    started in the block queue behind them."""
    gc = committer(store)
    lock = store._commit_lock  # type: ignore[attr-defined]
    lock.acquire()
    try:
        calls = [Call(first(i)) for i in range(gc._max_leaders)]
        wait_until(lambda: gc._leaders == gc._max_leaders and queued(store) == 0)
        yield calls
    finally:
        lock.release()


def append(store: Store, run: Any, step: int, key: str | None = None) -> Callable[[], Any]:
    return lambda: store.append(run, "train", train_columns([step]), key)


@pytest.mark.usefixtures("schema")
def test_appends_during_a_commit_share_the_next_and_wait_for_it(store: Store) -> None:
    run = store.create_run().handle
    gc = committer(store)
    before = (gc.groups, gc.members)
    with commit_in_flight(store, lambda i: append(store, run, -1 - i, f"first{i}")) as first:
        calls = [Call(append(store, run, i, f"k{i}")) for i in range(5)]
        wait_until(lambda: queued(store) == 5)
        # Nothing is acknowledged before its commit: every caller still waits.
        assert all(c.is_alive() for c in [*first, *calls])
    for c in [*first, *calls]:
        c.join(30)
        assert c.error is None, c.error
    leaders = len(first)
    # The five that queued during the commits in flight shared one transaction.
    assert (gc.groups - before[0], gc.members - before[1]) == (leaders + 1, leaders + 5)
    results = [c.result for c in [*first, *calls]]
    assert all(r is not None and not r.duplicate for r in results)
    seqs = [r.sequence for r in results if r is not None]
    assert len(set(seqs)) == leaders + 5
    stored = {c.sequence: c.batch.column("step")[0].as_py()
              for c in store.query(RunFilter(), "train")}
    assert stored == {seq: -1 - i for i, seq in enumerate(seqs[:leaders])} | {
        seq: i for i, seq in enumerate(seqs[leaders:])}


@pytest.mark.usefixtures("schema")
def test_a_failing_member_fails_alone(store: Store) -> None:
    run = store.create_run().handle
    doomed = store.create_run().handle
    with commit_in_flight(store, lambda i: append(store, run, -1 - i)) as first:
        good = [Call(append(store, run, i)) for i in (1, 2)]
        wait_until(lambda: queued(store) == 2)
        # Its run goes after it was looked up, before its group's transaction (this
        # thread holds the commit lock, which is reentrant).
        bad = Call(append(store, doomed, 3))
        wait_until(lambda: queued(store) == 3)
        store.delete_run(doomed)
    for c in [*first, *good, bad]:
        c.join(30)
    assert all(c.error is None for c in [*first, *good])
    assert isinstance(bad.error, NotFoundError), bad.error
    steps = sorted(c.batch.column("step")[0].as_py() for c in store.query(RunFilter(), "train"))
    assert steps == sorted([-1 - i for i in range(len(first))] + [1, 2])


@pytest.mark.usefixtures("schema")
def test_one_key_twice_in_a_group_is_stored_once(store: Store) -> None:
    run = store.create_run().handle
    with commit_in_flight(store, lambda i: append(store, run, -1 - i, f"a{i}")) as first:
        calls = [Call(append(store, run, 7, "same")) for _ in range(3)]
        calls.append(Call(append(store, run, 8, "other")))
        wait_until(lambda: queued(store) == 4)
    for c in [*first, *calls]:
        c.join(30)
        assert c.error is None, c.error
    same = [c.result for c in calls[:3] if c.result is not None]
    assert sorted(r.duplicate for r in same) == [False, True, True]
    assert len({r.sequence for r in same}) == 1
    steps = sorted(c.batch.column("step")[0].as_py() for c in store.query(RunFilter(), "train"))
    assert steps == sorted([-1 - i for i in range(len(first))] + [7, 8])
