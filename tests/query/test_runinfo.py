"""The data API's view of a run's capture (run_info, console, progress, system_metrics)
and `streamvis run HANDLE`, against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from streamvis import DataLogger
from streamvis.model import capture as cap
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.query import Connection
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def captured(server: ServerProcess) -> Iterator[uuid.UUID]:
    """One run logged with every capture on."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(cap.CAPTURE_ENV, "1")
        with DataLogger(server.uri, system_metrics=0.1) as logger:
            logger.log_config({"lr": 0.01, "model": {"depth": 3}})
            logger.log_text("notes", "x" * (cap.TEXT_PART + 10))
            for step in logger.progress(range(20), desc="train"):
                print(f"step {step} \x1b[32mok\x1b[0m")
            logger.eprint("a warning")
    yield logger.run_handle


def test_run_info_groups_attributes_and_joins_texts(sv: Connection, captured: uuid.UUID) -> None:
    info = sv.run_info(captured)
    assert info.run.handle == captured
    assert info.groups["config"] == {"config.lr": 0.01, "config.model.depth": 3}
    assert info.groups["command"]["command.executable"] == sys.executable
    assert "env.python" in info.groups["env"]
    assert info.texts["notes"] == "x" * (cap.TEXT_PART + 10)
    assert len(info.packages) == info.groups["env"]["env.packages"]
    assert {cap.CONSOLE_SERIES, cap.PROGRESS_SERIES, cap.SYSTEM_SERIES} <= set(info.series)
    text = info.format()
    assert "config.model.depth" in text
    assert f"run {captured}" in text
    started = dt.datetime.fromtimestamp(info.run.started_at, dt.UTC)
    assert f"started_at  {started:%Y-%m-%d %H:%M:%S} UTC" in text  # a date, not bare epoch seconds


def test_console_in_order_and_searchable(sv: Connection, captured: uuid.UUID) -> None:
    table = sv.console(captured)
    texts = table.column(cap.CONSOLE_TEXT).to_pylist()
    assert texts[:20] == [f"step {i} \x1b[32mok\x1b[0m" for i in range(20)]
    assert texts[-1] == "a warning"
    assert sv.console(captured, "WARNING").column(cap.CONSOLE_TEXT).to_pylist() == ["a warning"]
    hits = sv.console(captured, r"step 1\d ", regex=True).num_rows
    assert hits == 10
    with pytest.raises(InvalidArgumentError, match="regular expression"):
        sv.console(captured, "(", regex=True)


def test_progress_latest_and_all(sv: Connection, captured: uuid.UUID) -> None:
    latest = sv.progress(captured).to_pylist()
    assert len(latest) == 1
    assert latest[0][cap.PROGRESS_DONE] == 20
    assert latest[0][cap.PROGRESS_TOTAL] == 20
    assert latest[0]["eta"] == 0.0
    assert sv.progress(captured, latest=False).num_rows >= 2


def test_system_metrics(sv: Connection, captured: uuid.UUID) -> None:
    table = sv.system_metrics(captured)
    assert table.num_rows >= 1
    assert table.column("system.memory_used").to_pylist()[0] > 0
    assert sv.system_metrics(captured, gpu=True).column_names[:2] == ["run", "system.time"]


def test_an_unknown_run_is_refused_clearly(sv: Connection) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        sv.run_info(uuid.uuid4())


def test_cli_run_prints_the_capture(server: ServerProcess, captured: uuid.UUID) -> None:
    cmd = [sys.executable, "-m", "streamvis", "run", str(captured), "--uri", server.uri]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    assert "config.lr" in done.stdout
    assert "train: 20/20" in done.stdout
    assert "a warning" in done.stdout
    done = subprocess.run([*cmd, "--json"], capture_output=True, text=True, timeout=60,
                          check=True)
    doc = json.loads(done.stdout)
    assert doc["attributes"]["config"]["config.lr"] == 0.01
    assert doc["console"][-1] == {"stream": "stderr", "text": "a warning"}
