"""Level-of-detail kernels: M4 keeps every spike, density thinning keeps sparse points."""

from __future__ import annotations

import numpy as np
import pytest

from streamvis.web import lod


def brute_m4(x: np.ndarray, y: np.ndarray, x_min: float, x_max: float, pixels: int) -> set[int]:
    """What M4 must keep, the slow obvious way: per column first, last, min, max."""
    keep: set[int] = set()
    inside = np.flatnonzero((x >= x_min) & (x <= x_max))
    # Column k holds x in [edge k, edge k+1): the edges the server uses.
    columns = np.searchsorted(lod.bin_edges(x_min, x_max, pixels), x[inside], "right")
    for c in np.unique(columns):
        members = inside[columns == c]
        keep |= {int(members[0]), int(members[-1]),
                 int(members[np.argmin(y[members])]), int(members[np.argmax(y[members])])}
    return keep


def test_a_one_sample_spike_in_ten_million_points_survives():
    n = 10_000_000
    x = np.arange(n, dtype=np.int64)
    y = np.sin(np.arange(n) / 1e5)
    y[7_654_321] = 50.0
    y[1_234_567] = -50.0
    kept, reduced = lod.m4(x, y, 0, n - 1, 2000)
    assert reduced
    assert kept.size <= 4 * 2000 + 2
    assert 7_654_321 in kept and 1_234_567 in kept
    assert y[kept].max() == 50.0 and y[kept].min() == -50.0
    assert np.all(np.diff(kept) > 0)  # ascending, so the line is drawn in order


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_m4_matches_the_definition(dtype):
    rng = np.random.default_rng(0)
    x = np.sort(rng.integers(0, 100_000, 50_000)).astype(dtype)
    y = rng.standard_normal(x.size)
    kept, reduced = lod.m4(x, y, 1000, 90_000, 300)
    assert reduced
    inner = {int(k) for k in kept if 1000 <= x[k] <= 90_000}
    assert inner == brute_m4(x, y, 1000, 90_000, 300)
    # Plus the nearest point outside each end, so the line runs to the edge.
    outer = sorted(int(k) for k in kept if not 1000 <= x[k] <= 90_000)
    assert [x[k] < 1000 for k in outer] == [True, False]
    assert outer[0] == int(np.searchsorted(x, 1000)) - 1


def test_zoomed_in_far_enough_the_points_are_raw():
    x = np.arange(1_000_000, dtype=np.float64)
    y = np.cos(x)
    kept, reduced = lod.m4(x, y, 500_000, 500_999, 2000)
    assert not reduced
    # Every point in range, plus one neighbour on each side.
    assert kept.tolist() == list(range(499_999, 501_001))


def test_a_narrower_range_gives_finer_data():
    x = np.arange(1_000_000, dtype=np.float64)
    y = np.random.default_rng(1).standard_normal(x.size)
    wide, _ = lod.m4(x, y, 0, 999_999, 1000)
    narrow, _ = lod.m4(x, y, 0, 99_999, 1000)
    assert x[narrow].max() <= 100_000
    per_unit_wide = wide.size / 1_000_000
    per_unit_narrow = narrow.size / 100_000
    assert per_unit_narrow > 5 * per_unit_wide


def test_nan_never_hides_a_value_and_an_all_nan_column_keeps_a_point():
    x = np.arange(10_000, dtype=np.float64)
    y = np.ones(10_000)
    y[::2] = np.nan
    y[5001] = 9.0
    y[100:200] = np.nan  # one pixel column of nothing but NaN
    kept, _ = lod.m4(x, y, 0, 9999, 100)
    assert 5001 in kept
    assert any(100 <= k < 200 for k in kept)
    assert not np.isnan(y[[k for k in kept if not 100 <= k < 200]]).all()


def test_unsorted_lines_keep_extremes_and_drawing_order():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1000, 100_000)
    y = rng.standard_normal(100_000)
    y[4242] = 77.0
    kept, reduced = lod.m4(x, y, 0, 1000, 200)
    assert reduced and 4242 in kept
    assert np.all(np.diff(kept) > 0)  # positions ascend: the drawing order is kept
    assert {int(k) for k in kept} == brute_m4(x, y, 0, 1000, 200)


def test_a_line_within_its_budget_is_unchanged():
    x = np.array([3.0, 1.0, 2.0])
    kept, reduced = lod.m4(x, np.zeros(3), 0, 10, 100)
    assert not reduced and kept.tolist() == [0, 1, 2]


def test_a_zero_width_range_is_one_column():
    x = np.full(1000, 5.0)
    y = np.arange(1000.0)
    kept, reduced = lod.m4(x, y, 5, 5, 100)
    assert reduced and set(kept.tolist()) == {0, 999}


def test_density_keeps_sparse_points_and_outliers_and_fits_the_budget():
    rng = np.random.default_rng(4)
    dense = rng.normal(0, 0.01, (2, 1_000_000))
    sparse = rng.uniform(-10, 10, (2, 500))
    outliers = np.array([[100.0, -100.0], [100.0, -100.0]])
    x = np.concatenate([dense[0], sparse[0], outliers[0]])
    y = np.concatenate([dense[1], sparse[1], outliers[1]])
    kept = lod.density(x, y, budget=50_000)
    assert 40_000 < kept.size <= 52_000
    kept_set = set(kept.tolist())
    n = dense.shape[1]
    # Every sparse point and both outliers are in cells under the cap: all kept.
    assert all(i in kept_set for i in range(n, n + 502))
    assert np.all(np.diff(kept) > 0)
    # The same request thins the same way (no flicker between refreshes).
    assert np.array_equal(kept, lod.density(x, y, budget=50_000))


def test_density_cap_is_the_largest_that_fits():
    counts = np.array([1, 5, 10, 100, 0], np.int64)
    for budget in (4, 10, 20, 50, 115):
        cap = lod.density_cap(counts, budget)
        assert np.minimum(counts, cap).sum() <= budget or cap == 1
        assert np.minimum(counts, cap + 1).sum() > budget
    assert lod.density_cap(counts, 1000) == 100


def test_density_under_the_budget_keeps_everything():
    x = np.arange(10.0)
    assert lod.density(x, x, budget=10).tolist() == list(range(10))
