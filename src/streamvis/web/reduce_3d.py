"""The reductions of the 3-D kinds (checks/grammar.py): `density3d` and `grid`.

`density3d` is the scatter's `density` one dimension up: up to the row budget every row is
sent; past it the points are counted per cell of a CELLS^3 grid over their extent and each
cell keeps at most a common cap (web/lod.py's `density_cap`, `density_keep`), so sparse
clusters and outliers survive while a dense core is thinned.

`grid` makes a surface: a run whose (x, y) pairs already form a full grid (every pair of
its distinct x and y values once) is passed through exactly; any other is binned into a
grid (the request's `bins`, else GRID_CELLS per axis) with the mean z per cell, NaN where a
cell has no row. Either way the reply holds one row per grid node, with the node's column
`grid_i` (along x) and row `grid_j` (along y), so the browser can join nodes into triangles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_BINS, MAX_SURFACE_NODES
from streamvis.web import lod
from streamvis.web.row_conditions import where_rows

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

#: Cells per axis of the 3-D thinning grid (64^3 = 262,144 cells, a 2 MB count array).
CELLS = 64
#: Nodes per axis of a surface binned from scattered rows when the request names no `bins`.
GRID_CELLS = 50


def _axes(r: Reading) -> tuple[str, str, str]:
    """The fields bound to x, y and z (parse_data_request checks x and y are given)."""
    req = r.plan.request
    if req.x is None or req.y is None or req.z is None:
        raise InvalidArgumentError(
            f'a {req.kind} needs "x", "y" and "z": the fields bound to them')
    return req.x, req.y, req.z


def _cat(parts: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
    return np.concatenate(parts) if parts else np.empty(0, dtype)


def _run_rows(r: Reading) -> list[Rows]:
    """Per run, its rows after the request's sequence that meet its `where`."""
    out = []
    for run in r.runs:
        columns, start = r.snapshot.columns[run.handle], r.starts[run.handle]
        kept = where_rows(r.plan.request.where, columns, start)
        size = next(iter(columns.values())).values.size
        out.append(np.arange(start, size, dtype=np.int64) if kept is None else start + kept)
    return out


def _values(r: Reading, rows: list[Rows], name: str) -> Floats:
    parts = [np.asarray(r.snapshot.columns[run.handle][name].values[p], dtype=np.float64)
             for run, p in zip(r.runs, rows, strict=True)]
    return np.concatenate(parts) if parts else np.empty(0)


def cells_3d(points: tuple[Floats, Floats, Floats], cells: int = CELLS) -> npt.NDArray[np.int64]:
    """Each point's cell of a cells^3 grid over the points' finite extent (NaN: cell 0)."""
    index = np.zeros(points[0].size, np.int64)
    for values in points:
        lo, hi = lod.finite_range(values)
        scale = cells / (hi - lo) if hi > lo else 0.0
        raw = (values - lo) * scale
        np.clip(raw, 0, cells - 1, out=raw)
        raw[np.isnan(raw)] = 0
        index = index * cells + raw.astype(np.int64)
    return index


def thin_points(r: Reading) -> tuple[list[Rows], str]:
    """Per run, the rows to send, and `none` or `density` (how they were chosen)."""
    x_name, y_name, z_name = _axes(r)
    rows = _run_rows(r)
    sizes = [p.size for p in rows]
    if sum(sizes) <= r.budget:
        return rows, "none"
    pts = (_values(r, rows, x_name), _values(r, rows, y_name), _values(r, rows, z_name))
    cells = cells_3d(pts)
    counts = np.bincount(cells, minlength=CELLS**3).astype(np.int64)
    kept = lod.density_keep(cells.astype(np.int32), counts, lod.density_cap(counts, r.budget))
    edges = np.cumsum([0, *sizes])
    cuts = np.searchsorted(kept, edges)
    return [p[kept[cuts[i]:cuts[i + 1]] - edges[i]] for i, p in enumerate(rows)], "density"


def full_grid(x: Floats, y: Floats, z: Floats) -> tuple[Floats, Floats, Floats] | None:
    """(x values, y values, z per node as [y, x]) when the rows are a full grid, else None."""
    xs, xi = np.unique(x, return_inverse=True)
    ys, yi = np.unique(y, return_inverse=True)
    if xs.size * ys.size != x.size or not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return None
    node = yi * xs.size + xi
    if np.unique(node).size != node.size:
        return None
    grid = np.empty(node.size)
    grid[node] = z
    return xs, ys, grid.reshape(ys.size, xs.size)


def binned_grid(x: Floats, y: Floats, z: Floats, n: int) -> tuple[Floats, Floats, Floats]:
    """(node x, node y, mean z per node as [y, x]) of rows binned into n x n cells."""
    (x0, x1), (y0, y1) = lod.finite_range(x), lod.finite_range(y)
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
    ix = np.clip(((x[ok] - x0) * (n / (x1 - x0) if x1 > x0 else 0)).astype(np.int64), 0, n - 1)
    iy = np.clip(((y[ok] - y0) * (n / (y1 - y0) if y1 > y0 else 0)).astype(np.int64), 0, n - 1)
    cell = iy * n + ix
    sums = np.bincount(cell, weights=z[ok], minlength=n * n)
    counts = np.bincount(cell, minlength=n * n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: Floats = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    centers_x = np.asarray(x0 + (np.arange(n) + 0.5) * ((x1 - x0) / n), np.float64)
    centers_y = np.asarray(y0 + (np.arange(n) + 0.5) * ((y1 - y0) / n), np.float64)
    return centers_x, centers_y, mean.reshape(n, n)


def grid(r: Reading) -> pa.Table:
    """The surface of each run: one row per grid node (see the module's docstring)."""
    req = r.plan.request
    x_name, y_name, z_name = _axes(r)
    n = req.bins.count or GRID_CELLS
    if n * n > MAX_SURFACE_NODES or n > MAX_BINS:
        raise ResourceExhaustedError(
            f"a surface of {n} x {n} nodes is more than {MAX_SURFACE_NODES}: ask for fewer bins")
    runs, xs, ys, zs, gi, gj = [], [], [], [], [], []
    reduced = "none"
    for run, rows in zip(r.runs, _run_rows(r), strict=True):
        cols = r.snapshot.columns[run.handle]
        x, y, z = (np.asarray(cols[f].values[rows], dtype=np.float64)
                   for f in (x_name, y_name, z_name))
        if not x.size:
            continue
        found = full_grid(x, y, z)
        if found is None or found[2].size > MAX_SURFACE_NODES:
            found = binned_grid(x, y, z, n)
            reduced = "grid"
        nx, ny = found[0].size, found[1].size
        jj, ii = np.divmod(np.arange(nx * ny, dtype=np.int32), np.int32(nx))
        xs.append(found[0][ii])
        ys.append(found[1][jj])
        zs.append(found[2].ravel())
        gi.append(ii)
        gj.append(jj)
        runs.append(np.full(nx * ny, str(run.handle), dtype=object))
    names = {x_name: _cat(xs, float), y_name: _cat(ys, float), z_name: _cat(zs, float)}
    arrays = {
        "run": pa.array(_cat(runs, object), pa.string()).dictionary_encode(),
        **{k: pa.array(v, pa.float64()) for k, v in names.items()},
        "grid_i": pa.array(_cat(gi, np.int32), pa.int32()),
        "grid_j": pa.array(_cat(gj, np.int32), pa.int32()),
    }
    metadata = {"reduced": reduced, "last_sequence": str(r.snapshot.bound)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)
