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
summaries of many chunks decode as one numpy array.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.limits import LINE_CHUNK_BUCKET_RUNS
from streamvis.model.schema import Series

#: Rows per bucket of level 0, and buckets merged per level above.
BASE = 1024
FACTOR = 8
_MAGIC = b"SVL1"
_HEADER = 8  # magic, y kind ('i' or 'f'), padding
#: A stored bucket's first byte: the dtype of its values ('a': x rising by a step,
#: 'c': x's bucket of rows read from the chunk, `IN_CHUNK`; '=': one value repeated,
#: `CONSTANT`).
_DTYPES: dict[str, np.dtype[Any]] = {
    "q": np.dtype("<i8"), "d": np.dtype("<f8"), "f": np.dtype("<f4")}
_KINDS = {dt.str: k.encode() for k, dt in _DTYPES.items()}
#: A y bucket of one value: this byte, its dtype's byte, the count (int64), the value.
CONSTANT = b"="


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


def as_numbers(
    array: pa.Array | pa.ChunkedArray, *, keep_float32: bool = False,
) -> npt.NDArray[Any]:
    """A numeric column as int64 (ints) or float64 (floats), whatever its encoding.

    `keep_float32`: a float32 column stays float32 (a view, no copy); its lowest and
    highest rows are the same as the float64 view's, since widening is exact.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_run_end_encoded(array.type):
        array = pc.run_end_decode(array) if hasattr(pc, "run_end_decode") else array.cast(
            array.type.value_type)
    if keep_float32 and pa.types.is_float32(array.type) and not array.null_count:
        return np.asarray(array.to_numpy(zero_copy_only=False))
    target = pa.int64() if pa.types.is_integer(array.type) else pa.float64()
    return np.asarray(array.cast(target).to_numpy(zero_copy_only=False))


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


def _level0(
    x: npt.NDArray[np.int64] | StepsAt, y: npt.NDArray[Any], dtype: np.dtype[Any],
    width: int = 0,
) -> npt.NDArray[Any]:
    """Records of consecutive `width`-row buckets (default `BASE`), the last maybe shorter."""
    width = width or BASE
    n = y.size
    groups = -(-n // width)
    low_key, high_key = _keys(y)
    starts = np.arange(groups, dtype=np.int64) * width
    ends = np.minimum(starts + width, n) - 1
    lows = starts + _group_arg(low_key, width, high=False)
    highs = starts + _group_arg(high_key, width, high=True)
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


def pieces(
    x: npt.NDArray[np.int64] | StepsAt, y: npt.NDArray[Any], width: int, start: int,
) -> npt.NDArray[Any]:
    """Records of a level-0 bucket's rows cut in pieces of `width` rows, finer than level 0.

    Not stored: the reader makes them from a bucket's rows it reads, so the rows a
    pixel edge cuts through are scanned a piece, not a bucket, at a time. `start`
    is the bucket's first row in its chunk; positions are the chunk's, like a summary's.
    """
    out = _level0(x, y, record_dtype("i" if y.dtype.kind in "iu" else "f"), width)
    for name in ("start", "min_pos", "max_pos"):
        out[name] += start
    return out


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


def bucket_values(values: npt.NDArray[Any], *, x: bool,
                  only: list[int] | None = None) -> list[bytes]:
    """One chunk's column cut into level-0 buckets, each stored as it is read back
    (`only`: those buckets, in that order; by default all).

    A bucket of x rising by a constant step (a step counter) is stored as its first
    value, step and count; a y bucket of one value repeated as that value and its count
    (`CONSTANT`); any other as its values: int64, float64 or float32, with a one-byte
    kind first.
    """
    wanted = range(-(-values.size // BASE)) if only is None else only
    if not x:
        return _y_buckets(values, wanted)
    return _x_buckets(values, wanted)


def _y_buckets(values: npt.NDArray[Any], wanted: Sequence[int]) -> list[bytes]:
    # A bucket of one value repeated (a constant series: a learning rate, an accuracy
    # that has settled) is stored once with its count: the bucket rows were a second
    # copy of every summarized value, half the disk of a scalar run (issue 12).
    kind = _KINDS[values.dtype.str]
    same = _constant(values, wanted)
    out = []
    for b, constant in zip(wanted, same, strict=True):
        part = values[b * BASE : (b + 1) * BASE]
        if constant:
            out.append(CONSTANT + kind + struct.pack("<q", part.size) + part[:1].tobytes())
        else:
            out.append(kind + part.tobytes())
    return out


def _constant(values: npt.NDArray[Any], wanted: Sequence[int]) -> list[bool]:
    """Per wanted bucket, whether all its values are the same bits (so -0.0 beside 0.0
    is not constant and a NaN's payload is kept)."""
    bits = values.view(f"<i{values.dtype.itemsize}")
    grid, rows = _whole_buckets(bits, wanted)
    same = dict(zip(rows, np.all(grid == grid[:, :1], axis=1).tolist(), strict=True))
    for b in wanted:
        if b not in same:  # the last bucket, shorter
            part = bits[b * BASE :]
            same[b] = part.size > 1 and bool(np.all(part == part[0]))
    return [same[b] for b in wanted]


def _whole_buckets(values: npt.NDArray[Any], wanted: Sequence[int]) -> tuple[
        npt.NDArray[Any], list[int]]:
    """The wanted buckets of `values` that hold BASE rows, as the rows of a grid, and
    the bucket of each row: a view of every whole bucket, or a copy of only those wanted
    when fewer are (a point cloud's chunk wants few: no pass over the rest)."""
    full = values.size // BASE
    grid = values[: full * BASE].reshape(full, BASE)
    whole = [b for b in wanted if b < full]
    if len(whole) < full:
        return grid[whole], whole
    return grid, list(range(full))


def _x_buckets(values: npt.NDArray[np.int64], wanted: Sequence[int]) -> list[bytes]:
    # Which of the wanted buckets rise by a constant step, all at once (a chunk has
    # about a thousand). Only those wanted: a point cloud's chunk wants few, its other
    # buckets being read from the chunk (in_chunk), and two passes over every row of
    # x were a tenth of the server's CPU for a cloud (decision 0049).
    grid, rows = _whole_buckets(values, wanted)
    diffs = np.diff(grid, axis=1)  # wraps, no warning
    steps = dict(zip(rows, diffs[:, 0].tolist(), strict=True))
    even = dict(zip(rows, np.all(diffs == diffs[:, :1], axis=1).tolist(), strict=True))
    out = []
    for i in wanted:
        part = values[i * BASE : (i + 1) * BASE]
        if i in steps:
            step, constant = steps[i], even[i]
        else:
            step = int(np.diff(part[:2])[0]) if part.size > 1 else 0
            constant = part.size == 1 or bool(np.all(np.diff(part) == step))
        if constant:
            out.append(b"a" + np.array([part[0], step, part.size], np.int64).tobytes())
        else:
            out.append(_KINDS[part.dtype.str] + part.tobytes())
    return out


def in_chunk(x: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Per level-0 bucket of a chunk's x, whether its rows are read from the chunk.

    A bucket of at most LINE_CHUNK_BUCKET_RUNS runs of one x (a point cloud's
    broadcast step) is cut by a pixel edge only where x changes, so its rows are read
    at most there, or where a range of few rows is sent raw: rarely enough to decode
    them from the chunk rather than store every value of it twice (2.3x the raw bytes
    for a cloud).
    """
    if not x.size:
        return np.zeros(0, np.bool_)
    starts = np.arange(0, x.size, BASE)
    change = np.zeros(x.size, np.int64)
    change[1:] = x[1:] != x[:-1]
    change[starts] = 0  # a bucket's first row starts its first run
    runs = np.add.reduceat(change, starts) + 1
    rows = np.minimum(starts + BASE, x.size) - starts
    # A bucket of no more rows than that costs no more stored than its marker.
    out: npt.NDArray[np.bool_] = (runs <= LINE_CHUNK_BUCKET_RUNS) & (
        rows > LINE_CHUNK_BUCKET_RUNS)
    return out


#: x's bucket row of a bucket read from its chunk: this byte, then its row count; the
#: summarized fields store no row for it.
IN_CHUNK = b"c"


def chunk_bucket(xy: pa.RecordBatch, bucket: int) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[Any]]:
    """Level-0 bucket `bucket` of a chunk's (x, y) as stored: its rows as `line_rows`
    returns them (x int64, y as `bucket_values` keeps it), only its slice decoded, and
    copied (a view would hold the chunk's whole column in memory)."""
    part = xy.slice(bucket * BASE, BASE)
    return (np.array(as_numbers(part.column(0))),
            np.array(as_numbers(part.column(1), keep_float32=True)))


@dataclass(frozen=True, slots=True)
class Steps:
    """An x bucket rising by a constant step (a step counter's), as stored: its first
    value, step and count. A zoom reads a few thousand such buckets beside their y
    rows; writing out each one's 1,024 values, to join them and find the x of a few
    points, was a fifth of a zoom's time at 1 B points."""

    first: int
    step: int
    count: int

    @property
    def size(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return 24

    def values(self, start: int = 0, stop: int | None = None) -> npt.NDArray[np.int64]:
        """Its values from row `start` up to `stop` (default: the last)."""
        end = self.count if stop is None else min(stop, self.count)
        at = np.arange(start, max(start, end), dtype=np.int64)
        out: npt.NDArray[np.int64] = self.first + self.step * at
        return out


class StepsAt:
    """The x of rows of consecutive whole buckets of `Steps`, by row: what `pieces`
    reads of x (a few rows per piece), computed rather than written out."""

    def __init__(self, steps: Sequence[Steps]) -> None:
        self.first = np.array([s.first for s in steps], np.int64)
        self.step = np.array([s.step for s in steps], np.int64)

    def __getitem__(self, at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        bucket = at // BASE
        out: npt.NDArray[np.int64] = self.first[bucket] + self.step[bucket] * (at - bucket * BASE)
        return out


def x_values(x: npt.NDArray[np.int64] | Steps, start: int = 0,
             stop: int | None = None) -> npt.NDArray[np.int64]:
    """A bucket's x as values, rows `start` up to `stop` (default: the last)."""
    if isinstance(x, Steps):
        return x.values(start, stop)
    return x[start:stop]


def decode_x(data: bytes) -> npt.NDArray[np.int64] | Steps:
    """x's values of one bucket stored by `bucket_values`: a `Steps` where stored so."""
    if data[:1] == b"a":
        return Steps(*struct.unpack_from("<qqq", data, 1))
    return decode_bucket(data)


def decode_bucket(data: bytes) -> npt.NDArray[Any]:
    """The values of one bucket stored by `bucket_values`."""
    kind = chr(data[0])
    if kind == "a":
        return Steps(*struct.unpack_from("<qqq", data, 1)).values()
    if data[:1] == CONSTANT:
        (count,) = struct.unpack_from("<q", data, 2)
        one = np.frombuffer(data, _DTYPES[chr(data[1])], count=1, offset=10)
        repeated: npt.NDArray[Any] = np.repeat(one, count)  # bit for bit
        return repeated
    values: npt.NDArray[Any] = np.frombuffer(data, _DTYPES[kind], offset=1)
    return values


def decode_buckets(blobs: list[bytes]) -> npt.NDArray[Any]:
    """The values of consecutive buckets stored by `bucket_values`, as one array.

    A whole line's buckets (thousands) decode in a few numpy calls: the stored values
    joined at once, the runs of a step (first, step, count) unrolled together.
    """
    if not blobs:
        return np.empty(0, np.int64)
    kinds = {b[:1] for b in blobs}
    if len(kinds) == 1 and (kind := chr(blobs[0][0])) in _DTYPES:
        return np.frombuffer(b"".join([memoryview(b)[1:] for b in blobs]), _DTYPES[kind])
    if kinds == {b"a"}:
        head = np.frombuffer(b"".join([memoryview(b)[1:25] for b in blobs]), "<i8").reshape(-1, 3)
        first, step, count = head[:, 0], head[:, 1], head[:, 2]
        if np.all(step == step[0]) and np.all(first[1:] == first[:-1] + step[:-1] * count[:-1]):
            # One step throughout (a step counter's buckets): one range.
            whole: npt.NDArray[Any] = first[0] + step[0] * np.arange(int(count.sum()),
                                                                     dtype=np.int64)
            return whole
        at = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count,
                                                                      count)
        out: npt.NDArray[Any] = np.repeat(first, count) + np.repeat(step, count) * at
        return out
    return np.concatenate([decode_bucket(b) for b in blobs])


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
