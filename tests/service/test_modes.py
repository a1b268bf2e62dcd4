"""`serve --read-only` and `--no-ingest` over gRPC, on a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from streamvis.client import Client
from streamvis.model.errors import PermissionDeniedError
from streamvis.service.guard import INGEST, READ_PREFIXES, mode_refusal
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with a field, a series, a run with a tag, a plot and a dashboard."""
    location = str(tmp_path_factory.mktemp("modes"))
    with ServerProcess(location) as server, Client(server.uri) as client:
        client.create_field("x", "float")
        client.create_series("s", ["x"])
        client.create_run("00000000-0000-0000-0000-000000000001", tags=["keep"])
        client.save_plot("p", {"kind": "line", "datasets": [
            {"series": "s", "bindings": {"x": "x", "y": "x"}}]})
        client.save_dashboard("d", {"layout": "rows=p", "plots": ["p"]})
    return location


@pytest.fixture(scope="module")
def read_only(seeded: str) -> Iterator[Client]:
    with ServerProcess(seeded, extra_args=["--read-only"]) as server, \
            Client(server.uri) as client:
        yield client


RUN = "00000000-0000-0000-0000-000000000001"


def test_read_only_refuses_metadata_changes(read_only: Client) -> None:
    changes = [
        lambda: read_only.delete_run(RUN),
        lambda: read_only.remove_tag(RUN, "keep"),
        lambda: read_only.update_field("x", description="changed"),
        lambda: read_only.delete_plot("p"),
        lambda: read_only.save_plot("q", read_only.plot("p") | {"name": "q"}),
        lambda: read_only.delete_empty_series("s"),
        lambda: read_only.delete_dashboard("d"),
        lambda: read_only.save_dashboard("d", {"layout": "cols=p", "plots": ["p"]}),
        lambda: read_only.save_dashboard("e", read_only.dashboard("d") | {"name": "e"}),
    ]
    for change in changes:
        with pytest.raises(PermissionDeniedError, match="read-only"):
            change()
    assert [r.tags for r in read_only.runs()] == [("keep",)]
    assert read_only.fields()[0].description == ""
    assert [p["name"] for p in read_only.plots()] == ["p"]
    assert read_only.dashboards() == [{"name": "d", "layout": "rows=p", "plots": ["p"]}]


def test_read_only_still_takes_what_loggers_send(read_only: Client) -> None:
    run = read_only.create_run(tags=["logged"])
    result = read_only.append(run.handle, "s", {"x": np.arange(4.0)})
    assert result.rows == 4
    # A tag added later would change what exists (issue 11): tags come with CreateRun.
    with pytest.raises(PermissionDeniedError, match="read-only"):
        read_only.add_tag(run.handle, "more")
    read_only.set_attributes(run.handle, {"x": 1.5})


def test_no_ingest_refuses_logging(seeded: str) -> None:
    with ServerProcess(seeded, extra_args=["--read-only", "--no-ingest"]) as server, \
            Client(server.uri) as client:
        with pytest.raises(PermissionDeniedError, match="--no-ingest"):
            client.create_run()
        with pytest.raises(PermissionDeniedError, match="--no-ingest"):
            client.append(RUN, "s", {"x": np.arange(2.0)})
        with pytest.raises(PermissionDeniedError, match="read-only"):
            client.delete_run(RUN)
        assert len(client.runs()) >= 1  # reads still work


def test_every_rpc_is_classed() -> None:
    """A new RPC is a change unless it is a read or listed as ingest: none slips through."""
    methods = pb.DESCRIPTOR.services_by_name["Service"].methods_by_name
    for name in methods:
        read = name.startswith(READ_PREFIXES)
        refused = mode_refusal(name, read_only=True, no_ingest=True)
        assert (refused is None) == read, name
        assert name not in INGEST or not read, name


def test_the_read_only_server_says_so_in_its_first_line(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--read-only"]) as server:
        assert "[read-only]" in server.output[0]
