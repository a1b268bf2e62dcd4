"""Per-call timing shared by the benchmarks that measure a caller's cost (write, capture,
drop-in, media): each call timed alone, so the figures are what one call costs the
program, not an average hidden behind batching.

Imported as a sibling module (`from timing import timed`): the benchmarks run as scripts,
so their own directory is first on sys.path.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def timed(fn: Callable[[int], object], n: int, warmup: int) -> dict[str, float]:
    """Median, p99 and mean of n calls fn(i), each timed alone, in microseconds.

    The mean is what a training loop pays in all: a peer whose calls are cheap most of
    the time and then wait for a queue (tensorboardX) shows it there, not in the median."""
    pc = time.perf_counter_ns
    for i in range(warmup):
        fn(i)
    samples = [0] * n
    for i in range(n):
        t0 = pc()
        fn(i)
        samples[i] = pc() - t0
    samples.sort()
    return {"median_us": round(samples[n // 2] / 1000, 3),
            "p99_us": round(samples[int(n * 0.99)] / 1000, 3),
            "mean_us": round(sum(samples) / n / 1000, 3), "n": n}
