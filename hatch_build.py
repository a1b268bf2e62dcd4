"""Hatchling build hook: builds the browser UI (frontend/) into the package.

The UI is TypeScript + Svelte, built by Vite into src/streamvis/web/static/, which is
git-ignored and shipped inside the wheel (see `artifacts` in pyproject.toml). Every wheel
build, editable installs included (`pip install -e .`), runs `npm ci` (or `npm install`
without a lock file) and `npm run build` in frontend/ — unless the built files are newer
than every frontend source, so reinstalling without UI changes costs nothing.

STREAMVIS_SKIP_UI_BUILD=1 skips the build (a Python-only install; the web app then has no UI
to serve). `python hatch_build.py` builds the UI on its own, as scripts/setup does before it
installs, so that each step says what it is doing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ModuleNotFoundError:  # run as a script, outside a build: hatchling is not needed
    if __name__ != "__main__":
        raise
    BuildHookInterface = object

NODE_MAJOR = 20
# What the build reads; node_modules and the output are not sources.
SOURCES = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "svelte.config.js",
    "tsconfig.json",
]
OUTPUT = Path("src") / "streamvis" / "web" / "static"


class UIBuildError(RuntimeError):
    """The UI could not be built; the message says what to do."""


def newest_source(frontend: Path) -> float:
    newest = 0.0
    for name in SOURCES:
        p = frontend / name
        files = (
            [q for q in p.rglob("*") if q.is_file()] if p.is_dir() else [p] if p.is_file() else []
        )
        for f in files:
            newest = max(newest, f.stat().st_mtime)
    return newest


def up_to_date(frontend: Path, out: Path) -> bool:
    index = out / "index.html"
    if not index.is_file() or not (out / "assets").is_dir():
        return False
    built = min(f.stat().st_mtime for f in out.rglob("*") if f.is_file())
    return built > newest_source(frontend)


def check_node(npm: str) -> None:
    node = shutil.which("node")
    if node is None:
        raise UIBuildError(need_node(f"`npm` is at {npm} but `node` is not on PATH"))
    out = subprocess.run(  # noqa: S603 (a fixed command; node found on PATH)
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout
    m = re.match(r"v(\d+)", out.strip())
    if not m or int(m.group(1)) < NODE_MAJOR:
        raise UIBuildError(need_node(f"found Node.js {out.strip() or 'of unknown version'}"))


def need_node(found: str) -> str:
    return (
        "Building streamvis from source builds its browser UI, which needs "
        f"Node.js >= {NODE_MAJOR} and npm ({found}). Install them (https://nodejs.org/, "
        "or your package manager's `nodejs` and `npm`) and run the install again; "
        "or set STREAMVIS_SKIP_UI_BUILD=1 to install without the UI."
    )


def run(cmd: list[str], cwd: Path) -> None:
    # Fixed npm commands from this file; npm found on PATH.
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise UIBuildError(f"`{' '.join(cmd)}` in {cwd} failed (exit {proc.returncode}):\n{tail}")


def build_ui(root: Path) -> str:
    """Builds the UI if needed; returns what was done, for the build log."""
    frontend = root / "frontend"
    out = root / OUTPUT
    if os.environ.get("STREAMVIS_SKIP_UI_BUILD") == "1":
        return "skipped (STREAMVIS_SKIP_UI_BUILD=1)"
    if not (frontend / "package.json").is_file():
        if (out / "index.html").is_file():
            return "no frontend/ sources; using the UI already built"
        raise UIBuildError(f"neither frontend/ sources nor a built UI in {OUTPUT}")
    if up_to_date(frontend, out):
        return "up to date"
    npm = shutil.which("npm")
    if npm is None:
        raise UIBuildError(need_node("`npm` is not on PATH"))
    check_node(npm)
    lock = (frontend / "package-lock.json").is_file()
    run([npm, "ci" if lock else "install", "--no-audit", "--no-fund"], frontend)
    run([npm, "run", "build"], frontend)
    if not (out / "index.html").is_file():
        raise UIBuildError(f"`npm run build` finished but wrote no {OUTPUT / 'index.html'}")
    return "built"


class FrontendBuildHook(BuildHookInterface):  # type: ignore[misc,unused-ignore]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:  # noqa: ARG002
        result = build_ui(Path(self.root))
        self.app.display_info(f"streamvis UI ({OUTPUT}): {result}")


if __name__ == "__main__":
    try:
        print(f"streamvis UI ({OUTPUT}): {build_ui(Path(__file__).resolve().parent)}")  # noqa: T201
    except UIBuildError as exc:
        sys.exit(str(exc))
