"""Counting rows into equal-width bins, slice by slice: the inner loop of the histogram
over time (web/reduce_bins.py `count_cells`).

Two implementations of one rule, which give the same counts to the row:

- compiled with numba when it is installed (the `fast` extra): one pass over the values
  as stored (float32 stays float32), each one scaled, clamped and counted in place, about
  1.3 ns a value on one thread; slices (cut into pieces of PIECE rows where longer) are
  spread over numba's threads, each into its own row of counts;
- numpy otherwise (`count_x` per slice): five array passes and a `bincount`, about
  6 ns a value, most of it in `bincount` and its cast to intp.

The rule (what `count_x` documents): a value's position is `x·(1/width) + (2 - low/width)`
computed in the values' own float width (float32 stays float32), NaN and everything
below clamp to 0 and everything above to n + 2, and the truncated position is the
counter: bin k is counter k + 2, counter 1 the values less than a bin below the low
edge, counter n + 2 the top edge and past it. `fold` adds counters 1 and n + 2 to the
end bins. docs/decisions/0021-histogram-kernel.md has the measurements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.web.bin_rules import Edges

try:  # the `fast` extra; without it the numpy path counts the same
    import numba
except ImportError:  # pragma: no cover - depends on the install
    numba = None  # type: ignore[assignment]

Counts = npt.NDArray[np.int64]


def _scale(dtype: np.dtype[Any], low: float, width: float) -> tuple[Any, Any]:
    """The multiplier and offset of the rule, in the values' float width."""
    inv = 1.0 / width
    return dtype.type(inv), dtype.type(2.0 - low * inv)


def count_x(x: npt.NDArray[Any], edges: Edges, fold: tuple[bool, bool] = (True, True),
            ) -> Counts:
    """Rows per x bin, in four passes and one bincount, with no mask.

    Bin k is counted at k + 2: below it, 1 holds what lies less than a bin below the low
    edge and 0 the rest and NaN; above, n + 2 holds the top edge and past it. `fold`
    (low, high) adds the near-below and the top to the end bins: when the edge is the
    data's own extreme, that is where float32 rounding or the top value itself put them;
    when the request gave x_min or x_max, bins are [low, high) and they are left out.
    """
    n = edges.count
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    inv, shift = _scale(dtype, edges.low, edges.width)
    scaled = np.multiply(x, inv, dtype=dtype)
    scaled += shift
    np.fmax(scaled, 0, out=scaled)  # fmax, not maximum: NaN becomes 0
    np.fmin(scaled, n + 2, out=scaled)
    counts = np.bincount(scaled.astype(np.intp), minlength=n + 3)
    out = counts[2:n + 2].astype(np.int64)
    if fold[0]:
        out[0] += counts[1]
    if fold[1]:
        out[-1] += counts[n + 2]
    return out


def _slices_numpy(x: npt.NDArray[Any], bounds: npt.NDArray[np.int64], edges: Edges,
                  fold: tuple[bool, bool], block: int) -> Counts:
    hist = np.zeros((bounds.size - 1, edges.count), np.int64)
    for k in range(bounds.size - 1):
        a, b = int(bounds[k]), int(bounds[k + 1])
        for i in range(a, b, block):  # a block at a time stays in the CPU cache
            hist[k] += count_x(x[i:min(b, i + block)], edges, fold)
    return hist


#: Slices longer than this are cut into pieces of it for the threads (a histogram without
#: `t` is one slice); rows fewer than this in all are counted on one thread.
PIECE = 1 << 20

