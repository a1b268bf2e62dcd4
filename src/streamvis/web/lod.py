"""Level of detail: M4 for lines, density-preserving thinning for scatter plots.

Both work on numpy arrays and return *positions* of the points to keep, so the
caller can take every column it sends (fields, attributes) with one gather.

M4 (Jugel et al., VLDB 2014): per pixel column keep the first, last, lowest and
highest point. Drawn at that width, the reduced line is pixel-identical to the full
one, so a spike of one sample in ten million still shows.

Scatter thinning: a grid of screen cells; each cell keeps at most `cap` points, with
`cap` the largest value that fits the budget. Cells with fewer points keep all of
them, so sparse regions and lone outliers survive while dense blobs are thinned; see
docs/decisions/0004-level-of-detail.md for the choice and its measurements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Numbers = npt.NDArray[Any]  # int64 or float64: an int column is searched as ints

#: Mean points per bin under which the vectorized argmin is cheaper than a loop: the loop
#: costs ~1.5 us a bin, the vectorized way ~3.5 ns a point (measured 2026-12-03: 100,000
#: points in 300 bins, loop 0.66 ms vs 0.43; 1 M in 2,000, 3.1 vs 3.6; 1 M in 300, 0.95
#: vs 3.2). It was 48, which sent a workspace's short lines (300 points a bin) the slow way.
_LOOP_MIN_MEAN = 512
#: Seed of the scatter sampler: the same request thins the same way every time,
#: so a live plot does not flicker between refreshes.
_SEED = 0x5EED


def is_sorted(values: Numbers) -> bool:
    """True if `values` never decrease (NaN makes it unsorted)."""
    if values.size < 2:
        return True
    return bool(np.all(values[1:] >= values[:-1]))


def _extremes_loop(y: Numbers, starts: Positions, ends: Positions) -> tuple[Positions, Positions]:
    lows = np.empty(starts.size, np.int64)
    highs = np.empty(starts.size, np.int64)
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        part = y[a:b]
        lows[i] = a + part.argmin()
        highs[i] = a + part.argmax()
    return lows, highs


def _first_equal(y: Numbers, target: Numbers, starts: Positions, ends: Positions) -> Positions:
    """Per segment, the first position whose value equals the segment's `target`."""
    counts = ends - starts
    hits = np.flatnonzero(y == np.repeat(target, counts))
    at = np.searchsorted(hits, starts)
    found = np.full(starts.size, -1, np.int64)
    ok = at < hits.size
    found[ok] = hits[at[ok]]
    # A segment whose target matched nothing (all NaN) keeps its first point.
    bad = (found < starts) | (found >= ends)
    found[bad] = starts[bad]
    return found


def _extremes_vectorized(
    y: Numbers, starts: Positions, ends: Positions
) -> tuple[Positions, Positions]:
    """Per-segment argmin/argmax for contiguous segments (each starts where one ends)."""
    base = int(starts[0])
    part, s, e = y[base : int(ends[-1])], starts - base, ends - base
    lows = _first_equal(part, np.fmin.reduceat(part, s), s, e)
    highs = _first_equal(part, np.fmax.reduceat(part, s), s, e)
    return lows + base, highs + base


def segment_extremes(
    y: Numbers, starts: Positions, ends: Positions, has_nan: bool | None = None, *,
    short: bool = False,
) -> tuple[Positions, Positions]:
    """Positions of the lowest and highest `y` in each non-empty [start, end) segment.

    NaN never wins unless a segment holds nothing else: a gap must not hide a value.
    `has_nan` may say whether y holds NaN, when the caller knows, to save a pass.
    `short`: the segments are short (a few hundred rows at most) and contiguous, so
    the vectorized way is the fast one whatever their mean length.
    """
    if starts.size == 0:
        empty = np.empty(0, np.int64)
        return empty, empty
    if has_nan is None:
        has_nan = y.dtype.kind == "f" and bool(np.isnan(y).any())
    if has_nan:
        lows, _ = _extremes_pick(np.where(np.isnan(y), np.inf, y), starts, ends, short)
        _, highs = _extremes_pick(np.where(np.isnan(y), -np.inf, y), starts, ends, short)
        return lows, highs
    return _extremes_pick(y, starts, ends, short)


def _extremes_pick(
    y: Numbers, starts: Positions, ends: Positions, short: bool,
) -> tuple[Positions, Positions]:
    total = int(ends[-1] - starts[0])
    if not short and total >= _LOOP_MIN_MEAN * starts.size:
        return _extremes_loop(y, starts, ends)
    return _extremes_vectorized(y, starts, ends)


