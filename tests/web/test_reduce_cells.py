"""The `cells` and `quartiles` reductions (web/reduce_cells.py) against numpy, on both stores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.limits import MAX_OUTLIERS
from streamvis.model.schema import FieldType
from streamvis.web import reduce_cells

from .helpers import error, meta, table


@pytest.fixture
def preds(store: Any) -> None:
    """A series `preds` = (step int, label int, pred int, score float, split string)."""
    for name, kind in (("step", FieldType.INT), ("label", FieldType.INT),
                       ("pred", FieldType.INT), ("score", FieldType.FLOAT),
                       ("split", FieldType.STRING)):
        store.create_field(name, kind)
    store.create_series("preds", ["step", "label", "pred", "score", "split"])


def _append(store: Any, run: Any, cols: dict[str, Any]) -> None:
    types = {"step": pa.int64(), "label": pa.int64(), "pred": pa.int64(),
             "score": pa.float64(), "split": pa.string()}
    store.append(run, "preds", {k: pa.array(v, types[k]) for k, v in cols.items()})


def _data(rng: np.random.Generator, n: int) -> dict[str, Any]:
    label = rng.integers(0, 5, n)
    pred = np.where(rng.random(n) < 0.7, label, rng.integers(0, 5, n))
    return {"step": np.arange(n), "label": label, "pred": pred, "score": rng.normal(0, 1, n),
            "split": rng.choice(["train", "val", "test"], n).tolist()}


@pytest.mark.usefixtures("preds")
def test_confusion_matrix_is_a_count_per_label_and_prediction(http, store):
    rng = np.random.default_rng(3)
    d = _data(rng, 5_000)
    run = store.create_run()
    _append(store, run.handle, d)
    body = {"series": "preds", "kind": "heatmap", "x": "label", "y": "pred"}
    t = table(http.post("/api/data", json=body))
    assert meta(t)["reduced"] == "cells"
    expected = np.zeros((5, 5))
    np.add.at(expected, (d["label"], d["pred"]), 1)
    got = np.zeros((5, 5))
    xs = np.rint(t.column("x_low").to_numpy() + 0.5).astype(int)
    ys = np.rint(t.column("y_low").to_numpy() + 0.5).astype(int)
    got[xs, ys] = t.column("value").to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert t.column("x_label").to_pylist()[:1][0] in {"0", "1", "2", "3", "4"}
    # Mean score per cell, and the last one.
    t = table(http.post("/api/data", json={**body, "value": "score", "aggregate": "mean"}))
    for row in t.to_pylist():
        sel = (d["label"] == round(row["x_low"] + 0.5)) & (d["pred"] == round(row["y_low"] + 0.5))
        assert row["value"] == pytest.approx(d["score"][sel].mean())
    t = table(http.post("/api/data", json={**body, "value": "score", "aggregate": "last"}))
    for row in t.to_pylist():
        sel = (d["label"] == round(row["x_low"] + 0.5)) & (d["pred"] == round(row["y_low"] + 0.5))
        assert row["value"] == d["score"][sel][-1]


@pytest.mark.usefixtures("preds")
def test_heatmap_of_floats_bins_them(http, store):
    rng = np.random.default_rng(4)
    d = _data(rng, 3_000)
    _append(store, store.create_run().handle, d)
    body = {"series": "preds", "kind": "heatmap", "x": "score", "y": "label", "bins": 8}
    t = table(http.post("/api/data", json=body))
    assert "x_label" not in t.column_names
    assert "y_label" in t.column_names
    expected, _ = np.histogram(d["score"], bins=8)
    lows = np.unique(t.column("x_low").to_numpy())
    assert lows.size == 8
    by_bin = np.zeros(8)
    np.add.at(by_bin, np.searchsorted(lows, t.column("x_low").to_numpy()),
              t.column("value").to_numpy())
    np.testing.assert_array_equal(by_bin, expected)


@pytest.mark.usefixtures("preds")
def test_bars_per_category_and_color(http, store):
    rng = np.random.default_rng(5)
    d = _data(rng, 2_000)
    a, b = store.create_run(), store.create_run()
    _append(store, a.handle, d)
    _append(store, b.handle, {k: v[:100] for k, v in d.items()})
    body = {"series": "preds", "kind": "bar", "category": "split", "value": "score",
            "aggregate": "sum"}
    t = table(http.post("/api/data", json=body))
    splits = np.array(d["split"])
    for row in t.to_pylist():
        n = 2_000 if row["run"] == str(a.handle) else 100
        sel = splits[:n] == row["x_label"]
        assert row["value"] == pytest.approx(d["score"][:n][sel].sum())
    assert sorted(t.column("x_low").to_pylist()) == [-0.5, -0.5, 0.5, 0.5, 1.5, 1.5]
    # Split by a field (stacked or side by side in the browser); count without a value.
    t = table(http.post("/api/data", json={"series": "preds", "kind": "bar", "category": "label",
                                           "group": ["run", "split"]}))
    assert t.column("value").to_numpy().sum() == 2_100
    assert 'needs a "value"' in error(http.post("/api/data", json={
        "series": "preds", "kind": "bar", "category": "label", "aggregate": "mean"}), 400)
    assert "category takes" in error(http.post("/api/data", json={
        "series": "preds", "kind": "bar", "category": "score"}), 400)


@pytest.mark.usefixtures("preds")
def test_box_quartiles_whiskers_and_outliers(http, store):
    rng = np.random.default_rng(6)
    n = 6_000
    d = _data(rng, n)
    d["score"][::50] *= 20  # outliers
    _append(store, store.create_run().handle, d)
    body = {"series": "preds", "kind": "box", "category": "label", "y": "score"}
    t = table(http.post("/api/data", json=body))
    assert meta(t)["reduced"] == "quartiles"
    assert t.num_rows == 5
    for row in t.to_pylist():
        ys = np.sort(d["score"][d["label"] == round(row["x_low"] + 0.5)])
        q1, med, q3 = np.percentile(ys, [25, 50, 75])
        assert (row["q1"], row["median"], row["q3"]) == pytest.approx((q1, med, q3))
        inner = ys[(ys >= q1 - 1.5 * (q3 - q1)) & (ys <= q3 + 1.5 * (q3 - q1))]
        assert (row["whisker_low"], row["whisker_high"]) == (inner.min(), inner.max())
        assert row["outliers"] == [v for v in ys if v < inner.min() or v > inner.max()]
        assert row["count"] == ys.size
    assert MAX_OUTLIERS >= 100


@pytest.mark.usefixtures("preds")
def test_far_apart_int_categories_are_cells_too(http, store):
    _append(store, store.create_run().handle, {
        "step": [0, 1, 2], "label": [0, 10**12, 10**12], "pred": [1, 1, 1],
        "score": [0.0, 1.0, 2.0], "split": ["a", "a", "a"]})
    t = table(http.post("/api/data", json={"series": "preds", "kind": "bar", "category": "label"}))
    rows = sorted((r["x_label"], r["value"]) for r in t.to_pylist())
    assert rows == [("0", 1.0), (str(10**12), 2.0)]


def test_a_box_sends_at_most_max_outliers_the_most_extreme():
    ys = np.concatenate([np.zeros(10_000), np.arange(1, 2 * MAX_OUTLIERS + 1) * 100.0])
    row, outliers = reduce_cells._box(np.sort(ys))
    assert len(outliers) == MAX_OUTLIERS
    assert outliers == sorted(outliers)
    assert outliers[-1] == 2 * MAX_OUTLIERS * 100.0
    assert min(outliers) == (MAX_OUTLIERS + 1) * 100.0
    assert row[1] == 0.0 and row[5] == ys.size
