"""jax arrays on a GPU: write neither waits for the computation nor copies on the caller's
thread; the flush reads the copy the write started.

Skipped where jax has no GPU (CI has none); run on a lent GPU as decision 0058 says.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from streamvis import DataLogger
from tests.served import series_rows as query_rows

# jax takes three quarters of the GPU's memory at start unless told not to; torch's tests
# share the device in the same run.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
jax = pytest.importorskip("jax")


def _gpu() -> bool:
    try:
        return any(d.platform == "gpu" for d in jax.devices())
    except RuntimeError:  # no backend at all
        return False


pytestmark = pytest.mark.skipif(not _gpu(), reason="needs jax with a GPU")


def _chain(a: Any) -> Any:
    """Products that keep the device busy for a while; a matrix of ones stays ones."""
    for _ in range(40):
        a = a @ a / a.shape[0]
    return a[0, :1000]


def test_a_jax_array_on_the_gpu_is_written_without_a_wait(
    uri: str, spool: Path, jax_conversions: list[tuple[str, bool]],
) -> None:
    jnp: Any = jax.numpy
    slow = jax.jit(_chain)
    ones = jnp.ones((8192, 8192), jnp.float32)
    slow(ones).block_until_ready()  # compiled (and its kernels loaded) before timing
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        logger.write("floats", f=jnp.zeros(2, jnp.float32))  # the series' first write
        assert logger.flush(timeout=30)
        f = slow(ones)  # dispatched; still running
        t0 = time.perf_counter()
        logger.write("floats", f=f)
        elapsed = time.perf_counter() - t0
        running = not f.is_ready()
        assert logger.flush(timeout=60)
    assert elapsed < 0.05, f"the write took {elapsed:.3f} s"
    assert running  # write returned while the device was still computing
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [0.0, 0.0] + [1.0] * 1000
    # Every jax value reached the host on the flusher's thread, not the caller's.
    assert jax_conversions
    assert all(thread != "MainThread" for thread, _ in jax_conversions)
