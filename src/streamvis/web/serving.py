"""Serving the web app with uvicorn inside an existing asyncio loop.

`streamvis serve` runs the gRPC server and this on one loop in one process, so the
live feed and the gRPC Watch stream hear the same store events. The socket is bound
before uvicorn starts, so port 0 ("any free port") is resolved in time to print it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import uvicorn

from streamvis.model.errors import UnavailableError
from streamvis.model.security import Gate
from streamvis.store.base import Store
from streamvis.web.app import create_app
from streamvis.web.http import WebConfig

if TYPE_CHECKING:
    from streamvis.store.pg_relay import ReplicaRelay

#: Seconds open connections (WebSockets included) get to finish on shutdown.
SHUTDOWN_GRACE = 5


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so,
    # and without it a response's headers and body meet Nagle and delayed ACKs
    # (40 ms per request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        why = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise UnavailableError(
            f"cannot listen for HTTP on {host}:{port} ({why}): stop the other process "
            "or choose another --http-port / --host"
        ) from None
    return sock


class WebServer:
    """The web app over `store` on a bound socket, run as a task of the current loop."""

    def __init__(
        self, store: Store, host: str = "127.0.0.1", port: int = 0,
        config: WebConfig | None = None, *, relay: ReplicaRelay | None = None,
        gate: Gate | None = None, tls_cert: str | None = None, tls_key: str | None = None,
    ) -> None:
        self.host = host
        self.config = config or WebConfig()
        self.tls = tls_cert is not None
        self.socket = bind(host, port)
        self.port: int = self.socket.getsockname()[1]
        self.app = create_app(store, self.config, relay=relay, gate=gate)
        self.server = _Server(uvicorn.Config(
            self.app, log_level="warning", lifespan="on",
            # The sans-I/O protocol: uvicorn's default one is deprecated by websockets.
            ws="websockets-sansio",
            timeout_graceful_shutdown=SHUTDOWN_GRACE,
            ssl_certfile=tls_cert, ssl_keyfile=tls_key,
        ))
        self._task: asyncio.Task[None] | None = None
        self._warm: asyncio.Future[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{self.config.base_url}/"

    async def start(self) -> None:
        """Start serving; returns once the app has started (or raises why it did not)."""
        self.loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(
            self.server.serve(sockets=[self.socket]), name="streamvis-web"
        )
        while not self.server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise UnavailableError("the web server stopped while starting")
            await asyncio.sleep(0.01)
        # Off the loop, so startup does not wait for it: the first data reply would.
        self._warm = self.loop.run_in_executor(None, warm_imports)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
            self._task = None
        self.socket.close()


def warm_imports() -> None:
    """Make what the first requests would import lazily, before they come.

    pyarrow imports pandas the first time it converts an array (to check whether it
    is a DataFrame): ~0.5 s of CPU that a server's first plot reply paid, on top of
    its cold store reads.
    """
    pa.array(np.zeros(1))


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn would replace the process's SIGINT/SIGTERM handlers while it
        # serves; `streamvis serve` owns them and stops both servers itself.
        yield


class ThreadedWebServer:
    """A WebServer on a loop of its own thread: for tests and benchmarks.

    With `pg_dsn` (the PostgreSQL database of `store`) it also runs the store's
    replica relay, as `streamvis serve` does.
    """

    def __init__(self, store: Store, config: WebConfig | None = None, *,
                 pg_dsn: str | None = None) -> None:
        self.store = store
        self.config = config
        self.pg_dsn = pg_dsn
        self.loop = asyncio.new_event_loop()
        self.web: WebServer | None = None
        self.relay: ReplicaRelay | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> WebServer:
        if self.pg_dsn is not None:
            from streamvis.store.pg_relay import ReplicaRelay  # noqa: PLC0415 - psycopg

            self.relay = ReplicaRelay(self.store, self.pg_dsn)
            self.relay.start()
        self._thread.start()

        async def start() -> WebServer:
            web = WebServer(self.store, config=self.config, relay=self.relay)
            await web.start()
            return web

        self.web = asyncio.run_coroutine_threadsafe(start(), self.loop).result(30)
        return self.web

    def __exit__(self, *exc: object) -> None:
        if self.web is not None:
            asyncio.run_coroutine_threadsafe(self.web.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)
        self.loop.close()
        if self.relay is not None:
            self.relay.stop()
