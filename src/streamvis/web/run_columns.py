"""A per-run dataset: one row per run, its columns run attributes and summaries of a series.

`POST /api/data` with `"per_run": true` answers with this table instead of the series'
rows, so the hyperparameter views are ordinary plots: a scatter of `attr.lr` against
`min.loss` is a scatter, parallel coordinates bind `dims` to such columns. The columns a
request may name and how they are computed are model/run_columns.py's (the data API's
`Connection.run_table` builds the same table from the same rule); this module checks a
request's names and roles and reads the runs and summaries from the store
(store/metric_summaries.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from streamvis.checks.grammar import GRAMMAR, RUN
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.run_columns import RunColumn, build_run_table, run_column, summarized
from streamvis.model.schema import Field, Series
from streamvis.store.metric_summaries import summarize
from streamvis.web.data_request import DataRequest, bound_roles
from streamvis.web.filters_json import coerce_filter
from streamvis.web.http import AppState


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


def run_table(app: AppState, plan: RunsPlan) -> pa.Table:
    """The per-run table (blocking: call it on a worker thread)."""
    store = app.store
    fields = store.list_fields()
    run_filter = coerce_filter(plan.request.filter, fields) if plan.request.filter.attributes \
        else plan.request.filter
    # At least one field is read so the rows are counted; summarize reads them all then.
    summaries = summarize(store, run_filter, [plan.series.name], summarized(plan.columns))
    table = build_run_table(plan.columns, store.list_runs(run_filter), summaries)
    # A per-run table is always whole: the next append asks again from sequence 0.
    return table.replace_schema_metadata(
        {"reduced": "none", "last_sequence": "0", "per_run": "true"})
