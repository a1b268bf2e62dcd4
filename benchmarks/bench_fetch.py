"""Data API read throughput: `fetch` and `iter_batches` through a real SQLite-backed server.

One run logs a series of 3 fields (int step, float loss, float acc) of `--rows` rows
(default 5M) in chunks of `--chunk-rows` rows, once per chunk size given; then each
read path is timed `--repeat` times and the best is reported. Prints one JSON line per
figure:

    {"figure": "fetch_rows_per_s", "store": "sqlite", "rows": 5000000, "fields": 3,
     "chunk_rows": 100000, "chunks": 50, "seconds": ..., "rows_per_s": ..., "mb_per_s": ...}

Figures: `query_rows_per_s` (`Client.query`, the gRPC stream alone, for reference),
`iter_batches_rows_per_s` (record batches with the run column, nothing kept),
`fetch_rows_per_s` (a materialized pyarrow.Table), `fetch_attr_rows_per_s` (the same
with one float attribute broadcast) and `to_pandas_rows_per_s` (Table.to_pandas).
`mb_per_s` counts the 24 bytes of field values per row. `rss_growth_mb` is how much the
peak resident memory grew in that step (iter_batches runs first, so its figure shows
that streaming stays bounded; fetch holds the table).

    .venv/bin/python benchmarks/bench_fetch.py [--rows 5000000] [--chunk-rows 100000,10000]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa

import streamvis
from streamvis.client import Client
from streamvis.query import Connection
from streamvis.testing import ServerProcess

FIELDS = ["step", "loss", "acc"]
VALUE_BYTES = 8 * len(FIELDS)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def populate(client: Client, series: str, rows: int, chunk_rows: int) -> str:
    client.create_series(series, FIELDS)
    run = client.create_run(tags=["bench"], attributes={"lr": 3e-4})
    rng = np.random.default_rng(0)
    for start in range(0, rows, chunk_rows):
        n = min(chunk_rows, rows - start)
        client.append(run.handle, series, {
            "step": np.arange(start, start + n, dtype=np.int64),
            "loss": rng.random(n), "acc": rng.random(n),
        })
    return str(run.handle)


def best_of(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    """The shortest time of `repeat` calls of `work`, and the rows it counted."""
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = work()
        times.append(time.perf_counter() - start)
    return min(times), rows


def measure(sv: Connection, series: str, chunk_rows: int, repeat: int) -> None:
    def query() -> int:
        return sum(c.batch.num_rows for c in sv.client.query(series))

    def batches() -> int:
        with sv.iter_batches(series) as stream:
            return sum(b.num_rows for b in stream)

    def fetch() -> int:
        return int(sv.fetch(series).num_rows)

    def fetch_attr() -> int:
        return int(sv.fetch(series, attributes=["lr"]).num_rows)

    held: list[pa.Table] = []  # the table that to_pandas converts, fetched outside its timing

    def to_pandas() -> int:
        return len(held[0].to_pandas())

    steps: list[tuple[str, Callable[[], int]]] = [
        ("query_rows_per_s", query), ("iter_batches_rows_per_s", batches),
        ("fetch_rows_per_s", fetch), ("fetch_attr_rows_per_s", fetch_attr),
    ]
    for figure, work in [*steps, ("to_pandas_rows_per_s", to_pandas)]:
        if figure == "to_pandas_rows_per_s":
            held.append(sv.fetch(series))
        rss_before = peak_rss_mb()
        seconds, rows = best_of(repeat, work)
        print(json.dumps({
            "figure": figure, "store": "sqlite", "rows": rows, "fields": len(FIELDS),
            "chunk_rows": chunk_rows, "chunks": -(-rows // chunk_rows),
            "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
            "mb_per_s": round(rows * VALUE_BYTES / seconds / 1e6, 1),
            "rss_growth_mb": round(peak_rss_mb() - rss_before, 1),
        }), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--chunk-rows", default="100000,10000",
                        help="comma-separated chunk sizes, one series each")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.chunk_rows.split(",")]
    with tempfile.TemporaryDirectory(prefix="streamvis-bench-") as path, ServerProcess(
        path
    ) as server, Client(server.uri, timeout=120) as client, streamvis.connect(
        server.uri
    ) as sv:
        for f in FIELDS:
            client.create_field(f, "int" if f == "step" else "float")
        client.create_field("lr", "float")
        # Warm up (pyarrow imports pandas at its first numpy conversion) on a tiny series,
        # so that the peak memory the first step starts from is not already a table's.
        populate(client, "warmup", 1000, 100)
        sv.fetch("warmup", attributes=["lr"]).to_pandas()
        for size in sizes:
            series = f"train_{size}"
            start = time.perf_counter()
            populate(client, series, args.rows, size)
            print(f"bench_fetch: logged {args.rows} rows in chunks of {size} in "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
            measure(sv, series, size, args.repeat)


if __name__ == "__main__":
    main()
