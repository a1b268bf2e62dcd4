"""The `cells` and `quartiles` reductions (checks/grammar.py): heatmaps, bars, boxes.

A cell is one value of each axis: an int, string or bool axis has one cell per distinct
value (at most MAX_CATEGORIES), a float axis is binned like a histogram's x
(web/bin_rules.py). Per part (a run, and a value of each split field) and cell, the rows
are aggregated by the request's `aggregate` (AGGREGATES: count without a `value`
field, or sum, mean, min, max, last of it); a heatmap has two axes (x, y), a bar chart
one (category). A box plot's cells are its categories, each summarized by its
quartiles, whiskers and outliers.

Every axis is sent as each cell's [low, high) position: an int or bool category sits
at its value ([v - 0.5, v + 0.5)), a string one at its rank, and a category axis adds
its `<axis>_label` column for the tick labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_CATEGORIES, MAX_OUTLIERS
from streamvis.model.types import NUMERIC, TYPES
from streamvis.web.bin_rules import (
    AGGREGATES,
    Edges,
    Part,
    edges_for,
    finite_extent,
    part_columns,
    parts,
)
from streamvis.web.columns import ColumnView

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Axis:
    """One axis of the cells: its name in the table, and its cells' positions."""

    name: str  # x or y
    lows: Floats
    highs: Floats
    labels: list[str] | None  # a category axis's tick labels
    values: list[npt.NDArray[Any]]  # per part, the axis value of each row
    categories: npt.NDArray[Any] | None  # sorted distinct values, for a category axis
    edges: Edges | None
    #: For an int axis of a narrow span: each value's cell at (value - its low).
    lookup: tuple[int, Ints] | None = None

    @property
    def count(self) -> int:
        return int(self.lows.size)

    def index(self, i: int) -> Ints:
        """Each row of part `i`'s cell on this axis (-1: outside every bin)."""
        if self.edges is not None or self.categories is None:
            return self.edges.index(self.values[i]) if self.edges else np.empty(0, np.int64)
        if self.lookup is not None:
            low, cells = self.lookup
            return cells[self.values[i].astype(np.int64) - low]
        return np.searchsorted(self.categories, self.values[i]).astype(np.int64)


def _decoded(view: ColumnView, rows: Ints) -> npt.NDArray[Any]:
    values = view.values[rows]
    if view.type.row.cache_codec == "labels":
        labels: npt.NDArray[Any] = np.asarray(view.labels, dtype=object)[values]
        return labels.astype(str)
    return values


def _axis(r: Reading, split: list[Part], field: str, name: str) -> Axis:
    req, columns = r.plan.request, r.snapshot.columns
    views = [columns[r.runs[p.run].handle][field] for p in split]
    values = [_decoded(v, p.rows) for v, p in zip(views, split, strict=True)]
    ftype = next(f.type for f in r.plan.read if f.name == field)
    if ftype.row.dtype.kind == "f":
        lo, hi = finite_extent(values)
        sample = np.concatenate(values).astype(np.float64) if values else np.empty(0)
        edges = edges_for(sample[np.isfinite(sample)], lo, hi, count=req.bins.count,
                          width=req.bins.width, rule=req.bins.rule)
        lows, highs = edges.bounds()
        return Axis(name, lows, highs, None, values, None, edges)
    lookup = _int_lookup(values)
    categories: npt.NDArray[Any]
    if lookup is not None:
        low, cells = lookup
        categories = low + np.flatnonzero(cells >= 0)
    else:
        categories = np.unique(np.concatenate(values)) if values else np.empty(0)
    if categories.size > MAX_CATEGORIES:
        raise ResourceExhaustedError(
            f"{field!r} has {categories.size} distinct values, more than {MAX_CATEGORIES} "
            f"categories: bind a field with fewer values to {name}, or narrow the filter")
    numeric = ftype.value in TYPES.with_trait(NUMERIC) or categories.dtype.kind == "b"
    centers = (categories.astype(np.float64) if numeric
               else np.arange(categories.size, dtype=np.float64))
    labels = [str(v) for v in categories.tolist()]
    return Axis(name, centers - 0.5, centers + 0.5, labels, values, categories, None, lookup)


def _int_lookup(values: list[npt.NDArray[Any]]) -> tuple[int, Ints] | None:
    """For ints spanning few values: (low, cell of each value - low; -1 where absent),
    found in two passes instead of a sort (labels and classes are small ints)."""
    if not values or values[0].dtype.kind not in "iu" or not any(v.size for v in values):
        return None
    low = min(int(v.min()) for v in values if v.size)
    high = max(int(v.max()) for v in values if v.size)
    if high - low >= 4 * MAX_CATEGORIES:
        return None
    present = np.zeros(high - low + 1, bool)
    for v in values:
        present[v.astype(np.int64) - low] = True
    cells = np.cumsum(present, dtype=np.int64) - 1
    cells[~present] = -1
    return low, cells


def _parts(r: Reading) -> list[Part]:
    req = r.plan.request
    return parts(r.runs, r.snapshot.columns, r.starts, req.where, r.plan.line_keys)


def _start(r: Reading, split: list[Part], cells: list[Ints]) -> dict[str, pa.Array]:
    fields = {f.name: f for f in r.plan.read}
    return part_columns(r.runs, {k: fields[k] for k in r.plan.line_keys}, split,
                        [c.size for c in cells])


