"""A typed, synchronous client of the streamvis gRPC service.

The CLI, the logger and the Python data API talk to the server through this. It
speaks in model objects (`Field`, `Series`, `Run`, Arrow arrays) and turns every
gRPC error status into the matching `StreamvisError`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import grpc

from streamvis import wire
from streamvis.client_extras import ExtraCalls
from streamvis.connection import open_channel
from streamvis.model.environment import default_uri
from streamvis.model.errors import (
    ERRORS_BY_CODE,
    NotFoundError,
    StreamvisError,
    UnavailableError,
)
from streamvis.model.limits import (
    MAX_FIELDS_PER_CREATE,
    MAX_RUNS_PER_CREATE,
    MAX_RUNS_PER_PAGE,
)
from streamvis.model.media import FieldOptions
from streamvis.model.schema import (
    Field,
    FieldType,
    NewField,
    NewRun,
    Run,
    RunFilter,
    RunPage,
    Series,
    Value,
)
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from streamvis.model import events as ev
    from streamvis.model.chunks import AppendResult, Chunk

#: Largest message either side accepts; the server's own limit may be lower.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024

T = TypeVar("T")


@dataclass(frozen=True)
class ServerInfo:
    """What a server says about itself (GetInfo)."""

    version: str
    #: Its web app, as the server printed it ("http://127.0.0.1:8080/"); "" if none.
    web_url: str


def translate_error(exc: grpc.RpcError, uri: str) -> StreamvisError:
    """The StreamvisError that a failed call's status stands for."""
    code: grpc.StatusCode = exc.code()
    details: str = exc.details() or code.name
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return UnavailableError(
            f"cannot reach the streamvis server at {uri} ({details}): start it with "
            "`streamvis serve`, or point --uri / STREAMVIS_URI at a running one"
        )
    cls = ERRORS_BY_CODE.get(code.name, StreamvisError)
    return cls(details)


