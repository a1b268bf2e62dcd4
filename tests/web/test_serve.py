"""`streamvis serve` runs gRPC and the web app in one process; replicas share live events."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pytest
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess, scratch_database


def ws_url(server: ServerProcess) -> str:
    return server.web_url.replace("http://", "ws://") + "api/events"


def test_one_process_serves_grpc_and_http(tmp_path: Path):
    with ServerProcess(str(tmp_path / "data")) as server, Client(server.uri) as client:
        assert server.output[0].startswith("streamvis: gRPC listening on 127.0.0.1:")
        assert server.output[1] == f"streamvis: web UI at {server.web_url}"
        assert server.web_url.startswith("http://127.0.0.1:")
        client.create_field("step", "int")
        client.create_field("loss", "float")
        client.create_series("train", ["step", "loss"])
        run = client.create_run(tags=["t"])
        with httpx.Client(base_url=server.web_url, timeout=30) as http, \
                connect(ws_url(server), open_timeout=10) as ws:
            assert [s["name"] for s in http.get("/api/series").json()] == ["train"]
            result = client.append(run.handle, "train", {"step": np.arange(5),
                                                         "loss": np.ones(5)})
            event = json.loads(ws.recv(timeout=10))
            assert event == {"type": "rows_appended", "run": str(run.handle),
                             "series": "train", "sequence": result.sequence, "rows": 5}
            reply = http.post("/api/data", json={"series": "train", "kind": "line",
                                                 "x": "step", "y": "loss", "pixels": 100})
            table = pa.ipc.open_stream(reply.content).read_all()
            assert table.column("step").to_pylist() == [0, 1, 2, 3, 4]
            assert http.get("/").status_code == 200  # the UI, or how to build it
        assert server.stop() == 0


def test_a_taken_http_port_fails_the_start_with_a_message(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "streamvis", "serve", "--data-dir", str(tmp_path),
             "--grpc-port", "0", "--http-port", str(port)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert result.returncode != 0
    assert f"cannot listen for HTTP on 127.0.0.1:{port}" in result.stderr
    assert "--http-port" in result.stderr


@pytest.fixture
def shared_database(pg_admin_dsn: str) -> Iterator[str]:
    with scratch_database(pg_admin_dsn) as url:
        yield url


@pytest.mark.postgres
def test_two_servers_on_one_database_see_each_others_writes_live(shared_database: str):
    with (
        ServerProcess(shared_database) as writer,
        ServerProcess(shared_database) as watcher,
        Client(writer.uri) as client,
        connect(ws_url(watcher), open_timeout=10) as ws,
        httpx.Client(base_url=watcher.web_url, timeout=30) as http,
    ):
        client.create_field("step", "int")
        client.create_field("loss", "float")
        assert json.loads(ws.recv(timeout=10))["field"]["name"] == "step"
        assert json.loads(ws.recv(timeout=10))["field"]["name"] == "loss"
        client.create_series("train", ["step", "loss"])
        assert json.loads(ws.recv(timeout=10))["type"] == "series_created"
        run = client.create_run()
        assert json.loads(ws.recv(timeout=10))["type"] == "run_created"
        sequences = [
            client.append(run.handle, "train", {"step": np.arange(i, i + 3),
                                                "loss": np.zeros(3)}).sequence
            for i in range(0, 9, 3)
        ]
        got = [json.loads(ws.recv(timeout=10)) for _ in sequences]
        assert [m["sequence"] for m in got] == sequences
        reply = http.post("/api/data", json={"series": "train", "fields": ["step"]})
        table = pa.ipc.open_stream(reply.content).read_all()
        assert sorted(table.column("step").to_pylist()) == list(range(9))
        client.delete_run(run.handle)
        assert json.loads(ws.recv(timeout=10)) == {"type": "run_deleted",
                                                   "handle": str(run.handle)}