def sorted_unique(positions: Positions) -> Positions:
    """The distinct positions, ascending: what np.unique gives, by a sort and one pass.

    A few thousand picks per line: numpy's np.unique (hash-based for ints) took ~1 ms
    for them, the sort ~0.1 ms, and a panel reduces 20 lines.
    """
    out = np.sort(positions)
    kept: Positions = out[np.r_[True, out[1:] != out[:-1]]] if out.size else out
    return kept


def bin_edges(x_min: float, x_max: float, pixels: int) -> Floats:
    """The pixels - 1 inner column boundaries of [x_min, x_max]."""
    return x_min + (x_max - x_min) * (np.arange(1, pixels, dtype=np.float64) / pixels)


def _needle(x: Numbers, value: Numbers, *, upper: bool = False) -> Numbers:
    """`value` in x's own type, so a search does not convert all of an int column to float.

    Searching an int column for the first x >= v is searching it for ceil(v); for
    the last x <= v, floor(v).
    """
    if x.dtype.kind not in "iu":
        return value
    rounded = np.floor(value) if upper else np.ceil(value)
    limits = np.iinfo(np.int64)
    return np.clip(rounded, float(limits.min), float(limits.max)).astype(np.int64)


def visible_slice(x: Numbers, x_min: float, x_max: float) -> tuple[int, int]:
    """[lo, hi): the positions of a never-decreasing x that lie in [x_min, x_max]."""
    lo = int(np.searchsorted(x, _needle(x, np.asarray(x_min, np.float64)), "left"))
    hi = int(np.searchsorted(x, _needle(x, np.asarray(x_max, np.float64), upper=True), "right"))
    return lo, max(lo, hi)


def m4_sorted(
    x: Numbers, y: Numbers, x_min: float, x_max: float, pixels: int, *,
    y_has_nan: bool | None = None,
) -> Positions:
    """M4 of a line whose x never decreases; ascending positions.

    Points in [x_min, x_max] are kept raw when there are no more than `pixels` of
    them. Either way the nearest point outside each end is kept too, so the line
    runs to the plot's edge instead of stopping at the last visible sample.
    """
    lo, hi = visible_slice(x, x_min, x_max)
    outside = [p for p in (lo - 1, hi) if 0 <= p < x.size]
    if hi - lo <= pixels:
        inside = np.arange(lo, hi, dtype=np.int64)
        return np.union1d(inside, np.asarray(outside, np.int64))
    cuts = np.searchsorted(x[lo:hi], _needle(x, bin_edges(x_min, x_max, pixels)), "left") + lo
    bounds = np.concatenate(([lo], cuts, [hi])).astype(np.int64)
    starts, ends = bounds[:-1], bounds[1:]
    keep = starts < ends
    starts, ends = starts[keep], ends[keep]
    lows, highs = segment_extremes(y, starts, ends, y_has_nan)
    picked = np.concatenate((starts, ends - 1, lows, highs, np.asarray(outside, np.int64)))
    return sorted_unique(picked)


def pixel_columns(x: Numbers, x_min: float, x_max: float, pixels: int) -> npt.NDArray[Any]:
    """The pixel column of each x in [x_min, x_max], as the sorted path's edges define it.

    Arithmetic gets almost every point right in one pass; the two corrections move
    the few that rounding put one column off, so both paths agree on every point.
    """
    scale = pixels / (x_max - x_min) if x_max > x_min else 0.0
    raw = np.subtract(x, x_min, dtype=np.float64)
    raw *= scale
    np.clip(raw, 0, pixels - 1, out=raw)
    columns = raw.astype(np.int64)
    edges = np.concatenate(([-np.inf], bin_edges(x_min, x_max, pixels), [np.inf]))
    columns -= x < edges[columns]
    columns += x >= edges[columns + 1]
    # A narrow type: numpy sorts 16-bit integers stably by radix, in linear time.
    return columns.astype(np.int16 if pixels <= np.iinfo(np.int16).max else np.int32)


def m4_unsorted(x: Numbers, y: Numbers, x_min: float, x_max: float, pixels: int) -> Positions:
    """M4 of a line drawn in array order whose x goes back and forth.

    Pixel columns are still columns of x; "first" and "last" are by drawing order,
    which a stable sort by column keeps inside each column. Ascending positions.
    """
    inside = np.flatnonzero((x >= x_min) & (x <= x_max))
    if inside.size <= pixels:
        return inside.astype(np.int64)
    columns = pixel_columns(x[inside], x_min, x_max, pixels)
    order = np.argsort(columns, kind="stable")
    positions = inside[order]
    ys = y[positions]
    sorted_columns = columns[order]
    starts = np.flatnonzero(np.r_[True, sorted_columns[1:] != sorted_columns[:-1]])
    ends = np.r_[starts[1:], sorted_columns.size].astype(np.int64)
    lows, highs = segment_extremes(ys, starts.astype(np.int64), ends)
    picked = np.concatenate((starts, ends - 1, lows, highs))
    return sorted_unique(positions[picked])


