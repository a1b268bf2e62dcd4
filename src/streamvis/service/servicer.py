"""The servicer of `streamvis.v1.Service`: check each request, call the store, reply.

Every unary RPC is a plain synchronous body (protobuf in, protobuf out) that runs on
a worker thread: the store blocks on disk and database I/O, and decoding a large
append is CPU work, so neither may hold up the event loop that serves every other
call. The two server-streaming RPCs live in `streams`.

Checks that need no stored state come first (`calls`); the store does the rest
and applies a request whole or not at all.
"""

# ruff: noqa: N802 - RPC methods carry the names the generated base class gives them

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from streamvis import wire, wire_columns
from streamvis._version import __version__
from streamvis.checks.plot_specs import (
    check_binding_types,
    check_plot_spec,
    spec_from_json,
    spec_json,
)
from streamvis.model.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
)
from streamvis.model.limits import DEFAULT_MAX_ARTIFACT_BYTES
from streamvis.model.schema import Field, Value, check_series_x, same_value, validate_name
from streamvis.service import calls, streams
from streamvis.service.artifacts import ArtifactRpcs
from streamvis.service.calls import Context, blocking
from streamvis.service.controls import ControlRpcs
from streamvis.service.leases import Leases
from streamvis.store.base import Store
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Message = TypeVar("Message")

#: Worker threads for unary calls. Stores serialize their writes themselves; more
#: threads than this would only queue on the store's locks and connections.
UNARY_WORKERS = 16
#: Worker threads for streaming queries, kept apart so that slow readers cannot
#: starve the unary calls of threads.
STREAM_WORKERS = 32


def _fields(fields: Sequence[Field]) -> pb.ListFieldsResponse:
    return pb.ListFieldsResponse(fields=[wire.field_to_pb(f) for f in fields])


def _saved(
    message: Callable[..., Message], spec: dict[str, Any], what: str = "plot spec",
) -> Message:
    """A saved plot spec or dashboard as its message (pb.Plot or pb.Dashboard)."""
    name = str(spec.get("name", ""))
    return message(name=name, spec_json=spec_json(spec, name, what))


def _writer(text: str) -> uuid.UUID | None:
    """A logger's writer id (leases.py); clients that name none hold no lease."""
    return calls.handle(text, "writer") if text else None


def _board(board: dict[str, Any]) -> pb.Dashboard:
    return _saved(pb.Dashboard, board, "dashboard")


