"""The server around the servicer: health, reflection, limits, start-up and shutdown."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import grpc
import numpy as np
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.errors import ResourceExhaustedError, UnavailableError
from streamvis.service.servicer import Servicer
from streamvis.store import open_store
from streamvis.store.base import Store
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb


@pytest.mark.parametrize("service", ["", "streamvis.v1.Service"])
def test_health_check_reports_serving(server: ServerProcess, service: str):
    with grpc.insecure_channel(server.uri) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=10
        )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_describes_the_service(server: ServerProcess):
    with grpc.insecure_channel(server.uri) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert "streamvis.v1.Service" in database.get_services()
        service = DescriptorPool(database).FindServiceByName("streamvis.v1.Service")
        methods = {m.name for m in service.methods}
    assert methods == set(pb.DESCRIPTOR.services_by_name["Service"].methods_by_name)


def test_a_taken_port_is_refused_with_one_clear_line(server: ServerProcess, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "streamvis", "serve", "--data-dir", str(tmp_path),
         "--grpc-port", str(server.port), "--http-port", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.startswith("streamvis")]
    assert len(lines) == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{server.port}" in lines[0]
    assert "--grpc-port" in lines[0]


def test_limits_and_a_graceful_stop(fresh_location: str, watch):
    """Over-limit requests are refused; SIGTERM ends watches with where to resume."""
    proc = ServerProcess(fresh_location, max_request_mb=1).start()
    try:
        assert len(proc.output) == 2  # the gRPC line, then the web app's
        assert re.fullmatch(
            rf"streamvis: gRPC listening on 127\.0\.0\.1:{proc.port} \(store: .+\)",
            proc.output[0],
        )
        with Client(proc.uri) as client:
            client.create_field("x", "float")
            client.create_series("s", ["x"])
            run = client.create_run().handle
            with pytest.raises(ResourceExhaustedError) as info:
                client.append(run, "s", {"x": np.ones(200_000)})  # 1.6 MB
            assert str(1024 * 1024) in str(info.value)
            fits = client.append(run, "s", {"x": np.ones(100_000)})
            assert [c.sequence for c in client.query("s")] == [fits.sequence]

            stream = watch(client)
            code = proc.stop()
            error = stream.ended()
    finally:
        proc.kill()
    assert code == 0, proc.stderr()
    assert error is not None
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert f"after_sequence={fits.sequence}" in (error.details() or "")
    assert len(proc.output) == 2  # the two listening lines, nothing else on stdout


# -- in-process: what a real server cannot be made to do on demand -------------


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    with open_store(str(tmp_path)) as store:
        yield store


def test_a_bug_is_logged_and_answered_with_internal(
    serving,
    sqlite_store: Store, monkeypatch, caplog
):
    def broken() -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(sqlite_store, "list_fields", broken)
    caplog.set_level(logging.ERROR, "streamvis.service")
    with serving(sqlite_store, Servicer(sqlite_store)) as (uri, _), Client(uri) as client:
        with pytest.raises(grpc.RpcError) as info:
            client.stub.ListFields(pb.ListFieldsRequest(), timeout=10)
        assert info.value.code() == grpc.StatusCode.INTERNAL
        assert "ZeroDivisionError" in (info.value.details() or "")
        assert "a bug" not in (info.value.details() or "")  # details stay in the log
        assert client.create_field("still", "int").name == "still"
    assert "ListFields failed" in caplog.text
    assert "ZeroDivisionError: a bug" in caplog.text


def test_a_watcher_that_falls_behind_is_ended_with_resource_exhausted(
    serving,
    sqlite_store: Store, watch
):
    servicer = Servicer(sqlite_store, watch_buffer=5)
    with serving(sqlite_store, servicer) as (uri, loop), Client(uri) as client:
        stream = watch(client)

        # Published on the event loop in one go: the watcher cannot take any of
        # them before the sixth one overflows its buffer.
        def burst() -> None:
            for seq in range(1, 9):
                sqlite_store.events.publish(ev.SeriesDeleted(f"s{seq}"))

        loop.call_soon_threadsafe(burst)
        error = stream.ended()
        got = [stream.next(1) for _ in range(stream.events.qsize())]
    assert error is not None
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    details = error.details() or ""
    assert "fell more than 5 events behind" in details
    assert "after_sequence=0" in details
    assert got == [ev.SeriesDeleted(f"s{k}") for k in range(1, 6)]


def test_watch_is_refused_while_the_server_stops(sqlite_store: Store, serving):
    servicer = Servicer(sqlite_store)
    with serving(sqlite_store, servicer) as (uri, _), Client(uri) as client:
        servicer.close()
        with pytest.raises(UnavailableError, match="shutting down"):
            list(client.watch())
