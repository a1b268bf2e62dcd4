"""ListRuns from each run's kept listing JSON (decision 0042): the same messages as the
`Run`s read from their rows gave, on both stores, including the values the JSON
cannot tell apart (NaN and the infinities, all spelled null) and runs whose listing
is not kept."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from streamvis import wire
from streamvis.model.schema import FieldType, NewRun, RunFilter
from streamvis.service import calls
from streamvis.store import Store, open_store
from streamvis.store.core import SqlCore
from streamvis.v1 import service_pb2 as pb

#: Values whose kind or digits a JSON round trip could lose. Not -0.0: SQLite stores
#: it as 0.0 while the listing kept from the request says -0.0 (as /api/runs always did).
AWKWARD = [0.1 + 0.2, 1e-300, 1.7976931348623157e308, 3e-05, 2.0**60, 1.0, 1e16, -2.5]


@pytest.fixture
def store(fresh_location: str) -> Iterator[Store]:
    s = open_store(fresh_location)
    try:
        for name, ftype in (("lr", FieldType.FLOAT), ("seed", FieldType.INT),
                            ("optimizer", FieldType.STRING), ("good", FieldType.BOOL)):
            s.create_field(name, ftype)
        yield s
    finally:
        s.close()


def old_way(store: Store, run_filter: RunFilter) -> list[pb.Run]:
    """What ListRuns sent before: each `Run` read from its rows, converted."""
    return [wire.run_to_pb(r) for r in store.iter_runs(run_filter)]


def listing(store: Store, **request: object) -> pb.ListRunsResponse:
    return calls.list_runs(store, pb.ListRunsRequest(**request))  # type: ignore[arg-type]


def make_runs(store: Store, count: int, odd: dict[int, float]) -> None:
    """`count` runs tagged even/odd, with the awkward values in turn; run i gets lr
    `odd[i]` instead where given."""
    store.create_runs([
        NewRun(tags=["even" if i % 2 == 0 else "odd", "t"], started_at=1000.0 - i // 2,
               attributes={"lr": odd.get(i, AWKWARD[i % len(AWKWARD)]), "seed": -(2**63) + i,
                           "optimizer": ["adam", "null", 'q"\\é'][i % 3], "good": i % 4 == 0}
               if i % 5 else {})
        for i in range(count)
    ])


@pytest.mark.parametrize("odd", [{}, {2: math.nan, 1501: math.inf, 2999: -math.inf}])
def test_every_run_listed_as_before(store: Store, odd: dict[int, float]) -> None:
    make_runs(store, 3000, odd)
    for run_filter in (RunFilter(), RunFilter(tags_all=("odd",))):
        want = old_way(store, run_filter)
        as_pb = wire.filter_to_pb(run_filter)
        got = listing(store, filter=as_pb)
        assert list(got.runs) == want and not got.next and not got.HasField("total")
        assert list(listing(store, filter=as_pb, limit=2500).runs) == want[:2500]
    if odd:
        lrs = [r.attributes["lr"].float_value for r in listing(store).runs if "lr" in r.attributes]
        assert sorted(v for v in lrs if not math.isfinite(v) and not math.isnan(v)) == [
            -math.inf, math.inf]
        assert sum(math.isnan(v) for v in lrs) == 1


@pytest.mark.parametrize("odd", [{}, {4: math.nan}])
def test_pages_listed_as_before(store: Store, odd: dict[int, float]) -> None:
    make_runs(store, 30, odd)
    want = old_way(store, RunFilter())
    page = listing(store, limit=7)
    assert page.total == 30 and list(page.runs) == want[:7]
    seen = list(page.runs)
    while page.next:
        page = listing(store, after=page.next, limit=7)
        assert not page.HasField("total")
        seen += page.runs
    assert seen == want


def test_runs_without_a_kept_listing(store: Store) -> None:
    make_runs(store, 40, {7: math.inf})
    want = old_way(store, RunFilter())
    assert isinstance(store, SqlCore)
    with store._write() as s:  # as a store written before listings were kept
        s.run("UPDATE runs SET listing = NULL")
    assert list(listing(store).runs) == want
