"""Runs in bulk (store/run_batches.py): batch creation and keyset pages, on both
backends."""

from __future__ import annotations

import math
import uuid

import pytest

from streamvis.model.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
)
from streamvis.model.events import Event, RunCreated
from streamvis.model.limits import MAX_RUNS_PER_CREATE, MAX_RUNS_PER_PAGE
from streamvis.model.schema import AttributeCondition, NewRun, RunFilter
from streamvis.store import Store


@pytest.mark.usefixtures("schema")
def test_create_runs_makes_them_all_in_one_go(store: Store, events: list[Event]) -> None:
    given = uuid.uuid4()
    runs = store.create_runs([
        NewRun(given, tags=["b", "a"], attributes={"lr": 1, "optimizer": "adam"},
               started_at=100.0),
        NewRun(attributes={"seed": 7, "good": True, "lr": math.nan}),
        NewRun(),
    ])
    assert runs[0].handle == given
    assert runs[0].tags == ("a", "b")
    assert runs[0].attributes == {"lr": 1.0, "optimizer": "adam"}
    assert runs[1].attributes["seed"] == 7
    assert math.isnan(runs[1].attributes["lr"])  # type: ignore[arg-type]
    assert len({r.handle for r in runs}) == 3
    for run in (runs[0], runs[2]):
        assert store.get_run(run.handle) == run
    assert events == [RunCreated(r) for r in runs]
    assert store.create_runs([]) == []


@pytest.mark.usefixtures("schema")
def test_a_bad_run_in_a_batch_creates_none(store: Store, events: list[Event]) -> None:
    taken = store.create_run().handle
    events.clear()
    bad: list[tuple[list[NewRun], type[Exception], str]] = [
        ([NewRun(), NewRun(taken)], AlreadyExistsError, f"exist already .*{taken}"),
        ([NewRun(), NewRun(attributes={"nope": 1})], NotFoundError, "names no field"),
        ([NewRun(attributes={"seed": "x"})], InvalidArgumentError, "seed"),
        ([NewRun(tags=["ok", ""])], InvalidArgumentError, "tag"),
        ([NewRun(started_at=math.inf)], InvalidArgumentError, "started_at"),
    ]
    twice = uuid.uuid4()
    bad.append(([NewRun(twice), NewRun(twice)], InvalidArgumentError, "more than once"))
    for runs, error, match in bad:
        with pytest.raises(error, match=match):
            store.create_runs(runs)
    assert [r.handle for r in store.list_runs(RunFilter())] == [taken]
    assert events == []


@pytest.mark.usefixtures("schema")
def test_a_batch_checks_every_value_as_create_run_does(store: Store) -> None:
    """The batch checks each (field, type) pair once, then takes its values as they
    are: a later value of another type, out of range or NaN is still checked."""
    given: list[dict[str, object]] = [
        {"seed": 1, "lr": 0.5, "optimizer": "adam", "good": True},
        {"seed": -(2**63), "lr": 2, "optimizer": "", "good": False},
        {"seed": 2**63 - 1, "lr": math.nan, "optimizer": "null"},
        {"lr": -math.inf, "good": True},
        {"lr": 3, "seed": 0},
    ]
    batch = store.create_runs([NewRun(attributes=a, started_at=float(i))
                               for i, a in enumerate(given)])
    alone = [store.create_run(attributes=a, started_at=float(i)) for i, a in enumerate(given)]

    def shown(attributes: dict[str, object]) -> list[tuple[str, str, str]]:
        return [(k, type(v).__name__, repr(v)) for k, v in sorted(attributes.items())]

    for made, one in zip(batch, alone, strict=True):
        assert shown(made.attributes) == shown(one.attributes)  # type: ignore[arg-type]
        assert shown(store.get_run(made.handle).attributes) == shown(  # type: ignore[arg-type]
            store.get_run(one.handle).attributes)  # type: ignore[arg-type]
    before = len(store.list_runs(RunFilter()))
    for bad, match in (({"seed": 2**63}, "64 bits"), ({"seed": True}, "seed"),
                       ({"lr": "x"}, "lr"), ({"good": 1}, "good")):
        with pytest.raises(InvalidArgumentError, match=match):
            store.create_runs([NewRun(attributes={"seed": 5, "lr": 1.5, "good": False}),
                               NewRun(attributes=bad)])
    assert len(store.list_runs(RunFilter())) == before


def test_a_batch_larger_than_the_limit_is_refused(store: Store) -> None:
    with pytest.raises(ResourceExhaustedError, match="MAX_RUNS_PER_CREATE"):
        store.create_runs([NewRun()] * (MAX_RUNS_PER_CREATE + 1))
    with pytest.raises(InvalidArgumentError, match="NewRun"):
        store.create_runs([{"tags": []}])  # type: ignore[list-item]


@pytest.mark.usefixtures("schema")
def test_pages_list_every_match_once_newest_first(store: Store) -> None:
    # Ties on started_at fall on page edges: the id orders them.
    store.create_runs([
        NewRun(tags=["even" if i % 2 == 0 else "odd"], attributes={"seed": i},
               started_at=float(i // 3))
        for i in range(50)
    ])
    for run_filter in (RunFilter(), RunFilter(tags_all=("even",)),
                       RunFilter(attributes=(AttributeCondition("seed", min=10, max=29),))):
        whole = store.list_runs(run_filter)
        for size in (1, 7, 50, 100):
            page = store.list_runs_page(run_filter, None, size)
            assert page.total == len(whole)
            seen = list(page.runs)
            while page.next:
                page = store.list_runs_page(run_filter, page.next, size)
                assert page.total is None
                assert 0 < len(page.runs) <= size
                seen += page.runs
            assert seen == whole
        assert list(store.iter_runs(run_filter, page=4)) == whole


@pytest.mark.usefixtures("schema")
def test_a_run_created_meanwhile_does_not_shift_later_pages(store: Store) -> None:
    store.create_runs([NewRun(started_at=float(i)) for i in range(10)])
    first = store.list_runs_page(RunFilter(), None, 4)
    store.create_run(started_at=100.0)  # newer than all: belongs before the first page
    rest = store.list_runs_page(RunFilter(), first.next, 100)
    assert [r.started_at for r in rest.runs] == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    assert rest.next == ""


def test_page_arguments_are_checked(store: Store) -> None:
    empty = store.list_runs_page(RunFilter(), None, 10)
    assert (empty.runs, empty.next, empty.total) == ([], "", 0)
    for token in ("garbage", "r1.zz.1", "r1.0x1p+0.x"):
        with pytest.raises(InvalidArgumentError, match="page token"):
            store.list_runs_page(RunFilter(), token, 10)
    for limit in (0, -1, True):
        with pytest.raises(InvalidArgumentError, match="limit"):
            store.list_runs_page(RunFilter(), None, limit)
    with pytest.raises(ResourceExhaustedError, match="MAX_RUNS_PER_PAGE"):
        store.list_runs_page(RunFilter(), None, MAX_RUNS_PER_PAGE + 1)


