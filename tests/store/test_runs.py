"""Runs, tags, attributes and run search, on both backends."""

from __future__ import annotations

import math
import time
import uuid

import pytest

from streamvis.model.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from streamvis.model.events import (
    AttributesChanged,
    Event,
    RowsAppended,
    RunCreated,
    RunDeleted,
    RunReplaced,
    TagsChanged,
)
from streamvis.model.schema import AttributeCondition, RunFilter
from streamvis.store import Store

from .helpers import Schema, state, train_columns


@pytest.mark.usefixtures("schema")
def test_create_and_get_run(store: Store, events: list[Event]) -> None:
    before = time.time()
    run = store.create_run(tags=["b", "a", "b"], attributes={"lr": 1, "optimizer": "adam"})
    assert before <= run.started_at <= time.time()
    assert run.tags == ("a", "b")
    assert run.attributes == {"lr": 1.0, "optimizer": "adam"}
    assert isinstance(run.attributes["lr"], float)  # an int is widened for a float field
    assert store.get_run(run.handle) == run
    assert events == [RunCreated(run)]


@pytest.mark.usefixtures("schema")
def test_create_run_with_handle_and_time(store: Store) -> None:
    handle = uuid.uuid4()
    run = store.create_run(handle, started_at=1000.5, attributes={"good": False, "seed": -(2**63)})
    assert (run.handle, run.started_at) == (handle, 1000.5)
    assert store.get_run(handle).attributes == {"good": False, "seed": -(2**63)}
    with pytest.raises(AlreadyExistsError, match=f"run {handle} exists already"):
        store.create_run(handle)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tags": ["ok", " bad"]}, InvalidArgumentError, "tag name"),
        ({"tags": [""]}, InvalidArgumentError, "tag name is empty"),
        ({"tags": "a"}, InvalidArgumentError, "tags must be a list"),
        ({"attributes": {"nope": 1}}, NotFoundError, "attribute 'nope' names no field"),
        ({"attributes": {"seed": 1.5}}, InvalidArgumentError, "does not fit field 'seed'"),
        ({"attributes": {"seed": True}}, InvalidArgumentError, "does not fit field 'seed'"),
        ({"attributes": {"seed": 2**63}}, InvalidArgumentError, "does not fit in 64 bits"),
        ({"attributes": {"good": 1}}, InvalidArgumentError, "does not fit field 'good'"),
        ({"attributes": {"optimizer": 3}}, InvalidArgumentError, "of type string"),
        ({"attributes": ["lr"]}, InvalidArgumentError, "mapping"),
        ({"started_at": math.nan}, InvalidArgumentError, "started_at"),
        ({"started_at": "now"}, InvalidArgumentError, "started_at"),
        ({"handle": "not-a-uuid"}, InvalidArgumentError, "not a UUID"),
    ],
)
@pytest.mark.usefixtures("schema")
def test_create_run_refusals(
    store: Store,
    events: list[Event],
    kwargs: dict[str, object],
    error: type[Exception],
    match: str,
) -> None:
    before = state(store)
    with pytest.raises(error, match=match):
        store.create_run(**kwargs)  # type: ignore[arg-type]
    assert state(store) == before
    assert events == []


@pytest.mark.usefixtures("schema")
def test_unknown_run(store: Store) -> None:
    handle = uuid.uuid4()
    for call in (
        lambda: store.get_run(handle),
        lambda: store.delete_run(handle),
        lambda: store.add_run_tag(handle, "x"),
        lambda: store.delete_run_tag(handle, "x"),
        lambda: store.set_run_attributes(handle, {"lr": 1.0}),
    ):
        with pytest.raises(NotFoundError, match=f"no run with handle {handle}"):
            call()


@pytest.mark.usefixtures("schema")
def test_tags_are_idempotent(store: Store, events: list[Event]) -> None:
    run = store.create_run(tags=["a"])
    tagged = store.add_run_tag(run.handle, "b")
    assert tagged.tags == ("a", "b")
    assert store.add_run_tag(run.handle, "b") == tagged
    untagged = store.delete_run_tag(run.handle, "a")
    assert untagged.tags == ("b",)
    assert store.delete_run_tag(run.handle, "a") == untagged
    assert events[1:] == [TagsChanged(tagged), TagsChanged(untagged)]
    with pytest.raises(InvalidArgumentError, match="tag name"):
        store.add_run_tag(run.handle, "a\tb")
    assert store.get_run(run.handle) == untagged


