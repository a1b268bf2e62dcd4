"""`POST /api/dataset-summary`: how big a dataset is, and the values its fields take.

The builder shows the row count of the dataset being built, lists the panels of a
facet field and spans a frame slider over a field's values; all three come from the
same columns the data endpoint reads (through the column cache), so they agree with
what a plot then shows.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.checks.json_checks import check_keys, expect_object, parse_filter, string_list
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import Field, Series, Value
from streamvis.web.filters_json import coerce_filter, json_value
from streamvis.web.http import JSON, AppState, blocking, json_body, state
from streamvis.web.row_conditions import distinct, distinct_numbers

_KEYS = frozenset({"filter", "series", "attributes", "values"})


def _values_json(values: list[Value], counts: list[int], truncated: bool) -> dict[str, Any]:
    return {"values": [json_value(v) for v in values], "counts": counts, "truncated": truncated}


def _field_values(
    app: AppState, series: Series, runs: list[uuid.UUID], first: Field, asked: list[Field],
) -> tuple[dict[uuid.UUID, int], dict[str, tuple[list[Value], list[int], bool]]]:
    """Each run's row count, and the distinct values of each field `asked` of the series.

    The series' line x alone is read from its line buckets where they hold it: the
    workspace asks it of each series to tell a distribution (rows per step) from a
    line, and reading whole chunks for that one column cost 240 ms a run cold at 50
    fields (the bucket rows of a step counter are a few bytes a bucket).
    """
    if len(asked) == 1 and (xs := app.store.line_xs(series.name, asked[0].name, runs)):
        sizes = {h: xs[h].size for h in runs}
        return sizes, {asked[0].name: distinct_numbers([xs[h] for h in runs if sizes[h]])}
    read = [*{f.name: f for f in [first, *asked]}.values()]
    snapshot = app.cache.read(runs, series, read)
    sizes = {h: snapshot.columns[h][first.name].values.size for h in runs}
    return sizes, {f.name: distinct([snapshot.columns[h][f.name] for h in runs if sizes[h]])
                   for f in asked}


def summarize_dataset(app: AppState, body: dict[str, Any]) -> dict[str, Any]:
    """The summary a request asks for (blocking: call it on a worker thread)."""
    check_keys(body, _KEYS, "the dataset summary request")
    series_name = body.get("series")
    if not isinstance(series_name, str) or not series_name:
        raise InvalidArgumentError('the request needs "series": the name of a series')
    attributes = string_list(body.get("attributes") or [], "attributes")
    wanted = string_list(body.get("values") or [], "values")
    store = app.store
    fields = store.list_fields()
    by_name = {f.name: f for f in fields}
    series = next((s for s in store.list_series() if s.name == series_name), None)
    if series is None:
        raise NotFoundError(f"no series named {series_name!r}: see GET /api/series")
    for name in (*attributes, *wanted):
        if name not in by_name:
            raise NotFoundError(f"no field named {name!r}: see GET /api/fields")
    run_filter = coerce_filter(parse_filter(body.get("filter")), fields)
    # The data endpoint leaves out runs that lack a requested attribute; so does this.
    runs = [r for r in store.list_runs(run_filter)
            if all(a in r.attributes for a in attributes)]
    in_series = [n for n in dict.fromkeys(wanted) if n in series.fields]
    sizes, found = _field_values(app, series, [r.handle for r in runs],
                                 by_name[series.fields[0]], [by_name[n] for n in in_series])
    out: dict[str, Any] = {}
    for name in wanted:
        if name in found:
            out[name] = _values_json(*found[name])
        else:
            # An attribute: one value per run with data, counted in runs.
            tally: dict[Value, int] = {}
            for r in runs:
                if sizes[r.handle] and name in r.attributes:
                    v = r.attributes[name]
                    tally[v] = tally.get(v, 0) + 1
            keys = sorted(tally, key=lambda v: (str(type(v)), v))
            out[name] = _values_json(keys, [tally[k] for k in keys], truncated=False)
    with_data = sum(1 for n in sizes.values() if n)
    return {"runs": with_data, "rows": int(sum(sizes.values())), "values": out}


async def dataset_summary(request: Request) -> Response:
    body = expect_object(await json_body(request), "the dataset summary request")
    app = state(request)
    return JSON(await blocking(summarize_dataset, app, body))


ROUTES: list[BaseRoute] = [Route("/api/dataset-summary", dataset_summary, methods=["POST"])]
