"""Media values: what an image `write` costs the caller, and the rate media are ingested.
Prints one JSON line per figure:

    {"figure": "media_write_caller", "shape": [256, 256, 3], "median_us": ..., "p90_us": ...}
    {"figure": "media_ingest", "store": "sqlite", "images": ..., "mb": ..., "seconds": ...,
     "mb_per_s": ..., "images_per_s": ...}

`media_write_caller` is the time `logger.write("samples", step=i, img=...)` takes on
the caller's thread for a 256x256x3 uint8 numpy image (the goal: a median of at most
20 us): the check and the copy, the encoding left to the flusher. It is measured
against a running server, each write timed alone, `--interval-ms` apart (a training
step's other work, while the flusher encodes the last image). `missed`: the timed
writes that found no free copy buffer and paid for new memory (buffers.py; absent
where the code has no count of them).
`media_write_caller_quiet` writes in bursts of 20, each followed by `flush()`: the
caller's own path (check, copy, queue) with the flusher idle while it is timed.
`media_write_caller_quiet_jax` is the quiet figure for the same image as a jax array
(on the CPU here): immutable, so kept by reference, nothing copied at `write` (decision
0044); printed where jax is installed.
`media_write_caller_burst` writes back to back, faster than the flusher can encode:
the caller then also waits for the interpreter lock the flusher holds between its
(lock-free) encoding calls, and on a machine with fewer free cores than threads, for a
core.

`media_copy_floor` is the copy alone, no logger: the image copied into one of
`_QUIET_BURST` buffers (as a burst uses), each copy after 8 MiB of other memory was read
(as the flusher's encoding between bursts evicts the caches), beside the same copy with
the buffer in cache: what `media_write_caller_quiet` cannot go under on this machine.

`media_ingest` logs distinct random images (incompressible, so PNG is about as large
as the pixels) and times from the first write to `stop()` returning: encoding on the
flusher, upload in parts, the server's hash check and the rows' references; MB/s
counts the encoded bytes stored.

    .venv/bin/python benchmarks/bench_media.py [--writes 2000] [--images 64]
        [--size 256] [--stores sqlite,postgres]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import streamvis
from streamvis.logger.buffers import BUFFERS, fresh_copy
from streamvis.testing import ServerProcess, scratch_store


def _declare(uri: str) -> None:
    streamvis.declare_schema({"step": "int", "img": "image"}, {"samples": ["step", "img"]},
                             uri=uri)


#: Writes between the flushes of `media_write_caller_quiet` (flushed while untimed).
_QUIET_BURST = 20


def caller_cost(
    uri: str, writes: int, size: int, spool: Path, interval_ms: float, *, quiet: bool = False,
    jax: bool = False,
) -> dict[str, object]:
    img: Any = np.random.default_rng(0).integers(0, 256, (size, size, 3), dtype=np.uint8)
    if jax:
        import jax.numpy as jnp  # noqa: PLC0415 -- only for this figure

        img = jnp.asarray(img)
    times = []
    pool = BUFFERS.pool(np.asarray(img))
    with streamvis.DataLogger(uri=uri, spool_dir=spool, max_pending_bytes=1 << 31) as lg:
        for i in range(50):  # warm: the series' checks are built on the first write
            lg.write("samples", step=i, img=img)
        lg.flush()
        missed = getattr(pool, "missed", None)
        clock = time.perf_counter_ns
        for i in range(writes):
            start = clock()
            lg.write("samples", step=i, img=img)
            times.append((clock() - start) / 1000)
            if quiet and i % _QUIET_BURST == _QUIET_BURST - 1:
                lg.flush()  # encoded and sent while nothing is timed
            elif interval_ms:
                time.sleep(interval_ms / 1000)  # the rest of a training step
        if missed is not None:
            missed = pool.missed - missed
    times.sort()
    figure = "media_write_caller_quiet" if quiet else \
        "media_write_caller" if interval_ms else "media_write_caller_burst"
    figure += "_jax" if jax else ""
    out: dict[str, object] = {
        "figure": figure, "shape": [size, size, 3], "writes": writes,
        "interval_ms": 0.0 if quiet else interval_ms,
        "median_us": round(statistics.median(times), 2),
        "p90_us": round(times[int(0.9 * len(times))], 2)}
    if missed is not None and not jax:
        out["missed"] = missed
    return out


def copy_floor(size: int, copies: int) -> dict[str, object]:
    img = np.random.default_rng(0).integers(0, 256, (size, size, 3), dtype=np.uint8)
    bufs = [fresh_copy(img) for _ in range(_QUIET_BURST)]
    other = np.ones(8 << 20, np.uint8)
    clock = time.perf_counter_ns
    cold, warm = [], []
    for i in range(copies):
        buf = bufs[i % len(bufs)]
        other[::64].sum()  # evicts: touches every cache line of 8 MiB
        start = clock()
        buf[...] = img
        cold.append((clock() - start) / 1000)
        start = clock()
        buf[...] = img  # again, now in cache
        warm.append((clock() - start) / 1000)
    return {"figure": "media_copy_floor", "shape": [size, size, 3], "copies": copies,
            "cold_median_us": round(statistics.median(cold), 2),
            "warm_median_us": round(statistics.median(warm), 2)}


def ingest(uri: str, store: str, images: int, size: int, spool: Path) -> dict[str, object]:
    batch = np.random.default_rng(1).integers(0, 256, (images, size, size, 3), dtype=np.uint8)
    start = time.perf_counter()
    with streamvis.DataLogger(uri=uri, spool_dir=spool) as lg:
        for i in range(images):
            lg.write("samples", step=i, img=batch[i])
        run = lg.run_handle
    seconds = time.perf_counter() - start
    with streamvis.connect(uri) as sv:
        refs = sv.fetch("samples", runs=[run]).column("img").to_pylist()
    mb = sum(r["bytes"] for r in refs) / 1e6
    return {"figure": "media_ingest", "store": store, "images": images,
            "shape": [size, size, 3], "mb": round(mb, 2), "seconds": round(seconds, 3),
            "mb_per_s": round(mb / seconds, 2), "images_per_s": round(images / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--interval-ms", type=float, default=10.0,
                        help="time between timed writes (a training step's other work)")
    args = parser.parse_args()
    print(json.dumps(copy_floor(args.size, args.writes)), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for i, kind in enumerate(args.stores.split(",")):
            with scratch_store(kind, "bench_media", sqlite_dir=Path(tmp) / kind) as where, \
                    ServerProcess(where) as server:
                _declare(server.uri)
                if i == 0:
                    print(json.dumps(caller_cost(
                        server.uri, args.writes, args.size, Path(tmp) / "spool-q", 0.0,
                        quiet=True,
                    )), flush=True)
                    if importlib.util.find_spec("jax") is not None:
                        print(json.dumps(caller_cost(
                            server.uri, args.writes, args.size, Path(tmp) / "spool-j", 0.0,
                            quiet=True, jax=True,
                        )), flush=True)
                    for interval in (args.interval_ms, 0.0):
                        print(json.dumps(caller_cost(
                            server.uri, args.writes, args.size, Path(tmp) / "spool-w", interval,
                        )), flush=True)
                print(json.dumps(ingest(server.uri, kind, args.images, args.size,
                                        Path(tmp) / f"spool-{kind}")), flush=True)


if __name__ == "__main__":
    main()
