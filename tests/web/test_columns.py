"""The column cache: incremental reads, a byte bound, and runs that change under it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import Store
from streamvis.web.columns import ColumnCache

from .helpers import append_train


def fields(store: Store):
    by_name = {f.name: f for f in store.list_fields()}
    return [by_name["step"], by_name["loss"]]


def setup(store: Store):
    store.create_field("step", FieldType.INT)
    store.create_field("loss", FieldType.FLOAT)
    return store.create_series("train", ["step", "loss"])


def test_reads_only_what_is_new_and_summarizes_chunks(sqlite_store: Store):
    series = setup(sqlite_store)
    run = sqlite_store.create_run()
    append_train(sqlite_store, run.handle, [1, 2, 3], [0.5, np.nan, 0.25])
    cache = ColumnCache(sqlite_store)
    snap = cache.read([run.handle], series, fields(sqlite_store))
    assert snap.columns[run.handle]["step"].values.tolist() == [1, 2, 3]
    assert cache.store_reads == 1
    snap = cache.read([run.handle], series, fields(sqlite_store))
    assert cache.store_reads == 1  # nothing new: no store query at all
    seq = append_train(sqlite_store, run.handle, [0], [9.0])
    snap = cache.read([run.handle], series, fields(sqlite_store))
    assert cache.store_reads == 2 and snap.bound == seq
    step, loss = snap.columns[run.handle]["step"], snap.columns[run.handle]["loss"]
    assert step.values.tolist() == [1, 2, 3, 0]
    assert step.first_row_after(seq - 1) == 3
    whole, newest = step.summary(0), step.summary(1)
    assert not whole.ordered and (whole.low, whole.high) == (0, 3)
    assert newest.ordered and (newest.low, newest.high) == (0, 0)
    assert loss.summary(0).has_nan and not loss.summary(1).has_nan
    assert (loss.summary(0).low, loss.summary(0).high) == (0.25, 9.0)


def test_the_byte_bound_evicts_least_recently_used_runs(sqlite_store: Store):
    series = setup(sqlite_store)
    runs = [sqlite_store.create_run() for _ in range(3)]
    for run in runs:
        append_train(sqlite_store, run.handle, np.arange(10_000))
    cache = ColumnCache(sqlite_store, max_bytes=400_000)  # room for about two runs
    for run in runs:
        snap = cache.read([run.handle], series, fields(sqlite_store))
        assert snap.columns[run.handle]["step"].values.size == 10_000
    assert cache.nbytes <= 400_000
    reads = cache.store_reads
    cache.read([runs[2].handle], series, fields(sqlite_store))  # still cached
    assert cache.store_reads == reads
    cache.read([runs[0].handle], series, fields(sqlite_store))  # evicted: read again
    assert cache.store_reads == reads + 1


def test_strings_are_codes_and_forgotten_runs_are_read_again(sqlite_store: Store):
    sqlite_store.create_field("step", FieldType.INT)
    sqlite_store.create_field("layer", FieldType.STRING)
    series = sqlite_store.create_series("layers", ["step", "layer"])
    run = sqlite_store.create_run()
    sqlite_store.append(run.handle, "layers", {"step": pa.array([1, 2, 3]),
                                               "layer": pa.array(["a", "b", "a"])})
    by_name = {f.name: f for f in sqlite_store.list_fields()}
    cache = ColumnCache(sqlite_store)
    view = cache.read([run.handle], series, [by_name["layer"]]).columns[run.handle]["layer"]
    assert view.values.tolist() == [0, 1, 0] and view.labels == ("a", "b")
    assert view.to_arrow().cast(pa.string()).to_pylist() == ["a", "b", "a"]
    sqlite_store.replace_run(run.handle)
    cache.forget_run(run.handle)
    view = cache.read([run.handle], series, [by_name["layer"]]).columns[run.handle]["layer"]
    assert view.values.size == 0
    assert sqlite_store.list_runs(RunFilter()) != []
