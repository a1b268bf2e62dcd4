"""Wall-clock time from the logger to `fetch`, against a real server on both stores."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from streamvis import DataLogger
from streamvis.client import Client
from streamvis.query import Connection
from streamvis.testing import ServerProcess


def test_fetch_returns_each_rows_time_and_time_since_start(
    server: ServerProcess, client: Client, sv: Connection, tmp_path: Path
) -> None:
    client.create_field("step", "int")
    client.create_field("loss", "float")
    client.create_series("clocked", ["step", "loss"])
    before = time.time()
    with DataLogger(uri=server.uri, spool_dir=tmp_path / "spool", flush_every=0.05) as logger:
        for step in range(20):
            logger.write("clocked", step=step, loss=1.0 / (step + 1))
            time.sleep(0.01)
        # An array write: its rows share the write's time.
        logger.write("clocked", step=20, loss=np.zeros(5))
    after = time.time()
    run = sv.runs()[0]
    table = sv.fetch("clocked", fields=["step", "_time", "_elapsed"], runs=[run])
    assert table.column_names == ["run", "step", "_time", "_elapsed"]
    times = table.column("_time").to_numpy()
    assert table.column("step").to_pylist() == [*range(20), *[20] * 5]
    assert len(set(times[20:])) == 1
    assert np.all(np.diff(times) >= 0)  # monotone, as written
    assert times[19] - times[0] >= 0.19  # 19 sleeps of 10 ms between them
    assert before <= times[0] and times[-1] <= after
    elapsed = table.column("_elapsed").to_numpy()
    np.testing.assert_allclose(elapsed, times - run.started_at)
    # Time is not a declared field: a plain fetch has the series' own fields.
    assert "_time" not in sv.fetch("clocked", runs=[run]).column_names