@pytest.mark.usefixtures("schema")
def test_set_run_attributes(store: Store, events: list[Event]) -> None:
    run = store.create_run(attributes={"lr": 0.1, "seed": 1})
    changed = store.set_run_attributes(run.handle, {"lr": 0.2, "optimizer": "sgd"})
    assert changed.attributes == {"lr": 0.2, "optimizer": "sgd", "seed": 1}
    assert events[1:] == [AttributesChanged(changed)]
    before = state(store)
    with pytest.raises(InvalidArgumentError, match="'lr'"):
        store.set_run_attributes(run.handle, {"seed": 2, "lr": "fast"})
    with pytest.raises(NotFoundError, match="'nope'"):
        store.set_run_attributes(run.handle, {"seed": 2, "nope": 1})
    assert state(store) == before
    assert len(events) == 2


@pytest.mark.usefixtures("schema")
def test_set_run_attributes_keeping_existing_ones(store: Store) -> None:
    """What a read-only server does: attributes are added, never changed."""
    run = store.create_run(attributes={"lr": 0.1, "seed": 1})
    nan_run = store.create_run(attributes={"lr": math.nan})
    before = state(store)
    with pytest.raises(AlreadyExistsError, match=r"'lr' = 0\.1 already, not 0\.2"):
        store.set_run_attributes(run.handle, {"optimizer": "sgd", "lr": 0.2},
                                 keep_existing=True)
    assert state(store) == before
    kept = store.set_run_attributes(run.handle, {"lr": 0.1, "optimizer": "sgd"},
                                    keep_existing=True)
    assert kept.attributes == {"lr": 0.1, "optimizer": "sgd", "seed": 1}
    store.set_run_attributes(nan_run.handle, {"lr": math.nan}, keep_existing=True)


@pytest.mark.usefixtures("schema")
def test_special_float_attributes(store: Store) -> None:
    runs = {
        v: store.create_run(attributes={"lr": v}).handle
        for v in (math.inf, -math.inf, -0.0, 1e-300)
    }
    nan_run = store.create_run(attributes={"lr": math.nan})
    for value, handle in runs.items():
        assert store.get_run(handle).attributes["lr"] == value
    assert math.isnan(float(store.get_run(nan_run.handle).attributes["lr"]))
    # NaN matches no comparison; infinities compare as numbers.
    big = RunFilter(attributes=(AttributeCondition("lr", min=1.0),))
    assert [r.handle for r in store.list_runs(big)] == [runs[math.inf]]
    values = store.list_attribute_values(RunFilter(), ["lr"])["lr"]
    assert [v for v, _ in values[:-1]] == [-math.inf, 0.0, 1e-300, math.inf]
    assert math.isnan(float(values[-1][0]))


@pytest.mark.usefixtures("schema")
def test_list_runs_newest_first_with_limit(store: Store) -> None:
    runs = [store.create_run(started_at=t, tags=[f"t{t}"]) for t in (3.0, 1.0, 2.0)]
    assert [r.started_at for r in store.list_runs(RunFilter())] == [3.0, 2.0, 1.0]
    assert store.list_runs(RunFilter(), limit=2) == [runs[0], runs[2]]
    assert store.list_runs(RunFilter(), limit=0) == []
    with pytest.raises(InvalidArgumentError, match="limit"):
        store.list_runs(RunFilter(), limit=-1)


@pytest.mark.usefixtures("schema")
def test_delete_run(store: Store, events: list[Event]) -> None:
    keep = store.create_run(tags=["x"], attributes={"seed": 1})
    run = store.create_run(tags=["x"], attributes={"seed": 2})
    store.append(run.handle, "train", train_columns([1, 2]), idempotency_key="k")
    store.append(keep.handle, "train", train_columns([1]))
    store.delete_run(run.handle)
    assert events[-1] == RunDeleted(run.handle)
    assert store.list_runs(RunFilter()) == [keep]
    assert [c.run for c in store.chunks_after(0)] == [keep.handle]
    assert store.list_tags(RunFilter()) == [("x", 1)]
    assert store.list_attribute_values(RunFilter(), ["seed"]) == {"seed": [(1, 1)]}
    # The idempotency key went with the run: the same key stores anew.
    again = store.create_run(run.handle)
    result = store.append(again.handle, "train", train_columns([1]), idempotency_key="k")
    assert not result.duplicate


