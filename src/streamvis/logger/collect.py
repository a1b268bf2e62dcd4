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


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes] | None:
    """A command started with its output piped, or None when it cannot start."""
    # Git takes no optional lock (the index refresh `diff` may write): several of its
    # commands run at once here, and the program's own git commands must not find the
    # index locked by a logger.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        # The commands are fixed lists (git, nvidia-smi), no shell, no user input.
        return subprocess.Popen(  # noqa: S603
            args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL, env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _output(proc: subprocess.Popen[bytes] | None) -> str | None:
    """stdout of a started command, or None when it failed or took over _TIMEOUT s."""
    if proc is None:
        return None
    try:
        stdout, _ = proc.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        return None
    return stdout.decode("utf-8", "replace")


def _run(args: list[str], cwd: Path) -> str | None:
    """stdout of a command, or None when it is missing, fails or hangs."""
    return _output(_start(args, cwd))


#: What `git` asks, all at once: each call is a process start (tens of ms), and the
#: capture is what a short program's stop() waits for (decision 0049).
_GIT = {
    "commit": ["git", "rev-parse", "HEAD"],
    "branch": ["git", "rev-parse", "--abbrev-ref", "HEAD"],
    "remote": ["git", "config", "--get", "remote.origin.url"],
    "diff": ["git", "diff", "HEAD", "--no-color", "--no-ext-diff"],
    "untracked": ["git", "ls-files", "--others", "--exclude-standard"],
}


def git(out: Captured, cwd: Path) -> None:
    """Commit, branch, remote, dirty, the diff against HEAD and the untracked files."""
    if shutil.which("git") is None:
        return
    started = {key: _start(args, cwd) for key, args in _GIT.items()}
    found = {key: _output(proc) for key, proc in started.items()}
    commit, branch, remote = found["commit"], found["branch"], found["remote"]
    if commit is None:
        return  # not a git work tree, or one without a commit yet
    a = out.attributes
    a["git.commit"] = commit.strip()
    if branch is not None:
        a["git.branch"] = branch.strip()
    if remote is not None:
        a["git.remote"] = remote.strip()
    diff = found["diff"] or ""
    untracked = found["untracked"] or ""
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
        name, version = _name_version(dist)
        if name:
            found.setdefault(name.lower(), f"{name}=={version}")
    return [found[k] for k in sorted(found)]


def _name_version(dist: importlib.metadata.Distribution) -> tuple[str | None, str | None]:
    """A distribution's Name and Version, read from its metadata's first header lines.

    `dist.metadata` parses the whole file as an email message, long description and
    all: 0.1-0.4 s for a couple of hundred packages, which a short program's stop()
    waited for (decision 0049). Name and Version are single-line headers near the top.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    name = version = None
    for line in (text or "").splitlines():
        if not line:
            break  # the end of the headers
        if line.startswith("Name:"):
            name = line[5:].strip()
        elif line.startswith("Version:"):
            version = line[8:].strip()
        if name and version:
            return name, version
    return dist.metadata["Name"], dist.version  # headers unlike the usual: parse them


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
