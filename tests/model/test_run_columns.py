"""The per-run table's rule (model/run_columns.py), which the web route and the data API
share: what names stand for, and which runs give rows in which order."""

from __future__ import annotations

import math
import uuid

import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.run_columns import build_run_table, column_names, run_column, summarized
from streamvis.model.run_summaries import FieldSummary, SeriesSummary
from streamvis.model.schema import Field, FieldType, Run, Series

FIELDS = {n: Field(uuid.uuid4(), n, FieldType.parse(t)) for n, t in [
    ("step", "int"), ("loss", "float"), ("phase", "string"), ("lr", "float")]}
TRAIN = Series("train", ("step", "loss", "phase"))


def test_names_expand_to_columns_in_order_each_once():
    assert column_names(TRAIN, FIELDS, None, ["lr"]) == [
        "rows", "last.step", "min.step", "max.step", "last.loss", "min.loss", "max.loss",
        "attr.lr"]
    assert column_names(TRAIN, FIELDS, ["run", "min.loss", "loss", "rows"], ["attr.lr", "lr"]) \
        == ["min.loss", "last.loss", "max.loss", "rows", "attr.lr"]
    with pytest.raises(InvalidArgumentError, match="numeric fields are step, loss"):
        column_names(TRAIN, FIELDS, ["phase"], [])


def test_runs_without_rows_or_an_attribute_are_left_out_and_the_rest_started_order():
    a, b, c, d = (uuid.UUID(int=i) for i in (4, 3, 2, 1))
    runs = [Run(a, 2.0, (), {"lr": 0.1}), Run(b, 1.0, (), {"lr": 0.2}),
            Run(c, 1.0, (), {}), Run(d, 1.0, (), {"lr": 0.3})]
    summaries = [
        SeriesSummary(a, "train", 2, {"loss": FieldSummary(1.0, 0.5, 2.0)}),
        SeriesSummary(b, "train", 1, {"loss": FieldSummary(math.nan, None, None)}),
        SeriesSummary(c, "train", 5, {"loss": FieldSummary(1.0, 1.0, 1.0)}),  # no lr
        SeriesSummary(d, "train", 0, {"loss": FieldSummary()}),  # no rows
    ]
    columns = [run_column(n, TRAIN, FIELDS) for n in ["attr.lr", "min.loss", "rows"]]
    assert summarized(columns) == ["loss"]
    t = build_run_table(columns, runs, summaries)
    assert t.schema == pa.schema([("run", pa.string()), ("attr.lr", pa.float64()),
                                  ("min.loss", pa.float64()), ("rows", pa.int64())])
    rows = t.to_pylist()
    assert [r["run"] for r in rows] == [str(b), str(a)]  # b started first
    assert math.isnan(rows[0]["min.loss"])  # every value NaN
    assert rows[1] == {"run": str(a), "attr.lr": 0.1, "min.loss": 0.5, "rows": 2}
