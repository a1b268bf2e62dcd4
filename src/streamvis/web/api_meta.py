"""The JSON metadata routes: fields, series, runs and their search, tags (saved plots and
dashboards: api_saved.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from streamvis.checks.json_checks import expect_object, integer
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_RUNS_PER_PAGE
from streamvis.model.schema import RunFilter, RunJsonPage, validate_name
from streamvis.store.base import Store
from streamvis.web.filters_json import (
    field_json,
    json_value,
    name_list,
    run_json,
    series_json,
)
from streamvis.web.http import (
    JSON,
    blocking,
    filter_param,
    json_body,
    run_handle,
    state,
    typed_filter,
)


async def fields(request: Request) -> Response:
    found = await blocking(state(request).store.list_fields)
    return JSON([field_json(f) for f in found])


async def series(request: Request) -> Response:
    found = await blocking(state(request).store.list_series)
    return JSON([series_json(s) for s in found])


async def runs(request: Request) -> Response:
    """Runs newest first: one page (`limit` of at most MAX_RUNS_PER_PAGE, or `after`),
    with a Link header to the next and X-Total-Count on the first; or every match,
    streamed a page at a time so the server holds one page, not all runs."""
    store = state(request).store
    run_filter = filter_param(request)
    limit = _limit(request.query_params.get("limit"))
    after = request.query_params.get("after", "")
    paged = bool(after) or (limit is not None and limit <= MAX_RUNS_PER_PAGE)

    def first() -> tuple[RunFilter, RunJsonPage]:
        typed = typed_filter(store, run_filter)
        size = (limit or MAX_RUNS_PER_PAGE) if paged else MAX_RUNS_PER_PAGE
        # The whole listing needs no count: it is as long as it is.
        return typed, store.list_runs_json_page(typed, after, size, count=paged)

    # Each run comes as its JSON object's text, kept by the store (store/run_listing.py):
    # the server joins them, and decodes and encodes nothing per run (decision 0031).
    typed, page = await blocking(first)
    if paged:
        headers = {}
        if page.next:
            query = dict(request.query_params) | {"after": page.next}
            headers["Link"] = f'<?{urlencode(query)}>; rel="next"'
        if page.total is not None:
            headers["X-Total-Count"] = str(page.total)
        return Response(page.array(), media_type="application/json", headers=headers)
    return StreamingResponse(_pages(store, typed, page, limit), media_type="application/json")


async def _pages(
    store: Store, run_filter: RunFilter, page: RunJsonPage, limit: int | None,
) -> AsyncIterator[bytes]:
    """A JSON array of every run, sent page by page."""
    sent = 0
    yield b"["
    while True:
        runs = page.runs if limit is None else page.runs[:limit - sent]
        if runs:
            yield (b"," if sent else b"") + ",".join(runs).encode()
            sent += len(runs)
        if not page.next or (limit is not None and sent >= limit):
            break
        page = await blocking(store.list_runs_json_page, run_filter, page.next,
                              MAX_RUNS_PER_PAGE, count=False)
    yield b"]"


def _limit(text: str | None) -> int | None:
    if not text:
        return None
    try:
        # Past 2**63 the stores' integers overflow; no store holds that many runs.
        return min(integer(int(text), "limit"), 2**63 - 1) or None
    except ValueError:
        raise InvalidArgumentError(
            f"limit={text!r} is not a whole number: give the most runs to return"
        ) from None


async def tags(request: Request) -> Response:
    store = state(request).store
    run_filter = filter_param(request)

    def work() -> list[tuple[str, int]]:
        return store.list_tags(typed_filter(store, run_filter))

    return JSON([{"tag": t, "count": n} for t, n in await blocking(work)])


async def attribute_values(request: Request) -> Response:
    store = state(request).store
    run_filter = filter_param(request)
    names = name_list(request.query_params.get("fields"))

    def work() -> dict[str, list[dict[str, object]]]:
        found = store.list_attribute_values(typed_filter(store, run_filter), names)
        return {
            name: [{"value": json_value(v), "count": n} for v, n in values]
            for name, values in found.items()
        }

    return JSON(await blocking(work))


async def common_series(request: Request) -> Response:
    store = state(request).store
    run_filter = filter_param(request)

    def work() -> list[object]:
        return [series_json(s) for s in store.list_common_series(typed_filter(store, run_filter))]

    return JSON(await blocking(work))


async def common_attributes(request: Request) -> Response:
    store = state(request).store
    run_filter = filter_param(request)

    def work() -> list[object]:
        found = store.list_common_attributes(typed_filter(store, run_filter))
        return [field_json(f) for f in found]

    return JSON(await blocking(work))


async def started_at(request: Request) -> Response:
    store = state(request).store
    run_filter = filter_param(request)

    def work() -> list[float]:
        return store.list_started_at(typed_filter(store, run_filter))

    return JSON(await blocking(work))


async def add_tag(request: Request) -> Response:
    handle = await run_handle(request)
    body = expect_object(await json_body(request), "the request body")
    tag = body.get("tag")
    if not isinstance(tag, str):
        raise InvalidArgumentError('send {"tag": "<tag>"}: the tag to add')
    run = await blocking(state(request).store.add_run_tag, handle, validate_name("tag", tag))
    return JSON(run_json(run))


async def delete_tag(request: Request) -> Response:
    handle = await run_handle(request)
    tag = request.path_params["tag"]
    run = await blocking(state(request).store.delete_run_tag, handle, tag)
    return JSON(run_json(run))


async def get_run(request: Request) -> Response:
    run = await blocking(state(request).store.get_run, await run_handle(request))
    return JSON(run_json(run))


async def delete_run(request: Request) -> Response:
    handle = await run_handle(request)
    store = state(request).store

    def work() -> None:
        store.get_run(handle)  # deleting an unknown run is a 404, not a silent success
        store.delete_run(handle)

    await blocking(work)
    return JSON({})


ROUTES: list[BaseRoute] = [
    Route("/api/fields", fields, methods=["GET"]),
    Route("/api/series", series, methods=["GET"]),
    Route("/api/runs", runs, methods=["GET"]),
    Route("/api/runs/{handle}", get_run, methods=["GET"]),
    Route("/api/runs/{handle}", delete_run, methods=["DELETE"]),
    Route("/api/runs/{handle}/tags", add_tag, methods=["POST"]),
    Route("/api/runs/{handle}/tags/{tag}", delete_tag, methods=["DELETE"]),
    Route("/api/tags", tags, methods=["GET"]),
    Route("/api/attribute-values", attribute_values, methods=["GET"]),
    Route("/api/common-series", common_series, methods=["GET"]),
    Route("/api/common-attributes", common_attributes, methods=["GET"]),
    Route("/api/started-at", started_at, methods=["GET"]),
]
