"""A server killed mid-stream loses no acknowledged append and keeps no partial one."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from streamvis.client import Client
from streamvis.model.errors import StreamvisError
from streamvis.model.schema import RunFilter
from streamvis.testing import ServerProcess

ROWS = 2_000  # per append


def batch(index: int) -> dict[str, np.ndarray]:
    """Append number `index`: every row says which append it came from."""
    return {"batch": np.full(ROWS, index, dtype=np.int64), "row": np.arange(ROWS, dtype=np.int64),
            "value": np.linspace(0.0, 1.0, ROWS) + index}


def declared_run(client: Client) -> uuid.UUID:
    """The fields and series `batch` writes, and a run to write them to (its handle)."""
    for name, t in (("batch", "int"), ("row", "int"), ("value", "float")):
        client.create_field(name, t)
    client.create_series("s", ["batch", "row", "value"])
    return client.create_run().handle


def test_kill_9_mid_stream_keeps_exactly_the_acknowledged_appends(fresh_location: str):
    server = ServerProcess(fresh_location).start()
    try:
        with Client(server.uri, timeout=10) as client:
            run = declared_run(client)

            acked: dict[int, int] = {}  # append index -> sequence
            attempted: list[int] = []
            failure: list[StreamvisError] = []

            def write() -> None:
                for i in range(100_000):
                    attempted.append(i)
                    try:
                        result = client.append(run, "s", batch(i), idempotency_key=f"k{i}")
                    except StreamvisError as exc:
                        failure.append(exc)
                        return
                    acked[i] = result.sequence

            writer = threading.Thread(target=write)
            writer.start()
            deadline = time.monotonic() + 30
            while len(acked) < 40 and writer.is_alive() and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill()
            writer.join(30)
        assert not writer.is_alive()
        assert failure, "the writer should have seen the server go away"
        assert len(acked) >= 40

        server.start()  # same store, new port
        with Client(server.uri) as client:
            chunks = list(client.query("s"))
            stored = [int(c.batch.column(0)[0].as_py()) for c in chunks]
            for c, index in zip(chunks, stored, strict=True):  # whole chunks only
                assert c.batch.num_rows == ROWS
                assert c.batch.to_pydict() == {k: v.tolist() for k, v in batch(index).items()}
            assert len(stored) == len(set(stored)), "an append was stored twice"
            assert {i: s for i, s in zip(stored, (c.sequence for c in chunks), strict=True)
                    if i in acked} == acked
            # Beyond the acknowledged ones, at most the append in flight at the kill.
            assert set(stored) - set(acked) <= {attempted[-1]}

            # Retrying the append in flight with its key stores it exactly once.
            last = attempted[-1]
            retry = client.append(run, "s", batch(last), idempotency_key=f"k{last}")
            assert retry.duplicate == (last in stored)
            final = [int(c.batch.column(0)[0].as_py()) for c in client.query("s")]
            assert sorted(final) == sorted({*acked, last})
    finally:
        server.stop()


def test_kill_9_under_concurrent_writers_keeps_every_acknowledged_append(
    fresh_location: str,
):
    """Several writers at once, so that appends share group commits: every append
    acknowledged before the kill is stored, once, whole; nothing else but the ones in
    flight."""
    writers = 4
    server = ServerProcess(fresh_location).start()
    try:
        with Client(server.uri, timeout=10) as client:
            run = declared_run(client)
        acked: dict[int, int] = {}  # append index -> sequence
        in_flight: set[int] = set()
        lock = threading.Lock()

        def write(k: int) -> None:
            with Client(server.uri, timeout=10) as client:
                for i in range(k, 1_000_000, writers):
                    with lock:
                        in_flight.add(i)
                    try:
                        result = client.append(run, "s", batch(i), idempotency_key=f"k{i}")
                    except StreamvisError:
                        return
                    with lock:
                        acked[i] = result.sequence
                        in_flight.discard(i)

        threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 60
        while len(acked) < 80 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        for th in threads:
            th.join(30)
        assert not any(th.is_alive() for th in threads)
        assert len(acked) >= 80

        server.start()
        with Client(server.uri) as client:
            chunks = list(client.query("s"))
        stored = [int(c.batch.column(0)[0].as_py()) for c in chunks]
        for c, index in zip(chunks, stored, strict=True):  # whole chunks only
            assert c.batch.to_pydict() == {k: v.tolist() for k, v in batch(index).items()}
        assert len(stored) == len(set(stored)), "an append was stored twice"
        by_index = dict(zip(stored, (c.sequence for c in chunks), strict=True))
        assert {i: by_index.get(i) for i in acked} == acked, "an acknowledged append is lost"
        assert set(stored) - set(acked) <= in_flight
    finally:
        server.stop()


# -- loggers in their own processes while the server is killed again and again ------

WORKER = Path(__file__).with_name("crash_worker.py")
LOGGERS = 3  # stopped normally: their spools deliver everything
#: Kills per store; benchmarks/bench_reliability.py asks for more.
KILLS = int(os.environ.get("STREAMVIS_CRASH_KILLS", "3"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_report(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The worker's JSON lines, merged: run, the last `acked`, written, stopped, warnings."""
    out, err = proc.communicate(timeout=150)
    assert proc.returncode == 0, f"logger process failed ({proc.returncode}):\n{err[-3000:]}"
    report: dict[str, Any] = {"acked": 0}
    for line in out.splitlines():
        report.update(json.loads(line))
    return report


