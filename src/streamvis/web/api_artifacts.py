"""The artifact and control routes: a run's artifacts, blobs streamed by hash, and the
run's controls (model/controls.py), which the UI sets and the program polls.

- `GET /api/runs/{handle}/artifacts`: the run's artifacts, by name and step, each with
  the URL of its bytes.
- `GET /api/blobs/{sha256}`: the bytes, a part at a time from the store (never whole
  in memory). A blob never changes (its name is its hash), so the ETag is the hash, a
  matching If-None-Match gets 304, and caches may keep it for a year; one `Range:
  bytes=` range gets 206 (a download that broke off resumes). `?name=` makes it a
  download of that file name; `?type=` sets the Content-Type (default
  application/octet-stream). `?w=N`: an image scaled down to about N pixels wide
  (web/image_variants.py: a power of two at or over N), cached the same way; whole
  where it is no wider, or not an image; until it is made, the whole one, for seconds.
- `GET /api/runs/{handle}/controls`: the run's controls with their values.
- `PUT /api/runs/{handle}/controls/{name}` `{"value": ...}`: set one (a button: a
  press); a change, so a read-only server refuses it (403) and a token is needed where
  the server has one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from streamvis.model.artifacts import OCTET_STREAM, Artifact, check_media_type, check_sha256
from streamvis.model.controls import control_json
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import validate_name
from streamvis.web.http import JSON, blocking, error_response, json_body, run_handle, state
from streamvis.web.image_variants import PENDING_VARIANT_MAX_AGE_S, Variant, variant_width

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_YEAR = 365 * 24 * 3600


def artifact_json(a: Artifact) -> dict[str, Any]:
    """One artifact as the API gives it; `url` is relative to the app's root."""
    return {
        "run": str(a.run), "name": a.name, "step": a.step, "size": a.size,
        "sha256": a.sha256, "media_type": a.media_type, "created_at": a.created_at,
        "url": f"api/blobs/{a.sha256}?name={quote(a.name, safe='')}"
               f"&type={quote(a.media_type, safe='')}",
    }


async def list_artifacts(request: Request) -> Response:
    handle = await run_handle(request)
    found = await blocking(state(request).store.list_artifacts, handle)
    return JSON([artifact_json(a) for a in found])


def _range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end exclusive) of a single satisfiable range; None for no (or an
    unsupported) Range header; "unsatisfiable" for one past the end."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None  # several ranges, or another unit: the whole body (RFC 9110 14.2)
    if not m.group(1):  # the last N bytes
        n = int(m.group(2))
        return (max(0, size - n), size) if n else "unsatisfiable"
    start = int(m.group(1))
    end = min(size, int(m.group(2)) + 1) if m.group(2) else size
    if start >= size or end <= start:
        return "unsatisfiable"
    return start, end


async def get_blob(request: Request) -> Response:
    sha = check_sha256(request.path_params["sha256"])
    media = check_media_type(request.query_params.get("type") or OCTET_STREAM)
    private = "private" if request.app.state.streamvis_auth else "public"
    headers = {
        "ETag": f'"{sha}"',
        "Cache-Control": f"{private}, max-age={_YEAR}, immutable",
        "Accept-Ranges": "bytes",
        # Whatever `type` asks, a blob never runs as a page of this origin.
        "Content-Security-Policy": "sandbox",
        "X-Content-Type-Options": "nosniff",
    }
    name = request.query_params.get("name")
    if name:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    width = variant_width(request.query_params["w"]) \
        if "w" in request.query_params and not name else 0
    variants = state(request).variants
    got = variants.cached(sha, width) if width else None  # once: it may be made meanwhile
    if width:  # a variant made is answered without asking the store
        ready = _variant(request, sha, width, got, headers)
        if ready is not None:
            return ready
    store = state(request).store
    status = await blocking(store.blob_status, sha)
    if not status.complete:
        return error_response("NOT_FOUND", f"blob {sha} is not complete: its upload goes on")
    made: BackgroundTask | None = None
    if got is False:
        # The whole image until its variant is made, which the answer's task makes: kept
        # a few seconds (the page shows what it decoded ahead without asking again, which
        # `no-cache` made it do), then asked again (If-None-Match) and the variant sent.
        headers["Cache-Control"] = f"{private}, max-age={PENDING_VARIANT_MAX_AGE_S}"
        if variants.claim(sha, width):
            made = BackgroundTask(variants.make, store, sha, status.size, width)
    if sha in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers, background=made)
    wanted = _range(request.headers.get("range"), status.size)
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={
            **headers, "Content-Range": f"bytes */{status.size}",
        }, background=made)
    start, end, code = 0, status.size, 200
    if isinstance(wanted, tuple):
        start, end = wanted
        code = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{status.size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=code, headers=headers, media_type=media, background=made)
    # A plain iterator: Starlette runs each step on a worker thread.
    body = store.iter_blob(sha, start, end)
    return StreamingResponse(body, status_code=code, headers=headers, media_type=media,
                             background=made)


def _variant(
    request: Request, sha: str, width: int, got: Variant | bool | None, headers: dict[str, str]
) -> Response | None:
    """The image scaled down to `?w=` (web/image_variants.py; whole: no ranges; its own
    ETag and media type), or a 304 for it; None where it is not made (yet, or ever: the
    blob is then served whole)."""
    tag = f'"{sha}-w{width}"'  # only ever sent for a variant made: the same again
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={**headers, "ETag": tag})
    if not isinstance(got, Variant):
        return None
    headers = {**headers, "ETag": tag, "Content-Length": str(len(got.data))}
    del headers["Accept-Ranges"]
    body = b"" if request.method == "HEAD" else got.data
    return Response(body, headers=headers, media_type=got.media_type)


async def list_controls(request: Request) -> Response:
    handle = await run_handle(request)
    found = await blocking(state(request).store.list_controls, handle)
    return JSON([control_json(c) for c in found])


async def set_control(request: Request) -> Response:
    handle = await run_handle(request)
    name = validate_name("control", request.path_params["name"])
    body = await json_body(request)
    if not isinstance(body, dict) or set(body) - {"value"}:
        raise InvalidArgumentError(
            'the body must be {"value": ...} (a button takes {} : each PUT is a press)'
        )
    control = await blocking(state(request).store.set_control, handle, name, body.get("value"))
    return JSON(control_json(control))


ROUTES: list[BaseRoute] = [
    Route("/api/runs/{handle}/artifacts", list_artifacts, methods=["GET"]),
    Route("/api/runs/{handle}/controls", list_controls, methods=["GET"]),
    Route("/api/runs/{handle}/controls/{name}", set_control, methods=["PUT"]),
    Route("/api/blobs/{sha256}", get_blob, methods=["GET", "HEAD"]),
]
