"""CUDA tensors: write never synchronizes; a flush copies each field to the host once.

Skipped where CUDA is not available.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from streamvis import DataLogger
from tests.served import series_rows as query_rows

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _sync_debug(mode: str) -> None:
    # torch warns that the mode is a prototype each time it is set: not the test's failure
    # (under warnings-as-errors the warning came after the mode was set, and left it set
    # for the tests after).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Synchronization debug mode is a prototype")
        torch.cuda.set_sync_debug_mode(mode)


@contextlib.contextmanager
def _syncs_raise() -> Iterator[None]:
    """Inside, any synchronizing CUDA call raises; the mode is reset whatever happens."""
    try:
        _sync_debug("error")
        yield
    finally:
        _sync_debug("default")


def test_write_neither_synchronizes_nor_waits(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        # A first write of each series, untimed: a series' first write asks the server
        # for its schema (and a process's first, for imports).
        logger.write("train", step=torch.arange(2, device="cuda"),
                     loss=torch.ones((), device="cuda"))
        logger.write("floats", f=torch.zeros(2, device="cuda"))
        assert logger.flush(timeout=30)  # the flusher is idle from here on
        base = torch.arange(4, device="cuda", dtype=torch.float32)
        # The kernels used below, once before the spin: CUDA loads a kernel on its first
        # use in a process, and loading one waits for the device (seen on an H200: the
        # first `sum` after the spin waited the whole second).
        (base * 2).sum()
        torch.arange(4, device="cuda")
        torch.cuda.synchronize()
        torch.cuda._sleep(2_000_000_000)  # a kernel that spins for a second or so
        loss = (base * 2).sum()  # queued behind it
        steps = torch.arange(4, device="cuda")
        with _syncs_raise():  # any synchronizing call now raises
            t0 = time.perf_counter()
            logger.write("train", step=steps, loss=loss)
            logger.write("floats", f=base)
            elapsed = time.perf_counter() - t0
        still_running = not torch.cuda.current_stream().query()
        base.add_(100)  # in place, after write: must not change what was logged
        assert elapsed < 0.1, f"the two writes took {elapsed:.3f} s"
        assert still_running  # write returned while the device was busy
        assert logger.flush(timeout=60)
    assert query_rows(uri, logger.run_handle, "train") == {
        "step": [0, 1, 0, 1, 2, 3], "loss": [1.0] * 2 + [12.0] * 4,
    }
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]


def test_flush_copies_each_field_to_the_host_once(uri: str, spool: Path) -> None:
    from torch.profiler import ProfilerActivity, profile  # noqa: PLC0415

    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        assert logger.flush(timeout=30)
        for step in range(50):  # 50 writes per series, in one flush
            loss = torch.rand((), device="cuda")
            logger.write("train", step=torch.tensor(step, device="cuda"), loss=loss)
            logger.write("floats", f=torch.rand(3, 7, device="cuda"))
        torch.cuda.synchronize()
        with warnings.catch_warnings():  # the profiler's own notice that it clears events
            warnings.filterwarnings("ignore", "Warning: Profiler clears events")
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
        with _syncs_raise():  # any synchronizing call now raises
            for step in range(3):  # the later writes find the field's form: still no wait
                logger.write("gpu_samples", gpu_step=step, gpu_img=img)
        assert not torch.cuda.current_stream().query()  # write returned while it was busy
        img.add_(1)  # in place, after write: must not change what was logged
        assert logger.flush(timeout=60)
    with streamvis.connect(uri) as sv:
        refs = sv.fetch("gpu_samples", runs=[logger.run_handle]).column("gpu_img").to_pylist()
        assert len(refs) == 3
        for ref in refs:
            assert np.array_equal(sv.media(ref, as_="numpy"), want)


def test_a_write_on_a_side_stream_is_read_on_that_stream(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        logger.write("floats", f=torch.zeros(2, device="cuda"))  # the clone's kernel loaded
        assert logger.flush(timeout=30)
        x = torch.empty(1000, device="cuda")
        x.fill_(1)  # the fill's kernel loaded before the spin
        torch.cuda.synchronize()
        side = torch.cuda.Stream()
        with torch.cuda.stream(side):
            torch.cuda._sleep(1_000_000_000)  # the side stream busy for half a second
            x.fill_(7)  # the value, written behind the spin
            logger.write("floats", f=x)  # its copy queued on `side`, behind the fill
        side_busy = not side.query()
        # Read on any other stream, the copy would be read before it was made.
        assert logger.flush(timeout=60)
    assert side_busy
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [0.0, 0.0] + [7.0] * 1000
