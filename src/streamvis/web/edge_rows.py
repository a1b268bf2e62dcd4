"""The raw rows of the level-0 buckets that pixel edges cut through, as M4 segments.

A line reduced from its summaries (lod_summaries.py) reads raw only the buckets an
edge cuts: ~2,000 buckets of 1,024 rows for a 1 % zoom of a 1 B-point line. Their rows
are joined once and cut where a bucket begins and where x reaches a pixel column's
first x; each stretch between two cuts lies in one column and is one segment, whose
first, last, lowest and highest rows are found for all segments at once
(`lod.segment_extremes`). A step counter's x (`Steps`) is never written out: where it
reaches a column's edge, and its value at the rows kept, are computed from its first
value and step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.store.bucket_rows import Steps
from streamvis.web import lod

Ints = npt.NDArray[np.int64]
#: A bucket's x as read: its values, or its `Steps` where it rises by a constant step.
Xs = Ints | Steps
#: A level-0 bucket's rows read: x, and y (int64, float64 or float32, as stored).
Bucket = tuple[Xs, npt.NDArray[Any]]
#: Raw rows: for each (chunk sequence, level-0 bucket) asked, the bucket.
RawReader = Callable[[list[tuple[int, int]]], list[Bucket]]


class _JoinedX:
    """The x of the rows of buckets joined in row order, without writing out Steps."""

    def __init__(self, got: list[Bucket], bases: Ints, sizes: Ints) -> None:
        """`bases`, `sizes`: where each bucket's rows begin among the joined, how many."""
        xs = [x for x, _ in got]
        self.bases, self.sizes = bases, sizes
        self.plain = np.fromiter((not isinstance(x, Steps) for x in xs), np.bool_, len(xs))
        self.first = np.fromiter((x.first if isinstance(x, Steps) else 0 for x in xs),
                                 np.int64, len(xs))
        self.step = np.fromiter((x.step if isinstance(x, Steps) else 0 for x in xs),
                                np.int64, len(xs))
        arrays = [x for x in xs if not isinstance(x, Steps)]
        #: The values of the buckets stored as values, joined, and where each begins.
        self.values: Ints = np.concatenate(arrays) if arrays else np.empty(0, np.int64)
        plain_sizes = np.where(self.plain, sizes, 0)
        self.offset = (np.cumsum(plain_sizes) - plain_sizes).astype(np.int64)

    def at(self, rows: Ints, bucket: Ints) -> Ints:
        """x of joined `rows`, each in its `bucket`."""
        local = rows - self.bases[bucket]
        out: Ints = self.first[bucket] + self.step[bucket] * local
        plain = self.plain[bucket]
        if plain.any():
            out[plain] = self.values[self.offset[bucket[plain]] + local[plain]]
        return out

    def cuts(self, bounds: Ints) -> Ints:
        """The joined rows, inside a bucket, where x first reaches one of `bounds`."""
        count = len(self.bases)
        every = np.arange(count, dtype=np.int64)
        firsts = self.at(self.bases, every)
        lasts = self.at(self.bases + self.sizes - 1, every)
        lo = np.searchsorted(bounds, firsts, "right")  # the first bound past its first x
        hi = np.searchsorted(bounds, lasts, "right")  # past the last bound it reaches
        n = hi - lo
        bucket = np.repeat(np.arange(count, dtype=np.int64), n)
        ramp = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        bound = bounds[np.repeat(lo, n) + ramp]
        # first < bound <= last: the step is positive, and the row is 1 .. count - 1.
        step = np.where(self.step[bucket] > 0, self.step[bucket], 1)
        local = -((self.first[bucket] - bound) // step)  # ceil((bound - first) / step)
        plain = self.plain[bucket]
        if plain.any():
            # Sorted throughout (the line is ordered): the first value at or above the
            # bound lies in this bucket, since its first x is below the bound.
            found = np.searchsorted(self.values, bound[plain], "left")
            local[plain] = found - self.offset[bucket[plain]]
        out: Ints = self.bases[bucket] + local
        return out


def cut_segments(got: list[Bucket], firsts: Ints, bounds: Ints) -> dict[str, npt.NDArray[Any]]:
    """Segments of the rows of buckets `got` (in row order, each starting at run row
    `firsts`), one per stretch of a bucket's rows in one pixel column; `bounds` are
    the columns' first x (and the first x past the last column)."""
    sizes = np.fromiter((y.size for _, y in got), np.int64, len(got))
    bases = (np.cumsum(sizes) - sizes).astype(np.int64)
    y = np.concatenate([g[1] for g in got])
    x = _JoinedX(got, bases, sizes)
    starts = np.unique(np.concatenate((bases, x.cuts(bounds))))
    ends = np.r_[starts[1:], y.size].astype(np.int64)
    lows, highs = lod.segment_extremes(y, starts, ends)
    seg: dict[str, npt.NDArray[Any]] = {}
    for kind, at in (("first", starts), ("last", ends - 1), ("min", lows), ("max", highs)):
        bucket = np.searchsorted(bases, at, "right") - 1
        seg |= {f"{kind}_pos": firsts[bucket] + at - bases[bucket],
                f"{kind}_x": x.at(at, bucket), f"{kind}_y": y[at]}
    return seg
