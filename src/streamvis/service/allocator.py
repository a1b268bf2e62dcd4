"""The C allocator kept from giving a server's big buffers back after each append.

An append arrives as one request of megabytes, is decoded into Arrow and numpy arrays
of as many, and is encoded into a chunk: buffers of megabytes, each freed before the
next append. glibc serves a block above its mmap threshold with fresh pages from the
kernel and unmaps it at free, and trims the heap's top when more than its trim
threshold lies free there (both thresholds move with what was freed, up to 32 MiB and
64 MiB). A burst of several such buffers overran that, so each append touched new
pages, a page fault each 4 KiB: about 50,000 for the 40 MB point cloud, the larger
part of the server's CPU being the kernel's (decision 0049). Fixed thresholds keep
freed buffers for the next append: the faults halve and the server's CPU for the
cloud falls from 0.54-0.67 s to 0.43-0.53 s, at the cost of up to TRIM_THRESHOLD of
free memory kept after a burst (the peak is reached either way).

Those thresholds hold per arena, and glibc gives each new thread an arena of its own
(up to eight per core). The web app answers each request on one of its worker threads:
a line zoom's buffers (16 MB of bucket rows joined, their pieces) were freed into that
thread's arena, and the next zoom, on another thread, faulted its own pages in again:
up to 11,000 faults a zoom of a 1 B-point line, 45-73 ms of it on this VM. One arena
for the whole process serves every thread from the same freed pages, with a trim
threshold above a zoom's or an append's burst (decision 0061); the server's big work
runs under the interpreter lock or in libraries with pools of their own (Arrow), so
threads seldom wait for the allocator's lock.

Only `streamvis serve` does this (a library leaves its host's allocator alone), and
only on glibc; elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import sys

#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks up to this size come from the heap, reused after free (glibc's own ceiling
#: for the threshold it moves by itself).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free memory at the heap's top kept for reuse, beyond which it goes back to the OS.
TRIM_THRESHOLD = 256 * 1024 * 1024
#: Arenas shared by all threads (glibc's default: eight per core).
ARENA_MAX = 1


def tune_allocator() -> bool:
    """Fix glibc's mmap and trim thresholds and its arenas for this process; whether
    it was done (False where the C library is not glibc). Call it before threads start:
    a thread keeps the arena it was given."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return all([mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
                mallopt(_M_ARENA_MAX, ARENA_MAX)])
