"""Each run's listing JSON (store/run_listing.py): kept beside the run through every
change, built in SQL where none is kept, and read back as the same values, on both
backends."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from streamvis.model.schema import NewRun, Run, RunFilter
from streamvis.store import Store
from streamvis.store.core import SqlCore
from streamvis.store.run_listing import rebuild_listings

#: Floats whose shortest spelling needs 17 digits, tiny and huge ones, a negative zero.
AWKWARD_FLOATS = [0.1 + 0.2, 1e-300, 1.7976931348623157e308, -0.0, 3e-05, 1 / 3, 2.0**60]


def expected(run: Run) -> dict[str, Any]:
    """What /api/runs has always sent for a run (NaN as null)."""
    return {
        "handle": str(run.handle), "started_at": run.started_at, "tags": sorted(run.tags),
        "attributes": {
            k: None if isinstance(v, float) and math.isnan(v) else v
            for k, v in sorted(run.attributes.items())
        },
    }


def listed(store: Store, run_filter: RunFilter | None = None) -> list[dict[str, Any]]:
    """Every matching run as its listing JSON, read in pages of 3."""
    out: list[dict[str, Any]] = []
    after = ""
    while True:
        page = store.list_runs_json_page(run_filter or RunFilter(), after, 3)
        out += json.loads(page.array())
        if not page.next:
            return out
        after = page.next


def check(store: Store) -> None:
    """The listing JSON is the runs' values, in list_runs' order, key for key."""
    got = listed(store)
    want = [expected(r) for r in store.list_runs(RunFilter())]
    assert got == want
    for g, w in zip(got, want, strict=True):
        assert list(g) == list(w)  # the same key order too
        assert list(g["attributes"]) == list(w["attributes"])
        for name, value in w["attributes"].items():  # floats exactly, not approximately
            assert type(g["attributes"][name]) is type(value)


def forget_listings(store: Store, where: str = "") -> None:
    """As a store written before listings were kept: every `listing` NULL (of the runs
    `where`, a condition on `runs`, when given)."""
    assert isinstance(store, SqlCore)
    with store._write() as s:  # the state an older writer left
        s.run("UPDATE runs SET listing = NULL" + (f" WHERE {where}" if where else ""))


@pytest.mark.usefixtures("schema")
def test_the_listing_follows_every_change_to_a_run(store: Store) -> None:
    first = store.create_run(tags=["b", "a"], attributes={"lr": 0.1 + 0.2, "optimizer": 'q"\\é'},
                             started_at=1.5)
    store.create_runs([
        NewRun(tags=["x"], attributes={"seed": -(2**63), "good": True, "lr": math.nan},
               started_at=2.0 + i)
        for i in range(4)
    ])
    check(store)
    store.add_run_tag(first.handle, "c")
    check(store)
    store.delete_run_tag(first.handle, "a")
    check(store)
    store.set_run_attributes(first.handle, {"seed": 3, "good": False})
    check(store)
    store.resume_run(first.handle, tags=["z"], attributes={"lr": 2.5})
    check(store)
    store.replace_run(first.handle, tags=["new"], started_at=0.25)
    check(store)
    store.update_field("lr", new_name="learning_rate")
    check(store)
    assert "learning_rate" in listed(store)[0]["attributes"]


@pytest.mark.usefixtures("schema")
@pytest.mark.parametrize("value", AWKWARD_FLOATS)
def test_a_listing_built_in_sql_reads_back_the_same_values(store: Store, value: float) -> None:
    store.create_runs([NewRun(tags=["t"], attributes={"lr": value, "seed": 1, "good": True,
                                                      "optimizer": "adam"},
                              started_at=value if math.isfinite(value) else 0.0),
                       NewRun(attributes={"lr": math.nan}, started_at=-1.0),
                       NewRun(started_at=-2.0)])
    kept = listed(store)
    forget_listings(store)
    check(store)  # built as they are read
    assert listed(store) == kept
    assert isinstance(store, SqlCore)
    with store._write() as s:  # what migration 12 runs
        rebuild_listings(s)
    check(store)


@pytest.mark.usefixtures("schema")
def test_a_page_of_kept_and_unkept_listings_keeps_its_order(store: Store) -> None:
    # A page's kept texts come with its keys; only the runs with none are built, and
    # each goes back in its place.
    store.create_runs([NewRun(tags=[f"t{i}"], attributes={"seed": i}, started_at=float(i))
                       for i in range(10)])
    kept = listed(store)
    forget_listings(store, "started_at IN (1, 4, 5, 9)")
    check(store)
    assert listed(store) == kept
    whole = store.list_runs_json_page(RunFilter(), None, 10)
    assert json.loads(whole.array()) == kept


@pytest.mark.usefixtures("schema")
def test_the_json_pages_are_the_run_pages(store: Store) -> None:
    store.create_runs([NewRun(tags=["even" if i % 2 == 0 else "odd"], started_at=float(i // 3))
                       for i in range(20)])
    for run_filter in (RunFilter(), RunFilter(tags_all=("even",))):
        runs = store.list_runs_page(run_filter, None, 7)
        text = store.list_runs_json_page(run_filter, None, 7)
        assert (text.next, text.total) == (runs.next, runs.total)
        assert json.loads(text.array()) == [expected(r) for r in runs.runs]
        assert listed(store, run_filter) == [expected(r) for r in store.list_runs(run_filter)]
    empty = store.list_runs_json_page(RunFilter(tags_all=("none",)), None, 7)
    assert (empty.runs, empty.next, empty.total, empty.array()) == ([], "", 0, b"[]")

