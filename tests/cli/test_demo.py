"""`streamvis demo` against real servers: the data lands, Ctrl-C stops it cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

import streamvis
from streamvis.checks.plot_specs import check_plot_spec
from streamvis.cli.demo import (
    CLASSES,
    CLOUD_POINTS,
    EXPECTED,
    PREDICTIONS,
    WAVES,
    WEIGHTS,
    declared_series,
    plot_specs,
)
from streamvis.cli.local_server import reachable_url, server_answers, split_uri
from streamvis.client import Client
from streamvis.model.schema import Run, Series
from streamvis.testing import ServerProcess

DEMO = [sys.executable, "-m", "streamvis", "demo", "--interval", "0"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("demo-store"))) as s:
        yield s


def web_port(server: ServerProcess) -> str:
    return server.web_url.rstrip("/").rsplit(":", 1)[1]


def spool_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*DEMO, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=spool_env(tmp_path), cwd=tmp_path,
    )


def end(proc: subprocess.Popen[str]) -> None:
    """Kill it if it still runs, reap it and close its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def read_until(proc: subprocess.Popen[str], pattern: str, timeout: float = 60) -> list[str]:
    """The lines the demo printed, up to the first that matches `pattern`."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"the demo ended before printing {pattern!r}: {lines} "
                        f"{proc.stderr.read() if proc.stderr else ''}")
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    pytest.fail(f"the demo printed no {pattern!r} within {timeout} s: {lines}")


def demo_runs(uri: str, handles: set[str] | None = None) -> list[Run]:
    with streamvis.connect(uri) as sv:
        runs = sv.runs(tags_any="demo")
    return [r for r in runs if handles is None or str(r.handle) in handles]


def plot_handles(web_url: str) -> set[str]:
    with urllib.request.urlopen(f"{web_url}api/plots/demo-loss") as reply:  # noqa: S310
        spec = json.load(reply)
    return set(spec["datasets"][0]["filter"]["handles"])


@pytest.mark.parametrize("mode", [[], ["--async"]], ids=["sync", "async"])
def test_demo_logs_every_series_to_a_running_server(server, tmp_path, mode):
    result = subprocess.run(
        [*DEMO, *mode, "--uri", server.uri, "--http-port", web_port(server),
         "--steps", "25", "--runs", "2"],
        capture_output=True, text=True, timeout=120, env=spool_env(tmp_path), check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"dashboard: {server.web_url}?rows=demo-loss,demo-waves;demo-cloud" in result.stdout
    assert "started a server" not in result.stdout  # it used the one that was there
    with urllib.request.urlopen(f"{server.web_url}api/dashboards/demo") as reply:  # noqa: S310
        board = json.load(reply)
    assert board["layout"] == "rows=demo-loss,demo-waves;demo-cloud&height=1,1"
    assert board["plots"] == ["demo-loss", "demo-waves", "demo-cloud"]
    handles = plot_handles(server.web_url)
    runs = demo_runs(server.uri, handles)
    assert len(runs) == 2
    by_lr = sorted(runs, key=lambda r: r.attributes["lr"])
    assert [r.attributes["optimizer"] for r in by_lr] == ["adam", "sgd"]
    for r in runs:
        assert set(r.tags) == {"demo", "sweep", "finished"}
        assert float(r.attributes["best_loss"]) > 0
    with streamvis.connect(server.uri) as sv:
        train = sv.fetch("demo-train", runs=runs, attributes=["lr"]).to_pandas()
        waves = sv.fetch("demo-waves", runs=runs)
        cloud = sv.fetch("demo-cloud", runs=runs)
    assert sorted(train.groupby("run")["step"].apply(list).tolist()) == [list(range(25))] * 2
    assert (train["loss"] > 0).all()
    assert waves.num_rows == 2 * 25 * WAVES
    assert sorted(set(waves["wave"].to_pylist())) == list(range(WAVES))
    with Client(server.uri) as c:  # drawn against its time, not its wave number
        assert {x.name: x.x for x in c.series()}["demo-waves"] == "t"
    assert cloud.num_rows == 2 * 2 * CLOUD_POINTS  # snapshots at steps 0 and 20, per run
    assert len(set(cloud["angle"].to_pylist())) == 2
    # Weights and predictions every WEIGHTS_EVERY steps: 0, 5, ..., 20; their plots draw.
    with streamvis.connect(server.uri) as sv:
        weights = sv.fetch("demo-weights", runs=runs)
        preds = sv.fetch("demo-preds", runs=runs)
    assert weights.num_rows == 2 * 5 * WEIGHTS
    assert preds.num_rows == 2 * 5 * PREDICTIONS
    assert set(preds["label"].to_pylist()) <= set(range(CLASSES))
    assert "histograms, heatmap and 3-D: " in result.stdout
    with urllib.request.urlopen(f"{server.web_url}api/dashboards/demo-kinds") as reply:  # noqa: S310
        assert json.load(reply)["plots"] == ["demo-weights", "demo-confusion", "demo-cloud3d"]
    assert "images, audio and text: " in result.stdout
    with urllib.request.urlopen(f"{server.web_url}api/dashboards/demo-media") as reply:  # noqa: S310
        assert json.load(reply)["plots"] == ["demo-samples", "demo-audio", "demo-text"]
    with streamvis.connect(server.uri) as sv:
        cloud3d = sv.fetch("demo-cloud3d", runs=runs)
    assert cloud3d.num_rows == 2 * 2 * CLOUD_POINTS
    # The same points per run; the runs' chunks may interleave in another order in each
    # series (rows come in the order stored, and --async logs the runs' series apart).
    def by_run(t):
        out: dict[str, list[float]] = {}
        for run, x in zip(t["run"].to_pylist(), t["x"].to_pylist(), strict=True):
            out.setdefault(str(run), []).append(x)
        return out

    assert by_run(cloud3d) == by_run(cloud)
    run_ids = [str(r.handle) for r in runs]
    body = json.dumps({"series": "demo-weights", "kind": "histogram", "x": "weight",
                       "t": "step", "bins": 60, "filter": {"handles": run_ids}})
    request = urllib.request.Request(  # noqa: S310 - the test server's http URL
        f"{server.web_url}api/data", data=body.encode(),
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as reply:  # noqa: S310
        counts = pa.ipc.open_stream(reply.read()).read_all()
    assert counts.column("count").to_numpy().sum() == 2 * 5 * WEIGHTS
    assert sorted(set(counts.column("t_low").to_pylist())) == [-0.5, 4.5, 9.5, 14.5, 19.5]
    # Media at step 0: an image with two boxes, a text beside the expected one, a clip.
    with streamvis.connect(server.uri) as sv:
        samples = sv.fetch("demo-samples", runs=runs).to_pylist()
        boxes = sv.fetch("demo-samples.boxes", runs=runs).to_pylist()
        texts = sv.fetch("demo-text", runs=runs).to_pylist()
        clips = sv.fetch("demo-audio", runs=runs).to_pylist()
        image = sv.media(samples[0]["sample"], as_="numpy")
    assert [s["step"] for s in samples] == [0, 0]
    assert image.shape == (64, 64, 3)
    red = boxes[0]
    assert red["box.label"] == "red disc"
    disc = image[int(red["box.y0"]) + 2:int(red["box.y1"]) - 1,
                 int(red["box.x0"]) + 2:int(red["box.x1"]) - 1]
    assert (disc == [230, 80, 60]).all(axis=-1).mean() > 0.6  # the box holds the disc
    assert len(boxes) == 4
    assert texts[0]["expected"] == EXPECTED and texts[0]["generated"] != EXPECTED
    assert clips[0]["clip"]["duration"] == 0.25


def test_demo_prints_the_web_app_of_the_server_it_logs_to(tmp_path):
    """Not a guessed http://127.0.0.1:8080/: the server says where its web app is, here
    on another port (any free one) under a base URL."""
    with ServerProcess(str(tmp_path / "store"), extra_args=["--base-url", "/sv"]) as s:
        web_url = s.web_url
        assert not web_url.startswith("http://127.0.0.1:8080/")
        assert web_url.endswith("/sv/")
        result = subprocess.run([*DEMO, "--uri", s.uri, "--steps", "2"], capture_output=True,
                                text=True, timeout=120, env=spool_env(tmp_path), check=False)
    assert result.returncode == 0, result.stderr
    dashboard = [line for line in result.stdout.splitlines() if line.startswith("dashboard: ")]
    assert dashboard == [f"dashboard: {web_url}?rows=demo-loss,demo-waves;demo-cloud&height=1,1"]


def test_demo_starts_a_server_and_ctrl_c_stops_both(tmp_path):
    proc = start(["--uri", "127.0.0.1:0", "--http-port", "0", "--data-dir", "store",
                  "--steps", "3"], tmp_path)
    try:
        lines = read_until(proc, "keeps running")
        started = next(line for line in lines if "started a server" in line)
        uri = re.search(r"gRPC (\S+)\)", started)[1]  # type: ignore[index]
        url = next(line for line in lines if line.startswith("dashboard: "))
        assert re.fullmatch(r"dashboard: http://127\.0\.0\.1:\d+/\?rows=\S+", url)
        assert (tmp_path / "store").is_dir()
        with streamvis.connect(uri) as sv:
            assert sv.fetch("demo-train", runs=demo_runs(uri)).num_rows == 3
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        out, err = proc.communicate(timeout=60)
    finally:
        end(proc)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert not server_answers(uri)  # the server it started is gone too


@pytest.mark.parametrize(("mode", "sig"), [([], signal.SIGTERM), (["--async"], signal.SIGINT)],
                         ids=["sync-kill", "async-ctrl-c"])
def test_stopping_while_logging_flushes_what_was_written(server, tmp_path, mode, sig):
    proc = start([*mode, "--uri", server.uri, "--http-port", web_port(server), "--steps", "0"],
                 tmp_path)
    try:
        read_until(proc, "^dashboard: ")
        handles = plot_handles(server.web_url)
        deadline = time.monotonic() + 60
        with streamvis.connect(server.uri) as sv:
            while not sv.fetch("demo-train", runs=handles).num_rows:
                assert time.monotonic() < deadline, "no data landed within 60 s"
                time.sleep(0.2)
        proc.send_signal(sig)  # SIGTERM, as `kill` sends, stops as Ctrl-C does
        out, err = proc.communicate(timeout=60)
        assert "stopped" in out
    finally:
        end(proc)
    assert proc.returncode == 0, err
    with streamvis.connect(server.uri) as sv:
        steps = sv.fetch("demo-train", runs=handles).num_rows
        waves = sv.fetch("demo-waves", runs=handles).num_rows
    # Every step writes both series, so a clean final flush leaves them in step.
    assert steps > 0
    assert waves == steps * WAVES
    assert server_answers(server.uri)  # someone else's server keeps running


@pytest.mark.parametrize(("args", "message"), [
    (["--runs", "0"], "--runs must be 1 or more"),
    (["--uri", "192.0.2.1:8001"], "can be started only on this machine"),
    (["--uri", "nonsense"], "is not host:port"),
])
def test_demo_refuses_what_it_cannot_do(tmp_path, args, message):
    result = subprocess.run([*DEMO, *args], capture_output=True, text=True, timeout=60,
                            env=spool_env(tmp_path), cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.startswith("streamvis demo: error: ")


def test_the_waves_name_t_as_x_unless_an_older_demo_declared_them_without():
    assert declared_series()["demo-waves"] == {"fields": ["t", "wave", "value"], "x": "t"}
    assert declared_series()["demo-train"] == ["step", "loss"]
    # A data directory of a demo from before series' x: demo-waves never changes there.
    old = [Series("demo-waves", ("t", "wave", "value")), Series("demo-train", ("step", "loss"))]
    assert declared_series(old)["demo-waves"] == ["t", "wave", "value"]
    assert declared_series([Series("demo-waves", ("t", "wave", "value"), "t")])[
        "demo-waves"] == {"fields": ["t", "wave", "value"], "x": "t"}


def test_split_uri():
    assert split_uri("localhost:8001") == ("localhost", 8001)
    assert split_uri("[::1]:0") == ("::1", 0)


def test_a_web_app_on_every_address_is_reached_by_the_grpc_host():
    assert reachable_url("http://0.0.0.0:8080/sv/", "gpu-box") == "http://gpu-box:8080/sv/"
    assert reachable_url("https://[::]:8443/", "::1") == "https://[::1]:8443/"
    assert reachable_url("http://127.0.0.1:9000/", "localhost") == "http://127.0.0.1:9000/"


def test_a_stop_signal_mid_step_waits_for_the_step_to_end():
    """A kill that lands between a step's two writes must not leave the series out of
    step (test_stopping_while_logging_flushes_what_was_written saw it once in a while)."""
    from streamvis.cli import demo  # noqa: PLC0415 - the private step guard

    written = []
    with pytest.raises(KeyboardInterrupt), demo._whole_step():
        written.append("demo-train")
        demo._interrupt(signal.SIGTERM, None)  # what `kill` delivers here
        written.append("demo-waves")
    assert written == ["demo-train", "demo-waves"]
    with pytest.raises(KeyboardInterrupt):
        demo._interrupt(signal.SIGTERM, None)  # between steps: at once


def test_the_point_cloud_turns_one_snapshot_per_frame() -> None:
    """Its frame is bound to the step, so the plot shows one snapshot per run rather than every
    snapshot piled on the last; the spec passes the server's checks."""

    specs = {s["name"]: s for s in plot_specs(["123e4567-e89b-12d3-a456-426614174000"])}
    cloud = specs["demo-cloud"]
    assert cloud["datasets"][0]["bindings"]["frame"] == "step"
    assert cloud["datasets"][0]["bindings"]["color"] == "run"
    for name, spec in specs.items():
        check_plot_spec(spec, name)
