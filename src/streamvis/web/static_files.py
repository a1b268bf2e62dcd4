"""The built browser UI: files from src/streamvis/web/static/, index.html for app routes.

The UI routes on the client (`/runs`, `/plot?...`), so any path that is not an API
route and not a file gets index.html. Vite names assets by content hash, so they
may be cached for a year; index.html must be revalidated, or a browser would keep
loading the old assets after an upgrade.

index.html is served with `<base href="{base_url}/">` added, and the bundle refers to
its assets and the API relatively, so the UI works under a reverse proxy's prefix.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from streamvis.web.http import error_response

STATIC_DIR = Path(__file__).parent / "static"
#: The longest file name (one path segment) common file systems hold, in bytes.
_MAX_SEGMENT_BYTES = 255
_LONG_CACHE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>streamvis: UI not built</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.5">
<h1>The streamvis web UI was not built</h1>
<p>The server is running and its API answers under <code>/api/</code>, but this
installation has no browser UI: it is built from <code>frontend/</code> when streamvis
is installed from a source checkout on a machine with Node.js 20 or newer.</p>
<p>To build it, install Node.js &ge; 20 and run, in the checkout:</p>
<pre>pip install .        # or: scripts/setup</pre>
<p>then restart <code>streamvis serve</code>.</p>
</body></html>
"""


class StaticUI:
    """Serves one directory of built files with single-page-app fallbacks."""

    def __init__(self, directory: Path = STATIC_DIR, base_url: str = "") -> None:
        self.directory = directory.resolve()
        self.base_tag = f'<base href="{html.escape(base_url, quote=True)}/">'
        self._index: tuple[float, bytes] | None = None  # (mtime, with the base tag)

    def _index_html(self) -> bytes:
        path = self.directory / "index.html"
        mtime = path.stat().st_mtime
        if self._index is None or self._index[0] != mtime:
            text = path.read_text(encoding="utf-8")
            # First in <head>: the base must precede every relative URL it resolves.
            text = text.replace("<head>", f"<head>\n    {self.base_tag}", 1)
            self._index = (mtime, text.encode())
        return self._index[1]

    @property
    def built(self) -> bool:
        return (self.directory / "index.html").is_file()

    def _file(self, path: str) -> Path | None:
        if not path:
            return None
        try:
            candidate = (self.directory / path).resolve()
            # A path with `..` must not reach outside the static directory.
            if not candidate.is_relative_to(self.directory) or not candidate.is_file():
                return None
        except (OSError, ValueError):  # too long in all, or a name the system refuses
            return None
        return candidate

    async def serve(self, request: Request) -> Response:
        if not self.built:
            return HTMLResponse(NOT_BUILT, headers={"cache-control": _REVALIDATE})
        path = request.path_params.get("path", "")
        if not _can_name_a_file(path):
            # Neither a file nor a route of the UI; the file system would raise (a NUL,
            # ENAMETOOLONG) with a message naming the install directory.
            return error_response(
                "NOT_FOUND", "no such page: a path of the UI has no NUL character and no "
                f"segment over {_MAX_SEGMENT_BYTES} bytes", 404,
            )
        found = self._file(path)
        if found is None or path == "index.html":
            return HTMLResponse(self._index_html(), headers={"cache-control": _REVALIDATE})
        long_lived = path.startswith("assets/")
        return FileResponse(found, headers={
            "cache-control": _LONG_CACHE if long_lived else _REVALIDATE,
        })


def _can_name_a_file(path: str) -> bool:
    return "\x00" not in path and all(
        len(part.encode("utf-8", "surrogatepass")) <= _MAX_SEGMENT_BYTES
        for part in path.split("/"))


def routes(directory: Path = STATIC_DIR, base_url: str = "") -> list[BaseRoute]:
    ui = StaticUI(directory, base_url)
    return [
        Route("/", ui.serve, methods=["GET", "HEAD"]),
        Route("/{path:path}", ui.serve, methods=["GET", "HEAD"]),
    ]
