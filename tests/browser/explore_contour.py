"""Screenshots of the contour and quiver kinds for docs/images/ (kind-contour.png,
kind-quiver.png).

Run: .venv/bin/python -m tests.browser.explore_contour (needs a built UI and Chromium).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from streamvis.client import Client
from streamvis.testing import ServerProcess

from .conftest import CHROMIUM_ARGS
from .explore_fixtures import wait_until

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"


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
    with (tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw,
          ServerProcess(str(Path(tmp) / "data")) as srv, Client(srv.uri) as c):
        seed(c)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 520})
        for name, image in (("contour", "kind-contour.png"), ("quiver", "kind-quiver.png")):
            page.goto(f"{srv.web_url}?rows={name}")
            wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length"
                             " === 1 && p[0].firstFullRenderAt !== null"
                             " && p[0].datasets.every((d) => d.loaded); })()")
            page.wait_for_timeout(700)
            page.screenshot(path=str(OUT / image))
        browser.close()


if __name__ == "__main__":
    main()
