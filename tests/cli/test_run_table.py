"""`streamvis run-table` against a real server: the per-run table as a table to read,
CSV and JSON, narrowed by the run options; bad names are one-line errors."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator

import numpy as np
import pytest

from streamvis.cli import main
from streamvis.client import Client
from streamvis.model.schema import Run
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("run-table-store"))) as server:
        yield server.uri


@pytest.fixture(scope="module")
def runs(uri: str) -> list[Run]:
    with Client(uri) as c:
        for name, kind in [("step", "int"), ("loss", "float"), ("lr", "float")]:
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss"])
        a = c.create_run(tags=["sweep"], attributes={"lr": 0.01}, started_at=1.0)
        b = c.create_run(attributes={"lr": 0.1}, started_at=2.0)
        c.append(a.handle, "train", {"step": np.arange(3), "loss": np.array([3.0, 1.0, 2.0])})
        c.append(b.handle, "train", {"step": np.arange(2), "loss": np.array([math.nan] * 2)})
        return [a, b]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_table_to_read(uri, runs, capsys):
    code, out, _ = run(capsys, "run-table", "train", "--field", "min.loss", "--field", "rows",
                       "--attr", "lr", "--uri", uri)
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert lines == [["run", "min.loss", "rows", "attr.lr"],
                     [str(runs[0].handle), "1", "3", "0.01"],
                     [str(runs[1].handle), "NaN", "2", "0.1"]]


def test_csv_with_every_summary_by_default(uri, runs, capsys):
    code, out, _ = run(capsys, "run-table", "train", "--format", "csv", "--uri", uri)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["run", "rows", "last.step", "min.step", "max.step",
                             "last.loss", "min.loss", "max.loss"]
    assert rows[0]["run"] == str(runs[0].handle)
    assert (rows[0]["last.loss"], rows[0]["min.loss"], rows[0]["max.loss"]) == ("2", "1", "3")
    assert rows[1]["rows"] == "2"


def test_json_and_the_run_options(uri, runs, capsys):
    code, out, _ = run(capsys, "run-table", "train", "--field", "loss", "--tag-any", "sweep",
                       "--format", "json", "--uri", uri)
    assert code == 0
    assert json.loads(out) == [{"run": str(runs[0].handle), "last.loss": 2.0,
                                "min.loss": 1.0, "max.loss": 3.0}]
    code, out, _ = run(capsys, "run-table", "train", "--field", "max.loss", "--run",
                       str(runs[1].handle)[:8], "--json", "--uri", uri)
    assert json.loads(out) == [{"run": str(runs[1].handle), "max.loss": None}]  # NaN


def test_bad_names_are_one_line_errors(uri, runs, capsys):  # noqa: ARG001
    for argv, says in [
        (["--field", "mean.loss"], "is not a column of a per-run dataset"),
        (["--attr", "nope"], "no field named 'nope'"),
    ]:
        code, out, err = run(capsys, "run-table", "train", *argv, "--uri", uri)
        assert (code, out) == (1, "")
        assert err.startswith("streamvis run-table: error: ") and says in err
        assert err.count("\n") == 1
