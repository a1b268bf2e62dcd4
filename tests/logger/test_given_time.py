"""A write's own wall-clock time, `_time=` (what the importers give): one for the write,
or one per row; refused when it is not seconds since the epoch."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import streamvis
from streamvis import DataLogger
from streamvis.model.errors import InvalidArgumentError


def test_a_write_may_give_its_own_time(uri: str, spool: Path) -> None:
    t0 = 1_500_000_000.0
    before = time.time()
    with DataLogger(uri, spool_dir=spool, strict=True, capture=False,
                    started_at=t0 - 5) as logger:
        logger.write("train", step=0, loss=1.0, _time=t0)  # scalars, one time
        logger.write("train", step=np.arange(1, 4), loss=np.ones(3),
                     _time=t0 + np.array([1.0, 2.0, 3.0]))  # a time per row
        logger.write("train", step=np.arange(4, 6), loss=np.ones(2), _time=t0 + 9)  # broadcast
        logger.write("train", step=6, loss=1.0)  # none given: when write is called
        with pytest.raises(InvalidArgumentError, match="not finite"):
            logger.write("train", step=7, loss=1.0, _time=float("nan"))
        with pytest.raises(InvalidArgumentError, match="broadcasts to the write's shape"):
            logger.write("train", step=np.arange(2), loss=np.ones(2), _time=[1.0, 2.0, 3.0])
        with pytest.raises(InvalidArgumentError, match="not seconds since the epoch"):
            logger.write("train", step=8, loss=1.0, _time="yesterday")
    with streamvis.connect(uri) as sv:
        got = sv.fetch("train", ["step", "_time", "_elapsed"], runs=[logger.run_handle])
    times = got.column("_time").to_pylist()
    assert got.column("step").to_pylist() == list(range(7))
    assert times[:6] == pytest.approx([t0, t0 + 1, t0 + 2, t0 + 3, t0 + 9, t0 + 9], abs=1e-5)
    assert before <= times[6] <= time.time()
    assert got.column("_elapsed").to_pylist()[0] == pytest.approx(5.0, abs=1e-5)
