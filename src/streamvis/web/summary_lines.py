"""Line plots answered from line summaries, in time and memory that follow pixels.

`POST /api/data` for a line (`kind` reduced by M4, with `pixels`) whose x is the
series' summary x (the int field it names as its x, else its first int field) and
whose rows are not split or filtered (no `group` field, `order` or `where`), sending
only x, y and run attributes, is answered here: per run, the chunks' summary heads
(store/summaries.py), the level-0 records of the chunks and the raw rows of the
buckets an edge cuts through, all kept in the column cache under its one byte
budget, are reduced by `lod_summaries.m4_summaries`: the same rows M4 over the whole
columns keeps, without ever holding the whole columns. Any other request, or a run with a chunk
whose x goes back, takes the column path (api_data.py). A run's line of few
rows per pixel column is read raw instead, with the request's other short lines
in one query, and reduced by M4 over its rows (raw_lines.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from streamvis.checks.grammar import GRAMMAR
from streamvis.model.errors import NotFoundError
from streamvis.model.schema import Field, Run
from streamvis.store.lines import lost_chunks
from streamvis.store.summary_groups import LineTops
from streamvis.web import raw_lines
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import Plan
from streamvis.web.edge_rows import Bucket
from streamvis.web.http import AppState
from streamvis.web.lod_summaries import (
    LinePoints,
    Readers,
    RecordReader,
    Records,
    m4_summaries,
)
from streamvis.web.record_pool import RecordPool

Ints = npt.NDArray[np.int64]


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


def _tops(cache: ColumnCache, run: uuid.UUID, series: str, y: Field,
          bound: int) -> LineTops | None:
    """The run's chunk tops of `y` up to `bound`, brought up to date in the cache.

    Whole groups never change: past what it holds, only the chunks after its whole
    groups are asked again (one group row per 64 chunks, then a head per chunk).
    """
    key = (run, series, y.handle, "m4", 0, 0, 0)
    since = cache.epoch(run)
    got = cache.held(key)
    known, held = got if isinstance(got, tuple) else (0, None)
    if known < bound:
        fresh = cache.store.line_tops(run, series, y.name, held.whole if held else 0)
        if fresh is None:
            return None
        if held is not None and fresh.first_group == held.whole:
            fresh = held.then(fresh)
        top = int(fresh.sequences[-1]) if fresh.sequences.size else 0
        held = fresh
        cache.hold(key, (max(bound, top), held), held.nbytes, since)
    return None if held is None else held.after(0, bound)


@dataclass(frozen=True)
class _Held:
    """A run's rows read for its edges (buckets, by key), and their bytes: kept with
    them, so a request adds its own bytes rather than summing everything held (twice a
    request, in Python: 3 ms at 2,000 entries, 17 ms at 20,000)."""

    found: dict[Any, Any]
    nbytes: int


def _held_reader(cache: ColumnCache, run: uuid.UUID, key: tuple[Any, ...],
                 fetch: Callable[[list[Any]], list[Any]],
                 size: Callable[[Any], int]) -> Callable[[list[Any]], list[Any]]:
    """A reader of what `fetch` reads by key, keeping what it read in the cache.

    A request asks for the buckets its pixel edges cut through (one per edge), so
    the cache holds those: one entry per run, field and kind of row, a dict by
    the row's key, dropped whole past a quarter of the budget.
    """

    def read(wanted: list[Any]) -> list[Any]:
        since = cache.epoch(run)
        held = cache.held(key)
        got = held if isinstance(held, _Held) else _Held({}, 0)
        missing = [w for w in dict.fromkeys(wanted) if w not in got.found]
        if missing:
            if got.nbytes > cache.max_bytes // 4:
                # A bound on what a run's edges may hold; they refill as asked.
                kept = {w: got.found[w] for w in dict.fromkeys(wanted) if w in got.found}
                nbytes = sum(size(v) + 64 for v in kept.values())
            else:
                kept, nbytes = dict(got.found), got.nbytes  # another request may be reading it
            fresh = fetch(missing)
            kept.update(zip(missing, fresh, strict=True))
            got = _Held(kept, nbytes + sum(size(v) + 64 for v in fresh))
            cache.hold(key, got, got.nbytes, since)
        return [got.found[w] for w in wanted]

    return read


def _held_pool(cache: ColumnCache, run: uuid.UUID, key: tuple[Any, ...],
               fetch: Callable[[list[int]], list[npt.NDArray[Any]]]) -> RecordReader:
    """A reader of chunks' records by sequence, keeping every chunk read in one pool.

    One entry per run, field and kind of record: one array of all the records read
    (chunk after chunk, grown in place: record_pool.py) with each chunk's sequence,
    start and count, so a request finds its chunks' records by a search, without
    joining thousands of arrays. Dropped (all but what is asked) past a quarter of
    the budget.
    """

    def read(asked: list[int]) -> Records:
        since = cache.epoch(run)
        held = cache.held(key)
        got = held if isinstance(held, RecordPool) else RecordPool.empty()
        wanted = np.asarray(asked, np.int64)
        missing = np.unique(wanted[~got.has(wanted)])
        if missing.size:
            if got.nbytes > cache.max_bytes // 4:
                got = got.only(np.unique(wanted))
            got = got.plus(missing, fetch(missing.tolist()))
            cache.hold(key, got, got.nbytes, since)
        return got.find(wanted)

    return read


def _readers(cache: ColumnCache, run: uuid.UUID, series: str, y: Field) -> Readers:
    """Readers of chunks' heads, level-0 records and bucket rows, kept in the cache."""
    store = cache.store

    def records(read: Callable[[uuid.UUID, str, str, list[int]], dict[int, Any]]) -> Callable[
            [list[int]], list[npt.NDArray[Any]]]:
        def fetch(asked: list[int]) -> list[npt.NDArray[Any]]:
            got = read(run, series, y.name, asked)
            if len(got) < len(asked):
                raise lost_chunks(run)
            return [got[q] for q in asked]
        return fetch

    def rows(asked: list[tuple[int, int]]) -> list[Bucket]:
        return store.line_rows(run, series, y.name, asked)

    def held(kind: str, fetch: Callable[[list[Any]], list[Any]],
             size: Callable[[Any], int]) -> Callable[[list[Any]], list[Any]]:
        return _held_reader(cache, run, (run, series, y.handle, kind, 0, 0, 0), fetch, size)

    def pooled(kind: str, fetch: Callable[[list[int]], list[npt.NDArray[Any]]]) -> RecordReader:
        return _held_pool(cache, run, (run, series, y.handle, kind, 0, 0, 0), fetch)

    return Readers(
        heads=pooled("heads", records(store.line_heads)),
        bottoms=pooled("bottoms", records(store.line_bottoms)),
        raw=held("edges", rows, lambda v: int(v[0].nbytes + v[1].nbytes)))


