"""Conversions between the data model and its protobuf wire form.

Both ends of the gRPC contract use these: the service to read requests and write
replies, the client to do the reverse. Numeric columns travel as packed
little-endian buffers (see proto/streamvis/v1/service.proto), which map to numpy
and Arrow without a per-value loop.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    FieldType,
    Run,
    RunFilter,
    Series,
    Value,
    parse_handle,
)
from streamvis.model.types import TYPES
from streamvis.v1 import service_pb2 as pb

# The numbers of the proto's FieldType enum, which name the four built-in types for
# peers that predate `type_name`; every type travels by name.
_LEGACY_NUMBERS = {"int": pb.FIELD_TYPE_INT, "float": pb.FIELD_TYPE_FLOAT,
                   "string": pb.FIELD_TYPE_STRING, "bool": pb.FIELD_TYPE_BOOL}
_LEGACY_NAMES = {v: k for k, v in _LEGACY_NUMBERS.items()}


def field_type_to_pb(t: FieldType) -> dict[str, Any]:
    """The type fields (`type`, `type_name`) of a Field or CreateFieldRequest."""
    return {"type": _LEGACY_NUMBERS.get(t.value, pb.FIELD_TYPE_UNSPECIFIED), "type_name": t.value}


def field_type_from_pb(number: int, name: str = "") -> FieldType:
    """The type of a Field or CreateFieldRequest: by `type_name`, else the old enum."""
    if name:
        return FieldType.parse(name)
    try:
        return FieldType(_LEGACY_NAMES[number])  # type: ignore[index]
    except KeyError:
        raise InvalidArgumentError(
            f"field type {number} is not one of {', '.join(TYPES.names())}: set the type"
            " (type_name)"
        ) from None


# -- scalars -------------------------------------------------------------------


def value_to_pb(value: Value) -> pb.Value:
    # bool before int: bool is a subclass of int in Python.
    if isinstance(value, bool):
        return pb.Value(bool_value=value)
    if isinstance(value, int):
        return pb.Value(int_value=value)
    if isinstance(value, float):
        return pb.Value(float_value=value)
    if isinstance(value, str):
        return pb.Value(string_value=value)
    raise InvalidArgumentError(
        f"value {value!r} of type {type(value).__name__} is not an int, float, string or bool"
    )


def value_from_pb(value: pb.Value) -> Value:
    kind = value.WhichOneof("kind")
    if kind is None:
        raise InvalidArgumentError("a Value has none of int, float, string, bool set: set one")
    result: Value = getattr(value, kind)
    return result


def values_to_pb(values: Mapping[str, Value]) -> dict[str, pb.Value]:
    return {name: value_to_pb(v) for name, v in values.items()}


def values_from_pb(values: Mapping[str, pb.Value]) -> dict[str, Value]:
    return {name: value_from_pb(v) for name, v in values.items()}


# -- metadata ------------------------------------------------------------------


def field_to_pb(f: Field) -> pb.Field:
    return pb.Field(
        handle=str(f.handle), name=f.name, **field_type_to_pb(f.type),
        description=f.description,
    )


def field_from_pb(f: pb.Field) -> Field:
    return Field(
        handle=uuid.UUID(f.handle), name=f.name, type=field_type_from_pb(f.type, f.type_name),
        description=f.description,
    )


def series_to_pb(s: Series) -> pb.Series:
    return pb.Series(name=s.name, fields=list(s.fields))


def series_from_pb(s: pb.Series) -> Series:
    return Series(name=s.name, fields=tuple(s.fields))


def run_to_pb(r: Run) -> pb.Run:
    return pb.Run(
        handle=str(r.handle), started_at=r.started_at, tags=list(r.tags),
        attributes=values_to_pb(r.attributes),
    )


def run_from_pb(r: pb.Run) -> Run:
    return Run(
        handle=uuid.UUID(r.handle), started_at=r.started_at, tags=tuple(r.tags),
        attributes=values_from_pb(r.attributes),
    )


# -- filters -------------------------------------------------------------------


def condition_to_pb(c: AttributeCondition) -> pb.AttributeCondition:
    if c.equals is not None:
        return pb.AttributeCondition(field=c.field, equals=value_to_pb(c.equals))
    if c.one_of is not None:
        msg = pb.AttributeCondition(field=c.field)
        # `in` is a Python keyword, so the generated field is reached by name.
        getattr(msg, "in").values.extend(value_to_pb(v) for v in c.one_of)
        return msg
    rng = pb.Range()
    if c.min is not None:
        rng.min.CopyFrom(value_to_pb(c.min))
    if c.max is not None:
        rng.max.CopyFrom(value_to_pb(c.max))
    return pb.AttributeCondition(field=c.field, range=rng)


def condition_from_pb(c: pb.AttributeCondition) -> AttributeCondition:
    kind = c.WhichOneof("condition")
    if kind == "equals":
        return AttributeCondition(c.field, equals=value_from_pb(c.equals))
    if kind == "in":
        values = tuple(value_from_pb(v) for v in getattr(c, "in").values)
        return AttributeCondition(c.field, one_of=values)
    if kind == "range":
        lo = value_from_pb(c.range.min) if c.range.HasField("min") else None
        hi = value_from_pb(c.range.max) if c.range.HasField("max") else None
        return AttributeCondition(c.field, min=lo, max=hi)
    raise InvalidArgumentError(
        f"condition on attribute {c.field!r} sets none of equals, in, range: set one"
    )


def filter_to_pb(f: RunFilter) -> pb.RunFilter:
    msg = pb.RunFilter(
        handles=[str(h) for h in f.handles or ()],
        tags_any=f.tags_any, tags_all=f.tags_all, tags_none=f.tags_none,
        attributes=[condition_to_pb(c) for c in f.attributes],
    )
    if f.started_after is not None:
        msg.started_after = f.started_after
    if f.started_before is not None:
        msg.started_before = f.started_before
    return msg


def filter_from_pb(f: pb.RunFilter) -> RunFilter:
    return RunFilter(
        handles=tuple(parse_handle(h) for h in f.handles) if f.handles else None,
        tags_any=tuple(f.tags_any), tags_all=tuple(f.tags_all), tags_none=tuple(f.tags_none),
        attributes=tuple(condition_from_pb(c) for c in f.attributes),
        started_after=f.started_after if f.HasField("started_after") else None,
        started_before=f.started_before if f.HasField("started_before") else None,
    )


# -- columns -------------------------------------------------------------------

_INT64_LE = np.dtype("<i8")
_FLOAT64_LE = np.dtype("<f8")
_FLOAT32_LE = np.dtype("<f4")
_INT32_LE = np.dtype("<i4")
_NATIVE_LE = sys.byteorder == "little"
#: A column is sent as runs when it has at most this share of runs to rows.
_RUNS_SHARE = 8


def runs_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, ends) of the runs of equal values in an int column, when there are few
    (a step broadcast to each write's points); None when plain packing is as small."""
    n = len(values)
    if n < 2 * _RUNS_SHARE or (values[0] != values[1] and values[-2] != values[-1]):
        return None  # a quick look first: a counting column has no runs at either end
    starts = np.flatnonzero(values[1:] != values[:-1]) + 1
    if len(starts) + 1 > n // _RUNS_SHARE:
        return None
    ends = np.append(starts, n).astype(_INT32_LE)
    return values[ends - 1].astype(_INT64_LE), ends


