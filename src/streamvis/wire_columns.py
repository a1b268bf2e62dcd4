"""Columns on the wire: Arrow arrays and numpy arrays to and from `pb.Column`.

Beside wire.py (fields, runs, filters, events), for the data itself. Numeric columns
travel as packed little-endian buffers (see proto/streamvis/v1/service.proto), which map
to numpy and Arrow without a per-value loop; a column of long runs of one value (steps,
run ids) travels as those runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from google.protobuf.internal.containers import RepeatedCompositeFieldContainer

from streamvis.model.arrays import bools, numbers, strings
from streamvis.model.errors import InvalidArgumentError
from streamvis.v1 import service_pb2 as pb

_INT64_LE = np.dtype("<i8")
_FLOAT64_LE = np.dtype("<f8")
_FLOAT32_LE = np.dtype("<f4")
_INT32_LE = np.dtype("<i4")
#: A column is sent as runs when it has at most this share of runs to rows.
_RUNS_SHARE = 8


def runs_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, ends) of the runs of equal values in an int column, when there are few
    (a step broadcast to each write's points); None when plain packing is as small."""
    n = len(values)
    if not runs_pay(0, n, single_at_both_ends=n >= 2 and bool(
            values[0] != values[1] and values[-2] != values[-1])):
        return None  # a quick look first: a counting column has no runs at either end
    starts = np.flatnonzero(values[1:] != values[:-1]) + 1
    if not runs_pay(len(starts) + 1, n):
        return None
    ends = np.append(starts, n).astype(_INT32_LE)
    return values[ends - 1].astype(_INT64_LE), ends


def runs_pay(runs: int, rows: int, *, single_at_both_ends: bool = False) -> bool:
    """Whether `rows` sent as `runs` runs is worth it: enough rows, few enough runs, and
    not a run of one row at each end (a counting column, told at a glance)."""
    return rows >= 2 * _RUNS_SHARE and not single_at_both_ends and \
        runs <= rows // _RUNS_SHARE


def _named(name: str, into: pb.Column | None) -> pb.Column:
    """`into` (a column already inside its request) named `name`, or a new column.

    Filling the request's own column copies each buffer once. A column built apart and
    then put into a request (`columns=[...]`, `extend`, `append`) is copied whole again,
    and with upb that copy is slow: 6.5-7.5 ms for the two 4 MB columns of an 8 MB
    append, all of it holding the interpreter lock, so a logging program's `write`
    waited for it (decision 0052).
    """
    if into is None:
        return pb.Column(field=name)
    into.field = name
    return into


def runs_to_pb(
    name: str, values: np.ndarray, ends: np.ndarray, into: pb.Column | None = None,
) -> pb.Column:
    """An int column as runs: `values[i]` on the rows before `ends[i]` (`into`: the
    request's own column to fill, see `_named`)."""
    col = _named(name, into)
    col.run_ends.values = values.astype(_INT64_LE, copy=False).tobytes()
    col.run_ends.ends = ends.astype(_INT32_LE, copy=False).tobytes()
    return col


def column_to_pb(
    name: str, array: pa.Array | np.ndarray, into: pb.Column | None = None,
) -> pb.Column:
    """Pack one column. Arrow arrays and numpy arrays of the four types are accepted.

    `into`: the request's own column to fill (`add_columns`), rather than a new one.
    """
    if isinstance(array, pa.Array):
        if pa.types.is_run_end_encoded(array.type):
            ree: Any = array
            return runs_to_pb(name, ree.values.to_numpy(), ree.run_ends.to_numpy(), into)
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            col = _named(name, into)
            col.strings.values.extend(array.to_pylist())
            return col
        array = array.to_numpy(zero_copy_only=False)
    kind = array.dtype.kind
    if kind == "b":
        col = _named(name, into)
        col.bools = array.astype(np.uint8, copy=False).tobytes()
        return col
    if kind in "iu":
        if kind == "u" and array.dtype.itemsize == 8 and array.size and array.max() >= 2**63:
            raise InvalidArgumentError(
                f"column {name!r} holds unsigned values of 2**63 or more, which a 64-bit int "
                "field cannot hold: convert them to int64 or float first"
            )
        col = _named(name, into)
        col.ints = array.astype(_INT64_LE, copy=False).tobytes()
        return col
    if kind == "f":
        # float32 keeps the width it was logged at; every other float goes as float64.
        narrow = array.dtype.itemsize == _FLOAT32_LE.itemsize
        data = array.astype(_FLOAT32_LE if narrow else _FLOAT64_LE, copy=False).tobytes()
        col = _named(name, into)
        setattr(col, "floats32" if narrow else "floats", data)
        return col
    if kind in "UO":
        col = _named(name, into)
        col.strings.values.extend([str(v) for v in array])
        return col
    raise InvalidArgumentError(
        f"column {name!r} has dtype {array.dtype}, which is none of int, float, string, bool"
    )


def add_columns(
    columns: RepeatedCompositeFieldContainer[pb.Column],
    values: Iterable[tuple[str, pa.Array | np.ndarray]],
) -> None:
    """Pack each (name, column) into a message's own repeated `columns`, in place."""
    for name, array in values:
        column_to_pb(name, array, columns.add())


