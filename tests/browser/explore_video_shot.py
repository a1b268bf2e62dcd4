"""The screenshot of a media panel showing videos, for docs/images/media-video.png.

Two runs log a short clip a step (a disc moving across a gradient, its color by run);
the panel shows each run's clip of the step chosen, paused a second in.

Run: .venv/bin/python -m tests.browser.explore_video_shot (needs a built UI, Chromium
and the `video` extra).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

import streamvis
from streamvis.testing import ServerProcess

from .conftest import CHROMIUM_ARGS
from .explore_fixtures import open_saved_plot, wait_until

OUT = Path(__file__).resolve().parents[2] / "docs" / "images" / "media-video.png"
W, H, FRAMES = 320, 180, 48
PLOT = {"kind": "media", "datasets": [
    {"series": "rollouts", "bindings": {"media": "clip", "frame": "step"}}]}


def clip(color: tuple[int, int, int], phase: float) -> np.ndarray:
    """FRAMES frames of H x W: a disc of `color` crossing a grey gradient."""
    yy, xx = np.mgrid[0:H, 0:W]
    out = np.empty((FRAMES, H, W, 3), np.uint8)
    out[...] = (40 + 120 * xx / W).astype(np.uint8)[None, :, :, None]
    for t in range(FRAMES):
        cx = W * (0.15 + 0.7 * t / FRAMES)
        cy = H * (0.35 + 0.12 * np.sin(2 * np.pi * (t / FRAMES + phase)))
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < 24**2
        out[t][disc] = color
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, \
            ServerProcess(str(Path(tmp) / "data")) as srv:
        streamvis.declare_schema({"step": "int", "clip": "video"},
                                 {"rollouts": ["step", "clip"]}, uri=srv.uri)
        for name, color, phase in (("a", (230, 80, 40), 0.0), ("b", (40, 120, 230), 0.3)):
            with streamvis.DataLogger(uri=srv.uri, spool_dir=Path(tmp) / name) as lg:
                for step in range(3):
                    lg.write("rollouts", step=step * 100, clip=clip(color, phase + step / 3))
        with streamvis.connect(srv.uri) as sv:
            sv.client.save_plot("rollouts", PLOT)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 330})
        open_saved_plot(page, srv, "rollouts")
        wait_until(page, "document.querySelectorAll('video').length === 2 && [...document"
                         ".querySelectorAll('video')].every(v => v.readyState >= 2)")
        page.evaluate("document.querySelectorAll('video').forEach(v => { v.currentTime = 1; })")
        wait_until(page, "[...document.querySelectorAll('video')]"
                         ".every(v => !v.seeking && v.readyState >= 4)")
        page.wait_for_timeout(1000)  # the player's own spinner gone
        page.screenshot(path=str(OUT))
        browser.close()


if __name__ == "__main__":
    main()
