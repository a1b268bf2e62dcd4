"""Tensor adapters: what `write` keeps of a value, and how a flush brings it to the host.

At write time a value is *snapshotted* — made immune to later in-place changes by the
caller — without leaving its device and without waiting for it:

- Python scalars and strings are immutable: kept as they are.
- lists and tuples become a new numpy array (that conversion is the copy).
- numpy arrays are copied (`ndarray.copy`); numpy scalars are immutable.
- torch tensors get `detach().clone()`: a device-side copy, queued on the caller's
  current stream like any other kernel, so it neither copies to the host nor waits.
- jax arrays are immutable: kept by reference, and on an accelerator their copy to
  the host is started (`copy_to_host_async`), which queues it behind the computation
  without waiting for it.

At flush time the torch values of one field are broadcast to their write's shape and
concatenated on their own device, then copied to the host once (`to_host_column`); jax
values are taken from the host copies their writes started (`jax_to_host`) and joined
there, as a device-side concatenate would compile anew for each count of parts.

torch and jax are never imported here unless the caller has already passed one of
their arrays (found by the module name of the value's type), so `import streamvis`
stays light.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.types import TYPES, FieldType

#: dtype kinds: i signed int, u unsigned int, f float, b bool, U str.
Kind = str

_PY_KIND: dict[type, Kind] = {bool: "b", int: "i", float: "f", str: "U"}
_EMPTY_SHAPE: tuple[int, ...] = ()


class Snapshot:
    """One value as `write` keeps it: the frozen object, its shape and dtype kind."""

    __slots__ = ("kind", "shape", "value")

    def __init__(self, value: object, shape: tuple[int, ...], kind: Kind) -> None:
        self.value = value
        self.shape = shape
        self.kind = kind


def _framework(tp: type) -> str:
    module = tp.__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith(("jax", "jaxlib")):
        return "jax"
    return ""


#: Each torch dtype's kind, found once (a write of a tensor looks it up).
_TORCH_KINDS: dict[Any, Kind] = {}


def _torch_kind(dtype: Any) -> Kind:
    kind = _TORCH_KINDS.get(dtype)
    if kind is None:
        if dtype.is_complex:
            kind = "c"
        elif dtype.is_floating_point:
            kind = "f"
        elif str(dtype) == "torch.bool":
            kind = "b"
        else:
            kind = "u" if str(dtype) == "torch.uint8" else "i"
        _TORCH_KINDS[dtype] = kind
    return kind


def _describe(value: object) -> str:
    tp = type(value)
    dtype = getattr(value, "dtype", None)
    name = f"{tp.__module__}.{tp.__qualname__}" if tp.__module__ != "builtins" else tp.__name__
    return f"{name} of dtype {dtype}" if dtype is not None else name


def snapshot(value: object) -> Snapshot:  # noqa: PLR0911 - one return per kind of value
    """Freeze `value` on its device; raise InvalidArgumentError for what cannot be logged."""
    tp = type(value)
    kind = _PY_KIND.get(tp)
    if kind is not None:
        return Snapshot(value, _EMPTY_SHAPE, kind)
    if isinstance(value, np.ndarray):
        return _numpy(value.copy(), value)
    if isinstance(value, np.generic):
        return _numpy(np.asarray(value), value)
    if isinstance(value, list | tuple):
        try:
            arr = np.asarray(value)
        except ValueError as exc:  # ragged nesting
            raise InvalidArgumentError(f"list value is not rectangular ({exc})") from None
        if arr.dtype.kind == "O" and not all(isinstance(v, str) for v in arr.flat):
            raise InvalidArgumentError(
                "list value mixes types or holds objects: give numbers, bools or strings"
            )
        return _numpy(arr, value)
    if isinstance(value, bool | int | float | str):  # subclasses of the Python scalars
        return snapshot(_PY_BASE[next(t for t in _PY_BASE if isinstance(value, t))](value))
    framework = _framework(tp)
    if framework == "torch":
        return _torch(value)
    if framework == "jax":
        return _jax(value)
    raise InvalidArgumentError(
        f"cannot log a {_describe(value)}: give a Python scalar, str, list, numpy array, "
        "torch tensor or jax array"
    )


_PY_BASE: dict[type, type] = {bool: bool, int: int, float: float, str: str}


def _numpy(arr: np.ndarray, original: object) -> Snapshot:
    kind = arr.dtype.kind
    if kind == "O":
        if not all(isinstance(v, str) for v in arr.flat):
            raise InvalidArgumentError(f"cannot log a {_describe(original)} of Python objects")
        kind = "U"
    elif kind not in "iufbU":
        raise InvalidArgumentError(f"cannot log a {_describe(original)}: unsupported dtype")
    return Snapshot(arr, arr.shape, kind)


def _torch(value: Any) -> Snapshot:
    torch = sys.modules["torch"]
    if not isinstance(value, torch.Tensor):
        raise InvalidArgumentError(f"cannot log a {_describe(value)}")
    kind = _torch_kind(value.dtype)
    if kind == "c":
        raise InvalidArgumentError(f"cannot log a complex {_describe(value)}")
    # A device-side copy: the caller may change `value` in place after write returns.
    copy = value.detach().clone()
    if copy.is_cuda:
        # The copy is queued on the caller's current stream; the flush must read it on
        # that same stream, or it could read the buffer before the copy has run.
        copy = CudaValue(copy, _current_stream(torch, copy.device.index))
    return Snapshot(copy, tuple(value.shape), kind)


def _current_stream(torch: Any, device: int) -> Any:
    """The current stream of CUDA device `device`, as a key `cuda_stream` turns into a
    stream on the flusher: torch's own (stream id, device, type) triple where it gives
    one. `torch.cuda.current_stream` builds a Stream object per call, 5 µs of a write
    (measured on an H200 with torch 2.11: a write of one 0-d tensor was 41 µs, its
    clone 13)."""
    get = getattr(torch._C, "_cuda_getCurrentStream", None)  # noqa: SLF001
    if get is None:
        return torch.cuda.current_stream(device)
    return tuple(get(device))


def cuda_stream(key: Any) -> Any:
    """The stream a `CudaValue`'s copy was queued on (`_current_stream`'s key)."""
    if not isinstance(key, tuple):
        return key
    torch = sys.modules["torch"]
    return torch.cuda.Stream(stream_id=key[0], device_index=key[1], device_type=key[2])


def host_view(value: object) -> np.ndarray | None:
    """`value` as a numpy array sharing its memory, if it is one or a CPU torch tensor;
    else None (a GPU tensor, a jax array, anything else).

    For the media fast path (validate.prepare_arrays), which copies the view at once
    into a buffer of its own: the same freeze as `_torch`'s clone, a host copy made now
    instead of at flush. Only a plain CPU `torch.Tensor` of a dtype numpy has qualifies;
    a GPU tensor is never touched here (`.device` reads no data and waits for nothing).
    jax arrays are not: immutable, they are kept by reference (`kept_jax`).
    """
    tp = type(value)
    if tp is np.ndarray:
        return value  # type: ignore[return-value]
    if tp.__module__ != "torch" or tp.__name__ != "Tensor":
        return None
    t: Any = value
    if t.device.type != "cpu":
        return None
    try:
        view = (t.detach() if t.requires_grad else t).numpy()
    except (RuntimeError, TypeError):  # bfloat16, conjugate or negative views, sparse
        return None
    return view  # type: ignore[no-any-return]


class CudaValue:
    """A CUDA tensor snapshot with the stream its copy was queued on (a key: `cuda_stream`
    makes it a stream)."""

    __slots__ = ("stream", "tensor")

    def __init__(self, tensor: Any, stream: Any) -> None:
        self.tensor = tensor
        self.stream = stream


def _jax(value: Any) -> Snapshot:
    jax = sys.modules.get("jax")
    if jax is None or not isinstance(value, jax.Array):
        raise InvalidArgumentError(f"cannot log a {_describe(value)}")
    if isinstance(value, jax.core.Tracer):
        raise InvalidArgumentError(
            "cannot log a traced jax value (inside jit/grad/vmap): return it and log it outside"
        )
    kind = np.dtype(value.dtype).kind
    if kind not in "iufb":
        raise InvalidArgumentError(f"cannot log a {_describe(value)}: unsupported dtype")
    # jax arrays are immutable, so the reference is already a snapshot.
    _start_host_copy(value)
    return Snapshot(value, tuple(value.shape), kind)


def _start_host_copy(value: Any) -> None:
    if not _on_host(value.sharding):
        value.copy_to_host_async()  # queued behind the computation: nothing waits here


#: The types of concrete jax arrays seen (jaxlib's ArrayImpl): not tracers.
_JAX_ARRAYS: set[type] = set()


def kept_jax(value: object) -> bool:
    """Whether `value` is a concrete jax array, its copy to the host started: for the
    media fast path (validate.prepare_arrays), which keeps it by reference as `_jax`
    does. A tracer, or anything else, is left to `snapshot` (which refuses tracers)."""
    tp = type(value)
    if tp not in _JAX_ARRAYS:
        jax = sys.modules.get("jax") if _framework(tp) == "jax" else None
        if jax is None or not issubclass(tp, jax.Array) or issubclass(tp, jax.core.Tracer):
            return False
        _JAX_ARRAYS.add(tp)
    _start_host_copy(value)
    return True


#: Whether a jax sharding's devices are all CPUs, by sharding: its arrays are on the host
#: already, and `copy_to_host_async` would cost 11 µs for nothing (2 µs to ask a device).
_HOST_SHARDINGS: dict[object, bool] = {}


def _on_host(sharding: Any) -> bool:
    known = _HOST_SHARDINGS.get(sharding)
    if known is None:
        if len(_HOST_SHARDINGS) >= 64:  # a program that makes shardings on the fly
            _HOST_SHARDINGS.clear()
        known = _HOST_SHARDINGS[sharding] = all(
            d.platform == "cpu" for d in sharding.device_set
        )
    return known


# -- flush side ----------------------------------------------------------------------------

def jax_to_host(value: Any) -> np.ndarray:
    """A jax array on the host, on the flusher: waits only for the copy its write
    started (or, on a CPU, for nothing). The one place a jax value is converted."""
    return np.asarray(value)


def _torch_to_host(parts: list[Any], stream: Any) -> np.ndarray:
    torch = sys.modules["torch"]
    if stream is not None:
        with torch.cuda.stream(cuda_stream(stream)):
            return _torch_to_host(parts, None)
    dtype = parts[0].dtype
    for p in parts[1:]:
        dtype = torch.promote_types(dtype, p.dtype)
    flat = torch.cat([p.to(dtype) for p in parts]) if len(parts) > 1 else parts[0]
    if dtype in (torch.bfloat16,):
        flat = flat.float()  # numpy has no bfloat16; widening on device is cheap
    # The one device-to-host copy of this field (on this device).
    return flat.cpu().numpy()  # type: ignore[no-any-return]


def to_host_column(
    values: Sequence[object], shapes: Sequence[tuple[int, ...]], dtype: np.dtype[Any] | None,
    narrow: np.dtype[Any] | None = None,
) -> np.ndarray:
    """One field's values, each broadcast to its write's shape, flattened and concatenated.

    torch device values are concatenated per stream and copied to the host in one
    transfer each; jax values come from the host copies their writes started; host
    values never leave the host. The result has the field's wire
    dtype (the field type's row's: int64, float64, bool, or str); None keeps the values'
    kind, as the type a provisional field would be guessed to have. `narrow` (the type's
    Narrow dtype, float32 for float) is kept when every value fits it exactly: a float32
    array stays float32, and one Python float among them widens the column.
    """
    host: list[np.ndarray | None] = [None] * len(values)
    groups: dict[object, list[tuple[int, Any]]] = {}  # torch values, by CUDA stream
    for i, (value, shape) in enumerate(zip(values, shapes, strict=True)):
        stream = None
        v = value
        if isinstance(v, CudaValue):
            v, stream = v.tensor, v.stream
        framework = _framework(type(v)) if not isinstance(v, np.ndarray) else ""
        if framework == "torch":
            t: Any = v
            flat = t.reshape(-1) if tuple(t.shape) == shape else t.broadcast_to(shape).reshape(-1)
            groups.setdefault(stream, []).append((i, flat))
        else:
            arr = jax_to_host(v) if framework == "jax" else np.asarray(v)
            host[i] = arr.reshape(-1) if arr.shape == shape else np.broadcast_to(arr, shape).ravel()
    for stream, members in groups.items():
        parts = [p for _, p in members]
        merged = _torch_to_host(parts, stream)
        offset = 0
        for (i, _), p in zip(members, parts, strict=True):
            n = int(np.prod(p.shape))
            host[i] = merged[offset:offset + n]
            offset += n
    chunks = [h for h in host if h is not None]
    out = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    if dtype is None:  # a provisional field: keep the kind the values have
        dtype = (TYPES.guess(out.dtype.kind) or FieldType.INT).row.dtype
    if dtype.kind == "U":
        return out if out.dtype.kind == "U" else out.astype(str)
    if narrow is not None and out.dtype.kind == narrow.kind and \
            out.dtype.itemsize <= narrow.itemsize:
        return out.astype(narrow, copy=False)
    return out.astype(dtype, copy=False)
