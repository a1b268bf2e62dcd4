"""logger/buffers.py: the copy buffers of media arrays, and where a new one is placed."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from streamvis.logger import buffers
from streamvis.logger.buffers import Buffers, fresh_copy


@pytest.mark.parametrize(("shape", "dtype"), [
    ((256, 256, 3), np.uint8), ((3, 64, 64), np.float32), ((5, 7, 3), np.float64),
    ((0, 4, 3), np.uint8),
])
def test_a_fresh_copy_is_an_equal_array_half_a_page_off(shape: tuple[int, ...],
                                                        dtype: Any) -> None:
    src = (np.random.default_rng(0).random(shape) * 255).astype(dtype)
    buf = fresh_copy(src)
    assert (buf.shape, buf.dtype) == (src.shape, src.dtype)
    assert np.array_equal(buf, src)
    assert buf.flags.c_contiguous and buf.flags.aligned and buf.flags.writeable
    assert not np.shares_memory(buf, src)
    if src.nbytes:
        # Never 16 bytes off modulo a page, where a copy runs 40 times slower.
        assert (buf.ctypes.data - src.ctypes.data) % 4096 == 2048


def test_a_fresh_copy_of_a_view_is_contiguous() -> None:
    src = np.arange(24 * 10 * 3, dtype=np.uint8).reshape(24, 10, 3)[::2, :, ::-1]
    buf = fresh_copy(src)
    assert buf.flags.c_contiguous and np.array_equal(buf, src)


def test_buffers_are_given_back_within_the_bound_and_taken_again() -> None:
    pool = Buffers(max_bytes=2 * 192)
    like = np.ones((8, 8, 3), np.uint8)
    free = pool.pool(like)
    first = pool.take_from(free, like)  # none free: a fresh copy
    assert np.array_equal(first, like) and not free
    pool.give(first)
    pool.give(fresh_copy(like))
    pool.give(fresh_copy(like))  # past max_bytes: dropped
    assert len(free) == 2 and pool.held == 2 * 192
    again = pool.take_from(free, like * 7)
    assert np.array_equal(again, like * 7) and pool.held == 192
    pool.give(np.ones((16, 8, 3), np.uint8)[::2])  # not contiguous: not kept
    assert pool.held == 192


def test_the_flusher_keeps_as_many_ready_as_writes_found_missing() -> None:
    like = np.arange(8 * 8 * 3, dtype=np.uint8).reshape(8, 8, 3)
    bufs = Buffers(max_bytes=1 << 20, reserve_bytes=1 << 20)
    pool = bufs.pool(like)
    held = [bufs.take_from(pool, like) for _ in range(3)]  # none free: three misses
    assert pool.missed == 3 and bufs.stock() == 3 and len(pool) == 3
    assert bufs.stock() == 0  # full: nothing more
    for buf in pool:
        assert (buf.shape, buf.dtype) == (like.shape, like.dtype) and buf.flags.c_contiguous
        assert (buf.ctypes.data - like.ctypes.data) % 4096 == 2048  # as fresh_copy places
    taken = [bufs.take_from(pool, like + i) for i in range(2)]
    assert pool.missed == 3 and bufs.stock() == 2 and len(pool) == 3  # refilled
    for i, buf in enumerate(taken):
        assert np.array_equal(buf, like + i)
    # No buffer is two values at once: every one held or free is its own memory.
    every = [*held, *taken, *pool]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(every) for b in every[i + 1:])


def test_the_reserve_is_bounded_and_given_back_buffers_go_first() -> None:
    like = np.zeros((8, 8, 3), np.uint8)
    bufs = Buffers(max_bytes=4 * 192, reserve_bytes=2 * 192)
    pool = bufs.pool(like)
    for _ in range(5):
        bufs.take_from(pool, like)
    assert bufs.stock() == 2 and pool.reserve == 2  # reserve_bytes: two of 192 bytes
    back = fresh_copy(like)
    bufs.give(back)
    assert bufs.take_from(pool, like + 1) is back  # the warm one, not a stocked one
    bufs.give(fresh_copy(like))
    bufs.give(fresh_copy(like))  # four held: the bound
    assert bufs.held == 4 * 192
    bufs.take_from(pool, like)
    bufs.take_from(pool, like)
    assert bufs.stock() == 0  # two free: the reserve is there
    other = bufs.pool(np.zeros((4, 4), np.float64))
    bufs.take_from(other, np.zeros((4, 4)))
    bufs.give(fresh_copy(like))
    bufs.give(fresh_copy(like))  # the bound again
    assert bufs.stock() == 0 and not other  # no room under max_bytes: none made


def test_a_write_that_finds_no_buffer_wakes_the_flushers() -> None:
    like = np.zeros((8, 8, 3), np.uint8)
    bufs = Buffers()
    wake = threading.Event()
    bufs.wakers.append(wake)
    pool = bufs.pool(like)
    pool.append(fresh_copy(like))
    bufs.take_from(pool, like)
    assert not wake.is_set()  # one was free
    bufs.take_from(pool, like)
    assert wake.is_set()


def test_no_memory_for_the_reserve_leaves_it_short_and_raises_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    like = np.zeros((8, 8, 3), np.uint8)
    bufs = Buffers()
    pool = bufs.pool(like)
    bufs.take_from(pool, like)

    def no_memory(*_args: object, **_kwargs: object) -> np.ndarray:
        raise MemoryError

    monkeypatch.setattr(buffers, "_placed", no_memory)
    assert bufs.stock() == 0 and not pool and pool.reserve == 1  # tried again next time
