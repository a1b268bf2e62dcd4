"""Server away: the spool, its resending in order and exactly once, and `sync_spool`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from streamvis import DataLogger, LoggerWarning
from streamvis.logger import sync_spool
from streamvis.logger.batching import Kind, Record
from streamvis.logger.spool import Spool, decode, encode
from streamvis.v1 import service_pb2 as pb
from tests.served import series_rows as query_rows

from .conftest import FIELDS, SERIES
from .fake_server import FakeServer
from .server import ServerProcess, free_port


def test_record_roundtrip(tmp_path: Path) -> None:
    req = pb.AppendToSeriesRequest(run="r", series="s", idempotency_key="k")
    back = decode(encode(Record(Kind.APPEND, req, provisional=True)), 3)
    assert (back.kind, back.message, back.provisional, back.seq) == (Kind.APPEND, req, True, 3)
    spool = Spool(tmp_path / "run")
    spool.put(Record(Kind.DECLARE, b"{}", seq=2))
    spool.put(Record(Kind.APPEND, req, seq=10))
    assert [seq for seq, _ in spool.pending()] == [2, 10]
    assert not list((tmp_path / "run").glob("*.tmp"))
    with pytest.raises(Exception, match="in use"):
        Spool(tmp_path / "run").open()
    spool.close()
    assert (tmp_path / "run").is_dir()  # records remain, so the directory stays


def test_lost_acknowledgements_do_not_duplicate_rows(fake: FakeServer, spool: Path) -> None:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.05) as logger:
        assert logger.flush(timeout=10)
        for step in range(20):
            if step % 5 == 0:
                fake.service.lose_ack_next = 1  # the append is stored, the reply is lost
            logger.write("train", step=step, loss=0.5)
            assert logger.flush(timeout=20)
    assert fake.service.rows(logger.run_handle, "train")["step"] == list(range(20))


def test_failures_go_to_the_spool_and_are_resent_in_order(fake: FakeServer, spool: Path) -> None:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.02) as logger:
        logger.write("train", step=0, loss=0.5)
        assert logger.flush(timeout=10)
        fake.service.fail_next = 4
        for step in range(1, 30):
            logger.write("train", step=step, loss=0.5)
            logger.add_tags(f"t{step % 3}")
            time.sleep(0.005)
    assert fake.service.rows(logger.run_handle, "train")["step"] == list(range(30))
    assert sorted(fake.service.runs[str(logger.run_handle)].tags) == ["t0", "t1", "t2"]


def test_logger_started_while_server_is_down(tmp_path: Path, spool: Path) -> None:
    port = free_port()
    uri = f"127.0.0.1:{port}"
    logger = DataLogger(uri=uri, spool_dir=spool, flush_every=0.05, tags=("offline",)).start()
    logger.declare(FIELDS, SERIES)
    for step in range(50):
        logger.write("train", step=step, loss=step / 10)
    assert not logger.flush(timeout=1.0)  # nobody answers
    assert len(list((spool / str(logger.run_handle)).glob("*.rec"))) >= 3
    server = ServerProcess(tmp_path / "data", port=port).start()
    try:
        assert logger.stop(timeout=60)
        got = query_rows(uri, logger.run_handle, "train")
        assert got["step"] == list(range(50))
        assert got["loss"] == [step / 10 for step in range(50)]
        assert not (spool / str(logger.run_handle)).exists()
    finally:
        server.stop()


def test_sync_sends_what_a_dead_process_left(uri: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    handle = uuid.uuid4()
    dead = f"127.0.0.1:{free_port()}"
    script = textwrap.dedent(f"""
        import os
        from streamvis import DataLogger
        logger = DataLogger(uri={dead!r}, run_handle={str(handle)!r}, flush_every=0.05,
                            spool_dir={str(spool)!r}, attributes={{"s": "crashed"}})
        logger.start()
        for step in range(10):
            logger.write("train", step=step, loss=1.0)
        logger.flush(timeout=1)
        os._exit(3)  # die without any clean-up: only the spool survives
    """)
    result = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)
    assert result.returncode == 3
    run_dir = spool / str(handle)
    assert sorted(run_dir.glob("*.rec"))
    sent = sync_spool(spool, uri)
    assert sent >= 3  # the run, its attributes, at least one batch
    assert query_rows(uri, handle, "train")["step"] == list(range(10))
    assert not run_dir.exists()
    assert sync_spool(spool, uri) == 0


def test_sync_of_a_live_loggers_spool_is_refused(tmp_path: Path) -> None:
    dead = f"127.0.0.1:{free_port()}"
    logger = DataLogger(uri=dead, spool_dir=tmp_path, flush_every=0.05).start()
    assert not logger.flush(timeout=0.5)
    try:
        with pytest.raises(Exception, match="in use"):
            sync_spool(tmp_path / str(logger.run_handle), dead)
        assert sync_spool(tmp_path, dead) == 0  # the root: live spools are skipped
    finally:
        with pytest.warns(LoggerWarning, match="streamvis sync"):
            assert not logger.stop(timeout=0.2)


def test_server_killed_and_restarted_mid_run(tmp_path: Path, spool: Path) -> None:
    port = free_port()
    server = ServerProcess(tmp_path / "data", port=port).start()
    uri = server.uri
    try:
        logger = DataLogger(uri=uri, spool_dir=spool, flush_every=0.05, rpc_timeout=5)
        logger.declare(FIELDS, SERIES)
        logger.start()
        step = 0
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:  # steady writing, with flushes landing
            logger.write("train", step=step, loss=0.5)
            step += 1
            time.sleep(0.001)
        server.kill()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:  # writing on while the server is dead
            logger.write("train", step=step, loss=0.5)
            step += 1
            time.sleep(0.001)
        flusher = logger._flusher
        assert flusher is not None
        deadline = time.monotonic() + 10
        while not flusher.spooled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flusher.spooled  # the dead server's share went to disk
        server.start()
        for _ in range(200):
            logger.write("train", step=step, loss=0.5)
            step += 1
            time.sleep(0.001)
        assert logger.stop(timeout=60)
        assert query_rows(uri, logger.run_handle, "train")["step"] == list(range(step))
    finally:
        server.stop()


def test_series_first_seen_while_server_is_down(tmp_path: Path, spool: Path) -> None:
    """No schema to check against: the write's own kinds stand in, conformed on resend."""
    port = free_port()
    server = ServerProcess(tmp_path / "data", port=port).start()
    declare_schema_on(server.uri)
    server.stop()
    logger = DataLogger(uri=server.uri, spool_dir=spool, flush_every=0.05).start()
    logger.write("train", step=1, loss=2)  # loss given as an int: a float field widens it
    assert not logger.flush(timeout=0.5)  # a batch of its own, spooled as an int column
    assert (spool / str(logger.run_handle)).is_dir()
    logger.write("train", step=2, loss=np.arange(2))
    logger.write("train", step=3, loss=0.5)
    assert not logger.flush(timeout=0.5)
    server.start()
    try:
        assert logger.stop(timeout=60)
        got = query_rows(server.uri, logger.run_handle, "train")
        assert got == {"step": [1, 2, 2, 3], "loss": [2.0, 0.0, 1.0, 0.5]}
    finally:
        server.stop()


def declare_schema_on(uri: str) -> None:
    from streamvis import declare_schema  # noqa: PLC0415

    declare_schema(FIELDS, SERIES, uri=uri)
