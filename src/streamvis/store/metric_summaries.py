"""Summary values of runs' metrics: per run and series, the row count and the last,
lowest and highest value of each numeric field, computed where the data is.

The compare page, the run search's summary columns, the hyperparameter views and the
data API's `summaries()` all read this one computation (GET /api/summaries and the
gRPC `GetSummaries` call). It streams the series' chunks (one at a time, so memory stays
bounded by a chunk whatever the series' length) and keeps per run and field three
numbers. NaN is skipped by lowest and highest (a NaN loss is not the best loss) but is
the last value when it was logged last: the summary says what the run ended on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.errors import NotFoundError
from streamvis.model.run_summaries import FieldSummary, SeriesSummary
from streamvis.model.schema import RunFilter, Series
from streamvis.model.types import NUMERIC
from streamvis.store.base import Store


def _numeric_fields(store: Store, series: Series, wanted: Sequence[str]) -> list[str]:
    types = {f.name: f.type for f in store.list_fields()}
    numeric = [n for n in series.fields if NUMERIC in types[n].row.traits]
    if not wanted:
        return numeric
    return [n for n in numeric if n in wanted]


def _fold(summary: FieldSummary, column: pa.Array) -> None:
    if len(column) == 0:
        return
    last = column[len(column) - 1].as_py()
    summary.last = last
    lowest, highest = pc.min_max(column, skip_nulls=True).values()
    if pa.types.is_floating(column.type):
        # min_max would let a NaN win; the lowest and highest of the numbers it holds.
        finite = pc.filter(column, pc.invert(pc.is_nan(column)))
        if len(finite) == 0:
            return
        lowest, highest = pc.min_max(finite).values()
    lo, hi = lowest.as_py(), highest.as_py()
    summary.min = lo if summary.min is None else min(summary.min, lo)
    summary.max = hi if summary.max is None else max(summary.max, hi)


def _series_list(store: Store, names: Sequence[str]) -> list[Series]:
    every = store.list_series()
    if not names:
        return every
    by_name = {s.name: s for s in every}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFoundError(
            f"no series named {', '.join(map(repr, missing))}: see GET /api/series")
    return [by_name[n] for n in names]


def summarize(
    store: Store, run_filter: RunFilter, series: Sequence[str] = (),
    fields: Sequence[str] = (),
) -> Iterator[SeriesSummary]:
    """The summaries of the matching runs' series (`series` empty: every series), of
    their numeric fields (`fields` empty: all of them), one per (run, series) that has
    rows; series in the store's order, runs in the order their chunks come."""
    for s in _series_list(store, series):
        names = _numeric_fields(store, s, fields)
        found: dict[uuid.UUID, SeriesSummary] = {}
        # The first field too, when no numeric one is asked for: the rows still count.
        read = names or [s.fields[0]]
        for chunk in store.query(run_filter, s.name, read):
            out = found.get(chunk.run)
            if out is None:
                out = found[chunk.run] = SeriesSummary(chunk.run, s.name, 0,
                                                       {n: FieldSummary() for n in names})
            out.rows += chunk.batch.num_rows
            for n in names:
                _fold(out.fields[n], chunk.batch.column(n))
        yield from found.values()
