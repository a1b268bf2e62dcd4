"""The group commit queue alone (store/group_commit.py), over a transaction that only
records what it ran: every caller gets its own result, exactly once, whatever the
number of leaders; a failing member fails alone; a failed commit fails its group."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from streamvis.store.group_commit import GroupCommit


class Ledger:
    """Transactions as lists of work; `commit_fails` makes the next commit raise."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.committed: list[list[int]] = []
        self.commit_fails = False

    @contextmanager
    def write(self) -> Iterator[Any]:
        tx: list[int] = []
        yield tx
        time.sleep(random.uniform(0, 0.002))
        with self.lock:
            if self.commit_fails:
                self.commit_fails = False
                raise OSError("disk I/O error")
            self.committed.append(tx)

    @staticmethod
    def run_group(tx: Any, works: Sequence[int]) -> list[int]:
        for w in works:
            if w < 0:
                raise ValueError(f"bad work {w}")
            tx.append(w)
        return [w * 10 for w in works]


def committer(ledger: Ledger, leaders: int) -> GroupCommit[int, int]:
    return GroupCommit(ledger.write, ledger.run_group, max_group=8, max_bytes=1 << 20,
                       size=lambda _: 1, leaders=leaders)


@pytest.mark.parametrize("leaders", [1, 4])
def test_every_caller_gets_its_result_once(leaders: int) -> None:
    ledger = Ledger()
    gc = committer(ledger, leaders)
    results: dict[int, int] = {}
    lock = threading.Lock()

    def caller(k: int) -> None:
        for i in range(60):
            w = k * 1000 + i
            r = gc.run(w)
            with lock:
                results[w] = r

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a caller never returned"
    assert results == {w: w * 10 for w in results} and len(results) == 12 * 60
    stored = [w for tx in ledger.committed for w in tx]
    assert sorted(stored) == sorted(results), "a work was stored twice or never"
    assert gc.members == len(stored) and gc.groups == len(ledger.committed)
    assert gc.groups < gc.members, "no two appends ever shared a commit"
    assert gc._leaders == 0


def test_a_failing_member_fails_alone_and_a_failed_commit_fails_its_group() -> None:
    ledger = Ledger()
    gc = committer(ledger, 1)
    gate = threading.Event()
    original = ledger.run_group

    def slow_first(tx: Any, works: Sequence[int]) -> list[int]:
        if works == [0]:
            gate.wait(10)  # hold the first commit in flight while the others queue
        return original(tx, works)

    gc._run_group = slow_first
    out: dict[int, object] = {}

    def call(w: int) -> None:
        try:
            out[w] = gc.run(w)
        except Exception as exc:  # noqa: BLE001 -- looked at below
            out[w] = exc

    first = threading.Thread(target=call, args=(0,))
    first.start()
    while gc._leaders == 0:
        time.sleep(0.001)
    others = [threading.Thread(target=call, args=(w,)) for w in (1, -2, 3)]
    for t in others:
        t.start()
    while len(gc._queue) < 3:
        time.sleep(0.001)
    gate.set()
    for t in [first, *others]:
        t.join(10)
    assert out[0] == 0 and out[1] == 10 and out[3] == 30
    assert isinstance(out[-2], ValueError)
    assert sorted(w for tx in ledger.committed for w in tx) == [0, 1, 3]

    # A commit that fails is not retried: every member of its group gets the error.
    ledger.commit_fails = True
    with pytest.raises(OSError, match="disk I/O"):
        gc.run(5)
    assert 5 not in [w for tx in ledger.committed for w in tx]
