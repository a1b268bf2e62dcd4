"""POST /api/data: Arrow streams, level of detail, live increments, errors."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.store import chunks as chunks_module
from streamvis.web.http import WebConfig

from .helpers import SQLITE_ONLY, append_train, error, meta, table


def line(**extra):
    return {"series": "train", "kind": "line", "x": "step", "y": "loss", **extra}


@pytest.mark.usefixtures("schema")
def test_raw_data_with_run_column_fields_and_attributes(http, store):
    a = store.create_run(attributes={"lr": 0.1, "optimizer": "adam"}, started_at=1.0)
    b = store.create_run(attributes={"lr": 0.2}, started_at=2.0)
    append_train(store, a.handle, [0, 1, 2])
    seq = append_train(store, b.handle, [5, 6])
    t = table(http.post("/api/data", json={"series": "train", "attributes": ["lr"]}))
    assert t.column_names == ["run", "step", "loss", "lr"]
    assert t.schema.field("step").type == pa.int64()
    assert meta(t) == {"reduced": "none", "last_sequence": str(seq)}
    rows = sorted(t.to_pylist(), key=lambda r: (r["run"], r["step"]))
    expected = [{"run": str(a.handle), "step": s, "loss": s / 10, "lr": 0.1} for s in (0, 1, 2)]
    expected += [{"run": str(b.handle), "step": s, "loss": s / 10, "lr": 0.2} for s in (5, 6)]
    assert rows == sorted(expected, key=lambda r: (r["run"], r["step"]))
    # A string attribute some runs lack: those runs are left out.
    t = table(http.post("/api/data", json={"series": "train", "attributes": ["optimizer"],
                                           "fields": ["loss"]}))
    assert t.column_names == ["run", "loss", "optimizer"]
    assert set(t.column("run").to_pylist()) == {str(a.handle)}
    assert t.column("optimizer").to_pylist() == ["adam"] * 3


@pytest.mark.usefixtures("schema")
def test_a_long_line_is_reduced_with_m4_and_keeps_its_spike(http, store):
    run = store.create_run()
    n = 200_000
    loss = np.sin(np.arange(n) / 1000.0)
    loss[123_457] = 99.0
    for part in np.array_split(np.arange(n), 7):
        append_train(store, run.handle, part, loss[part])
    t = table(http.post("/api/data", json=line(pixels=500)))
    assert meta(t)["reduced"] == "m4"
    assert t.num_rows <= 4 * 500
    assert 99.0 in t.column("loss").to_pylist()
    steps = t.column("step").to_numpy()
    assert np.all(np.diff(steps) > 0)
    # Zoomed in to fewer points than pixels: the raw points, plus one each side.
    t = table(http.post("/api/data", json=line(pixels=500, x_min=1000, x_max=1099)))
    assert meta(t)["reduced"] == "none"
    assert t.column("step").to_pylist() == list(range(999, 1101))


@pytest.mark.usefixtures("schema")
def test_lines_split_by_run_and_by_a_series_field(http, store):
    runs = [store.create_run(attributes={"optimizer": o}) for o in ("adam", "sgd")]
    n = 5000
    for i, run in enumerate(runs):
        steps = np.repeat(np.arange(n), 2)
        layer = pa.array(["a", "b"] * n)
        loss = np.where(np.arange(2 * n) % 2 == 0, 1.0, 2.0) + i * 10
        loss[2 * 777 + 1] = -5.0 - i  # a dip in layer b only
        store.append(run.handle, "layers", {"step": pa.array(steps), "layer": layer,
                                            "loss": pa.array(loss)})
    t = table(http.post("/api/data", json={
        "series": "layers", "kind": "line", "x": "step", "y": "loss", "pixels": 100,
        "group": ["run", "layer", "optimizer"]}))
    assert meta(t)["reduced"] == "m4"
    assert set(t.column_names) == {"run", "step", "layer", "loss", "optimizer"}
    df = t.to_pylist()
    lines: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in df:
        lines.setdefault((row["run"], row["layer"]), []).append(row)
    assert len(lines) == 4
    keys = [(r["run"], r["layer"]) for r in df]
    assert sum(a != b for a, b in itertools.pairwise(keys)) == 3  # each contiguous
    for (_, layer), rows in lines.items():
        line_steps = [r["step"] for r in rows]  # in drawing order
        assert line_steps == sorted(line_steps)
        assert line_steps[0] == 0 and line_steps[-1] == n - 1
        losses = {r["loss"] for r in rows}
        assert len(losses) == (2 if layer == "b" else 1)
    assert {r["loss"] for r in df if r["layer"] == "b"} >= {-5.0, -6.0}


@pytest.mark.usefixtures("schema")
def test_non_monotonic_lines_are_drawn_by_x_or_by_order(http, store):
    run = store.create_run()
    steps = np.array([5, 1, 4, 2, 3], np.int64)
    append_train(store, run.handle, steps, steps * 1.0)
    t = table(http.post("/api/data", json=line(pixels=100)))
    assert t.column("step").to_pylist() == [1, 2, 3, 4, 5]
    # With `order`, rows come in that field's order (here: loss, the reverse of step).
    append_train(store, run.handle, [0], [10.0])
    t = table(http.post("/api/data", json=line(pixels=100, order="loss", y="step", x="loss")))
    assert t.column("loss").to_pylist() == [1.0, 2.0, 3.0, 4.0, 5.0, 10.0]


@pytest.mark.usefixtures("schema")
def test_after_sequence_returns_only_newer_rows(http, store):
    run = store.create_run()
    append_train(store, run.handle, range(100))
    first = table(http.post("/api/data", json=line(pixels=10)))
    last = int(meta(first)["last_sequence"])
    seq = append_train(store, run.handle, range(100, 103))
    newer = table(http.post("/api/data", json=line(pixels=1000, after_sequence=last)))
    assert newer.column("step").to_pylist() == [100, 101, 102]
    assert meta(newer)["last_sequence"] == str(seq)
    none = table(http.post("/api/data", json=line(pixels=1000, after_sequence=seq)))
    assert none.num_rows == 0 and meta(none)["last_sequence"] == str(seq)


@pytest.mark.usefixtures("schema")
def test_cached_columns_follow_appends_replacements_and_deletions(http, store):
    run = store.create_run()
    append_train(store, run.handle, [1, 2])
    assert table(http.post("/api/data", json=line())).num_rows == 2
    append_train(store, run.handle, [3])
    assert table(http.post("/api/data", json=line())).column("step").to_pylist() == [1, 2, 3]
    store.replace_run(run.handle)
    assert table(http.post("/api/data", json=line())).num_rows == 0
    append_train(store, run.handle, [7], [0.5])
    t = table(http.post("/api/data", json=line()))
    assert t.to_pylist() == [{"run": str(run.handle), "step": 7, "loss": 0.5}]
    store.delete_run(run.handle)
    assert table(http.post("/api/data", json=line())).num_rows == 0


@pytest.mark.usefixtures("schema")
def test_renamed_fields_keep_their_data(http, store):
    run = store.create_run()
    append_train(store, run.handle, [1, 2])
    assert table(http.post("/api/data", json=line())).num_rows == 2
    store.update_field("loss", new_name="train_loss")
    t = table(http.post("/api/data", json=line(y="train_loss")))
    assert t.column("train_loss").to_pylist() == [0.1, 0.2]


@SQLITE_ONLY
@pytest.mark.parametrize("web_config", [WebConfig(max_points=1000)])
@pytest.mark.usefixtures("schema")
def test_scatter_is_sent_whole_up_to_max_points_then_thinned(http, store):
    run = store.create_run()
    rng = np.random.default_rng(0)
    loss = rng.normal(0, 0.001, 5000)
    loss[17] = 50.0  # an outlier, alone in its screen cell
    append_train(store, run.handle, np.arange(5000), loss)
    body = {"series": "train", "kind": "scatter", "x": "step", "y": "loss"}
    small = table(http.post("/api/data", json={**body, "x_max": 899}))
    assert meta(small)["reduced"] == "none" and small.num_rows == 900
    big = table(http.post("/api/data", json=body))
    assert meta(big)["reduced"] == "density"
    assert 500 < big.num_rows <= 1100
    assert 50.0 in big.column("loss").to_pylist()
    # Without a kind nothing is reduced, so too many rows is an error that says what to do.
    assert '"pixels"' in error(http.post("/api/data", json={"series": "train"}), 413)


@SQLITE_ONLY
@pytest.mark.parametrize(("body", "status", "fragment"), [
    ({}, 400, '"series"'),
    ({"series": "nope"}, 404, "no series named 'nope'"),
    ({"series": "train", "fields": ["nope"]}, 400, "has no field 'nope'"),
    ({"series": "train", "attributes": ["nope"]}, 404, "no field named 'nope'"),
    ({"series": "train", "kind": "pie"}, 400, "kind 'pie'"),
    ({"series": "train", "kind": "bar"}, 400, 'a bar needs "category"'),
    ({"series": "train", "kind": "line", "x": "step"}, 400, '"x" and "y"'),
    ({"series": "train", "kind": "line", "x": "step", "y": "optimizer"}, 400, "y field"),
    ({"series": "train", "kind": "line", "x": "lr", "y": "loss"}, 400, "not a field of series"),
    ({"series": "train", "kind": "line", "x": "step", "y": "loss", "group": ["loss"]}, 400,
     "group field 'loss' is float"),
    ({"series": "train", "pixels": 0}, 400, "pixels must be at least 1"),
    ({"series": "train", "pixels": 1.5}, 400, "pixels must be an integer"),
    ({"series": "train", "after_sequence": -1}, 400, "after_sequence must be at least 0"),
    ({"series": "train", "x_min": 2, "x_max": 1}, 400, "x_min=2"),
    ({"series": "train", "x_min": "a"}, 400, "x_min must be a number"),
    ({"series": "train", "filter": {"tags_any": [1]}}, 400, "filter.tags_any"),
    ({"series": "train", "frame": 1}, 400, "unknown key(s) 'frame'"),
])
@pytest.mark.usefixtures("schema")
def test_bad_data_requests(http, body, status, fragment):
    assert fragment in error(http.post("/api/data", json=body), status)


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_empty_results_still_carry_the_schema(http):
    t = table(http.post("/api/data", json={**line(pixels=10), "attributes": ["optimizer"]}))
    assert t.num_rows == 0
    assert t.column_names == ["run", "step", "loss", "optimizer"]
    assert meta(t) == {"reduced": "none", "last_sequence": "0"}


@pytest.mark.usefixtures("schema")
def test_a_line_against_time_since_start_and_wall_clock(http, store):
    a = store.create_run(started_at=1000.0)
    b = store.create_run(started_at=2000.0)
    for run, start in ((a, 1000.0), (b, 2000.0)):
        store.append(run.handle, "train", {
            "step": pa.array([0, 1, 2], pa.int64()), "loss": pa.array([0.3, 0.2, 0.1]),
            "_time": pa.array([start + 1, start + 2.5, start + 4])})
    t = table(http.post("/api/data", json=line(x="_elapsed", pixels=500)))
    assert t.column_names == ["run", "step", "loss", "_elapsed"]
    by_run = {r: [(row["_elapsed"], row["loss"]) for row in t.to_pylist() if row["run"] == r]
              for r in (str(a.handle), str(b.handle))}
    # Each run from its own start: both lines lie over the same x.
    assert by_run[str(a.handle)] == by_run[str(b.handle)] == [(1.0, 0.3), (2.5, 0.2),
                                                              (4.0, 0.1)]
    t = table(http.post("/api/data", json=line(x="_time", fields=["step"], x_min=2000)))
    assert sorted(t.column("_time").to_pylist()) == [2001.0, 2002.5, 2004.0]
    # A pseudo-field binds like a field, and only to roles that take a float.
    assert error(http.post("/api/data", json={**line(), "group": ["_time"]}),
                 400).startswith("group field '_time' is float")


def test_rows_stored_before_times_were_kept_are_left_off_a_time_axis(http, store, schema):
    run = store.create_run()
    append_train(store, run.handle, np.arange(3000))
    append_train(store, run.handle, np.arange(3000, 3010))
    # Chunk 1 as an older streamvis stored it: no time column.
    old = chunks_module.encode_chunk(
        pa.RecordBatch.from_arrays([pa.array(np.arange(3000)), pa.array(np.zeros(3000))],
                                   names=["step", "loss"]),
        [schema.fields["step"].handle, schema.fields["loss"].handle])
    with store._write() as s:  # writing what no current API writes
        s.run("UPDATE chunks SET data = ? WHERE sequence = 1", (old,))
    # Raw rows: the old chunk's times read NaN.
    t = table(http.post("/api/data", json={"series": "train", "fields": ["step", "_elapsed"]}))
    elapsed = t.column("_elapsed").to_numpy()
    assert np.isnan(elapsed[:3000]).all() and np.isfinite(elapsed[3000:]).all()
    # A line against time leaves them out.
    t = table(http.post("/api/data", json=line(x="_elapsed", fields=["step"])))
    assert t.column("step").to_pylist() == list(range(3000, 3010))
    t = table(http.post("/api/data", json=line(x="_time", pixels=100)))
    # (With a range, a neighbor point beyond it may come along, its time NaN: not drawn.)
    assert np.isfinite(t.column("_time").to_numpy()).sum() == 10
