"""A writer killed with SIGKILL mid-stream loses nothing it reported as committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import open_store

from .helpers import raw_session

# Prints "<i> <sequence> <rows>" after each append has committed.
CHILD = """
import sys, uuid
import numpy as np, pyarrow as pa
from streamvis.store import open_store

store = open_store(sys.argv[1])
run = uuid.UUID(sys.argv[2])
i = 0
while True:
    rows = 20_000 + i
    steps = np.arange(rows, dtype=np.int64) + i
    columns = {"step": pa.array(steps), "loss": pa.array(steps * 0.5)}
    result = store.append(run, "train", columns, idempotency_key=f"k{i}")
    print(i, result.sequence, rows, flush=True)
    i += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_killed_writer_keeps_every_reported_append(fresh_location: str) -> None:
    with open_store(fresh_location) as store:
        store.create_field("step", FieldType.INT)
        store.create_field("loss", FieldType.FLOAT)
        store.create_series("train", ["step", "loss"])
        run = store.create_run().handle

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, fresh_location, str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reported: list[tuple[int, int, int]] = []
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        while len(reported) < 12 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            i, seq, rows = map(int, line.split())
            reported.append((i, seq, rows))
        # Somewhere inside the next append, most likely.
        time.sleep(random.Random(1).uniform(0.0, 0.02))
        os.kill(child.pid, signal.SIGKILL)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    reported += [tuple(map(int, line.split())) for line in out.splitlines()]  # type: ignore[misc]
    assert len(reported) >= 12, err
    assert child.returncode == -signal.SIGKILL

    with open_store(fresh_location) as store:
        chunks = {c.sequence: c for c in store.query(RunFilter(), "train")}
        infos = store.chunks_after(0)
        assert [c.sequence for c in infos] == sorted(chunks)
        for i, seq, rows in reported:
            chunk = chunks[seq]
            assert chunk.batch.num_rows == rows
            assert chunk.batch.column(0)[0].as_py() == i
            again = store.append(run, "train", {}, idempotency_key=f"k{i}")
            assert (again.sequence, again.rows, again.duplicate) == (seq, rows, True)
        # At most the one append that committed before its line was printed is extra,
        # and every stored chunk is whole.
        assert len(reported) <= len(chunks) <= len(reported) + 1
        for info in infos:
            batch = chunks[info.sequence].batch
            assert batch.num_rows == info.rows
            first = batch.column(0)[0].as_py()
            assert batch.column(0).to_pylist() == list(range(first, first + info.rows))
    with raw_session(fresh_location) as s:
        assert s.scalar("SELECT COUNT(*) FROM chunks") == len(infos)
        assert s.scalar("SELECT COUNT(*) FROM append_keys") == len(infos)
