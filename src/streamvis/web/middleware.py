"""ASGI layers around the web app: a path prefix, security headers, a WebSocket quota.

- `BasePath`: behind a reverse proxy at `/prefix`, requests arrive either with the
  prefix (the proxy passes the path on) or without it (the proxy strips it); both
  reach the same routes. The UI's index.html carries `<base href="/prefix/">`
  (static_files), so the browser asks for everything under the prefix.
- `SecurityHeaders`: on every HTTP response, a Content-Security-Policy that allows
  scripts only from this server (no inline or injected script can run), and
  nosniff, no-referrer, no framing.
- `HostCheck`: where the server answers only to some host names (a loopback server
  without a token), requests addressed to other names are refused (DNS rebinding),
  and so are changes and live feeds asked for by pages of any other origin (scheme,
  host and port, from the Origin header): another server on localhost included.
- `SocketQuota`: at most `MAX_SOCKETS_PER_CLIENT` open WebSockets per client address.
- `ServeMode`: a read-only server refuses (403) every route that changes something,
  by the route's entry in `ROUTE_ACCESS`.
"""

from __future__ import annotations

import collections
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from streamvis.model.limits import MAX_SOCKETS_PER_CLIENT
from streamvis.model.security import Access, is_loopback, mode_refusal
from streamvis.web.http import JSON

