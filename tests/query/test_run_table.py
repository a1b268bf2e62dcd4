"""`Connection.run_table` (`Client.run_table`, client.py) on both stores, against a real
server: one row per run of attributes and summaries, the same table the web route sends
for `POST /api/data` with "per_run" (web/run_columns.py), and names it refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError, NotFoundError, StreamvisError

WORLD = {"tags_any": ["world"]}


def web_table(server: Any, names: list[str], run_filter: dict[str, Any]) -> pa.Table:
    """What the server's web route answers for the same per-run request."""
    body = {"series": "train", "per_run": True, "fields": names, "filter": run_filter}
    response = httpx.post(server.web_url + "api/data", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return pa.ipc.open_stream(response.content).read_all()


def test_the_table_is_the_web_routes(sv, world, server):
    t = sv.run_table("train", attributes=["lr", "optimizer"], runs=sv.runs(tags_any="world"))
    assert t.column_names == [
        "run", "rows", "last.step", "min.step", "max.step", "last.loss", "min.loss",
        "max.loss", "attr.lr", "attr.optimizer"]
    assert t.schema.field("rows").type == pa.int64()
    assert t.schema.field("attr.optimizer").type == pa.string()
    # In started order; d has no lr, so it is left out.
    assert [world.name_of(h) for h in t.column("run").to_pylist()] == ["a", "b", "c"]
    assert t.to_pylist()[0] == {
        "run": str(world.runs["a"].handle), "rows": 5, "last.step": 4.0, "min.step": 0.0,
        "max.step": 4.0, "last.loss": 2.0, "min.loss": 0.0, "max.loss": 2.0,
        "attr.lr": 1e-3, "attr.optimizer": "adam"}
    web = web_table(server, t.column_names[1:], WORLD)
    assert web.replace_schema_metadata(None).equals(t)


def test_names_and_runs_narrow_it_as_on_the_web(sv, world, server):
    t = sv.run_table("train", ["min.loss", "rows", "loss"], "attr.optimizer",
                     runs=sv.runs(tags_any="world", attributes={"optimizer": ["adam", "lion"]}))
    assert t.column_names == [
        "run", "min.loss", "rows", "last.loss", "max.loss", "attr.optimizer"]
    # d (no lr, but an optimizer) has rows and started first.
    assert [world.name_of(h) for h in t.column("run").to_pylist()] == ["d", "a", "c"]
    assert t.column("rows").to_pylist() == [2, 5, 1]
    web_filter = {**WORLD, "attributes": [{"field": "optimizer", "in": ["adam", "lion"]}]}
    web = web_table(server, t.column_names[1:], web_filter)
    assert web.replace_schema_metadata(None).equals(t)


def test_no_matching_run_gives_an_empty_table_with_the_columns(sv, world):  # noqa: ARG001
    t = sv.run_table("eval", "loss", runs=sv.runs(tags_any="nobody"))
    assert t.num_rows == 0
    assert t.column_names == ["run", "last.loss", "min.loss", "max.loss"]


@pytest.mark.parametrize("case", [
    ("nope", None, (), NotFoundError, "no series named 'nope'"),
    ("train", ["phase"], (), InvalidArgumentError,
     "'phase' is not a numeric field of series 'train' (its numeric fields are step, loss)"),
    ("train", ["mean.loss"], (), InvalidArgumentError, "is not a column of a per-run dataset"),
    ("train", ["max.ok"], (), InvalidArgumentError, "numeric fields are step, loss"),
    ("train", None, ["nope"], NotFoundError, "no field named 'nope' for an attribute"),
])
def test_unknown_names_are_refused_saying_what_exists(sv, world, case):  # noqa: ARG001
    series, fields, attributes, error, says = case
    with pytest.raises(error, match=says.replace("(", r"\(").replace(")", r"\)")) as caught:
        sv.run_table(series, fields, attributes)
    assert isinstance(caught.value, StreamvisError)
