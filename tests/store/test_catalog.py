"""Fields and series, on both backends."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pytest

from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.events import Event, FieldChanged, SeriesCreated, SeriesDeleted
from streamvis.model.limits import MAX_FIELDS_PER_CREATE
from streamvis.model.schema import FieldType, NewField, RunFilter, Series
from streamvis.store import Store

from .helpers import Schema, state, train_columns

BAD_NAMES = ["", " x", "x ", "a\nb", "a\x00b", "x" * 129]


def test_create_and_list_fields(store: Store, events: list[Event]) -> None:
    b = store.create_field("b", FieldType.FLOAT, "second")
    a = store.create_field("a", FieldType.INT)
    assert store.list_fields() == [a, b]
    assert (b.name, b.type, b.description) == ("b", FieldType.FLOAT, "second")
    assert isinstance(b.handle, uuid.UUID) and a.handle != b.handle
    assert events == [FieldChanged(b), FieldChanged(a)]


def test_field_names_compare_by_code_point(store: Store) -> None:
    for name in ["b", "B", "a", "é", "Z"]:
        store.create_field(name, FieldType.INT)
    assert [f.name for f in store.list_fields()] == ["B", "Z", "a", "b", "é"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_create_field_refuses_bad_names(store: Store, name: str) -> None:
    with pytest.raises(InvalidArgumentError, match="field name"):
        store.create_field(name, FieldType.INT)
    assert store.list_fields() == []


def test_create_field_refuses_unknown_type(store: Store) -> None:
    with pytest.raises(InvalidArgumentError, match="unknown field type"):
        store.create_field("x", "complex")  # type: ignore[arg-type]
    assert store.list_fields() == []


def test_create_field_twice_says_whether_types_agree(store: Store, events: list[Event]) -> None:
    store.create_field("x", FieldType.INT)
    before = state(store)
    with pytest.raises(AlreadyExistsError, match="same type int"):
        store.create_field("x", FieldType.INT)
    with pytest.raises(AlreadyExistsError, match="with type int, not float"):
        store.create_field("x", FieldType.FLOAT)
    assert state(store) == before
    assert len(events) == 1


def test_update_field_by_name_and_handle(store: Store, schema: Schema, events: list[Event]) -> None:
    renamed = store.update_field("loss", new_name="train_loss")
    assert (renamed.handle, renamed.name, renamed.type) == (
        schema.loss.handle,
        "train_loss",
        FieldType.FLOAT,
    )
    described = store.update_field(schema.loss.handle, description="cross entropy")
    assert described.name == "train_loss" and described.description == "cross entropy"
    assert events == [FieldChanged(renamed), FieldChanged(described)]
    # Series refer to fields, not names.
    assert store.list_series() == [Series("train", ("step", "train_loss"))]
    # Nothing to change: no event.
    assert store.update_field("train_loss", new_name="train_loss") == described
    assert len(events) == 2


@pytest.mark.usefixtures("schema")
def test_update_field_refusals(store: Store) -> None:
    before = state(store)
    with pytest.raises(AlreadyExistsError, match="'loss' to 'step'"):
        store.update_field("loss", new_name="step")
    with pytest.raises(NotFoundError, match="no field named 'nope'"):
        store.update_field("nope", description="x")
    with pytest.raises(NotFoundError, match="no field with handle"):
        store.update_field(uuid.uuid4(), description="x")
    with pytest.raises(InvalidArgumentError, match="field name"):
        store.update_field("loss", new_name=" loss")
    with pytest.raises(InvalidArgumentError, match="description must be a string"):
        store.update_field("loss", description=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="by name"):
        store.update_field(3, description="x")  # type: ignore[arg-type]
    assert state(store) == before


def test_create_and_list_series(store: Store, schema: Schema, events: list[Event]) -> None:
    evals = store.create_series("eval", ["seed", "step", "good"])
    assert evals == Series("eval", ("seed", "step", "good"))
    assert store.list_series() == [evals, schema.train]
    assert events == [SeriesCreated(evals)]


@pytest.mark.usefixtures("schema")
def test_create_series_refusals(store: Store, events: list[Event]) -> None:
    before = state(store)
    with pytest.raises(AlreadyExistsError, match="same fields"):
        store.create_series("train", ["step", "loss"])
    # The same fields in another order are the same series, as `apply` agrees.
    with pytest.raises(AlreadyExistsError, match="same fields"):
        store.create_series("train", ["loss", "step"])
    with pytest.raises(AlreadyExistsError, match="with fields step, loss"):
        store.create_series("train", ["step"])
    with pytest.raises(NotFoundError, match="'nope'"):
        store.create_series("s", ["step", "nope"])
    with pytest.raises(InvalidArgumentError, match="'step' given more than once"):
        store.create_series("s", ["step", "loss", "step"])
    with pytest.raises(InvalidArgumentError, match="no fields"):
        store.create_series("s", [])
    with pytest.raises(InvalidArgumentError, match="list of field names"):
        store.create_series("s", "step")
    for name in BAD_NAMES:
        with pytest.raises(InvalidArgumentError, match="series name"):
            store.create_series(name, ["step"])
    assert state(store) == before
    assert events == []


@pytest.mark.usefixtures("schema")
def test_delete_empty_series(store: Store, events: list[Event]) -> None:
    store.delete_empty_series("train")
    assert store.list_series() == []
    assert events == [SeriesDeleted("train")]
    # The name is free again, for other fields.
    assert store.create_series("train", ["loss"]) == Series("train", ("loss",))


@pytest.mark.usefixtures("schema")
def test_delete_series_with_data_is_refused(store: Store) -> None:
    run = store.create_run()
    store.append(run.handle, "train", train_columns([1]))
    before = state(store)
    with pytest.raises(FailedPreconditionError, match="has data in 1 run"):
        store.delete_empty_series("train")
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        store.delete_empty_series("nope")
    assert state(store) == before
    store.delete_run(run.handle)
    store.delete_empty_series("train")
    assert store.list_series() == []


def test_list_common_series(store: Store, schema: Schema) -> None:
    evals = store.create_series("eval", ["step", "seed"])
    store.create_series("unused", ["good"])
    a = store.create_run(tags=["a"])
    b = store.create_run(tags=["b"])
    store.create_run(tags=["c"])  # no data at all
    for run in (a, b):
        store.append(run.handle, "train", train_columns([1, 2]))
    store.append(
        a.handle, "eval", {"step": train_columns([1])["step"], "seed": train_columns([7])["step"]}
    )
    assert store.list_common_series(RunFilter(tags_any=("a", "b"))) == [schema.train]
    assert store.list_common_series(RunFilter(tags_all=("a",))) == [evals, schema.train]
    assert store.list_common_series(RunFilter()) == []  # run c has nothing
    assert store.list_common_series(RunFilter(tags_all=("nope",))) == []


def test_series_row_counts(store: Store, schema: Schema) -> None:
    store.create_series("eval", ["step", "seed"])
    a = store.create_run(tags=["a"])
    b = store.create_run(tags=["b"])
    store.append(a.handle, "train", train_columns([1, 2]))
    store.append(a.handle, "train", train_columns([3, 4, 5]))
    store.append(b.handle, "train", train_columns([1]))
    store.append(
        a.handle, "eval", {"step": train_columns([1])["step"], "seed": train_columns([7])["step"]}
    )
    assert store.series_row_counts(a.handle) == {"eval": 1, schema.train.name: 5}
    assert store.series_row_counts(store.create_run().handle) == {}
    with pytest.raises(NotFoundError, match="no run"):
        store.series_row_counts(uuid.uuid4())


@pytest.mark.usefixtures("schema")
def test_run_row_counts_sum_each_runs_rows_in_one_query(store: Store) -> None:
    a, b, c = (store.create_run().handle for _ in range(3))
    store.append(a, "train", train_columns([0, 1, 2]))
    store.append(a, "train", train_columns([3]))
    store.append(b, "train", train_columns([0]))
    store.create_series("other", ["step"])
    store.append(b, "other", {"step": pa.array(range(5), pa.int64())})
    assert store.run_row_counts([a, b, c]) == {a: 4, b: 6}
    assert store.run_row_counts([a, b], skip_series=["other"]) == {a: 4, b: 1}
    assert store.run_row_counts([]) == {}


def test_create_fields_makes_a_batch_in_one_go(store: Store, events: list[Event]) -> None:
    made = store.create_fields([
        NewField("b", FieldType.FLOAT, "second"),
        NewField("a", "int"),
        NewField("caption", "string", options={"format": "markdown"}),
    ])
    assert [(f.name, f.type, f.description) for f in made] == [
        ("b", FieldType.FLOAT, "second"), ("a", FieldType.INT, ""),
        ("caption", FieldType.STRING, ""),
    ]
    assert made[2].options.format == "markdown"
    assert store.list_fields() == sorted(made, key=lambda f: f.name)
    assert events == [FieldChanged(f) for f in made]
    assert store.create_fields([]) == []


@pytest.mark.parametrize(("batch", "error", "match"), [
    ([NewField("fresh", "int"), NewField("x", "float")], AlreadyExistsError,
     "'x' exists already with type int, not float"),
    ([NewField("fresh", "int"), NewField("fresh", "int")], InvalidArgumentError,
     "'fresh' is given more than once"),
    ([NewField("fresh", "int"), NewField("bad name ", "int")], InvalidArgumentError,
     "field name"),
    ([NewField("fresh", "int"), NewField("y", "complex")], InvalidArgumentError,
     "unknown field type"),
    ([NewField("fresh", "int"), NewField("y", "int", options={"format": "svg"})],
     InvalidArgumentError, "format"),
    ([NewField("fresh", "int"), "y"], InvalidArgumentError, r"fields\[1\] must be a NewField"),
    ([NewField(f"f{i}", "int") for i in range(MAX_FIELDS_PER_CREATE + 1)],
     ResourceExhaustedError, "MAX_FIELDS_PER_CREATE"),
])
def test_a_bad_field_batch_creates_nothing(
    store: Store, events: list[Event], batch: list[NewField], error: type[Exception], match: str,
) -> None:
    store.create_field("x", FieldType.INT)
    before = state(store)
    with pytest.raises(error, match=match):
        store.create_fields(batch)
    assert state(store) == before
    assert len(events) == 1
