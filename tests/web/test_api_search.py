"""The run search page's routes (/api/run-search, /api/run-facets) on each store, through
a real server: the store's answers as JSON, and bad input a 4xx naming what to fix."""

from __future__ import annotations

import pytest

from .helpers import SQLITE_ONLY, error, filter_param


@pytest.fixture
def runs(store, schema):  # noqa: ARG001 - the runs need its fields
    a = store.create_run(tags=["baseline", "gpu"], attributes={"lr": 1e-3, "optimizer": "adam"},
                         started_at=1000.0)
    b = store.create_run(tags=["baseline"], attributes={"lr": 1e-2, "optimizer": "sgd"},
                         started_at=2000.0)
    c = store.create_run(tags=["other"], attributes={"lr": 1e-2, "good": True},
                         started_at=3000.0)
    return a, b, c


def test_a_sorted_page_at_an_offset_with_the_count(http, runs):
    a, b, c = runs
    got = http.get("/api/run-search").json()
    assert got["total"] == 3
    assert [r["handle"] for r in got["runs"]] == [str(c.handle), str(b.handle), str(a.handle)]
    # Each run as /api/runs gives it.
    assert got["runs"][2] == http.get("/api/runs").json()[2]
    page = http.get("/api/run-search", params={"sort": "lr", "desc": "0", "offset": "1",
                                               "limit": "1"}).json()
    # lr ascending, ties newest first: a (0.001), then c, b (0.01).
    assert page == {"total": 3, "offset": 1, "runs": [http.get(f"/api/runs/{c.handle}").json()]}
    cond = {"attributes": [{"field": "lr", "in": [1, 0.01]}]}  # 1 means 1.0
    got = http.get("/api/run-search", params={**filter_param(cond), "q": "BASE"}).json()
    assert (got["total"], [r["handle"] for r in got["runs"]]) == (1, [str(b.handle)])
    assert http.get("/api/run-search", params={"q": str(a.handle)[:5]}).json()["total"] == 1


def test_facets_count_tags_and_values_beside_the_filter(http, runs):  # noqa: ARG001
    cond = {"tags_any": ["baseline"], "attributes": [{"field": "optimizer", "in": ["adam"]}]}
    got = http.get("/api/run-facets", params=filter_param(cond)).json()
    assert got["tags"] == {"baseline": 1, "gpu": 1}
    # optimizer's counts leave its own condition out; lr's keep it.
    assert got["counts"]["optimizer"] == [["adam", 1], ["sgd", 1]]
    assert got["counts"]["lr"] == [[0.001, 1]]
    assert got["counts"]["good"] == []
    assert got["values"] == {"lr": [0.001, 0.01]}
    assert http.get("/api/run-facets", params={"values": "0"}).json()["values"] == {}


@SQLITE_ONLY
@pytest.mark.parametrize(("path", "params", "status", "fragment"), [
    ("/api/run-search", {"offset": "x"}, 400, "not a whole number"),
    ("/api/run-search", {"limit": "-1"}, 400, "limit"),
    ("/api/run-search", {"limit": "999999"}, 400, "MAX_RUNS_PER_PAGE"),
    ("/api/run-search", {"sort": "nope"}, 404, "cannot sort runs by 'nope'"),
    ("/api/run-search", {"desc": "maybe"}, 400, "give 1 or 0"),
    ("/api/run-search", {"filter": '{"tag_any": ["a"]}'}, 400, "unknown key(s)"),
    ("/api/run-facets", {"values": "2"}, 400, "give 1 or 0"),
    ("/api/run-facets", {"filter": "{not json"}, 400, "not valid JSON"),
])
@pytest.mark.usefixtures("schema")
def test_bad_requests_say_what_to_fix(http, path, params, status, fragment):
    assert fragment in error(http.get(path, params=params), status)
