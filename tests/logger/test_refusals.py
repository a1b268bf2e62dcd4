"""Refusals: each status retried, split or rejected as refusals.py says; no row lost."""

from __future__ import annotations

from pathlib import Path

import grpc
import numpy as np
import pytest

from streamvis import DataLogger, LoggerWarning, StreamvisError
from streamvis.cli import main
from streamvis.client import translate_error
from streamvis.logger import declare_schema, refusals
from streamvis.logger.batching import Kind, Record
from streamvis.logger.delivery import split_to_fit
from streamvis.logger.refusals import Action, classify
from streamvis.logger.spool import decode
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb
from tests.faults import report_fault
from tests.served import series_rows as query_rows

from .conftest import FIELDS, SERIES
from .fake_server import FakeServer
from .server import free_port

Code = grpc.StatusCode

#: Refusals that pass: the rows wait and go out once the server takes them.
PASSING = [
    (Code.UNAVAILABLE, "the server is restarting"),
    (Code.DEADLINE_EXCEEDED, "deadline exceeded"),
    (Code.ABORTED, "the transaction was aborted"),
    (Code.INTERNAL, "internal error"),
    (Code.UNKNOWN, "unexpected failure"),
    (Code.RESOURCE_EXHAUSTED, "the SQLite database x: database or disk is full: free disk space"),
    (Code.RESOURCE_EXHAUSTED, "PostgreSQL at y: could not extend file: free space or memory"),
    (Code.RESOURCE_EXHAUSTED, "too many wrong tokens from this address: wait 1 s, then retry"),
    (Code.UNAUTHENTICATED, "the token is wrong"),
]
#: Refusals of the request itself: set aside in rejected/, counted, reported.
FINAL = [
    (Code.INVALID_ARGUMENT, "field 'loss' is float; got string values"),
    (Code.NOT_FOUND, "series 'train' does not exist"),
    (Code.FAILED_PRECONDITION, "the run is being replaced"),
    (Code.ALREADY_EXISTS, "a different declaration holds that name"),
    (Code.RESOURCE_EXHAUSTED, "a string of 70000 characters; at most 65536 are accepted"),
]


class _Refusal(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def _as_client_sees(code: grpc.StatusCode, details: str) -> StreamvisError:
    return translate_error(_Refusal(code, details), "127.0.0.1:1")


def test_the_table_classifies_every_status() -> None:
    for code, details in PASSING:
        want = Action.ACCESS if code is Code.UNAUTHENTICATED else Action.RETRY
        assert classify(_as_client_sees(code, details)) is want, code
    for code, details in FINAL:
        assert classify(_as_client_sees(code, details)) is Action.REJECT, code
    too_large = _as_client_sees(
        Code.RESOURCE_EXHAUSTED, "Received message larger than max (1600042 vs. 1048576)"
    )
    assert classify(too_large) is Action.SPLIT
    assert refusals.request_limit(too_large) == 1048576
    assert classify(_as_client_sees(Code.PERMISSION_DENIED, "read-only")) is Action.ACCESS
    locked = _as_client_sees(Code.RESOURCE_EXHAUSTED, "too many wrong tokens: wait 6 s, then retry")
    assert refusals.retry_after(locked) == 6.0
    assert refusals.retry_after(too_large) is None


def test_split_keeps_order_and_gives_each_piece_its_own_key() -> None:
    req = pb.AppendToSeriesRequest(run="r", series="s", idempotency_key="k", writer="w")
    req.columns.add(field="f").floats = np.arange(1000, dtype="<f8").tobytes()
    req.columns.add(field="t").strings.values.extend(str(i) for i in range(1000))
    pieces = split_to_fit(Record(Kind.APPEND, req), 2000)
    assert len(pieces) > 1
    assert all(p.message.ByteSize() <= 2000 for p in pieces)
    floats = np.concatenate([np.frombuffer(p.message.columns[0].floats) for p in pieces])
    assert floats.tolist() == list(range(1000))
    texts = [v for p in pieces for v in p.message.columns[1].strings.values]
    assert texts == [str(i) for i in range(1000)]
    keys = [p.message.idempotency_key for p in pieces]
    assert len(set(keys)) == len(keys)
    # One suffix (the row range) however many halvings: the server takes 256 characters.
    assert all(k.count(".") == 1 and len(k) < 64 for k in keys)
    assert sum(p.rows for p in pieces) == 1000
    # Each piece renews the logger's writer lease on the run, as the whole would have.
    assert {(p.message.run, p.message.series, p.message.writer) for p in pieces} == {
        ("r", "s", "w")}
    # Split again (a resend from the spool): the same pieces, so the same keys.
    assert [p.message.idempotency_key for p in split_to_fit(Record(Kind.APPEND, req), 2000)] \
        == keys


def test_passing_refusals_are_retried_until_every_row_is_in(
    fake: FakeServer, spool: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The slow pace for a refused token (30 s) is what it is for; here it would only
    # make the test wait.
    monkeypatch.setattr("streamvis.logger.waiting._ACCESS_RETRY", 0.2)
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.02) as logger:
        assert logger.flush(timeout=10)
        step = 0
        for code, details in PASSING:
            fake.service.refuse = [(code, details), (code, details)]
            for _ in range(10):
                logger.write("train", step=step, loss=0.5)
                step += 1
            assert logger.flush(timeout=20), code
            assert not fake.service.refuse, code
    result = logger.stop()
    got = fake.service.rows(logger.run_handle, "train")["step"]
    assert got == list(range(step))
    report_fault(f"server refuses with each passing status in turn ({len(PASSING)})", step,
                 len(got))
    assert result
    assert (result.delivered, result.spooled, result.rejected) == (step, 0, 0)
    assert not (spool / str(logger.run_handle) / "rejected").exists()


def test_final_refusals_are_set_aside_counted_and_reported_once(
    fake: FakeServer, spool: Path
) -> None:
    logger = DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.02).start()
    assert logger.flush(timeout=10)
    step = 0
    for code, details in FINAL:
        # Two appends refused for the same reason: kept both, reported once.
        fake.service.refuse = [(code, details), (code, details)]
        for _ in range(3):
            logger.write("train", step=step, loss=0.5)
            step += 1
            logger._flush_wait(10)  # one append per write; the warning comes at flush()
        with pytest.warns(LoggerWarning) as caught:
            logger.flush(timeout=10)
        assert len(caught) == 1, [str(w.message) for w in caught]
        assert details in str(caught[0].message)
    result = logger.stop()
    assert not result
    assert (result.delivered, result.spooled, result.rejected) == (len(FINAL), 0, 2 * len(FINAL))
    kept = spool / str(logger.run_handle) / "rejected"
    records = sorted(kept.glob("*.rec"))
    assert len(records) == 2 * len(FINAL)
    steps = [
        np.frombuffer(decode(p.read_bytes(), 0).message.columns[0].ints, "<i8").tolist()
        for p in records
    ]
    delivered = fake.service.rows(logger.run_handle, "train")["step"]
    assert sorted(delivered + [s for one in steps for s in one]) == list(range(step))
    reasons = [Path(f"{p}.error.txt").read_text() for p in records]
    assert all(any(d in r for _, d in FINAL) for r in reasons)


