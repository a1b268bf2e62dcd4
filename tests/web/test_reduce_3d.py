"""The 3-D reductions (web/reduce_3d.py) through POST /api/data, on both stores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.schema import FieldType
from streamvis.web import reduce_3d

from .helpers import error, meta, table


@pytest.fixture
def cloud(store: Any) -> None:
    """A series `cloud` = (px, py, pz float, label int)."""
    for name, kind in (("px", FieldType.FLOAT), ("py", FieldType.FLOAT),
                       ("pz", FieldType.FLOAT), ("label", FieldType.INT)):
        store.create_field(name, kind)
    store.create_series("cloud", ["px", "py", "pz", "label"])


def _append(store: Any, run: Any, cols: dict[str, Any]) -> None:
    store.append(run, "cloud", {k: pa.array(v, pa.int64() if k == "label" else pa.float64())
                                for k, v in cols.items()})


SCATTER = {"series": "cloud", "kind": "scatter3d", "x": "px", "y": "py", "z": "pz",
           "fields": ["px", "py", "pz", "label"]}


@pytest.mark.usefixtures("cloud")
def test_scatter3d_sends_every_row_under_the_budget(http, store):
    rng = np.random.default_rng(1)
    n = 1_000
    d = {"px": rng.normal(size=n), "py": rng.normal(size=n), "pz": rng.normal(size=n),
         "label": rng.integers(0, 3, n)}
    _append(store, store.create_run().handle, d)
    t = table(http.post("/api/data", json=SCATTER))
    assert meta(t)["reduced"] == "none"
    np.testing.assert_array_equal(t.column("pz").to_numpy(), d["pz"])
    np.testing.assert_array_equal(t.column("label").to_numpy(), d["label"])


@pytest.mark.usefixtures("cloud")
def test_scatter3d_thins_a_dense_core_and_keeps_a_sparse_cluster(http, store):
    rng = np.random.default_rng(2)
    core = 20_000
    # A dense core at the origin and 20 points far away on z only, each in its own x cell: a
    # 2-D (x, y) thinning would put them in the core's cells; the 3-D cells keep them apart.
    d = {"px": np.concatenate([rng.normal(0, 0.01, core), np.linspace(-0.02, 0.02, 20)]),
         "py": np.concatenate([rng.normal(0, 0.01, core), rng.normal(0, 0.01, 20)]),
         "pz": np.concatenate([rng.normal(0, 0.01, core), np.full(20, 10.0)]),
         "label": np.concatenate([np.zeros(core, int), np.ones(20, int)])}
    _append(store, store.create_run().handle, d)
    t = table(http.post("/api/data", json={**SCATTER, "max_points": 2_000}))
    assert meta(t)["reduced"] == "density"
    assert t.num_rows <= 2_600
    assert int((t.column("label").to_numpy() == 1).sum()) == 20


@pytest.mark.usefixtures("cloud")
def test_scatter3d_needs_z(http, store):
    _append(store, store.create_run().handle, {"px": [1.0], "py": [2.0], "pz": [3.0],
                                                "label": [0]})
    body = {k: v for k, v in SCATTER.items() if k != "z"}
    assert '"z"' in error(http.post("/api/data", json=body), 400)
    assert "label_missing" in error(
        http.post("/api/data", json={**SCATTER, "z": "label_missing"}), 404)


SURFACE = {"series": "cloud", "kind": "surface", "x": "px", "y": "py", "z": "pz"}


@pytest.mark.usefixtures("cloud")
def test_surface_of_a_full_grid_passes_it_through_exactly(http, store):
    gx, gy = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-2, 2, 5))
    rng = np.random.default_rng(3)
    order = rng.permutation(gx.size)  # rows in any order: still a grid
    x, y = gx.ravel()[order], gy.ravel()[order]
    _append(store, store.create_run().handle,
            {"px": x, "py": y, "pz": x * y, "label": np.zeros(x.size, int)})
    t = table(http.post("/api/data", json=SURFACE))
    assert meta(t)["reduced"] == "none"
    assert t.num_rows == 35
    i, j = t.column("grid_i").to_numpy(), t.column("grid_j").to_numpy()
    assert (i.max(), j.max()) == (6, 4)
    xs, ys, zs = (t.column(c).to_numpy() for c in ("px", "py", "pz"))
    np.testing.assert_array_equal(xs, np.linspace(-1, 1, 7)[i])
    np.testing.assert_array_equal(ys, np.linspace(-2, 2, 5)[j])
    np.testing.assert_array_equal(zs, xs * ys)


@pytest.mark.usefixtures("cloud")
def test_surface_of_scattered_rows_is_the_mean_per_cell(http, store):
    rng = np.random.default_rng(4)
    n = 4_000
    x, y = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    z = rng.normal(size=n)
    x[:2], y[:2] = (0.0, 1.0), (0.0, 1.0)  # the corners fix the range at [0, 1]
    _append(store, store.create_run().handle, {"px": x, "py": y, "pz": z,
                                                "label": np.zeros(n, int)})
    t = table(http.post("/api/data", json={**SURFACE, "bins": 4}))
    assert meta(t)["reduced"] == "grid"
    assert t.num_rows == 16
    for row in t.to_pylist():
        ix = np.clip((x * 4).astype(int), 0, 3)
        iy = np.clip((y * 4).astype(int), 0, 3)
        sel = (ix == row["grid_i"]) & (iy == row["grid_j"])
        assert row["pz"] == pytest.approx(z[sel].mean())
        assert row["px"] == pytest.approx((row["grid_i"] + 0.5) / 4)


def test_full_grid_refuses_a_repeated_node() -> None:
    x = np.array([0.0, 1.0, 0.0, 1.0])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    assert reduce_3d.full_grid(x, y, x + y) is not None
    assert reduce_3d.full_grid(x, np.array([0.0, 0.0, 1.0, 0.0]), x) is None


@pytest.mark.usefixtures("cloud")
def test_surface_too_many_bins_is_refused(http, store):
    _append(store, store.create_run().handle, {"px": [1.0, 2.0], "py": [1.0, 3.0],
                                                "pz": [0.0, 1.0], "label": [0, 0]})
    assert "fewer bins" in error(http.post("/api/data", json={**SURFACE, "bins": 5_000}), 413)


@pytest.mark.usefixtures("cloud")
def test_a_mesh_dataset_binds_vertices_or_faces_and_is_sent_whole(http, store):
    run = store.create_run()
    _append(store, run.handle, {"px": [0.0, 1.0, 0.0], "py": [0.0, 0.0, 1.0],
                                "pz": [0.0, 0.0, 0.0], "label": [0, 1, 2]})
    half = {"kind": "mesh", "datasets": [{"series": "cloud", "bindings": {"x": "px", "y": "py"}}]}
    assert "binds fields to x, y, z or i, j, k" in error(http.put("/api/plots/m", json=half), 400)
    whole = {"kind": "mesh", "datasets": [
        {"series": "cloud", "bindings": {"x": "px", "y": "py", "z": "pz"}},
        {"series": "cloud", "bindings": {"i": "label", "j": "label", "k": "label"}}]}
    assert http.put("/api/plots/m", json=whole).status_code == 200
    t = table(http.post("/api/data", json={"series": "cloud", "kind": "mesh",
                                           "fields": ["label"]}))
    assert meta(t)["reduced"] == "none"
    assert t.column("label").to_pylist() == [0, 1, 2]
