"""The `text` and `page` reductions (web/reduce_rows.py) through `POST /api/data`, on both
stores: the text of the frame shown within MAX_TEXT_BYTES, a table sorted, filtered and
paged on the server."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from streamvis.model.limits import MAX_TABLE_PAGE_ROWS, MAX_TEXT_BYTES
from streamvis.model.schema import FieldType
from streamvis.web.reduce_rows import _sorted

from .helpers import error, meta, table

TYPES = {"step": pa.int64(), "out": pa.string(), "want": pa.string(), "score": pa.float64()}


@pytest.fixture
def samples(store: Any) -> None:
    """A series `samples` = (step int, out string, want string, score float)."""
    store.create_field("step", FieldType.INT)
    store.create_field("out", FieldType.STRING)
    store.create_field("want", FieldType.STRING)
    store.create_field("score", FieldType.FLOAT)
    store.create_series("samples", ["step", "out", "want", "score"])


def _append(store: Any, run: Any, cols: dict[str, Any]) -> None:
    store.append(run, "samples", {k: pa.array(v, TYPES[k]) for k, v in cols.items()})


def _rows(n: int, tag: str, first: int = 0) -> dict[str, Any]:
    steps = list(range(first, first + n))
    return {"step": steps, "out": [f"{tag} out {s}" for s in steps],
            "want": [f"{tag} want {s}" for s in steps],
            "score": [float((s * 7919) % 101) for s in steps]}


@pytest.mark.usefixtures("samples")
def test_text_sends_the_frame_shown_of_each_run(http, store):
    a, b = store.create_run().handle, store.create_run().handle
    _append(store, a, _rows(5, "a"))
    _append(store, b, _rows(3, "b"))
    body = {"series": "samples", "kind": "text", "text": "out", "expected": "want",
            "fields": ["step"], "where": [{"field": "step", "latest": True}]}
    t = table(http.post("/api/data", json=body))
    got = sorted(zip(t.column("out").to_pylist(), t.column("want").to_pylist(), strict=True))
    assert got == [("a out 4", "a want 4"), ("b out 2", "b want 2")]
    assert meta(t)["left_out"] == "0"
    body["where"] = [{"field": "step", "equals": 1}]
    t = table(http.post("/api/data", json=body))
    assert sorted(t.column("out").to_pylist()) == ["a out 1", "b out 1"]


@pytest.mark.usefixtures("samples")
def test_text_keeps_the_newest_rows_within_the_byte_limit(http, store):
    run = store.create_run().handle
    big = 60_000  # under MAX_STRING_LENGTH; 2 * 60 kB per row with `want`
    n = MAX_TEXT_BYTES // (2 * big) + 5
    steps = list(range(n))
    _append(store, run, {"step": steps, "out": [f"{s:06d}" + "x" * (big - 6) for s in steps],
                         "want": ["y" * big] * n, "score": [0.0] * n})
    t = table(http.post("/api/data", json={"series": "samples", "kind": "text",
                                           "text": "out", "expected": "want"}))
    fits = MAX_TEXT_BYTES // (2 * big)
    assert t.num_rows == fits
    assert meta(t)["left_out"] == str(n - fits)
    assert t.column("step").to_pylist() == steps[n - fits:]  # the newest, in order


@pytest.mark.usefixtures("samples")
def test_text_refuses_a_number_field_as_text(http, store):
    _append(store, store.create_run().handle, _rows(2, "a"))
    msg = error(http.post("/api/data", json={"series": "samples", "kind": "text",
                                             "text": "score"}), 400)
    assert "text field 'score' is float; text takes string fields" in msg
    msg = error(http.post("/api/data", json={"series": "samples", "kind": "text"}), 400)
    assert '"text"' in msg


@pytest.mark.usefixtures("samples")
def test_table_sorts_across_runs_and_pages(http, store):
    a, b = store.create_run().handle, store.create_run().handle
    _append(store, a, _rows(30, "a"))
    _append(store, b, _rows(25, "b", first=100))
    want = sorted([(s, f"a out {s}") for s in range(30)]
                  + [(s, f"b out {s}") for s in range(100, 125)],
                  key=lambda p: -float((p[0] * 7919) % 101))
    body = {"series": "samples", "kind": "table", "fields": ["step", "out", "score"],
            "sort": "score", "descending": True, "limit": 10}
    seen = []
    for offset in range(0, 60, 10):
        t = table(http.post("/api/data", json={**body, "offset": offset}))
        assert meta(t)["total_rows"] == "55"
        seen += t.column("score").to_pylist()
        runs = t.column("run").to_pylist()
        outs = t.column("out").to_pylist()
        # Each row's columns stay together across the reordering.
        assert all(o.startswith("a" if r == str(a) else "b") for r, o in zip(runs, outs,
                                                                             strict=True))
    assert len(seen) == 55
    assert seen == sorted(seen, reverse=True)
    assert sorted(seen) == sorted(float((s * 7919) % 101) for s, _ in want)
    # By a string column, ranked across the runs' own labels.
    t = table(http.post("/api/data", json={**body, "sort": "out", "descending": False,
                                           "limit": 55}))
    assert t.column("out").to_pylist() == sorted(o for _, o in want)


@pytest.mark.usefixtures("samples")
def test_table_filters_and_pages_unsorted(http, store):
    run = store.create_run().handle
    _append(store, run, _rows(40, "a"))
    body = {"series": "samples", "kind": "table", "limit": 5, "offset": 5,
            "where": [{"field": "score", "equals": 0.0}]}
    t = table(http.post("/api/data", json=body))
    assert meta(t)["total_rows"] == str(sum((s * 7919) % 101 == 0 for s in range(40)))
    t = table(http.post("/api/data", json={"series": "samples", "kind": "table",
                                           "limit": 5, "offset": 5}))
    assert t.column("step").to_pylist() == [5, 6, 7, 8, 9]
    assert set(t.column_names) == {"run", "step", "out", "want", "score"}


@pytest.mark.usefixtures("samples")
def test_table_refuses_bad_pages_and_changes_nothing(http, store):
    _append(store, store.create_run().handle, _rows(3, "a"))
    base = {"series": "samples", "kind": "table"}
    msg = error(http.post("/api/data", json={**base, "limit": MAX_TABLE_PAGE_ROWS + 1}), 413)
    assert "offset" in msg
    msg = error(http.post("/api/data", json={**base, "sort": "nope"}), 400)
    assert "sort: 'nope' is not a column" in msg
    msg = error(http.post("/api/data", json={**base, "descending": "yes"}), 400)
    assert "descending must be true or false" in msg
    msg = error(http.post("/api/data", json={**base, "offset": -1}), 400)
    assert "offset must be at least 0" in msg
    t = table(http.post("/api/data", json={**base, "sort": "run"}))
    assert t.num_rows == 3
    # No run matches: an empty page, not an error.
    nobody = {**base, "filter": {"tags_any": ["nobody"]}}
    for sort in ("score", "out", "run"):
        t = table(http.post("/api/data", json={**nobody, "sort": sort}))
        assert t.num_rows == 0 and meta(t)["total_rows"] == "0"
    t = table(http.post("/api/data", json={**nobody, "kind": "text", "text": "out"}))
    assert t.num_rows == 0


@pytest.mark.usefixtures("samples")
def test_table_puts_nan_last_both_ways(http, store):
    run = store.create_run().handle
    _append(store, run, {"step": [0, 1, 2], "out": ["a", "b", "c"], "want": ["", "", ""],
                         "score": [1.0, float("nan"), 2.0]})
    for descending, first in ((False, [1.0, 2.0]), (True, [2.0, 1.0])):
        t = table(http.post("/api/data", json={"series": "samples", "kind": "table",
                                               "sort": "score", "descending": descending}))
        scores = t.column("score").to_pylist()
        assert scores[:2] == first and np.isnan(scores[2])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dtype", ["float", "int", "bool"])
def test_a_top_page_found_by_partition_is_the_full_sorts(descending, dtype):
    rng = np.random.default_rng(11)
    n = 10_000
    keys: Any = {"float": rng.integers(0, 50, n).astype(np.float64),  # many ties
                 "int": rng.integers(-5, 5, n), "bool": rng.random(n) < 0.5}[dtype]
    if dtype == "float":
        keys[rng.integers(0, n, 100)] = np.nan
    full = _sorted(keys, descending)
    for need in (1, 7, 50, 1_000, 2_499):
        np.testing.assert_array_equal(_sorted(keys, descending, need)[:need], full[:need])
    # Past the partition's reach, the whole order.
    np.testing.assert_array_equal(_sorted(keys, descending, n), full)