#: Scripts, styles, images, connections: this server only. Styles may be inline
#: because Svelte sets style attributes; script may not, so injected markup is inert.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class BasePath:
    """Strips the configured path prefix, where a request carries it."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app = app
        self.base = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.base and scope["type"] in {"http", "websocket"}:
            path: str = scope["path"]
            if path == self.base or path.startswith(self.base + "/"):
                rest = path[len(self.base):] or "/"
                scope = {**scope, "path": rest, "raw_path": rest.encode()}
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Methods a page of another site may send without changing anything.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host_name(netloc: str) -> str | None:
    """The lower-case host of 'name:port' or '[::1]:port'; None if there is none."""
    try:
        return urlsplit("//" + netloc).hostname
    except ValueError:  # a malformed port or bracket
        return None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _same_origin(origin: str, host_header: str, hosts: frozenset[str], *, tls: bool) -> bool:
    """Whether a page at `origin` is this server's own UI: the scheme, host and port
    the request was sent to (the Host header), not merely a host name of ours.

    A host name alone would let any other server on localhost (a page on
    http://localhost:9999) post changes and open the live feed. Loopback names are one
    machine, so they stand for each other at the same port. Behind a proxy that adds
    TLS (an --allowed-host name) the page is https while this server is not.
    """
    try:
        page = urlsplit(origin)  # "null" (a sandboxed page) has no host
        page_port = page.port
        own_port = urlsplit("//" + host_header).port
    except ValueError:  # a malformed port or bracket
        return False
    if page.hostname is None or page.hostname not in hosts:
        return False
    if tls:
        schemes = {"https"}
    elif is_loopback(page.hostname):
        schemes = {"http"}
    else:
        schemes = {"http", "https"}
    if page.scheme not in schemes:
        return False
    default = _DEFAULT_PORTS[page.scheme]
    return (page_port or default) == (own_port or default)


class HostCheck:
    """Refuses (403) requests to other host names, and cross-site changes and sockets.

    `hosts` None answers every name (a token guards the server instead).
    """

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None, *, tls: bool = False) -> None:
        self.app = app
        self.hosts = hosts
        self.tls = tls

    @staticmethod
    def problem(scope: Scope, hosts: frozenset[str], *, tls: bool = False) -> str | None:
        headers = Headers(scope=scope)
        host = _host_name(headers.get("host", ""))
        names = ", ".join(sorted(hosts))
        if host not in hosts:
            return (
                f"this server answers only to {names}, not to {headers.get('host', '')!r}: "
                "without a token it refuses other names, so that no web page can reach it "
                "through DNS rebinding; to serve it under that name, start it with "
                f"--allowed-host {host or 'NAME'} (or give it a token)"
            )
        origin = headers.get("origin")
        if origin is None or (scope["type"] == "http" and scope["method"] in _SAFE_METHODS):
            return None
        if not _same_origin(origin, headers.get("host", ""), hosts, tls=tls):
            return (
                f"a page from {origin} may not change data or open the live feed of this "
                f"server: open the streamvis UI at its own address ({names}, with the "
                "scheme and port this server is reached at)"
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hosts is None or scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        problem = self.problem(scope, self.hosts, tls=self.tls)
        if problem is None:
            await self.app(scope, receive, send)
            return
        refusal = JSON({"error": "PERMISSION_DENIED", "message": problem}, status_code=403)
        if scope["type"] == "websocket":
            await refuse_socket(scope, receive, send, refusal)
        else:
            await refusal(scope, receive, send)


class SocketQuota:
    """Refuses (429) a WebSocket beyond `limit` open ones from the same address."""

    def __init__(self, app: ASGIApp, limit: int = MAX_SOCKETS_PER_CLIENT) -> None:
        self.app = app
        self.limit = limit
        self.open: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        if self.open[address] >= self.limit:
            await refuse_socket(scope, receive, send, JSON(
                {"error": "RESOURCE_EXHAUSTED",
                 "message": f"this address has {self.open[address]} live-event WebSockets "
                            f"open, the most allowed ({self.limit}): close some pages or "
                            "share one connection"},
                status_code=429,
            ))
            return
        self.open[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[address] -= 1
            if not self.open[address]:
                del self.open[address]


#: What each HTTP route does to the store, by method and route path, beyond GET and
#: HEAD (which only read); a route not listed here is a change. No route ingests: loggers
#: send over gRPC.
ROUTE_ACCESS: dict[tuple[str, str], Access] = {
    # Reads whose query is too large for a URL.
    ("POST", "/api/data"): Access.READ,
    ("POST", "/api/dataset-summary"): Access.READ,
    ("POST", "/api/media"): Access.READ,
    ("DELETE", "/api/runs/{handle}"): Access.CHANGE,
    ("POST", "/api/runs/{handle}/tags"): Access.CHANGE,
    ("DELETE", "/api/runs/{handle}/tags/{tag}"): Access.CHANGE,
    ("PUT", "/api/plots/{name}"): Access.CHANGE,
    ("DELETE", "/api/plots/{name}"): Access.CHANGE,
    ("PUT", "/api/dashboards/{name}"): Access.CHANGE,
    ("DELETE", "/api/dashboards/{name}"): Access.CHANGE,
    # Tells a running program something (web/api_artifacts.py): refused read-only.
    ("PUT", "/api/runs/{handle}/controls/{name}"): Access.CHANGE,
}
for _method in ("OPTIONS", "POST", "PUT", "PATCH", "DELETE"):
    # An unknown /api/ path answers 404 whatever the method.
    ROUTE_ACCESS[(_method, "/api/{rest:path}")] = Access.READ


def route_access(method: str, path: str) -> Access:
    """The access of `method` on the route of path template `path`."""
    if method in {"GET", "HEAD"}:
        return Access.READ
    return ROUTE_ACCESS.get((method, path), Access.CHANGE)


class ServeMode:
    """Refuses (403) what the serve mode does not allow, found by the route it reaches."""

    def __init__(self, app: ASGIApp, read_only: bool) -> None:
        self.app = app
        self.read_only = read_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.read_only or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        for route in scope["app"].routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                path = getattr(route, "path", "")
                refusal = mode_refusal(route_access(method, path), f"{method} {path}",
                                       read_only=True, no_ingest=False)
                if refusal is not None:
                    response = JSON({"error": "PERMISSION_DENIED", "message": refusal},
                                    status_code=403)
                    await response(scope, receive, send)
                    return
                break
        await self.app(scope, receive, send)


async def refuse_socket(scope: Scope, receive: Receive, send: Send, response: Response) -> None:
    """Refuse a WebSocket upgrade with `response`'s status and body where the server can."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": response.status_code,
                    "headers": response.raw_headers})
        await send({"type": "websocket.http.response.body", "body": response.body})
    else:
        await send({"type": "websocket.close", "code": 1008})
