"""The ASGI application: API routes, live events, the built UI, and their shared state.

`create_app(store)` is what `streamvis serve` mounts next to the gRPC service, on
the same store and event loop; tests call it on a store of their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from streamvis.model import events as ev
from streamvis.model.errors import StreamvisError
from streamvis.model.security import Gate
from streamvis.store.base import Store
from streamvis.web import (
    api_artifacts,
    api_data,
    api_dataset,
    api_export,
    api_info,
    api_media,
    api_meta,
    api_run,
    api_saved,
    api_search,
    api_summaries,
    static_files,
)
from streamvis.web.auth import AuthGate
from streamvis.web.columns import ColumnCache
from streamvis.web.http import (
    AppState,
    WebConfig,
    on_http_error,
    on_streamvis_error,
    on_unexpected_error,
)
from streamvis.web.live import LiveFeed, events_endpoint
from streamvis.web.middleware import (
    BasePath,
    HostCheck,
    SecurityHeaders,
    ServeMode,
    SocketQuota,
)

if TYPE_CHECKING:
    from streamvis.store.pg_relay import ReplicaRelay

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _no_such_route(request: Request) -> Response:  # noqa: ARG001
    # Without this an unknown /api/ path would get the UI's index.html.
    raise HTTPException(404)


def create_app(
    store: Store,
    config: WebConfig | None = None,
    *,
    static_dir: Path | None = None,
    relay: ReplicaRelay | None = None,
    gate: Gate | None = None,
) -> Starlette:
    """The web app over `store`. The caller owns the store and closes it after the app.

    With the `relay` of a PostgreSQL store (store/pg_relay.py, started by the caller),
    the app refreshes what it cached whenever the relay may have missed other
    replicas' events. With a `gate` that has a token, every request needs it (web/auth.py).
    """
    config = config or WebConfig()
    gate = gate or Gate(None)
    cache = ColumnCache(store, config.cache_bytes)
    feed = LiveFeed(store, config.client_buffer)

    def resync() -> None:
        cache.clear()
        feed.wake()


    def forget(event: ev.Event) -> None:
        # A replaced run keeps its handle but not its data; cached columns must go.
        if isinstance(event, ev.RunDeleted):
            cache.forget_run(event.handle)
        elif isinstance(event, ev.RunReplaced):
            cache.forget_run(event.run.handle)

    unsubscribe = store.events.subscribe(forget)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:  # noqa: ARG001
        await feed.start()
        stop_resync = relay.add_gap_listener(resync) if relay is not None else None
        try:
            yield
        finally:
            if stop_resync is not None:
                stop_resync()
            await feed.stop()
            unsubscribe()
            cache.clear()

    routes: list[BaseRoute] = [
        *api_meta.ROUTES,
        *api_run.ROUTES,
        *api_search.ROUTES,
        *api_data.ROUTES,
        *api_dataset.ROUTES,
        *api_export.ROUTES,
        *api_summaries.ROUTES,
        *api_saved.ROUTES,
        *api_artifacts.ROUTES,
        *api_media.ROUTES,
        *api_info.ROUTES,
        WebSocketRoute("/api/events", events_endpoint),
        Route("/api/{rest:path}", _no_such_route, methods=_ALL_METHODS),
        *static_files.routes(static_dir or static_files.STATIC_DIR, config.base_url),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        # Outermost first: the prefix goes before anything looks at the path, and
        # refusals (login redirects, 401s, quota) carry the security headers too.
        middleware=[
            Middleware(BasePath, base_url=config.base_url),
            Middleware(SecurityHeaders),
            Middleware(HostCheck, hosts=config.allowed_hosts, tls=config.tls),
            Middleware(AuthGate, gate=gate, config=config),
            Middleware(SocketQuota),
            Middleware(ServeMode, read_only=config.read_only),
        ],
        exception_handlers={
            StreamvisError: on_streamvis_error,
            HTTPException: on_http_error,
            Exception: on_unexpected_error,
        },
    )
    app.state.streamvis = AppState(store=store, config=config, cache=cache)
    app.state.streamvis_feed = feed
    app.state.streamvis_auth = gate.enabled
    return app
