"""logger.control against a real server: defaults at once, values set elsewhere arrive
without blocking, callbacks on the flusher thread, a read-only server refuses sets."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from streamvis.client import Client
from streamvis.logger import DataLogger
from streamvis.model.errors import InvalidArgumentError, PermissionDeniedError
from streamvis.testing import ServerProcess


def _until(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_values_set_from_outside_reach_the_program(tmp_path: Path) -> None:
    presses: list[tuple[str, object]] = []
    with ServerProcess(str(tmp_path / "data")) as server, Client(server.uri) as ui, \
            DataLogger(server.uri, spool_dir=tmp_path / "spool", flush_every=0.1,
                       strict=True) as logger:
        logger.control("lr", "slider", default=0.01, min=0.0, max=0.1)
        logger.control("stop", "button", on_change=lambda v: presses.append(
            (threading.current_thread().name, v)))
        logger.control("note", "text")
        assert logger.controls == {"lr": 0.01, "stop": 0, "note": ""}  # at once
        assert logger.flush()
        declared = {c.spec.name: c for c in ui.controls(logger.run_handle)}
        assert declared["lr"].spec.max == 0.1
        ui.set_control(logger.run_handle, "lr", 0.05)
        ui.set_control(logger.run_handle, "stop")
        _until(lambda: logger.controls["lr"] == 0.05 and logger.controls["stop"] == 1)
        _until(lambda: presses == [("streamvis-flusher", 1)])
        ui.set_control(logger.run_handle, "stop")
        _until(lambda: len(presses) == 2)
        assert presses[-1][1] == 2
        with pytest.raises(InvalidArgumentError, match="takes values in"):
            ui.set_control(logger.run_handle, "lr", 7)


def test_a_read_only_server_refuses_sets(tmp_path: Path) -> None:
    location = str(tmp_path / "data")
    with ServerProcess(location) as server, DataLogger(
            server.uri, spool_dir=tmp_path / "spool", strict=True) as logger:
        logger.control("go", "toggle")
        handle = logger.run_handle
    with ServerProcess(location, extra_args=["--read-only"]) as server, \
            Client(server.uri) as ui:
        with pytest.raises(PermissionDeniedError, match="read-only"):
            ui.set_control(handle, "go", value=True)
        assert [c.value for c in ui.controls(handle)] == [False]


def test_bad_controls_are_refused_at_once(tmp_path: Path) -> None:
    logger = DataLogger("127.0.0.1:1", spool_dir=tmp_path / "spool", strict=True)
    with pytest.raises(InvalidArgumentError, match="give one of"):
        logger.control("x", "dial")
    with pytest.raises(InvalidArgumentError, match="min < max"):
        logger.control("x", "slider", min=1.0, max=0.0)
    assert logger.controls == {}
