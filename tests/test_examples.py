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
