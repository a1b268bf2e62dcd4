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
    __slots__ = ("done", "error", "lead", "result", "work")

    def __init__(self, work: W) -> None:
        self.work = work
        self.done = False  # its group's transaction ended (committed or not)
        self.lead = False  # handed the lead: it commits the next group
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[W, R]):
    """Commits queued work in groups of at most `max_group` members (or `max_bytes`
    of their `size`), each group one transaction of `write`, up to `leaders` groups
    at a time."""

    def __init__(
        self,
        write: Callable[[], AbstractContextManager[Session]],
        run_group: GroupWork[W, R],
        *,
        max_group: int,
        max_bytes: int,
        size: Callable[[W], int],
        leaders: int = 1,
    ) -> None:
        self._write = write
        self._run_group = run_group
        self._max_group = max_group
        self._max_bytes = max_bytes
        self._size = size
        self._changed = threading.Condition()
        self._queue: list[_Entry[W, R]] = []
        #: Groups that may be in flight at once: one where the database runs one writer
        #: at a time (SQLite); more where transactions overlap and a commit's cost is
        #: mostly waiting (PostgreSQL), so concurrent appends are not serialized.
        self._max_leaders = max(1, leaders)
        self._leaders = 0
        #: Groups committed and members in them (for benchmarks and tests).
        self.groups = 0
        self.members = 0

    def run(self, work: W) -> R:
        """Commit `work` (in a group with whatever else is queued); its result once
        the commit holding it is durable, or the error its work or the commit raised."""
        entry: _Entry[W, R] = _Entry(work)
        with self._changed:
            self._queue.append(entry)
            lead = self._leaders < self._max_leaders
            if lead:
                self._leaders += 1
        while True:
            if lead:
                self._lead()
                lead = False
            with self._changed:
                # Another leader may have taken this entry into its group: wait for it.
                while not entry.done and not entry.lead:
                    self._changed.wait()
                if not entry.lead:
                    break
                entry.lead, lead = False, True  # handed the lead, even if done: take it
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]

    def _take(self) -> list[_Entry[W, R]]:
        with self._changed:
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
        """Commit the oldest queued work as one group (the leader's own entry, unless
        another leader took it first), then hand the lead to the oldest waiter, or
        give it up."""
        group = self._take()
        try:
            if group:
                self._commit(group)
        finally:
            with self._changed:
                for entry in group:
                    entry.done = True
                heir = next((e for e in self._queue if not e.lead), None)
                if heir is not None:
                    heir.lead = True
                else:
                    self._leaders -= 1
                self._changed.notify_all()

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
        with self._changed:  # several leaders may finish at once
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
