"""Python's cyclic garbage collector kept off a server's hot paths.

CPython collects its youngest generation after every 700 container objects allocated
(tuples, lists, dicts, arrays) and, now and then, every generation: a walk over every
container object the process holds. A server holds tens of thousands from its imports
alone, none ever garbage. A 1 % zoom of a 1 B-point line allocates about 15,000
(a tuple, an array and a key for each of the ~2,000 buckets its pixel edges cut
through): 21 young collections a zoom, and a full one every six zooms that cost
that zoom ~30 ms of walking the imports' objects (measured in-process: 40 zooms,
GC 7.8 ms a zoom on average; with the start-up objects frozen and young
collections every 10,000 allocations, 2.2 ms).

`tune_collector` moves everything the process holds when it is called into the
permanent generation (`gc.freeze`: never walked again, never freed, as befits
modules and their objects) and raises the young generation's threshold. Garbage
cycles made later are still found, a little later. Only `streamvis serve` does
this (a library leaves its host's collector alone).
"""

from __future__ import annotations

import gc

#: Container objects allocated (net) before a young collection (CPython: 700).
YOUNG_THRESHOLD = 10_000


def tune_collector() -> None:
    """Freeze what the process holds now and space out young collections. Call it
    once the server's modules are imported."""
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
