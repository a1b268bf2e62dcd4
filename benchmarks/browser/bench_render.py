"""Browser rendering benchmark: the production bundle in headless Chromium, on canned data.

Serves src/streamvis/web/static (built by `npm run build` in frontend/, or by
`pip install -e .`) with a tiny HTTP server that answers the few /api calls a dashboard
makes with data generated here (no streamvis server involved), drives Chromium through
Playwright and prints one JSON line per figure:

    .venv/bin/python benchmarks/browser/bench_render.py [--modes copy,page] [--cases ...]

Needs `pip install playwright` and a Chromium (Debian's `chromium` package; Playwright's own
browser download is not used). Figures: time to the first complete render (page load,
fetch, Arrow decode, upload, draw, GPU finished), pan frame time and fps, and the GL
renderer Chromium used (a real GPU, or SwiftShader on the CPU).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from streamvis.checks.grammar import GRAMMAR

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "streamvis" / "web" / "static"
CHROMIUM = "/usr/bin/chromium"
# WebGL2 in headless Chromium without a GPU: ANGLE on SwiftShader, which recent Chromium
# only falls back to with --enable-unsafe-swiftshader. --disable-gpu keeps WebGL (on
# SwiftShader) but composites the page in software: compositing through SwiftShader cost
# 20-45 ms a frame on an idle page and ~70 ms while panning, software compositing 16.7 ms.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-gpu",
]
GPU_ARGS = ["--no-sandbox", "--headless=new", "--use-angle=vulkan", "--enable-features=Vulkan"]
RNG = np.random.default_rng(7)


def run_ids(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(n)]


def m4(x: np.ndarray, y: np.ndarray, lo: float, hi: float, pixels: int) -> np.ndarray:
    """Indices of the M4 points (first, last, min, max per pixel column) of a sorted line."""
    if len(x) <= 4 * pixels or hi <= lo:
        return np.arange(len(x))
    b = np.clip(((x - lo) / (hi - lo) * pixels).astype(np.int64), 0, pixels - 1)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    ends = np.r_[starts[1:], len(x)] - 1
    order = np.lexsort((y, b))
    first_in_group = np.r_[True, b[order][1:] != b[order][:-1]]
    last_in_group = np.r_[b[order][1:] != b[order][:-1], True]
    return np.unique(np.concatenate([starts, ends, order[first_in_group], order[last_in_group]]))


class Dataset:
    """Columns of one canned series; answers /api/data (M4-reduced for lines when asked)."""

    def __init__(self, kind: str, runs: np.ndarray, names: list[str], cols: dict[str, np.ndarray]):
        self.kind = kind
        self.runs = runs  # codes into names, rows grouped by run
        self.names = names
        self.cols = cols
        self.cache: dict[tuple[Any, ...], bytes] = {}

    def table(self, rows: np.ndarray | None, reduced: str) -> bytes:
        codes = self.runs if rows is None else self.runs[rows]
        run = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(self.names))
        arrays = {"run": run}
        for k, v in self.cols.items():
            arrays[k] = pa.array(v if rows is None else v[rows])
        t = pa.table(arrays).replace_schema_metadata({"reduced": reduced, "last_sequence": "100"})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as w:
            w.write_table(t, max_chunksize=1 << 20)
        return bytes(sink.getvalue().to_pybytes())

    def answer(self, req: dict[str, Any]) -> bytes:
        if req.get("after_sequence"):
            return self.table(np.zeros(0, dtype=np.int64), "none")
        pixels = int(req.get("pixels") or 0)
        key = (pixels, req.get("x_min"), req.get("x_max"), bool(req.get("raw")))
        if key not in self.cache:
            self.cache[key] = self.reduce(req, pixels)
        return self.cache[key]

    def reduce(self, req: dict[str, Any], pixels: int) -> bytes:
        x = self.cols[req["x"]]
        y = self.cols[req["y"]]
        if self.kind != "line" or pixels <= 0 or req.get("raw"):
            return self.table(None, "none")
        lo = float(req["x_min"]) if req.get("x_min") is not None else float(x.min())
        hi = float(req["x_max"]) if req.get("x_max") is not None else float(x.max())
        bounds = np.flatnonzero(np.r_[True, self.runs[1:] != self.runs[:-1], True])
        keep = []
        for a, b in itertools.pairwise(bounds):
            xs = x[a:b]
            inside = np.flatnonzero((xs >= lo) & (xs <= hi))
            keep.append(a + inside[m4(xs[inside], y[a:b][inside], lo, hi, pixels)])
        rows = np.concatenate(keep)
        return self.table(rows, "m4" if len(rows) < len(x) else "none")


def lines(n_lines: int, n_points: int, x0: float = 0.0) -> Dataset:
    steps = np.tile(np.arange(n_points, dtype=np.int64), n_lines) + np.int64(x0)
    runs = np.repeat(np.arange(n_lines, dtype=np.int32), n_points)
    noise = RNG.standard_normal(n_lines * n_points) * 0.05
    loss = np.exp(-steps / (n_points / 3) - runs / n_lines) + noise
    lr = (1e-4 * 10 ** (2 * runs / max(1, n_lines - 1))).astype(np.float64)
    return Dataset("line", runs, run_ids(n_lines), {"step": steps, "loss": loss, "lr": lr})


def points(n: int) -> Dataset:
    runs = np.sort(RNG.integers(0, 8, n).astype(np.int32))
    x = RNG.standard_normal(n)
    y = x * 0.5 + RNG.standard_normal(n)
    c = np.hypot(x, y)
    return Dataset("scatter", runs, run_ids(8), {"a": x, "b": y, "c": c, "s": RNG.random(n)})


def line_spec(
    name: str, series: str, *, color: str = "run", palette: str = "tab10"
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "line",
        "title": name,
        "datasets": [
            {
                "series": series,
                "bindings": {"x": "step", "y": "loss", "group": "run", "color": color},
                "attributes": ["lr"] if color == "lr" else [],
            }
        ],
        "scales": {"x": "lin", "y": "lin"},
        "palette": palette,
    }


def scatter_spec(name: str, series: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "scatter",
        "title": name,
        "datasets": [
            {"series": series, "bindings": {"x": "a", "y": "b", "color": "c", "size": "s"}}
        ],
        "palette": "viridis",
    }


FIELDS = [
    {"handle": f"f{i}", "name": n, "type": t, "description": ""}
    for i, (n, t) in enumerate(
        [
            ("step", "int"),
            ("loss", "float"),
            ("lr", "float"),
            ("a", "float"),
            ("b", "float"),
            ("c", "float"),
            ("s", "float"),
            ("time", "float"),
        ]
    )
]


class Canned:
    """The series, plot specs and runs the benchmark serves."""

    def __init__(self, cases: list[str]):
        self.series: dict[str, Dataset] = {}
        self.plots: dict[str, dict[str, Any]] = {}
        if "scatter_1m" in cases or "scatter_1m_plain" in cases:
            self.series["scatter1m"] = points(1_000_000)
            self.plots["scatter_1m"] = scatter_spec("scatter_1m", "scatter1m")
            plain = scatter_spec("scatter_1m_plain", "scatter1m")
            del plain["datasets"][0]["bindings"]["size"]
            self.plots["scatter_1m_plain"] = plain
        if "lines_100x100k_m4" in cases or "lines_100x100k_raw" in cases:
            self.series["lines100"] = lines(100, 100_000)
            self.plots["lines_100x100k_m4"] = line_spec(
                "lines_100x100k_m4", "lines100", color="lr", palette="viridis"
            )
            self.plots["lines_100x100k_raw"] = line_spec("lines_100x100k_raw", "lines100raw")
            self.series["lines100raw"] = self.series["lines100"]
        if "dashboard_12" in cases:
            self.series["small"] = lines(10, 20_000)
            for i in range(12):
                self.plots[f"d{i}"] = line_spec(f"d{i}", "small")
        if "precision" in cases:
            ds = Dataset(
                "scatter",
                np.zeros(2, np.int32),
                run_ids(1),
                {
                    "a": np.array([1.7e9, 1.7e9 + 1]),
                    "b": np.array([0.0, 0.0]),
                    "c": np.zeros(2),
                    "s": np.zeros(2),
                },
            )
            self.series["precision"] = ds
            self.plots["precision"] = {
                "name": "precision",
                "kind": "scatter",
                "datasets": [{"series": "precision", "bindings": {"x": "a", "y": "b"}}],
            }

    def data(self, req: dict[str, Any]) -> bytes:
        name = req["series"]
        if name == "lines100raw":
            req = {**req, "raw": True}
        return self.series[name].answer(req)


def make_handler(canned: Canned) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The page may abort a request (a newer one replaced it): that is fine.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def json(self, obj: Any, code: int = 200) -> None:
            self.send(code, json.dumps(obj).encode(), "application/json")

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/api/plots":
                self.json(list(canned.plots.values()))
            elif path.startswith("/api/plots/"):
                spec = canned.plots.get(path.rsplit("/", 1)[1])
                if spec:
                    self.json(spec)
                else:
                    self.json({"error": "not_found", "message": "no such plot"}, 404)
            elif path == "/api/fields":
                self.json(FIELDS)
            elif path == "/api/info":  # the UI draws only the kinds the plot grammar names
                self.json({"grammar": GRAMMAR.as_json()})
            elif path == "/api/runs":
                self.json(
                    [
                        {"handle": h, "started_at": 1.7e9, "tags": ["bench"], "attributes": {}}
                        for h in run_ids(8)
                    ]
                )
            elif path.startswith("/api/"):
                self.json({"error": "not_found", "message": "not in the benchmark"}, 404)
            elif path.startswith("/assets/"):
                f = STATIC / path.lstrip("/")
                ctype = (
                    "text/javascript"
                    if f.suffix == ".js"
                    else "text/css"
                    if f.suffix == ".css"
                    else "application/octet-stream"
                )
                self.send(200, f.read_bytes(), ctype) if f.is_file() else self.send(
                    404, b"", "text/plain"
                )
            else:
                self.send(200, (STATIC / "index.html").read_bytes(), "text/html")

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send(200, canned.data(body), "application/vnd.apache.arrow.stream")

    return Handler


def emit(figure: str, value: float, unit: str, **context: Any) -> None:
    print(
        json.dumps({"figure": figure, "value": round(value, 2), "unit": unit, **context}),
        flush=True,
    )


WAIT_JS = """(n) => {
  const p = window.__streamvis && window.__streamvis.plots();
  return !!p && p.length === n
    && p.every((x) => x.firstFullRenderAt !== null || x.datasets.some((d) => d.error));
}"""

# Finds the x positions (in device pixels) of drawn blobs in the first plot's 2D canvas.
BLOBS_JS = """() => {
  let c = document.querySelector('canvas.target');
  const page = document.querySelector('canvas.sv-page-canvas');
  if (page) {
    // Page mode: the plot's pixels are in its rect of the one page-wide canvas.
    const r = document.querySelector('.area').getBoundingClientRect();
    const copy = document.createElement('canvas');
    copy.width = Math.round(r.width);
    copy.height = Math.round(r.height);
    const ctx = copy.getContext('2d');
    ctx.drawImage(page, r.left, r.top, r.width, r.height, 0, 0, r.width, r.height);
    c = copy;
  }
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const cols = [];
  for (let x = 0; x < c.width; x++) {
    let hit = false;
    for (let y = 0; y < c.height && !hit; y++) hit = d[(y * c.width + x) * 4 + 3] > 0;
    if (hit && (cols.length === 0 || cols[cols.length - 1][1] !== x - 1)) cols.push([x, x]);
    else if (hit) cols[cols.length - 1][1] = x;
  }
  return cols;
}"""

# The uPlot-style baseline: Canvas 2D, one fillRect per point, 1200 x 700.
CANVAS2D_JS = """(n) => {
  const c = document.createElement('canvas');
  c.width = 1200;
  c.height = 700;
  document.body.appendChild(c);
  const ctx = c.getContext('2d');
  const xs = new Float64Array(n).map(() => Math.random() * 1200);
  const ys = new Float64Array(n).map(() => Math.random() * 700);
  const frame = (dx) => {
    ctx.clearRect(0, 0, 1200, 700);
    ctx.fillStyle = '#3b528b';
    for (let i = 0; i < n; i++) ctx.fillRect(xs[i] + dx, ys[i], 2, 2);
    ctx.getImageData(0, 0, 1, 1);
  };
  frame(0);
  const t0 = performance.now();
  for (let k = 1; k <= 5; k++) frame(k);
  return (performance.now() - t0) / 5;
}"""

CASES = {
    "scatter_1m": ("?rows=scatter_1m", 1),
    "scatter_1m_plain": ("?rows=scatter_1m_plain", 1),
    "lines_100x100k_m4": ("?rows=lines_100x100k_m4", 1),
    "lines_100x100k_raw": ("?rows=lines_100x100k_raw", 1),
    "dashboard_12": ("?rows=d0,d1,d2,d3;d4,d5,d6,d7;d8,d9,d10,d11", 12),
    "precision": ("?rows=precision", 1),
}


def load(browser: Any, url: str, n: int) -> tuple[Any, list[dict[str, Any]]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script("window.__streamvisBench = true")
    page.goto(url)
    page.wait_for_function(WAIT_JS, arg=n, timeout=180_000, polling=50)
    return page, page.evaluate("window.__streamvis.plots()")


def measure_case(browser: Any, base: str, case: str, mode: str, raster: str) -> None:
    query, n = CASES[case]
    url = f"{base}/{query}&gl={mode}&raster={raster}"
    # A first, untimed load lets the canned server compute and cache its M4 reduction,
    # which stands for the real server's work and is not what is measured here.
    page, _ = load(browser, url, n)
    page.close()
    page, plots = load(browser, url, n)
    try:
        info = page.evaluate("window.__streamvis.renderer()")
        ctx = {"case": case, "mode": mode, "raster": info["raster"], "renderer": info["renderer"]}
        errors = [d["error"] for p in plots for d in p["datasets"] if d["error"]]
        if errors:
            emit(f"render.{case}.error", 1, "count", **ctx, errors=errors)
            return
        shown = max(p["firstFullRenderAt"] for p in plots)
        asked = min(d["loadStartedAt"] for p in plots for d in p["datasets"])
        emit(
            f"render.{case}.first_render_ms",
            shown - asked,
            "ms",
            **ctx,
            note="data request to pixels on screen (GPU finished)",
            points=sum(d["points"] for p in plots for d in p["datasets"]),
            fetch_decode_ms=round(max(d["loadMs"] or 0 for p in plots for d in p["datasets"]), 1),
            since_navigation_ms=round(shown, 1),
        )
        if case == "precision":
            blobs = page.evaluate(BLOBS_JS)
            emit("render.precision.distinct_blobs", len(blobs), "count", **ctx, blobs=blobs)
            return
        redraw = page.evaluate("window.__streamvis.redraw(0, 3)")
        emit(f"render.{case}.full_redraw_ms", redraw, "ms", **ctx)
        pan = page.evaluate("window.__streamvis.pan(0, 60, 4)")
        emit(
            f"render.{case}.pan_ms_per_frame",
            pan["msPerFrame"],
            "ms",
            **ctx,
            fps=round(pan["fps"], 1),
            cpu_ms_per_frame=round(pan["cpuMsPerFrame"], 2),
        )
    finally:
        page.close()


def functional_checks(browser: Any, base: str) -> None:
    """The bundle works as an app: gestures, hover, error pages (one figure each, 1 = pass)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{base}/?rows=d0,d1")
        page.wait_for_function(WAIT_JS, arg=2, timeout=60_000)
        box = page.locator(".body").first.bounding_box()
        assert box is not None
        before = page.evaluate("window.__streamvis.plots()[0].view")
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 150, cy + 40, steps=10)
        page.mouse.up()
        after = page.evaluate("window.__streamvis.plots()[0].view")
        emit("check.drag_pans", int(after["x0"] < before["x0"]), "bool")
        page.mouse.wheel(0, -300)
        zoomed = page.evaluate("window.__streamvis.plots()[0].view")
        emit(
            "check.wheel_zooms",
            int(zoomed["x1"] - zoomed["x0"] < after["x1"] - after["x0"]),
            "bool",
        )
        page.mouse.dblclick(cx, cy)
        # Sweep down a column until a line is under the cursor.
        hovered = False
        for dy in range(10, int(box["height"]) - 40, 8):
            page.mouse.move(box["x"] + 64 + box["width"] * 0.3, box["y"] + dy)
            page.wait_for_timeout(30)
            if page.locator(".tip").count() > 0:
                hovered = "run" in page.locator(".tip").inner_text()
                break
        emit("check.hover_readout", int(hovered), "bool")
        page.goto(f"{base}/?rows=d0,,d1")
        emit(
            "check.bad_layout_message",
            int("group 1 has no name" in page.locator("[role=alert]").inner_text()),
            "bool",
        )
        page.goto(f"{base}/?rows=nope")
        page.wait_for_selector("[role=alert]", timeout=10_000)
        emit(
            "check.unknown_plot_message",
            int("no saved plot named" in page.locator("[role=alert]").inner_text()),
            "bool",
        )
        page.goto(f"{base}/")
        page.wait_for_selector("ul.plots li", timeout=10_000)
        emit("check.landing_lists_plots", int(page.locator("ul.plots li").count() >= 2), "bool")
    finally:
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="copy,page", help="compositing modes: copy, page")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--rasters", default="cpu,gl", help="data rasterizers: cpu, gl")
    ap.add_argument(
        "--gpu",
        action="store_true",
        help="ask Chromium for a real GPU (Vulkan) instead of SwiftShader",
    )
    ap.add_argument("--no-checks", action="store_true", help="skip the functional checks")
    args = ap.parse_args()
    if not (STATIC / "index.html").is_file():
        print(
            "no built UI: run `npm ci && npm run build` in frontend/ (or pip install -e .)",
            file=sys.stderr,
        )
        return 2
    try:
        # Imported here so that a missing Playwright gets the message below, not a traceback.
        from playwright.sync_api import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            sync_playwright,
        )
    except ImportError:
        print(
            "needs Playwright: .venv/bin/pip install playwright (uses /usr/bin/chromium)",
            file=sys.stderr,
        )
        return 2
    cases = [c for c in args.cases.split(",") if c]
    canned = Canned([*cases, "dashboard_12"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(canned))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=GPU_ARGS if args.gpu else CHROMIUM_ARGS
        )
        try:
            for mode in args.modes.split(","):
                for raster in args.rasters.split(","):
                    for case in cases:
                        measure_case(browser, base, case, mode, raster)
            page = browser.new_page()
            emit(
                "render.canvas2d_1m_points_ms_per_frame",
                page.evaluate(CANVAS2D_JS, 1_000_000),
                "ms",
                note="Canvas 2D fillRect per point, the uPlot-style baseline",
            )
            page.close()
            if not args.no_checks:
                functional_checks(browser, base)
        finally:
            browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
