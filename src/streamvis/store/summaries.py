"""Line summaries: per chunk, a small multi-resolution M4 summary of each numeric field.

A line is drawn against x; the summary's x is the int field the series names as
its x, else its first int field (a step counter in the usual case), and every other
numeric field of the series is summarized against it. A series whose named x is a
float field keeps its first int field here: the records hold x as int64 (decision
0045). Per chunk and field, the rows are cut into buckets of
`BASE` rows (level 0); each level above merges `FACTOR` buckets of the one below,
up to a single bucket holding the whole chunk (the top level). Per bucket the
summary keeps its first and last point, its lowest and highest point (the first
of equal ones, NaN losing to any number) with their rows and x, and its row count:
what M4 needs to answer a pixel column that holds the bucket whole, exactly.

A chunk whose x decreases anywhere gets an empty summary: a line over it is
reduced from its raw rows. Summaries are written in the transaction that appends
the chunk; chunks written before summaries existed get theirs on first read.

Values keep their kind: int fields as int64, float fields (float32 or float64) as
float64, both exact. A summary is one fixed-layout record per bucket, so the
summaries of many chunks decode as one numpy array. Each level-0 bucket's raw values
are stored too, for the pixel edges that cut through it (bucket_rows.py).
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.schema import Series
from streamvis.store.bucket_rows import (
    BASE,
    IN_CHUNK,
    as_numbers,
    bucket_values,
    in_chunk,
)

#: Buckets merged per level above level 0 (of BASE rows: bucket_rows.py).
FACTOR = 8
_MAGIC = b"SVL1"
_HEADER = 8  # magic, y kind ('i' or 'f'), padding


@functools.cache
def record_dtype(y_kind: str) -> np.dtype[Any]:
    """One bucket: its level, rows, first/last points, lowest/highest points."""
    y = np.int64 if y_kind == "i" else np.float64
    return np.dtype([
        ("level", np.int64), ("start", np.int64), ("count", np.int64),
        ("x_first", np.int64), ("x_last", np.int64), ("y_first", y), ("y_last", y),
        ("min_pos", np.int64), ("min_x", np.int64), ("min_y", y),
        ("max_pos", np.int64), ("max_x", np.int64), ("max_y", y),
    ])


def _keys(y: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """What the lowest and highest are chosen by: NaN loses to every number."""
    if y.dtype.kind != "f":
        return y, y
    nan = np.isnan(y)
    if not nan.any():
        return y, y
    return np.where(nan, np.inf, y), np.where(nan, -np.inf, y)


def _group_arg(values: npt.NDArray[Any], width: int, *, high: bool) -> npt.NDArray[np.int64]:
    """Per group of `width` consecutive values (the last may be shorter), the offset
    of its first lowest (or highest) value within the group.

    The whole groups are a reshaped view, so no padded copy of the column is made.
    """
    whole = values.size // width
    pick = np.argmax if high else np.argmin
    args = pick(values[: whole * width].reshape(whole, width), axis=1)
    if values.size > whole * width:
        args = np.append(args, pick(values[whole * width:]))
    offsets: npt.NDArray[np.int64] = args.astype(np.int64, copy=False)
    return offsets


def _lowest_highest(y: npt.NDArray[Any], starts: npt.NDArray[np.int64]) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The rows of each BASE-row bucket's (beginning at `starts`) first lowest and first
    highest value, NaN losing to every number. argmin and argmax stop at a bucket's
    first NaN, so the buckets are searched again with NaN keyed away only where one was
    found: a line without NaN costs no pass to look for them."""
    lows = starts + _group_arg(y, BASE, high=False)
    highs = starts + _group_arg(y, BASE, high=True)
    if y.dtype.kind == "f" and (np.isnan(y[lows]).any() or np.isnan(y[highs]).any()):
        low_key, high_key = _keys(y)
        lows = starts + _group_arg(low_key, BASE, high=False)
        highs = starts + _group_arg(high_key, BASE, high=True)
    return lows, highs


