"""POST /api/data with "per_run": one row per run of attributes and summaries
(web/run_columns.py), the data of the hyperparameter views; bad names refused."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from streamvis.store import Store

from .helpers import SQLITE_ONLY, append_train, error, meta, table


def per_run(**extra: object) -> dict[str, object]:
    return {"series": "train", "per_run": True, **extra}


@pytest.mark.usefixtures("schema")
def test_a_scatter_of_an_attribute_against_a_summary(http, store: Store):
    a = store.create_run(attributes={"lr": 0.1, "optimizer": "adam"}, started_at=1.0)
    b = store.create_run(attributes={"lr": 0.01, "optimizer": "sgd"}, started_at=2.0)
    c = store.create_run(attributes={"lr": 0.5}, started_at=3.0)  # no optimizer
    store.create_run(attributes={"lr": 0.3, "optimizer": "adam"}, started_at=4.0)  # no rows
    append_train(store, a.handle, [0, 1, 2], [3.0, 1.0, 2.0])
    append_train(store, b.handle, [0, 1], [math.nan, 5.0])
    append_train(store, c.handle, [0], [math.nan])
    t = table(http.post("/api/data", json=per_run(kind="scatter", x="attr.lr", y="min.loss")))
    assert t.column_names == ["run", "attr.lr", "min.loss"]
    assert t.schema.field("attr.lr").type == pa.float64()
    assert meta(t)["per_run"] == "true"
    rows = t.to_pylist()
    # In started order; the run without rows is left out; all-NaN summaries are NaN.
    assert [r["run"] for r in rows] == [str(a.handle), str(b.handle), str(c.handle)]
    assert [r["attr.lr"] for r in rows] == [0.1, 0.01, 0.5]
    assert rows[0]["min.loss"] == 1.0 and rows[1]["min.loss"] == 5.0
    assert math.isnan(rows[2]["min.loss"])
    # Parallel coordinates: dims and color as fields; a run lacking an attribute is left out.
    t = table(http.post("/api/data", json=per_run(
        kind="parallel", fields=["attr.lr", "attr.optimizer", "rows", "last.loss"],
        attributes=[])))
    assert t.column_names == ["run", "attr.lr", "attr.optimizer", "rows", "last.loss"]
    assert t.to_pylist() == [
        {"run": str(a.handle), "attr.lr": 0.1, "attr.optimizer": "adam", "rows": 3,
         "last.loss": 2.0},
        {"run": str(b.handle), "attr.lr": 0.01, "attr.optimizer": "sgd", "rows": 2,
         "last.loss": 5.0},
    ]
    # A filter narrows the runs as for any dataset.
    t = table(http.post("/api/data", json=per_run(
        fields=["max.loss"], filter={"attributes": [{"field": "lr", "min": 0.05}]})))
    assert t.column("max.loss").to_pylist()[0] == 3.0
    assert t.column("run").to_pylist()[0] == str(a.handle)


@SQLITE_ONLY
@pytest.mark.usefixtures("schema")
def test_bad_per_run_names_are_refused_with_what_exists(http, store: Store):
    append_train(store, store.create_run(attributes={"lr": 0.1}).handle, [0], [1.0])
    cases = [
        (per_run(x="lr", y="min.loss", kind="scatter"), 400, "attr.NAME"),
        (per_run(fields=["mean.loss"]), 400, "is not a column of a per-run dataset"),
        (per_run(fields=["min.nope"]), 400, "numeric fields are step, loss"),
        (per_run(fields=["attr.nope"]), 404, "no field named 'nope'"),
        (per_run(kind="scatter", x="attr.optimizer", y="min.loss"), 400,
         "x column 'attr.optimizer' is string"),
        (per_run(fields=["min.loss"], where=[{"field": "step", "equals": 1}]), 400,
         "use the filter"),
        ({**per_run(fields=["min.loss"]), "per_run": "yes"}, 400, "per_run must be true"),
        ({"series": "nope", "per_run": True}, 404, "no series named 'nope'"),
    ]
    for body, status, says in cases:
        assert says in error(http.post("/api/data", json=body), status), body
