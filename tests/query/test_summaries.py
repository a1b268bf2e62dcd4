"""`Connection.summaries` over the gRPC `GetSummaries` call, on both stores: one row per
run, series and numeric field, what the server computed."""

from __future__ import annotations

import pytest

from streamvis.model.errors import NotFoundError


def test_one_row_per_run_series_and_numeric_field(sv, world):
    table = sv.summaries("train", runs=sv.runs(tags_any="world"))
    assert table.column_names == ["run", "series", "field", "rows", "last", "min", "max"]
    rows = {(world.name_of(r["run"]), r["field"]): r for r in table.to_pylist()}
    # train's numeric fields only (phase is a string, ok a bool).
    assert {f for _, f in rows} == {"step", "loss"}
    assert {n for n, _ in rows} == {"a", "b", "c", "d"}
    a_loss = rows[("a", "loss")]
    assert (a_loss["rows"], a_loss["last"], a_loss["min"], a_loss["max"]) == (5, 2.0, 0.0, 2.0)
    assert (rows[("b", "step")]["last"], rows[("b", "step")]["max"]) == (3, 3)


def test_series_and_fields_narrow_it(sv, world):
    a = world.runs["a"]
    table = sv.summaries(["eval"], fields="loss", runs=[a])
    assert table.to_pylist() == [{"run": str(a.handle), "series": "eval", "field": "loss",
                                  "rows": 2, "last": 1.0, "min": 1.0, "max": 1.0}]
    assert sv.summaries("eval", runs=[world.runs["b"]]).num_rows == 0


def test_an_unknown_series_is_named(sv, world):  # noqa: ARG001
    with pytest.raises(NotFoundError, match="no series named 'nope'"):
        sv.summaries("nope")
