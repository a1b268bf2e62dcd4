"""Line summaries of one chunk: every level agrees with the raw rows it covers."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from streamvis.store import bucket_rows, summaries
from streamvis.store.bucket_rows import BASE, as_numbers
from streamvis.store.summaries import FACTOR, decode, summarize


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
    assert bucket_rows.in_chunk(x).tolist() == [True, True, True, True, False, False]
    three = np.repeat(np.arange(3, dtype=np.int64), BASE // 3 + 1)[:BASE]
    assert bucket_rows.in_chunk(three).tolist() == [False]  # an edge may cut it twice
    assert bucket_rows.in_chunk(np.zeros(0, np.int64)).tolist() == []
    assert bucket_rows.in_chunk(np.array([5, 5, 5], np.int64)).tolist() == [True]
    assert bucket_rows.in_chunk(np.array([5, 5], np.int64)).tolist() == [False]  # no saving
    y = np.arange(x.size, dtype=np.float32)
    plan = [(1, np.dtype(np.int64), "values"), (2, np.dtype(np.float64), "values")]
    made = summaries.chunk_summaries(pa.record_batch({"x": x, "y": y}), plan)
    stored = {(f, b): data for f, b, data in made.buckets}
    assert sorted(b for f, b in stored if f == 2) == [4, 5]  # y's rising buckets only
    for b in range(4):
        assert stored[1, b] == bucket_rows.IN_CHUNK + struct.pack("<q", BASE)
        # Read back from the chunk's columns as stored: x run-end encoded, y float32.
        xs, ys = bucket_rows.chunk_bucket(pa.record_batch(
            {"x": pc.run_end_encode(pa.array(x)), "y": pa.array(y)}), b)
        assert xs.dtype == np.int64 and ys.dtype == np.float32
        assert (xs.tolist(), ys.tolist()) == (x[b * BASE:][:BASE].tolist(),
                                              y[b * BASE:][:BASE].tolist())
    np.testing.assert_array_equal(bucket_rows.decode_bucket(stored[2, 5]), y[5 * BASE:])
    np.testing.assert_array_equal(bucket_rows.decode_bucket(stored[1, 4]), x[4 * BASE:][:BASE])
    # The summaries themselves are the same whichever way the rows are kept.
    assert made.summaries == [(2, 1, summarize(x, y))]


def test_a_scalar_run_stores_a_constant_field_in_a_few_bytes_a_bucket() -> None:
    # step, loss, acc: acc settled at one value costs 18 bytes a bucket, not 8 KB.
    step = np.arange(10 * BASE, dtype=np.int64)
    plan = [(1, np.dtype(np.int64), "values"), (2, np.dtype(np.float64), "values"),
            (3, np.dtype(np.float64), "values")]
    made = summaries.chunk_summaries(pa.record_batch(
        {"step": step, "loss": 0.5 / (step + 1.0), "acc": np.full(step.size, 0.9)}), plan)
    sizes = {f: sum(len(d) for g, _, d in made.buckets if g == f) for f in (1, 2, 3)}
    assert sizes == {1: 10 * 25, 2: 10 * (1 + 8 * BASE), 3: 10 * 18}
