"""The flusher's memory accounting and hand-off: drained per slice, said once when slow."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from streamvis import DataLogger, LoggerWarning
from tests.served import series_rows as query_rows

from .fake_server import FakeServer


def test_bound_drains_as_each_slice_is_handed_off(fake: FakeServer, spool: Path) -> None:
    # Twenty 40 kB writes, taken by one flush in slices of one batch (8 kB): each
    # append must find the slices before it already released from the memory bound. A
    # bound released only at the end of the cycle would show the same figure to all.
    seen: list[int] = []
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                    max_batch_bytes=8_000) as logger:
        assert logger.flush(timeout=10)
        fake.service.on_append = lambda: seen.append(logger._drained)
        for _ in range(20):
            logger.write("floats", f=np.zeros(5_000))
        assert logger.flush(timeout=10)
        assert logger._drained == logger._written
    assert len(seen) >= 20
    assert len(set(seen)) == 20
    assert len(fake.service.rows(logger.run_handle, "floats")["f"]) == 100_000


def test_a_server_that_cannot_keep_up_is_reported_once(fake: FakeServer, spool: Path) -> None:
    fake.service.append_delay = 0.02
    with pytest.warns(LoggerWarning, match=r"written [\d.]+ MB/s, sent [\d.]+ MB/s") as got, \
            DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                       max_pending_bytes=100_000, max_batch_bytes=20_000) as logger:
        for _ in range(40):
            logger.write("floats", f=np.zeros(5_000))  # 40 kB each
    slow = [w for w in got if "MB/s" in str(w.message)]
    assert len(slow) == 1
    assert len(fake.service.rows(logger.run_handle, "floats")["f"]) == 200_000


def test_stop_sends_at_once_without_waiting_for_a_tick(uri: str, spool: Path) -> None:
    # flush_every is an hour: a stop that waited for the tick would time out, spool
    # everything and deliver nothing.
    logger = DataLogger(uri=uri, spool_dir=spool, flush_every=3600).start()
    for step in range(50_000):
        logger.write("train", step=step, loss=0.5)
    started = time.monotonic()
    delivery = logger.stop(timeout=20)
    took = time.monotonic() - started
    assert delivery.delivered == 50_000 and not delivery.spooled, (delivery, took)
    assert len(query_rows(uri, logger.run_handle, "train")["step"]) == 50_000
