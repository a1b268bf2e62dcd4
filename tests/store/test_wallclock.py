"""Wall-clock time beside the rows (model/wallclock.py), on both backends."""

from __future__ import annotations

import time
import uuid

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import RunFilter
from streamvis.model.types import FieldType
from streamvis.model.wallclock import ELAPSED_FIELD, TIME_FIELD, time_column
from streamvis.store import Store
from streamvis.store import chunks as chunks_module
from streamvis.store.filters import FieldRow

from .helpers import state, train_columns


@pytest.mark.usefixtures("schema")
def test_given_times_round_trip_and_elapsed_counts_from_the_start(store: Store) -> None:
    run = store.create_run(started_at=1000.0)
    times = pa.array([1001.5, 1002.0, 1003.25])
    store.append(run.handle, "train", {**train_columns([1, 2, 3]), "_time": times})
    (chunk,) = store.query(RunFilter(), "train", ["step", "_time", "_elapsed"])
    assert chunk.batch.to_pydict() == {
        "step": [1, 2, 3], "_time": [1001.5, 1002.0, 1003.25], "_elapsed": [1.5, 2.0, 3.25]}
    # Not a declared field: a plain query returns the series' own fields only.
    (chunk,) = store.query(RunFilter(), "train")
    assert chunk.batch.schema.names == ["step", "loss"]


@pytest.mark.usefixtures("schema")
def test_an_append_without_times_is_stamped_when_stored(store: Store) -> None:
    run = store.create_run()
    before = time.time()
    store.append(run.handle, "train", train_columns([1, 2]))
    after = time.time()
    (chunk,) = store.query(RunFilter(), "train", ["_time"])
    stamped = chunk.batch.column("_time").to_pylist()
    assert stamped[0] == stamped[1]
    assert before <= stamped[0] <= after


@pytest.mark.usefixtures("schema")
@pytest.mark.parametrize("bad", [
    pa.array([1.0]),  # one time for two rows
    pa.array([1.0, float("nan")]),
    pa.array([1.0, None], pa.float64()),
    pa.array(["a", "b"]),
])
def test_bad_times_are_refused_and_change_nothing(store: Store, bad: pa.Array) -> None:
    run = store.create_run()
    before = state(store)
    with pytest.raises(InvalidArgumentError, match="_time"):
        store.append(run.handle, "train", {**train_columns([1, 2]), "_time": bad})
    assert state(store) == before


@pytest.mark.usefixtures("schema")
def test_times_sent_as_runs_are_stored_as_runs_and_read_per_row(store: Store) -> None:
    micros = pa.array([1_700_000_000_000_000, 1_700_000_001_500_000], pa.int64())
    runs = pa.RunEndEncodedArray.from_arrays(pa.array([2, 5], pa.int32()), micros)
    kept = time_column(runs, 5, 0.0)
    assert pa.types.is_run_end_encoded(kept.type)  # one time per write, not per row
    run = store.create_run()
    store.append(run.handle, "train", {**train_columns([1, 2, 3, 4, 5]), "_time": runs})
    (chunk,) = store.query(RunFilter(), "train", ["_time"])
    assert chunk.batch.column("_time").to_pylist() == [1_700_000_000.0] * 2 + [
        1_700_000_001.5] * 3


def test_runs_of_the_wrong_length_are_refused() -> None:
    runs = pa.RunEndEncodedArray.from_arrays(pa.array([2], pa.int32()), pa.array([1], pa.int64()))
    with pytest.raises(InvalidArgumentError, match="2 values for 3 rows"):
        time_column(runs, 3, 0.0)


def test_a_chunk_stored_before_times_were_kept_reads_nan() -> None:
    old = chunks_module.encode_chunk(
        pa.RecordBatch.from_arrays([pa.array([1, 2], pa.int64())], names=["x"]),
        [uuid.UUID(int=1)])

    batch = chunks_module.decode_chunk(
        old, [FieldRow(-1, TIME_FIELD), FieldRow(-1, ELAPSED_FIELD)], 1, started_at=5.0)
    assert np.isnan(batch.column("_time").to_numpy()).all()
    assert np.isnan(batch.column("_elapsed").to_numpy()).all()


@pytest.mark.parametrize("name", ["_time", "_elapsed"])
def test_the_pseudo_field_names_are_reserved(store: Store, name: str) -> None:
    with pytest.raises(InvalidArgumentError, match="reserved"):
        store.create_field(name, FieldType.FLOAT)
    store.create_field("t", FieldType.FLOAT)
    with pytest.raises(InvalidArgumentError, match="reserved"):
        store.update_field("t", new_name=name)
    assert [f.name for f in store.list_fields()] == ["t"]
