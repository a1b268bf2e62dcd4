"""`GET /api/export`: a series' dataset as a CSV, Parquet or Arrow file, streamed.

The file is what `streamvis export` writes for the same series, runs, fields and
attributes: both use the writers of model/table_files.py, fed one stored chunk at a
time, so the server holds one chunk and the bytes the writer made of it, never the
whole series. Everything the request names is checked before the first byte goes
out, so a bad request is a 400/404 with a message, not a cut-off file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from streamvis.checks.json_checks import parse_json
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.model.schema import RunFilter
from streamvis.model.table_files import (
    MEDIA_TYPES,
    chunk_batch,
    dataset_schema,
    writer_for,
)
from streamvis.store.base import Store
from streamvis.web.export_rows import check_conditions, kept_rows, latest_values
from streamvis.web.filters_json import coerce_filter, name_list, parse_filter_param
from streamvis.web.http import blocking, state
from streamvis.web.row_conditions import RowCondition, parse_where

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class _Drain(io.RawIOBase):
    """A write-only file whose bytes are taken out after each batch (the response's
    next part); it counts what went through, as `tell` must for Parquet."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        part = bytes(data)
        self._parts.append(part)
        self._written += len(part)
        return len(part)

    def tell(self) -> int:
        return self._written

    def take(self) -> list[bytes]:
        # The parts as the writer wrote them, not joined: joining would copy each
        # chunk's bytes once more.
        out, self._parts = self._parts, []
        return out


@dataclass(frozen=True)
class ExportRequest:
    series: str
    format: str
    fields: tuple[str, ...]
    attributes: tuple[str, ...]
    run_filter: RunFilter
    schema: pa.Schema
    #: The rows kept: a plot's facet and frame (web/export_rows.py).
    where: tuple[RowCondition, ...] = ()


def check_export(store: Store, params: dict[str, str]) -> ExportRequest:
    """The request's dataset, checked against the schema (blocking)."""
    unknown = sorted(set(params) - {"series", "format", "fields", "attributes", "filter",
                                    "where"})
    if unknown:
        raise InvalidArgumentError(
            f"unknown query parameter {', '.join(map(repr, unknown))}: use series, format, "
            "fields, attributes, filter, where"
        )
    name = params.get("series", "")
    if not name:
        raise InvalidArgumentError("the export needs series=NAME: the series to export")
    fmt = params.get("format", "csv").lower()
    writer_for(fmt, "format")
    by_name = {f.name: f for f in store.list_fields()}
    series = next((s for s in store.list_series() if s.name == name), None)
    if series is None:
        raise NotFoundError(f"no series named {name!r}: see GET /api/series")
    fields = name_list(params.get("fields")) or series.fields
    attributes = name_list(params.get("attributes"))
    for f in fields:
        if f not in series.fields:
            raise NotFoundError(
                f"series {name!r} has no field {f!r}: its fields are {', '.join(series.fields)}")
    for a in attributes:
        if a not in by_name:
            raise NotFoundError(f"no field named {a!r}: see GET /api/fields")
    schema = dataset_schema([by_name[f] for f in fields], [by_name[a] for a in attributes])
    run_filter = coerce_filter(parse_filter_param(params.get("filter")), list(by_name.values()))
    where = parse_where(parse_json(params["where"], "where", "a JSON array")) \
        if params.get("where") else ()
    check_conditions(where, series, store)
    return ExportRequest(name, fmt, tuple(fields), attributes, run_filter, schema, where)


def export_bytes(store: Store, req: ExportRequest) -> Iterator[bytes]:
    """The file, in parts: one per stored chunk (and the writer's header and footer)."""
    sink = _Drain()
    writer = writer_for(req.format, "format")(sink, req.schema)
    latest = latest_values(store, req.run_filter, req.series, req.where)
    read = list(dict.fromkeys([*req.fields, *(c.field for c in req.where)]))
    chunks = store.query(req.run_filter, req.series, read, req.attributes)
    try:
        for chunk in kept_rows(chunks, req.where, latest, req.fields):
            writer.write(chunk_batch(chunk, req.schema, req.attributes))
            yield from sink.take()
        writer.close()
        yield from sink.take()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # a client that went away ends the store's read too


async def export(request: Request) -> Response:
    store = state(request).store
    req = await blocking(check_export, store, dict(request.query_params))
    filename = f"{_SAFE_NAME.sub('_', req.series)}.{req.format}"
    return StreamingResponse(
        export_bytes(store, req), media_type=MEDIA_TYPES[req.format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ROUTES: list[BaseRoute] = [Route("/api/export", export, methods=["GET"])]
