"""The record pool: chunks' records found by sequence, added to in place, never changed
under a reader."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.store.summaries import record_dtype
from streamvis.web.record_pool import RecordPool

_DTYPE = record_dtype("f")


def _records(seq: int, count: int) -> npt.NDArray[Any]:
    """`count` records marked as chunk `seq`'s (start = seq * 1000 + i)."""
    out = np.zeros(count, _DTYPE)
    out["start"] = seq * 1000 + np.arange(count)
    return out


def _starts(pool: RecordPool, seqs: list[int]) -> list[list[int]]:
    found = pool.find(np.asarray(seqs, np.int64))
    return [found.records["start"][s : s + n].tolist()
            for s, n in zip(found.starts.tolist(), found.counts.tolist(), strict=True)]


def _add(pool: RecordPool, seqs: list[int], count: int = 3) -> RecordPool:
    return pool.plus(np.asarray(seqs, np.int64), [_records(q, count) for q in seqs])


def _expected(seqs: list[int], count: int = 3) -> list[list[int]]:
    return [[q * 1000 + i for i in range(count)] for q in seqs]


def test_found_by_sequence_in_the_order_asked() -> None:
    pool = _add(_add(RecordPool.empty(), [5, 1]), [3, 9, 2])
    assert pool.seqs.tolist() == [1, 2, 3, 5, 9]
    assert _starts(pool, [9, 1, 5, 2, 3]) == _expected([9, 1, 5, 2, 3])
    assert pool.has(np.array([1, 4, 9, 10], np.int64)).tolist() == [True, False, True, False]


def test_adding_writes_behind_the_records_instead_of_copying_them() -> None:
    first = _add(_add(RecordPool.empty(), [1, 2]), [3])
    second = _add(first, [4, 5])
    third = _add(second, [6])
    # One buffer: what was there is not copied again (a copy per request cost as much
    # as every record read before it).
    assert np.shares_memory(second.found.records, third.found.records)
    assert second.found.records.ctypes.data == third.found.records.ctypes.data
    assert _starts(third, [1, 2, 3, 4, 5, 6]) == _expected([1, 2, 3, 4, 5, 6])
    # Counted with its room: the cache's budget sees what is held.
    assert third.nbytes >= third.found.records.nbytes


def test_a_pool_read_while_another_adds_is_unchanged() -> None:
    base = _add(_add(RecordPool.empty(), [1, 2]), [3])
    before = base.found.records.copy()
    one = _add(base, [10, 11])
    # A second request adding to the same pool: the room behind it is taken, so it
    # must not write there.
    other = _add(base, [20])
    assert np.array_equal(base.found.records, before)
    assert _starts(one, [1, 2, 3, 10, 11]) == _expected([1, 2, 3, 10, 11])
    assert _starts(other, [1, 2, 3, 20]) == _expected([1, 2, 3, 20])
    assert not other.has(np.array([10], np.int64))[0]


def test_concurrent_adders_each_see_their_own_records() -> None:
    base = _add(_add(RecordPool.empty(), [0]), [1])
    results: dict[int, RecordPool] = {}
    start = threading.Barrier(8)

    def add(k: int) -> None:
        start.wait()
        pool = base
        for j in range(20):
            pool = _add(pool, [100 * (k + 1) + j], count=2 + k)
        results[k] = pool

    threads = [threading.Thread(target=add, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, pool in results.items():
        mine = [100 * (k + 1) + j for j in range(20)]
        assert _starts(pool, [0, 1]) == _expected([0, 1])
        assert _starts(pool, mine) == _expected(mine, count=2 + k)


def test_only_keeps_what_is_asked_in_an_array_of_its_own() -> None:
    pool = _add(_add(RecordPool.empty(), [1, 2, 3]), [4, 5])
    kept = pool.only(np.array([5, 2, 7], np.int64))
    assert kept.seqs.tolist() == [2, 5]
    assert _starts(kept, [2, 5]) == _expected([2, 5])
    assert not np.shares_memory(kept.found.records, pool.found.records)
    assert kept.nbytes < pool.nbytes
