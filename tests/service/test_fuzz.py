"""Generated bad input to every RPC: no crash, no INTERNAL, a clear message, no partial write.

Hypothesis builds requests for each RPC of streamvis.v1.Service from parts that are
mostly wrong: bad and unknown names, malformed and unknown handles, int64 extremes,
NaN and infinities, strings with NUL and odd Unicode, columns of mismatched lengths,
torn packed buffers, wrong column kinds, and raw bytes that are not a valid message at
all (corrupt wire format, strings that are not UTF-8). Each request goes to a real
server process. Whatever the server answers must be OK or a client-error status with
a message; after every refusal the store must hold exactly what it held before.

The number of examples per store is `STREAMVIS_FUZZ_EXAMPLES` (default 120, sized for
CI); `benchmarks/bench_reliability.py` runs it larger and reads the counts it prints.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamvis.client import Client
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb

EXAMPLES = int(os.environ.get("STREAMVIS_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Statuses that say "your request was wrong"; INTERNAL and UNKNOWN mean a server bug.
CLIENT_ERRORS = {
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.OUT_OF_RANGE,
}
STREAMING = {"QueryRunData", "Watch"}


@dataclass(frozen=True)
class World:
    run: str
    series: str  # step:int, x:float, name:string, ok:bool; has data
    empty: str  # x only; no data
    fields: dict[str, str]  # name -> kind of column it takes
    plot: str  # a saved plot of the series
    dashboard: str  # a saved dashboard of the plot

    @property
    def names(self) -> list[str]:
        return [*self.fields, self.series, self.empty]


@dataclass
class Tally:
    tried: int = 0
    refused: int = 0
    accepted: int = 0
    by_code: dict[str, int] = field(default_factory=dict)


TALLY = Tally()


@pytest.fixture(scope="module")
def world(client: Client) -> World:
    tag = uuid.uuid4().hex[:6]
    kinds = {"step": ("int", "ints"), "x": ("float", "floats"), "name": ("string", "strings"),
             "ok": ("bool", "bools")}
    fields = {}
    for base, (ftype, column) in kinds.items():
        client.create_field(f"{base}_{tag}", ftype)
        fields[f"{base}_{tag}"] = column
    series, empty = f"series_{tag}", f"empty_{tag}"
    client.create_series(series, list(fields))
    client.create_series(empty, [f"x_{tag}"])
    run = client.create_run(tags=["world"], attributes={f"step_{tag}": 1})
    client.append(run.handle, series, {
        f"step_{tag}": np.arange(3), f"x_{tag}": np.ones(3), f"name_{tag}": pa.array(["a"] * 3),
        f"ok_{tag}": np.zeros(3, dtype=bool),
    })
    client.save_plot(f"plot_{tag}", plot_spec(series, f"step_{tag}", f"x_{tag}"))
    client.save_dashboard(f"board_{tag}", {"layout": f"rows=plot_{tag}", "plots": [f"plot_{tag}"]})
    return World(str(run.handle), series, empty, fields, f"plot_{tag}", f"board_{tag}")


def plot_spec(series: str, x: str, y: str) -> dict[str, Any]:
    return {"kind": "line", "datasets": [{"series": series, "filter": {"tags_any": ["world"]},
                                          "bindings": {"x": x, "y": y, "group": "run"}}]}


@pytest.fixture(scope="module", autouse=True)
def report(server: ServerProcess) -> Iterator[None]:
    yield
    line = {"figure": "fuzz_grpc", "store": "postgres" if "://" in server.location
            else "sqlite", "tried": TALLY.tried, "refused": TALLY.refused,
            "accepted": TALLY.accepted, "by_code": TALLY.by_code}
    print(json.dumps(line))  # benchmarks/bench_reliability.py reads it
    TALLY.tried = TALLY.refused = TALLY.accepted = 0  # the next store counts afresh
    TALLY.by_code.clear()


def snapshot(client: Client) -> object:
    """Everything the store holds: metadata, and every chunk's run, sequence and rows."""
    chunks = {
        s.name: sorted((str(c.run), c.sequence, c.batch.num_rows) for c in client.query(s.name))
        for s in client.series()
    }
    sequences = [seq for cs in chunks.values() for _, seq, _ in cs]
    runs = sorted((str(r.handle), r.started_at, r.tags, sorted(r.attributes.items(), key=str))
                  for r in client.runs())
    fields = sorted(client.fields(), key=lambda f: f.name)
    series = sorted(client.series(), key=lambda s: s.name)
    plots = sorted(client.plots(), key=lambda p: str(p.get("name")))
    boards = client.dashboards()
    return (fields, series, runs, client.tags(), plots, boards, max(sequences, default=0),
            chunks)


