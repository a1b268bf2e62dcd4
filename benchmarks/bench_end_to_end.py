"""End to end, side by side: streamvis, rerun-sdk, trackio and tensorboardX, in one run.

Two workloads, each from the first `write` to `stop()` (or the peer's close/finish)
returned:

  cloud    500 steps of a 10,000-point cloud: x, y float32 arrays and the step (an int
           broadcast to every point); rerun logs Points2D to its .rrd file, tensorboardX
           two histograms per step (lossy: bins, not points), trackio is left out (it
           logs scalars, tables and media, not arrays of points);
  scalars  50,000 steps of three scalars (step, loss, acc).

One JSON line per tool and workload: caller median / p99 / max per write (µs), total
seconds to stop, the stop call's own seconds, disk bytes and their ratio to the raw
bytes of the values the program wrote (cloud: 8 bytes a point, x and y; scalars: 24
bytes a step), and for streamvis the CPU seconds the program (its writes and the
logger's thread) and the server spent from the first write to stop() returned, the
server's peak RSS and a reader's peak RSS to fetch
the cloud back (fetch, in a fresh process, less that process's RSS before fetching).

    .venv/bin/python benchmarks/bench_end_to_end.py [--steps 500] [--scalar-steps 50000]
        [--only streamvis,rerun,trackio,tensorboardX]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from streamvis import DataLogger, declare_schema
from streamvis.testing import ServerProcess

POINTS = 10_000

Write = Callable[[int], None]


def disk_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_writes(write: Write, steps: int, stop: Callable[[], object]) -> dict[str, Any]:
    """Time each write alone, then the stop; totals from the first write."""
    pc = time.perf_counter_ns
    samples = [0] * steps
    first = pc()
    for i in range(steps):
        t0 = pc()
        write(i)
        samples[i] = pc() - t0
    t0 = pc()
    stop()
    end = pc()
    ordered = sorted(samples)
    return {
        "write_median_us": round(ordered[steps // 2] / 1000, 2),
        "write_p99_us": round(ordered[int(steps * 0.99)] / 1000, 2),
        "write_max_ms": round(ordered[-1] / 1e6, 2),
        "total_s": round((end - first) / 1e9, 3),
        "stop_s": round((end - t0) / 1e9, 3),
    }


def cloud_data(steps: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every step's points their own (40 MB for 500 steps): a few clouds repeated would
    let a compressing store find each again and store a fraction of the raw bytes."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(POINTS).astype(np.float32) for _ in range(steps)]
    ys = [rng.standard_normal(POINTS).astype(np.float32) for _ in range(steps)]
    return xs, ys


# -- the tools ------------------------------------------------------------------------

_FIELDS = {"step": "int", "x": "float", "y": "float", "loss": "float", "acc": "float"}
_SERIES = {"cloud": ["step", "x", "y"], "train": ["step", "loss", "acc"]}


def _empty_store_bytes(data: Path) -> int:
    """A store with the schema and nothing else, as the server leaves it at exit."""
    with ServerProcess(str(data)) as server:
        declare_schema(_FIELDS, _SERIES, uri=server.uri)
    return disk_bytes(data)


def streamvis_runs(tmp: Path, steps: int, scalar_steps: int) -> list[dict[str, Any]]:
    """Each workload in a store of its own, measured after the server exits (SQLite's
    WAL folded into the database), less an empty store's bytes."""
    out = []
    xs, ys = cloud_data(steps)
    empty = _empty_store_bytes(tmp / "empty")
    for workload in ("cloud", "scalars"):
        data = tmp / workload
        with ServerProcess(str(data)) as server:
            declare_schema(_FIELDS, _SERIES, uri=server.uri)
            logger = DataLogger(server.uri, spool_dir=tmp / "spool").start()
            assert logger.flush()
            if workload == "cloud":
                def write(i: int, logger: DataLogger = logger) -> None:
                    logger.write("cloud", step=i, x=xs[i], y=ys[i])
                n, raw = steps, steps * POINTS * 8
            else:
                def write(i: int, logger: DataLogger = logger) -> None:
                    logger.write("train", step=i, loss=0.5 / (i + 1), acc=0.9)
                n, raw = scalar_steps, scalar_steps * 24
            # CPU besides wall time: on a shared machine the wall time is mostly the
            # other programs' load; the CPU each side spent is this workload's own.
            logger_cpu, server_cpu = time.process_time(), cpu_s(server.pid)
            row = run_writes(write, n, logger.stop)
            row["logger_cpu_s"] = round(time.process_time() - logger_cpu, 3)
            row["server_cpu_s"] = round(cpu_s(server.pid) - server_cpu, 3)
            if workload == "cloud":
                row["reader_peak_mb"] = reader_peak_mb(server.uri, str(logger.run_handle))
            row["server_peak_mb"] = peak_rss_mb(server.pid)
        out.append({"workload": workload, **row, "disk_bytes": disk_bytes(data) - empty,
                    "raw_bytes": raw})
    return out


