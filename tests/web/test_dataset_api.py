"""Facets and frames over HTTP: row conditions of /api/data and /api/dataset-summary."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from streamvis.store import Store

from .helpers import SQLITE_ONLY, error, table


def _layers(store: Store, run, steps, layers=("a", "b")) -> None:
    step = np.repeat(np.asarray(steps, np.int64), len(layers))
    layer = list(layers) * len(steps)
    store.append(run, "layers", {"step": pa.array(step), "layer": pa.array(layer),
                                 "loss": pa.array(step / 10.0 + np.arange(step.size) % 2)})


@pytest.fixture
def two_runs(store: Store, schema):  # noqa: ARG001
    a = store.create_run(attributes={"lr": 0.1, "optimizer": "adam"}, started_at=1.0)
    b = store.create_run(attributes={"lr": 0.2, "optimizer": "sgd"}, started_at=2.0)
    _layers(store, a.handle, [0, 1, 2])
    _layers(store, b.handle, [0, 1, 2, 3, 4])
    _layers(store, b.handle, [5], layers=("a", "b", "c"))
    return a, b


def test_summary_counts_rows_and_lists_values(http, two_runs):
    a, _b = two_runs
    out = http.post("/api/dataset-summary", json={
        "series": "layers", "values": ["layer", "step", "optimizer"]}).json()
    assert out["runs"] == 2
    assert out["rows"] == 6 + 10 + 3
    assert out["values"]["layer"] == {"values": ["a", "b", "c"], "counts": [9, 9, 1],
                                      "truncated": False}
    assert out["values"]["step"]["values"] == [0, 1, 2, 3, 4, 5]
    assert out["values"]["step"]["counts"] == [4, 4, 4, 2, 2, 3]
    # An attribute: counted in runs.
    assert out["values"]["optimizer"] == {"values": ["adam", "sgd"], "counts": [1, 1],
                                          "truncated": False}
    only_a = http.post("/api/dataset-summary", json={
        "series": "layers", "filter": {"handles": [str(a.handle)]}}).json()
    assert (only_a["runs"], only_a["rows"], only_a["values"]) == (1, 6, {})


def test_a_series_x_alone_is_read_from_its_line_buckets(http, store, two_runs, monkeypatch):
    """The workspace's probe of rows per step: the same answer as from the columns, with
    no column read where the x's bucket rows hold it (run a's steps rise)."""
    a, _b = two_runs
    read = []
    was = type(store).line_xs

    def spied(self, *args):
        read.append(out := was(self, *args))
        return out

    monkeypatch.setattr(type(store), "line_xs", spied)
    ask = {"series": "layers", "filter": {"handles": [str(a.handle)]}}
    fast = http.post("/api/dataset-summary", json={**ask, "values": ["step"]}).json()
    assert len(read) == 1 and read[0] is not None
    slow = http.post("/api/dataset-summary", json={**ask, "values": ["step", "layer"]}).json()
    assert len(read) == 1  # two fields asked: the columns
    assert fast["values"]["step"] == slow["values"]["step"] == {
        "values": [0, 1, 2], "counts": [2, 2, 2], "truncated": False}
    assert (fast["runs"], fast["rows"]) == (slow["runs"], slow["rows"]) == (1, 6)
    # Run b's last append broadcasts one step to three rows, kept in the chunk: the
    # columns answer, the same as ever.
    both = http.post("/api/dataset-summary", json={"series": "layers", "values": ["step"]})
    assert read[-1] is None
    assert both.json()["values"]["step"]["counts"] == [4, 4, 4, 2, 2, 3]


def test_where_keeps_one_facet_and_the_latest_frame(http, two_runs):
    a, b = two_runs
    base = {"series": "layers", "kind": "line", "x": "step", "y": "loss"}
    t = table(http.post("/api/data", json={**base, "where": [
        {"field": "layer", "equals": "b"}], "fields": ["layer"]}))
    assert set(t.column("layer").to_pylist()) == {"b"}
    assert t.num_rows == 3 + 6
    # latest: each run's own largest step.
    t = table(http.post("/api/data", json={"series": "layers", "where": [
        {"field": "step", "latest": True}]}))
    rows = {(r["run"], r["step"], r["layer"]) for r in t.to_pylist()}
    assert rows == {(str(a.handle), 2, "a"), (str(a.handle), 2, "b"),
                    (str(b.handle), 5, "a"), (str(b.handle), 5, "b"), (str(b.handle), 5, "c")}
    # A frame value, on a scatter, with the facet too.
    t = table(http.post("/api/data", json={
        **base, "kind": "scatter", "fields": ["layer"],
        "where": [{"field": "step", "equals": 1}, {"field": "layer", "equals": "a"}]}))
    assert sorted(t.column("run").to_pylist()) == sorted([str(a.handle), str(b.handle)])
    assert set(t.column("step").to_pylist()) == {1}
    # A value no row has: nothing, not everything.
    t = table(http.post("/api/data", json={**base, "where": [
        {"field": "layer", "equals": "zzz"}]}))
    assert t.num_rows == 0


@SQLITE_ONLY
@pytest.mark.usefixtures("two_runs")
@pytest.mark.parametrize(("where", "fragment"), [
    ({"field": "layer"}, 'exactly one of "equals"'),
    ({"field": "step", "equals": 1, "latest": True}, 'exactly one of "equals"'),
    ({"field": "layer", "latest": True}, "latest needs a number field"),
    ({"field": "lr", "equals": 0.1}, "not a field of series 'layers'"),
    ({"field": "step", "equal": 1}, "unknown key(s) 'equal'"),
])
def test_bad_row_conditions_are_400(http, where, fragment):
    body = {"series": "layers", "where": [where]}
    assert fragment in error(http.post("/api/data", json=body), 400)


@SQLITE_ONLY
@pytest.mark.usefixtures("two_runs")
def test_bad_summary_requests(http):
    assert '"series"' in error(http.post("/api/dataset-summary", json={}), 400)
    assert "no series named 'nope'" in error(
        http.post("/api/dataset-summary", json={"series": "nope"}), 404)
    assert "no field named 'nope'" in error(
        http.post("/api/dataset-summary", json={"series": "layers", "values": ["nope"]}), 404)
    assert "unknown key(s) 'x'" in error(
        http.post("/api/dataset-summary", json={"series": "layers", "x": 1}), 400)
