"""Summary values of runs' metrics on both stores: rows, last, lowest and highest of
each numeric field over every chunk, NaN skipped by lowest and highest."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from streamvis.model.errors import NotFoundError
from streamvis.model.run_summaries import FieldSummary
from streamvis.model.schema import FieldType, RunFilter
from streamvis.store import Store
from streamvis.store.metric_summaries import summarize

from .helpers import Schema, train_columns


def test_each_run_gets_rows_last_min_max_over_its_chunks(store: Store, schema: Schema):  # noqa: ARG001
    a = store.create_run().handle
    b = store.create_run().handle
    store.create_run()  # no rows: no summary
    store.append(a, "train", train_columns([0, 1, 2], [5.0, 2.0, 3.0]))
    store.append(b, "train", train_columns([0, 1], [9.0, 8.0]))
    store.append(a, "train", train_columns([3, 4], [1.5, 4.0]))
    found = {s.run: s for s in summarize(store, RunFilter())}
    assert set(found) == {a, b}
    assert found[a].series == "train"
    assert found[a].rows == 5
    assert found[a].fields == {"step": FieldSummary(4, 0, 4), "loss": FieldSummary(4.0, 1.5, 5.0)}
    assert found[b].fields["loss"] == FieldSummary(8.0, 8.0, 9.0)
    assert isinstance(found[a].fields["step"].last, int)


def test_nan_is_never_the_best_but_may_be_the_last(store: Store, schema: Schema):  # noqa: ARG001
    a = store.create_run().handle
    b = store.create_run().handle
    store.append(a, "train", train_columns([0, 1, 2], [math.nan, 2.0, math.nan]))
    store.append(b, "train", train_columns([0], [math.nan]))
    found = {s.run: s.fields["loss"] for s in summarize(store, RunFilter())}
    assert (found[a].min, found[a].max) == (2.0, 2.0)
    last = found[a].last
    assert isinstance(last, float) and math.isnan(last)
    assert (found[b].min, found[b].max) == (None, None)


def test_series_fields_and_filter_narrow_it(store: Store, schema: Schema):  # noqa: ARG001
    name = store.create_field("name", FieldType.STRING)
    store.create_series("notes", ["step", name.name])
    a = store.create_run(tags=["keep"]).handle
    b = store.create_run().handle
    for run in (a, b):
        store.append(run, "train", train_columns([0, 1]))
    store.append(a, "notes", {"step": pa.array([7], pa.int64()), "name": pa.array(["x"])})
    only = list(summarize(store, RunFilter(tags_any=("keep",)), ["train"], ["loss"]))
    assert [(s.run, s.series, list(s.fields)) for s in only] == [(a, "train", ["loss"])]
    # A string field is not summarized; its series still counts its rows.
    notes = list(summarize(store, RunFilter(), ["notes"]))
    assert [(s.run, s.rows, list(s.fields)) for s in notes] == [(a, 1, ["step"])]


def test_an_unknown_series_is_named(store: Store, schema: Schema):  # noqa: ARG001
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        list(summarize(store, RunFilter(), ["nope"]))
