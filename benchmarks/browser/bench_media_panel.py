"""The media panel switching step: the time from moving the frame slider until every image
of the new step is decoded and on screen.

Starts a server on a scratch store, logs RUNS runs of STEPS steps with PER_STEP images of
SIZE x SIZE each (a grid per run column: RUNS x PER_STEP images shown at once; the issue's
goal at 16 images of 512 x 512: under 100 ms), opens the panel in headless Chromium, and
moves the slider through every step twice, reporting per switch (median, p90, max):

- `cold_ms`: the first visit of each step, one after the other, each looked at for
  `--dwell-ms` (default 500; 0: as fast as the page allows): the panel fetches the rows of
  the steps next to the one shown and decodes their images ahead
  (lib/plot/mediaPrefetch.ts), so a switch waits only where that has not finished yet;
- `warm_ms`: the second visit: images from the browser's cache (a blob never changes, so it
  is cached for good), rows asked again;
- `jump_ms`: on a new page, jumping three steps at a time, so no step shown was fetched
  ahead: the images come from the HTTP cache but are decoded anew;
- `rows_shown_ms`: of the first two, the time until the new step's elements are in the page (the
  rest is fetching and decoding the images).

    .venv/bin/python benchmarks/browser/bench_media_panel.py --runs 4 --per-step 4 --size 512

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

import streamvis
from streamvis.testing import ServerProcess

CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-gpu",
]
#: Move the slider to position `i` and resolve, once the new step's images are all decoded
#: and a frame has been painted, with the milliseconds it took.
SWITCH_JS = """async ([i, step, count]) => {
  const slider = document.querySelector('.frame input[type=range]');
  const t0 = performance.now();
  slider.value = String(i);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
  let dom = null;
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    const items = [...document.querySelectorAll('.media-plot .item')];
    if (items.length !== count || !items.every((x) => x.dataset.step === String(step))) continue;
    dom ??= performance.now() - t0;
    const imgs = items.map((x) => x.querySelector('img'));
    if (imgs.some((img) => !img)) continue;
    await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
    if (imgs.every((img) => img.complete && img.naturalWidth > 0)) break;
  }
  await new Promise((r) => requestAnimationFrame(r));
  return [performance.now() - t0, dom];
}"""


def image(step: int, index: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth picture with a little noise: compresses like a photo, not like noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = np.stack([np.sin(6 * xx + step), np.cos(5 * yy + index), xx * yy], axis=-1)
    noisy = (base * 0.5 + 0.5) * 230 + rng.integers(0, 25, (size, size, 3))
    return noisy.clip(0, 255).astype(np.uint8)


def fill(uri: str, spool: Path, *, runs: int, steps: int, per_step: int, size: int) -> None:
    rng = np.random.default_rng(0)
    streamvis.declare_schema({"step": "int", "index": "int", "img": "image"},
                             {"pics": ["step", "index", "img"]}, uri=uri)
    for r in range(runs):
        with streamvis.DataLogger(uri=uri, spool_dir=spool / str(r), strict=True) as lg:
            for s in range(steps):
                batch = np.stack([image(s, k + r, size, rng) for k in range(per_step)])
                lg.write("pics", step=s, index=np.arange(per_step), img=batch)


def summary(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"median": round(statistics.median(ms), 1),
            "p90": round(ms[int(0.9 * (len(ms) - 1))], 1), "max": round(ms[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--per-step", type=int, default=4)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--dwell-ms", type=int, default=500,
                        help="how long each step is looked at before the next switch")
    args = parser.parse_args()
    shown = args.runs * args.per_step
    with tempfile.TemporaryDirectory(prefix="streamvis-bench-media-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        with ServerProcess(str(Path(tmp) / "data")) as server:
            t0 = time.perf_counter()
            fill(server.uri, Path(tmp) / "spool", runs=args.runs, steps=args.steps,
                 per_step=args.per_step, size=args.size)
            fill_s = time.perf_counter() - t0
            with streamvis.connect(server.uri) as sv:
                sv.client.save_plot("bench-media", {"kind": "media", "datasets": [
                    {"series": "pics", "bindings": {"media": "img", "frame": "step"}}]})
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(f"{server.web_url}?rows=bench-media")
                page.wait_for_selector(".frame input[type=range]:not([disabled])")
                page.uncheck(".frame input[type=checkbox]")
                page.evaluate(SWITCH_JS, [0, 0, shown])
                cold_dom, warm_dom = [], []
                for s in range(1, args.steps):
                    time.sleep(args.dwell_ms / 1000)
                    cold_dom.append(page.evaluate(SWITCH_JS, [s, s, shown]))
                for s in range(args.steps):
                    time.sleep(args.dwell_ms / 1000)
                    warm_dom.append(page.evaluate(SWITCH_JS, [s, s, shown]))
                cold, warm = [c[0] for c in cold_dom], [w[0] for w in warm_dom]
                # A new page (nothing decoded, the HTTP cache kept), jumping by 3 steps: no
                # step shown was fetched ahead.
                page.goto(f"{server.web_url}?rows=bench-media")
                page.wait_for_selector(".frame input[type=range]:not([disabled])")
                page.uncheck(".frame input[type=checkbox]")
                jumps = [s for k in range(3) for s in range(k, args.steps, 3)]
                jump = []
                for s in jumps[1:]:
                    time.sleep(args.dwell_ms / 1000)
                    jump.append(page.evaluate(SWITCH_JS, [s, s, shown])[0])
                browser.close()
    print(json.dumps({
        "figure": "media_panel_switch_step", "images_shown": shown, "size": args.size,
        "runs": args.runs, "steps": args.steps, "dwell_ms": args.dwell_ms,
        "fill_s": round(fill_s, 1),
        "cold_ms": summary(cold), "warm_ms": summary(warm), "jump_ms": summary(jump),
        "rows_shown_ms": summary([c[1] for c in cold_dom + warm_dom]),
        "load_average": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
