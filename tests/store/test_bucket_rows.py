"""Level-0 bucket rows: each bucket stored as it is read back, bit for bit."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from streamvis.store import bucket_rows
from streamvis.store.bucket_rows import BASE, as_numbers


def test_encodings_read_as_int64_or_float64() -> None:
    assert as_numbers(pa.array([1.5], pa.float32())).dtype == np.float64
    assert as_numbers(pa.chunked_array([pa.array([1, 2], pa.int32())])).tolist() == [1, 2]
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([2, 3], pa.int32()), pa.array([7, 8]))
    assert as_numbers(ree).tolist() == [7, 7, 8]


@pytest.mark.parametrize("x", [
    np.arange(5, 3000, dtype=np.int64),  # a step counter: stored as first, step, count
    np.full(1500, 7, np.int64),  # a step of 0
    np.arange(0, -3000, -3, dtype=np.int64),
    np.array([np.iinfo(np.int64).max - 1, np.iinfo(np.int64).max]),  # no room to step on
    np.array([5], np.int64),
    np.cumsum(np.arange(2000, dtype=np.int64) % 3),  # repeats: stored as values
])
def test_x_buckets_read_back_exactly(x: npt.NDArray[np.int64]) -> None:
    stored = bucket_rows.bucket_values(x, x=True)
    assert len(stored) == -(-x.size // BASE)
    back = [bucket_rows.decode_bucket(b) for b in stored]
    assert all(b.dtype == np.int64 for b in back)
    np.testing.assert_array_equal(np.concatenate(back), x)
    if x.size > 1 and np.all(np.diff(x[:BASE]) == x[1] - x[0]):
        assert len(stored[0]) == 25  # kind and three int64, whatever the bucket's rows


@pytest.mark.parametrize(("first", "step", "count"), [
    (0, 1, BASE), (7, 0, 5), (0, -3, 300), (-(2**40), 2**20, 17), (5, 0, 1)])
def test_steps_are_the_values_they_stand_for(first: int, step: int, count: int) -> None:
    values = first + step * np.arange(count, dtype=np.int64)
    (stored,) = bucket_rows.bucket_values(values, x=True)
    steps = bucket_rows.decode_x(stored)
    assert isinstance(steps, bucket_rows.Steps)
    assert steps == bucket_rows.Steps(first, step, count) and steps.size == count
    np.testing.assert_array_equal(bucket_rows.decode_bucket(stored), values)
    np.testing.assert_array_equal(steps.values(), values)
    for a, b in ((0, None), (2, 4), (count - 1, count + 9), (count, None)):
        np.testing.assert_array_equal(bucket_rows.x_values(steps, a, b), values[a:b])


def test_x_stored_as_values_is_read_as_values() -> None:
    x = np.array([0, 1, 3, 4], np.int64)
    (stored,) = bucket_rows.bucket_values(x, x=True)
    back = bucket_rows.decode_x(stored)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("only", [[], [1], [3, 0], [2, 3], [0, 1, 2, 3], [3, 2, 1, 0]])
def test_x_buckets_asked_are_those_of_the_whole_chunk(only: list[int]) -> None:
    # A few buckets asked (a cloud's, where the rest are read from the chunk) are
    # each stored as they would be among all: a constant step, or their values.
    x = np.concatenate([np.arange(BASE), np.full(BASE, 4), np.arange(BASE) % 5,
                        np.arange(500) * 3]).astype(np.int64)
    every = bucket_rows.bucket_values(x, x=True)
    assert bucket_rows.bucket_values(x, x=True, only=only) == [every[b] for b in only]


@pytest.mark.parametrize("y", [
    np.array([1.5, np.nan, -0.0, np.inf] * 700),
    np.arange(3000, dtype=np.float32) / 7,
    np.arange(-1500, 1500, dtype=np.int64) * 10**12,
])
def test_value_buckets_keep_their_type_and_bits(y: npt.NDArray[Any]) -> None:
    back = np.concatenate([bucket_rows.decode_bucket(b)
                           for b in bucket_rows.bucket_values(y, x=False)])
    assert back.dtype == y.dtype
    assert back.tobytes() == y.tobytes()


@pytest.mark.parametrize("columns", [
    [np.arange(0, 3 * BASE + 5), np.arange(3 * BASE + 5, 4 * BASE)],  # one step throughout
    [np.arange(0, 2 * BASE, 2), np.arange(10**6, 10**6 + 7), np.full(BASE, 5)],  # steps differ
    [np.r_[0, 1, 1, 4], np.arange(9, 9 + BASE)],  # values and steps mixed
])
def test_buckets_of_x_decode_as_one_array(columns: list[npt.NDArray[Any]]) -> None:
    blobs = [b for c in columns for b in bucket_rows.bucket_values(c.astype(np.int64), x=True)]
    whole = np.concatenate(columns)
    np.testing.assert_array_equal(bucket_rows.decode_buckets(blobs), whole)
    assert bucket_rows.decode_buckets(blobs).dtype == np.int64


def test_buckets_of_y_decode_as_one_array() -> None:
    y = np.r_[np.linspace(0, 1, BASE + 3), np.nan, -np.inf]
    for dtype in (np.float64, np.float32):
        blobs = bucket_rows.bucket_values(y.astype(dtype), x=False)
        got = bucket_rows.decode_buckets(blobs)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, y.astype(dtype))
    assert bucket_rows.decode_buckets([]).size == 0


def _nan_with_payload() -> float:
    value: float = np.frombuffer(struct.pack("<Q", 0x7FF8_0000_0000_1234), np.float64)[0]
    return value


@pytest.mark.parametrize("y", [
    np.full(3 * BASE + 10, 0.9),  # every bucket one value, the last shorter
    np.full(BASE, 0.5, np.float32),
    np.full(2 * BASE, 7, np.int64),
    np.full(BASE + 2, _nan_with_payload()),  # the same bits: one value, payload kept
    np.r_[np.full(BASE, 1.0), np.linspace(0, 1, BASE), np.full(BASE, -0.0)],
    np.r_[np.full(BASE - 1, 0.0), -0.0],  # equal, but not the same bits: stored as values
    np.r_[np.full(BASE, 3.0), np.linspace(0, 1, BASE)],  # one of two whole buckets
    np.array([2.5]),  # a bucket of one row
])
def test_constant_value_buckets_are_stored_once_and_read_back_bit_for_bit(
        y: npt.NDArray[Any]) -> None:
    stored = bucket_rows.bucket_values(y, x=False)
    for b, blob in enumerate(stored):
        part = y[b * BASE : (b + 1) * BASE]
        bits = part.view(f"<i{part.dtype.itemsize}")
        one_value = part.size > 1 and bool(np.all(bits == bits[0]))
        assert (blob[:1] == bucket_rows.CONSTANT) == one_value
        if one_value:
            assert len(blob) == 2 + 8 + part.dtype.itemsize
    back = [bucket_rows.decode_bucket(b) for b in stored]
    assert all(b.dtype == y.dtype for b in back)
    assert np.concatenate(back).tobytes() == y.tobytes()
    joined = bucket_rows.decode_buckets(stored)
    assert joined.dtype == y.dtype and joined.tobytes() == y.tobytes()
    # Some buckets, or all of them out of order, each stored as among all.
    for only in ([b for b in (2, 0) if b < len(stored)], list(range(len(stored)))[::-1]):
        assert bucket_rows.bucket_values(y, x=False, only=only) == [stored[b] for b in only]
