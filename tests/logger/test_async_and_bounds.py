"""AsyncDataLogger, the memory bound, declaring a schema from code."""

from __future__ import annotations

import asyncio
import time
import uuid
import warnings
from pathlib import Path

import numpy as np
import pytest

from streamvis import AsyncDataLogger, DataLogger, LoggerWarning, declare_schema
from streamvis.client import Client
from streamvis.logger.declare import FieldDecl
from streamvis.model.errors import FailedPreconditionError
from tests.served import run_info as get_run
from tests.served import series_rows as query_rows

from .fake_server import FakeServer


def test_async_logger(uri: str, spool: Path) -> None:
    async def main() -> uuid.UUID:
        async with AsyncDataLogger(uri=uri, spool_dir=spool, tags=("async",),
                                   strict=True) as logger:
            for step in range(10):
                logger.write("train", step=step, loss=step * 0.5)
                await asyncio.sleep(0)
            logger.set_attributes(s="aio")
            assert await logger.flush(timeout=10)
            logger.write("train", step=10, loss=5.0)
        assert await logger.stop()  # stopping twice is harmless
        return logger.run_handle

    handle = asyncio.run(main())
    assert query_rows(uri, handle, "train")["step"] == list(range(11))
    run = get_run(uri, handle)
    assert run.tags == ("async",)
    assert run.attributes["s"] == "aio"


def test_async_logger_disabled() -> None:
    async def main() -> None:
        async with AsyncDataLogger(uri="127.0.0.1:1", disabled=True) as logger:
            logger.write("train", step=1, loss=1.0)
            assert await logger.flush()

    asyncio.run(main())


def test_pending_data_is_bounded(fake: FakeServer, spool: Path) -> None:
    bound = 200_000
    # The writer outruns the flusher here on purpose; that it says so is tested in
    # test_flusher.py.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "the server takes data more slowly", LoggerWarning)
        peak = _write_past_the_bound(fake, spool, bound)
    # flush_every is an hour: every append before stop() came from the size bound.
    assert fake.service.calls.count("AppendToSeries") > 5
    assert peak <= bound + 50_000


def _write_past_the_bound(fake: FakeServer, spool: Path, bound: int) -> int:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                    max_pending_bytes=bound) as logger:
        assert logger.flush(timeout=10)
        peak = 0
        for step in range(20_000):
            logger.write("train", step=step, loss=0.5)
            peak = max(peak, logger._written - logger._drained)
        for _ in range(50):
            logger.write("floats", f=np.zeros(5_000))  # 40 kB each
            peak = max(peak, logger._written - logger._drained)
    assert len(fake.service.rows(logger.run_handle, "train")["step"]) == 20_000
    assert len(fake.service.rows(logger.run_handle, "floats")["f"]) == 250_000
    return peak


def test_large_batches_are_split(fake: FakeServer, spool: Path) -> None:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                    max_batch_bytes=8_000) as logger:
        logger.write("floats", f=np.arange(5_000.0))
    assert fake.service.calls.count("AppendToSeries") == 5
    assert fake.service.rows(logger.run_handle, "floats")["f"] == list(np.arange(5_000.0))


def test_declare_schema_is_idempotent(uri: str) -> None:
    name = f"decl_{uuid.uuid4().hex[:8]}"
    fields: dict[str, FieldDecl] = {f"{name}_x": "float", f"{name}_n": ("int", "how many")}
    series = {name: [f"{name}_x", f"{name}_n"]}
    first = declare_schema(fields, series, uri=uri)
    assert len(first.created) == 3
    again = declare_schema(fields, series, uri=uri)
    assert again.created == []
    with pytest.raises(FailedPreconditionError, match="type never changes"):
        declare_schema({f"{name}_x": "int"}, uri=uri)
    with Client(uri) as client:
        assert {s.name: s.fields for s in client.series()}[name] == (f"{name}_x", f"{name}_n")


def test_declare_schema_and_logger_declare_name_a_series_x(uri: str, spool: Path) -> None:
    name = f"dx_{uuid.uuid4().hex[:8]}"
    t, wave = f"{name}_t", f"{name}_wave"
    fields: dict[str, FieldDecl] = {t: "float", wave: "int"}
    declare_schema(fields, {name: {"fields": [t, wave], "x": t}}, uri=uri)
    assert declare_schema(fields, {name: {"fields": [wave, t], "x": t}}, uri=uri).created == []
    with pytest.raises(FailedPreconditionError, match=r"and no x .* a series never changes"):
        declare_schema(fields, {name: [t, wave]}, uri=uri)
    # Through the logger's queue: applied before what is written after it.
    logged = f"{name}_logged"
    with DataLogger(uri=uri, spool_dir=spool) as logger:
        logger.declare(series={logged: {"fields": [t, wave], "x": t}})
        logger.write(logged, **{t: [0.5], wave: [1]})
    with Client(uri) as client:
        xs = {s.name: s.x for s in client.series()}
    assert (xs[name], xs[logged]) == (t, t)


def test_logger_declare_checks_writes_at_once(uri: str, spool: Path) -> None:
    name = f"ld_{uuid.uuid4().hex[:8]}"
    logger = DataLogger(uri=uri, spool_dir=spool)
    logger.declare({f"{name}_v": "bool"}, {name: [f"{name}_v"]})
    with logger:
        logger.write(name, **{f"{name}_v": [True, False]})
        with pytest.warns(LoggerWarning, match="is bool"):
            logger.write(name, **{f"{name}_v": 1})
    assert query_rows(uri, logger.run_handle, name) == {f"{name}_v": [True, False]}


def test_logger_declare_conflict_is_reported(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool) as logger:
        logger.declare({"step": "float"}, {})  # the server has step as int
        with pytest.warns(LoggerWarning, match="type never changes"):
            logger.flush(timeout=10)


def test_flush_returns_quickly_when_idle(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600) as logger:
        t0 = time.monotonic()
        assert logger.flush(timeout=10)
        assert time.monotonic() - t0 < 1.0
