"""Free copy buffers for media arrays, so an image a step is copied into ready memory.

`write` freezes a media array by copying it (logger/media.py); the flusher gives the
copy back here once it has encoded it, and the next write of that shape and dtype
copies into it instead of into fresh memory. Where the writes outrun what the flusher
gives back (it encodes slower than the program logs, or a new form's first writes), a
write finds no free buffer and pays for fresh memory itself: 48 page faults for a
256x256x3 image, 150-250 µs on this project's machines against a 13 µs copy. So the
flusher also keeps a reserve free (`stock`, between its encodings): as many buffers,
made and touched on its thread, as the writes found missing between two of its calls.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

import numpy as np

from streamvis.model.limits import MEDIA_BUFFER_POOL_BYTES, MEDIA_BUFFER_RESERVE_BYTES

_PAGE = 4096


class Pool(collections.deque[np.ndarray]):
    """The free buffers of one shape and dtype, taken last in first out (the latest
    given back is the likeliest in cache), and the reserve the flusher keeps in it."""

    def __init__(self, like: np.ndarray) -> None:
        super().__init__()
        self.shape: tuple[int, ...] = like.shape
        self.dtype: np.dtype[Any] = like.dtype
        self.nbytes = like.nbytes
        #: Where a new buffer goes: the page offset of the last array copied into new
        #: memory (fresh_copy says why).
        self.offset = _offset(like)
        #: Writes that found the pool empty (counted by writers), of which the flusher
        #: has seen `seen`; `reserve`: the most it saw missing between two of its calls.
        self.missed = 0
        self.seen = 0
        self.reserve = 0


class Buffers:
    """Arrays the flusher is done with, by shape and dtype, for `write` to copy into.

    A fresh 192 KiB array is fresh memory from the system, and touching it page by page
    cost far more than the copy (180 µs against 4 µs, measured): an image a step reuses
    the buffer of an image the flusher encoded already, or one it made ahead (`stock`).
    Bounded in bytes; append and pop of a deque need no lock between the caller's thread
    and the flusher's, and only the flusher counts the bytes held.
    """

    def __init__(self, max_bytes: int = MEDIA_BUFFER_POOL_BYTES,
                 reserve_bytes: int = MEDIA_BUFFER_RESERVE_BYTES) -> None:
        self.free: dict[tuple[tuple[int, ...], str], Pool] = {}
        self.max_bytes = max_bytes
        self.reserve_bytes = reserve_bytes
        #: The running flushers' wake events: a write that found no buffer wakes them,
        #: so one idle until its next cycle stocks the pool now (flusher.py).
        self.wakers: list[threading.Event] = []

    @property
    def held(self) -> int:
        """Bytes of the free buffers (a few pools: summed when asked, never on `write`)."""
        return sum(len(p) * p.nbytes for p in list(self.free.values()))

    def pool(self, like: np.ndarray) -> Pool:
        """The free buffers of `like`'s shape and dtype: a write that logs the same form
        again keeps it (media.ArrayForm), and skips the lookup."""
        key = (like.shape, like.dtype.str)
        pool = self.free.get(key)
        if pool is None:
            pool = self.free[key] = Pool(like)
        return pool

    def take_from(self, pool: Pool, like: np.ndarray) -> np.ndarray:
        """A copy of `like` in a buffer of `pool` (its shape and dtype), else a new one."""
        try:
            buf = pool.pop()
        except IndexError:  # none free (or emptied by another writer meanwhile)
            pool.missed += 1  # the flusher keeps as many ready from now on (`stock`)
            pool.offset = _offset(like)
            for wake in self.wakers:
                wake.set()
            return fresh_copy(like)
        buf[...] = like
        return buf

    def give(self, buf: np.ndarray) -> None:
        """The flusher is done with `buf`: kept for a later write, within the bound."""
        if not buf.flags.c_contiguous or self.held + buf.nbytes > self.max_bytes:
            return
        self.pool(buf).append(buf)

    def stock(self) -> int:
        """On the flusher, between its encodings: top each pool up to its reserve, the
        most writes it saw find the pool empty between two calls (at most
        `reserve_bytes` of buffers a pool, within the bound), with buffers made and
        touched here so that a write finds its memory mapped. How many it made."""
        made = 0
        for pool in list(self.free.values()):
            missed = pool.missed - pool.seen
            if missed:
                pool.seen += missed
                cap = max(1, self.reserve_bytes // max(1, pool.nbytes))
                pool.reserve = min(max(pool.reserve, missed), cap)
            if len(pool) >= pool.reserve:
                continue
            room = (self.max_bytes - self.held) // max(1, pool.nbytes)
            for _ in range(min(pool.reserve - len(pool), room)):
                try:
                    buf = _placed(pool.shape, pool.dtype, pool.offset, touch=True)
                except MemoryError:  # a reserve is an optimisation: never the flusher's end
                    return made
                # Left: the buffers given back (right) are warmer, and are taken first.
                pool.appendleft(buf)
                made += 1
        return made


def _offset(like: np.ndarray) -> int:
    """`like`'s page offset (0 for a jax array: its form has a pool, never a copy)."""
    return int(like.ctypes.data) % _PAGE if isinstance(like, np.ndarray) else 0


def _placed(shape: tuple[int, ...], dtype: np.dtype[Any], offset: int, *,
            touch: bool = False) -> np.ndarray:
    """New memory for an array of `shape` and `dtype`, starting half a page off
    `offset` modulo a page; `touch`: written once, so its pages are mapped now."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + _PAGE, np.uint8)
    start = (offset + _PAGE // 2 - raw.ctypes.data) % _PAGE
    if touch:
        raw[start:start + nbytes] = 0  # numpy lets the interpreter lock go meanwhile
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def fresh_copy(like: np.ndarray) -> np.ndarray:
    """A copy of `like` in new memory, placed half a page off `like` modulo a page.

    Two arrays of one size allocated one after the other lie 16 bytes apart modulo
    4 KiB (the allocator's header), and a copy between two such addresses ran 40 times
    slower than any other (4K aliasing: 198 µs against 5 µs for 192 KiB, measured on
    every other offset a multiple of 16): `like.copy()` made right after an image is
    such a buffer, and would serve that image's every later write.
    """
    buf = _placed(like.shape, like.dtype, _offset(like))
    buf[...] = like
    return buf


#: The one pool, shared by every logger of the process.
BUFFERS = Buffers()
