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


def test_an_image_on_the_gpu_is_written_without_a_wait_and_stored_bit_exact(
    uri: str, spool: Path
) -> None:
    import numpy as np  # noqa: PLC0415

    import streamvis  # noqa: PLC0415

    streamvis.declare_schema({"gpu_step": "int", "gpu_img": "image"},
                             {"gpu_samples": ["gpu_step", "gpu_img"]}, uri=uri)
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        assert logger.flush(timeout=30)
        img = torch.randint(0, 256, (32, 48, 3), dtype=torch.uint8, device="cuda")
        want = img.cpu().numpy()
        torch.cuda.synchronize()
        torch.cuda._sleep(2_000_000_000)  # a kernel that spins for a second or so
        torch.cuda.set_sync_debug_mode("error")  # any synchronizing call now raises
        try:
            for step in range(3):  # the later writes find the field's form: still no wait
                logger.write("gpu_samples", gpu_step=step, gpu_img=img)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        assert not torch.cuda.current_stream().query()  # write returned while it was busy
        img.add_(1)  # in place, after write: must not change what was logged
        assert logger.flush(timeout=60)
    with streamvis.connect(uri) as sv:
        refs = sv.fetch("gpu_samples", runs=[logger.run_handle]).column("gpu_img").to_pylist()
        assert len(refs) == 3
        for ref in refs:
            assert np.array_equal(sv.media(ref, as_="numpy"), want)
