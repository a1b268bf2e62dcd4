"""The reductions of the kinds that show rows as they are: text, media and table.

Neither sends a whole series. The text kind (`text`) sends the rows of the frame shown
(each run's latest step unless a step is chosen; the frame arrives as a `where`
condition), newest first up to MAX_TEXT_BYTES of text per response. The table kind
(`page`) sorts the matching rows of every run on one column and sends one page of
them, with the count of all, so the browser pages through a long series a page at a
time. The media kind (`frame_rows`) sends the rows of the frame shown, at most
MAX_MEDIA_PANEL_ROWS of each run, the newest kept. Each picks rows; web/api_data.py
gathers the columns of the picked rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from streamvis.checks.grammar import RUN
from streamvis.model.errors import ResourceExhaustedError
from streamvis.model.limits import MAX_MEDIA_PANEL_ROWS, MAX_TEXT_BYTES
from streamvis.web.columns import ColumnView
from streamvis.web.row_conditions import where_rows

if TYPE_CHECKING:
    from streamvis.web.api_data import Reading

Rows = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Picked:
    """Per run, the rows to send; the order to send them in; what to add to the metadata.

    `order` (None: as gathered, run after run) indexes the rows gathered run after run,
    so a table sorted across runs is sent in its sorted order.
    """

    rows: list[Rows]
    order: Rows | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def _matching(r: Reading) -> list[Rows]:
    """Per run, the rows (absolute) after `after_sequence` that meet `where`."""
    out = []
    for run in r.runs:
        columns, start = r.snapshot.columns[run.handle], r.starts[run.handle]
        kept = where_rows(r.plan.request.where, columns, start)
        size = next(iter(columns.values())).values.size
        out.append(np.arange(start, size, dtype=np.int64) if kept is None else start + kept)
    return out


def _text_bytes(view: ColumnView) -> npt.NDArray[np.int64]:
    """Per row of a string column, the UTF-8 bytes of its value."""
    if view.type.row.cache_codec != "labels":
        return np.zeros(view.values.size, np.int64)
    sizes = np.array([len(label.encode()) for label in view.labels], np.int64)
    return sizes[np.asarray(view.values, np.int64)] if sizes.size else np.zeros(0, np.int64)


def text_rows(r: Reading) -> Picked:
    """The rows of the frame shown, newest first within MAX_TEXT_BYTES (split over runs)."""
    req = r.plan.request
    names = [n for n in (req.text, req.expected) if n is not None]
    budget = MAX_TEXT_BYTES // max(1, len(r.runs))
    rows: list[Rows] = []
    left_out = 0
    for run, picked in zip(r.runs, _matching(r), strict=True):
        columns = r.snapshot.columns[run.handle]
        cost = np.zeros(picked.size, np.int64)
        for name in names:
            cost += _text_bytes(columns[name])[picked]
        # The newest rows that fit: a step's text matters more than an older one's.
        fits = int(np.searchsorted(np.cumsum(cost[::-1]), budget, "right"))
        left_out += picked.size - fits
        rows.append(picked[picked.size - fits:])
    return Picked(rows, metadata={"left_out": str(left_out)})


def frame_rows(r: Reading) -> Picked:
    """The rows of the frame shown, the newest MAX_MEDIA_PANEL_ROWS of each run."""
    matching = _matching(r)
    rows = [picked[-MAX_MEDIA_PANEL_ROWS:] for picked in matching]
    left_out = sum(p.size for p in matching) - sum(p.size for p in rows)
    return Picked(rows, metadata={"left_out": str(left_out)})


def _sort_keys(r: Reading, parts: list[Rows], name: str) -> npt.NDArray[np.generic]:
    """The sort column over every run's rows, comparable across runs.

    Strings are ranked in the union of the runs' labels (each run codes its own).
    """
    if not parts:
        return np.zeros(0, np.int64)
    if name == RUN:
        return np.repeat(np.arange(len(parts), dtype=np.int64), [p.size for p in parts])
    views: list[ColumnView] = [r.snapshot.columns[run.handle][name] for run in r.runs]
    if views and views[0].type.row.cache_codec == "labels":
        union = sorted(set().union(*(v.labels for v in views)))
        rank = {label: i for i, label in enumerate(union)}
        keys = [np.array([rank[label] for label in v.labels], np.int64)[
                    np.asarray(v.values[p], np.int64)] if p.size else np.zeros(0, np.int64)
                for v, p in zip(views, parts, strict=True)]
        return np.concatenate(keys) if keys else np.zeros(0, np.int64)
    return np.concatenate([v.values[p] for v, p in zip(views, parts, strict=True)])


def _sorted(keys: npt.NDArray[np.generic], descending: bool, need: int | None = None) -> Rows:
    """A stable order of `keys` (NaN last either way: it is no value to rank); for a
    page near the top (`need` rows), maybe only its first `need` entries.

    Descending is the ascending order reversed: ties in reverse row order, the newest
    of equal values first. For a page near the top, the rows up to the page's last key
    are found by partition (linear) and only they are sorted: a first page of a million
    rows costs a partition, not a sort.
    """
    nan = np.isnan(keys) if keys.dtype.kind == "f" else np.zeros(keys.size, bool)
    valued = np.flatnonzero(~nan)
    values = keys[valued]
    if need is not None and 0 < need < values.size // 4:
        if descending:
            edge = values[np.argpartition(values, values.size - need)[values.size - need]]
            keep = np.flatnonzero(values >= edge)  # every tie of the edge, in row order
            part = keep[np.argsort(values[keep], kind="stable")]
            return valued[part[::-1][:need]].astype(np.int64)
        edge = values[np.argpartition(values, need - 1)[need - 1]]
        keep = np.flatnonzero(values <= edge)
        part = keep[np.argsort(values[keep], kind="stable")]
        return valued[part[:need]].astype(np.int64)
    order = valued[np.argsort(values, kind="stable")]
    if descending:
        order = order[::-1]
    return np.concatenate([order, np.flatnonzero(nan)]).astype(np.int64)


def page_rows(r: Reading) -> Picked:
    """One page of the matching rows of every run, sorted by `sort` when given."""
    req = r.plan.request
    parts = _matching(r)
    sizes = [p.size for p in parts]
    total = sum(sizes)
    if req.sort is None:
        order = np.arange(total, dtype=np.int64)
    else:
        if total > r.budget:
            raise ResourceExhaustedError(
                f"sorting {total} rows is over the limit of {r.budget}: narrow the filter "
                "(fewer runs, a frame or a where condition) or page unsorted"
            )
        order = _sorted(_sort_keys(r, parts, req.sort), req.descending,
                        req.offset + req.limit)
    page = order[req.offset:req.offset + req.limit]
    run_of = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)[page]
    flat = np.concatenate(parts)[page] if parts else np.zeros(0, np.int64)
    rows = [flat[run_of == i] for i in range(len(parts))]
    # The gathered table holds run 0's page rows, then run 1's...; `send[k]` is the
    # gathered row of page row k.
    gathered = np.argsort(run_of, kind="stable")
    send = np.empty_like(gathered)
    send[gathered] = np.arange(gathered.size, dtype=np.int64)
    return Picked(rows, send, {"total_rows": str(total), "offset": str(req.offset)})


def metadata_of(table_metadata: Mapping[bytes, bytes] | None,
                extra: Mapping[str, str]) -> dict[str, str]:
    """A table's schema metadata with `extra` added."""
    base = {k.decode(): v.decode() for k, v in (table_metadata or {}).items()}
    return {**base, **extra}
