"""validate.prepare_arrays, the write fast path for numpy media arrays: it queues what
`prepare` makes of the same write, or leaves the write to `prepare` (None), never
copying before the whole write is checked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from streamvis.logger.buffers import BUFFERS
from streamvis.logger.media import MediaValue
from streamvis.logger.validate import Prepared, SeriesState, prepare, prepare_arrays
from streamvis.model.schema import FieldType


def _state(**fields: str) -> SeriesState:
    return SeriesState.build("samples", tuple(fields),
                             {f: FieldType(t) for f, t in fields.items()})


def _img(shape: tuple[int, ...] = (8, 6, 3), dtype: Any = np.uint8, seed: int = 0) -> Any:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(dtype)


def _same(fast: Prepared, slow: Prepared, media: tuple[str, ...]) -> None:
    assert (fast.shape, fast.rows, fast.nbytes) == (slow.shape, slow.rows, slow.nbytes)
    assert fast.values.keys() == slow.values.keys()
    for name, value in fast.values.items():
        other = slow.values[name]
        if name in media:
            assert isinstance(value, MediaValue) and isinstance(other, MediaValue)
            assert (value.form, value.count, value.layout, value.shape) == \
                (other.form, other.count, other.layout, other.shape)
            assert np.array_equal(value.source, other.source)
            assert value.source.dtype == other.source.dtype
        else:
            assert value == other and type(value) is type(other)


@pytest.mark.parametrize("img", [
    _img(),  # HWC
    _img((3, 8, 6)),  # CHW
    _img((8, 6)),  # HW
    _img((4, 8, 6, 3)),  # a batch of 4: 4 rows
    _img((8, 6, 4)).astype(np.float32) / 255,  # float in [0, 1]
    _img((12, 6, 3))[::2],  # a strided view: copied whole
], ids=["hwc", "chw", "hw", "batch", "float", "view"])
def test_the_fast_path_queues_what_prepare_does(img: Any) -> None:
    st = _state(step="int", loss="float", caption="string", img="image")
    assert st.one_array == "img"  # the second write takes the one-array lines
    for i in range(2):  # the second write finds the form the first one left
        write = {"step": i, "loss": 0.5, "caption": "c", "img": img}
        fast = prepare_arrays(st, dict(write))
        assert fast is not None
        _same(fast, prepare(st, dict(write)), ("img",))
        assert st.forms["img"].shape == img.shape


def test_the_queued_value_is_a_copy() -> None:
    st = _state(step="int", img="image")
    img = _img(seed=1)
    want = img.copy()
    prepared = prepare_arrays(st, {"step": 0, "img": img})
    assert prepared is not None
    img[:] = 0  # the caller reuses its array
    assert np.array_equal(prepared.values["img"].source, want)  # type: ignore[attr-defined]


def test_a_released_buffer_serves_the_next_write_of_its_form() -> None:
    st = _state(step="int", img="image")
    first = prepare_arrays(st, {"step": 0, "img": _img((5, 7, 3), seed=2)})
    assert first is not None
    value: MediaValue = first.values["img"]  # type: ignore[assignment]
    buf = value.source
    value.release()  # encoded: given back to BUFFERS
    assert any(b is buf for b in st.forms["img"].pool)
    second = prepare_arrays(st, {"step": 1, "img": _img((5, 7, 3), seed=3)})
    assert second is not None
    assert second.values["img"].source is buf  # type: ignore[attr-defined]
    assert np.array_equal(buf, _img((5, 7, 3), seed=3))
    second.values["img"].release()  # type: ignore[attr-defined]
    assert BUFFERS.held >= buf.nbytes


@pytest.mark.parametrize("write", [
    {"step": np.int64(1), "img": _img()},  # a numpy scalar: prepare converts it
    {"step": 2**64, "img": _img()},  # beyond 64 bits: prepare refuses it
    {"step": 1, "img": _img(dtype=np.int32)},  # refused by prepare, with the reason
    {"step": 1, "img": _img((8, 6, 5))},  # no layout
    {"step": 1, "img": [[1, 2], [3, 4]]},  # a list
    {"step": 1, "image": _img()},  # no such field
    {"step": 1, "img": b"\x89PNG\r\n\x1a\n"},  # bytes: prepare checks them
], ids=["numpy-step", "big-int", "int32", "channels", "list", "field", "bytes"])
def test_anything_else_is_left_to_prepare(write: dict[str, Any]) -> None:
    st = _state(step="int", img="image")
    assert prepare_arrays(st, {"step": 0, "img": _img()}) is not None  # a form is known
    held = BUFFERS.held
    assert prepare_arrays(st, dict(write)) is None
    assert BUFFERS.held == held  # nothing taken


def test_a_bad_array_after_good_ones_is_checked_again() -> None:
    st = _state(step="int", img="image")
    assert prepare_arrays(st, {"step": 0, "img": _img()}) is not None
    huge = np.broadcast_to(np.zeros(1, np.uint8), (100_000, 100_000, 3))
    assert prepare_arrays(st, {"step": 1, "img": huge}) is None  # refused before a copy
    assert prepare_arrays(st, {"step": 2, "img": _img(dtype=np.uint16)}) is None


def test_two_array_fields_of_different_batch_shapes_go_to_prepare() -> None:
    st = _state(step="int", a="image", b="image")
    batch, one = _img((2, 8, 6, 3)), _img()
    assert prepare_arrays(st, {"step": 0, "a": batch, "b": one}) is None
    slow = prepare(st, {"step": 0, "a": batch, "b": one})  # broadcast there: 2 rows
    assert slow.rows == 2
    fast = prepare_arrays(st, {"step": 0, "a": batch, "b": batch})
    assert fast is not None
    _same(fast, prepare(st, {"step": 0, "a": batch, "b": batch}), ("a", "b"))


def test_a_series_with_an_audio_field_has_no_array_path() -> None:
    assert _state(step="int", clip="audio", img="image").arrays == ()
    assert _state(step="int", loss="float").arrays == ()
    assert _state(step="int", img="image").arrays == (("img", "image"),)


def test_the_memory_bound_counts_an_array_at_its_own_width() -> None:
    state = _state(step="int", x="float")
    narrow = prepare(state, {"step": 1, "x": np.zeros(10_000, np.float32)})
    wide = prepare(state, {"step": 1, "x": np.zeros(10_000, np.float64)})
    # A broadcast scalar is one value; float32 holds 4 bytes a value, float64 8.
    assert wide.nbytes - narrow.nbytes == 40_000
    assert 40_000 <= narrow.nbytes < 41_000


@pytest.mark.parametrize("make", [
    torch.from_numpy,
    lambda a: torch.from_numpy(a.astype(np.float32) / 255).requires_grad_(),
    lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))),  # CHW
    lambda a: torch.from_numpy(np.stack([a, a[::-1]])),  # a batch of 2
], ids=["uint8", "float-grad", "chw", "batch"])
def test_a_cpu_torch_tensor_takes_the_fast_path_and_queues_what_prepare_does(make: Any) -> None:
    st = _state(step="int", img="image")
    tensor = make(_img())
    for i in range(2):
        fast = prepare_arrays(st, {"step": i, "img": tensor})
        assert fast is not None
        slow = prepare(st, {"step": i, "img": tensor})
        assert (fast.shape, fast.rows, fast.nbytes) == (slow.shape, slow.rows, slow.nbytes)
        got, want = fast.values["img"], slow.values["img"]
        assert isinstance(got, MediaValue) and isinstance(want, MediaValue)
        assert (got.form, got.count, got.layout) == (want.form, want.count, want.layout)
        assert type(got.source) is np.ndarray  # copied to the host now, not at flush
        assert np.array_equal(got.on_host(), want.on_host())
        assert got.on_host().dtype == want.on_host().dtype
    assert isinstance(got, MediaValue)
    before = got.source.copy()
    with torch.no_grad():
        tensor.mul_(0)  # the caller reuses its tensor: the queued value stays
    assert np.array_equal(got.source, before)


@pytest.mark.parametrize("make", [
    lambda: torch.zeros((8, 6, 3), dtype=torch.bfloat16),  # no numpy dtype
    lambda: torch.zeros((8, 6, 3), dtype=torch.int32),  # refused by prepare, with the reason
    lambda: torch.nn.Parameter(torch.zeros((8, 6, 3))),  # a subclass
    lambda: torch.zeros((8, 6, 3)).to_sparse(),
], ids=["bfloat16", "int32", "parameter", "sparse"])
def test_other_torch_tensors_are_left_to_prepare(make: Any) -> None:
    st = _state(step="int", img="image")
    held = BUFFERS.held
    assert prepare_arrays(st, {"step": 0, "img": make()}) is None
    assert BUFFERS.held == held
