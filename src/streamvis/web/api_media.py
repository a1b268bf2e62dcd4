"""`POST /api/media`: a series' rows as JSON, each media value a cell with its URL.

The media panels and tables of the web UI show media values beside the other fields of
their rows; Arrow (`/api/data`) carries numbers for plots, this carries rows for
people: each media value as {sha256, url, media_type, width, height, duration, bytes},
its `url` the blob route (`GET /api/blobs/{sha256}`: immutable caching, ranges), the
other values as they are. Rows come in stored order, at most
MAX_MEDIA_ROWS_PER_RESPONSE a response; `last_sequence` says where the next asks from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.checks.json_checks import check_keys, expect_object, parse_filter, string_list
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.limits import MAX_MEDIA_ROWS_PER_RESPONSE
from streamvis.model.media_arrow import refs_to_struct
from streamvis.web.filters_json import coerce_filter, json_value
from streamvis.web.http import JSON, AppState, blocking, json_body, state

_KEYS = frozenset({"series", "fields", "filter", "after_sequence", "limit"})


def media_cell(ref: dict[str, Any]) -> dict[str, Any]:
    """A media value as the web API gives it: the reference and the URL of its bytes."""
    url = f"api/blobs/{ref['sha256']}?type={quote(str(ref['media_type']), safe='')}"
    return {"sha256": ref["sha256"], "url": url, **{k: v for k, v in ref.items() if k != "sha256"}}


def _column_json(column: pa.Array, media: bool) -> list[Any]:
    if media:
        return [media_cell(r) for r in refs_to_struct(column).to_pylist()]
    if pa.types.is_run_end_encoded(column.type):
        column = column.cast(column.type.value_type)
    return [json_value(v) for v in column.to_pylist()]


def media_rows(app: AppState, body: dict[str, Any]) -> dict[str, Any]:
    """The rows a request asks for (blocking: call it on a worker thread)."""
    check_keys(body, _KEYS, "the media request")
    series_name = body.get("series")
    if not isinstance(series_name, str) or not series_name:
        raise InvalidArgumentError('the request needs "series": the name of a series')
    after = body.get("after_sequence", 0)
    limit = body.get("limit", MAX_MEDIA_ROWS_PER_RESPONSE)
    for name, v in (("after_sequence", after), ("limit", limit)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidArgumentError(f'"{name}" must be a non-negative integer, got {v!r}')
    limit = min(limit, MAX_MEDIA_ROWS_PER_RESPONSE)
    wanted = string_list(body.get("fields") or [], "fields")
    store = app.store
    fields = store.list_fields()
    by_name = {f.name: f for f in fields}
    series = next((s for s in store.list_series() if s.name == series_name), None)
    if series is None:
        raise NotFoundError(f"no series named {series_name!r}: see GET /api/series")
    names = wanted or series.fields
    missing = [n for n in names if n not in series.fields]
    if missing:
        raise NotFoundError(
            f"series {series_name!r} has no field {', '.join(map(repr, missing))}; its "
            f"fields are {', '.join(series.fields)}"
        )
    run_filter = coerce_filter(parse_filter(body.get("filter")), fields)
    rows: list[dict[str, Any]] = []
    last = after
    truncated = False
    chunks = store.query(run_filter, series_name, names, (), after)
    try:
        for chunk in chunks:
            n = chunk.batch.num_rows
            if rows and len(rows) + n > limit:
                truncated = True  # whole chunks only, so last_sequence resumes exactly
                break
            cols = {name: _column_json(chunk.batch.column(name),
                                       bool(by_name[name].type.row.media)) for name in names}
            run = str(chunk.run)
            rows.extend({"run": run, "sequence": chunk.sequence,
                         **{name: cols[name][i] for name in names}} for i in range(n))
            last = chunk.sequence
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return {"rows": rows, "last_sequence": last, "truncated": truncated}


async def media(request: Request) -> Response:
    body = expect_object(await json_body(request), "the media request")
    return JSON(await blocking(media_rows, state(request), body))


ROUTES: list[BaseRoute] = [Route("/api/media", media, methods=["POST"])]