def _positions(arrays: dict[str, pa.Array], axis: Axis, index: Ints) -> None:
    arrays[f"{axis.name}_low"] = pa.array(axis.lows[index])
    arrays[f"{axis.name}_high"] = pa.array(axis.highs[index])
    if axis.labels is not None:
        labels = pa.array(axis.labels, pa.string())
        arrays[f"{axis.name}_label"] = pa.DictionaryArray.from_arrays(
            pa.array(index.astype(np.int32)), labels)


def _finish(r: Reading, arrays: dict[str, pa.Array], reduced: str) -> pa.Table:
    metadata = {"reduced": reduced, "last_sequence": str(r.snapshot.bound)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)


def cells(r: Reading) -> pa.Table:
    """A value aggregated per cell: (x, y) for a heatmap, (category) for bars."""
    req = r.plan.request
    names = [(req.category, "x")] if req.category is not None else [(req.x, "x"), (req.y, "y")]
    if req.value is None and req.aggregate != "count":
        raise InvalidArgumentError(
            f'aggregate "{req.aggregate}" needs a "value" field to aggregate; without one, '
            'the aggregate is "count"')
    split = _parts(r)
    axes = [_axis(r, split, field, name) for field, name in names if field is not None]
    aggregate = AGGREGATES[req.aggregate]
    n = math.prod(a.count for a in axes)
    found: list[Ints] = []
    results: list[Floats] = []
    for i, part in enumerate(split):
        flat = np.zeros(part.rows.size, np.int64)
        inside = np.ones(part.rows.size, bool)
        for axis in axes:
            idx = axis.index(i)
            inside &= idx >= 0
            flat = flat * axis.count + idx
        values: Floats = np.empty(0)
        if req.value is not None:
            view = r.snapshot.columns[r.runs[part.run].handle][req.value]
            values = np.asarray(view.values[part.rows], np.float64)[inside]
        per_cell = aggregate(flat[inside], values, n)
        seen = np.flatnonzero(np.bincount(flat[inside], minlength=n))
        found.append(seen)
        results.append(per_cell[seen])
    arrays = _start(r, split, found)
    flat = np.concatenate(found) if found else np.empty(0, np.int64)
    for axis in reversed(axes):
        _positions(arrays, axis, flat % axis.count)
        flat = flat // axis.count
    arrays = dict(sorted(arrays.items(), key=lambda kv: kv[0] in ("y_low", "y_high", "y_label")))
    arrays["value"] = pa.array(np.concatenate(results) if results else np.empty(0))
    return _finish(r, arrays, "cells")


def quartiles(r: Reading) -> pa.Table:
    """Per part and category: quartiles, whiskers (1.5 IQR) and outliers of y."""
    req = r.plan.request
    if req.category is None or req.y is None:  # parse_data_request refuses this
        raise InvalidArgumentError('a box plot needs "category" and "y"')
    split = _parts(r)
    axis = _axis(r, split, req.category, "x")
    found: list[Ints] = []
    stats: list[Floats] = []
    outliers: list[list[float]] = []
    for i, part in enumerate(split):
        y = np.asarray(r.snapshot.columns[r.runs[part.run].handle][req.y].values[part.rows],
                       np.float64)
        idx = axis.index(i)
        keep = np.isfinite(y) & (idx >= 0)
        idx, y = idx[keep], y[keep]
        order = np.lexsort((y, idx))
        idx, y = idx[order], y[order]
        bounds = np.flatnonzero(np.diff(idx)) + 1
        boxes = [(int(g[0]), ys) for g, ys in
                 zip(np.split(idx, bounds), np.split(y, bounds), strict=True) if ys.size]
        found.append(np.array([b for b, _ in boxes], np.int64))
        for _, ys in boxes:
            row, out = _box(ys)
            stats.append(row)
            outliers.append(out)
    arrays = _start(r, split, found)
    flat = np.concatenate(found) if found else np.empty(0, np.int64)
    _positions(arrays, axis, flat)
    table = np.vstack(stats) if stats else np.empty((0, 6))
    for j, name in enumerate(("q1", "median", "q3", "whisker_low", "whisker_high", "count")):
        arrays[name] = pa.array(table[:, j])
    arrays["outliers"] = pa.array(outliers, pa.list_(pa.float64()))
    return _finish(r, arrays, "quartiles")


def _box(ys: Floats) -> tuple[Floats, list[float]]:
    """(q1, median, q3, whisker low, whisker high, count) of sorted `ys`, and outliers."""
    q1, median, q3 = np.percentile(ys, [25, 50, 75])
    reach = 1.5 * (q3 - q1)
    inner = ys[(ys >= q1 - reach) & (ys <= q3 + reach)]
    lo, hi = float(inner[0]), float(inner[-1])
    outside = ys[(ys < lo) | (ys > hi)]
    if outside.size > MAX_OUTLIERS:  # the most extreme ones
        outside = outside[np.argsort(-np.abs(outside - median), kind="stable")[:MAX_OUTLIERS]]
        outside.sort()
    return np.array([q1, median, q3, lo, hi, ys.size], np.float64), outside.tolist()
