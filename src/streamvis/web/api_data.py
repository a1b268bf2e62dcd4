"""`POST /api/data`: a dataset's columns as an Arrow IPC stream, reduced to what shows.

The work runs on a worker thread: resolve the names, read the matching runs'
columns through the column cache, pick the rows to send with the reduction the plot
kind names in the grammar (checks/grammar.py: M4 per line, density thinning for the
whole scatter; `REDUCERS` below), and gather every sent column with those rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.checks.grammar import GRAMMAR
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.schema import Run
from streamvis.web import (
    bands,
    lod,
    reduce_3d,
    reduce_bins,
    reduce_cells,
    reduce_quiver,
    reduce_rows,
    run_columns,
)
from streamvis.web.columns import ColumnView, Snapshot, Summary
from streamvis.web.data_request import Plan, parse_data_request, resolve
from streamvis.web.http import AppState, blocking, json_body, state
from streamvis.web.row_conditions import where_rows
from streamvis.web.summary_lines import summary_lines

ARROW_STREAM = "application/vnd.apache.arrow.stream"
Rows = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Selection:
    """Per run, the rows to send (in drawing order for lines), and how they were chosen."""

    runs: list[Run]
    rows: list[Rows]
    reduced: str  # none, m4 or density


@dataclass(frozen=True)
class Reading:
    """What a reducer picks rows from: the request, the columns read, the runs."""

    plan: Plan
    snapshot: Snapshot
    runs: list[Run]
    starts: dict[uuid.UUID, int]  # per run, its first row after `after_sequence`
    budget: int  # the most rows a reply may hold


def _floats(view: ColumnView, start: int) -> lod.Floats:
    return np.asarray(view.values[start:], dtype=np.float64)


def _numbers(view: ColumnView, start: int) -> lod.Numbers:
    """The column from row `start` in its own type: a view, not a copy."""
    return view.values[start:]


def _line_members(
    columns: dict[str, ColumnView], keys: tuple[str, ...], start: int,
    kept: Rows | None = None,
) -> list[Rows | None]:
    """Positions (from `start`) of each line of one run; None stands for all of them.

    `kept` (positions, ascending) limits the lines to those rows (a facet or frame).
    """
    if kept is not None:
        if not kept.size:
            return []
        lines = _line_members(columns, keys, start)
        parts = [kept if m is None else np.intersect1d(m, kept, assume_unique=True)
                 for m in lines]
        return [p.astype(np.int64) for p in parts if p.size]
    if not keys:
        return [None]
    size = next(iter(columns.values())).values.size - start
    if not size:
        return []
    codes = np.zeros(size, np.int64)
    for name in keys:
        _, inverse = np.unique(columns[name].values[start:], return_inverse=True)
        codes = codes * (int(inverse.max(initial=0)) + 1) + inverse
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return [part.astype(np.int64) for part in np.split(order, bounds)]


def _axes(plan: Plan) -> tuple[str, str]:
    x, y = plan.request.x, plan.request.y
    if x is None or y is None:  # parse_data_request refuses this; here for the types
        raise InvalidArgumentError(f'a {plan.request.kind} needs "x" and "y"')
    return x, y


def _x_extent(plan: Plan, snapshot: Snapshot) -> tuple[float, float]:
    lo, hi = plan.request.x_range
    if lo is not None and hi is not None:
        return lo, hi
    x_name, _ = _axes(plan)
    data_lo, data_hi = np.inf, -np.inf
    after = plan.request.after_sequence
    for columns in snapshot.columns.values():
        view = columns[x_name]
        summary = view.summary(view.first_chunk_after(after))
        data_lo, data_hi = min(data_lo, summary.low), max(data_hi, summary.high)
    if data_lo > data_hi:
        data_lo = data_hi = 0.0
    return (lo if lo is not None else data_lo), (hi if hi is not None else data_hi)


def _one_line(
    x: lod.Numbers, y: lod.Numbers, order: lod.Numbers | None, members: Rows | None, *,
    x_range: tuple[float, float], pixels: int | None, hints: tuple[Summary, Summary] | None,
) -> tuple[Rows, bool]:
    """The rows of one line to send, in drawing order, and whether M4 reduced it.

    `hints` summarize x and y of the whole run, when this line is all of it.
    """
    if members is not None:
        x, y = x[members], y[members]
        order = order[members] if order is not None else None
    key = order if order is not None else x
    perm = None
    in_order = hints[0].ordered if hints is not None and order is None else lod.is_sorted(key)
    if not in_order:
        # Drawing order: by `order` if bound, else by x; a stable sort keeps ties.
        perm = np.argsort(key, kind="stable").astype(np.int64)
        x, y = x[perm], y[perm]
    x_sorted = order is None or lod.is_sorted(x)
    x_min, x_max = x_range
    if pixels is None:
        inside = (x >= x_min) & (x <= x_max)
        kept = np.arange(x.size, dtype=np.int64) if inside.all() else np.flatnonzero(inside)
        reduced = False
    else:
        kept, reduced = lod.m4(x, y, x_min, x_max, pixels, x_sorted=x_sorted,
                               y_has_nan=hints[1].has_nan if hints is not None else None)
    if perm is not None:
        kept = perm[kept]
    if members is not None:
        kept = members[kept]
    return kept, reduced


def _select_lines(plan: Plan, snapshot: Snapshot, runs: list[Run],
                  starts: dict[uuid.UUID, int]) -> Selection:
    req = plan.request
    x_name, y_name = _axes(plan)
    x_range = _x_extent(plan, snapshot)
    reduced = False
    chosen: list[Rows] = []
    for run in runs:
        columns, start = snapshot.columns[run.handle], starts[run.handle]
        x, y = _numbers(columns[x_name], start), _numbers(columns[y_name], start)
        order = _numbers(columns[req.order], start) if req.order else None
        picked: list[Rows] = []
        lines = _line_members(columns, plan.line_keys, start,
                              where_rows(req.where, columns, start))
        hints = None
        if len(lines) == 1 and lines[0] is None:
            first = columns[x_name].first_chunk_after(req.after_sequence)
            hints = (columns[x_name].summary(first), columns[y_name].summary(first))
        for members in lines:
            rows, did = _one_line(x, y, order, members, x_range=x_range, pixels=req.pixels,
                                  hints=hints)
            reduced |= did
            picked.append(rows)
        chosen.append(start + np.concatenate(picked) if picked else np.empty(0, np.int64))
    return Selection(runs, chosen, "m4" if reduced else "none")


def _select_scatter(plan: Plan, snapshot: Snapshot, runs: list[Run], budget: int) -> Selection:
    req = plan.request
    x_name, y_name = _axes(plan)
    (x_lo, x_hi), (y_lo, y_hi) = req.x_range, req.y_range
    bounded = any(v is not None for v in (x_lo, x_hi, y_lo, y_hi)) or bool(req.where)
    xs: list[lod.Numbers] = []
    ys: list[lod.Numbers] = []
    picked: list[tuple[int, Rows | None]] = []  # (first row, rows from there; None: all)
    extents: list[tuple[float, float, float, float]] = []
    for run in runs:
        columns = snapshot.columns[run.handle]
        first = columns[x_name].first_chunk_after(req.after_sequence)
        start = int(columns[x_name].offsets[first])
        x: lod.Numbers = columns[x_name].values[start:]
        y: lod.Numbers = columns[y_name].values[start:]
        rows = None
        if bounded:
            inside = np.ones(x.size, bool)
            kept = where_rows(req.where, columns, start)
            if kept is not None:
                inside[:] = False
                inside[kept] = True
            for values, lo, hi in ((x, x_lo, x_hi), (y, y_lo, y_hi)):
                if lo is not None:
                    inside &= values >= lo
                if hi is not None:
                    inside &= values <= hi
            rows = np.flatnonzero(inside).astype(np.int64)
            x, y = x[rows], y[rows]
        else:
            sx, sy = columns[x_name].summary(first), columns[y_name].summary(first)
            extents.append((sx.low, sx.high, sy.low, sy.high))
        xs.append(x)
        ys.append(y)
        picked.append((start, rows))
    sizes = [x.size for x in xs]

    def rows_of(i: int, positions: Rows | None) -> Rows:
        start, rows = picked[i]
        if positions is None:
            positions = np.arange(sizes[i], dtype=np.int64)
        return start + (positions if rows is None else rows[positions])

    if sum(sizes) <= budget:
        return Selection(runs, [rows_of(i, None) for i in range(len(runs))], "none")
    if bounded:
        cat_x, cat_y = np.concatenate(xs), np.concatenate(ys)
        fx, fy = lod.finite_range(cat_x), lod.finite_range(cat_y)
        bounds = (x_lo if x_lo is not None else fx[0], x_hi if x_hi is not None else fx[1],
                  y_lo if y_lo is not None else fy[0], y_hi if y_hi is not None else fy[1])
    else:
        cat_x = xs[0] if len(xs) == 1 else np.concatenate(xs)
        cat_y = ys[0] if len(ys) == 1 else np.concatenate(ys)
        e = np.array(extents)
        bounds = (e[:, 0].min(), e[:, 1].max(), e[:, 2].min(), e[:, 3].max())
    kept = lod.density(cat_x, cat_y, budget, bounds)
    edges = np.cumsum([0, *sizes])
    cuts = np.searchsorted(kept, edges)
    return Selection(runs, [rows_of(i, kept[cuts[i]:cuts[i + 1]] - edges[i])
                            for i in range(len(runs))], "density")


def _select_raw(r: Reading) -> Selection:
    rows = []
    for run in r.runs:
        columns, start = r.snapshot.columns[run.handle], r.starts[run.handle]
        kept = where_rows(r.plan.request.where, columns, start)
        size = next(iter(columns.values())).values.size
        rows.append(np.arange(start, size, dtype=np.int64) if kept is None else start + kept)
    total = sum(part.size for part in rows)
    if total > r.budget:
        raise ResourceExhaustedError(
            f"the request matches {total} rows, over the limit of {r.budget}: give "
            '"kind" with "pixels" so the server reduces it, narrow the filter, or raise '
            '"max_points"'
        )
    return Selection(r.runs, rows, "none")


def _rows(select: Callable[[Reading], Selection]) -> Callable[[Reading], pa.Table]:
    """A reduction that picks rows to send whole (the others send what rows add up to)."""
    return lambda r: _table(r.plan, r.snapshot, select(r))


def _picked(pick: Callable[[Reading], reduce_rows.Picked]) -> Callable[[Reading], pa.Table]:
    """A reduction that picks rows (web/reduce_rows.py), maybe in an order across runs."""

    def reduce(r: Reading) -> pa.Table:
        picked = pick(r)
        table = _table(r.plan, r.snapshot, Selection(r.runs, picked.rows, "none"))
        if picked.order is not None:
            table = table.take(pa.array(picked.order))
        return table.replace_schema_metadata(
            reduce_rows.metadata_of(table.schema.metadata, picked.metadata))

    return reduce


#: One reducer per reduction of the grammar (checks/grammar.py, REDUCTIONS): the table
#: sent for a request.
REDUCERS: dict[str, Callable[[Reading], pa.Table]] = {
    "m4": _rows(lambda r: _select_lines(r.plan, r.snapshot, r.runs, r.starts)),
    "density": _rows(lambda r: _select_scatter(r.plan, r.snapshot, r.runs, r.budget)),
    "bins": reduce_bins.histogram,
    "cells": reduce_cells.cells,
    "quartiles": reduce_cells.quartiles,
    "bands": bands.bands,
    "text": _picked(reduce_rows.text_rows),
    "page": _picked(reduce_rows.page_rows),
    "frame_rows": _picked(reduce_rows.frame_rows),
    "density3d": _rows(lambda r: Selection(r.runs, *reduce_3d.thin_points(r))),
    "grid": reduce_3d.grid,
    "arrows": reduce_quiver.arrows,
}


def _table(plan: Plan, snapshot: Snapshot, sel: Selection) -> pa.Table:
    counts = np.array([r.size for r in sel.rows], np.int64)
    run_index = pa.array(np.repeat(np.arange(len(sel.runs), dtype=np.int32), counts))

    def per_run(values: pa.Array) -> pa.Array:
        """One value per run, repeated on each of its rows."""
        if pa.types.is_string(values.type):
            # Dictionary-encoded: a run handle is 36 bytes, its code 4.
            return pa.DictionaryArray.from_arrays(run_index, values)
        return values.take(run_index)

    arrays: dict[str, pa.Array] = {
        "run": per_run(pa.array([str(r.handle) for r in sel.runs], pa.string())),
    }
    for f in plan.read:
        if f.name not in plan.output:
            continue
        parts = [snapshot.columns[r.handle][f.name].to_arrow(rows)
                 for r, rows in zip(sel.runs, sel.rows, strict=True)]
        if not parts:
            arrays[f.name] = pa.array([], f.type.arrow_type)
        elif f.type.row.cache_codec == "labels":
            # Each run's labels are its own dictionary; unify them into one.
            arrays[f.name] = pa.chunked_array(parts).unify_dictionaries().combine_chunks()
        else:
            arrays[f.name] = pa.concat_arrays(parts)
    for f in plan.attributes:
        if f.name not in arrays:
            arrays[f.name] = per_run(
                pa.array([r.attributes[f.name] for r in sel.runs], f.type.arrow_type))
    metadata = {"reduced": sel.reduced, "last_sequence": str(snapshot.bound)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)


def run_data_request(app: AppState, plan: Plan) -> pa.Table:
    """The table a data request asks for (blocking: call it on a worker thread)."""
    req = plan.request
    runs = [r for r in app.store.list_runs(plan.filter)
            if all(f.name in r.attributes for f in plan.attributes)]
    # A plain line over a step counter: from summaries, never reading whole columns.
    if (from_summaries := summary_lines(app, plan, runs)) is not None:
        return from_summaries
    snapshot = app.cache.read([r.handle for r in runs], plan.series, plan.read)
    starts = {
        r.handle: next(iter(snapshot.columns[r.handle].values())).first_row_after(
            req.after_sequence)
        for r in runs
    }
    budget = min(req.max_points or app.config.max_points, app.config.max_points)
    reduction = GRAMMAR.kind(req.kind).reduction if req.kind is not None else None
    reducer = _rows(_select_raw) if reduction is None else REDUCERS[reduction]
    return reducer(Reading(plan, snapshot, runs, starts, budget))


def encode_stream(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


async def data(request: Request) -> Response:
    req = parse_data_request(await json_body(request))
    app = state(request)

    def work() -> pa.Buffer:
        fields, series = app.store.list_fields(), app.store.list_series()
        if req.per_run:
            return encode_stream(run_columns.run_table(app, run_columns.resolve_runs(
                req, fields, series)))
        return encode_stream(run_data_request(app, resolve(req, fields, series)))

    body = await blocking(work)
    return Response(memoryview(body), media_type=ARROW_STREAM,
                    headers={"cache-control": "no-store"})


ROUTES: list[BaseRoute] = [Route("/api/data", data, methods=["POST"])]
