"""A series' x (the field it is drawn against), on both backends: stored, listed, refused
when it cannot be one, a conflict when redeclared otherwise, followed by line summaries
when it is an int field, and empty for a series migrated from before it."""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.errors import AlreadyExistsError, InvalidArgumentError
from streamvis.model.events import Event, SeriesCreated
from streamvis.model.schema import FieldType, RunFilter, Series
from streamvis.store import Store, open_store
from streamvis.store.migrations import migrate

from .helpers import Schema, raw_session, state


@pytest.fixture
def waves(store: Store) -> Store:
    """Fields of the demo's waves: a float time, an int wave number, a float value."""
    store.create_field("t", FieldType.FLOAT)
    store.create_field("wave", FieldType.INT)
    store.create_field("value", FieldType.FLOAT)
    return store


def test_a_series_names_its_x_and_every_listing_carries_it(
    waves: Store, schema: Schema, events: list[Event],
) -> None:
    made = waves.create_series("waves", ["t", "wave", "value"], x="t")
    assert made == Series("waves", ("t", "wave", "value"), "t")
    assert events == [SeriesCreated(made)]
    assert waves.list_series() == [schema.train, made]
    assert schema.train.x is None  # none named: drawn against its first int field
    run = waves.create_run()
    waves.append(run.handle, "waves", {"t": pa.array([0.0, 0.0]), "wave": pa.array([0, 1]),
                                       "value": pa.array([0.5, 0.25])})
    assert waves.list_common_series(RunFilter(handles=(run.handle,))) == [made]
    # A renamed x is still the series' x: the store keeps the field, not its name.
    waves.update_field("t", new_name="time")
    assert [s.x for s in waves.list_series()] == [None, "time"]
    (chunk,) = waves.query(RunFilter(), "waves")
    assert chunk.batch.column_names == ["time", "wave", "value"]


@pytest.mark.usefixtures("schema")
def test_an_x_that_cannot_be_one_is_refused_with_what_to_do(waves: Store) -> None:
    before = state(waves)
    with pytest.raises(InvalidArgumentError, match=r"x 'step' of series 's' is not one of its "
                       r"fields \(t, value\): name one of them"):
        waves.create_series("s", ["t", "value"], x="step")
    with pytest.raises(InvalidArgumentError, match=r"'optimizer' of series 's' is a string "
                       "field: .* name an int or float field"):
        waves.create_series("s", ["step", "optimizer"], x="optimizer")
    with pytest.raises(InvalidArgumentError, match="is a bool field"):
        waves.create_series("s", ["step", "good"], x="good")
    with pytest.raises(InvalidArgumentError, match="must be a field name"):
        waves.create_series("s", ["step", "loss"], x=3)  # type: ignore[arg-type]
    assert state(waves) == before
    assert waves.create_series("s", ["step", "loss"], x="").x is None  # "": none named


@pytest.mark.usefixtures("schema")
def test_redeclaring_a_series_with_another_x_is_a_conflict(waves: Store) -> None:
    waves.create_series("waves", ["t", "wave", "value"], x="t")
    with pytest.raises(AlreadyExistsError, match="same fields: use it"):
        waves.create_series("waves", ["value", "wave", "t"], x="t")
    for x in (None, "wave"):
        with pytest.raises(AlreadyExistsError, match=r"with fields t, wave, value and x 't'"):
            waves.create_series("waves", ["t", "wave", "value"], x=x)
    made = waves.list_series()[-1]
    assert made.is_declared_by(["wave", "t", "value"], "t")
    assert not made.is_declared_by(["wave", "t", "value"])
    assert not made.is_declared_by(["wave", "t", "value"], "wave")
    with pytest.raises(AlreadyExistsError, match=r"with fields step, loss and no x"):
        waves.create_series("train", ["step", "loss"], x="step")


@pytest.mark.usefixtures("schema")
def test_line_summaries_follow_a_named_int_x_and_keep_the_first_int_for_a_float_x(
    waves: Store,
) -> None:
    waves.create_series("by_wave", ["step", "wave", "value"])
    waves.create_series("by_named", ["step", "wave", "value"], x="wave")
    waves.create_series("by_time", ["wave", "t", "value"], x="t")
    run = waves.create_run()
    n = np.arange(20)
    for name in ("by_wave", "by_named"):
        waves.append(run.handle, name, {"step": pa.array(n), "wave": pa.array(n * 2),
                                        "value": pa.array(np.sin(n / 3))})
    waves.append(run.handle, "by_time", {"wave": pa.array(n), "t": pa.array(n / 10),
                                         "value": pa.array(np.cos(n / 3))})
    first = waves.line_summaries(run.handle, "by_wave", "value")
    named = waves.line_summaries(run.handle, "by_named", "value")
    assert first is not None and first.x == "step"
    assert named is not None and named.x == "wave"
    assert named.records["x_last"].tolist() == [38]  # the wave numbers, not the steps
    # step is summarized against the named x like any other number; x itself is not.
    assert waves.line_summaries(run.handle, "by_named", "step") is not None
    assert waves.line_summaries(run.handle, "by_named", "wave") is None
    # A float x: the summaries' x stays the first int field (they hold x as int64).
    timed = waves.line_summaries(run.handle, "by_time", "value")
    assert timed is not None and timed.x == "wave"
    tops = waves.line_tops(run.handle, "by_named", "value")
    assert tops is not None and tops.x == "wave"


@pytest.mark.usefixtures("schema")
def test_summaries_built_on_read_follow_the_named_x(waves: Store, location: str) -> None:
    waves.create_series("by_named", ["step", "wave", "value"], x="wave")
    run = waves.create_run()
    n = np.arange(10)
    waves.append(run.handle, "by_named", {"step": pa.array(n), "wave": pa.array(n + 100),
                                          "value": pa.array(n * 0.5)})
    want = waves.line_summaries(run.handle, "by_named", "value")
    with raw_session(location) as s:  # as chunks stored before summaries
        for table in ("line_groups", "line_heads", "line_buckets", "line_summaries"):
            s.run(f"DELETE FROM {table}")
    got = waves.line_summaries(run.handle, "by_named", "value")
    assert want is not None and got is not None and got.x == "wave"
    assert got.records.tobytes() == want.records.tobytes()
    assert got.records["x_first"].tolist() == [100]


def test_a_series_from_before_x_migrates_with_none(fresh_location: str) -> None:
    with raw_session(fresh_location) as s:
        assert migrate(s, fresh_location, target=13) == 13
        s.begin(write=True)
        fid = s.scalar("INSERT INTO fields (handle, name, type) VALUES (?, 'step', 'int') "
                       "RETURNING id", (uuid.uuid4(),))
        sid = s.scalar("INSERT INTO series (name) VALUES ('old') RETURNING id")
        s.run("INSERT INTO series_fields (series_id, field_id, position) VALUES (?, ?, 0)",
              (sid, fid))
        s.commit()
    with open_store(fresh_location) as store:
        assert store.list_series() == [Series("old", ("step",))]
        store.create_field("t", FieldType.FLOAT)
        assert store.create_series("new", ["step", "t"], x="t").x == "t"
        assert [s.x for s in store.list_series()] == ["t", None]
