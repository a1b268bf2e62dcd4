"""Runs, tags and attributes; start/stop; disabled loggers; exit and fork."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pytest

from streamvis import DataLogger
from streamvis.client import Client
from streamvis.model.schema import RunFilter
from tests.served import run_info as get_run
from tests.served import series_rows as query_rows

from .fake_server import FakeServer


def test_new_run_with_tags_and_attributes(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, tags=("baseline", "v1"),
                    attributes={"f": 1e-3, "s": "resnet"}, strict=True) as logger:
        logger.set_attributes(i=4)
        logger.add_tags("later")
        logger.write("train", step=1, loss=0.5)
    run = get_run(uri, logger.run_handle)
    assert run.tags == ("baseline", "later", "v1")
    assert dict(run.attributes) == {"f": 1e-3, "s": "resnet", "i": 4}
    assert not spool.exists()  # nothing was spooled, and the empty spool is removed


def test_replace_run_deletes_the_earlier_one(uri: str, spool: Path) -> None:
    handle = uuid.uuid4()
    with DataLogger(uri=uri, spool_dir=spool, run_handle=handle, tags=("first",)) as first:
        first.write("train", step=[1, 2, 3], loss=0.5)
    assert query_rows(uri, handle, "train")["step"] == [1, 2, 3]
    with DataLogger(uri=uri, spool_dir=spool, run_handle=str(handle), tags=("second",)) as again:
        again.write("train", step=7, loss=0.25)
    assert again.run_handle == handle
    assert query_rows(uri, handle, "train") == {"step": [7], "loss": [0.25]}
    assert get_run(uri, handle).tags == ("second",)


def test_stop_with_nothing_written(uri: str, spool: Path) -> None:
    logger = DataLogger(uri=uri, spool_dir=spool).start()
    assert logger.flush(timeout=10)
    assert logger.stop(timeout=10)
    assert logger.stop()  # a second stop is harmless
    assert get_run(uri, logger.run_handle) is not None


def test_create_run_retried_after_lost_ack_is_success(fake: FakeServer, spool: Path) -> None:
    fake.service.lose_ack_next = 1  # CreateRun applies, then its reply is lost
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.05) as logger:
        logger.write("train", step=1, loss=1.0)
        assert logger.flush(timeout=20)
    assert fake.service.calls.count("CreateRun") == 2
    assert fake.service.rows(logger.run_handle, "train") == {"step": [1], "loss": [1.0]}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_disabled_logger_does_nothing(spool: Path) -> None:
    # Threads left by earlier tests may end during this one, so the check is that no thread
    # was started, not that the count is unchanged.
    before = set(threading.enumerate())
    logger = DataLogger(uri=f"127.0.0.1:{_closed_port()}", spool_dir=spool, disabled=True)
    with logger:
        logger.write("train", step=1, loss=0.5)
        logger.write("no such series", nonsense=object())
        logger.set_attributes(lr=1)
        logger.add_tags("x")
        logger.declare({"q": "int"}, {"qs": ["q"]})
        assert logger.flush(timeout=0)
        assert set(threading.enumerate()) <= before
    assert logger.stop(timeout=0)
    assert set(threading.enumerate()) <= before
    assert logger._client is None
    assert not spool.exists()


def test_flushed_at_exit_when_left_running(uri: str, tmp_path: Path) -> None:
    handle = uuid.uuid4()
    script = textwrap.dedent(f"""
        from streamvis import DataLogger
        logger = DataLogger(uri={uri!r}, run_handle={str(handle)!r}, flush_every=3600,
                            spool_dir={str(tmp_path / "spool")!r}).start()
        for step in range(100):
            logger.write("train", step=step, loss=step / 2)
        # no stop(): the atexit handler must flush
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert query_rows(uri, handle, "train")["step"] == list(range(100))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_gets_a_disabled_copy(uri: str, tmp_path: Path) -> None:
    # In a fresh interpreter: pytest's own process has jax's threads, which warn at fork.
    handle = uuid.uuid4()
    script = textwrap.dedent(f"""
        import os, threading
        from streamvis import DataLogger
        logger = DataLogger(uri={uri!r}, run_handle={str(handle)!r}, flush_every=3600,
                            spool_dir={str(tmp_path / "spool")!r}, strict=True)
        with logger:
            logger.write("train", step=1, loss=0.5)
            pid = os.fork()
            if pid == 0:
                # The child's copy: no flusher thread, every call a silent no-op, and its
                # exit (atexit included) must not flush the parent's data a second time.
                code = 0
                try:
                    assert logger.disabled
                    logger.write("train", step=99, loss=9.9)
                    logger.write("bad series", x=1)
                    logger.set_attributes(i=5)
                    assert logger.flush(timeout=1)
                    assert logger.stop(timeout=1)
                except BaseException as exc:
                    print("child failed:", repr(exc))
                    code = 1
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0, status
            logger.write("train", step=2, loss=1.0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert query_rows(uri, handle, "train")["step"] == [1, 2]


def test_ops_are_applied_in_program_order(fake: FakeServer, spool: Path) -> None:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        logger.write("train", step=1, loss=0.5)
        logger.add_tags("t1")
        logger.write("train", step=2, loss=0.5)
        logger.set_attributes(i=3)
    calls = [c for c in fake.service.calls if not c.startswith("List")]
    assert calls == ["CreateRun", "AppendToSeries", "AddRunTag", "AppendToSeries",
                     "SetRunAttributes"]


def test_runs_are_listed_by_client(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, tags=("listed",)) as logger:
        pass
    with Client(uri) as client:
        runs = client.runs(RunFilter(tags_all=("listed",)))
    assert logger.run_handle in [r.handle for r in runs]
