"""`streamvis import-tensorboard`: a log directory written by tensorboardX, read back
value for value from a real server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pytest
from tensorboardX import SummaryWriter as TbxWriter  # type: ignore[import-untyped]

import streamvis
from streamvis.cli.main import main
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import RunFilter
from streamvis.tb_import import event_dirs, read_records
from tests.served import series_rows

pytestmark = pytest.mark.usefixtures("private_cache")


def test_a_tensorboardx_logdir_round_trips(
    uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"tbx-{uuid.uuid4().hex[:8]}"
    logdir = tmp_path / name
    losses = [float(np.float32(1 / (s + 1))) for s in range(6)]  # event files keep float32
    with TbxWriter(logdir=str(logdir / "a")) as w:
        for s, v in enumerate(losses):
            w.add_scalar("train/loss", v, s)
        w.add_text("notes", "hello", 3)
        w.add_histogram("weights", np.arange(10.0), 1)
    with TbxWriter(logdir=str(logdir / "b")) as w:
        w.add_scalar("train/loss", 0.25, 7)
    assert main(["import-tensorboard", str(logdir), "--uri", uri, "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert len(done["runs"]) == 2
    assert (done["scalars"], done["texts"]) == (7, 1)
    assert done["skipped"] == {"histo": 1}
    a, b = done["runs"]
    assert series_rows(uri, a, "train/loss") == {"step": list(range(6)), "loss": losses}
    assert series_rows(uri, a, "notes") == {"step": [3], "notes": ["hello"]}
    assert series_rows(uri, b, "train/loss") == {"step": [7], "loss": [0.25]}
    with Client(uri) as client:
        (run,) = client.runs(RunFilter(handles=(uuid.UUID(a),)))
    assert run.attributes["tensorboard.log_dir"] == f"{name}/a"
    assert "a" in run.tags


def test_a_directory_without_event_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="holds no TensorBoard event files"):
        event_dirs(tmp_path)
    with pytest.raises(InvalidArgumentError, match="is not a directory"):
        event_dirs(tmp_path / "nope")


def test_a_truncated_last_record_is_left_out(tmp_path: Path) -> None:
    with TbxWriter(logdir=str(tmp_path)) as w:
        w.add_scalar("x", 1.0, 0)
    (path,) = tmp_path.glob("events.out.tfevents.*")
    whole = list(read_records(path))
    path.write_bytes(path.read_bytes()[:-3])
    assert list(read_records(path)) == whole[:-1]


def test_imported_runs_keep_their_start_and_each_rows_wall_time(
    uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Written "in 2020": the run's start and each row's `_time` are the events', not the
    # time of the import.
    t0 = 1_600_000_000.0
    with TbxWriter(logdir=str(tmp_path / "old" / "run")) as w:
        for s in range(3):
            w.add_scalar("loss", 1.0 / (s + 1), s, walltime=t0 + 10 * s)
        w.add_text("note", "hi", 2, walltime=t0 + 25)
    assert main(["import-tensorboard", str(tmp_path / "old"), "--uri", uri, "--json"]) == 0
    (handle,) = json.loads(capsys.readouterr().out)["runs"]
    with streamvis.connect(uri) as sv:
        (run,) = sv.runs(handles=[handle])
        loss = sv.fetch("loss", ["step", "_time", "_elapsed"], runs=[handle])
        note = sv.fetch("note", ["_time"], runs=[handle])
    assert run.started_at == pytest.approx(t0, abs=1e-3)  # the earliest event's
    assert loss.column("_time").to_pylist() == pytest.approx([t0, t0 + 10, t0 + 20], abs=1e-3)
    assert loss.column("_elapsed").to_pylist() == pytest.approx([0, 10, 20], abs=1e-3)
    assert note.column("_time").to_pylist() == pytest.approx([t0 + 25], abs=1e-3)