# -- parts ----------------------------------------------------------------------------

BAD_NAMES = ["", " ", " lead", "trail ", "tab\tin", "nul\x00", "n" * 129, "\u00e9" * 129,
             "rtl\u202e", "\ufeffbom", "line\u2028sep", "a" * 128, "x/y", "\U0001f4a5"]
BAD_HANDLES = ["", "nope", "00000000-0000-0000-0000-000000000000", "123", "{", "-" * 36,
               "ffffffff-ffff-ffff-ffff-fffffffffffff", "\x00" * 36]
INT64 = st.one_of(st.sampled_from([0, 1, -1, 2**63 - 1, -(2**63)]),
                  st.integers(-(2**63), 2**63 - 1))
#: JSON nested past MAX_JSON_DEPTH (and past the stdlib parser's recursion limit).
DEEP_JSON = "[" * 3000 + "]" * 3000
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "a\x00b", "\ud7ff\ue000",
                                                         "x" * 5000]))


def names(w: World) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(w.names), st.sampled_from(BAD_NAMES), st.text(max_size=20))


def handles(w: World, *, own: bool = True) -> st.SearchStrategy[str]:
    parts = [st.uuids().map(str), st.sampled_from(BAD_HANDLES), st.text(max_size=40)]
    if own:
        parts += [st.just(w.run), st.just(w.run.upper()), st.just("{" + w.run + "}")]
    return st.one_of(*parts)


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
              TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
values = st.one_of(
    st.just(pb.Value()),
    INT64.map(lambda v: pb.Value(int_value=v)),
    st.floats().map(lambda v: pb.Value(float_value=v)),
    TEXT.map(lambda v: pb.Value(string_value=v)),
    st.booleans().map(lambda v: pb.Value(bool_value=v)),
)


def attribute_maps(w: World) -> st.SearchStrategy[dict[str, pb.Value]]:
    # Mostly the world's own fields, so that values get past the name checks.
    keys = st.one_of(st.sampled_from(list(w.fields)), names(w))
    return st.dictionaries(keys, values, max_size=3)


@st.composite
def conditions(draw: st.DrawFn, w: World) -> pb.AttributeCondition:
    cond = pb.AttributeCondition(field=draw(names(w)))
    kind = draw(st.sampled_from(["equals", "in", "range", "none"]))
    if kind == "equals":
        cond.equals.CopyFrom(draw(values))
    elif kind == "in":
        getattr(cond, "in").values.extend(draw(st.lists(values, max_size=3)))
    elif kind == "range":
        cond.range.SetInParent()
        if draw(st.booleans()):
            cond.range.min.CopyFrom(draw(values))
        if draw(st.booleans()):
            cond.range.max.CopyFrom(draw(values))
    return cond


@st.composite
def filters(draw: st.DrawFn, w: World) -> pb.RunFilter:
    f = pb.RunFilter(
        handles=draw(st.lists(handles(w), max_size=2)),
        tags_any=draw(st.lists(names(w), max_size=2)),
        tags_all=draw(st.lists(names(w), max_size=2)),
        tags_none=draw(st.lists(names(w), max_size=2)),
        attributes=draw(st.lists(conditions(w), max_size=2)),
    )
    if draw(st.booleans()):
        f.started_after = draw(st.floats())
    if draw(st.booleans()):
        f.started_before = draw(st.floats())
    return f


