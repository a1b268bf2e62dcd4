"""The JSON metadata API on each store, through a real server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from streamvis.model.schema import RunFilter
from streamvis.web.http import WebConfig

from .helpers import SQLITE_ONLY, append_train, error, filter_param

BUILTIN_TYPES = Path(__file__).parents[2] / "frontend/src/lib/api/builtinTypes.json"


@pytest.fixture
def runs(store, schema):  # noqa: ARG001 - the runs need its fields
    a = store.create_run(tags=["baseline", "gpu"], attributes={"lr": 1e-3, "optimizer": "adam"},
                         started_at=1000.0)
    b = store.create_run(tags=["baseline"], attributes={"lr": 1e-2, "optimizer": "sgd"},
                         started_at=2000.0)
    c = store.create_run(tags=["other"], attributes={"lr": 1e-2}, started_at=3000.0)
    append_train(store, a.handle, [0, 1])
    append_train(store, b.handle, [0])
    return a, b, c


@pytest.mark.usefixtures("schema")
def test_fields_and_series(http):
    fields = http.get("/api/fields").json()
    assert {f["name"]: f["type"] for f in fields} == {
        "step": "int", "loss": "float", "lr": "float", "optimizer": "string",
        "layer": "string", "good": "bool"}
    assert all(set(f) == {"handle", "name", "type", "description"}
               | ({"format"} if f["type"] == "string" else set()) for f in fields)
    assert {f["name"]: f["format"] for f in fields if "format" in f} == {
        "optimizer": "plain", "layer": "plain"}
    assert {"name": "train", "fields": ["step", "loss"]} in http.get("/api/series").json()


@pytest.mark.usefixtures("schema")
def test_a_series_x_is_in_the_series_the_front_end_reads(http, store) -> None:
    """The workspace and the builder draw a series against the x it names (panels.ts);
    a series without one has no "x" (its first int field)."""
    store.create_series("by_loss", ["loss", "step"], x="loss")
    assert {"name": "by_loss", "fields": ["loss", "step"], "x": "loss"} in http.get(
        "/api/series").json()
    run = store.create_run()
    store.append(run.handle, "by_loss", {"loss": pa.array([0.5]), "step": pa.array([1])})
    common = http.get("/api/common-series", params=filter_param({"handles": [str(run.handle)]}))
    assert common.json() == [{"name": "by_loss", "fields": ["loss", "step"], "x": "loss"}]


def test_runs_newest_first_with_filters_and_limit(http, runs):
    a, b, c = runs
    listed = http.get("/api/runs").json()
    assert [r["handle"] for r in listed] == [str(c.handle), str(b.handle), str(a.handle)]
    assert listed[2] == {"handle": str(a.handle), "started_at": 1000.0,
                         "tags": ["baseline", "gpu"],
                         "attributes": {"lr": 1e-3, "optimizer": "adam"}}
    got = http.get("/api/runs", params={**filter_param({"tags_any": ["baseline"]}),
                                        "limit": "1"}).json()
    assert [r["handle"] for r in got] == [str(b.handle)]
    cond = {"attributes": [{"field": "lr", "min": 0.005}], "tags_none": ["other"]}
    assert [r["handle"] for r in http.get("/api/runs", params=filter_param(cond)).json()] == [
        str(b.handle)]
    # A JSON integer compared with a float attribute means the same number.
    eq = {"attributes": [{"field": "lr", "in": [1, 0.01]}], "started_before": 2500}
    assert [r["handle"] for r in http.get("/api/runs", params=filter_param(eq)).json()] == [
        str(b.handle)]
    by_handle = {"handles": [str(a.handle)]}
    assert len(http.get("/api/runs", params=filter_param(by_handle)).json()) == 1


@pytest.mark.usefixtures("runs")
def test_tags_attribute_values_and_started_at(http):
    assert http.get("/api/tags").json() == [
        {"tag": "baseline", "count": 2}, {"tag": "gpu", "count": 1}, {"tag": "other", "count": 1}]
    values = http.get("/api/attribute-values", params={"fields": "lr,optimizer"}).json()
    assert values == {"lr": [{"value": 1e-3, "count": 1}, {"value": 1e-2, "count": 2}],
                      "optimizer": [{"value": "adam", "count": 1}, {"value": "sgd", "count": 1}]}
    started = http.get("/api/started-at", params=filter_param({"tags_all": ["baseline"]}))
    assert started.json() == [1000.0, 2000.0]


@pytest.mark.usefixtures("runs")
def test_common_series_and_attributes(http):
    baseline = filter_param({"tags_any": ["baseline"]})
    assert [s["name"] for s in http.get("/api/common-series", params=baseline).json()] == [
        "train"]
    assert http.get("/api/common-series").json() == []  # run c has no data
    common = http.get("/api/common-attributes", params=baseline).json()
    assert sorted(f["name"] for f in common) == ["lr", "optimizer"]
    assert [f["name"] for f in http.get("/api/common-attributes").json()] == ["lr"]


def test_tag_untag_and_delete_a_run(http, store, runs):
    a, _, _ = runs
    run = http.post(f"/api/runs/{a.handle}/tags", json={"tag": "keep"}).json()
    assert run["tags"] == ["baseline", "gpu", "keep"]
    run = http.delete(f"/api/runs/{a.handle}/tags/gpu").json()
    assert run["tags"] == ["baseline", "keep"]
    assert store.get_run(a.handle).tags == ("baseline", "keep")
    assert http.delete(f"/api/runs/{a.handle}").json() == {}
    assert a.handle not in {r.handle for r in store.list_runs(RunFilter())}
    assert "no run" in error(http.delete(f"/api/runs/{a.handle}"), 404)


@SQLITE_ONLY
@pytest.mark.parametrize(("params", "fragment"), [
    ({"filter": "{not json"}, "not valid JSON"),
    ({"filter": "[1]"}, "must be a JSON object"),
    ({"filter": '{"tag_any": ["a"]}'}, "unknown key(s) 'tag_any'"),
    ({"filter": '{"tags_any": "a"}'}, "array of strings"),
    ({"filter": '{"handles": ["nope"]}'}, "not a UUID"),
    ({"filter": '{"attributes": [{"field": "lr"}]}'}, "exactly one of"),
    ({"filter": '{"attributes": [{"field": "lr", "min": "x", "max": 2}]}'}, ""),
    ({"filter": '{"started_after": "yesterday"}'}, "must be a number"),
    ({"limit": "ten"}, "not a whole number"),
])
@pytest.mark.usefixtures("schema")
def test_bad_filters_are_400_with_a_message(http, params, fragment):
    message = error(http.get("/api/runs", params=params), 400)
    assert fragment in message


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_unknown_things_are_404(http):
    assert "no run" in error(http.get(f"/api/runs/{uuid.uuid4()}"), 404)
    assert "no such API route" in error(http.get("/api/nothing"), 404)
    assert "no such API route" in error(http.post("/api/fields/x"), 404)
    assert "nor a prefix" in error(http.post("/api/runs/x/tags", json={"tag": "t"}), 400)


@pytest.mark.usefixtures("schema")
def test_routes_take_a_unique_handle_prefix(http, store):
    a = store.create_run(uuid.UUID("5ab10000-0000-4000-8000-000000000001"))
    b = store.create_run(uuid.UUID("5ab20000-0000-4000-8000-000000000002"))
    assert http.get("/api/runs/5ab1").json()["handle"] == str(a.handle)
    assert http.post("/api/runs/5AB2-0000/tags", json={"tag": "t"}).json()["tags"] == ["t"]
    assert store.get_run(b.handle).tags == ("t",)
    message = error(http.get("/api/runs/5ab0"), 404)
    assert "no run with a handle starting '5ab0'" in message
    message = error(http.delete("/api/runs/5ab"), 400)
    assert "at least its first 4 hex digits" in message
    store.create_run(uuid.UUID("5ab10000-0000-4000-8000-000000000003"))
    message = error(http.delete("/api/runs/5ab1"), 400)
    assert f"ambiguous: it matches {a.handle}, 5ab10000-0000-4000-8000-000000000003" in message
    assert len(store.list_runs(RunFilter())) == 3  # the refused delete changed nothing


@SQLITE_ONLY
def test_bad_bodies(http, runs):
    a, _, _ = runs
    url = f"/api/runs/{a.handle}/tags"
    assert "no body" in error(http.post(url), 400)
    assert "not valid JSON" in error(http.post(url, content=b"{"), 400)
    assert '"tag"' in error(http.post(url, json={"label": "x"}), 400)
    assert "control character" in error(http.post(url, json={"tag": "a\nb"}), 400)
    assert "bytes" in error(http.post(url, content=b" " * (2 << 20)), 413)


@SQLITE_ONLY
@pytest.mark.parametrize("web_config", [WebConfig(read_only=True)])
def test_a_read_only_server_refuses_every_change(http, runs):
    a, _, _ = runs
    assert "read-only" in error(http.post(f"/api/runs/{a.handle}/tags", json={"tag": "t"}), 403)
    assert "read-only" in error(http.delete(f"/api/runs/{a.handle}/tags/gpu"), 403)
    assert "read-only" in error(http.delete(f"/api/runs/{a.handle}"), 403)
    assert len(http.get("/api/runs").json()) == 3


@SQLITE_ONLY
def test_info_serves_the_type_registry_as_the_front_end_knows_it(http):
    """The front end knows the built-in types before /api/info answers
    (frontend/src/lib/api/builtinTypes.json): it must be what the server sends."""
    served = http.get("/api/info").json()["types"]
    assert [t["name"] for t in served] == [
        "int", "float", "string", "bool", "image", "audio", "video"]
    known = json.loads(BUILTIN_TYPES.read_text())
    assert known == served, "regenerate builtinTypes.json from GET /api/info's 'types'"
