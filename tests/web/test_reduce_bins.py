"""The `bins` reduction (web/reduce_bins.py) against numpy's own histograms, on both stores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.checks import reduce_settings
from streamvis.model.schema import FieldType
from streamvis.web import bin_rules

from .helpers import SQLITE_ONLY, error, meta, table


@pytest.fixture
def weights(store: Any) -> None:
    """A series `weights` = (step int, w float, layer string)."""
    store.create_field("step", FieldType.INT)
    store.create_field("w", FieldType.FLOAT)
    store.create_field("layer", FieldType.STRING)
    store.create_series("weights", ["step", "w", "layer"])


def _append(store: Any, run: Any, step: np.ndarray, w: np.ndarray, layer: list[str]) -> None:
    store.append(run, "weights", {"step": pa.array(np.asarray(step, np.int64)),
                                  "w": pa.array(np.asarray(w, np.float64)),
                                  "layer": pa.array(layer, pa.string())})


@pytest.mark.usefixtures("weights")
def test_histogram_counts_match_numpy_for_count_width_and_rule(http, store):
    rng = np.random.default_rng(1)
    run = store.create_run()
    w = rng.normal(0, 1, 20_000)
    w[::997] = np.nan  # NaN is counted in no bin
    steps = np.repeat(np.arange(20), 1000)
    for part in np.array_split(np.arange(w.size), 3):
        _append(store, run.handle, steps[part], w[part], ["a"] * part.size)
    finite = w[np.isfinite(w)]
    body = {"series": "weights", "kind": "histogram", "x": "w", "bins": 37}
    t = table(http.post("/api/data", json=body))
    assert meta(t)["reduced"] == "bins"
    expected, edges = np.histogram(finite, bins=37)
    got = np.zeros(37, np.int64)
    lows = t.column("bin_low").to_numpy()
    got[np.searchsorted(edges, lows + 1e-12) - 1] = t.column("count").to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert t.column("count").to_numpy().sum() == finite.size
    # A width: bins [lo + k·width, ...), every value in one.
    t = table(http.post("/api/data", json={**body, "bins": None, "bin_width": 0.5}))
    widths = t.column("bin_high").to_numpy() - t.column("bin_low").to_numpy()
    np.testing.assert_allclose(widths, 0.5)
    assert t.column("count").to_numpy().sum() == finite.size
    # The default rule is Freedman-Diaconis, as numpy's "fd".
    t = table(http.post("/api/data", json={"series": "weights", "kind": "histogram", "x": "w"}))
    assert int(meta(t)["bins"]) == np.histogram_bin_edges(finite, "fd").size - 1
    t = table(http.post("/api/data", json={**body, "bins": None, "bin_rule": "sturges"}))
    assert int(meta(t)["bins"]) == np.histogram_bin_edges(finite, "sturges").size - 1


@pytest.mark.usefixtures("weights")
def test_histogram_over_time_matches_histogram2d(http, store):
    rng = np.random.default_rng(2)
    run = store.create_run()
    steps = np.repeat(np.arange(50), 400)
    w = rng.normal(steps / 25.0, 1.0)
    _append(store, run.handle, steps, w, ["a"] * w.size)
    body = {"series": "weights", "kind": "histogram", "x": "w", "t": "step", "bins": 40}
    t = table(http.post("/api/data", json=body))
    m = meta(t)
    assert m["t_bins"] == "50"  # one bin per step
    x_edges = float(m["bin_low"]) + float(m["bin_width"]) * np.arange(41)
    x_edges[-1] = w.max()
    expected, _, _ = np.histogram2d(steps, w, bins=[np.arange(51) - 0.5, x_edges])
    got = np.zeros((50, 40))
    ti = np.rint(t.column("t_low").to_numpy() + 0.5).astype(int)
    xi = np.rint((t.column("bin_low").to_numpy() - x_edges[0]) / float(m["bin_width"])).astype(int)
    got[ti, xi] = t.column("count").to_numpy()
    np.testing.assert_array_equal(got, expected)
    # Fewer step bins than steps: whole steps each.
    t = table(http.post("/api/data", json={**body, "t_bins": 10}))
    assert meta(t)["t_bins"] == "10"
    assert t.column("count").to_numpy().sum() == w.size


@pytest.mark.usefixtures("weights")
def test_histogram_splits_by_run_and_group_and_honours_where(http, store):
    a, b = store.create_run(), store.create_run()
    _append(store, a.handle, np.array([0, 0, 1, 1]), np.array([0.0, 1.0, 2.0, 3.0]),
            ["p", "q", "p", "q"])
    _append(store, b.handle, np.array([0, 0]), np.array([0.0, 3.0]), ["p", "p"])
    body = {"series": "weights", "kind": "histogram", "x": "w", "bins": 3,
            "group": ["run", "layer"]}
    t = table(http.post("/api/data", json=body))
    rows = {(r["run"], r["layer"], r["bin_low"]): r["count"] for r in t.to_pylist()}
    assert rows == {(str(a.handle), "p", 0.0): 1, (str(a.handle), "p", 2.0): 1,
                    (str(a.handle), "q", 1.0): 1, (str(a.handle), "q", 2.0): 1,
                    (str(b.handle), "p", 0.0): 1, (str(b.handle), "p", 2.0): 1}
    t = table(http.post("/api/data", json={**body, "where": [{"field": "step", "equals": 1}]}))
    assert sorted(t.column("count").to_pylist()) == [1, 1]


@pytest.mark.usefixtures("weights")
def test_histogram_refusals_say_what_to_do(http, store):
    body = {"series": "weights", "kind": "histogram", "x": "w"}
    assert "more than 10000" in error(http.post("/api/data", json={**body, "bins": 10**6}), 413)
    assert "bin_width must be above 0" in error(
        http.post("/api/data", json={**body, "bin_width": 0}), 400)
    assert "bin_rule 'magic'" in error(
        http.post("/api/data", json={**body, "bin_rule": "magic"}), 400)
    assert "x takes" in error(http.post("/api/data", json={**body, "x": "layer"}), 400)
    run = store.create_run()
    _append(store, run.handle, np.array([0, 1]), np.array([0.0, 1e9]), ["a", "a"])
    assert "wider bin_width" in error(http.post("/api/data", json={**body, "bin_width": 1}), 413)
    # No rows: an empty table, not an error.
    t = table(http.post("/api/data", json={**body, "where": [{"field": "step", "equals": 7}]}))
    assert t.num_rows == 0


def test_the_named_rules_and_aggregates_each_have_a_function():
    assert set(bin_rules.BIN_RULES) == set(reduce_settings.BIN_RULES)
    assert set(bin_rules.AGGREGATES) == set(reduce_settings.AGGREGATES)


@SQLITE_ONLY
@pytest.mark.usefixtures("weights")
def test_a_saved_plot_keeps_its_reduce_settings_and_refuses_bad_ones(http):
    spec = {"kind": "histogram", "reduce": {"bins": 20, "bin_rule": "sqrt"},
            "datasets": [{"series": "weights", "bindings": {"x": "w", "t": "step"}}]}
    assert http.put("/api/plots/h", json=spec).json()["reduce"] == spec["reduce"]
    assert "reduce has unknown key(s) 'colour'" in error(
        http.put("/api/plots/h", json={**spec, "reduce": {"colour": 1}}), 400)
    assert "aggregate must be one of count" in error(
        http.put("/api/plots/h", json={**spec, "reduce": {"aggregate": "median"}}), 400)
