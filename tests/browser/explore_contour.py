"""Screenshots of the contour kind for docs/images/ (kind-contour.png).

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
    """Two bumps and a dip on a 60 x 60 grid, as a filled contour of 12 levels."""
    for name in ("x", "y", "z"):
        c.create_field(name, "float")
    c.create_series("height", ["x", "y", "z"])
    run = c.create_run(tags=["contour"])
    g = np.linspace(-3, 3, 60)
    gx, gy = np.meshgrid(g, g)
    z = (np.exp(-((gx - 1) ** 2 + (gy - 1) ** 2)) + 0.7 * np.exp(-((gx + 1.5) ** 2 + gy**2))
         - 0.8 * np.exp(-((gx - 0.5) ** 2 + (gy + 1.5) ** 2) / 0.6))
    c.append(run.handle, "height", {"x": gx.ravel(), "y": gy.ravel(), "z": z.ravel()})
    c.save_plot("contour", {"kind": "contour", "levels": 12, "filled": True, "datasets": [
        {"series": "height", "bindings": {"x": "x", "y": "y", "z": "z"}}]})


def main() -> None:
    with (tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw,
          ServerProcess(str(Path(tmp) / "data")) as srv, Client(srv.uri) as c):
        seed(c)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 520})
        for name, image in (("contour", "kind-contour.png"),):
            page.goto(f"{srv.web_url}?rows={name}")
            wait_until(page, "(() => { const p = window.__streamvis.plots(); return p.length"
                             " === 1 && p[0].firstFullRenderAt !== null"
                             " && p[0].datasets.every((d) => d.loaded); })()")
            page.wait_for_timeout(700)
            page.screenshot(path=str(OUT / image))
        browser.close()


if __name__ == "__main__":
    main()
