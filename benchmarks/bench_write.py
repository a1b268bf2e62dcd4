"""Caller-side cost of `DataLogger.write`, beside TensorBoard's SummaryWriter (tensorboardX).

Prints one JSON line per figure:
  (a) write_3_scalars: one write of three Python scalar fields (step, loss, acc), against
      three `add_scalar` calls per step;
  (b) write_10k_points: one write of a 10,000-point, two-field numpy array (x, y), against
      TensorBoard's fastest way to log it: two `add_histogram` calls (lossy: it keeps
      bins, not points) — a lossless 10,000-call `add_scalar` loop is measured too.

Each call is timed alone with time.perf_counter_ns, so the figures include the timer
(its own cost is printed as timer_overhead_ns). The logger talks to a real server
subprocess, pinned to the last CPU while this process is pinned to the first, and
flushes as usual (every 2 s) while it is measured: only the caller's side is timed.

Run: .venv/bin/python benchmarks/bench_write.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from streamvis import DataLogger, declare_schema
from timing import timed

_READY = re.compile(r"gRPC listening on (\S+):(\d+)")


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "streamvis", "serve", "--data-dir", str(data_dir),
           "--grpc-port", "0", "--http-port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        m = _READY.search(line)
        if m:
            cpus = sorted(os.sched_getaffinity(0))
            if len(cpus) > 1:
                os.sched_setaffinity(proc.pid, {cpus[-1]})
                os.sched_setaffinity(0, {cpus[0]})
            return proc, f"127.0.0.1:{m.group(2)}"
    raise RuntimeError("server did not start")



def timer_overhead_ns() -> int:
    pc = time.perf_counter_ns
    samples = []
    for _ in range(100_000):
        t0 = pc()
        samples.append(pc() - t0)
    samples.sort()
    return samples[len(samples) // 2]


def bench_streamvis(uri: str, spool: Path, quick: bool) -> dict[str, dict[str, float]]:
    declare_schema(
        {"step": "int", "loss": "float", "acc": "float", "x": "float", "y": "float"},
        {"train": ["step", "loss", "acc"], "curve": ["x", "y"]},
        uri=uri,
    )
    out = {}
    with DataLogger(uri=uri, spool_dir=spool, strict=True) as logger:
        write = logger.write
        out["a"] = timed(lambda i: write("train", step=i, loss=0.5, acc=0.25),
                         50_000 if quick else 500_000, 10_000)
        assert logger.flush(timeout=120)
        xs = np.linspace(0.0, 1.0, 10_000)
        ys = np.sin(xs)
        out["b"] = timed(lambda _: write("curve", x=xs, y=ys), 100 if quick else 400, 20)
        assert logger.flush(timeout=120)
    return out


def bench_tensorboard(logdir: Path, quick: bool) -> dict[str, dict[str, Any]]:
    from tensorboardX import SummaryWriter  # type: ignore[import-untyped]  # noqa: PLC0415

    out: dict[str, dict[str, Any]] = {}
    writer = SummaryWriter(str(logdir))
    try:
        def three(i: int) -> None:
            writer.add_scalar("loss", 0.5, i)
            writer.add_scalar("acc", 0.25, i)
            writer.add_scalar("step", i, i)

        out["a"] = {**timed(three, 5_000 if quick else 50_000, 1_000), "method": "add_scalar x3"}
        xs = np.linspace(0.0, 1.0, 10_000)
        ys = np.sin(xs)

        def hist(i: int) -> None:
            writer.add_histogram("x", xs, i)
            writer.add_histogram("y", ys, i)

        def loop(i: int) -> None:
            for k in range(10_000):
                writer.add_scalar("y_of_x", ys[k], i * 10_000 + k)

        candidates = {
            "add_histogram x2 (lossy: bins, not points)": timed(hist, 50 if quick else 200, 5),
            "add_scalar loop x10000 (lossless)": timed(loop, 3 if quick else 10, 1),
        }
        method, fastest = min(candidates.items(), key=lambda kv: kv[1]["median_us"])
        out["b"] = {**fastest, "method": method,
                    "others": {k: v for k, v in candidates.items() if k != method}}
    finally:
        writer.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, uri = start_server(Path(tmp) / "data")
        try:
            sv = bench_streamvis(uri, Path(tmp) / "spool", args.quick)
        finally:
            proc.terminate()
            proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()
        gc.collect()
        tb = bench_tensorboard(Path(tmp) / "tb", args.quick)
    overhead = timer_overhead_ns()
    goals = {
        "a": {"median_us_max": 3.0, "p99_us_max": 15.0, "speedup_min": 10.0},
        "b": {"speedup_min": 5.0},
    }
    names = {"a": "write_3_scalars", "b": "write_10k_points"}
    for key in ("a", "b"):
        speedup = tb[key]["median_us"] / sv[key]["median_us"]
        goal = goals[key]
        met = speedup >= goal["speedup_min"] and \
            sv[key]["median_us"] <= goal.get("median_us_max", float("inf")) and \
            sv[key]["p99_us"] <= goal.get("p99_us_max", float("inf"))
        print(json.dumps({
            "figure": names[key], "streamvis": sv[key], "tensorboardx": tb[key],
            "speedup_median": round(speedup, 1), "goal": goal, "met": met,
            "timer_overhead_ns": overhead, "machine_cpus": os.cpu_count(),
        }))


if __name__ == "__main__":
    main()