@pytest.mark.usefixtures("schema")
def test_replace_run(store: Store, events: list[Event]) -> None:
    run = store.create_run(tags=["old"], attributes={"seed": 1})
    store.append(run.handle, "train", train_columns([1, 2]), idempotency_key="k")
    new = store.replace_run(run.handle, tags=["new"], attributes={"lr": 0.5}, started_at=5.0)
    assert (new.handle, new.tags, new.attributes, new.started_at) == (
        run.handle,
        ("new",),
        {"lr": 0.5},
        5.0,
    )
    assert events[-1] == RunReplaced(new)
    events.clear()
    assert store.list_runs(RunFilter()) == [new]
    assert store.chunks_after(0) == []
    assert store.list_tags(RunFilter()) == [("new", 1)]
    assert not store.append(run.handle, "train", train_columns([1]), idempotency_key="k").duplicate
    fresh = uuid.uuid4()
    created = store.replace_run(fresh)
    assert events == [RowsAppended(run.handle, "train", 2, 1), RunCreated(created)]


@pytest.mark.usefixtures("schema")
def test_refused_replace_keeps_the_old_run(store: Store) -> None:
    run = store.create_run(tags=["old"])
    store.append(run.handle, "train", train_columns([1]))
    before = state(store)
    with pytest.raises(InvalidArgumentError):
        store.replace_run(run.handle, attributes={"seed": "one"})
    with pytest.raises(NotFoundError):
        store.replace_run(run.handle, attributes={"nope": 1})
    assert state(store) == before


@pytest.mark.usefixtures("schema")
def test_list_tags_and_started_at(store: Store) -> None:
    store.create_run(tags=["a", "b"], started_at=2.0)
    store.create_run(tags=["b"], started_at=1.0)
    store.create_run(tags=["c"], started_at=3.0)
    assert store.list_tags(RunFilter()) == [("a", 1), ("b", 2), ("c", 1)]
    assert store.list_tags(RunFilter(tags_none=("a",))) == [("b", 1), ("c", 1)]
    assert store.list_started_at(RunFilter()) == [1.0, 2.0, 3.0]
    assert store.list_started_at(RunFilter(tags_any=("b",))) == [1.0, 2.0]


@pytest.mark.usefixtures("schema")
def test_list_attribute_values(store: Store) -> None:
    store.create_run(tags=["x"], attributes={"seed": 2, "optimizer": "sgd", "good": True})
    store.create_run(tags=["x"], attributes={"seed": 1, "optimizer": "sgd"})
    store.create_run(attributes={"seed": 2, "lr": 0.1})
    assert store.list_attribute_values(RunFilter()) == {
        "good": [(True, 1)],
        "lr": [(0.1, 1)],
        "optimizer": [("sgd", 2)],
        "seed": [(1, 1), (2, 2)],
    }
    assert store.list_attribute_values(RunFilter(tags_all=("x",)), ["seed", "lr"]) == {
        "lr": [],
        "seed": [(1, 1), (2, 1)],
    }
    with pytest.raises(NotFoundError, match="'nope'"):
        store.list_attribute_values(RunFilter(), ["nope"])


def test_list_common_attributes(store: Store, schema: Schema) -> None:
    store.create_run(tags=["x"], attributes={"seed": 2, "lr": 0.1})
    store.create_run(tags=["x"], attributes={"seed": 1, "good": False})
    store.create_run(attributes={"good": True})
    assert store.list_common_attributes(RunFilter(tags_all=("x",))) == [schema.seed]
    assert store.list_common_attributes(RunFilter()) == []
    assert store.list_common_attributes(RunFilter(tags_all=("none",))) == []


@pytest.mark.usefixtures("schema")
def test_filters(store: Store) -> None:
    a = store.create_run(
        tags=["sweep", "big"],
        attributes={"lr": 0.1, "seed": 1, "optimizer": "adam", "good": True},
        started_at=10.0,
    )
    b = store.create_run(
        tags=["sweep"],
        attributes={"lr": 0.01, "seed": 2, "optimizer": "sgd", "good": False},
        started_at=20.0,
    )
    c = store.create_run(tags=["other"], attributes={"seed": 3}, started_at=30.0)

    def match(**parts: object) -> list[uuid.UUID]:
        return [r.handle for r in store.list_runs(RunFilter(**parts))]  # type: ignore[arg-type]

    def attr(name: str, **cond: object) -> tuple[AttributeCondition]:
        return (AttributeCondition(name, **cond),)  # type: ignore[arg-type]

    assert match() == [c.handle, b.handle, a.handle]
    assert match(tags_any=("big", "other")) == [c.handle, a.handle]
    assert match(tags_all=("sweep", "big")) == [a.handle]
    assert match(tags_none=("big",)) == [c.handle, b.handle]
    assert match(tags_any=("nope",)) == []
    assert match(handles=(a.handle, c.handle)) == [c.handle, a.handle]
    assert match(handles=()) == []
    assert match(started_after=20.0) == [c.handle, b.handle]
    assert match(started_before=20.0) == [a.handle]
    assert match(attributes=attr("seed", equals=2)) == [b.handle]
    assert match(attributes=attr("seed", one_of=(1, 3))) == [c.handle, a.handle]
    assert match(attributes=attr("seed", one_of=())) == []
    assert match(attributes=attr("seed", min=2)) == [c.handle, b.handle]
    assert match(attributes=attr("seed", max=2)) == [b.handle, a.handle]
    assert match(attributes=attr("seed", min=2, max=2)) == [b.handle]
    assert match(attributes=attr("lr", min=0.05)) == [a.handle]
    assert match(attributes=attr("lr", equals=1)) == []  # int widened to float
    assert match(attributes=attr("optimizer", min="b")) == [b.handle]
    assert match(attributes=attr("optimizer", equals="adam")) == [a.handle]
    assert match(attributes=attr("good", equals=False)) == [b.handle]
    assert match(attributes=attr("good", one_of=(True, False))) == [b.handle, a.handle]
    both = (AttributeCondition("seed", max=2), AttributeCondition("good", equals=True))
    assert match(attributes=both, tags_all=("sweep",), started_after=5.0) == [a.handle]


