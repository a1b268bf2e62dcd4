"""resume=True appends to a run; a replace while another logger writes deletes nothing."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from streamvis import AsyncDataLogger, DataLogger, LoggerWarning
from streamvis.model.errors import InvalidArgumentError, StreamvisError
from tests.faults import report_fault
from tests.served import run_info as get_run
from tests.served import series_rows as query_rows

from .server import free_port


def test_a_second_logger_resumes_where_the_first_stopped(uri: str, spool: Path) -> None:
    handle = uuid.uuid4()
    with DataLogger(uri=uri, spool_dir=spool, run_handle=handle, tags=("first",),
                    attributes={"s": "resnet", "i": 1}, strict=True) as first:
        first.write("train", step=[0, 1, 2], loss=0.5)
    with DataLogger(uri=uri, spool_dir=spool, run_handle=str(handle), resume=True,
                    tags=("second",), attributes={"i": 2}, strict=True) as second:
        second.write("train", step=[3, 4], loss=0.25)
        second.add_tags("later")
    assert second.run_handle == handle
    assert query_rows(uri, handle, "train") == {
        "step": [0, 1, 2, 3, 4], "loss": [0.5, 0.5, 0.5, 0.25, 0.25],
    }
    run = get_run(uri, handle)
    assert run.tags == ("first", "later", "second")
    # An attribute given again takes its new value; the others stay.
    assert dict(run.attributes) == {"s": "resnet", "i": 2}


def test_resume_of_an_absent_run_creates_it(uri: str, spool: Path) -> None:
    handle = uuid.uuid4()
    with DataLogger(uri=uri, spool_dir=spool, run_handle=handle, resume=True,
                    tags=("fresh",), strict=True) as logger:
        logger.write("train", step=1, loss=1.0)
    assert query_rows(uri, handle, "train") == {"step": [1], "loss": [1.0]}
    assert get_run(uri, handle).tags == ("fresh",)


def test_resume_needs_a_run_handle() -> None:
    with pytest.raises(InvalidArgumentError, match="resume=True needs the run_handle"):
        DataLogger(resume=True)


def test_async_logger_resumes(uri: str, spool: Path) -> None:
    handle = uuid.uuid4()

    async def log(steps: list[int], **kwargs: object) -> None:
        async with AsyncDataLogger(uri=uri, spool_dir=spool, run_handle=handle,
                                   strict=True, **kwargs) as logger:  # type: ignore[arg-type]
            logger.write("train", step=steps, loss=0.5)

    asyncio.run(log([0, 1]))
    asyncio.run(log([2], resume=True))
    assert query_rows(uri, handle, "train")["step"] == [0, 1, 2]


def _crashing_logger(uri: str, handle: uuid.UUID, spool: Path) -> None:
    """A job that logs rows 0..99, has them acknowledged, and dies without stopping."""
    script = textwrap.dedent(f"""
        import os
        from streamvis import DataLogger
        logger = DataLogger(uri={uri!r}, run_handle={str(handle)!r}, flush_every=3600,
                            spool_dir={str(spool)!r}, tags=("crashed",), strict=True).start()
        for step in range(100):
            logger.write("train", step=step, loss=1.0)
        assert logger.flush(timeout=30)
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_a_crashed_job_restarted_with_resume_keeps_what_it_logged(
    uri: str, tmp_path: Path
) -> None:
    handle = uuid.uuid4()
    _crashing_logger(uri, handle, tmp_path / "spool")
    assert query_rows(uri, handle, "train")["step"] == list(range(100))
    # The dead job never let go of the run, so a replace is refused for now, deleting
    # nothing; resuming it is what a restarted job does.
    with pytest.raises(StreamvisError, match="being written by another logger"), \
            DataLogger(uri=uri, spool_dir=tmp_path / "other", run_handle=handle,
                       strict=True) as replacer:
        assert replacer.run_handle == handle
    assert query_rows(uri, handle, "train")["step"] == list(range(100))
    with DataLogger(uri=uri, spool_dir=tmp_path / "spool", run_handle=handle, resume=True,
                    tags=("restarted",), strict=True) as restarted:
        restarted.write("train", step=list(range(100, 150)), loss=0.5)
    assert query_rows(uri, handle, "train")["step"] == list(range(150))
    assert get_run(uri, handle).tags == ("crashed", "restarted")


def test_a_replace_while_another_logger_writes_is_refused_and_deletes_nothing(
    uri: str, spool: Path
) -> None:
    handle = uuid.uuid4()
    first = DataLogger(uri=uri, spool_dir=spool / "a", run_handle=handle, strict=True).start()
    try:
        first.write("train", step=[0, 1, 2], loss=1.0)
        assert first.flush(timeout=30)
        second = DataLogger(uri=uri, spool_dir=spool / "b", run_handle=handle).start()
        second.write("train", step=100, loss=2.0)
        with pytest.warns(LoggerWarning, match="being written by another logger"):
            result = second.stop(timeout=30)
        # The refused replace is a rejected record (kept in rejected/, so stop() is
        # falsy); the row itself was delivered.
        assert (result.rejected_records, result.delivered, result.spooled) == (1, 1, 0)
        first.write("train", step=[3, 4], loss=1.0)
    finally:
        assert first.stop(timeout=30)
    # The first logger's rows are all there, in order; the refused logger's row was added
    # to the run rather than lost.
    assert query_rows(uri, handle, "train")["step"] == [0, 1, 2, 100, 3, 4]
    # Once the first logger stopped, replacing the run is what a handle alone does.
    with DataLogger(uri=uri, spool_dir=spool / "c", run_handle=handle, strict=True) as third:
        third.write("train", step=7, loss=0.25)
    assert query_rows(uri, handle, "train") == {"step": [7], "loss": [0.25]}


def test_a_resumed_logger_sends_what_the_crashed_one_left_in_the_spool_first(
    uri: str, tmp_path: Path
) -> None:
    spool, handle = tmp_path / "spool", uuid.uuid4()
    dead = f"127.0.0.1:{free_port()}"
    script = textwrap.dedent(f"""
        import os
        from streamvis import DataLogger
        logger = DataLogger(uri={dead!r}, run_handle={str(handle)!r}, resume=True,
                            flush_every=0.05, spool_dir={str(spool)!r}, tags=("one",))
        logger.start()
        for step in range(10):
            logger.write("train", step=step, loss=1.0)
        logger.flush(timeout=1)
        os._exit(3)  # the server was away and the job died: only the spool survives
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=60, check=False).returncode == 3
    assert sorted((spool / str(handle)).glob("*.rec"))
    with DataLogger(uri=uri, spool_dir=spool, run_handle=handle, resume=True,
                    tags=("two",), strict=True) as restarted:
        restarted.write("train", step=list(range(10, 15)), loss=0.5)
    got = query_rows(uri, handle, "train")["step"]
    assert got == list(range(15))
    report_fault("job killed with its server away, restarted with resume=True", 15, len(got))
    assert get_run(uri, handle).tags == ("one", "two")
    assert not (spool / str(handle)).exists()
