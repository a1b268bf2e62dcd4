"""Every code block of README.md and docs/*.md marked runnable runs, against a real server.

A block is runnable when its fence's info string ends in ` run`: ```` ```python run ````
or ```` ```bash run ````. The blocks of one file run in order, in one scratch directory,
against one fresh server: a later block may use what an earlier one logged or wrote.
They see STREAMVIS_URI set to the server, `streamvis` on PATH, and the addresses the
docs use — `localhost:8001` and `http://127.0.0.1:8080` — replaced by the server's.
docs/ARCHITECTURE.md describes the convention.

They run in a virtualenv installed as `scripts/run` installs (`scripts/setup` without
`dev`), not in the test environment: the README promises each block works after
`scripts/run` alone, so a block that needs a test-only package (pandas, before it was a
dependency) fails here (the `run_only_venv` fixture, tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamvis.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)
RUNNERS = {"python": ["python", "-W", "error"], "bash": ["bash", "-euo", "pipefail"]}


@dataclass
class Block:
    path: Path
    line: int
    language: str
    code: str


def runnable_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for m in FENCE.finditer(text):
        words = m["info"].split()
        if len(words) == 2 and words[1] == "run":
            if words[0] not in RUNNERS:
                pytest.fail(f"{path.name}: a runnable block in {words[0]!r}; only "
                            f"{', '.join(RUNNERS)} blocks can run")
            body = "\n".join(line.removeprefix(m["indent"]) for line in m["body"].splitlines())
            blocks.append(Block(path, text.count("\n", 0, m.start()) + 1, words[0], body))
    return blocks


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WITH_BLOCKS = [p for p in DOCS if runnable_blocks(p)]


def test_the_readme_and_the_data_api_guide_have_runnable_blocks():
    names = {p.name for p in WITH_BLOCKS}
    assert {"README.md", "data-api.md"} <= names
    assert len(runnable_blocks(ROOT / "README.md")) >= 2  # logging and the data API


def test_readme_commands_say_how_streamvis_is_reached():
    """After `scripts/run` the command is .venv/bin/streamvis, not on PATH: a README
    block that types a bare `streamvis` activates the virtualenv first."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    bare = [m for m in FENCE.finditer(text)
            if m["info"].split()[:1] == ["bash"] and re.search(r"^streamvis ", m["body"], re.M)]
    assert bare  # the command-line section
    for m in bare:
        first = m["body"].lstrip().splitlines()[0]
        assert first.startswith("source .venv/bin/activate"), m["body"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path / "store")) as s:
        yield s


@pytest.mark.timeout(900)  # the first run installs the run-only virtualenv
@pytest.mark.parametrize("path", WITH_BLOCKS, ids=lambda p: p.name)
def test_runnable_blocks_run(
    path: Path, run_only_venv: Path, server: ServerProcess, tmp_path: Path
):
    web = server.web_url.rstrip("/")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update({
        "STREAMVIS_URI": server.uri,
        # As after `source .venv/bin/activate`: its python and streamvis come first.
        "PATH": f"{run_only_venv}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    })
    for block in runnable_blocks(path):
        code = block.code.replace("http://127.0.0.1:8080", web).replace(
            "localhost:8001", server.uri)
        script = work / f"block-{block.line}.{'py' if block.language == 'python' else 'sh'}"
        script.write_text(code, encoding="utf-8")
        result = subprocess.run([*RUNNERS[block.language], str(script)], cwd=work, env=env,
                                capture_output=True, text=True, timeout=180, check=False)
        assert result.returncode == 0, (
            f"{path.relative_to(ROOT)}, the block at line {block.line} exited with "
            f"{result.returncode}:\n{code}\n--- stdout\n{result.stdout}\n--- stderr\n"
            f"{result.stderr}"
        )