def _column(name: str, kind: str, rows: int) -> pb.Column:
    if kind == "ints":
        return pb.Column(field=name, ints=np.arange(rows, dtype="<i8").tobytes())
    if kind == "floats":
        return pb.Column(field=name, floats=np.ones(rows, dtype="<f8").tobytes())
    if kind == "bools":
        return pb.Column(field=name, bools=bytes(rows))
    return pb.Column(field=name, strings=pb.StringList(values=["s"] * rows))


MUTATIONS = ["drop", "duplicate", "length", "kind", "torn", "bool2", "unknown", "empty",
             "no data", "garbage", "none"]


@st.composite
def columns(draw: st.DrawFn, w: World) -> list[pb.Column]:
    """A valid batch of the world's series with one thing (or nothing) broken."""
    rows = draw(st.integers(1, 5))
    cols = [_column(name, kind, rows) for name, kind in w.fields.items()]
    i = draw(st.integers(0, len(cols) - 1))
    name = cols[i].field
    match draw(st.sampled_from(MUTATIONS)):
        case "drop":
            del cols[i]
        case "duplicate":
            cols.append(cols[i])
        case "length":
            cols[i] = _column(name, w.fields[name], draw(st.integers(0, 7).filter(
                lambda n: n != rows)))
        case "kind":
            other = draw(st.sampled_from(sorted({"ints", "floats", "bools", "strings"}
                                                - {w.fields[name]})))
            cols[i] = _column(name, other, rows)
        case "torn":
            cols[i] = pb.Column(field=name, floats=b"\0" * (8 * rows - 1))
        case "bool2":
            cols[i] = pb.Column(field=name, bools=b"\x02" * rows)
        case "unknown":
            cols[i] = _column(draw(names(w)), w.fields[name], rows)
        case "empty":
            cols = [_column(n, k, 0) for n, k in w.fields.items()]
        case "no data":
            cols[i] = pb.Column(field=name)
        case "garbage":
            cols[i] = pb.Column(field=name)
            setattr(cols[i], draw(st.sampled_from(["ints", "floats", "bools"])),
                    draw(st.binary(max_size=40)))
        case "none":
            pass
    return cols


