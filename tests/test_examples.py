"""The programs in examples/ run as their docstrings say, against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import streamvis
from streamvis.testing import ServerProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("examples-store"))) as s:
        yield s


def run_example(name: str, *args: str, tmp_path: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                            text=True, timeout=240, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_example(server, tmp_path):
    port = server.web_url.rstrip("/").rsplit(":", 1)[1]
    out = run_example("demo.py", "--uri", server.uri, "--http-port", port, "--steps", "4",
                      "--interval", "0", tmp_path=tmp_path)
    assert "dashboard: " in out
    with streamvis.connect(server.uri) as sv:
        runs = sv.runs(tags_any="demo")
        assert len(runs) == 1
        assert sv.fetch("demo-train", runs=runs).num_rows == 4


def test_torch_example_logs_loss_tensors(server, tmp_path):
    out = run_example("train_torch.py", "--uri", server.uri, "--steps", "60", "--lr", "1e-2",
                      tmp_path=tmp_path)
    assert "logged run " in out
    with streamvis.connect(server.uri) as sv:
        runs = sv.runs(tags_any="torch-example")
        assert [r.attributes for r in runs] == [{"lr": 1e-2, "hidden": 32}]
        table = sv.fetch("torch-train", runs=runs)
    assert table["step"].to_pylist() == list(range(60))
    loss = table["loss"].to_numpy()
    assert (table["grad_norm"].to_numpy() > 0).all()
    assert loss[-10:].mean() < loss[:10].mean()  # it learns


def test_capture_example_records_everything(server, tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMVIS_CAPTURE", "1")
    out = run_example("train_capture.py", "--uri", server.uri, "--epochs", "2",
                      "--steps", "30", tmp_path=tmp_path)
    handle = out.strip().splitlines()[-1].rsplit(" ", 1)[1]
    with streamvis.connect(server.uri) as sv:
        info = sv.run_info(handle)
        assert info.groups["config"]["config.args.epochs"] == 2
        assert info.groups["config"]["config.optimizer.lr"] == 0.05
        assert str(info.groups["command"]["command.argv"]).endswith("--steps 30")
        assert "git.commit" in info.groups["git"]
        assert info.groups["env"]["env.packages"] == len(info.packages) > 0
        lines = sv.console(handle).to_pylist()
        stdout = [r["console.text"] for r in lines if r["console.stream"] == "stdout"]
        stderr = [r["console.text"] for r in lines if r["console.stream"] == "stderr"]
        assert stdout[0].startswith("epoch 0: mean loss")
        assert stdout[2].split() == ["epoch", "mean", "loss", "w"]  # print_table's header
        assert stdout[-1] == f"logged run {handle}"
        assert "done; the weight should be near 3" in stderr
        assert any(t.startswith("epoch 1: 100%") for t in stderr)  # the bar's last draw
        bars = {b["progress.desc"]: b for b in sv.progress(handle).to_pylist()}
        assert bars["epoch 1"]["progress.done"] == 30
        assert bars["loading data"]["progress.total"] == -1
        assert sv.system_metrics(handle).num_rows >= 1
        steps = sv.fetch("capture-train", runs=[handle])["step"].to_pylist()
        assert [(a.name, a.step) for a in sv.artifacts(handle)] == [("model", 0), ("model", 1)]
        assert sv.load_artifact(handle, "model")["epoch"] == 1
        [lr] = sv.client.controls(handle)
        assert (lr.spec.name, lr.value, lr.spec.max) == ("lr", 0.05, 0.2)
    assert steps == list(range(60))  # the write while disabled is not there
