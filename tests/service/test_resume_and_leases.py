"""Resuming a run, and the leases that keep a replace off a run a logger is writing."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.schema import RunFilter
from streamvis.service.leases import Leases
from streamvis.v1 import service_pb2 as pb


def _series(client: Client, unique) -> tuple[str, str]:
    x = unique("x")
    client.create_field(x, "float")
    series = unique("series")
    client.create_series(series, [x])
    return series, x


def _xs(client: Client, series: str, handle: uuid.UUID, x: str) -> list[float]:
    out: list[float] = []
    for chunk in client.query(series, RunFilter(handles=(handle,))):
        out.extend(chunk.batch.column(x).to_pylist())
    return out


def _append(client: Client, handle: uuid.UUID, series: str, x: str, values: list[float], *,
            writer: uuid.UUID | None = None) -> None:
    msg = pb.AppendToSeriesRequest(run=str(handle), series=series,
                                   writer=str(writer) if writer else "")
    msg.columns.append(pb.Column(field=x, floats=np.array(values, "<f8").tobytes()))
    client.call(client.stub.AppendToSeries, msg)


def _create(client: Client, handle: uuid.UUID, writer: uuid.UUID, *, resume: bool = False,
            tags: tuple[str, ...] = ()) -> pb.Run:
    req = pb.CreateRunRequest(handle=str(handle), writer=str(writer), resume=resume,
                              tags=list(tags))
    return client.call(client.stub.CreateRun, req)


def test_resume_keeps_the_run_and_its_rows_and_adds_tags(client: Client, unique) -> None:
    series, x = _series(client, unique)
    run = client.create_run(tags=["first"], started_at=100.0)
    client.append(run.handle, series, {x: np.array([0.0, 1.0])})
    resumed = client.resume_run(run.handle, tags=["second"], started_at=200.0)
    assert (resumed.handle, resumed.tags, resumed.started_at) == (
        run.handle, ("first", "second"), 100.0,
    )
    client.append(run.handle, series, {x: np.array([2.0])})
    assert _xs(client, series, run.handle, x) == [0.0, 1.0, 2.0]


def test_resume_of_an_absent_run_creates_it(client: Client) -> None:
    handle = uuid.uuid4()
    run = client.resume_run(handle, tags=["new"], started_at=5.0)
    assert (run.handle, run.tags, run.started_at) == (handle, ("new",), 5.0)
    assert client.runs(RunFilter(handles=(handle,))) == [run]


def test_resume_needs_a_handle(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="resume needs the handle"):
        client.call(client.stub.CreateRun, pb.CreateRunRequest(resume=True))


def test_a_replace_is_refused_while_another_writer_holds_the_run(
    client: Client, unique
) -> None:
    series, x = _series(client, unique)
    handle, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _create(client, handle, first, tags=("first",))
    _append(client, handle, series, x, [1.0, 2.0], writer=first)
    for replacer in (second, None):
        req = pb.CreateRunRequest(handle=str(handle), writer=str(replacer or ""))
        with pytest.raises(FailedPreconditionError, match="being written by another logger"):
            client.call(client.stub.ReplaceRun, req)
    # Nothing was deleted, and a resume (writing together) is not refused.
    assert _xs(client, series, handle, x) == [1.0, 2.0]
    assert _create(client, handle, second, resume=True, tags=("second",)).tags == [
        "first", "second",
    ]
    # The first writer may replace its own run once the second has let go of it.
    client.call(client.stub.ReleaseRun, pb.ReleaseRunRequest(handle=str(handle),
                                                             writer=str(second)))
    client.call(client.stub.ReplaceRun, pb.CreateRunRequest(handle=str(handle),
                                                            writer=str(first)))
    assert _xs(client, series, handle, x) == []


def test_once_released_the_run_may_be_replaced(client: Client, unique) -> None:
    series, x = _series(client, unique)
    handle, writer = uuid.uuid4(), uuid.uuid4()
    _create(client, handle, writer)
    _append(client, handle, series, x, [1.0], writer=writer)
    # Another writer's release ends nothing.
    client.call(client.stub.ReleaseRun, pb.ReleaseRunRequest(handle=str(handle),
                                                             writer=str(uuid.uuid4())))
    with pytest.raises(FailedPreconditionError):
        client.replace_run(handle)
    client.call(client.stub.ReleaseRun, pb.ReleaseRunRequest(handle=str(handle),
                                                             writer=str(writer)))
    assert client.replace_run(handle, tags=["anew"]).tags == ("anew",)
    assert _xs(client, series, handle, x) == []


def test_a_deleted_run_holds_no_lease(client: Client) -> None:
    handle, writer = uuid.uuid4(), uuid.uuid4()
    _create(client, handle, writer)
    client.delete_run(handle)
    assert client.replace_run(handle).handle == handle


def test_release_checks_its_handles(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="writer handle is empty"):
        client.call(client.stub.ReleaseRun, pb.ReleaseRunRequest(handle=str(uuid.uuid4())))
    with pytest.raises(InvalidArgumentError, match="writer"):
        client.call(client.stub.AppendToSeries, pb.AppendToSeriesRequest(
            run=str(uuid.uuid4()), series="s", writer="not a uuid"))


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_lease_ends_by_itself_after_its_writer_went_quiet() -> None:
    clock = _Clock()
    leases = Leases(60.0, clock)
    run, dead = uuid.uuid4(), uuid.uuid4()
    leases.renew(run, dead)
    clock.now += 59.0
    with pytest.raises(FailedPreconditionError, match=r"59\.0 s ago"):
        leases.check_replace(run, None)
    clock.now += 1.0
    leases.check_replace(run, None)  # the writer died without releasing: 60 s later
    leases.check_replace(run, dead)  # a writer never blocks itself


def test_expired_leases_are_swept_out() -> None:
    clock = _Clock()
    leases = Leases(1.0, clock)
    for _ in range(5000):
        leases.renew(uuid.uuid4(), uuid.uuid4())
        clock.now += 0.01
    assert len(leases._held) <= 4097  # the bound is the point
