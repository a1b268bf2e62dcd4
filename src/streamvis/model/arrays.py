"""Arrow arrays built from their buffers, for the paths a reading program takes.

`pa.array` looks at what it is given through pyarrow's pandas shim, and that shim imports
pandas on its first use wherever pandas is installed: 0.32-0.38 s and 52 MB of memory,
once per process, measured here. A program that only reads (a notebook fetching a run
after training, `streamvis export`) paid both on its first `fetch`, for an import it never
used (decision 0053). These build the same arrays from numpy buffers, without a copy
where the buffer is already the array's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from streamvis.model.schema import Value

#: Bytes one `string` array (32-bit offsets) can hold.
MAX_STRING_BYTES = 2**31 - 1


def numbers(values: np.ndarray, type_: pa.DataType) -> pa.Array:
    """A numpy array of ints or floats as an Arrow array of `type_` (of that width).

    The values are made contiguous, native-endian and of `type_`'s own numpy type first
    (a copy only where they are not already).
    """
    native = np.ascontiguousarray(values, dtype=_numpy_type(type_).newbyteorder("="))
    return pa.Array.from_buffers(type_, len(native), [None, pa.py_buffer(native)])


def bools(values: np.ndarray) -> pa.Array:
    """A numpy array of truth values (bools, or ints where non-zero is true) as an
    Arrow `bool` array (bits, least first)."""
    bits = np.packbits(values, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def strings(texts: Sequence[str]) -> pa.Array:
    """Python strings as an Arrow `string` array (no nulls)."""
    joined = "".join(texts)
    if joined.isascii():  # a character a byte: lengths and bytes at once, in C
        data, lengths = joined.encode("ascii"), map(len, texts)
    else:
        encoded = [t.encode() for t in texts]
        data, lengths = b"".join(encoded), map(len, encoded)
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(np.fromiter(lengths, np.int64, len(texts)), out=offsets[1:])
    if offsets[-1] > MAX_STRING_BYTES:
        return pa.array(list(texts), pa.string())  # more than one array holds
    return pa.Array.from_buffers(pa.string(), len(texts), [
        None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)])


def repeated(value: Value, type_: pa.DataType, rows: int) -> pa.Array:
    """`value` on `rows` rows as an array of `type_` (int, float, bool or string)."""
    if pa.types.is_string(type_):
        data = str(value).encode()
        if len(data) * rows > MAX_STRING_BYTES:
            return pa.repeat(pa.scalar(value, type_), rows)
        offsets = np.arange(rows + 1, dtype=np.int32) * np.int32(len(data))
        return pa.Array.from_buffers(
            type_, rows, [None, pa.py_buffer(offsets), pa.py_buffer(data * rows)])
    if pa.types.is_boolean(type_):
        return bools(np.full(rows, bool(value)))
    return numbers(np.full(rows, value, dtype=_numpy_type(type_)), type_)


def values(items: Sequence[Value | None]) -> pa.Array:
    """Python values of one kind (ints, floats, bools or strings) with None for null,
    as the array `pa.array` would infer: ints with floats as float64, all None as
    null. Anything else (kinds mixed) goes through `pa.array` itself, and so refuses
    or converts as it does."""
    kinds = {type(v) for v in items if v is not None}
    if not kinds:
        return pa.nulls(len(items))
    missing = np.fromiter((v is None for v in items), np.bool_, len(items))
    if kinds == {str}:
        built = strings([v if isinstance(v, str) else "" for v in items])
    elif kinds == {bool}:
        built = bools(np.fromiter((bool(v) for v in items), np.bool_, len(items)))
    elif kinds == {int}:
        built = numbers(np.array([0 if v is None else v for v in items], np.int64), pa.int64())
    elif kinds <= {int, float}:
        built = numbers(np.array([np.nan if v is None else v for v in items], np.float64),
                        pa.float64())
    else:
        return pa.array(list(items))
    if not missing.any():
        return built
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(built.type, len(items), [valid, *built.buffers()[1:]],
                                 int(missing.sum()))


def _numpy_type(type_: pa.DataType) -> np.dtype[np.generic]:
    if pa.types.is_integer(type_) or pa.types.is_floating(type_):
        kind = "i" if pa.types.is_signed_integer(type_) else (
            "u" if pa.types.is_integer(type_) else "f")
        return np.dtype(f"{kind}{type_.bit_width // 8}")
    raise TypeError(f"{type_} is not a number type")
