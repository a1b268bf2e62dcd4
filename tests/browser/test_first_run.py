"""The README's first command, exactly as a new user runs it, ends with the demo running,
its URL printed, and a page whose plots update live.

The command is read from the README (the first line of its Set-up block), so this test
follows the README when it changes. It gets a scratch data directory and free ports, and
Ctrl-C (SIGINT) must end it cleanly, taking its server with it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from streamvis.cli.local_server import server_answers

from .conftest import plots_state

ROOT = Path(__file__).resolve().parents[2]
DEMO_PLOTS = {"demo-loss", "demo-waves", "demo-cloud"}
#: The first command installs into .venv before the demo starts: slow when it must build.
FIRST_START_S = 600


def readme_first_command() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("\n## Set-up\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", setup, re.DOTALL)
    assert block, "the README's Set-up section has no bash block"
    first = block[1].splitlines()[0].split("#", 1)[0]
    return shlex.split(first)


def read_line(proc: subprocess.Popen[str], prefix: str, seen: list[str]) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + FIRST_START_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"the command ended (status {proc.wait()}) without printing "
                        f"{prefix!r}; it printed: {seen}")
        seen.append(line.rstrip("\n"))
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    pytest.fail(f"no {prefix!r} line within {FIRST_START_S} s: {seen}")


def points(page: Any) -> dict[str, int]:
    return {p["name"]: sum(d["points"] for d in p["datasets"]) for p in plots_state(page)}


def cloud_point(page: Any) -> tuple[float, float]:
    """The last point of the demo's cloud: another once a new snapshot has replaced the last."""
    cloud = next(p for p in plots_state(page) if p["name"] == "demo-cloud")
    return cloud["datasets"][0]["lastX"], cloud["datasets"][0]["lastY"]


def wait_for(page: Any, test: Any, what: str, timeout: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    now = points(page)
    while not test(now):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: the plots show {now} after {timeout} s; "
                        f"{plots_state(page)}")
        page.wait_for_timeout(250)
        now = points(page)
    return now


def test_the_readmes_first_command_shows_the_demo_updating(page, tmp_path):
    command = readme_first_command()
    assert command == ["scripts/run"]  # what the README promises; update both together
    proc = subprocess.Popen(
        [str(ROOT / command[0]), *command[1:], "--data-dir", str(tmp_path / "data"),
         "--uri", "127.0.0.1:0", "--http-port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    seen: list[str] = []
    try:
        url = read_line(proc, "dashboard: ", seen)
        grpc_uri = re.search(r"\(gRPC (\S+)\)", "\n".join(seen))[1]  # type: ignore[index]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?rows=\S+", url)
        page.goto(url)
        page.wait_for_function("() => window.__streamvis?.plots().length === 3")
        first = wait_for(page, lambda p: set(p) == DEMO_PLOTS and all(p.values()),
                         "every demo plot shows data")
        # Live: the lines get more points without a reload; the cloud (its frame bound to the
        # step: one snapshot per run, the latest) turns, a new snapshot replacing the last.
        lines = DEMO_PLOTS - {"demo-cloud"}
        wait_for(page, lambda p: all(p[name] > first[name] for name in lines),
                 f"every line plot grows past {first}")
        cloud_at = cloud_point(page)
        deadline = time.monotonic() + 60
        while cloud_point(page) == cloud_at:
            if time.monotonic() > deadline:
                pytest.fail(f"the cloud did not turn from {cloud_at} within 60 s")
            page.wait_for_timeout(250)
        for plot in plots_state(page):
            assert plot["problem"] is None, plot
            assert all(d["error"] is None for d in plot["datasets"]), plot
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # reaps it and closes its pipes
    assert proc.returncode == 0, "\n".join(seen) + rest
    assert "streamvis demo: stopped" in rest
    assert not server_answers(grpc_uri)
