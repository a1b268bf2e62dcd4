"""ASGI layers around the web app: a path prefix, security headers, a WebSocket quota.

- `BasePath`: behind a reverse proxy at `/prefix`, requests arrive either with the
  prefix (the proxy passes the path on) or without it (the proxy strips it); both
  reach the same routes. The UI's index.html carries `<base href="/prefix/">`
  (static_files), so the browser asks for everything under the prefix.
- `SecurityHeaders`: on every HTTP response, a Content-Security-Policy that allows
  scripts only from this server (no inline or injected script can run), and
  nosniff, no-referrer, no framing.
- `SocketQuota`: at most `MAX_SOCKETS_PER_CLIENT` open WebSockets per client address.
"""

from __future__ import annotations

import collections

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from streamvis.limits import MAX_SOCKETS_PER_CLIENT
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
