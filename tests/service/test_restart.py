"""A server restart mid-run: the logger only sees a delay; a live client catches up by itself.

The server is stopped (gracefully, or killed) and started again on the same gRPC and
HTTP ports and the same store while a `DataLogger` keeps writing and a WebSocket
client follows /api/events the way the browser's live client does
(frontend/src/lib/api/events.ts): on a close it reconnects with backoff, asking for
`after_sequence` = the last sequence it saw. Afterwards the logger has warned of
nothing and every row is stored once, and the client has seen every chunk of the
run exactly once, those appended while it was away included.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import warnings
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from streamvis import DataLogger, LoggerWarning
from streamvis.client import Client
from streamvis.model.schema import RunFilter
from streamvis.testing import ServerProcess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveClient:
    """The browser's live-event client, in Python: reconnects with backoff and resumes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sequences: list[int] = []  # rows_appended, in arrival order
        self.last = 0
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def backoff(attempt: int) -> float:
        """As events.ts: 0.5 s doubling to 10 s, with 25% jitter."""
        return float(min(10.0, 0.5 * 2 ** min(attempt, 10)) * random.uniform(0.75, 1.25))

    def _run(self) -> None:
        attempt = 0
        while not self.stop.is_set():
            query = f"?after_sequence={self.last}" if self.connections else ""
            try:
                with connect(self.url + query, open_timeout=5) as ws:
                    self.connections += 1
                    attempt = 0
                    while not self.stop.is_set():
                        try:
                            message = json.loads(ws.recv(timeout=0.2))
                        except TimeoutError:
                            continue
                        if message["type"] == "rows_appended":
                            self.sequences.append(message["sequence"])
                            self.last = max(self.last, message["sequence"])
                        elif message["type"] == "reconnect":
                            self.last = message["after_sequence"]
            except (ConnectionClosed, OSError, TimeoutError):
                self.stop.wait(self.backoff(attempt))
                attempt += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_a_restart_is_only_a_delay_for_the_logger_and_the_live_client(
    fresh_location: str, tmp_path: Path, how: str
):
    http_port = free_port()
    server = ServerProcess(fresh_location, port=free_port(),
                           extra_args=["--http-port", str(http_port)]).start()
    live: LiveClient | None = None
    try:
        with Client(server.uri) as client:
            client.create_field("step", "int")
            client.create_field("loss", "float")
            client.create_series("train", ["step", "loss"])
        live = LiveClient(f"ws://127.0.0.1:{http_port}/api/events")
        deadline = time.monotonic() + 10
        while not live.connections and time.monotonic() < deadline:
            time.sleep(0.02)
        assert live.connections == 1

        step = 0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LoggerWarning)
            logger = DataLogger(server.uri, flush_every=0.1, spool_dir=tmp_path / "spool",
                                rpc_timeout=5).start()

            def write_for(seconds: float) -> None:
                nonlocal step
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    logger.write("train", step=step, loss=1.0 / (step + 1))
                    step += 1
                    time.sleep(0.002)

            write_for(1.0)
            server.kill() if how == "kill" else server.stop()
            write_for(1.5)  # the server is away: the logger spools, the client retries
            server.start()
            write_for(1.0)
            assert logger.stop(timeout=60), "the logger did not deliver everything"
        assert not [w for w in caught if issubclass(w.category, LoggerWarning)], \
            [str(w.message) for w in caught]

        with Client(server.uri) as client:
            chunks = list(client.query("train", RunFilter(handles=(logger.run_handle,))))
        steps = [s for c in chunks for s in c.batch.column("step").to_pylist()]
        assert sorted(steps) == list(range(step)), "a row was lost or stored twice"

        want = sorted(c.sequence for c in chunks)
        deadline = time.monotonic() + 20
        while sorted(set(live.sequences)) != want and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live.connections >= 2, "the live client never reconnected"
        assert sorted(live.sequences) == want, "the live client missed or repeated chunks"
    finally:
        if live is not None:
            live.close()
        server.stop()
