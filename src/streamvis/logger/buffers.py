"""Free copy buffers for media arrays, so an image a step is copied into warm memory.

`write` freezes a media array by copying it (logger/media.py); the flusher gives the
copy back here once it has encoded it, and the next write of that shape and dtype
copies into it instead of into fresh memory.
"""

from __future__ import annotations

import collections

import numpy as np

from streamvis.model.limits import MEDIA_BUFFER_POOL_BYTES

_PAGE = 4096
#: The free buffers of one shape and dtype.
Pool = collections.deque[np.ndarray]


class Buffers:
    """Arrays the flusher is done with, by shape and dtype, for `write` to copy into.

    A fresh 192 KiB array is fresh memory from the system, and touching it page by page
    cost far more than the copy (180 µs against 4 µs, measured): an image a step reuses
    the buffer of an image the flusher encoded already. Bounded in bytes; append and
    pop of a deque need no lock between the caller's thread and the flusher's.
    """

    def __init__(self, max_bytes: int = MEDIA_BUFFER_POOL_BYTES) -> None:
        self.free: dict[tuple[tuple[int, ...], str], Pool] = {}
        self.max_bytes = max_bytes
        self.held = 0

    def pool(self, like: np.ndarray) -> Pool:
        """The free buffers of `like`'s shape and dtype: a write that logs the same form
        again keeps it (media.ArrayForm), and skips the lookup."""
        return self.free.setdefault((like.shape, like.dtype.str), collections.deque())

    def take_from(self, pool: Pool, like: np.ndarray) -> np.ndarray:
        """A copy of `like` in a buffer of `pool` (its shape and dtype), else a new one."""
        try:
            buf = pool.pop()
        except IndexError:  # none free (or emptied by another writer meanwhile)
            return fresh_copy(like)
        self.held -= buf.nbytes
        buf[...] = like
        return buf

    def give(self, buf: np.ndarray) -> None:
        """The flusher is done with `buf`: kept for a later write, within the bound."""
        if self.held + buf.nbytes > self.max_bytes or not buf.flags.c_contiguous:
            return
        self.held += buf.nbytes
        self.free.setdefault((buf.shape, buf.dtype.str), collections.deque()).append(buf)


def fresh_copy(like: np.ndarray) -> np.ndarray:
    """A copy of `like` in new memory, placed half a page off `like` modulo a page.

    Two arrays of one size allocated one after the other lie 16 bytes apart modulo
    4 KiB (the allocator's header), and a copy between two such addresses ran 40 times
    slower than any other (4K aliasing: 198 µs against 5 µs for 192 KiB, measured on
    every other offset a multiple of 16): `like.copy()` made right after an image is
    such a buffer, and would serve that image's every later write.
    """
    raw = np.empty(like.nbytes + _PAGE, np.uint8)
    start = (like.ctypes.data + _PAGE // 2 - raw.ctypes.data) % _PAGE
    buf = raw[start:start + like.nbytes].view(like.dtype).reshape(like.shape)
    buf[...] = like
    return buf


#: The one pool, shared by every logger of the process.
BUFFERS = Buffers()