class Client(ExtraCalls):
    """One channel to one server. Thread-safe; close it (or use `with`) when done."""

    def __init__(
        self, uri: str | None = None, *, timeout: float = 30.0,
        options: Sequence[tuple[str, int | str]] = (), token: str | None = None,
        tls: bool | None = None, tls_ca: str | os.PathLike[str] | None = None,
    ) -> None:
        """`options` are extra gRPC channel options (e.g. the logger's reconnect backoff).

        `token` (else $STREAMVIS_TOKEN) authenticates every call; `tls=True` or a CA
        file `tls_ca` (else $STREAMVIS_TLS_CA) makes the channel TLS (connection.py).
        """
        self.uri = uri or default_uri()
        self.timeout = timeout
        self._channel, calls = open_channel(
            self.uri, token=token, tls=tls, tls_ca=tls_ca,
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                *options,
            ],
        )
        self.stub = pb_grpc.ServiceStub(calls)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: Callable[..., T], request: object, timeout: float | None = None) -> T:
        """Call a unary method of `self.stub`, translating errors."""
        try:
            return method(request, timeout=timeout or self.timeout)
        except grpc.RpcError as exc:
            raise translate_error(exc, self.uri) from None

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Block until the server answers, or raise UnavailableError."""
        try:
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise UnavailableError(
                f"no streamvis server answered at {self.uri} within {timeout:g} s: start it "
                "with `streamvis serve`"
            ) from None

    def info(self) -> ServerInfo:
        reply = self.call(self.stub.GetInfo, pb.GetInfoRequest())
        return ServerInfo(reply.version, reply.web_url)

    # -- fields and series ----------------------------------------------------

    def create_field(
        self, name: str, type: FieldType | str, description: str = "",
        options: FieldOptions | Mapping[str, Any] | None = None,
    ) -> Field:
        req = _field_request(NewField(name, type, description, options))
        return wire.field_from_pb(self.call(self.stub.CreateField, req))

    def create_fields(self, fields: Sequence[NewField]) -> list[Field]:
        """Create many fields, in the order given, in batches of MAX_FIELDS_PER_CREATE:
        each batch in one transaction, whole or not at all (ALREADY_EXISTS naming a
        taken name); a failed batch leaves the earlier ones created."""
        out: list[Field] = []
        for i in range(0, len(fields), MAX_FIELDS_PER_CREATE):
            req = pb.CreateFieldsRequest()
            req.fields.extend(_field_request(f) for f in fields[i:i + MAX_FIELDS_PER_CREATE])
            out += map(wire.field_from_pb, self.call(self.stub.CreateFields, req).fields)
        return out

    def update_field(
        self, target: str | uuid.UUID, *, new_name: str | None = None,
        description: str | None = None,
    ) -> Field:
        req = pb.UpdateFieldRequest()
        if isinstance(target, uuid.UUID):
            req.handle = str(target)
        else:
            req.name = target
        if new_name is not None:
            req.new_name = new_name
        if description is not None:
            req.description = description
        return wire.field_from_pb(self.call(self.stub.UpdateField, req))

    def fields(self) -> list[Field]:
        resp = self.call(self.stub.ListFields, pb.ListFieldsRequest())
        return [wire.field_from_pb(f) for f in resp.fields]

    def create_series(self, name: str, fields: Sequence[str], x: str | None = None) -> Series:
        """Declare series `name` of `fields`; `x`: the field it is drawn against (an int
        or float field of it; None: its first int field)."""
        req = pb.CreateSeriesRequest(name=name, fields=list(fields), x=x or "")
        return wire.series_from_pb(self.call(self.stub.CreateSeries, req))

    def series(self) -> list[Series]:
        resp = self.call(self.stub.ListSeries, pb.ListSeriesRequest())
        return [wire.series_from_pb(s) for s in resp.series]

    def delete_empty_series(self, name: str) -> None:
        self.call(self.stub.DeleteEmptySeries, pb.DeleteEmptySeriesRequest(name=name))

    def common_series(self, run_filter: RunFilter | None = None) -> list[Series]:
        req = pb.ListCommonSeriesRequest(filter=wire.filter_to_pb(run_filter or RunFilter()))
        return [wire.series_from_pb(s) for s in self.call(self.stub.ListCommonSeries, req).series]

    # -- runs -----------------------------------------------------------------

    def _run_request(
        self, handle: uuid.UUID | str | None, tags: Sequence[str],
        attributes: Mapping[str, Value] | None, started_at: float | None,
    ) -> pb.CreateRunRequest:
        req = pb.CreateRunRequest(
            handle=str(handle) if handle else "", tags=list(tags),
            attributes=wire.values_to_pb(attributes or {}),
        )
        if started_at is not None:
            req.started_at = started_at
        return req

    def create_run(
        self, handle: uuid.UUID | str | None = None, tags: Sequence[str] = (),
        attributes: Mapping[str, Value] | None = None, started_at: float | None = None,
    ) -> Run:
        req = self._run_request(handle, tags, attributes, started_at)
        return wire.run_from_pb(self.call(self.stub.CreateRun, req))

    def replace_run(
        self, handle: uuid.UUID | str, tags: Sequence[str] = (),
        attributes: Mapping[str, Value] | None = None, started_at: float | None = None,
    ) -> Run:
        req = self._run_request(handle, tags, attributes, started_at)
        return wire.run_from_pb(self.call(self.stub.ReplaceRun, req))

    def resume_run(
        self, handle: uuid.UUID | str, tags: Sequence[str] = (),
        attributes: Mapping[str, Value] | None = None, started_at: float | None = None,
    ) -> Run:
        """Keep the run with its rows, add `tags`, set `attributes`; create it if absent."""
        req = self._run_request(handle, tags, attributes, started_at)
        req.resume = True
        return wire.run_from_pb(self.call(self.stub.CreateRun, req))

    def delete_run(self, handle: uuid.UUID | str) -> None:
        self.call(self.stub.DeleteRun, pb.DeleteRunRequest(handle=str(handle)))

    def create_runs(self, runs: Sequence[NewRun]) -> list[Run]:
        """Create many runs, in the order given, in batches of MAX_RUNS_PER_CREATE: each
        batch is created whole or not at all (ALREADY_EXISTS if one of its handles is
        taken); a failed batch leaves the earlier ones created, and no later one."""
        batches = [runs[i:i + MAX_RUNS_PER_CREATE]
                   for i in range(0, len(runs), MAX_RUNS_PER_CREATE)]
        out: list[Run] = []
        if not batches:
            return out
        # While the server creates one batch, this side builds the next request and
        # decodes the previous reply (decision 0047); a batch is still sent only once
        # the one before it is created.
        in_flight = self.stub.CreateRuns.future(self._create_runs_request(batches[0]),
                                                timeout=self.timeout)
        for batch in batches[1:]:
            try:
                request = self._create_runs_request(batch)
            except BaseException:
                self._reply(in_flight)  # the batch before first: its failure, if any
                raise
            reply = self._reply(in_flight)
            in_flight = self.stub.CreateRuns.future(request, timeout=self.timeout)
            out += [wire.run_from_pb(r) for r in reply.runs]
        out += [wire.run_from_pb(r) for r in self._reply(in_flight).runs]
        return out

    @staticmethod
    def _create_runs_request(batch: Sequence[NewRun]) -> pb.CreateRunsRequest:
        req = pb.CreateRunsRequest()
        wire.add_new_runs(req.runs, batch)
        return req

    def _reply(self, future: grpc.Future[pb.CreateRunsResponse]) -> pb.CreateRunsResponse:
        """A CreateRuns future's reply, its failure translated as `call` does."""
        try:
            reply: pb.CreateRunsResponse = future.result()
        except grpc.RpcError as exc:
            raise translate_error(exc, self.uri) from None
        return reply

    def get_run(self, handle: str | uuid.UUID) -> Run:
        """The run whose handle is `handle` or starts with it (a unique prefix of at least
        MIN_HANDLE_PREFIX hex digits): NotFoundError if none, InvalidArgumentError
        naming the matches if more than one."""
        req = pb.GetRunRequest(handle=str(handle))
        return wire.run_from_pb(self.call(self.stub.GetRun, req))

    def resolve_run(self, handle: str | uuid.UUID) -> uuid.UUID:
        """The whole handle of a run given by its handle or a unique prefix (a whole
        handle is taken as it is, without asking the server)."""
        if isinstance(handle, uuid.UUID):
            return handle
        try:
            return uuid.UUID(handle)
        except ValueError:
            return self.get_run(handle).handle

    def runs_page(
        self, run_filter: RunFilter | None = None, after: str = "", limit: int = 1000,
    ) -> RunPage:
        """One page of matching runs, newest first: `limit` (at most MAX_RUNS_PER_PAGE)
        after the page whose `next` is `after`; the first page counts every match."""
        req = pb.ListRunsRequest(filter=wire.filter_to_pb(run_filter or RunFilter()),
                                 limit=limit, after=after)
        resp = self.call(self.stub.ListRuns, req)
        return RunPage([wire.run_from_pb(r) for r in resp.runs], resp.next,
                       resp.total if resp.HasField("total") else None)

    def runs(self, run_filter: RunFilter | None = None, limit: int = 0) -> list[Run]:
        """Matching runs, newest first, at most `limit` (0: all), fetched a page at a
        time so the server's memory stays bounded however many there are."""
        out: list[Run] = []
        after = ""
        while True:
            want = MAX_RUNS_PER_PAGE if not limit else min(MAX_RUNS_PER_PAGE, limit - len(out))
            page = self.runs_page(run_filter, after, want)
            out += page.runs
            after = page.next
            if not after or (limit and len(out) >= limit):
                return out

    def add_tag(self, handle: uuid.UUID | str, tag: str) -> Run:
        req = pb.RunTagRequest(handle=str(handle), tag=tag)
        return wire.run_from_pb(self.call(self.stub.AddRunTag, req))

    def remove_tag(self, handle: uuid.UUID | str, tag: str) -> Run:
        req = pb.RunTagRequest(handle=str(handle), tag=tag)
        return wire.run_from_pb(self.call(self.stub.DeleteRunTag, req))

    def tags(self, run_filter: RunFilter | None = None) -> list[tuple[str, int]]:
        req = pb.ListTagsRequest(filter=wire.filter_to_pb(run_filter or RunFilter()))
        return [(t.tag, t.count) for t in self.call(self.stub.ListTags, req).tags]

    def set_attributes(self, handle: uuid.UUID | str, attributes: Mapping[str, Value]) -> Run:
        req = pb.SetRunAttributesRequest(
            handle=str(handle), attributes=wire.values_to_pb(attributes)
        )
        return wire.run_from_pb(self.call(self.stub.SetRunAttributes, req))

    def attribute_values(
        self, run_filter: RunFilter | None = None, fields: Sequence[str] = ()
    ) -> dict[str, list[tuple[Value, int]]]:
        req = pb.ListAttributeValuesRequest(
            filter=wire.filter_to_pb(run_filter or RunFilter()), fields=list(fields)
        )
        resp = self.call(self.stub.ListAttributeValues, req)
        return {
            a.field: [(wire.value_from_pb(v.value), v.count) for v in a.values]
            for a in resp.attributes
        }

    def common_attributes(self, run_filter: RunFilter | None = None) -> list[Field]:
        req = pb.ListCommonAttributesRequest(filter=wire.filter_to_pb(run_filter or RunFilter()))
        resp = self.call(self.stub.ListCommonAttributes, req)
        return [wire.field_from_pb(f) for f in resp.fields]

    def started_at(self, run_filter: RunFilter | None = None) -> list[float]:
        req = pb.ListStartedAtRequest(filter=wire.filter_to_pb(run_filter or RunFilter()))
        return list(self.call(self.stub.ListStartedAt, req).started_at)


    # -- data -----------------------------------------------------------------

    def append(
        self, run: uuid.UUID | str, series: str,
        columns: Mapping[str, pa.Array | np.ndarray], idempotency_key: str | None = None,
    ) -> AppendResult:
        from streamvis import wire_columns  # noqa: PLC0415 - numpy, pyarrow: data calls only

        req = pb.AppendToSeriesRequest(
            run=str(run), series=series, idempotency_key=idempotency_key or "")
        wire_columns.add_columns(req.columns, columns.items())
        return self.append_request(req)

    def append_request(
        self, request: pb.AppendToSeriesRequest, timeout: float | None = None
    ) -> AppendResult:
        # The data's types load with the first data call, not in a client that lists
        # runs (tests/cli/test_startup.py): their dataclasses cost milliseconds to make.
        from streamvis.model.chunks import AppendResult  # noqa: PLC0415

        resp = self.call(self.stub.AppendToSeries, request, timeout)
        return AppendResult(sequence=resp.sequence, rows=resp.rows, duplicate=resp.duplicate)

    def query(
        self, series: str, run_filter: RunFilter | None = None, fields: Sequence[str] = (),
        attributes: Sequence[str] = (), after_sequence: int = 0, *, as_stored: bool = False,
    ) -> Iterator[Chunk]:
        """Stream the chunks of `series` for the matching runs, in sequence order; float
        columns as float64, or with `as_stored` at the width each chunk was stored at."""
        from streamvis import wire_columns  # noqa: PLC0415 - numpy, pyarrow: data calls only
        from streamvis.model.chunks import Chunk  # noqa: PLC0415 - see append_request

        req = pb.QueryRunDataRequest(
            filter=wire.filter_to_pb(run_filter or RunFilter()), series=series,
            fields=list(fields), attributes=list(attributes), after_sequence=after_sequence,
            as_stored=as_stored,
        )
        try:
            for msg in self.stub.QueryRunData(req):
                yield Chunk(
                    run=uuid.UUID(msg.run), sequence=msg.sequence,
                    batch=wire_columns.batch_from_pb(msg.columns),
                    attributes=wire.values_from_pb(msg.attributes),
                )
        except grpc.RpcError as exc:
            raise translate_error(exc, self.uri) from None

    def run_table(
        self, series: str, fields: Sequence[str] | None = None, attributes: Sequence[str] = (),
        run_filter: RunFilter | None = None,
    ) -> pa.Table:
        """One row per matching run with rows in `series`: the table of `POST /api/data`
        with "per_run", built by its rule (model/run_columns.py) from ListRuns and
        GetSummaries; the names as `column_names` reads them, all checked before any run
        is read (`Connection.run_table` documents them)."""
        from streamvis.model.run_columns import (  # noqa: PLC0415 - pyarrow: see test_startup
            build_run_table,
            column_names,
            run_column,
            summarized,
        )

        found = next((s for s in self.series() if s.name == series), None)
        if found is None:
            raise NotFoundError(
                f"no series named {series!r}: see `streamvis series` (or sv.series())")
        by_name = {f.name: f for f in self.fields()}
        columns = [run_column(name, found, by_name)
                   for name in column_names(found, by_name, fields, attributes)]
        run_filter = run_filter or RunFilter()
        summaries = self.summaries(run_filter, [series], summarized(columns))
        return build_run_table(columns, self.runs(run_filter), summaries)

    def watch(self, after_sequence: int | None = None) -> Iterator[ev.Event]:
        """Live events until the iterator is closed (or the server goes away)."""
        req = pb.WatchRequest()
        if after_sequence is not None:
            req.after_sequence = after_sequence
        call = self.stub.Watch(req)
        try:
            for msg in call:
                yield wire.event_from_pb(msg)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.CANCELLED:
                raise translate_error(exc, self.uri) from None
        finally:
            call.cancel()  # type: ignore[no-untyped-call]


def _field_request(new: NewField) -> pb.CreateFieldRequest:
    t = new.type if isinstance(new.type, FieldType) else FieldType.parse(new.type)
    opts = new.options if isinstance(new.options, FieldOptions) else \
        FieldOptions(**(new.options or {}))
    return pb.CreateFieldRequest(
        name=new.name, **wire.field_type_to_pb(t), description=new.description,
        options=wire.options_to_pb(opts),
    )
