"""edge_rows.py: the rows of buckets edges cut, as segments, against a row-by-row split."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from streamvis.store.bucket_rows import Steps
from streamvis.web.edge_rows import Bucket, cut_segments


def _brute(x: npt.NDArray[np.int64], y: npt.NDArray[Any], sizes: list[int],
           firsts: list[int], bounds: npt.NDArray[np.int64]) -> dict[str, list[Any]]:
    """One segment per stretch of a bucket's rows in one column, row by row."""
    out: dict[str, list[Any]] = {k: [] for k in ("first_pos", "last_pos", "min_pos",
                                                  "max_pos", "first_x", "min_x", "max_y")}
    at = 0
    for size, first in zip(sizes, firsts, strict=True):
        col = np.searchsorted(bounds, x[at : at + size], "right")
        a = 0
        while a < size:
            b = a
            while b + 1 < size and col[b + 1] == col[a]:
                b += 1
            part = y[at + a : at + b + 1]
            keyed_low = np.where(np.isnan(part), np.inf, part)
            keyed_high = np.where(np.isnan(part), -np.inf, part)
            low, high = int(np.argmin(keyed_low)), int(np.argmax(keyed_high))
            out["first_pos"].append(first + a)
            out["last_pos"].append(first + b)
            out["min_pos"].append(first + a + low)
            out["max_pos"].append(first + a + high)
            out["first_x"].append(int(x[at + a]))
            out["min_x"].append(int(x[at + a + low]))
            out["max_y"].append(float(part[high]))
            a = b + 1
        at += size
    return out


@pytest.mark.parametrize("seed", range(40))
def test_segments_split_where_a_bucket_begins_or_a_column_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    got: list[Bucket] = []
    xs, sizes, firsts = [], [], []
    x0, row = int(rng.integers(-50, 50)), int(rng.integers(0, 1000))
    for _ in range(int(rng.integers(1, 8))):
        size = int(rng.integers(1, 30))
        step = int(rng.integers(0, 4))
        if rng.random() < 0.5:  # a step counter's bucket, read as Steps
            x = x0 + step * np.arange(size, dtype=np.int64)
            got_x: Steps | npt.NDArray[np.int64] = Steps(x0, step, size)
        else:  # values: repeats and jumps
            x = x0 + np.cumsum(rng.integers(0, 3, size)).astype(np.int64)
            got_x = x
        y = rng.normal(size=size)
        y[rng.random(size) < 0.1] = np.nan
        got.append((got_x, y))
        xs.append(x)
        sizes.append(size)
        firsts.append(row)
        row += size + int(rng.integers(0, 5))  # buckets need not be adjacent in the run
        x0 = int(x[-1]) + int(rng.integers(0, 3))
    x_all = np.concatenate(xs)
    y_all = np.concatenate([y for _, y in got])
    bounds = np.unique(rng.integers(int(x_all[0]) - 3, int(x_all[-1]) + 4, 6)).astype(np.int64)
    seg = cut_segments(got, np.array(firsts, np.int64), bounds)
    want = _brute(x_all, y_all, sizes, firsts, bounds)
    for key in ("first_pos", "last_pos", "min_pos", "max_pos", "first_x", "min_x"):
        assert seg[key].tolist() == want[key], key
    np.testing.assert_array_equal(seg["max_y"], want["max_y"])
