"""Int columns built as runs from the writes: a value given once for a write's rows.

A step given once per write of 10,000 points travels as one run per write
(wire_columns.runs_to_pb), and so does each write's time. Building those runs from the
writes' own values and row counts costs a few operations per write; broadcasting each
value to its rows (8 bytes a row), concatenating, and finding the runs again
(wire_columns.runs_of) cost a copy and two passes over every row, which was a third of
the flusher's time on a point cloud (decision 0049). The runs are the same as
`runs_of` finds in the broadcast column, and where `runs_of` would pack the column
plainly, so does `runs_from_writes`: what goes on the wire does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from streamvis.wire_columns import runs_pay

_INT64 = np.dtype(np.int64)


@dataclass(frozen=True, slots=True)
class Runs:
    """An int column as runs: `values[i]` on the rows before `ends[i]` (ascending)."""

    values: np.ndarray[Any, np.dtype[np.int64]]
    ends: np.ndarray[Any, np.dtype[np.int64]]

    @property
    def rows(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    @property
    def nbytes(self) -> int:
        """Bytes on the wire: an int64 value and an int32 end a run."""
        return 12 * len(self.values)

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, rows: slice) -> Runs:
        """Rows [start, stop) as runs (what `_split` takes of a column)."""
        start, stop, _ = rows.indices(self.rows)
        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.ends, stop, side="left"))
        ends = np.minimum(self.ends[first:last + 1], stop) - start
        return Runs(self.values[first:last + 1], ends)

    def dense(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """One value a row."""
        return np.repeat(self.values, np.diff(self.ends, prepend=0))


def runs_from_writes(
    values: np.ndarray[Any, Any], counts: np.ndarray[Any, Any],
) -> Runs | np.ndarray[Any, np.dtype[np.int64]]:
    """Each of `values` (int64) repeated `counts` times, as Runs where runs pay (the
    rule `wire_columns.runs_of` keeps), else as one value a row."""
    values = np.asarray(values, dtype=_INT64)
    counts = np.asarray(counts, dtype=_INT64)
    if len(values) and not counts.all():  # a write of no rows makes no run
        keep = counts > 0
        values, counts = values[keep], counts[keep]
    if len(values) > 1:  # equal neighbours are one run, as runs_of finds them
        starts = np.flatnonzero(values[1:] != values[:-1]) + 1
        if len(starts) + 1 < len(values):
            bounds = np.append(starts, len(values))
            ends = np.cumsum(counts)[bounds - 1]
            return _runs_or_dense(Runs(values[np.append(0, starts)], ends))
    return _runs_or_dense(Runs(values, np.cumsum(counts)))


def _runs_or_dense(runs: Runs) -> Runs | np.ndarray[Any, np.dtype[np.int64]]:
    ends = runs.ends
    n = runs.rows
    first_single = len(ends) > 0 and ends[0] == 1
    last_single = len(ends) > 1 and ends[-1] - ends[-2] == 1
    if runs_pay(len(ends), n, single_at_both_ends=first_single and last_single):
        return runs
    return runs.dense()
