"""Line summaries written with their chunk, read back, built for old chunks, deleted."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.store import Store

from .helpers import raw_session


@pytest.mark.usefixtures("schema")
def test_each_append_writes_its_summaries(store: Store, location: str) -> None:
    run = store.create_run()
    store.append(run.handle, "train", {"step": pa.array([1, 2, 3]), "loss": pa.array([3.0, 1, 2])})
    store.append(run.handle, "train", {"step": pa.array([9, 8]), "loss": pa.array([0.0, 5])})
    got = store.line_summaries(run.handle, "train", "loss")
    assert got is not None and got.x == "step"
    assert got.sequences.size == 2 and got.rows.tolist() == [3, 2]
    assert got.counts.tolist() == [1, 0]  # the second chunk's x goes back: no summary
    assert got.records["min_pos"].tolist() == [1]
    after = store.line_summaries(run.handle, "train", "loss", int(got.sequences[0]))
    assert after is not None and after.counts.tolist() == [0]
    assert store.line_summaries(run.handle, "train", "step") is None  # x itself
    with raw_session(location) as s:
        assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 2


@pytest.mark.usefixtures("schema")
def test_read_chunks_decodes_only_those_asked(store: Store) -> None:
    run = store.create_run()
    seqs = [store.append(run.handle, "train", {"step": pa.array([i]), "loss": pa.array([i / 2])})
            .sequence for i in range(3)]
    got = store.read_chunks(run.handle, "train", [seqs[2], seqs[0], 10**9], ["loss"])
    assert sorted(got) == [seqs[0], seqs[2]]
    assert got[seqs[2]].to_pydict() == {"loss": [1.0]}
    with pytest.raises(InvalidArgumentError, match="no field 'nope'"):
        store.read_chunks(run.handle, "train", seqs, ["nope"])


@pytest.mark.usefixtures("schema")
def test_deleting_a_run_deletes_its_summaries(store: Store, location: str) -> None:
    run = store.create_run()
    store.append(run.handle, "train", {"step": pa.array(np.arange(5)), "loss": pa.array(
        np.ones(5))})
    store.replace_run(run.handle)
    store.delete_run(run.handle)
    with raw_session(location) as s:
        assert s.scalar("SELECT COUNT(*) FROM line_summaries") == 0
    with pytest.raises(NotFoundError):
        store.line_summaries(run.handle, "train", "loss")