def _points(cache: ColumnCache, series: str, xy: tuple[Field, Field],
            lines: list[tuple[Run, LineTops]], view: tuple[float, float, int, int],
            ) -> list[LinePoints]:
    """Each run's M4 points, kept in the cache while its chunks and the view stay the same.

    A workspace asks for the same lines of finished runs again and again (every panel
    on every visit, every live refresh of the other runs): those answers cost a
    look-up. `view` is (x_min, x_max, pixels, after_sequence); a run's new chunk
    changes its last sequence, a zoom the view. The others are read: short lines raw,
    all together (raw_lines.py), the rest by walking their summaries.
    """
    x, y = xy
    x_min, x_max, pixels, _ = view
    out: list[LinePoints | None] = []
    keys: list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[int, int]]] = []
    for run, v in lines:
        last = int(v.sequences[-1]) if v.sequences.size else 0
        keys.append(((run.handle, series, y.handle, "m4 points", 0, 0, 0),
                     (x.name, last, *view), cache.epoch(run.handle)))
        got = cache.held(keys[-1][0])
        out.append(got[1] if isinstance(got, tuple) and got[0] == keys[-1][1] else None)
    fresh = [p is None for p in out]
    short = [i for i, p in enumerate(out)
             if p is None and raw_lines.is_short(lines[i][1], x_min, x_max, pixels)]
    if short:
        read = raw_lines.raw_points(cache.store, series, (x.name, y.name),
                                    [(lines[i][0].handle, lines[i][1]) for i in short],
                                    (x_min, x_max, pixels))
        for i, p in zip(short, read, strict=True):
            out[i] = p
    done: list[LinePoints] = []
    for (run, v), got, new, (key, valid, since) in zip(lines, out, fresh, keys, strict=True):
        p = got or m4_summaries(v, _readers(cache, run.handle, series, y), x_min, x_max, pixels)
        if new:
            size = p.rows.nbytes + p.x.nbytes + p.y.nbytes + 256
            cache.hold(key, (valid, p), size, since)
        done.append(p)
    return done


def _extent(plan: Plan, views: list[LineTops]) -> tuple[float, float]:
    lo, hi = plan.request.x_range
    firsts = [int(v.tops["x_first"][0]) for v in views if v.sequences.size]
    lasts = [int(v.tops["x_last"][-1]) for v in views if v.sequences.size]
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
    views: list[LineTops] = []
    try:
        for run in runs:
            t = _tops(app.cache, run.handle, plan.series.name, y, bound)
            if t is None or t.x != x.name:
                return None
            view = t.after(req.after_sequence, bound)
            if not view.ordered():
                return None
            views.append(view)
        x_min, x_max = _extent(plan, views)
        points = _points(app.cache, plan.series.name, (x, y), list(zip(runs, views, strict=True)),
                         (x_min, x_max, int(req.pixels or 1), req.after_sequence))
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
