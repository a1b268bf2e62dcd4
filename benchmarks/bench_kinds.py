"""The aggregating kinds: server time to bin a histogram over steps, a big heatmap, and
runs grouped into bands.

Prints one JSON line per figure:

    {"figure": "histogram_over_time_ms", "steps": 1000, "values_per_step": 100000,
     "rows": ..., "bins": 100, "kernel_ms": ..., "request_ms": ..., "cells": ...}
    {"figure": "heatmap_cells_ms", "grid": 1000, "rows": ..., "request_ms": ..., ...}
    {"figure": "bands_ms", "runs": 20, "steps": 100000, "kernel_ms": ..., "request_ms": ...}

`kernel_ms` is web/reduce_bins.py `count_cells` alone on numpy columns of the full size
(float32 values, as the logger stores weights, and int64 steps), compiled by numba when
the `fast` extra is installed (`kernel`, on `threads` threads), with `numpy_kernel_ms` its
numpy path beside; steps are known ordered as a request knows them (the column cache's
statistics), and `order_check_ms` is the pass that finds it out when they are not known;
`request_ms` is the whole reduction of a `POST /api/data` body (warm column cache, SQLite store in a
temporary directory) on `--request-steps` steps, with the Arrow table it sends. The goal
for the kernel at 1,000 steps x 100,000 values is 200 ms.

`bands_ms` groups `--band-runs` runs of `--band-steps` steps each (two attribute values)
into mean and min-max/std bands over 1,000 pixel columns (web/bands.py): `kernel_ms` on
numpy columns, `request_ms` the whole `POST /api/data` reduction (warm cache, SQLite).
The goal at 20 runs x 100,000 steps is 300 ms.

    .venv/bin/python benchmarks/bench_kinds.py [--steps 1000] [--values 100000]
    .venv/bin/python benchmarks/bench_kinds.py --only bands
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType
from streamvis.store import Store, open_store
from streamvis.web import bin_kernel
from streamvis.web.api_data import run_data_request
from streamvis.web.bands import group_stats, run_means
from streamvis.web.bin_rules import Edges
from streamvis.web.columns import ColumnCache
from streamvis.web.data_request import parse_data_request, resolve
from streamvis.web.http import AppState, WebConfig
from streamvis.web.reduce_bins import count_cells


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def cpu_ms(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median CPU milliseconds of `repeat` calls: steadier than wall time on a shared box."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def kernel_figure(steps: int, values: int, bins: int) -> dict[str, object]:
    rng = np.random.default_rng(1)
    t = np.repeat(np.arange(steps, dtype=np.int64), values)
    x = (rng.standard_normal(steps * values, dtype=np.float32)
         + np.repeat(np.linspace(0, 3, steps, dtype=np.float32), values))
    lo, hi = float(x.min()), float(x.max())
    edges = Edges(lo, (hi - lo) / bins, bins)
    t_edges = Edges(-0.5, 1.0, steps)
    # A request knows the steps never decrease from the column cache's per-chunk statistics
    # (columns.py Summary.ordered), so the kernel is timed as a request runs it; the pass
    # that finds it out when nothing is known is timed on its own (`order_check_ms`).
    ms, hist = timed(lambda: count_cells(x, t, edges, t_edges, t_ordered=True))
    assert isinstance(hist, np.ndarray) and int(hist.sum()) == x.size
    figure: dict[str, object] = {
        "figure": "histogram_over_time_ms", "steps": steps, "values_per_step": values,
        "rows": int(x.size), "bins": bins, "kernel_ms": round(ms, 1), "goal_ms": 200,
        "kernel": "numba" if bin_kernel.compiled_available() else "numpy",
        "threads": bin_kernel.threads(),
        "kernel_cpu_ms": round(cpu_ms(lambda: count_cells(x, t, edges, t_edges,
                                                          t_ordered=True)), 1),
        "order_check_ms": round(timed(lambda: bin_kernel.nondecreasing(t))[0], 1)}
    if bin_kernel.compiled_available():
        # The numpy path of the same kernel, for comparison (what runs without `fast`).
        bounds = np.arange(0, x.size + 1, values, dtype=np.int64)
        numpy_ms, plain = timed(lambda: bin_kernel.count_slices(x, bounds, edges,
                                                                compiled=False))
        assert isinstance(plain, np.ndarray)
        np.testing.assert_array_equal(plain.reshape(-1), hist)
        figure["numpy_kernel_ms"] = round(numpy_ms, 1)
        figure["numpy_kernel_cpu_ms"] = round(cpu_ms(lambda: bin_kernel.count_slices(
            x, bounds, edges, compiled=False)), 1)
    return figure


def fill(store: Store, steps: int, values: int, grid: int, rows: int) -> None:
    for name, kind in (("step", FieldType.INT), ("w", FieldType.FLOAT),
                       ("gx", FieldType.INT), ("gy", FieldType.INT), ("v", FieldType.FLOAT)):
        store.create_field(name, kind)
    store.create_series("weights", ["step", "w"])
    store.create_series("grid", ["gx", "gy", "v"])
    rng = np.random.default_rng(2)
    run = store.create_run(tags=["bench"])
    for s in range(0, steps, 50):
        t = np.repeat(np.arange(s, min(s + 50, steps), dtype=np.int64), values)
        store.append(run.handle, "weights", {
            "step": pa.array(t), "w": pa.array(rng.standard_normal(t.size) + t / steps)})
    for part in np.array_split(np.arange(rows), 10):
        store.append(run.handle, "grid", {
            "gx": pa.array(rng.integers(0, grid, part.size)),
            "gy": pa.array(rng.integers(0, grid, part.size)),
            "v": pa.array(rng.standard_normal(part.size))})


def request_figures(store: Store, steps: int, values: int, grid: int,
                    rows: int) -> list[dict[str, object]]:
    app = AppState(store, WebConfig(), ColumnCache(store, 4 << 30))

    def request(body: dict[str, object]) -> pa.Table:
        plan = resolve(parse_data_request(body), store.list_fields(), store.list_series())
        return run_data_request(app, plan)

    hist: dict[str, object] = {"series": "weights", "kind": "histogram", "x": "w", "t": "step",
                               "bins": 100}
    request(hist)  # fill the cache
    ms, table = timed(lambda: request(hist))
    assert isinstance(table, pa.Table)
    heat: dict[str, object] = {"series": "grid", "kind": "heatmap", "x": "gx", "y": "gy",
                               "value": "v", "aggregate": "mean"}
    request(heat)
    heat_ms, heat_table = timed(lambda: request(heat))
    assert isinstance(heat_table, pa.Table)
    return [
        {"figure": "histogram_over_time_request_ms", "steps": steps, "values_per_step": values,
         "rows": steps * values, "request_ms": round(ms, 1), "cells": table.num_rows},
        {"figure": "heatmap_cells_ms", "grid": grid, "rows": rows, "aggregate": "mean",
         "request_ms": round(heat_ms, 1), "cells": heat_table.num_rows},
    ]


def band_figure(runs: int, steps: int, columns: int = 1000) -> dict[str, object]:
    rng = np.random.default_rng(5)
    x = np.arange(steps, dtype=np.float64)
    ys = [np.exp(-x / steps) + rng.normal(0, 0.1, steps) for _ in range(runs)]

    def kernel() -> object:
        return group_stats(np.stack([run_means(x, y, 0.0, steps - 1.0, columns) for y in ys]))

    kernel_ms, _ = timed(kernel)
    with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/data") as store:
        store.create_field("step", FieldType.INT)
        store.create_field("loss", FieldType.FLOAT)
        store.create_field("optimizer", FieldType.STRING)
        store.create_series("train", ["step", "loss"])
        for i, y in enumerate(ys):
            run = store.create_run(attributes={"optimizer": ("adam", "sgd")[i % 2]})
            store.append(run.handle, "train", {"step": pa.array(x.astype(np.int64)),
                                                "loss": pa.array(y)})
        app = AppState(store, WebConfig(), ColumnCache(store, 4 << 30))
        body = {"series": "train", "kind": "band", "x": "step", "y": "loss", "pixels": columns,
                "group": ["run", "optimizer"], "attributes": ["optimizer"],
                "fields": ["step", "loss"]}
        plan = resolve(parse_data_request(body), store.list_fields(), store.list_series())
        run_data_request(app, plan)  # fill the cache
        request_ms, table = timed(lambda: run_data_request(app, plan))
        assert isinstance(table, pa.Table) and table.num_rows == 2 * columns
    return {"figure": "bands_ms", "runs": runs, "steps": steps, "groups": 2,
            "columns": columns, "kernel_ms": round(kernel_ms, 1),
            "request_ms": round(request_ms, 1), "goal_ms": 300}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--bins", type=int, default=100)
    parser.add_argument("--request-steps", type=int, default=200)
    parser.add_argument("--request-values", type=int, default=10_000)
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--grid-rows", type=int, default=5_000_000)
    parser.add_argument("--band-runs", type=int, default=20)
    parser.add_argument("--band-steps", type=int, default=100_000)
    parser.add_argument("--only", choices=["bands"], help="only this figure")
    args = parser.parse_args()
    print(json.dumps(band_figure(args.band_runs, args.band_steps)), flush=True)
    if args.only == "bands":
        return
    print(json.dumps(kernel_figure(args.steps, args.values, args.bins)), flush=True)
    with tempfile.TemporaryDirectory() as tmp, open_store(tmp + "/data") as store:
        fill(store, args.request_steps, args.request_values, args.grid, args.grid_rows)
        for figure in request_figures(store, args.request_steps, args.request_values,
                                      args.grid, args.grid_rows):
            print(json.dumps(figure), flush=True)


if __name__ == "__main__":
    main()
