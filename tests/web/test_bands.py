"""The `bands` reduction (web/bands.py): runs grouped by attribute, per pixel column the
mean, min, max and std of the runs, against a brute-force reference, on both stores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from streamvis.web.bands import group_stats, run_means

from .helpers import append_train, error, meta, table


def reference(runs: list[tuple[np.ndarray, np.ndarray]], lo: float, hi: float,
              columns: int) -> list[tuple[float, float, float, float, int]]:
    """Per column (mean, min, max, std, runs), by loops over columns and runs."""
    width = (hi - lo) / columns
    out = []
    for c in range(columns):
        per_run = []
        for x, y in runs:
            inside = (x >= lo + c * width) & ((x < lo + (c + 1) * width) | (c == columns - 1))
            if inside.any():
                per_run.append(float(np.mean(y[inside])))
        if per_run:
            out.append((float(np.mean(per_run)), min(per_run), max(per_run),
                        float(np.std(per_run)), len(per_run)))
    return out


def test_group_stats_match_numpy_over_the_runs_that_have_data():
    rng = np.random.default_rng(1)
    means = rng.normal(size=(5, 40))
    means[rng.random((5, 40)) < 0.3] = np.nan
    means[:, 7] = np.nan  # a column no run reaches
    stats = group_stats(means)
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        np.testing.assert_allclose(stats["y"], np.nanmean(means, axis=0))
    np.testing.assert_allclose(stats["y_std"][stats["runs"] > 0],
                               np.nanstd(means[:, stats["runs"] > 0], axis=0))
    np.testing.assert_array_equal(stats["runs"], np.isfinite(means).sum(axis=0))
    assert np.isnan(stats["y"][7]) and stats["runs"][7] == 0


def test_run_means_put_each_row_in_its_column_the_last_edge_included():
    x = np.array([0.0, 0.5, 1.0, 9.99, 10.0, np.nan])
    y = np.array([1.0, 3.0, 5.0, 7.0, 9.0, 100.0])
    np.testing.assert_array_equal(run_means(x, y, 0.0, 10.0, 2)[[0, 1]], [3.0, 8.0])


def test_a_run_sparser_than_the_columns_is_interpolated_within_its_range():
    x = np.array([2.0, 8.0])  # columns of width 1 over [0, 10]: rows in columns 2 and 8
    means = run_means(x, np.array([0.0, 6.0]), 0.0, 10.0, 10)
    assert np.isnan(means[:2]).all() and np.isnan(means[9:]).all()
    np.testing.assert_allclose(means[2:9], [0, 1, 2, 3, 4, 5, 6])


@pytest.mark.usefixtures("schema")
def test_runs_grouped_by_an_attribute_are_bands_aligned_on_x(http, store: Any):
    rng = np.random.default_rng(2)
    runs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"adam": [], "sgd": []}
    for i, opt in enumerate(["adam", "adam", "adam", "sgd", "sgd"]):
        steps = np.arange(0, 1_000, 1 + i)  # each run its own steps
        loss = rng.normal(1.0 + i, 0.5, steps.size)
        run = store.create_run(attributes={"optimizer": opt})
        append_train(store, run.handle, steps, loss)
        runs[opt].append((steps.astype(np.float64), loss))
    body = {"series": "train", "kind": "band", "x": "step", "y": "loss", "pixels": 50,
            "group": ["run", "optimizer"], "attributes": ["optimizer"], "fields": ["step", "loss"]}
    t = table(http.post("/api/data", json=body))
    assert meta(t)["reduced"] == "bands"
    hi = 999.0
    for opt, group in runs.items():
        rows = [r for r in t.to_pylist() if r["run"] == f"optimizer={opt}"]
        expected = reference(group, 0.0, hi, 50)
        assert len(rows) == len(expected) == 50
        for row, (mean, low, high, std, n) in zip(rows, expected, strict=True):
            assert (row["loss"], row["y_min"], row["y_max"], row["y_std"], row["runs"]) == \
                pytest.approx((mean, low, high, std, n))
    # No group: every run in one band.
    t = table(http.post("/api/data", json={**body, "group": ["run"], "attributes": []}))
    assert set(t.column("run").to_pylist()) == {"all runs"}
    assert max(t.column("runs").to_pylist()) == 5
    # A series field cannot group runs.
    by_field = {**body, "series": "layers", "fields": ["step", "layer", "loss"],
                "group": ["run", "layer"]}
    assert "groups runs by run attributes; layer is a series field" in error(
        http.post("/api/data", json=by_field), 400)
