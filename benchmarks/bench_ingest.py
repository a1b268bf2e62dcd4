"""Ingest throughput: appends through a real `streamvis serve` process into each store.

Prints one JSON line per figure:

    {"figure": "first_append", "store": "sqlite", "batch_rows": 10000, "fields": 4, "ms": ...}
    {"figure": "ingest", "store": "sqlite", "writers": 1, "batch_rows": 10000,
     "fields": 4, "rows_per_s": ..., "values_per_s": ..., "mb_per_s": ..., "p50_ms": ...,
     "p99_ms": ...}

SQLite runs in a temporary directory; PostgreSQL in a scratch database on the server
of STREAMVIS_TEST_PG_DSN (default postgresql://postgres@127.0.0.1:5432/postgres),
created and dropped here, skipped with a note on stderr if none answers.

    .venv/bin/python benchmarks/bench_ingest.py [--seconds 3] [--store sqlite|postgres]
        [--writers N ...] [--batch-rows 10000]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Iterator

import numpy as np

from streamvis import wire_columns
from streamvis.client import Client
from streamvis.testing import ServerProcess, scratch_store_or_none
from streamvis.v1 import service_pb2 as pb

BATCH_ROWS = 10_000
FIELDS = 4


def requests(run: str, series: str, fields: list[str], writer: int,
             batch_rows: int = BATCH_ROWS) -> Iterator[
    pb.AppendToSeriesRequest
]:
    """Appends as a logger sends them: packed columns, each with its own key."""
    rng = np.random.default_rng(writer)
    columns = [wire_columns.column_to_pb(f, rng.standard_normal(batch_rows)) for f in fields]
    i = 0
    while True:
        yield pb.AppendToSeriesRequest(
            run=run, series=series, columns=columns, idempotency_key=f"w{writer}-{i}"
        )
        i += 1


def measure(uri: str, run: str, series: str, fields: list[str], *, writers: int,
            seconds: float, batch_rows: int = BATCH_ROWS) -> tuple[int, list[float], float]:
    """(batches, latencies in s, elapsed s) for `writers` clients appending for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(writers)]
    start = threading.Barrier(writers + 1)
    stop = threading.Event()

    def write(k: int) -> None:
        with Client(uri) as client:
            feed = requests(run, series, fields, k, batch_rows)
            client.append_request(next(feed))  # connect and warm up
            start.wait()
            while not stop.is_set():
                request = next(feed)
                t0 = time.perf_counter()
                client.append_request(request)
                latencies[k].append(time.perf_counter() - t0)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [x for per in latencies for x in per]
    return len(flat), flat, elapsed


def bench(kind: str, seconds: float, writer_counts: list[int],
          batch_rows: int = BATCH_ROWS) -> None:
    with scratch_store_or_none(kind, "bench_ingest") as location:
        if location is None:
            return
        with ServerProcess(location) as server, Client(server.uri) as client:
            fields = [f"f{i}" for i in range(FIELDS)]
            for f in fields:
                client.create_field(f, "float")
            client.create_series("bench", fields)
            run = str(client.create_run().handle)
            # A fresh server's first append: one-time costs (imports, caches) show here.
            t0 = time.perf_counter()
            client.append_request(next(requests(run, "bench", fields, 99, batch_rows)))
            print(json.dumps({
                "figure": "first_append", "store": kind, "batch_rows": batch_rows,
                "fields": FIELDS, "ms": round((time.perf_counter() - t0) * 1000, 1),
            }), flush=True)
            for writers in writer_counts:
                batches, latencies, elapsed = measure(
                    server.uri, run, "bench", fields, writers=writers, seconds=seconds,
                    batch_rows=batch_rows,
                )
                rows = batches * batch_rows
                ms = np.array(latencies) * 1000
                print(json.dumps({
                    "figure": "ingest", "store": kind, "writers": writers,
                    "batch_rows": batch_rows, "fields": FIELDS,
                    "rows_per_s": round(rows / elapsed),
                    "values_per_s": round(rows * FIELDS / elapsed),
                    "mb_per_s": round(rows * FIELDS * 8 / elapsed / 1e6, 1),
                    "p50_ms": round(float(np.percentile(ms, 50)), 2),
                    "p99_ms": round(float(np.percentile(ms, 99)), 2),
                }), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--store", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--writers", type=int, action="append",
                        help="concurrent clients (repeatable; default 1 and 4)")
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS,
                        help="rows per append (small ones show what group commit saves)")
    args = parser.parse_args()
    for kind in args.store or ["sqlite", "postgres"]:
        bench(kind, args.seconds, args.writers or [1, 4], args.batch_rows)


if __name__ == "__main__":
    main()
