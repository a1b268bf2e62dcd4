"""M4 from summaries keeps exactly the rows M4 over the raw rows keeps."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from streamvis.store import bucket_rows, summaries, summary_groups
from streamvis.store.summaries import decode, summarize
from streamvis.store.summary_groups import LineTops
from streamvis.web import lod, lod_summaries
from streamvis.web.edge_rows import Bucket
from streamvis.web.lod_summaries import m4_summaries


@pytest.fixture(autouse=True)
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buckets of 4 rows, 2 per level: many levels and edges in a small line."""
    for module in (summaries, lod_summaries):
        monkeypatch.setattr(module, "BASE", 4)
        monkeypatch.setattr(module, "FACTOR", 2)
    monkeypatch.setattr(bucket_rows, "BASE", 4)


def _line(x: npt.NDArray[np.int64], y: npt.NDArray[Any], sizes: list[int],
          heads_asked: list[int] | None = None) -> tuple[
        LineTops, lod_summaries.Readers, list[int]]:
    """The line's chunk tops as the store lists them, and readers of the rest by
    sequence (chunk i is sequence i + 1); the chunks whose rows were read."""
    bounds = np.cumsum([0, *sizes])
    parts = [(x[a:b], y[a:b]) for a, b in itertools.pairwise(bounds)]
    blobs = [summarize(px, py) for px, py in parts]
    kind = "i" if y.dtype.kind in "iu" else "f"
    tops = np.concatenate([summary_groups.top(summaries.head(b), kind) for b in blobs])
    t = LineTops("x", 0, 0, np.arange(1, len(sizes) + 1, dtype=np.int64),
                 np.array(sizes, np.int64), tops)
    asked: list[int] = []
    heads_read: list[int] = [] if heads_asked is None else heads_asked

    def heads(wanted: list[int]) -> lod_summaries.Records:
        heads_read.extend(q - 1 for q in wanted)
        return lod_summaries.pool([decode([summaries.head(blobs[q - 1])])[0] for q in wanted])

    def bottoms(wanted: list[int]) -> lod_summaries.Records:
        return lod_summaries.pool([summaries.bottom(blobs[q - 1], sizes[q - 1]) for q in wanted])

    def raw(wanted: list[tuple[int, int]]) -> list[Bucket]:
        asked.extend(q - 1 for q, _ in wanted)
        # x as the store reads it: a `Steps` where it rises by a constant step.
        return [(bucket_rows.decode_x(bucket_rows.bucket_values(parts[q - 1][0], x=True)[b]),
                 bucket_rows.decode_bucket(bucket_rows.bucket_values(parts[q - 1][1], x=False)[b]))
                for q, b in wanted]

    return t, lod_summaries.Readers(heads, bottoms, raw), asked


def _same(x: npt.NDArray[np.int64], y: npt.NDArray[Any], sizes: list[int],
          *view: float) -> list[int]:
    x_min, x_max, pixels = view[0], view[1], int(view[2])
    t, read, asked = _line(x, y, sizes)
    assert t.ordered()
    want, reduced = lod.m4(x, y, x_min, x_max, pixels, x_sorted=True)
    got = m4_summaries(t, read, x_min, x_max, pixels)
    assert got.rows.tolist() == want.tolist()
    assert got.reduced == reduced
    np.testing.assert_array_equal(got.x, x[want])
    np.testing.assert_array_equal(got.y, y[want])
    return asked


@pytest.mark.parametrize("seed", range(60))
def test_random_lines_and_zooms(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    x = np.cumsum(rng.integers(0, 3, n)).astype(np.int64)  # repeats: ties across edges
    y: npt.NDArray[Any]
    if seed % 3 == 0:
        y = rng.integers(-3, 3, n).astype(np.int64)  # many equal extremes
    else:
        y = rng.normal(size=n)
        y[rng.random(n) < 0.1 * (seed % 2)] = np.nan
        y[rng.integers(0, n, 2)] = [1e6, -1e6]  # spikes
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n - 1, int(rng.integers(0, 6))),
                              replace=False)) if n > 1 else np.empty(0, np.int64)
    sizes = np.diff(np.r_[0, cuts, n]).astype(int).tolist()
    pixels = int(rng.integers(1, 60))
    lo, hi = float(x[0]), float(x[-1])
    _same(x, y, sizes, lo, hi, pixels)
    a, b = np.sort(rng.uniform(lo - 5, hi + 5, 2))
    _same(x, y, sizes, float(a), float(b), pixels)  # a zoom, edges anywhere


