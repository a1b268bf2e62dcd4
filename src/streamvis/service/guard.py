"""Who may call what on `streamvis.v1.Service`: the token, read-only mode, no-ingest mode.

`Guard` is the outermost server interceptor. For the methods of streamvis.v1.Service
it checks the `authorization: Bearer <token>` metadata (UNAUTHENTICATED when missing
or wrong; RESOURCE_EXHAUSTED once an address failed too often) and then the serve
mode (PERMISSION_DENIED). Health checking and reflection stay open: they reveal only
that the server is up and the public .proto contract, and supervisors and `grpcurl
list` need them without a token.

Methods are classed by name so that an RPC added later is a *change* (refused in
read-only mode) until it is listed here: reads start with List, Get, Query or Watch;
ingest is what a logger sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio

from streamvis.model.security import Gate, Verdict, bearer
from streamvis.service.handlers import CheckingInterceptor, Context, checked_first
from streamvis.v1 import service_pb2 as pb

SERVICE_PREFIX = "/" + pb.DESCRIPTOR.services_by_name["Service"].full_name + "/"
READ_PREFIXES = ("List", "Get", "Query", "Watch")
#: What DataLogger and AsyncDataLogger send: never a deletion or a change of what exists.
INGEST = frozenset({
    "CreateField", "CreateSeries", "CreateRun", "ReplaceRun", "SetRunAttributes",
    "AddRunTag", "AppendToSeries", "ReleaseRun",
})

Check = Callable[[Context], Awaitable[None]]


def address_of(peer: str) -> str:
    """The client address of a gRPC peer string ('ipv4:1.2.3.4:5678' -> '1.2.3.4')."""
    kind, _, rest = peer.partition(":")
    if kind in {"ipv4", "ipv6"}:
        host = rest.rsplit(":", 1)[0]
        return host.strip("[]")
    return peer


def mode_refusal(method: str, *, read_only: bool, no_ingest: bool) -> str | None:
    """Why `method` is refused in this serve mode; None if it is allowed."""
    if method.startswith(READ_PREFIXES):
        return None
    if method in INGEST:
        if no_ingest:
            return (f"{method} is refused: this server does not accept logged data "
                    "(started with --no-ingest); log to a server without it")
        return None
    if read_only:
        return (f"{method} is refused: this server is read-only (started with "
                "--read-only); make changes through a server started without it")
    return None


def _wrap(handler: Any, check: Check) -> Any:
    """`handler` (a grpc.RpcMethodHandler, untyped in the stubs) running `check` first."""

    async def before(request: Any, context: Context) -> None:  # noqa: ARG001
        await check(context)

    wrapped = checked_first(handler, before)
    if wrapped is None:
        # streamvis.v1.Service has no client-streaming methods; refuse rather than let
        # one through unchecked if it ever gets one.
        raise TypeError(f"Guard cannot check the streaming-request method {handler!r}")
    return wrapped


class Guard(CheckingInterceptor):
    """Token and serve-mode checks for streamvis.v1.Service (see the module docstring)."""

    def __init__(self, gate: Gate, *, read_only: bool = False, no_ingest: bool = False) -> None:
        self.gate = gate
        self.read_only = read_only
        self.no_ingest = no_ingest

    def wrap(self, handler: Any, method: str) -> Any:
        if not method.startswith(SERVICE_PREFIX):
            return handler
        name = method[len(SERVICE_PREFIX):]
        refusal = mode_refusal(name, read_only=self.read_only, no_ingest=self.no_ingest)
        if refusal is None and not self.gate.enabled:
            return handler

        async def check(context: Context) -> None:
            await self._check(context, name, refusal)

        return _wrap(handler, check)

    async def _check(self, context: Context, method: str, refusal: str | None) -> None:
        if self.gate.enabled:
            token = None
            for key, value in context.invocation_metadata() or ():
                if key == "authorization":
                    token = bearer(value if isinstance(value, str) else value.decode())
            address = address_of(context.peer())
            verdict = self.gate.check(address, token=token, where=f"gRPC {method}")
            if verdict is Verdict.MISSING:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, (
                    "this server needs a token: pass token= (or --token), or set "
                    "STREAMVIS_TOKEN to the token the server was started with"
                ))
            elif verdict is Verdict.WRONG:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, (
                    "the token is wrong: give the token the server was started with "
                    "(token=, --token or STREAMVIS_TOKEN)"
                ))
            elif verdict is Verdict.LIMITED:
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, (
                    "too many wrong tokens from this address: wait "
                    f"{self.gate.retry_after(address)} s, then retry with the right token"
                ))
        if refusal is not None:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, refusal)