def runs_to_pb(name: str, values: np.ndarray, ends: np.ndarray) -> pb.Column:
    """An int column as runs: `values[i]` on the rows before `ends[i]`."""
    return pb.Column(field=name, run_ends=pb.IntRuns(
        values=values.astype(_INT64_LE, copy=False).tobytes(),
        ends=ends.astype(_INT32_LE, copy=False).tobytes(),
    ))


def column_to_pb(name: str, array: pa.Array | np.ndarray) -> pb.Column:
    """Pack one column. Arrow arrays and numpy arrays of the four types are accepted."""
    if isinstance(array, pa.Array):
        if pa.types.is_run_end_encoded(array.type):
            ree: Any = array
            return runs_to_pb(name, ree.values.to_numpy(), ree.run_ends.to_numpy())
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            return pb.Column(field=name, strings=pb.StringList(values=array.to_pylist()))
        array = array.to_numpy(zero_copy_only=False)
    kind = array.dtype.kind
    if kind == "b":
        return pb.Column(field=name, bools=array.astype(np.uint8, copy=False).tobytes())
    if kind in "iu":
        if kind == "u" and array.dtype.itemsize == 8 and array.size and array.max() >= 2**63:
            raise InvalidArgumentError(
                f"column {name!r} holds unsigned values of 2**63 or more, which a 64-bit int "
                "field cannot hold: convert them to int64 or float first"
            )
        return pb.Column(field=name, ints=array.astype(_INT64_LE, copy=False).tobytes())
    if kind == "f":
        # float32 keeps the width it was logged at; every other float goes as float64.
        narrow = array.dtype.itemsize == _FLOAT32_LE.itemsize
        data = array.astype(_FLOAT32_LE if narrow else _FLOAT64_LE, copy=False).tobytes()
        col = pb.Column(field=name)
        setattr(col, "floats32" if narrow else "floats", data)
        return col
    if kind in "UO":
        return pb.Column(field=name, strings=pb.StringList(values=[str(v) for v in array]))
    raise InvalidArgumentError(
        f"column {name!r} has dtype {array.dtype}, which is none of int, float, string, bool"
    )


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
    """Packed little-endian values as an Arrow array over the request's own bytes.

    `pa.Array.from_buffers` wraps the protobuf bytes without a copy, where
    `pa.array(ndarray)` checks the input and may copy it.
    """
    values = _unpack(name, data, dtype, what)
    if not _NATIVE_LE:
        return pa.array(values.astype(dtype.newbyteorder("="), copy=False), type=type_)
    return pa.Array.from_buffers(type_, len(values), [None, pa.py_buffer(data)])


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
        bits = np.packbits(raw, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), raw.size, [None, pa.py_buffer(bits)])
    if kind == "strings":
        return pa.array(list(col.strings.values), type=pa.string())
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