def test_strict_stop_raises_on_a_rejection(fake: FakeServer, spool: Path) -> None:
    logger = DataLogger(uri=fake.uri, spool_dir=spool, flush_every=0.02, strict=True).start()
    assert logger.flush(timeout=10)
    fake.service.refuse = [(Code.INVALID_ARGUMENT, "bad column")]
    logger.write("train", step=1, loss=0.5)
    with pytest.raises(StreamvisError, match="bad column"):
        logger.stop()


def test_requests_over_the_servers_limit_are_split(tmp_path: Path, spool: Path) -> None:
    server = ServerProcess(str(tmp_path / "data"), max_request_mb=1).start()
    try:
        declare_schema(FIELDS, SERIES, uri=server.uri)
        with DataLogger(uri=server.uri, spool_dir=spool, flush_every=0.5) as logger:
            for i in range(20):
                logger.write("floats", f=np.full(100_000, float(i)))
        result = logger.stop()
        assert (result.delivered, result.spooled, result.rejected) == (2_000_000, 0, 0)
        got = query_rows(server.uri, logger.run_handle, "floats")["f"]
        assert got == [float(i) for i in range(20) for _ in range(100_000)]
        report_fault("requests over the server's limit (--max-request-mb 1)", 2_000_000,
                     len(got))
    finally:
        server.stop()


def test_sync_prints_rows_delivered_and_rejected(
    fake: FakeServer, spool: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"127.0.0.1:{free_port()}"
    logger = DataLogger(uri=dead, spool_dir=spool, flush_every=0.02).start()
    logger.write("train", step=np.arange(3), loss=np.zeros(3))
    assert not logger.flush(timeout=0.5)
    logger.write("ints", i=np.arange(4))
    with pytest.warns(LoggerWarning, match="streamvis sync"):
        left = logger.stop(timeout=0.5)
    assert (left.spooled, left.spooled_records) == (7, 3)  # the run's creation, 2 appends
    fake.service.refuse = [(Code.INVALID_ARGUMENT, "field 'i' is float now")]
    run_spool = str(spool / str(logger.run_handle))
    assert main(["sync", run_spool, "--uri", fake.uri]) == 0
    # The run's creation and the ints batch are sent; the train batch is refused.
    assert "sent 2 spooled batch(es): 4 row(s) delivered, 0 spooled, 3 rejected" in \
        capsys.readouterr().out
