"""What every call shares: checks on what comes in, and the status for what fails.

The checks need no stored state. The store checks too, but doing these first means
both stores refuse a malformed request with the same status and message.

Every exception ends a call with one gRPC status. A `StreamvisError` travels as the
status its `.code` names, with its message, so the client raises the same error
class on its side. Anything else is a bug on the server: it is logged with its
traceback, the caller gets INTERNAL with a short message, and the server keeps
serving.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, NoReturn, Protocol, TypeAlias, TypeVar

import grpc
import grpc.aio
import pyarrow as pa
import pyarrow.compute as pc

from streamvis import wire
from streamvis.model.errors import InvalidArgumentError, ResourceExhaustedError, StreamvisError
from streamvis.model.limits import (
    MAX_FIELDS_PER_CREATE,
    MAX_FIELDS_PER_SERIES,
    MAX_ROWS_PER_APPEND,
    MAX_RUNS_PER_CREATE,
    MAX_RUNS_PER_PAGE,
    MAX_STRING_LENGTH,
)
from streamvis.model.schema import (
    NewField,
    NewRun,
    RunFilter,
    Value,
    dedupe,
    parse_handle,
    validate_name,
)
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb

log = logging.getLogger("streamvis.service")

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"

# -- checks ----------------------------------------------------------------------


def handle(text: str, kind: str = "run") -> uuid.UUID:
    """A required UUID handle; the empty string (proto3's unset) is refused by name."""
    if not text:
        raise InvalidArgumentError(f"the {kind} handle is empty: give the {kind}'s UUID")
    return parse_handle(text, kind)


def names(kind: str, given: Sequence[str]) -> tuple[str, ...]:
    """Valid names, each given once."""
    for name in given:
        validate_name(kind, name)
    return dedupe(given, kind)


def attributes(values: Mapping[str, pb.Value]) -> dict[str, Value]:
    """Attribute values by field name; one with nothing set is refused by its name.

    One pass, each Value's kind asked once: a CreateRuns of 5,000 runs reads 20,000 of
    them, and asking three times (the check, the length, `wire.value_from_pb`) was a
    tenth of its decoding (decision 0047)."""
    out: dict[str, Value] = {}
    for name, value in values.items():
        kind = value.WhichOneof("kind")
        if kind is None:
            raise InvalidArgumentError(
                f"attribute {name!r} has no value: set one of int, float, string, bool"
            )
        got: Value = getattr(value, kind)
        if kind == "string_value":
            _string_length(len(got), f"attribute {name!r}")  # type: ignore[arg-type]
        out[name] = got
    return out


def _string_length(length: int, what: str) -> None:
    if length > MAX_STRING_LENGTH:
        raise ResourceExhaustedError(
            f"{what} is a string of {length} characters; at most {MAX_STRING_LENGTH} are "
            "accepted: store long text elsewhere and log a reference to it"
        )


def series_fields(series: str, fields: Sequence[str]) -> Sequence[str]:
    if len(fields) > MAX_FIELDS_PER_SERIES:
        raise ResourceExhaustedError(
            f"series {series!r} has {len(fields)} fields; at most {MAX_FIELDS_PER_SERIES} "
            "are accepted: split it into several series"
        )
    return fields


def append_columns(columns: Mapping[str, pa.Array]) -> Mapping[str, pa.Array]:
    """Columns within the rows-per-append and string-length limits."""
    for name, column in columns.items():
        if len(column) > MAX_ROWS_PER_APPEND:
            raise ResourceExhaustedError(
                f"the append has {len(column)} rows; at most {MAX_ROWS_PER_APPEND} are "
                "accepted in one request: send them in several appends"
            )
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            longest = pc.max(pc.utf8_length(column)).as_py()
            if longest is not None:
                _string_length(longest, f"a value of field {name!r}")
    return columns


def started_at(request: pb.CreateRunRequest) -> float | None:
    if not request.HasField("started_at"):
        return None
    if not math.isfinite(request.started_at):
        raise InvalidArgumentError(
            f"started_at is {request.started_at}: give seconds since the Unix epoch"
        )
    return request.started_at


def new_field(request: pb.CreateFieldRequest) -> NewField:
    """The field a CreateField asks for (the store checks its type's options)."""
    return NewField(validate_name("field", request.name),
                    wire.field_type_from_pb(request.type, request.type_name),
                    request.description, wire.options_from_pb(request.options))


def new_fields(request: pb.CreateFieldsRequest) -> list[NewField]:
    """The fields of a CreateFields, checked as CreateField checks one."""
    if len(request.fields) > MAX_FIELDS_PER_CREATE:
        raise ResourceExhaustedError(
            f"one batch creates at most {MAX_FIELDS_PER_CREATE} fields "
            f"(MAX_FIELDS_PER_CREATE), got {len(request.fields)}: send them in batches of "
            "that many"
        )
    return [new_field(f) for f in request.fields]


def new_runs(request: pb.CreateRunsRequest) -> list[NewRun]:
    """The runs of a CreateRuns, checked as CreateRun checks one."""
    if len(request.runs) > MAX_RUNS_PER_CREATE:
        raise ResourceExhaustedError(
            f"one batch creates at most {MAX_RUNS_PER_CREATE} runs (MAX_RUNS_PER_CREATE), "
            f"got {len(request.runs)}: send them in batches of that many"
        )
    out = []
    for i, run in enumerate(request.runs):
        if run.resume or run.writer:
            raise InvalidArgumentError(
                f"runs[{i}] sets resume or writer, which CreateRuns does not take: create "
                "that run with CreateRun"
            )
        out.append(NewRun(handle(run.handle) if run.handle else None, names("tag", run.tags),
                          attributes(run.attributes), started_at(run)))
    return out


def after_sequence(value: int) -> int:
    if value < 0:
        raise InvalidArgumentError(
            f"after_sequence is {value}: give 0 (from the start) or a chunk's sequence"
        )
    return value


# -- failures ------------------------------------------------------------------


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str]:
    """The status and message a failed call ends with."""
    if isinstance(exc, StreamvisError):
        return grpc.StatusCode[exc.code], str(exc)
    return grpc.StatusCode.INTERNAL, (
        f"the server failed ({type(exc).__name__}); the server log has the details"
    )


