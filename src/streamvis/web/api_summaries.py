"""`GET /api/summaries`: summary values of runs' metrics (store/metric_summaries.py).

The compare page's table, the run search's summary columns and the hyperparameter
views ask for them: per run and series, the rows and the last, lowest and highest
value of each numeric field, computed where the data is so the browser receives a few
numbers per run rather than the series.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError
from streamvis.model.limits import MAX_PROGRESS_RUNS
from streamvis.model.run_summaries import SeriesSummary, finite_or_none
from streamvis.model.schema import RunFilter
from streamvis.store.base import Store
from streamvis.store.metric_summaries import summarize
from streamvis.web.filters_json import coerce_filter, name_list, parse_filter_param
from streamvis.web.http import JSON, blocking, run_handle, state


def summary_json(s: SeriesSummary) -> dict[str, Any]:
    return {
        "run": str(s.run), "series": s.series, "rows": s.rows,
        "fields": {name: {"last": finite_or_none(f.last), "min": finite_or_none(f.min),
                          "max": finite_or_none(f.max)} for name, f in s.fields.items()},
    }


def _summaries(store: Store, run_filter: RunFilter, series: tuple[str, ...],
               fields: tuple[str, ...]) -> list[dict[str, Any]]:
    typed = coerce_filter(run_filter, store.list_fields()) if run_filter.attributes \
        else run_filter
    return [summary_json(s) for s in summarize(store, typed, series, fields)]


async def summaries(request: Request) -> Response:
    """?runs=H1,H2 (handles or unique prefixes) or ?filter=JSON, and optionally
    series=A,B and fields=x,y (default: every series, every numeric field)."""
    params = request.query_params
    unknown = sorted(set(params) - {"runs", "filter", "series", "fields"})
    if unknown:
        raise InvalidArgumentError(
            f"unknown query parameter {', '.join(map(repr, unknown))}: use runs or filter, "
            "series, fields"
        )
    names = name_list(params.get("runs"))
    if names and params.get("filter"):
        raise InvalidArgumentError("give runs=... or filter=..., not both")
    if len(names) > MAX_PROGRESS_RUNS:
        raise ResourceExhaustedError(
            f"{len(names)} runs named: ask for the summaries of at most {MAX_PROGRESS_RUNS} "
            "runs at once (MAX_PROGRESS_RUNS), or give a filter"
        )
    if names:
        run_filter = RunFilter(handles=tuple([await run_handle(request, h) for h in names]))
    else:
        run_filter = parse_filter_param(params.get("filter"))
    found = await blocking(_summaries, state(request).store, run_filter,
                           name_list(params.get("series")), name_list(params.get("fields")))
    return JSON(found)


ROUTES: list[BaseRoute] = [Route("/api/summaries", summaries, methods=["GET"])]
