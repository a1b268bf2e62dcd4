"""collector.py: a server's start-up objects are never walked again, young collections
are spaced out, and garbage made later is still collected."""

from __future__ import annotations

import subprocess
import sys

_CHECK = """
import gc, sys
import streamvis.server  # what a server has imported by the time it is started
from streamvis.service.collector import YOUNG_THRESHOLD, tune_collector
held_before = len(gc.get_objects())
if sys.argv[1] == "tuned":
    tune_collector()
walked = len(gc.get_objects())  # what a full collection walks now
young = gc.get_stats()[0]["collections"]
kept = [(i,) for i in range(YOUNG_THRESHOLD * 9 // 10)]  # a burst of containers
young = gc.get_stats()[0]["collections"] - young

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle, garbage once dropped
del a, b
print(held_before, walked, young, gc.collect())
"""


def _run(mode: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", _CHECK, mode], capture_output=True,
                         text=True, check=True).stdout.split()
    return [int(v) for v in out]


def test_start_up_objects_are_frozen_and_young_collections_spaced() -> None:
    held, walked, young, freed = _run("tuned")
    assert held > 10_000  # the imports' objects ...
    assert walked < held // 20  # ... are no longer walked by a collection
    assert young == 0  # 9,000 containers held: no young collection
    assert freed >= 2  # a cycle made later is still found


def test_untuned_process_walks_everything() -> None:
    held, walked, young, _ = _run("untuned")
    assert walked >= held and young >= 10  # CPython's own: every 700 containers
