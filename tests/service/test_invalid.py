"""Bad requests get the right status and a message naming the problem, and change nothing.

Every case runs against a shared little world (fields, a series, a run with one
chunk); after each, everything the store holds is compared with before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np
import pyarrow as pa
import pytest

from streamvis import wire_columns
from streamvis.client import Client, translate_error
from streamvis.model.errors import StreamvisError
from streamvis.v1 import service_pb2 as pb


@dataclass(frozen=True)
class World:
    run: uuid.UUID
    series: str  # step:int, x:float, name:string, ok:bool; has one chunk
    empty_series: str  # x only; no data
    step: str
    x: str
    name: str
    ok: str


@pytest.fixture(scope="module")
def world(client: Client) -> World:
    tag = uuid.uuid4().hex[:6]
    step, x, name, ok = (f"{n}_{tag}" for n in ("step", "x", "name", "ok"))
    for field, t in ((step, "int"), (x, "float"), (name, "string"), (ok, "bool")):
        client.create_field(field, t)
    series, empty = f"series_{tag}", f"empty_{tag}"
    client.create_series(series, [step, x, name, ok])
    client.create_series(empty, [x])
    run = client.create_run(tags=["world"], attributes={step: 1})
    w = World(run.handle, series, empty, step, x, name, ok)
    client.append(run.handle, series, columns(w, 3))
    return w


def columns(w: World, rows: int, **override: Any) -> dict[str, Any]:
    cols: dict[str, Any] = {
        w.step: np.arange(rows), w.x: np.ones(rows), w.name: pa.array(["a"] * rows),
        w.ok: np.zeros(rows, dtype=bool),
    }
    cols.update({getattr(w, k): v for k, v in override.items()})
    return {k: v for k, v in cols.items() if v is not None}


def raw_append(client: Client, w: World, cols: list[pb.Column], run: str | None = None) -> None:
    client.append_request(pb.AppendToSeriesRequest(
        run=str(w.run) if run is None else run, series=w.series, columns=cols
    ))


def raw_query(client: Client, request: pb.QueryRunDataRequest) -> None:
    try:
        list(client.stub.QueryRunData(request))
    except grpc.RpcError as exc:
        raise translate_error(exc, client.uri) from None


def packed(w: World, rows: int = 2) -> list[pb.Column]:
    return [wire_columns.column_to_pb(k, v) for k, v in columns(w, rows).items()]


def snapshot(client: Client) -> object:
    """Everything the store holds, in comparable form."""
    data = {
        s.name: [(c.run, c.sequence, c.batch.num_rows) for c in client.query(s.name)]
        for s in client.series()
    }
    return (client.fields(), client.series(), client.runs(), data)


Case = Callable[[Client, World], object]

CASES: list[tuple[str, str, str, Case]] = [
    # fields
    ("field name empty", "INVALID_ARGUMENT", "field name is empty",
     lambda c, _w: c.create_field("", "int")),
    ("field name spaces", "INVALID_ARGUMENT", "whitespace",
     lambda c, _w: c.create_field(" loss", "int")),
    ("field name control", "INVALID_ARGUMENT", "control character",
     lambda c, _w: c.create_field("lo\x00ss", "int")),
    ("field name too long", "INVALID_ARGUMENT", "at most 128",
     lambda c, _w: c.create_field("n" * 129, "int")),
    ("field type unset", "INVALID_ARGUMENT", "field type 0",
     lambda c, _w: c.call(c.stub.CreateField, pb.CreateFieldRequest(name="typeless"))),
    ("field exists", "ALREADY_EXISTS", "step_",
     lambda c, w: c.create_field(w.step, "float")),
    ("update unknown field", "NOT_FOUND", "nosuchfield",
     lambda c, _w: c.update_field("nosuchfield", description="d")),
    ("update field bad handle", "INVALID_ARGUMENT", "not a UUID",
     lambda c, _w: c.call(c.stub.UpdateField, pb.UpdateFieldRequest(handle="xyz"))),
    ("update names no field", "INVALID_ARGUMENT", "name or handle",
     lambda c, _w: c.call(c.stub.UpdateField, pb.UpdateFieldRequest(description="d"))),
    ("rename to taken name", "ALREADY_EXISTS", "step_",
     lambda c, w: c.update_field(w.x, new_name=w.step)),
    ("rename to bad name", "INVALID_ARGUMENT", "whitespace",
     lambda c, w: c.update_field(w.x, new_name="x ")),
    # series
    ("series unknown field", "NOT_FOUND", "nosuchfield",
     lambda c, w: c.create_series("s_unknown", [w.x, "nosuchfield"])),
    ("series field twice", "INVALID_ARGUMENT", "more than once",
     lambda c, w: c.create_series("s_twice", [w.x, w.x])),
    ("series no fields", "INVALID_ARGUMENT", "no fields",
     lambda c, _w: c.create_series("s_none", [])),
    ("series bad name", "INVALID_ARGUMENT", "series name is empty",
     lambda c, w: c.create_series("", [w.x])),
    ("series exists", "ALREADY_EXISTS", "series_",
     lambda c, w: c.create_series(w.series, [w.x])),
    ("delete series with data", "FAILED_PRECONDITION", "series_",
     lambda c, w: c.delete_empty_series(w.series)),
    ("delete unknown series", "NOT_FOUND", "nosuchseries",
     lambda c, _w: c.delete_empty_series("nosuchseries")),
    # runs
    ("run bad handle", "INVALID_ARGUMENT", "not a UUID",
     lambda c, _w: c.create_run("run-1")),
    ("run exists", "ALREADY_EXISTS", "",
     lambda c, w: c.create_run(w.run)),
    ("run bad tag", "INVALID_ARGUMENT", "tag name",
     lambda c, _w: c.create_run(tags=["ok", "bad\ttag"])),
    ("run tag twice", "INVALID_ARGUMENT", "more than once",
     lambda c, _w: c.create_run(tags=["t", "t"])),
    ("run unknown attribute", "NOT_FOUND", "nosuchfield",
     lambda c, _w: c.create_run(attributes={"nosuchfield": 1})),
    ("run attribute wrong type", "INVALID_ARGUMENT", "step_",
     lambda c, w: c.create_run(attributes={w.step: "one"})),
    ("run attribute bool for int", "INVALID_ARGUMENT", "step_",
     lambda c, w: c.create_run(attributes={w.step: True})),
    ("run attribute without value", "INVALID_ARGUMENT", "has no value",
     lambda c, w: c.call(c.stub.CreateRun, pb.CreateRunRequest(attributes={w.x: pb.Value()}))),
    ("run started_at nan", "INVALID_ARGUMENT", "started_at",
     lambda c, _w: c.create_run(started_at=float("nan"))),
    ("replace without handle", "INVALID_ARGUMENT", "handle",
     lambda c, _w: c.call(c.stub.ReplaceRun, pb.CreateRunRequest())),
    ("replace unknown attribute", "NOT_FOUND", "nosuchfield",
     lambda c, w: c.replace_run(w.run, attributes={"nosuchfield": 1})),
    ("delete unknown run", "NOT_FOUND", "",
     lambda c, _w: c.delete_run(uuid.uuid4())),
    ("delete run empty handle", "INVALID_ARGUMENT", "handle is empty",
     lambda c, _w: c.delete_run("")),
    ("tag unknown run", "NOT_FOUND", "",
     lambda c, _w: c.add_tag(uuid.uuid4(), "t")),
    ("tag bad name", "INVALID_ARGUMENT", "tag name is empty",
     lambda c, w: c.add_tag(w.run, "")),
    ("untag unknown run", "NOT_FOUND", "",
     lambda c, _w: c.remove_tag(uuid.uuid4(), "t")),
    ("set attribute unknown run", "NOT_FOUND", "",
     lambda c, w: c.set_attributes(uuid.uuid4(), {w.x: 1.0})),
    ("set attribute without value", "INVALID_ARGUMENT", "x_",
     lambda c, w: c.call(c.stub.SetRunAttributes, pb.SetRunAttributesRequest(
         handle=str(w.run), attributes={w.x: pb.Value()}))),
    ("set attribute wrong type", "INVALID_ARGUMENT", "x_",
     lambda c, w: c.set_attributes(w.run, {w.step: 2, w.x: "high"})),
    ("list runs negative limit", "INVALID_ARGUMENT", "limit",
     lambda c, _w: c.runs(limit=-1)),
    ("filter bad handle", "INVALID_ARGUMENT", "not a UUID",
     lambda c, _w: c.call(c.stub.ListRuns, pb.ListRunsRequest(filter=pb.RunFilter(handles=["x"])))),
    ("filter condition empty", "INVALID_ARGUMENT", "none of equals",
     lambda c, w: c.call(c.stub.ListRuns, pb.ListRunsRequest(
         filter=pb.RunFilter(attributes=[pb.AttributeCondition(field=w.x)])))),
    ("attribute values field twice", "INVALID_ARGUMENT", "more than once",
     lambda c, w: c.attribute_values(fields=[w.x, w.x])),
    # appends
    ("append bad run handle", "INVALID_ARGUMENT", "not a UUID",
     lambda c, w: raw_append(c, w, packed(w), run="nope")),
    ("append unknown run", "NOT_FOUND", "",
     lambda c, w: c.append(uuid.uuid4(), w.series, columns(w, 2))),
    ("append unknown series", "NOT_FOUND", "nosuchseries",
     lambda c, w: c.append(w.run, "nosuchseries", columns(w, 2))),
    ("append missing field", "INVALID_ARGUMENT", "missing",
     lambda c, w: c.append(w.run, w.series, columns(w, 2, ok=None))),
    ("append extra field", "INVALID_ARGUMENT", "has no field",
     lambda c, w: c.append(w.run, w.empty_series, {w.x: np.ones(2), w.step: np.ones(2)})),
    ("append field twice", "INVALID_ARGUMENT", "more than once",
     lambda c, w: raw_append(c, w, [*packed(w), wire_columns.column_to_pb(w.x, np.ones(2))])),
    ("append ragged", "INVALID_ARGUMENT", "differ in length",
     lambda c, w: c.append(w.run, w.series, columns(w, 2, x=np.ones(3)))),
    ("append floats to int", "INVALID_ARGUMENT", "step_",
     lambda c, w: c.append(w.run, w.series, columns(w, 2, step=np.ones(2)))),
    ("append ints to string", "INVALID_ARGUMENT", "name_",
     lambda c, w: c.append(w.run, w.series, columns(w, 2, name=np.ones(2, dtype=int)))),
    ("append no rows", "INVALID_ARGUMENT", "no rows",
     lambda c, w: c.append(w.run, w.series, columns(w, 0))),
    ("append torn float buffer", "INVALID_ARGUMENT", "whole number",
     lambda c, w: raw_append(c, w, [*packed(w)[:1], pb.Column(field=w.x, floats=b"\0" * 15),
                                    *packed(w)[2:]])),
    ("append bool byte 2", "INVALID_ARGUMENT", "0 or 1",
     lambda c, w: raw_append(c, w, [*packed(w)[:3], pb.Column(field=w.ok, bools=b"\x00\x02")])),
    ("append column without data", "INVALID_ARGUMENT", "carries no values",
     lambda c, w: raw_append(c, w, [*packed(w)[:3], pb.Column(field=w.ok)])),
    ("append empty series name", "INVALID_ARGUMENT", "series name is empty",
     lambda c, w: c.append(w.run, "", columns(w, 2))),
    # reads
    ("query unknown series", "NOT_FOUND", "nosuchseries",
     lambda c, _w: list(c.query("nosuchseries"))),
    ("query field not in series", "INVALID_ARGUMENT", "nosuchfield",
     lambda c, w: list(c.query(w.series, fields=["nosuchfield"]))),
    ("query field twice", "INVALID_ARGUMENT", "more than once",
     lambda c, w: list(c.query(w.series, fields=[w.x, w.x]))),
    ("query negative after_sequence", "INVALID_ARGUMENT", "after_sequence",
     lambda c, w: list(c.query(w.series, after_sequence=-1))),
    ("query bad filter", "INVALID_ARGUMENT", "not a UUID",
     lambda c, w: raw_query(c, pb.QueryRunDataRequest(
         series=w.series, filter=pb.RunFilter(handles=["nope"])))),
    ("watch negative after_sequence", "INVALID_ARGUMENT", "after_sequence",
     lambda c, _w: list(c.watch(after_sequence=-5))),
]


@pytest.mark.parametrize(("code", "needle", "case"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_request_is_refused_and_changes_nothing(
    client: Client, world: World, code: str, needle: str, case: Case
):
    before = snapshot(client)
    with pytest.raises(StreamvisError) as info:
        case(client, world)
    assert info.value.code == code, str(info.value)
    assert needle.lower() in str(info.value).lower()
    assert snapshot(client) == before

