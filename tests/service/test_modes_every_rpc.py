"""`serve --read-only` and `--no-ingest` against every RPC of service.proto.

The RPCs come from the proto's service descriptor, so one added later is covered
without editing this file: unless it is a read (its name says so: List, Get, Query,
Watch) or one of what a logger sends to log a new run, a read-only server must refuse it
and change nothing. The requests aim at what exists: a run with 1,000 rows, a tag and an
attribute, a field, a series, a plot, a dashboard.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from streamvis.client import Client
from streamvis.logger import DataLogger
from streamvis.model.errors import PermissionDeniedError
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb
from streamvis.v1 import service_pb2_grpc as pb_grpc

RUN = "00000000-0000-0000-0000-0000000000aa"
ROWS = 1_000
METHODS = pb.DESCRIPTOR.services_by_name["Service"].methods
READ_PREFIXES = ("List", "Get", "Query", "Watch")
#: What a logger sends to log a new run: a read-only server takes these.
ADDS = {
    "CreateField", "CreateFields", "CreateSeries", "CreateRun", "AppendToSeries",
    "SetRunAttributes",
    "ReleaseRun",  # a stopping logger ends its writer lease; it changes no data
    # A logger's artifacts: a read-only server adds them but replaces none (servicer).
    "BeginUpload", "PutBlobPart", "SaveArtifact",
    "FinishUpload",  # a logger's media values: a blob made whole, nothing replaced
    "DeclareControls",  # a logger's controls; setting one (SetControl) is a change
}
#: Everything a logger sends (logger/delivery.py): a no-ingest server refuses these.
LOGGER_SENDS = ADDS | {"ReplaceRun", "AddRunTag"}
PLOT = {"kind": "line", "datasets": [{"series": "s", "bindings": {"x": "x", "y": "x"}}]}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    location = str(tmp_path_factory.mktemp("every-rpc"))
    with ServerProcess(location) as server, Client(server.uri) as client:
        client.create_field("x", "float")
        client.create_series("s", ["x"])
        client.create_run(RUN, tags=["keep"], attributes={"x": 0.5})
        client.append(RUN, "s", {"x": np.arange(float(ROWS))})
        client.save_plot("p", PLOT)
        client.save_dashboard("d", {"layout": "rows=p", "plots": ["p"]})
    return location


def _serve(location: str, *flags: str) -> Iterator[tuple[ServerProcess, Client]]:
    with ServerProcess(location, extra_args=list(flags)) as server, \
            Client(server.uri) as client:
        yield server, client


@pytest.fixture(scope="module")
def read_only(seeded: str) -> Iterator[tuple[ServerProcess, Client]]:
    yield from _serve(seeded, "--read-only")


@pytest.fixture(scope="module")
def no_ingest(seeded: str) -> Iterator[tuple[ServerProcess, Client]]:
    yield from _serve(seeded, "--no-ingest")


def snapshot(client: Client) -> tuple[Any, ...]:
    """Everything the seeded store holds, as the service reads it back."""
    rows = [(str(c.run), c.batch.to_pydict()) for c in client.query("s")]
    return (
        sorted((str(r.handle), r.tags, sorted(r.attributes.items())) for r in client.runs()),
        [(f.name, f.type, f.description) for f in client.fields()],
        [(s.name, s.fields) for s in client.series()],
        client.plots(), client.dashboards(), rows,
    )


def request_for(method: Any) -> Any:
    """A request of `method` aimed at what the seeded store holds."""
    message = getattr(pb, method.input_type.name)()
    names = {"Plot": "p", "Dashboard": "d", "Series": "s", "Field": "x"}
    for field in method.input_type.fields:
        if field.name in {"handle", "run"}:
            setattr(message, field.name, RUN)
        elif field.name == "tag":
            message.tag = "keep" if method.name.startswith("Delete") else "added"
        elif field.name == "series":
            message.series = "s"
        elif field.name == "name":
            message.name = next((v for k, v in names.items() if k in method.name), "p")
        elif field.name == "spec_json":
            message.spec_json = ('{"layout": "cols=p", "plots": ["p"]}'
                                 if "Dashboard" in method.name else
                                 '{"kind": "scatter", "datasets": [{"series": "s", '
                                 '"bindings": {"x": "x", "y": "x"}}]}')
        elif field.name == "description":
            message.description = "changed"
        elif field.name == "attributes" and method.name == "SetRunAttributes":
            message.attributes["x"].float_value = 9.0
    return message


def call(server: ServerProcess, method: Any) -> grpc.RpcError | None:
    """Call `method` with request_for(method); the error it ended with, if any."""
    with grpc.insecure_channel(server.uri) as channel:
        rpc = getattr(pb_grpc.ServiceStub(channel), method.name)
        try:
            reply = rpc(request_for(method), timeout=10)
            if method.server_streaming:
                list(reply)
        except grpc.RpcError as exc:
            return exc
    return None


def changes() -> list[str]:
    return [m.name for m in METHODS if not m.name.startswith(READ_PREFIXES)
            and m.name not in ADDS]


@pytest.mark.parametrize("name", changes())
def test_read_only_refuses_every_change_and_keeps_the_store(
    read_only: tuple[ServerProcess, Client], name: str,
) -> None:
    server, client = read_only
    before = snapshot(client)
    error = call(server, pb.DESCRIPTOR.services_by_name["Service"].methods_by_name[name])
    assert error is not None, f"{name} was taken by a read-only server"
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED, (name, error)
    assert "read-only" in (error.details() or "")
    assert snapshot(client) == before


def test_read_only_keeps_an_existing_runs_attributes(
    read_only: tuple[ServerProcess, Client],
) -> None:
    _, client = read_only
    before = snapshot(client)
    with pytest.raises(PermissionDeniedError, match="read-only"):
        client.set_attributes(RUN, {"x": 9.0})
    client.set_attributes(RUN, {"x": 0.5})  # the same value again changes nothing
    assert snapshot(client) == before


def test_a_logger_logs_a_new_run_to_a_read_only_server(
    read_only: tuple[ServerProcess, Client], tmp_path: Path,
) -> None:
    server, client = read_only
    before = snapshot(client)
    with DataLogger(server.uri, tags=["new"], attributes={"x": 2.0},
                    spool_dir=str(tmp_path), strict=True) as logger:
        for step in range(50):
            logger.write("s", x=np.full(10, float(step)))
        handle = logger.run_handle
    [run] = [r for r in client.runs() if r.handle == handle]
    assert run.tags == ("new",) and run.attributes == {"x": 2.0}
    rows = sum(c.batch.num_rows for c in client.query("s") if c.run == handle)
    assert rows == 500
    # A new field and series; reads of what was there still answer as before.
    client.create_field(f"f{uuid.uuid4().hex[:8]}", "int")
    after = snapshot(client)
    assert [r for r in after[0] if r[0] == RUN] == [r for r in before[0] if r[0] == RUN]
    assert [r for r in after[5] if r[0] == RUN] == [r for r in before[5] if r[0] == RUN]
    assert after[3:5] == before[3:5]


@pytest.mark.parametrize("name", sorted(LOGGER_SENDS))
def test_no_ingest_refuses_what_loggers_send(
    no_ingest: tuple[ServerProcess, Client], name: str,
) -> None:
    server, client = no_ingest
    before = snapshot(client)
    error = call(server, pb.DESCRIPTOR.services_by_name["Service"].methods_by_name[name])
    assert error is not None and error.code() is grpc.StatusCode.PERMISSION_DENIED, name
    assert "--no-ingest" in (error.details() or "")
    assert snapshot(client) == before


def test_read_only_resumes_a_run_only_as_it_is(read_only):
    """Resuming adds rows; on a read-only server it may not add a tag or change an
    attribute of the run (as AddRunTag and SetRunAttributes may not)."""
    _, client = read_only
    before = snapshot(client)
    with pytest.raises(PermissionDeniedError, match="would add or change tag 'new'"):
        client.resume_run(RUN, tags=["new"])
    with pytest.raises(PermissionDeniedError, match=r"attribute 'x'.*read-only"):
        client.resume_run(RUN, tags=["keep"], attributes={"x": 0.75})
    assert snapshot(client) == before
    resumed = client.resume_run(RUN, tags=["keep"], attributes={"x": 0.5})
    assert resumed.tags == ("keep",)
    assert snapshot(client) == before
    fresh = uuid.uuid4()
    assert client.resume_run(fresh, tags=["new"]).tags == ("new",)  # absent: created