def requests(w: World) -> st.SearchStrategy[tuple[str, Any]]:
    """(RPC name, request message) for every RPC of the service."""
    target = st.one_of(
        st.builds(lambda n: pb.UpdateFieldRequest(name=n), names(w)),
        st.builds(lambda h: pb.UpdateFieldRequest(handle=h), handles(w)),
        st.just(pb.UpdateFieldRequest()),
    )

    @st.composite
    def update_field(draw: st.DrawFn) -> pb.UpdateFieldRequest:
        req = pb.UpdateFieldRequest()
        req.CopyFrom(draw(target))
        # A rename may only collide or be invalid: renaming the world's fields for
        # real would leave later examples nothing valid to aim at.
        if draw(st.booleans()):
            req.new_name = draw(st.sampled_from([*BAD_NAMES, *w.fields]))
        if draw(st.booleans()):
            req.description = draw(TEXT)
        return req

    @st.composite
    def run_request(draw: st.DrawFn, own: bool) -> pb.CreateRunRequest:
        req = pb.CreateRunRequest(
            handle=draw(st.one_of(st.just(""), handles(w, own=own))),
            tags=draw(st.lists(names(w), max_size=3)),
            attributes=draw(attribute_maps(w)),
        )
        if draw(st.booleans()):
            req.started_at = draw(st.floats())
        return req

    step, x = (next(n for n in w.fields if n.startswith(base)) for base in ("step_", "x_"))
    spec = plot_spec(w.series, step, x)
    spec_json = st.one_of(
        st.builds(lambda k, v: json.dumps({**spec, k: v}),
                  st.sampled_from([*spec, "name", "scales", "axes", "frame", "facet"]),
                  JSONISH),
        st.builds(lambda v: json.dumps({**spec, "datasets": [{**spec["datasets"][0], **v}]}),
                  st.dictionaries(st.sampled_from(["series", "filter", "bindings", "axes",
                                                   "attributes", "x"]), JSONISH, max_size=2)),
        st.sampled_from(["", "{", "[]", "null", "NaN", '{"kind": "line"}', "\x00", DEEP_JSON]),
        TEXT,
    )
    plot_names = st.one_of(st.just(w.plot), names(w))
    board = {"layout": f"rows={w.plot}", "plots": [w.plot]}
    board_json = st.one_of(
        st.builds(lambda k, v: json.dumps({**board, k: v}),
                  st.sampled_from(["name", "layout", "plots", "title"]), JSONISH),
        st.sampled_from(["", "{", "[]", "null", '{"layout": "rows="}', '{"layout": 1}', "\x00",
                         DEEP_JSON]),
        TEXT,
    )
    board_names = st.one_of(st.just(w.dashboard), names(w))
    new_field = st.builds(pb.CreateFieldRequest, name=names(w), type=st.integers(-3, 9),
                          description=TEXT)
    by_rpc: list[tuple[str, st.SearchStrategy[Any]]] = [
        ("SavePlot", st.builds(pb.SavePlotRequest, name=plot_names, spec_json=spec_json)),
        ("GetPlot", st.builds(pb.GetPlotRequest, name=plot_names)),
        ("ListPlots", st.just(pb.ListPlotsRequest())),
        ("DeletePlot", st.builds(pb.DeletePlotRequest, name=st.one_of(
            st.sampled_from(BAD_NAMES), st.text(max_size=10)))),
        ("SaveDashboard", st.builds(pb.SaveDashboardRequest, name=board_names,
                                    spec_json=board_json)),
        ("GetDashboard", st.builds(pb.GetDashboardRequest, name=board_names)),
        ("ListDashboards", st.just(pb.ListDashboardsRequest())),
        ("DeleteDashboard", st.builds(pb.DeleteDashboardRequest, name=st.one_of(
            st.sampled_from(BAD_NAMES), st.text(max_size=10)))),
        ("GetInfo", st.just(pb.GetInfoRequest())),
        ("CreateField", new_field),
        ("CreateFields", st.builds(pb.CreateFieldsRequest,
                                   fields=st.lists(new_field, max_size=4))),
        ("UpdateField", update_field()),
        ("ListFields", st.just(pb.ListFieldsRequest())),
        ("CreateSeries", st.builds(pb.CreateSeriesRequest, name=names(w),
                                   fields=st.lists(names(w), max_size=4))),
        ("ListSeries", st.just(pb.ListSeriesRequest())),
        ("DeleteEmptySeries", st.builds(pb.DeleteEmptySeriesRequest, name=st.one_of(
            st.just(w.series), st.sampled_from(BAD_NAMES), st.text(max_size=10)))),
        ("ListCommonSeries", st.builds(pb.ListCommonSeriesRequest, filter=filters(w))),
        ("CreateRun", run_request(own=True)),
        ("ReplaceRun", run_request(own=False)),
        ("DeleteRun", st.builds(pb.DeleteRunRequest, handle=handles(w, own=False))),
        ("GetRun", st.builds(pb.GetRunRequest, handle=st.one_of(handles(w), TEXT))),
        ("ReleaseRun", st.builds(pb.ReleaseRunRequest, handle=handles(w),
                                 writer=st.one_of(st.just(""), handles(w), TEXT))),
        ("ListRuns", st.builds(pb.ListRunsRequest, filter=filters(w),
                               limit=st.integers(-(2**31), 2**31 - 1))),
        ("AddRunTag", st.builds(pb.RunTagRequest, handle=handles(w), tag=names(w))),
        ("DeleteRunTag", st.builds(pb.RunTagRequest, handle=handles(w), tag=names(w))),
        ("ListTags", st.builds(pb.ListTagsRequest, filter=filters(w))),
        ("SetRunAttributes", st.builds(pb.SetRunAttributesRequest, handle=handles(w),
                                       attributes=attribute_maps(w))),
        ("ListAttributeValues", st.builds(pb.ListAttributeValuesRequest, filter=filters(w),
                                          fields=st.lists(names(w), max_size=3))),
        ("ListCommonAttributes", st.builds(pb.ListCommonAttributesRequest, filter=filters(w))),
        ("ListStartedAt", st.builds(pb.ListStartedAtRequest, filter=filters(w))),
        ("AppendToSeries", st.builds(
            pb.AppendToSeriesRequest, run=st.one_of(st.just(w.run), handles(w)),
            series=st.one_of(st.just(w.series), names(w)), columns=columns(w),
            idempotency_key=st.one_of(st.just(""), TEXT))),
        ("QueryRunData", st.builds(
            pb.QueryRunDataRequest, filter=filters(w), series=names(w),
            fields=st.lists(names(w), max_size=3), attributes=st.lists(names(w), max_size=2),
            after_sequence=INT64)),
        ("Watch", st.builds(lambda a: pb.WatchRequest(after_sequence=a), INT64)),
    ]
    return st.one_of(*(st.tuples(st.just(name), strategy) for name, strategy in by_rpc))


