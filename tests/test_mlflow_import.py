"""`streamvis import-mlflow`: MLflow stores written by mlflow in the test (a file store
and a sqlite:// one), imported and read back from a real server value for value."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from mlflow.tracking import MlflowClient

import streamvis
from streamvis.cli.main import main
from streamvis.client import Client
from streamvis.mlflow_import import param_value, tracking_uri
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.schema import RunFilter
from tests.served import series_rows

# SQLAlchemy 2.1 deprecates a loader strategy MLflow's database store uses: MLflow's.
pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.usefixtures("private_cache"),
]

T0 = 1_790_000_000_000  # ms since the epoch, as MLflow keeps times


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3, to write one here


def _write_store(tracking: str) -> dict[str, Any]:
    """Two experiments, three runs; what was written, to compare against."""
    c = MlflowClient(tracking_uri=tracking)
    written: dict[str, Any] = {}
    for exp_name, runs in (("exp-a", ("first", "second")), ("exp-b", ("third",))):
        exp = c.create_experiment(exp_name)
        for n, name in enumerate(runs):
            run = c.create_run(exp, run_name=name, start_time=T0 + n * 1000,
                               tags={"team": "vision", "baseline": ""})
            rid = run.info.run_id
            c.log_param(rid, "lr", str(0.1 * (n + 1)))
            c.log_param(rid, "epochs", "10")
            c.log_param(rid, "optimizer", "adam")
            c.log_param(rid, "amp", "True")
            losses = [(s, 1 / (s + 1) + n, T0 + 10 * s) for s in range(5)]
            for step, value, ts in losses:
                c.log_metric(rid, "loss", value, timestamp=ts, step=step)
            c.log_metric(rid, "val/acc", 0.5 + n / 10, timestamp=T0 + 99, step=4)
            c.set_terminated(rid)
            written[rid] = {"name": name, "exp": exp_name, "n": n, "losses": losses}
    return written


def _check(uri: str, written: dict[str, Any], handles: list[str]) -> None:
    assert sorted(handles) == sorted(str(uuid.UUID(hex=rid)) for rid in written)
    with Client(uri) as client:
        runs = {str(r.handle): r for r in client.runs(RunFilter(
            handles=tuple(uuid.UUID(h) for h in handles)))}
    for rid, w in written.items():
        handle = str(uuid.UUID(hex=rid))
        n = w["n"]
        assert series_rows(uri, handle, "loss") == {
            "step": [s for s, _, _ in w["losses"]],
            "loss": [v for _, v, _ in w["losses"]],
            "wall_time": [ts / 1000 for _, _, ts in w["losses"]],
        }
        assert series_rows(uri, handle, "val/acc") == {
            "step": [4], "acc": [0.5 + n / 10], "wall_time": [(T0 + 99) / 1000]}
        with streamvis.connect(uri) as sv:  # each row's wall-clock time is MLflow's
            stamps = sv.fetch("loss", ["_time"], runs=[handle]).column("_time").to_pylist()
        assert stamps == pytest.approx([ts / 1000 for _, _, ts in w["losses"]], abs=1e-6)
        run = runs[handle]
        assert run.started_at == (T0 + n * 1000) / 1000
        assert set(run.tags) >= {w["name"], "team=vision", "baseline"}
        a = run.attributes
        assert a["config.lr"] == 0.1 * (n + 1)
        assert a["config.epochs"] == 10.0
        assert a["config.optimizer"] == "adam"
        assert a["config.amp"] is True
        assert a["mlflow.run_id"] == rid
        assert a["mlflow.experiment"] == w["exp"]
        assert a["mlflow.status"] == "FINISHED"
        assert a["mlflow.runName"] == w["name"]


def test_a_file_store_round_trips_and_a_second_import_replaces(
    uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "mlruns"
    written = _write_store(store.resolve().as_uri())
    for _ in range(2):  # the second import replaces the runs of the first: same handles
        assert main(["import-mlflow", str(store), "--uri", uri, "--json"]) == 0
        done = json.loads(capsys.readouterr().out)
        assert (done["params"], done["metrics"]) == (12, 18)
        _check(uri, written, done["runs"])
    with Client(uri) as client:
        found = client.runs(RunFilter(handles=tuple(uuid.UUID(h) for h in done["runs"])))
    assert len(found) == 3


def test_a_sqlite_store_round_trips(uri: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"
    written = _write_store(tracking)
    assert main(["import-mlflow", tracking, "--uri", uri]) == 0
    assert capsys.readouterr().out.startswith("imported 3 run(s)")
    _check(uri, written, [str(uuid.UUID(hex=rid)) for rid in written])


def test_params_are_numbers_bools_or_text() -> None:
    assert param_value("10") == 10.0
    assert param_value("1e-3") == 1e-3
    assert param_value("False") is False
    assert param_value("adam") == "adam"
    assert param_value("[1, 2]") == "[1, 2]"


def test_a_store_that_is_not_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="neither a tracking URI"):
        tracking_uri(str(tmp_path / "nope"))
    assert tracking_uri("sqlite:///x.db") == "sqlite:///x.db"
