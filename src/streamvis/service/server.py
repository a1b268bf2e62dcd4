"""Build and run the gRPC server: the servicer, health checking and reflection.

`run_server` is what `streamvis serve` calls. It prints one line once the port is
bound, because port 0 means "any free port" and whoever started the process (a
test, a supervisor) reads the real port from that line.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import urllib.parse

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer  # the asyncio flavour
from grpc_reflection.v1alpha import reflection

from streamvis.model.errors import FailedPreconditionError, UnavailableError
from streamvis.model.limits import DEFAULT_MAX_REQUEST_BYTES
from streamvis.model.security import Gate, ServeSecurity, is_loopback
from streamvis.service.decoding import DecodeErrors
from streamvis.service.guard import Guard
from streamvis.service.servicer import Servicer
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc

log = logging.getLogger("streamvis.service")

SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["Service"].full_name
#: Seconds that calls in flight get to finish once a stop was asked for.
SHUTDOWN_GRACE = 5.0


class _Health(HealthServicer):  # type: ignore[misc]  # grpc_health's asyncio half has no stubs
    """Health checking that reports SERVING for the server and streamvis.v1.Service."""

    def __init__(self) -> None:
        super().__init__()
        # Set directly: nobody can be watching yet, and `set` is a coroutine.
        self._server_status[SERVICE_NAME] = health_pb2.HealthCheckResponse.SERVING


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _redacted(location: str) -> str:
    """The store location with any password replaced, fit to print."""
    parts = urllib.parse.urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def build_server(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 0,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    *,
    servicer: Servicer | None = None,
    health: _Health | None = None,
    security: ServeSecurity | None = None,
    gate: Gate | None = None,
) -> tuple[grpc.aio.Server, int]:
    """A bound, not yet started server for `store`, and the port it is bound to.

    Call it from the event loop that will run the server. Requests above
    `max_request_bytes` are refused with RESOURCE_EXHAUSTED before they reach the
    servicer. Raises UnavailableError if the address cannot be bound. `security`
    (token, serve modes, TLS) defaults to none; `gate` checks the token, shared with
    the web app so that failed attempts count together.
    """
    security = security or ServeSecurity()
    gate = gate or Gate(security.token)
    guard = Guard(gate, read_only=security.read_only, no_ingest=security.no_ingest)
    # The guard is outermost: a caller without the token learns nothing, not even
    # whether its request decodes.
    server = grpc.aio.server(interceptors=[guard, DecodeErrors()], options=[
        ("grpc.max_receive_message_length", max_request_bytes),
        ("grpc.max_send_message_length", -1),  # the client's receive limit decides
        # Without this Linux lets a second server bind the same port and share it.
        ("grpc.so_reuseport", 0),
        # Ping idle connections, so that a Watch whose client vanished is noticed.
        ("grpc.keepalive_time_ms", 60_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.keepalive_permit_without_calls", 1),
    ])
    pb_grpc.add_ServiceServicer_to_server(servicer or Servicer(store), server)
    health_pb2_grpc.add_HealthServicer_to_server(health or _Health(), server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME),
        server,
    )
    address = _address(host, port)
    try:
        if security.tls_cert is not None and security.tls_key is not None:
            credentials = grpc.ssl_server_credentials(
                [(_read_pem(security.tls_key, "key"), _read_pem(security.tls_cert, "cert"))]
            )
            bound = server.add_secure_port(address, credentials)
        else:
            bound = server.add_insecure_port(address)
    except RuntimeError:
        bound = 0
    if not bound:
        raise UnavailableError(
            f"cannot listen on {address}: the port is in use (is another streamvis serve "
            "running?) or the host is not an address of this machine; stop the other "
            "process or choose another --grpc-port / --host"
        )
    return server, bound


def _read_pem(path: str, what: str) -> bytes:
    try:
        return open(path, "rb").read()  # noqa: PTH123 - small, read once
    except OSError as exc:
        raise FailedPreconditionError(
            f"cannot read --tls-{what} {path!r} ({exc.strerror}): give a readable PEM file"
        ) from None


def _modes(security: ServeSecurity) -> str:
    modes = [name for name, on in (
        ("TLS", security.tls), ("token required", security.token is not None),
        ("read-only", security.read_only), ("no ingest", security.no_ingest),
    ) if on]
    return f" [{', '.join(modes)}]" if modes else ""


def run_server(
    location: str,
    host: str = "127.0.0.1",
    grpc_port: int = 8001,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    http_port: int | None = 8080,
    *,
    security: ServeSecurity | None = None,
) -> None:
    """Serve the store at `location` until SIGINT or SIGTERM, then stop gracefully.

    The gRPC service and, unless `http_port` is None, the web app (HTTP API, live
    WebSocket, browser UI) share this process, its event loop and its store.
    `security` holds the token, serve modes, TLS and base URL (docs/security.md).
    """
    from streamvis.store import open_store  # noqa: PLC0415 - imports both backends

    security = security or ServeSecurity()
    security.check(host)  # before anything is opened: a refused setup changes nothing

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    if security.no_auth and security.token is None and not is_loopback(host):
        log.warning(
            "serving on %s WITHOUT authentication (--no-auth): anyone who can reach this "
            "address can read and change everything; put an authenticating proxy in front",
            host,
        )
    store = open_store(location)
    try:
        asyncio.run(_serve(
            store, location, host, grpc_port, max_request_bytes, http_port, security
        ))
    finally:
        store.close()


async def _serve(  # noqa: PLR0917 - one private call site
    store: Store, location: str, host: str, port: int, max_request_bytes: int,
    http_port: int | None, security: ServeSecurity,
) -> None:
    from streamvis.store import is_postgres_location  # noqa: PLC0415 - as open_store
    from streamvis.web.http import WebConfig  # noqa: PLC0415 - only when serving
    from streamvis.web.serving import WebServer  # noqa: PLC0415 - only when serving

    servicer = Servicer(store)
    health = _Health()
    gate = Gate(security.token)
    server, bound = build_server(
        store, host, port, max_request_bytes, servicer=servicer, health=health,
        security=security, gate=gate,
    )
    # Bound before anything starts, so a taken port fails the start, not a later step.
    web = None
    if http_port is not None:
        pg_dsn = location if is_postgres_location(location) else None
        config = WebConfig(read_only=security.read_only, base_url=security.base_url,
                           tls=security.tls, allowed_hosts=security.web_hosts(host))
        web = WebServer(store, host, http_port, config, pg_dsn=pg_dsn, gate=gate,
                        tls_cert=security.tls_cert, tls_key=security.tls_key)
        servicer.web_url = web.url  # bound already, so the port is known
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
        print(  # noqa: T201 - the one line that tells the starter the port
            f"streamvis: gRPC listening on {_address(host, bound)} "
            f"(store: {_redacted(location)}){_modes(security)}",
            flush=True,
        )
        if web is not None:
            await web.start()
            print(f"streamvis: web UI at {web.url}", flush=True)  # noqa: T201
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