class Servicer(ArtifactRpcs, ControlRpcs, pb_grpc.ServiceServicer):
    """Answers every RPC of streamvis.v1.Service from one store."""

    def __init__(self, store: Store, *, watch_buffer: int = streams.WATCH_BUFFER) -> None:
        self.store = store
        #: Which loggers write which runs: ReplaceRun refuses a run another one holds.
        self.leases = Leases()
        self.executor = ThreadPoolExecutor(UNARY_WORKERS, thread_name_prefix="streamvis-rpc")
        self.stream_executor = ThreadPoolExecutor(
            STREAM_WORKERS, thread_name_prefix="streamvis-stream"
        )
        self.watchers = streams.Watchers(store, self.executor, buffer=watch_buffer)
        #: Where this process's web app is (GetInfo); set by whoever starts one beside.
        self.web_url = ""
        #: A read-only server's: SetRunAttributes adds attributes but changes none.
        self.read_only = False
        #: The largest artifact BeginUpload accepts (streamvis serve --max-artifact-mb).
        self.max_artifact_bytes = DEFAULT_MAX_ARTIFACT_BYTES

    def close(self) -> None:
        """End open Watch streams now, rather than after the shutdown grace period."""
        self.watchers.close()

    def join(self) -> None:
        """Wait for the worker threads to finish (after the server stopped)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.stream_executor.shutdown(wait=True, cancel_futures=True)

    # -- fields ---------------------------------------------------------------

    @blocking
    def CreateField(self, request: pb.CreateFieldRequest) -> pb.Field:
        return wire.field_to_pb(self.store.create_fields([calls.new_field(request)])[0])

    @blocking
    def CreateFields(self, request: pb.CreateFieldsRequest) -> pb.CreateFieldsResponse:
        fields = self.store.create_fields(calls.new_fields(request))
        return pb.CreateFieldsResponse(fields=[wire.field_to_pb(f) for f in fields])

    @blocking
    def UpdateField(self, request: pb.UpdateFieldRequest) -> pb.Field:
        target: str | uuid.UUID
        kind = request.WhichOneof("target")
        if kind == "name":
            target = validate_name("field", request.name)
        elif kind == "handle":
            target = calls.handle(request.handle, "field")
        else:
            raise InvalidArgumentError("UpdateField names no field: give its name or handle")
        new_name = (
            validate_name("field", request.new_name) if request.HasField("new_name") else None
        )
        description = request.description if request.HasField("description") else None
        field = self.store.update_field(target, new_name=new_name, description=description)
        return wire.field_to_pb(field)

    @blocking
    def ListFields(self, request: pb.ListFieldsRequest) -> pb.ListFieldsResponse:  # noqa: ARG002
        return _fields(self.store.list_fields())

    # -- series ---------------------------------------------------------------

    @blocking
    def CreateSeries(self, request: pb.CreateSeriesRequest) -> pb.Series:
        name = validate_name("series", request.name)
        fields = calls.series_fields(name, calls.names("field", request.fields))
        if not fields:
            raise InvalidArgumentError(f"series {name!r} has no fields: give at least one")
        x = check_series_x(name, fields, request.x)
        return wire.series_to_pb(self.store.create_series(name, fields, x))

    @blocking
    def ListSeries(self, request: pb.ListSeriesRequest) -> pb.ListSeriesResponse:  # noqa: ARG002
        series = self.store.list_series()
        return pb.ListSeriesResponse(series=[wire.series_to_pb(s) for s in series])

    @blocking
    def DeleteEmptySeries(
        self, request: pb.DeleteEmptySeriesRequest
    ) -> pb.DeleteEmptySeriesResponse:
        self.store.delete_empty_series(validate_name("series", request.name))
        return pb.DeleteEmptySeriesResponse()

    @blocking
    def ListCommonSeries(self, request: pb.ListCommonSeriesRequest) -> pb.ListSeriesResponse:
        series = self.store.list_common_series(wire.filter_from_pb(request.filter))
        return pb.ListSeriesResponse(series=[wire.series_to_pb(s) for s in series])

    # -- runs -----------------------------------------------------------------

    @blocking
    def CreateRun(self, request: pb.CreateRunRequest) -> pb.Run:
        if request.resume and not request.handle:
            raise InvalidArgumentError(
                "CreateRun with resume needs the handle of the run to resume: give its UUID"
            )
        handle = calls.handle(request.handle) if request.handle else uuid.uuid4()
        # resume: keep an existing run and add to it; else ALREADY_EXISTS if there is one.
        writer = _writer(request.writer)
        tags = calls.names("tag", request.tags)
        attributes = calls.attributes(request.attributes)
        if request.resume and self.read_only:
            self._check_resume_changes_nothing(handle, tags, attributes)
        make = self.store.resume_run if request.resume else self.store.create_run
        run = make(handle, tags, attributes, calls.started_at(request))
        self.leases.renew(handle, writer)
        return wire.run_to_pb(run)

    def _check_resume_changes_nothing(
        self, handle: uuid.UUID, tags: Sequence[str], attributes: Mapping[str, Value]
    ) -> None:
        """On a read-only server a resume may add rows to a run, never tags or a changed
        attribute (as AddRunTag and SetRunAttributes are refused there)."""
        try:
            run = self.store.get_run(handle)
        except NotFoundError:
            return  # a new run: creating it is what a read-only server takes
        new_tags = sorted(set(tags) - set(run.tags))
        changed = sorted(
            name for name, value in attributes.items()
            if name in run.attributes and not same_value(run.attributes[name], value)
        )
        if new_tags or changed:
            what = ", ".join([*(f"tag {t!r}" for t in new_tags),
                              *(f"attribute {a!r}" for a in changed)])
            raise PermissionDeniedError(
                f"resuming run {handle} would add or change {what}, and this server is "
                "read-only (started with --read-only): resume it with the tags and "
                "attributes it has, or through a server started without it"
            )

    @blocking
    def ReplaceRun(self, request: pb.CreateRunRequest) -> pb.Run:
        if not request.handle:
            raise InvalidArgumentError(
                "ReplaceRun needs the handle of the run to replace: give its UUID"
            )
        handle, writer = calls.handle(request.handle), _writer(request.writer)
        self.leases.check_replace(handle, writer)
        run = self.store.replace_run(
            handle, calls.names("tag", request.tags),
            calls.attributes(request.attributes), calls.started_at(request),
        )
        self.leases.renew(handle, writer)
        return wire.run_to_pb(run)

    @blocking
    def ReleaseRun(self, request: pb.ReleaseRunRequest) -> pb.ReleaseRunResponse:
        handle = calls.handle(request.handle)
        self.leases.release(handle, calls.handle(request.writer, "writer"))
        return pb.ReleaseRunResponse()

    @blocking
    def DeleteRun(self, request: pb.DeleteRunRequest) -> pb.DeleteRunResponse:
        handle = calls.handle(request.handle)
        self.store.delete_run(handle)
        self.leases.forget(handle)
        return pb.DeleteRunResponse()

    @blocking
    def CreateRuns(self, request: pb.CreateRunsRequest) -> pb.CreateRunsResponse:
        runs = self.store.create_runs(calls.new_runs(request))
        out = pb.CreateRunsResponse()
        wire.add_runs(out.runs, runs)
        return out

    @blocking
    def GetRun(self, request: pb.GetRunRequest) -> pb.Run:
        return wire.run_to_pb(self.store.get_run(self.store.resolve_run_handle(request.handle)))

    @blocking
    def ListRuns(self, request: pb.ListRunsRequest) -> pb.ListRunsResponse:
        return calls.list_runs(self.store, request)

    @blocking
    def AddRunTag(self, request: pb.RunTagRequest) -> pb.Run:
        tag = validate_name("tag", request.tag)
        return wire.run_to_pb(self.store.add_run_tag(calls.handle(request.handle), tag))

    @blocking
    def DeleteRunTag(self, request: pb.RunTagRequest) -> pb.Run:
        tag = validate_name("tag", request.tag)
        return wire.run_to_pb(self.store.delete_run_tag(calls.handle(request.handle), tag))

    @blocking
    def ListTags(self, request: pb.ListTagsRequest) -> pb.ListTagsResponse:
        tags = self.store.list_tags(wire.filter_from_pb(request.filter))
        return pb.ListTagsResponse(tags=[pb.TagCount(tag=t, count=n) for t, n in tags])

    @blocking
    def SetRunAttributes(self, request: pb.SetRunAttributesRequest) -> pb.Run:
        handle = calls.handle(request.handle)
        attributes = calls.attributes(request.attributes)
        if not self.read_only:
            return wire.run_to_pb(self.store.set_run_attributes(handle, attributes))
        try:
            run = self.store.set_run_attributes(handle, attributes, keep_existing=True)
        except AlreadyExistsError as exc:
            raise PermissionDeniedError(
                f"SetRunAttributes is refused: {exc}, and this server is read-only (started "
                "with --read-only): it adds attributes but changes none; change them "
                "through a server started without it"
            ) from None
        return wire.run_to_pb(run)

    @blocking
    def ListAttributeValues(
        self, request: pb.ListAttributeValuesRequest
    ) -> pb.ListAttributeValuesResponse:
        values = self.store.list_attribute_values(
            wire.filter_from_pb(request.filter), calls.names("field", request.fields)
        )
        return pb.ListAttributeValuesResponse(attributes=[
            pb.AttributeValues(field=name, values=[
                pb.ValueCount(value=wire.value_to_pb(v), count=n) for v, n in counts
            ])
            for name, counts in values.items()
        ])

    @blocking
    def ListCommonAttributes(
        self, request: pb.ListCommonAttributesRequest
    ) -> pb.ListFieldsResponse:
        return _fields(self.store.list_common_attributes(wire.filter_from_pb(request.filter)))

    @blocking
    def ListStartedAt(self, request: pb.ListStartedAtRequest) -> pb.ListStartedAtResponse:
        times = self.store.list_started_at(wire.filter_from_pb(request.filter))
        return pb.ListStartedAtResponse(started_at=times)

    # -- data -----------------------------------------------------------------

    @blocking
    def AppendToSeries(self, request: pb.AppendToSeriesRequest) -> pb.AppendToSeriesResponse:
        run, writer = calls.handle(request.run), _writer(request.writer)
        series = validate_name("series", request.series)
        columns = calls.append_columns(wire_columns.columns_from_pb(request.columns))
        result = self.store.append(run, series, columns, request.idempotency_key or None)
        self.leases.renew(run, writer)
        return pb.AppendToSeriesResponse(
            sequence=result.sequence, rows=result.rows, duplicate=result.duplicate
        )

    # -- saved plots and dashboards (store/saved.py) -----------------------------

    @blocking
    def SavePlot(self, request: pb.SavePlotRequest) -> pb.Plot:
        name = validate_name("plot", request.name)
        spec = check_plot_spec(spec_from_json(request.spec_json, name), name)
        check_binding_types(spec, self.store.list_fields())
        self.store.save_plot(name, spec)
        return _saved(pb.Plot, spec)

    @blocking
    def GetPlot(self, request: pb.GetPlotRequest) -> pb.Plot:
        return _saved(pb.Plot, self.store.get_plot(validate_name("plot", request.name)))

    @blocking
    def ListPlots(self, request: pb.ListPlotsRequest) -> pb.ListPlotsResponse:  # noqa: ARG002
        return pb.ListPlotsResponse(plots=[_saved(pb.Plot, s) for s in self.store.list_plots()])

    @blocking
    def DeletePlot(self, request: pb.DeletePlotRequest) -> pb.Plot:
        return _saved(pb.Plot, self.store.delete_plot(validate_name("plot", request.name)))

    @blocking
    def SaveDashboard(self, request: pb.SaveDashboardRequest) -> pb.Dashboard:
        # The store checks a dashboard (plot_specs.check_dashboard), whichever way it came.
        name = validate_name("dashboard", request.name)
        board = spec_from_json(request.spec_json, name, "dashboard")
        return _board(self.store.save_dashboard(name, board))  # type: ignore[arg-type]

    @blocking
    def GetDashboard(self, request: pb.GetDashboardRequest) -> pb.Dashboard:
        return _board(self.store.get_dashboard(validate_name("dashboard", request.name)))

    @blocking
    def ListDashboards(
        self, request: pb.ListDashboardsRequest,  # noqa: ARG002
    ) -> pb.ListDashboardsResponse:
        return pb.ListDashboardsResponse(
            dashboards=[_board(b) for b in self.store.list_dashboards()]
        )

    @blocking
    def DeleteDashboard(self, request: pb.DeleteDashboardRequest) -> pb.Dashboard:
        return _board(self.store.delete_dashboard(validate_name("dashboard", request.name)))

    # -- the server --------------------------------------------------------------

    @blocking
    def GetInfo(self, request: pb.GetInfoRequest) -> pb.ServerInfo:  # noqa: ARG002
        return pb.ServerInfo(version=__version__, web_url=self.web_url)

    # grpc.aio streams a handler's replies only if it is an async generator function
    # itself, so these two cannot simply return the generators they delegate to. The
    # inner generator is closed at once when the call ends (aclosing), not when it is
    # collected, since closing it stops a worker thread or ends a subscription.

    async def QueryRunData(
        self, request: pb.QueryRunDataRequest, context: Context
    ) -> AsyncGenerator[pb.QueryRunDataResponse, None]:
        replies = streams.query_run_data(self.store, self.stream_executor, request, context)
        async with contextlib.aclosing(replies):
            async for reply in replies:
                yield reply

    async def Watch(
        self, request: pb.WatchRequest, context: Context
    ) -> AsyncGenerator[pb.Event, None]:
        async with contextlib.aclosing(self.watchers.watch(request, context)) as events:
            async for event in events:
                yield event
