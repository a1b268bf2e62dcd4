"""Line plots answered from line summaries, in time and memory that follow pixels.

`POST /api/data` for a line (`kind` reduced by M4, with `pixels`) whose x is the
series' summary x (its first int field) and whose rows are not split or filtered
(no `group` field, `order` or `where`), sending only x, y and run attributes, is
answered here: per run, the chunks' summary heads (store/summaries.py), the
level-0 records of the chunks and the raw rows of the buckets an edge cuts
through, all kept in the column cache under its one byte budget, are reduced
by `lod_summaries.m4_summaries`: the same rows M4 over the whole columns keeps,
without ever holding the whole columns. Any other request, or a run with a chunk
whose x goes back, takes the column path (api_data.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.checks.grammar import GRAMMAR
from streamvis.model.errors import NotFoundError
from streamvis.model.schema import Field, Run
from streamvis.store import summaries
from streamvis.store.summaries import LineSummaries
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import Plan
from streamvis.web.http import AppState
from streamvis.web.lod_summaries import (
    BottomReader,
    Bucket,
    LinePoints,
    RawReader,
    buckets,
    m4_summaries,
    ordered,
)


def short_rows_per_pixel() -> int:
    """Rows per pixel up to which a line takes the column path (two level-0 buckets)."""
    return 2 * summaries.BASE


def _eligible(plan: Plan) -> tuple[Field, Field] | None:
    """The (x, y) fields of a request this path answers, or None."""
    req = plan.request
    if (req.kind is None or GRAMMAR.kind(req.kind).reduction != "m4" or req.pixels is None
            or req.order is not None or plan.line_keys or req.where
            or req.x is None or req.y is None or req.x == req.y
            or not set(plan.output) <= {req.x, req.y}):
        return None
    by_name = {f.name: f for f in plan.read}
    x, y = by_name.get(req.x), by_name.get(req.y)
    return None if x is None or y is None else (x, y)


def _concat(a: LineSummaries, b: LineSummaries) -> LineSummaries:
    return LineSummaries(
        a.x, np.concatenate((a.sequences, b.sequences)), np.concatenate((a.rows, b.rows)),
        np.concatenate((a.records, b.records)), np.concatenate((a.counts, b.counts)))


def _after(s: LineSummaries, low: int, high: int) -> LineSummaries:
    """The chunks with low < sequence <= high."""
    a, b = np.searchsorted(s.sequences, [low, high], "right").tolist()
    starts = np.concatenate(([0], np.cumsum(s.counts))).astype(np.int64)
    return LineSummaries(s.x, s.sequences[a:b], s.rows[a:b],
                         s.records[starts[a] : starts[b]], s.counts[a:b])


def _summaries(cache: ColumnCache, run: uuid.UUID, series: str, y: Field,
               bound: int) -> LineSummaries | None:
    """The run's summaries of `y` up to `bound`, brought up to date in the cache."""
    key = (run, series, y.handle, "m4", 0, 0, 0)
    since = cache.epoch(run)
    got = cache.held(key)
    known, held = got if isinstance(got, tuple) else (0, None)
    if known < bound:
        fresh = cache.store.line_summaries(run, series, y.name, known)
        if fresh is None:
            return None
        held = fresh if held is None else _concat(held, fresh)
        top = int(held.sequences[-1]) if held.sequences.size else 0
        cache.hold(key, (max(bound, top), held), held.nbytes, since)
    return None if held is None else _after(held, 0, bound)


def _held_reader(cache: ColumnCache, run: uuid.UUID, key: tuple[Any, ...],
                 fetch: Callable[[list[Any]], list[Any]],
                 size: Callable[[Any], int]) -> Callable[[list[Any]], list[Any]]:
    """A reader of what `fetch` reads by key, keeping what it read in the cache.

    A request asks for the pieces its pixel edges cut through (a few per edge), so
    the cache holds those: one entry per run, field and kind of piece, a dict by
    the piece's key, dropped whole past a quarter of the budget.
    """

    def read(wanted: list[Any]) -> list[Any]:
        since = cache.epoch(run)
        held = cache.held(key)
        # A copy: another request may be reading the held one.
        kept: dict[Any, Any] = dict(held) if isinstance(held, dict) else {}
        missing = [w for w in dict.fromkeys(wanted) if w not in kept]
        if missing:
            if sum(size(v) for v in kept.values()) > cache.max_bytes // 4:
                # A bound on what a run's edges may hold; they refill as asked.
                kept = {w: kept[w] for w in dict.fromkeys(wanted) if w in kept}
            kept.update(zip(missing, fetch(missing), strict=True))
            cache.hold(key, kept, sum(size(v) + 64 for v in kept.values()), since)
        return [kept[w] for w in wanted]

    return read


