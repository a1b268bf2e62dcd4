"""A small real reverse proxy for the base-URL tests: `/<prefix>/...` -> the backend.

Like nginx's `location /prefix/ { proxy_pass http://backend/; }` it strips the prefix
(or, with strip=False, passes the path on unchanged), forwards HTTP requests and
bridges WebSockets, and runs as a uvicorn server on its own thread and port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import connect

_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}


def proxy_app(backend: str, prefix: str, *, strip: bool = True) -> Starlette:
    """`backend` is http://host:port (no path)."""
    clients: list[httpx.AsyncClient] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:  # noqa: ARG001
        async with httpx.AsyncClient(base_url=backend, timeout=30) as client:
            clients.append(client)
            yield

    def target(path: str) -> str | None:
        if path != prefix and not path.startswith(prefix + "/"):
            return None
        return (path[len(prefix):] or "/") if strip else path

    async def forward(request: Request) -> Response:
        path = target(request.url.path)
        if path is None:
            return Response("not behind this proxy", 404)
        upstream = await clients[0].request(
            request.method, path, params=request.url.query or None,
            headers={k: v for k, v in request.headers.items() if k not in _HOP},
            content=await request.body(),
        )
        headers = {k: v for k, v in upstream.headers.items() if k not in _HOP}
        headers.pop("content-encoding", None)
        return Response(upstream.content, upstream.status_code, headers=headers)

    async def bridge(websocket: WebSocket) -> None:
        path = target(websocket.url.path)
        if path is None:
            await websocket.close(1008)
            return
        url = backend.replace("http", "ws", 1) + path
        if websocket.url.query:
            url += "?" + websocket.url.query
        cookie = websocket.headers.get("cookie")
        async with connect(url, additional_headers={"cookie": cookie} if cookie else {}) as up:
            await websocket.accept()

            async def down() -> None:
                async for message in up:
                    await websocket.send_text(str(message))

            task = asyncio.create_task(down())
            try:
                while True:
                    await up.send(await websocket.receive_text())
            except WebSocketDisconnect:
                pass
            finally:
                task.cancel()

    return Starlette(lifespan=lifespan, routes=[
        WebSocketRoute("/{path:path}", bridge),
        Route("/{path:path}", forward,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
    ])


@contextlib.contextmanager
def running_proxy(backend: str, prefix: str, *, strip: bool = True) -> Iterator[str]:
    """Run the proxy; yields its URL of the app, http://127.0.0.1:PORT/prefix/."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(
        proxy_app(backend.rstrip("/"), prefix, strip=strip), log_level="warning",
        ws="websockets-sansio", lifespan="on",
    ))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the proxy did not start")
        threading.Event().wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}{prefix}/"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
