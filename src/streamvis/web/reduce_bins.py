"""The `bins` reduction (checks/grammar.py): histograms, and histograms over time.

One histogram per run (and per value of each split field): the x values counted into
bins every histogram of the request shares, so they can be compared and stacked. The
bins are made at query time from the values stored, by count, width or rule
(web/bin_rules.py). With `t` bound, each part is counted per (t bin, x bin): a heatmap
of the distribution over steps, which the browser also draws as ridgelines or as
percentile bands.

Counting is vectorized: each row's flat cell index (t bin · x bins + x bin), then one
`np.bincount` per part; only cells with a count are sent.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_BINS
from streamvis.web.bin_rules import Edges, Part, edges_for, finite_extent, part_columns, parts

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

#: Step bins of a histogram over time when the request names no `t_bins`: about one
#: per pixel row of a tall plot, and few enough cells to send at any data size.
DEFAULT_T_BINS = 1_000
#: Rows counted at a time (count_cells).
BLOCK = 1 << 16


def _t_edges(values: list[npt.NDArray[Any]], count: int | None, integer: bool) -> Edges:
    """Step bins: one per step while they fit, else whole numbers of steps each."""
    lo, hi = finite_extent(values)
    if not math.isfinite(lo):
        return Edges(-0.5, 1.0, 1)
    if count is None and integer:
        width = max(1, math.ceil((hi - lo + 1) / DEFAULT_T_BINS))
        return Edges(lo - 0.5, float(width), math.floor((hi - lo) / width) + 1)
    return edges_for(np.empty(0), lo, hi, count=count or DEFAULT_T_BINS, width=None,
                     what="t bins")


def histogram(r: Reading) -> pa.Table:
    """Counts per bin (and per step bin, with `t`) of every part of the request."""
    plan, req = r.plan, r.plan.request
    if req.x is None:  # parse_data_request refuses this; here for the types
        raise InvalidArgumentError('a histogram needs "x": the field whose values it counts')
    columns = r.snapshot.columns
    split = parts(r.runs, columns, r.starts, req.where, plan.line_keys)
    xs = [p.take(columns[r.runs[p.run].handle][req.x].values) for p in split]
    lo, hi = req.x_range
    if lo is None or hi is None:
        data_lo, data_hi = finite_extent(xs)
        lo = data_lo if lo is None else lo
        hi = data_hi if hi is None else hi
    # Only a bin rule looks at the values; a count or width needs none (a pass saved).
    by_rule = req.bins.count is None and req.bins.width is None
    sample = _sample(xs) if by_rule else np.empty(0)
    edges = edges_for(sample, lo, hi, count=req.bins.count, width=req.bins.width,
                      rule=req.bins.rule)
    t_edges = None
    ts: list[npt.NDArray[Any]] = []
    if req.t is not None:
        ts = [p.take(columns[r.runs[p.run].handle][req.t].values) for p in split]
        integer = bool(ts) and ts[0].dtype.kind in "iub"
        t_edges = _t_edges(ts, req.bins.t_count, integer)
        if t_edges.count * edges.count > MAX_BINS * MAX_BINS // 10:
            raise InvalidArgumentError(
                f"{t_edges.count} step bins x {edges.count} value bins is too many cells: "
                "give fewer bins or t_bins")
    cells: list[npt.NDArray[np.int64]] = []
    counts: list[npt.NDArray[np.int64]] = []
    for i, x in enumerate(xs):
        # A column that never decreases stays so in any part of its rows (kept in order).
        known = (columns[r.runs[split[i].run].handle][req.t].summary().ordered or None
                 if req.t is not None else None)
        hist = count_cells(x, ts[i] if t_edges is not None else None, edges, t_edges,
                           (req.x_range[0] is None, req.x_range[1] is None), t_ordered=known)
        nonzero = np.flatnonzero(hist)
        cells.append(nonzero)
        counts.append(hist[nonzero])
    return _table(r, split, (edges, t_edges), cells, counts)


def count_cells(x: npt.NDArray[Any], t: npt.NDArray[Any] | None, edges: Edges,
                t_edges: Edges | None, fold: tuple[bool, bool] = (True, True), *,
                t_ordered: bool | None = None) -> npt.NDArray[np.int64]:
    """Rows per cell (t bin · x bins + x bin; per x bin without `t`), all cells.

    Steps are logged in order, so the rows of each step bin are found by binary search
    on `t` and counted slice by slice: each slice stays in the CPU cache. `t_ordered`
    says whether `t` never decreases when the caller knows (the column cache keeps that
    per chunk); None looks (a pass over `t`). Unordered steps take the general path: a
    flat cell index per row, in blocks.
    """
    # Imported here: numba (with llvmlite) is ≈ 70 MB of the server's memory, loaded on the
    # first histogram, not at start-up (decision 0037).
    from streamvis.web import bin_kernel  # noqa: PLC0415

    if t_edges is None or t is None:
        whole = np.array([0, x.size], np.int64)
        return bin_kernel.count_slices(x, whole, edges, fold=fold, block=BLOCK).reshape(-1)
    n, nt = edges.count, t_edges.count
    hist = np.zeros((nt, n), np.int64)
    ordered = bin_kernel.nondecreasing(t) if t_ordered is None else t_ordered
    if t.size and ordered:
        inner = t_edges.low + t_edges.width * np.arange(1, nt)
        keys = np.ceil(inner).astype(t.dtype) if t.dtype.kind in "iu" else inner.astype(t.dtype)
        bounds = np.concatenate([[0], np.searchsorted(t, keys, "left"), [t.size]])
        return bin_kernel.count_slices(x, bounds.astype(np.int64), edges, fold=fold,
                                       block=BLOCK).reshape(-1)
    for start in range(0, x.size, BLOCK):
        flat = edges.index(x[start:start + BLOCK])
        ti = t_edges.index(t[start:start + BLOCK])
        outside = (flat < 0) | (ti < 0)
        flat += ti * n
        flat[outside] = -1
        hist.reshape(-1)[:] += np.bincount(flat[flat >= 0], minlength=n * nt)
    return hist.reshape(-1)


def _sample(xs: list[npt.NDArray[Any]]) -> npt.NDArray[np.float64]:
    """Finite values for a bin rule: every part's, thinned evenly past a million."""
    total = sum(x.size for x in xs)
    step = max(1, total // 1_000_000)
    sample = np.concatenate([x[::step] for x in xs]).astype(np.float64) if xs else np.empty(0)
    return sample[np.isfinite(sample)]


def _table(r: Reading, split: list[Part], bins: tuple[Edges, Edges | None],
           cells: list[npt.NDArray[np.int64]], counts: list[npt.NDArray[np.int64]]) -> pa.Table:
    plan, (edges, t_edges) = r.plan, bins
    fields = {f.name: f for f in plan.read}
    arrays = part_columns(r.runs, {k: fields[k] for k in plan.line_keys}, split,
                          [c.size for c in cells])
    flat = np.concatenate(cells) if cells else np.empty(0, np.int64)
    lows, highs = edges.bounds()
    if t_edges is not None:
        t_lows, t_highs = t_edges.bounds()
        ti = flat // edges.count
        arrays["t_low"], arrays["t_high"] = pa.array(t_lows[ti]), pa.array(t_highs[ti])
        flat = flat % edges.count
    arrays["bin_low"], arrays["bin_high"] = pa.array(lows[flat]), pa.array(highs[flat])
    arrays["count"] = pa.array(np.concatenate(counts) if counts else np.empty(0, np.int64))
    metadata = {"reduced": "bins", "last_sequence": str(r.snapshot.bound),
                "bins": str(edges.count), "bin_low": repr(edges.low),
                "bin_width": repr(edges.width)}
    if t_edges is not None:
        metadata |= {"t_bins": str(t_edges.count), "t_low": repr(t_edges.low),
                     "t_width": repr(t_edges.width)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)
