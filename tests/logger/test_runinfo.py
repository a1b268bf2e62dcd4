"""Run capture end to end, against the real server: command, git, environment, config,
console, print/eprint/print_table, progress, system metrics, disable/enable."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
import uuid
from pathlib import Path

import pytest

from streamvis.logger import AsyncDataLogger, DataLogger
from streamvis.logger.console import Tee
from streamvis.logger.runinfo import flatten, format_table
from streamvis.model import capture as cap
from tests.served import run_info as get_run
from tests.served import series_rows as query_rows

from .fake_server import FakeServer
from .server import ServerProcess, free_port


@pytest.fixture
def capture_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cap.CAPTURE_ENV, "1")


def _texts(uri: str, run: uuid.UUID) -> dict[str, str]:
    rows = query_rows(uri, run, cap.CAPTURE_SERIES)
    parts: dict[str, list[tuple[int, str]]] = {}
    for key, part, text in zip(rows[cap.CAPTURE_KEY], rows[cap.CAPTURE_PART],
                               rows[cap.CAPTURE_TEXT], strict=True):
        parts.setdefault(key, []).append((part, text))
    return {k: "".join(t for _, t in sorted(v)) for k, v in parts.items()}


@pytest.mark.usefixtures("capture_on")
def test_a_logger_captures_command_git_and_environment(uri: str) -> None:
    with DataLogger(uri, console=False) as logger:
        pass
    run = get_run(uri, logger.run_handle)
    a = run.attributes
    assert a["command.argv"]
    assert a["command.executable"] == sys.executable
    assert a["env.python"].count(".") == 2
    assert a["env.packages"] > 10
    assert "git.commit" in a  # the tests run in the project's git work tree
    texts = _texts(uri, logger.run_handle)
    assert len(texts[cap.TEXT_PACKAGES].splitlines()) == a["env.packages"]


def test_capture_is_off_with_capture_false_and_by_the_env_variable(uri: str) -> None:
    with DataLogger(uri) as logger:  # tests/conftest.py sets STREAMVIS_CAPTURE=0
        pass
    names = get_run(uri, logger.run_handle).attributes
    assert not any(k.startswith((cap.COMMAND, cap.ENV)) for k in names)


@dataclasses.dataclass
class Optim:
    lr: float = 0.1
    name: str = "adam"


@dataclasses.dataclass
class Config:
    epochs: int = 3
    optim: Optim = dataclasses.field(default_factory=Optim)
    layers: tuple[int, ...] = (4, 8)
    amp: bool = False


def test_flatten_takes_namespaces_dicts_and_dataclasses() -> None:
    assert flatten(Config(), "config") == {
        "config.epochs": 3, "config.optim.lr": 0.1, "config.optim.name": "adam",
        "config.layers": "[4, 8]", "config.amp": False,
    }
    ns = argparse.Namespace(lr=1e-3, extra={"depth": 2}, path=None)
    assert flatten(ns) == {"lr": 1e-3, "extra.depth": 2, "path": "None"}


def test_flatten_takes_omegaconf_configs_resolved() -> None:
    omegaconf = pytest.importorskip("omegaconf")  # a dev dependency (pyproject.toml)
    cfg = omegaconf.OmegaConf.create({"model": {"width": 64, "depth": "${.width}"},
                                      "tags": ["a", "b"], "amp": True})
    assert flatten(cfg, "config") == {
        "config.model.width": 64, "config.model.depth": 64,
        "config.tags": "['a', 'b']", "config.amp": True,
    }


def test_log_config_stores_typed_attributes(uri: str) -> None:
    with DataLogger(uri) as logger:
        logger.log_config(Config())
        logger.log_config({"seed": 7, "data": {"name": "mnist"}})
    a = get_run(uri, logger.run_handle).attributes
    assert a["config.epochs"] == 3
    assert a["config.optim.lr"] == 0.1
    assert a["config.optim.name"] == "adam"
    assert a["config.amp"] is False
    assert a["config.seed"] == 7
    assert a["config.data.name"] == "mnist"
    # A later run whose value for an existing float field is an int: widened, kept.
    with DataLogger(uri) as second:
        second.log_config({"optim": {"lr": 1}})
    assert get_run(uri, second.run_handle).attributes["config.optim.lr"] == 1.0


def test_a_config_reaches_a_server_without_create_fields(fake: FakeServer, spool: Path) -> None:
    # The fake predates CreateFields (gRPC answers UNIMPLEMENTED): the declaration of the
    # config's new fields falls back to one CreateField each, and every key arrives.
    config = {f"layer{i}": {"width": 8 * i, "act": "gelu"} for i in range(5)}
    with DataLogger(uri=fake.uri, spool_dir=spool, capture=False) as logger:
        logger.log_config(config)
    assert fake.service.calls.count("CreateField") == 10
    attributes = fake.service.runs[str(logger.run_handle)].attributes
    assert {k: v.WhichOneof("kind") for k, v in attributes.items()} == {
        **{f"config.layer{i}.width": "int_value" for i in range(5)},
        **{f"config.layer{i}.act": "string_value" for i in range(5)}}


@pytest.mark.usefixtures("capture_on")
def test_console_lines_are_teed_collapsed_and_in_order(
    uri: str, capsys: pytest.CaptureFixture[str],
) -> None:
    with DataLogger(uri) as logger:
        print("first")
        print("\x1b[31mred\x1b[0m")
        sys.stdout.write("10%\r50%\r100%\n")
        print("to stderr", file=sys.stderr)
        logger.print("a", 1, sep="-")
        logger.eprint("oops")
        logger.print_table([["a", 1.5], ["bb", 10]], headers=["name", "value"])
        sys.stdout.write("no newline")
    out = capsys.readouterr()
    assert out.out.startswith("first\n\x1b[31mred\x1b[0m\n10%\r50%\r100%\na-1\n")
    assert "oops\n" in out.err
    rows = query_rows(uri, logger.run_handle, cap.CONSOLE_SERIES)
    assert rows[cap.CONSOLE_LINE] == list(range(len(rows[cap.CONSOLE_LINE])))
    lines = list(zip(rows[cap.CONSOLE_STREAM], rows[cap.CONSOLE_TEXT], strict=True))
    assert lines[:6] == [
        ("stdout", "first"), ("stdout", "\x1b[31mred\x1b[0m"), ("stdout", "100%"),
        ("stderr", "to stderr"), ("stdout", "a-1"), ("stderr", "oops"),
    ]
    assert [t for _, t in lines[6:10]] == format_table(
        [["a", 1.5], ["bb", 10]], ["name", "value"]).splitlines()
    assert lines[-1] == ("stdout", "no newline")
    assert not isinstance(sys.stdout, Tee)


def test_print_logs_without_the_tee(uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    with DataLogger(uri) as logger:
        print("not logged")
        logger.print("logged")
    assert capsys.readouterr().out == "not logged\nlogged\n"
    rows = query_rows(uri, logger.run_handle, cap.CONSOLE_SERIES)
    assert rows[cap.CONSOLE_TEXT] == ["logged"]


def test_format_table_aligns_numbers_right() -> None:
    assert format_table([["a", 1], ["bbb", 22]], ["k", "v"]).splitlines() == [
        "k     v", "---  --", "a     1", "bbb  22",
    ]


def test_disable_makes_writes_no_ops_until_enable(uri: str) -> None:
    with DataLogger(uri) as logger:
        logger.write("train", step=0, loss=0.0)
        logger.disable()
        assert not logger.enabled
        logger.write("train", step=1, loss=1.0)
        logger.set_attributes(i=5)
        logger.enable()
        logger.write("train", step=2, loss=2.0)
    assert query_rows(uri, logger.run_handle, "train")["step"] == [0, 2]
    assert "i" not in get_run(uri, logger.run_handle).attributes


def test_progress_logs_done_total_and_rate(uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    with DataLogger(uri) as logger:
        assert list(logger.progress(range(50), desc="epoch")) == list(range(50))
        with logger.spinner("load") as spin:
            spin.update(3)
    assert "epoch" in capsys.readouterr().err
    rows = query_rows(uri, logger.run_handle, cap.PROGRESS_SERIES)
    epoch = [i for i, d in enumerate(rows[cap.PROGRESS_DESC]) if d == "epoch"]
    assert rows[cap.PROGRESS_DONE][epoch[0]] == 0
    assert rows[cap.PROGRESS_DONE][epoch[-1]] == 50
    assert {rows[cap.PROGRESS_TOTAL][i] for i in epoch} == {50}
    load = [i for i, d in enumerate(rows[cap.PROGRESS_DESC]) if d == "load"]
    assert rows[cap.PROGRESS_DONE][load[-1]] == 3
    assert rows[cap.PROGRESS_TOTAL][load[-1]] == -1


def test_system_metrics_are_sampled(uri: str) -> None:
    # Every 0.2 s; waited for rather than slept on, so a loaded machine (the sampler's
    # first psutil import takes a while) does not make a sample late enough to fail.
    deadline = time.monotonic() + 30
    with DataLogger(uri, system_metrics=0.2) as logger:
        while time.monotonic() < deadline:
            time.sleep(0.2)
            assert logger.flush()
            if len(query_rows(uri, logger.run_handle, cap.SYSTEM_SERIES).get(
                    "system.time", [])) >= 2:
                break
    rows = query_rows(uri, logger.run_handle, cap.SYSTEM_SERIES)
    assert len(rows["system.time"]) >= 2
    assert all(0 <= p <= 100 for p in rows["system.memory_percent"])
    assert all(m > 0 for m in rows["system.memory_used"])


@pytest.mark.usefixtures("capture_on")
def test_the_async_logger_captures_too(uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> uuid.UUID:
        async with AsyncDataLogger(uri) as logger:
            logger.log_config(argparse.Namespace(batch=32))
            print("from asyncio")
            for _ in logger.progress(range(3), desc="async"):
                await asyncio.sleep(0)
        return logger.run_handle

    handle = asyncio.run(main())
    assert "from asyncio\n" in capsys.readouterr().out
    run = get_run(uri, handle)
    assert run.attributes["config.batch"] == 32
    assert "env.python" in run.attributes
    rows = query_rows(uri, handle, cap.CONSOLE_SERIES)
    stdout = [t for s, t in zip(rows[cap.CONSOLE_STREAM], rows[cap.CONSOLE_TEXT], strict=True)
              if s == "stdout"]
    assert stdout == ["from asyncio"]
    bars = query_rows(uri, handle, cap.PROGRESS_SERIES)
    assert bars[cap.PROGRESS_DONE][-1] == 3


@pytest.mark.usefixtures("capture_on")
def test_capture_while_the_server_is_away_arrives_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    uri = f"127.0.0.1:{port}"
    spool = tmp_path / "spool"
    logger = DataLogger(uri=uri, spool_dir=spool, flush_every=0.05).start()
    logger.log_config({"lr": 0.5, "name": "offline"})
    print("printed while away")
    for _ in logger.progress(range(4), desc="away"):
        pass
    assert not logger.flush(timeout=1.0)  # nobody answers: it waits in the spool
    server = ServerProcess(tmp_path / "data", port=port).start()
    try:
        assert logger.stop(timeout=60)
        capsys.readouterr()
        run = get_run(uri, logger.run_handle)
        assert run.attributes["config.lr"] == 0.5
        assert run.attributes["config.name"] == "offline"
        assert "env.python" in run.attributes
        texts = query_rows(uri, logger.run_handle, cap.CONSOLE_SERIES)[cap.CONSOLE_TEXT]
        assert "printed while away" in texts
        done = query_rows(uri, logger.run_handle, cap.PROGRESS_SERIES)[cap.PROGRESS_DONE]
        assert done[-1] == 4
        assert _texts(uri, logger.run_handle)[cap.TEXT_PACKAGES]
    finally:
        server.stop()


@pytest.mark.usefixtures("capture_on")
def test_loggers_starting_together_on_a_new_server_all_capture(tmp_path: Path) -> None:
    """A sweep's loggers declare the capture fields and series at the same moment: each
    create that loses the race takes what the winner made (found running `demo --runs 2`:
    'series capture exists already' and 'env.hostname names no field' were rejected)."""
    import threading  # noqa: PLC0415

    server = ServerProcess(tmp_path / "data").start()
    try:
        start = threading.Barrier(4)
        deliveries: list[object] = []
        handles: list[uuid.UUID] = []

        def one() -> None:
            start.wait()
            logger = DataLogger(uri=server.uri, console=False, flush_every=0.05,
                                spool_dir=tmp_path / f"spool-{threading.get_ident()}")
            with logger:
                handles.append(logger.run_handle)
            deliveries.append(logger.stop())

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(deliveries) == 4
        assert all(deliveries), deliveries  # nothing rejected, spooled or unsaved
        for handle in handles:
            attributes = get_run(server.uri, handle).attributes
            assert "env.hostname" in attributes
            assert "command.argv" in attributes
    finally:
        server.stop()
