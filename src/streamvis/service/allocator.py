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
free memory kept per allocator arena after a burst (the cloud's server RSS +40-70 MB).

Only `streamvis serve` does this (a library leaves its host's allocator alone), and
only on glibc; elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import sys

#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap, reused after free (glibc's own ceiling
#: for the threshold it moves by itself).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free memory at the heap's top kept for reuse, beyond which it goes back to the OS.
TRIM_THRESHOLD = 64 * 1024 * 1024


def tune_allocator() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; whether it was done
    (False where the C library is not glibc)."""
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
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
