"""Chunks' summary records kept in one array that grows in place, found by sequence.

A line plot's reduction reads the heads and level-0 records of the chunks its view
touches (web/summary_lines.py); the column cache keeps every chunk read so far in one
pool per run, field and kind of record, so a later request (a pan, a zoom, a live
refresh) reads only the chunks it has not seen. A pool was one array remade at each
request that read something new: the old records copied beside the new, so a request
cost as much as every record read before it (a 1 % zoom of a billion-point line after
thirty others spent 13 ms of its 60 copying; decision 0057). Here the records sit at
the front of a buffer with room behind them: a request adds its chunks' records in
that room, and only the small index (sequence, start, count a chunk) is remade. A
buffer doubles when full, so each record is copied a bounded number of times.

A pool is shared: the cache hands one to concurrent requests, and requests read it
while another adds to it. What a pool shows is `buffer[:size]`, and what is added goes
behind every pool's size, so no reader sees a record change. Two requests adding to
the same pool at once: the first writes in the room, the second (its pool's size is no
longer the buffer's end) copies into a buffer of its own.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.web.lod_summaries import Records, pool

Ints = npt.NDArray[np.int64]


class _Buffer:
    """Records with room behind them; `used` is where the next may go."""

    def __init__(self, dtype: np.dtype[Any], capacity: int) -> None:
        self.data: npt.NDArray[Any] = np.empty(capacity, dtype)
        self.used = 0
        self.lock = threading.Lock()


class RecordPool:
    """Chunks' records, found by sequence: `found.records` holds them chunk after chunk
    (`found.starts`/`counts` in the order of `seqs`, ascending)."""

    def __init__(self, seqs: Ints, found: Records, buffer: _Buffer | None = None) -> None:
        self.seqs, self.found, self._buffer = seqs, found, buffer
        # What it holds, the room behind its records included.
        held = buffer.data.nbytes if buffer is not None else found.records.nbytes
        self.nbytes = int(held) + 24 * int(seqs.size)

    @staticmethod
    def empty() -> RecordPool:
        none = np.empty(0, np.int64)
        return RecordPool(none, Records(np.empty(0), none, none))

    def has(self, seqs: Ints) -> npt.NDArray[np.bool_]:
        at = np.searchsorted(self.seqs, seqs)
        ok = at < self.seqs.size
        ok[ok] = self.seqs[at[ok]] == seqs[ok]
        return ok

    def find(self, seqs: Ints) -> Records:
        """The records of chunks `seqs` (all in the pool), in that order; no copy."""
        at = np.searchsorted(self.seqs, seqs)
        return Records(self.found.records, self.found.starts[at], self.found.counts[at])

    def only(self, seqs: Ints) -> RecordPool:
        """A pool of just those of `seqs` it has, in an array of their own."""
        keep = np.unique(seqs[self.has(seqs)])  # ascending, as `seqs` must be
        found = self.find(keep)
        return RecordPool(keep, Records(found.take(), (np.cumsum(found.counts) - found.counts)
                                        .astype(np.int64), found.counts))

    def plus(self, seqs: Ints, arrays: list[npt.NDArray[Any]]) -> RecordPool:
        """This pool and chunks `seqs` (none of them in it), whose records are `arrays`."""
        new = pool(arrays)
        if not self.seqs.size:
            return RecordPool(seqs, new)
        size = self.found.records.size
        records, buffer = self._grown(new.records)
        starts = np.concatenate((self.found.starts, new.starts + size))
        counts = np.concatenate((self.found.counts, new.counts))
        every = np.concatenate((self.seqs, seqs))
        order = np.argsort(every, kind="stable")
        return RecordPool(every[order], Records(records, starts[order], counts[order]), buffer)

    def _grown(self, new: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], _Buffer]:
        """This pool's records followed by `new`, and the buffer holding them."""
        old = self.found.records
        size, end = old.size, old.size + new.size
        buffer = self._buffer
        if buffer is not None and buffer.data.dtype == new.dtype:
            with buffer.lock:
                if buffer.used == size and end <= buffer.data.size:
                    buffer.data[size:end] = new  # behind what any pool of it shows
                    buffer.used = end
                    return buffer.data[:end], buffer
        grown = _Buffer(new.dtype, 2 * end)
        grown.data[:size] = old
        grown.data[size:end] = new
        grown.used = end
        return grown.data[:end], grown
