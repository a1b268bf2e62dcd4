"""collect.py: command, git and environment of a process, each best effort."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from streamvis.logger import collect
from streamvis.model import capture as cap
from streamvis.model.limits import MAX_CAPTURE_DIFF_BYTES


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.txt").write_text("one\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "first")
    _git(tmp_path, "remote", "add", "origin", "https://example.org/r.git")
    return tmp_path


def test_git_of_a_clean_tree(repo: Path) -> None:
    out = collect.Captured()
    collect.git(out, repo)
    a = out.attributes
    assert len(str(a["git.commit"])) == 40
    assert a["git.branch"] == "main"
    assert a["git.remote"] == "https://example.org/r.git"
    assert a["git.dirty"] is False
    assert a["git.untracked"] == 0
    assert out.texts == {}


def test_git_diff_and_untracked_files(repo: Path) -> None:
    (repo / "a.txt").write_text("two\n")
    (repo / "new.py").write_text("x = 1\n")
    out = collect.Captured()
    collect.git(out, repo)
    assert out.attributes["git.dirty"] is True
    assert "-one\n+two" in out.texts[cap.TEXT_DIFF]
    assert out.texts[cap.TEXT_UNTRACKED] == "new.py"
    assert out.attributes["git.untracked"] == 1


def test_a_large_diff_is_cut_at_the_limit_and_says_so(repo: Path) -> None:
    (repo / "a.txt").write_text("y" * 100 + "\n" + "x\n" * MAX_CAPTURE_DIFF_BYTES)
    out = collect.Captured()
    collect.git(out, repo)
    diff = out.texts[cap.TEXT_DIFF]
    assert int(out.attributes["git.diff_bytes"]) > MAX_CAPTURE_DIFF_BYTES
    assert len(diff.encode()) < MAX_CAPTURE_DIFF_BYTES + 200
    assert "diff cut at" in diff


def test_outside_a_repository_git_is_left_out(tmp_path: Path) -> None:
    out = collect.Captured()
    collect.git(out, tmp_path)
    assert out.attributes == {}


def test_environment_lists_packages_as_pip_freeze_does() -> None:
    out = collect.gather()
    a = out.attributes
    assert a["env.python"] == ".".join(map(str, sys.version_info[:3]))
    assert a["command.argv"]
    listed = out.texts[cap.TEXT_PACKAGES].splitlines()
    assert a["env.packages"] == len(listed)
    assert any(line.lower().startswith("numpy==") for line in listed)
    names = [line.split("==")[0].lower() for line in listed]
    assert names == sorted(names)
    assert set(a) <= set(cap.ATTRIBUTES)


def test_the_env_variable_turns_capture_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cap.CAPTURE_ENV, "0")
    assert not collect.capture_enabled(capture=True)
    monkeypatch.setenv(cap.CAPTURE_ENV, "1")
    assert collect.capture_enabled(capture=True)
    assert not collect.capture_enabled(capture=False)


def test_packages_read_from_the_headers_match_the_parsed_metadata() -> None:
    # The listing reads Name and Version from the first header lines only (fast);
    # it must be what parsing each whole metadata file gives.
    parsed: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            parsed.setdefault(name.lower(), f"{name}=={dist.version}")
    assert collect.packages() == [parsed[k] for k in sorted(parsed)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Metadata-Version: 2.1\nName: Some-Pkg\nVersion: 1.2.3\n\nName: not-this\n",
     ("Some-Pkg", "1.2.3")),
    # Headers a line-by-line read cannot vouch for (a folded Version, none at all):
    # the whole file is parsed, as importlib.metadata does.
    ("Metadata-Version: 2.1\nName: folded\nSummary: s\n\nVersion: 9\n", ("folded", None)),
])
def test_name_and_version_of_a_distribution(
    tmp_path: Path, text: str, expected: tuple[str, str | None],
) -> None:
    info = tmp_path / "pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(text)
    dist = importlib.metadata.PathDistribution(info)
    assert collect._name_version(dist) == expected
