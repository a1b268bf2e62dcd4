"""Who may call what on `streamvis.v1.Service`: the token, read-only mode, no-ingest mode.

`Guard` is the outermost server interceptor. For the methods of streamvis.v1.Service
it checks the `authorization: Bearer <token>` metadata (UNAUTHENTICATED when missing
or wrong; RESOURCE_EXHAUSTED for a wrong token once it, or this address's guesses,
failed too often: security.FailedAttempts) and then the serve
mode (PERMISSION_DENIED). Health checking and reflection stay open: they reveal only
that the server is up and the public .proto contract, and supervisors and `grpcurl
list` need them without a token.

Each method's access (read, ingest, change) is one entry of `RPC_ACCESS`; an RPC added
later and not listed there is a *change*, refused in read-only mode until it is classed.
Read-only takes what a logger needs to log a new run (new fields, series and runs, their
rows and attributes) and refuses everything that changes or removes what exists:
ReplaceRun deletes a run's rows, AddRunTag changes which dashboards show a run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio

from streamvis.model import security
from streamvis.model.security import Access, Gate, Verdict, bearer
from streamvis.service.handlers import CheckingInterceptor, Context, checked_first
from streamvis.v1 import service_pb2 as pb

SERVICE_PREFIX = "/" + pb.DESCRIPTOR.services_by_name["Service"].full_name + "/"
#: The naming convention of reads in service.proto (tests/service/test_modes.py keeps
#: RPC_ACCESS to it).
READ_PREFIXES = ("List", "Get", "Query", "Watch")
_R, _I, _C, _LC = Access.READ, Access.INGEST, Access.CHANGE, Access.LOGGED_CHANGE
#: What each RPC of streamvis.v1.Service does to the store; one not listed is a change.
RPC_ACCESS: dict[str, Access] = {
    "CreateField": _I, "CreateFields": _I, "UpdateField": _C, "ListFields": _R,
    "CreateSeries": _I, "ListSeries": _R, "DeleteEmptySeries": _C, "ListCommonSeries": _R,
    "CreateRun": _I, "CreateRuns": _C, "ReplaceRun": _LC, "DeleteRun": _C, "ListRuns": _R,
    "GetRun": _R,
    "AddRunTag": _LC, "DeleteRunTag": _C, "ListTags": _R,
    # Adds attributes; on a read-only server it may not change one a run has (servicer).
    "SetRunAttributes": _I,
    "ListAttributeValues": _R, "ListCommonAttributes": _R, "ListStartedAt": _R,
    "AppendToSeries": _I, "QueryRunData": _R, "Watch": _R,
    "SavePlot": _C, "GetPlot": _R, "ListPlots": _R, "DeletePlot": _C,
    "SaveDashboard": _C, "GetDashboard": _R, "ListDashboards": _R, "DeleteDashboard": _C,
    "GetInfo": _R,
    # Ends the calling logger's writer lease on a run (docs/logging.md, "Runs").
    "ReleaseRun": _I,
    # Artifacts (service/artifacts.py): saving one adds to a run, like its rows.
    "BeginUpload": _I, "PutBlobPart": _I, "SaveArtifact": _I, "FinishUpload": _I,
    "GetBlobPart": _R, "ListArtifacts": _R,
    # Controls (service/controls.py): a program declares and polls them; setting one is
    # a change, which a read-only server refuses (its UI shows controls disabled).
    "DeclareControls": _I, "GetControls": _R, "SetControl": _C,
    # Summaries of runs' metrics (store/metric_summaries.py): computed, nothing stored.
    "GetSummaries": _R,
}
#: What DataLogger and AsyncDataLogger send, as --no-ingest refuses it.
INGEST = frozenset(name for name, access in RPC_ACCESS.items() if access.ingests)

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
    access = RPC_ACCESS.get(method, Access.CHANGE)
    return security.mode_refusal(access, method, read_only=read_only, no_ingest=no_ingest)


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
            verdict = self.gate.check(address, door="gRPC", token=token,
                                      where=f"gRPC {method}")
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
            elif verdict is Verdict.LIMITED and token is not None:
                wait = self.gate.retry_after(address, door="gRPC", token=token)
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, (
                    f"too many wrong tokens from this address: wait {wait} s, then retry "
                    "with the right token"
                ))
        if refusal is not None:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, refusal)
