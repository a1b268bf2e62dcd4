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


# The web app's worker threads take turns: a burst of 96 MB (a 1 B-point line's zoom
# holds about that) on each of four threads in turn, ten times.
_THREADED_BURSTS = """
import queue, resource, sys, threading
import numpy as np
from streamvis.service.allocator import tune_allocator
if sys.argv[1] == "tuned":
    assert tune_allocator()

def burst():
    held = [np.ones(2 << 20) for _ in range(6)]
    del held

jobs = [queue.Queue() for _ in range(4)]
done = queue.Queue()

def worker(q):
    while (job := q.get()) is not None:
        job()
        done.put(1)

threads = [threading.Thread(target=worker, args=(q,)) for q in jobs]
for t in threads:
    t.start()

def turns():
    for q in jobs:
        q.put(burst)
        done.get()

turns()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    turns()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
for q in jobs:
    q.put(None)
"""


def _faults(mode: str, code: str = _BURSTS) -> int:
    out = subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
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


@pytest.mark.skipif(not _glibc(), reason="the arenas are glibc's")
def test_threads_taking_turns_reuse_each_others_pages_once_tuned() -> None:
    # Untuned (or with an arena per thread), each thread's burst faults its pages in
    # again: glibc drops a thread arena's heaps once free (about 50,000 faults here);
    # tuned, one arena keeps them for whichever thread comes next.
    untuned, tuned = _faults("plain", _THREADED_BURSTS), _faults("tuned", _THREADED_BURSTS)
    assert untuned > 10 * 4_000
    assert tuned < untuned // 10


def test_tuning_says_whether_it_was_done() -> None:
    # In a process of its own: the test runner's allocator is left as it is.
    code = "from streamvis.service.allocator import tune_allocator; print(tune_allocator())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == str(_glibc())
