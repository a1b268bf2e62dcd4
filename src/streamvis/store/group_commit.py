"""Group commit: appends that arrive while a commit is in flight share the next one.

A commit's cost is mostly fixed (SQLite: the WAL's fdatasync; PostgreSQL: the round
trips and the WAL flush), so one transaction for several appends costs little more
than one for a single append. Callers queue their work here; one of them at a time,
the leader, takes everything queued, runs it in one write transaction and commits.
Each caller returns only after the commit that holds its rows is durable, so the
durability promise is the one a transaction per append gave: an acknowledged row is
on disk.

A group is all-or-nothing: if any member's work raises, the transaction rolls back
and each member then runs again alone, so one member's error (a deleted run, an
idempotency key taken) never reaches another. When the leader's group has
committed, it hands the lead to the oldest waiter, so no caller does other callers'
work for long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

from streamvis.store.dialect import Session

W = TypeVar("W")
R = TypeVar("R")

#: Runs one group's work inside an open write transaction: a result per member, in order.
GroupWork = Callable[[Session, Sequence[W]], list[R]]


class _Entry(Generic[W, R]):
    __slots__ = ("error", "event", "lead", "result", "work")

    def __init__(self, work: W) -> None:
        self.work = work
        self.event = threading.Event()
        self.lead = False  # woken to lead the next group, not because it is done
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[W, R]):
    """Commits queued work in groups of at most `max_group` members (or `max_bytes`
    of their `size`), each group one transaction of `write`."""

    def __init__(
        self,
        write: Callable[[], AbstractContextManager[Session]],
        run_group: GroupWork[W, R],
        *,
        max_group: int,
        max_bytes: int,
        size: Callable[[W], int],
    ) -> None:
        self._write = write
        self._run_group = run_group
        self._max_group = max_group
        self._max_bytes = max_bytes
        self._size = size
        self._lock = threading.Lock()
        self._queue: list[_Entry[W, R]] = []
        self._leading = False
        #: Groups committed and members in them (for benchmarks and tests).
        self.groups = 0
        self.members = 0

    def run(self, work: W) -> R:
        """Commit `work` (in a group with whatever else is queued); its result once
        the commit holding it is durable, or the error its work or the commit raised."""
        entry: _Entry[W, R] = _Entry(work)
        with self._lock:
            self._queue.append(entry)
            lead = not self._leading
            self._leading = True
        if not lead:
            entry.event.wait()
            lead = entry.lead  # the lead was handed on; this entry heads the queue
        if lead:
            self._lead()  # a leader's own entry heads the queue, so it is in its group
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]

    def _take(self) -> list[_Entry[W, R]]:
        with self._lock:
            group: list[_Entry[W, R]] = []
            size = 0
            while self._queue and len(group) < self._max_group:
                nbytes = self._size(self._queue[0].work)
                if group and size + nbytes > self._max_bytes:
                    break
                group.append(self._queue.pop(0))
                size += nbytes
            return group

    def _lead(self) -> None:
        """Commit one group (which holds this caller's entry if it is still queued),
        then hand the lead to the oldest waiter, or give it up."""
        group = self._take()
        try:
            if group:
                self._commit(group)
        finally:
            for entry in group:
                entry.event.set()
            with self._lock:
                if self._queue:
                    heir = self._queue[0]
                    heir.lead = True
                    heir.event.set()
                else:
                    self._leading = False

    def _commit(self, group: list[_Entry[W, R]]) -> None:
        if len(group) > 1:
            try:
                results = self._transaction([e.work for e in group])
            except _WorkFailed:
                pass  # rolled back: each member runs again, alone, below
            except BaseException as exc:  # noqa: BLE001 -- the commit failed: for everyone
                for entry in group:
                    entry.error = exc
                return
            else:
                self._done(group, results)
                return
        for entry in group:
            try:
                self._done([entry], self._transaction([entry.work]))
            except _WorkFailed as failed:
                entry.error = failed.__cause__
            except BaseException as exc:  # noqa: BLE001 -- handed to its caller
                entry.error = exc

    def _done(self, group: list[_Entry[W, R]], results: list[R]) -> None:
        self.groups += 1
        self.members += len(group)
        for entry, result in zip(group, results, strict=True):
            entry.result = result

    def _transaction(self, works: list[W]) -> list[R]:
        """Run `works` in one transaction. An error of the work (the transaction rolled
        back, nothing stored) comes as _WorkFailed; one of BEGIN or COMMIT as itself,
        since a failed COMMIT may have stored the group after all."""
        with self._write() as s:
            try:
                return self._run_group(s, works)
            except Exception as exc:
                raise _WorkFailed from exc


class _WorkFailed(Exception):  # noqa: N818 -- internal signal
    """A member's work raised (its __cause__); the group's transaction rolled back."""
