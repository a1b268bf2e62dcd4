"""One logger process of benchmarks/bench_load.py: a training loop's logging, timed.

    python benchmarks/load_worker.py URI SPOOL_DIR GO_FILE SECONDS \
        SCALAR_EVERY ARRAY_EVERY POINTS SAMPLES

Starts a `DataLogger`, prints `{"ready": run}` and waits for GO_FILE to exist, so that
every worker starts writing at the same moment. Then for SECONDS it writes one
scalar row (`step`, `loss`) every SCALAR_EVERY seconds to series `load_scalars`, and
one POINTS-point array (`step`, `x`, `y`) every ARRAY_EVERY seconds to `load_arrays`,
timing each `write` call (the overhead the training loop pays). Ends with `stop()` and
prints one JSON line: rows written per series and whether everything was
acknowledged; the write times (ns) go to SAMPLES (.npz, arrays `scalar` and `array`).
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from streamvis import DataLogger


def main() -> None:
    uri, spool, go_file = sys.argv[1], sys.argv[2], sys.argv[3]
    seconds, scalar_every, array_every = (float(a) for a in sys.argv[4:7])
    points, samples = int(sys.argv[7]), sys.argv[8]
    logger = DataLogger(uri=uri, spool_dir=spool, tags=("load",)).start()
    print(json.dumps({"ready": str(logger.run_handle)}), flush=True)
    while not os.path.exists(go_file):  # noqa: PTH110
        time.sleep(0.01)
    xs = np.linspace(0.0, 1.0, points)
    scalar_ns: list[int] = []
    array_ns: list[int] = []
    clock = time.perf_counter_ns
    start = time.monotonic()
    next_scalar = next_array = start
    step = arrays = 0
    while (now := time.monotonic()) < start + seconds:
        if now >= next_array:
            ys = np.sin(xs * step)  # made before the clock starts: the program's own work
            t0 = clock()
            logger.write("load_arrays", step=arrays, x=xs, y=ys)
            array_ns.append(clock() - t0)
            arrays += 1
            next_array += array_every
        loss = 1.0 / (step + 1)
        t0 = clock()
        logger.write("load_scalars", step=step, loss=loss)
        scalar_ns.append(clock() - t0)
        step += 1
        next_scalar += scalar_every
        time.sleep(max(0.0, next_scalar - time.monotonic()))
    stop_started = time.monotonic()
    stopped = bool(logger.stop(timeout=300))  # a Delivery: true when nothing is left over

    np.savez(samples, scalar=np.array(scalar_ns, dtype=np.int64),
             array=np.array(array_ns, dtype=np.int64))
    print(json.dumps({
        "run": str(logger.run_handle), "stopped": stopped,
        "stop_s": round(time.monotonic() - stop_started, 2),
        "rows": {"load_scalars": step, "load_arrays": arrays * points},
    }), flush=True)


if __name__ == "__main__":
    main()
