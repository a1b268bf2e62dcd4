"""Build the gRPC server: the servicer, health checking and reflection.

streamvis.server composes it with the web app into the `streamvis serve` process.
"""

from __future__ import annotations

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer  # the asyncio flavour
from grpc_reflection.v1alpha import reflection

from streamvis.model.errors import FailedPreconditionError, UnavailableError
from streamvis.model.limits import DEFAULT_MAX_REQUEST_BYTES
from streamvis.model.security import Gate, ServeSecurity
from streamvis.service.decoding import DecodeErrors
from streamvis.service.guard import Guard
from streamvis.service.servicer import Servicer
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc

SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["Service"].full_name
#: Seconds that calls in flight get to finish once a stop was asked for.
SHUTDOWN_GRACE = 5.0


class Health(HealthServicer):  # type: ignore[misc]  # grpc_health's asyncio half has no stubs
    """Health checking that reports SERVING for the server and streamvis.v1.Service."""

    def __init__(self) -> None:
        super().__init__()
        # Set directly: nobody can be watching yet, and `set` is a coroutine.
        self._server_status[SERVICE_NAME] = health_pb2.HealthCheckResponse.SERVING


def address_of(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def build_server(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 0,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    *,
    servicer: Servicer | None = None,
    health: Health | None = None,
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
    servicer = servicer or Servicer(store)
    servicer.read_only = security.read_only
    pb_grpc.add_ServiceServicer_to_server(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(health or Health(), server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME),
        server,
    )
    address = address_of(host, port)
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
