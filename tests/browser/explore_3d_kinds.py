"""Screenshots of the 3-D kinds for docs/plots.md: a point cloud, a surface and a mesh.

Run: .venv/bin/python -m tests.browser.explore_3d_kinds (needs a built UI and Chromium).
"""

from __future__ import annotations

import numpy as np

from streamvis.client import Client

from .explore_shots import screenshot_plots


def seed(c: Client) -> None:
    rng = np.random.default_rng(3)
    for name, kind in (("x", "float"), ("y", "float"), ("z", "float"), ("cluster", "string"),
                       ("i", "int"), ("j", "int"), ("k", "int")):
        c.create_field(name, kind)
    c.create_series("cloud", ["x", "y", "z", "cluster"])
    c.create_series("height", ["x", "y", "z"])
    c.create_series("verts", ["x", "y", "z"])
    c.create_series("faces", ["i", "j", "k"])
    run = c.create_run(tags=["3d"])
    for name, centre in (("a", (0, 0, 0)), ("b", (4, 1, 2)), ("c", (1, 4, -2))):
        pts = np.array(centre, float) + rng.normal(0, 1, (3_000, 3))
        c.append(run.handle, "cloud", {"x": pts[:, 0], "y": pts[:, 1], "z": pts[:, 2],
                                       "cluster": np.array([name] * 3_000)})
    # Scattered samples of a bump and a dip: binned to a 40 x 40 grid on the server.
    x, y = rng.uniform(-2, 2, 40_000), rng.uniform(-2, 2, 40_000)
    z = (np.exp(-((x - 0.7) ** 2 + (y - 0.5) ** 2))
         - 0.8 * np.exp(-((x + 0.8) ** 2 + (y + 0.6) ** 2)))
    c.append(run.handle, "height", {"x": x, "y": y, "z": z})
    # An octahedron: six vertices, eight faces.
    v = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    f = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4],
                  [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
    c.append(run.handle, "verts", {"x": v[:, 0], "y": v[:, 1], "z": v[:, 2]})
    c.append(run.handle, "faces", {"i": f[:, 0], "j": f[:, 1], "k": f[:, 2]})
    c.save_plot("cloud3d", {"kind": "scatter3d", "title": "three clusters in 3-D",
                            "datasets": [{"series": "cloud", "bindings": {
                                "x": "x", "y": "y", "z": "z", "color": "cluster"}}]})
    c.save_plot("surface", {"kind": "surface", "title": "a bump and a dip, 40 x 40 cells",
                            "reduce": {"bins": 40},
                            "datasets": [{"series": "height", "bindings": {
                                "x": "x", "y": "y", "z": "z"}}]})
    c.save_plot("octahedron", {"kind": "mesh", "title": "an octahedron: vertices and faces",
                               "datasets": [
                                   {"series": "verts", "bindings": {"x": "x", "y": "y", "z": "z"}},
                                   {"series": "faces", "bindings": {"i": "i", "j": "j", "k": "k"}},
                               ]})


def main() -> None:
    screenshot_plots(seed, [("cloud3d", "kind-scatter3d.png"), ("surface", "kind-surface.png"),
                             ("octahedron", "kind-mesh.png")],
                     height=520, settle_ms=700)


if __name__ == "__main__":
    main()
