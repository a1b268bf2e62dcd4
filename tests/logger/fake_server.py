"""An in-process fake of the streamvis service, for the logger's unit tests.

It keeps everything in memory, checks appends the way the real service does (typed,
rectangular, idempotency keys), and can be told to fail: `fail_next` answers
UNAVAILABLE without doing anything, `lose_ack_next` applies a request and then answers
UNAVAILABLE, as a server that dies before its reply would, and `refuse` answers the
next appends with the statuses it lists (first to last), storing nothing. Tests that the issue says
need a real server use tests/logger/server.py instead.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
import pyarrow as pa

from streamvis import wire, wire_columns
from streamvis.model.errors import StreamvisError
from streamvis.model.schema import Field, FieldType, Series, validate_columns
from streamvis.model.wallclock import TIME
from streamvis.service.leases import Leases
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc


def _writer(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


class FakeService(pb_grpc.ServiceServicer):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.leases = Leases()  # the real service's rule: no replace under a live logger
        self.fields: dict[str, Field] = {}
        self.times: list[pa.Array | None] = []  # each append's `_time` column, as sent
        self.series: dict[str, Series] = {}
        self.runs: dict[str, pb.Run] = {}
        self.chunks: list[tuple[str, str, pa.RecordBatch]] = []
        self.keys: set[str] = set()
        self.calls: list[str] = []
        self.fail_next = 0
        self.lose_ack_next = 0
        #: (status, message) for the next appends, one each, before any is stored.
        self.refuse: list[tuple[grpc.StatusCode, str]] = []
        #: Seconds each append takes (a server that cannot keep up), and a hook called as
        #: each append arrives (to look at the logger while its flusher waits on us).
        self.append_delay = 0.0
        self.on_append: Callable[[], None] | None = None

    def _gate(self, name: str, context: Any) -> None:
        self.calls.append(name)
        if self.fail_next:
            self.fail_next -= 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "injected failure")

    def _ack(self, context: Any) -> None:
        if self.lose_ack_next:
            self.lose_ack_next -= 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "injected lost acknowledgement")

    def _error(self, context: Any, exc: StreamvisError) -> None:
        context.abort(getattr(grpc.StatusCode, exc.code), str(exc))

    def CreateField(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("CreateField", context)
        with self.lock:
            if request.name in self.fields:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, "field exists")
            ftype = wire.field_type_from_pb(request.type, request.type_name)
            f = Field(uuid.uuid4(), request.name, ftype, request.description)
            self.fields[f.name] = f
            return wire.field_to_pb(f)

    def UpdateField(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("UpdateField", context)
        return wire.field_to_pb(self.fields[request.name])

    def ListFields(self, request: Any, context: Any) -> Any:  # noqa: N802, ARG002
        self._gate("ListFields", context)
        return pb.ListFieldsResponse(fields=[wire.field_to_pb(f) for f in self.fields.values()])

    def CreateSeries(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("CreateSeries", context)
        with self.lock:
            if request.name in self.series:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, "series exists")
            s = Series(request.name, tuple(request.fields))
            self.series[s.name] = s
            return wire.series_to_pb(s)

    def ListSeries(self, request: Any, context: Any) -> Any:  # noqa: N802, ARG002
        self._gate("ListSeries", context)
        return pb.ListSeriesResponse(series=[wire.series_to_pb(s) for s in self.series.values()])

    def _make_run(self, request: Any) -> pb.Run:
        run = pb.Run(handle=request.handle, started_at=request.started_at or time.time(),
                     tags=sorted(set(request.tags)))
        for k, v in request.attributes.items():
            run.attributes[k].CopyFrom(v)
        self.runs[request.handle] = run
        return run

    def CreateRun(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("CreateRun", context)
        with self.lock:
            if request.handle in self.runs:
                if not request.resume:
                    context.abort(grpc.StatusCode.ALREADY_EXISTS, "run exists")
                run = self.runs[request.handle]
                run.tags[:] = sorted({*run.tags, *request.tags})
                for k, v in request.attributes.items():
                    run.attributes[k].CopyFrom(v)
                self.leases.renew(uuid.UUID(request.handle), _writer(request.writer))
                self._ack(context)
                return run
            run = self._make_run(request)
        self.leases.renew(uuid.UUID(request.handle), _writer(request.writer))
        self._ack(context)
        return run

    def ReplaceRun(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("ReplaceRun", context)
        handle, writer = uuid.UUID(request.handle), _writer(request.writer)
        try:
            self.leases.check_replace(handle, writer)
        except StreamvisError as exc:
            self._error(context, exc)
        with self.lock:
            self.chunks = [c for c in self.chunks if c[0] != request.handle]
            self.leases.renew(handle, writer)
            return self._make_run(request)

    def ReleaseRun(self, request: Any, context: Any) -> Any:  # noqa: N802, ARG002
        # Not in `calls`, which lists the ordered operations: a release follows them all.
        self.leases.release(uuid.UUID(request.handle), uuid.UUID(request.writer))
        return pb.ReleaseRunResponse()

    def AddRunTag(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("AddRunTag", context)
        with self.lock:
            run = self.runs[request.handle]
            tags = sorted({*run.tags, request.tag})
            del run.tags[:]
            run.tags.extend(tags)
            return run

    def SetRunAttributes(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("SetRunAttributes", context)
        with self.lock:
            run = self.runs.get(request.handle)
            if run is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "no such run")
                raise AssertionError  # abort raises; this tells the type checker
            for k, v in request.attributes.items():
                f = self.fields.get(k)
                if f is None:
                    context.abort(grpc.StatusCode.NOT_FOUND, f"no field {k!r}")
                run.attributes[k].CopyFrom(v)
            return run

    def AppendToSeries(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("AppendToSeries", context)
        if self.on_append is not None:
            self.on_append()
        if self.append_delay:
            time.sleep(self.append_delay)
        with self.lock:
            if self.refuse:
                code, message = self.refuse.pop(0)
                context.abort(code, message)
            if request.idempotency_key in self.keys:
                return pb.AppendToSeriesResponse(sequence=1, rows=0, duplicate=True)
            if request.run not in self.runs:
                context.abort(grpc.StatusCode.NOT_FOUND, f"no run {request.run}")
            s = self.series.get(request.series)
            if s is None:
                context.abort(grpc.StatusCode.NOT_FOUND, f"no series {request.series!r}")
                raise AssertionError
            try:
                columns = wire_columns.columns_from_pb(request.columns)
                # Like the store: the logger's per-row times ride beside the fields.
                when = columns.pop(TIME, None)
                batch = validate_columns(s, self.fields, columns)
            except StreamvisError as exc:
                self._error(context, exc)
            self.keys.add(request.idempotency_key)
            self.chunks.append((request.run, request.series, batch))
            self.times.append(when)
            self.leases.renew(uuid.UUID(request.run), _writer(request.writer))
        self._ack(context)
        return pb.AppendToSeriesResponse(sequence=len(self.chunks), rows=batch.num_rows)

    def ListRuns(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("ListRuns", context)
        f = request.filter
        runs = [
            r for r in self.runs.values()
            if (not f.handles or r.handle in f.handles) and set(f.tags_all) <= set(r.tags)
        ]
        return pb.ListRunsResponse(runs=runs)

    def QueryRunData(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._gate("QueryRunData", context)
        handles = set(request.filter.handles)
        for i, (run, series, batch) in enumerate(list(self.chunks)):
            if series == request.series and (not handles or run in handles):
                yield pb.QueryRunDataResponse(
                    run=run, sequence=i + 1, rows=batch.num_rows,
                    columns=wire_columns.batch_to_pb(batch),
                )

    def rows(self, run: uuid.UUID | str, series: str) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for r, s, batch in self.chunks:
            if r == str(run) and s == series:
                for name in batch.schema.names:
                    out.setdefault(name, []).extend(batch.column(name).to_pylist())
        return out


class FakeServer:
    def __init__(self) -> None:
        self.service = FakeService()  # type: ignore[abstract]
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pb_grpc.add_ServiceServicer_to_server(self.service, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.uri = f"127.0.0.1:{self.port}"
        self.server.start()

    def declare(self, fields: dict[str, str], series: dict[str, list[str]]) -> None:
        for name, t in fields.items():
            f = Field(uuid.uuid4(), name, FieldType(t))
            self.service.fields[name] = f
        for name, names in series.items():
            self.service.series[name] = Series(name, tuple(names))

    def close(self) -> None:
        self.server.stop(None).wait()
