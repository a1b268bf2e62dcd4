"""CUDA tensors: write never synchronizes; a flush copies each field to the host once.

Skipped where CUDA is not available.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from streamvis import DataLogger
from tests.served import series_rows as query_rows

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def test_write_neither_synchronizes_nor_waits(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        assert logger.flush(timeout=30)  # the flusher is idle from here on
        base = torch.arange(4, device="cuda", dtype=torch.float32)
        torch.cuda.synchronize()
        torch.cuda._sleep(2_000_000_000)  # a kernel that spins for a second or so
        loss = (base * 2).sum()  # queued behind it
        steps = torch.arange(4, device="cuda")
        torch.cuda.set_sync_debug_mode("error")  # any synchronizing call now raises
        try:
            t0 = time.perf_counter()
            logger.write("train", step=steps, loss=loss)
            logger.write("floats", f=base)
            elapsed = time.perf_counter() - t0
        finally:
            torch.cuda.set_sync_debug_mode("default")
        still_running = not torch.cuda.current_stream().query()
        base.add_(100)  # in place, after write: must not change what was logged
        assert still_running  # write returned while the device was busy
        assert elapsed < 0.1
        assert logger.flush(timeout=60)
    assert query_rows(uri, logger.run_handle, "train") == {
        "step": [0, 1, 2, 3], "loss": [12.0] * 4,
    }
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [0.0, 1.0, 2.0, 3.0]


def test_flush_copies_each_field_to_the_host_once(uri: str, spool: Path) -> None:
    from torch.profiler import ProfilerActivity, profile  # noqa: PLC0415

    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        assert logger.flush(timeout=30)
        for step in range(50):  # 50 writes per series, in one flush
            loss = torch.rand((), device="cuda")
            logger.write("train", step=torch.tensor(step, device="cuda"), loss=loss)
            logger.write("floats", f=torch.rand(3, 7, device="cuda"))
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            assert logger.flush(timeout=60)
            torch.cuda.synchronize()
    copies = [e for e in prof.events() if e.name.startswith("Memcpy DtoH")]
    assert len(copies) == 3  # train.step, train.loss, floats.f
    assert query_rows(uri, logger.run_handle, "train")["step"] == list(range(50))
    assert len(query_rows(uri, logger.run_handle, "floats")["f"]) == 50 * 21
