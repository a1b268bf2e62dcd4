"""The spool's disk full while the server is away: rows wait in memory, `write` waits
past the memory bound, and everything goes out once the disk or the server is back."""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamvis import DataLogger
from tests.faults import report_fault
from tests.served import series_rows as query_rows

from .conftest import FIELDS, SERIES
from .server import ServerProcess, free_port
from .tmpfs import small_tmpfs

ROWS = 20_000


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs, filled to the last byte by `filler`; remove it to free the disk."""
    with small_tmpfs(tmp_path, "8m") as mount:
        with (mount / "filler").open("wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield mount


def _writer(logger: DataLogger) -> threading.Thread:
    def run() -> None:
        for step in range(ROWS):
            logger.write("train", step=step, loss=0.5)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _held(logger: DataLogger) -> int:
    flusher = logger._flusher
    assert flusher is not None
    return len(flusher.held)


def _blocked_on_a_full_disk(
    full_disk: Path, port: int, caplog: pytest.LogCaptureFixture
) -> tuple[DataLogger, threading.Thread]:
    logger = DataLogger(uri=f"127.0.0.1:{port}", spool_dir=full_disk / "spool",
                        flush_every=0.2, max_pending_bytes=32 * 1024, rpc_timeout=2)
    logger.declare(FIELDS, SERIES)
    logger.start()
    writer = _writer(logger)
    writer.join(3.0)
    # Memory and disk are both full: write() waits, and says why.
    assert writer.is_alive()
    assert _held(logger) > 0
    assert any("cannot be written" in r.getMessage() for r in caplog.records)
    assert any("cannot write the spool" in r.getMessage() for r in caplog.records)
    return logger, writer


def test_disk_back_first(
    tmp_path: Path, full_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "streamvis.logger")
    port = free_port()
    logger, writer = _blocked_on_a_full_disk(full_disk, port, caplog)
    (full_disk / "filler").unlink()
    writer.join(60)
    assert not writer.is_alive(), "write() did not resume after the disk was freed"
    server = ServerProcess(tmp_path / "data", port=port).start()
    try:
        result = logger.stop(timeout=60)
        assert (result.delivered, result.spooled, result.rejected, result.unsaved) == \
            (ROWS, 0, 0, 0)
        got = query_rows(server.uri, logger.run_handle, "train")["step"]
        assert got == list(range(ROWS))
        report_fault("spool disk and memory full, server away (disk back first)", ROWS,
                     len(got))
    finally:
        server.stop()


def test_server_back_first(
    tmp_path: Path, full_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "streamvis.logger")
    port = free_port()
    logger, writer = _blocked_on_a_full_disk(full_disk, port, caplog)
    server = ServerProcess(tmp_path / "data", port=port).start()
    try:
        writer.join(60)
        assert not writer.is_alive(), "write() did not resume after the server came back"
        result = logger.stop(timeout=60)
        assert result
        assert (result.delivered, result.spooled, result.rejected) == (ROWS, 0, 0)
        got = query_rows(server.uri, logger.run_handle, "train")["step"]
        assert got == list(range(ROWS))
        report_fault("spool disk and memory full, server away (server back first)", ROWS,
                     len(got))
    finally:
        with contextlib.suppress(Exception):
            logger.stop(timeout=1)
        server.stop()
