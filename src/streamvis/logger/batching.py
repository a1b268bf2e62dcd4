"""From queued writes to wire requests: one AppendToSeries per series batch, in order.

The flusher drains the write queue into a list of items in the order they were
queued. Consecutive writes are grouped per series; a control operation (run creation,
tags, attributes, declarations, a flush barrier) closes the groups before it, so the
server sees every operation in the order the program made it. Each group becomes one
request per field set — split by rows above `max_batch_bytes` — and every request
carries its own idempotency key, so resending it after a lost acknowledgement stores
nothing twice.
"""

from __future__ import annotations

import enum
import math
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from streamvis import wire_columns
from streamvis.logger.buffers import BUFFERS
from streamvis.logger.media import MediaValue, encode
from streamvis.logger.media_send import keep_media
from streamvis.logger.run_columns import Runs, runs_from_writes
from streamvis.logger.tensors import to_host_column
from streamvis.logger.validate import Prepared, SeriesState
from streamvis.model.limits import MAX_ROWS_PER_APPEND
from streamvis.model.types import TypeRow
from streamvis.model.wallclock import TIME, micros
from streamvis.v1 import service_pb2 as pb

Report = Callable[[str], None]


class Kind(enum.IntEnum):
    """What a record asks the server to do; the value is its tag in the spool."""

    CREATE_RUN = 1
    REPLACE_RUN = 2
    SET_ATTRIBUTES = 3
    ADD_TAG = 4
    APPEND = 5
    DECLARE = 6
    SAVE_ARTIFACT = 7  # JSON naming a file in the spool (logger/artifacts.py)
    DECLARE_CONTROLS = 8
    PUT_MEDIA = 9  # JSON naming an encoded media value in the spool (logger/media_send.py)


#: Kinds whose message is JSON bytes rather than a protobuf request.
RAW_KINDS = frozenset({Kind.DECLARE, Kind.SAVE_ARTIFACT, Kind.PUT_MEDIA})


@dataclass(slots=True)
class Record:
    """One ordered request. `message` is a protobuf request, or JSON bytes (DECLARE)."""

    kind: Kind
    message: Any
    provisional: bool = False  # column types were guessed: conform them before sending
    seq: int = 0  # assigned by the flusher; names the spool file
    rows: int = 0


@dataclass(slots=True)
class Barrier:
    """A flush() waiting for everything queued before it to be acknowledged."""

    done: Any  # threading.Event
    target: int = 0  # seq of the last record before it
    errors: list[str] = field(default_factory=list)


#: (state, dict | Prepared, time of the write: a float, or an array of one per row),
#: (None, Record | Barrier, 0.0), or a scalar write's own dict of values holding its
#: state's slot and its time under the keys SLOT and WHEN (LoggerCore.write says why).
Stamp = float | np.ndarray[Any, np.dtype[np.float64]]
Item = tuple[SeriesState | None, Any, Stamp] | dict[Any, Any]
#: Keys of a queued scalar write's dict: ints, so never a field's name.
SLOT, WHEN = 0, 1


def _column(name: str, row: TypeRow, values: Any, into: pb.Column) -> None:
    """Pack a column into the request's own `into` (wire_columns._named: in place)."""
    if isinstance(values, Runs):
        wire_columns.runs_to_pb(name, values.values, values.ends, into)
        return
    if row.wire_column == "strings":
        into.field = name
        into.strings.values.extend(values if isinstance(values, list) else
                                   [str(v) for v in values])
        return
    if row.runs and values.dtype.kind in "iu":
        # A step broadcast to each write's points travels (and is stored) once a write.
        runs = wire_columns.runs_of(values)
        if runs is not None:
            wire_columns.runs_to_pb(name, *runs, into)
            return
    wire_columns.column_to_pb(name, values, into)


def _scalar_column(st: SeriesState, name: str, col: list[Any]) -> Any:
    row = st.rows[name]
    if row.wire_column == "strings":
        return col
    if name in st.numbers and float in set(map(type, col)):
        return np.array(col, dtype=np.float64)
    return np.array(col, dtype=row.dtype)  # OverflowError for an int beyond 64 bits


def _media_column(
    st: SeriesState, name: str, payloads: Sequence[Any], blobs: dict[str, bytes]
) -> list[str]:
    """Encode a media field's values (here, on the flusher thread), each write's value
    broadcast to the write's shape; the references, and the bytes in `blobs`."""
    media, options = st.media[name]
    out: list[str] = []
    for p in payloads:
        value: MediaValue = p.values[name]
        count = value.count or 1
        index = np.broadcast_to(np.arange(count).reshape(value.shape), p.shape).ravel()
        refs: dict[int, str] = {}
        for i in index.tolist():
            if i not in refs:
                data, ref = encode(value, i, media, options)
                BUFFERS.stock()  # the writes meanwhile find buffers ready (buffers.py)
                blobs.setdefault(ref.sha256, data)
                refs[i] = ref.text()
            out.append(refs[i])
    return out


