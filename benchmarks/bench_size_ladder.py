"""Size ladder: one line of 10 M, 50 M, ... up to 1,000,000,000 points, reduced to pixels.

Per store (SQLite, PostgreSQL) and size, a fresh store gets one run whose series
(step, loss) is appended chunk by chunk through `store.append` (so each chunk gets
its line summaries exactly as ingest writes them), then a fresh server process
(`ThreadedWebServer`, the column cache bounded by `--cache-mb`) answers
POST /api/data for the line at `--pixels`:

    {"figure": "ladder_ingest", "store": ..., "points": ..., "chunk_rows": ...,
     "rows_per_s": ..., "summary_share": ...}
    {"figure": "ladder_plot", "store": ..., "points": ..., "cold_ms": ..., "warm_ms": ...,
     "zoom_cold_ms": ..., "zoom_warm_ms": ..., "zoom_moved_ms": ..., "zoom_moved_p90_ms": ...,
     "cold_cpu_ms": ..., ..., "out_rows": ...,
     "rss_base_mb": ..., "rss_peak_mb": ..., "cache_mb": ..., "load": ...}

`summary_share` is the time spent computing summaries over the whole ingest time
(the summaries' cost at ingest). `cold_ms` is the first request of a new server
process after one unrelated request (the OS page cache is warm from ingest: it is
the server's cold, not the disk's); `warm_ms` the median of 5 repeats; the zoom
asks for 1 % of the x range in the middle; `zoom_moved_ms` and
`zoom_moved_p90_ms` are the median and 90th percentile of 20 more 1 % zooms spread over
the line, each asked for the first time (the zooms a user makes after the first, in a
server whose memory has grown to its work). `rss_peak_mb` is the server process's
peak resident memory (VmHWM), `rss_base_mb` its resident memory before the first
line request. Each `*_cpu_ms` is the CPU time the process (server and client
together) spent on that request: on a shared, loaded machine it is the steadier
figure; `load` is the 1-minute load average when the figures were taken.

    .venv/bin/python benchmarks/bench_size_ladder.py --points 10000000 50000000 \\
        [--stores sqlite pg] [--pg-dsn postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType
from streamvis.service.allocator import tune_allocator
from streamvis.service.collector import tune_collector
from streamvis.store import open_store
from streamvis.store.summaries import summarize
from streamvis.web.http import WebConfig
from streamvis.web.serving import ThreadedWebServer

MIB = 1 << 20
#: 1 % zooms at other places after the first (`zoom_moved_ms`).
_MOVES = 20


def _rss() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MiB."""
    fields = {}
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _fresh_pg(admin: str, name: str) -> str:
    import psycopg  # noqa: PLC0415 -- only for PostgreSQL

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return _pg_location(admin, name)


def _analyze(location: str) -> None:
    """Gather the planner's statistics, as autovacuum would have after the import (a
    test machine's PostgreSQL may run with autovacuum off: decision 0061)."""
    import psycopg  # noqa: PLC0415 -- only for PostgreSQL

    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("ANALYZE")


def _pg_location(admin: str, name: str) -> str:
    return admin.rsplit("/", 1)[0] + "/" + name


def build(location: str, points: int, chunk_rows: int) -> dict[str, Any]:
    """Append one line of `points` rows; the time it took and the summaries' share."""
    with open_store(location) as store:
        store.create_field("step", FieldType.INT)
        store.create_field("loss", FieldType.FLOAT)
        store.create_series("train", ["step", "loss"])
        run = store.create_run(tags=["ladder"])
        rng = np.random.default_rng(1)
        summary_s = 0.0
        start = time.perf_counter()
        for first in range(0, points, chunk_rows):
            n = min(chunk_rows, points - first)
            step = np.arange(first, first + n, dtype=np.int64)
            loss = np.sin(step / 1e6) + rng.normal(0, 0.01, n)
            if rng.random() < 0.05:
                loss[int(rng.integers(0, n))] = 50.0  # a spike M4 must keep
            t0 = time.perf_counter()
            summarize(step, loss)  # what append computes, timed alone
            summary_s += time.perf_counter() - t0
            store.append(run.handle, "train", {"step": pa.array(step), "loss": pa.array(loss)})
        total = time.perf_counter() - start
    # The summaries were computed twice (once timed alone): take that copy out.
    ingest = total - summary_s
    return {"rows_per_s": round(points / ingest), "ingest_s": round(ingest, 1),
            "summary_share": round(summary_s / ingest, 3)}


