"""Line summaries of one chunk: every level agrees with the raw rows it covers."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from streamvis.store import summaries
from streamvis.store.summaries import BASE, FACTOR, as_numbers, decode, summarize


def _check(x: npt.NDArray[np.int64], y: npt.NDArray[Any]) -> None:
    records, counts = decode([summarize(x, y)])
    assert counts.tolist() == [records.size]
    assert records["level"][-1] == records["level"].max()  # the top comes last
    assert records["count"][-1] == y.size
    for r in records:
        a, n = int(r["start"]), int(r["count"])
        assert n == min(BASE * FACTOR ** int(r["level"]), y.size - a)
        part = y[a : a + n]
        low = part if part.dtype.kind != "f" else np.where(np.isnan(part), np.inf, part)
        high = part if part.dtype.kind != "f" else np.where(np.isnan(part), -np.inf, part)
        assert r["min_pos"] == a + int(np.argmin(low))
        assert r["max_pos"] == a + int(np.argmax(high))
        assert (r["x_first"], r["x_last"]) == (x[a], x[a + n - 1])
        assert r["min_x"] == x[r["min_pos"]] and r["max_x"] == x[r["max_pos"]]
        np.testing.assert_array_equal([r["y_first"], r["y_last"]], [part[0], part[-1]])


@pytest.mark.parametrize("size", [1, BASE - 1, BASE, BASE + 1, 3 * BASE * FACTOR + 17])
def test_every_bucket_matches_its_rows(size: int) -> None:
    rng = np.random.default_rng(size)
    x = np.cumsum(rng.integers(0, 3, size)).astype(np.int64)
    y = rng.normal(size=size)
    y[rng.random(size) < 0.05] = np.nan
    y[rng.integers(0, size, 3)] = 1e9  # ties of the highest: the first one wins
    _check(x, y)
    _check(x, rng.integers(-5, 5, size))


def test_all_nan_bucket_keeps_its_first_row() -> None:
    x = np.arange(BASE * 2, dtype=np.int64)
    y = np.full(x.size, np.nan)
    y[BASE + 5] = 1.0
    records, _ = decode([summarize(x, y)])
    assert records["min_pos"].tolist() == [0, BASE + 5, BASE + 5]


def test_a_chunk_whose_x_decreases_has_no_summary() -> None:
    assert summarize(np.array([1, 3, 2], np.int64), np.ones(3)) == b""
    assert summarize(np.empty(0, np.int64), np.empty(0)) == b""


def test_encodings_read_as_int64_or_float64() -> None:
    assert as_numbers(pa.array([1.5], pa.float32())).dtype == np.float64
    assert as_numbers(pa.chunked_array([pa.array([1, 2], pa.int32())])).tolist() == [1, 2]
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([2, 3], pa.int32()), pa.array([7, 8]))
    assert as_numbers(ree).tolist() == [7, 7, 8]


def test_series_plan_is_first_int_field_against_numeric_others() -> None:
    i8, f8, s = np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.str_)
    plan = [(1, f8, "values"), (2, i8, "values"), (3, s, "labels"), (4, i8, "values")]
    assert summaries.plan_fields(plan) == (1, [0, 3])
    assert summaries.plan_fields([(1, f8, "values")]) == (None, [])


@pytest.mark.parametrize("size", [BASE - 1, 10_000, 3 * BASE * FACTOR])
def test_a_float32_column_is_summarized_as_its_exact_float64_widening(size: int) -> None:
    """Summarized as stored (no widened copy), with the same records as the float64 view."""
    rng = np.random.default_rng(size)
    x = np.arange(size, dtype=np.int64)
    y32 = rng.normal(size=size).astype(np.float32)
    y32[rng.random(size) < 0.05] = np.nan
    y32[rng.integers(0, size, 3)] = np.float32(3e38)  # ties of the highest
    kept = as_numbers(pa.array(y32), keep_float32=True)
    assert kept.dtype == np.float32
    assert summarize(x, kept) == summarize(x, y32.astype(np.float64))
    _check(x, kept)


@pytest.mark.parametrize("x", [
    np.arange(5, 3000, dtype=np.int64),  # a step counter: stored as first, step, count
    np.full(1500, 7, np.int64),  # a step of 0
    np.arange(0, -3000, -3, dtype=np.int64),
    np.array([np.iinfo(np.int64).max - 1, np.iinfo(np.int64).max]),  # no room to step on
    np.array([5], np.int64),
    np.cumsum(np.arange(2000, dtype=np.int64) % 3),  # repeats: stored as values
])
def test_x_buckets_read_back_exactly(x: npt.NDArray[np.int64]) -> None:
    stored = summaries.bucket_values(x, x=True)
    assert len(stored) == -(-x.size // BASE)
    back = [summaries.decode_bucket(b) for b in stored]
    assert all(b.dtype == np.int64 for b in back)
    np.testing.assert_array_equal(np.concatenate(back), x)
    if x.size > 1 and np.all(np.diff(x[:BASE]) == x[1] - x[0]):
        assert len(stored[0]) == 25  # kind and three int64, whatever the bucket's rows


@pytest.mark.parametrize(("first", "step", "count"), [
    (0, 1, BASE), (7, 0, 5), (0, -3, 300), (-(2**40), 2**20, 17), (5, 0, 1)])
def test_steps_are_the_values_they_stand_for(first: int, step: int, count: int) -> None:
    values = first + step * np.arange(count, dtype=np.int64)
    (stored,) = summaries.bucket_values(values, x=True)
    steps = summaries.decode_x(stored)
    assert isinstance(steps, summaries.Steps)
    assert steps == summaries.Steps(first, step, count) and steps.size == count
    np.testing.assert_array_equal(summaries.decode_bucket(stored), values)
    np.testing.assert_array_equal(steps.values(), values)
    for a, b in ((0, None), (2, 4), (count - 1, count + 9), (count, None)):
        np.testing.assert_array_equal(summaries.x_values(steps, a, b), values[a:b])
    # Rows of several whole buckets, by row: what pieces read of x.
    more = summaries.Steps(first + 11, step or 1, count)
    at = summaries.StepsAt([steps, more])
    rows = np.array([0, count - 1], np.int64)
    np.testing.assert_array_equal(at[rows], values[rows])
    np.testing.assert_array_equal(at[rows + BASE], more.values()[rows])


def test_x_stored_as_values_is_read_as_values() -> None:
    x = np.array([0, 1, 3, 4], np.int64)
    (stored,) = summaries.bucket_values(x, x=True)
    back = summaries.decode_x(stored)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("only", [[], [1], [3, 0], [2, 3], [0, 1, 2, 3], [3, 2, 1, 0]])
def test_x_buckets_asked_are_those_of_the_whole_chunk(only: list[int]) -> None:
    # A few buckets asked (a cloud's, where the rest are read from the chunk) are
    # each stored as they would be among all: a constant step, or their values.
    x = np.concatenate([np.arange(BASE), np.full(BASE, 4), np.arange(BASE) % 5,
                        np.arange(500) * 3]).astype(np.int64)
    every = summaries.bucket_values(x, x=True)
    assert summaries.bucket_values(x, x=True, only=only) == [every[b] for b in only]


@pytest.mark.parametrize("y", [
    np.array([1.5, np.nan, -0.0, np.inf] * 700),
    np.arange(3000, dtype=np.float32) / 7,
    np.arange(-1500, 1500, dtype=np.int64) * 10**12,
])
def test_value_buckets_keep_their_type_and_bits(y: npt.NDArray[Any]) -> None:
    back = np.concatenate([summaries.decode_bucket(b)
                           for b in summaries.bucket_values(y, x=False)])
    assert back.dtype == y.dtype
    assert back.tobytes() == y.tobytes()


@pytest.mark.parametrize("size", [1, BASE, BASE + 1, BASE * FACTOR * 3 + 5])
def test_head_and_bottom_split_a_summary(size: int) -> None:
    rng = np.random.default_rng(size)
    blob = summarize(np.arange(size, dtype=np.int64), rng.normal(size=size))
    records, _ = decode([blob])
    head, _ = decode([summaries.head(blob)])
    bottom = summaries.bottom(blob, size)
    assert bottom.tobytes() + (head.tobytes() if size > BASE else b"") == records.tobytes()
    assert head[-1].tobytes() == records[-1].tobytes()  # the top is in the head
    assert summaries.head(b"") == b""


def test_buckets_of_one_or_two_x_runs_are_read_from_their_chunk() -> None:
    # A cloud's broadcast step (runs longer than a bucket), then a step counter.
    x = np.concatenate((np.repeat(np.arange(3, dtype=np.int64), BASE + BASE // 2),
                        np.arange(10, 10 + BASE + BASE // 2, dtype=np.int64)))
    # Buckets 0, 2, 3: one run; 1: two (a step ends in it); 4: a run, then rising; 5: rising.
    assert summaries.in_chunk(x).tolist() == [True, True, True, True, False, False]
    three = np.repeat(np.arange(3, dtype=np.int64), BASE // 3 + 1)[:BASE]
    assert summaries.in_chunk(three).tolist() == [False]  # an edge may cut it twice
    assert summaries.in_chunk(np.zeros(0, np.int64)).tolist() == []
    assert summaries.in_chunk(np.array([5, 5, 5], np.int64)).tolist() == [True]
    assert summaries.in_chunk(np.array([5, 5], np.int64)).tolist() == [False]  # no saving
    y = np.arange(x.size, dtype=np.float32)
    plan = [(1, np.dtype(np.int64), "values"), (2, np.dtype(np.float64), "values")]
    made = summaries.chunk_summaries(pa.record_batch({"x": x, "y": y}), plan)
    stored = {(f, b): data for f, b, data in made.buckets}
    assert sorted(b for f, b in stored if f == 2) == [4, 5]  # y's rising buckets only
    for b in range(4):
        assert stored[1, b] == summaries.IN_CHUNK + struct.pack("<q", BASE)
        # Read back from the chunk's columns as stored: x run-end encoded, y float32.
        xs, ys = summaries.chunk_bucket(pa.record_batch(
            {"x": pc.run_end_encode(pa.array(x)), "y": pa.array(y)}), b)
        assert xs.dtype == np.int64 and ys.dtype == np.float32
        assert (xs.tolist(), ys.tolist()) == (x[b * BASE:][:BASE].tolist(),
                                              y[b * BASE:][:BASE].tolist())
    np.testing.assert_array_equal(summaries.decode_bucket(stored[2, 5]), y[5 * BASE:])
    np.testing.assert_array_equal(summaries.decode_bucket(stored[1, 4]), x[4 * BASE:][:BASE])
    # The summaries themselves are the same whichever way the rows are kept.
    assert made.summaries == [(2, 1, summarize(x, y))]


@pytest.mark.parametrize("columns", [
    [np.arange(0, 3 * BASE + 5), np.arange(3 * BASE + 5, 4 * BASE)],  # one step throughout
    [np.arange(0, 2 * BASE, 2), np.arange(10**6, 10**6 + 7), np.full(BASE, 5)],  # steps differ
    [np.r_[0, 1, 1, 4], np.arange(9, 9 + BASE)],  # values and steps mixed
])
def test_buckets_of_x_decode_as_one_array(columns: list[npt.NDArray[Any]]) -> None:
    blobs = [b for c in columns for b in summaries.bucket_values(c.astype(np.int64), x=True)]
    whole = np.concatenate(columns)
    np.testing.assert_array_equal(summaries.decode_buckets(blobs), whole)
    assert summaries.decode_buckets(blobs).dtype == np.int64


def test_buckets_of_y_decode_as_one_array() -> None:
    y = np.r_[np.linspace(0, 1, BASE + 3), np.nan, -np.inf]
    for dtype in (np.float64, np.float32):
        blobs = summaries.bucket_values(y.astype(dtype), x=False)
        got = summaries.decode_buckets(blobs)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, y.astype(dtype))
    assert summaries.decode_buckets([]).size == 0


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
    stored = summaries.bucket_values(y, x=False)
    for b, blob in enumerate(stored):
        part = y[b * BASE : (b + 1) * BASE]
        bits = part.view(f"<i{part.dtype.itemsize}")
        one_value = part.size > 1 and bool(np.all(bits == bits[0]))
        assert (blob[:1] == summaries.CONSTANT) == one_value
        if one_value:
            assert len(blob) == 2 + 8 + part.dtype.itemsize
    back = [summaries.decode_bucket(b) for b in stored]
    assert all(b.dtype == y.dtype for b in back)
    assert np.concatenate(back).tobytes() == y.tobytes()
    joined = summaries.decode_buckets(stored)
    assert joined.dtype == y.dtype and joined.tobytes() == y.tobytes()
    # Some buckets, or all of them out of order, each stored as among all.
    for only in ([b for b in (2, 0) if b < len(stored)], list(range(len(stored)))[::-1]):
        assert summaries.bucket_values(y, x=False, only=only) == [stored[b] for b in only]


def test_a_scalar_run_stores_a_constant_field_in_a_few_bytes_a_bucket() -> None:
    # step, loss, acc: acc settled at one value costs 18 bytes a bucket, not 8 KB.
    step = np.arange(10 * BASE, dtype=np.int64)
    plan = [(1, np.dtype(np.int64), "values"), (2, np.dtype(np.float64), "values"),
            (3, np.dtype(np.float64), "values")]
    made = summaries.chunk_summaries(pa.record_batch(
        {"step": step, "loss": 0.5 / (step + 1.0), "acc": np.full(step.size, 0.9)}), plan)
    sizes = {f: sum(len(d) for g, _, d in made.buckets if g == f) for f in (1, 2, 3)}
    assert sizes == {1: 10 * 25, 2: 10 * (1 + 8 * BASE), 3: 10 * 18}
