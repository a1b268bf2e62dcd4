"""Generated bad input to the HTTP API and the live WebSocket: never a 500, never a change.

Hypothesis sends every `/api/*` route requests built from valid ones with one part
broken (a key set to a wrong type, a huge or non-finite number, a lone surrogate, an
unknown key, a key removed), random JSON, bodies that are not JSON or not UTF-8,
odd path segments and query strings, to a real `streamvis serve` process on each
store. Every answer must be a success or a 4xx with `{"error", "message"}`; after
every 4xx the store holds exactly what it held before.

`STREAMVIS_FUZZ_EXAMPLES` sets the examples per store (default 120);
`benchmarks/bench_reliability.py` runs it larger and reads the counts it prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from streamvis.client import Client
from streamvis.testing import ServerProcess, scratch_database

EXAMPLES = int(os.environ.get("STREAMVIS_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class World:
    run: str
    series: str  # step:int, x:float, name:string, ok:bool; has data
    step: str
    x: str
    name: str
    ok: str
    plot: str
    dashboard: str


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerProcess]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            location = str(tmp_path_factory.mktemp("store"))
        else:
            location = stack.enter_context(
                scratch_database(request.getfixturevalue("pg_admin_dsn")))
        yield stack.enter_context(ServerProcess(location))


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[Client]:
    with Client(server.uri, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.web_url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def world(client: Client, http: httpx.Client) -> World:
    step, x, name, ok = "step", "x", "name", "ok"
    for field, kind in ((step, "int"), (x, "float"), (name, "string"), (ok, "bool")):
        client.create_field(field, kind)
    client.create_series("train", [step, x, name, ok])
    run = client.create_run(tags=["world"], attributes={step: 1, x: 0.5})
    rows = 50
    client.append(run.handle, "train", {
        step: np.arange(rows), x: np.sin(np.arange(rows)), name: pa.array(["a", "b"] * 25),
        ok: np.arange(rows) % 2 == 0,
    })
    w = World(str(run.handle), "train", step, x, name, ok, "p", "d")
    assert http.put(f"/api/plots/{w.plot}", json=plot_spec(w)).status_code == 200
    assert http.put(f"/api/dashboards/{w.dashboard}",
                    json={"layout": f"rows={w.plot}", "plots": [w.plot]}).status_code == 200
    return w


def plot_spec(w: World) -> dict[str, Any]:
    return {"name": w.plot, "kind": "line", "datasets": [{
        "series": w.series, "filter": {"tags_any": ["world"]},
        "bindings": {"x": w.step, "y": w.x, "group": "run"}}]}


def snapshot(client: Client, http: httpx.Client) -> object:
    chunks = {s.name: sorted((str(c.run), c.sequence, c.batch.num_rows)
                             for c in client.query(s.name)) for s in client.series()}
    return (http.get("/api/fields").json(), http.get("/api/series").json(),
            http.get("/api/runs").json(), http.get("/api/tags").json(),
            http.get("/api/plots").json(), http.get("/api/dashboards").json(), chunks)


# -- parts ----------------------------------------------------------------------------

ODD_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "\udfff", "\u202e", "x" * 3000, "..",
            "../../etc/passwd", "%00", "<script>alert(1)</script>", "NaN", "-1", "1e999"]
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**400, -1, 0]),
    st.floats(),  # NaN and infinities: json.dumps writes them as NaN / Infinity
    st.text(max_size=20), st.sampled_from(ODD_TEXT),
)
jsonish = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=10,
)


def dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def bases(w: World) -> dict[str, dict[str, Any]]:
    """A valid body of each kind, for mutating."""
    run_filter = {"handles": [w.run], "tags_any": ["world"], "tags_all": [], "tags_none": ["x"],
                  "attributes": [{"field": w.step, "min": 0, "max": 5},
                                 {"field": w.x, "in": [0.5, 1]},
                                 {"field": w.step, "equals": 1}],
                  "started_after": 0, "started_before": 4e9}
    return {
        "filter": run_filter,
        "data": {"filter": run_filter, "series": w.series, "fields": [w.step, w.x, w.name],
                 "attributes": [w.step], "kind": "line", "x": w.step, "y": w.x,
                 "group": ["run"], "x_min": 0, "x_max": 40, "pixels": 20,
                 "after_sequence": 0, "max_points": 1000},
        "scatter": {"series": w.series, "kind": "scatter", "x": w.step, "y": w.x,
                    "y_min": -1, "y_max": 1, "max_points": 10},
        "summary": {"series": w.series, "filter": run_filter, "attributes": [w.step],
                    "values": [w.name, w.ok, w.step]},
        "plot": plot_spec(w),
        "dashboard": {"layout": f"rows={w.plot}", "plots": [w.plot]},
        "tag": {"tag": "t"},
    }


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """`base` with one thing broken, or something else entirely."""
    body: Any = json.loads(json.dumps(base))
    how = draw(st.sampled_from(["set", "set", "set", "deep", "drop", "extra", "replace",
                                "not json", "not utf8", "empty", "as is"]))
    if how in ("set", "drop") and body:
        key = draw(st.sampled_from(sorted(body)))
        if how == "set":
            body[key] = draw(jsonish)
        else:
            del body[key]
    elif how == "deep":
        # Break something one level down: a filter part, a binding, a condition.
        containers = [v for v in body.values() if isinstance(v, dict | list) and v]
        if containers:
            inner = draw(st.sampled_from(containers))
            if isinstance(inner, dict):
                inner[draw(st.sampled_from(sorted(inner)))] = draw(jsonish)
            else:
                inner[draw(st.integers(0, len(inner) - 1))] = draw(jsonish)
    elif how == "extra":
        body[draw(st.text(min_size=1, max_size=10))] = draw(jsonish)
    elif how == "replace":
        body = draw(jsonish)
    elif how == "not json":
        return draw(st.sampled_from([b"{", b"NaN", b"[1,]", b"{'a': 1}", b"\x00", b"nul",
                                     b"[" * 3000, b'{"a":' * 2000]))
    elif how == "not utf8":
        return b'{"series": "\xff\xfe"}'
    elif how == "empty":
        return b""
    return dump(body)


def segment(*own: str) -> st.SearchStrategy[str]:
    """A path segment: one of `own`, a fresh UUID, or odd text; URL-quoted."""
    own_forms = [form for name in own for form in (name, name.upper())]
    return st.one_of(st.sampled_from(own_forms) if own else st.nothing(), st.uuids().map(str),
                     st.sampled_from(ODD_TEXT[:-3]),
                     st.text(min_size=1, max_size=20)
                     ).map(_quote)


def _quote(text: str) -> str:
    """`text` as one path segment. Dots are escaped too: a client would resolve a bare
    `..` (DELETE /api/runs/W/tags/.. is DELETE /api/runs/W/), while the server must
    refuse an escaped one as a name."""
    return quote(text, safe="", errors="surrogatepass").replace(".", "%2E") or "%20"


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    params: dict[str, str] | None = None
    body: bytes | None = None


def query_text(base: dict[str, Any]) -> st.SearchStrategy[str]:
    return st.one_of(mutated(base).map(lambda b: b.decode("utf-8", "replace")),
                     st.text(max_size=30))


def requests(w: World) -> st.SearchStrategy[Req]:
    b = bases(w)
    flt = query_text(b["filter"])
    names = st.one_of(st.sampled_from([w.step, w.x, f"{w.step},{w.x}", ",", "nosuch"]),
                      st.text(max_size=20))
    limit = st.one_of(st.integers(-(2**70), 2**70).map(str), st.text(max_size=5),
                      st.sampled_from(["\u00b2", "\u0663", "1.5", "NaN", "-0", " 1", "1e400",
                                       str(2**63), str(2**63 - 1)]))
    gets = st.sampled_from(["/api/runs", "/api/tags", "/api/common-series",
                            "/api/common-attributes", "/api/started-at"])
    strategies = [
        st.builds(lambda p, f, lim: Req("GET", p, {"filter": f, "limit": lim}),
                  gets, flt, limit),
        st.builds(lambda f, n: Req("GET", "/api/attribute-values", {"filter": f, "fields": n}),
                  flt, names),
        st.builds(lambda h: Req("GET", f"/api/runs/{h}"), segment(w.run)),
        st.builds(lambda h: Req("DELETE", f"/api/runs/{h}"), segment()),
        st.builds(lambda h, body: Req("POST", f"/api/runs/{h}/tags", body=body),
                  segment(w.run), mutated(b["tag"])),
        st.builds(lambda h, t: Req("DELETE", f"/api/runs/{h}/tags/{t}"),
                  segment(w.run), segment("world")),
        st.builds(lambda n: Req("GET", f"/api/plots/{n}"), segment(w.plot)),
        st.builds(lambda n, body: Req("PUT", f"/api/plots/{n}", body=body),
                  segment(w.plot), mutated(b["plot"])),
        st.builds(lambda n: Req("DELETE", f"/api/plots/{n}"), segment()),
        st.builds(lambda n: Req("GET", f"/api/dashboards/{n}"), segment(w.dashboard)),
        st.builds(lambda n, body: Req("PUT", f"/api/dashboards/{n}", body=body),
                  segment(w.dashboard), mutated(b["dashboard"])),
        st.builds(lambda n: Req("DELETE", f"/api/dashboards/{n}"), segment()),
        st.builds(lambda body: Req("POST", "/api/data", body=body),
                  st.one_of(mutated(b["data"]), mutated(b["scatter"]))),
        st.builds(lambda body: Req("POST", "/api/dataset-summary", body=body),
                  mutated(b["summary"])),
        st.builds(Req, st.sampled_from(["GET", "POST", "PATCH", "PUT"]),
                  st.sampled_from(["/api/data", "/api/fields", "/api/nosuch", "/api/",
                                   "/api/runs/x/y/z"])),
    ]
    return st.one_of(*strategies)


def test_generated_bad_http_requests_get_4xx_and_change_nothing(
    server: ServerProcess, client: Client, http: httpx.Client, world: World
):
    tally = {"tried": 0, "refused": 0, "accepted": 0}

    @FUZZ
    @given(requests(world))
    def check(req: Req) -> None:
        before = snapshot(client, http)
        tally["tried"] += 1
        headers = {"content-type": "application/json"} if req.body is not None else {}
        resp = http.request(req.method, req.path, params=req.params, content=req.body,
                            headers=headers)
        where = f"{req.method} {req.path} {req.params} {req.body!r:.300} -> {resp.status_code}"
        assert resp.status_code < 500, f"{where}: {resp.text[:500]}"
        if resp.status_code < 400:
            tally["accepted"] += 1
            # Nothing generated may touch the world's run: later cases aim at it.
            assert world_rows(client, world), f"{where} removed the world's data"
            return
        tally["refused"] += 1
        error = resp.json()
        assert set(error) == {"error", "message"}, where
        assert error["error"] not in ("INTERNAL", "UNKNOWN"), f"{where}: {error}"
        assert len(error["message"]) >= 15, f"{where}: {error}"
        assert snapshot(client, http) == before, f"{where} changed the store"

    check()
    record(server, "fuzz_http", tally)
    assert tally["refused"] > tally["tried"] // 2, tally
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
    assert http.get(f"/api/plots/{world.plot}").status_code == 200


def test_generated_after_sequence_values_are_refused_or_served(
    server: ServerProcess, client: Client, world: World
):
    tally = {"tried": 0, "refused": 0, "accepted": 0}
    url = server.web_url.replace("http://", "ws://").rstrip("/") + "/api/events"

    @settings(FUZZ, max_examples=max(10, EXAMPLES // 6))
    @given(st.one_of(st.integers(-(2**70), 2**70).map(str), st.text(max_size=12),
                     st.sampled_from(["\u00b2", "\u0663", "1.0", "", " 1", "0x10", str(2**63)])))
    def check(after: str) -> None:
        tally["tried"] += 1
        with connect(f"{url}?{urllib.parse.urlencode({'after_sequence': after})}",
                     open_timeout=10, close_timeout=2) as ws:
            try:
                message = json.loads(ws.recv(timeout=0.3))
            except TimeoutError:
                tally["accepted"] += 1  # open and waiting for events: served
                return
            except ConnectionClosed as closed:
                raise AssertionError(f"after_sequence={after!r}: closed with {closed}") from None
            if message.get("type") == "rows_appended":
                tally["accepted"] += 1  # a replay
                return
            assert message["type"] == "error", message
            assert message["error"] == "INVALID_ARGUMENT" and len(message["message"]) >= 15
            tally["refused"] += 1
            with pytest.raises(ConnectionClosed) as ended:
                ws.recv(timeout=5)
            assert ended.value.rcvd is not None and ended.value.rcvd.code == 1008

    check()
    record(server, "fuzz_websocket", tally)
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
    assert any(c.batch.num_rows for c in client.query(world.series))


def world_rows(client: Client, w: World) -> int:
    return sum(c.batch.num_rows for c in client.query(w.series)
               if str(c.run) == w.run)


def record(server: ServerProcess, figure: str, tally: dict[str, int]) -> None:
    line = json.dumps({"figure": figure, "store": "postgres" if "://" in server.location
                       else "sqlite", **tally})
    print(line)  # benchmarks/bench_reliability.py reads it
