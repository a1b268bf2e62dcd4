"""`GET /api/export` against a real server on both stores: the file is the one
`streamvis export` writes for the same dataset (CSV byte for byte, Parquet and Arrow
equal tables), bad requests are refused before any byte, and a large series streams
through the server with bounded memory."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from streamvis.cli import main
from streamvis.client import Client
from streamvis.testing import ServerProcess

NewStore = Callable[[str], contextlib.AbstractContextManager[str]]
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=STORES)
def server(request: pytest.FixtureRequest, new_store: NewStore) -> Iterator[ServerProcess]:
    with new_store(request.param) as location, ServerProcess(location) as proc, \
            Client(proc.uri) as c:
        for name, kind in (("step", "int"), ("loss", "float"), ("phase", "string"),
                           ("lr", "float"), ("big", "float")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss", "phase"])
        c.create_series("bigseries", ["step", "big"])
        for i, tags in enumerate((["keep"], ["keep"], ["drop"])):
            run = c.create_run(tags=tags, attributes={"lr": 10.0 ** -(i + 2)})
            for part in range(3):
                steps = np.arange(part * 100, part * 100 + 100, dtype=np.int64)
                c.append(run.handle, "train", {
                    "step": steps, "loss": 1.0 / (1 + steps + i),
                    "phase": pa.array(["warmup" if s < 50 else "main" for s in steps]),
                })
        yield proc


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.web_url, timeout=60) as client:
        yield client


def _cli_export(server: ServerProcess, path: Path, *argv: str) -> None:
    assert main(["export", "train", "-o", str(path), *argv, "--uri", server.uri]) == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "arrow"])
def test_the_file_is_what_streamvis_export_writes(server, http, tmp_path, capsys, fmt):
    path = tmp_path / f"train.{fmt}"
    _cli_export(server, path, "--tag-any", "keep", "--attributes", "lr")
    capsys.readouterr()
    response = http.get("/api/export", params={
        "series": "train", "format": fmt, "attributes": "lr",
        "filter": json.dumps({"tags_any": ["keep"]})})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="train.{fmt}"'
    if fmt == "csv":
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content == path.read_bytes()
        assert response.text.splitlines()[0] == '"run","step","loss","phase","lr"'
        assert len(response.text.splitlines()) == 1 + 600
    elif fmt == "parquet":
        assert pq.read_table(io.BytesIO(response.content)).equals(pq.read_table(path))
    else:
        with pa.ipc.open_file(pa.py_buffer(response.content)) as got, \
                pa.ipc.open_file(path) as want:
            assert got.read_all().equals(want.read_all())


def test_fields_choose_the_columns(server, http, tmp_path, capsys):
    path = tmp_path / "two.csv"
    _cli_export(server, path, "--fields", "step,loss")
    capsys.readouterr()
    response = http.get("/api/export", params={"series": "train", "fields": "step,loss"})
    assert response.status_code == 200, response.text
    assert response.content == path.read_bytes()
    assert response.text.splitlines()[0] == '"run","step","loss"'


@pytest.mark.parametrize(("params", "status", "says"), [
    ({}, 400, "needs series=NAME"),
    ({"series": "nope"}, 404, "no series named 'nope'"),
    ({"series": "train", "format": "xlsx"}, 400, "'xlsx' is no export format"),
    ({"series": "train", "fields": "lr"}, 404, "has no field 'lr'"),
    ({"series": "train", "attributes": "nope"}, 404, "no field named 'nope'"),
    ({"series": "train", "filter": "{"}, 400, "filter"),
    ({"series": "train", "colour": "red"}, 400, "unknown query parameter 'colour'"),
    ({"series": "train", "where": "[{"}, 400, "where"),
    ({"series": "train", "where": '[{"field": "lr", "equals": 1}]'}, 400,
     "'lr' is not a field of series 'train'"),
    ({"series": "train", "where": '[{"field": "phase", "latest": true}]'}, 400,
     "latest needs a number field"),
])
def test_bad_requests_get_a_message_and_no_file(http, params, status, says):
    response = http.get("/api/export", params=params)
    assert response.status_code == status
    assert says in response.json()["message"]


def test_where_keeps_the_rows_of_a_facet_and_frame(http):
    """A faceted, framed panel's download: the rows of one facet value (phase = warmup),
    of each run's latest step (the default frame), or both."""
    def rows(where: list[dict[str, object]]) -> list[dict[str, str]]:
        response = http.get("/api/export", params={
            "series": "train", "fields": "step,phase", "filter": json.dumps({"tags_any": ["keep"]}),
            "where": json.dumps(where)})
        assert response.status_code == 200, response.text
        lines = response.text.splitlines()
        header = [h.strip('"') for h in lines[0].split(",")]
        return [dict(zip(header, (v.strip('"') for v in line.split(",")), strict=True))
                for line in lines[1:]]

    warm = rows([{"field": "phase", "equals": "warmup"}])
    assert len(warm) == 2 * 50 and {r["phase"] for r in warm} == {"warmup"}
    latest = rows([{"field": "step", "latest": True}])
    assert [r["step"] for r in latest] == ["299", "299"]
    assert len({r["run"] for r in latest}) == 2
    # Both: no warmup row is at step 299; the step column stays out when not asked for.
    assert rows([{"field": "phase", "equals": "warmup"}, {"field": "step", "latest": True}]) == []
    response = http.get("/api/export", params={
        "series": "train", "fields": "loss", "where": json.dumps([{"field": "step", "equals": 7}])})
    assert response.text.splitlines()[0] == '"run","loss"'
    assert len(response.text.splitlines()) == 1 + 3


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_big_series_streams_with_bounded_memory(server, http):
    # 4,000,000 rows (64 MB of columns, 210 MiB of CSV) in 40 chunks: the server holds
    # a chunk and its bytes at a time. Its peak still grows some (the allocator keeps
    # freed buffers: 40 MiB on SQLite, 64 on PostgreSQL), far below the file.
    rows_per_chunk, chunks = 100_000, 40
    with Client(server.uri) as c:
        run = c.create_run(tags=["big"])
        for part in range(chunks):
            steps = np.arange(part * rows_per_chunk, (part + 1) * rows_per_chunk,
                              dtype=np.int64)
            c.append(run.handle, "bigseries", {"step": steps, "big": steps * 0.5})
    # Reset the peak (what ingesting the series reached), so it measures the export.
    Path(f"/proc/{server.pid}/clear_refs").write_text("5")
    before = _rss_kib(server.pid)
    got_rows, got_bytes = 0, 0
    with http.stream("GET", "/api/export", params={"series": "bigseries"}) as response:
        assert response.status_code == 200
        for part in response.iter_bytes():
            got_bytes += len(part)
            got_rows += part.count(b"\n")
    assert got_rows == 1 + rows_per_chunk * chunks
    grew_mib = (_peak_rss_kib(server.pid) - before) / 1024
    assert got_bytes > 100 * 2**20
    assert grew_mib < got_bytes / 2**20 / 2, \
        f"the server grew by {grew_mib:.0f} MiB exporting {got_bytes} bytes"