@pytest.mark.parametrize("seed", range(30))
def test_random_step_counter_lines(seed: int) -> None:
    # Every bucket's x a `Steps` (a step counter, maybe with gaps between chunks):
    # where edges cut and the x of the rows kept are computed from first and step alone.
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 90, int(rng.integers(1, 6))).astype(int).tolist()
    step = int(rng.integers(1, 4))
    x = np.concatenate([first + step * np.arange(size, dtype=np.int64) for first, size in
                        zip(np.cumsum([0, *sizes[:-1]]) * step + rng.integers(0, 3), sizes,
                            strict=True)])
    x = np.maximum.accumulate(x)
    y = rng.normal(size=x.size)
    y[rng.random(x.size) < 0.05] = np.nan
    y[rng.integers(0, x.size, 2)] = [1e6, -1e6]  # spikes
    lo, hi = float(x[0]), float(x[-1])
    for a, b in ((lo, hi), tuple(np.sort(rng.uniform(lo - 5, hi + 5, 2)))):
        _same(x, y, sizes, float(a), float(b), int(rng.integers(1, 40)))


def test_spikes_at_bucket_edges_and_all_nan() -> None:
    x = np.arange(64, dtype=np.int64)
    y = np.zeros(64)
    y[[3, 4, 31, 32]] = [5.0, -5.0, 9.0, -9.0]
    y[40:48] = np.nan
    for pixels in (3, 7, 8, 16, 63):
        _same(x, y, [16, 16, 32], 0.0, 63.0, pixels)
        _same(x, y, [64], 2.5, 45.5, pixels)


@pytest.mark.parametrize("seed", range(12))
def test_plateaus_stored_as_one_value_a_bucket(seed: int) -> None:
    # Runs of one value longer than a bucket (a constant series, a settled metric): their
    # buckets are stored once with a count, and M4 still keeps the rows raw M4 keeps.
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 20, int(rng.integers(1, 12)))
    values = rng.choice([0.0, -0.0, 1.5, np.nan, 2.0], lengths.size)
    y = np.repeat(values, lengths)
    x = np.arange(y.size, dtype=np.int64)
    assert any(b[:1] == bucket_rows.CONSTANT for b in bucket_rows.bucket_values(y, x=False)) or (
        y.size < 8)
    sizes = [y.size] if seed % 2 else [int(y.size // 2) or 1, y.size - (int(y.size // 2) or 1)]
    sizes = [s for s in sizes if s]
    for pixels in (1, 3, 7, 40):
        _same(x, y, sizes, 0.0, float(y.size - 1), pixels)
        _same(x, y, sizes, 1.5, float(y.size) / 2, pixels)


def test_appends_that_extend_the_last_bucket() -> None:
    rng = np.random.default_rng(7)
    x = np.arange(50, dtype=np.int64)
    y = rng.normal(size=50)
    for sizes in ([3], [3, 1], [3, 1, 2], [3, 1, 2, 44]):
        n = sum(sizes)
        _same(x[:n], y[:n], sizes, 0.0, float(n - 1), 5)


def test_chunks_whole_in_a_column_are_not_read() -> None:
    x = np.arange(4000, dtype=np.int64)
    y = np.sin(x / 50.0)
    asked = _same(x, y, [100] * 40, 0.0, 3999.0, 8)
    assert len(set(asked)) <= 8  # only chunks an edge cuts through


def test_only_the_heads_of_chunks_an_edge_cuts_are_read() -> None:
    x = np.arange(4000, dtype=np.int64)
    y = np.cos(x / 70.0)
    y[[999, 1000, 1999, 2000]] = [7.0, -7.0, 8.0, -8.0]  # spikes at chunk and column edges
    heads: list[int] = []
    sizes = [150] * 26 + [100]
    t, read, _ = _line(x, y, sizes, heads)
    want, _ = lod.m4(x, y, 0.0, 3999.0, 4, x_sorted=True)
    assert m4_summaries(t, read, 0.0, 3999.0, 4).rows.tolist() == want.tolist()
    edges = np.ceil(lod.bin_edges(0.0, 3999.0, 4))
    first = np.cumsum([0, *sizes[:-1]])
    cut = np.searchsorted(edges, first, "right") != np.searchsorted(
        edges, first + np.array(sizes) - 1, "right")
    assert 0 < len(heads) < len(sizes) and sorted(heads) == np.flatnonzero(cut).tolist()


def test_a_chunk_going_back_is_not_ordered() -> None:
    x = np.array([0, 1, 2, 1, 2], np.int64)
    t, _, _ = _line(x, np.ones(5), [3, 2])
    assert not t.ordered()
