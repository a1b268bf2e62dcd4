"""The workspace at size: open time and scroll frame rate.

Starts a server on a scratch store with one series of a step and PANELS float fields (so the
workspace has PANELS panels), RUNS runs of POINTS rows each, opens `/workspace` in headless
Chromium and reports:

- `open_ms`: from navigation start until every panel in view (its box on screen) has drawn
  its data (the issue's goal at 50 panels x 20 runs x 100,000 points: at most 2 s), on a
  second visit (a reload); `open_all_ms`: until the panels just below the fold, fetched
  ahead so scrolling finds them ready, have drawn too;
- `open_cpu_ms`: CPU time the server, the browser and its helpers spent on that open (the
  machine is shared: wall time swings with the load, this much less);
- `first_open_ms`, `first_open_all_ms`, `first_open_cpu_ms`: the same for the first visit to a
  freshly started server (its caches cold, and the browser's); `first_open_server_cpu_ms` the
  server's part (CPU figures to `*_open_all_ms`);
- `restart_open_ms`, `restart_open_cpu_ms`, `restart_open_server_cpu_ms` (with `--store`): the
  open after the server restarts, the browser's caches warm: the server's cold cost alone;
- `panels_drawn_at_open`: how many panels fetched data by then (only those near the view do);
- `scroll_fps`, `scroll_ms_per_frame`: scrolling the page through every panel, 30 px a frame,
  panels fetching and drawing as they come into view.

    .venv/bin/python benchmarks/browser/bench_workspace.py --panels 50 --runs 20 --points 100000

Needs a built UI (`cd frontend && npm run build`), playwright and Debian's chromium.
WebGL runs on SwiftShader here (software): a GPU browser draws faster.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from scratch_site import DRAWN_JS, chromium_page, scratch_server

from streamvis.client import Client
from streamvis.testing import ServerProcess

#: Every panel whose box is on screen has drawn its data (a panel below the fold may not
#: have started: the workspace fetches those once the ones in view have drawn).
IN_VIEW_JS = """() => {
  const plots = (window.__streamvis && window.__streamvis.plots()) || [];
  const done = new Set(plots.filter((p) => p.firstFullRenderAt !== null
    && p.datasets.every((d) => d.loaded)).map((p) => p.name));
  const shown = [...document.querySelectorAll('[data-panel]')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  });
  return shown.length > 0 && shown.every((el) => {
    const plot = el.querySelector('[data-plot]');
    return plot !== null && done.has(plot.getAttribute('data-plot'));
  });
}"""


def timed_open(page: Any, url: str) -> tuple[float, float]:
    """Opens `url`: ms from navigation start until the panels in view have drawn, and
    until every mounted panel (those just below the fold too) has."""
    page.goto(url)
    page.wait_for_function(IN_VIEW_JS, timeout=120_000, polling=16)
    in_view = float(page.evaluate("performance.now()"))
    page.wait_for_function(DRAWN_JS, timeout=120_000, polling=16)
    return in_view, float(page.evaluate("performance.now()"))


SCROLL_JS = """async (step) => {
  const frames = [];
  let last = performance.now();
  const end = document.documentElement.scrollHeight - innerHeight;
  while (scrollY < end - 1) {
    scrollBy(0, step);
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  const ms = frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length);
  const sorted = [...frames].sort((a, b) => a - b);
  return { frames: frames.length, ms, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0 };
}"""


def fill(uri: str, panels: int, runs: int, points: int) -> None:
    rng = np.random.default_rng(0)
    names = [f"m{i:02d}" for i in range(panels)]
    with Client(uri) as c:
        c.create_field("step", "int")
        for n in names:
            c.create_field(n, "float")
        c.create_series("bench", ["step", *names])
        step = np.arange(points)
        chunk = 20_000  # rows per append: well under the request size limit at 50 fields
        for r in range(runs):
            run = c.create_run(tags=["bench"], started_at=1_000.0 + r)
            for lo in range(0, points, chunk):
                s = step[lo:lo + chunk]
                cols = {n: np.exp(-s / (points / (2 + i % 5))) + 0.05 * rng.standard_normal(len(s))
                        for i, n in enumerate(names)}
                c.append(run.handle, "bench", {"step": s, **cols})


def server_cpu_s() -> float:
    """CPU seconds of the server: the Python child (the browser's helpers are not Python)."""
    total = 0.0
    for p in psutil.Process().children(recursive=False):
        with suppress(psutil.Error):
            if "python" in p.name():
                t = p.cpu_times()
                total += t.user + t.system
    return total


def tree_cpu_s() -> float:
    """CPU seconds of this process's children: the server, the browser and its helpers.

    The machine is shared, so wall time swings with everyone's load; the CPU the open
    costs does not.
    """
    total = 0.0
    for p in psutil.Process().children(recursive=True):
        with suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


@contextmanager
def served(store: Path | None) -> Iterator[tuple[ServerProcess, bool]]:
    """A server on `store` (kept; `True` when it was filled before) or on a scratch store."""
    if store is None:
        with scratch_server("streamvis-bench-ws-") as server:
            yield server, False
        return
    filled = (store / "filled").exists()
    os.environ["XDG_CACHE_HOME"] = str(store / "cache")
    # A fixed web port, so a restarted server is the same origin to the browser.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ServerProcess(str(store / "data"), extra_args=("--http-port", str(port))) as server:
        yield server, filled
        (store / "filled").touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panels", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--store", type=Path, default=None,
                        help="a data folder to keep: filled on the first run, reused after "
                             "(so old and new code can be measured on one store)")
    args = parser.parse_args()

    with served(args.store) as (server, filled):
        t0 = time.perf_counter()
        if not filled:
            fill(server.uri, args.panels, args.runs, args.points)
        fill_s = time.perf_counter() - t0
        with chromium_page(args.width, args.height) as page:
            # A first visit warms the server's caches and the browser's, as a reload would.
            cpu0, server0 = tree_cpu_s(), server_cpu_s()
            first_ms, first_all_ms = timed_open(page, f"{server.web_url}workspace")
            first_cpu_s, first_server_s = tree_cpu_s() - cpu0, server_cpu_s() - server0
            cpu0 = tree_cpu_s()
            open_ms, open_all_ms = timed_open(page, f"{server.web_url}workspace")
            open_cpu_s = tree_cpu_s() - cpu0
            drawn = page.evaluate("document.querySelectorAll('[data-drawn=yes]').length")
            total = page.evaluate("document.querySelectorAll('[data-panel]').length")
            scroll = page.evaluate(SCROLL_JS, 30)
            restart: dict[str, int] = {}
            if args.store is not None:
                # The server restarted under a browser that has the page cached: its
                # caches cold, the browser's warm (what a user reloading sees).
                server.stop()
                server.start()
                cpu0, server0 = tree_cpu_s(), server_cpu_s()
                restart_ms, restart_all_ms = timed_open(page, f"{server.web_url}workspace")
                restart = {"restart_open_ms": round(restart_ms),
                           "restart_open_all_ms": round(restart_all_ms),
                           "restart_open_cpu_ms": round((tree_cpu_s() - cpu0) * 1000),
                           "restart_open_server_cpu_ms": round(
                               (server_cpu_s() - server0) * 1000)}
    print(json.dumps({
        "panels": total, "runs": args.runs, "points": args.points, "fill_s": round(fill_s, 1),
        "first_open_ms": round(first_ms), "first_open_all_ms": round(first_all_ms),
        "first_open_cpu_ms": round(first_cpu_s * 1000),
        "first_open_server_cpu_ms": round(first_server_s * 1000),
        "open_ms": round(open_ms), "open_all_ms": round(open_all_ms),
        "open_cpu_ms": round(open_cpu_s * 1000), "panels_drawn_at_open": drawn,
        "scroll_fps": round(1000 / scroll["ms"], 1) if scroll["ms"] else None,
        "scroll_ms_per_frame": round(scroll["ms"], 1), "scroll_p95_ms": round(scroll["p95"], 1),
        "scroll_frames": scroll["frames"], **restart,
    }))


if __name__ == "__main__":
    main()