@pytest.mark.usefixtures("schema")
def test_filter_refusals(store: Store) -> None:
    with pytest.raises(NotFoundError, match="attribute 'nope'"):
        store.list_runs(RunFilter(attributes=(AttributeCondition("nope", equals=1),)))
    with pytest.raises(InvalidArgumentError, match="does not fit field 'seed'"):
        store.list_runs(RunFilter(attributes=(AttributeCondition("seed", min=1.5),)))
    with pytest.raises(InvalidArgumentError, match="started_after"):
        store.list_runs(RunFilter(started_after=math.nan))
    with pytest.raises(InvalidArgumentError, match="RunFilter"):
        store.list_runs(None)  # type: ignore[arg-type]
    for call in (
        store.list_tags,
        store.list_common_series,
        store.list_common_attributes,
        store.list_started_at,
        store.list_attribute_values,
    ):
        with pytest.raises(NotFoundError, match="attribute 'nope'"):
            call(RunFilter(attributes=(AttributeCondition("nope", equals=1),)))


@pytest.mark.usefixtures("schema")
def test_values_are_bound_not_spliced(store: Store) -> None:
    evil = "x'); DROP TABLE runs; --"
    run = store.create_run(tags=[evil], attributes={"optimizer": evil})
    assert store.list_runs(RunFilter(tags_all=(evil,))) == [run]
    cond = AttributeCondition("optimizer", equals=evil)
    assert store.list_runs(RunFilter(attributes=(cond,))) == [run]
    assert store.list_runs(RunFilter(tags_any=("?", "%s", "%"))) == []


def test_resolve_run_handle_by_unique_prefix(store: Store) -> None:
    a = store.create_run(uuid.UUID("3f2a1b2c-0000-4000-8000-000000000001")).handle
    b = store.create_run(uuid.UUID("3f2a1b2c-0000-4000-8000-000000000102")).handle
    c = store.create_run(uuid.UUID("3f2b0000-0000-4000-8000-000000000003")).handle
    assert store.resolve_run_handle(str(a)) == a
    assert store.resolve_run_handle(str(a).upper()) == a
    assert store.resolve_run_handle("3f2b") == c
    assert store.resolve_run_handle("3F2A1B2C-0000-4000-8000-0000000000") == a  # dashes ignored
    assert store.resolve_run_handle("3f2a1b2c0000400080000000000000") == a
    with pytest.raises(InvalidArgumentError, match=f"ambiguous.*{a}.*{b}.*give more"):
        store.resolve_run_handle("3f2a")
    with pytest.raises(NotFoundError, match="no run with a handle starting '3f2c'"):
        store.resolve_run_handle("3f2c")
    for bad in ("3f2", "3f2z", "", "3f2a1b2c-0000-4000-8000-0000000000011"):
        with pytest.raises(InvalidArgumentError, match="at least its first 4 hex digits"):
            store.resolve_run_handle(bad)


def test_resolve_run_handle_lists_at_most_ten_matches(store: Store) -> None:
    for i in range(12):
        store.create_run(uuid.UUID(f"aaaa0000-0000-4000-8000-{i:012x}"))
    with pytest.raises(InvalidArgumentError, match=r"000000000009 and more; give more") as err:
        store.resolve_run_handle("aaaa")
    assert "00000000000a" not in str(err.value)
