"""logger/buffers.py: the copy buffers of media arrays, and where a new one is placed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

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