_READER = """
import resource, sys, streamvis, pyarrow
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with streamvis.connect(sys.argv[1]) as sv:
    table = sv.fetch("cloud", runs=[sys.argv[2]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(table.num_rows, table.nbytes, (peak - base) * 1024)
"""


def reader_peak_mb(uri: str, run: str) -> float:
    out = subprocess.run([sys.executable, "-c", _READER, uri, run], capture_output=True,
                         text=True, check=True).stdout.split()
    rows, nbytes, peak = map(int, out)
    print(json.dumps({"figure": "reader", "rows": rows, "table_mb": round(nbytes / 1e6, 1),
                      "peak_mb": round(peak / 1e6, 1),
                      "peak_per_table": round(peak / nbytes, 2)}), flush=True)
    return round(peak / 1e6, 1)


def rerun_runs(tmp: Path, steps: int, scalar_steps: int) -> list[dict[str, Any]]:
    import rerun as rr  # noqa: PLC0415 - a benchmark-only dependency

    out = []
    xs, ys = cloud_data(steps)
    for workload in ("cloud", "scalars"):
        path = tmp / f"rerun-{workload}.rrd"
        rec = rr.RecordingStream("bench_end_to_end")
        rec.save(str(path))
        if workload == "cloud":
            def write(i: int, rec: Any = rec) -> None:
                rec.set_time("step", sequence=i)
                # Points2D takes an (n, 2) array: stacking x and y is the caller's cost.
                rec.log("cloud", rr.Points2D(np.column_stack([xs[i], ys[i]])))
            n, raw = steps, steps * POINTS * 8
        else:
            def write(i: int, rec: Any = rec) -> None:
                rec.set_time("step", sequence=i)
                rec.log("loss", rr.Scalars(0.5 / (i + 1)))
                rec.log("acc", rr.Scalars(0.9))
            n, raw = scalar_steps, scalar_steps * 24

        def stop(rec: Any = rec) -> None:
            rec.flush(blocking=True) if _takes_blocking(rec.flush) else rec.flush()
            rec.disconnect()

        row = run_writes(write, n, stop)
        out.append({"workload": workload, **row, "disk_bytes": disk_bytes(path),
                    "raw_bytes": raw})
    return out


def _takes_blocking(fn: Callable[..., object]) -> bool:
    import inspect  # noqa: PLC0415

    try:
        return "blocking" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def trackio_runs(
    tmp: Path, steps: int, scalar_steps: int,  # noqa: ARG001 - trackio logs no clouds
) -> list[dict[str, Any]]:
    os.environ["TRACKIO_DIR"] = str(tmp / "trackio")
    import trackio  # noqa: PLC0415 - a benchmark-only dependency

    trackio.init(project="bench_end_to_end", name="scalars")

    def write(i: int) -> None:
        trackio.log({"loss": 0.5 / (i + 1), "acc": 0.9}, step=i)

    row = run_writes(write, scalar_steps, trackio.finish)
    return [{"workload": "scalars", **row, "disk_bytes": disk_bytes(tmp / "trackio"),
             "raw_bytes": scalar_steps * 24}]


def tensorboardx_runs(tmp: Path, steps: int, scalar_steps: int) -> list[dict[str, Any]]:
    from tensorboardX import SummaryWriter  # type: ignore[import-untyped]  # noqa: PLC0415

    out = []
    xs, ys = cloud_data(steps)
    for workload in ("cloud", "scalars"):
        logdir = tmp / f"tb-{workload}"
        w = SummaryWriter(str(logdir))
        if workload == "cloud":
            def write(i: int, w: Any = w) -> None:
                w.add_histogram("x", xs[i], i)  # lossy: bins, not points
                w.add_histogram("y", ys[i], i)
            n, raw = steps, steps * POINTS * 8
        else:
            def write(i: int, w: Any = w) -> None:
                w.add_scalar("loss", 0.5 / (i + 1), i)
                w.add_scalar("acc", 0.9, i)
            n, raw = scalar_steps, scalar_steps * 24
        row = run_writes(write, n, w.close)
        out.append({"workload": workload, **row, "disk_bytes": disk_bytes(logdir),
                    "raw_bytes": raw})
    return out


TOOLS = {"streamvis": streamvis_runs, "rerun": rerun_runs, "trackio": trackio_runs,
         "tensorboardX": tensorboardx_runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--scalar-steps", type=int, default=50_000)
    parser.add_argument("--only", default=",".join(TOOLS))
    args = parser.parse_args()
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix=f"e2e-{name}-") as tmp:
            try:
                rows = TOOLS[name](Path(tmp), args.steps, args.scalar_steps)
            except ImportError as exc:
                print(f"{name}: not installed ({exc}); pip install -e '.[bench]'",
                      file=sys.stderr)
                continue
            for row in rows:
                row["disk_per_raw"] = round(row["disk_bytes"] / row["raw_bytes"], 2)
                print(json.dumps({"figure": "end_to_end", "tool": name, **row}), flush=True)


if __name__ == "__main__":
    main()
