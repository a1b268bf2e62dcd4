"""Conversions between the data model and its protobuf wire form.

Both ends of the gRPC contract use these: the service to read requests and write
replies, the client to do the reverse. The columns of data are wire_columns.py's;
artifacts and controls, wire_extras.py's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.media import NO_OPTIONS, FieldOptions
from streamvis.model.schema import (
    AttributeCondition,
    Field,
    FieldType,
    NewRun,
    Run,
    RunFilter,
    Series,
    Value,
    parse_handle,
)
from streamvis.model.types import TYPES
from streamvis.v1 import service_pb2 as pb

if TYPE_CHECKING:
    from streamvis.model import events as ev

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
        description=f.description, options=options_to_pb(f.options),
    )


def options_to_pb(o: FieldOptions | None) -> pb.FieldOptions:
    o = o or NO_OPTIONS
    return pb.FieldOptions(format=o.format, encoding=o.encoding, quality=o.quality, fps=o.fps)


def options_from_pb(o: pb.FieldOptions) -> FieldOptions:
    return FieldOptions(o.format, o.encoding, o.quality, o.fps)


def field_from_pb(f: pb.Field) -> Field:
    return Field(
        handle=uuid.UUID(f.handle), name=f.name, type=field_type_from_pb(f.type, f.type_name),
        description=f.description, options=options_from_pb(f.options),
    )


def series_to_pb(s: Series) -> pb.Series:
    return pb.Series(name=s.name, fields=list(s.fields), x=s.x or "")


def series_from_pb(s: pb.Series) -> Series:
    return Series(name=s.name, fields=tuple(s.fields), x=s.x or None)


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


#: The pb.Value field of each scalar type, for filling a Value in place.
_KIND = {bool: "bool_value", int: "int_value", float: "float_value", str: "string_value"}


def _set_values(into: Any, values: Mapping[str, object]) -> bool:
    """Fill the map of pb.Values `into` in place (half the time of building each Value
    and the map); False, and stop, at a None."""
    for name, v in values.items():
        kind = _KIND.get(type(v))
        if kind is not None:
            setattr(into[name], kind, v)
        elif v is None:
            return False
        else:  # a subclass, or no scalar: value_to_pb says which
            into[name].CopyFrom(value_to_pb(v))  # type: ignore[arg-type]
    return True


def add_runs(out: Any, runs: Iterable[Run]) -> None:
    """Append each run to the repeated pb.Run field `out` (`run_to_pb`, for many)."""
    for r in runs:
        _set_values(out.add(handle=str(r.handle), started_at=r.started_at,
                            tags=r.tags).attributes, r.attributes)


def add_new_runs(out: Any, runs: Iterable[NewRun]) -> None:
    """Append each run to the repeated pb.CreateRunRequest field `out` (a CreateRuns)."""
    for r in runs:
        made = out.add(handle=str(r.handle) if r.handle else "", tags=list(r.tags))
        if r.started_at is not None:
            made.started_at = r.started_at
        if r.attributes and not _set_values(made.attributes, r.attributes):
            value_to_pb(None)  # type: ignore[arg-type]  # raises, as for any value not a scalar


def runs_from_listing(texts: Iterable[str]) -> pb.ListRunsResponse | None:
    """The runs of their kept listing JSON (store/run_listing.py) as a response, or None
    where one holds an attribute spelled null: NaN and both infinities are, so only the
    stored value tells which it was (`add_runs` of the runs read the slow way).

    Decoding the JSON and filling the message in place costs ≈ 7 µs a run, a `Run`
    read from its rows and converted ≈ 27 µs (decision 0042). A JSON number keeps its
    kind: a float is written with a point or an exponent."""
    out = pb.ListRunsResponse()
    add = out.runs.add
    for text in texts:
        d = orjson.loads(text)
        made = add(handle=d["handle"], started_at=d["started_at"], tags=d["tags"])
        if not _set_values(made.attributes, d["attributes"]):
            return None
    return out


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


# -- events --------------------------------------------------------------------


def event_to_pb(event: ev.Event) -> pb.Event:  # noqa: PLR0911 - one branch per event kind
    from streamvis.model import events as ev  # noqa: PLC0415 - a client that lists loads none

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
    from streamvis.model import events as ev  # noqa: PLC0415 - a client that lists loads none

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

