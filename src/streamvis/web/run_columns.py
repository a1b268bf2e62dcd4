"""A per-run dataset: one row per run, its columns run attributes and summaries of a series.

`POST /api/data` with `"per_run": true` answers with this table instead of the series'
rows, so the hyperparameter views are ordinary plots: a scatter of `attr.lr` against
`min.loss` is a scatter, parallel coordinates bind `dims` to such columns. The columns a
request may name (docs/http-api.md, "Per-run datasets"):

- `attr.NAME`: the run's attribute NAME, in its field's type (runs without it are left
  out, so the table stays rectangular);
- `last.F`, `min.F`, `max.F`: the last, lowest and highest value of the series' numeric
  field F (store/metric_summaries.py; float, NaN where every value was NaN);
- `rows`: the run's row count in the series; `run`: its handle (always sent).

Runs with no rows in the series are left out: they have nothing to summarize.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

from streamvis.checks.grammar import GRAMMAR, RUN
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.run_summaries import SeriesSummary
from streamvis.model.schema import Field, Series
from streamvis.model.types import NUMERIC, TYPES
from streamvis.store.metric_summaries import summarize
from streamvis.web.data_request import DataRequest, bound_roles
from streamvis.web.filters_json import coerce_filter
from streamvis.web.http import AppState

#: The summary statistics a column may name, before the dot: `min.loss`.
STATS = ("last", "min", "max")
ATTR = "attr"
ROWS = "rows"


@dataclass(frozen=True)
class RunColumn:
    """One column of a per-run table: its name, the field type it has and where it comes
    from (an attribute, a statistic of a series field, or the row count)."""

    name: str
    type: str
    source: str  # "attr", a statistic of STATS, or "rows"
    field: str  # the attribute's or series field's name ("" for rows)


def run_column(name: str, series: Series, fields: dict[str, Field]) -> RunColumn:
    """The column `name` stands for in a per-run table of `series`; raises saying what
    names exist when it is none."""
    if name == ROWS:
        return RunColumn(name, "int", ROWS, "")
    source, dot, field = name.partition(".")
    if not dot or source not in (ATTR, *STATS):
        raise InvalidArgumentError(
            f"{name!r} is not a column of a per-run dataset: name attr.NAME (an attribute), "
            f"last.F, min.F or max.F (a numeric field F of series {series.name!r}) or rows"
        )
    f = fields.get(field)
    if source == ATTR:
        if f is None:
            raise NotFoundError(f"{name!r}: no field named {field!r} for an attribute: see "
                                "GET /api/fields")
        return RunColumn(name, str(f.type), ATTR, field)
    if field not in series.fields or f is None or NUMERIC not in f.type.row.traits:
        numeric = [n for n in series.fields if n in fields
                   and NUMERIC in fields[n].type.row.traits]
        raise InvalidArgumentError(
            f"{name!r}: {field!r} is not a numeric field of series {series.name!r}; its "
            f"numeric fields are {', '.join(numeric) or 'none'}"
        )
    return RunColumn(name, "float", source, field)


@dataclass(frozen=True)
class RunsPlan:
    """A per-run request with its names resolved: the series and the columns to send."""

    request: DataRequest
    series: Series
    columns: tuple[RunColumn, ...]


def resolve_runs(req: DataRequest, fields: list[Field], series_list: list[Series]) -> RunsPlan:
    """Check a per-run request's names and roles against the schema (blocking data)."""
    series = next((s for s in series_list if s.name == req.series), None)
    if series is None:
        raise NotFoundError(f"no series named {req.series!r}: see GET /api/series")
    if req.where:
        raise InvalidArgumentError(
            "where: a per-run dataset has one row per run; to keep some runs, use the filter")
    by_name = {f.name: f for f in fields}
    columns: dict[str, RunColumn] = {}
    for role, name in bound_roles(req):
        if name == RUN:
            if not GRAMMAR.role(role).run:
                raise InvalidArgumentError(GRAMMAR.role(role).run_refusal())
            continue
        col = columns.get(name) or run_column(name, series, by_name)
        types = GRAMMAR.role(role).types()
        if col.type not in types:
            raise InvalidArgumentError(
                f"{role} column {name!r} is {col.type}; {role} takes {' or '.join(types)} "
                "fields")
        columns[name] = col
    for name in (*req.fields, *req.attributes):
        if name != RUN and name not in columns:
            columns[name] = run_column(name, series, by_name)
    return RunsPlan(req, series, tuple(columns.values()))


def _value(col: RunColumn, summary: SeriesSummary) -> float | int:
    if col.source == ROWS:
        return summary.rows
    got = getattr(summary.fields[col.field], col.source)
    return math.nan if got is None else float(got)


def run_table(app: AppState, plan: RunsPlan) -> pa.Table:
    """The per-run table (blocking: call it on a worker thread)."""
    store = app.store
    fields = store.list_fields()
    run_filter = coerce_filter(plan.request.filter, fields) if plan.request.filter.attributes \
        else plan.request.filter
    attrs = [c for c in plan.columns if c.source == ATTR]
    runs = {r.handle: r for r in store.list_runs(run_filter)
            if all(c.field in r.attributes for c in attrs)}
    stats = sorted({c.field for c in plan.columns if c.source in STATS})
    # At least one field is read so the rows are counted; summarize reads the first then.
    summaries = [s for s in summarize(store, run_filter, [plan.series.name], stats)
                 if s.run in runs and s.rows > 0]
    summaries.sort(key=lambda s: (runs[s.run].started_at, str(s.run)))
    arrays: dict[str, pa.Array] = {RUN: pa.array([str(s.run) for s in summaries], pa.string())}
    for col in plan.columns:
        if col.source == ATTR:
            arrays[col.name] = pa.array([runs[s.run].attributes[col.field] for s in summaries],
                                        TYPES.type(col.type).arrow_type)
        elif col.source == ROWS:
            arrays[col.name] = pa.array([s.rows for s in summaries], pa.int64())
        else:
            arrays[col.name] = pa.array([_value(col, s) for s in summaries], pa.float64())
    # A per-run table is always whole: the next append asks again from sequence 0.
    metadata = {"reduced": "none", "last_sequence": "0", "per_run": "true"}
    return pa.Table.from_arrays(list(arrays.values()), names=list(arrays), metadata=metadata)