def stored_rows(client: Client, run: str) -> list[int]:
    rows: list[int] = []
    for chunk in client.query("crash", RunFilter(handles=(uuid.UUID(run),))):
        rows.extend(chunk.batch.column("crash_row").to_pylist())
    return rows


def test_loggers_lose_nothing_while_the_server_is_killed_repeatedly(
    fresh_location: str, tmp_path: Path
):
    """SIGKILL the server at random moments under several loggers; restart it on the
    same port and store. Every acknowledged row is stored exactly once; the loggers
    that stop deliver every row they wrote; the one that dies leaves a spool that
    `streamvis sync` delivers, in order."""
    rng = random.Random(7)
    server = ServerProcess(fresh_location, port=free_port()).start()
    spool = tmp_path / "spool"
    procs: list[subprocess.Popen[str]] = []
    try:
        with Client(server.uri) as client:
            client.create_field("crash_row", "int")
            client.create_field("crash_value", "float")
            client.create_series("crash", ["crash_row", "crash_value"])
        modes = ["stop"] * LOGGERS + ["die"]
        control = tmp_path / "control"
        control.mkdir()
        procs = [subprocess.Popen(
            [sys.executable, str(WORKER), server.uri, str(spool), str(control), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) for mode in modes]
        for kill in range(KILLS):
            time.sleep(rng.uniform(0.5, 1.8))
            server.kill()
            if kill == 1:  # the dying logger dies now, with the server away
                (control / "die").touch()
                time.sleep(1.5)
            time.sleep(rng.uniform(0.1, 1.0))
            server.start()
        # Every kill fell while the stopping loggers were writing: they write until told.
        assert all(p.poll() is None for p in procs[:-1]), "a logger ended before the kills did"
        time.sleep(rng.uniform(0.5, 1.5))  # some rows after the last restart too
        (control / "stop").touch()
        reports = [worker_report(p) for p in procs]

        dead = reports[-1]
        left = sorted(spool.glob("*/*.rec"))
        assert left, "the logger that died should have left a spool"
        subprocess.run(
            [sys.executable, "-m", "streamvis", "sync", "--uri", server.uri, str(spool)],
            check=True, capture_output=True, text=True, timeout=120,
        )
        assert not sorted(spool.glob("*/*.rec")), "streamvis sync left records behind"

        with Client(server.uri) as client:
            for report in reports[:-1]:
                rows = stored_rows(client, report["run"])
                assert report["stopped"], report
                assert not report["warnings"], report["warnings"]
                assert len(rows) == len(set(rows)), "a row was stored twice"
                assert sorted(rows) == list(range(report["written"])), "rows are missing"
            rows = stored_rows(client, dead["run"])
            assert len(rows) == len(set(rows)), "a row of the dead logger was stored twice"
            # Sent in order, whether live or from the spool: a prefix of what was
            # written, and at least everything acknowledged before it died.
            assert sorted(rows) == list(range(len(rows)))
            assert dead["acked"] <= len(rows) <= dead["written"]
        total = sum(r["written"] for r in reports)
        print(json.dumps({"figure": "crash_test", "store": "postgres" if "://" in fresh_location
                          else "sqlite", "kills": KILLS, "loggers": len(modes),
                          "rows_written": total, "rows_lost": 0,
                          "spooled_records_synced": len(left)}))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
        server.stop()
