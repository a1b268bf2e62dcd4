"""Token authentication of the gRPC service, against a real `streamvis serve` process.

Authentication does not touch the store, so these run on the embedded store only.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from tests.faults import report_fault

import streamvis
from streamvis import cli
from streamvis.client import Client
from streamvis.logger import sync_spool
from streamvis.model.errors import LoggerWarning, ResourceExhaustedError, UnauthenticatedError
from streamvis.model.limits import AUTH_FAILURE_BURST
from streamvis.testing import ServerProcess

TOKEN = "test-token-0123456789abcdef"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    location = str(tmp_path_factory.mktemp("auth"))
    with ServerProcess(location, extra_args=["--token", TOKEN]) as proc:
        yield proc


@pytest.fixture(autouse=True)
def _no_token_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMVIS_TOKEN", raising=False)


def test_a_call_without_the_token_is_refused(server: ServerProcess) -> None:
    with Client(server.uri) as client, pytest.raises(UnauthenticatedError, match="needs a token"):
        client.fields()


def test_a_wrong_token_is_refused_and_logged(server: ServerProcess) -> None:
    with Client(server.uri, token="x" * 26) as client, \
            pytest.raises(UnauthenticatedError, match="token is wrong"):
        client.create_field("refused", "float")
    assert "wrong token" in server.stderr()
    assert "127.0.0.1" in server.stderr()
    with Client(server.uri, token=TOKEN) as client:
        assert "refused" not in [f.name for f in client.fields()]


def test_the_token_from_an_argument_or_the_environment_is_accepted(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Client(server.uri, token=TOKEN) as client:
        client.create_field("by_argument", "float")
    monkeypatch.setenv("STREAMVIS_TOKEN", TOKEN)
    with Client(server.uri) as client:
        assert "by_argument" in [f.name for f in client.fields()]


def test_saved_plots_and_dashboards_need_the_token(server: ServerProcess) -> None:
    board = {"layout": "rows=p", "plots": ["p"]}
    with Client(server.uri) as client:
        for call in (client.plots, client.dashboards, lambda: client.dashboard("d"),
                     lambda: client.save_dashboard("d", board),
                     lambda: client.delete_dashboard("d")):
            with pytest.raises(UnauthenticatedError, match="needs a token"):
                call()
    with Client(server.uri, token=TOKEN) as client:
        assert "d" not in [d["name"] for d in client.dashboards()]


def test_streams_need_the_token(server: ServerProcess) -> None:
    with Client(server.uri) as client, pytest.raises(UnauthenticatedError):
        next(iter(client.watch()))
    with Client(server.uri) as client, pytest.raises(UnauthenticatedError):
        list(client.query("no_such_series"))


def test_health_and_reflection_stay_open(server: ServerProcess) -> None:
    with grpc.insecure_channel(server.uri) as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="streamvis.v1.Service"), timeout=10
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10
        )
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert "streamvis.v1.Service" in names


def test_logger_and_connect_take_the_token(server: ServerProcess, tmp_path: Path) -> None:
    with streamvis.DataLogger(server.uri, token=TOKEN, strict=True, spool_dir=tmp_path) as log:
        log.declare(fields={"auth_step": "int"}, series={"auth_s": ["auth_step"]})
        log.write("auth_s", auth_step=np.arange(5))
    with streamvis.connect(server.uri, token=TOKEN) as conn:
        assert "auth_s" in [s.name for s in conn.series()]
    with streamvis.connect(server.uri) as conn, pytest.raises(UnauthenticatedError):
        conn.series()


def test_spool_sync_takes_the_token_and_keeps_records_without_it(
    server: ServerProcess, tmp_path: Path
) -> None:
    # A logger whose server is away spools its batches.
    with Client(server.uri, token=TOKEN) as client:
        client.create_field("spooled_step", "int")
        client.create_series("spooled", ["spooled_step"])
    log = streamvis.DataLogger("127.0.0.1:1", spool_dir=tmp_path, rpc_timeout=0.5)
    log.start()
    log.write("spooled", spooled_step=np.arange(3))
    with pytest.warns(LoggerWarning, match="wait in the spool"):
        log.stop(timeout=5)
    spool = next(p for p in tmp_path.iterdir() if p.is_dir())
    pending = sorted(spool.glob("*"))
    assert pending, "the logger spooled nothing"
    with pytest.raises(UnauthenticatedError):
        sync_spool(spool, server.uri)
    assert not (spool / "rejected").exists(), "records must stay for a sync with the token"
    assert sync_spool(spool, server.uri, token=TOKEN) >= 2  # the run and its rows
    with Client(server.uri, token=TOKEN) as client:
        assert sum(c.batch.num_rows for c in client.query("spooled")) == 3


def test_a_logger_without_the_token_keeps_its_data_for_sync(
    server: ServerProcess, tmp_path: Path
) -> None:
    with Client(server.uri, token=TOKEN) as client:
        client.create_field("kept_step", "int")
        client.create_series("kept", ["kept_step"])
    log = streamvis.DataLogger(server.uri, spool_dir=tmp_path, flush_every=0.1)
    log.start()
    log.write("kept", kept_step=np.arange(4))
    with pytest.warns(LoggerWarning, match="wait in the spool"):
        assert not log.stop(timeout=3)
    spool = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert not (spool / "rejected").exists(), "refused for want of a token: nothing dropped"
    assert sync_spool(spool, server.uri, token=TOKEN) >= 2
    with Client(server.uri, token=TOKEN) as client:
        assert sum(c.batch.num_rows for c in client.query("kept")) == 4


def test_cli_commands_take_the_token(
    server: ServerProcess, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["fields", "--uri", server.uri]) == cli.EXIT_ERROR
    assert "needs a token" in capsys.readouterr().err
    assert cli.main(["create-field", "cli_field", "int", "--uri", server.uri,
                     "--token", TOKEN]) == 0
    monkeypatch.setenv("STREAMVIS_TOKEN", TOKEN)
    capsys.readouterr()
    assert cli.main(["fields", "--uri", server.uri, "--json"]) == 0
    assert "cli_field" in capsys.readouterr().out


def test_repeated_wrong_tokens_are_rate_limited(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as server:
        with Client(server.uri, token="w" * 20) as wrong:
            for _ in range(AUTH_FAILURE_BURST):
                with pytest.raises(UnauthenticatedError):
                    wrong.fields()
            with pytest.raises(ResourceExhaustedError, match="too many wrong tokens"):
                wrong.fields()
        # The right token is never locked out (issue 11): the lockout is the wrong one's.
        with Client(server.uri, token=TOKEN) as right:
            right.fields()
        assert "too many failed token attempts" in server.stderr()


def _guess(uri: str, token: str) -> type[Exception] | None:
    with Client(uri, token=token) as wrong:
        try:
            wrong.fields()
        except (UnauthenticatedError, ResourceExhaustedError) as exc:
            return type(exc)
    return None


def test_distinct_guesses_from_one_address_are_rate_limited(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as server:
        refusals = [_guess(server.uri, f"guess-{i:04d}-xxxxxxxxxxxx")
                    for i in range(AUTH_FAILURE_BURST + 1)]
        assert refusals == [UnauthenticatedError] * AUTH_FAILURE_BURST + [
            ResourceExhaustedError]
        # The web app counts its own attempts: gRPC guesses do not lock the login page.
        with httpx.Client(base_url=server.web_url, timeout=30) as http:
            assert http.post("/login", data={"token": "guess" * 4}).status_code == 401


def test_wrong_tokens_from_the_same_address_never_cost_a_logger_a_row(tmp_path: Path) -> None:
    """Issue 11: another process on the logger's address sends 11+ wrong tokens, then
    one every second; the logger with the right token loses nothing."""
    with ServerProcess(str(tmp_path), extra_args=["--token", TOKEN]) as server:
        done = threading.Event()
        refusals: list[type[Exception] | None] = []

        def attack() -> None:
            refusals.extend(_guess(server.uri, f"burst-{i:04d}-xxxxxxxxxxxx")
                            for i in range(AUTH_FAILURE_BURST + 2))
            while not done.wait(1.0):
                refusals.append(_guess(server.uri, "w" * 20))
                refusals.append(_guess(server.uri, f"late-{len(refusals)}-xxxxxxxxxxxx"))

        attacker = threading.Thread(target=attack)
        attacker.start()
        try:
            with streamvis.DataLogger(server.uri, token=TOKEN, strict=True, flush_every=0.1,
                                      spool_dir=tmp_path / "spool") as log:
                log.declare(fields={"step": "int"}, series={"s": ["step"]})
                for step in range(40):
                    log.write("s", step=np.arange(step * 100, (step + 1) * 100))
                    time.sleep(0.1)
                handle = log.run_handle
                with Client(server.uri, token=TOKEN) as right:
                    right.fields()  # mid-attack, the right token still answers
        finally:
            done.set()
            attacker.join()
        with Client(server.uri, token=TOKEN) as client:
            steps = [s for c in client.query("s") if c.run == handle
                     for s in c.batch.column("step").to_pylist()]
        assert sorted(steps) == list(range(4000))
        report_fault("wrong tokens from the logger's address (lockout abuse)", 4000,
                     len(steps))
        # ...while the guesses were throttled.
        assert ResourceExhaustedError in refusals
        assert None not in refusals


def _serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streamvis", "serve", "--data-dir", str(tmp_path / "d"),
         "--grpc-port", "0", "--http-port", "0", *args],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_listening_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    result = _serve(tmp_path, "--host", "0.0.0.0")  # noqa: S104 - the case under test
    assert result.returncode == cli.EXIT_ERROR
    assert "needs a token" in result.stderr
    assert "--no-auth" in result.stderr
    assert not (tmp_path / "d").exists(), "a refused start must not create the store"


def test_a_short_token_is_refused(tmp_path: Path) -> None:
    result = _serve(tmp_path, "--token", "short")
    assert result.returncode == cli.EXIT_ERROR
    assert "at least 16" in result.stderr


def test_no_auth_beyond_loopback_starts_with_a_warning(tmp_path: Path) -> None:
    with ServerProcess(str(tmp_path), host="0.0.0.0", extra_args=["--no-auth"]) as server:  # noqa: S104
        assert "WITHOUT authentication" in server.stderr()


def test_controls_need_the_token_over_grpc_and_http(server: ServerProcess) -> None:
    """Setting a control reaches into a running program: without the token, neither door
    takes it, and the value stays."""
    import httpx  # noqa: PLC0415

    from streamvis.model.controls import check_spec  # noqa: PLC0415

    with Client(server.uri, token=TOKEN) as client:
        run = client.create_run().handle
        client.declare_controls(run, [check_spec("stop", "toggle")])
    with Client(server.uri) as client, pytest.raises(UnauthenticatedError):
        client.set_control(run, "stop", value=True)
    with httpx.Client(base_url=server.web_url, timeout=10) as http:
        reply = http.put(f"/api/runs/{run}/controls/stop", json={"value": True})
        assert reply.status_code == 401
        authed = http.put(f"/api/runs/{run}/controls/stop", json={"value": True},
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert authed.json()["value"] is True
    with Client(server.uri, token=TOKEN) as client:
        assert [c.version for c in client.controls(run)] == [1]  # only the authorized set
