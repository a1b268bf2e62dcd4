"""The quiver kind's reduction (web/reduce_quiver.py) through POST /api/data, on both
stores: one arrow per cell, the cell's mean vector; a lone arrow passes unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.schema import FieldType
from streamvis.web import reduce_quiver

from .helpers import error, meta, table


@pytest.fixture
def wind(store: Any) -> None:
    """A series `wind` = (px, py, pu, pv, speed float)."""
    for name in ("px", "py", "pu", "pv", "speed"):
        store.create_field(name, FieldType.FLOAT)
    store.create_series("wind", ["px", "py", "pu", "pv", "speed"])


def _append(store: Any, run: Any, cols: dict[str, Any]) -> None:
    store.append(run, "wind", {k: pa.array(np.asarray(v, float), pa.float64())
                               for k, v in cols.items()})


QUIVER = {"series": "wind", "kind": "quiver", "x": "px", "y": "py", "u": "pu", "v": "pv",
          "fields": ["px", "py", "pu", "pv", "speed"]}


@pytest.mark.usefixtures("wind")
def test_a_cell_keeps_the_mean_vector_and_a_lone_arrow_passes_unchanged(http, store):
    # Four cells per axis over x, y in [0, 4]: three arrows in cell (0, 0), one in (3, 3).
    d = {"px": [0.1, 0.5, 0.9, 3.5], "py": [0.2, 0.4, 0.6, 3.7],
         "pu": [1.0, 2.0, -6.0, 0.25], "pv": [0.0, 3.0, 3.0, -0.5],
         "speed": [1.0, 2.0, 6.0, 9.0]}
    _append(store, store.create_run().handle, d)
    t = table(http.post("/api/data", json={**QUIVER, "bins": 4, "x_min": 0, "x_max": 4,
                                           "y_min": 0, "y_max": 4}))
    assert meta(t)["reduced"] == "arrows"
    got = {k: t.column(k).to_pylist() for k in ("px", "py", "pu", "pv", "speed", "count")}
    assert got["count"] == [3, 1]
    assert got["pu"][0] == pytest.approx(-1) and got["pv"][0] == pytest.approx(2)
    assert got["px"][0] == pytest.approx(0.5) and got["py"][0] == pytest.approx(0.4)
    assert got["speed"][0] == pytest.approx(3)
    assert [got[k][1] for k in ("px", "py", "pu", "pv", "speed")] == [3.5, 3.7, 0.25, -0.5, 9.0]


@pytest.mark.usefixtures("wind")
def test_arrows_one_per_cell_are_sent_as_they_are_per_run(http, store):
    g = np.arange(5.0)
    gx, gy = np.meshgrid(g, g)
    runs = [store.create_run().handle for _ in range(2)]
    for k, run in enumerate(runs):
        _append(store, run, {"px": gx.ravel(), "py": gy.ravel(), "pu": -gy.ravel() * (k + 1),
                             "pv": gx.ravel(), "speed": np.hypot(gx, gy).ravel()})
    # 480 pixels: 20 cells per axis, finer than the grid, so every arrow has its own.
    t = table(http.post("/api/data", json={**QUIVER, "pixels": 480}))
    assert meta(t)["reduced"] == "none" and t.num_rows == 50
    assert sorted(set(t.column("run").to_pylist())) == sorted(str(r) for r in runs)
    first = t.filter(pa.compute.equal(t.column("run").cast(pa.string()), str(runs[0])))
    assert sorted(zip(first.column("px").to_pylist(), first.column("py").to_pylist(),
                      first.column("pu").to_pylist(), strict=True)) == \
        sorted(zip(gx.ravel(), gy.ravel(), -gy.ravel(), strict=True))


@pytest.mark.usefixtures("wind")
def test_the_cell_count_follows_the_pixels(http, store):
    rng = np.random.default_rng(3)
    n = 5_000
    _append(store, store.create_run().handle, {
        "px": rng.uniform(0, 1, n), "py": rng.uniform(0, 1, n), "pu": np.ones(n),
        "pv": np.zeros(n), "speed": np.ones(n)})
    cells = 240 // reduce_quiver.ARROW_CELL_PX
    t = table(http.post("/api/data", json={**QUIVER, "pixels": 240}))
    assert t.num_rows == cells * cells
    assert sum(t.column("count").to_pylist()) == n
    assert set(t.column("pu").to_pylist()) == {1.0}


@pytest.mark.usefixtures("wind")
def test_a_zoomed_view_gets_its_own_arrows_and_none_from_outside(http, store):
    # A 100 x 100 field of unit arrows, thinned to 10 x 10 cells over the whole of it.
    g = np.arange(100.0)
    gx, gy = np.meshgrid(g, g)
    _append(store, store.create_run().handle, {
        "px": gx.ravel(), "py": gy.ravel(), "pu": np.ones(g.size ** 2),
        "pv": (gx >= 50).ravel().astype(float), "speed": np.ones(g.size ** 2)})
    whole = table(http.post("/api/data", json={**QUIVER, "bins": 10}))
    assert whole.num_rows == 100 and meta(whole)["reduced"] == "arrows"
    # Zoomed into [20, 29] x [60, 69]: the same 10 x 10 cells over that view, every row its
    # own arrow, and no row from outside piled into the edge cells.
    zoom = table(http.post("/api/data", json={**QUIVER, "bins": 10, "x_min": 19.5,
                                              "x_max": 29.5, "y_min": 59.5, "y_max": 69.5}))
    assert zoom.num_rows == 100 and meta(zoom)["reduced"] == "none"
    assert sum(zoom.column("count").to_pylist()) == 100
    xs, ys = zoom.column("px").to_pylist(), zoom.column("py").to_pylist()
    assert min(xs) == 20 and max(xs) == 29 and min(ys) == 60 and max(ys) == 69
    assert set(zoom.column("pv").to_pylist()) == {0.0}  # all left of x = 50


@pytest.mark.usefixtures("wind")
def test_a_quiver_without_v_is_refused(http):
    body = {k: v for k, v in QUIVER.items() if k != "v"}
    assert error(http.post("/api/data", json=body), 400) == (
        'a quiver needs "x" and "y" and "u" and "v": the fields bound to them')


@pytest.fixture
def labelled(store: Any) -> None:
    """A series `gusts` = (px, py, pu, pv float, side string)."""
    for name in ("px", "py", "pu", "pv"):
        store.create_field(name, FieldType.FLOAT)
    store.create_field("side", FieldType.STRING)
    store.create_series("gusts", ["px", "py", "pu", "pv", "side"])


@pytest.mark.usefixtures("labelled")
def test_a_discrete_color_splits_a_cell_into_one_arrow_per_value(http, store):
    floats = {"px": [0.1, 0.2, 0.3], "py": [0.1, 0.2, 0.3], "pu": [1.0, 3.0, -1.0],
              "pv": [0.0, 0.0, 2.0]}
    cols = {k: pa.array(v, pa.float64()) for k, v in floats.items()}
    store.append(store.create_run().handle, "gusts",
                 {**cols, "side": pa.array(["left", "left", "right"])})
    t = table(http.post("/api/data", json={
        "series": "gusts", "kind": "quiver", "x": "px", "y": "py", "u": "pu", "v": "pv",
        "fields": ["px", "py", "pu", "pv", "side"], "bins": 2, "x_min": 0, "x_max": 1,
        "y_min": 0, "y_max": 1}))
    got = sorted(zip(t.column("side").to_pylist(), t.column("pu").to_pylist(),
                     t.column("pv").to_pylist(), t.column("count").to_pylist(), strict=True))
    assert got == [("left", 2.0, 0.0, 2.0), ("right", -1.0, 2.0, 1.0)]
