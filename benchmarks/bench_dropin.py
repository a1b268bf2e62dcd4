"""What the TensorBoard drop-in costs the caller: `add_scalar` beside tensorboardX's.

Prints one JSON line per figure:
  add_scalar: the median and p99 of one `add_scalar(tag, float, step)` call with
      streamvis.tensorboard.SummaryWriter (to a real server) and with tensorboardX's
      SummaryWriter (to event files in a temporary directory), in the same run, and
      the ratios of the medians and of the means (goal: streamvis >= 20x faster);
  run_log: one `streamvis.init(...).log({"train/loss": l, "train/acc": a}, step=i)`.

Run: .venv/bin/python benchmarks/bench_dropin.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import streamvis
from streamvis.tensorboard import SummaryWriter
from streamvis.testing import ServerProcess
from timing import timed


def streamvis_cost(uri: str, spool: Path, n: int) -> dict[str, float]:
    writer = SummaryWriter(uri=uri, spool_dir=spool, strict=True)
    add = writer.add_scalar
    result = timed(lambda i: add("train/loss", 0.5, i), n, 10_000)
    writer.flush()
    writer.close()
    return result


def tensorboardx_cost(logdir: Path, n: int) -> dict[str, float]:
    from tensorboardX import SummaryWriter as TbxWriter  # type: ignore[import-untyped]  # noqa: PLC0415

    writer = TbxWriter(logdir=str(logdir))
    add = writer.add_scalar
    result = timed(lambda i: add("train/loss", 0.5, i), n, 1_000)
    writer.close()
    return result


def log_cost(uri: str, spool: Path, n: int) -> dict[str, float]:
    run = streamvis.init(uri, spool_dir=spool, strict=True)
    log = run.log
    result = timed(lambda i: log({"train/loss": 0.5, "train/acc": 0.25}, step=i), n, 10_000)
    run.finish()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    os.environ.setdefault("STREAMVIS_CAPTURE", "0")
    n = 20_000 if args.quick else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        proc = ServerProcess(str(Path(tmp) / "data")).start()
        try:
            spool = Path(tmp) / "spool"
            # Alternated, best of three each, so neither side pays for the machine's mood.
            ours, theirs = [], []
            for k in range(3):
                ours.append(streamvis_cost(proc.uri, spool, n))
                theirs.append(tensorboardx_cost(Path(tmp) / f"tbx{k}", n // 4))
            log = log_cost(proc.uri, spool, n)
        finally:
            proc.stop()
    sv = min(ours, key=lambda r: r["median_us"])
    tbx = min(theirs, key=lambda r: r["median_us"])
    print(json.dumps({"figure": "add_scalar", "streamvis": sv, "tensorboardx": tbx,
                      "speedup_median": round(tbx["median_us"] / sv["median_us"], 1),
                      "speedup_mean": round(tbx["mean_us"] / sv["mean_us"], 1)}))
    print(json.dumps({"figure": "run_log", "two_keys": log}))


if __name__ == "__main__":
    main()
