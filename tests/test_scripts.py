"""scripts/run as a new user meets it: it says what it does, and where the command is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(900)  # the first run installs the run-only virtualenv
def test_scripts_run_says_each_step_and_how_to_reach_the_command(
    run_only_venv: Path, run_only_env: dict[str, str]
):
    venv = run_only_venv.parent
    os.utime(venv / ".streamvis-setup-run", (0, 0))  # as if pyproject.toml changed since
    result = subprocess.run([str(ROOT / "scripts" / "run"), "--help"], env=run_only_env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: streamvis demo")
    said = [line for line in result.stderr.splitlines() if line.startswith("streamvis")]
    assert said == [
        ("streamvis setup: building the web UI (npm ci and vite build in frontend/, when its "
         "sources changed)"),
        "streamvis UI (src/streamvis/web/static): skipped (STREAMVIS_SKIP_UI_BUILD=1)",
        f"streamvis setup: installing streamvis and its Python packages into {venv} (pip)",
        "streamvis setup: installed",
        (f"streamvis: the streamvis command is {venv}/bin/streamvis; `source "
         f"{venv}/bin/activate` puts it on PATH"),
        f"streamvis: starting the demo: {venv}/bin/streamvis demo --help",
    ]
    # Installed and unchanged: a second run starts at once, and says so.
    again = subprocess.run([str(ROOT / "scripts" / "setup")], env=run_only_env,
                           capture_output=True, text=True, timeout=600, check=True)
    assert again.stderr == f"streamvis setup: {venv} is up to date\n"
