"""3-D scatter orbit benchmark: frames per second while a 3-D scatter of N points turns.

Starts a streamvis server on a scratch store, logs N points (three Gaussian clusters, a
color field) and a saved `scatter3d` plot, opens it in headless Chromium through Playwright
and orbits it a few pixels per frame (`window.__streamvis.orbit`: the camera moves, the
data are drawn anew each frame, the GPU finished when --sync). Prints one JSON line per
figure:

    .venv/bin/python benchmarks/browser/bench_orbit.py [--points 1000000] [--rasters gl,cpu] [--gpu]

On a GPU the points stay on it and each frame changes one matrix (goal: >= 30 fps at
1 M points). Without one, Chromium runs WebGL on SwiftShader (software GL) and the
figures are the CPU's: noted in the `renderer` of each line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from streamvis.client import Client
from streamvis.testing import ServerProcess

STATIC = Path(__file__).resolve().parents[2] / "src" / "streamvis" / "web" / "static"
# As bench_render.py (which says why): WebGL on SwiftShader, the page composited in software.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--use-angle=swiftshader",
                 "--enable-unsafe-swiftshader", "--disable-gpu"]
GPU_ARGS = ["--no-sandbox", "--headless=new", "--use-angle=vulkan", "--enable-features=Vulkan"]


def emit(figure: str, value: float, unit: str, **context: Any) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 2), "unit": unit, **context}),
          flush=True)


def log_cloud(uri: str, n: int) -> None:
    rng = np.random.default_rng(3)
    with Client(uri) as c:
        for name, kind in (("x", "float"), ("y", "float"), ("z", "float"), ("c", "int")):
            c.create_field(name, kind)
        c.create_series("cloud", ["x", "y", "z", "c"])
        run = c.create_run(tags=["bench"])
        chunk = 250_000
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            cluster = rng.integers(0, 3, m)
            centres = np.array([[0, 0, 0], [4, 1, 2], [1, 4, -2]], float)[cluster]
            pts = centres + rng.normal(0, 1, (m, 3))
            c.append(run.handle, "cloud", {"x": pts[:, 0], "y": pts[:, 1], "z": pts[:, 2],
                                           "c": cluster})
        c.save_plot("orbit", {"kind": "scatter3d", "datasets": [{"series": "cloud", "bindings": {
            "x": "x", "y": "y", "z": "z", "color": "c"}}]})


def measure(browser: Any, url: str, n: int, raster: str, frames: int, *, sync: bool) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script("window.__streamvisBench = true")
    page.goto(f"{url}?rows=orbit{'&raster=gl' if raster == 'gl' else '&raster=cpu'}")
    page.wait_for_function(
        "() => { const p = window.__streamvis && window.__streamvis.plots();"
        " return !!p && p.length === 1 && p[0].firstFullRenderAt !== null; }",
        timeout=300_000, polling=100)
    plot = page.evaluate("window.__streamvis.plots()[0]")
    info = page.evaluate("window.__streamvis.renderer()")
    ctx = {"points": plot["datasets"][0]["points"], "raster": info["raster"],
           "renderer": info["renderer"], "sync": sync}
    if plot["datasets"][0]["points"] != n:
        emit("orbit.error", 1, "count", **ctx, expected=n)
    result = page.evaluate(f"window.__streamvis.orbit(0, {frames}, 4, {str(sync).lower()})")
    emit("orbit.scatter3d.fps", result["fps"], "fps", **ctx, frames=frames,
         ms_per_frame=round(result["msPerFrame"], 2),
         cpu_ms_per_frame=round(result["cpuMsPerFrame"], 2))
    page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--rasters", default="gl,cpu", help="data rasterizers: gl, cpu")
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--gpu", action="store_true", help="Chromium on the GPU (Vulkan)")
    ap.add_argument("--no-sync", action="store_true",
                    help="time issuing the frame only, not the GPU finishing it")
    args = ap.parse_args()
    if not (STATIC / "index.html").is_file():
        print("no built UI: run `npm run build` in frontend/", file=sys.stderr)
        return 2
    from playwright.sync_api import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
        sync_playwright,
    )
    with tempfile.TemporaryDirectory() as data, ServerProcess(data) as server:
        log_cloud(server.uri, args.points)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=GPU_ARGS if args.gpu else CHROMIUM_ARGS)
            try:
                for raster in args.rasters.split(","):
                    measure(browser, server.web_url, args.points, raster, args.frames,
                            sync=not args.no_sync)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
