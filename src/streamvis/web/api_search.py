"""The run search page's routes (docs/http-api.md, "Run search"): a sorted page of the
matches at any position, and the filter panel's counts. The database filters, sorts,
counts and pages (store/run_search.py), so the page never holds every run
(decision 0037)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.model.errors import InvalidArgumentError
from streamvis.web.filters_json import json_value
from streamvis.web.http import JSON, blocking, filter_param, int_param, state, typed_filter

#: Rows a page of the search table asks for when it names no limit.
DEFAULT_LIMIT = 100


def _flag(request: Request, name: str, *, default: bool) -> bool:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    if text not in ("0", "1", "true", "false"):
        raise InvalidArgumentError(f"{name}={text!r}: give 1 or 0")
    return text in ("1", "true")


async def search(request: Request) -> Response:
    """GET /api/run-search?filter=JSON&q=TEXT&sort=KEY&desc=1&offset=N&limit=M:
    `{"total": matches, "offset": N, "runs": [...]}`, each run as /api/runs gives it."""
    store = state(request).store
    run_filter = filter_param(request)
    text = request.query_params.get("q", "")
    sort = request.query_params.get("sort", "started_at") or "started_at"
    desc = _flag(request, "desc", default=sort == "started_at")
    offset = int_param(request, "offset", 0)
    limit = int_param(request, "limit", DEFAULT_LIMIT)

    def work() -> bytes:
        page = store.search_runs_json(typed_filter(store, run_filter), text, sort=sort,
                                      descending=desc, offset=offset, limit=limit)
        # The kept JSON of each run is joined as it is: nothing decoded (decision 0031).
        return (f'{{"total":{page.total},"offset":{offset},"runs":'.encode()
                + page.array() + b"}")

    return Response(await blocking(work), media_type="application/json")


async def facets(request: Request) -> Response:
    """GET /api/run-facets?filter=JSON&q=TEXT&values=1: `{"tags": {tag: count},
    "counts": {field: [[value, count], ...] | null}, "values": {field: [v, ...]}}`."""
    store = state(request).store
    run_filter = filter_param(request)
    text = request.query_params.get("q", "")
    values = _flag(request, "values", default=True)

    def work() -> dict[str, Any]:
        found = store.run_facets(typed_filter(store, run_filter), text, values=values)
        return {
            "tags": dict(found.tags),
            "counts": {name: None if pairs is None else [[json_value(v), n] for v, n in pairs]
                       for name, pairs in found.counts.items()},
            "values": {name: [json_value(v) for v in vs] for name, vs in found.values.items()},
        }

    return JSON(await blocking(work))


ROUTES: list[BaseRoute] = [
    Route("/api/run-search", search, methods=["GET"]),
    Route("/api/run-facets", facets, methods=["GET"]),
]