def slice_column(col: pb.Column, start: int, end: int) -> pb.Column:
    """Rows [start, end) of a packed column, still packed (no copy through numpy)."""
    out = pb.Column(field=col.field)
    kind = col.WhichOneof("data")
    if kind == "strings":
        out.strings.values.extend(col.strings.values[start:end])
    elif kind == "run_ends":
        values = np.frombuffer(col.run_ends.values, dtype=_INT64_LE)
        ends = np.frombuffer(col.run_ends.ends, dtype=_INT32_LE)
        first = int(np.searchsorted(ends, start, side="right"))
        last = int(np.searchsorted(ends, end, side="left"))
        kept = np.minimum(ends[first:last + 1], end) - start
        out.run_ends.CopyFrom(pb.IntRuns(values=values[first:last + 1].tobytes(),
                                         ends=kept.astype(_INT32_LE).tobytes()))
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
    return [column_to_pb(name, batch.column(i)) for i, name in enumerate(batch.schema.names)]


def batch_from_pb(columns: Sequence[pb.Column]) -> pa.RecordBatch:
    arrays = columns_from_pb(columns)
    return pa.RecordBatch.from_arrays(list(arrays.values()), names=list(arrays))


# -- events --------------------------------------------------------------------


def event_to_pb(event: ev.Event) -> pb.Event:  # noqa: PLR0911 - one branch per event kind
    match event:
        case ev.RowsAppended():
            return pb.Event(rows_appended=pb.RowsAppended(
                run=str(event.run), series=event.series, sequence=event.sequence,
                rows=event.rows,
            ))
        case ev.RunCreated():
            return pb.Event(run_created=run_to_pb(event.run))
        case ev.RunReplaced():
            return pb.Event(run_replaced=run_to_pb(event.run))
        case ev.RunDeleted():
            return pb.Event(run_deleted=pb.RunDeleted(handle=str(event.handle)))
        case ev.TagsChanged():
            return pb.Event(tags_changed=run_to_pb(event.run))
        case ev.AttributesChanged():
            return pb.Event(attributes_changed=run_to_pb(event.run))
        case ev.FieldChanged():
            return pb.Event(field_changed=field_to_pb(event.field))
        case ev.SeriesCreated():
            return pb.Event(series_created=series_to_pb(event.series))
        case ev.SeriesDeleted():
            return pb.Event(series_deleted=pb.SeriesDeleted(name=event.name))
        case ev.PlotChanged():
            return pb.Event(plot_changed=pb.PlotChanged(name=event.name, deleted=event.deleted))
        case ev.DashboardChanged():
            return pb.Event(dashboard_changed=pb.DashboardChanged(
                name=event.name, deleted=event.deleted,
            ))
    raise AssertionError(f"unhandled event {event!r}")


def event_from_pb(msg: pb.Event) -> ev.Event:  # noqa: PLR0911 - one branch per event kind
    kind = msg.WhichOneof("kind")
    if kind == "rows_appended":
        r = msg.rows_appended
        return ev.RowsAppended(uuid.UUID(r.run), r.series, r.sequence, r.rows)
    if kind == "run_created":
        return ev.RunCreated(run_from_pb(msg.run_created))
    if kind == "run_replaced":
        return ev.RunReplaced(run_from_pb(msg.run_replaced))
    if kind == "run_deleted":
        return ev.RunDeleted(uuid.UUID(msg.run_deleted.handle))
    if kind == "tags_changed":
        return ev.TagsChanged(run_from_pb(msg.tags_changed))
    if kind == "attributes_changed":
        return ev.AttributesChanged(run_from_pb(msg.attributes_changed))
    if kind == "field_changed":
        return ev.FieldChanged(field_from_pb(msg.field_changed))
    if kind == "series_created":
        return ev.SeriesCreated(series_from_pb(msg.series_created))
    if kind == "series_deleted":
        return ev.SeriesDeleted(msg.series_deleted.name)
    if kind == "plot_changed":
        return ev.PlotChanged(msg.plot_changed.name, msg.plot_changed.deleted)
    if kind == "dashboard_changed":
        return ev.DashboardChanged(msg.dashboard_changed.name, msg.dashboard_changed.deleted)
    raise InvalidArgumentError(f"event of unknown kind {kind!r}: upgrade streamvis")

