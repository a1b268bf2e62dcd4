"""Screenshots of the contour and quiver kinds for docs/images/ (kind-contour.png,
kind-quiver.png).

Run: .venv/bin/python -m tests.browser.explore_contour (needs a built UI and Chromium).
"""

from __future__ import annotations

import numpy as np

from streamvis.client import Client

from .explore_shots import screenshot_plots


def seed(c: Client) -> None:
    """Two bumps and a dip on a 60 x 60 grid, as a filled contour of 12 levels; two
    vortices on a 25 x 25 grid, as a quiver colored by speed."""
    for name in ("x", "y", "z"):
        c.create_field(name, "float")
    c.create_series("height", ["x", "y", "z"])
    run = c.create_run(tags=["contour"])
    g = np.linspace(-3, 3, 60)
    gx, gy = np.meshgrid(g, g)
    z = (np.exp(-((gx - 1) ** 2 + (gy - 1) ** 2)) + 0.7 * np.exp(-((gx + 1.5) ** 2 + gy**2))
         - 0.8 * np.exp(-((gx - 0.5) ** 2 + (gy + 1.5) ** 2) / 0.6))
    c.append(run.handle, "height", {"x": gx.ravel(), "y": gy.ravel(), "z": z.ravel()})
    w = np.linspace(-3, 3, 25)
    wx, wy = np.meshgrid(w, w)
    # Two vortices turning opposite ways.
    u = -(wy) * np.exp(-((wx - 1.2) ** 2 + wy**2)) + wy * np.exp(-((wx + 1.2) ** 2 + wy**2))
    v = (wx - 1.2) * np.exp(-((wx - 1.2) ** 2 + wy**2)) - (wx + 1.2) * np.exp(
        -((wx + 1.2) ** 2 + wy**2))
    for name in ("u", "v", "speed"):
        c.create_field(name, "float")
    c.create_series("wind", ["x", "y", "u", "v", "speed"])
    c.append(run.handle, "wind", {"x": wx.ravel(), "y": wy.ravel(), "u": u.ravel(),
                                  "v": v.ravel(), "speed": np.hypot(u, v).ravel()})
    c.save_plot("quiver", {"kind": "quiver", "datasets": [{"series": "wind", "bindings": {
        "x": "x", "y": "y", "u": "u", "v": "v", "color": "speed"}}]})
    c.save_plot("contour", {"kind": "contour", "levels": 12, "filled": True, "datasets": [
        {"series": "height", "bindings": {"x": "x", "y": "y", "z": "z"}}]})


def main() -> None:
    screenshot_plots(seed, [("contour", "kind-contour.png"), ("quiver", "kind-quiver.png")],
                     height=520, settle_ms=700)


if __name__ == "__main__":
    main()