def _unpack(name: str, data: bytes, dtype: np.dtype[np.generic], what: str) -> np.ndarray:
    if len(data) % dtype.itemsize:
        raise InvalidArgumentError(
            f"column {name!r}: {what} buffer of {len(data)} bytes is not a whole number "
            f"of {dtype.itemsize}-byte values: pack {what} as little-endian {dtype.itemsize}-byte"
            " values"
        )
    return np.frombuffer(data, dtype=dtype)


def _arrow(name: str, data: bytes, dtype: np.dtype[np.generic], what: str,
           type_: pa.DataType) -> pa.Array:
    """Packed little-endian values as an Arrow array over the request's own bytes
    (`numbers` wraps them without a copy on a little-endian machine)."""
    return numbers(_unpack(name, data, dtype, what), type_)


def column_from_pb(col: pb.Column) -> pa.Array:
    """Unpack one column into an Arrow array (zero-copy for numbers)."""
    kind = col.WhichOneof("data")
    if kind == "ints":
        return _arrow(col.field, col.ints, _INT64_LE, "int", pa.int64())
    if kind == "floats":
        return _arrow(col.field, col.floats, _FLOAT64_LE, "float", pa.float64())
    if kind == "floats32":
        return _arrow(col.field, col.floats32, _FLOAT32_LE, "float32", pa.float32())
    if kind == "run_ends":
        return _runs_from_pb(col)
    if kind == "bools":
        raw = np.frombuffer(col.bools, dtype=np.uint8)
        if raw.size and raw.max() > 1:
            raise InvalidArgumentError(
                f"column {col.field!r}: bool bytes must each be 0 or 1"
            )
        return bools(raw)
    if kind == "strings":
        return strings(col.strings.values)  # not pa.array: see model/arrays.py
    raise InvalidArgumentError(f"column {col.field!r} carries no values: set one data kind")


def _runs_from_pb(col: pb.Column) -> pa.Array:
    values = _unpack(col.field, col.run_ends.values, _INT64_LE, "run value")
    ends = _unpack(col.field, col.run_ends.ends, _INT32_LE, "run end")
    if len(values) != len(ends) or not len(ends) or ends[0] <= 0 or \
            (len(ends) > 1 and bool(np.any(ends[1:] <= ends[:-1]))):
        raise InvalidArgumentError(
            f"column {col.field!r}: runs need one value per end and ends that rise from "
            "above 0: send run ends as the ascending row each run ends before"
        )
    return pa.RunEndEncodedArray.from_arrays(
        _arrow(col.field, col.run_ends.ends, _INT32_LE, "run end", pa.int32()),
        _arrow(col.field, col.run_ends.values, _INT64_LE, "run value", pa.int64()),
    )


#: Bytes per row of each packed wire column (strings are a list, one value per row).
_ROW_BYTES = {"ints": _INT64_LE.itemsize, "floats": _FLOAT64_LE.itemsize,
              "floats32": _FLOAT32_LE.itemsize, "bools": 1}


def column_rows(col: pb.Column) -> int:
    """Rows a packed column holds, without unpacking it."""
    kind = col.WhichOneof("data")
    if kind == "strings":
        return len(col.strings.values)
    if kind == "run_ends":
        ends = col.run_ends.ends
        return int(np.frombuffer(ends[-4:], dtype=_INT32_LE)[0]) if len(ends) >= 4 else 0
    if kind in _ROW_BYTES:
        return len(getattr(col, kind)) // _ROW_BYTES[kind]
    return 0


def slice_column(col: pb.Column, start: int, end: int,
                 into: pb.Column | None = None) -> pb.Column:
    """Rows [start, end) of a packed column, still packed (no copy through numpy);
    `into`: the request's own column to fill (`_named`)."""
    out = _named(col.field, into)
    kind = col.WhichOneof("data")
    if kind == "strings":
        out.strings.values.extend(col.strings.values[start:end])
    elif kind == "run_ends":
        values = np.frombuffer(col.run_ends.values, dtype=_INT64_LE)
        ends = np.frombuffer(col.run_ends.ends, dtype=_INT32_LE)
        first = int(np.searchsorted(ends, start, side="right"))
        last = int(np.searchsorted(ends, end, side="left"))
        kept = np.minimum(ends[first:last + 1], end) - start
        out.run_ends.values = values[first:last + 1].tobytes()
        out.run_ends.ends = kept.astype(_INT32_LE).tobytes()
    elif kind in _ROW_BYTES:
        size = _ROW_BYTES[kind]
        setattr(out, kind, getattr(col, kind)[start * size:end * size])
    return out


def columns_from_pb(columns: Iterable[pb.Column]) -> dict[str, pa.Array]:
    """Unpack a request's columns, refusing a field given twice."""
    result: dict[str, pa.Array] = {}
    for col in columns:
        if col.field in result:
            raise InvalidArgumentError(
                f"field {col.field!r} is given more than once: give each field once"
            )
        result[col.field] = column_from_pb(col)
    return result


def batch_to_pb(batch: pa.RecordBatch) -> list[pb.Column]:
    # The server's replies (service/streams.py): columns built apart, then copied in.
    # A request a logging program builds is filled in place instead (`add_columns`).
    return [column_to_pb(name, batch.column(i)) for i, name in enumerate(batch.schema.names)]


def batch_from_pb(columns: Sequence[pb.Column]) -> pa.RecordBatch:
    arrays = columns_from_pb(columns)
    return pa.RecordBatch.from_arrays(list(arrays.values()), names=list(arrays))
