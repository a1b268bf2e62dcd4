"""Gathering what a run captures at start: its command, its code (git), its environment.

Each gatherer is best effort and quick: a fact that cannot be had (no git, no GPU, a
git that hangs) is left out, never raised, since a logger must not break the program
it logs. What comes out is named by model/capture.py: short facts as attributes, long
texts (the diff, the untracked files, the package list) for the `capture` series.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from streamvis.model import capture as cap
from streamvis.model.limits import MAX_CAPTURE_DIFF_BYTES
from streamvis.model.types import Value

#: Seconds one git or nvidia-smi call may take before its fact is left out.
_TIMEOUT = 5.0


@dataclass
class Captured:
    """What `gather` found: attributes by name, long texts by capture key."""

    attributes: dict[str, Value] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def capture_enabled(*, capture: bool) -> bool:
    """The logger's `capture` argument, unless STREAMVIS_CAPTURE=0 turns it off."""
    return capture and os.environ.get(cap.CAPTURE_ENV, "1").strip().lower() not in (
        "0", "false", "no", "off",
    )


def gather(cwd: Path | None = None) -> Captured:
    """Command, git and environment of this process (cwd: where to look for git)."""
    out = Captured()
    command(out)
    git(out, cwd or Path.cwd())
    environment(out)
    return out


def command(out: Captured) -> None:
    out.attributes["command.argv"] = shlex.join(sys.argv) if sys.argv else ""
    out.attributes["command.cwd"] = str(Path.cwd())
    out.attributes["command.executable"] = sys.executable
    out.attributes["command.pid"] = os.getpid()


def _run(args: list[str], cwd: Path) -> str | None:
    """stdout of a command, or None when it is missing, fails or hangs."""
    try:
        # The commands are fixed lists (git, nvidia-smi), no shell, no user input.
        done = subprocess.run(  # noqa: S603
            args, cwd=cwd, capture_output=True, timeout=_TIMEOUT, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def git(out: Captured, cwd: Path) -> None:
    """Commit, branch, remote, dirty, the diff against HEAD and the untracked files."""
    if shutil.which("git") is None:
        return
    commit = _run(["git", "rev-parse", "HEAD"], cwd)
    if commit is None:
        return  # not a git work tree, or one without a commit yet
    a = out.attributes
    a["git.commit"] = commit.strip()
    branch = _run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd)
    if branch is not None:
        a["git.branch"] = branch.strip()
    remote = _run(["git", "config", "--get", "remote.origin.url"], cwd)
    if remote is not None:
        a["git.remote"] = remote.strip()
    diff = _run(["git", "diff", "HEAD", "--no-color", "--no-ext-diff"], cwd) or ""
    untracked = _run(["git", "ls-files", "--others", "--exclude-standard"], cwd) or ""
    names = [n for n in untracked.splitlines() if n]
    a["git.dirty"] = bool(diff or names)
    raw = diff.encode()
    a["git.diff_bytes"] = len(raw)
    if len(raw) > MAX_CAPTURE_DIFF_BYTES:
        diff = raw[:MAX_CAPTURE_DIFF_BYTES].decode("utf-8", "ignore") + (
            f"\n[streamvis: diff cut at {MAX_CAPTURE_DIFF_BYTES} of {len(raw)} bytes "
            "(MAX_CAPTURE_DIFF_BYTES)]\n"
        )
    a["git.untracked"] = len(names)
    if diff:
        out.texts[cap.TEXT_DIFF] = diff
    if names:
        out.texts[cap.TEXT_UNTRACKED] = "\n".join(names)


def packages() -> list[str]:
    """Installed distributions as `pip freeze` lists them (name==version), sorted."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(name.lower(), f"{name}=={dist.version}")
    return [found[k] for k in sorted(found)]


def environment(out: Captured) -> None:
    a = out.attributes
    a["env.python"] = platform.python_version()
    a["env.platform"] = platform.platform()
    a["env.hostname"] = socket.gethostname()
    listed = packages()
    a["env.packages"] = len(listed)
    out.texts[cap.TEXT_PACKAGES] = "\n".join(listed)
    gpus = _gpu_models()
    if gpus:
        a["env.gpus"] = ", ".join(gpus)
        a["env.gpu_count"] = len(gpus)
    cuda = _cuda_version()
    if cuda:
        a["env.cuda"] = cuda


def _cuda_version() -> str | None:
    # Only a torch the program imported already: importing it here would cost seconds.
    torch = sys.modules.get("torch")
    version = getattr(getattr(torch, "version", None), "cuda", None)
    return str(version) if version else None


def _gpu_models() -> list[str]:
    if shutil.which("nvidia-smi") is None:
        return []
    text = _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], Path.cwd())
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
