"""The line summaries an append computes, per 10,000-row chunk (the server's cost).

Prints one JSON line per workload:

    {"figure": "append_summaries_us", "workload": "cloud", "rows": 10000, "us": ...}

cloud: the end-to-end benchmark's chunk (step broadcast as a run, x and y float32);
scalars: step counting up, loss and acc float64.

    .venv/bin/python benchmarks/bench_append_summaries.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pyarrow as pa

from streamvis.store.summaries import chunk_summaries

ROWS = 10_000
_INT, _FLOAT = (np.dtype(np.int64), "values"), (np.dtype(np.float64), "values")


def workloads() -> dict[str, tuple[pa.RecordBatch, list[tuple[int, np.dtype, str]]]]:
    rng = np.random.default_rng(0)
    step = pa.RunEndEncodedArray.from_arrays(pa.array([ROWS], pa.int32()),
                                             pa.array([7], pa.int64()))
    cloud = pa.record_batch(
        [step, *(pa.array(rng.standard_normal(ROWS).astype(np.float32)) for _ in "xy")],
        names=["step", "x", "y"])
    scalars = pa.record_batch(
        [pa.array(np.arange(ROWS)), *(pa.array(rng.standard_normal(ROWS)) for _ in "la")],
        names=["step", "loss", "acc"])
    plan = [(1, *_INT), (2, *_FLOAT), (3, *_FLOAT)]
    return {"cloud": (cloud, plan), "scalars": (scalars, plan)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    for name, (batch, plan) in workloads().items():
        chunk_summaries(batch, plan)  # warm up
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            chunk_summaries(batch, plan)
        us = (time.perf_counter() - t0) / args.repeat * 1e6
        print(json.dumps({"figure": "append_summaries_us", "workload": name, "rows": ROWS,
                          "us": round(us, 1)}), flush=True)


if __name__ == "__main__":
    main()