if numba is not None:
    @numba.njit(cache=True, nogil=True)
    def _count_piece(  # noqa: PLR0917 - compiled: plain positional arrays and scalars
            x: Any, a: int, b: int, scale: Any, n: int, fold_low: bool, fold_high: bool,
            out: Any,
    ) -> None:  # pragma: no cover
        # Compiled: coverage cannot see inside; tests compare it with the numpy path.
        inv, shift, zero, top = scale[0], scale[1], scale[2], scale[3]
        # Positions of a block first (a loop the compiler vectorizes), then counted into
        # two tallies in turn: neighbours often share a bin, and with one tally each
        # increment would wait for the one before. Measured: 0021-histogram-kernel.md.
        index = np.empty(4096, np.int32)
        even, odd = np.zeros(n + 3, np.int64), np.zeros(n + 3, np.int64)
        for start in range(a, b, 4096):
            stop = min(b, start + 4096)
            for i in range(start, stop):
                c = x[i] * inv + shift
                c = c if c >= zero else zero  # below, and NaN (compares false)
                c = c if c <= top else top
                index[i - start] = np.int32(c)
            size = stop - start
            for i in range(size // 2):
                even[index[2 * i]] += 1
                odd[index[2 * i + 1]] += 1
            if size & 1:
                even[index[size - 1]] += 1
        for j in range(n):
            out[j] = even[j + 2] + odd[j + 2]
        if fold_low:
            out[0] += even[1] + odd[1]
        if fold_high:
            out[n - 1] += even[n + 2] + odd[n + 2]

    @numba.njit(cache=True, nogil=True, parallel=True)
    def _pieces_parallel(  # noqa: PLR0917 - compiled: plain positional arrays and scalars
            x: Any, bounds: Any, scale: Any, n: int, fold_low: bool, fold_high: bool,
    ) -> Any:  # pragma: no cover
        hist = np.zeros((bounds.size - 1, n), np.int64)
        for k in numba.prange(bounds.size - 1):  # each piece on whichever thread is free
            _count_piece(x, bounds[k], bounds[k + 1], scale, n, fold_low, fold_high, hist[k])
        return hist

    @numba.njit(cache=True, nogil=True)
    def _pieces_serial(  # noqa: PLR0917 - compiled: plain positional arrays and scalars
            x: Any, bounds: Any, scale: Any, n: int, fold_low: bool, fold_high: bool,
    ) -> Any:  # pragma: no cover
        hist = np.zeros((bounds.size - 1, n), np.int64)
        for k in range(bounds.size - 1):
            _count_piece(x, bounds[k], bounds[k + 1], scale, n, fold_low, fold_high, hist[k])
        return hist

    @numba.njit(cache=True, nogil=True, parallel=True)
    def _drops(t: Any) -> int:  # pragma: no cover
        # Pieces in parallel; each looks one row back across its start.
        pieces = (t.size + PIECE - 1) // PIECE
        found = 0
        for k in numba.prange(pieces):
            a = max(1, k * PIECE)
            b = min(t.size, (k + 1) * PIECE)
            for i in range(a, b):
                if t[i] < t[i - 1]:
                    found += 1
                    break
        return found


def _pieces(bounds: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """`bounds` with every slice longer than PIECE cut into pieces, and where each slice's
    first piece is (for `np.add.reduceat` to sum the pieces back into their slice)."""
    sizes = np.diff(bounds)
    cuts = np.maximum(1, -(-sizes // PIECE))
    if bool(np.all(cuts == 1)):
        return bounds, np.arange(sizes.size, dtype=np.intp)
    out = [np.array([bounds[0]], np.int64)]
    for k in range(sizes.size):
        a, b = int(bounds[k]), int(bounds[k + 1])
        out.append(np.minimum(b, a + PIECE * np.arange(1, int(cuts[k]) + 1, dtype=np.int64)))
    starts = np.concatenate([[0], np.cumsum(cuts)[:-1]]).astype(np.intp)
    return np.concatenate(out), starts


def nondecreasing(t: npt.NDArray[Any]) -> bool:
    """Whether `t` never decreases: compiled and threaded when numba is installed, else a
    block at a time with numpy (stopping at the first drop)."""
    if t.size < 2:
        return True
    if numba is not None and t.dtype.kind in "iuf":
        return bool(_drops(np.ascontiguousarray(t)) == 0)
    for i in range(0, t.size, PIECE):
        block = t[max(0, i - 1):i + PIECE]
        if not bool(np.all(block[1:] >= block[:-1])):
            return False
    return True


def count_slices(x: npt.NDArray[Any], bounds: npt.NDArray[np.int64], edges: Edges, *,
                 fold: tuple[bool, bool] = (True, True), block: int = 1 << 16,
                 compiled: bool | None = None) -> Counts:
    """Rows per (slice, bin): slice k is rows bounds[k]:bounds[k+1] of `x`.

    `compiled` picks the implementation (None: numba when installed); both count alike.
    """
    use = numba is not None if compiled is None else compiled
    if use and numba is None:
        raise RuntimeError("the compiled bin kernel needs numba: pip install 'streamvis[fast]'")
    n = edges.count
    if not use or x.dtype.kind not in "fiu" or n < 1:
        return _slices_numpy(x, bounds, edges, fold, block)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    # In the values' float width, so the compiled loop rounds as numpy does; float32 is
    # read as stored, never widened.
    scale = np.array([*_scale(dtype, edges.low, edges.width), 0, n + 2], dtype)
    x = np.ascontiguousarray(x)
    bounds = bounds.astype(np.int64)
    if x.size < PIECE or numba.get_num_threads() < 2:
        serial: Counts = _pieces_serial(x, bounds, scale, n, fold[0], fold[1])
        return serial
    # Chunk-parallel: slices (cut into pieces where long) counted on all threads, each
    # piece into its own row, then the pieces of a slice added up.
    pieces, starts = _pieces(bounds)
    hist: Counts = _pieces_parallel(x, pieces, scale, n, fold[0], fold[1])
    if pieces.size == bounds.size:
        return hist
    summed: Counts = np.add.reduceat(hist, starts, axis=0)
    return summed


def threads() -> int:
    """Threads the compiled kernel counts on (1 without numba)."""
    return int(numba.get_num_threads()) if numba is not None else 1


def compiled_available() -> bool:
    """Whether the compiled kernel can run (numba is installed)."""
    return numba is not None
