"""One `streamvis serve` process: the gRPC service and the web app on one loop, one store.

service/ and web/ are peers that know nothing of each other; this module composes
them. It opens the store, starts the PostgreSQL replica relay (store/pg_relay.py)
whether or not the web app runs, so that gRPC Watch hears other replicas too, and
stops everything on SIGINT or SIGTERM.

`run_server` prints one line once the gRPC port is bound (and one once the web app
serves), because port 0 means "any free port" and whoever started the process (a
test, a supervisor) reads the real port from that line.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
import urllib.parse
from typing import TYPE_CHECKING

import pyarrow as pa

from streamvis.model.security import Gate, ServeSecurity, is_loopback
from streamvis.service.allocator import tune_allocator
from streamvis.service.collector import tune_collector
from streamvis.service.server import SHUTDOWN_GRACE, Health, address_of, build_server
from streamvis.service.servicer import Servicer
from streamvis.settings import ServeSettings
from streamvis.store import is_postgres_location, open_store
from streamvis.store.base import Store
from streamvis.web.http import WebConfig
from streamvis.web.serving import WebServer

if TYPE_CHECKING:
    from streamvis.store.pg_relay import ReplicaRelay

log = logging.getLogger("streamvis.server")


def _redacted(location: str) -> str:
    """The store location with any password replaced, fit to print."""
    parts = urllib.parse.urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _modes(security: ServeSecurity) -> str:
    modes = [name for name, on in (
        ("TLS", security.tls), ("token required", security.token is not None),
        ("read-only", security.read_only), ("no ingest", security.no_ingest),
    ) if on]
    return f" [{', '.join(modes)}]" if modes else ""


def run_server(settings: ServeSettings) -> None:
    """Serve with `settings` until SIGINT or SIGTERM, then stop gracefully.

    The gRPC service and, unless `settings.no_web`, the web app (HTTP API, live
    WebSocket, browser UI) share this process, its event loop and its store.
    """
    security = settings.security()
    security.check(settings.host)  # before anything is opened: a refused setup changes nothing

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    if security.no_auth and security.token is None and not is_loopback(settings.host):
        log.warning(
            "serving on %s WITHOUT authentication (--no-auth): anyone who can reach this "
            "address can read and change everything; put an authenticating proxy in front",
            settings.host,
        )
    tune_allocator()  # before the store and the first append allocate (allocator.py)
    threading.Thread(target=_warm_arrow, name="streamvis-warm", daemon=True).start()
    store = open_store(settings.location)
    try:
        # Uploads abandoned part way (and blobs no artifact took) a day ago or more.
        if collected := store.collect_blobs():
            log.info("removed %d abandoned or unreferenced blob(s)", collected)
        asyncio.run(_serve(store, settings, security))
    finally:
        store.close()


def _warm_arrow() -> None:
    """Pay pyarrow's one-time costs while the server starts, not in the first append.

    The first `pa.array(...)` in a process imports pandas (pyarrow checks every input
    against it), which took a fresh server's first append 0.2-0.65 s; done here on a
    thread, it overlaps opening the store and binding the ports.
    """
    pa.array([0.0])


def _start_relay(store: Store, location: str) -> ReplicaRelay | None:
    """The started replica relay of a PostgreSQL store; None for SQLite."""
    if not is_postgres_location(location):
        return None
    from streamvis.store.pg_relay import ReplicaRelay  # noqa: PLC0415 - psycopg only when used

    relay = ReplicaRelay(store, location)
    relay.start()
    return relay


async def _serve(store: Store, settings: ServeSettings, security: ServeSecurity) -> None:
    # Started before the ports are bound and stopped last, so that no write made
    # through this process while it serves goes unheard by the other replicas.
    relay = await asyncio.to_thread(_start_relay, store, settings.location)
    try:
        await _serve_both(store, settings, security, relay)
    finally:
        if relay is not None:
            await asyncio.to_thread(relay.stop)


async def _serve_both(
    store: Store, settings: ServeSettings, security: ServeSecurity, relay: ReplicaRelay | None,
) -> None:
    servicer = Servicer(store)
    servicer.max_artifact_bytes = settings.max_artifact_bytes
    health = Health()
    gate = Gate(security.token)
    host = settings.host
    server, bound = build_server(
        store, host, settings.grpc_port, settings.max_request_bytes, servicer=servicer,
        health=health, security=security, gate=gate,
    )
    # Bound before anything starts, so a taken port fails the start, not a later step.
    web = None
    if not settings.no_web:
        config = WebConfig(
            read_only=security.read_only, base_url=security.base_url, tls=security.tls,
            allowed_hosts=security.web_hosts(host), max_points=settings.max_points,
            cache_bytes=settings.cache_bytes,
        )
        web = WebServer(store, host, settings.http_port, config, relay=relay, gate=gate,
                        tls_cert=security.tls_cert, tls_key=security.tls_key)
        servicer.web_url = web.url  # bound already, so the port is known (GetInfo says it)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
        print(  # noqa: T201 - the one line that tells the starter the port
            f"streamvis: gRPC listening on {address_of(host, bound)} "
            f"(store: {_redacted(settings.location)}){_modes(security)}",
            flush=True,
        )
        if web is not None:
            await web.start()
            print(f"streamvis: web UI at {web.url}", flush=True)  # noqa: T201
        else:
            print("streamvis: web UI off (--no-web)", flush=True)  # noqa: T201
        tune_collector()  # all imported and started: out of the collector's walks
        await stop.wait()
        log.info("stopping: letting calls in flight finish for up to %g s", SHUTDOWN_GRACE)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        await health.enter_graceful_shutdown()
        if web is not None:
            await web.stop()
        servicer.close()
        await server.stop(SHUTDOWN_GRACE)
        await asyncio.to_thread(servicer.join)