def payloads(w: World) -> st.SearchStrategy[tuple[str, bytes]]:
    """(RPC name, request bytes): mostly well-formed, some damaged, some random."""
    messages = requests(w)

    @st.composite
    def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
        rpc, msg = draw(messages)
        data = bytearray(msg.SerializeToString())
        how = draw(st.sampled_from(["as is", "as is", "as is", "flip", "cut", "bad utf8",
                                    "random"]))
        if how == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
        elif how == "cut" and data:
            del data[draw(st.integers(0, len(data) - 1)):]
        elif how == "bad utf8":
            # Field 1 is a string in most requests: a length-delimited invalid UTF-8 value.
            data = bytearray(b"\x0a\x03\xff\xfe\xc0") + data
        elif how == "random":
            data = bytearray(draw(st.binary(max_size=64)))
        return rpc, bytes(data)

    return damaged()


def call(channel: grpc.Channel, rpc: str, data: bytes) -> None:
    """Send `data` as the request of `rpc`; raise grpc.RpcError when refused."""
    path = f"/streamvis.v1.Service/{rpc}"
    if rpc not in STREAMING:
        channel.unary_unary(path, None, None)(data, timeout=30)
        return
    # A valid Watch streams until cancelled: being still open after a moment is success.
    stream = channel.unary_stream(path, None, None)(data, timeout=0.5 if rpc == "Watch" else 30)
    try:
        for _ in stream:
            pass
    except grpc.RpcError as exc:
        if not (rpc == "Watch" and exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED):
            raise


def test_generated_bad_requests_are_refused_cleanly_and_change_nothing(
    server: ServerProcess, client: Client, world: World
):
    channel = grpc.insecure_channel(server.uri)

    @FUZZ
    @given(payloads(world))
    def check(case: tuple[str, bytes]) -> None:
        rpc, data = case
        before = snapshot(client)
        TALLY.tried += 1
        try:
            call(channel, rpc, data)
        except grpc.RpcError as exc:
            code, details = exc.code(), exc.details() or ""
            TALLY.refused += 1
            TALLY.by_code[code.name] = TALLY.by_code.get(code.name, 0) + 1
            assert code in CLIENT_ERRORS, f"{rpc}({data!r}) -> {code.name}: {details}"
            assert len(details) >= 20, f"{rpc}({data!r}) -> {code.name} with {details!r}"
            assert snapshot(client) == before, f"{rpc}({data!r}) was refused but changed data"
        else:
            TALLY.accepted += 1

    try:
        check()
    finally:
        channel.close()
    assert TALLY.tried >= EXAMPLES
    assert TALLY.refused > TALLY.tried // 2, "most generated requests should be bad ones"
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
    # The server is still serving, and the world's data is intact.
    assert any(c.batch.num_rows for c in client.query(world.series))