def _host_column(
    st: SeriesState, name: str, payloads: Sequence[Any], blobs: dict[str, bytes]
) -> Any:
    if name in st.media:
        return _media_column(st, name, payloads, blobs)
    row = st.rows[name]
    values = [p.values[name] if isinstance(p, Prepared) else p[name] for p in payloads]
    if row.runs and name not in st.numbers:
        runs = _scalar_runs(values, payloads)
        if runs is not None:
            return runs
    shapes = [p.shape if isinstance(p, Prepared) else () for p in payloads]
    # A provisional number keeps the kind its values have (conformed when sent).
    narrow = row.narrow.dtype if row.narrow is not None else None
    out = to_host_column(values, shapes, None if name in st.numbers else row.dtype, narrow)
    return out.tolist() if row.wire_column == "strings" else out


def _scalar_runs(values: list[Any], payloads: Sequence[Any]) -> Any:
    """An int field given one value a write (a step beside arrays), built as runs of
    the writes' row counts without broadcasting it (run_columns.py); None if any write
    gave it otherwise."""
    for v in values:
        if type(v) is not int and not (
                type(v) is np.ndarray and v.ndim == 0 and v.dtype.kind == "i"):
            return None
    counts = [p.rows if isinstance(p, Prepared) else 1 for p in payloads]
    return runs_from_writes(np.array(values, dtype=np.int64), np.array(counts))


def _columns(
    st: SeriesState, payloads: Sequence[Any], blobs: dict[str, bytes], *, plain: bool = False,
) -> tuple[dict[str, Any], int]:
    if plain or all(type(p) is dict for p in payloads):
        cols = {f: _scalar_column(st, f, [p[f] for p in payloads]) for f in st.fields}
        return cols, len(payloads)
    rows = sum(p.rows if isinstance(p, Prepared) else 1 for p in payloads)
    return {f: _host_column(st, f, payloads, blobs) for f in st.fields}, rows


def _time_column(stamps: Any, into: pb.Column) -> None:
    # Int microseconds, so the rows of one write (one time) travel as one run.
    if isinstance(stamps, Runs):
        wire_columns.runs_to_pb(TIME, stamps.values, stamps.ends, into)
        return
    runs = wire_columns.runs_of(stamps)
    if runs is not None:
        wire_columns.runs_to_pb(TIME, *runs, into)
        return
    wire_columns.column_to_pb(TIME, stamps, into)


def _row_times(payloads: Sequence[Any], times: Sequence[Stamp], *, plain: bool = False) -> Any:
    """One time per row, in int microseconds: each write's time, repeated over the rows
    it gave (a write that gave `_time=` an array has a time per row already:
    validate.given_time). Converted before repeating: once a write, not once a row.
    `plain`: every write a scalar write (one row, a float time), known without looking."""
    if plain:
        return micros(np.array(times, dtype=np.float64))
    if any(type(t) is not float for t in times):
        return micros(np.concatenate([
            t if isinstance(t, np.ndarray) else
            np.full(p.rows if isinstance(p, Prepared) else 1, t, dtype=np.float64)
            for p, t in zip(payloads, times, strict=True)]))
    stamped = micros(np.array(times, dtype=np.float64))
    if all(type(p) is dict for p in payloads):  # one row a write (scalars)
        return stamped
    counts = [p.rows if isinstance(p, Prepared) else 1 for p in payloads]
    return runs_from_writes(stamped, np.array(counts))


def _nbytes(col: Any) -> int:
    if isinstance(col, Runs):
        return col.nbytes  # as it travels, not 8 bytes a row
    if isinstance(col, list):
        return sum(len(s) + 4 for s in col)
    return int(col.nbytes)


def _split(
    cols: dict[str, Any], rows: int, max_bytes: int, writes: int = 0
) -> list[tuple[dict[str, Any], int]]:
    # Times of one-row writes travel plain, 8 bytes a row; those of array writes as runs
    # (_time_column), a few bytes a request, counted like the request's framing: not at all.
    total = sum(_nbytes(c) for f, c in cols.items() if f != TIME)
    if writes >= rows:
        total += 8 * rows
    # The server refuses an append of more rows than MAX_ROWS_PER_APPEND, however small.
    parts = max(1, math.ceil(total / max_bytes), math.ceil(rows / MAX_ROWS_PER_APPEND))
    if parts == 1:
        return [(cols, rows)]
    step = math.ceil(rows / parts)
    return [
        ({f: c[i:i + step] for f, c in cols.items()}, min(step, rows - i))
        for i in range(0, rows, step)
    ]


@dataclass(slots=True)
class _Group:
    """The writes to one series between two control operations, in order."""

    st: SeriesState
    payloads: list[Any] = field(default_factory=list)
    times: list[Stamp] = field(default_factory=list)
    plain: bool = True  # every write a scalar write's own dict