def _serve(location: str, points: int, pixels: int, cache_mb: int, out: Any) -> None:
    tune_allocator()  # as `streamvis serve` does at start (decision 0057)
    with open_store(location) as store, ThreadedWebServer(
            store, WebConfig(cache_bytes=cache_mb * MIB)) as web, httpx.Client(
            base_url=web.url, timeout=600) as http:
        # The process's own first-request costs (imports, threads) are not the cache's.
        http.get("/api/runs").raise_for_status()
        http.post("/api/data", json={"series": "train", "max_points": 1, "filter": {
            "tags_any": ["none"]}}).raise_for_status()
        tune_collector()  # as `streamvis serve` does once started (collector.py)
        base, _ = _rss()
        line = {"series": "train", "kind": "line", "x": "step", "y": "loss", "pixels": pixels}

        def ask(body: dict[str, Any]) -> tuple[float, float, int]:
            t0, c0 = time.perf_counter(), time.process_time()
            r = http.post("/api/data", json=body)
            r.raise_for_status()
            rows = pa.ipc.open_stream(r.content).read_all().num_rows
            return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000, rows

        def median(body: dict[str, Any]) -> tuple[float, float]:
            got = sorted(ask(body)[:2] for _ in range(5))
            return got[2]

        cold, cold_cpu, rows = ask(line)
        warm, warm_cpu = median(line)
        zoom = {**line, "x_min": points * 0.495, "x_max": points * 0.505}
        zoom_cold, zoom_cold_cpu, _ = ask(zoom)
        zoom_warm, zoom_warm_cpu = median(zoom)
        # Then 1 % zooms at other places, each asked for the first time (a user panning
        # and zooming after the first): their median and 90th percentile.
        moved = sorted(ask({**line, "x_min": points * (c - 0.005),
                            "x_max": points * (c + 0.005)})[0]
                       for c in np.linspace(0.05, 0.95, _MOVES))
        figures = {"cold_ms": cold, "warm_ms": warm, "zoom_cold_ms": zoom_cold,
                   "zoom_warm_ms": zoom_warm, "zoom_moved_ms": moved[_MOVES // 2],
                   "zoom_moved_p90_ms": moved[int(_MOVES * 0.9)], "cold_cpu_ms": cold_cpu,
                   "warm_cpu_ms": warm_cpu, "zoom_cold_cpu_ms": zoom_cold_cpu,
                   "zoom_warm_cpu_ms": zoom_warm_cpu}
        out.put({**{k: round(v, 1) for k, v in figures.items()}, "out_rows": rows,
                 "rss_base_mb": round(base), "rss_peak_mb": round(_rss()[1]),
                 "load": round(os.getloadavg()[0], 1)})


def plot(location: str, points: int, pixels: int, cache_mb: int) -> dict[str, Any]:
    """Ask a fresh server process; its figures."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(location, points, pixels, cache_mb, out))
    proc.start()
    result: dict[str, Any] = out.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, nargs="+", default=[10_000_000, 50_000_000])
    parser.add_argument("--stores", nargs="+", default=["sqlite", "pg"])
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--chunk-rows", type=int, default=65_536)
    parser.add_argument("--pixels", type=int, default=2000)
    parser.add_argument("--cache-mb", type=int, default=512)
    parser.add_argument("--keep", type=Path, help="build each size once and keep it (SQLite "
                        "in KEEP/<points>, PostgreSQL as database sv_ladder_<points>), so a "
                        "later run only plots")
    args = parser.parse_args()
    for kind in args.stores:
        for points in args.points:
            with tempfile.TemporaryDirectory(prefix="ladder-") as tmp:
                kept = None
                if args.keep:
                    kept = args.keep / (str(points) if kind == "sqlite" else f"pg-{points}")
                    kept.mkdir(parents=True, exist_ok=True)
                if kind == "sqlite":
                    location = str(kept) if kept is not None else tmp
                elif kept is not None and (kept / "built").exists():
                    location = _pg_location(args.pg_dsn, f"sv_ladder_{points}")
                else:
                    name = f"sv_ladder_{points}" if kept else "sv_ladder"
                    location = _fresh_pg(args.pg_dsn, name)
                common = {"store": kind, "points": points, "chunk_rows": args.chunk_rows}
                if kept is None or not (kept / "built").exists():
                    print(json.dumps({"figure": "ladder_ingest", **common,
                                      **build(location, points, args.chunk_rows)}), flush=True)
                    if kind == "pg":
                        _analyze(location)
                    if kept is not None:
                        (kept / "built").touch()
                print(json.dumps({"figure": "ladder_plot", **common, "pixels": args.pixels,
                                  "cache_mb": args.cache_mb,
                                  **plot(location, points, args.pixels, args.cache_mb)}),
                      flush=True)


if __name__ == "__main__":
    main()
