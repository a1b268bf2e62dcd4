"""An in-memory cache of decoded data columns, per (run, series, field), bounded by bytes.

A chunk never changes once committed (it is only ever deleted with its run), and
sequences are assigned in commit order, so a column that holds every chunk of its
run up to sequence K can be brought up to date by asking the store only for chunks
after K. Redrawing a plot of ten million points after a zoom then costs no store
read and no decoding, and a live plot reads only the rows that were appended.

Invariant of an entry: it holds exactly the run's chunks with sequence <= `known`,
in ascending sequence. Every store query the cache makes is complete for the range
(after, B] where B is the store's last sequence read before the query (or higher,
if the query returned later chunks), so merging a query only extends entries.
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.limits import DEFAULT_CACHE_BYTES
from streamvis.model.schema import Field, FieldType, RunFilter, Series
from streamvis.store.base import Store

#: The dtype of a `labels` column (the type row's cache codec): codes into its labels.
_CODE = np.dtype(np.int32)


def cache_dtype(type: FieldType) -> np.dtype[Any]:
    """The dtype the cache holds a column of `type` in (its row's codec says how)."""
    row = type.row
    return _CODE if row.cache_codec == "labels" else row.dtype

Key = tuple[uuid.UUID, str, uuid.UUID]  # run, series, field handle
#: Any other entry held under the same byte budget: its key starts with its run,
#: then series, field handle, what it is, and three numbers that say which part.
HeldKey = tuple[uuid.UUID, str, uuid.UUID, str, int, int, int]


@dataclass(frozen=True)
class Summary:
    """What a request asks of a stretch of a numeric column, known without reading it."""

    ordered: bool  # never decreases
    low: float  # smallest finite value (inf if none)
    high: float  # largest finite value (-inf if none)
    has_nan: bool


def summarize(values: npt.NDArray[np.generic]) -> tuple[bool, float, float, bool, float, float]:
    """(ordered, low, high, has_nan, first, last) of one chunk of a numeric column."""
    if values.size == 0 or values.dtype.kind not in "iuf":
        return True, np.inf, -np.inf, False, np.nan, np.nan
    nums: npt.NDArray[Any] = values
    ordered = bool(np.all(nums[1:] >= nums[:-1]))
    low, high = float(nums.min()), float(nums.max())
    has_nan = nums.dtype.kind == "f" and bool(np.isnan(low) or np.isnan(high))
    if has_nan or not (np.isfinite(low) and np.isfinite(high)):
        finite = nums[np.isfinite(nums)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (np.inf, -np.inf)
    return ordered, low, high, has_nan, float(nums[0]), float(nums[-1])


@dataclass(frozen=True)
class ColumnView:
    """One run's column up to a sequence: values (or label codes) and chunk bounds."""

    type: FieldType
    values: npt.NDArray[np.generic]
    labels: tuple[str, ...]  # for strings: what each code stands for
    sequences: npt.NDArray[np.int64]  # per chunk, ascending
    offsets: npt.NDArray[np.int64]  # row where each chunk starts, plus the end
    stats: npt.NDArray[np.float64]  # per chunk: ordered, low, high, has_nan, first, last

    def first_chunk_after(self, sequence: int) -> int:
        return int(np.searchsorted(self.sequences, sequence, "right"))

    def first_row_after(self, sequence: int) -> int:
        """The first row that belongs to a chunk with a sequence above `sequence`."""
        return int(self.offsets[self.first_chunk_after(sequence)])

    def summary(self, chunk: int = 0) -> Summary:
        """The summary of the rows from chunk `chunk` on, from per-chunk statistics."""
        s = self.stats[chunk:]
        if not s.shape[0]:
            return Summary(ordered=True, low=np.inf, high=-np.inf, has_nan=False)
        # Ordered if every chunk is, and each starts no lower than the one before ended.
        ordered = bool(s[:, 0].all()) and bool(np.all(s[1:, 4] >= s[:-1, 5]))
        return Summary(ordered, float(s[:, 1].min()), float(s[:, 2].max()), bool(s[:, 3].any()))

    def to_arrow(self, rows: npt.NDArray[np.int64] | None = None) -> pa.Array:
        """The column (or the given rows of it) as an Arrow array of its field type."""
        values = self.values if rows is None else self.values[rows]
        if self.type.row.cache_codec == "labels":
            # Dictionary-encoded: a repeated label travels once, not once per row.
            return pa.DictionaryArray.from_arrays(
                pa.array(values, pa.int32()), pa.array(self.labels, pa.string())
            )
        return pa.array(values, type=self.type.arrow_type)


class _Growing:
    """A numpy array appended to in place, with slack, so live appends copy rarely.

    Views of its first n rows stay valid: growing copies into a new buffer and
    leaves the old one to whoever still holds a view of it.
    """

    def __init__(self, dtype: np.dtype[Any] | type[np.generic], width: int = 0) -> None:
        self.shape_tail = (width,) if width else ()
        self.data: npt.NDArray[Any] = np.empty((0, *self.shape_tail), dtype)
        self.size = 0

    def extend(self, rows: npt.NDArray[Any]) -> None:
        needed = self.size + rows.shape[0]
        if needed > self.data.shape[0]:
            capacity = max(needed, int(self.size * 1.25) + 64) if self.size else needed
            grown = np.empty((capacity, *self.shape_tail), self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : needed] = rows
        self.size = needed

    def head(self, count: int) -> npt.NDArray[Any]:
        return self.data[:count]


class _Entry:
    """One run's column of one field: every chunk up to `known`, decoded."""

    def __init__(self, type: FieldType) -> None:
        self.type = type
        self.labelled = type.row.cache_codec == "labels"
        self.known = 0
        self.values = _Growing(cache_dtype(type))
        self.sequences = _Growing(np.int64)
        self.offsets = _Growing(np.int64)
        self.offsets.extend(np.zeros(1, np.int64))
        self.stats = _Growing(np.float64, 6)
        self.labels: list[str] = []
        self.codes: dict[str, int] = {}
        self.dead = False  # its run was deleted or replaced: take no more rows

    @property
    def nbytes(self) -> int:
        arrays = (self.values, self.sequences, self.offsets, self.stats)
        return sum(int(a.data.nbytes) for a in arrays) + 64 * len(self.labels)

    def encode(self, array: pa.Array) -> npt.NDArray[np.generic]:
        if not self.labelled:
            return np.asarray(array.to_numpy(zero_copy_only=False), dtype=self.values.data.dtype)
        encoded = array.dictionary_encode()
        local = encoded.dictionary.to_pylist()
        mapping = np.empty(len(local), np.int32)
        for i, label in enumerate(local):
            code = self.codes.get(label)
            if code is None:
                code = self.codes[label] = len(self.labels)
                self.labels.append(label)
            mapping[i] = code
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        return mapping[indices] if indices.size else np.empty(0, np.int32)

    def extend(self, parts: Sequence[tuple[int, npt.NDArray[np.generic]]]) -> None:
        """Append chunks (sequence, values) in ascending sequence."""
        if not parts:
            return
        self.values.extend(np.concatenate([p for _, p in parts]))
        sizes = np.cumsum([p.size for _, p in parts], dtype=np.int64)
        self.offsets.extend(self.offsets.data[self.offsets.size - 1] + sizes)
        self.sequences.extend(np.array([s for s, _ in parts], np.int64))
        self.stats.extend(np.array([summarize(p) for _, p in parts], np.float64))

    def view(self, bound: int) -> ColumnView:
        sequences = self.sequences.head(self.sequences.size)
        count = int(np.searchsorted(sequences, bound, "right"))
        offsets = self.offsets.head(count + 1)
        return ColumnView(
            self.type, self.values.head(int(offsets[-1])), tuple(self.labels),
            sequences[:count], offsets, self.stats.head(count),
        )


class _Held:
    """Something else kept under the cache's budget (line summaries, raw chunks)."""

    def __init__(self, value: object, nbytes: int) -> None:
        self.value, self.nbytes, self.dead = value, nbytes, False


@dataclass(frozen=True)
class Snapshot:
    """Columns of several runs, each complete up to `bound` and nothing after it."""

    bound: int
    columns: dict[uuid.UUID, dict[str, ColumnView]]  # run -> field name -> view


class ColumnCache:
    """Decoded columns per (run, series, field), least recently used evicted first.

    Other readers keep what they derive from the store here too (`hold`, `held`),
    so that one byte budget, the `--cache-mb` setting, bounds all of it.
    """

    def __init__(self, store: Store, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: collections.OrderedDict[Key | HeldKey, _Entry | _Held] = (
            collections.OrderedDict())
        self._bytes: dict[Key | HeldKey, int] = {}
        self._total = 0
        # Bumped when a run's entries (or all) are dropped, so that a request that
        # read before that cannot put back what it read (`hold`'s `since`).
        self._dropped: dict[uuid.UUID, int] = {}
        self._clears = 0
        self.store_reads = 0  # queries sent to the store (for tests and benchmarks)

    @property
    def nbytes(self) -> int:
        return self._total

    def forget_run(self, run: uuid.UUID) -> None:
        """Drop a deleted or replaced run's columns; requests in flight stop adding to them."""
        with self._lock:
            self._dropped[run] = self._dropped.get(run, 0) + 1
            for key in [k for k in self._entries if k[0] == run]:
                self._entries.pop(key).dead = True
                self._total -= self._bytes.pop(key)

    def clear(self) -> None:
        with self._lock:
            self._clears += 1
            for entry in self._entries.values():
                entry.dead = True
            self._entries.clear()
            self._bytes.clear()
            self._total = 0

    def held(self, key: HeldKey) -> object | None:
        """What `hold` keeps under `key`, if it was not evicted since (and marks it used)."""
        with self._lock:
            entry = self._entries.get(key)
            if not isinstance(entry, _Held):
                return None
            self._entries.move_to_end(key)
            return entry.value

    def epoch(self, run: uuid.UUID) -> tuple[int, int]:
        """A token that changes when `run`'s entries are dropped; give it to `hold`."""
        with self._lock:
            return self._clears, self._dropped.get(run, 0)

    def hold(self, key: HeldKey, value: object, nbytes: int, since: tuple[int, int]) -> None:
        """Keep `value` (of about `nbytes`) under the budget, least recently used first out.

        Nothing is kept if the run's entries were dropped after `since` (`epoch`) was
        taken: the value may describe a run that was deleted or replaced meanwhile.
        """
        with self._lock:
            if since != (self._clears, self._dropped.get(key[0], 0)):
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= self._bytes.pop(key)
            self._entries[key] = _Held(value, nbytes)
            self._bytes[key] = 0
            self._account({key})

    def read(self, runs: Sequence[uuid.UUID], series: Series, fields: Sequence[Field]) -> Snapshot:
        """Every chunk of `series` in `runs`, the given fields decoded, up to one bound.

        Blocking: call it from a worker thread.
        """
        high = self.store.last_sequence()
        with self._lock:
            entries = {
                (run, f.name): self._get(run, series.name, f) for run in runs for f in fields
            }
            after = min((e.known for e in entries.values()), default=high)
        bound = high
        fresh: dict[uuid.UUID, list[tuple[int, pa.RecordBatch]]] = {}
        if runs and fields and after < high:
            self.store_reads += 1
            chunks = self.store.query(
                RunFilter(handles=tuple(runs)), series.name, [f.name for f in fields], (), after
            )
            for chunk in chunks:
                fresh.setdefault(chunk.run, []).append((chunk.sequence, chunk.batch))
                bound = max(bound, chunk.sequence)
        with self._lock:
            for (run, name), entry in entries.items():
                if entry.known < bound and not entry.dead:
                    parts = [
                        (seq, entry.encode(batch.column(name)))
                        for seq, batch in fresh.get(run, ())
                        if seq > entry.known
                    ]
                    entry.extend(parts)
                    entry.known = bound
            self._account({(r, series.name, f.handle) for r in runs for f in fields})
            columns: dict[uuid.UUID, dict[str, ColumnView]] = {run: {} for run in runs}
            for (run, name), entry in entries.items():
                columns[run][name] = entry.view(bound)
        return Snapshot(bound, columns)

    def _get(self, run: uuid.UUID, series: str, f: Field) -> _Entry:
        key = (run, series, f.handle)
        entry = self._entries.get(key)
        if not isinstance(entry, _Entry):
            entry = self._entries[key] = _Entry(f.type)
            self._bytes[key] = 0
        self._entries.move_to_end(key)
        return entry

    def _account(self, touched: set[Key] | set[HeldKey]) -> None:
        for key in touched:
            entry = self._entries.get(key)
            if entry is not None:
                size = entry.nbytes
                self._total += size - self._bytes[key]
                self._bytes[key] = size
        while self._total > self.max_bytes and self._entries:
            # Requests in flight keep their reference and may still complete it.
            key, _ = self._entries.popitem(last=False)
            self._total -= self._bytes.pop(key)
