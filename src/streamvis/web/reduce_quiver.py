"""The quiver kind's reduction (checks/grammar.py, `arrows`): one arrow per screen cell.

A vector field logged densely would draw arrows on top of each other, so the arrows are
thinned per cell of a grid over the view (the request's x_min..x_max and y_min..y_max,
else the rows' extent; rows outside a given range are left out, so a zoomed-in view asks
again and gets its own arrows): `bins` cells per axis when given, else one cell per
ARROW_CELL_PX of the request's `pixels` (default PLOT_PIXELS), the same count on y. Per
run and cell the reply holds the mean x, y, u and v of its rows (and the mean of a
numeric color field) and their `count`; a discrete color field splits a cell into one
arrow per value. A cell with one arrow passes unchanged. The
mean vector is kept, so a region whose arrows cancel shows a short arrow, as it should.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.types import NUMERIC
from streamvis.web import lod
from streamvis.web.reduce_3d import _run_rows

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

Floats = npt.NDArray[np.float64]

#: Screen pixels per arrow cell: room for an arrow and its head at a glance.
ARROW_CELL_PX = 24
#: The plot width assumed when a request names no `pixels`.
PLOT_PIXELS = 800


def _roles(r: Reading) -> tuple[str, str, str, str]:
    req = r.plan.request
    if req.x is None or req.y is None or req.u is None or req.v is None:
        raise InvalidArgumentError(
            f'a {req.kind} needs "x", "y", "u" and "v": the fields bound to them')
    return req.x, req.y, req.u, req.v


def cell_count(r: Reading) -> int:
    """Cells per axis of the thinning grid."""
    req = r.plan.request
    if req.bins.count:
        return req.bins.count
    return max(1, (req.pixels or PLOT_PIXELS) // ARROW_CELL_PX)


def _bounds(lo: float | None, hi: float | None, values: Floats) -> tuple[float, float]:
    data_lo, data_hi = lod.finite_range(values)
    return (data_lo if lo is None else lo, data_hi if hi is None else hi)


def cell_means(columns: list[Floats], cells: npt.NDArray[np.int64]
               ) -> tuple[list[Floats], Floats, npt.NDArray[np.int64]]:
    """Per occupied cell (ascending), the mean of each column, the rows per cell and the
    first row of each."""
    _, first, inverse, counts = np.unique(cells, return_index=True, return_inverse=True,
                                          return_counts=True)
    means = [np.bincount(inverse, weights=c, minlength=counts.size) / counts for c in columns]
    return means, counts.astype(np.float64), first.astype(np.int64)


def _drawn(given: list[Floats], x_range: tuple[float | None, float | None],
           y_range: tuple[float | None, float | None]) -> npt.NDArray[np.bool_]:
    """The rows that draw an arrow: a finite position and vector, inside the ranges given."""
    ok = np.isfinite(given[0])
    for c in given[1:4]:
        ok &= np.isfinite(c)
    for c, (lo, hi) in ((given[0], x_range), (given[1], y_range)):
        if lo is not None:
            ok &= c >= lo
        if hi is not None:
            ok &= c <= hi
    return ok


def arrows(r: Reading) -> pa.Table:
    """The thinned arrows of every run (see the module's docstring)."""
    req = r.plan.request
    names = list(_roles(r))
    fields = {f.name: f for f in r.plan.read}
    extra = [n for n in r.plan.output if n not in names and NUMERIC in fields[n].type.row.traits]
    # A discrete field (a color by category) splits each cell by its value.
    split = [n for n in r.plan.output if n not in names and n not in extra]
    n = cell_count(r)
    rows = _run_rows(r)
    per_run = [[np.asarray(r.snapshot.columns[run.handle][f].values[p], np.float64)
                for f in (*names, *extra)] for run, p in zip(r.runs, rows, strict=True)]
    all_x = np.concatenate([c[0] for c in per_run]) if per_run else np.empty(0)
    all_y = np.concatenate([c[1] for c in per_run]) if per_run else np.empty(0)
    bounds = (*_bounds(*req.x_range, all_x), *_bounds(*req.y_range, all_y))
    out: dict[str, list[Floats]] = {k: [] for k in (*names, *extra, "count")}
    runs: list[npt.NDArray[np.object_]] = []
    labels: dict[str, list[pa.Array]] = {k: [] for k in split}
    reduced = "none"
    for run, given, picked in zip(r.runs, per_run, rows, strict=True):
        # A row without a position or a vector draws no arrow.
        ok = _drawn(given, req.x_range, req.y_range)
        cols = [c[ok] for c in given]
        if not cols[0].size:
            continue
        cells = lod.grid_cells(cols[0], cols[1], bounds, (n, n)).astype(np.int64)
        views = [r.snapshot.columns[run.handle][k] for k in split]
        for view in views:
            _, codes = np.unique(view.values[picked[ok]], return_inverse=True)
            cells = cells * (int(codes.max()) + 1) + codes
        means, counts, first = cell_means(cols, cells)
        for k, view in zip(split, views, strict=True):
            labels[k].append(view.to_arrow(picked[ok][first]))
        if counts.max() > 1:
            reduced = "arrows"
        for k, m in zip((*names, *extra), means, strict=True):
            out[k].append(m)
        out["count"].append(counts)
        runs.append(np.full(counts.size, str(run.handle), dtype=object))
    arrays = {"run": pa.array(np.concatenate(runs) if runs else np.empty(0, object),
                              pa.string()).dictionary_encode()}
    for k, parts in out.items():
        arrays[k] = pa.array(np.concatenate(parts) if parts else np.empty(0), pa.float64())
    for k, given_labels in labels.items():
        if not given_labels:
            arrays[k] = pa.array([], fields[k].type.arrow_type)
        elif fields[k].type.row.cache_codec == "labels":
            # Each run's labels are its own dictionary; unify them into one.
            arrays[k] = pa.chunked_array(given_labels).unify_dictionaries().combine_chunks()
        else:
            arrays[k] = pa.concat_arrays(given_labels)
    metadata = {"reduced": reduced, "last_sequence": str(r.snapshot.bound)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)
