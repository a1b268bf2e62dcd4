"""M4 of a line from its chunks' summaries, exactly what M4 over the raw rows gives.

The summaries (store/summaries.py) cut each chunk into buckets at several sizes.
Starting from each chunk's top bucket (the whole chunk), a bucket whose first and
last x fall in the same pixel column stands for all its rows: its first, last,
lowest and highest points are that column's candidates. A bucket that a column
edge cuts through is replaced by its children, one level down; at the lowest level
(`BASE` rows) the bucket's raw rows are read. So the work follows the number of
chunks plus pixel edges times levels, and raw rows are read only at the edges.

Per pixel column the candidates combine as in `lod.m4_sorted`: the first and last
row, the lowest and highest value (the first of equals, NaN losing to any number),
plus the nearest row outside each end of the x range; a range holding no more than
`pixels` rows is sent raw. The rules for which column a row falls in are the same
searches on the same int needles, so the answer is the same set of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from streamvis.store.bucket_rows import BASE, x_values
from streamvis.store.summaries import FACTOR, LineSummaries
from streamvis.store.summary_groups import LineTops
from streamvis.web import lod
from streamvis.web.edge_rows import RawReader, cut_segments

Ints = npt.NDArray[np.int64]


class Records(NamedTuple):
    """Records of several chunks in one array: chunk i's are `records[starts[i]:][:counts[i]]`.

    What a RecordReader returns: the records of the chunks asked, in the order asked,
    found in one array (a cache's pool of every chunk read so far, say) without
    copying them out chunk by chunk.
    """

    records: npt.NDArray[Any]
    starts: Ints
    counts: Ints

    def take(self) -> npt.NDArray[Any]:
        """The records of the chunks, chunk after chunk, as one array."""
        total = int(self.counts.sum())
        steps = np.arange(total, dtype=np.int64) - np.repeat(
            np.cumsum(self.counts) - self.counts, self.counts)
        out: npt.NDArray[Any] = self.records[np.repeat(self.starts, self.counts) + steps]
        return out


def pool(arrays: list[npt.NDArray[Any]]) -> Records:
    """Records of chunks given one array each, joined once (as bytes: numpy's
    concatenate of many structured arrays spends its time promoting field types)."""
    counts = np.array([a.size for a in arrays], np.int64)
    joined: npt.NDArray[Any] = np.frombuffer(b"".join([a.data for a in arrays]),
                                             arrays[0].dtype) if arrays else np.empty(0)
    return Records(joined, (np.cumsum(counts) - counts).astype(np.int64), counts)


#: Records of chunks (by sequence), in the order asked: their heads (levels above 0)
#: or their level-0 records.
RecordReader = Callable[[list[int]], Records]


class Readers(NamedTuple):
    """What the reduction reads of a run's chunks beyond their top records."""

    heads: RecordReader
    bottoms: RecordReader
    raw: RawReader


_FIELDS = ("first_pos", "first_x", "first_y", "last_pos", "last_x", "last_y",
           "min_pos", "min_x", "min_y", "max_pos", "max_x", "max_y")


@dataclass(frozen=True)
class LinePoints:
    """The rows M4 keeps of one run's line: run row numbers with their x and y."""

    rows: Ints
    x: Ints
    y: npt.NDArray[Any]
    reduced: bool


def _int_needle(values: npt.NDArray[np.float64], *, upper: bool = False) -> Ints:
    rounded = np.floor(values) if upper else np.ceil(values)
    limits = np.iinfo(np.int64)
    return np.clip(rounded, float(limits.min), float(limits.max)).astype(np.int64)


class _Columns:
    """The pixel column of an int x: -1 left of the range, `pixels` right of it."""

    def __init__(self, x_min: float, x_max: float, pixels: int) -> None:
        self.lo = int(_int_needle(np.asarray([x_min], np.float64))[0])
        self.hi = int(_int_needle(np.asarray([x_max], np.float64), upper=True)[0])
        self.inner = _int_needle(lod.bin_edges(x_min, x_max, pixels))
        self.pixels = pixels

    def bounds(self) -> Ints:
        """The least x of each column from 0 on, and of the first one past the range."""
        past = min(self.hi, int(np.iinfo(np.int64).max) - 1) + 1
        return np.concatenate(([self.lo], self.inner, [past])).astype(np.int64)

    def __call__(self, x: Ints) -> Ints:
        c = np.searchsorted(self.inner, x, "right").astype(np.int64)
        c[x < self.lo] = -1
        c[x > self.hi] = self.pixels
        return c


def _segments_of(records: npt.NDArray[Any], offsets: Ints) -> dict[str, npt.NDArray[Any]]:
    return {
        "first_pos": records["start"] + offsets, "first_x": records["x_first"],
        "first_y": records["y_first"],
        "last_pos": records["start"] + records["count"] - 1 + offsets,
        "last_x": records["x_last"], "last_y": records["y_last"],
        "min_pos": records["min_pos"] + offsets, "min_x": records["min_x"],
        "min_y": records["min_y"],
        "max_pos": records["max_pos"] + offsets, "max_x": records["max_x"],
        "max_y": records["max_y"],
    }


class _Cover:
    """Disjoint segments covering every row: buckets whole in a column, or raw rows.

    The summaries hold each chunk's head (its levels above 0); a bucket of level 1
    an edge cuts through is replaced by its level-0 children, read for that chunk.
    """

    def __init__(self, s: LineSummaries, offsets: Ints, columns: _Columns,
                 read: Readers) -> None:
        """`s`: heads of the chunks to cover, `offsets` their first rows in the line."""
        self.s, self.columns = s, columns
        self.bottoms, self.raw = read.bottoms, read.raw
        counts = s.counts
        self.rec_chunk = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        self.row_offsets = offsets
        rec = s.records
        key = self.rec_chunk * 64 + rec["level"]
        # Records come chunk by chunk, level by level: no sort needed to find each start.
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        levels = int(rec["level"].max(initial=0)) + 1
        self.level_first = np.zeros((counts.size, levels), np.int64)
        self.level_count = np.zeros((counts.size, levels), np.int64)
        ends = np.r_[first[1:], key.size]
        self.level_first[self.rec_chunk[first], rec["level"][first]] = first
        self.level_count[self.rec_chunk[first], rec["level"][first]] = ends - first
        self.parts: list[dict[str, npt.NDArray[Any]]] = []
        self.raw_buckets: list[tuple[Ints, Ints]] = []

    def run(self) -> list[dict[str, npt.NDArray[Any]]]:
        """The segments, in parts (not in row order)."""
        if self.s.sequences.size:
            tops = np.cumsum(self.s.counts) - 1  # each chunk's top bucket
            rec, chunk = self.s.records[tops], self.rec_chunk[tops]
            while rec.size:
                rec, chunk = self._step(rec, chunk)
            self._read_raw()
        return self.parts

    def _step(self, rec: npt.NDArray[Any], chunk: Ints) -> tuple[npt.NDArray[Any], Ints]:
        whole = self.columns(rec["x_first"]) == self.columns(rec["x_last"])
        if whole.any():
            self.parts.append(_segments_of(rec[whole], self.row_offsets[chunk[whole]]))
        chunk, rec = chunk[~whole], rec[~whole]
        bottom = rec["level"] == 0
        self.raw_buckets.append((chunk[bottom], rec["start"][bottom] // BASE))
        high = rec["level"] >= 2  # children in the head, not read for the chunk
        ones = ~bottom & ~high
        found = [self._from_heads(rec[high], chunk[high])]
        if ones.any():
            found.append(self._from_bottoms(rec[ones], chunk[ones]))
        return (np.concatenate([r for r, _ in found]),
                np.concatenate([c for _, c in found]))

    @staticmethod
    def _children(first_child: Ints, available: Ints, base: Ints) -> tuple[Ints, Ints]:
        """Indices of up to FACTOR children from `base + first_child`, and how many."""
        n = np.minimum(FACTOR, available - first_child)
        steps = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        idx: Ints = np.repeat(base + first_child, n) + steps
        return idx, n

    def _from_heads(self, rec: npt.NDArray[Any], chunk: Ints) -> tuple[
            npt.NDArray[Any], Ints]:
        """The children of records of level 2 and up: in the chunks' heads."""
        child_level = rec["level"] - 1
        first_child = rec["start"] // (BASE * FACTOR ** child_level)
        idx, n = self._children(first_child, self.level_count[chunk, child_level],
                                self.level_first[chunk, child_level])
        return self.s.records[idx], np.repeat(chunk, n)

    def _from_bottoms(self, rec: npt.NDArray[Any], chunk: Ints) -> tuple[
            npt.NDArray[Any], Ints]:
        """The level-0 children of level-1 records, read for their chunks."""
        wanted = np.unique(chunk)
        got = self.bottoms(self.s.sequences[wanted].tolist())
        where = np.searchsorted(wanted, chunk)
        idx, n = self._children(rec["start"] // BASE, got.counts[where], got.starts[where])
        out: npt.NDArray[Any] = got.records[idx]
        return out, np.repeat(chunk, n)

    def _read_raw(self) -> None:
        chunk = np.concatenate([c for c, _ in self.raw_buckets])
        index = np.concatenate([b for _, b in self.raw_buckets])
        if not chunk.size:
            return
        order = np.argsort(self.row_offsets[chunk] + index * BASE)  # row order
        chunk, index = chunk[order], index[order]
        got = self.raw(list(zip(self.s.sequences[chunk].tolist(), index.tolist(), strict=True)))
        self.parts.append(cut_segments(got, self.row_offsets[chunk] + index * BASE,
                                       self.columns.bounds()))


def _keys(y: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Sort keys: ascending for the lowest, descending for the highest; NaN loses."""
    if y.dtype.kind != "f":
        return y, ~y  # ~v = -v - 1: descending without overflow
    return np.where(np.isnan(y), np.inf, y), -np.where(np.isnan(y), -np.inf, y)


def _raw_inside(t: LineTops, raw: RawReader, seg: dict[str, npt.NDArray[Any]],
                inside: npt.NDArray[np.bool_]) -> tuple[Ints, Ints, npt.NDArray[Any]]:
    """Every row of the segments in `inside`, read raw (a range of few rows)."""
    lo, hi = int(seg["first_pos"][inside][0]), int(seg["last_pos"][inside][-1])
    offsets = np.concatenate(([0], np.cumsum(t.rows))).astype(np.int64)
    first, last = (int(np.searchsorted(offsets, p, "right")) - 1 for p in (lo, hi))
    asked = []
    for c in range(first, last + 1):
        a, b = max(lo, int(offsets[c])) - int(offsets[c]), min(hi, int(offsets[c + 1]) - 1)
        seq = int(t.sequences[c])
        asked += [(seq, k) for k in range(a // BASE, (b - int(offsets[c])) // BASE + 1)]
    got = raw(asked)
    skip = lo - int(offsets[first]) - asked[0][1] * BASE
    pos = np.arange(lo, hi + 1, dtype=np.int64)
    x = np.concatenate([x_values(g[0]) for g in got])[skip : skip + pos.size]
    y = np.concatenate([g[1] for g in got])[skip : skip + pos.size]
    return pos, x, y


def _first_lowest(key: npt.NDArray[Any], starts: Ints, group: Ints) -> Ints:
    """Per group of consecutive keys (beginning at `starts`), the index of its first
    lowest key. Segments come in row order, so the first is the lowest row: what
    M4 picks among equal values. No sort: a minimum per group and one comparison."""
    low = np.minimum.reduceat(key, starts)
    hit = np.flatnonzero(key == low[group])
    first: Ints = hit[np.r_[True, group[hit][1:] != group[hit][:-1]]]
    return first


def _pick(seg: dict[str, npt.NDArray[Any]], kind: str, at: Ints) -> tuple[
        Ints, Ints, npt.NDArray[Any]]:
    """The (row, x, y) of the `kind` point (first, last, min, max) of segments `at`."""
    return seg[f"{kind}_pos"][at], seg[f"{kind}_x"][at], seg[f"{kind}_y"][at]


def _segments(t: LineTops, read: Readers, columns: _Columns) -> dict[str, npt.NDArray[Any]]:
    """Disjoint segments covering every row of the line, in row order.

    A chunk whose top record (its whole rows) falls in one column is one segment; the
    heads of the others are read and covered bucket by bucket (`_Cover`).
    """
    offsets = np.concatenate(([0], np.cumsum(t.rows)[:-1])).astype(np.int64)
    whole = columns(t.tops["x_first"]) == columns(t.tops["x_last"])
    parts = [_segments_of(t.tops[whole], offsets[whole])] if whole.any() else []
    cut = np.flatnonzero(~whole)
    if cut.size:
        heads = read.heads(t.sequences[cut].tolist())
        if int(heads.counts.min()) == 0:
            raise ValueError("a chunk listed with a summary has no head")
        sub = LineSummaries(t.x, t.sequences[cut], t.rows[cut], heads.take(), heads.counts)
        parts += _Cover(sub, offsets[cut], columns, read).run()
    merged = {k: np.concatenate([p[k] for p in parts]) for k in _FIELDS}
    order = np.argsort(merged["first_pos"], kind="stable")
    return {k: v[order] for k, v in merged.items()}


def m4_summaries(
    t: LineTops, read: Readers, x_min: float, x_max: float, pixels: int,
) -> LinePoints:
    """M4 of one run's line, x being the summaries' x: the same rows `lod.m4` keeps.

    `t` (the chunks' top records) must be `ordered`. `read` reads chunks' heads,
    level-0 records and level-0 buckets' rows (by sequence) where edges cut them.
    """
    if pixels < 1:
        raise ValueError("pixels must be at least 1")
    columns = _Columns(x_min, x_max, pixels)
    if not t.sequences.size:
        empty = np.empty(0, np.int64)
        return LinePoints(empty, empty, np.empty(0, t.tops["min_y"].dtype), reduced=False)
    seg = _segments(t, read, columns)
    col = columns(seg["first_x"])
    inside = (col >= 0) & (col < pixels)
    total = int((seg["last_pos"][inside] - seg["first_pos"][inside] + 1).sum())
    picks: list[tuple[Ints, Ints, npt.NDArray[Any]]] = []
    left, right = np.flatnonzero(col < 0), np.flatnonzero(col >= pixels)
    if left.size:
        picks.append(_pick(seg, "last", left[-1:]))
    if right.size:
        picks.append(_pick(seg, "first", right[:1]))
    reduced = total > pixels
    if total and not reduced:
        picks.append(_raw_inside(t, read.raw, seg, inside))
    elif total:
        at = np.flatnonzero(inside)
        c = col[at]
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        ends = np.r_[starts[1:], c.size] - 1
        picks += [_pick(seg, "first", at[starts]), _pick(seg, "last", at[ends])]
        low_key, high_key = _keys(seg["min_y"][at])[0], _keys(seg["max_y"][at])[1]
        group = np.repeat(np.arange(starts.size, dtype=np.int64), ends - starts + 1)
        for kind, key in (("min", low_key), ("max", high_key)):
            picks.append(_pick(seg, kind, at[_first_lowest(key, starts, group)]))
    if not picks:
        empty = np.empty(0, np.int64)
        return LinePoints(empty, empty, np.empty(0, t.tops["min_y"].dtype), reduced=False)
    pos = np.concatenate([p[0] for p in picks])
    rows, first = np.unique(pos, return_index=True)
    return LinePoints(rows, np.concatenate([p[1] for p in picks])[first],
                      np.concatenate([p[2] for p in picks])[first], reduced)
