"""CreateRuns and paged ListRuns through a real server, on both stores."""

from __future__ import annotations

import uuid

import grpc
import pytest

from streamvis.client import Client
from streamvis.model.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    ResourceExhaustedError,
)
from streamvis.model.limits import MAX_RUNS_PER_CREATE, MAX_RUNS_PER_PAGE
from streamvis.model.schema import NewRun, RunFilter
from streamvis.v1 import service_pb2 as pb


def test_create_runs_then_page_through_them(client: Client, unique):
    tag, field = unique("tag"), unique("seed")
    client.create_field(field, "int")
    given = uuid.uuid4()
    made = client.create_runs(
        [NewRun(given, tags=[tag], attributes={field: 0}, started_at=5.0)]
        + [NewRun(tags=[tag], attributes={field: i}, started_at=10.0 + i) for i in range(1, 30)]
    )
    assert len(made) == 30
    assert made[0].handle == given and made[0].attributes == {field: 0}
    only = RunFilter(tags_any=(tag,))
    whole = client.runs(only)
    assert [r.started_at for r in whole] == sorted((r.started_at for r in made), reverse=True)
    page = client.runs_page(only, limit=8)
    assert page.total == 30 and len(page.runs) == 8
    seen = list(page.runs)
    while page.next:
        page = client.runs_page(only, page.next, 8)
        assert page.total is None
        seen += page.runs
    assert seen == whole
    assert client.runs(only, limit=3) == whole[:3]


def test_a_bad_batch_creates_nothing(client: Client, unique):
    tag = unique("tag")
    taken = client.create_run(tags=[tag]).handle
    with pytest.raises(AlreadyExistsError, match=str(taken)):
        client.create_runs([NewRun(tags=[tag]), NewRun(taken, tags=[tag])])
    with pytest.raises(InvalidArgumentError, match="tag"):
        client.create_runs([NewRun(tags=[tag]), NewRun(tags=[""])])
    assert [r.handle for r in client.runs(RunFilter(tags_any=(tag,)))] == [taken]


def test_a_failed_batch_leaves_the_earlier_ones_and_sends_no_later_one(
    client: Client, unique, monkeypatch: pytest.MonkeyPatch,
):
    """The client sends batch i + 1 only once batch i is created, though it builds the
    next request and decodes the previous reply while the server works."""
    monkeypatch.setattr("streamvis.client.MAX_RUNS_PER_CREATE", 2)
    tag = unique("tag")
    taken = client.create_run(tags=["other"]).handle
    runs = [NewRun(uuid.uuid4(), tags=[tag]) for _ in range(7)]
    runs[3] = NewRun(taken, tags=[tag])
    with pytest.raises(AlreadyExistsError, match=str(taken)):
        client.create_runs(runs)
    assert {r.handle for r in client.runs(RunFilter(tags_any=(tag,)))} == {
        runs[0].handle, runs[1].handle}
    made = client.create_runs(runs[4:])  # none of them was sent
    assert [r.handle for r in made] == [r.handle for r in runs[4:]]
    # A later batch that cannot be sent: the one before it is still created first.
    more = [NewRun(uuid.uuid4(), tags=[tag]) for _ in range(2)]
    with pytest.raises(InvalidArgumentError):
        client.create_runs([*more, NewRun(attributes={"x": [1]})])
    assert {r.handle for r in client.runs(RunFilter(tags_any=(tag,)))} >= {
        r.handle for r in more}


def test_create_runs_refuses_what_create_run_alone_takes(client: Client):
    one = pb.CreateRunRequest(resume=True, handle=str(uuid.uuid4()))
    with pytest.raises(grpc.RpcError) as err:
        client.stub.CreateRuns(pb.CreateRunsRequest(runs=[one]))
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "CreateRun" in (err.value.details() or "")
    many = pb.CreateRunsRequest(runs=[pb.CreateRunRequest()] * (MAX_RUNS_PER_CREATE + 1))
    with pytest.raises(grpc.RpcError) as err:
        client.stub.CreateRuns(many)
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_page_requests_are_checked(client: Client):
    with pytest.raises(InvalidArgumentError, match="page token"):
        client.runs_page(after="nonsense")
    with pytest.raises(ResourceExhaustedError, match="MAX_RUNS_PER_PAGE"):
        client.runs_page(after=client.runs_page(limit=1).next or "r1.0x0p+0.1",
                         limit=MAX_RUNS_PER_PAGE + 1)
    # A limit above a page, without `after`, is the unpaged listing it always was.
    listing = client.stub.ListRuns(pb.ListRunsRequest(limit=MAX_RUNS_PER_PAGE + 1))
    assert listing.next == "" and not listing.HasField("total")