def m4(
    x: Numbers, y: Numbers, x_min: float, x_max: float, pixels: int, *,
    x_sorted: bool | None = None, y_has_nan: bool | None = None,
) -> tuple[Positions, bool]:
    """M4 of one line drawn in array order: ascending positions, and whether it reduced.

    A line with no more than `pixels` points in [x_min, x_max] comes back raw.
    """
    if pixels < 1:
        raise ValueError("pixels must be at least 1")
    if x_sorted if x_sorted is not None else is_sorted(x):
        lo, hi = visible_slice(x, x_min, x_max)
        return m4_sorted(x, y, x_min, x_max, pixels, y_has_nan=y_has_nan), hi - lo > pixels
    kept = m4_unsorted(x, y, x_min, x_max, pixels)
    return kept, bool(kept.size) and int(np.count_nonzero((x >= x_min) & (x <= x_max))) > pixels


def density_cap(counts: npt.NDArray[np.int64], budget: int) -> int:
    """The largest per-cell cap c with sum(min(count, c)) <= budget (at least 1)."""
    occupied = np.sort(counts[counts > 0])
    if occupied.size == 0 or int(occupied.sum()) <= budget:
        return int(occupied[-1]) if occupied.size else 0
    # With c between two sorted counts, cells below c keep all, the rest keep c.
    below = np.concatenate(([0], np.cumsum(occupied)[:-1]))
    above = occupied.size - np.arange(occupied.size)
    # kept(c) for c = occupied[i] is below[i] + c * above[i]; find the last that fits.
    fits = below + occupied * above <= budget
    i = int(np.flatnonzero(fits)[-1]) + 1 if fits.any() else 0
    cap = (budget - int(below[i])) // int(above[i])
    return max(1, cap)


def grid_cells(
    x: Numbers, y: Numbers, bounds: tuple[float, float, float, float], grid: tuple[int, int]
) -> npt.NDArray[np.int32]:
    """The screen cell of every point: column * rows + row, clipped to the grid.

    Points off the grid count in its edge cells, and NaN in the first cell, so
    every point has a cell and the counts add up.
    """
    x_min, x_max, y_min, y_max = bounds
    cols, rows = grid

    def index(v: Numbers, lo: float, hi: float, n: int) -> npt.NDArray[np.int32]:
        scale = n / (hi - lo) if hi > lo else 0.0
        raw = np.subtract(v, lo, dtype=np.float64)
        raw *= scale
        np.clip(raw, 0, n - 1, out=raw)
        if np.isnan(raw.sum()):
            raw[np.isnan(raw)] = 0
        return raw.astype(np.int32)

    cells = index(x, x_min, x_max, cols)
    cells *= rows
    cells += index(y, y_min, y_max, rows)
    return cells


def density_keep(
    cells: npt.NDArray[np.int32], counts: npt.NDArray[np.int64], cap: int
) -> Positions:
    """Positions to keep: each point with probability min(1, cap / its cell's count).

    Cells at or under the cap keep every point exactly (a draw in [0, 1) is always
    below 1); denser cells keep about `cap`. Bernoulli sampling is one vectorized
    pass, where an exact per-cell quota would need a sort of all points.
    """
    chance = np.minimum(1.0, cap / np.maximum(counts, 1)).astype(np.float32)
    draws = np.random.default_rng(_SEED).random(cells.size, dtype=np.float32)
    return np.flatnonzero(draws < chance[cells]).astype(np.int64)


def finite_range(values: Numbers) -> tuple[float, float]:
    """(min, max) of the finite values; (0, 0) if there are none."""
    if not values.size:
        return 0.0, 0.0
    lo, hi = float(values.min()), float(values.max())
    if np.isfinite(lo) and np.isfinite(hi):
        return lo, hi
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 0.0
    return float(finite.min()), float(finite.max())


def density(
    x: Numbers,
    y: Numbers,
    budget: int,
    bounds: tuple[float, float, float, float] | None = None,
    grid: tuple[int, int] = (512, 512),
) -> Positions:
    """Thin a scatter of more than `budget` points to about `budget`; ascending positions.

    `bounds` (x_min, x_max, y_min, y_max) is the visible area; by default the data's.
    """
    if x.size <= budget:
        return np.arange(x.size, dtype=np.int64)
    if bounds is None:
        bounds = (*finite_range(x), *finite_range(y))
    cells = grid_cells(x, y, bounds, grid)
    counts = np.bincount(cells, minlength=grid[0] * grid[1]).astype(np.int64)
    return density_keep(cells, counts, density_cap(counts, budget))