class BatchBuilder:
    """Turns drained items into the ordered records and barriers the flusher delivers."""

    def __init__(
        self, run: str, max_batch_bytes: int, report: Report, writer: str = "",
        media_dir: Path | None = None, *, states: list[SeriesState] | None = None,
    ) -> None:
        self.run = run
        #: The logger's series states by slot: what a queued scalar write names.
        self.states: list[SeriesState] = [] if states is None else states
        #: Where encoded media values wait for their upload (PUT_MEDIA records).
        self.media_dir = media_dir
        self.writer = writer  # the logger's id: each append renews its lease on the run
        self.max_batch_bytes = max_batch_bytes
        self.report = report

    def build(self, items: Sequence[Item]) -> list[Record | Barrier]:
        out: list[Record | Barrier] = []
        groups: dict[int, _Group] = {}
        states = self.states
        # The appends of the last scalar write's group: a run of scalar writes to one
        # series (the common case) costs a type check and two appends a write.
        last: SeriesState | None = None
        add_payload: Callable[[Any], None] = out.append
        add_time: Callable[[Any], None] = out.append
        st: SeriesState | None
        for item in items:
            if type(item) is dict:
                st = states[item[SLOT]]
                if st is not last:
                    group = groups.get(id(st)) or groups.setdefault(id(st), _Group(st))
                    last, add_payload, add_time = st, group.payloads.append, group.times.append
                add_payload(item)
                add_time(item[WHEN])
                continue
            st, payload, when = item
            if st is None:
                self._close(groups, out)
                last = None  # its group is closed
                out.append(payload)
            else:
                group = groups.get(id(st)) or groups.setdefault(id(st), _Group(st))
                group.payloads.append(payload)
                group.times.append(when)
                group.plain = False
        self._close(groups, out)
        return out

    def _close(self, groups: dict[int, _Group], out: list[Record | Barrier]) -> None:
        for group in groups.values():
            out.extend(self._group(group.st, group.payloads, group.times, plain=group.plain))
        groups.clear()

    def _group(
        self, st: SeriesState, payloads: list[Any], times: list[Stamp], *, plain: bool = False,
    ) -> list[Record]:
        """The records of one series' writes; `plain`: every write a scalar write (its
        own dict, a float time), so nothing needs looking at write by write."""
        blobs: dict[str, bytes] = {}
        kept, kept_times = payloads, times
        try:
            cols, rows = _columns(st, payloads, blobs, plain=plain)
        except Exception:  # noqa: BLE001 - one bad value must not sink the batch
            blobs.clear()
            cols, rows, kept, kept_times = self._salvage(st, payloads, times, blobs)
        finally:
            # Encoded (or dropped): their copies serve later writes (logger/media.py).
            for name in st.media:
                for p in payloads:
                    value = p.values[name] if isinstance(p, Prepared) else None
                    if isinstance(value, MediaValue):
                        value.release()
        if rows == 0:
            return []
        cols[TIME] = _row_times(kept, kept_times, plain=plain)
        # The blobs go first: the rows that reference them are refused until they are whole.
        records = [
            Record(Kind.PUT_MEDIA, keep_media(self._media_dir(), sha, data))
            for sha, data in blobs.items()
        ]
        # Times given per row (`_time=` arrays: importers) travel plain, like scalars'.
        per_write = plain or not any(isinstance(t, np.ndarray) for t in kept_times)
        for part, n in _split(cols, rows, self.max_batch_bytes,
                              len(kept_times) if per_write else rows):
            req = pb.AppendToSeriesRequest(
                run=self.run, series=st.name,
                idempotency_key=uuid.uuid4().hex, writer=self.writer,
            )
            # Filled in place: a column built apart is copied again into the request,
            # holding the interpreter lock (wire_columns._named).
            for f in st.fields:
                _column(f, st.rows[f], part[f], req.columns.add())
            _time_column(part[TIME], req.columns.add())
            records.append(Record(Kind.APPEND, req, provisional=st.provisional, rows=n))
        return records

    def _salvage(
        self, st: SeriesState, payloads: list[Any], times: list[Stamp], blobs: dict[str, bytes]
    ) -> tuple[dict[str, Any], int, list[Any], list[Stamp]]:
        """Convert write by write, dropping (and reporting) the ones that fail."""
        good, good_times = [], []
        for p, when in zip(payloads, times, strict=True):
            try:
                _columns(st, [p], {})
            except Exception as exc:  # noqa: BLE001
                self.report(f"dropped a write to series {st.name!r}: {exc}")
            else:
                good.append(p)
                good_times.append(when)
        if not good:
            return {}, 0, [], []
        return (*_columns(st, good, blobs), good, good_times)

    def _media_dir(self) -> Path:
        if self.media_dir is None:
            self.media_dir = Path(tempfile.mkdtemp(prefix="streamvis-media-"))
        return self.media_dir