def _level0(
    x: npt.NDArray[np.int64], y: npt.NDArray[Any], dtype: np.dtype[Any],
) -> npt.NDArray[Any]:
    """Records of consecutive BASE-row buckets, the last maybe shorter."""
    n = y.size
    groups = -(-n // BASE)
    starts = np.arange(groups, dtype=np.int64) * BASE
    ends = np.minimum(starts + BASE, n) - 1
    lows, highs = _lowest_highest(y, starts)
    out = np.empty(groups, dtype)
    out["level"] = 0
    out["start"], out["count"] = starts, ends - starts + 1
    out["x_first"], out["x_last"] = x[starts], x[ends]
    out["y_first"], out["y_last"] = y[starts], y[ends]
    out["min_pos"], out["min_x"], out["min_y"] = lows, x[lows], y[lows]
    out["max_pos"], out["max_x"], out["max_y"] = highs, x[highs], y[highs]
    return out


def _merge(below: npt.NDArray[Any], level: int) -> npt.NDArray[Any]:
    """The next level: each bucket merges FACTOR consecutive buckets of `below`."""
    m = below.size
    groups = -(-m // FACTOR)
    low_key, _ = _keys(below["min_y"])
    _, high_key = _keys(below["max_y"])
    first = np.arange(groups, dtype=np.int64) * FACTOR
    last = np.minimum(first + FACTOR, m) - 1
    # argmin/argmax return the first of equals, and children are in row order.
    lows = first + _group_arg(low_key, FACTOR, high=False)
    highs = first + _group_arg(high_key, FACTOR, high=True)
    out = np.empty(groups, below.dtype)
    out["level"] = level
    out["start"] = below["start"][first]
    out["count"] = below["start"][last] + below["count"][last] - out["start"]
    for name in ("x_first", "y_first"):
        out[name] = below[name][first]
    for name in ("x_last", "y_last"):
        out[name] = below[name][last]
    for name in ("min_pos", "min_x", "min_y"):
        out[name] = below[name][lows]
    for name in ("max_pos", "max_x", "max_y"):
        out[name] = below[name][highs]
    return out


def summarize(x: npt.NDArray[np.int64], y: npt.NDArray[Any]) -> bytes:
    """The summary of one chunk's (x, y) as stored: empty if x ever decreases."""
    if y.size == 0 or (x.size > 1 and bool(np.any(x[1:] < x[:-1]))):
        return b""
    kind = "i" if y.dtype.kind in "iu" else "f"  # float32 y is widened, exactly, per record
    dtype = record_dtype(kind)
    levels = [_level0(x, y, dtype)]
    while levels[-1].size > 1:
        levels.append(_merge(levels[-1], len(levels)))
    return _MAGIC + kind.encode() + b"\0" * (_HEADER - 5) + b"".join(
        lv.tobytes() for lv in levels)


def head(summary: bytes) -> bytes:
    """The records of a chunk's summary above level 0, as a summary blob of its own.

    The head is what a line over many chunks reads of each: about 1 KiB for a chunk of
    65,536 rows, against 7.5 KiB for the whole summary. A chunk of one bucket has no
    level above 0: its head is that one record.
    """
    if not summary:
        return b""
    dtype = record_dtype(summary[4:5].decode())
    records = np.frombuffer(memoryview(summary)[_HEADER:], dtype)
    low = int(np.count_nonzero(records["level"] == 0))
    if low == records.size:
        return summary
    return bytes(summary[:_HEADER]) + records[low:].tobytes()


def bottom(summary: bytes, rows: int) -> npt.NDArray[Any]:
    """The level-0 records of a chunk of `rows` rows, from its whole summary."""
    dtype = record_dtype(summary[4:5].decode())
    return np.frombuffer(memoryview(summary)[_HEADER:], dtype, count=-(-rows // BASE))


def decode(blobs: list[bytes]) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Records of several chunks' summaries, and how many each chunk has.

    Every blob must be non-empty and of one y kind (one field's summaries).
    """
    kind = blobs[0][4:5].decode() if blobs else "f"
    dtype = record_dtype(kind)
    counts = np.array([(len(b) - _HEADER) // dtype.itemsize for b in blobs], np.int64)
    payload = b"".join(memoryview(b)[_HEADER:] for b in blobs)
    return np.frombuffer(payload, dtype), counts


def summarizable(type_dtype: np.dtype[Any], codec: str) -> bool:
    """Whether a field of this host dtype and cache codec is summarized (numbers)."""
    return codec == "values" and type_dtype.kind in "iuf"


def _int_field(field: tuple[int, np.dtype[Any], str]) -> bool:
    _, dt, codec = field
    return codec == "values" and dt.kind in "iu"


def plan_fields(
    fields: list[tuple[int, np.dtype[Any], str]], named_x: int | None = None,
) -> tuple[int | None, list[int]]:
    """(x field position, positions of the fields summarized against it) of a series.

    `fields` are the series' (id, host dtype, cache codec) in order; `named_x` the
    position of the field the series names as its x. x is that field when it is an
    int field, else the first int field; with none, nothing is summarized.
    """
    if named_x is not None and _int_field(fields[named_x]):
        x: int | None = named_x
    else:
        x = next((i for i, f in enumerate(fields) if _int_field(f)), None)
    if x is None:
        return None, []
    return x, [i for i, (_, dt, codec) in enumerate(fields)
               if i != x and summarizable(dt, codec)]


@dataclass(frozen=True)
class ChunkSummaries:
    """What a chunk's append stores beside it for line plots (store/summary_rows.py)."""

    #: (field id, x field id, summary) for each summarized field.
    summaries: list[tuple[int, int, bytes]]
    #: (field id, bucket, values) of x and each summarized field, ordered chunks only;
    #: a bucket read from its chunk (`in_chunk`) has x's IN_CHUNK row and no other.
    buckets: list[tuple[int, int, bytes]]

    def __bool__(self) -> bool:
        return bool(self.summaries)


def chunk_summaries(
    batch: pa.RecordBatch, fields: list[tuple[int, np.dtype[Any], str]],
    named_x: int | None = None,
) -> ChunkSummaries:
    """The summaries and bucket rows of one chunk (`named_x`: see plan_fields)."""
    x_at, ys = plan_fields(fields, named_x)
    if x_at is None or not ys:
        return ChunkSummaries([], [])
    x = as_numbers(batch.column(x_at))
    x_id = fields[x_at][0]
    rows: list[tuple[int, int, bytes]] = []
    buckets: list[tuple[int, int, bytes]] = []
    chunked = in_chunk(x)
    kept = np.flatnonzero(~chunked).tolist()
    for i in ys:
        y = as_numbers(batch.column(i), keep_float32=True)
        rows.append((fields[i][0], x_id, summary := summarize(x, y)))
        if summary:
            buckets += zip(repeat(fields[i][0]), kept, bucket_values(y, x=False, only=kept))
    if any(summary for *_, summary in rows):
        buckets += zip(repeat(x_id), kept, bucket_values(x, x=True, only=kept))
        buckets += [(x_id, int(b), IN_CHUNK + struct.pack("<q", min(BASE, x.size - b * BASE)))
                    for b in np.flatnonzero(chunked).tolist()]
    return ChunkSummaries(rows, buckets)


def field_plan(frows: list[Any]) -> list[tuple[int, np.dtype[Any], str]]:
    """(id, host dtype, cache codec) of each of a series' FieldRows, in order."""
    return [(r.id, r.field.type.row.dtype, r.field.type.row.cache_codec) for r in frows]


def named_x(series: Series) -> int | None:
    """The position of the field `series` names as its x (None: it names none)."""
    return None if series.x is None else series.fields.index(series.x)


@dataclass(frozen=True)
class LineSummaries:
    """One run's summaries of one field of a series, chunk by chunk in sequence order."""

    x: str  # the field the summaries are against
    sequences: npt.NDArray[np.int64]  # per chunk
    rows: npt.NDArray[np.int64]  # per chunk, its row count
    records: npt.NDArray[Any]  # every chunk's buckets (record_dtype), chunk after chunk
    counts: npt.NDArray[np.int64]  # per chunk, its buckets; 0: x decreases in it

    @property
    def nbytes(self) -> int:
        return int(self.records.nbytes) + 24 * int(self.sequences.size)
