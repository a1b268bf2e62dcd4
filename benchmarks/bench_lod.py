"""Level of detail: server time to reduce a large line (M4) or scatter (density).

Prints one JSON line per figure:

    {"figure": "lod_line_ms", "points": 10000000, "pixels": 2000, "chunks": 100,
     "cold_ms": ..., "warm_ms": ..., "zoom_ms": ..., "http_ms": ..., "out_rows": ...}
    {"figure": "lod_m4_kernel_ms", ...}     the M4 function alone on numpy arrays
    {"figure": "lod_scatter_ms", "points": ..., "budget": ..., "warm_ms": ..., ...}

`cold_ms` reads and decodes every chunk from the store (an empty column cache);
`warm_ms` is the same request again (the goal is at most 50 ms); `zoom_ms` asks for
a tenth of the x range; `http_ms` is the whole POST /api/data round trip through a
real server, Arrow decoding by the client included. The store is SQLite in a
temporary directory.

    .venv/bin/python benchmarks/bench_lod.py [--points 10000000] [--pixels 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable

import httpx
import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType
from streamvis.store import Store, open_store
from streamvis.web import lod
from streamvis.web.api_data import encode_stream, run_data_request
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import parse_data_request, resolve
from streamvis.web.http import AppState, WebConfig
from streamvis.web.serving import ThreadedWebServer


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def fill(store: Store, points: int, chunks: int) -> None:
    store.create_field("step", FieldType.INT)
    store.create_field("loss", FieldType.FLOAT)
    store.create_field("px", FieldType.FLOAT)
    store.create_field("py", FieldType.FLOAT)
    store.create_series("train", ["step", "loss"])
    store.create_series("cloud", ["px", "py"])
    rng = np.random.default_rng(1)
    line_run = store.create_run(tags=["line"])
    cloud_run = store.create_run(tags=["cloud"])
    per = points // chunks
    for i in range(chunks):
        steps = np.arange(i * per, (i + 1) * per, dtype=np.int64)
        loss = np.cumsum(rng.standard_normal(per)) * 0.01 + 1.0
        store.append(line_run.handle, "train",
                     {"step": pa.array(steps), "loss": pa.array(loss)})
        blob = rng.standard_normal((2, per)) * [[1.0], [0.5]]
        store.append(cloud_run.handle, "cloud",
                     {"px": pa.array(blob[0]), "py": pa.array(blob[1])})


def line_figures(store: Store, points: int, pixels: int, chunks: int) -> dict[str, object]:
    app = AppState(store, WebConfig(), ColumnCache(store, 2 << 30))
    body = {"series": "train", "filter": {"tags_any": ["line"]}, "kind": "line",
            "x": "step", "y": "loss", "pixels": pixels}

    def request(extra: dict[str, object] | None = None) -> pa.Buffer:
        req = parse_data_request({**body, **(extra or {})})
        plan = resolve(req, store.list_fields(), store.list_series())
        return encode_stream(run_data_request(app, plan))

    def cold() -> pa.Buffer:
        app.cache.clear()
        return request()

    cold_ms, _ = timed(cold, repeat=2)
    warm_ms, out = timed(request)
    zoom_ms, _ = timed(lambda: request({"x_min": points * 0.45, "x_max": points * 0.55}))
    assert isinstance(out, pa.Buffer)
    rows = pa.ipc.open_stream(out).read_all().num_rows
    return {"figure": "lod_line_ms", "points": points, "pixels": pixels, "chunks": chunks,
            "cold_ms": round(cold_ms, 1), "warm_ms": round(warm_ms, 1),
            "zoom_ms": round(zoom_ms, 1), "out_rows": rows}


def kernel_figure(points: int, pixels: int) -> dict[str, object]:
    rng = np.random.default_rng(2)
    x = np.arange(points, dtype=np.int64)
    y = np.cumsum(rng.standard_normal(points))
    ms, _ = timed(lambda: lod.m4(x, y, 0, points - 1, pixels))
    shuffled = rng.permutation(points // 10).astype(np.float64)
    unsorted_ms, _ = timed(lambda: lod.m4(shuffled, shuffled, 0, points, pixels), repeat=3)
    return {"figure": "lod_m4_kernel_ms", "points": points, "pixels": pixels,
            "sorted_ms": round(ms, 1), "unsorted_points": points // 10,
            "unsorted_ms": round(unsorted_ms, 1)}


def scatter_figure(store: Store, points: int) -> dict[str, object]:
    budget = 2_000_000
    app = AppState(store, WebConfig(max_points=budget), ColumnCache(store, 2 << 30))
    req = parse_data_request({"series": "cloud", "kind": "scatter", "x": "px", "y": "py",
                              "filter": {"tags_any": ["cloud"]}})
    plan = resolve(req, store.list_fields(), store.list_series())
    run_data_request(app, plan)  # fill the cache
    ms, table = timed(lambda: run_data_request(app, plan), repeat=3)
    assert isinstance(table, pa.Table)
    return {"figure": "lod_scatter_ms", "points": points, "budget": budget,
            "warm_ms": round(ms, 1), "out_rows": table.num_rows,
            "reduced": table.schema.metadata[b"reduced"].decode()}


def http_figure(store: Store, points: int, pixels: int) -> dict[str, object]:
    body = {"series": "train", "filter": {"tags_any": ["line"]}, "kind": "line",
            "x": "step", "y": "loss", "pixels": pixels}
    with ThreadedWebServer(store) as web, httpx.Client(base_url=web.url, timeout=120) as c:

        def fetch() -> int:
            resp = c.post("/api/data", json=body)
            resp.raise_for_status()
            return int(pa.ipc.open_stream(resp.content).read_all().num_rows)

        fetch()
        ms, _ = timed(fetch)
    return {"figure": "lod_line_http_ms", "points": points, "pixels": pixels,
            "warm_ms": round(ms, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--pixels", type=int, default=2000)
    parser.add_argument("--chunks", type=int, default=100)
    args = parser.parse_args()
    print(json.dumps(kernel_figure(args.points, args.pixels)), flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="streamvis-bench-lod-") as path,
        open_store(path) as store,
    ):
        fill(store, args.points, args.chunks)
        print(json.dumps(line_figures(store, args.points, args.pixels, args.chunks)),
              flush=True)
        print(json.dumps(http_figure(store, args.points, args.pixels)), flush=True)
        print(json.dumps(scatter_figure(store, args.points)), flush=True)


if __name__ == "__main__":
    main()
