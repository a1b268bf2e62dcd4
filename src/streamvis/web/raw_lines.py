"""Short lines read raw: M4 over a run's x and y rows, several runs in one query.

A workspace panel draws 20 runs of 100,000 points over ~400 pixel columns: ~250 rows
per column, so a pixel edge cuts almost every level-0 bucket (`bucket_rows.BASE` rows)
and the summary walk (lod_summaries.py) reads nearly every bucket's raw rows anyway,
in a few dozen store queries per run. Below `LINE_RAW_BUCKETS_PER_PIXEL` buckets per
column this path instead reads the x and y values of every run asked in one query
(`Store.line_values`, from the same level-0 buckets) and reduces each with `lod.m4`:
exactly M4 over the raw rows, the rows the walk keeps too.

Only the chunks the x range reaches are read, with one more on each side: the nearest
row outside each end of the range, which M4 keeps, lies in them.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.model.limits import LINE_RAW_BUCKETS_PER_PIXEL, LINE_RAW_READ_ROWS
from streamvis.store import bucket_rows
from streamvis.store.base import Store
from streamvis.store.summary_groups import LineTops
from streamvis.web import lod
from streamvis.web.lod_summaries import LinePoints

Ints = npt.NDArray[np.int64]


def _reached(t: LineTops, x_min: float, x_max: float) -> tuple[int, int]:
    """[first, stop): the chunks whose x reaches into [x_min, x_max], one more each side."""
    lo = np.ceil(np.float64(x_min)) if np.isfinite(x_min) else x_min
    hi = np.floor(np.float64(x_max)) if np.isfinite(x_max) else x_max
    a = int(np.searchsorted(t.tops["x_last"], lo, "left"))
    b = int(np.searchsorted(t.tops["x_first"], hi, "right"))
    return max(min(a, b) - 1, 0), min(max(a, b) + 1, t.sequences.size)


def is_short(t: LineTops, x_min: float, x_max: float, pixels: int) -> bool:
    """Whether a run's line over [x_min, x_max] has few enough rows per pixel to read raw."""
    first, stop = _reached(t, x_min, x_max)
    rows = int(t.rows[first:stop].sum())
    return rows <= LINE_RAW_BUCKETS_PER_PIXEL * bucket_rows.BASE * pixels


def raw_points(
    store: Store, series: str, xy: tuple[str, str], lines: list[tuple[uuid.UUID, LineTops]],
    view: tuple[float, float, int],
) -> list[LinePoints | None]:
    """M4 points of each run's line, read raw; None for a line this path cannot read
    (a bucket without raw rows): the summary walk answers it."""
    x_min, x_max, _ = view
    asks: list[tuple[uuid.UUID, list[int]]] = []
    offsets: list[int] = []
    sizes: list[int] = []
    for run, t in lines:
        first, stop = _reached(t, x_min, x_max)
        asks.append((run, t.sequences[first:stop].tolist()))
        offsets.append(int(t.rows[:first].sum()))
        sizes.append(int(t.rows[first:stop].sum()))
    out: list[LinePoints | None] = []
    for group in _groups(sizes):
        got = store.line_values(series, xy[1], [asks[i] for i in group])
        out += [None if g is None else _m4(g, offsets[i], view)
                for i, g in zip(group, got, strict=True)]
    return out


def _groups(sizes: list[int]) -> list[list[int]]:
    """Runs in consecutive groups of at most `LINE_RAW_READ_ROWS` rows (at least one)."""
    groups: list[list[int]] = []
    total = LINE_RAW_READ_ROWS + 1
    for i, n in enumerate(sizes):
        if total + n > LINE_RAW_READ_ROWS:
            groups.append([])
            total = 0
        groups[-1].append(i)
        total += n
    return groups


def _m4(values: tuple[npt.NDArray[Any], npt.NDArray[Any]], offset: int,
        view: tuple[float, float, int]) -> LinePoints:
    x, y = values
    x_min, x_max, pixels = view
    keep, reduced = lod.m4(x, y, x_min, x_max, pixels, x_sorted=True)
    rows: Ints = keep + offset
    return LinePoints(rows, x[keep], y[keep], reduced)
