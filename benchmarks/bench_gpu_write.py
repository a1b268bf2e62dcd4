"""CUDA tensors: what a `write` costs the caller, beside a bare device clone (its floor).

Prints one JSON line per figure (needs CUDA; says so on stderr and prints nothing else
without it):

    {"figure": "gpu_write_caller", "case": "train", "device": ..., "torch": ...,
     "median_us": ..., "p99_us": ..., "mean_us": ..., "n": 1000}

Cases: `bare_clone` (`loss.detach().clone()` of a 0-d tensor: what any snapshot of a
device tensor costs, a kernel launch), `bare_clone_x2` (two 10,000-float clones),
`train` (`write("train", step=i, loss=loss)`, the loss a 0-d CUDA tensor), `cloud`
(`write("cloud", step=i, x=x, y=y)`, two 10,000-float CUDA tensors) and `pics`
(`write("pics", step=i, img=img)`, a 256x256x3 uint8 CUDA tensor). torch's sync debug
mode is "error" for every timed write: a write that synchronized would raise. The
calls are timed as the other callers' benchmarks time them (timing.py). The
last figure, `gpu_flush`, is the flush of everything written (the images encoded on
the flusher), and the rows of the cloud read back.

    .venv/bin/python benchmarks/bench_gpu_write.py [--writes 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import streamvis
from streamvis import DataLogger
from streamvis.testing import ServerProcess
from timing import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args()
    import torch  # noqa: PLC0415 -- a benchmark-only dependency

    if not torch.cuda.is_available():
        print("bench_gpu_write: no CUDA device here; nothing measured", file=sys.stderr)
        return
    warnings.filterwarnings("ignore", "Synchronization debug mode")
    about = {"device": torch.cuda.get_device_name(), "torch": torch.__version__}
    tmp = Path(tempfile.mkdtemp())
    with ServerProcess(str(tmp / "data")) as srv:
        streamvis.declare_schema(
            {"step": "int", "loss": "float", "x": "float", "y": "float", "img": "image"},
            {"train": ["step", "loss"], "cloud": ["step", "x", "y"], "pics": ["step", "img"]},
            uri=srv.uri)
        with DataLogger(uri=srv.uri, spool_dir=tmp / "spool",
                        max_pending_bytes=1 << 32) as lg:
            x, y = torch.randn(10_000, device="cuda"), torch.randn(10_000, device="cuda")
            loss = (x * y).sum()
            img = torch.randint(0, 256, (256, 256, 3), dtype=torch.uint8, device="cuda")
            cases: dict[str, Callable[[int], object]] = {
                "bare_clone": lambda _: loss.detach().clone(),
                "bare_clone_x2": lambda _: (x.detach().clone(), y.detach().clone()),
                "train": lambda i: lg.write("train", step=i, loss=loss),
                "cloud": lambda i: lg.write("cloud", step=i, x=x, y=y),
                "pics": lambda i: lg.write("pics", step=i, img=img)}
            for i in range(50):  # each kernel loaded, each series' checks built
                for case in cases.values():
                    case(i)
            assert lg.flush(timeout=120)
            torch.cuda.synchronize()
            for name, case in cases.items():
                torch.cuda.set_sync_debug_mode("error")
                try:
                    figures = timed(case, args.writes, warmup=0)  # warmed above
                finally:
                    torch.cuda.set_sync_debug_mode("default")
                print(json.dumps({"figure": "gpu_write_caller", "case": name, **about,
                                  **figures}), flush=True)
            started = time.perf_counter()
            assert lg.flush(timeout=600)
            flush_s = time.perf_counter() - started
        with streamvis.connect(srv.uri) as sv:
            rows = sv.fetch("cloud", runs=[str(lg.run_handle)]).num_rows
        print(json.dumps({"figure": "gpu_flush", **about, "flush_s": round(flush_s, 3),
                          "cloud_rows": rows}), flush=True)


if __name__ == "__main__":
    main()