def _readers(cache: ColumnCache, run: uuid.UUID, series: str, y: Field,
             s: LineSummaries) -> tuple[BottomReader, RawReader]:
    """Readers of the level-0 records and the bucket rows of `s`'s chunks, cached."""
    store = cache.store
    seqs = s.sequences

    def bottoms(asked: list[int]) -> list[npt.NDArray[Any]]:
        got = store.line_bottoms(run, series, y.name, asked)
        if len(got) < len(asked):
            raise NotFoundError(f"run {run} lost chunks while being read: it was deleted")
        return [got[q] for q in asked]

    def rows(asked: list[tuple[int, int]]) -> list[Bucket]:
        got = store.line_rows(run, series, y.name, asked)
        return buckets(got, [b for _, b in asked])

    held_bottoms = _held_reader(cache, run, (run, series, y.handle, "bottoms", 0, 0, 0),
                                bottoms, lambda v: int(v.nbytes))
    held_rows = _held_reader(cache, run, (run, series, y.handle, "edges", 0, 0, 0),
                             rows, lambda v: int(v[0].nbytes + v[1].nbytes + len(v[2])))

    def read_bottoms(asked: list[int]) -> list[npt.NDArray[Any]]:
        return held_bottoms([int(seqs[c]) for c in asked])

    def read_rows(asked: list[tuple[int, int]]) -> list[Bucket]:
        return held_rows([(int(seqs[c]), b) for c, b in asked])

    return read_bottoms, read_rows


def _points(cache: ColumnCache, run: uuid.UUID, series: str, xy: tuple[Field, Field], *,
            v: LineSummaries, view: tuple[float, float, int, int]) -> LinePoints:
    """One run's M4 points, kept in the cache while its chunks and the view stay the same.

    A workspace asks for the same lines of finished runs again and again (every panel
    on every visit, every live refresh of the other runs): those answers cost a
    look-up, not a walk through the summaries. `view` is (x_min, x_max, pixels,
    after_sequence); a run's new chunk changes its last sequence, a zoom the view.
    """
    x, y = xy
    since = cache.epoch(run)
    last = int(v.sequences[-1]) if v.sequences.size else 0
    valid = (x.name, last, *view)
    key = (run, series, y.handle, "m4 points", 0, 0, 0)
    got = cache.held(key)
    if isinstance(got, tuple) and got[0] == valid:
        held: LinePoints = got[1]
        return held
    x_min, x_max, pixels, _ = view
    points = m4_summaries(v, _readers(cache, run, series, y, v), x_min, x_max, pixels)
    size = points.rows.nbytes + points.x.nbytes + points.y.nbytes + 256
    cache.hold(key, (valid, points), size, since)
    return points


def _extent(plan: Plan, views: list[LineSummaries]) -> tuple[float, float]:
    lo, hi = plan.request.x_range
    # Each chunk's top bucket (its last record) spans the chunk.
    firsts = [int(v.records["x_first"][int(v.counts[0]) - 1]) for v in views if v.sequences.size]
    lasts = [int(v.records["x_last"][-1]) for v in views if v.sequences.size]
    data_lo, data_hi = (float(min(firsts)), float(max(lasts))) if firsts else (0.0, 0.0)
    return (lo if lo is not None else data_lo), (hi if hi is not None else data_hi)


def summary_lines(app: AppState, plan: Plan, runs: list[Run]) -> pa.Table | None:
    """The reply to a line request from summaries, or None where this path does not apply."""
    fields = _eligible(plan)
    if fields is None:
        return None
    x, y = fields
    req = plan.request
    bound = app.store.last_sequence()
    views: list[LineSummaries] = []
    try:
        for run in runs:
            s = _summaries(app.cache, run.handle, plan.series.name, y, bound)
            if s is None or s.x != x.name or not ordered(s):
                return None
            views.append(_after(s, req.after_sequence, bound))
        # A line of few rows per pixel: its edges would read most of it raw, and its
        # columns are small; the column path is faster for it.
        if sum(int(v.rows.sum()) for v in views) <= short_rows_per_pixel() * (req.pixels or 1):
            return None
        x_min, x_max = _extent(plan, views)
        points = [
            _points(app.cache, run.handle, plan.series.name, (x, y), v=v,
                    view=(x_min, x_max, int(req.pixels or 1), req.after_sequence))
            for run, v in zip(runs, views, strict=True)
        ]
    except NotFoundError:  # a run deleted meanwhile: the column path leaves it out
        return None
    return _table(plan, runs, points, (x, y), bound)


def _table(plan: Plan, runs: list[Run], points: list[LinePoints], xy: tuple[Field, Field],
           bound: int) -> pa.Table:
    counts = np.array([p.rows.size for p in points], np.int64)
    run_index = pa.array(np.repeat(np.arange(len(runs), dtype=np.int32), counts))
    arrays: dict[str, pa.Array] = {"run": pa.DictionaryArray.from_arrays(
        run_index, pa.array([str(r.handle) for r in runs], pa.string()))}
    x, y = xy
    for name in plan.output:
        f, part = (x, "x") if name == x.name else (y, "y")
        values = [getattr(p, part) for p in points]
        arrays[name] = pa.array(np.concatenate(values) if values else [], f.type.arrow_type)
    for f in plan.attributes:
        if f.name not in arrays:
            values = pa.array([r.attributes[f.name] for r in runs], f.type.arrow_type)
            # As api_data sends them: strings dictionary-encoded, one value per run.
            arrays[f.name] = (pa.DictionaryArray.from_arrays(run_index, values)
                              if pa.types.is_string(values.type) else values.take(run_index))
    reduced = "m4" if any(p.reduced for p in points) else "none"
    metadata = {"reduced": reduced, "last_sequence": str(bound)}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)
