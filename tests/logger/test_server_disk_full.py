"""The server's disk full: a passing refusal, so the rows wait and go in once it frees."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from streamvis import DataLogger
from tests.faults import report_fault
from tests.served import series_rows as query_rows

from .conftest import FIELDS, SERIES
from .server import ServerProcess
from .tmpfs import small_tmpfs

WRITES, ROWS_PER_WRITE = 30, 10_000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path, "24m") as mount:
        yield mount


def _fill(path: Path, leave: int) -> None:
    """Write `path` until the disk has about `leave` bytes free."""
    with path.open("wb", buffering=0) as f:
        try:
            while True:
                free = _free(path.parent)
                if free <= leave:
                    return
                f.write(b"\0" * min(1 << 20, free - leave))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def test_rows_survive_the_servers_full_disk(tmp_path: Path, small_disk: Path) -> None:
    server = ServerProcess(small_disk / "data").start()
    try:
        logger = DataLogger(uri=server.uri, spool_dir=tmp_path / "spool", flush_every=0.1)
        logger.declare(FIELDS, SERIES)
        logger.start()
        assert logger.flush(timeout=30)
        _fill(small_disk / "filler", leave=512 * 1024)
        # Random values: steps beside a constant compress to less than the space left.
        rng = np.random.default_rng(0)
        for i in range(WRITES):
            step = np.arange(i * ROWS_PER_WRITE, (i + 1) * ROWS_PER_WRITE)
            logger.write("train", step=step, loss=rng.random(ROWS_PER_WRITE))
        flusher = logger._flusher
        assert flusher is not None
        deadline = time.monotonic() + 30
        while not flusher.offline and time.monotonic() < deadline:
            time.sleep(0.05)
        # The full disk's refusal is a passing one: the logger waits (offline), not drops.
        assert flusher.offline, "the logger never waited for the full disk to pass"
        (small_disk / "filler").unlink()  # space is back
        result = logger.stop(timeout=120)
        rows = WRITES * ROWS_PER_WRITE
        assert (result.delivered, result.spooled, result.rejected) == (rows, 0, 0)
        got = query_rows(server.uri, logger.run_handle, "train")["step"]
        assert got == list(range(rows))
        report_fault("server disk full (SQLite on a full tmpfs)", rows, len(got))
    finally:
        server.stop()
