"""`streamvis export` against a real server: each format holds exactly what `fetch`
returns, the run filter and column choices apply, and a failed export writes nothing."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

import streamvis
from streamvis.cli import main
from streamvis.client import Client
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("export-store"))) as server, \
            Client(server.uri) as c:
        for name, kind in (("step", "int"), ("loss", "float"), ("phase", "string"),
                           ("lr", "float")):
            c.create_field(name, kind)
        c.create_series("train", ["step", "loss", "phase"])
        for i, tags in enumerate((["keep"], ["keep"], ["drop"])):
            run = c.create_run(tags=tags, attributes={"lr": 10.0 ** -(i + 2)})
            for part in range(3):  # several chunks per run
                steps = np.arange(part * 100, part * 100 + 100, dtype=np.int64)
                c.append(run.handle, "train", {
                    "step": steps, "loss": 1.0 / (1 + steps + i),
                    "phase": pa.array(["warmup" if s < 50 else "main" for s in steps]),
                })
        yield server.uri


def export(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sorted(table: pa.Table) -> pa.Table:
    # The run column is dictionary-encoded in fetch and parquet, plain in CSV: compare
    # the handles.
    i = table.schema.get_field_index("run")
    table = table.set_column(i, "run", table["run"].cast(pa.string()))
    return table.sort_by([("run", "ascending"), ("step", "ascending")])


@pytest.mark.parametrize("suffix", [".parquet", ".arrow", ".feather", ".csv"])
def test_each_format_holds_what_fetch_returns(uri, capsys, tmp_path, suffix):
    path = tmp_path / f"train{suffix}"
    code, out, err = export(capsys, "train", "-o", str(path), "--tag-any", "keep",
                            "--attributes", "lr", "--uri", uri)
    assert (code, err) == (0, "")
    assert out.strip() == f"wrote 600 rows of train to {path}"
    with streamvis.connect(uri) as sv:
        expected = sv.fetch("train", runs=sv.runs(tags_any=["keep"]), attributes=["lr"])
    if suffix == ".parquet":
        got = pq.read_table(path)
    elif suffix == ".csv":
        got = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            column_types={f.name: pa.string() if f.name == "run" else f.type
                          for f in expected.schema}))
    else:
        with pa.ipc.open_file(path) as reader:
            got = reader.read_all()
    assert got.column_names == ["run", "step", "loss", "phase", "lr"]
    assert _sorted(got).equals(_sorted(expected))


def test_fields_filters_and_json_output(uri, capsys, tmp_path):
    path = tmp_path / "lr.parquet"
    code, out, _ = export(capsys, "train", "-o", str(path), "--fields", "step, loss",
                          "--where", "lr=0.005..1", "--json", "--uri", uri)
    assert code == 0
    assert json.loads(out) == {"series": "train", "rows": 300, "file": str(path)}
    table = pq.read_table(path)
    assert table.column_names == ["run", "step", "loss"]
    assert len(set(table.column("run").to_pylist())) == 1
    # A filter that matches nothing writes an empty file with the right columns.
    code, out, _ = export(capsys, "train", "-o", str(path), "--tag-all", "keep",
                          "--tag-all", "drop", "--uri", uri)
    assert (code, out.strip()) == (0, f"wrote 0 rows of train to {path}")
    empty = pq.read_table(path)
    assert (empty.num_rows, empty.column_names) == (0, ["run", "step", "loss", "phase"])


def test_a_failed_export_leaves_files_as_they_were(uri, capsys, tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("earlier export\n")
    code, out, err = export(capsys, "nope", "-o", str(kept), "--uri", uri)
    assert code == 1 and out == ""
    assert "nope" in err and err.count("\n") == 1
    code, _, err = export(capsys, "train", "-o", str(kept), "--fields", "step,nope",
                          "--uri", uri)
    assert code == 1 and "nope" in err
    assert kept.read_text() == "earlier export\n"

    code, _, err = export(capsys, "train", "-o", str(tmp_path / "train.xlsx"), "--uri", uri)
    assert code == 1 and ".parquet, .csv, .arrow, .feather" in err
    code, _, err = export(capsys, "train", "-o", str(tmp_path / "no" / "t.csv"), "--uri", uri)
    assert code == 1 and "does not exist" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv"]  # no partial files


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask-022", "umask-077"])
def test_a_new_file_gets_the_mode_the_umask_allows(uri, capsys, tmp_path, umask):
    path = tmp_path / "train.csv"
    old = os.umask(umask)
    try:
        code, _, err = export(capsys, "train", "-o", str(path), "--uri", uri)
    finally:
        os.umask(old)
    assert (code, err) == (0, "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(uri, capsys, tmp_path):
    path = tmp_path / "train.parquet"
    path.write_text("earlier export\n")
    path.chmod(0o640)
    code, _, err = export(capsys, "train", "-o", str(path), "--uri", uri)
    assert (code, err) == (0, "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert pq.read_table(path).num_rows == 900
