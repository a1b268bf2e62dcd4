"""What run capture costs the program: `write` with capture on and off, and a printed line.

Prints one JSON line per figure:
  write_with_capture: the median and p99 of one `write` of three scalars with capture
      off (capture=False) and on (command, git, environment gathered; console teed)
      — the goal is no measurable difference;
  progress_update: one `update()` of a progress bar (our own drawer, or tqdm);
  print_with_console: one `print` of a short line to a file stream, with and without
      the console tee on sys.stdout (the tee logs each line to the `console` series);
  capture_start: the seconds `start()` takes with capture on (gathering command, git and
      environment runs on a thread of its own; `stop()` waits for it).

Run: .venv/bin/python benchmarks/bench_capture.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from streamvis import DataLogger, declare_schema
from streamvis.logger.progress import Progress
from streamvis.model import capture as cap
from streamvis.testing import ServerProcess
from timing import timed


def write_cost(uri: str, spool: Path, n: int, *, capture: bool) -> dict[str, float]:
    with DataLogger(uri=uri, spool_dir=spool, strict=True, capture=capture) as logger:
        write = logger.write
        result = timed(lambda i: write("train", step=i, loss=0.5, acc=0.25), n, 10_000)
        assert logger.flush(timeout=120)
    return result


def progress_cost(uri: str, spool: Path, n: int) -> dict[str, float]:
    """One `update()` of a progress bar (drawn to a quiet stderr, logged once a second)."""
    real = sys.stderr
    sys.stderr = io.StringIO()
    try:
        with DataLogger(uri=uri, spool_dir=spool, console=False) as logger:
            bar: Progress[int] = logger.progress(total=n + 1_000)
            result = timed(lambda _: bar.update(), n, 1_000)
            bar.close()
            assert logger.flush(timeout=120)
    finally:
        sys.stderr = real
    return result


def print_cost(uri: str, spool: Path, n: int, *, tee: bool) -> dict[str, float]:
    sink = io.StringIO()
    real = sys.stdout
    sys.stdout = sink  # the tee wraps whatever sys.stdout is: here a quiet one
    try:
        with DataLogger(uri=uri, spool_dir=spool, capture=tee) as logger:
            result = timed(lambda i: print("epoch", i, "loss 0.5"), n, 1_000)
            assert logger.flush(timeout=120)
    finally:
        sys.stdout = real
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    os.environ[cap.CAPTURE_ENV] = "1"
    n = 50_000 if args.quick else 300_000
    with tempfile.TemporaryDirectory() as tmp:
        proc = ServerProcess(str(Path(tmp) / "data")).start()
        uri = proc.uri
        try:
            declare_schema({"step": "int", "loss": "float", "acc": "float"},
                           {"train": ["step", "loss", "acc"]}, uri=uri)
            spool = Path(tmp) / "spool"
            # Alternated, best of three each: the order (a server still ingesting the
            # previous rows, a busy machine) must not pass for the cost of capture.
            offs, ons = [], []
            for _ in range(3):
                offs.append(write_cost(uri, spool, n, capture=False))
                ons.append(write_cost(uri, spool, n, capture=True))
            off = min(offs, key=lambda r: r["median_us"])
            on = min(ons, key=lambda r: r["median_us"])
            bar = progress_cost(uri, spool, n)
            p_off = print_cost(uri, spool, n // 5, tee=False)
            p_on = print_cost(uri, spool, n // 5, tee=True)
            t0 = time.perf_counter()
            with DataLogger(uri=uri, spool_dir=spool, console=False):
                started = time.perf_counter() - t0
        finally:
            proc.stop()
    print(json.dumps({"figure": "write_with_capture", "capture_off": off, "capture_on": on,
                      "ratio_median": round(on["median_us"] / off["median_us"], 2)}))
    print(json.dumps({"figure": "progress_update", "progress": bar}))
    print(json.dumps({"figure": "print_with_console", "tee_off": p_off, "tee_on": p_on}))
    print(json.dumps({"figure": "capture_start", "seconds": round(started, 3)}))


if __name__ == "__main__":
    main()