async def abort(context: Context, exc: Exception, rpc: str) -> NoReturn:
    """End the call with the status for `exc`; log it first if it is a bug."""
    if isinstance(exc, grpc.aio.AbortError):
        raise exc  # the call was already ended with its own status
    if not isinstance(exc, StreamvisError):
        log.error("%s failed", rpc, exc_info=exc)
    code, message = status_for(exc)
    await context.abort(code, message)


def list_runs(store: Store, request: pb.ListRunsRequest) -> pb.ListRunsResponse:
    """ListRuns: one keyset page when asked for one (`after`, or a limit of at most
    MAX_RUNS_PER_PAGE), else every match (up to `limit`), read from the store a page at
    a time so that only the answer grows with the number of runs."""
    if request.limit < 0:
        raise InvalidArgumentError(
            f"limit is {request.limit}: give 0 for no limit or a positive number"
        )
    run_filter = wire.filter_from_pb(request.filter)
    if request.after or 0 < request.limit <= MAX_RUNS_PER_PAGE:
        return _runs_page(store, run_filter, request.after,
                          request.limit or MAX_RUNS_PER_PAGE, count=True)
    out = pb.ListRunsResponse()
    after, left = "", request.limit or None
    while left is None or left > 0:
        page = _runs_page(store, run_filter, after, min(_LISTING_PAGE, left or _LISTING_PAGE),
                          count=False)
        out.runs.MergeFrom(page.runs)
        left = None if left is None else left - len(page.runs)
        after = page.next
        if not after:
            break
    return out


#: Runs per store read of a ListRuns of every match.
_LISTING_PAGE = 1000


def _runs_page(
    store: Store, run_filter: RunFilter, after: str, limit: int, *, count: bool,
) -> pb.ListRunsResponse:
    """One keyset page with its `next` token (and `total` when counted), from each run's
    kept listing JSON; read again as `Run`s where that JSON cannot tell a value."""
    page = store.list_runs_json_page(run_filter, after, limit, count=count)
    out = wire.runs_from_listing(page.runs)
    if out is None:
        # The same page again, the slow way: its own token and count, in case a writer
        # changed the runs in between.
        slow = store.list_runs_page(run_filter, after, limit, count=count)
        out = pb.ListRunsResponse()
        wire.add_runs(out.runs, slow.runs)
        next_token, total = slow.next, slow.total
    else:
        next_token, total = page.next, page.total
    out.next = next_token
    if total is not None:
        out.total = total
    return out


# -- running bodies ------------------------------------------------------------


class Worker(Protocol):
    """What runs unary bodies: a servicer with its thread pool."""

    executor: Executor


W = TypeVar("W", bound=Worker)
Req = TypeVar("Req")
Resp = TypeVar("Resp")


def blocking(
    body: Callable[[W, Req], Resp],
) -> Callable[[W, Req, Context], Coroutine[Any, Any, Resp]]:
    """Make a synchronous RPC body an async RPC method that runs on a worker thread."""

    @functools.wraps(body)
    async def rpc(self: W, request: Req, context: Context) -> Resp:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, body, self, request)
        except Exception as exc:  # noqa: BLE001 - every failure must end the call with a status
            await abort(context, exc, body.__name__)

    return rpc
