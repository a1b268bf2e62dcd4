"""The histogram kernel (web/bin_kernel.py): the compiled and the numpy path count alike,
to the row, and both agree with numpy's own histogram where no value sits on an edge."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from streamvis.web import bin_kernel
from streamvis.web.bin_rules import Edges

E17 = Edges(-3.3, 0.7, 17)

needs_numba = pytest.mark.skipif(not bin_kernel.compiled_available(),
                                 reason="the `fast` extra (numba) is not installed")


def _awkward(dtype: type[np.generic], size: int = 200_003) -> npt.NDArray[np.generic]:
    """Normal values, some huge, NaN and infinities, and values right on the edges."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(size) * 5
    if np.issubdtype(dtype, np.floating):
        x[::97] *= 1e6
        x[::101] = np.nan
        x[::103] = np.inf
        x[::107] = -np.inf
    x[::89] = -3.3 + 0.7 * rng.integers(0, 18, x[::89].size)  # on an edge, or the top
    return x.astype(dtype)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32])
@pytest.mark.parametrize("fold", [(True, True), (False, True), (True, False), (False, False)])
def test_compiled_counts_as_numpy_does(dtype: type[np.generic], fold: tuple[bool, bool]) -> None:
    x = _awkward(dtype)
    # Empty slices, a one-row slice, an odd-sized one and one longer than a block.
    bounds = np.array([0, 0, 1, 10, 10, 5_000, 200_003], np.int64)
    compiled = bin_kernel.count_slices(x, bounds, E17, fold=fold, compiled=True)
    plain = bin_kernel.count_slices(x, bounds, E17, fold=fold, compiled=False)
    np.testing.assert_array_equal(compiled, plain)
    assert compiled.shape == (6, 17)
    assert compiled[0].sum() == 0 and compiled[3].sum() == 0


@pytest.mark.parametrize("compiled", [
    pytest.param(True, marks=needs_numba), False])
def test_counts_match_numpy_histogram(compiled: bool) -> None:
    rng = np.random.default_rng(3)
    # Values on a grid between the edges: no rounding question, numpy's answer is exact.
    x = (rng.integers(0, 1000, 300_000) + 0.5) / 1000 * 10 - 5
    bounds = np.array([0, 100_000, 300_000], np.int64)
    got = bin_kernel.count_slices(x, bounds, Edges(-5.0, 0.5, 20), compiled=compiled)
    for k in range(2):
        expected, _ = np.histogram(x[bounds[k]:bounds[k + 1]], bins=20, range=(-5, 5))
        np.testing.assert_array_equal(got[k], expected)


@pytest.mark.parametrize("compiled", [
    pytest.param(True, marks=needs_numba), False])
def test_fold_keeps_or_drops_the_ends(compiled: bool) -> None:
    # Bins [0, 1), [1, 2): 2.0 is the top edge, -0.5 less than a bin below, -3 and 9 out.
    x = np.array([-3.0, -0.5, 0.0, 1.5, 2.0, 9.0, np.nan], np.float64)
    bounds = np.array([0, x.size], np.int64)
    unit = Edges(0.0, 1.0, 2)
    both = bin_kernel.count_slices(x, bounds, unit, fold=(True, True), compiled=compiled)
    neither = bin_kernel.count_slices(x, bounds, unit, fold=(False, False), compiled=compiled)
    np.testing.assert_array_equal(both[0], [2, 3])  # -0.5 into the first; 2.0, 9.0 the last
    np.testing.assert_array_equal(neither[0], [1, 1])


def test_bool_values_take_the_numpy_path() -> None:
    x = np.array([True, False, True, True])
    got = bin_kernel.count_slices(x, np.array([0, 4], np.int64), Edges(-0.5, 1.0, 2))
    np.testing.assert_array_equal(got[0], [1, 3])


@needs_numba
@pytest.mark.parametrize("threads", [1, 2])
def test_long_slices_cut_into_pieces_count_as_one(threads: int) -> None:
    import numba  # noqa: PLC0415 - only with the `fast` extra

    x = _awkward(np.float32, 3 * bin_kernel.PIECE + 7)
    # A slice of several pieces (with a ragged end), a short one, an empty one, and a
    # whole-column histogram (one slice, no `t`): each comes back as one row.
    cases = [np.array([0, 2 * bin_kernel.PIECE + 5, 2 * bin_kernel.PIECE + 9,
                       2 * bin_kernel.PIECE + 9, x.size], np.int64),
             np.array([0, x.size], np.int64)]
    before = numba.get_num_threads()
    numba.set_num_threads(min(threads, int(numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    try:
        for bounds in cases:
            got = bin_kernel.count_slices(x, bounds, E17, compiled=True)
            plain = bin_kernel.count_slices(x, bounds, E17, compiled=False)
            np.testing.assert_array_equal(got, plain)
            assert got.shape == (bounds.size - 1, 17)
    finally:
        numba.set_num_threads(before)


@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_nondecreasing_finds_a_drop_anywhere(dtype: type[np.generic]) -> None:
    t = np.arange(2 * bin_kernel.PIECE + 3).astype(dtype)
    assert bin_kernel.nondecreasing(t)
    assert bin_kernel.nondecreasing(t[:1]) and bin_kernel.nondecreasing(t[:0])
    # Right across a piece's start (each piece looks one row back), and in the middle.
    for at in (bin_kernel.PIECE, bin_kernel.PIECE + 11, t.size - 1):
        dropped = t.copy()
        dropped[at] = dropped[at - 1] - 1
        assert not bin_kernel.nondecreasing(dropped), at
