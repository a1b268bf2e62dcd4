"""run_columns.py: runs built from each write's value and row count are the runs
`wire_columns.runs_of` finds in the broadcast column, or the plain column where it
finds none worth sending."""

from __future__ import annotations

import numpy as np
import pytest

from streamvis import wire_columns
from streamvis.logger.run_columns import Runs, runs_from_writes


def _broadcast(values: list[int], counts: list[int]) -> np.ndarray:
    return np.repeat(np.array(values, dtype=np.int64), counts)


@pytest.mark.parametrize(("values", "counts"), [
    ([3, 4, 5], [10_000, 10_000, 10_000]),  # a step per write of a cloud
    ([7, 7, 8, 8, 8, 9], [50] * 6),  # the same step in neighbouring writes: one run
    ([1, 2, 3], [0, 40, 0]),  # writes of no rows make no run
    ([1, 2], [3, 4]),  # too few rows for runs to pay
    (list(range(20)), [1] * 20),  # a counting column: plain
    (list(range(10)), [2] * 10),  # a run a row pair: more runs than pay
    ([5, 6, 7], [1, 30, 1]),  # one row at each end: plain, as runs_of decides
    ([5, 6, 7], [1, 30, 2]),
    ([], []),
])
def test_runs_from_writes_match_runs_of_the_broadcast(
    values: list[int], counts: list[int],
) -> None:
    dense = _broadcast(values, counts)
    built = runs_from_writes(np.array(values), np.array(counts))
    found = wire_columns.runs_of(dense) if len(dense) else None
    if found is None:
        assert isinstance(built, np.ndarray)
        assert built.dtype == np.int64
        np.testing.assert_array_equal(built, dense)
        return
    assert isinstance(built, Runs)
    np.testing.assert_array_equal(built.values, found[0])
    np.testing.assert_array_equal(built.ends, found[1])
    np.testing.assert_array_equal(built.dense(), dense)
    assert len(built) == len(dense)
    assert built.nbytes == 12 * len(found[0])


@pytest.mark.parametrize(("start", "stop"), [(0, 250), (0, 100), (100, 200), (99, 101),
                                             (37, 38), (200, 250), (250, 250)])
def test_a_slice_of_runs_is_those_rows(start: int, stop: int) -> None:
    runs = runs_from_writes(np.array([1, 2, 3, 4, 5]), np.array([50] * 5))
    assert isinstance(runs, Runs)
    part = runs[start:stop]
    np.testing.assert_array_equal(part.dense(), runs.dense()[start:stop])
    assert len(part) == stop - start
