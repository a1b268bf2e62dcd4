"""What every route shares: errors as JSON, JSON bodies, blocking store calls off the loop."""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from streamvis.checks.json_checks import integer, parse_json
from streamvis.model.errors import (
    InvalidArgumentError,
    ResourceExhaustedError,
    StreamvisError,
)
from streamvis.model.limits import (
    DEFAULT_CACHE_BYTES,
    DEFAULT_MAX_POINTS,
    MAX_BODY_BYTES,
    MAX_EVENTS_BEHIND,
)
from streamvis.model.schema import RunFilter
from streamvis.store.base import Store
from streamvis.web.columns import ColumnCache
from streamvis.web.filters_json import coerce_filter, parse_filter_param
from streamvis.web.image_variants import ImageVariants

log = logging.getLogger("streamvis.web")

P = ParamSpec("P")
T = TypeVar("T")

STATUS_BY_CODE = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "FAILED_PRECONDITION": 409,
    "RESOURCE_EXHAUSTED": 413,
    "UNAVAILABLE": 503,
}
_CODE_BY_STATUS = {404: "NOT_FOUND", 405: "INVALID_ARGUMENT", 400: "INVALID_ARGUMENT"}


@dataclass(frozen=True)
class WebConfig:
    """Settings of the web app; `streamvis serve` fills them from its options."""

    #: Scatter plots up to this many points are sent whole, larger ones thinned.
    max_points: int = DEFAULT_MAX_POINTS
    #: Bytes of decoded columns kept in memory between requests (0: none).
    cache_bytes: int = DEFAULT_CACHE_BYTES
    #: Refuse every change (403): for dashboards shared beyond their authors.
    read_only: bool = False
    #: Largest JSON request body.
    max_body_bytes: int = MAX_BODY_BYTES
    #: Path prefix the app is reached under behind a reverse proxy ('' for none).
    base_url: str = ""
    #: Served over TLS: the login cookie is marked Secure.
    tls: bool = False
    #: Events a WebSocket client may fall behind before it is told to reconnect.
    client_buffer: int = MAX_EVENTS_BEHIND
    #: Host names the app answers to (None: any); see ServeSecurity.web_hosts.
    allowed_hosts: frozenset[str] | None = None


@dataclass
class AppState:
    store: Store
    config: WebConfig
    cache: ColumnCache
    #: Images scaled down to the size they are shown (`GET /api/blobs/{sha256}?w=`).
    variants: ImageVariants = field(default_factory=ImageVariants)


def state(request: Request) -> AppState:
    result: AppState = request.app.state.streamvis
    return result


async def blocking(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking store call on a worker thread, so the loop keeps serving."""
    return await run_in_threadpool(func, *args, **kwargs)


class JSON(JSONResponse):
    """Compact JSON; NaN and infinities (which JSON lacks) travel as null.

    orjson (decision 0008) also encodes UUIDs and the schema's dataclasses, so large
    lists such as every run need no dicts built first. It refuses integers past 64
    bits, which a stored plot spec may hold; those take the slower stdlib path.
    """

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


async def run_handle(request: Request, text: str | None = None) -> uuid.UUID:
    """The run a route names (its `handle` path parameter, or `text`): a whole handle, or
    a unique prefix of one that the store resolves."""
    given = request.path_params["handle"] if text is None else text
    try:
        return uuid.UUID(given)
    except ValueError:
        return await blocking(state(request).store.resolve_run_handle, given)


def int_param(request: Request, name: str, default: int) -> int:
    """A whole-number query parameter (`default` when absent or empty)."""
    text = request.query_params.get(name)
    if not text:
        return default
    try:
        return integer(int(text), name)
    except ValueError:
        raise InvalidArgumentError(f"{name}={text!r} is not a whole number: give one") from None


def filter_param(request: Request) -> RunFilter:
    """The run filter of the query parameter `filter` (JSON; none: every run)."""
    return parse_filter_param(request.query_params.get("filter"))


def typed_filter(store: Store, run_filter: RunFilter) -> RunFilter:
    """The filter with JSON numbers read in their fields' types (blocking)."""
    if not run_filter.attributes:
        return run_filter
    return coerce_filter(run_filter, store.list_fields())


def json_bytes(content: Any) -> bytes:
    """`content` as the JSON response encodes it (for a body streamed in parts)."""
    try:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        text = json.dumps(_finite(content), separators=(",", ":"), allow_nan=False)
        return text.encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def error_response(code: str, message: str, status: int | None = None) -> JSON:
    return JSON({"error": code, "message": message}, status_code=status or
                STATUS_BY_CODE.get(code, 500))


async def json_body(request: Request) -> Any:
    """The request's JSON body, refused (413) past the configured size."""
    limit = state(request).config.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ResourceExhaustedError(f"the request body is {declared} bytes; at most {limit}")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise ResourceExhaustedError(f"the request body is over {limit} bytes")
    if not body:
        raise InvalidArgumentError("the request has no body: send a JSON object")
    return parse_json(bytes(body), "the request body")


async def on_streamvis_error(request: Request, exc: Exception) -> Response:  # noqa: ARG001
    if not isinstance(exc, StreamvisError):
        raise exc
    return error_response(exc.code, str(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    code = _CODE_BY_STATUS.get(exc.status_code, "UNKNOWN")
    message = exc.detail
    if exc.status_code == 404:
        message = f"no such API route: {request.method} {request.url.path} (see docs/http-api.md)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(code, message, exc.status_code)


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    # The exception's text stays in the log, as over gRPC: it may name server paths.
    return error_response(
        "INTERNAL", f"the server failed on this request ({type(exc).__name__}); "
        "the server log has the details", 500,
    )
