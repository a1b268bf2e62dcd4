"""allocator.py: a server reuses the big buffers each append frees, not fresh pages."""

from __future__ import annotations

import subprocess
import sys

import pytest

_BURSTS = """
import resource, sys
import numpy as np
from streamvis.service.allocator import tune_allocator
if sys.argv[1] == "tuned":
    assert tune_allocator()

def burst():  # what an append holds at once: a few buffers of 8 MB, then frees
    held = [np.ones(1 << 20) for _ in range(4)]
    del held

burst()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    burst()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _BURSTS, mode], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


def _glibc() -> bool:
    import ctypes  # noqa: PLC0415

    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None),
                                                        "gnu_get_libc_version")


@pytest.mark.skipif(not _glibc(), reason="the thresholds are glibc's")
def test_bursts_of_big_buffers_reuse_their_pages_once_tuned() -> None:
    # Untuned, glibc gives each burst's 32 MB back and faults it in again (about
    # 2,000 faults a burst here); tuned, the pages of the first burst serve the next ten.
    untuned, tuned = _faults("plain"), _faults("tuned")
    assert untuned > 10 * 1_000
    assert tuned < untuned // 10


def test_tuning_says_whether_it_was_done() -> None:
    # In a process of its own: the test runner's allocator is left as it is.
    code = "from streamvis.service.allocator import tune_allocator; print(tune_allocator())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == str(_glibc())
