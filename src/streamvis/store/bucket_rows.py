"""Level-0 bucket rows: each summarized field's values, a bucket of BASE rows a row,
stored beside the chunk, and read back.

A line's summaries (summaries.py) answer every pixel column that holds a bucket whole;
a pixel edge cuts through a bucket, and that bucket's rows are read raw: from these
rows, not by decoding the chunk (65,536 rows) they belong to. Each is stored as it is
read back: an x rising by a constant step as that step (`Steps`), a y of one value as
that value (`CONSTANT`), any other as its values; a point cloud's x buckets of one or
two values are read from the chunk instead (`in_chunk`).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.limits import LINE_CHUNK_BUCKET_RUNS

#: Rows per bucket of level 0.
BASE = 1024
#: A stored bucket's first byte: the dtype of its values ('a': x rising by a step,
#: 'c': x's bucket of rows read from the chunk, `IN_CHUNK`; '=': one value repeated,
#: `CONSTANT`).
_DTYPES: dict[str, np.dtype[Any]] = {
    "q": np.dtype("<i8"), "d": np.dtype("<f8"), "f": np.dtype("<f4")}
_KINDS = {dt.str: k.encode() for k, dt in _DTYPES.items()}
#: A y bucket of one value: this byte, its dtype's byte, the count (int64), the value.
CONSTANT = b"="


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
        return x_values(decode_x(data))
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
